/* wait_for.c - asyncio.wait_for: await one future, but no longer than a
 * timeout. Introduced in lesson 07; cancellation in lesson 11 (core:
 * combinator.c).
 *
 * On timeout the inner future is cancelled, and the outer one fails with
 * CO_ETIMEDOUT only once the inner one has ended: its cleanup runs first.
 * Cancelling the outer future cancels the inner one and waits for it too. */
#include <math.h>
#include <stdlib.h>

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
    if (timeout == 0 && !co__pending(inner)) {
        /* Python 3.11 returns a done future's outcome at once, without a
         * suspension: here an outer future that is already finished, which
         * an await reads without suspending either. */
        rc = co_future_new(loop, out);
        if (rc == 0)
            co__finish_like(*out, inner);
        return rc;
    }
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

/* ---- a coroutine as the inner one ----------------------------------------- */

int co_wait_for_coro(co_loop *loop, co_coro *coro, double timeout,
                     co_future **out)
{
    if (out)
        *out = NULL;
    if (!out || isnan(timeout)) {
        co__drop_coros(&coro, 1);
        return CO_EINVAL;
    }
    co_future *inner;
    int rc = co__start_all(&loop, &coro, 1, &inner);
    if (rc == 0)
        rc = co__started_done(&inner, 1,
                              co_wait_for(loop, inner, timeout, out));
    return rc;
}

/* ---- asyncio.sleep(delay, result) as a future ----------------------------- */

/* A combo with no children and an outer future: only its timer counts. */
typedef struct sleeper {
    struct combo c;      /* must stay first */
    long long i;         /* the integer result */
    char *s;             /* or the string result (owned), if not NULL */
} sleeper;

static void sleep_timeout(struct combo *c)
{
    sleeper *z = (sleeper *)(void *)c;
    if (!co__pending(c->outer))
        return;
    if (z->s) {
        char *s = z->s;
        z->s = NULL; /* the future owns it now */
        co__future_finish(c->outer, CO_KIND_STR, 0, s, 0, NULL);
    } else {
        co__future_finish(c->outer, CO_KIND_INT, z->i, NULL, 0, NULL);
    }
}

static void sleep_destroy(struct combo *c)
{
    free(((sleeper *)(void *)c)->s);
}

static const co__combo_ops sleep_ops = {
    .child_done = NULL,
    .timeout = sleep_timeout,
    .destroy = sleep_destroy,
};

static const co__future_ops sleep_outer_ops = {
    .what = "sleep",
    .cancel = co__combo_plain_cancel,
    .release = co__combo_outer_release,
};
CO__FUTURE_TYPE(sleep_type, sleep_outer_ops)

static int sleep_start(co_loop *loop, double delay, long long i,
                       const char *s, co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop)
        loop = co_get_running_loop();
    if (!out || isnan(delay))
        return CO_EINVAL;
    if (!loop)
        return CO_ENOLOOP;
    if (loop->closed)
        return CO_ECLOSED;
    char *copy = s ? co__strdup(s) : NULL;
    if (s && !copy)
        return CO_ENOMEM;
    struct combo *c;
    int rc = co__combo_start(loop, NULL, 0, sizeof(sleeper), &sleep_ops,
                             sleep_type, &c, out);
    if (rc < 0) {
        free(copy);
        return rc;
    }
    sleeper *z = (sleeper *)(void *)c;
    z->i = i;
    z->s = copy;
    rc = co_loop_call_later(loop, delay > 0 ? delay : 0, co__combo_fire, c,
                            &c->timer);
    if (rc < 0) {
        co_future_unref(*out);
        *out = NULL;
    }
    return rc;
}

int co_sleep(co_loop *loop, double delay, long long result, co_future **out)
{
    return sleep_start(loop, delay, result, NULL, out);
}

int co_sleep_str(co_loop *loop, double delay, const char *result,
                 co_future **out)
{
    if (!result) {
        if (out)
            *out = NULL;
        return CO_EINVAL;
    }
    return sleep_start(loop, delay, 0, result, out);
}
