/** @file
 * coflow/future.h - Future: a box for a result that will arrive later.
 * Introduced in lesson 08 (asyncio.Future); lesson 07 already builds a
 * gather from its done-callbacks.
 *
 * A future is PENDING until someone gives it a result, a failure, or
 * cancels it; then it is done for good. Done-callbacks are never run inline:
 * completing a future schedules each of them with call_soon, in the order
 * they were added, and adding one to a finished future schedules it too.
 *
 * Ownership: futures are reference counted. co_future_new() returns one
 * reference, owned by the caller; co_future_unref() drops one. A scheduled
 * done-callback and an awaiting task hold their own references, so dropping
 * yours early is safe. A future keeps its loop's memory alive (not the loop
 * running) until the future is freed. */
#ifndef COFLOW_FUTURE_H
#define COFLOW_FUTURE_H

#include <stdbool.h>

#include "coflow/error.h"

/** A future (asyncio.Future). Opaque; reference counted. */
typedef struct co_future co_future;
/** The event loop (see coflow/loop.h). */
typedef struct co_loop co_loop;

/** A done-callback: called with the finished future and the argument given
 *  when it was added (that argument is how functools.partial is spelt). */
typedef void (*co_done_callback)(co_future *f, void *arg);

/** loop.create_future(). @return 0 and *out, or CO_EINVAL, CO_ECLOSED,
 *  CO_ENOMEM.
 *  @param loop the loop it belongs to
 *  @param out receives the future (one reference, the caller's) */
CO_API int co_future_new(co_loop *loop, co_future **out);

/** Takes another reference; returns @p f (NULL stays NULL).
 *  @param f the future, or NULL
 *  @return @p f */
CO_API co_future *co_future_ref(co_future *f);

/** Drops a reference; the last one frees the future. If it failed and nobody
 *  ever read the failure, that is reported through the loop's exception
 *  handler ("exception was never retrieved"). NULL is a no-op.
 *  @param f the future, or NULL */
CO_API void co_future_unref(co_future *f);

/** The loop the future belongs to.
 *  @param f the future
 *  @return its loop */
CO_API co_loop *co_future_loop(const co_future *f);

/** Not pending any more (has a result, a failure, or was cancelled).
 *  @param f the future
 *  @return true once it has a result, a failure, or was cancelled */
CO_API bool co_future_done(const co_future *f);

/** Was cancelled.
 *  @param f the future
 *  @return true if it was cancelled */
CO_API bool co_future_cancelled(const co_future *f);

/** Future.set_result(value) with an integer.
 *  @param f     the future
 *  @param value the result
 *  @return 0; CO_ESTATE if already done; CO_ECLOSED if still pending but
 *  its loop is closed (nothing could run its callbacks: it stays pending
 *  for good); CO_EINVAL for NULL; CO_ENOMEM; CO_ETASKRESULT for a task
 *  (its result is what its coroutine returns). */
CO_API int co_future_set_result_int(co_future *f, long long value);
/** Future.set_result(value) with a pointer (not owned by coflow).
 *  @return as co_future_set_result_int().
 *  @param f the future
 *  @param value the result (not owned by coflow) */
CO_API int co_future_set_result_ptr(co_future *f, void *value);
/** Future.set_result(value) with a string, copied (the copy is freed with
 *  the future). @return as co_future_set_result_int().
 *  @param f the future
 *  @param value the result, copied */
CO_API int co_future_set_result_str(co_future *f, const char *value);

/** Makes the future fail with @p code (negative) and @p message (copied; may
 *  be NULL). Failing with CO_ECANCELLED is the same as co_future_cancel().
 *  @return 0; CO_ESTATE if already done; CO_ECLOSED if its loop is closed
 *  (as for set_result); CO_EINVAL if @p code is not negative;
 *  CO_ETASKRESULT for a task.
 *  @param f the future
 *  @param code the failure code (negative)
 *  @param message its text, copied; may be NULL */
CO_API int co_future_set_exception(co_future *f, int code, const char *message);

