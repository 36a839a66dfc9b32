/* task_internal.h - the Task layer's private side: the struct, and what the
 * layers above it (combinators, threads, the runner) may ask of tasks.
 * Introduced in lesson 06. */
#ifndef COFLOW_TASK_INTERNAL_H
#define COFLOW_TASK_INTERNAL_H

#include "coflow/task.h"
#include "coro_internal.h"
#include "future_internal.h"

#define CO__TF_SCHEDULED 0x01   /* a step is in the ready queue */
#define CO__TF_MUST_CANCEL 0x02 /* deliver CO_ECANCELLED at the next step */
#define CO__TF_WAIT_TIMER 0x04  /* wait.sleep is what it waits on */
#define CO__TF_INROOM 0x08      /* it sits in front of its co_coro_new frame */
#define CO__TF_STARTED 0x10     /* the coroutine has run at least once */
#define CO__TF_NAMED 0x20       /* name.text holds the name */
#define CO__TF_CANCEL_SET 0x40  /* a cancel reached its sleep: the message
                                 * on its way can no longer change */

/* A task is a future plus what it needs to drive one coroutine, in 64
 * bytes: every byte counts when 100,000 tasks are pending (docs/
 * performance.md). Invariants: while pending it sits in its loop's task
 * list at `pos` and the loop holds one reference to it; `wait` says what
 * its coroutine is suspended on, and is empty while it runs or is ready.
 * The coroutine follows the struct in memory: the frame itself when
 * co_coro_new() made room for the task in front of it (CO__TF_INROOM, one
 * allocation for both), otherwise a pointer to the caller's frame
 * (co__task_coro reads either). */
struct co_task {
    co_future fut;            /* the future side; must stay first */
    union {
        co_future *future;    /* an awaited future (a reference it holds) */
        co__tnode sleep;      /* with CO__TF_WAIT_TIMER: its sleep, armed
                               * in the loop's timer heap (its flags are
                               * never 0 then, so `future` reads non-NULL) */
    } wait;                   /* all zero while it waits on nothing */
    union {
        char *text;           /* with CO__TF_NAMED: an owned copy */
        unsigned long number; /* otherwise the N of its name "Task-N" */
    } name;                   /* asked for rarely: the text is made then */
    unsigned pos;             /* its index in the loop's task list */
    unsigned char flags;      /* CO__TF_* */
    /* asyncio 3.11's cancel counts (docs/cancellation.md): cancel() adds
     * one, uncancel() takes one off; stops at its top rather than wrap.
     * The message of a cancel on its way waits in fut.v.msg while the
     * task is pending (a pending future keeps nothing else there). */
    unsigned short cancels;
};

_Static_assert(sizeof(co__tnode) == sizeof(co_future *),
               "a sleep's node is the one word of what a task waits on");
_Static_assert(sizeof(struct co_task) <= CO__CORO_ROOM,
               "a task must fit in the room in front of a co_coro_new frame");

/* The coroutine a task drives (see struct co_task). */
static inline co_coro *co__task_coro(const co_task *t)
{
    void *behind = (char *)(uintptr_t)t + CO__CORO_ROOM;
    return (t->flags & CO__TF_INROOM) ? (co_coro *)behind
                                      : *(co_coro **)behind;
}

/* The task running now on this thread, or NULL (steps never nest). */
#define co__current_task (co__this_thread.task)

/* Queues the task's next step, unless one is queued. 0 or CO_ENOMEM. */
int co__task_schedule(co_task *t);

/* Stops waiting: disarms the sleep, or returns the awaited future
 * (its reference passes to the caller), or NULL. */
co_future *co__task_stop_waiting(co_task *t);

/* Reports every task of @p loop still pending and lets it go, oldest
 * first: what co_loop_close does before the layers below close. */
void co__tasks_abandon_all(co_loop *loop);

/* True if @p fn is the ready-queue callback of a task's step (whose arg
 * is then the task): how debug mode tells steps from other callbacks. */
bool co__task_is_step(co_callback fn);

#endif
