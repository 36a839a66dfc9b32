/** @file
 * coflow/executor.h - a pool of threads for blocking work, and
 * loop.run_in_executor(). Introduced in lesson 09 (executors;
 * docs/threads.md explains it).
 *
 * A blocking call (a synchronous library, a slow disk, sleep()) inside a
 * coroutine stops every task of the loop. Hand it to a thread pool instead:
 * the job runs on a worker thread while the loop goes on, and the loop future
 * you await finishes, on the loop's thread, when the job is done.
 *
 * A job is `long long fn(void *arg)`: it returns a result (0 or more) or
 * fails by returning a negative code (CO_EUSER and below are yours). To hand
 * back more than a number, the job calls co_job_return_ptr (an object with
 * its free function) or co_job_return_bytes (copied) before it returns 0:
 * the job's future then owns that result until someone takes it
 * (co_job_take_ptr), and frees it if nobody does. Or let the job fill in
 * the struct `arg` points to: it is yours, and must stay valid until the
 * job's future is done.
 *
 * @code{.c}
 * static long long square(void *arg)      // runs on a worker thread
 * {
 *     long long x = *(long long *)arg;     // (a blocking call would go here)
 *     return x * x;
 * }
 * struct caller { co_coro co; long long x, result; co_future *f; };
 * ...
 * self->x = 7;                             // loop.run_in_executor(None, ...)
 * co_loop_run_in_executor(co_get_running_loop(), NULL, square, &self->x,
 *                         &self->f);
 * CO_AWAIT(co, self->f);                   // the loop runs on meanwhile
 * co_future_result_int(self->f, &self->result);   // 49
 * CO_FINALLY(co);
 * co_future_unref(self->f);
 * @endcode
 *
 * A shutdown that waits is bounded: jobs still running after the pool's
 * shutdown timeout (CO_EXECUTOR_SHUTDOWN_TIMEOUT, 300 s, unless set) are
 * left behind. A thread cannot be killed safely, so each such thread is
 * abandoned: detached, reported (through the loop's exception handler for
 * a loop's default pool, on stderr otherwise), and left to finish its job.
 * The pool's memory stays valid until the last abandoned thread returns
 * (that thread frees it), so nothing is used after it is freed; but the
 * job's own `arg` must stay valid until the job returns, which may now be
 * after co_loop_close() or co_executor_free(). */
#ifndef COFLOW_EXECUTOR_H
#define COFLOW_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/concurrent.h"
#include "coflow/error.h"
#include "coflow/future.h"

/** A thread pool (concurrent.futures.ThreadPoolExecutor). Opaque. */
typedef struct co_executor co_executor;

/** How long a shutdown with wait lets running jobs go on, in seconds,
 *  before their threads are abandoned: 300, as asyncio gives the default
 *  executor when a loop shuts down (Python 3.12). concurrent.futures itself
 *  waits for ever: set a negative timeout for that. */
#define CO_EXECUTOR_SHUTDOWN_TIMEOUT 300.0

/** A job, run on a worker thread. Negative return = failure code. */
typedef long long (*co_job_fn)(void *arg);

/** Inside a job, on its worker thread: the job's result is the pointer
 *  @p p, owned from now on by the job's future, which frees it with
 *  @p free_fn when its last reference goes, unless someone takes it with
 *  co_job_take_ptr (co_cfuture_take_ptr for the concurrent future). A NULL
 *  @p free_fn makes it a plain pointer nobody frees. The job then returns
 *  0 (any value 0 or more); if it fails instead (a negative return), the
 *  object is freed at once. A second call replaces (and frees) the first.
 *  @return 0; CO_ENOTJOB outside a thread-pool job (nothing taken over).
 *  @param p the object
 *  @param free_fn frees it, or NULL */
CO_API int co_job_return_ptr(void *p, co_free_fn free_fn);

/** Inside a job: the job's result is a copy of @p len bytes at @p data, a
 *  co_bytes read with co_job_result_bytes (or taken with co_job_take_ptr,
 *  freed with co_bytes_free). Rules as co_job_return_ptr.
 *  @return 0; CO_ENOTJOB; CO_EINVAL (NULL @p data with @p len > 0, or
 *  @p len over SIZE_MAX / 2); CO_ENOMEM.
 *  @param data the bytes
 *  @param len how many */
CO_API int co_job_return_bytes(const void *data, size_t len);

/** concurrent.futures.ThreadPoolExecutor(max_workers). Threads start only
 *  when jobs need them, up to @p max_workers (0: the default,
 *  min(32, CPUs + 4)). Its shutdown timeout starts at
 *  CO_EXECUTOR_SHUTDOWN_TIMEOUT. Free it with co_executor_free (or hand it
 *  to co_loop_set_default_executor). @return 0 and *out; CO_EINVAL (NULL
 *  @p out, or @p max_workers negative); CO_ENOMEM; CO_ESYS (a mutex or
 *  condition variable could not be made).
 *  @param out receives the pool, the caller's to free
 *  @param max_workers the most threads at once; 0 for the default */
CO_API int co_executor_new(co_executor **out, int max_workers);

/** The most threads it will run at once. 0 for NULL.
 *  @param ex the thread pool
 *  @return the most threads it runs at once, 0 for NULL */
