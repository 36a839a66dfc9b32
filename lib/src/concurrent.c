/* concurrent.c - concurrent.futures.Future: a future guarded by a mutex,
 * with a condition variable for the threads that block on it. Lesson 09.
 * Done-callbacks run outside the lock: a callback that takes a lock of its
 * own (or touches the future again) must never run while we hold ours. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "threads_internal.h"

enum { CF_PENDING, CF_RUNNING, CF_FINISHED, CF_CANCELLED };

typedef struct cf_cb {
    co_cfuture_callback fn; /* what to call */
    void *arg;              /* its argument */
    struct cf_cb *next;     /* registration order */
} cf_cb;

/* Invariant: state, kind, v, err, msg and the callback list change only
 * under `lock`; once state is FINISHED or CANCELLED nothing but refs changes
 * again, so a reader holding a reference may read the message unlocked. */
struct co_cfuture {
    pthread_mutex_t lock;   /* guards everything below but refs */
    pthread_cond_t done;    /* broadcast when it stops being pending */
    atomic_uint refs;       /* references (any thread) */
    int state;              /* CF_* */
    int err;                /* failure code once FINISHED with a failure */
    int kind;               /* CO_KIND_INT / CO_KIND_PTR of the result */
    union {
        long long i;
        void *p;
    } v;                    /* the result */
    char *msg;              /* failure message (owned) or NULL */
    cf_cb *cbs, *last;      /* done-callbacks not yet run */
};

int co_cfuture_new(co_cfuture **out)
{
    if (!out)
        return CO_EINVAL;
    *out = NULL;
    co_cfuture *f = calloc(1, sizeof *f);
    if (!f)
        return CO_ENOMEM;
    pthread_condattr_t attr;
    bool ok = pthread_condattr_init(&attr) == 0;
    /* Timeouts are measured on the monotonic clock: setting the wall clock
     * must not make a result(timeout) wait longer or shorter. */
    if (ok && (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
               pthread_cond_init(&f->done, &attr) != 0))
        ok = false;
    if (ok && pthread_mutex_init(&f->lock, NULL) != 0) {
        pthread_cond_destroy(&f->done);
        ok = false;
    }
    pthread_condattr_destroy(&attr);
    if (!ok) {
        free(f);
        return CO_ESYS;
    }
    atomic_init(&f->refs, 1);
    *out = f;
    return 0;
}

co_cfuture *co_cfuture_ref(co_cfuture *f)
{
    if (f)
        atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
    return f;
}

