/** @file
 * coflow/concurrent.h - concurrent futures: a thread-safe future that a
 * thread can block on (Python's concurrent.futures.Future), and the bridge
 * that turns one into a loop future. Introduced in lesson 09
 * (executors; docs/threads.md explains it).
 *
 * A loop future (coflow/future.h) lives on one loop's thread and is never
 * waited on by blocking. A concurrent future is the opposite: any thread may
 * complete it, and any thread may block in co_cfuture_result() until it is
 * done. Thread pools hand out concurrent futures; co_wrap_future() lets a
 * coroutine CO_AWAIT one without blocking its loop.
 *
 * Ownership: reference counted (atomically). co_cfuture_new() gives the
 * caller one reference; co_cfuture_unref() drops one. Every function here may
 * be called from any thread, except co_wrap_future() (the loop's thread). */
#ifndef COFLOW_CONCURRENT_H
#define COFLOW_CONCURRENT_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/error.h"
#include "coflow/future.h"

/** A concurrent future (concurrent.futures.Future): thread-safe, reference
 *  counted, and possible to block on. Opaque. */
typedef struct co_cfuture co_cfuture;

/** Frees an object handed over with its result (free() will do for
 *  memory from malloc). */
typedef void (*co_free_fn)(void *p);

/** A result made of bytes: a job's (co_job_return_bytes, a process pool's
 *  reply) or a concurrent future's (co_cfuture_set_result_bytes). It is
 *  the pointer result of its future, which owns it; co_job_take_ptr (or
 *  co_cfuture_take_ptr) hands it over, to be freed with co_bytes_free. */
typedef struct co_bytes {
    size_t len;           /**< how many bytes in data */
    unsigned char data[]; /**< the bytes (plus a 0 byte after them) */
} co_bytes;

/** Frees bytes that were taken. NULL is a no-op.
 *  @param b the bytes */
CO_API void co_bytes_free(co_bytes *b);

/** A concurrent done-callback. It runs in the thread that completed the
 *  future, or at once in the thread that adds it if the future is already
 *  done (as in concurrent.futures: not on any loop). Keep it short. */
typedef void (*co_cfuture_callback)(co_cfuture *f, void *arg);

/** Makes a pending concurrent future. @return 0 and *out; CO_EINVAL;
 *  CO_ENOMEM; CO_ESYS.
 *  @param out receives the new future (one reference, the caller's) */
CO_API int co_cfuture_new(co_cfuture **out);

/** Takes a reference; returns @p f. NULL stays NULL.
 *  @param f the concurrent future, or NULL
 *  @return @p f */
CO_API co_cfuture *co_cfuture_ref(co_cfuture *f);

/** Drops a reference; the last frees it. NULL is a no-op.
 *  @param f the concurrent future, or NULL */
CO_API void co_cfuture_unref(co_cfuture *f);

/** Future.set_result(value) with an integer. Waiters wake, then the
 *  done-callbacks run in this thread, in the order they were added.
 *  @param f     the pending future
 *  @param value the result
 *  @return 0; CO_ESTATE if already done; CO_EINVAL for NULL; CO_ENOMEM. */
CO_API int co_cfuture_set_result_int(co_cfuture *f, long long value);
/** Future.set_result(value) with a pointer (not owned by coflow).
 *  @return as co_cfuture_set_result_int().
 *  @param f the pending concurrent future
 *  @param value the result (not owned by coflow) */
CO_API int co_cfuture_set_result_ptr(co_cfuture *f, void *value);
/** Future.set_exception(): completes @p f with the failure @p code
 *  (negative) and @p message (copied, may be NULL). Failing with
 *  CO_ECANCELLED cancels. @return as co_cfuture_set_result_int(), or
 *  CO_EINVAL if @p code is not negative.
 *  @param f the pending concurrent future
 *  @param code the failure code (negative)
 *  @param message its text, copied; may be NULL */
CO_API int co_cfuture_set_exception(co_cfuture *f, int code, const char *message);

