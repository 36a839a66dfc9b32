/* test_threads.c - threads, executors and signals: the wakeup pipe,
 * call_soon_threadsafe, concurrent futures, the thread and process pools,
 * loops in other threads, each thread's current loop, and signals.
 * Nothing here waits with sleep(): threads meet on semaphores and futures,
 * and tests check order and values, never durations. */
#include <check.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "coflow.h"
#include "loop_internal.h" /* for the wakeup pipe's byte count only */
#include "wakeup.h"

#define TEST_TIMEOUT 20

static void swallow(co_loop *loop, const char *message, void *arg)
{
    (void)loop;
    (void)message;
    if (arg)
        ++*(int *)arg;
}

static co_loop *new_loop(void)
{
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_loop_set_exception_handler(loop, swallow, NULL);
    return loop;
}

/* ---- the wakeup ----------------------------------------------------------- */

static void set_flag(void *arg)
{
    *(int *)arg = 1;
}

struct poster {
    co_loop *loop;        /* where to post */
    co_callback fn;       /* what */
    void *arg;            /* with what */
    int times;            /* how often */
};

static void *post_from_thread(void *arg)
{
    struct poster *p = arg;
    for (int i = 0; i < p->times; i++)
        ck_assert_int_eq(co_loop_call_soon_threadsafe(p->loop, p->fn, p->arg),
                         0);
    return NULL;
}

static void stop_loop(void *arg)
{
    co_loop_stop(arg);
}

