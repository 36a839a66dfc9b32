/* test_shutdown.c - co_run as Python 3.11's asyncio.run: Ctrl-C cancels
 * the main task (raised from inside the program, never timed), a second
 * one ends the process, the program's own SIGINT handler is left alone;
 * the default executor's queued jobs run before co_run returns; a loop
 * run by another thread than its maker waits for calls; jobs that return
 * a pointer or bytes. Threads meet on semaphores and futures only. */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coflow.h"

#define TEST_TIMEOUT 20

static char log_buf[512];

static void logf_(const char *s)
{
    size_t used = strlen(log_buf);
    snprintf(log_buf + used, sizeof log_buf - used, "%s%s", used ? " " : "",
             s);
}

/* The shell that started the tests may have SIGINT ignored (a job in
 * the background): each test starts from the default, as a program run
 * from a terminal does. */
static void sigint_default(void)
{
    signal(SIGINT, SIG_DFL);
}

static bool sigint_is_default(void)
{
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    return now.sa_handler == SIG_DFL && !(now.sa_flags & SA_SIGINFO);
}

/* ---- Ctrl-C ------------------------------------------------------------- */

static void send_sigint(void *arg)
{
    (void)arg;
    raise(SIGINT);
}

/* main: asks for a Ctrl-C, then sleeps "for ever"; its cleanup logs and,
 * if `again`, sends a second Ctrl-C from inside the cleanup; with `catch`
 * it catches the cancellation and returns 7. */
struct sleeper {
    co_coro co;
    bool again, catch_it;
    int caught;
};

static int sleeper(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    co_loop_call_soon(co_get_running_loop(), send_sigint, NULL);
    if (self->catch_it) {
        CO_SLEEP_CATCH(co, 1000, self->caught);
        logf_(co_errname(self->caught));
        CO_RETURN(co, 7);
    }
    CO_SLEEP(co, 1000); /* the cancellation ends this at once */
    logf_("not reached");
    CO_FINALLY(co);
    logf_(co_errname(co->err));
    if (self->again)
        raise(SIGINT); /* the second Ctrl-C: the process ends here */
    logf_("cleanup done");
    CO_END(co);
}

START_TEST(test_sigint_cancels_main_and_co_run_returns_interrupted)
{
    sigint_default();
    log_buf[0] = '\0';
    ck_assert(sigint_is_default());
    struct sleeper s = {0};
    co_coro_init(&s.co, sleeper);
    ck_assert_int_eq(co_run(&s.co), CO_EINTERRUPTED);
    ck_assert_str_eq(log_buf, "CO_ECANCELLED cleanup done");
    ck_assert(sigint_is_default()); /* the old disposition is back */
    ck_assert_str_ne(co_strerror(CO_EINTERRUPTED), "unknown error");
    ck_assert_str_eq(co_errname(CO_EINTERRUPTED), "CO_EINTERRUPTED");
}
END_TEST

START_TEST(test_main_that_catches_the_interrupt_returns_normally)
{
    sigint_default();
    log_buf[0] = '\0';
    struct sleeper s = {.catch_it = true};
    co_coro_init(&s.co, sleeper);
    ck_assert_int_eq(co_run(&s.co), 0);
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&s.co, &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_str_eq(log_buf, "CO_ECANCELLED CO_OK cleanup done");
    ck_assert(sigint_is_default());
}
END_TEST

/* Runs in a forked child only (see main): the process must die of it. */
START_TEST(test_second_sigint_ends_the_process_at_once)
{
    sigint_default();
    log_buf[0] = '\0';
    struct sleeper s = {.again = true};
    co_coro_init(&s.co, sleeper);
    co_run(&s.co);
    ck_abort_msg("co_run returned after a second SIGINT: %s", log_buf);
}
END_TEST

static volatile sig_atomic_t own_handler_calls;

static void own_handler(int signo)
{
    (void)signo;
    own_handler_calls++;
}

/* main asks for a Ctrl-C, yields twice (the signal would have been
 * dispatched by then), and returns 5. */
struct quick {
    co_coro co;
};

static int quick(co_coro *co)
{
    CO_BEGIN(co);
    co_loop_call_soon(co_get_running_loop(), send_sigint, NULL);
    CO_YIELD(co);
    CO_YIELD(co);
    CO_YIELD(co);
    CO_RETURN(co, 5);
    CO_END(co);
}