/** Completes it with an object it owns from now on: @p p, freed with
 *  @p free_fn when the last reference goes, unless someone takes it first
 *  (co_cfuture_take_ptr, or the loop future that wraps it). With a NULL
 *  @p free_fn it is a plain pointer, as co_cfuture_set_result_ptr.
 *  Ownership passes even on failure (@p p is then freed at once).
 *  @return as co_cfuture_set_result_int.
 *  @param f the pending concurrent future
 *  @param p the object
 *  @param free_fn frees it, or NULL */
CO_API int co_cfuture_set_result_object(co_cfuture *f, void *p,
                                        co_free_fn free_fn);

/** Completes it with a copy of @p len bytes at @p data (a co_bytes, the
 *  pointer result, owned by the future). @return as
 *  co_cfuture_set_result_int; CO_EINVAL also for NULL @p data with
 *  @p len > 0 or a @p len over SIZE_MAX / 2.
 *  @param f the pending concurrent future
 *  @param data the bytes
 *  @param len how many */
CO_API int co_cfuture_set_result_bytes(co_cfuture *f, const void *data,
                                       size_t len);

/** Cancels it if it is pending and not yet running.
 *  @return true if it is now cancelled (also if it already was); false if
 *  it is running or finished (as concurrent.futures.Future.cancel).
 *  @param f the concurrent future */
CO_API bool co_cfuture_cancel(co_cfuture *f);

/** What a worker calls before starting the job: false if the future was
 *  cancelled (skip the job), true if it is now RUNNING (it can no longer be
 *  cancelled). CO_ESTATE-like misuse (already running or done) gives false.
 *  @param f the concurrent future of the job about to start
 *  @return true if the job may run (the future is now RUNNING), false if it
 *      was cancelled */
CO_API bool co_cfuture_set_running_or_notify_cancel(co_cfuture *f);

/** Future.done(): finished, failed or cancelled. False for NULL.
 *  @param f the concurrent future
 *  @return true once it is finished, failed or cancelled */
CO_API bool co_cfuture_done(co_cfuture *f);
/** Future.running(): a worker has started the job. False for NULL.
 *  @param f the concurrent future
 *  @return true while a worker runs its job */
CO_API bool co_cfuture_running(co_cfuture *f);
/** Future.cancelled(). False for NULL.
 *  @param f the concurrent future
 *  @return true if it was cancelled */
CO_API bool co_cfuture_cancelled(co_cfuture *f);

/** Future.result(timeout) for an integer result: blocks the calling thread
 *  until @p f is done, or for at most @p timeout seconds (< 0: no limit;
 *  0: just look). Never call it on a loop's thread
 *  for a future that loop must complete: that is a deadlock.
 *  @return 0 and *out; CO_ETIMEDOUT (still pending); CO_ECANCELLED; the
 *  failure's code; CO_EKIND for a result of the other kind; CO_EINVAL.
 *  @param f the concurrent future
 *  @param timeout seconds to wait at most: negative for no limit, 0 to just
 *      look
 *  @param out receives the result */
CO_API int co_cfuture_result_int(co_cfuture *f, double timeout, long long *out);
/** Future.result(timeout) for a pointer result. @return as
 *  co_cfuture_result_int().
 *  @param f the concurrent future
 *  @param timeout seconds to wait at most: negative for no limit, 0 to just
 *      look
 *  @param out receives the result */
CO_API int co_cfuture_result_ptr(co_cfuture *f, double timeout, void **out);

/** Blocks as co_cfuture_result_ptr, then takes the object the future
 *  owns (set with co_cfuture_set_result_object or _bytes): *out is yours
 *  to free (with its free function, or co_bytes_free for bytes), and the
 *  future forgets it. @return 0 and *out; CO_ETAKEN if it was taken
 *  already (also by the loop future wrapping it); CO_EKIND if the result
 *  is not an owned object; otherwise as co_cfuture_result_ptr.
 *  @param f the concurrent future
 *  @param timeout seconds to wait at most (negative: no limit)
 *  @param out receives the object */
