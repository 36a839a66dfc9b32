/* test.c - the grader of lesson 07: my_gather(), a gather made of
 * done-callbacks.
 *
 * The children are plain futures that the tests complete by hand between
 * loop iterations, in an order of their choosing, so every case is exact.
 * One case uses tasks as children and awaits the outer future from a
 * coroutine, as a program would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "grader.h"

/* Collects what the loop reports (for "exception was never retrieved"). */
static int nreports;
static char last_report[512];

static void record_report(co_loop *loop, const char *message, void *arg)
{
    (void)loop;
    (void)arg;
    nreports++;
    snprintf(last_report, sizeof last_report, "%s", message);
}

/* One test's loop, children and outer future. */
struct setup {
    co_loop *loop;
    co_future *child[8];
    size_t n;
    long long results[8];
    co_future *outer;
};

static void start(struct setup *s, size_t n)
{
    memset(s, 0, sizeof *s);
    nreports = 0;
    ck_assert_int_eq(co_loop_new(&s->loop), 0);
    co_loop_set_exception_handler(s->loop, record_report, NULL);
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(co_future_new(s->loop, &s->child[i]), 0);
        s->results[i] = -1;
    }
}

static void gather(struct setup *s)
{
    int rc = my_gather(s->loop, s->child, s->n, s->results, &s->outer);
    ck_assert_msg(rc == 0, "my_gather returned %s; expected 0",
                  co_errname(rc));
    ck_assert_msg(s->outer != NULL, "my_gather returned 0 but *out is NULL: "
                                    "store the outer future in *out");
}

/* Runs @p k loop iterations: the callbacks scheduled so far get to run. */
static void iterate(struct setup *s, int k)
{
    for (int i = 0; i < k; i++) {
        co_loop_stop(s->loop); /* stop after one iteration */
        int rc = co_loop_run_forever(s->loop);
        ck_assert_msg(rc == 0 || rc == CO_EDEADLOCK,
                      "running the loop failed: %s", co_errname(rc));
    }
}

/* Lets every child still pending finish, so that the gather's last
 * callbacks run, then frees everything. */
static void finish(struct setup *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!co_future_done(s->child[i]))
            co_future_set_result_int(s->child[i], 0);
    iterate(s, 3);
    co_future_unref(s->outer);
    for (size_t i = 0; i < s->n; i++)
        co_future_unref(s->child[i]);
    grade_expect_all_released(s->loop,
                              "once every child was done and the test let "
                              "go of them and of the outer future (does "
                              "every callback, even one that finds the "
                              "outer future done, count down and free the "
                              "shared state at the end?)");
    co_loop_close(s->loop);
}

static int outer_outcome(struct setup *s)
{
    return grade_run_until_complete(s->loop, s->outer, 0,
                                    "the outer future of my_gather");
}

/* ---- the tests ---------------------------------------------------------- */

START_TEST(test_results_in_argument_order)
{
    static struct setup s;
    start(&s, 3);
    gather(&s);
    /* They finish in the order 2, 0, 1. */
    co_future_set_result_int(s.child[2], 300);
    iterate(&s, 1);
    co_future_set_result_int(s.child[0], 100);
    iterate(&s, 1);
    co_future_set_result_int(s.child[1], 200);
    int rc = outer_outcome(&s);
    grade_expect_code(rc, 0, "the outer future's failure code");
    grade_expect_int(s.results[0], 100, "results[0] (child 0 gave 100)");
    grade_expect_int(s.results[1], 200, "results[1] (child 1 gave 200)");
    grade_expect_int(s.results[2], 300, "results[2] (child 2 gave 300, "
                                        "and finished first)");
    long long v = -1;
    ck_assert_msg(co_future_result_int(s.outer, &v) == 0 && v == 3,
                  "the outer future's result should be n = 3, as an "
                  "integer; got %lld", v);
    finish(&s);
}
END_TEST

START_TEST(test_outer_waits_for_every_child)
{
    static struct setup s;
    start(&s, 3);
    gather(&s);
    co_future_set_result_int(s.child[0], 1);
    co_future_set_result_int(s.child[1], 2);
    iterate(&s, 3);
    ck_assert_msg(!co_future_done(s.outer),
                  "two children of three are done, yet the outer future is "
                  "already done: it must wait for the last one");
    co_future_set_result_int(s.child[2], 3);
    grade_expect_code(outer_outcome(&s), 0, "the outer future's failure code");
    grade_expect_int(s.results[2], 3, "results[2]");
    finish(&s);
}
END_TEST

