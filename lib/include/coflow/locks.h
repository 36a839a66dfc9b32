/** @file
 * coflow/locks.h - asyncio's synchronisation primitives: Event, Lock,
 * Semaphore, BoundedSemaphore and Condition. Introduced in lessons 13
 * (async with a lock) and 14 (producers and consumers); docs/primitives.md
 * explains them;
 * the waits are child coroutines (lesson 05).
 *
 * Waiting on any of them is awaiting a small child coroutine whose frame, a
 * co_wait_op, lives in YOUR frame (locals do not survive a suspension):
 *
 * @code{.c}
 * struct worker { co_coro co; co_lock *lock; co_wait_op op; };
 * ...
 * co_lock_new(&self->lock);                     // (usually made elsewhere)
 * CO_LOCK_ACQUIRE(co, &self->op, self->lock);   // await lock.acquire()
 * CO_SLEEP(co, 0.01);                           // the critical section
 * co_lock_release(self->lock);                  // lock.release()
 * CO_FINALLY(co);
 * co_lock_free(self->lock);
 * @endcode
 *
 * Each CO_..._WAIT / CO_..._ACQUIRE macro is one suspension point: one per
 * line, never inside a switch of your own. A failure (cancellation above
 * all) propagates like any CO_AWAIT; to catch it instead, start the op
 * yourself and await its frame with CO_AWAIT_CORO_CATCH:
 *
 * @code{.c}
 * struct worker { co_coro co; co_lock *lock; co_wait_op op; int err; };
 * // compile-only: the lock is made elsewhere
 * ...
 * co_lock_acquire_op(&self->op, self->lock);
 * CO_AWAIT_CORO_CATCH(co, &self->op.co, self->err);
 * @endcode
 *
 * (never pass the call itself to CO_AWAIT_CORO: the macro evaluates its
 * argument again at every resume, and the call would restart the wait.)
 *
 * Semantics are CPython 3.11's: waiters are served first come, first
 * served; a waiter that is woken and then cancelled hands its wakeup on, so
 * a release or a set() is never lost. None of these objects is tied to a
 * loop: a waiter belongs to the loop of the task that waits.
 *
 * Ownership: each *_new() gives the caller the object; *_free() frees it.
 * An object may not be freed while coroutines wait on it: *_free() then
 * returns CO_EBUSY and frees nothing (after co_run() returns, or after the
 * loop is closed, nobody waits any more). Freeing NULL is a no-op. */
#ifndef COFLOW_LOCKS_H
#define COFLOW_LOCKS_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/future.h"

/** asyncio.Event. Opaque. */
typedef struct co_event co_event;
/** asyncio.Lock. Opaque. */
typedef struct co_lock co_lock;
/** asyncio.Semaphore or BoundedSemaphore. Opaque. */
typedef struct co_semaphore co_semaphore;
/** asyncio.Condition. Opaque. */
typedef struct co_condition co_condition;

/** The frame of one wait on a primitive (lock acquire, event wait,
 *  semaphore acquire, queue get/put/join). Put one in your frame for each
 *  wait that can be in progress at the same time; reuse it for the next
 *  wait once the previous one has ended. All fields are the library's. */
typedef struct co_wait_op {
    co_coro co;        /**< the wait's own coroutine frame; must stay first */
    void *target;      /**< the object waited on */
    co_future *waiter; /**< what it sleeps on (borrowed from the object's line) */
    void *item;        /**< queues: the item put or got */
    int caught;        /**< the failure that ended the sleep, or 0 */
} co_wait_op;

/* What the macros await: the op's frame (NULL-safe, typed). */
static inline co_coro *co__wait_frame(co_wait_op *op)
{
    return (co_coro *)(void *)op;
}

/* ---- Event -------------------------------------------------------------- */

/** asyncio.Event(): a flag, initially false. @return 0 and *out; CO_EINVAL;
 *  CO_ENOMEM.
 *  @param out receives the event, the caller's to free */
CO_API int co_event_new(co_event **out);

/** Frees @p ev. @return 0; CO_EBUSY if coroutines still wait on it (nothing
 *  is freed). NULL is a no-op returning 0.
 *  @param ev the event, or NULL */
CO_API int co_event_free(co_event *ev);

/** Event.set(): sets the flag and wakes every waiter (each resumes on a
 *  later loop iteration). Setting a set event does nothing. NULL: no-op.
 *  @param ev the event */
CO_API void co_event_set(co_event *ev);

/** Event.clear(): resets the flag; waiters already woken still return.
 *  NULL: no-op.
 *  @param ev the event */
CO_API void co_event_clear(co_event *ev);

/** Event.is_set(). False for NULL.
 *  @param ev the event
 *  @return true if the flag is set */
CO_API bool co_event_is_set(const co_event *ev);

