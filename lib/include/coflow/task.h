/** @file
 * coflow/task.h - Task: a Future that drives one coroutine.
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

/** A task (asyncio.Task). Opaque; reference counted. */
typedef struct co_task co_task;

/** asyncio.create_task(coro, name=name) on @p loop. @p name is copied; NULL
 *  gives "Task-N". If @p task_out is not NULL it receives a reference.
 *  @return 0; CO_EINVAL (NULL loop/coro, or a coroutine that has already
 *  started); CO_ECLOSED; CO_ENOMEM. A call that fails runs nothing and
 *  leaves an owned frame with the caller.
 *  @param loop the loop to run it on
 *  @param coro the coroutine frame, fresh (co_coro_init or CO_NEW)
 *  @param name its name, copied, or NULL for "Task-N"
 *  @param task_out receives a reference to the task, or NULL if you need none */
CO_API int co_create_task(co_loop *loop, co_coro *coro, const char *name,
                   co_task **task_out);

/** The future side of a task (to use with every co_future_* function).
 *  The same as CO_AS_FUTURE(t).
 *  @param t the task
 *  @return the task as a future (the same object, no new reference) */
CO_API co_future *co_task_future(co_task *t);

/** Takes a reference (as co_future_ref); returns @p t.
 *  @param t the task, or NULL
 *  @return @p t */
CO_API co_task *co_task_ref(co_task *t);
/** Drops a reference (as co_future_unref). NULL is a no-op.
 *  @param t the task, or NULL */
CO_API void co_task_unref(co_task *t);

/** Requests cancellation (Task.cancel()). @return false if the task is done;
 *  true otherwise, also when a cancellation is already on its way. The
 *  coroutine sees CO_ECANCELLED at its suspension point; the future or task
 *  it awaits is cancelled too.
 *  @param t the task */
CO_API bool co_task_cancel(co_task *t);

/** Task.done() (co_future_done of its future side).
 *  @param t the task
 *  @return true once its coroutine has ended */
CO_API bool co_task_done(const co_task *t);
/** Task.cancelled(): its coroutine ended by the cancellation.
 *  @param t the task
 *  @return true if it ended by the cancellation */
CO_API bool co_task_cancelled(const co_task *t);
/** Task.result() of an integer (co_future_result_int of its future side).
 *  @param t the task
 *  @param out receives the result
 *  @return as co_future_result_int() */
CO_API int co_task_result_int(co_task *t, long long *out);
/** Task.result() of a pointer (co_future_result_ptr of its future side).
 *  @param t the task
 *  @param out receives the result
 *  @return as co_future_result_ptr() */
CO_API int co_task_result_ptr(co_task *t, void **out);

/** The task's name ("Task-3" unless given). Never NULL for a valid task.
 *  @param t the task
 *  @return its name, valid until it is renamed or freed */
CO_API const char *co_task_get_name(const co_task *t);

/** Renames the task (copied). @return 0, CO_EINVAL, CO_ENOMEM.
 *  @param t the task
 *  @param name the new name, copied */
CO_API int co_task_set_name(co_task *t, const char *name);

/** The coroutine the task drives (its outermost frame).
 *  @param t the task
 *  @return its outermost frame */
CO_API co_coro *co_task_get_coro(const co_task *t);

/** Where the task is suspended: the source file and line of the innermost
 *  coroutine's suspension point (following the chain of awaited child
 *  coroutines). @return 0, or CO_ESTATE if the task has not started or is
 *  done. @p file / @p line may be NULL.
 *  @param t the task
 *  @param file receives the source file; may be NULL
 *  @param line receives the line; may be NULL */
CO_API int co_task_where(const co_task *t, const char **file, int *line);

/** The task running right now on @p loop (NULL: the running loop of this
 *  thread), or NULL when called from outside any task.
 *  @param loop the loop, or NULL for this thread's running loop
 *  @return the current task (no reference taken), or NULL */
CO_API co_task *co_current_task(co_loop *loop);

/** asyncio.all_tasks(): stores up to @p max pending tasks of @p loop in
 *  @p out (no references taken). @return how many are pending in total.
 *  @param loop the event loop
 *  @param out receives up to @p max tasks; may be NULL when @p max is 0
 *  @param max the room in @p out */
