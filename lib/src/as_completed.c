/* as_completed.c - asyncio.as_completed: the futures in the order they
 * finish, one "next" future at a time. Introduced in lesson 07 (core:
 * combinator.c). There is no outer future: the iterator owns the combo. */
#include <math.h>
#include <stdlib.h>

#include "combinator.h"

/* A combo plus two FIFO queues; each holds at most one entry per child,
 * so plain arrays of nchildren suffice. */
struct co_as_completed {
    struct combo c;       /* must stay first */
    co_future **done;     /* children that finished, not handed out yet */
    size_t done_head, done_len; /* the queue's window */
    co_future **waiters;  /* next-futures handed out, still pending (ref) */
    size_t wait_head, wait_len; /* the queue's window */
    size_t handed;        /* co_as_completed_next() calls so far */
    bool owner_gone;      /* the iterator was freed */
    bool timed_out;       /* the timeout has passed */
};

static void ac_child_done(struct combo *c, co_future *f)
{
    co_as_completed *ac = (co_as_completed *)(void *)c;
    if (ac->owner_gone || ac->timed_out)
        return;
    /* Hand it to the oldest next-future still waiting; one whose awaiter
     * was cancelled is skipped, and the item goes to the next one. */
    while (ac->wait_len) {
        co_future *w = ac->waiters[ac->wait_head++];
        ac->wait_len--;
        bool given = co__pending(w) && co_future_set_result_ptr(w, f) == 0;
        co_future_unref(w);
        if (given)
            return;
    }
    ac->done[(ac->done_head + ac->done_len++) % c->nchildren] = f;
}

static void ac_timeout(struct combo *c)
{
    co_as_completed *ac = (co_as_completed *)(void *)c;
    ac->timed_out = true;
    co__combo_detach(c);
    while (ac->wait_len) {
        co_future *w = ac->waiters[ac->wait_head++];
        ac->wait_len--;
        if (co__pending(w))
            co_future_set_exception(w, CO_ETIMEDOUT, NULL);
        co_future_unref(w);
    }
}

static void ac_destroy(struct combo *c)
{
    co_as_completed *ac = (co_as_completed *)(void *)c;
    free(ac->done);
    free(ac->waiters);
}

static const co__combo_ops ops = {
    .child_done = ac_child_done,
    .timeout = ac_timeout,
    .destroy = ac_destroy,
};

int co_as_completed_new(co_loop *loop, co_future *const *items, size_t n,
                        double timeout, co_as_completed **out)
{
    if (out)
        *out = NULL;
    int rc = co__combo_check(loop, items, n, out);
    if (rc < 0)
        return rc;
    if (isnan(timeout))
        return CO_EINVAL;
    if (n == 0)
        return CO_EEMPTY;
    struct combo *c;
    rc = co__combo_start(loop, items, n, sizeof(co_as_completed), &ops, 0, &c,
                         NULL);
    if (rc < 0)
        return rc;
    co_as_completed *ac = (co_as_completed *)(void *)c;
    ac->done = malloc(c->nchildren * sizeof *ac->done);
    ac->waiters = malloc(c->nchildren * sizeof *ac->waiters);
    rc = ac->done && ac->waiters ? co__combo_arm(c, timeout) : CO_ENOMEM;
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
    if (ac->timed_out) {
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
    ac->owner_gone = true;
    co__combo_detach(&ac->c);
    while (ac->waiters && ac->wait_len) {
        co_future *w = ac->waiters[ac->wait_head++];
        ac->wait_len--;
        co_future_cancel(w); /* its awaiter must not hang */
        co_future_unref(w);
    }
    co__combo_unref(&ac->c);
}

/* ---- coroutines as items -------------------------------------------------- */

int co_as_completed_coros(co_loop *loop, co_coro *const *coros, size_t n,
                          double timeout, co_as_completed **out)
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
            futs, n, co_as_completed_new(loop, futs, n, timeout, out));
    free(futs);
    return rc;
}

int co_as_completed_items(const co_as_completed *ac, co_future **out,
                          size_t n)
{
    if (!ac || (!out && n))
        return CO_EINVAL;
    if (n < ac->c.nchildren)
        return CO_ESHORT;
    for (size_t i = 0; i < ac->c.nchildren; i++)
        out[i] = ac->c.children[i];
    return (int)ac->c.nchildren;
}
