/* test_pools.c - the thread and process pools when a job misbehaves: a
 * process-pool reply that lies about its length or is garbage, and jobs
 * that never return while their pool shuts down. A wedged job here blocks
 * reading a pipe that the test writes only at the end; shutdown timeouts
 * are short, and the tests check outcomes and counts, never durations. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coflow.h"

#define TEST_TIMEOUT 30

static int reports;
static char last_report[300];

static void count_report(co_loop *loop, const char *message, void *arg)
{
    (void)loop;
    (void)arg;
    reports++;
    snprintf(last_report, sizeof last_report, "%s", message);
}

static co_loop *new_loop(void)
{
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    reports = 0;
    last_report[0] = '\0';
    co_loop_set_exception_handler(loop, count_report, NULL);
    return loop;
}

/* No child of ours is left, not even a zombie. */
static void assert_no_child_left(void)
{
    errno = 0;
    ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
}

static const char *failure_message(co_future *f)
{
    const char *msg = NULL;
    co_future_exception(f, &msg);
    return msg ? msg : "";
}

/* ---- process-pool jobs ---------------------------------------------------- */

static int echo(const void *in, size_t len, void **out, size_t *out_len)
{
    void *r = malloc(len ? len : 1);
    if (!r)
        return CO_ENOMEM;
    memcpy(r, in, len);
    *out = r;
    *out_len = len;
    return 0;
}

/* Claims a result of SIZE_MAX - 8 bytes in a 4-byte buffer. */
static int lie_about_length(const void *in, size_t len, void **out,
                            size_t *out_len)
{
    (void)in, (void)len;
    *out = calloc(1, 4);
    *out_len = SIZE_MAX - 8;
    return *out ? 0 : CO_ENOMEM;
}

/* A result of as many bytes as the argument's first byte says, in KiB,
 * plus the second byte. */
static int sized(const void *in, size_t len, void **out, size_t *out_len)
{
    const unsigned char *p = in;
    size_t n = len >= 2 ? (size_t)p[0] * 1024 + p[1] : 0;
    *out = malloc(n ? n : 1);
    if (!*out)
        return CO_ENOMEM;
    memset(*out, 'x', n);
    *out_len = n;
    return 0;
}

/* Plays a worker whose memory the job has overwritten: writes garbage to
 * the worker's socket (the only socket a worker process has), then returns
 * normally. */
static int scribble_on_the_socket(const void *in, size_t len, void **out,
                                  size_t *out_len)
{
    (void)in, (void)len, (void)out, (void)out_len;
    unsigned char junk[64];
    memset(junk, 0x7f, sizeof junk);
    for (int fd = 3; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
            if (write(fd, junk, sizeof junk) < 0)
                continue;
    }
    return 0;
}

/* The read end of a pipe that the test writes only at the end. */
static int wedge_fd = -1;

static int never_returns(const void *in, size_t len, void **out,
                         size_t *out_len)
{
    (void)in, (void)len, (void)out, (void)out_len;
    char c;
    while (read(wedge_fd, &c, 1) < 0 && errno == EINTR)
        continue;
    return 0;
}

/* Closes the worker's socket (as a job gone wild might) and then never
 * returns: the parent sees end-of-file from a worker that is alive. */
static int close_socket_and_hang(const void *in, size_t len, void **out,
                                 size_t *out_len)
{
    for (int fd = 3; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
            close(fd);
    }
    return never_returns(in, len, out, out_len);
}

static int run_to_end(co_loop *loop, co_future *f)
{
    return co_loop_run_until_complete(loop, f);
}

/* ---- item: a malformed reply is CO_EWORKER -------------------------------- */