START_TEST(test_a_program_sigint_handler_is_left_alone)
{
    sigint_default();
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = own_handler;
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGINT, &sa, &old), 0);
    own_handler_calls = 0;
    struct quick q;
    co_coro_init(&q.co, quick);
    ck_assert_int_eq(co_run(&q.co), 0); /* main was not cancelled */
    ck_assert_int_eq(own_handler_calls, 1);
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    ck_assert(now.sa_handler == own_handler);
    sigaction(SIGINT, &old, NULL);
}
END_TEST

/* ---- shutdown_default_executor ----------------------------------------- */

static sem_t gate;

static long long gated_job(void *arg)
{
    sem_wait(&gate); /* the first job holds the only worker */
    return (long long)(intptr_t)arg * 10;
}

static long long plain_job(void *arg)
{
    return (long long)(intptr_t)arg * 10;
}

struct submitter {
    co_coro co;
    co_future *f[3];
};

/* Queues three jobs on a one-thread default pool and returns at once,
 * without awaiting them: the first blocks until main is over, so the other
 * two are certainly still queued when co_run's shutdown begins. */
static int submitter(co_coro *co)
{
    struct submitter *self = (struct submitter *)co;
    CO_BEGIN(co);
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 1), 0);
    ck_assert_int_eq(co_loop_set_default_executor(co_get_running_loop(), ex),
                     0);
    for (intptr_t i = 0; i < 3; i++)
        ck_assert_int_eq(co_loop_run_in_executor(co_get_running_loop(), NULL,
                                                 i == 0 ? gated_job
                                                        : plain_job,
                                                 (void *)(i + 1),
                                                 &self->f[i]),
                         0);
    sem_post(&gate); /* runs only once this step has returned to the loop */
    CO_END(co);
}

START_TEST(test_co_run_runs_the_default_executor_queued_jobs)
{
    sigint_default();
    sem_init(&gate, 0, 0);
    struct submitter s = {0};
    co_coro_init(&s.co, submitter);
    ck_assert_int_eq(co_run(&s.co), 0);
    for (int i = 0; i < 3; i++) {
        long long v = -1;
        ck_assert_msg(co_future_done(s.f[i]), "job %d's future is pending", i);
        ck_assert_int_eq(co_future_result_int(s.f[i], &v), 0);
        ck_assert_int_eq(v, (i + 1) * 10);
        co_future_unref(s.f[i]);
    }
    sem_destroy(&gate);
}
END_TEST

struct after_shutdown {
    co_coro co;
    co_future *f, *g, *late;
    int refused;
};

static int after_shutdown(co_coro *co)
{
    struct after_shutdown *self = (struct after_shutdown *)co;
    CO_BEGIN(co);
    co_loop *loop = co_get_running_loop();
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, plain_job,
                                             (void *)4, &self->f),
                     0);
    ck_assert_int_eq(co_loop_shutdown_default_executor(loop, &self->g), 0);
    self->refused = co_loop_run_in_executor(loop, NULL, plain_job, (void *)5,
                                            &self->late);
    CO_AWAIT(co, self->g);
    ck_assert(co_future_done(self->f)); /* its result came in meanwhile */
    CO_FINALLY(co);
    co_future_unref(self->g);
    CO_END(co);
}

START_TEST(test_shutdown_default_executor_waits_and_refuses_new_jobs)
{
    sigint_default();
    struct after_shutdown a = {0};
    co_coro_init(&a.co, after_shutdown);
    ck_assert_int_eq(co_run(&a.co), 0);
    ck_assert_int_eq(a.refused, CO_ESHUTDOWN);
    long long v = 0;
    ck_assert_int_eq(co_future_result_int(a.f, &v), 0);
    ck_assert_int_eq(v, 40);
    co_future_unref(a.f);
    co_future *f;
    ck_assert_int_eq(co_loop_shutdown_default_executor(NULL, &f), CO_EINVAL);
}
END_TEST

/* ---- run_forever in a thread waits ------------------------------------- */

struct in_thread {
    co_loop *loop;
    int rc;
    int calls;
};

static void *run_it(void *arg)
{
    struct in_thread *t = arg;
    t->rc = co_loop_run_forever(t->loop);
    return NULL;
}

static void count_and_stop(void *arg)
{
    struct in_thread *t = arg;
    t->calls++;
    co_loop_stop(t->loop);
}

/* A poll(2) backend that says when the loop is about to wait with no time
 * limit: only then is the loop idle, so a call posted after that moment
 * can only be answered by a loop that waits for calls. */
