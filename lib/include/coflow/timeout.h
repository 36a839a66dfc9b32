/** @file
 * coflow/timeout.h - asyncio.timeout() / timeout_at(): a deadline around
 * any await. For lesson 11 (cancellation); docs/cancellation.md explains.
 *
 * @code{.c}
 * CO_ASYNC(fetch, ) { CO_BEGIN(co); CO_SLEEP(co, 10.0); CO_END(co); }
 * struct caller { co_coro co; co_timeout to; struct fetch fetch; int err; };
 * ...
 * co_coro_init(&self->fetch.co, CO_STEP(fetch));
 * CO_TIMEOUT_CATCH(co, &self->to, 0.05, &self->fetch.co, self->err);
 * // try: async with asyncio.timeout(0.05): await fetch()
 * // except TimeoutError: ...      (CO_TIMEOUT lets CO_ETIMEDOUT go on)
 * printf("%s\n", co_strerror(self->err));      // the deadline passed
 * CO_FINALLY(co);
 * co_coro_free(&self->fetch.co);
 * @endcode
 *
 * At the deadline the scope cancels its task (Task.cancel(), which counts
 * the request). The cancellation arrives wherever the body is suspended,
 * the body's cleanup runs, and when the scope ends it takes its own
 * request back with uncancel(): if no other cancellation is left and the
 * body ended cancelled, the scope fails with CO_ETIMEDOUT instead. A
 * cancellation somebody else asked for goes on as CO_ECANCELLED. A body
 * that catches the cancellation and returns normally ends the scope
 * normally (co_timeout_expired() still says the deadline passed).
 *
 * Two ways to write one:
 *  - CO_TIMEOUT / CO_TIMEOUT_AT with a body: a child coroutine, or a
 *    future or task to await. The body may do anything; its failure goes
 *    through the scope.
 *  - co_timeout_enter() ... co_timeout_exit() around awaits written in the
 *    same coroutine. C has no `try`: between the two, use only _CATCH
 *    awaits, so that nothing unwinds past co_timeout_exit() (a scope never
 *    left would cancel its task later, in the middle of something else).
 * Either way the struct lives in your frame and must start zeroed (a
 * CO_NEW frame, `= {0}`, or co_timeout_init). */
#ifndef COFLOW_TIMEOUT_H
#define COFLOW_TIMEOUT_H

#include <math.h>
#include <stdbool.h>

#include "coflow/coro.h"
#include "coflow/loop.h"
#include "coflow/task.h"

/** A deadline that never comes: asyncio's `timeout(None)`. */
#define CO_NO_DEADLINE INFINITY

/** Where a scope stands (asyncio's timeouts._State). */
enum co_timeout_state {
    CO_TIMEOUT_CREATED = 0, /**< not entered yet */
    CO_TIMEOUT_ACTIVE,      /**< entered; the deadline has not passed */
    CO_TIMEOUT_EXPIRING,    /**< the deadline passed: its task is cancelled */
    CO_TIMEOUT_EXPIRED,     /**< left after the deadline passed */
    CO_TIMEOUT_FINISHED     /**< left before the deadline */
};

/** A timeout scope. All fields are the library's. */
typedef struct co_timeout {
    co_coro co;           /**< the scope's frame (CO_TIMEOUT); must stay first */
    co_timer timer;       /**< the deadline while active */
    co_task *task;        /**< the task it cancels (a reference while active) */
    co_coro *body;        /**< CO_TIMEOUT's child body, or NULL */
    co_future *fut;       /**< or the future it awaits (a reference), or NULL */
    char *msg;            /**< the body failure's message (owned), or NULL */
    double when;          /**< the deadline, on co_loop_time()'s clock */
    double delay;         /**< CO_TIMEOUT's delay, until it is entered */
    int err;              /**< how the body ended */
    unsigned char state;  /**< enum co_timeout_state */
    unsigned char relative; /**< `delay` is to be added to the time of entry */
} co_timeout;

/** Zeroes @p to (a fresh, not entered scope). NULL is a no-op.
 *  @param to the scope */
CO_API void co_timeout_init(co_timeout *to);

/** `async with timeout(delay)` entered by hand: the deadline is @p delay
 *  seconds from now (CO_NO_DEADLINE: none; 0 or less: it expires in the
 *  next loop iteration). Call it from inside a task; leave with
 *  co_timeout_exit() before the coroutine suspends in anything but a
 *  _CATCH await.
 *  @return 0; CO_EINVAL (NULL, NaN); CO_ENOTASK (no current task);
 *  CO_ESCOPE (the scope is already active); CO_ENOMEM.
 *  @param to the scope
 *  @param delay seconds from now, or CO_NO_DEADLINE */
CO_API int co_timeout_enter(co_timeout *to, double delay);

/** Like co_timeout_enter(), with a deadline @p when on co_loop_time()'s
 *  clock (asyncio.timeout_at).
 *  @param to the scope
 *  @param when the deadline, or CO_NO_DEADLINE
 *  @return as co_timeout_enter() */
CO_API int co_timeout_enter_at(co_timeout *to, double when);

