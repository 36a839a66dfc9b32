/* aiter.c - async iterators, `async for` and async generators (lesson 12).
 *
 * The one piece of machinery here is how an async generator's body is run.
 * The body is an ordinary coroutine frame. Each anext is a short call that
 * steps the body until it either hands out an item (CO_AGEN_YIELD sets
 * `yielded` and suspends) or suspends for real (an await inside the body).
 * In the first case the call ends with the item as its return value, and
 * the body stays parked at its yield. In the second the call suspends too,
 * keeping the body as its `callee`, so that the task can find the body to
 * deliver a cancellation or an awaited future's failure to it - exactly as
 * CO_AWAIT_CORO does for an ordinary child. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "coflow/aiter.h"
#include "coflow/gather.h"
#include "task_internal.h"

/* The step function of an anext on an iterator that has ended. */
static int stop_step(co_coro *co)
{
    CO_BEGIN(co);
    CO_RAISE(co, CO_ESTOPITERATION, NULL);
    CO_END(co);
}

/* The step function of aclose when there is nothing to close. */
static int nothing_step(co_coro *co)
{
    CO_BEGIN(co);
    CO_END(co);
}

int co_aiter_init(co_aiter *it, co_coro_fn anext, co_coro_fn aclose)
{
    if (!it || !anext)
        return CO_EINVAL;
    co_coro_init(&it->frame, anext);
    it->anext_fn = anext;
    it->aclose_fn = aclose;
    it->ended = 0;
    return 0;
}

/* A call is in progress while its frame is suspended half-way: started
 * (not 0) and not ended. */
static bool in_progress(const co_aiter *it)
{
    return it->frame.lc != 0 && it->frame.lc != CO__LC_DONE;
}

int co_aiter_anext_op(co_aiter *it)
{
    if (!it || !it->anext_fn)
        return CO_EINVAL;
    if (in_progress(it))
        return CO_EAGENRUNNING;
    co_coro_init(&it->frame, it->ended ? stop_step : it->anext_fn);
    return 0;
}

int co_aiter_aclose_op(co_aiter *it)
{
    if (!it || !it->anext_fn)
        return CO_EINVAL;
    if (in_progress(it))
        return CO_EAGENRUNNING;
    bool nothing = it->ended || !it->aclose_fn;
    co_coro_init(&it->frame, nothing ? nothing_step : it->aclose_fn);
    if (nothing)
        it->ended = 1;
    return 0;
}

bool co_aiter_ended(const co_aiter *it)
{
    return it && it->ended;
}

int co_aiter_value_int(const co_aiter *it, long long *out)
{
    if (!it || !out)
        return CO_EINVAL;
    if (it->ended || it->frame.lc != CO__LC_DONE || it->frame.err)
        return CO_ESTATE;
    return co_coro_result_int(&it->frame, out);
}

int co_aiter_value_ptr(const co_aiter *it, void **out)
{
    if (!it || !out)
        return CO_EINVAL;
    if (it->ended || it->frame.lc != CO__LC_DONE || it->frame.err)
        return CO_ESTATE;
    return co_coro_result_ptr(&it->frame, out);
}

void co__aiter_after(co_coro *co, co_aiter *it)
{
    if (co->thrown == CO_ESTOPITERATION && it) {
        co->thrown = 0;
        it->ended = 1;
    }
}

/* ---- async generators --------------------------------------------------- */

static co_agen *agen_of(co_coro *call)
{
    return (co_agen *)(void *)((char *)call - offsetof(co_agen, it));
}

/* ---- the loop's list of suspended generators (firstiter) ------------- */

/* One generator a task started. The entry keeps a reference on that task
 * (its "owner"), because the generator may live inside the task's frame:
 * the frame then stays allocated until the generator has ended, and
 * shutdown_asyncgens can still close it after the task is gone. */
typedef struct co__agen_reg {
    struct co__agen_reg *prev, *next; /* neighbours in the loop's list */
    co_agen *gen;                     /* the generator */
    co_task *owner;                   /* our reference, or NULL */
    co_loop *loop;                    /* the loop whose list it is in */
} agen_reg;

typedef struct agen_side {
    co__loop_ext ext; /* must stay first */
    agen_reg *head;   /* suspended generators, newest first */
} agen_side;

static void agens_close(co_loop *loop, co__loop_ext *ext);

static const co__loop_ext agen_proto = {.key = &agen_proto,
                                        .close = agens_close};