START_TEST(test_children_done_before_gather)
{
    static struct setup s;
    start(&s, 2);
    co_future_set_result_int(s.child[0], 5);
    co_future_set_result_int(s.child[1], 6);
    gather(&s);
    grade_expect_code(outer_outcome(&s), 0,
                     "gathering two finished children: the failure code");
    grade_expect_int(s.results[0], 5, "results[0]");
    grade_expect_int(s.results[1], 6, "results[1]");
    finish(&s);
}
END_TEST

START_TEST(test_first_failure_finishes_outer_at_once)
{
    static struct setup s;
    start(&s, 3);
    gather(&s);
    co_future_set_exception(s.child[1], CO_EFAIL, "disk full");
    int rc = outer_outcome(&s);
    ck_assert_msg(rc == CO_EFAIL,
                  "child 1 failed with CO_EFAIL while 0 and 2 were still "
                  "running: the outer future should fail at once with "
                  "CO_EFAIL; it ended with %s",
                  rc == 0 ? "a result" : co_errname(rc));
    const char *msg = NULL;
    co_future_exception(s.outer, &msg);
    ck_assert_msg(msg && strcmp(msg, "disk full") == 0,
                  "the outer future should carry the child's message "
                  "\"disk full\"; it has %s%s%s",
                  msg ? "\"" : "", msg ? msg : "none", msg ? "\"" : "");
    ck_assert_msg(!co_future_done(s.child[0]) && !co_future_done(s.child[2]),
                  "the other children must be left alone (gather does not "
                  "cancel them)");
    finish(&s);
}
END_TEST

START_TEST(test_later_failure_does_not_replace_first)
{
    static struct setup s;
    start(&s, 2);
    gather(&s);
    co_future_set_exception(s.child[0], CO_EFAIL, "first");
    iterate(&s, 2);
    co_future_set_exception(s.child[1], CO_EUSER - 1, "second");
    iterate(&s, 2);
    const char *msg = NULL;
    int rc = co_future_exception(s.outer, &msg);
    ck_assert_msg(rc == CO_EFAIL,
                  "the first failure (CO_EFAIL \"first\") must stay; the "
                  "outer future has %s \"%s\"",
                  co_errname(rc), msg ? msg : "");
    ck_assert_msg(msg && strcmp(msg, "first") == 0,
                  "the outer future has the first failure's code, CO_EFAIL, "
                  "but the message %s%s%s instead of \"first\": pass the "
                  "child's message on with its code",
                  msg ? "\"" : "", msg ? msg : "none", msg ? "\"" : "");
    finish(&s);
}
END_TEST

START_TEST(test_results_left_alone_once_outer_failed)
{
    /* Once the outer future is done, its caller may free the results
     * array (exercise.h: it must stay valid only until then). */
    static struct setup s;
    start(&s, 2);
    gather(&s);
    co_future_set_exception(s.child[0], CO_EFAIL, "first");
    grade_expect_code(outer_outcome(&s), CO_EFAIL,
                "the outer future after child 0 failed");
    s.results[1] = -777;
    co_future_set_result_int(s.child[1], 5);
    iterate(&s, 2);
    ck_assert_msg(s.results[1] == -777,
                  "child 1 returned 5 after the outer future had already "
                  "failed, and your callback still wrote it into "
                  "results[1]. Once the outer future is done its caller may "
                  "have freed that array: store a result only while "
                  "co_future_done(outer) is false.");
    finish(&s);
}
END_TEST

START_TEST(test_cancelled_child_cancels_outer)
{
    static struct setup s;
    start(&s, 2);
    gather(&s);
    co_future_cancel(s.child[0]);
    int rc = outer_outcome(&s);
    ck_assert_msg(rc == CO_ECANCELLED && co_future_cancelled(s.outer),
                  "a cancelled child ends the outer future as cancelled "
                  "(asyncio raises CancelledError); it ended with %s",
                  rc == 0 ? "a result" : co_errname(rc));
    finish(&s);
}
END_TEST

START_TEST(test_gather_of_nothing_is_finished)
{
    static struct setup s;
    start(&s, 0);
    gather(&s);
    iterate(&s, 1);
    long long v = -1;
    int rc = co_future_result_int(s.outer, &v);
    ck_assert_msg(rc == 0 && v == 0,
                  "my_gather of no children: the outer future should be "
                  "done with result 0; reading it gave %s, %lld",
                  co_errname(rc), v);
    finish(&s);
}
END_TEST

START_TEST(test_every_failure_counts_as_read)
{
    static struct setup s;
    start(&s, 3);
    gather(&s);
    co_future_set_exception(s.child[0], CO_EFAIL, "one");
    iterate(&s, 2);
    co_future_set_exception(s.child[2], CO_EFAIL, "two");
    co_future_set_result_int(s.child[1], 1);
    iterate(&s, 2);
    co_future_exception(s.outer, NULL); /* the caller reads the outer one */
    for (size_t i = 0; i < s.n; i++) {
        co_future_unref(s.child[i]);
        s.child[i] = NULL;
    }
    s.n = 0;
    ck_assert_msg(nreports == 0,
                  "a child's failure was never read: \"%s\". Read every "
                  "child's outcome in the callback (co_future_exception), "
                  "even after the outer future has failed",
                  last_report);
    finish(&s);
}
END_TEST

