/* combinator.c - the core the combinators share (see combinator.h):
 * setting a combo up over its children, hearing from them, letting go. */
#include <math.h>
#include <stdlib.h>

#include "combinator.h"

void co__combo_unref(struct combo *c)
{
    if (--c->refs)
        return;
    co_timer_cancel(&c->timer);
    for (size_t i = 0; i < c->nchildren; i++)
        co_future_unref(c->children[i]);
    free(c->children);
    if (c->ops->destroy)
        c->ops->destroy(c);
    free(c);
}

static void child_done(co_future *f, void *arg);

void co__combo_detach(struct combo *c)
{
    co_timer_cancel(&c->timer);
    /* Once every child's callback has run there is none to remove, and
     * asking each child would touch 100,000 of them for nothing. */
    for (size_t i = 0; c->nfinished < c->nchildren && i < c->nchildren;
         i++) {
        int removed = co_future_remove_done_callback(c->children[i],
                                                     child_done, c);
        if (removed > 0)
            c->refs -= (unsigned)removed;
    }
}

void co__mark_read(co_future *f)
{
    if (f->state == CO__FINISHED && f->err)
        f->flags |= CO__FF_RETRIEVED;
}

void co__finish_cancelled(co_future *outer)
{
    co__future_finish(outer, CO_KIND_NONE, 0, NULL, CO_ECANCELLED, NULL);
}

void co__finish_failed(co_future *outer, int code, const char *msg)
{
    co__future_finish(outer, CO_KIND_NONE, 0, NULL, code, co__strdup(msg));
}

void co__finish_like(co_future *outer, co_future *f)
{
    if (f->state == CO__CANCELLED) {
        /* with its cancel message, if any */
        co__finish_failed(outer, CO_ECANCELLED, f->v.msg);
    } else if (f->err) {
        f->flags |= CO__FF_RETRIEVED;
        co__finish_failed(outer, f->err, f->v.msg);
    } else if (f->kind == CO_KIND_STR) {
        char *copy = co__strdup(f->v.s);
        if (copy)
            co__future_finish(outer, CO_KIND_STR, 0, copy, 0, NULL);
        else
            co__finish_failed(outer, CO_ENOMEM, "could not copy the result");
    } else {
        co__future_finish(outer, f->kind, f->v.i, f->kind == CO_KIND_PTR ?
                          f->v.p : NULL, 0, NULL);
    }
}

void co__combo_outer_release(co_future *outer)
{
    struct combo *c = co__combo_of(outer);
    c->outer = NULL;
    co__combo_detach(c);
    co__combo_unref(c);
}

bool co__combo_plain_cancel(co_future *outer)
{
    if (!co__pending(outer) || outer->loop->closed)
        return false;
    co__finish_cancelled(outer);
    co__combo_detach(co__combo_of(outer));
    return true;
}

/* A child is done: the combinator decides; this callback's reference goes. */
static void child_done(co_future *f, void *arg)
{
    struct combo *c = arg;
    c->nfinished++;
    c->ops->child_done(c, f);
    co__combo_unref(c);
}

/* child_done will never run (its loop closed first): the reference it
 * holds goes all the same. */
static void child_done_unrun(void *arg)
{
    co__combo_unref(arg);
}

/* As a child's first callback, it takes no block (future_internal.h). */
CO__KNOWN_CALLBACK(child_done, child_done_unrun)

void co__combo_fire(void *arg)
{
    struct combo *c = arg;
    c->ops->timeout(c);
}

int co__combo_arm(struct combo *c, double timeout)
{
    if (timeout < 0 || isinf(timeout))
        return 0;
    return co_loop_call_later(c->loop, timeout, co__combo_fire, c, &c->timer);
}

int co__combo_check(co_loop *loop, co_future *const *items, size_t n,
                    void *out)
{
    if (!loop || !out)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
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

/* Fills c->children with the distinct items in argument order, one
 * reference each: gather(a, b, a) watches a once (asyncio shares one
 * child). Each future seen is marked (CO__FF_MARK), so a repeat costs one
 * test; co__combo_start clears every mark before it returns, in the same
 * pass that puts its callback on each child (one walk over 100,000
 * children fewer). */
static int collect(struct combo *c, co_future *const *items, size_t n)
{
    c->children = malloc((n ? n : 1) * sizeof *c->children);
    if (!c->children)
        return CO_ENOMEM; /* nothing marked */
    for (size_t i = 0; i < n; i++) {
        if (items[i]->flags & CO__FF_MARK)
            continue;
        items[i]->flags |= CO__FF_MARK;
        c->children[c->nchildren++] = co_future_ref(items[i]);
    }
    return 0;
}

int co__combo_start(co_loop *loop, co_future *const *items, size_t n,
                    size_t size, const co__combo_ops *ops,
                    unsigned char outer_type, struct combo **cout,
                    co_future **out)
{
    struct combo *c = calloc(1, size);
    if (!c)
        return CO_ENOMEM;
    c->ops = ops;
    c->refs = 1; /* the owner's */
    c->loop = loop;
    c->nitems = n;
    int rc = collect(c, items, n);
    co_future *outer = NULL;
    if (rc == 0 && outer_type) {
        rc = co__future_new_typed(loop, sizeof(struct co__outer), outer_type,
                                  &outer);
        if (rc == 0) {
            ((struct co__outer *)(void *)outer)->c = c;
            c->outer = outer;
        }
    }
    for (size_t i = 0; i < c->nchildren; i++) {
        co_future *child = c->children[i];
        child->flags &= (unsigned char)~CO__FF_MARK;
        if (rc == 0) {
            rc = co_future_add_done_callback(child, child_done, c);
            if (rc == 0)
                c->refs++;
        }
    }
    if (rc < 0) {
        if (outer) {
            co_future_unref(outer); /* its release undoes the rest */
        } else {
            co__combo_detach(c);
            co__combo_unref(c);
        }
        return rc;
    }
    *cout = c;
    if (out)
        *out = outer;
    return 0;
}

/* ---- coroutines as items -------------------------------------------------- */

/* A CO_CORO / CO_NEW frame that no task has: the caller gave it to us, so
 * it is ours to free if it never starts. */
static void free_unstarted(co_coro *co)
{
    if (co && (co->flags & CO__F_OWNED) &&
        !(co->flags & (CO__F_INTASK | CO__F_TAKEN)))
        co_coro_free(co);
}

void co__drop_coros(co_coro *const *coros, size_t n)
{
    for (size_t i = 0; coros && i < n; i++)
        free_unstarted(coros[i]);
}

int co__start_all(co_loop **loop, co_coro *const *coros, size_t n,
                  co_future **futs)
{
    if (!*loop)
        *loop = co_get_running_loop();
    int rc = 0;
    if (!coros && n)
        return CO_EINVAL;
    if (!*loop)
        rc = CO_ENOLOOP;
    size_t made = 0;
    for (; rc == 0 && made < n; made++) {
        co_task *t;
        rc = co_task_start(*loop, coros[made], NULL, &t);
        if (rc < 0)
            break; /* co_task_start freed that one if it could */
        futs[made] = co_task_future(t);
    }
    if (rc == 0)
        return 0;
    co__started_done(futs, made, rc);
    for (size_t i = made + 1; i < n; i++)
        free_unstarted(coros[i]);
    if (made < n && *loop == NULL)
        free_unstarted(coros[made]);
    return rc;
}

int co__started_done(co_future **futs, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++) {
        if (rc < 0)
            co_future_cancel(futs[i]); /* never started: runs nothing */
        co_future_unref(futs[i]);
    }
    return rc;
}