START_TEST(test_process_pool_reply_of_size_max_bytes_fails_with_eworker)
{
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), 0);
    co_future *bad, *next;
    ck_assert_int_eq(co_process_pool_submit(pool, lie_about_length, NULL, 0,
                                            &bad), 0);
    ck_assert_int_eq(co_process_pool_submit(pool, echo, "next", 4, &next), 0);
    ck_assert_int_eq(run_to_end(loop, bad), CO_EWORKER);
    ck_assert_ptr_nonnull(strstr(failure_message(bad), "over the pool's limit"));
    /* The worker was replaced, and the next job runs on the new one. */
    ck_assert_int_eq(run_to_end(loop, next), 0);
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(next, &p), 0);
    ck_assert_str_eq((char *)((co_bytes *)p)->data, "next");
    ck_assert_int_eq(co_process_pool_workers(pool), 1);
    co_future_unref(bad);
    co_future_unref(next);
    co_process_pool_free(pool, true);
    assert_no_child_left();
    ck_assert_int_eq(reports, 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_process_pool_reply_limit_takes_the_limit_and_refuses_one_more)
{
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), 0);
    ck_assert_int_eq(co_process_pool_set_max_reply(pool, 2048), 0);
    co_future *fits, *over;
    unsigned char at[2] = {2, 0}, above[2] = {2, 1};
    ck_assert_int_eq(co_process_pool_submit(pool, sized, at, 2, &fits), 0);
    ck_assert_int_eq(co_process_pool_submit(pool, sized, above, 2, &over), 0);
    ck_assert_int_eq(run_to_end(loop, fits), 0);
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(fits, &p), 0);
    ck_assert_uint_eq(((co_bytes *)p)->len, 2048);
    ck_assert_int_eq(run_to_end(loop, over), CO_EWORKER);
    ck_assert_ptr_nonnull(strstr(failure_message(over), "2049"));
    co_future_unref(fits);
    co_future_unref(over);
    ck_assert_int_eq(co_process_pool_set_max_reply(NULL, 1), CO_EINVAL);
    ck_assert_int_eq(co_process_pool_set_max_reply(pool, SIZE_MAX), CO_EINVAL);
    co_process_pool_free(pool, true);
    assert_no_child_left();
    co_loop_close(loop);
}
END_TEST

START_TEST(test_process_pool_garbage_from_a_worker_fails_its_job_and_replaces_it)
{
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), 0);
    co_future *bad, *next;
    ck_assert_int_eq(co_process_pool_submit(pool, scribble_on_the_socket,
                                            NULL, 0, &bad), 0);
    ck_assert_int_eq(co_process_pool_submit(pool, echo, "ok", 2, &next), 0);
    ck_assert_int_eq(run_to_end(loop, bad), CO_EWORKER);
    ck_assert_ptr_nonnull(strstr(failure_message(bad), "malformed"));
    ck_assert_int_eq(run_to_end(loop, next), 0);
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(next, &p), 0);
    ck_assert_str_eq((char *)((co_bytes *)p)->data, "ok");
    co_future_unref(bad);
    co_future_unref(next);
    ck_assert_int_eq(co_process_pool_workers(pool), 1);
    co_process_pool_free(pool, true);
    assert_no_child_left();
    co_loop_close(loop);
}
END_TEST

/* ---- item: a bounded shutdown of the process pool ------------------------- */

START_TEST(test_process_pool_free_kills_a_job_that_outlives_the_shutdown_timeout)
{
    int gate[2];
    ck_assert_int_eq(pipe(gate), 0);
    wedge_fd = gate[0]; /* before the workers are forked: they inherit it */
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 2, &pool), 0);
    ck_assert_int_eq(co_process_pool_set_shutdown_timeout(pool, 0.05), 0);
    co_future *wedged, *fine;
    ck_assert_int_eq(co_process_pool_submit(pool, never_returns, NULL, 0,
                                            &wedged), 0);
    ck_assert_int_eq(co_process_pool_submit(pool, echo, "fine", 4, &fine), 0);
    ck_assert_int_eq(run_to_end(loop, fine), 0);
    co_process_pool_free(pool, true); /* returns: the wedged one is killed */
    ck_assert(co_future_done(wedged));
    ck_assert_int_eq(co_future_exception(wedged, NULL), CO_EWORKER);
    ck_assert_ptr_nonnull(strstr(failure_message(wedged), "signal 9"));
    ck_assert_int_eq(reports, 1);
    ck_assert_ptr_nonnull(strstr(last_report, "still running"));
    assert_no_child_left();
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(fine, &p), 0);
    co_future_unref(wedged);
    co_future_unref(fine);
    co_loop_close(loop);
    close(gate[0]);
    close(gate[1]);
}
END_TEST

START_TEST(test_process_pool_job_that_closes_its_socket_and_hangs_is_killed)
{
    int gate[2];
    ck_assert_int_eq(pipe(gate), 0);
    wedge_fd = gate[0];
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), 0);
    co_future *f, *next;
    ck_assert_int_eq(co_process_pool_submit(pool, close_socket_and_hang, NULL,
                                            0, &f), 0);
    ck_assert_int_eq(co_process_pool_submit(pool, echo, "on", 2, &next), 0);
    /* Reaping the worker must not wait for a job that never ends. */
    ck_assert_int_eq(run_to_end(loop, f), CO_EWORKER);
    ck_assert_int_eq(run_to_end(loop, next), 0);
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(next, &p), 0);
    co_future_unref(f);
    co_future_unref(next);
    co_process_pool_free(pool, true);
    assert_no_child_left();
    co_loop_close(loop);
    close(gate[0]);
    close(gate[1]);
}
END_TEST

