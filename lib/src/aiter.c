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
#include <stdlib.h>

#include "coro_internal.h"
#include "coflow/aiter.h"

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

/* Steps the body once on behalf of @p call (an anext or an aclose). Returns
 * the status to suspend with, or -1 when the body stopped at a yield, or
 * CO_STATUS_DONE when it ended. */
static int run_body(co_coro *call, co_agen *g)
{
    call->callee = &g->co; /* the task delivers failures down this chain */
    g->yielded = 0;
    int status = g->co.fn(&g->co);
    if (status == CO_STATUS_DONE) {
        call->callee = NULL;
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
    call->err = g->co.err;
    call->errmsg = g->co.errmsg;
    g->co.errmsg = NULL;
    call->kind = CO_KIND_NONE;
    return co__finish(call);
}

static int agen_anext(co_coro *call)
{
    co_agen *g = agen_of(call);
    if (call->lc == CO__LC_DONE)
        return CO_STATUS_DONE;
    if (call->lc == 0) {
        call->file = __FILE__;
        call->lc = __LINE__; /* "in progress" (see in_progress) */
    }
    int status = run_body(call, g);
    if (status == -1) {
        /* An item: the call returns it. */
        call->err = 0;
        call->kind = g->kind;
        call->value.i = 0;
        if (g->kind == CO_KIND_PTR)
            call->value.p = g->value.p;
        else
            call->value.i = g->value.i;
        return co__finish(call);
    }
    if (status != CO_STATUS_DONE)
        return status;
    /* The body ended: by failing (which the consumer sees), or by falling
     * off its end (which is the end of the iteration). */
    g->it.ended = 1;
    if (g->co.err)
        return end_with_body_failure(call, g);
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
        call->err = CO_EAGENRUNNING;
        call->errmsg = co__strdup("the async generator yielded a value while "
                                  "being closed: its cleanup must end the "
                                  "generator, not carry on");
        return co__finish(call);
    }
    if (status != CO_STATUS_DONE)
        return status; /* the cleanup awaits something */
    int err = g->co.err;
    if (err == 0 || err == CO_EGENEXIT || err == CO_ESTOPITERATION) {
        free(g->co.errmsg);
        g->co.errmsg = NULL;
        return co__finish(call);
    }
    return end_with_body_failure(call, g); /* the cleanup itself failed */
}

int co_agen_init(co_agen *gen, co_coro_fn body)
{
    if (!gen || !body)
        return CO_EINVAL;
    co_coro_init(&gen->co, body);
    co_aiter_init(&gen->it, agen_anext, agen_aclose);
    gen->value.i = 0;
    gen->kind = CO_KIND_NONE;
    gen->yielded = 0;
    return 0;
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