static void unlink_reg(agen_reg *r)
{
    agen_side *side = (agen_side *)(void *)co__loop_ext_find(r->loop,
                                                             &agen_proto);
    if (r->prev)
        r->prev->next = r->next;
    else if (side)
        side->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->gen->reg = NULL;
}

static void owner_unref(void *arg)
{
    co_task_unref(arg);
}

/* The loop closes: the generators still suspended are forgotten (only
 * shutdown_asyncgens closes them, as in asyncio), their owners let go. */
static void agens_close(co_loop *loop, co__loop_ext *ext)
{
    (void)loop;
    agen_side *side = (agen_side *)(void *)ext;
    while (side->head) {
        agen_reg *r = side->head;
        side->head = r->next;
        r->gen->reg = NULL;
        co_task_unref(r->owner);
        free(r);
    }
}

/* The first step of @p g's body, from a task: enter it in the list. */
static void first_iter(co_agen *g)
{
    co_loop *loop = co_get_running_loop();
    co_task *owner = loop ? co_current_task(loop) : NULL;
    if (!owner || g->reg)
        return;
    agen_side *side = (agen_side *)(void *)co__loop_ext_get(
        loop, &agen_proto, sizeof(agen_side));
    agen_reg *r = side ? malloc(sizeof *r) : NULL;
    if (!r)
        return; /* out of memory: it simply will not be closed at shutdown */
    r->prev = NULL;
    r->next = side->head;
    if (side->head)
        side->head->prev = r;
    side->head = r;
    r->gen = g;
    r->owner = co_task_ref(owner);
    r->loop = loop;
    g->reg = r;
}

/* @p g's body has ended: out of the list. Its owner is let go from the
 * ready queue, not here: the generator may live in the owner's frame, and
 * the code that is running it still reads it. */
static void body_ended(co_agen *g)
{
    agen_reg *r = g->reg;
    if (!r)
        return;
    unlink_reg(r);
    if (co__loop_push(r->loop, owner_unref, r->owner, owner_unref) < 0)
        co_task_unref(r->owner); /* no room: the owner is running anyway */
    free(r);
}

/* Steps the body once on behalf of @p call (an anext or an aclose). Returns
 * the status to suspend with, or -1 when the body stopped at a yield, or
 * CO_STATUS_DONE when it ended. */
static int run_body(co_coro *call, co_agen *g)
{
    call->callee = &g->co; /* the task delivers failures down this chain */
    g->yielded = 0;
    if (g->co.lc == 0)
        first_iter(g);
    int status = co__settle(&g->co, g->co.fn(&g->co));
    if (status == CO_STATUS_DONE) {
        call->callee = NULL;
        body_ended(g);
        return CO_STATUS_DONE;
    }
    if (g->yielded) {
        g->yielded = 0;
        call->callee = NULL;
        return -1;
    }
    return status;
}

/* Ends @p call with the failure the body ended with (it moves over). */
static int end_with_body_failure(co_coro *call, co_agen *g)
{
    co__drop_outcome(call);
    call->err = g->co.err;
    call->out.msg = g->co.out.msg;
    g->co.out.msg = NULL;
    return co__finish(call);
}

static int agen_anext_body(co_coro *call, co_agen *g);

static int agen_anext(co_coro *call)
{
    co_agen *g = agen_of(call);
    if (call->lc == CO__LC_DONE)
        return CO_STATUS_DONE;
    if (call->lc == 0) {
        call->file = __FILE__;
        call->lc = __LINE__; /* "in progress" (see in_progress) */
        /* An anext is asend(None); an asend op left its value. */
        if (!g->sending)
            g->sent_kind = CO_KIND_NONE;
        g->sending = 0;
    }
    return agen_anext_body(call, g);
}

/* What an anext, asend or athrow does once started: step the body and
 * end the call with its next item, its end, or its failure. */
static int agen_anext_body(co_coro *call, co_agen *g)
{
    int status = run_body(call, g);
    if (status == -1) {
        /* An item: the call returns it. */
        co__drop_outcome(call);
        call->kind = g->kind;
        if (g->kind == CO_KIND_PTR)
            call->out.p = g->value.p;
        else
            call->out.i = g->value.i;
        return co__finish(call);
    }
    if (status != CO_STATUS_DONE)
        return status;
    /* The body ended: by failing (which the consumer sees), or by falling
     * off its end (which is the end of the iteration). */
    g->it.ended = 1;
    if (g->co.err)
        return end_with_body_failure(call, g);
    co__drop_outcome(call);
    call->err = CO_ESTOPITERATION;
    return co__finish(call);
}

