/* test.c - the grader of lesson 11: worker()'s cleanup runs exactly once,
 * however the worker is stopped.
 *
 * Nothing is timed. The grader steps the loop one iteration at a time and
 * reads the worker's log to know where it is (how many steps it finished,
 * whether closing began), then cancels it there: at every suspension point
 * in turn, while it is closing, through the task that awaits it, through
 * gather, and before it starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "grader.h"

/* Iterations the grader allows for the worker to reach a point: a worker
 * needs one per step, so this is far more than any correct one takes. */
#define MAX_ITERATIONS 1000

#define close_loop(loop)                                                       \
    do {                                                                       \
        grade_expect_all_released((loop), "when the test ended");              \
        co_loop_close(loop);                                                   \
    } while (0)

static co_loop *new_loop(void)
{
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    return loop;
}

/* One loop iteration: the callbacks and steps scheduled so far run. */
static void iterate(co_loop *loop)
{
    co_loop_stop(loop);
    int rc = co_loop_run_forever(loop);
    ck_assert_msg(rc == 0 || rc == CO_EDEADLOCK,
                  "running the loop failed: %s", co_errname(rc));
}

/* Starts worker(log, n) as a task; the frame is the test's. */
static co_task *start_worker(co_loop *loop, struct worker *w,
                             struct worker_log *log, int n)
{
    memset(w, 0, sizeof *w);
    memset(log, 0, sizeof *log);
    co_coro_init(&w->co, worker);
    w->log = log;
    w->n = n;
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &w->co, "worker", &t), 0);
    return t;
}

/* Iterates until the worker has opened and finished @p steps steps (it is
 * then suspended at the suspension point of step steps + 1). */
static void run_until_steps(co_loop *loop, co_task *t,
                            const struct worker_log *log, int steps)
{
    for (int i = 0; i < MAX_ITERATIONS; i++) {
        if (log->opened == 1 && log->steps == steps)
            return;
        ck_assert_msg(!co_task_done(t),
                      "the worker ended after %d of its steps (opened %d); "
                      "the grader wanted to stop it after step %d",
                      log->steps, log->opened, steps);
        iterate(loop);
    }
    ck_abort_msg("the worker never reached step %d (it is at %d, opened %d)",
                 steps, log->steps, log->opened);
}

/* Iterates until the worker's closing has begun and not finished. */
static void run_until_closing(co_loop *loop, co_task *t,
                              const struct worker_log *log)
{
    for (int i = 0; i < MAX_ITERATIONS; i++) {
        if (log->closing == 1 && log->closed == 0)
            return;
        ck_assert_msg(!co_task_done(t) || log->closing > 0,
                      "cancelled during its steps, the worker ended without "
                      "ever beginning its cleanup: is the closing code in "
                      "the CO_FINALLY section, where a cancellation still "
                      "leads?");
        ck_assert_msg(!co_task_done(t),
                      "the worker ended while closing, before the grader "
                      "could catch it there (closing %d, closed %d): does "
                      "the closing await (CO_SLEEP_CATCH) in the CO_FINALLY "
                      "section?",
                      log->closing, log->closed);
        iterate(loop);
    }
    ck_abort_msg("the worker never began closing (closing %d)", log->closing);
}

static void expect_closed_once(const struct worker_log *log, const char *how)
{
    ck_assert_msg(log->opened == 1, "%s: the worker should open once; it "
                  "opened %d time%s", how, log->opened,
                  log->opened == 1 ? "" : "s");
    ck_assert_msg(log->closing == 1 && log->closed == 1,
                  "%s: the cleanup should run exactly once, to its end; it "
                  "began %d time%s and finished %d time%s (is it in "
                  "CO_FINALLY? does a cancellation cut it short?)",
                  how, log->closing, log->closing == 1 ? "" : "s",
                  log->closed, log->closed == 1 ? "" : "s");
}

