/* future.c - asyncio.Future: one outcome, and callbacks that learn of it.
 * Introduced in lesson 08. The rule students most often get wrong: a
 * done-callback never runs inside set_result(); it is scheduled with
 * call_soon, so it runs on a later loop iteration. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static int future_alloc(co_loop *loop, size_t size, co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop || !out)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co_future *f = calloc(1, size);
    if (!f)
        return CO_ENOMEM;
    f->loop = loop;
    f->refs = 1;
    co__loop_ref(loop);
    *out = f;
    return 0;
}

int co_future_new(co_loop *loop, co_future **out)
{
    return future_alloc(loop, sizeof(co_future), out);
}

int co__future_new_custom(co_loop *loop, size_t size,
                          const co__future_ops *ops, co_future **out)
{
    int rc = future_alloc(loop, size < sizeof(co__xfuture)
                                    ? sizeof(co__xfuture) : size, out);
    if (rc == 0) {
        (*out)->flags = CO__FF_CUSTOM;
        ((co__xfuture *)(void *)*out)->ops = ops;
    }
    return rc;
}

co_future *co_future_ref(co_future *f)
{
    if (f)
        f->refs++;
    return f;
}

void co_future_unref(co_future *f)
{
    if (f && --f->refs == 0)
        co__future_free(f);
}

void co__future_free(co_future *f)
{
    co_loop *loop = f->loop;
    if (f->state == CO__FINISHED && f->err && !(f->flags & CO__FF_RETRIEVED)) {
        char line[512];
        bool task = f->flags & CO__FF_TASK;
        snprintf(line, sizeof line,
                 "exception was never retrieved: %s%s failed with %s: %s",
                 task ? "task " : "future",
                 task ? co_task_get_name((co_task *)(void *)f) : "",
                 co_errname(f->err), f->v.msg ? f->v.msg : co_strerror(f->err));
        co_loop_report(loop, line);
    }
    if (f->kind == CO_KIND_STR)
        free(f->v.s);
    else if (f->err)
        free(f->v.msg);
    free(f->cbs);
    if (f->flags & CO__FF_TASK)
        co__task_release((co_task *)(void *)f);
    if ((f->flags & CO__FF_CUSTOM) && ((co__xfuture *)(void *)f)->ops->release)
        ((co__xfuture *)(void *)f)->ops->release(f);
    free(f); /* a task in front of its frame frees the frame with it */
    co__loop_unref(loop);
}

co_loop *co_future_loop(const co_future *f)
{
    return f ? f->loop : NULL;
}

bool co_future_done(const co_future *f)
{
    return f && f->state != CO__PENDING;
}

bool co_future_cancelled(const co_future *f)
{
    return f && f->state == CO__CANCELLED;
}

static void schedule_callbacks(co_future *f)
{
    co__cbs *cbs = f->cbs;
    for (unsigned i = 0; cbs && i < cbs->n;) {
        int rc;
        if (cbs->at[i].mark == CO__CB_MARK) {
            rc = co__loop_call_soon_done(f->loop, cbs->at[i + 1].fn, f,
                                         cbs->at[i + 2].arg);
            i += 3;
        } else {
            rc = co__ready_push_done(f->loop, co__task_wakeup, f,
                                     cbs->at[i].task);
            i += 1;
        }
        if (rc < 0)
            co_loop_report(f->loop, "a done-callback could not be scheduled "
                                    "(out of memory); it will not run");
    }
    /* Done for good: no callback can be added to it any more. A waiter
     * keeps the block for its next life (co__future_reuse): one malloc and
     * one free fewer on every wait of a queue or lock. */
    if (cbs && (f->flags & CO__FF_WAITER)) {
        cbs->n = 0;
        return;
    }
    free(cbs);
    f->cbs = NULL;
}

void co__future_reuse(co_future *f)
{
    if (f->kind == CO_KIND_STR)
        free(f->v.s);
    else if (f->err)
        free(f->v.msg);
    f->v.i = 0;
    f->err = 0;
    f->kind = CO_KIND_NONE;
    f->state = CO__PENDING;
    f->flags = CO__FF_WAITER; /* and no longer "retrieved" */
    if (f->cbs)
        f->cbs->n = 0;
}

int co__future_finish(co_future *f, int kind, long long i, void *p, int err,
                      char *msg)
{
    if (f->state != CO__PENDING || f->loop->closed) {
        free(msg);
        return f->state != CO__PENDING ? CO_ESTATE : CO_ECLOSED;
    }
    if (err == CO_ECANCELLED) {
        free(msg); /* a cancellation carries no message here */
        f->state = CO__CANCELLED;
    } else if (err) {
        f->state = CO__FINISHED;
        f->err = err;
        f->v.msg = msg;
    } else {
        f->state = CO__FINISHED;
        f->kind = (unsigned char)kind;
        if (kind == CO_KIND_INT)
            f->v.i = i;
        else
            f->v.p = p;
    }
    schedule_callbacks(f);
    return 0;
}

/* Whether the public setters may finish @p f: not a task, whose outcome is
 * its coroutine's (asyncio's Task.set_result raises RuntimeError). */
static int settable(const co_future *f)
{
    if (!f)
        return CO_EINVAL;
    return (f->flags & CO__FF_TASK) ? CO_ETASKRESULT : 0;
}

int co_future_set_result_int(co_future *f, long long value)
{
    int rc = settable(f);
    return rc ? rc : co__future_finish(f, CO_KIND_INT, value, NULL, 0, NULL);
}