START_TEST(test_threadsafe_call_wakes_a_loop_asleep_in_select)
{
    co_loop *loop = new_loop();
    int timer_fired = 0;
    /* Held, with one far timer: the loop sleeps in select() until woken. */
    ck_assert_int_eq(co_loop_hold(loop), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 1000, set_flag, &timer_fired,
                                        NULL), 0);
    struct poster p = {loop, stop_loop, loop, 1};
    pthread_t t;
    pthread_create(&t, NULL, post_from_thread, &p);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    pthread_join(t, NULL);
    ck_assert_int_eq(timer_fired, 0);
    ck_assert_int_eq(co_loop_release(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

static void count_call(void *arg)
{
    ++*(int *)arg;
}

START_TEST(test_many_threadsafe_calls_ring_the_pipe_once)
{
    co_loop *loop = new_loop();
    int ran = 0;
    struct poster p = {loop, count_call, &ran, 1000};
    pthread_t t;
    pthread_create(&t, NULL, post_from_thread, &p);
    pthread_join(t, NULL);
    int bytes = -1;
    ck_assert_int_eq(ioctl(loop->chan->rfd, FIONREAD, &bytes), 0);
    ck_assert_int_eq(bytes, 1);
    co_loop_stop(loop);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(ran, 1000);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_signals_in_a_row_ring_the_pipe_once)
{
    co_loop *loop = new_loop();
    /* The doorbell as a signal handler rings it, 50 times in a row. */
    ck_assert_int_eq(co_loop_add_signal_handler(loop, SIGUSR1, set_flag,
                                                NULL), 0);
    for (int i = 0; i < 50; i++)
        raise(SIGUSR1);
    int bytes = -1;
    ck_assert_int_eq(ioctl(loop->chan->rfd, FIONREAD, &bytes), 0);
    ck_assert_int_eq(bytes, 1);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

#define PRODUCERS 4
#define PER_PRODUCER 5000

struct order_log {
    co_loop *loop;               /* the loop */
    int next[PRODUCERS];         /* next sequence number expected */
    int total;                   /* calls seen */
    int out_of_order;            /* calls that came too early or late */
};

struct stamped {
    struct order_log *log;       /* shared log */
    int producer, seq;           /* who posted it, and its number */
};

static void record_stamp(void *arg)
{
    struct stamped *s = arg;
    struct order_log *log = s->log;
    if (log->next[s->producer] != s->seq)
        log->out_of_order++;
    log->next[s->producer] = s->seq + 1;
    if (++log->total == PRODUCERS * PER_PRODUCER)
        co_loop_stop(log->loop);
}

struct producer {
    struct order_log *log;       /* shared log */
    int id;                      /* producer number */
    struct stamped *stamps;      /* PER_PRODUCER of them */
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        p->stamps[i].log = p->log;
        p->stamps[i].producer = p->id;
        p->stamps[i].seq = i;
        while (co_loop_call_soon_threadsafe(p->log->loop, record_stamp,
                                            &p->stamps[i]) != 0)
            continue;
    }
    return NULL;
}

START_TEST(test_threadsafe_calls_from_many_threads_are_neither_lost_nor_reordered)
{
    struct order_log log = {0};
    log.loop = new_loop();
    co_loop_hold(log.loop); /* calls keep coming: never "deadlocked" */
    struct producer p[PRODUCERS];
    pthread_t t[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        p[i].log = &log;
        p[i].id = i;
        p[i].stamps = calloc(PER_PRODUCER, sizeof *p[i].stamps);
        pthread_create(&t[i], NULL, produce, &p[i]);
    }
    ck_assert_int_eq(co_loop_run_forever(log.loop), 0);
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_join(t[i], NULL);
        free(p[i].stamps);
        ck_assert_int_eq(log.next[i], PER_PRODUCER);
    }
    ck_assert_int_eq(log.total, PRODUCERS * PER_PRODUCER);
    ck_assert_int_eq(log.out_of_order, 0);
    co_loop_release(log.loop);
    co_loop_close(log.loop);
}
END_TEST

START_TEST(test_threadsafe_call_still_queued_at_close_never_runs)
{
    co_loop *loop = new_loop();
    int ran = 0;
    ck_assert_int_eq(co_loop_call_soon_threadsafe(loop, set_flag, &ran), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(ran, 0);
}
END_TEST

START_TEST(test_threadsafe_entry_points_reject_bad_arguments)
{
    co_loop *loop = new_loop();
    ck_assert_int_eq(co_loop_call_soon_threadsafe(NULL, set_flag, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_call_soon_threadsafe(loop, NULL, NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_stop_threadsafe(NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_hold(NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_release(loop), CO_ESTATE);
    co_cfuture *cf = (co_cfuture *)1;
    ck_assert_int_eq(co_run_coroutine_threadsafe(NULL, loop, &cf), CO_EINVAL);
    ck_assert_ptr_null(cf);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_a_loop_with_nothing_to_do_still_reports_deadlock)
{
    /* Not held, no outside work: the wakeup pipe alone keeps nobody alive. */
    co_loop *loop = new_loop();
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    co_loop_close(loop);
}
END_TEST

/* A loop running forever in its own thread (the notes' start_loop). */
struct loop_thread {
    co_loop *loop;   /* the loop it runs */
    pthread_t t;     /* the thread */
    int rc;          /* what run_forever returned */
};

static void *run_loop(void *arg)
{
    struct loop_thread *lt = arg;
    co_set_event_loop(lt->loop);
    lt->rc = co_loop_run_forever(lt->loop);
    return NULL;
}

static void start_loop_thread(struct loop_thread *lt)
{
    lt->loop = new_loop();
    co_loop_hold(lt->loop); /* it waits for us instead of finding no work */
    pthread_create(&lt->t, NULL, run_loop, lt);
}

static void stop_loop_thread(struct loop_thread *lt)
{
    ck_assert_int_eq(co_loop_stop_threadsafe(lt->loop), 0);
    pthread_join(lt->t, NULL);
    ck_assert_int_eq(lt->rc, 0);
    co_loop_release(lt->loop);
    ck_assert_int_eq(co_loop_close(lt->loop), 0);
}

START_TEST(test_stop_threadsafe_stops_a_loop_running_in_another_thread)
{
    struct loop_thread lt;
    start_loop_thread(&lt);
    stop_loop_thread(&lt);
}
END_TEST

/* ---- the thread pool -------------------------------------------------- */

static long long times_two(void *arg)
{
    return *(long long *)arg * 2;
}

static long long fail_job(void *arg)
{
    (void)arg;
    return CO_EUSER - 7;
}

struct await_one {
    co_coro co;
    co_job_fn fn;        /* the job */
    void *arg;           /* its argument */
    co_future *f;        /* the job's loop future */
    int caught;          /* how awaiting it ended */
};

static int await_one(co_coro *co)
{
    struct await_one *self = (struct await_one *)co;
    CO_BEGIN(co);
    {
        int rc = co_loop_run_in_executor(co_get_running_loop(), NULL,
                                         self->fn, self->arg, &self->f);
        if (rc < 0)
            CO_RAISE(co, rc, "run_in_executor");
    }
    CO_AWAIT_CATCH(co, self->f, self->caught);
    CO_END(co);
}

START_TEST(test_run_in_executor_gives_the_job_result_on_the_loop)
{
    long long in = 21, v = 0;
    struct await_one m = {.fn = times_two, .arg = &in};
    co_coro_init(&m.co, await_one);
    ck_assert_int_eq(co_run(&m.co), 0);
    ck_assert_int_eq(m.caught, 0);
    ck_assert_int_eq(co_future_result_int(m.f, &v), 0);
    ck_assert_int_eq(v, 42);
    co_future_unref(m.f);
}
END_TEST

START_TEST(test_job_returning_a_negative_code_fails_its_future)
{
    struct await_one m = {.fn = fail_job};
    co_coro_init(&m.co, await_one);
    ck_assert_int_eq(co_run(&m.co), 0);
    ck_assert_int_eq(m.caught, CO_EUSER - 7);
    ck_assert_int_eq(co_future_exception(m.f, NULL), CO_EUSER - 7);
    co_future_unref(m.f);
}
END_TEST

START_TEST(test_run_until_complete_waits_for_a_job_instead_of_deadlock)
{
    co_loop *loop = new_loop();
    long long in = 5, v = 0;
    co_future *f;
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, times_two, &in, &f),
                     0);
    /* Nothing but the job: the loop must sleep until it is done. */
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq(co_future_result_int(f, &v), 0);
    ck_assert_int_eq(v, 10);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_default_pool_size_is_min_32_and_cpus_plus_4)
{
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 0), 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ck_assert_int_eq(co_executor_max_workers(ex), cpus + 4 < 32 ? cpus + 4 : 32);
    co_executor_free(ex);
    ck_assert_int_eq(co_executor_new(&ex, -1), CO_EINVAL);
    ck_assert_int_eq(co_executor_new(&ex, 3), 0);
    ck_assert_int_eq(co_executor_max_workers(ex), 3);
    co_executor_free(ex);
    co_executor_free(NULL);
}
END_TEST

/* A job that reports it started, then blocks until the test lets it go. */
struct gate {
    sem_t go;                /* posted once per job to release */
    atomic_int started;      /* jobs that have begun */
    atomic_int finished;     /* jobs that have ended */
};

static long long gated_job(void *arg)
{
    struct gate *g = arg;
    atomic_fetch_add(&g->started, 1);
    while (sem_wait(&g->go) != 0)
        continue;
    atomic_fetch_add(&g->finished, 1);
    return 7;
}

static long long flag_job(void *arg)
{
    atomic_store((atomic_int *)arg, 1);
    return 0;
}

struct cancel_queued {
    co_coro co;
    co_executor *ex;         /* one worker */
    struct gate *g;          /* blocks the first job */
    atomic_int ran;          /* did the second job run? */
    co_future *first, *second;
    int caught;
};

static int cancel_queued(co_coro *co)
{
    struct cancel_queued *self = (struct cancel_queued *)co;
    co_loop *loop = co_get_running_loop();
    CO_BEGIN(co);
    co_loop_run_in_executor(loop, self->ex, gated_job, self->g, &self->first);
    co_loop_run_in_executor(loop, self->ex, flag_job, &self->ran,
                            &self->second);
    ck_assert(co_future_cancel(self->second));
    /* The cancel reaches the job on the next iteration (a done-callback). */
    CO_YIELD(co);
    CO_YIELD(co);
    sem_post(&self->g->go);
    CO_AWAIT(co, self->first);
    CO_END(co);
}

START_TEST(test_cancelling_the_future_of_a_queued_job_means_it_never_runs)
{
    struct gate g;
    sem_init(&g.go, 0, 0);
    atomic_init(&g.started, 0);
    atomic_init(&g.finished, 0);
    struct cancel_queued m = {.g = &g};
    atomic_init(&m.ran, 0);
    ck_assert_int_eq(co_executor_new(&m.ex, 1), 0);
    co_coro_init(&m.co, cancel_queued);
    ck_assert_int_eq(co_run(&m.co), 0);
    co_executor_free(m.ex); /* joins: the queued job would have run by now */
    ck_assert_int_eq(atomic_load(&m.ran), 0);
    ck_assert(co_future_cancelled(m.second));
    co_future_unref(m.first);
    co_future_unref(m.second);
    sem_destroy(&g.go);
}
END_TEST

/* Three blocking jobs at once, and a task that keeps running meanwhile. */
struct parallel {
    co_coro co;
    struct gate g;           /* the three jobs block here */
    co_future *f[3];         /* their futures */
    co_task *ticker;         /* counts loop iterations */
    int ticks;               /* how many */
    int ticks_seen_blocked;  /* ticks while all three jobs were blocked */
    int results;             /* sum of the jobs' results */
};

struct ticker {
    co_coro co;
    struct parallel *p;
};

static int tick(co_coro *co)
{
    struct ticker *self = (struct ticker *)co;
    struct parallel *p = self->p;
    CO_BEGIN(co);
    /* Runs while the jobs block: if the loop were blocked, no tick. */
    while (atomic_load(&p->g.started) < 3) {
        p->ticks++;
        CO_SLEEP(co, 0.001);
    }
    p->ticks++;
    CO_YIELD(co);
    p->ticks++;
    /* All three are blocked at once (none has finished: nobody posted). */
    ck_assert_int_eq(atomic_load(&p->g.finished), 0);
    p->ticks_seen_blocked = p->ticks;
    for (int i = 0; i < 3; i++)
        sem_post(&p->g.go);
    CO_END(co);
}

static int parallel_main(co_coro *co)
{
    struct parallel *self = (struct parallel *)co;
    co_loop *loop = co_get_running_loop();
    CO_BEGIN(co);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, gated_job,
                                                 &self->g, &self->f[i]), 0);
    {
        struct ticker *t = CO_NEW(struct ticker, tick);
        t->p = self;
        co_create_task(loop, &t->co, "ticker", &self->ticker);
    }
    CO_AWAIT(co, self->f[0]);
    CO_AWAIT(co, self->f[1]);
    CO_AWAIT(co, self->f[2]);
    CO_AWAIT(co, self->ticker);
    for (int i = 0; i < 3; i++) {
        long long v;
        co_future_result_int(self->f[i], &v);
        self->results += (int)v;
    }
    CO_END(co);
}

START_TEST(test_three_blocking_jobs_run_in_parallel_while_other_tasks_progress)
{
    struct parallel *p = calloc(1, sizeof *p);
    sem_init(&p->g.go, 0, 0);
    atomic_init(&p->g.started, 0);
    atomic_init(&p->g.finished, 0);
    co_coro_init(&p->co, parallel_main);
    ck_assert_int_eq(co_run(&p->co), 0);
    ck_assert_int_ge(p->ticks_seen_blocked, 2);
    ck_assert_int_eq(atomic_load(&p->g.finished), 3);
    ck_assert_int_eq(p->results, 21);
    for (int i = 0; i < 3; i++)
        co_future_unref(p->f[i]);
    co_task_unref(p->ticker);
    sem_destroy(&p->g.go);
    free(p);
}
END_TEST

START_TEST(test_shutdown_with_wait_returns_after_every_job_ended)
{
    struct gate g;
    sem_init(&g.go, 0, 0);
    atomic_init(&g.started, 0);
    atomic_init(&g.finished, 0);
    co_executor *ex;
    co_cfuture *cf[4];
    ck_assert_int_eq(co_executor_new(&ex, 2), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(co_executor_submit(ex, gated_job, &g, &cf[i]), 0);
    for (int i = 0; i < 4; i++)
        sem_post(&g.go);
    ck_assert_int_eq(co_executor_shutdown(ex, true, false), 0);
    ck_assert_int_eq(atomic_load(&g.finished), 4);
    long long v;
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(co_cfuture_result_int(cf[i], 0, &v), 0);
        ck_assert_int_eq(v, 7);
        co_cfuture_unref(cf[i]);
    }
    co_cfuture *late;
    ck_assert_int_eq(co_executor_submit(ex, gated_job, &g, &late),
                     CO_ESHUTDOWN);
    ck_assert_ptr_null(late);
    co_executor_free(ex);
    sem_destroy(&g.go);
}
END_TEST

START_TEST(test_shutdown_without_wait_cancels_queued_jobs_on_request)
{
    struct gate g;
    sem_init(&g.go, 0, 0);
    atomic_init(&g.started, 0);
    atomic_init(&g.finished, 0);
    co_executor *ex;
    co_cfuture *running, *queued[3];
    ck_assert_int_eq(co_executor_new(&ex, 1), 0);
    ck_assert_int_eq(co_executor_submit(ex, gated_job, &g, &running), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(co_executor_submit(ex, gated_job, &g, &queued[i]), 0);
    while (atomic_load(&g.started) == 0)
        sched_yield();
    ck_assert_int_eq(co_executor_shutdown(ex, false, true), 0); /* at once */
    for (int i = 0; i < 3; i++)
        ck_assert(co_cfuture_cancelled(queued[i]));
    ck_assert(!co_cfuture_done(running));
    sem_post(&g.go);
    co_executor_free(ex); /* joins */
    ck_assert_int_eq(atomic_load(&g.finished), 1);
    ck_assert_int_eq(co_cfuture_result_int(running, -1, NULL), 0);
    co_cfuture_unref(running);
    for (int i = 0; i < 3; i++)
        co_cfuture_unref(queued[i]);
    sem_destroy(&g.go);
}
END_TEST

START_TEST(test_closing_the_loop_while_jobs_finish_neither_leaks_nor_hangs)
{
    /* Many rounds, so that jobs end before, during and after the close. */
    for (int round = 0; round < 100; round++) {
        struct gate g;
        sem_init(&g.go, 0, 0);
        atomic_init(&g.started, 0);
        atomic_init(&g.finished, 0);
        co_loop *loop = new_loop();
        co_executor *ex;
        co_executor_new(&ex, 2);
        co_loop_set_default_executor(loop, ex);
        co_future *f[3];
        for (int i = 0; i < 3; i++)
            ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, gated_job,
                                                     &g, &f[i]), 0);
        co_loop_stop(loop);
        co_loop_run_forever(loop); /* one iteration */
        sem_post(&g.go);
        sem_post(&g.go);
        sem_post(&g.go);
        ck_assert_int_eq(co_loop_close(loop), 0);
        /* Closing joined the pool: every job that started has ended (none
         * is left running); the ones still queued were cancelled. */
        ck_assert_int_eq(atomic_load(&g.finished), atomic_load(&g.started));
        for (int i = 0; i < 3; i++)
            ck_assert(!co_future_done(f[i])); /* the loop is gone */
        for (int i = 0; i < 3; i++)
            co_future_unref(f[i]);
        sem_destroy(&g.go);
    }
}
END_TEST

