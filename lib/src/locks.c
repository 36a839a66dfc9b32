/* locks.c - Event, Lock, Semaphore, BoundedSemaphore and Condition, as in
 * CPython 3.11's asyncio/locks.py. Introduced in lesson 14.
 *
 * Every wait has the same shape: join the object's line with a waiter
 * future (a fresh one, or one the line has used before and kept), await it,
 * and on resuming leave the line. What differs is what a
 * waiter does when it fails (is cancelled) after it was already woken: it
 * must pass on what it was given (the lock, a semaphore place), or that
 * wakeup is lost and somebody waits for ever. */
#include <limits.h>
#include <stdlib.h>

#include "coflow/locks.h"
#include "waitq.h"

struct co_lock {
    co__waitq waiters; /* coroutines inside Lock.acquire(), in arrival order */
    bool locked;       /* held by somebody */
};

struct co_semaphore {
    co__waitq waiters; /* coroutines inside Semaphore.acquire() */
    long value;        /* free places not yet handed to a waiter */
    long handed;       /* places handed to waiters that have not resumed */
    long bound;        /* BoundedSemaphore: the initial value; else -1 */
};

struct co_condition {
    co__waitq waiters; /* coroutines inside Condition.wait(), not re-locking */
    co_lock *lock;     /* the lock (owned only if own_lock) */
    bool own_lock;     /* made by co_condition_new(), freed with it */
};

static int op_start(co_wait_op *op, co_coro_fn fn, void *target)
{
    if (!op)
        return CO_EINVAL;
    /* co_coro_init() without the call: a fresh header, all zero but fn. */
    op->co = (co_coro){.fn = fn};
    op->target = target;
    op->waiter = NULL;
    op->item = NULL;
    op->caught = 0;
    return 0;
}

/* ---- Event -------------------------------------------------------------- */

int co_event_new(co_event **out)
{
    if (!out)
        return CO_EINVAL;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : CO_ENOMEM;
}

int co_event_free(co_event *ev)
{
    if (!ev)
        return 0;
    if (co__waitq_busy(&ev->waiters))
        return CO_EBUSY;
    co__waitq_clear(&ev->waiters);
    free(ev);
    return 0;
}

void co_event_set(co_event *ev)
{
    if (!ev || ev->value)
        return;
    ev->value = true;
    co__waitq_wake_some(&ev->waiters, (size_t)-1);
}

void co_event_clear(co_event *ev)
{
    if (ev)
        ev->value = false;
}

bool co_event_is_set(const co_event *ev)
{
    return ev && ev->value;
}

static int event_wait_step(co_coro *co)
{
    co_wait_op *op = (co_wait_op *)co;
    co_event *ev = op->target;
    CO_BEGIN(co);
    if (!ev)
        CO_RAISE(co, CO_EINVAL, "Event.wait() was given a NULL event");
    if (ev->value)
        CO_RETURN(co, 1);
    op->caught = co__waitq_wait(&ev->waiters, &op->waiter);
    if (op->caught < 0)
        CO_RAISE(co, op->caught, NULL);
    CO_AWAIT_CATCH(co, op->waiter, op->caught);
    /* set() leaves its waiters in the line; each one leaves by itself. */
    co__waitq_remove(&ev->waiters, op->waiter);
    op->waiter = NULL;
    if (op->caught)
        CO_RAISE(co, op->caught, co_caught_message());
    CO_RETURN(co, 1);
    CO_END(co);
}

int co_event_wait_op(co_wait_op *op, co_event *ev)
{
    return op_start(op, event_wait_step, ev);
}

/* ---- Lock --------------------------------------------------------------- */

int co_lock_new(co_lock **out)
{
    if (!out)
        return CO_EINVAL;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : CO_ENOMEM;
}

int co_lock_free(co_lock *lock)
{
    if (!lock)
        return 0;
    if (co__waitq_busy(&lock->waiters))
        return CO_EBUSY;
    co__waitq_clear(&lock->waiters);
    free(lock);
    return 0;
}

bool co_lock_locked(const co_lock *lock)
{
    return lock && lock->locked;
}

int co_lock_release(co_lock *lock)
{
    if (!lock)
        return CO_EINVAL;
    if (!lock->locked)
        return CO_ENOTLOCKED;
    lock->locked = false;
    /* Only the first in line is woken. If it is already done (woken, or
     * cancelled, and not yet resumed), it will take the lock or pass it on
     * when it resumes: waking a second one would let two take it. */
    co__waitq_wake_first(&lock->waiters);
    return 0;
}

