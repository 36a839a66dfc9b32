/* gather.c - gather, wait, wait_for, shield and as_completed: one future
 * that watches many. Introduced in lesson 07; cancellation in lesson 11.
 *
 * Every combinator is a `struct combo` (the watching) plus, except for
 * as_completed, an outer future (what the caller awaits). They are two
 * allocations on purpose, and the references go one way only:
 *
 *     outer future ──ref──> combo ──ref──> each child (the items)
 *     child's done-callback ──ref──> combo
 *
 * The outer future points at the combo; the combo points back at the outer
 * future without a reference (it learns of its end through ops->release).
 * A child that never finishes therefore cannot keep anything alive: once
 * the caller drops the outer future, the combo removes its callbacks from
 * the children and lets go of them. A callback that was already queued when
 * that happened still finds its combo alive, because it holds a reference,
 * and sees `outer == NULL`: there is nobody left to tell.
 *
 * What a student would get wrong: completing the outer future from inside
 * co_gather() when an item is already done. Done-callbacks never run
 * inline; an item that is already done is seen one loop iteration later,
 * exactly as asyncio's add_done_callback schedules it. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { K_GATHER, K_WAIT, K_WAIT_FOR, K_SHIELD, K_AS_COMPLETED };

/* Where a wait_for stands. */
enum {
    WF_WAITING,    /* for the inner future, or the timer, whichever first */
    WF_TIMED_OUT,  /* the timer won: inner is cancelled, we wait for its end */
    WF_CANCELLING  /* the outer one was cancelled: same, then we end so too */
};

/* Invariants: `refs` counts the owner (the outer future, or the
 * as_completed iterator) while it lives, plus one per done-callback of ours
 * that a child still holds or that sits in the ready queue. `children`
 * holds the distinct items, in argument order, one reference each, until
 * the combo is freed. `timer` is armed only while a timeout is running. */
struct combo {
    unsigned refs;          /* see the invariants */
    co_loop *loop;          /* where everything lives */
    co_future *outer;       /* the outer future; NULL once it is freed */
    co_future **children;   /* distinct items, in argument order */
    size_t nchildren;       /* how many distinct items */
    size_t nitems;          /* gather: n with repeats (the result) */
    size_t nfinished;       /* children whose callback has run */
    co_timer timer;         /* wait / wait_for / as_completed timeout */
    unsigned char kind;     /* K_* */
    unsigned char phase;    /* wait_for: WF_* */
    unsigned char when;     /* wait: enum co_return_when */
    bool return_exceptions; /* gather's flag */
    bool cancel_requested;  /* gather: the outer one was cancelled */
    bool no_timeout;        /* wait_for: a plain await */
    bool owner_gone;        /* as_completed: the iterator was freed */
    bool timed_out;         /* as_completed: the timeout has passed */
    void (*destroy)(struct combo *c); /* frees what a kind adds, or NULL */
};

/* The outer future: a co__xfuture that knows its combo. */
struct outer {
    co__xfuture x;   /* the future; must stay first */
    struct combo *c; /* the combo it owns a reference to */
};

/* as_completed's iterator is a combo plus two FIFO queues; each holds at
 * most one entry per child, so plain arrays of nchildren suffice. */
struct co_as_completed {
    struct combo c;       /* must stay first */
    co_future **done;     /* children that finished, not handed out yet */
    size_t done_head, done_len; /* the queue's window */
    co_future **waiters;  /* next-futures handed out, still pending (ref) */
    size_t wait_head, wait_len; /* the queue's window */
    size_t handed;        /* co_as_completed_next() calls so far */
};

/* The `destroy` of an as_completed combo: its two queues. */
static void as_completed_destroy(struct combo *c)
{
    struct co_as_completed *ac = (struct co_as_completed *)(void *)c;
    free(ac->done);
    free(ac->waiters);
}

static struct combo *combo_of(co_future *f)
{
    return ((struct outer *)(void *)f)->c;
}

static void child_done(co_future *f, void *arg);

static void combo_unref(struct combo *c)
{
    if (--c->refs)
        return;
    co_timer_cancel(&c->timer);
    for (size_t i = 0; i < c->nchildren; i++)
        co_future_unref(c->children[i]);
    free(c->children);
    /* Only the kind that allocated a larger struct knows its extra parts;
     * downcasting here would also read past a plain combo's allocation. */
    if (c->destroy)
        c->destroy(c);
    free(c);
}

/* Stops watching: no timer, no callback left on any child. Callbacks
 * already queued still run (they hold their reference) and find nothing
 * to do. */