START_TEST(test_process_pool_shutdown_timeout_rejects_nan_and_null)
{
    co_loop *loop = new_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), 0);
    ck_assert_int_eq(co_process_pool_set_shutdown_timeout(pool, NAN), CO_EINVAL);
    ck_assert_int_eq(co_process_pool_set_shutdown_timeout(NULL, 1), CO_EINVAL);
    ck_assert_int_eq(co_process_pool_set_shutdown_timeout(pool, -1), 0);
    co_process_pool_free(pool, true); /* idle workers: no wait at all */
    assert_no_child_left();
    ck_assert_int_eq(reports, 0);
    co_loop_close(loop);
}
END_TEST

/* ---- item: a bounded shutdown of the thread pool -------------------------- */

struct blocker {
    int fd;             /* read end of the test's pipe */
    atomic_int started; /* jobs that have begun */
};

static long long block_on_pipe(void *arg)
{
    struct blocker *b = arg;
    atomic_fetch_add(&b->started, 1);
    char c;
    while (read(b->fd, &c, 1) < 0 && errno == EINTR)
        continue;
    return 11;
}

static long long quick(void *arg)
{
    (void)arg;
    return 5;
}

/* Lets the wedged jobs go and waits until their threads are gone. */
static void release_and_wait(int gate[2], int jobs)
{
    for (int i = 0; i < jobs; i++)
        ck_assert_int_eq(write(gate[1], "x", 1), 1);
    while (co_executor_abandoned() > 0)
        sched_yield();
}

START_TEST(test_executor_shutdown_abandons_a_job_that_outlives_the_timeout)
{
    int gate[2];
    ck_assert_int_eq(pipe(gate), 0);
    struct blocker b = {.fd = gate[0]};
    atomic_init(&b.started, 0);
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 1), 0);
    ck_assert_int_eq(co_executor_set_shutdown_timeout(ex, 0.05), 0);
    co_cfuture *wedged, *queued;
    ck_assert_int_eq(co_executor_submit(ex, block_on_pipe, &b, &wedged), 0);
    ck_assert_int_eq(co_executor_submit(ex, quick, NULL, &queued), 0);
    while (atomic_load(&b.started) == 0)
        sched_yield();
    ck_assert_int_eq(co_executor_abandoned(), 0);
    ck_assert_int_eq(co_executor_shutdown(ex, true, false), CO_ETIMEDOUT);
    ck_assert_int_eq(co_executor_abandoned(), 1);
    ck_assert(co_cfuture_cancelled(queued)); /* nobody is left to run it */
    ck_assert(co_cfuture_running(wedged));
    co_executor_free(ex); /* at once: the abandoned thread frees the rest */
    release_and_wait(gate, 1);
    long long v = 0;
    ck_assert_int_eq(co_cfuture_result_int(wedged, -1, &v), 0);
    ck_assert_int_eq(v, 11);
    co_cfuture_unref(wedged);
    co_cfuture_unref(queued);
    close(gate[0]);
    close(gate[1]);
}
END_TEST

START_TEST(test_loop_close_abandons_a_wedged_default_executor_job_and_reports)
{
    int gate[2];
    ck_assert_int_eq(pipe(gate), 0);
    struct blocker b = {.fd = gate[0]};
    atomic_init(&b.started, 0);
    co_loop *loop = new_loop();
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 2), 0);
    ck_assert_int_eq(co_executor_set_shutdown_timeout(ex, 0), 0);
    ck_assert_int_eq(co_loop_set_default_executor(loop, ex), 0);
    co_future *wedged, *fine;
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, block_on_pipe, &b,
                                             &wedged), 0);
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, quick, NULL, &fine),
                     0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, fine), 0);
    while (atomic_load(&b.started) == 0)
        sched_yield();
    ck_assert_int_eq(co_loop_close(loop), 0); /* returns: nothing hangs */
    ck_assert_int_eq(reports, 1);
    ck_assert_ptr_nonnull(strstr(last_report, "abandoned"));
    ck_assert_int_eq(co_executor_abandoned(), 1);
    ck_assert(!co_future_done(wedged)); /* its loop is gone */
    /* The job returns after the loop and the pool were let go of: its
     * result goes nowhere, and nothing freed is touched. */
    release_and_wait(gate, 1);
    co_future_unref(wedged);
    co_future_unref(fine);
    close(gate[0]);
    close(gate[1]);
}
END_TEST

