/* exercise.h - lesson 09: make blocking functions awaitable.
 *
 * The grader provides download(), a blocking function (it stands for the
 * notes' requests.get). You write two coroutines that hand blocking work to
 * the loop's default thread pool, so that the loop, and every other task on
 * it, keeps running while the work blocks a worker thread. As shipped both
 * call the blocking function right there, on the loop's thread: the results
 * are right, but nothing else runs meanwhile. */
#ifndef LESSON09_EXERCISE_H
#define LESSON09_EXERCISE_H

#include <coflow.h>

/* ---- provided by the grader --------------------------------------------- */

/** What download() is given: which file, and where its size goes. */
struct download {
    const char *url;  /* argument: what to fetch */
    double seconds;   /* argument: how long the fetch blocks */
    long long size;   /* argument: the size it will report (0 or more) */
};

/** `requests.get(url)`: a blocking job (a co_job_fn). Blocks the calling
 *  thread for a while, then returns the size, or a negative code if the
 *  download fails. @p arg is a struct download *. */
long long download(void *arg);

/* ---- yours: 1. one blocking call ---------------------------------------- */

/** The frame of in_thread. */
struct in_thread {
    co_coro co;      /* the coroutine header: first member */
    co_job_fn fn;    /* argument: the blocking function */
    void *arg;       /* argument: what to pass it */
    co_future *fut;  /* for you: the loop future you await */
};

/** `async def in_thread(fn, arg): return await loop.run_in_executor(None,
 *  fn, arg)`: runs fn(arg) on the loop's default thread pool and awaits it.
 *  Returns (CO_RETURN) what fn returned; if fn failed (returned a negative
 *  code), in_thread fails with that code. Releases its future however it
 *  ends. */
int in_thread(co_coro *co);

/* ---- yours: 2. several at once ------------------------------------------ */

/** The frame of download_all. */
struct download_all {
    co_coro co;             /* the coroutine header: first member */
    struct download *jobs;  /* argument: n downloads */
    int n;                  /* argument: how many (0 or more) */
    long long *sizes;       /* argument: sizes[i] receives jobs[i]'s size */
    co_future **futures;    /* argument: room for n futures, all NULL, yours */
    int i;                  /* a loop counter that survives awaits */
};

/** `async def download_all(jobs)`: hands every download to the loop's
 *  default thread pool before awaiting any, then awaits them all, stores
 *  each size in sizes[i] (argument order) and returns (CO_RETURN) the total.
 *  If a download fails, download_all fails with its code. Releases every
 *  future it got, however it ends. */
int download_all(co_coro *co);

#endif
