/* wait.c - asyncio.wait: (done, pending) when the first, the first failed
 * or all of the futures are done, or when the timeout passes. It never
 * fails on a timeout. Introduced in lesson 07 (core: combinator.c). */
#include <math.h>
#include <stdlib.h>

#include "combinator.h"

typedef struct wait {
    struct combo c;            /* must stay first */
    enum co_return_when when;  /* what ends the wait */
} wait;

static void wait_child_done(struct combo *c, co_future *f)
{
    wait *w = (wait *)(void *)c;
    if (!co__pending(c->outer))
        return;
    bool failed = f->state == CO__FINISHED && f->err;
    if (c->nfinished == c->nchildren || w->when == CO_FIRST_COMPLETED ||
        (w->when == CO_FIRST_EXCEPTION && failed)) {
        if (w->when == CO_FIRST_EXCEPTION && failed)
            f->flags |= CO__FF_RETRIEVED;
        co__combo_detach(c);
        co__future_finish(c->outer, CO_KIND_INT, 0, NULL, 0, NULL);
    }
}

static void wait_timeout(struct combo *c)
{
    if (!co__pending(c->outer))
        return;
    co__combo_detach(c);
    co__future_finish(c->outer, CO_KIND_INT, 0, NULL, 0, NULL);
}

static const co__combo_ops ops = {
    .child_done = wait_child_done,
    .timeout = wait_timeout,
};

static const co__future_ops outer_ops = {
    .what = "wait",
    .cancel = co__combo_plain_cancel,
    .release = co__combo_outer_release,
};
CO__FUTURE_TYPE(outer_type, outer_ops)

int co_wait(co_loop *loop, co_future *const *items, size_t n, double timeout,
            enum co_return_when return_when, co_future **out)
{
    if (out)
        *out = NULL;
    int rc = co__combo_check(loop, items, n, out);
    if (rc < 0)
        return rc;
    if (isnan(timeout) ||
        (return_when != CO_ALL_COMPLETED &&
         return_when != CO_FIRST_COMPLETED &&
         return_when != CO_FIRST_EXCEPTION))
        return CO_EINVAL;
    if (n == 0)
        return CO_EEMPTY;
    struct combo *c;
    rc = co__combo_start(loop, items, n, sizeof(wait), &ops, outer_type, &c,
                         out);
    if (rc < 0)
        return rc;
    ((wait *)(void *)c)->when = return_when;
    rc = co__combo_arm(c, timeout);
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

/* ---- coroutines as items; the sets from the outer future ------------------ */

int co_wait_coros(co_loop *loop, co_coro *const *coros, size_t n,
                  double timeout, enum co_return_when return_when,
                  co_future **out)
{
    if (out)
        *out = NULL;
    co_future **futs = out && n ? malloc(n * sizeof *futs) : NULL;
    if (!futs) {
        co__drop_coros(coros, n);
        return !out ? CO_EINVAL : n ? CO_ENOMEM : CO_EEMPTY;
    }
    int rc = co__start_all(&loop, coros, n, futs);
    if (rc == 0)
        rc = co__started_done(
            futs, n, co_wait(loop, futs, n, timeout, return_when, out));
    free(futs);
    return rc;
}

int co_wait_sets_of(co_future *w, co_future **done, size_t *ndone,
                    co_future **pending, size_t *npending)
{
    if (ndone)
        *ndone = 0;
    if (npending)
        *npending = 0;
    if (!w)
        return CO_EINVAL;
    if (w->type != outer_type)
        return CO_EWRONGFUTURE;
    struct combo *c = co__combo_of(w);
    return co_wait_sets(c->children, c->nchildren, done, ndone, pending,
                        npending);
}
