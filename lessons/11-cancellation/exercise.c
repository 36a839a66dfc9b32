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
    /* TODO 1: the closing below runs only when the loop ends normally.
     *         Move it into a CO_FINALLY(co) section (after a
     *         CO_RETURN(co, self->n)), so that it runs however the body
     *         ends, and record co->err in close_err first. */
    self->log->closing++;
    /* TODO 2: closing awaits. A second cancellation must not cut it short:
     *         use the form that catches it, CO_SLEEP_CATCH(co, 0,
     *         self->caught), instead of CO_SLEEP. */
    CO_SLEEP(co, 0);
    self->log->closed++;
    CO_RETURN(co, self->n);
    CO_END(co);
}
