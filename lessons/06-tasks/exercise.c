/* exercise.c - lesson 06: your run_all(). See README.md, "The exercise".
 *
 * As shipped, this awaits the jobs one after the other: each job starts
 * only when the previous one has ended. The results are right, the timing
 * is not: make the jobs run at the same time, with tasks. */
#include <stdio.h> /* snprintf, for the task names */

#include "exercise.h"

int run_all(co_coro *co)
{
    struct run_all *self = (struct run_all *)co;
    long long sum = 0;
    CO_BEGIN(co);

    /* TODO 1: instead of this loop, first create one task per job with
     *         co_create_task(co_get_running_loop(), &self->jobs[i].co,
     *         name, &self->tasks[i]), the name being "job-<id>" (build it
     *         with snprintf in a small char array: the task copies it).
     *         Creating a task runs nothing yet. */
    for (self->i = 0; self->i < self->n; self->i++) {
        /* TODO 2: then, in a second loop, CO_AWAIT each task, read its
         *         result with co_task_result_int() into results[i], and
         *         drop your reference with co_task_unref(). */
        CO_AWAIT_CORO(co, &self->jobs[self->i].co);
        co_coro_result_int(&self->jobs[self->i].co, &self->results[self->i]);
    }

    for (int i = 0; i < self->n; i++)
        sum += self->results[i];
    CO_RETURN(co, sum);
    CO_END(co);
}