int co_future_set_result_ptr(co_future *f, void *value)
{
    int rc = settable(f);
    return rc ? rc : co__future_finish(f, CO_KIND_PTR, 0, value, 0, NULL);
}

int co_future_set_result_str(co_future *f, const char *value)
{
    int rc = settable(f);
    if (rc)
        return rc;
    if (!value)
        return CO_EINVAL;
    if (f->state != CO__PENDING)
        return CO_ESTATE;
    char *copy = co__strdup(value);
    if (!copy)
        return CO_ENOMEM;
    rc = co__future_finish(f, CO_KIND_STR, 0, copy, 0, NULL);
    if (rc < 0)
        free(copy);
    return rc;
}

int co_future_set_exception(co_future *f, int code, const char *message)
{
    int rc = settable(f);
    if (rc)
        return rc;
    if (code >= 0)
        return CO_EINVAL;
    if (f->state != CO__PENDING)
        return CO_ESTATE;
    char *copy = NULL;
    if (message && !(copy = co__strdup(message)))
        return CO_ENOMEM;
    return co__future_finish(f, CO_KIND_NONE, 0, NULL, code, copy);
}

bool co_future_cancel(co_future *f)
{
    if (!f || f->state != CO__PENDING)
        return false;
    if (f->flags & CO__FF_TASK)
        return co_task_cancel((co_task *)(void *)f);
    if (f->flags & CO__FF_CUSTOM)
        return ((co__xfuture *)(void *)f)->ops->cancel(f);
    return co__future_finish(f, CO_KIND_NONE, 0, NULL, CO_ECANCELLED, NULL) ==
           0;
}

/* Common to the result getters: 0 when a result of @p kind can be read. */
static int readable(co_future *f, int kind)
{
    if (!f)
        return CO_EINVAL;
    if (f->state == CO__PENDING)
        return CO_ESTATE;
    if (f->state == CO__CANCELLED)
        return CO_ECANCELLED;
    if (f->err) {
        f->flags |= CO__FF_RETRIEVED;
        return f->err;
    }
    if (f->kind == kind || (f->kind == CO_KIND_NONE && kind != CO_KIND_STR))
        return 0;
    return CO_EKIND;
}

int co_future_result_int(co_future *f, long long *out)
{
    int rc = readable(f, CO_KIND_INT);
    if (rc == 0 && out)
        *out = f->kind == CO_KIND_INT ? f->v.i : 0;
    return rc;
}

int co_future_result_ptr(co_future *f, void **out)
{
    int rc = readable(f, CO_KIND_PTR);
    if (rc == 0 && out)
        *out = f->kind == CO_KIND_PTR ? f->v.p : NULL;
    return rc;
}

int co_future_result_str(co_future *f, const char **out)
{
    int rc = readable(f, CO_KIND_STR);
    if (rc == 0 && out)
        *out = f->v.s;
    return rc;
}

int co_future_exception(co_future *f, const char **message)
{
    if (message)
        *message = NULL;
    if (!f)
        return CO_EINVAL;
    if (f->state == CO__PENDING)
        return CO_ESTATE;
    if (f->state == CO__CANCELLED)
        return CO_ECANCELLED;
    f->flags |= CO__FF_RETRIEVED;
    if (message && f->err)
        *message = f->v.msg;
    return f->err;
}

/* Makes room for @p n more slots at the end; NULL when out of memory. */
static co__slot *add_slots(co_future *f, unsigned n)
{
    co__cbs *cbs = f->cbs;
    unsigned used = cbs ? cbs->n : 0, cap = cbs ? cbs->cap : 0;
    if (used + n > cap) {
        unsigned grown_cap = cap ? cap * 2 : 4;
        co__cbs *grown =
            realloc(cbs, sizeof *grown + grown_cap * sizeof grown->at[0]);
        if (!grown)
            return NULL;
        grown->n = used;
        grown->cap = grown_cap;
        f->cbs = cbs = grown;
    }
    cbs->n += n;
    return &cbs->at[used];
}

int co_future_add_done_callback(co_future *f, co_done_callback fn, void *arg)
{
    if (!f || !fn)
        return CO_EINVAL;
    if (f->state != CO__PENDING)
        return f->loop->closed ? CO_ECLOSED
                               : co__loop_call_soon_done(f->loop, fn, f, arg);
    co__slot *slot = add_slots(f, 3);
    if (!slot)
        return CO_ENOMEM;
    slot[0].mark = CO__CB_MARK;
    slot[1].fn = fn;
    slot[2].arg = arg;
    return 0;
}

int co__future_add_waiter(co_future *f, co_task *t)
{
    co__slot *slot = add_slots(f, 1);
    if (!slot)
        return CO_ENOMEM;
    slot[0].task = t;
    return 0;
}

int co_future_remove_done_callback(co_future *f, co_done_callback fn,
                                   void *arg)
{
    if (!f || !fn)
        return CO_EINVAL;
    co__cbs *cbs = f->cbs;
    unsigned kept = 0;
    int removed = 0;
    for (unsigned i = 0; cbs && i < cbs->n;) {
        unsigned len = cbs->at[i].mark == CO__CB_MARK ? 3 : 1;
        if (len == 3 && cbs->at[i + 1].fn == fn && cbs->at[i + 2].arg == arg) {
            removed++;
        } else {
            for (unsigned k = 0; k < len; k++)
                cbs->at[kept + k] = cbs->at[i + k];
            kept += len;
        }
        i += len;
    }
    if (cbs)
        cbs->n = kept;
    return removed;
}
