/** @file
 * coflow/taskgroup.h - asyncio.TaskGroup (Python 3.11): tasks that start
 * together and end together. For lesson 11 (cancellation);
 * docs/cancellation.md explains.
 *
 * @code{.c}
 * CO_ASYNC(fetch, int n;) { CO_BEGIN(co); CO_SLEEP(co, 0.01); CO_END(co); }
 * CO_ASYNC(body, co_taskgroup *tg;)    // the body of the async with block
 * {
 *     CO_BEGIN(co);
 *     co_taskgroup_create_task(self->tg, CO_CORO(fetch, .n = 1), NULL, NULL);
 *     co_taskgroup_create_task(self->tg, CO_CORO(fetch, .n = 2), NULL, NULL);
 *     CO_END(co);
 * }
 * struct caller { co_coro co; co_taskgroup tg; struct body body; };
 * ...
 * co_coro_init(&self->body.co, CO_STEP(body));
 * self->body.tg = &self->tg;
 * CO_TASKGROUP(co, &self->tg, &self->body.co);  // async with TaskGroup() as tg
 * CO_FINALLY(co);                               //     tg.create_task(fetch(1))
 * co_coro_free(&self->body.co);                 //     tg.create_task(fetch(2))
 * @endcode
 *
 * The group does not end before every task made through it has. The
 * first task that fails cancels the others and the group's body (through
 * a cancel of the task the group runs in, taken back with uncancel() when
 * the group ends). The group then fails with CO_EGROUP, an ExceptionGroup's
 * worth: every failure, in the order they happened, the body's own last;
 * co_taskgroup_error_count() and co_taskgroup_error() read them back from
 * the failure's message. Cancelled tasks are not failures. If the task
 * running the group is cancelled from outside, the children are cancelled
 * and the group ends with CO_ECANCELLED (unless some child failed: then
 * CO_EGROUP wins, as in 3.11).
 *
 * Two ways to write one:
 *  - CO_TASKGROUP(co, tg, body): the body is a child coroutine that makes
 *    the tasks (give it a pointer to the group) and may await anything.
 *  - co_taskgroup_enter(tg); co_taskgroup_create_task(tg, ...) ...;
 *    CO_TASKGROUP_EXIT(co, tg, 0): the tasks made in the coroutine itself.
 *    Between the two use only _CATCH awaits and pass their failure to the
 *    exit: C has no `try`, so a failure that unwinds past the exit would
 *    leave the children running.
 * The struct lives in your frame and must start zeroed (a CO_NEW frame,
 * `= {0}` or co_taskgroup_init); it can be used again once it has ended. */
#ifndef COFLOW_TASKGROUP_H
#define COFLOW_TASKGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/coro.h"
#include "coflow/future.h"
#include "coflow/task.h"

/** Where a task group stands. */
enum co_taskgroup_state {
    CO_TASKGROUP_CREATED = 0, /**< not entered yet */
    CO_TASKGROUP_OPEN,        /**< entered: takes new tasks */
    CO_TASKGROUP_EXITING,     /**< its body ended; waiting for its tasks */
    CO_TASKGROUP_DONE         /**< ended; may be entered again */
};

/** One failure a group collected (internal). */
struct co__group_error {
    int code;   /**< the failure's code */
    char *msg;  /**< its message (owned), or NULL */
};

/** A task group. All fields are the library's. */
typedef struct co_taskgroup {
    co_coro co;               /**< the group's frame (body, then exit); first */
    co_coro *body;            /**< CO_TASKGROUP's body, or NULL */
    co_task *parent;          /**< the task it runs in (a reference while open) */
    co_task **tasks;          /**< its tasks not done yet, in creation order */
    size_t ntasks;            /**< how many */
    size_t cap;               /**< room for how many */
    struct co__group_error *errors; /**< failures so far, in order */
    size_t nerrors;           /**< how many */
    size_t errcap;            /**< room for how many */
    size_t lost;              /**< failures that found no memory to be kept */
    co_future *all_done;      /**< what the exit awaits (_on_completed_fut) */
    char *body_msg;           /**< the body failure's message (owned) */
    char *cancel_msg;         /**< the cancellation to pass on (owned) */
    char *group_msg;          /**< the CO_EGROUP message being raised (owned) */
    int body_err;             /**< how the body ended */
    int caught;               /**< what the exit's wait saw */
    unsigned char state;      /**< enum co_taskgroup_state */
    bool aborting;            /**< its tasks have been cancelled */
    bool parent_cancel_requested; /**< it cancelled its parent itself */
    bool propagate_cancel;    /**< it ends with CO_ECANCELLED (if no failure) */
} co_taskgroup;

/** Zeroes @p tg (a fresh group). NULL is a no-op.
 *  @param tg the task group */
CO_API void co_taskgroup_init(co_taskgroup *tg);

/** TaskGroup.__aenter__: opens the group in the current task (which it
 *  will cancel if a child fails).
 *  @return 0; CO_EINVAL (NULL); CO_ENOTASK (no current task); CO_ESCOPE
 *  (the group is open or exiting: already entered); CO_ENOMEM (its loop
 *  could not list it among the groups to let go of at close).
 *  @param tg the task group */
CO_API int co_taskgroup_enter(co_taskgroup *tg);