/* ---- concurrent futures ---------------------------------------------------- */

START_TEST(test_cfuture_result_times_out_while_pending)
{
    co_cfuture *cf;
    long long v = 99;
    ck_assert_int_eq(co_cfuture_new(&cf), 0);
    ck_assert_int_eq(co_cfuture_result_int(cf, 0, &v), CO_ETIMEDOUT);
    ck_assert_int_eq(co_cfuture_result_int(cf, 0.01, &v), CO_ETIMEDOUT);
    ck_assert_int_eq(v, 99);
    ck_assert(!co_cfuture_done(cf));
    co_cfuture_unref(cf);
}
END_TEST

static void *set_later(void *arg)
{
    co_cfuture_set_result_int(arg, 1234);
    return NULL;
}

START_TEST(test_cfuture_result_blocks_until_another_thread_sets_it)
{
    co_cfuture *cf;
    long long v = 0;
    ck_assert_int_eq(co_cfuture_new(&cf), 0);
    pthread_t t;
    pthread_create(&t, NULL, set_later, cf);
    ck_assert_int_eq(co_cfuture_result_int(cf, -1, &v), 0);
    ck_assert_int_eq(v, 1234);
    pthread_join(t, NULL);
    ck_assert_int_eq(co_cfuture_set_result_int(cf, 1), CO_ESTATE);
    void *p;
    ck_assert_int_eq(co_cfuture_result_ptr(cf, 0, &p), CO_EKIND);
    co_cfuture_unref(cf);
}
END_TEST

