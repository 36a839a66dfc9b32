/* timeout.c - asyncio.timeout() / timeout_at() (Python 3.11's
 * timeouts.py), built on the task's cancel counts. Lesson 11;
 * docs/cancellation.md.
 *
 * The deadline is a timer that cancels the task; leaving the scope takes
 * that request back (uncancel) and, if nothing else asked for the task's
 * cancellation, turns the CO_ECANCELLED the body ended with into
 * CO_ETIMEDOUT. So a timeout inside a timeout, or a cancel() that arrives
 * at the same time, each end up where they belong. While active the scope
 * holds a reference to its task: a scope left behind by mistake keeps the
 * task's memory (and a CO_NEW frame, the scope's home) alive for its
 * timer, rather than being freed under it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coflow/timeout.h"
#include "base.h"

void co_timeout_init(co_timeout *to)
{
    if (to)
        memset(to, 0, sizeof *to);
}

static bool active(const co_timeout *to)
{
    return to->state == CO_TIMEOUT_ACTIVE ||
           to->state == CO_TIMEOUT_EXPIRING;
}

/* The deadline passed: Timeout._on_timeout. */
static void on_timeout(void *arg)
{
    co_timeout *to = arg;
    if (to->state != CO_TIMEOUT_ACTIVE)
        return;
    co_task_cancel(to->task);
    to->state = CO_TIMEOUT_EXPIRING;
}

/* Arms the timer for to->when (none if infinite). 0 or a code. */
static int arm(co_timeout *to)
{
    co_timer_cancel(&to->timer);
    if (isinf(to->when) && to->when > 0)
        return 0;
    co_loop *loop = co_future_loop(co_task_future(to->task));
    /* A deadline already past fires in the next iteration, as asyncio's
     * call_soon(_on_timeout) does (docs/conformance.md: ordering). */
    return co_loop_call_at(loop, to->when, on_timeout, to, &to->timer);
}

static int enter(co_timeout *to, double t, bool relative)
{
    if (!to || isnan(t))
        return CO_EINVAL;
    if (active(to))
        return CO_ESCOPE;
    co_task *task = co_current_task(NULL);
    if (!task)
        return CO_ENOTASK;
    co_loop *loop = co_future_loop(co_task_future(task));
    to->when = relative ? co_loop_time(loop) + t : t;
    to->task = co_task_ref(task);
    to->state = CO_TIMEOUT_ACTIVE;
    int rc = arm(to);
    if (rc < 0) {
        to->state = CO_TIMEOUT_FINISHED;
        co_task_unref(to->task);
        to->task = NULL;
    }
    return rc;
}

int co_timeout_enter(co_timeout *to, double delay)
{
    return enter(to, delay, true);
}

int co_timeout_enter_at(co_timeout *to, double when)
{
    return enter(to, when, false);
}

int co_timeout_exit(co_timeout *to, int *err)
{
    if (!to || !err)
        return CO_EINVAL;
    if (!active(to))
        return CO_ESCOPE;
    co_timer_cancel(&to->timer);
    if (to->state == CO_TIMEOUT_EXPIRING) {
        to->state = CO_TIMEOUT_EXPIRED;
        /* Our own request taken back; only if none is left is the
         * cancellation ours to turn into a timeout. */
        if (co_task_uncancel(to->task) == 0 && *err == CO_ECANCELLED)
            *err = CO_ETIMEDOUT;
    } else {
        to->state = CO_TIMEOUT_FINISHED;
    }
    co_task_unref(to->task);
    to->task = NULL;
    return 0;
}

int co_timeout_reschedule(co_timeout *to, double when)
{
    if (!to || isnan(when))
        return CO_EINVAL;
    if (to->state != CO_TIMEOUT_ACTIVE)
        return CO_ESCOPE;
    to->when = when;
    return arm(to);
}

double co_timeout_when(const co_timeout *to)
{
    if (!to || (to->state == CO_TIMEOUT_CREATED && to->relative))
        return NAN;
    return to->when;
}

bool co_timeout_expired(const co_timeout *to)
{
    return to && (to->state == CO_TIMEOUT_EXPIRING ||
                  to->state == CO_TIMEOUT_EXPIRED);
}

/* ---- CO_TIMEOUT: the scope around a body, as one coroutine ---------------- */

static int timeout_step(co_coro *co)
{
    co_timeout *to = (co_timeout *)(void *)co;
    CO_BEGIN(co);
    to->err = enter(to, to->relative ? to->delay : to->when, to->relative);
    to->relative = 0;
    if (to->err < 0)
        CO_RAISE(co, to->err, "a timeout scope could not be entered");
    if (to->body)
        CO_AWAIT_CORO_CATCH(co, to->body, to->err);
    else
        CO_AWAIT_CATCH(co, to->fut, to->err);
    if (to->err)
        to->msg = co__strdup(co_caught_message());
    co_timeout_exit(to, &to->err);
    if (to->err)
        CO_RAISE(co, to->err, to->err == CO_ETIMEDOUT ? NULL : to->msg);
    CO_FINALLY(co);
    free(to->msg);
    to->msg = NULL;
    co_future_unref(to->fut);
    to->fut = NULL;
    CO_END(co);
}

static int op(co_timeout *to, double t, int relative, co_coro *body,
              co_future *fut)
{
    if (!to || isnan(t))
        return CO_EINVAL;
    if (active(to))
        return CO_ESCOPE;
    co_coro_init(&to->co, timeout_step);
    to->body = body;
    co_future_unref(to->fut); /* one set up before and never run */
    to->fut = co_future_ref(fut);
    to->msg = NULL;
    to->err = 0;
    to->state = CO_TIMEOUT_CREATED;
    to->relative = (unsigned char)(relative != 0);
    if (relative)
        to->delay = t;
    else
        to->when = t;
    return 0;
}

int co__timeout_op_coro(co_timeout *to, double t, int relative,
                        co_coro *body)
{
    return op(to, t, relative, body, NULL);
}

int co__timeout_op_future(co_timeout *to, double t, int relative,
                          co_future *body)
{
    return op(to, t, relative, NULL, body);
}

int co__timeout_op_task(co_timeout *to, double t, int relative,
                        co_task *body)
{
    return op(to, t, relative, NULL, co_task_future(body));
}