/** TaskGroup.create_task(coro, name=name): a task of the group's loop,
 *  watched by the group. @p name is copied (NULL: "Task-N"); @p task_out,
 *  if not NULL, receives a reference (drop it with co_task_unref).
 *  @return 0; CO_EINVAL (NULL group or coroutine, or one already
 *  started); CO_EGROUPCLOSED (the group was not entered, or has ended:
 *  its exit found no task left); CO_EGROUPABORTING (a task failed or the
 *  group was cancelled: it is shutting down, as 3.11 refuses);
 *  CO_ECLOSED; CO_ENOMEM. When it fails nothing runs, and a frame from
 *  CO_NEW is freed (as Python drops the coroutine object); a frame of
 *  your own stays yours.
 *  @param tg the task group
 *  @param coro the coroutine, not yet started
 *  @param name the task's name, or NULL
 *  @param task_out receives a reference, or NULL */
CO_API int co_taskgroup_create_task(co_taskgroup *tg, co_coro *coro,
                                    const char *name, co_task **task_out);

/** How many failures a CO_EGROUP message holds (an ExceptionGroup's
 *  len(eg.exceptions)). @p message is the group failure's message, as
 *  co_caught_message() or co_future_exception() give it.
 *  @return 1 or more; CO_EINVAL if @p message is NULL or not the message
 *  of a task group's failure.
 *  @param message the group failure's message */
CO_API int co_taskgroup_error_count(const char *message);

/** The failure number @p index (from 0, in the order they happened) of a
 *  CO_EGROUP message: its code in *code, its message copied into @p buf
 *  (at most @p size bytes with the NUL, cut if longer; "" if it had
 *  none). A failure that is itself CO_EGROUP (a nested group) has a
 *  message these functions read again.
 *  @return the full length of that failure's message (as snprintf: more
 *  than size - 1 means it was cut); CO_EINVAL (not a group's message, an
 *  index past the end, NULL @p code, NULL @p buf with @p size > 0).
 *  @param message the group failure's message
 *  @param index which failure, from 0
 *  @param code receives its code
 *  @param buf receives its message
 *  @param size the room in @p buf */
CO_API int co_taskgroup_error(const char *message, size_t index, int *code,
                              char *buf, size_t size);

/** Opens @p tg and sets it up to run child coroutine @p body, then wait
 *  for its tasks: what CO_TASKGROUP calls. @return as co_taskgroup_enter.
 *  @param tg the task group
 *  @param body the body coroutine */
CO_API int co_taskgroup_op(co_taskgroup *tg, co_coro *body);

/** Sets up the exit of a group opened with co_taskgroup_enter: the body
 *  ended with @p body_err (0, or a failure). What CO_TASKGROUP_EXIT calls.
 *  @return 0; CO_EINVAL; CO_ESCOPE (the group is not open: not entered, or
 *  its exit already ran).
 *  @param tg the task group
 *  @param body_err how the body ended */
CO_API int co_taskgroup_exit_op(co_taskgroup *tg, int body_err);

/** `async with TaskGroup() as tg: body` in one suspension point: opens
 *  the group, awaits child coroutine @p body, then waits for every task of
 *  the group. Its failure (CO_EGROUP, CO_ECANCELLED, or a failure to
 *  enter) propagates. */
#define CO_TASKGROUP(co, tg, body)                                             \
    CO__TASKGROUP(co, co_taskgroup_op((tg), (body)),                         \
                  CO_RAISE(co, co__tg_rc, NULL),                               \
                  CO_AWAIT_CORO(co, co__taskgroup_frame(tg)))

/** Like CO_TASKGROUP, but the failure (or 0) goes to the int lvalue
 *  @p caught. */
#define CO_TASKGROUP_CATCH(co, tg, body, caught)                               \
    CO__TASKGROUP(co, co_taskgroup_op((tg), (body)), (caught) = co__tg_rc,   \
                  CO_AWAIT_CORO_CATCH(co, co__taskgroup_frame(tg), caught))

/** The end of a group opened with co_taskgroup_enter(): waits for every
 *  task of the group; @p body_err is how the code between ended (0, or the
 *  failure a _CATCH await gave). The group's failure propagates. */
#define CO_TASKGROUP_EXIT(co, tg, body_err)                                    \
    CO__TASKGROUP(co, co_taskgroup_exit_op((tg), (body_err)),                \
                  CO_RAISE(co, co__tg_rc, NULL),                               \
                  CO_AWAIT_CORO(co, co__taskgroup_frame(tg)))

/** Like CO_TASKGROUP_EXIT, the failure (or 0) going to @p caught. */
#define CO_TASKGROUP_EXIT_CATCH(co, tg, body_err, caught)                      \
    CO__TASKGROUP(co, co_taskgroup_exit_op((tg), (body_err)),                \
                  (caught) = co__tg_rc,                                        \
                  CO_AWAIT_CORO_CATCH(co, co__taskgroup_frame(tg), caught))

/* ---- internals the macros call (not for direct use) --------------------- */
/* Sets the group up with @p op; if that fails, @p on_fail (raise or
 * catch the code, co__tg_rc), else @p await_it. */
#define CO__TASKGROUP(co, op, on_fail, await_it)                               \
    do {                                                                       \
        int co__tg_rc = (op);                                                  \
        if (co__tg_rc < 0) {                                                   \
            on_fail;                                                           \
        } else {                                                               \
            await_it;                                                          \
        }                                                                      \
    } while (0)
static inline co_coro *co__taskgroup_frame(co_taskgroup *tg)
{
    return &tg->co;
}

#endif