/** Leaves the scope (__aexit__). @p err holds how the body ended (0 or
 *  its failure); if the deadline passed, no other cancellation is left
 *  (uncancel() returns 0) and *err is CO_ECANCELLED, *err becomes
 *  CO_ETIMEDOUT. Otherwise *err is left as it is.
 *  @return 0; CO_EINVAL (NULL); CO_ESCOPE (not active: never entered, or
 *  already left).
 *  @param to the scope
 *  @param err how the body ended; may become CO_ETIMEDOUT */
CO_API int co_timeout_exit(co_timeout *to, int *err);

/** Timeout.reschedule(when): moves the deadline of an active scope to
 *  @p when (co_loop_time()'s clock; CO_NO_DEADLINE: none; in the past:
 *  it expires in the next iteration).
 *  @return 0; CO_EINVAL (NULL, NaN); CO_ESCOPE (not active: not entered,
 *  expiring, expired or finished, as asyncio refuses); CO_ENOMEM.
 *  @param to the scope
 *  @param when the new deadline */
CO_API int co_timeout_reschedule(co_timeout *to, double when);

/** Timeout.when(): the deadline (CO_NO_DEADLINE if none), NaN for NULL
 *  or a scope given only a delay and not entered yet.
 *  @param to the scope
 *  @return the deadline, CO_NO_DEADLINE or NaN */
CO_API double co_timeout_when(const co_timeout *to);

/** Timeout.expired(): true once the deadline has passed while the scope
 *  was active (expiring or expired).
 *  @param to the scope
 *  @return whether it expired */
CO_API bool co_timeout_expired(const co_timeout *to);

/** Prepares @p to to run @p body (a coroutine, or a future or task to
 *  await: the macros pick) under a deadline @p delay seconds after the
 *  scope starts. What CO_TIMEOUT calls. @return 0; CO_EINVAL (NULL @p to,
 *  NaN); CO_ESCOPE (the scope is active). */
#define co_timeout_op(to, delay, body)                                         \
    _Generic((body), co_coro *: co__timeout_op_coro,                           \
             struct co_future *: co__timeout_op_future,                        \
             struct co_task *: co__timeout_op_task)((to), (delay), 1, (body))

/** Like co_timeout_op with a deadline @p when (timeout_at). */
#define co_timeout_at_op(to, when, body)                                       \
    _Generic((body), co_coro *: co__timeout_op_coro,                           \
             struct co_future *: co__timeout_op_future,                        \
             struct co_task *: co__timeout_op_task)((to), (when), 0, (body))

/** `async with timeout(delay): await body` in one suspension point: body
 *  is a child coroutine (co_coro *), a future or a task. The body's
 *  failure propagates; at the deadline that is CO_ETIMEDOUT. */
#define CO_TIMEOUT(co, to, delay, body)                                        \
    CO__TIMEOUT(co, co_timeout_op((to), (delay), (body)),                    \
                CO_RAISE(co, co__to_rc, NULL),                                 \
                CO_AWAIT_CORO(co, co__timeout_frame(to)))

/** `async with timeout_at(when): await body`. */
#define CO_TIMEOUT_AT(co, to, when, body)                                      \
    CO__TIMEOUT(co, co_timeout_at_op((to), (when), (body)),                  \
                CO_RAISE(co, co__to_rc, NULL),                                 \
                CO_AWAIT_CORO(co, co__timeout_frame(to)))

/** Like CO_TIMEOUT, but the failure (CO_ETIMEDOUT, the body's, or 0) is
 *  stored in the int lvalue @p caught instead of propagating. */
#define CO_TIMEOUT_CATCH(co, to, delay, body, caught)                          \
    CO__TIMEOUT(co, co_timeout_op((to), (delay), (body)),                    \
                (caught) = co__to_rc,                                          \
                CO_AWAIT_CORO_CATCH(co, co__timeout_frame(to), caught))

/** Like CO_TIMEOUT_AT, catching as CO_TIMEOUT_CATCH does. */
#define CO_TIMEOUT_AT_CATCH(co, to, when, body, caught)                        \
    CO__TIMEOUT(co, co_timeout_at_op((to), (when), (body)),                  \
                (caught) = co__to_rc,                                          \
                CO_AWAIT_CORO_CATCH(co, co__timeout_frame(to), caught))

/* ---- internals the macros call (not for direct use) --------------------- */
/* Sets the scope up with @p op; if that fails, @p on_fail (raise or
 * catch the code, co__to_rc), else @p await_it. */
#define CO__TIMEOUT(co, op, on_fail, await_it)                                 \
    do {                                                                       \
        int co__to_rc = (op);                                                  \
        if (co__to_rc < 0) {                                                   \
            on_fail;                                                           \
        } else {                                                               \
            await_it;                                                          \
        }                                                                      \
    } while (0)
static inline co_coro *co__timeout_frame(co_timeout *to)
{
    return &to->co;
}
CO_API int co__timeout_op_coro(co_timeout *to, double t, int relative,
                               co_coro *body);
CO_API int co__timeout_op_future(co_timeout *to, double t, int relative,
                                 struct co_future *body);
CO_API int co__timeout_op_task(co_timeout *to, double t, int relative,
                               struct co_task *body);

#endif