START_TEST(test_cfuture_cancel_works_only_before_it_runs)
{
    co_cfuture *a, *b;
    co_cfuture_new(&a);
    co_cfuture_new(&b);
    ck_assert(co_cfuture_cancel(a));
    ck_assert(co_cfuture_cancelled(a));
    ck_assert(!co_cfuture_set_running_or_notify_cancel(a));
    ck_assert_int_eq(co_cfuture_result_int(a, -1, NULL), CO_ECANCELLED);
    ck_assert(co_cfuture_set_running_or_notify_cancel(b));
    ck_assert(co_cfuture_running(b));
    ck_assert(!co_cfuture_cancel(b));
    ck_assert_int_eq(co_cfuture_set_exception(b, CO_EUSER, "bad"), 0);
    const char *msg;
    ck_assert_int_eq(co_cfuture_exception(b, 0, &msg), CO_EUSER);
    ck_assert_str_eq(msg, "bad");
    ck_assert(!co_cfuture_cancel(b));
    co_cfuture_unref(a);
    co_cfuture_unref(b);
    co_cfuture_unref(NULL);
}
END_TEST

struct cb_log {
    int order[4];   /* argument of each call, in call order */
    int n;          /* how many calls */
};

static void log_cb(co_cfuture *f, void *arg)
{
    (void)f;
    static struct cb_log *log;
    if (!f) {
        log = arg;
        return;
    }
    log->order[log->n++] = (int)(long)arg;
}

START_TEST(test_cfuture_done_callbacks_run_in_order_and_at_once_when_done)
{
    struct cb_log log = {{0}, 0};
    log_cb(NULL, &log);
    co_cfuture *cf;
    co_cfuture_new(&cf);
    co_cfuture_add_done_callback(cf, log_cb, (void *)1L);
    co_cfuture_add_done_callback(cf, log_cb, (void *)2L);
    ck_assert_int_eq(log.n, 0);
    co_cfuture_set_result_ptr(cf, &log);
    ck_assert_int_eq(log.n, 2);
    co_cfuture_add_done_callback(cf, log_cb, (void *)3L); /* at once */
    ck_assert_int_eq(log.n, 3);
    ck_assert_int_eq(log.order[0], 1);
    ck_assert_int_eq(log.order[1], 2);
    ck_assert_int_eq(log.order[2], 3);
    void *p;
    ck_assert_int_eq(co_cfuture_result_ptr(cf, 0, &p), 0);
    ck_assert_ptr_eq(p, &log);
    co_cfuture_unref(cf);
}
END_TEST

