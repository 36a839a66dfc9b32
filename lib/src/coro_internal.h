/* coro_internal.h - the coroutine layer's private side: how a failure is
 * handed to a resume point, and what a step function's return value means.
 * Used by the layers that drive coroutines (tasks, async iterators). */
#ifndef COFLOW_CORO_INTERNAL_H
#define COFLOW_CORO_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include "base.h"
#include "coflow/coro.h"

/* Bytes co_coro_new() leaves in front of the frame for whoever drives it,
 * so that a task and its frame are one allocation: the task layer checks
 * at compile time that a task fits. A multiple of the strictest alignment,
 * so the frame after it is aligned for any type. */
#define CO__CORO_ROOM 64
_Static_assert(CO__CORO_ROOM % _Alignof(max_align_t) == 0,
               "the frame after the room must stay aligned");

/* Hands a failure to the resume point of @p co: code in co->thrown, the
 * message (owned, may be NULL) in this thread's caught-message slot. */
void co__throw(co_coro *co, int code, char *msg);

struct co_task;

/* What this thread is doing with coroutines, in one thread-local struct so
 * that a task's step, which touches both fields, finds them at one address
 * (two loads of a thread-local's offset fewer per step).
 *  - caught_msg: the message of the failure last handed to a resume point.
 *    It travels here, not in the frame, so that a child frame which failed
 *    never keeps a heap string nobody would free. Freed at the end of every
 *    step; the check for "nothing to free" is inline, the common case.
 *  - task: the task stepping a coroutine on this thread now, or NULL: the
 *    coroutine layer only keeps it for the task layer, which sets it. */
typedef struct co__thread {
    char *caught_msg;     /* owned, may be NULL */
    struct co_task *task; /* the running task, or NULL */
    char *child_str;      /* owned: the string the child coroutine last
                           * awaited returned (CO_RETURN_STR); freed with
                           * caught_msg, at the end of the step */
} co__thread;

extern CO__TLS co__thread co__this_thread;
void co__clear_caught_slow(void);
static inline void co__clear_caught(void)
{
    if (co__this_thread.caught_msg || co__this_thread.child_str)
        co__clear_caught_slow();
}

/* Frees what a frame's outcome owns (the failure's message, or the string
 * it returned); its code, its kind and a value it does not own stay, for
 * whoever reads the frame. */
void co__free_outcome(co_coro *co);
/* Forgets a frame's outcome altogether: freed, and neither a value nor a
 * failure left (err 0, no kind). */
void co__drop_outcome(co_coro *co);

/* What a step function returned, made a CO_STATUS_ value: anything else
 * ends the coroutine with a failure that says why (co__bad_status). Inline:
 * it stands between the loop and every step. */
int co__bad_status(co_coro *co, int status);
static inline int co__settle(co_coro *co, int status)
{
    return (unsigned)status <= CO_STATUS_WAIT ? status
                                              : co__bad_status(co, status);
}

/* The innermost coroutine of an await chain: where a failure is thrown in
 * and where the chain is suspended. */
static inline co_coro *co__innermost(co_coro *co)
{
    while (co->callee)
        co = co->callee;
    return co;
}

/* Debug mode's view of frames (debug.c installs it; NULL until then, and
 * installed for good): made when CO_NEW makes a frame, taken when a frame
 * starts being driven (a task, an await, a step by hand) or is freed or
 * set up again, so that a frame never taken by the time its loop closes
 * can be reported as "never awaited". */
typedef struct co__coro_watch {
    void (*made)(co_coro *co, const char *name, const char *file, int line);
    void (*taken)(co_coro *co);
} co__coro_watch;
extern const co__coro_watch *_Atomic co__coro_watcher;

/* Tells the watcher, if any, that @p co is taken. */
static inline void co__coro_taken(co_coro *co)
{
    const co__coro_watch *w =
        atomic_load_explicit(&co__coro_watcher, memory_order_relaxed);
    if (w)
        w->taken(co);
}

#endif