/** Prepares @p op to await Event.wait(): returns at once if the flag is
 *  set, otherwise sleeps until co_event_set(). @return 0, or CO_EINVAL for
 *  a NULL @p op (a NULL @p ev makes the wait itself fail with CO_EINVAL).
 *  @param op the wait's frame, a member of the caller's frame (it must live
 *      until the wait has ended)
 *  @param ev the event */
CO_API int co_event_wait_op(co_wait_op *op, co_event *ev);

/** `await ev.wait()`. Fails with CO_ECANCELLED if cancelled, CO_ENOTASK
 *  outside a task, CO_ENOMEM.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param op the wait's frame, a co_wait_op in your frame
 *  @param ev the event (a co_event *) */
#define CO_EVENT_WAIT(co, op, ev)                                              \
    do {                                                                       \
        co_event_wait_op((op), (ev));                                          \
        CO_AWAIT_CORO(co, co__wait_frame(op));                                 \
    } while (0)

/* ---- Lock --------------------------------------------------------------- */

/** asyncio.Lock(): not owned by any task; unlocked when made.
 *  @return 0 and *out; CO_EINVAL; CO_ENOMEM.
 *  @param out receives the lock, the caller's to free */
CO_API int co_lock_new(co_lock **out);

/** Frees @p lock. @return 0; CO_EBUSY if coroutines wait on it. NULL: 0.
 *  @param lock the lock, or NULL */
CO_API int co_lock_free(co_lock *lock);

/** Lock.locked(). False for NULL.
 *  @param lock the lock
 *  @return true if some task holds it */
CO_API bool co_lock_locked(const co_lock *lock);

/** Lock.release(): unlocks and wakes the first waiter, which then takes the
 *  lock (nobody can jump the line: the lock is fair).
 *  @return 0; CO_ENOTLOCKED if it was not locked; CO_EINVAL for NULL.
 *  @param lock the lock */
CO_API int co_lock_release(co_lock *lock);

/** Prepares @p op to await Lock.acquire(). Takes the lock at once only if
 *  it is free and nobody is in line (or everybody in line was cancelled).
 *  @return 0, or CO_EINVAL for a NULL @p op.
 *  @param op the wait's frame, a member of the caller's frame (it must live
 *      until the wait has ended)
 *  @param lock the lock */
CO_API int co_lock_acquire_op(co_wait_op *op, co_lock *lock);

/** `await lock.acquire()`. A cancelled acquire never holds the lock: if it
 *  had been handed the lock, it passes it on to the next in line. Fails
 *  with CO_ECANCELLED if cancelled, CO_EINVAL for a NULL lock, CO_ENOTASK
 *  outside a task, CO_ENOMEM.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param op the wait's frame, a co_wait_op in your frame
 *  @param lock the lock (a co_lock *) */
#define CO_LOCK_ACQUIRE(co, op, lock)                                          \
    do {                                                                       \
        co_lock_acquire_op((op), (lock));                                      \
        CO_AWAIT_CORO(co, co__wait_frame(op));                                 \
    } while (0)

/* ---- Semaphore and BoundedSemaphore ------------------------------------- */

/** asyncio.Semaphore(value): a counter of @p value free places.
 *  @return 0 and *out; CO_EINVAL (NULL, or value < 0); CO_ENOMEM.
 *  @param out receives the semaphore, the caller's to free
 *  @param value its free places at the start (0 or more) */
CO_API int co_semaphore_new(co_semaphore **out, long value);
/** asyncio.BoundedSemaphore(value): a semaphore that refuses to be
 *  released above @p value (CO_EOVERRELEASE). @return as
 *  co_semaphore_new().
 *  @param out receives the semaphore, the caller's to free
 *  @param value its free places at the start, and the most it may have */
CO_API int co_bounded_semaphore_new(co_semaphore **out, long value);

/** Frees @p sem. @return 0; CO_EBUSY if coroutines wait on it. NULL: 0.
 *  @param sem the semaphore, or NULL */
CO_API int co_semaphore_free(co_semaphore *sem);

/** Semaphore.locked(): true if an acquire would have to wait (no place
 *  free, or somebody not cancelled is already in line). False for NULL.
 *  @param sem the semaphore
 *  @return true if an acquire would wait now */
CO_API bool co_semaphore_locked(const co_semaphore *sem);

/** The counter (free places not yet handed to a waiter). 0 for NULL.
 *  @param sem the semaphore
 *  @return the free places */
CO_API long co_semaphore_value(const co_semaphore *sem);

/** Semaphore.release(): one more place; if somebody waits, the place is
 *  handed straight to the first waiter (the counter does not go up), so no
 *  newcomer can take it first. A semaphore holds at most LONG_MAX places,
 *  counting those handed to waiters that have not resumed yet (Python's
 *  integers never overflow; a C long does, so coflow refuses instead).
 *  @return 0; CO_EOVERRELEASE for a bounded semaphore already at its
 *  initial value; CO_EOVERFLOW if one more place would pass LONG_MAX
 *  (nothing changes); CO_EINVAL for NULL.
 *  @param sem the semaphore */