START_TEST(test_wrap_future_completes_the_loop_future_on_the_loop)
{
    co_loop *loop = new_loop();
    co_cfuture *cf;
    co_future *f;
    co_cfuture_new(&cf);
    ck_assert_int_eq(co_wrap_future(loop, cf, &f), 0);
    pthread_t t;
    pthread_create(&t, NULL, set_later, cf);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    pthread_join(t, NULL);
    long long v;
    ck_assert_int_eq(co_future_result_int(f, &v), 0);
    ck_assert_int_eq(v, 1234);
    co_future_unref(f);
    co_cfuture_unref(cf);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelling_a_wrapped_future_cancels_the_concurrent_one)
{
    co_loop *loop = new_loop();
    co_cfuture *cf, *failing;
    co_future *f, *g;
    co_cfuture_new(&cf);
    co_cfuture_new(&failing);
    ck_assert_int_eq(co_wrap_future(loop, cf, &f), 0);
    ck_assert_int_eq(co_wrap_future(loop, failing, &g), 0);
    co_cfuture_set_exception(failing, CO_EUSER - 1, "far away");
    ck_assert(co_future_cancel(f));
    ck_assert_int_eq(co_loop_run_until_complete(loop, g), CO_EUSER - 1);
    const char *msg;
    ck_assert_int_eq(co_future_exception(g, &msg), CO_EUSER - 1);
    ck_assert_str_eq(msg, "far away");
    ck_assert(co_cfuture_cancelled(cf));
    co_future_unref(f);
    co_future_unref(g);
    co_cfuture_unref(cf);
    co_cfuture_unref(failing);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wrapped_future_pending_at_close_is_let_go)
{
    co_loop *loop = new_loop();
    co_cfuture *cf;
    co_future *f;
    co_cfuture_new(&cf);
    ck_assert_int_eq(co_wrap_future(loop, cf, &f), 0);
    co_loop_close(loop);
    /* The loop is gone: completing cf now must not touch it. */
    ck_assert_int_eq(co_cfuture_set_result_int(cf, 1), 0);
    ck_assert(!co_future_done(f));
    co_future_unref(f);
    co_cfuture_unref(cf);
}
END_TEST

/* ---- loops in other threads ------------------------------------------------ */

struct napper {
    co_coro co;
    double delay;          /* how long to sleep on the loop */
    int value;             /* what to return */
    int *order;            /* shared finishing order (loop thread only) */
    int *n;                /* its length */
    int *cleaned;          /* set by the cleanup */
    co_event *set_first;   /* if not NULL: set before sleeping */
    co_event *wait_first;  /* if not NULL: awaited before sleeping */
    co_wait_op op;
};

static int napper(co_coro *co)
{
    struct napper *self = (struct napper *)co;
    CO_BEGIN(co);
    co_event_set(self->set_first);
    if (self->wait_first)
        CO_EVENT_WAIT(co, &self->op, self->wait_first);
    CO_SLEEP(co, self->delay);
    self->order[(*self->n)++] = self->value;
    if (self->value < 0)
        CO_RAISE(co, self->value, "the coroutine failed on purpose");
    CO_RETURN(co, self->value);
    CO_FINALLY(co);
    if (self->cleaned)
        *self->cleaned = 1;
    CO_END(co);
}

static struct napper *new_napper(double delay, int value, int *order, int *n)
{
    struct napper *z = CO_NEW(struct napper, napper);
    z->delay = delay;
    z->value = value;
    z->order = order;
    z->n = n;
    return z;
}

START_TEST(test_run_coroutine_threadsafe_runs_coroutines_concurrently)
{
    struct loop_thread lt;
    int order[2], n = 0;
    start_loop_thread(&lt);
    co_cfuture *slow, *fast;
    /* The slow one starts its sleep only once the fast one has started
     * its own, however long this thread takes between the two calls:
     * its deadline is then the later one on any machine. */
    co_event *fast_started;
    ck_assert_int_eq(co_event_new(&fast_started), 0);
    struct napper *zs = new_napper(0.05, 1, order, &n);
    struct napper *zf = new_napper(0.001, 2, order, &n);
    zs->wait_first = fast_started;
    zf->set_first = fast_started;
    ck_assert_int_eq(co_run_coroutine_threadsafe(&zs->co, lt.loop, &slow), 0);
    ck_assert_int_eq(co_run_coroutine_threadsafe(&zf->co, lt.loop, &fast), 0);
    long long a = 0, b = 0;
    ck_assert_int_eq(co_cfuture_result_int(slow, -1, &a), 0);
    ck_assert_int_eq(co_cfuture_result_int(fast, -1, &b), 0);
    stop_loop_thread(&lt);
    ck_assert_int_eq(co_event_free(fast_started), 0);
    ck_assert_int_eq(a, 1);
    ck_assert_int_eq(b, 2);
    /* Submitted second, finished first: they ran at the same time. */
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(order[0], 2);
    ck_assert_int_eq(order[1], 1);
    co_cfuture_unref(slow);
    co_cfuture_unref(fast);
}
END_TEST

struct serial_log {
    char events[16];       /* 'a'/'A' start/end of the first, 'b'/'B' ... */
    int n;                 /* how many */
};

static struct serial_log serial;

static void busy_callback(void *arg)
{
    char c = (char)(long)arg;
    serial.events[serial.n++] = c;
    for (volatile int i = 0; i < 100000; i++)
        continue; /* "work" that holds the loop */
    serial.events[serial.n++] = (char)(c - 'a' + 'A');
}

START_TEST(test_threadsafe_callbacks_run_one_after_the_other)
{
    struct loop_thread lt;
    memset(&serial, 0, sizeof serial);
    start_loop_thread(&lt);
    co_loop_call_soon_threadsafe(lt.loop, busy_callback, (void *)(long)'a');
    co_loop_call_soon_threadsafe(lt.loop, busy_callback, (void *)(long)'b');
    stop_loop_thread(&lt);
    ck_assert_str_eq(serial.events, "aAbB");
}
END_TEST

struct cancellable {
    co_coro co;
    atomic_int *started;   /* set when the coroutine first runs */
    atomic_int *cleaned;   /* set by its cleanup, once cancelled */
};