#define WATCH_MAX 8
struct watching {
    struct pollfd fds[WATCH_MAX];
    int n;
};

static sem_t blocking; /* posted each time the loop waits with no limit */

static int w_create(void **state)
{
    *state = calloc(1, sizeof(struct watching));
    return *state ? 0 : CO_ENOMEM;
}

static void w_destroy(void *state)
{
    free(state);
}

static int w_add(void *state, int fd, int mask)
{
    struct watching *w = state;
    int i = 0;
    while (i < w->n && w->fds[i].fd != fd)
        i++;
    if (i == w->n) {
        if (w->n == WATCH_MAX)
            return CO_ENOMEM;
        w->fds[w->n++] = (struct pollfd){.fd = fd};
    }
    if (mask & CO_BACKEND_READ)
        w->fds[i].events |= POLLIN;
    if (mask & CO_BACKEND_WRITE)
        w->fds[i].events |= POLLOUT;
    return 0;
}

static void w_del(void *state, int fd, int mask)
{
    struct watching *w = state;
    for (int i = 0; i < w->n; i++)
        if (w->fds[i].fd == fd) {
            if (mask & CO_BACKEND_READ)
                w->fds[i].events &= ~POLLIN;
            if (mask & CO_BACKEND_WRITE)
                w->fds[i].events &= ~POLLOUT;
        }
}

static int w_poll(void *state, double timeout, co_backend_fired *fired,
                  int cap)
{
    struct watching *w = state;
    if (timeout < 0)
        sem_post(&blocking);
    int ms = timeout < 0 ? -1 : (int)(timeout * 1000 + 0.999);
    if (poll(w->fds, (nfds_t)w->n, ms) < 0)
        return 0; /* interrupted */
    int n = 0;
    for (int i = 0; i < w->n && n < cap; i++) {
        int mask = 0;
        if (w->fds[i].revents & (POLLIN | POLLHUP | POLLERR))
            mask |= CO_BACKEND_READ;
        if (w->fds[i].revents & POLLOUT)
            mask |= CO_BACKEND_WRITE;
        if (mask)
            fired[n++] = (co_backend_fired){.fd = w->fds[i].fd, .mask = mask};
    }
    return n;
}

static const co_backend watching_backend = {
    .name = "watching-poll",
    .create = w_create,
    .destroy = w_destroy,
    .add = w_add,
    .del = w_del,
    .poll = w_poll,
};

START_TEST(test_run_forever_in_another_thread_waits_for_a_call)
{
    sigint_default();
    struct in_thread t = {0};
    ck_assert_int_eq(co_loop_new_with_ops(&t.loop, &watching_backend), 0);
    sem_init(&blocking, 0, 0);
    pthread_t th;
    /* No co_loop_hold: a loop run by another thread than its maker waits
     * (as asyncio's does) instead of finding nothing to do. The call is
     * posted only once the loop waits with no time limit; a loop without
     * the rule would end with CO_EDEADLOCK before it ever waited, and this
     * test would hang on the semaphore until its timeout failed it. */
    ck_assert_int_eq(pthread_create(&th, NULL, run_it, &t), 0);
    sem_wait(&blocking);
    ck_assert_int_eq(co_loop_call_soon_threadsafe(t.loop, count_and_stop, &t),
                     0);
    pthread_join(th, NULL);
    ck_assert_int_eq(t.rc, 0);
    ck_assert_int_eq(t.calls, 1);
    /* On its maker's thread, with nothing to do, it says so without
     * waiting. */
    ck_assert_int_eq(co_loop_run_forever(t.loop), CO_EDEADLOCK);
    co_loop_close(t.loop);
    sem_destroy(&blocking);
}
END_TEST

/* ---- jobs that return objects ------------------------------------------ */

static atomic_int freed; /* objects freed by their free function */

struct thing {
    int value;
};

static void free_thing(void *p)
{
    atomic_fetch_add(&freed, 1);
    free(p);
}

/* Returns a thing holding arg, or bytes "job:<arg>", or fails after
 * returning a thing, by the arg's hundreds: 0, 1, 2. */
static long long object_job(void *arg)
{
    intptr_t n = (intptr_t)arg;
    if (n / 100 == 1) {
        char text[32];
        int len = snprintf(text, sizeof text, "job:%d", (int)(n % 100));
        return co_job_return_bytes(text, (size_t)len);
    }
    struct thing *t = malloc(sizeof *t);
    t->value = (int)n;
    ck_assert_int_eq(co_job_return_ptr(t, free_thing), 0);
    return n / 100 == 2 ? CO_EFAIL : 0;
}

