/** @file
 * coflow/process_pool.h - a pool of worker processes (fork) for work that
 * needs its own process: CPU-bound code, or code that may crash. Introduced in lesson
 * 09, next to the thread pool (docs/threads.md explains it).
 *
 * Each worker is a child made with fork(): it shares the program's code, so
 * a job names an ordinary C function. The job's argument and result are
 * byte buffers, copied through a socket between the processes (nothing else
 * is shared after fork). The parent's side lives on a loop: results arrive
 * as readable sockets and complete loop futures. If a worker dies in the
 * middle of a job, that job's future fails with CO_EWORKER and the pool
 * starts a new worker in its place. Only where fork() exists (POSIX).
 *
 * The parent never trusts a worker's bytes: the job runs in the worker's
 * process and may have overwritten its memory. A reply that is malformed
 * (a length over the pool's limit, a status that is not 0 or negative, a
 * failure followed by bytes, a reply from a worker with no job) fails the
 * job with CO_EWORKER, and the worker is killed and replaced. Replies are
 * limited to CO_PROCESS_POOL_MAX_REPLY bytes unless you set another limit.
 *
 * Shutting down with wait is bounded too: a job still running after
 * CO_PROCESS_POOL_SHUTDOWN_TIMEOUT seconds (or the time you set) has its
 * worker killed with SIGKILL and reaped, and fails with CO_EWORKER.
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

#include "coflow/concurrent.h"
#include "coflow/error.h"
#include "coflow/future.h"

/** A pool of worker processes (ProcessPoolExecutor). Opaque. */
typedef struct co_process_pool co_process_pool;

/** The longest job result a new pool accepts, in bytes (64 MiB): a
 *  worker that announces more fails its job with CO_EWORKER. Change it per
 *  pool with co_process_pool_set_max_reply(). */
#define CO_PROCESS_POOL_MAX_REPLY ((size_t)64 << 20)

/** How long co_process_pool_free(pool, true) lets running jobs go on, in
 *  seconds, before it kills their workers: 300, the time asyncio gives the
 *  default executor when a loop shuts down. Change it per pool with
 *  co_process_pool_set_shutdown_timeout(). */
#define CO_PROCESS_POOL_SHUTDOWN_TIMEOUT 300.0

/** A job, run in a worker process: reads @p in_len bytes at @p in, and
 *  either returns 0 with *out set to a malloc()ed buffer of *out_len bytes
 *  (or NULL and 0 for an empty result), or returns a negative code (the
 *  job's failure). The worker frees *out once it is sent. A result longer
 *  than the pool's limit is not sent: the job fails with CO_EWORKER. */
typedef int (*co_process_fn)(const void *in, size_t in_len, void **out,
                             size_t *out_len);

/* A job's result is bytes: a co_bytes (coflow/concurrent.h) owned by the
 * job's loop future; read it with co_job_result_bytes, or take it with
 * co_job_take_ptr (then free it with co_bytes_free). */

/** concurrent.futures.ProcessPoolExecutor(workers) bound to @p loop: starts
 *  @p workers processes (0: the number of CPUs). Loop thread only.
 *  @return 0 and *out; CO_EINVAL (NULL, or @p workers < 0); CO_ECLOSED (the
 *  loop is closed); CO_ENOMEM; CO_ESYS (socketpair() or fork() failed);
 *  CO_EFDSETSIZE (a worker's socket got a descriptor too large for the
 *  loop's select()). On failure no worker is left running.
 *  @param loop the loop its futures belong to
 *  @param workers how many worker processes; 0 for one per CPU
 *  @param out receives the pool, the caller's to free */
CO_API int co_process_pool_new(co_loop *loop, int workers, co_process_pool **out);

/** Copies @p len bytes from @p in and queues @p fn on the next idle worker.
 *  *out gets a loop future (a reference) whose pointer result is a
 *  co_bytes * that the future owns (read it with co_job_result_bytes, or
 *  take it with co_job_take_ptr and free it with co_bytes_free; nobody
 *  taking it, the future frees it), or the job's failure code, or CO_EWORKER if
 *  the worker died running it, sent a malformed reply (one over the pool's
 *  limit among them) or was killed at shutdown. Cancelling the future
 *  before the job starts drops it; once started, the job runs and its
 *  result is discarded.
 *  @return 0; CO_EINVAL (NULL @p pool, @p fn or @p out, or NULL @p in with
 *  @p len > 0); CO_ESHUTDOWN (co_process_pool_free has begun); CO_ECLOSED
 *  (the pool's loop is closed); CO_ENOMEM.
 *  @param pool the process pool
 *  @param fn the job, run in a worker process
 *  @param in the job's argument bytes, copied
 *  @param len how many bytes @p in has
 *  @param out receives the loop future of its result */
CO_API int co_process_pool_submit(co_process_pool *pool, co_process_fn fn,
                                  const void *in, size_t len, co_future **out);

/** How many workers are alive (replacements included). 0 for NULL.
 *  @param pool the process pool
 *  @return how many workers are alive */
CO_API int co_process_pool_workers(const co_process_pool *pool);

/** Sets the longest job result @p pool accepts to @p bytes (0: only
 *  empty results). Jobs dispatched from now on use it.
 *  @return 0; CO_EINVAL for NULL or @p bytes > SIZE_MAX / 2.
 *  @param pool the process pool
 *  @param bytes the longest result accepted, in bytes */
CO_API int co_process_pool_set_max_reply(co_process_pool *pool, size_t bytes);

/** Sets how long co_process_pool_free(@p pool, true) waits for running
 *  jobs, in seconds (0: not at all; negative: for ever, as Python's
 *  ProcessPoolExecutor.shutdown(wait=True) does).
 *  @return 0; CO_EINVAL for NULL or NaN.
 *  @param pool the process pool
 *  @param seconds how long to wait: 0 not at all, negative for ever */
CO_API int co_process_pool_set_shutdown_timeout(co_process_pool *pool,
                                                double seconds);

/** Ends the pool: jobs not started are cancelled; with @p wait the running
 *  ones may finish, for at most the pool's shutdown timeout (their futures
 *  get their results, read here without running the loop), before the
 *  workers are told to exit and are reaped; a job still running then has
 *  its worker killed (SIGKILL, reaped: no zombie), fails with CO_EWORKER,
 *  and is reported through the loop's exception handler. Without @p wait
 *  every worker is killed at once and running jobs fail with CO_EWORKER.
 *  Frees the pool. Loop thread; call it before closing the loop. NULL is a
 *  no-op.
 *  @param pool the pool, or NULL
 *  @param wait true to let running jobs finish (within the shutdown timeout) */
CO_API void co_process_pool_free(co_process_pool *pool, bool wait);

#endif