static int cancellable(co_coro *co)
{
    struct cancellable *self = (struct cancellable *)co;
    CO_BEGIN(co);
    atomic_store(self->started, 1);
    CO_SLEEP(co, 1000);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED)
        atomic_store(self->cleaned, 1);
    CO_END(co);
}

START_TEST(test_cancelling_the_concurrent_future_cancels_the_task)
{
    struct loop_thread lt;
    atomic_int started, cleaned;
    atomic_init(&started, 0);
    atomic_init(&cleaned, 0);
    start_loop_thread(&lt);
    struct cancellable *c = CO_NEW(struct cancellable, cancellable);
    c->started = &started;
    c->cleaned = &cleaned;
    co_cfuture *cf;
    ck_assert_int_eq(co_run_coroutine_threadsafe(&c->co, lt.loop, &cf), 0);
    while (!atomic_load(&started))
        sched_yield();
    /* The task is asleep on the loop; its future is still cancellable. */
    ck_assert(co_cfuture_cancel(cf));
    ck_assert_int_eq(co_cfuture_result_int(cf, -1, NULL), CO_ECANCELLED);
    while (!atomic_load(&cleaned))
        sched_yield(); /* the loop thread delivers the cancellation */
    stop_loop_thread(&lt);
    co_cfuture_unref(cf);
}
END_TEST

START_TEST(test_run_coroutine_threadsafe_failure_reaches_the_waiting_thread)
{
    struct loop_thread lt;
    int order[1], n = 0;
    start_loop_thread(&lt);
    co_cfuture *cf;
    ck_assert_int_eq(co_run_coroutine_threadsafe(
                         &new_napper(0, CO_EUSER - 3, order, &n)->co, lt.loop,
                         &cf), 0);
    const char *msg;
    ck_assert_int_eq(co_cfuture_exception(cf, -1, &msg), CO_EUSER - 3);
    ck_assert_str_eq(msg, "the coroutine failed on purpose");
    stop_loop_thread(&lt);
    co_cfuture_unref(cf);
}
END_TEST

START_TEST(test_closing_the_loop_fails_the_futures_of_unfinished_coroutines)
{
    co_loop *loop = new_loop();
    int order[1], n = 0;
    co_cfuture *queued;
    /* Never run: the loop closes with the start still queued. */
    ck_assert_int_eq(co_run_coroutine_threadsafe(
                         &new_napper(1, 1, order, &n)->co, loop, &queued), 0);
    co_loop_close(loop);
    ck_assert_int_eq(co_cfuture_result_int(queued, 0, NULL), CO_ECLOSED);
    co_cfuture_unref(queued);

    co_cfuture *pending;
    loop = new_loop();
    ck_assert_int_eq(co_run_coroutine_threadsafe(
                         &new_napper(1000, 1, order, &n)->co, loop, &pending),
                     0);
    co_loop_stop(loop);
    co_loop_run_forever(loop); /* the task starts, and sleeps */
    co_loop_stop(loop);
    co_loop_run_forever(loop);
    ck_assert(!co_cfuture_done(pending));
    co_loop_close(loop);
    ck_assert_int_eq(co_cfuture_result_int(pending, 0, NULL), CO_ECLOSED);
    co_cfuture_unref(pending);
}
END_TEST

/* ---- the current loop of each thread -------------------------------------- */

static void *get_in_thread(void *arg)
{
    co_loop *got = (co_loop *)1;
    int *rc = arg;
    rc[0] = co_get_event_loop(&got);
    rc[1] = got == NULL;
    co_loop *mine;
    co_new_event_loop(&mine);
    co_set_event_loop(mine);
    rc[2] = co_get_event_loop(&got) == 0 && got == mine;
    co_loop_close(mine); /* also unsets it */
    rc[3] = co_get_event_loop(&got);
    return NULL;
}

START_TEST(test_get_event_loop_in_a_thread_without_a_loop_is_enoloop)
{
    int rc[4];
    pthread_t t;
    pthread_create(&t, NULL, get_in_thread, rc);
    pthread_join(t, NULL);
    ck_assert_int_eq(rc[0], CO_ENOLOOP);
    ck_assert(rc[1]);
    ck_assert(rc[2]);
    ck_assert_int_eq(rc[3], CO_ENOLOOP);
}
END_TEST

