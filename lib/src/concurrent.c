/* concurrent.c - concurrent.futures.Future: a future guarded by a mutex,
 * with a condition variable for the threads that block on it. Lesson 09.
 * Done-callbacks run outside the lock: a callback that takes a lock of its
 * own (or touches the future again) must never run while we hold ours. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "threads_internal.h"

enum { CF_PENDING, CF_RUNNING, CF_FINISHED, CF_CANCELLED };

/* What a pointer result is: a plain pointer (not owned), an object the
 * future owns with its free function, or a co_bytes it owns. */
enum { OBJ_NONE, OBJ_PTR, OBJ_BYTES };

/* Frees an owned object of kind @p obj. */
static void free_object(int obj, void *p, co_free_fn free_fn)
{
    if (obj == OBJ_PTR && free_fn)
        free_fn(p);
    else if (obj == OBJ_BYTES)
        co_bytes_free(p);
}

void co_bytes_free(co_bytes *b)
{
    free(b);
}

co_bytes *co__bytes_copy(const void *data, size_t len)
{
    if (len > SIZE_MAX / 2 || (len && !data))
        return NULL;
    co_bytes *b = malloc(sizeof *b + len + 1);
    if (!b)
        return NULL;
    b->len = len;
    if (len)
        memcpy(b->data, data, len);
    b->data[len] = 0;
    return b;
}

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
    co_free_fn free_fn;     /* with OBJ_PTR: frees v.p */
    unsigned char obj;      /* OBJ_*: whether v.p is owned, and how */
    bool taken;             /* the object was taken: no longer owned */
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
    if (!f->taken)
        free_object(f->obj, f->v.p, f->free_fn);
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

static int finish_obj(co_cfuture *f, int kind, long long i, void *p, int err,
                      char *msg, int obj, co_free_fn free_fn)
{
    pthread_mutex_lock(&f->lock);
    if (f->state == CF_FINISHED || f->state == CF_CANCELLED) {
        pthread_mutex_unlock(&f->lock);
        free(msg);
        free_object(obj, p, free_fn); /* it was handed over: let it go */
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
        f->obj = (unsigned char)obj;
        f->free_fn = free_fn;
    }
    settle(f);
    return 0;
}

static int finish(co_cfuture *f, int kind, long long i, void *p, int err,
                  char *msg)
{
    return finish_obj(f, kind, i, p, err, msg, OBJ_NONE, NULL);
}

int co_cfuture_set_result_object(co_cfuture *f, void *p, co_free_fn free_fn)
{
    if (!f) {
        if (free_fn)
            free_fn(p);
        return CO_EINVAL;
    }
    return finish_obj(f, CO_KIND_PTR, 0, p, 0, NULL,
                      free_fn ? OBJ_PTR : OBJ_NONE, free_fn);
}

int co_cfuture_set_result_bytes(co_cfuture *f, const void *data, size_t len)
{
    if (!f || (len && !data))
        return CO_EINVAL;
    co_bytes *b = co__bytes_copy(data, len);
    if (!b)
        return CO_ENOMEM;
    return finish_obj(f, CO_KIND_PTR, 0, b, 0, NULL, OBJ_BYTES, NULL);
}

int co__cfuture_set_bytes(co_cfuture *f, co_bytes *b)
{
    return finish_obj(f, CO_KIND_PTR, 0, b, 0, NULL, OBJ_BYTES, NULL);
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
        else if (f->obj && f->taken)
            rc = CO_ETAKEN;
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

/* For take and bytes: waits, then checks that it holds an object of kind
 * @p obj (OBJ_PTR also accepts bytes) not taken yet. Lock held on 0. */
static int object_of(co_cfuture *f, double timeout, int obj)
{
    if (!f || timeout != timeout)
        return CO_EINVAL;
    int rc = wait_done(f, timeout);
    if (rc == 0) {
        if (f->state == CF_CANCELLED)
            rc = CO_ECANCELLED;
        else if (f->err)
            rc = f->err;
        else if (f->obj == OBJ_NONE || (obj == OBJ_BYTES && f->obj != obj))
            rc = CO_EKIND;
        else if (f->taken)
            rc = CO_ETAKEN;
    }
    if (rc != 0)
        pthread_mutex_unlock(&f->lock);
    return rc;
}

int co_cfuture_take_ptr(co_cfuture *f, double timeout, void **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return CO_EINVAL;
    int rc = object_of(f, timeout, OBJ_PTR);
    if (rc == 0) {
        *out = f->v.p;
        f->taken = true;
        pthread_mutex_unlock(&f->lock);
    }
    return rc;
}

int co_cfuture_result_bytes(co_cfuture *f, double timeout, const void **data,
                            size_t *len)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!data || !len)
        return CO_EINVAL;
    int rc = object_of(f, timeout, OBJ_BYTES);
    if (rc == 0) {
        const co_bytes *b = f->v.p;
        *data = b->data;
        *len = b->len;
        pthread_mutex_unlock(&f->lock);
    }
    return rc;
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

