/* solution.c - lesson 09: the reference in_thread() and download_all(). */
#include "exercise.h"

int in_thread(co_coro *co)
{
    struct in_thread *self = (struct in_thread *)co;
    long long result = 0;
    CO_BEGIN(co);
    {
        int rc = co_loop_run_in_executor(co_get_running_loop(), NULL,
                                         self->fn, self->arg, &self->fut);
        if (rc < 0)
            CO_RAISE(co, rc, "in_thread: could not hand the job to the pool");
    }
    CO_AWAIT(co, self->fut); /* a failed job fails us here */
    co_future_result_int(self->fut, &result);
    CO_RETURN(co, result);
    CO_FINALLY(co);
    co_future_unref(self->fut);
    self->fut = NULL;
    CO_END(co);
}

int download_all(co_coro *co)
{
    struct download_all *self = (struct download_all *)co;
    long long total = 0;
    CO_BEGIN(co);
    for (int i = 0; i < self->n; i++) {
        int rc = co_loop_run_in_executor(co_get_running_loop(), NULL,
                                         download, &self->jobs[i],
                                         &self->futures[i]);
        if (rc < 0)
            CO_RAISE(co, rc, "download_all: could not start a download");
    }
    for (self->i = 0; self->i < self->n; self->i++) {
        CO_AWAIT(co, self->futures[self->i]);
        co_future_result_int(self->futures[self->i], &self->sizes[self->i]);
    }
    for (int i = 0; i < self->n; i++)
        total += self->sizes[i];
    CO_RETURN(co, total);
    CO_FINALLY(co);
    for (int i = 0; i < self->n; i++) {
        co_future_unref(self->futures[i]);
        self->futures[i] = NULL;
    }
    CO_END(co);
}
