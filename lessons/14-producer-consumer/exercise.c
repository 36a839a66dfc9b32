/* exercise.c - lesson 14: the consumer. Read README.md first. */
#include "exercise.h"

int consumer(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    void *item;
    CO_BEGIN(co);
    /* TODO: this takes one job and stops, and never says it is done.
     * Write the loop of exercise.h instead:
     *   for (;;) {
     *       CO_QUEUE_GET(co, &self->op, self->q, item); self->job = item;
     *       a stop mark (units < 0): task_done, then CO_RETURN;
     *       CO_SLEEP_CATCH(co, units * unit, self->caught);
     *       cancelled (self->caught != 0): put the job back, task_done,
     *           then CO_RAISE(co, CO_ECANCELLED, "...");
     *       otherwise job->done++, finished++, task_done;
     *   } */
    CO_QUEUE_GET(co, &self->op, self->q, item);
    self->job = item;
    CO_END(co);
}