void co_cfuture_unref(co_cfuture *f)
{
    if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
        return;
    /* Lock once more before destroying: it orders us after whichever thread
     * used the future last (and lets helgrind see that order too). */
    pthread_mutex_lock(&f->lock);
    pthread_mutex_unlock(&f->lock);
    while (f->cbs) {
        cf_cb *next = f->cbs->next;
        free(f->cbs);
        f->cbs = next;
    }
    free(f->msg);
    pthread_cond_destroy(&f->done);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* Called with the lock held and state just set: wakes the waiters, then
 * releases the lock and runs the callbacks (which nobody can add to now). */
static void settle(co_cfuture *f)
{
    cf_cb *list = f->cbs;
    f->cbs = f->last = NULL;
    pthread_cond_broadcast(&f->done);
    pthread_mutex_unlock(&f->lock);
    while (list) {
        cf_cb *next = list->next;
        list->fn(f, list->arg);
        free(list);
        list = next;
    }
}

static int finish(co_cfuture *f, int kind, long long i, void *p, int err,
                  char *msg)
{
    pthread_mutex_lock(&f->lock);
    if (f->state == CF_FINISHED || f->state == CF_CANCELLED) {
        pthread_mutex_unlock(&f->lock);
        free(msg);
        return CO_ESTATE;
    }
    if (err == CO_ECANCELLED) {
        free(msg);
        f->state = CF_CANCELLED;
    } else {
        f->state = CF_FINISHED;
        f->err = err;
        f->msg = msg;
        f->kind = kind;
        if (kind == CO_KIND_PTR)
            f->v.p = p;
        else
            f->v.i = i;
    }
    settle(f);
    return 0;
}

int co_cfuture_set_result_int(co_cfuture *f, long long value)
{
    return f ? finish(f, CO_KIND_INT, value, NULL, 0, NULL) : CO_EINVAL;
}

int co_cfuture_set_result_ptr(co_cfuture *f, void *value)
{
    return f ? finish(f, CO_KIND_PTR, 0, value, 0, NULL) : CO_EINVAL;
}

int co_cfuture_set_exception(co_cfuture *f, int code, const char *message)
{
    if (!f || code >= 0)
        return CO_EINVAL;
    char *copy = NULL;
    if (message && !(copy = co__strdup(message)))
        return CO_ENOMEM;
    return finish(f, CO_KIND_NONE, 0, NULL, code, copy);
}

bool co_cfuture_cancel(co_cfuture *f)
{
    if (!f)
        return false;
    pthread_mutex_lock(&f->lock);
    if (f->state == CF_RUNNING || f->state == CF_FINISHED) {
        pthread_mutex_unlock(&f->lock);
        return false;
    }
    if (f->state == CF_CANCELLED) {
        pthread_mutex_unlock(&f->lock);
        return true;
    }
    f->state = CF_CANCELLED;
    settle(f);
    return true;
}

bool co_cfuture_set_running_or_notify_cancel(co_cfuture *f)
{
    if (!f)
        return false;
    pthread_mutex_lock(&f->lock);
    bool run = f->state == CF_PENDING;
    if (run)
        f->state = CF_RUNNING;
    pthread_mutex_unlock(&f->lock);
    return run;
}

static int state_of(co_cfuture *f)
{
    pthread_mutex_lock(&f->lock);
    int st = f->state;
    pthread_mutex_unlock(&f->lock);
    return st;
}

bool co_cfuture_done(co_cfuture *f)
{
    if (!f)
        return false;
    int st = state_of(f);
    return st == CF_FINISHED || st == CF_CANCELLED;
}

bool co_cfuture_running(co_cfuture *f)
{
    return f && state_of(f) == CF_RUNNING;
}

bool co_cfuture_cancelled(co_cfuture *f)
{
    return f && state_of(f) == CF_CANCELLED;
}

/* Waits (lock held on return) until done or the timeout passes. Returns 0
 * when done, CO_ETIMEDOUT otherwise. */
static int wait_done(co_cfuture *f, double timeout)
{
    pthread_mutex_lock(&f->lock);
    if (timeout < 0) {
        while (f->state < CF_FINISHED)
            pthread_cond_wait(&f->done, &f->lock);
        return 0;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout > 1e9)
        timeout = 1e9;
    long long ns = (long long)(timeout * 1e9) + until.tv_nsec;
    until.tv_sec += (time_t)(ns / 1000000000LL);
    until.tv_nsec = (long)(ns % 1000000000LL);
    while (f->state < CF_FINISHED) {
        if (pthread_cond_timedwait(&f->done, &f->lock, &until) == ETIMEDOUT &&
            f->state < CF_FINISHED)
            return CO_ETIMEDOUT;
    }
    return 0;
}

static int outcome(co_cfuture *f, double timeout, int kind, void *out)
{
    if (!f || timeout != timeout)
        return CO_EINVAL;
    int rc = wait_done(f, timeout);
    if (rc == 0) {
        if (f->state == CF_CANCELLED)
            rc = CO_ECANCELLED;
        else if (f->err)
            rc = f->err;
        else if (f->kind != kind)
            rc = CO_EKIND;
        else if (kind == CO_KIND_INT && out)
            *(long long *)out = f->v.i;
        else if (out)
            *(void **)out = f->v.p;
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int co_cfuture_result_int(co_cfuture *f, double timeout, long long *out)
{
    return outcome(f, timeout, CO_KIND_INT, out);
}

int co_cfuture_result_ptr(co_cfuture *f, double timeout, void **out)
{
    return outcome(f, timeout, CO_KIND_PTR, out);
}

int co_cfuture_exception(co_cfuture *f, double timeout, const char **message)
{
    if (message)
        *message = NULL;
    if (!f || timeout != timeout)
        return CO_EINVAL;
    int rc = wait_done(f, timeout);
    if (rc == 0) {
        if (f->state == CF_CANCELLED) {
            rc = CO_ECANCELLED;
        } else {
            rc = f->err;
            if (message)
                *message = f->msg;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int co_cfuture_add_done_callback(co_cfuture *f, co_cfuture_callback fn,
                                 void *arg)
{
    if (!f || !fn)
        return CO_EINVAL;
    cf_cb *cb = malloc(sizeof *cb);
    if (!cb)
        return CO_ENOMEM;
    cb->fn = fn;
    cb->arg = arg;
    cb->next = NULL;
    pthread_mutex_lock(&f->lock);
    if (f->state < CF_FINISHED) {
        if (f->last)
            f->last->next = cb;
        else
            f->cbs = cb;
        f->last = cb;
        pthread_mutex_unlock(&f->lock);
        return 0;
    }
    pthread_mutex_unlock(&f->lock);
    free(cb);
    fn(f, arg); /* already done: at once, in this thread */
    return 0;
}

/* ---- wrap_future: a loop future that mirrors a concurrent one ---------- */

/* Two sides hold it: the loop side (until the loop future is done, or the
 * loop closes) and the concurrent side (its done-callback, then the call it
 * posts to the loop). Whichever lets go last frees it. */
typedef struct bridge {
    co__outside link;   /* in loop->outside while the loop side waits */
    atomic_uint refs;   /* 2 at first: loop side + concurrent side */
    co_loop *loop;      /* loop side only */
    co_future *lf;      /* loop side only: our reference, NULL once let go */
    co_cfuture *cf;     /* our reference */
    co__chan *chan;     /* our reference: where the concurrent side posts */
} bridge;

static void bridge_unref(void *arg)
{
    bridge *b = arg;
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
        return;
    co_cfuture_unref(b->cf);
    co__chan_unref(b->chan);
    free(b);
}

/* Loop side ends: the loop future is done (or the loop is closing). */
static void let_go(bridge *b)
{
    co__outside_unlink(b->loop, &b->link);
    co__loop_unhold(b->loop);
    co_future *lf = b->lf;
    b->lf = NULL;
    co_future_unref(lf);
    bridge_unref(b);
}

static void on_loop_future_done(co_future *lf, void *arg)
{
    bridge *b = arg;
    if (b->lf != lf)
        return;
    if (co_future_cancelled(lf))
        co_cfuture_cancel(b->cf); /* false if already running: it goes on */
    let_go(b);
}

/* On the loop thread, after the concurrent future finished. */
static void deliver(void *arg)
{
    bridge *b = arg;
    co_future *lf = b->lf;
    if (lf && !co_future_done(lf)) {
        co_cfuture *cf = b->cf;
        /* Done: its fields no longer change, reading them unlocked is
         * safe (the lock/unlock in state_of orders us after the writer). */
        if (co_cfuture_cancelled(cf))
            co_future_cancel(lf);
        else if (cf->err)
            co_future_set_exception(lf, cf->err, cf->msg);
        else if (cf->kind == CO_KIND_PTR)
            co_future_set_result_ptr(lf, cf->v.p);
        else
            co_future_set_result_int(lf, cf->v.i);
    }
    bridge_unref(b); /* the concurrent side's reference, carried here */
}

/* Any thread: the concurrent future just finished. */
static void on_cfuture_done(co_cfuture *cf, void *arg)
{
    (void)cf;
    bridge *b = arg;
    if (co__chan_post(b->chan, deliver, bridge_unref, b) < 0)
        bridge_unref(b); /* the loop is gone (or no memory): let go */
}

static void bridge_detach(co__outside *o)
{
    bridge *b = (bridge *)(void *)o; /* link is the first member */
    if (b->lf)
        co_future_remove_done_callback(b->lf, on_loop_future_done, b);
    let_go(b);
}

int co_wrap_future(co_loop *loop, co_cfuture *cf, co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop || !cf || !out)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    bridge *b = calloc(1, sizeof *b);
    if (!b)
        return CO_ENOMEM;
    int rc = co_future_new(loop, &b->lf);
    if (rc == 0)
        rc = co_future_add_done_callback(b->lf, on_loop_future_done, b);
    if (rc < 0) {
        co_future_unref(b->lf);
        free(b);
        return rc;
    }
    atomic_init(&b->refs, 2);
    b->loop = loop;
    b->cf = co_cfuture_ref(cf);
    b->chan = co__chan_ref(loop->chan);
    b->link.detach = bridge_detach;
    if (co__outside_link(loop, &b->link) < 0) {
        co_future_unref(b->lf);
        co_cfuture_unref(b->cf);
        co__chan_unref(b->chan);
        free(b);
        return CO_ENOMEM;
    }
    co__loop_hold(loop);
    *out = co_future_ref(b->lf);
    rc = co_cfuture_add_done_callback(cf, on_cfuture_done, b);
    if (rc < 0) {
        /* Cannot hear from cf: fail the loop future rather than hang. */
        co_future_set_exception(b->lf, rc, "could not watch the concurrent "
                                           "future");
        bridge_unref(b); /* the concurrent side's reference */
    }
    return 0;
}