static int agen_aclose(co_coro *call)
{
    co_agen *g = agen_of(call);
    if (call->lc == CO__LC_DONE)
        return CO_STATUS_DONE;
    if (call->lc == 0) {
        g->it.ended = 1;
        if (g->co.lc == 0 || g->co.lc == CO__LC_DONE) {
            /* Never started, or already ended: nothing to clean up, and
             * a generator that never started must never start now. */
            g->co.lc = CO__LC_DONE;
            return co__finish(call);
        }
        /* The body is parked at a yield: make that yield fail with
         * CO_EGENEXIT, so that its CO_FINALLY runs. */
        call->file = __FILE__;
        call->lc = __LINE__;
        co__throw(&g->co, CO_EGENEXIT, NULL);
    }
    int status = run_body(call, g);
    if (status == -1) {
        co__drop_outcome(call);
        call->err = CO_EAGENRUNNING;
        call->out.msg = co__strdup("the async generator yielded a value while "
                                  "being closed: its cleanup must end the "
                                  "generator, not carry on");
        return co__finish(call);
    }
    if (status != CO_STATUS_DONE)
        return status; /* the cleanup awaits something */
    int err = g->co.err;
    if (err == 0 || err == CO_EGENEXIT || err == CO_ESTOPITERATION) {
        co__free_outcome(&g->co); /* the body keeps its code */
        return co__finish(call);
    }
    return end_with_body_failure(call, g); /* the cleanup itself failed */
}

/* athrow: the failure goes in at the yield where the body stopped. */
static int agen_athrow(co_coro *call)
{
    co_agen *g = agen_of(call);
    if (call->lc == CO__LC_DONE)
        return CO_STATUS_DONE;
    if (call->lc == 0) {
        int code = g->throw_code;
        const char *text = g->throw_msg;
        g->throw_code = 0;
        g->throw_msg = NULL;
        if (g->it.ended || g->co.lc == CO__LC_DONE) {
            /* CPython 3.11: athrow on a generator that has ended returns
             * None. */
            return co__finish(call);
        }
        char *msg = co__strdup(text); /* NULL stays NULL */
        if (g->co.lc == 0) {
            /* Never started: it fails at once, without running a line,
             * and is over (a generator's throw() before its first next). */
            g->co.lc = CO__LC_DONE;
            g->it.ended = 1;
            co__drop_outcome(call);
            call->err = code;
            call->out.msg = msg;
            return co__finish(call);
        }
        call->file = __FILE__;
        call->lc = __LINE__;
        g->sent_kind = CO_KIND_NONE;
        co__throw(&g->co, code, msg);
    }
    return agen_anext_body(call, g);
}

int co_agen_init(co_agen *gen, co_coro_fn body)
{
    if (!gen || !body)
        return CO_EINVAL;
    co_coro_init(&gen->co, body);
    co_aiter_init(&gen->it, agen_anext, agen_aclose);
    gen->value.i = 0;
    gen->sent.i = 0;
    gen->reg = NULL;
    gen->throw_msg = NULL;
    gen->throw_code = 0;
    gen->kind = CO_KIND_NONE;
    gen->sent_kind = CO_KIND_NONE;
    gen->sending = 0;
    gen->yielded = 0;
    return 0;
}

static int asend_op(co_agen *g, int kind, long long i, void *p)
{
    if (!g || g->it.anext_fn != agen_anext)
        return CO_EINVAL;
    if (in_progress(&g->it))
        return CO_EAGENRUNNING;
    if (!g->it.ended && g->co.lc == 0)
        return CO_EAGENFRESH;
    int rc = co_aiter_anext_op(&g->it);
    if (rc < 0)
        return rc;
    g->sent_kind = (unsigned char)kind;
    if (kind == CO_KIND_PTR)
        g->sent.p = p;
    else
        g->sent.i = i;
    g->sending = 1;
    return 0;
}

int co_agen_asend_op(co_agen *gen, long long v)
{
    return asend_op(gen, CO_KIND_INT, v, NULL);
}

int co_agen_asend_ptr_op(co_agen *gen, void *p)
{
    return asend_op(gen, CO_KIND_PTR, 0, p);
}