START_TEST(test_get_event_loop_in_the_main_thread_makes_one_and_keeps_it)
{
    co_loop *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    ck_assert_int_eq(co_get_event_loop(&a), 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(co_get_event_loop(&b), 0);
    ck_assert_ptr_eq(a, b);
    ck_assert_int_eq(co_new_event_loop(&c), 0);
    ck_assert_int_eq(co_new_event_loop(&d), 0);
    ck_assert_ptr_ne(c, d);
    ck_assert_ptr_ne(c, a);
    co_loop_close(c);
    co_loop_close(d);
    co_loop_close(a);
    ck_assert_int_eq(co_get_event_loop(&b), 0); /* a fresh one again */
    co_loop_close(b);
    ck_assert_int_eq(co_get_event_loop(NULL), CO_EINVAL);
}
END_TEST

struct running_check {
    co_coro co;
    co_loop *seen;     /* what get_event_loop said inside */
};

static int running_check(co_coro *co)
{
    struct running_check *self = (struct running_check *)co;
    CO_BEGIN(co);
    co_get_event_loop(&self->seen);
    ck_assert_ptr_eq(self->seen, co_get_running_loop());
    CO_END(co);
}

START_TEST(test_get_event_loop_inside_a_coroutine_is_the_running_loop)
{
    struct running_check m = {0};
    co_coro_init(&m.co, running_check);
    ck_assert_int_eq(co_run(&m.co), 0);
    ck_assert_ptr_nonnull(m.seen);
}
END_TEST

/* ---- the process pool ----------------------------------------------------- */

static int shout(const void *in, size_t len, void **out, size_t *out_len)
{
    const char *s = in;
    char *r = malloc(len);
    if (!r)
        return CO_ENOMEM;
    for (size_t i = 0; i < len; i++)
        r[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    *out = r;
    *out_len = len;
    return 0;
}

static int refuse(const void *in, size_t len, void **out, size_t *out_len)
{
    (void)in, (void)len, (void)out, (void)out_len;
    return CO_EUSER - 9;
}

static int die(const void *in, size_t len, void **out, size_t *out_len)
{
    (void)in, (void)len, (void)out, (void)out_len;
    raise(SIGKILL); /* killed mid-job */
    return 0;
}

static co_bytes *run_job_bytes(co_loop *loop, co_future *f, int *rc)
{
    *rc = co_loop_run_until_complete(loop, f);
    void *p = NULL;
    if (*rc == 0)
        co_job_take_ptr(f, &p); /* ours to free from now on */
    co_future_unref(f);
    return p;
}

START_TEST(test_process_pool_returns_the_worker_bytes)
{
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 2, &pool), 0);
    ck_assert_int_eq(co_process_pool_workers(pool), 2);
    co_future *f;
    ck_assert_int_eq(co_process_pool_submit(pool, shout, "hello", 5, &f), 0);
    int rc;
    co_bytes *b = run_job_bytes(loop, f, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(b->len, 5);
    ck_assert_str_eq((char *)b->data, "HELLO");
    co_bytes_free(b);
    ck_assert_int_eq(co_process_pool_submit(pool, refuse, NULL, 0, &f), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), CO_EUSER - 9);
    co_future_unref(f);
    co_process_pool_free(pool, true);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_worker_killed_mid_job_fails_that_job_and_is_replaced)
{
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), 0);
    co_future *dead, *next;
    ck_assert_int_eq(co_process_pool_submit(pool, die, "x", 1, &dead), 0);
    ck_assert_int_eq(co_process_pool_submit(pool, shout, "ok", 2, &next), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, dead), CO_EWORKER);
    const char *msg;
    co_future_exception(dead, &msg);
    ck_assert_ptr_nonnull(strstr(msg, "killed by signal 9"));
    co_future_unref(dead);
    int rc;
    co_bytes *b = run_job_bytes(loop, next, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq((char *)b->data, "OK");
    co_bytes_free(b);
    ck_assert_int_eq(co_process_pool_workers(pool), 1);
    co_process_pool_free(pool, false);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_process_pool_free_cancels_queued_jobs)
{
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), 0);
    co_future *a, *b;
    co_process_pool_submit(pool, shout, "a", 1, &a);
    co_process_pool_submit(pool, shout, "b", 1, &b);
    co_process_pool_free(pool, true); /* a finishes, b never starts */
    ck_assert(co_future_cancelled(b));
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(a, &p), 0);
    ck_assert_str_eq((char *)((co_bytes *)p)->data, "A");
    co_future_unref(a);
    co_future_unref(b);
    ck_assert_int_eq(co_process_pool_submit(NULL, shout, "", 0, &a), CO_EINVAL);
    co_loop_close(loop);
}
END_TEST

/* ---- signals -------------------------------------------------------------- */

struct sig_seen {
    int calls;           /* how many times the callback ran */
    pthread_t thread;    /* on which thread */
    co_loop *loop;       /* to stop */
};

static void on_usr1(void *arg)
{
    struct sig_seen *s = arg;
    s->calls++;
    s->thread = pthread_self();
    co_loop_stop(s->loop);
}

static void send_usr1(void *arg)
{
    (void)arg;
    kill(getpid(), SIGUSR1);
}

START_TEST(test_signal_handler_runs_as_a_callback_on_the_loop_thread)
{
    co_loop *loop = new_loop();
    struct sig_seen s = {0, 0, loop};
    ck_assert_int_eq(co_loop_add_signal_handler(loop, SIGUSR1, on_usr1, &s), 0);
    co_loop_call_soon(loop, send_usr1, NULL);
    /* The handler keeps the loop waiting for the signal (no deadlock). */
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(s.calls, 1);
    ck_assert(pthread_equal(s.thread, pthread_self()));
    co_loop_close(loop);
}
END_TEST

/* The signal is caught by this thread, not the loop's: the handler rings
 * the loop's wakeup pipe from here, and the callback must still run on the
 * loop's thread. The loop's thread blocks SIGUSR1 for the test so that the
 * kernel has to pick this one. (Sent to the loop's thread instead, the test
 * would race under ThreadSanitizer, which defers a handler to the thread's
 * next intercepted call: a signal landing just before select() would wait
 * for select() to return, and nothing else would wake it.) */
static void *catch_usr1_here(void *arg)
{
    (void)arg;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    kill(getpid(), SIGUSR1);
    return NULL;
}

START_TEST(test_signal_caught_by_another_thread_runs_its_callback_on_the_loop)
{
    co_loop *loop = new_loop();
    struct sig_seen s = {0, 0, loop};
    co_loop_add_signal_handler(loop, SIGUSR1, on_usr1, &s);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &old);
    pthread_t t;
    pthread_create(&t, NULL, catch_usr1_here, NULL);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    pthread_join(t, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ck_assert_int_eq(s.calls, 1);
    ck_assert(pthread_equal(s.thread, pthread_self()));
    co_loop_close(loop);
}
END_TEST