static void detach(struct combo *c)
{
    co_timer_cancel(&c->timer);
    for (size_t i = 0; i < c->nchildren; i++) {
        int removed = co_future_remove_done_callback(c->children[i],
                                                     child_done, c);
        if (removed > 0)
            c->refs -= (unsigned)removed;
    }
}

static bool pending(const co_future *f)
{
    return f && f->state == CO__PENDING;
}

static void mark_read(co_future *f)
{
    if (f->state == CO__FINISHED && f->err)
        f->flags |= CO__FF_RETRIEVED;
}

/* ---- finishing the outer future ----------------------------------------- */

static void finish_cancelled(co_future *outer)
{
    co__future_finish(outer, CO_KIND_NONE, 0, NULL, CO_ECANCELLED, NULL);
}

static void finish_failed(co_future *outer, int code, const char *msg)
{
    co__future_finish(outer, CO_KIND_NONE, 0, NULL, code, co__strdup(msg));
}

/* The outer future takes @p f's outcome, as `await f` would: its result
 * (a string is copied), its failure (now read) or its cancellation. */
static void finish_like(co_future *outer, co_future *f)
{
    if (f->state == CO__CANCELLED) {
        finish_cancelled(outer);
    } else if (f->err) {
        f->flags |= CO__FF_RETRIEVED;
        finish_failed(outer, f->err, f->v.msg);
    } else if (f->kind == CO_KIND_STR) {
        char *copy = co__strdup(f->v.s);
        if (copy)
            co__future_finish(outer, CO_KIND_STR, 0, copy, 0, NULL);
        else
            finish_failed(outer, CO_ENOMEM, "could not copy the result");
    } else {
        co__future_finish(outer, f->kind, f->v.i, f->kind == CO_KIND_PTR ?
                          f->v.p : NULL, 0, NULL);
    }
}

/* ---- the outer future's own cancel and release ------------------------- */

static void outer_release(co_future *f)
{
    struct combo *c = combo_of(f);
    c->outer = NULL;
    detach(c);
    combo_unref(c);
}

/* wait and shield: cancelling the outer future cancels only it. */
static bool plain_cancel(co_future *f)
{
    if (!pending(f) || f->loop->closed)
        return false;
    finish_cancelled(f);
    detach(combo_of(f));
    return true;
}

/* gather: cancel the children; the outer future ends when they react. */
static bool gather_cancel(co_future *f)
{
    if (!pending(f) || f->loop->closed)
        return false;
    struct combo *c = combo_of(f);
    bool any = false;
    for (size_t i = 0; i < c->nchildren; i++)
        if (co_future_cancel(c->children[i]))
            any = true;
    if (any)
        c->cancel_requested = true;
    return any;
}

/* wait_for: cancel the inner one, wait for its end, then end cancelled. */
static bool wait_for_cancel(co_future *f)
{
    if (!pending(f) || f->loop->closed)
        return false;
    struct combo *c = combo_of(f);
    co_future *inner = c->children[0];
    co_timer_cancel(&c->timer);
    if (c->no_timeout)
        return co_future_cancel(inner); /* a plain await: inner decides */
    if (c->phase == WF_CANCELLING)
        return true;
    if (!pending(inner)) {
        /* Finished, but its callback has not run yet: the cancellation
         * wins (Python 3.11 returned the result here, and lost the
         * cancellation; 3.12 no longer does). */
        finish_cancelled(f);
        detach(c);
        return true;
    }
    c->phase = WF_CANCELLING;
    co_future_cancel(inner);
    return true;
}

static const co__future_ops gather_ops = {gather_cancel, outer_release};
static const co__future_ops plain_ops = {plain_cancel, outer_release};
static const co__future_ops wait_for_ops = {wait_for_cancel, outer_release};

/* ---- what happens when a child finishes --------------------------------- */

static void gather_child_done(struct combo *c, co_future *f)
{
    co_future *outer = c->outer;
    if (!pending(outer)) {
        if (outer)
            mark_read(f); /* the outer one already told its story */
        return;
    }
    if (!c->return_exceptions) {
        if (f->state == CO__CANCELLED) {
            finish_cancelled(outer);
            return;
        }
        if (f->err) {
            f->flags |= CO__FF_RETRIEVED;
            finish_failed(outer, f->err, f->v.msg);
            return;
        }
    }
    if (c->nfinished < c->nchildren)
        return;
    for (size_t i = 0; i < c->nchildren; i++)
        mark_read(c->children[i]);
    if (c->cancel_requested)
        finish_cancelled(outer); /* whatever return_exceptions says */
    else
        co__future_finish(outer, CO_KIND_INT, (long long)c->nitems, NULL, 0,
                          NULL);
}