CO_API size_t co_all_tasks(co_loop *loop, co_task **out, size_t max);

/* ---- starting coroutines in one call, and describing futures ----------- */

/** asyncio.create_task(coro, name=name) / ensure_future(coro) in one call:
 *  like co_create_task, but it takes the coroutine over whatever happens.
 *  On failure a CO_CORO / CO_NEW frame is freed (its body never runs), so a
 *  caller has nothing to undo; a frame of the caller's own stays theirs.
 *  @param loop the loop, or NULL for the running loop of this thread
 *  @param coro a coroutine not yet started; NULL (CO_CORO out of memory)
 *  gives CO_ENOTSTARTED
 *  @param name copied; NULL gives "Task-N"
 *  @param task_out receives a reference to drop with co_task_unref (may be
 *  NULL: then nobody but the loop holds the task)
 *  @return 0; CO_ENOTSTARTED; CO_ENOLOOP (NULL @p loop outside a running
 *  loop); else as co_create_task (CO_EINVAL for a coroutine that has
 *  started or that a task drives already: that one is left alone). */
CO_API int co_task_start(co_loop *loop, co_coro *coro, const char *name,
                         co_task **task_out);

/** Inside a coroutine body: `task = asyncio.create_task(coro, name=name)`.
 *  Starts @p coro (CO_CORO(fn, ...)) as a task on the running loop and
 *  stores a reference in the co_task * lvalue @p task; if that fails, this
 *  coroutine fails (CO_RAISE) with the reason. Drop the reference with
 *  co_task_unref, in CO_FINALLY. */
#define CO_SPAWN(co, task, coro, name)                                         \
    do {                                                                       \
        int co__rc = co_task_start(NULL, (coro), (name), &(task));             \
        if (co__rc < 0)                                                        \
            CO_RAISE(co, co__rc, "could not start a task");                    \
    } while (0)

/** The task whose future is @p f (what CO_AS_FUTURE(t) gave), or NULL if
 *  @p f is no task (a plain future, a gather...) or NULL. No reference is
 *  taken.
 *  @param f a future
 *  @return the task, or NULL */
CO_API co_task *co_task_of(co_future *f);

/** The string the task's coroutine returned with CO_RETURN_STR (owned by
 *  the task; valid while you hold it). As co_future_result_str.
 *  @param t the task
 *  @param out receives the string
 *  @return as co_future_result_str */
CO_API int co_task_result_str(co_task *t, const char **out);

/** Writes a one-line description of future or task @p f into @p buf, as
 *  Python's repr() of an asyncio Future or Task (CPython 3.11's shapes):
 *
 *      <Future pending>   <Future finished result=3>   <Future cancelled>
 *      <Future finished exception=CO_EFAIL('it broke')>
 *      <Task pending name='n1' coro=<fetch() running at x.c:12>>
 *      <Task finished name='Task-2' coro=<fetch() done, defined at x.c:9>
 *      result='paused 1'>
 *
 *  A string result is quoted and shortened as reprlib does (30 characters
 *  at most). A coroutine's name and definition line are known for those
 *  written with CO_ASYNC; others show as `coroutine()`. Done-callbacks show
 *  as `cb=[...]`, a task's wakeup as Task.task_wakeup(), any other as
 *  callback(). Pass a task as CO_AS_FUTURE(t).
 *  @return the length of the whole description (as snprintf: if it is
 *  @p size or more, @p buf holds a cut, NUL-terminated start of it);
 *  CO_EINVAL for a NULL @p f, or a NULL @p buf with @p size > 0.
 *  @param f the future or task
 *  @param buf where the text goes
 *  @param size the room in @p buf */
CO_API int co_future_repr(co_future *f, char *buf, size_t size);

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
 *  @return the count (0 or more), or CO_EINVAL for NULL.
 *  @param t the task */
CO_API int co_task_cancelling(const co_task *t);

/** Task.uncancel(): takes one cancellation request back (for the party
 *  that made it, once it has dealt with it). It does not stop a
 *  cancellation already on its way (3.11's rule).
 *  @return the requests that remain (never below 0), or CO_EINVAL.
 *  @param t the task */
CO_API int co_task_uncancel(co_task *t);

#endif
