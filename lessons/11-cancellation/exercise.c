/* exercise.c - lesson 11: your worker(). See README.md, "The exercise". */
#include "exercise.h"

int worker(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    CO_BEGIN(co);
    self->log->opened++;
    for (self->i = 0; self->i < self->n; self->i++) {
        CO_SLEEP(co, 0);
        self->log->steps++;
    }
    /* TODO 1: the closing below runs only when the loop ends normally: a
     *         cancellation makes the CO_SLEEP it lands in fail, and the
     *         body is left right there, so these lines are skipped. Make
     *         the closing run however the body ends, and store why it
     *         ended (co->err) in log->close_err first. README: "Cleanup
     *         that always runs". */
    self->log->closing++;
    /* TODO 2: closing awaits. Cancelled again while closing, this await
     *         fails too and log->closed++ is skipped. README, "What
     *         students get wrong": a cleanup that a second Ctrl-C cuts
     *         short. */
    CO_SLEEP(co, 0);
    self->log->closed++;
    CO_RETURN(co, self->n);
    CO_END(co);
}
