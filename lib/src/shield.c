/* shield.c - asyncio.shield: an outer future that takes the inner one's
 * outcome, but whose cancellation leaves the inner one running.
 * Introduced in lesson 11 (core: combinator.c). */
#include "combinator.h"

static void shield_child_done(struct combo *c, co_future *f)
{
    if (!co__pending(c->outer)) {
        if (c->outer)
            co__mark_read(f);
        return;
    }
    co__finish_like(c->outer, f);
}

static const co__combo_ops ops = {.child_done = shield_child_done};

static const co__future_ops outer_ops = {
    .what = "shield",
    .cancel = co__combo_plain_cancel,
    .release = co__combo_outer_release,
};
CO__FUTURE_TYPE(outer_type, outer_ops)

int co_shield(co_loop *loop, co_future *inner, co_future **out)
{
    if (out)
        *out = NULL;
    if (!inner)
        return CO_EINVAL;
    int rc = co__combo_check(loop, &inner, 1, out);
    if (rc < 0)
        return rc;
    if (!co__pending(inner)) {
        *out = co_future_ref(inner); /* asyncio returns the inner itself */
        return 0;
    }
    struct combo *c;
    return co__combo_start(loop, &inner, 1, sizeof *c, &ops, outer_type, &c,
                           out);
}

/* ---- a coroutine as the item ---------------------------------------------- */

int co_shield_coro(co_loop *loop, co_coro *coro, co_future **out)
{
    if (out)
        *out = NULL;
    if (!out) {
        co__drop_coros(&coro, 1);
        return CO_EINVAL;
    }
    co_future *inner;
    int rc = co__start_all(&loop, &coro, 1, &inner);
    if (rc == 0)
        rc = co__started_done(&inner, 1, co_shield(loop, inner, out));
    return rc;
}
