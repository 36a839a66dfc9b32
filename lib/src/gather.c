/* gather.c - asyncio.gather: one future for many, with their results in
 * argument order. Introduced in lesson 07 (the core all combinators share
 * is in combinator.c).
 *
 * Without return_exceptions the first failure (or a child's cancellation)
 * finishes the outer future at once and the other children keep running,
 * as in asyncio. With it, the outer future waits for every child. Cancelling
 * the outer future cancels the children; it ends when they have. */
#include <stdlib.h>
#include <string.h>

#include "combinator.h"

typedef struct gather {
    struct combo c;          /* must stay first */
    bool return_exceptions;  /* failures are results, not the outcome */
    bool cancel_requested;   /* the outer one was cancelled */
    co_future **items;       /* the items in argument order, repeats too
                              * (no references: c.children hold them);
                              * NULL when there is no repeat, since
                              * c.children are the items then */
} gather;

/* Item @p i of @p g (i < g->c.nitems). */
static co_future *item(const gather *g, size_t i)
{
    return g->items ? g->items[i] : g->c.children[i];
}

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

static void gather_destroy(struct combo *c)
{
    free(((gather *)(void *)c)->items);
}

static const co__combo_ops ops = {.child_done = gather_child_done,
                                  .destroy = gather_destroy};

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
    struct combo *c;
    rc = co__combo_start(loop, items, n, sizeof(gather), &ops, outer_type,
                         &c, out);
    if (rc < 0)
        return rc;
    gather *g = (gather *)(void *)c;
    g->return_exceptions = return_exceptions;
    if (c->nchildren < n) {
        /* gather(a, b, a): the results are read in argument order. */
        g->items = malloc(n * sizeof *g->items);
        if (!g->items) {
            co_future_unref(*out); /* its release undoes the rest */
            *out = NULL;
            return CO_ENOMEM;
        }
        memcpy(g->items, items, n * sizeof *g->items);
    }
    if (n == 0) /* asyncio: gather() is a finished future holding []. */
        co__future_finish(*out, CO_KIND_INT, 0, NULL, 0, NULL);
    return 0;
}

/* ---- coroutines as items; the results in one call ------------------------- */

int co_gather_coros(co_loop *loop, co_coro *const *coros, size_t n,
                    bool return_exceptions, co_future **out)
{
    if (out)
        *out = NULL;
    co_future **futs = out ? malloc((n ? n : 1) * sizeof *futs) : NULL;
    if (!futs) {
        co__drop_coros(coros, n);
        return out ? CO_ENOMEM : CO_EINVAL;
    }
    int rc = co__start_all(&loop, coros, n, futs);
    if (rc == 0)
        rc = co__started_done(futs, n,
                              co_gather(loop, futs, n, return_exceptions, out));
    free(futs);
    return rc;
}

/* The gather behind outer future @p all, once it may be read; else NULL
 * and the reason in *rc. */
static gather *finished_gather(co_future *all, int *rc)
{
    *rc = CO_EINVAL;
    if (!all)
        return NULL;
    *rc = CO_EWRONGFUTURE;
    if (all->type != outer_type)
        return NULL;
    *rc = co_future_exception(all, NULL);
    if (*rc == 0 && all->state == CO__PENDING)
        *rc = CO_ESTATE;
    return *rc == 0 ? (gather *)(void *)co__combo_of(all) : NULL;
}

co_future *co_gather_item(co_future *all, size_t i)
{
    if (!all || all->type != outer_type)
        return NULL;
    gather *g = (gather *)(void *)co__combo_of(all);
    return i < g->c.nitems ? item(g, i) : NULL;
}

/* Reads every item's result of @p kind into slot i of @p out (elements of
 * @p size bytes). Returns the count, or the first item's failure. */
static int read_results(co_future *all, void *out, size_t n, int kind)
{
    int rc;
    gather *g = finished_gather(all, &rc);
    if (!g)
        return rc;
    if (!out && n)
        return CO_EINVAL;
    if (n < g->c.nitems)
        return CO_ESHORT;
    int first = 0;
    for (size_t i = 0; i < g->c.nitems; i++) {
        co_future *f = item(g, i);
        if (kind == CO_KIND_INT) {
            long long v = 0;
            rc = co_future_result_int(f, &v);
            ((long long *)out)[i] = rc == 0 ? v : 0;
        } else if (kind == CO_KIND_STR) {
            const char *v = NULL;
            rc = co_future_result_str(f, &v);
            ((const char **)out)[i] = rc == 0 ? v : NULL;
        } else {
            void *v = NULL;
            rc = co_future_result_ptr(f, &v);
            ((void **)out)[i] = rc == 0 ? v : NULL;
        }
        if (rc < 0 && !first)
            first = rc;
    }
    return first ? first : (int)g->c.nitems;
}

int co_gather_results_int(co_future *all, long long *out, size_t n)
{
    return read_results(all, out, n, CO_KIND_INT);
}

int co_gather_results_str(co_future *all, const char **out, size_t n)
{
    return read_results(all, out, n, CO_KIND_STR);
}

int co_gather_results_ptr(co_future *all, void **out, size_t n)
{
    return read_results(all, out, n, CO_KIND_PTR);
}
