/* exercise.c - lesson 10: your post_notes() and run_jobs().
 * See README.md, "The exercise".
 *
 * As shipped, both do the work on the calling thread: note() runs on the
 * wrong thread, and each job runs on a loop of its own (co_run), one after
 * the other. Hand the work to the loop's thread instead. */
#include "exercise.h"

int post_notes(co_loop *loop, struct note *notes, int n)
{
    (void)loop;
    for (int i = 0; i < n; i++) {
        /* TODO 1: do not call note() here: hand it to the loop with
         *         co_loop_call_soon_threadsafe(loop, note, &notes[i]), and
         *         return its code at once if it is negative. */
        note(&notes[i]);
    }
    return 0;
}

int run_jobs(co_loop *loop, struct job *jobs, int n, long long *results)
{
    (void)loop;
    int first_failure = 0;
    /* TODO 2: first hand every job to the loop with
     *         co_run_coroutine_threadsafe(&jobs[i].co, loop, &futures[i]),
     *         which gives a concurrent future per job (keep them in a local
     *         array, co_cfuture *futures[RUN_JOBS_MAX]);
     * TODO 3: then block on each with co_cfuture_result_int(futures[i], -1,
     *         &results[i]), keep the first failure code, and drop each
     *         future with co_cfuture_unref(). */
    for (int i = 0; i < n; i++) {
        int rc = co_run(&jobs[i].co); /* a new loop, on this thread */
        if (rc == 0)
            co_coro_result_int(&jobs[i].co, &results[i]);
        else if (first_failure == 0)
            first_failure = rc;
    }
    return first_failure;
}
