/* coflow/task.h - Task: a Future that drives one coroutine.
 * Introduced in lesson 06 (asyncio.create_task).
 *
 * Creating a task runs nothing: its first step is scheduled with call_soon.
 * Each step resumes the coroutine until it suspends; when the coroutine
 * awaits a future, the task's wakeup becomes one of that future's
 * done-callbacks. When the coroutine ends, the task (a future) takes its
 * return value, its failure, or its cancellation.
 *
 * Ownership: the loop holds a reference to every task until it is done.
 * co_create_task() gives the caller another one if asked (task_out), to drop
 * with co_task_unref(). The task does not own the coroutine frame unless the
 * frame came from CO_NEW / co_coro_new(), in which case the frame is freed
 * together with the task. Any other frame must outlive the task. */
#ifndef COFLOW_TASK_H
#define COFLOW_TASK_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/coro.h"
#include "coflow/future.h"

typedef struct co_task co_task;

/** asyncio.create_task(coro, name=name) on @p loop. @p name is copied; NULL
 *  gives "Task-N". If @p task_out is not NULL it receives a reference.
 *  @return 0; CO_EINVAL (NULL loop/coro, or a coroutine that has already
 *  started); CO_ECLOSED; CO_ENOMEM. A call that fails runs nothing and
 *  leaves an owned frame with the caller. */
CO_API int co_create_task(co_loop *loop, co_coro *coro, const char *name,
                   co_task **task_out);

/** The future side of a task (to use with every co_future_* function).
 *  The same as CO_AS_FUTURE(t). */
CO_API co_future *co_task_future(co_task *t);

/** Takes / drops a reference (as co_future_ref / co_future_unref). */
CO_API co_task *co_task_ref(co_task *t);
CO_API void co_task_unref(co_task *t);

/** Requests cancellation (Task.cancel()). @return false if the task is done;
 *  true otherwise, also when a cancellation is already on its way. The
 *  coroutine sees CO_ECANCELLED at its suspension point; the future or task
 *  it awaits is cancelled too. */
CO_API bool co_task_cancel(co_task *t);

/** Shortcuts for the future side. */
CO_API bool co_task_done(const co_task *t);
CO_API bool co_task_cancelled(const co_task *t);
CO_API int co_task_result_int(co_task *t, long long *out);
CO_API int co_task_result_ptr(co_task *t, void **out);

/** The task's name ("Task-3" unless given). Never NULL for a valid task. */
CO_API const char *co_task_get_name(const co_task *t);

/** Renames the task (copied). @return 0, CO_EINVAL, CO_ENOMEM. */
CO_API int co_task_set_name(co_task *t, const char *name);

/** The coroutine the task drives (its outermost frame). */
CO_API co_coro *co_task_get_coro(const co_task *t);

/** Where the task is suspended: the source file and line of the innermost
 *  coroutine's suspension point (following the chain of awaited child
 *  coroutines). @return 0, or CO_ESTATE if the task has not started or is
 *  done. @p file / @p line may be NULL. */
CO_API int co_task_where(const co_task *t, const char **file, int *line);

/** The task running right now on @p loop (NULL: the running loop of this
 *  thread), or NULL when called from outside any task. */
CO_API co_task *co_current_task(co_loop *loop);

/** asyncio.all_tasks(): stores up to @p max pending tasks of @p loop in
 *  @p out (no references taken). @return how many are pending in total. */
CO_API size_t co_all_tasks(co_loop *loop, co_task **out, size_t max);

/* ---- cancel(msg), cancelling(), uncancel() (asyncio 3.11) ---------------
 * A task counts the cancellations requested of it: cancel() adds one,
 * uncancel() takes one off. timeout() and TaskGroup use the count to tell
 * their own cancellation from one somebody else asked for
 * (docs/cancellation.md). */

/** Task.cancel(msg): requests cancellation with a message. The coroutine
 *  sees CO_ECANCELLED at its suspension point with @p msg as the failure's
 *  message (co_caught_message() after a catching await), and so does
 *  whoever awaits the task once it has ended cancelled. As in 3.11: when a
 *  cancel already reached the future or sleep the task awaits, a second
 *  one's message does not replace the first; otherwise (a yield, a cancel
 *  of itself) the latest message wins; a task it awaits is cancelled with
 *  the same message and applies the same rule.
 *  @param t the task. @param msg copied; NULL for no message.
 *  @return 1 (also when a cancellation is already on its way; the count
 *  goes up each time), 0 if the task is done or its loop is closed;
 *  CO_EINVAL for NULL; CO_ENOMEM (nothing was requested). */
CO_API int co_task_cancel_msg(co_task *t, const char *msg);

/** Task.cancelling(): how many cancellations were requested of @p t and
 *  not taken back with co_task_uncancel(). Not reset when the task catches
 *  one. The count stops at 65535.
 *  @return the count (0 or more), or CO_EINVAL for NULL. */
CO_API int co_task_cancelling(const co_task *t);

/** Task.uncancel(): takes one cancellation request back (for the party
 *  that made it, once it has dealt with it). It does not stop a
 *  cancellation already on its way (3.11's rule).
 *  @return the requests that remain (never below 0), or CO_EINVAL. */
CO_API int co_task_uncancel(co_task *t);

#endif