static int lock_acquire_step(co_coro *co)
{
    co_wait_op *op = (co_wait_op *)co;
    co_lock *lock = op->target;
    CO_BEGIN(co);
    if (!lock)
        CO_RAISE(co, CO_EINVAL, "Lock.acquire() was given a NULL lock");
    /* The fast path only when nobody who still wants it is in line: that
     * is what makes the lock fair. */
    if (!lock->locked && co__waitq_all_cancelled(&lock->waiters)) {
        lock->locked = true;
        CO_RETURN(co, 1);
    }
    op->caught = co__waitq_wait(&lock->waiters, &op->waiter);
    if (op->caught < 0)
        CO_RAISE(co, op->caught, NULL);
    CO_AWAIT_CATCH(co, op->waiter, op->caught);
    /* Leave the line first, so that passing the lock on below cannot pick
     * this waiter again. */
    co__waitq_remove(&lock->waiters, op->waiter);
    op->waiter = NULL;
    if (op->caught) {
        /* Woken by a release and then cancelled: the lock is free and the
         * next in line must get it instead. */
        if (!lock->locked)
            co__waitq_wake_first(&lock->waiters);
        CO_RAISE(co, op->caught, co_caught_message());
    }
    lock->locked = true;
    CO_RETURN(co, 1);
    CO_END(co);
}

int co_lock_acquire_op(co_wait_op *op, co_lock *lock)
{
    return op_start(op, lock_acquire_step, lock);
}

/* ---- Semaphore ---------------------------------------------------------- */

static int semaphore_new(co_semaphore **out, long value, long bound)
{
    if (!out)
        return CO_EINVAL;
    *out = NULL;
    if (value < 0)
        return CO_EINVAL;
    co_semaphore *sem = calloc(1, sizeof *sem);
    if (!sem)
        return CO_ENOMEM;
    sem->value = value;
    sem->bound = bound;
    *out = sem;
    return 0;
}

int co_semaphore_new(co_semaphore **out, long value)
{
    return semaphore_new(out, value, -1);
}

int co_bounded_semaphore_new(co_semaphore **out, long value)
{
    return semaphore_new(out, value, value);
}

int co_semaphore_free(co_semaphore *sem)
{
    if (!sem)
        return 0;
    if (co__waitq_busy(&sem->waiters))
        return CO_EBUSY;
    co__waitq_clear(&sem->waiters);
    free(sem);
    return 0;
}

static bool waiter_wants_it(const co__waitq *q)
{
    return !co__waitq_all_cancelled(q);
}

bool co_semaphore_locked(const co_semaphore *sem)
{
    return sem && (sem->value == 0 || waiter_wants_it(&sem->waiters));
}

long co_semaphore_value(const co_semaphore *sem)
{
    return sem ? sem->value : 0;
}

/* Hands one free place to the first waiter still pending: the place leaves
 * the counter now, so that nobody arriving before that waiter resumes can
 * take it. */
static void semaphore_wake_next(co_semaphore *sem)
{
    if (sem->value > 0 && co__waitq_wake_next(&sem->waiters)) {
        sem->value--;
        sem->handed++;
    }
}

int co_semaphore_release(co_semaphore *sem)
{
    if (!sem)
        return CO_EINVAL;
    if (sem->bound >= 0 && sem->value >= sem->bound)
        return CO_EOVERRELEASE;
    /* A place handed to a waiter may still come back (the waiter is
     * cancelled before it resumes), so it counts against the limit too:
     * value + handed never goes past LONG_MAX, and no ++ can overflow. */
    if (sem->value >= LONG_MAX - sem->handed)
        return CO_EOVERFLOW;
    sem->value++;
    semaphore_wake_next(sem);
    return 0;
}

