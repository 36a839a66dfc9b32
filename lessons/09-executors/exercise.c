/* exercise.c - lesson 09: your in_thread() and download_all().
 * See README.md, "The exercise".
 *
 * As shipped, both call the blocking function directly, on the loop's
 * thread: the results are right, but while it blocks no other task runs.
 * Hand the work to the loop's default thread pool instead. */
#include "exercise.h"

int in_thread(co_coro *co)
{
    struct in_thread *self = (struct in_thread *)co;
    long long result = 0;
    CO_BEGIN(co);
    /* TODO 1: instead of calling fn here, start it on the default pool with
     *         co_loop_run_in_executor(co_get_running_loop(), NULL, self->fn,
     *         self->arg, &self->fut), then CO_AWAIT(co, self->fut) and read
     *         the result with co_future_result_int(). A failure of the job
     *         makes CO_AWAIT fail the coroutine by itself. */
    result = self->fn(self->arg);
    CO_RETURN(co, result);
    /* TODO 2: add a CO_FINALLY section that drops your reference to the
     *         future (co_future_unref; NULL is fine). */
    CO_END(co);
}

int download_all(co_coro *co)
{
    struct download_all *self = (struct download_all *)co;
    long long total = 0;
    CO_BEGIN(co);
    /* TODO 3: first hand every download to the pool (one future each, in
     *         self->futures[i]), and only then await them one by one: each
     *         size goes to self->sizes[i]. */
    for (self->i = 0; self->i < self->n; self->i++)
        self->sizes[self->i] = download(&self->jobs[self->i]);
    for (int i = 0; i < self->n; i++)
        total += self->sizes[i];
    CO_RETURN(co, total);
    /* TODO 4: a CO_FINALLY section that drops every future you got, also
     *         when one of the downloads failed. */
    CO_END(co);
}