int co_agen_athrow_op(co_agen *gen, int code, const char *message)
{
    if (!gen || gen->it.anext_fn != agen_anext || code >= 0)
        return CO_EINVAL;
    if (in_progress(&gen->it))
        return CO_EAGENRUNNING;
    gen->throw_msg = message; /* copied when the athrow starts */
    gen->throw_code = code;
    co_coro_init(&gen->it.frame, agen_athrow);
    return 0;
}

bool co__agen_refused(co_coro *co, int rc)
{
    if (rc >= 0)
        return false;
    co__throw(co, rc, NULL);
    return true;
}

static int sent_check(const co_agen *gen, int kind)
{
    if (!gen)
        return CO_EINVAL;
    if (gen->sent_kind != CO_KIND_NONE && gen->sent_kind != kind)
        return CO_EKIND;
    return 0;
}

int co_agen_sent_int(const co_agen *gen, long long *out)
{
    int rc = out ? sent_check(gen, CO_KIND_INT) : CO_EINVAL;
    if (rc == 0)
        *out = gen->sent_kind == CO_KIND_INT ? gen->sent.i : 0;
    return rc;
}

int co_agen_sent_ptr(const co_agen *gen, void **out)
{
    int rc = out ? sent_check(gen, CO_KIND_PTR) : CO_EINVAL;
    if (rc == 0)
        *out = gen->sent_kind == CO_KIND_PTR ? gen->sent.p : NULL;
    return rc;
}

/* ---- loop.shutdown_asyncgens() ------------------------------------------ */

/* One aclose at shutdown, run as a task of its own. It holds the entry's
 * reference on the generator's owner until the close is over. */
struct closer {
    co_coro co;
    co_agen *gen;
    co_task *owner; /* our reference, or NULL */
    int err;
};

static int closer_step(co_coro *co)
{
    struct closer *self = (struct closer *)co;
    CO_BEGIN(co);
    self->err = co_aiter_aclose_op(&self->gen->it);
    if (self->err == 0)
        CO_AWAIT_CORO_CATCH(co, co__aiter_frame(&self->gen->it), self->err);
    if (self->err && self->err != CO_ECANCELLED) {
        const char *msg = co_caught_message();
        char line[400];
        snprintf(line, sizeof line, "an error occurred during closing of "
                 "an asynchronous generator: %s: %s", co_errname(self->err),
                 msg ? msg : co_strerror(self->err));
        co_loop_report(co_get_running_loop(), line);
    }
    CO_FINALLY(co);
    co_task_unref(self->owner); /* may free the generator: not used after */
    self->owner = NULL;
    CO_END(co);
}

int co_loop_shutdown_asyncgens(co_loop *loop, co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop || !out)
        return CO_EINVAL;
    if (co_loop_is_closed(loop))
        return CO_ECLOSED;
    agen_side *side = (agen_side *)(void *)co__loop_ext_find(loop,
                                                             &agen_proto);
    size_t n = 0;
    for (agen_reg *r = side ? side->head : NULL; r; r = r->next)
        n++;
    co_future **items = n ? malloc(n * sizeof *items) : NULL;
    if (n && !items)
        return CO_ENOMEM;
    /* Oldest first, as asyncio's set would hand them out in no promised
     * order: creation order is the one a reader can follow. */
    size_t k = 0;
    agen_reg *last = side ? side->head : NULL;
    while (last && last->next)
        last = last->next;
    while (last) {
        agen_reg *r = last;
        last = r->prev;
        struct closer *c = CO_NEW(struct closer, closer_step);
        co_task *t = NULL;
        if (!c || co_create_task(loop, &c->co, NULL, &t) < 0) {
            co_coro_free(c ? &c->co : NULL);
            continue; /* stays in the list: forgotten at close */
        }
        unlink_reg(r);
        c->gen = r->gen;
        c->owner = r->owner; /* the entry's reference moves over */
        free(r);
        items[k++] = co_task_future(t);
    }
    int rc = co_gather(loop, items, k, true, out);
    for (size_t i = 0; i < k; i++)
        co_future_unref(items[i]);
    free(items);
    return rc;
}

void co__agen_yield_int(co_coro *co, long long v)
{
    co_agen *g = (co_agen *)(void *)co;
    g->value.i = v;
    g->kind = CO_KIND_INT;
    g->yielded = 1;
}

void co__agen_yield_ptr(co_coro *co, void *p)
{
    co_agen *g = (co_agen *)(void *)co;
    g->value.p = p;
    g->kind = CO_KIND_PTR;
    g->yielded = 1;
}