static co_future *run_job(co_loop *loop, intptr_t n)
{
    co_future *f;
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, object_job,
                                             (void *)n, &f), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f),
                     n / 100 == 2 ? CO_EFAIL : 0);
    return f;
}

START_TEST(test_a_job_returns_an_object_that_its_future_hands_over_once)
{
    atomic_store(&freed, 0);
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_future *f = run_job(loop, 7);
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(f, &p), 0); /* a look, no take */
    ck_assert_int_eq(((struct thing *)p)->value, 7);
    void *mine = NULL;
    ck_assert_int_eq(co_job_take_ptr(f, &mine), 0);
    ck_assert_ptr_eq(mine, p);
    ck_assert_int_eq(co_job_take_ptr(f, &p), CO_ETAKEN);
    const void *data;
    size_t len;
    ck_assert_int_eq(co_job_result_bytes(f, &data, &len), CO_EKIND);
    co_future_unref(f);
    ck_assert_int_eq(atomic_load(&freed), 0); /* it is ours now */
    free_thing(mine);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_an_object_nobody_takes_is_freed_with_its_future)
{
    atomic_store(&freed, 0);
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_future *f = run_job(loop, 8);
    co_future *g = run_job(loop, 209); /* returned a thing, then failed */
    ck_assert_int_eq(atomic_load(&freed), 1); /* the failed job's, at once */
    void *p;
    ck_assert_int_eq(co_job_take_ptr(g, &p), CO_EFAIL);
    co_future_unref(g);
    co_future_unref(f);
    ck_assert_int_eq(atomic_load(&freed), 2);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_a_job_returns_bytes_that_are_copied)
{
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_future *f = run_job(loop, 142);
    const void *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(co_job_result_bytes(f, &data, &len), 0);
    ck_assert_uint_eq(len, 6);
    ck_assert_mem_eq(data, "job:42", 6);
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(f, &p), 0);
    ck_assert_ptr_eq(((co_bytes *)p)->data, data);
    co_future_unref(f); /* frees the bytes (valgrind checks) */
    f = run_job(loop, 105);
    ck_assert_int_eq(co_job_take_ptr(f, &p), 0);
    co_future_unref(f);
    ck_assert_str_eq((char *)((co_bytes *)p)->data, "job:5");
    co_bytes_free(p);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_concurrent_futures_carry_objects_too)
{
    atomic_store(&freed, 0);
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 2), 0);
    co_cfuture *a, *b, *c;
    ck_assert_int_eq(co_executor_submit(ex, object_job, (void *)3, &a), 0);
    ck_assert_int_eq(co_executor_submit(ex, object_job, (void *)104, &b), 0);
    ck_assert_int_eq(co_executor_submit(ex, object_job, (void *)5, &c), 0);
    void *p = NULL;
    ck_assert_int_eq(co_cfuture_take_ptr(a, -1, &p), 0);
    ck_assert_int_eq(((struct thing *)p)->value, 3);
    void *taken = p;
    ck_assert_int_eq(co_cfuture_take_ptr(a, -1, &p), CO_ETAKEN);
    ck_assert_int_eq(co_cfuture_result_ptr(a, -1, &p), CO_ETAKEN);
    const void *data;
    size_t len;
    ck_assert_int_eq(co_cfuture_result_bytes(b, -1, &data, &len), 0);
    ck_assert_mem_eq(data, "job:4", 5);
    ck_assert_uint_eq(len, 5);
    ck_assert_int_eq(co_cfuture_result_bytes(c, -1, &data, &len), CO_EKIND);
    co_cfuture_exception(c, -1, NULL); /* c is done: nobody takes its thing */
    co_cfuture_unref(c);
    co_cfuture_unref(a);
    co_cfuture_unref(b);
    co_executor_free(ex); /* joins the workers: their references are gone */
    ck_assert_int_eq(atomic_load(&freed), 1); /* c's; a's was taken */
    free_thing(taken);
    /* by hand, and misuse */
    co_cfuture *d;
    ck_assert_int_eq(co_cfuture_new(&d), 0);
    ck_assert_int_eq(co_cfuture_set_result_bytes(d, NULL, 3), CO_EINVAL);
    ck_assert_int_eq(co_cfuture_set_result_bytes(d, "xy", 2), 0);
    ck_assert_int_eq(co_cfuture_set_result_object(d, malloc(4), free_thing),
                     CO_ESTATE); /* already done: the object is freed */
    ck_assert_int_eq(atomic_load(&freed), 3);
    co_cfuture_unref(d);
    ck_assert_int_eq(co_job_return_ptr(NULL, NULL), CO_ENOTJOB);
    ck_assert_int_eq(co_job_return_bytes("x", 1), CO_ENOTJOB);
    ck_assert_int_eq(co_job_take_ptr(NULL, &p), CO_EINVAL);
    ck_assert_str_ne(co_strerror(CO_ENOTJOB), "unknown error");
    ck_assert_str_ne(co_strerror(CO_ETAKEN), "unknown error");
}
END_TEST