static void wait_child_done(struct combo *c, co_future *f)
{
    if (!pending(c->outer))
        return;
    bool failed = f->state == CO__FINISHED && f->err;
    if (c->nfinished == c->nchildren || c->when == CO_FIRST_COMPLETED ||
        (c->when == CO_FIRST_EXCEPTION && failed)) {
        if (c->when == CO_FIRST_EXCEPTION && failed)
            f->flags |= CO__FF_RETRIEVED;
        detach(c);
        co__future_finish(c->outer, CO_KIND_INT, 0, NULL, 0, NULL);
    }
}

static void wait_for_child_done(struct combo *c, co_future *f)
{
    co_future *outer = c->outer;
    if (!pending(outer))
        return;
    co_timer_cancel(&c->timer);
    if (c->phase == WF_CANCELLING)
        finish_cancelled(outer);
    else if (c->phase == WF_TIMED_OUT && f->state == CO__CANCELLED)
        finish_failed(outer, CO_ETIMEDOUT, NULL);
    else
        finish_like(outer, f); /* in time, or it refused to be cancelled */
}

static void shield_child_done(struct combo *c, co_future *f)
{
    if (!pending(c->outer)) {
        if (c->outer)
            mark_read(f);
        return;
    }
    finish_like(c->outer, f);
}

static void as_completed_child_done(struct co_as_completed *ac, co_future *f)
{
    if (ac->c.owner_gone || ac->c.timed_out)
        return;
    /* Hand it to the oldest next-future still waiting; one whose awaiter
     * was cancelled is skipped, and the item goes to the next one. */
    while (ac->wait_len) {
        co_future *w = ac->waiters[ac->wait_head++];
        ac->wait_len--;
        bool given = pending(w) &&
                     co_future_set_result_ptr(w, f) == 0;
        co_future_unref(w);
        if (given)
            return;
    }
    ac->done[(ac->done_head + ac->done_len++) % ac->c.nchildren] = f;
}

static void child_done(co_future *f, void *arg)
{
    struct combo *c = arg;
    c->nfinished++;
    switch (c->kind) {
    case K_GATHER:
        gather_child_done(c, f);
        break;
    case K_WAIT:
        wait_child_done(c, f);
        break;
    case K_WAIT_FOR:
        wait_for_child_done(c, f);
        break;
    case K_SHIELD:
        shield_child_done(c, f);
        break;
    default:
        as_completed_child_done((struct co_as_completed *)(void *)c, f);
        break;
    }
    combo_unref(c); /* this callback's reference */
}

static void timer_fired(void *arg)
{
    struct combo *c = arg;
    if (c->kind == K_AS_COMPLETED) {
        struct co_as_completed *ac = (struct co_as_completed *)(void *)c;
        c->timed_out = true;
        detach(c);
        while (ac->wait_len) {
            co_future *w = ac->waiters[ac->wait_head++];
            ac->wait_len--;
            if (pending(w))
                co_future_set_exception(w, CO_ETIMEDOUT, NULL);
            co_future_unref(w);
        }
        return;
    }
    co_future *outer = c->outer;
    if (!pending(outer))
        return;
    if (c->kind == K_WAIT) {
        detach(c);
        co__future_finish(outer, CO_KIND_INT, 0, NULL, 0, NULL);
        return;
    }
    /* wait_for */
    co_future *inner = c->children[0];
    if (!pending(inner)) {
        /* It finished in time; only its callback is late. */
        detach(c);
        finish_like(outer, inner);
        return;
    }
    c->phase = WF_TIMED_OUT;
    co_future_cancel(inner);
}

/* ---- setting up ----------------------------------------------------------- */

static int check_items(co_loop *loop, co_future *const *items, size_t n)
{
    if (n && !items)
        return CO_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!items[i])
            return CO_EINVAL;
        if (items[i]->loop != loop)
            return CO_EWRONGLOOP;
    }
    return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
    /* Compared as integers: `<` between unrelated pointers is undefined. */
    uintptr_t x = (uintptr_t)*(co_future *const *)a;
    uintptr_t y = (uintptr_t)*(co_future *const *)b;
    return x < y ? -1 : x > y;
}

/* Fills c->children with the distinct items in argument order, one
 * reference each. A sorted copy finds repeats in O(n log n), so a gather of
 * many thousands of tasks stays cheap; `taken` marks, per run of equal
 * pointers in the copy, whether that future is already a child. */