START_TEST(test_executor_shutdown_timeout_rejects_nan_and_waits_for_quick_jobs)
{
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 2), 0);
    ck_assert_int_eq(co_executor_set_shutdown_timeout(ex, NAN), CO_EINVAL);
    ck_assert_int_eq(co_executor_set_shutdown_timeout(NULL, 1), CO_EINVAL);
    ck_assert_int_eq(co_executor_set_shutdown_timeout(ex, 0), 0);
    co_cfuture *cf[8];
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(co_executor_submit(ex, quick, NULL, &cf[i]), 0);
    /* A zero timeout still lets the idle workers end and be joined; jobs
     * that were running are either done or abandoned, never lost. */
    int rc = co_executor_shutdown(ex, true, false);
    ck_assert(rc == 0 || rc == CO_ETIMEDOUT);
    co_executor_free(ex);
    while (co_executor_abandoned() > 0)
        sched_yield();
    for (int i = 0; i < 8; i++) {
        long long v = 0;
        int r = co_cfuture_result_int(cf[i], -1, &v);
        ck_assert(r == CO_ECANCELLED || (r == 0 && v == 5));
        co_cfuture_unref(cf[i]);
    }
}
END_TEST

/* ---- the codes the headers promise ----------------------------------- */

START_TEST(test_pool_entry_points_return_their_documented_codes)
{
    co_loop *loop = new_loop();
    co_process_pool *pool = (co_process_pool *)&pool;
    ck_assert_int_eq(co_process_pool_new(NULL, 1, &pool), CO_EINVAL);
    ck_assert_ptr_null(pool);
    ck_assert_int_eq(co_process_pool_new(loop, -1, &pool), CO_EINVAL);
    ck_assert_int_eq(co_process_pool_new(loop, 1, NULL), CO_EINVAL);
    ck_assert_int_eq(co_process_pool_workers(NULL), 0);
    co_executor *ex = NULL;
    ck_assert_int_eq(co_executor_new(&ex, -1), CO_EINVAL);
    ck_assert_int_eq(co_executor_new(NULL, 1), CO_EINVAL);
    co_cfuture *cf = NULL;
    ck_assert_int_eq(co_executor_submit(NULL, quick, NULL, &cf), CO_EINVAL);
    ck_assert_int_eq(co_executor_shutdown(NULL, true, true), CO_EINVAL);
    /* A closed loop whose struct a live future keeps. */
    co_future *keep;
    ck_assert_int_eq(co_future_new(loop, &keep), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(co_process_pool_new(loop, 1, &pool), CO_ECLOSED);
    ck_assert_ptr_null(pool);
    co_future *f = NULL;
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, quick, NULL, &f),
                     CO_ECLOSED);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(co_executor_new(&ex, 1), 0);
    ck_assert_int_eq(co_loop_set_default_executor(loop, ex), CO_ECLOSED);
    co_executor_free(ex); /* still ours */
    co_future_unref(keep);
    ck_assert_str_ne(co_strerror(CO_EWORKER), "unknown error");
}
END_TEST

static Suite *pools_suite(void)
{
    Suite *s = suite_create("pools");
    TCase *tc = tcase_create("process_pool_replies");
    tcase_add_test(tc, test_process_pool_reply_of_size_max_bytes_fails_with_eworker);
    tcase_add_test(tc, test_process_pool_reply_limit_takes_the_limit_and_refuses_one_more);
    tcase_add_test(tc, test_process_pool_garbage_from_a_worker_fails_its_job_and_replaces_it);
    tcase_set_timeout(tc, TEST_TIMEOUT);
    suite_add_tcase(s, tc);
    tc = tcase_create("bounded_shutdown");
    tcase_add_test(tc, test_process_pool_free_kills_a_job_that_outlives_the_shutdown_timeout);
    tcase_add_test(tc, test_process_pool_job_that_closes_its_socket_and_hangs_is_killed);
    tcase_add_test(tc, test_process_pool_shutdown_timeout_rejects_nan_and_null);
    tcase_add_test(tc, test_executor_shutdown_abandons_a_job_that_outlives_the_timeout);
    tcase_add_test(tc, test_loop_close_abandons_a_wedged_default_executor_job_and_reports);
    tcase_add_test(tc, test_executor_shutdown_timeout_rejects_nan_and_waits_for_quick_jobs);
    tcase_add_test(tc, test_pool_entry_points_return_their_documented_codes);
    tcase_set_timeout(tc, TEST_TIMEOUT);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pools_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
