/* executor.c - ThreadPoolExecutor and loop.run_in_executor(). Lesson 09.
 * Workers are started only when a job finds no idle one, up to max_workers,
 * as CPython's pool does. The loop never waits for a job: it awaits a loop
 * future that co_wrap_future() completes on the loop's thread. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "threads_internal.h"

typedef struct job {
    co_job_fn fn;       /* the job */
    void *arg;          /* its argument (the caller's) */
    co_cfuture *cf;     /* our reference: where its outcome goes */
    co__job_watch *watch; /* our reference, when the timeline records it */
    struct job *next;   /* queue order */
} job;

/* What became of one worker thread. */
enum {
    SLOT_RUNNING,   /* started, not ended: co_executor_shutdown waits for it */
    SLOT_EXITED,    /* ended, to be joined */
    SLOT_JOINED,    /* joined: nothing left to do */
    SLOT_ABANDONED  /* its job outlived the shutdown timeout: detached */
};

typedef struct slot {
    struct co_executor *ex; /* the pool (the thread's argument) */
    pthread_t thread;       /* the worker */
    int state;              /* SLOT_* */
    bool busy;              /* running a job right now */
} slot;

/* Invariant: every field but max_workers and slots' ex changes under
 * `lock`. The struct is shared by its owner (until co_executor_free) and by
 * every worker thread until that thread ends: `refs` counts them, and
 * whoever drops the last reference frees it. That is what makes a thread
 * abandoned at shutdown safe: when its job finally returns, the pool it
 * comes back to is still there, and it frees it on its way out. */
struct co_executor {
    pthread_mutex_t lock;   /* guards the queue and the counts */
    pthread_cond_t work;    /* signalled when a job or shutdown arrives */
    pthread_cond_t ended;   /* broadcast when a worker ends, or starts a
                             * job during shutdown (monotonic clock) */
    job *head, *tail;       /* jobs not started, oldest first */
    size_t queued;          /* how many */
    slot *slots;            /* max_workers slots, the first nthreads used */
    int nthreads;           /* how many workers were started */
    int running;            /* workers in SLOT_RUNNING */
    int idle;               /* workers waiting for a job */
    int max_workers;        /* the most workers at once */
    unsigned refs;          /* the owner + every worker not yet ended */
    double shutdown_timeout; /* seconds a shutdown waits for jobs; < 0: ever */
    co_loop *loop;          /* the loop whose default pool this is, or NULL */
    bool shutdown;          /* no new jobs */
    co__resource open_on;   /* debug mode: "left open" at a loop's close */
    unsigned id;            /* its number, for the timeline's lanes */
};

/* Threads abandoned by a timed-out shutdown whose job has not returned. */
static atomic_int abandoned_threads;
/* Pools made so far: each one's number. */
static atomic_uint pools_made;

static int default_workers(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    return cpus + 4 < 32 ? (int)cpus + 4 : 32;
}

static void destroy(co_executor *ex)
{
    pthread_cond_destroy(&ex->ended);
    pthread_cond_destroy(&ex->work);
    pthread_mutex_destroy(&ex->lock);
    free(ex->slots);
    free(ex);
}

int co_executor_new(co_executor **out, int max_workers)
{
    if (out)
        *out = NULL;
    if (!out || max_workers < 0)
        return CO_EINVAL;
    co_executor *ex = calloc(1, sizeof *ex);
    if (!ex)
        return CO_ENOMEM;
    ex->max_workers = max_workers ? max_workers : default_workers();
    ex->slots = calloc((size_t)ex->max_workers, sizeof *ex->slots);
    if (!ex->slots) {
        free(ex);
        return CO_ENOMEM;
    }
    pthread_condattr_t attr;
    int ok = 0;
    if (pthread_mutex_init(&ex->lock, NULL) == 0) {
        ok = 1;
        if (pthread_cond_init(&ex->work, NULL) == 0) {
            ok = 2;
            /* The shutdown's timeout is measured on the monotonic clock,
             * so that setting the wall clock cannot stretch it. */
            if (pthread_condattr_init(&attr) == 0) {
                if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
                    pthread_cond_init(&ex->ended, &attr) == 0)
                    ok = 3;
                pthread_condattr_destroy(&attr);
            }
        }
    }
    if (ok < 3) {
        if (ok >= 2)
            pthread_cond_destroy(&ex->work);
        if (ok >= 1)
            pthread_mutex_destroy(&ex->lock);
        free(ex->slots);
        free(ex);
        return CO_ESYS;
    }
    for (int i = 0; i < ex->max_workers; i++)
        ex->slots[i].ex = ex;
    ex->refs = 1;
    ex->id = atomic_fetch_add(&pools_made, 1) + 1;
    ex->shutdown_timeout = CO_EXECUTOR_SHUTDOWN_TIMEOUT;
    *out = ex;
    return 0;
}

