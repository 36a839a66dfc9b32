/* coflow/process_pool.h - a pool of worker processes (fork) for work that
 * needs its own process: CPU-bound code, or code that may crash. For lesson
 * 09, next to the thread pool (to come; docs/threads.md explains it now).
 *
 * Each worker is a child made with fork(): it shares the program's code, so
 * a job names an ordinary C function. The job's argument and result are
 * byte buffers, copied through a socket between the processes (nothing else
 * is shared after fork). The parent's side lives on a loop: results arrive
 * as readable sockets and complete loop futures. If a worker dies in the
 * middle of a job, that job's future fails with CO_EWORKER and the pool
 * starts a new worker in its place. Only where fork() exists (POSIX).
 *
 * Threads and fork do not mix well. Workers are forked when the pool is made
 * and again whenever one has to be replaced. If the program runs other
 * threads at that moment (a thread pool, a loop in another thread), the
 * worker starts with the forking thread alone, and every lock another thread
 * held is locked forever in it. So keep jobs simple: let them work on their
 * argument with their own data, and call nothing that takes a lock such a
 * thread may have held (glibc's malloc and stdio are made safe across fork;
 * a mutex of your own is not). Best of all, make the pool before starting
 * any thread. */
#ifndef COFLOW_PROCESS_POOL_H
#define COFLOW_PROCESS_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/error.h"
#include "coflow/future.h"

typedef struct co_process_pool co_process_pool;

/** A job, run in a worker process: reads @p in_len bytes at @p in, and
 *  either returns 0 with *out set to a malloc()ed buffer of *out_len bytes
 *  (or NULL and 0 for an empty result), or returns a negative code (the
 *  job's failure). The worker frees *out once it is sent. */
typedef int (*co_process_fn)(const void *in, size_t in_len, void **out,
                             size_t *out_len);

/** A job's result, as the loop future's pointer result. The caller who
 *  reads it owns it: free it with co_bytes_free(). */
typedef struct co_bytes {
    size_t len;           /* how many bytes in data */
    unsigned char data[]; /* the bytes (plus a 0 byte after them) */
} co_bytes;

CO_API void co_bytes_free(co_bytes *b);

/** concurrent.futures.ProcessPoolExecutor(workers) bound to @p loop: starts
 *  @p workers processes (0: the number of CPUs). Loop thread only.
 *  @return 0 and *out; CO_EINVAL; CO_ECLOSED; CO_ENOMEM; CO_ESYS. */
CO_API int co_process_pool_new(co_loop *loop, int workers, co_process_pool **out);

/** Copies @p len bytes from @p in and queues @p fn on the next idle worker.
 *  *out gets a loop future (a reference) whose pointer result is a
 *  co_bytes * for you to free, or the job's failure code, or CO_EWORKER if
 *  the worker died running it. Cancelling the future before the job starts
 *  drops it; once started, the job runs and its result is discarded.
 *  @return 0; CO_EINVAL; CO_ESHUTDOWN; CO_ENOMEM. */
CO_API int co_process_pool_submit(co_process_pool *pool, co_process_fn fn,
                                  const void *in, size_t len, co_future **out);

/** How many workers are alive (replacements included). */
CO_API int co_process_pool_workers(const co_process_pool *pool);

/** Ends the pool: jobs not started are cancelled; with @p wait the running
 *  ones finish (their futures get their results if the loop runs) before
 *  the workers are told to exit and are reaped; without, the workers are
 *  killed (SIGKILL) and their futures fail with CO_EWORKER. Frees the pool.
 *  Loop thread; call it before closing the loop. NULL is a no-op. */
CO_API void co_process_pool_free(co_process_pool *pool, bool wait);

#endif