CO_API int co_executor_max_workers(const co_executor *ex);

/** Sets how long co_executor_shutdown(wait) - and so co_executor_free and
 *  co_loop_close for a loop's default pool - waits for running jobs, in
 *  seconds (0: not at all; negative: for ever). Any thread.
 *  @return 0; CO_EINVAL for NULL or NaN.
 *  @param ex the thread pool
 *  @param seconds how long to wait: 0 not at all, negative for ever */
CO_API int co_executor_set_shutdown_timeout(co_executor *ex, double seconds);

/** How many threads, in the whole program, were abandoned by a shutdown
 *  that timed out and are still running their job. It drops as their jobs
 *  return (each thread frees what it still holds first). Any thread.
 *  @return how many abandoned threads are still in their job */
CO_API int co_executor_abandoned(void);

/** executor.submit(fn, arg): queues the job. *out gets a concurrent future
 *  (a reference for the caller) for its result. Any thread.
 *  @return 0; CO_EINVAL (NULL @p ex, @p fn or @p out); CO_ESHUTDOWN (the
 *  pool is shut down); CO_ENOMEM; CO_ESYS (no thread could be started, or
 *  the future's mutex could not be made).
 *  @param ex the thread pool
 *  @param fn the job
 *  @param arg passed to @p fn; yours, valid until the job returns
 *  @param out receives the concurrent future of its result */
CO_API int co_executor_submit(co_executor *ex, co_job_fn fn, void *arg,
                              co_cfuture **out);

/** executor.shutdown(wait, cancel_futures): no new jobs from now on. With
 *  @p cancel_futures the jobs not started yet are cancelled; the others
 *  still run. With @p wait it returns once every job has ended and every
 *  thread is joined, or once the shutdown timeout has passed: then the
 *  threads still in a job are abandoned (see the top of this file), the
 *  jobs not started are cancelled, and a warning is reported. Without
 *  @p wait it returns at once (co_executor_free waits later). Call it from
 *  outside the pool's own jobs.
 *  @return 0; CO_ETIMEDOUT if threads were abandoned; CO_EINVAL for NULL.
 *  @param ex the thread pool
 *  @param wait true to wait for the jobs (within the shutdown timeout)
 *  @param cancel_futures true to cancel the jobs not started yet */
CO_API int co_executor_shutdown(co_executor *ex, bool wait, bool cancel_futures);

/** Shuts down (waiting for running and queued jobs, within the shutdown
 *  timeout), joins the threads and lets go of the pool: it is freed at
 *  once, or by the last abandoned thread when its job returns. @p ex must
 *  not be used afterwards. NULL is a no-op.
 *  @param ex the pool, or NULL */
CO_API void co_executor_free(co_executor *ex);

/** loop.run_in_executor(executor, fn, arg): runs @p fn(@p arg) in @p ex, or
 *  in the loop's default pool if NULL (made on first use, shut down and
 *  joined by co_loop_close, within its shutdown timeout). *out gets a loop
 *  future (a reference for the caller) holding the job's integer result or
 *  failure. Cancelling it cancels the job if the job has not started yet.
 *  Loop thread only.
 *  @return 0; CO_EINVAL (NULL @p loop, @p fn or @p out); CO_ECLOSED (the
 *  loop is closed); CO_ESHUTDOWN (@p ex is shut down); CO_ENOMEM; CO_ESYS
 *  (no thread could be started).
 *  @param loop the event loop
 *  @param ex the pool, or NULL for the loop's default one
 *  @param fn the job, run on a worker thread
 *  @param arg passed to @p fn; yours, valid until the job returns
 *  @param out receives the loop future of its result */
CO_API int co_loop_run_in_executor(co_loop *loop, co_executor *ex, co_job_fn fn,
                                   void *arg, co_future **out);

/** loop.set_default_executor(ex): @p ex is taken over (the loop shuts it
 *  down and frees it when closed, or when replaced; a shutdown that has to
 *  abandon a thread reports it through the loop's exception handler).
 *  Loop thread only. @return 0; CO_EINVAL (NULL @p loop or @p ex);
 *  CO_ECLOSED (the loop is closed; @p ex stays yours).
 *  @param loop the event loop
 *  @param ex the pool, taken over by the loop */
CO_API int co_loop_set_default_executor(co_loop *loop, co_executor *ex);

/** loop.shutdown_default_executor(): the default pool takes no new jobs
 *  (run_in_executor(NULL) fails with CO_ESHUTDOWN from now on), runs the
 *  jobs already queued and ends its threads, on a thread of its own so
 *  that the loop goes on meanwhile and the jobs' futures get their results.
 *  *out gets a loop future (a reference) that is done once all that is
 *  over: its result is 0, or it fails with CO_ETIMEDOUT if jobs were still
 *  running after the pool's shutdown timeout (their threads abandoned).
 *  With no default pool it is done at once. co_run() runs it before it
 *  closes the loop. Loop thread only.
 *  @return 0; CO_EINVAL (NULL @p loop or @p out); CO_ECLOSED; CO_ENOMEM;
 *  CO_ESYS.
 *  @param loop the event loop
 *  @param out receives the future that is done once the pool has ended */
CO_API int co_loop_shutdown_default_executor(co_loop *loop, co_future **out);

#endif
