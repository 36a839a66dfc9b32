/* solution.c - lesson 14: the consumer, done. */
#include "exercise.h"

int consumer(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    void *item;
    CO_BEGIN(co);
    for (;;) {
        /* Cancelled while waiting here, it holds nothing: it just ends. */
        CO_QUEUE_GET(co, &self->op, self->q, item);
        self->job = item;
        if (self->job->units < 0) { /* no more jobs */
            self->job = NULL;
            co_queue_task_done(self->q);
            CO_RETURN(co, self->finished);
        }
        CO_SLEEP_CATCH(co, self->job->units * self->unit, self->caught);
        if (self->caught) {
            /* Cancelled in the middle: the job goes back, not lost. */
            co_queue_put_nowait(self->q, self->job);
            self->job = NULL;
            co_queue_task_done(self->q);
            CO_RAISE(co, CO_ECANCELLED, "the consumer was cancelled");
        }
        self->job->done++;
        self->finished++;
        self->job = NULL;
        co_queue_task_done(self->q);
    }
    CO_END(co);
}
