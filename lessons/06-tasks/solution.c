/* solution.c - lesson 06: the reference run_all(). */
#include <stdio.h>

#include "exercise.h"

int run_all(co_coro *co)
{
    struct run_all *self = (struct run_all *)co;
    co_loop *loop = co_get_running_loop();
    long long sum = 0;
    CO_BEGIN(co);

    /* First start them all: creating a task only schedules its first step. */
    for (int i = 0; i < self->n; i++) {
        char name[32];
        snprintf(name, sizeof name, "job-%d", self->jobs[i].id);
        int rc = co_create_task(loop, &self->jobs[i].co, name,
                                &self->tasks[i]);
        if (rc < 0) {
            /* The tasks made so far run on without us (the loop holds
             * them); we only drop our references. */
            for (int j = 0; j < i; j++)
                co_task_unref(self->tasks[j]);
            CO_RAISE(co, rc, "could not create a task");
        }
    }

    /* Then wait for each; while we wait for one, all of them run. */
    for (self->i = 0; self->i < self->n; self->i++) {
        CO_AWAIT(co, self->tasks[self->i]);
        co_task_result_int(self->tasks[self->i], &self->results[self->i]);
        co_task_unref(self->tasks[self->i]);
        self->tasks[self->i] = NULL;
    }

    for (int i = 0; i < self->n; i++)
        sum += self->results[i];
    CO_RETURN(co, sum);
    CO_END(co);
}