/** Cancels the future. @return true if it was pending (its callbacks are now
 *  scheduled), false if it was already done or its loop is closed.
 *  @param f the future */
CO_API bool co_future_cancel(co_future *f);

/* ---- cancel(msg) (asyncio 3.9+; docs/cancellation.md) ---- */

/** Future.cancel(msg): cancels the future with a message that its awaiters
 *  receive with the cancellation (co_caught_message() after a catching
 *  await, co_future_exception() afterwards), as CancelledError(msg) carries
 *  it in Python. For a task this is co_task_cancel_msg().
 *  @param f the future. @param msg copied; NULL for no message.
 *  @return 1 if it was pending (now cancelled, or for a task: the request
 *  is on its way), 0 if it was already done or its loop is closed;
 *  CO_EINVAL for a NULL @p f; CO_ENOMEM (nothing was cancelled). */
CO_API int co_future_cancel_msg(co_future *f, const char *msg);

/** Future.result() of an integer result. @return 0 and *out; CO_ESTATE if still pending;
 *  CO_ECANCELLED if cancelled; the failure's code if it failed (which counts
 *  as having read the failure); CO_EKIND if it holds another kind (a future
 *  finished with no value, as a coroutine ending without CO_RETURN, reads as
 *  0 / NULL with every getter but _str). The string stays owned by the
 *  future.
 *  @param f the future
 *  @param out receives the result */
CO_API int co_future_result_int(co_future *f, long long *out);
/** Future.result() of a pointer result. @return as co_future_result_int().
 *  @param f the future
 *  @param out receives the result */
CO_API int co_future_result_ptr(co_future *f, void **out);
/** Future.result() of a string result: *out points into the future (it
 *  stays the future's). @return as co_future_result_int().
 *  @param f the future
 *  @param out receives the string, owned by the future */
CO_API int co_future_result_str(co_future *f, const char **out);

/** The failure: 0 if the future finished with a result; its code if it
 *  failed (*message gets its text or NULL); CO_ECANCELLED if cancelled
 *  (*message gets the cancellation's message, or NULL);
 *  CO_ESTATE if pending. @p message may be NULL. Asking counts as reading
 *  the failure (so does a result getter that returns it): a failure nobody
 *  read is reported when the future is freed, as asyncio reports
 *  "exception was never retrieved".
 *  @param f the future
 *  @param message receives the failure's text or NULL; may be NULL
 *  @return 0, the failure's code, CO_ECANCELLED or CO_ESTATE, as above */
CO_API int co_future_exception(co_future *f, const char **message);

/** Adds a done-callback. @return 0, or CO_EINVAL, CO_ENOMEM; CO_ECLOSED for
 *  a done future whose loop is closed (the callback could never be
 *  scheduled). A callback added to a pending future of a closed loop is
 *  kept and never runs: nothing can complete that future any more.
 *  @param f the future
 *  @param fn called with the future and @p arg once it is done
 *  @param arg passed to @p fn as it is (functools.partial's extra arguments) */
CO_API int co_future_add_done_callback(co_future *f, co_done_callback fn, void *arg);

/** Removes every registration of (@p fn, @p arg) that has not been scheduled
 *  yet. @return how many were removed (0 or more), or CO_EINVAL.
 *  @param f the future
 *  @param fn the callback
 *  @param arg the argument it was added with */
CO_API int co_future_remove_done_callback(co_future *f, co_done_callback fn, void *arg);

/* ---- telling "nothing" from 0 ---------------------------------------- */

/** What kind of result the future holds: CO_KIND_NONE when it finished with
 *  no value (a coroutine that ended without CO_RETURN..., Python's None),
 *  else CO_KIND_INT, CO_KIND_PTR or CO_KIND_STR. The result getters read
 *  "nothing" as 0 / NULL; this tells the two apart.
 *  @return the enum co_kind (>= 0); CO_EINVAL for NULL; CO_ESTATE if
 *  pending; CO_ECANCELLED; the failure's code if it failed (now read).
 *  @param f the future */
CO_API int co_future_result_kind(co_future *f);

#endif