/* A process-pool worker: does SIGINT do its default action in here? */
static int report_sigint(const void *in, size_t in_len, void **out,
                         size_t *out_len)
{
    (void)in;
    (void)in_len;
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    *out = malloc(1);
    if (!*out)
        return CO_ENOMEM;
    *(char *)*out = now.sa_handler == SIG_DFL ? 'D' : 'H';
    *out_len = 1;
    return 0;
}

struct forker {
    co_coro co;
    co_process_pool *pool;
    co_future *f;
    char seen;
};

static int forker(co_coro *co)
{
    struct forker *self = (struct forker *)co;
    const void *data;
    size_t len;
    CO_BEGIN(co);
    ck_assert_int_eq(co_process_pool_new(co_get_running_loop(), 1,
                                         &self->pool), 0);
    ck_assert_int_eq(co_process_pool_submit(self->pool, report_sigint, NULL,
                                            0, &self->f), 0);
    CO_AWAIT(co, self->f);
    ck_assert_int_eq(co_job_result_bytes(self->f, &data, &len), 0);
    ck_assert_uint_eq(len, 1);
    self->seen = *(const char *)data;
    CO_FINALLY(co);
    co_future_unref(self->f);
    co_process_pool_free(self->pool, true);
    CO_END(co);
}

START_TEST(test_a_worker_process_does_not_inherit_co_run_sigint_handler)
{
    sigint_default();
    struct forker f = {0};
    co_coro_init(&f.co, forker);
    ck_assert_int_eq(co_run(&f.co), 0);
    ck_assert_int_eq(f.seen, 'D'); /* Ctrl-C is the parent's to handle */
}
END_TEST

static Suite *shutdown_suite(bool forking)
{
    Suite *s = suite_create("shutdown");
    TCase *tc = tcase_create("sigint");
    tcase_set_timeout(tc, TEST_TIMEOUT);
    tcase_add_test(tc, test_sigint_cancels_main_and_co_run_returns_interrupted);
    tcase_add_test(tc, test_main_that_catches_the_interrupt_returns_normally);
    tcase_add_test(tc, test_a_program_sigint_handler_is_left_alone);
    tcase_add_test(tc, test_a_worker_process_does_not_inherit_co_run_sigint_handler);
    if (forking) /* without a fork it would end the test program itself */
        tcase_add_test_raise_signal(tc, test_second_sigint_ends_the_process_at_once,
                                    SIGINT);
    suite_add_tcase(s, tc);
    tc = tcase_create("executor");
    tcase_set_timeout(tc, TEST_TIMEOUT);
    tcase_add_test(tc, test_co_run_runs_the_default_executor_queued_jobs);
    tcase_add_test(tc, test_shutdown_default_executor_waits_and_refuses_new_jobs);
    suite_add_tcase(s, tc);
    tc = tcase_create("objects");
    tcase_set_timeout(tc, TEST_TIMEOUT);
    tcase_add_test(tc, test_a_job_returns_an_object_that_its_future_hands_over_once);
    tcase_add_test(tc, test_an_object_nobody_takes_is_freed_with_its_future);
    tcase_add_test(tc, test_a_job_returns_bytes_that_are_copied);
    tcase_add_test(tc, test_concurrent_futures_carry_objects_too);
    suite_add_tcase(s, tc);
    tc = tcase_create("run_forever");
    tcase_set_timeout(tc, TEST_TIMEOUT);
    tcase_add_test(tc, test_run_forever_in_another_thread_waits_for_a_call);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *fork_env = getenv("CK_FORK");
    bool forking = !(fork_env && strcmp(fork_env, "no") == 0);
    SRunner *sr = srunner_create(shutdown_suite(forking));
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