CO_API int co_cfuture_take_ptr(co_cfuture *f, double timeout, void **out);

/** Blocks as co_cfuture_result_ptr, then gives the bytes of a bytes
 *  result: *data (owned by the future, valid while you hold a reference
 *  and nobody takes them) and *len. @return 0; CO_EKIND (not bytes);
 *  CO_ETAKEN; otherwise as co_cfuture_result_ptr.
 *  @param f the concurrent future
 *  @param timeout seconds to wait at most (negative: no limit)
 *  @param data receives the bytes
 *  @param len receives how many */
CO_API int co_cfuture_result_bytes(co_cfuture *f, double timeout,
                                   const void **data, size_t *len);

/** Like the result getters, but returns the failure: 0 for a result, the
 *  code, CO_ECANCELLED, or CO_ETIMEDOUT. *message (may be NULL) gets the
 *  failure's text or NULL; it stays valid while you hold a reference.
 *  @param f the concurrent future
 *  @param timeout seconds to wait at most: negative for no limit, 0 to just
 *      look
 *  @param message receives the failure's text or NULL; may be NULL
 *  @return 0 for a result; the failure's code; CO_ECANCELLED; CO_ETIMEDOUT if
 *      still pending; CO_EINVAL */
CO_API int co_cfuture_exception(co_cfuture *f, double timeout, const char **message);

/** Adds a done-callback (see co_cfuture_callback for where it runs).
 *  @return 0, CO_EINVAL, CO_ENOMEM.
 *  @param f the concurrent future
 *  @param fn the callback
 *  @param arg passed to @p fn as it is */
CO_API int co_cfuture_add_done_callback(co_cfuture *f, co_cfuture_callback fn,
                                        void *arg);

/** asyncio.wrap_future(cf, loop=loop): a loop future that finishes like
 *  @p cf (result, failure or cancellation), completed on the loop's thread.
 *  Cancelling the loop future cancels @p cf (if it has not started). Until
 *  it is done the loop counts it as outside work, so run_until_complete does
 *  not report CO_EDEADLOCK while it waits. Call on the loop's thread.
 *  @return 0 and *out (a reference for the caller); CO_EINVAL; CO_ECLOSED;
 *  CO_ENOMEM.
 *  @param loop the event loop
 *  @param cf the concurrent future to follow (the wrapper takes its own
 *      reference)
 *  @param out receives the loop future */
CO_API int co_wrap_future(co_loop *loop, co_cfuture *cf, co_future **out);

/** Takes the object a job's loop future owns (from co_wrap_future,
 *  co_loop_run_in_executor or co_process_pool_submit): a pointer a job
 *  returned with co_job_return_ptr, or a co_bytes (bytes from
 *  co_job_return_bytes or a process pool's reply, to be freed with
 *  co_bytes_free). *out is yours from now on; if nobody takes it, the
 *  future frees it when its last reference goes. co_future_result_ptr
 *  reads it without taking it. Loop thread.
 *  @return 0 and *out; CO_ESTATE (pending); CO_ECANCELLED; the job's
 *  failure; CO_EKIND (an integer or a plain pointer, nothing owned);
 *  CO_ETAKEN (taken already); CO_EINVAL (NULL, or not a job's future).
 *  @param f the job's loop future
 *  @param out receives the object */
CO_API int co_job_take_ptr(co_future *f, void **out);

/** The bytes of a job's loop future whose result is bytes: *data (owned
 *  by the future: valid while you hold a reference and nobody takes them)
 *  and *len. Never more than the job sent: for a process pool, the reply's
 *  length was checked against the pool's limit before a byte was read.
 *  @return 0; CO_EKIND (not bytes); otherwise as co_job_take_ptr.
 *  @param f the job's loop future
 *  @param data receives the bytes
 *  @param len receives how many */
CO_API int co_job_result_bytes(co_future *f, const void **data, size_t *len);

#endif
