/* solution.c - lesson 10: the reference post_notes() and run_jobs(). */
#include "exercise.h"

int post_notes(co_loop *loop, struct note *notes, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = co_loop_call_soon_threadsafe(loop, note, &notes[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int run_jobs(co_loop *loop, struct job *jobs, int n, long long *results)
{
    co_cfuture *futures[RUN_JOBS_MAX] = {0};
    int codes[RUN_JOBS_MAX] = {0};
    if (n < 0 || n > RUN_JOBS_MAX)
        return CO_EINVAL;
    /* Hand them all over first: they run together on the loop. */
    for (int i = 0; i < n; i++)
        codes[i] = co_run_coroutine_threadsafe(&jobs[i].co, loop, &futures[i]);
    /* Then block this thread on each, in argument order. */
    for (int i = 0; i < n; i++) {
        if (!futures[i])
            continue;
        long long v = 0;
        codes[i] = co_cfuture_result_int(futures[i], -1, &v);
        if (codes[i] == 0)
            results[i] = v;
        co_cfuture_unref(futures[i]);
    }
    for (int i = 0; i < n; i++)
        if (codes[i] < 0)
            return codes[i];
    return 0;
}
