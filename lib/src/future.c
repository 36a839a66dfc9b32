/* future.c - asyncio.Future: one outcome, and callbacks that learn of it.
 * Introduced in lesson 08. The rule students most often get wrong: a
 * done-callback never runs inside set_result(); it is scheduled with
 * call_soon, so it runs on a later loop iteration. */
#include <stdio.h>
#include <stdlib.h>

#include "future_internal.h"

/* ---- kinds of future ----------------------------------------------------- */

/* Index 0 is the plain future. Filled before main by the constructors of
 * the layers that define kinds, and only read afterwards. */
#define CO__FUTURE_TYPES 16
static const co__future_ops *types[CO__FUTURE_TYPES];
static unsigned char ntypes = 1;

unsigned char co__future_add_type(const co__future_ops *ops)
{
    if (ntypes == CO__FUTURE_TYPES) {
        fputs("coflow: internal error: too many kinds of future\n", stderr);
        abort();
    }
    types[ntypes] = ops;
    return ntypes++;
}

/* ---- known callbacks (one inline, see future_internal.h) ----------------- */

/* Indexes 0 and 1 are CO__ONE_NONE and CO__ONE_WAITER. Filled before main
 * by the constructors of the layers, and only read afterwards. */
#define CO__KNOWN_CALLBACKS 16
static co_done_callback known[CO__KNOWN_CALLBACKS];
static void (*known_drop[CO__KNOWN_CALLBACKS])(void *arg);
static unsigned char nknown = CO__ONE_WAITER + 1;

unsigned char co__future_add_known_callback(co_done_callback fn,
                                            void (*drop)(void *arg))
{
    if (nknown == CO__KNOWN_CALLBACKS) {
        fputs("coflow: internal error: too many known callbacks\n", stderr);
        abort();
    }
    known[nknown] = fn;
    known_drop[nknown] = drop;
    return nknown++;
}

/* Releases @p arg of callback @p fn, which will never run, if @p fn is
 * a known callback whose argument holds something. A waiter holds nothing
 * (the waiting task keeps itself alive), and the argument of any other
 * callback is its owner's, whom coflow cannot ask (co_done_callback). */
static void release_unrun(co_done_callback fn, void *arg)
{
    for (unsigned char i = CO__ONE_WAITER + 1; i < nknown; i++)
        if (known[i] == fn && known_drop[i])
            known_drop[i](arg);
}

/* The index of @p fn among the known callbacks, or CO__ONE_NONE. */
static unsigned char known_index(co_done_callback fn)
{
    for (unsigned char i = CO__ONE_WAITER + 1; i < nknown; i++)
        if (known[i] == fn)
            return i;
    return CO__ONE_NONE;
}

const co__future_ops *co__future_ops_of(const co_future *f)
{
    return types[f->type];
}

void co__future_init(co_future *f, co_loop *loop, unsigned char type)
{
    f->loop = loop;
    f->refs = 1;
    f->type = type;
    co__loop_ref(loop);
}

int co__future_new_typed(co_loop *loop, size_t size, unsigned char type,
                         co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop || !out)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co_future *f = calloc(1, size < sizeof *f ? sizeof *f : size);
    if (!f)
        return CO_ENOMEM;
    co__future_init(f, loop, type);
    *out = f;
    return 0;
}

int co_future_new(co_loop *loop, co_future **out)
{
    return co__future_new_typed(loop, sizeof(co_future), 0, out);
}

co_future *co_future_ref(co_future *f)
{
    if (f)
        f->refs++;
    return f;
}

/* The last reference is gone. A failure nobody read is reported first, as
 * asyncio does when such a future is garbage-collected. */
