/* combinator.h - what gather, wait, wait_for, shield and as_completed share:
 * a `combo` that watches many futures. Introduced in lesson 07;
 * cancellation in lesson 11. Each combinator is a file of its own
 * (gather.c, wait.c, wait_for.c, shield.c, as_completed.c) on this core.
 *
 * A combo is the watching; all but as_completed also have an outer future
 * (what the caller awaits). They are two allocations on purpose, and the
 * references go one way only:
 *
 *     outer future ──ref──> combo ──ref──> each child (the items)
 *     child's done-callback ──ref──> combo
 *
 * The outer future points at the combo; the combo points back at the outer
 * future without a reference (it learns of its end through the outer
 * future's release). A child that never finishes therefore cannot keep
 * anything alive: once the caller drops the outer future, the combo removes
 * its callbacks from the children and lets go of them. A callback that was
 * already queued when that happened still finds its combo alive, because it
 * holds a reference, and sees `outer == NULL`: there is nobody left to tell.
 *
 * What a student would get wrong: completing the outer future from inside
 * co_gather() when an item is already done. Done-callbacks never run
 * inline; an item that is already done is seen one loop iteration later,
 * exactly as asyncio's add_done_callback schedules it. */
#ifndef COFLOW_COMBINATOR_H
#define COFLOW_COMBINATOR_H

#include "coflow/gather.h"
#include "coflow/task.h"
#include "future_internal.h"

struct combo;

/* What one combinator does when a child finishes or its timer fires. */
typedef struct co__combo_ops {
    void (*child_done)(struct combo *c, co_future *child);
    void (*timeout)(struct combo *c);    /* its timer fired; may be NULL */
    void (*destroy)(struct combo *c);    /* frees what it adds; may be NULL */
} co__combo_ops;

/* Invariants: `refs` counts the owner (the outer future, or the
 * as_completed iterator) while it lives, plus one per done-callback of ours
 * that a child still holds or that sits in the ready queue. `children`
 * holds the distinct items, in argument order, one reference each, until
 * the combo is freed. `timer` is armed only while a timeout is running. A
 * combinator that needs more state embeds the combo first in a struct of
 * its own. */
struct combo {
    const co__combo_ops *ops; /* the combinator it is */
    unsigned refs;           /* see the invariants */
    co_loop *loop;           /* where everything lives */
    co_future *outer;        /* the outer future; NULL once it is freed */
    co_future **children;    /* distinct items, in argument order */
    size_t nchildren;        /* how many distinct items */
    size_t nitems;           /* how many items, repeats included */
    size_t nfinished;        /* children whose callback has run */
    co_timer timer;          /* the timeout, when there is one */
};

/* The outer future: a future that knows its combo. */
struct co__outer {
    co_future fut;           /* the future; must stay first */
    struct combo *c;         /* the combo it owns a reference to */
};

static inline struct combo *co__combo_of(co_future *outer)
{
    return ((struct co__outer *)(void *)outer)->c;
}

static inline bool co__pending(const co_future *f)
{
    return f && f->state == CO__PENDING;
}

/* Checks what every combinator checks: a loop and an out pointer, an open
 * loop, @p n items that are all futures of that loop. 0 or a code. */
int co__combo_check(co_loop *loop, co_future *const *items, size_t n,
                    void *out);

/* Creates a combo of @p size bytes (at least sizeof(struct combo)) with
 * @p ops over @p items, and, when @p outer_type is not 0, its outer future
 * of that type; then puts a done-callback on every distinct child. On
 * failure everything is undone. */
int co__combo_start(co_loop *loop, co_future *const *items, size_t n,
                    size_t size, const co__combo_ops *ops,
                    unsigned char outer_type, struct combo **cout,
                    co_future **out);

/* Arms the combo's timer, unless @p timeout means "none" (negative or
 * infinite). 0 or a code. */
int co__combo_arm(struct combo *c, double timeout);

/* The combo's timer callback (@p arg is the combo): its ops' timeout. */
void co__combo_fire(void *arg);

/* Stops watching: no timer, no callback left on any child. Callbacks
 * already queued still run (they hold their reference) and find nothing
 * to do. */
void co__combo_detach(struct combo *c);
void co__combo_unref(struct combo *c);

/* The outer futures' release (every outer type uses it) and the cancel of
 * wait and shield, which cancels only the outer future. */
void co__combo_outer_release(co_future *outer);
bool co__combo_plain_cancel(co_future *outer);

/* Marks @p f's failure read: the combinator told it to somebody. */
void co__mark_read(co_future *f);

/* Finishes @p outer cancelled, failed (the message copied), or as `await
 * f` would: f's result (a string copied), its failure (now read) or its
 * cancellation. */
void co__finish_cancelled(co_future *outer);
void co__finish_failed(co_future *outer, int code, const char *msg);
void co__finish_like(co_future *outer, co_future *f);

/* ---- coroutines as items (the _coros forms) ------------------------------ */

/* Resolves @p *loop (NULL: the running loop) and starts each of @p n
 * coroutines as a task, storing the tasks' futures (one reference each) in
 * @p futs. On failure nothing is left running: the tasks made are
 * cancelled before their first step and let go, every CO_CORO / CO_NEW
 * frame not taken by a task is freed. 0 or a code. */
int co__start_all(co_loop **loop, co_coro *const *coros, size_t n,
                  co_future **futs);

/* Frees every CO_CORO / CO_NEW frame among @p coros that no task has: a
 * _coros call that fails before it starts anything. */
void co__drop_coros(co_coro *const *coros, size_t n);

/* After a combinator over @p futs (from co__start_all) returned @p rc:
 * drops our references (the combinator holds its own) or, if it failed,
 * cancels the tasks first. Returns @p rc. */
int co__started_done(co_future **futs, size_t n, int rc);

#endif