static int semaphore_acquire_step(co_coro *co)
{
    co_wait_op *op = (co_wait_op *)co;
    co_semaphore *sem = op->target;
    CO_BEGIN(co);
    if (!sem)
        CO_RAISE(co, CO_EINVAL, "Semaphore.acquire() was given NULL");
    if (!co_semaphore_locked(sem)) {
        sem->value--;
        CO_RETURN(co, 1);
    }
    op->caught = co__waitq_wait(&sem->waiters, &op->waiter);
    if (op->caught < 0)
        CO_RAISE(co, op->caught, NULL);
    CO_AWAIT_CATCH(co, op->waiter, op->caught);
    co__waitq_remove(&sem->waiters, op->waiter);
    if (!co_future_cancelled(op->waiter))
        sem->handed--; /* it was woken: the place handed to it is here */
    if (op->caught) {
        /* Not cancelled while waiting but after being handed a place:
         * give the place back, to the next waiter if there is one. */
        if (!co_future_cancelled(op->waiter)) {
            sem->value++;
            semaphore_wake_next(sem);
        }
        op->waiter = NULL;
        CO_RAISE(co, op->caught, co_caught_message());
    }
    op->waiter = NULL;
    /* Several releases may have come in one go: let the next one in too. */
    semaphore_wake_next(sem);
    CO_RETURN(co, 1);
    CO_END(co);
}

int co_semaphore_acquire_op(co_wait_op *op, co_semaphore *sem)
{
    return op_start(op, semaphore_acquire_step, sem);
}

/* ---- Condition ---------------------------------------------------------- */

int co_condition_new(co_condition **out, co_lock *lock)
{
    if (!out)
        return CO_EINVAL;
    *out = NULL;
    co_condition *cond = calloc(1, sizeof *cond);
    if (!cond)
        return CO_ENOMEM;
    if (!lock) {
        if (co_lock_new(&lock) < 0) {
            free(cond);
            return CO_ENOMEM;
        }
        cond->own_lock = true;
    }
    cond->lock = lock;
    *out = cond;
    return 0;
}

int co_condition_free(co_condition *cond)
{
    if (!cond)
        return 0;
    if (co__waitq_busy(&cond->waiters) ||
        (cond->own_lock && co__waitq_busy(&cond->lock->waiters)))
        return CO_EBUSY;
    co__waitq_clear(&cond->waiters);
    if (cond->own_lock)
        co_lock_free(cond->lock);
    free(cond);
    return 0;
}

co_lock *co_condition_lock(co_condition *cond)
{
    return cond ? cond->lock : NULL;
}

int co_condition_notify(co_condition *cond, size_t n)
{
    if (!cond)
        return CO_EINVAL;
    if (!cond->lock->locked)
        return CO_ENOTLOCKED;
    size_t woken = co__waitq_wake_some(&cond->waiters, n);
    return woken > (size_t)0x7fffffff ? 0x7fffffff : (int)woken;
}

int co_condition_notify_all(co_condition *cond)
{
    return co_condition_notify(cond, (size_t)-1);
}

static int condition_wait_step(co_coro *co)
{
    co_condition_op *op = (co_condition_op *)co;
    co_condition *cond = op->cond;
    CO_BEGIN(co);
    if (!cond)
        CO_RAISE(co, CO_EINVAL, "Condition.wait() was given NULL");
    if (!cond->lock->locked)
        CO_RAISE(co, CO_ENOTLOCKED, "Condition.wait() needs its lock held");
    co_lock_release(cond->lock);
    op->caught = co__waitq_wait(&cond->waiters, &op->waiter);
    if (op->caught == 0) {
        CO_AWAIT_CATCH(co, op->waiter, op->caught);
        co__waitq_remove(&cond->waiters, op->waiter);
        op->waiter = NULL;
    }
    /* Whatever happened, the lock is taken again before returning: the
     * caller's code after the wait, and its release, assume it is held.
     * A cancellation during the re-acquire is remembered and re-raised
     * once the lock is held. */
    op->cancelled = op->caught == CO_ECANCELLED;
    for (;;) {
        co_lock_acquire_op(&op->relock, cond->lock);
        CO_AWAIT_CORO_CATCH(co, &op->relock.co, op->relock_err);
        if (op->relock_err == 0)
            break;
        if (op->relock_err != CO_ECANCELLED)
            CO_RAISE(co, op->relock_err, co_caught_message());
        op->cancelled = 1;
    }
    if (op->caught && op->caught != CO_ECANCELLED)
        CO_RAISE(co, op->caught, NULL);
    if (op->cancelled)
        CO_RAISE(co, CO_ECANCELLED, NULL);
    CO_RETURN(co, 1);
    CO_END(co);
}

int co_condition_wait_op(co_condition_op *op, co_condition *cond)
{
    if (!op)
        return CO_EINVAL;
    co_coro_init(&op->co, condition_wait_step);
    op->cond = cond;
    op->waiter = NULL;
    op->caught = op->relock_err = op->cancelled = 0;
    return 0;
}
