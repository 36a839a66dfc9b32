/* gather.c - asyncio.gather: one future for many, with their results in
 * argument order. Introduced in lesson 07 (the core all combinators share
 * is in combinator.c).
 *
 * Without return_exceptions the first failure (or a child's cancellation)
 * finishes the outer future at once and the other children keep running,
 * as in asyncio. With it, the outer future waits for every child. Cancelling
 * the outer future cancels the children; it ends when they have. */
#include "combinator.h"

typedef struct gather {
    struct combo c;          /* must stay first */
    bool return_exceptions;  /* failures are results, not the outcome */
    bool cancel_requested;   /* the outer one was cancelled */
} gather;

static void gather_child_done(struct combo *c, co_future *f)
{
    gather *g = (gather *)(void *)c;
    co_future *outer = c->outer;
    if (!co__pending(outer)) {
        if (outer)
            co__mark_read(f); /* the outer one already told its story */
        return;
    }
    if (!g->return_exceptions) {
        if (f->state == CO__CANCELLED) {
            co__finish_cancelled(outer);
            return;
        }
        if (f->err) {
            f->flags |= CO__FF_RETRIEVED;
            co__finish_failed(outer, f->err, f->v.msg);
            return;
        }
    }
    if (c->nfinished < c->nchildren)
        return;
    for (size_t i = 0; i < c->nchildren; i++)
        co__mark_read(c->children[i]);
    if (g->cancel_requested)
        co__finish_cancelled(outer); /* whatever return_exceptions says */
    else
        co__future_finish(outer, CO_KIND_INT, (long long)c->nitems, NULL, 0,
                          NULL);
}

/* Cancelling the outer future cancels the children; it ends when they
 * react. False if none of them could be cancelled. */
static bool gather_cancel(co_future *outer)
{
    if (!co__pending(outer) || outer->loop->closed)
        return false;
    gather *g = (gather *)(void *)co__combo_of(outer);
    bool any = false;
    for (size_t i = 0; i < g->c.nchildren; i++)
        if (co_future_cancel(g->c.children[i]))
            any = true;
    if (any)
        g->cancel_requested = true;
    return any;
}

static const co__combo_ops ops = {.child_done = gather_child_done};

static const co__future_ops outer_ops = {
    .what = "gather",
    .cancel = gather_cancel,
    .release = co__combo_outer_release,
};
CO__FUTURE_TYPE(outer_type, outer_ops)

int co_gather(co_loop *loop, co_future *const *items, size_t n,
              bool return_exceptions, co_future **out)
{
    if (out)
        *out = NULL;
    int rc = co__combo_check(loop, items, n, out);
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
    rc = co__combo_start(loop, items, n, sizeof(gather), &ops, outer_type,
                         &c, out);
    if (rc == 0)
        ((gather *)(void *)c)->return_exceptions = return_exceptions;
    return rc;
}