static void expect_cancelled(int rc, co_task *t, const char *how)
{
    ck_assert_msg(rc == CO_ECANCELLED && co_task_cancelled(t),
                  "%s: the worker's task should end cancelled; it ended "
                  "with %s (a cancellation must not be swallowed)",
                  how, co_errname(rc));
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_worker_finishes_and_closes_once)
{
    co_loop *loop = new_loop();
    struct worker w;
    struct worker_log log;
    co_task *t = start_worker(loop, &w, &log, 3);
    int rc = grade_run_until_complete(loop, co_task_future(t), 0,
                                      "the worker task");
    grade_expect_code(rc, 0, "a worker that is not stopped");
    long long v = 0;
    grade_expect_code(co_future_result_int(co_task_future(t), &v), 0,
                      "reading the worker's result");
    grade_expect_int(v, 3, "the result of worker(log, 3)");
    grade_expect_int(log.steps, 3, "steps done by worker(log, 3)");
    expect_closed_once(&log, "a worker that finishes");
    grade_expect_code(log.close_err, 0, "close_err after a normal end");
    co_task_unref(t);
    close_loop(loop);
}
END_TEST

START_TEST(test_cancel_at_every_suspension_point)
{
    enum { N = 4 };
    for (int k = 0; k < N; k++) {
        co_loop *loop = new_loop();
        struct worker w;
        struct worker_log log;
        char how[80];
        snprintf(how, sizeof how, "cancelled after %d of %d steps", k, N);
        co_task *t = start_worker(loop, &w, &log, N);
        run_until_steps(loop, t, &log, k);
        ck_assert(co_task_cancel(t));
        int rc = grade_run_until_complete(loop, co_task_future(t), 0, how);
        expect_cancelled(rc, t, how);
        grade_expect_int(log.steps, k, how);
        expect_closed_once(&log, how);
        ck_assert_msg(log.close_err == CO_ECANCELLED,
                      "%s: close_err should be CO_ECANCELLED (co->err in "
                      "the cleanup); it is %s", how, co_errname(log.close_err));
        co_task_unref(t);
        close_loop(loop);
    }
}
END_TEST

START_TEST(test_cancel_again_while_closing)
{
    co_loop *loop = new_loop();
    struct worker w;
    struct worker_log log;
    co_task *t = start_worker(loop, &w, &log, 3);
    run_until_steps(loop, t, &log, 1);
    co_task_cancel(t);
    run_until_closing(loop, t, &log);
    co_task_cancel(t); /* a second Ctrl-C, while it closes */
    int rc = grade_run_until_complete(loop, co_task_future(t), 0,
                                      "a worker cancelled twice");
    ck_assert_msg(rc == CO_ECANCELLED,
                  "cancelled twice, the worker should still end cancelled; "
                  "it ended with %s", co_errname(rc));
    expect_closed_once(&log, "cancelled again while closing");
    co_task_unref(t);
    close_loop(loop);
}
END_TEST

START_TEST(test_cancel_while_closing_after_a_normal_end)
{
    co_loop *loop = new_loop();
    struct worker w;
    struct worker_log log;
    co_task *t = start_worker(loop, &w, &log, 2);
    run_until_closing(loop, t, &log);
    grade_expect_int(log.steps, 2, "steps done before closing");
    co_task_cancel(t);
    grade_run_until_complete(loop, co_task_future(t), 0,
                             "a worker cancelled while closing");
    expect_closed_once(&log, "cancelled while closing after its last step");
    co_task_unref(t);
    close_loop(loop);
}
END_TEST

/* async def boss(worker_task): await worker_task */
struct boss {
    co_coro co;
    co_task *t; /* the worker's task (not owned) */
};

static int boss(co_coro *co)
{
    struct boss *self = (struct boss *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, co_task_future(self->t));
    CO_END(co);
}