CO_API int co_semaphore_release(co_semaphore *sem);

/** Prepares @p op to await Semaphore.acquire(). @return 0, or CO_EINVAL for
 *  a NULL @p op (a NULL @p sem makes the wait itself fail with CO_EINVAL).
 *  @param op the wait's frame, a member of the caller's frame (it must live
 *      until the wait has ended)
 *  @param sem the semaphore */
CO_API int co_semaphore_acquire_op(co_wait_op *op, co_semaphore *sem);

/** `await sem.acquire()`. A waiter cancelled after being handed a place
 *  gives it back (and to the next waiter): the count is never lost. Fails
 *  with CO_ECANCELLED if cancelled, CO_EINVAL for a NULL semaphore,
 *  CO_ENOTASK outside a task, CO_ENOMEM.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param op the wait's frame, a co_wait_op in your frame
 *  @param sem the semaphore (a co_semaphore *) */
#define CO_SEMAPHORE_ACQUIRE(co, op, sem)                                      \
    do {                                                                       \
        co_semaphore_acquire_op((op), (sem));                                  \
        CO_AWAIT_CORO(co, co__wait_frame(op));                                 \
    } while (0)

/* ---- Condition ---------------------------------------------------------- */

/** The frame of one Condition.wait(): it releases the lock, sleeps until
 *  notified, then must take the lock again, which is a second wait. */
typedef struct co_condition_op {
    co_coro co;          /**< the wait's own frame; must stay first */
    co_condition *cond;  /**< the condition waited on */
    co_future *waiter;   /**< what it sleeps on until notified (borrowed) */
    int caught;          /**< the failure that ended that sleep, or 0 */
    int relock_err;      /**< the failure of the latest re-acquire, or 0 */
    int cancelled;       /**< a cancellation arrived while re-acquiring */
    co_wait_op relock;   /**< the re-acquire of the lock */
} co_condition_op;

static inline co_coro *co__condition_frame(co_condition_op *op)
{
    return (co_coro *)(void *)op;
}

/** asyncio.Condition(lock): @p lock is shared with the caller (who keeps
 *  owning it), or NULL for a lock of its own. @return 0 and *out; CO_EINVAL;
 *  CO_ENOMEM.
 *  @param out receives the condition, the caller's to free
 *  @param lock a lock to share (still the caller's), or NULL */
CO_API int co_condition_new(co_condition **out, co_lock *lock);

/** Frees @p cond (and its own lock, not a shared one). @return 0; CO_EBUSY
 *  if coroutines wait on it or on its own lock. NULL: 0.
 *  @param cond the condition, or NULL */
CO_API int co_condition_free(co_condition *cond);

/** The condition's lock: acquire it with CO_LOCK_ACQUIRE and release it
 *  with co_lock_release, as `async with cond:` does. NULL for NULL.
 *  @param cond the condition
 *  @return the lock, or NULL for NULL */
CO_API co_lock *co_condition_lock(co_condition *cond);

/** Condition.notify(n): wakes up to @p n waiters (each returns from its
 *  wait only once it holds the lock again). @return how many were woken;
 *  CO_ENOTLOCKED if the lock is not held; CO_EINVAL for NULL.
 *  @param cond the condition
 *  @param n how many waiters to wake at most */
CO_API int co_condition_notify(co_condition *cond, size_t n);

/** Condition.notify_all(). @return as co_condition_notify().
 *  @param cond the condition */
CO_API int co_condition_notify_all(co_condition *cond);

/** Prepares @p op to await Condition.wait(). @return 0, or CO_EINVAL for
 *  a NULL @p op (a NULL @p cond makes the wait itself fail with CO_EINVAL).
 *  @param op the wait's frame, a member of the caller's frame (it must live
 *      until the wait has ended)
 *  @param cond the condition */
CO_API int co_condition_wait_op(co_condition_op *op, co_condition *cond);

/** `await cond.wait()`: needs the lock held (else fails with CO_ENOTLOCKED;
 *  CO_EINVAL for a NULL condition, CO_ENOTASK outside a task, CO_ENOMEM);
 *  releases it, sleeps until notified, and holds the lock again when it
 *  returns - even when it fails with CO_ECANCELLED. Wake-ups can be for a
 *  state that has changed again since: test your predicate in a loop,
 *  `while (!ready) CO_CONDITION_WAIT(...)` (that is Condition.wait_for).
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param op the wait's frame, a co_condition_op in your frame
 *  @param cond the condition (a co_condition *) */
#define CO_CONDITION_WAIT(co, op, cond)                                        \
    do {                                                                       \
        co_condition_wait_op((op), (cond));                                    \
        CO_AWAIT_CORO(co, co__condition_frame(op));                            \
    } while (0)

#endif
