/* executor.c - ThreadPoolExecutor and loop.run_in_executor(). Lesson 09.
 * Workers are started only when a job finds no idle one, up to max_workers,
 * as CPython's pool does. The loop never waits for a job: it awaits a loop
 * future that co_wrap_future() completes on the loop's thread. */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "threads_internal.h"

typedef struct job {
    co_job_fn fn;       /* the job */
    void *arg;          /* its argument (the caller's) */
    co_cfuture *cf;     /* our reference: where its outcome goes */
    struct job *next;   /* queue order */
} job;

/* Invariant: every field but max_workers changes under `lock`; `threads`
 * holds the nthreads workers not yet joined. */
struct co_executor {
    pthread_mutex_t lock;   /* guards the queue and the counts */
    pthread_cond_t work;    /* signalled when a job or shutdown arrives */
    job *head, *tail;       /* jobs not started, oldest first */
    size_t queued;          /* how many */
    pthread_t *threads;     /* workers to join one day */
    int nthreads;           /* how many workers were started */
    int idle;               /* workers waiting for a job */
    int max_workers;        /* the most workers at once */
    bool shutdown;          /* no new jobs */
};

static int default_workers(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    return cpus + 4 < 32 ? (int)cpus + 4 : 32;
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
    ex->threads = calloc((size_t)ex->max_workers, sizeof *ex->threads);
    if (!ex->threads) {
        free(ex);
        return CO_ENOMEM;
    }
    if (pthread_mutex_init(&ex->lock, NULL) != 0) {
        free(ex->threads);
        free(ex);
        return CO_ESYS;
    }
    if (pthread_cond_init(&ex->work, NULL) != 0) {
        pthread_mutex_destroy(&ex->lock);
        free(ex->threads);
        free(ex);
        return CO_ESYS;
    }
    *out = ex;
    return 0;
}

int co_executor_max_workers(const co_executor *ex)
{
    return ex ? ex->max_workers : 0;
}

static void run_job(job *j)
{
    /* A job cancelled while queued is skipped; once RUNNING it can no
     * longer be cancelled, exactly as in concurrent.futures. */
    if (co_cfuture_set_running_or_notify_cancel(j->cf)) {
        long long r = j->fn(j->arg);
        if (r < 0)
            co_cfuture_set_exception(j->cf, (int)(r < INT_MIN ? CO_EFAIL : r),
                                     NULL);
        else
            co_cfuture_set_result_int(j->cf, r);
    }
    co_cfuture_unref(j->cf);
    free(j);
}

static void *worker(void *arg)
{
    co_executor *ex = arg;
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
        pthread_mutex_unlock(&ex->lock);
        run_job(j);
        pthread_mutex_lock(&ex->lock);
    }
    pthread_mutex_unlock(&ex->lock);
    return NULL;
}

int co_executor_submit(co_executor *ex, co_job_fn fn, void *arg,
                       co_cfuture **out)
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
    /* More jobs waiting than idle workers: start one, if allowed. */
    if ((size_t)ex->idle < ex->queued && ex->nthreads < ex->max_workers) {
        if (pthread_create(&ex->threads[ex->nthreads], NULL, worker, ex) == 0)
            ex->nthreads++;
        else if (ex->nthreads == 0) {
            /* Nobody could ever run it: take it back. */
            ex->head = ex->tail = NULL;
            ex->queued = 0;
            pthread_mutex_unlock(&ex->lock);
            co_cfuture_unref(j->cf);
            free(j);
            return CO_ESYS;
        }
    }
    *out = co_cfuture_ref(j->cf);
    pthread_cond_signal(&ex->work);
    pthread_mutex_unlock(&ex->lock);
    return 0;
}

int co_executor_shutdown(co_executor *ex, bool wait, bool cancel_futures)
{
    if (!ex)
        return CO_EINVAL;
    job *cancelled = NULL;
    pthread_mutex_lock(&ex->lock);
    ex->shutdown = true;
    if (cancel_futures) {
        cancelled = ex->head;
        ex->head = ex->tail = NULL;
        ex->queued = 0;
    }
    pthread_cond_broadcast(&ex->work);
    int n = wait ? ex->nthreads : 0;
    pthread_mutex_unlock(&ex->lock);
    /* Outside the lock: a cancel runs done-callbacks, which may post to a
     * loop or take locks of their own. */
    while (cancelled) {
        job *next = cancelled->next;
        co_cfuture_cancel(cancelled->cf);
        co_cfuture_unref(cancelled->cf);
        free(cancelled);
        cancelled = next;
    }
    if (wait) {
        /* No thread is started after shutdown, so threads[0..n) is fixed. */
        for (int i = 0; i < n; i++)
            pthread_join(ex->threads[i], NULL);
        pthread_mutex_lock(&ex->lock);
        ex->nthreads = 0;
        pthread_mutex_unlock(&ex->lock);
    }
    return 0;
}

void co_executor_free(co_executor *ex)
{
    if (!ex)
        return;
    co_executor_shutdown(ex, true, false);
    pthread_cond_destroy(&ex->work);
    pthread_mutex_destroy(&ex->lock);
    free(ex->threads);
    free(ex);
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
    if (!ex) {
        co_executor **slot = co__default_executor(loop);
        if (!slot)
            return CO_ENOMEM;
        if (!*slot) {
            int rc = co_executor_new(slot, 0);
            if (rc < 0)
                return rc;
        }
        ex = *slot;
    }
    co_cfuture *cf;
    int rc = co_executor_submit(ex, fn, arg, &cf);
    if (rc < 0)
        return rc;
    rc = co_wrap_future(loop, cf, out);
    if (rc < 0)
        co_cfuture_cancel(cf); /* nobody will ever look at it */
    co_cfuture_unref(cf);
    return rc;
}