int co_executor_max_workers(const co_executor *ex)
{
    return ex ? ex->max_workers : 0;
}

int co_executor_set_shutdown_timeout(co_executor *ex, double seconds)
{
    if (!ex || seconds != seconds)
        return CO_EINVAL;
    pthread_mutex_lock(&ex->lock);
    ex->shutdown_timeout = seconds;
    pthread_mutex_unlock(&ex->lock);
    return 0;
}

int co_executor_abandoned(void)
{
    return atomic_load(&abandoned_threads);
}

/* What the job running on this thread handed back besides its number
 * (co_job_return_ptr / _bytes); NULL outside a job. */
typedef struct job_result {
    void *p;            /* the pointer, or the co_bytes */
    co_free_fn free_fn; /* frees p (a pointer result), or NULL */
    int what;           /* 0 nothing, 1 a pointer, 2 bytes */
} job_result;

static CO__TLS job_result *this_job;

static void drop_result(job_result *res)
{
    if (res->what == 1 && res->free_fn)
        res->free_fn(res->p);
    else if (res->what == 2)
        co_bytes_free(res->p);
    res->what = 0;
}

int co_job_return_ptr(void *p, co_free_fn free_fn)
{
    job_result *res = this_job;
    if (!res)
        return CO_ENOTJOB;
    drop_result(res); /* a second call replaces the first */
    res->p = p;
    res->free_fn = free_fn;
    res->what = 1;
    return 0;
}

int co_job_return_bytes(const void *data, size_t len)
{
    job_result *res = this_job;
    if (!res)
        return CO_ENOTJOB;
    if (len && !data)
        return CO_EINVAL;
    co_bytes *b = co__bytes_copy(data, len);
    if (!b)
        return len > SIZE_MAX / 2 ? CO_EINVAL : CO_ENOMEM;
    drop_result(res);
    res->p = b;
    res->what = 2;
    return 0;
}

/* ---- the timeline's job records (co__job_watch) ------------------------- */

void co__job_watch_ref(co__job_watch *w)
{
    atomic_fetch_add_explicit(&w->refs, 1, memory_order_relaxed);
}

void co__job_watch_unref(co__job_watch *w)
{
    if (w && atomic_fetch_sub_explicit(&w->refs, 1, memory_order_acq_rel) == 1)
        free(w);
}

/* Now on co_loop_time's clock, from any thread. */
static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The worker marks where the job began (@p ended false) or ended. */
static void watch_mark(co__job_watch *w, const slot *me, bool ended)
{
    if (!w)
        return;
    if (ended) {
        w->end = monotonic_now();
        atomic_store_explicit(&w->stage, CO__JOB_ENDED, memory_order_release);
        return;
    }
    w->worker = (int)(me - me->ex->slots);
    w->start = monotonic_now();
    atomic_store_explicit(&w->stage, CO__JOB_RUNNING, memory_order_release);
}

/* A record for a job of @p ex that @p loop's watcher wants, or NULL. */
static co__job_watch *watch_new(co_loop *loop, co_executor *ex, bool dflt)
{
    co__job_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL; /* the picture misses this job */
    atomic_init(&w->refs, 1);
    atomic_init(&w->stage, CO__JOB_QUEUED);
    w->pool = ex->id;
    w->default_pool = dflt;
    co__loop_note(loop, CO__NOTE_JOB, w);
    if (!w->wanted) {
        co__job_watch_unref(w);
        return NULL;
    }
    return w;
}

