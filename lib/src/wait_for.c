/* wait_for.c - asyncio.wait_for: await one future, but no longer than a
 * timeout. Introduced in lesson 07; cancellation in lesson 11 (core:
 * combinator.c).
 *
 * On timeout the inner future is cancelled, and the outer one fails with
 * CO_ETIMEDOUT only once the inner one has ended: its cleanup runs first.
 * Cancelling the outer future cancels the inner one and waits for it too. */
#include <math.h>

#include "combinator.h"

/* Where a wait_for stands. */
enum {
    WF_WAITING,    /* for the inner future, or the timer, whichever first */
    WF_TIMED_OUT,  /* the timer won: inner is cancelled, we wait for its end */
    WF_CANCELLING  /* the outer one was cancelled: same, then we end so too */
};

typedef struct wait_for {
    struct combo c;      /* must stay first; its one child is the inner */
    unsigned char phase; /* WF_* */
    bool no_timeout;     /* a plain await */
} wait_for;

static void wf_child_done(struct combo *c, co_future *f)
{
    wait_for *w = (wait_for *)(void *)c;
    co_future *outer = c->outer;
    if (!co__pending(outer))
        return;
    co_timer_cancel(&c->timer);
    if (w->phase == WF_CANCELLING)
        co__finish_cancelled(outer);
    else if (w->phase == WF_TIMED_OUT && f->state == CO__CANCELLED)
        co__finish_failed(outer, CO_ETIMEDOUT, NULL);
    else
        co__finish_like(outer, f); /* in time, or it refused to be cancelled */
}

static void wf_timeout(struct combo *c)
{
    wait_for *w = (wait_for *)(void *)c;
    co_future *outer = c->outer, *inner = c->children[0];
    if (!co__pending(outer))
        return;
    if (!co__pending(inner)) {
        /* It finished in time; only its callback is late. */
        co__combo_detach(c);
        co__finish_like(outer, inner);
        return;
    }
    w->phase = WF_TIMED_OUT;
    co_future_cancel(inner);
}

/* Cancel the inner one, wait for its end, then end cancelled. */
static bool wf_cancel(co_future *outer)
{
    if (!co__pending(outer) || outer->loop->closed)
        return false;
    wait_for *w = (wait_for *)(void *)co__combo_of(outer);
    co_future *inner = w->c.children[0];
    co_timer_cancel(&w->c.timer);
    if (w->no_timeout)
        return co_future_cancel(inner); /* a plain await: inner decides */
    if (w->phase == WF_CANCELLING)
        return true;
    if (!co__pending(inner)) {
        /* Finished, but its callback has not run yet: the cancellation
         * wins (Python 3.11 returned the result here, and lost the
         * cancellation; 3.12 no longer does). */
        co__finish_cancelled(outer);
        co__combo_detach(&w->c);
        return true;
    }
    w->phase = WF_CANCELLING;
    co_future_cancel(inner);
    return true;
}

static const co__combo_ops ops = {
    .child_done = wf_child_done,
    .timeout = wf_timeout,
};

static const co__future_ops outer_ops = {
    .what = "wait_for",
    .cancel = wf_cancel,
    .release = co__combo_outer_release,
};
CO__FUTURE_TYPE(outer_type, outer_ops)

int co_wait_for(co_loop *loop, co_future *inner, double timeout,
                co_future **out)
{
    if (out)
        *out = NULL;
    if (!inner)
        return CO_EINVAL;
    int rc = co__combo_check(loop, &inner, 1, out);
    if (rc < 0)
        return rc;
    if (isnan(timeout))
        return CO_EINVAL;
    struct combo *c;
    rc = co__combo_start(loop, &inner, 1, sizeof(wait_for), &ops, outer_type,
                         &c, out);
    if (rc < 0)
        return rc;
    wait_for *w = (wait_for *)(void *)c;
    w->no_timeout = timeout < 0 || isinf(timeout);
    if (timeout == 0) {
        /* Python 3.11: timeout <= 0 cancels at once, unless it is done. */
        if (co__pending(inner)) {
            w->phase = WF_TIMED_OUT;
            co_future_cancel(inner);
        }
        return 0;
    }
    rc = co__combo_arm(c, timeout);
    if (rc < 0) {
        co_future_unref(*out);
        *out = NULL;
    }
    return rc;
}
