/* acm.c - async context managers and `async with` (lesson 13).
 *
 * The construct is itself a small coroutine: await enter; await the body,
 * catching its failure; await exit, which is told that failure; re-raise
 * it unless exit swallowed it. Its CO_FINALLY frees the copy of the
 * failure's message on every path, exit's own failure included. */
#include <stdlib.h>
#include <string.h>

#include "coflow/acm.h"
#include "base.h"

/* co_acm.kind until enter has returned a value: not a co_kind. */
#define NO_VALUE 0xff

int co_acm_init(co_acm *cm, co_coro_fn enter, co_coro_fn exit)
{
    if (!cm || !enter || !exit)
        return CO_EINVAL;
    co_coro_init(&cm->frame, enter);
    cm->enter_fn = enter;
    cm->exit_fn = exit;
    cm->exc = 0;
    cm->exc_message = NULL;
    cm->value.i = 0;
    cm->kind = NO_VALUE;
    return 0;
}

/* Before the first enter has returned, the value is not there yet. */
static int value_check(const co_acm *cm, int kind)
{
    if (!cm)
        return CO_EINVAL;
    if (cm->kind == NO_VALUE)
        return CO_ESTATE;
    if (cm->kind != CO_KIND_NONE && cm->kind != kind)
        return CO_EKIND;
    return 0;
}

int co_acm_value_int(const co_acm *cm, long long *out)
{
    int rc = out ? value_check(cm, CO_KIND_INT) : CO_EINVAL;
    if (rc == 0)
        *out = cm->kind == CO_KIND_INT ? cm->value.i : 0;
    return rc;
}

int co_acm_value_ptr(const co_acm *cm, void **out)
{
    int rc = out ? value_check(cm, CO_KIND_PTR) : CO_EINVAL;
    if (rc == 0)
        *out = cm->kind == CO_KIND_PTR ? cm->value.p : NULL;
    return rc;
}

static int async_with_step(co_coro *co)
{
    co_async_with *w = (co_async_with *)co;
    long long swallow = 0;
    CO_BEGIN(co);
    if (!w->cm || !w->body || !w->cm->enter_fn || !w->cm->exit_fn)
        CO_RAISE(co, CO_EINVAL, "async with needs a manager set up with "
                                "co_acm_init and a body coroutine");
    co_coro_init(&w->cm->frame, w->cm->enter_fn);
    w->cm->kind = NO_VALUE; /* co_acm_value_*: CO_ESTATE until it returns */
    CO_AWAIT_CORO(co, &w->cm->frame);
    /* `as f`: what enter returned, kept for the body to read. */
    w->cm->kind = w->cm->frame.kind;
    if (w->cm->kind == CO_KIND_PTR)
        w->cm->value.p = w->cm->frame.out.p;
    else
        w->cm->value.i = w->cm->frame.out.i;
    /* From here on, exit runs whatever the body does. */
    CO_AWAIT_CORO_CATCH(co, w->body, w->err);
    if (w->err)
        w->msg = co__strdup(co_caught_message());
    w->cm->exc = w->err;
    w->cm->exc_message = w->msg;
    co_coro_init(&w->cm->frame, w->cm->exit_fn);
    CO_AWAIT_CORO(co, &w->cm->frame);
    if (w->err && (co_coro_result_int(&w->cm->frame, &swallow) != 0 ||
                   swallow == 0))
        CO_RAISE(co, w->err, w->msg);
    CO_FINALLY(co);
    if (w->cm) {
        w->cm->exc = 0;
        w->cm->exc_message = NULL;
    }
    free(w->msg);
    w->msg = NULL;
    CO_END(co);
}

int co_async_with_op(co_async_with *w, co_acm *cm, co_coro *body)
{
    if (!w)
        return CO_EINVAL;
    co_coro_init(&w->co, async_with_step);
    w->cm = cm;
    w->body = body;
    w->err = 0;
    w->msg = NULL;
    return 0;
}

/* ---- a manager written as one generator (asynccontextmanager) --------- */