static void run_job(co_executor *ex, slot *me, job *j)
{
    /* A job cancelled while queued is skipped; once RUNNING it can no
     * longer be cancelled, exactly as in concurrent.futures. */
    bool run = co_cfuture_set_running_or_notify_cancel(j->cf);
    job_result res = {.what = 0};
    if (run)
        watch_mark(j->watch, me, false);
    this_job = &res;
    long long r = run ? j->fn(j->arg) : 0;
    this_job = NULL;
    if (run)
        watch_mark(j->watch, me, true);
    /* The job itself is over. What is left (settling the future, whose
     * callbacks only post to a loop) never blocks, so a shutdown may wait
     * for it without a limit: the thread is busy no more. This comes
     * before the result, so whoever sees the result sees it not busy. */
    pthread_mutex_lock(&ex->lock);
    me->busy = false;
    pthread_mutex_unlock(&ex->lock);
    if (run) {
        if (r < 0) {
            drop_result(&res); /* a failure has no result */
            co_cfuture_set_exception(j->cf, (int)(r < INT_MIN ? CO_EFAIL : r),
                                     NULL);
        } else if (res.what == 1) {
            co_cfuture_set_result_object(j->cf, res.p, res.free_fn);
        } else if (res.what == 2) {
            co__cfuture_set_bytes(j->cf, res.p);
        } else {
            co_cfuture_set_result_int(j->cf, r);
        }
    }
    co_cfuture_unref(j->cf);
    co__job_watch_unref(j->watch);
    free(j);
}

static void *worker(void *arg)
{
    slot *me = arg;
    co_executor *ex = me->ex;
    pthread_mutex_lock(&ex->lock);
    for (;;) {
        while (!ex->head && !ex->shutdown) {
            ex->idle++;
            pthread_cond_wait(&ex->work, &ex->lock);
            ex->idle--;
        }
        job *j = ex->head;
        if (!j)
            break; /* shut down and nothing left */
        ex->head = j->next;
        if (!ex->head)
            ex->tail = NULL;
        ex->queued--;
        me->busy = true;
        /* A shutdown waiting without a limit for idle workers must look
         * again: this one is busy now, and gets only the timeout. */
        if (ex->shutdown)
            pthread_cond_broadcast(&ex->ended);
        pthread_mutex_unlock(&ex->lock);
        run_job(ex, me, j);
        pthread_mutex_lock(&ex->lock);
    }
    bool abandoned = me->state == SLOT_ABANDONED;
    if (!abandoned) {
        me->state = SLOT_EXITED;
        ex->running--;
        pthread_cond_broadcast(&ex->ended);
    }
    bool last = --ex->refs == 0;
    pthread_mutex_unlock(&ex->lock);
    if (last)
        destroy(ex); /* abandoned, and the owner has let go already */
    if (abandoned)
        atomic_fetch_sub(&abandoned_threads, 1);
    return NULL;
}

/* Queues a job; on success it takes over @p watch (which may be NULL). */
static int submit(co_executor *ex, co_job_fn fn, void *arg,
                  co__job_watch *watch, co_cfuture **out)
{
    if (out)
        *out = NULL;
    if (!ex || !fn || !out)
        return CO_EINVAL;
    job *j = malloc(sizeof *j);
    if (!j)
        return CO_ENOMEM;
    int rc = co_cfuture_new(&j->cf);
    if (rc < 0) {
        free(j);
        return rc;
    }
    j->fn = fn;
    j->arg = arg;
    j->watch = NULL;
    j->next = NULL;
    pthread_mutex_lock(&ex->lock);
    if (ex->shutdown) {
        pthread_mutex_unlock(&ex->lock);
        co_cfuture_unref(j->cf);
        free(j);
        return CO_ESHUTDOWN;
    }
    if (ex->tail)
        ex->tail->next = j;
    else
        ex->head = j;
    ex->tail = j;
    ex->queued++;
    /* More jobs waiting than idle workers: start one, if allowed. The new
     * thread takes the lock before anything else, so it sees its slot
     * filled in below. */
    if ((size_t)ex->idle < ex->queued && ex->nthreads < ex->max_workers) {
        slot *sl = &ex->slots[ex->nthreads];
        if (pthread_create(&sl->thread, NULL, worker, sl) == 0) {
            sl->state = SLOT_RUNNING;
            sl->busy = false;
            ex->nthreads++;
            ex->running++;
            ex->refs++;
        } else if (ex->nthreads == 0) {
            /* Nobody could ever run it: take it back. */
            ex->head = ex->tail = NULL;
            ex->queued = 0;
            pthread_mutex_unlock(&ex->lock);
            co_cfuture_unref(j->cf);
            free(j);
            return CO_ESYS;
        }
    }
    j->watch = watch;
    *out = co_cfuture_ref(j->cf);
    pthread_cond_signal(&ex->work);
    pthread_mutex_unlock(&ex->lock);
    return 0;
}