START_TEST(test_bad_arguments_are_rejected)
{
    static struct setup s;
    start(&s, 2);
    co_future *out = (co_future *)&s; /* must be reset to NULL */
    long long r[2];
    grade_expect_code(my_gather(NULL, s.child, 2, r, &out), CO_EINVAL,
                     "my_gather with a NULL loop");
    ck_assert_msg(out == NULL, "on failure *out must be set to NULL");
    co_future *with_null[2] = {s.child[0], NULL};
    out = (co_future *)&s;
    grade_expect_code(my_gather(s.loop, with_null, 2, r, &out), CO_EINVAL,
                     "my_gather with a NULL child");
    ck_assert_msg(out == NULL, "on failure *out must be set to NULL");
    finish(&s);
}
END_TEST

/* ---- tasks as children, awaited from a coroutine ----------------------- */

/* A task that yields `steps` times and returns `value`. */
struct worker {
    co_coro co;
    int steps;
    long long value;
};

static int worker(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    CO_BEGIN(co);
    while (self->steps-- > 0)
        CO_YIELD(co);
    CO_RETURN(co, self->value);
    CO_END(co);
}

struct gatherer {
    co_coro co;
    struct worker w[3];
    co_task *t[3];
    co_future *items[3];
    long long results[3];
    co_future *outer;
};

static int gatherer(co_coro *co)
{
    struct gatherer *self = (struct gatherer *)co;
    static const int steps[3] = {4, 0, 2};
    CO_BEGIN(co);
    for (int i = 0; i < 3; i++) {
        co_coro_init(&self->w[i].co, worker);
        self->w[i].steps = steps[i];
        self->w[i].value = 11 * (i + 1);
        co_create_task(co_get_running_loop(), &self->w[i].co, NULL,
                       &self->t[i]);
        self->items[i] = CO_AS_FUTURE(self->t[i]); /* a task is a future */
    }
    if (my_gather(co_get_running_loop(), self->items, 3, self->results,
                  &self->outer) < 0)
        CO_RAISE(co, CO_EFAIL, "my_gather failed");
    CO_AWAIT(co, self->outer);
    CO_FINALLY(co);
    co_future_unref(self->outer);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

START_TEST(test_gather_tasks_from_a_coroutine)
{
    static struct gatherer g;
    memset(&g, 0, sizeof g);
    co_coro_init(&g.co, gatherer);
    co_loop *loop;
    co_task *task;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    ck_assert_int_eq(co_create_task(loop, &g.co, "main", &task), 0);
    int rc = grade_run_until_complete(loop, co_task_future(task), 0,
                                      "a coroutine awaiting my_gather of "
                                      "three tasks");
    grade_expect_code(rc, 0, "the awaiting coroutine's failure code");
    grade_expect_int(g.results[0], 11, "results[0] (the slowest task)");
    grade_expect_int(g.results[1], 22, "results[1] (the fastest task)");
    grade_expect_int(g.results[2], 33, "results[2]");
    co_task_unref(task);
    grade_expect_all_released(loop, "after the awaiting coroutine ended");
    co_loop_close(loop);
}
END_TEST

Suite *lesson_suite(void)
{
    /* Every loop of the grader (and of the code graded) runs on virtual
     * time, co_loop_set_virtual_time(): sleeps take no real time and end
     * in deadline order however busy the machine is, so the order and the
     * durations checked are exact. COFLOW_CLOCK=monotonic overrides it. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    Suite *s = suite_create("lesson 07: gather");
    TCase *tc = grade_tcase("my_gather");
    tcase_add_test(tc, test_results_in_argument_order);
    tcase_add_test(tc, test_outer_waits_for_every_child);
    tcase_add_test(tc, test_children_done_before_gather);
    tcase_add_test(tc, test_first_failure_finishes_outer_at_once);
    tcase_add_test(tc, test_later_failure_does_not_replace_first);
    tcase_add_test(tc, test_results_left_alone_once_outer_failed);
    tcase_add_test(tc, test_cancelled_child_cancels_outer);
    tcase_add_test(tc, test_gather_of_nothing_is_finished);
    tcase_add_test(tc, test_every_failure_counts_as_read);
    tcase_add_test(tc, test_bad_arguments_are_rejected);
    tcase_add_test(tc, test_gather_tasks_from_a_coroutine);
    suite_add_tcase(s, tc);
    return s;
}
