/* exercise.c - lesson 14: the consumer. Read README.md first. */
#include "exercise.h"

int consumer(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    void *item;
    CO_BEGIN(co);
    /* TODO: this takes one job and stops: it never works on it and never
     * calls co_queue_task_done, so join() waits for ever. Write the loop
     * that exercise.h describes (README, "The exercise", steps 1 to 4):
     * a stop mark, a job finished, and a job cut short by a cancellation
     * each end differently. Keep the job in self->job: `item` is a local,
     * lost at the next suspension. */
    CO_QUEUE_GET(co, &self->op, self->q, item);
    self->job = item;
    CO_END(co);
}