int co_executor_submit(co_executor *ex, co_job_fn fn, void *arg,
                       co_cfuture **out)
{
    return submit(ex, fn, arg, NULL, out);
}

static void cancel_jobs(job *list)
{
    while (list) {
        job *next = list->next;
        co_cfuture_cancel(list->cf);
        co_cfuture_unref(list->cf);
        co__job_watch_unref(list->watch); /* never ran: no bar */
        free(list);
        list = next;
    }
}

/* Waits, lock held, until every worker has ended, or - for the workers in
 * the middle of a job - until the shutdown timeout has passed. Those are
 * then abandoned: detached, left to run, and counted. Returns how many. */
static int wait_or_abandon(co_executor *ex, job **dropped)
{
    double timeout = ex->shutdown_timeout;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout > 1e9)
        timeout = 1e9;
    if (timeout > 0) {
        long long ns = (long long)(timeout * 1e9) + until.tv_nsec;
        until.tv_sec += (time_t)(ns / 1000000000LL);
        until.tv_nsec = (long)(ns % 1000000000LL);
    }
    bool late = false; /* the timeout has passed */
    int abandoned = 0;
    while (ex->running > 0) {
        int busy = 0;
        for (int i = 0; i < ex->nthreads; i++)
            busy += ex->slots[i].state == SLOT_RUNNING && ex->slots[i].busy;
        if (busy && late) {
            for (int i = 0; i < ex->nthreads; i++) {
                slot *sl = &ex->slots[i];
                if (sl->state != SLOT_RUNNING || !sl->busy)
                    continue;
                pthread_detach(sl->thread);
                sl->state = SLOT_ABANDONED;
                ex->running--;
                abandoned++;
                atomic_fetch_add(&abandoned_threads, 1);
            }
            /* What is still queued would be run by abandoned threads once
             * their job returns, long after the owner has gone: cancel it. */
            *dropped = ex->head;
            ex->head = ex->tail = NULL;
            ex->queued = 0;
            continue;
        }
        /* Idle workers are on their way out already: wait for them without
         * a limit. Busy ones get until the deadline. */
        if (!busy || timeout < 0)
            pthread_cond_wait(&ex->ended, &ex->lock);
        else if (timeout == 0 ||
                 pthread_cond_timedwait(&ex->ended, &ex->lock, &until) ==
                     ETIMEDOUT)
            late = true;
    }
    for (int i = 0; i < ex->nthreads; i++) {
        slot *sl = &ex->slots[i];
        if (sl->state == SLOT_EXITED) {
            /* It has let go of the lock for good and only returns now. */
            pthread_join(sl->thread, NULL);
            sl->state = SLOT_JOINED;
        }
    }
    return abandoned;
}

int co_executor_shutdown(co_executor *ex, bool wait, bool cancel_futures)
{
    if (!ex)
        return CO_EINVAL;
    co__resource_close(&ex->open_on); /* debug mode: closed in time */
    job *cancelled = NULL, *dropped = NULL;
    pthread_mutex_lock(&ex->lock);
    ex->shutdown = true;
    if (cancel_futures) {
        cancelled = ex->head;
        ex->head = ex->tail = NULL;
        ex->queued = 0;
    }
    pthread_cond_broadcast(&ex->work);
    pthread_mutex_unlock(&ex->lock);
    /* Outside the lock: a cancel runs done-callbacks, which may post to a
     * loop or take locks of their own. */
    cancel_jobs(cancelled);
    if (!wait)
        return 0;
    pthread_mutex_lock(&ex->lock);
    double timeout = ex->shutdown_timeout;
    co_loop *loop = ex->loop;
    int abandoned = wait_or_abandon(ex, &dropped);
    pthread_mutex_unlock(&ex->lock);
    cancel_jobs(dropped);
    if (!abandoned)
        return 0;
    char msg[240];
    snprintf(msg, sizeof msg, "executor: %d job%s still running %g s after "
             "the shutdown began; %s thread%s abandoned (it runs on, and the "
             "pool is freed when the last such job returns)", abandoned,
             abandoned == 1 ? " was" : "s were", timeout,
             abandoned == 1 ? "its" : "their", abandoned == 1 ? " is" : "s are");
    co_loop_report(loop, msg);
    return CO_ETIMEDOUT;
}

void co_executor_free(co_executor *ex)
{
    if (!ex)
        return;
    co_executor_shutdown(ex, true, false);
    pthread_mutex_lock(&ex->lock);
    bool last = --ex->refs == 0;
    ex->loop = NULL; /* nobody reports from here on */
    pthread_mutex_unlock(&ex->lock);
    if (last)
        destroy(ex);
}