START_TEST(test_cancelling_the_awaiter_stops_the_worker)
{
    co_loop *loop = new_loop();
    struct worker w;
    struct worker_log log;
    co_task *t = start_worker(loop, &w, &log, 5);
    struct boss b;
    memset(&b, 0, sizeof b);
    co_coro_init(&b.co, boss);
    b.t = t;
    co_task *bt = NULL;
    ck_assert_int_eq(co_create_task(loop, &b.co, "boss", &bt), 0);
    run_until_steps(loop, t, &log, 2);
    co_task_cancel(bt); /* cancelling a task cancels what it awaits */
    int rc = grade_run_until_complete(loop, co_task_future(bt), 0,
                                      "the task awaiting the worker");
    grade_expect_code(rc, CO_ECANCELLED, "how the awaiting task ended");
    rc = grade_run_until_complete(loop, co_task_future(t), 0,
                                  "the worker task");
    expect_cancelled(rc, t, "stopped through the task awaiting it");
    expect_closed_once(&log, "stopped through the task awaiting it");
    co_task_unref(bt);
    co_task_unref(t);
    close_loop(loop);
}
END_TEST

START_TEST(test_gather_cancel_stops_every_worker)
{
    co_loop *loop = new_loop();
    struct worker w[3];
    struct worker_log log[3];
    co_task *t[3];
    co_future *items[3];
    for (int i = 0; i < 3; i++) {
        t[i] = start_worker(loop, &w[i], &log[i], 4 + i);
        items[i] = co_task_future(t[i]);
    }
    co_future *all = NULL;
    ck_assert_int_eq(co_gather(loop, items, 3, false, &all), 0);
    run_until_steps(loop, t[2], &log[2], 1);
    ck_assert(co_future_cancel(all));
    int rc = grade_run_until_complete(loop, all, 0, "gather(*workers)");
    grade_expect_code(rc, CO_ECANCELLED, "the cancelled gather");
    for (int i = 0; i < 3; i++) {
        rc = grade_run_until_complete(loop, items[i], 0, "a gathered worker");
        expect_cancelled(rc, t[i], "stopped by gather(...).cancel()");
        expect_closed_once(&log[i], "stopped by gather(...).cancel()");
        co_task_unref(t[i]);
    }
    co_future_unref(all);
    close_loop(loop);
}
END_TEST

START_TEST(test_cancel_before_it_starts)
{
    co_loop *loop = new_loop();
    struct worker w;
    struct worker_log log;
    co_task *t = start_worker(loop, &w, &log, 3);
    co_task_cancel(t);
    int rc = grade_run_until_complete(loop, co_task_future(t), 0,
                                      "a worker cancelled before it starts");
    expect_cancelled(rc, t, "cancelled before its first step");
    grade_expect_int(log.opened, 0, "opened, cancelled before its first step");
    grade_expect_int(log.closed, 0, "closed, cancelled before its first step");
    co_task_unref(t);
    close_loop(loop);
}
END_TEST

Suite *lesson_suite(void)
{
    /* Every loop of the grader (and of the code graded) runs on virtual
     * time, co_loop_set_virtual_time(): sleeps take no real time and end
     * in deadline order however busy the machine is, so the order and the
     * durations checked are exact. COFLOW_CLOCK=monotonic overrides it. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    Suite *s = suite_create("lesson 11: cancellation");
    TCase *tc = grade_tcase("worker");
    tcase_add_test(tc, test_worker_finishes_and_closes_once);
    tcase_add_test(tc, test_cancel_at_every_suspension_point);
    tcase_add_test(tc, test_cancel_again_while_closing);
    tcase_add_test(tc, test_cancel_while_closing_after_a_normal_end);
    tcase_add_test(tc, test_cancelling_the_awaiter_stops_the_worker);
    tcase_add_test(tc, test_gather_cancel_stops_every_worker);
    tcase_add_test(tc, test_cancel_before_it_starts);
    suite_add_tcase(s, tc);
    return s;
}