static int agen_cm_enter(co_coro *co)
{
    co_agen_cm *self = (co_agen_cm *)co;
    CO_BEGIN(co);
    self->err = co_aiter_anext_op(&self->gen->it);
    if (self->err == 0)
        CO_AWAIT_CORO_CATCH(co, co__aiter_frame(&self->gen->it), self->err);
    if (self->err == CO_ESTOPITERATION)
        CO_RAISE(co, CO_EAGENCM, "the context manager's generator ended "
                                 "without yielding: there is nothing to "
                                 "enter");
    if (self->err)
        CO_RAISE(co, self->err, co_caught_message());
    /* The yielded item is what `as f` receives. */
    if (self->gen->it.frame.kind == CO_KIND_PTR)
        CO_RETURN_PTR(co, self->gen->it.frame.out.p);
    CO_RETURN(co, self->gen->it.frame.out.i);
    CO_END(co);
}

static int agen_cm_exit(co_coro *co)
{
    co_agen_cm *self = (co_agen_cm *)co;
    CO_BEGIN(co);
    if (self->cm.exc == 0) {
        /* The body ended well: the generator runs on to its end. */
        self->err = co_aiter_anext_op(&self->gen->it);
        if (self->err == 0)
            CO_AWAIT_CORO_CATCH(co, co__aiter_frame(&self->gen->it),
                                self->err);
        if (self->err == CO_ESTOPITERATION)
            CO_RETURN(co, 0);
        if (self->err == 0)
            CO_RAISE(co, CO_EAGENCM, "the context manager's generator "
                                     "yielded again after the body: it must "
                                     "yield once and then end");
        CO_RAISE(co, self->err, co_caught_message());
    }
    /* The body failed: the failure goes in at the yield. */
    CO_ATHROW_CATCH(co, self->gen, self->cm.exc, self->cm.exc_message,
                    self->err);
    if (self->err == CO_ESTOPITERATION)
        CO_RETURN(co, 1); /* caught and ended: swallowed */
    if (self->err == 0)
        CO_RAISE(co, CO_EAGENCM, "the context manager's generator yielded "
                                 "again after the body failed: it must end, "
                                 "or let the failure go on");
    if (self->err == self->cm.exc)
        CO_RETURN(co, 0); /* let go again: the body's failure goes on */
    CO_RAISE(co, self->err, co_caught_message()); /* a new failure */
    CO_END(co);
}

int co_agen_cm_init(co_agen_cm *m, co_agen *gen)
{
    if (!m || !gen)
        return CO_EINVAL;
    m->gen = gen;
    m->err = 0;
    return co_acm_init(&m->cm, agen_cm_enter, agen_cm_exit);
}

/* ---- ready-made managers ------------------------------------------------ */

static int lock_enter(co_coro *co)
{
    co_lock_cm *self = (co_lock_cm *)co;
    CO_BEGIN(co);
    CO_LOCK_ACQUIRE(co, &self->op, self->lock);
    CO_END(co);
}

static int lock_exit(co_coro *co)
{
    co_lock_cm *self = (co_lock_cm *)co;
    CO_BEGIN(co);
    co_lock_release(self->lock);
    CO_END(co);
}

int co_lock_cm_init(co_lock_cm *lcm, co_lock *lock)
{
    if (!lcm || !lock)
        return CO_EINVAL;
    lcm->lock = lock;
    return co_acm_init(&lcm->cm, lock_enter, lock_exit);
}

static int semaphore_enter(co_coro *co)
{
    co_semaphore_cm *self = (co_semaphore_cm *)co;
    CO_BEGIN(co);
    CO_SEMAPHORE_ACQUIRE(co, &self->op, self->sem);
    CO_END(co);
}

static int semaphore_exit(co_coro *co)
{
    co_semaphore_cm *self = (co_semaphore_cm *)co;
    CO_BEGIN(co);
    co_semaphore_release(self->sem);
    CO_END(co);
}

int co_semaphore_cm_init(co_semaphore_cm *scm, co_semaphore *sem)
{
    if (!scm || !sem)
        return CO_EINVAL;
    scm->sem = sem;
    return co_acm_init(&scm->cm, semaphore_enter, semaphore_exit);
}