int co_loop_set_default_executor(co_loop *loop, co_executor *ex)
{
    if (!loop || !ex)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co_executor **slot = co__default_executor(loop);
    if (!slot)
        return CO_ENOMEM;
    if (*slot != ex)
        co_executor_free(*slot);
    *slot = ex;
    pthread_mutex_lock(&ex->lock);
    ex->loop = loop; /* a shutdown that abandons a thread reports here */
    pthread_mutex_unlock(&ex->lock);
    return 0;
}

int co_loop_run_in_executor(co_loop *loop, co_executor *ex, co_job_fn fn,
                            void *arg, co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop || !fn || !out)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    bool dflt = !ex;
    if (!ex) {
        co_executor **slot = co__default_executor(loop);
        if (!slot)
            return CO_ENOMEM;
        if (!*slot) {
            int rc = co_executor_new(slot, 0);
            if (rc < 0)
                return rc;
            (*slot)->loop = loop;
        }
        ex = *slot;
    } else {
        /* Debug mode: a pool of the caller's must be shut down before the
         * loop closes (the default one the loop shuts down itself). */
        co__resource_open(loop, &ex->open_on, "executor", NULL);
    }
    /* The timeline: the worker notes when the job runs (lanes per thread). */
    co__job_watch *watch = loop->probe ? watch_new(loop, ex, dflt) : NULL;
    co_cfuture *cf;
    int rc = submit(ex, fn, arg, watch, &cf);
    if (rc < 0) {
        co__job_watch_unref(watch);
        return rc;
    }
    rc = co_wrap_future(loop, cf, out);
    if (rc < 0)
        co_cfuture_cancel(cf); /* nobody will ever look at it */
    co_cfuture_unref(cf);
    return rc;
}

/* ---- loop.shutdown_default_executor() ----------------------------------- */

/* The thread that shuts the default pool down, so that the loop goes on
 * meanwhile and delivers the results of the jobs that still run (as
 * asyncio's _do_shutdown thread). It owns this struct and one reference on
 * the pool; the concurrent future tells the loop it is over. */
typedef struct shutter {
    co_executor *ex;  /* our reference */
    co_cfuture *cf;   /* our reference; wrapped into the loop's future */
} shutter;

static void *shut_down(void *arg)
{
    shutter *s = arg;
    co_executor *ex = s->ex;
    int rc = co_executor_shutdown(ex, true, false);
    pthread_mutex_lock(&ex->lock);
    bool last = --ex->refs == 0;
    pthread_mutex_unlock(&ex->lock);
    if (last)
        destroy(ex);
    if (rc < 0)
        co_cfuture_set_exception(s->cf, rc, "the default executor's jobs did "
                                            "not end within its shutdown "
                                            "timeout");
    else
        co_cfuture_set_result_int(s->cf, 0);
    co_cfuture_unref(s->cf);
    free(s);
    return NULL;
}

int co_loop_shutdown_default_executor(co_loop *loop, co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop || !out)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co_executor **slot = co__default_executor(loop);
    if (!slot)
        return CO_ENOMEM;
    co_executor *ex = *slot;
    if (!ex) { /* nothing to wait for: a future that is done already */
        int rc = co_future_new(loop, out);
        if (rc == 0)
            co_future_set_result_int(*out, 0);
        return rc;
    }
    shutter *s = malloc(sizeof *s);
    if (!s)
        return CO_ENOMEM;
    int rc = co_cfuture_new(&s->cf);
    if (rc == 0 && (rc = co_wrap_future(loop, s->cf, out)) < 0)
        co_cfuture_unref(s->cf);
    if (rc < 0) {
        free(s);
        return rc;
    }
    /* From now on the pool takes no new jobs, as asyncio refuses
     * run_in_executor once this was called. */
    pthread_mutex_lock(&ex->lock);
    ex->shutdown = true;
    pthread_cond_broadcast(&ex->work);
    ex->refs++;
    pthread_mutex_unlock(&ex->lock);
    s->ex = ex;
    pthread_t t;
    if (pthread_create(&t, NULL, shut_down, s) != 0)
        shut_down(s); /* no thread: shut it down here, blocking */
    else if (co__join_at_close(loop, t) < 0)
        pthread_detach(t);
    return 0;
}
