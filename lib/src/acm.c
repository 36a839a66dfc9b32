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

int co_acm_init(co_acm *cm, co_coro_fn enter, co_coro_fn exit)
{
    if (!cm || !enter || !exit)
        return CO_EINVAL;
    co_coro_init(&cm->frame, enter);
    cm->enter_fn = enter;
    cm->exit_fn = exit;
    cm->exc = 0;
    cm->exc_message = NULL;
    return 0;
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
    CO_AWAIT_CORO(co, &w->cm->frame);
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