/* ---- job futures: loop futures that may own their result --------------- */

/* The loop future of a job (co_wrap_future, run_in_executor, the process
 * pool): a plain future that may own its pointer result, freed with it
 * unless someone takes it. */
typedef struct job_future {
    co_future fut;      /* must stay first */
    co_free_fn free_fn; /* with OBJ_PTR: frees fut.v.p */
    unsigned char obj;  /* OBJ_*: whether fut.v.p is owned, and how */
    bool taken;         /* taken by co_job_take_ptr: no longer owned */
} job_future;

static void job_release(co_future *f)
{
    job_future *jf = (job_future *)(void *)f;
    if (f->state == CO__FINISHED && f->kind == CO_KIND_PTR && !jf->taken)
        free_object(jf->obj, f->v.p, jf->free_fn);
}

static const co__future_ops job_ops = {.what = "future",
                                       .release = job_release};
CO__FUTURE_TYPE(job_type, job_ops)

int co__job_future_new(co_loop *loop, co_future **out)
{
    return co__future_new_typed(loop, sizeof(job_future), job_type, out);
}

int co__job_future_set_object(co_future *f, int obj, void *p,
                              co_free_fn free_fn)
{
    int rc = co_future_set_result_ptr(f, p);
    if (rc < 0) {
        free_object(obj, p, free_fn);
        return rc;
    }
    job_future *jf = (job_future *)(void *)f;
    jf->obj = (unsigned char)obj;
    jf->free_fn = free_fn;
    return 0;
}

int co__job_future_set_bytes(co_future *f, co_bytes *b)
{
    return co__job_future_set_object(f, OBJ_BYTES, b, NULL);
}

/* For take and bytes on the loop side: 0 if @p f holds an object of kind
 * @p obj (OBJ_PTR also accepts bytes) not taken yet. */
static int job_object(co_future *f, int obj)
{
    if (!f || co__future_ops_of(f) != &job_ops)
        return CO_EINVAL;
    if (!co_future_done(f))
        return CO_ESTATE;
    int rc = co_future_exception(f, NULL);
    if (rc)
        return rc;
    job_future *jf = (job_future *)(void *)f;
    if (f->kind != CO_KIND_PTR || jf->obj == OBJ_NONE ||
        (obj == OBJ_BYTES && jf->obj != obj))
        return CO_EKIND;
    return jf->taken ? CO_ETAKEN : 0;
}

int co_job_take_ptr(co_future *f, void **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return CO_EINVAL;
    int rc = job_object(f, OBJ_PTR);
    if (rc == 0) {
        *out = f->v.p;
        ((job_future *)(void *)f)->taken = true;
    }
    return rc;
}

int co_job_result_bytes(co_future *f, const void **data, size_t *len)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!data || !len)
        return CO_EINVAL;
    int rc = job_object(f, OBJ_BYTES);
    if (rc == 0) {
        const co_bytes *b = f->v.p;
        *data = b->data;
        *len = b->len;
    }
    return rc;
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
        if (co_cfuture_cancelled(cf)) {
            co_future_cancel(lf);
        } else if (cf->err) {
            co_future_set_exception(lf, cf->err, cf->msg);
        } else if (cf->kind == CO_KIND_PTR) {
            /* An owned object moves over to the loop future (unless
             * another thread took it from the concurrent one first). */
            pthread_mutex_lock(&cf->lock);
            int obj = cf->taken ? OBJ_NONE : cf->obj;
            void *p = cf->v.p;
            if (obj)
                cf->taken = true;
            pthread_mutex_unlock(&cf->lock);
            if (obj)
                co__job_future_set_object(lf, obj, p, cf->free_fn);
            else
                co_future_set_result_ptr(lf, cf->taken ? NULL : p);
        } else {
            co_future_set_result_int(lf, cf->v.i);
        }
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
    int rc = co__job_future_new(loop, &b->lf);
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