static void future_free(co_future *f)
{
    co_loop *loop = f->loop;
    const co__future_ops *ops = types[f->type];
    if (f->state == CO__FINISHED && f->err && !(f->flags & CO__FF_RETRIEVED)) {
        char line[512];
        const char *name = ops && ops->name ? ops->name(f) : NULL;
        snprintf(line, sizeof line,
                 "exception was never retrieved: %s%s%s failed with %s: %s",
                 ops && ops->what ? ops->what : "future", name ? " " : "",
                 name ? name : "", co_errname(f->err),
                 f->v.msg ? f->v.msg : co_strerror(f->err));
        co_loop_report(loop, line);
    }
    if (f->kind == CO_KIND_STR)
        free(f->v.s);
    else if (f->err || f->state == CO__CANCELLED)
        free(f->v.msg);
    if (f->one == CO__ONE_NONE)
        free(f->cbs.block);
    if (ops && ops->release)
        ops->release(f);
    free(f); /* a task in front of its frame frees the frame with it */
    co__loop_unref(loop);
}

void co_future_unref(co_future *f)
{
    if (f && --f->refs == 0)
        future_free(f);
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

/* The handle that runs a finished future's done-callbacks, one after the
 * other in registration order: what asyncio does with one call_soon per
 * callback, in one ready-queue entry (nothing can be queued between them,
 * so the order is the same). It holds a reference on the future. */
static void run_callbacks(void *arg)
{
    co_future *f = arg;
    unsigned char one = f->one;
    if (one != CO__ONE_NONE) {
        /* The one inline callback: no block to walk or free. */
        void *one_arg = f->cbs.arg;
        f->one = CO__ONE_NONE;
        f->cbs.block = NULL;
        if (one == CO__ONE_WAITER)
            types[((co_future *)one_arg)->type]->wake(f, one_arg);
        else
            known[one](f, one_arg);
        co_future_unref(f);
        return;
    }
    co__cbs *cbs = f->cbs.block;
    for (unsigned i = 0; cbs && i < cbs->n;) {
        if (cbs->at[i].mark == CO__CB_MARK) {
            cbs->at[i + 1].fn(f, cbs->at[i + 2].arg);
            i += 3;
        } else {
            co_future *w = cbs->at[i].waiter;
            types[w->type]->wake(f, w);
            i += 1;
        }
    }
    /* Done for good: no callback can be added to it any more. A waiter
     * keeps the block for its next life (co__future_reuse): one malloc and
     * one free fewer on every wait of a queue or lock. */
    if (cbs && (f->flags & CO__FF_WAITER)) {
        cbs->n = 0;
    } else {
        free(cbs);
        f->cbs.block = NULL;
    }
    co_future_unref(f);
}

/* Forgets every callback of @p f without running it (the block, if any,
 * stays for the future's release or its next life). */
static void forget_callbacks(co_future *f)
{
    if (f->one != CO__ONE_NONE) {
        f->one = CO__ONE_NONE;
        f->cbs.block = NULL;
    } else if (f->cbs.block) {
        f->cbs.block->n = 0;
    }
}

/* The callbacks of @p f will never run: each one's argument is released
 * as its owner expects (release_unrun), then they are forgotten. */
static void abandon_callbacks(co_future *f)
{
    if (f->one != CO__ONE_NONE) {
        if (f->one != CO__ONE_WAITER && known_drop[f->one])
            known_drop[f->one](f->cbs.arg);
    } else if (f->cbs.block) {
        co__cbs *cbs = f->cbs.block;
        for (unsigned i = 0; i < cbs->n;) {
            if (cbs->at[i].mark == CO__CB_MARK) {
                release_unrun(cbs->at[i + 1].fn, cbs->at[i + 2].arg);
                i += 3;
            } else {
                i += 1;
            }
        }
    }
    forget_callbacks(f);
}

/* The loop closed before run_callbacks could run. */
static void drop_callbacks(void *arg)
{
    co_future *f = arg;
    abandon_callbacks(f);
    co_future_unref(f);
}

static void schedule_callbacks(co_future *f)
{
    if (f->one == CO__ONE_NONE && (!f->cbs.block || f->cbs.block->n == 0))
        return;
    if (co__loop_push(f->loop, run_callbacks, f, drop_callbacks) == 0) {
        f->refs++;
        return;
    }
    co_loop_report(f->loop, "the done-callbacks of a future could not be "
                            "scheduled (out of memory); they will not run");
    abandon_callbacks(f);
}

/* One callback, for a future already done: a handle of its own. */
typedef struct late_callback {
    co_future *f;           /* a reference */
    co_done_callback fn;    /* the callback */
    void *arg;              /* its argument */
} late_callback;

static void run_late(void *arg)
{
    late_callback *late = arg;
    late->fn(late->f, late->arg);
    co_future_unref(late->f);
    free(late);
}

static void drop_late(void *arg)
{
    late_callback *late = arg;
    co_future_unref(late->f);
    free(late);
}

static int schedule_late(co_future *f, co_done_callback fn, void *arg)
{
    late_callback *late = malloc(sizeof *late);
    if (!late)
        return CO_ENOMEM;
    *late = (late_callback){.f = f, .fn = fn, .arg = arg};
    int rc = co__loop_push(f->loop, run_late, late, drop_late);
    if (rc < 0)
        free(late);
    else
        f->refs++;
    return rc;
}

void co__future_reuse(co_future *f)
{
    if (f->kind == CO_KIND_STR)
        free(f->v.s);
    else if (f->err || f->state == CO__CANCELLED)
        free(f->v.msg);
    f->v.i = 0;
    f->err = 0;
    f->kind = CO_KIND_NONE;
    f->state = CO__PENDING;
    f->flags = CO__FF_WAITER; /* and no longer "retrieved" */
    forget_callbacks(f);
}

int co__future_finish(co_future *f, int kind, long long i, void *p, int err,
                      char *msg)
{
    if (f->state != CO__PENDING || f->loop->closed) {
        free(msg);
        return f->state != CO__PENDING ? CO_ESTATE : CO_ECLOSED;
    }
    if (err == CO_ECANCELLED) {
        f->state = CO__CANCELLED; /* its message (cancel(msg)), or NULL */
        f->v.msg = msg;
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
    return types[f->type] ? types[f->type]->refuse_set : 0;
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

/* ---- cancel(msg) (Python 3.9+; counts and uncancel are the task's) ------ */

/* 1 if @p f was pending and is now cancelled (or, for a kind of its own,
 * accepted the request), 0 if it was done or its loop closed, CO_ENOMEM. */
static int cancel_with(co_future *f, const char *msg)
{
    if (f->state != CO__PENDING)
        return 0;
    const co__future_ops *ops = types[f->type];
    if (ops && ops->cancel_msg)
        return ops->cancel_msg(f, msg);
    if (ops && ops->cancel)
        return ops->cancel(f); /* a kind that keeps no message */
    char *copy = NULL;
    if (msg && !(copy = co__strdup(msg)))
        return CO_ENOMEM;
    return co__future_finish(f, CO_KIND_NONE, 0, NULL, CO_ECANCELLED, copy) ==
           0;
}

bool co_future_cancel(co_future *f)
{
    return f && cancel_with(f, NULL) == 1;
}

int co_future_cancel_msg(co_future *f, const char *msg)
{
    return f ? cancel_with(f, msg) : CO_EINVAL;
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
    if (f->state == CO__CANCELLED) {
        if (message)
            *message = f->v.msg; /* what cancel(msg) said, or NULL */
        return CO_ECANCELLED;
    }
    f->flags |= CO__FF_RETRIEVED;
    if (message && f->err)
        *message = f->v.msg;
    return f->err;
}

/* A second callback is coming: moves the inline one into a new block, in
 * front. False when out of memory (then nothing changed). */
static bool block_from_one(co_future *f)
{
    co__cbs *cbs = malloc(sizeof *cbs + 4 * sizeof cbs->at[0]);
    if (!cbs)
        return false;
    cbs->cap = 4;
    if (f->one == CO__ONE_WAITER) {
        cbs->n = 1;
        cbs->at[0].waiter = f->cbs.arg;
    } else {
        cbs->n = 3;
        cbs->at[0].mark = CO__CB_MARK;
        cbs->at[1].fn = known[f->one];
        cbs->at[2].arg = f->cbs.arg;
    }
    f->one = CO__ONE_NONE;
    f->cbs.block = cbs;
    return true;
}

/* True if @p f has no callback and no block: the next one can go inline. */
static bool no_callbacks(const co_future *f)
{
    return f->one == CO__ONE_NONE && !f->cbs.block;
}

/* Makes room for @p n more slots at the end; NULL when out of memory. */
static co__slot *add_slots(co_future *f, unsigned n)
{
    if (f->one != CO__ONE_NONE && !block_from_one(f))
        return NULL;
    co__cbs *cbs = f->cbs.block;
    unsigned used = cbs ? cbs->n : 0, cap = cbs ? cbs->cap : 0;
    if (used + n > cap) {
        unsigned grown_cap = cap ? cap * 2 : 4;
        co__cbs *grown =
            realloc(cbs, sizeof *grown + grown_cap * sizeof grown->at[0]);
        if (!grown)
            return NULL;
        grown->n = used;
        grown->cap = grown_cap;
        f->cbs.block = cbs = grown;
    }
    cbs->n += n;
    return &cbs->at[used];
}

int co_future_add_done_callback(co_future *f, co_done_callback fn, void *arg)
{
    if (!f || !fn)
        return CO_EINVAL;
    if (f->state != CO__PENDING)
        return f->loop->closed ? CO_ECLOSED : schedule_late(f, fn, arg);
    unsigned char index;
    if (no_callbacks(f) && (index = known_index(fn)) != CO__ONE_NONE) {
        f->one = index;
        f->cbs.arg = arg;
        return 0;
    }
    co__slot *slot = add_slots(f, 3);
    if (!slot)
        return CO_ENOMEM;
    slot[0].mark = CO__CB_MARK;
    slot[1].fn = fn;
    slot[2].arg = arg;
    return 0;
}

int co__future_add_waiter(co_future *f, co_future *w)
{
    if (no_callbacks(f)) {
        f->one = CO__ONE_WAITER;
        f->cbs.arg = w;
        return 0;
    }
    co__slot *slot = add_slots(f, 1);
    if (!slot)
        return CO_ENOMEM;
    slot[0].waiter = w;
    return 0;
}

int co__future_outcome(co_future *f, char **msg)
{
    *msg = NULL;
    if (f->state == CO__CANCELLED) {
        *msg = co__strdup(f->v.msg); /* the awaiter sees cancel's message */
        return CO_ECANCELLED;
    }
    if (f->err) {
        f->flags |= CO__FF_RETRIEVED;
        *msg = co__strdup(f->v.msg);
    }
    return f->err;
}

int co_future_remove_done_callback(co_future *f, co_done_callback fn,
                                   void *arg)
{
    if (!f || !fn)
        return CO_EINVAL;
    if (f->state != CO__PENDING)
        return 0; /* its callbacks are scheduled already, as in asyncio */
    if (f->one != CO__ONE_NONE) {
        if (f->one == CO__ONE_WAITER || known[f->one] != fn ||
            f->cbs.arg != arg)
            return 0;
        f->one = CO__ONE_NONE;
        f->cbs.block = NULL;
        return 1;
    }
    co__cbs *cbs = f->cbs.block;
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

/* ---- telling "nothing" from 0 --------------------------------------------- */

int co_future_result_kind(co_future *f)
{
    int rc = readable(f, CO_KIND_NONE);
    if (rc == CO_EKIND)
        rc = 0; /* any kind is an answer here */
    return rc < 0 ? rc : f->kind;
}

/* ---- running the loop until a future is done ------------------------------ */

static void stop_when_done(co_future *f, void *arg)
{
    (void)f;
    co_loop_stop(arg);
}

CO__KNOWN_CALLBACK(stop_when_done, NULL)

int co_loop_run_until_complete(co_loop *loop, co_future *f)
{
    if (!loop || !f)
        return CO_EINVAL;
    if (f->loop != loop)
        return CO_EWRONGLOOP;
    if (loop->closed)
        return CO_ECLOSED;
    if (loop->running || co__running_loop)
        return CO_ERUNNING;
    int rc = co_future_add_done_callback(f, stop_when_done, loop);
    if (rc == 0)
        rc = co__loop_run(loop);
    co_future_remove_done_callback(f, stop_when_done, loop);
    if (rc == CO_EDEADLOCK && co_future_done(f))
        rc = 0; /* it ended in the very iteration the loop ran dry */
    if (rc < 0)
        return rc;
    if (!co_future_done(f))
        return CO_ESTOPPED;
    return co_future_exception(f, NULL);
}
