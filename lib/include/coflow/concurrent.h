/** @file
 * coflow/concurrent.h - concurrent futures: a thread-safe future that a
 * thread can block on (Python's concurrent.futures.Future), and the bridge
 * that turns one into a loop future. For lesson 09 (to come;
 * docs/threads.md explains it now).
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

#include "coflow/error.h"
#include "coflow/future.h"

/** A concurrent future (concurrent.futures.Future): thread-safe, reference
 *  counted, and possible to block on. Opaque. */
typedef struct co_cfuture co_cfuture;

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

#endif