static int collect(struct combo *c, co_future *const *items, size_t n)
{
    c->children = malloc(n * sizeof *c->children);
    co_future **sorted = malloc(n * sizeof *sorted);
    bool *taken = calloc(n, sizeof *taken);
    if (!c->children || !sorted || !taken) {
        free(sorted);
        free(taken);
        return CO_ENOMEM;
    }
    memcpy(sorted, items, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_ptr);
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = n; /* first position not below items[i] */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if ((uintptr_t)sorted[mid] < (uintptr_t)items[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (taken[lo])
            continue;
        taken[lo] = true;
        c->children[c->nchildren++] = co_future_ref(items[i]);
    }
    free(sorted);
    free(taken);
    return 0;
}

/* Creates the combo (and its outer future, unless @p ops is NULL) and puts
 * a done-callback on every child. On failure everything is undone. */
static int start(co_loop *loop, co_future *const *items, size_t n, int kind,
                 size_t size, const co__future_ops *ops, struct combo **cout,
                 co_future **out)
{
    struct combo *c = calloc(1, size);
    if (!c)
        return CO_ENOMEM;
    c->refs = 1; /* the owner's */
    c->loop = loop;
    c->kind = (unsigned char)kind;
    c->nitems = n;
    int rc = collect(c, items, n);
    co_future *outer = NULL;
    if (rc == 0 && ops) {
        rc = co__future_new_custom(loop, sizeof(struct outer), ops, &outer);
        if (rc == 0) {
            ((struct outer *)(void *)outer)->c = c;
            c->outer = outer;
        }
    }
    for (size_t i = 0; rc == 0 && i < c->nchildren; i++) {
        rc = co_future_add_done_callback(c->children[i], child_done, c);
        if (rc == 0)
            c->refs++;
    }
    if (rc < 0) {
        if (outer) {
            co_future_unref(outer); /* its release undoes the rest */
        } else {
            detach(c);
            combo_unref(c);
        }
        return rc;
    }
    *cout = c;
    if (out)
        *out = outer;
    return 0;
}

static int check_common(co_loop *loop, co_future *const *items, size_t n,
                        void *out)
{
    if (!loop || !out)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    return check_items(loop, items, n);
}

/* ---- the public functions ------------------------------------------------- */

int co_gather(co_loop *loop, co_future *const *items, size_t n,
              bool return_exceptions, co_future **out)
{
    if (out)
        *out = NULL;
    int rc = check_common(loop, items, n, out);
    if (rc < 0)
        return rc;
    if (n == 0) {
        /* asyncio: gather() is a finished future holding []. */
        rc = co_future_new(loop, out);
        if (rc == 0)
            co_future_set_result_int(*out, 0);
        return rc;
    }
    struct combo *c;
    rc = start(loop, items, n, K_GATHER, sizeof *c, &gather_ops, &c, out);
    if (rc == 0)
        c->return_exceptions = return_exceptions;
    return rc;
}

static bool bad_timeout(double timeout)
{
    return isnan(timeout);
}

/* Arms c's timer unless @p timeout means "none" (negative or infinite). */
static int arm_timeout(struct combo *c, double timeout)
{
    if (timeout < 0 || isinf(timeout))
        return 0;
    return co_loop_call_later(c->loop, timeout, timer_fired, c, &c->timer);
}

int co_wait(co_loop *loop, co_future *const *items, size_t n, double timeout,
            enum co_return_when return_when, co_future **out)
{
    if (out)
        *out = NULL;
    int rc = check_common(loop, items, n, out);
    if (rc < 0)
        return rc;
    if (bad_timeout(timeout) ||
        (return_when != CO_ALL_COMPLETED &&
         return_when != CO_FIRST_COMPLETED &&
         return_when != CO_FIRST_EXCEPTION))
        return CO_EINVAL;
    if (n == 0)
        return CO_EEMPTY;
    struct combo *c;
    rc = start(loop, items, n, K_WAIT, sizeof *c, &plain_ops, &c, out);
    if (rc < 0)
        return rc;
    c->when = (unsigned char)return_when;
    rc = arm_timeout(c, timeout);
    if (rc < 0) {
        co_future_unref(*out);
        *out = NULL;
    }
    return rc;
}

int co_wait_sets(co_future *const *items, size_t n, co_future **done,
                 size_t *ndone, co_future **pending_out, size_t *npending)
{
    if (ndone)
        *ndone = 0;
    if (npending)
        *npending = 0;
    if (n && !items)
        return CO_EINVAL;
    size_t d = 0, p = 0;
    for (size_t i = 0; i < n; i++) {
        if (co_future_done(items[i])) {
            if (done)
                done[d] = items[i];
            d++;
        } else {
            if (pending_out)
                pending_out[p] = items[i];
            p++;
        }
    }
    if (ndone)
        *ndone = d;
    if (npending)
        *npending = p;
    return 0;
}

int co_wait_for(co_loop *loop, co_future *inner, double timeout,
                co_future **out)
{
    if (out)
        *out = NULL;
    if (!inner)
        return CO_EINVAL;
    int rc = check_common(loop, &inner, 1, out);
    if (rc < 0)
        return rc;
    if (bad_timeout(timeout))
        return CO_EINVAL;
    struct combo *c;
    rc = start(loop, &inner, 1, K_WAIT_FOR, sizeof *c, &wait_for_ops, &c,
               out);
    if (rc < 0)
        return rc;
    c->no_timeout = timeout < 0 || isinf(timeout);
    if (timeout == 0) {
        /* Python 3.11: timeout <= 0 cancels at once, unless it is done. */
        if (pending(inner)) {
            c->phase = WF_TIMED_OUT;
            co_future_cancel(inner);
        }
        return 0;
    }
    rc = arm_timeout(c, timeout);
    if (rc < 0) {
        co_future_unref(*out);
        *out = NULL;
    }
    return rc;
}

int co_shield(co_loop *loop, co_future *inner, co_future **out)
{
    if (out)
        *out = NULL;
    if (!inner)
        return CO_EINVAL;
    int rc = check_common(loop, &inner, 1, out);
    if (rc < 0)
        return rc;
    if (!pending(inner)) {
        *out = co_future_ref(inner); /* asyncio returns the inner itself */
        return 0;
    }
    struct combo *c;
    return start(loop, &inner, 1, K_SHIELD, sizeof *c, &plain_ops, &c, out);
}

int co_as_completed_new(co_loop *loop, co_future *const *items, size_t n,
                        double timeout, co_as_completed **out)
{
    if (out)
        *out = NULL;
    int rc = check_common(loop, items, n, out);
    if (rc < 0)
        return rc;
    if (bad_timeout(timeout))
        return CO_EINVAL;
    if (n == 0)
        return CO_EEMPTY;
    struct combo *c;
    rc = start(loop, items, n, K_AS_COMPLETED, sizeof(co_as_completed), NULL,
               &c, NULL);
    if (rc < 0)
        return rc;
    co_as_completed *ac = (co_as_completed *)(void *)c;
    c->destroy = as_completed_destroy;
    ac->done = malloc(c->nchildren * sizeof *ac->done);
    ac->waiters = malloc(c->nchildren * sizeof *ac->waiters);
    rc = ac->done && ac->waiters ? arm_timeout(c, timeout) : CO_ENOMEM;
    if (rc < 0) {
        co_as_completed_free(ac);
        return rc;
    }
    *out = ac;
    return 0;
}

int co_as_completed_next(co_as_completed *ac, co_future **next_out)
{
    if (next_out)
        *next_out = NULL;
    if (!ac || !next_out)
        return CO_EINVAL;
    if (ac->c.loop->closed)
        return CO_ECLOSED;
    if (ac->handed == ac->c.nchildren)
        return CO_EEMPTY;
    co_future *w;
    int rc = co_future_new(ac->c.loop, &w);
    if (rc < 0)
        return rc;
    if (ac->c.timed_out) {
        rc = co_future_set_exception(w, CO_ETIMEDOUT, NULL);
    } else if (ac->done_len) {
        rc = co_future_set_result_ptr(w, ac->done[ac->done_head]);
        if (rc == 0) {
            ac->done_head = (ac->done_head + 1) % ac->c.nchildren;
            ac->done_len--;
        }
    } else {
        /* Each next-future joins the queue once, and at most nchildren
         * are ever handed out, so the array never wraps. */
        ac->waiters[ac->wait_head + ac->wait_len++] = co_future_ref(w);
    }
    if (rc < 0) {
        co_future_unref(w);
        return rc;
    }
    ac->handed++;
    *next_out = w;
    return 0;
}

size_t co_as_completed_remaining(const co_as_completed *ac)
{
    return ac ? ac->c.nchildren - ac->handed : 0;
}

void co_as_completed_free(co_as_completed *ac)
{
    if (!ac)
        return;
    ac->c.owner_gone = true;
    detach(&ac->c);
    while (ac->waiters && ac->wait_len) {
        co_future *w = ac->waiters[ac->wait_head++];
        ac->wait_len--;
        co_future_cancel(w); /* its awaiter must not hang */
        co_future_unref(w);
    }
    combo_unref(&ac->c);
}