START_TEST(test_remove_signal_handler_restores_the_old_disposition)
{
    co_loop *loop = new_loop();
    struct sigaction before, during, after;
    sigaction(SIGUSR2, NULL, &before);
    ck_assert_int_eq(co_loop_add_signal_handler(loop, SIGUSR2, set_flag, NULL),
                     0);
    sigaction(SIGUSR2, NULL, &during);
    ck_assert(during.sa_handler != before.sa_handler);
    ck_assert_int_eq(co_loop_remove_signal_handler(loop, SIGUSR2), 1);
    ck_assert_int_eq(co_loop_remove_signal_handler(loop, SIGUSR2), 0);
    sigaction(SIGUSR2, NULL, &after);
    ck_assert(after.sa_handler == before.sa_handler);
    /* No handler left: nothing keeps the loop alive. */
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_add_signal_handler_rejects_what_cannot_be_caught)
{
    co_loop *loop = new_loop(), *other = new_loop();
    ck_assert_int_eq(co_loop_add_signal_handler(loop, SIGKILL, set_flag, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_add_signal_handler(loop, SIGSTOP, set_flag, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_add_signal_handler(loop, 0, set_flag, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_add_signal_handler(loop, 100000, set_flag, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_add_signal_handler(loop, SIGUSR1, NULL, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_add_signal_handler(loop, SIGUSR1, set_flag, NULL),
                     0);
    ck_assert_int_eq(co_loop_add_signal_handler(other, SIGUSR1, set_flag, NULL),
                     CO_EINVAL);
    co_loop_close(loop); /* removes its handler: the signal is free again */
    ck_assert_int_eq(co_loop_add_signal_handler(other, SIGUSR1, set_flag, NULL),
                     0);
    co_loop_close(other);
}
END_TEST

/* Ctrl-C: three tasks sleep; SIGINT arrives; all are cancelled, cleanups
 * run, co_run returns CO_ECANCELLED, and SIGINT does what it did before. */
static int cleanups;

struct sleeper {
    co_coro co;
};

static int long_sleeper(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 1000);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED)
        cleanups++;
    CO_END(co);
}

static int ctrl_c_main(co_coro *co)
{
    CO_BEGIN(co);
    ck_assert_int_eq(co_loop_cancel_all_on_signal(co_get_running_loop(),
                                                  SIGINT), 0);
    for (int i = 0; i < 3; i++)
        co_create_task(co_get_running_loop(),
                       &CO_NEW(struct sleeper, long_sleeper)->co, NULL, NULL);
    CO_YIELD(co); /* the sleepers are asleep now */
    raise(SIGINT);
    CO_SLEEP(co, 1000);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED)
        cleanups++;
    CO_END(co);
}

START_TEST(test_sigint_cancels_sleeping_tasks_and_their_cleanup_runs)
{
    struct sigaction before, after;
    sigaction(SIGINT, NULL, &before);
    cleanups = 0;
    co_coro m;
    co_coro_init(&m, ctrl_c_main);
    ck_assert_int_eq(co_run(&m), CO_ECANCELLED);
    ck_assert_int_eq(cleanups, 4);
    sigaction(SIGINT, NULL, &after);
    ck_assert(after.sa_handler == before.sa_handler);
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    struct {
        const char *name;
        const TTest *tests[16];
    } cases[] = {
        {"wakeup",
         {test_threadsafe_call_wakes_a_loop_asleep_in_select,
          test_many_threadsafe_calls_ring_the_pipe_once,
          test_signals_in_a_row_ring_the_pipe_once,
          test_threadsafe_calls_from_many_threads_are_neither_lost_nor_reordered,
          test_threadsafe_call_still_queued_at_close_never_runs,
          test_threadsafe_entry_points_reject_bad_arguments,
          test_a_loop_with_nothing_to_do_still_reports_deadlock,
          test_stop_threadsafe_stops_a_loop_running_in_another_thread, NULL}},
        {"executor",
         {test_run_in_executor_gives_the_job_result_on_the_loop,
          test_job_returning_a_negative_code_fails_its_future,
          test_run_until_complete_waits_for_a_job_instead_of_deadlock,
          test_default_pool_size_is_min_32_and_cpus_plus_4,
          test_cancelling_the_future_of_a_queued_job_means_it_never_runs,
          test_three_blocking_jobs_run_in_parallel_while_other_tasks_progress,
          test_shutdown_with_wait_returns_after_every_job_ended,
          test_shutdown_without_wait_cancels_queued_jobs_on_request,
          test_closing_the_loop_while_jobs_finish_neither_leaks_nor_hangs,
          NULL}},
        {"concurrent",
         {test_cfuture_result_times_out_while_pending,
          test_cfuture_result_blocks_until_another_thread_sets_it,
          test_cfuture_cancel_works_only_before_it_runs,
          test_cfuture_done_callbacks_run_in_order_and_at_once_when_done,
          test_wrap_future_completes_the_loop_future_on_the_loop,
          test_cancelling_a_wrapped_future_cancels_the_concurrent_one,
          test_wrapped_future_pending_at_close_is_let_go, NULL}},
        {"loop_threads",
         {test_run_coroutine_threadsafe_runs_coroutines_concurrently,
          test_threadsafe_callbacks_run_one_after_the_other,
          test_cancelling_the_concurrent_future_cancels_the_task,
          test_run_coroutine_threadsafe_failure_reaches_the_waiting_thread,
          test_closing_the_loop_fails_the_futures_of_unfinished_coroutines,
          test_get_event_loop_in_a_thread_without_a_loop_is_enoloop,
          test_get_event_loop_in_the_main_thread_makes_one_and_keeps_it,
          test_get_event_loop_inside_a_coroutine_is_the_running_loop, NULL}},
        {"process_pool",
         {test_process_pool_returns_the_worker_bytes,
          test_worker_killed_mid_job_fails_that_job_and_is_replaced,
          test_process_pool_free_cancels_queued_jobs, NULL}},
        {"signals",
         {test_signal_handler_runs_as_a_callback_on_the_loop_thread,
          test_signal_caught_by_another_thread_runs_its_callback_on_the_loop,
          test_remove_signal_handler_restores_the_old_disposition,
          test_add_signal_handler_rejects_what_cannot_be_caught,
          test_sigint_cancels_sleeping_tasks_and_their_cleanup_runs, NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, TEST_TIMEOUT);
        for (int j = 0; cases[i].tests[j]; j++)
            tcase_add_test(tc, cases[i].tests[j]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(threads_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
