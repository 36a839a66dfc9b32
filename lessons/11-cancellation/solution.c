/* solution.c - lesson 11: the reference worker(). */
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
    CO_RETURN(co, self->n);
    CO_FINALLY(co);
    if (self->log->opened > 0) { /* nothing opened: nothing to close */
        self->log->close_err = co->err;
        self->log->closing++;
        /* A second cancellation must not cut the closing short: catch it. */
        CO_SLEEP_CATCH(co, 0, self->caught);
        self->log->closed++;
    }
    CO_END(co);
}
