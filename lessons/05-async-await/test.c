/* test.c - the grader of lesson 05: sum_two() awaits two children in turn.
 *
 * The grader supplies the child fetch(), which writes down when each child
 * starts and ends, so the tests can check the order as well as the sum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "grader.h"

/* ---- the child the student awaits --------------------------------------- */

/* What happened, one event per entry: "start 3", "end 3", "fail 3". */
static char events[16][32];
static int nevents;

static void note(const char *what, long long value)
{
    if (nevents < 16)
        snprintf(events[nevents++], sizeof events[0], "%s %lld", what, value);
}

int fetch(co_coro *co)
{
    struct fetch *self = (struct fetch *)co;
    CO_BEGIN(co);
    note("start", self->value);
    CO_SLEEP(co, self->delay);
    if (self->fail) {
        note("fail", self->value);
        CO_RAISE(co, self->fail, "the child failed on purpose");
    }
    note("end", self->value);
    CO_RETURN(co, self->value);
    CO_END(co);
}

/* The events joined by commas, for messages. */
static const char *trace(void)
{
    static char all[16 * 34];
    all[0] = '\0';
    for (int i = 0; i < nevents; i++) {
        if (i)
            strcat(all, ", ");
        strcat(all, events[i]);
    }
    return nevents ? all : "(nothing ran)";
}

/* A sum_two frame with its arguments, as a test sets it up. */
static void make(struct sum_two *s, double da, long long va, double db,
                 long long vb)
{
    memset(s, 0, sizeof *s);
    co_coro_init(&s->co, sum_two);
    s->delay_a = da;
    s->value_a = va;
    s->delay_b = db;
    s->value_b = vb;
    nevents = 0;
}

/* The message of the last run's failure, if it had one. */
static char last_message[400];

/* Keeps the message of @p task's failure in last_message. */
static void keep_message(co_task *task)
{
    const char *msg = NULL;
    last_message[0] = '\0';
    if (co_future_exception(co_task_future(task), &msg) < 0 && msg)
        snprintf(last_message, sizeof last_message, "%s", msg);
}

/* Runs @p co as a task on a fresh loop, as co_run() would, within the
 * grader's budget; returns how it ended (0 or its failure code). */
static int run_task(co_coro *co, const char *what)
{
    co_loop *loop = NULL;
    co_task *task = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    ck_assert_int_eq(co_create_task(loop, co, what, &task), 0);
    int rc = grade_run_until_complete(loop, co_task_future(task), 0, what);
    keep_message(task);
    co_task_unref(task);
    co_loop_close(loop);
    return rc;
}

static int run(struct sum_two *s)
{
    return run_task(&s->co, "sum_two");
}

/* What a failure code of sum_two most likely means, for messages: the
 * failure's own message when it has one (the library's explain most
 * mistakes, a bare `return` among them), otherwise a guess from the code. */
static const char *why(int rc)
{
    static char text[480];
    if (rc < 0 && last_message[0]) {
        snprintf(text, sizeof text, " (its message: \"%s\")", last_message);
        return text;
    }
    switch (rc) {
    case CO_EINVAL:
        return " (at CO_AWAIT_CORO this means the child's frame was not "
               "set up: call co_coro_init(&self->a.co, fetch) before "
               "awaiting it, and the same for self->b)";
    case CO_EREUSED:
        return " (a child frame was awaited a second time: set it up "
               "again with co_coro_init before each await)";
    case CO_ESTATE:
        return " (it has not ended: does it reach CO_RETURN?)";
    default:
        return "";
    }
}

static long long result_of(struct sum_two *s)
{
    long long v = 0;
    int rc = co_coro_result_int(&s->co, &v);
    ck_assert_msg(rc != CO_EKIND,
                  "sum_two ended but its result cannot be read as an "
                  "integer: end it with CO_RETURN(co, a + b)");
    ck_assert_msg(rc == 0, "sum_two failed with %s%s", co_errname(rc),
                  why(rc));
    return v;
}

/* ---- the tests ---------------------------------------------------------- */

START_TEST(test_sum_two_returns_sum_of_children)
{
    struct sum_two s;
    make(&s, 0.0, 2, 0.0, 3);
    int rc = run(&s);
    ck_assert_msg(rc == 0, "sum_two failed with %s; it should return 5%s",
                  co_errname(rc), why(rc));
    long long v = result_of(&s);
    ck_assert_msg(v == 5,
                  "children returned 2 and 3, sum_two returned %lld "
                  "instead of 5 (what ran: %s)",
                  v, trace());
}
END_TEST

START_TEST(test_children_really_run)
{
    struct sum_two s;
    make(&s, 0.0, 40, 0.0, 2);
    int rc = run(&s);
    ck_assert_msg(rc == 0, "sum_two failed with %s%s", co_errname(rc),
                  why(rc));
    ck_assert_msg(nevents == 4,
                  "expected both children to start and end (4 events), "
                  "saw: %s. Did you await them with CO_AWAIT_CORO?",
                  trace());
}
END_TEST

START_TEST(test_second_child_starts_after_first_returns)
{
    struct sum_two s;
    make(&s, 0.001, 7, 0.0, 8);
    run(&s);
    ck_assert_msg(nevents == 4 && strcmp(events[0], "start 7") == 0 &&
                      strcmp(events[1], "end 7") == 0 &&
                      strcmp(events[2], "start 8") == 0 &&
                      strcmp(events[3], "end 8") == 0,
                  "awaits in sequence: expected start 7, end 7, start 8, "
                  "end 8; saw: %s",
                  trace());
}
END_TEST

START_TEST(test_results_survive_a_real_sleep)
{
    /* Sleeping children: the first result must survive a suspension. */
    struct sum_two s;
    make(&s, 0.002, 1000, 0.001, 234);
    int rc = run(&s);
    ck_assert_msg(rc == 0, "sum_two failed with %s%s", co_errname(rc),
                  why(rc));
    long long v = result_of(&s);
    ck_assert_msg(v == 1234,
                  "children returned 1000 and 234 after sleeping, sum_two "
                  "returned %lld instead of 1234. A local variable set "
                  "before an await is lost: keep values in the frame, or "
                  "read both results after the last await",
                  v);
}
END_TEST

START_TEST(test_negative_and_zero_values)
{
    struct sum_two s;
    make(&s, 0.0, -7, 0.0, 0);
    run(&s);
    long long v = result_of(&s);
    ck_assert_msg(v == -7, "children returned -7 and 0, sum_two returned "
                           "%lld instead of -7", v);
}
END_TEST

START_TEST(test_first_child_failure_propagates)
{
    struct sum_two s;
    make(&s, 0.0, 5, 0.0, 6);
    s.fail_a = CO_EFAIL;
    int rc = run(&s);
    ck_assert_msg(rc == CO_EFAIL,
                  "the first child failed with CO_EFAIL, so sum_two should "
                  "fail the same way (an exception propagates through "
                  "await); it ended with %s%s",
                  rc == 0 ? "success" : co_errname(rc), why(rc));
    for (int i = 0; i < nevents; i++)
        ck_assert_msg(strcmp(events[i], "start 6") != 0,
                      "the second child started although the first one "
                      "failed (what ran: %s)",
                      trace());
}
END_TEST

/* Two sum_two tasks on one loop, their awaits interleaved by the delays:
 * the second's first child ends at 10 ms, the first's at 20 ms, the
 * first's second child at 30 ms and the second's at 40 ms. A value kept in
 * a static (shared by every sum_two) instead of the frame gets mixed up. */
START_TEST(test_two_sum_twos_at_once_keep_their_own_values)
{
    static struct sum_two x, y;
    make(&x, 0.020, 1, 0.010, 2);
    make(&y, 0.010, 10, 0.030, 20);
    co_loop *loop = NULL;
    co_task *tx = NULL, *ty = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    ck_assert_int_eq(co_create_task(loop, &x.co, "x", &tx), 0);
    ck_assert_int_eq(co_create_task(loop, &y.co, "y", &ty), 0);
    int rx = grade_run_until_complete(loop, co_task_future(tx), 0,
                                      "sum_two x");
    int ry = grade_run_until_complete(loop, co_task_future(ty), 0,
                                      "sum_two y");
    co_task_unref(tx);
    co_task_unref(ty);
    co_loop_close(loop);
    ck_assert_msg(rx == 0 && ry == 0, "two sum_two at once failed: %s, %s",
                  co_errname(rx), co_errname(ry));
    long long vx = 0, vy = 0;
    co_coro_result_int(&x.co, &vx);
    co_coro_result_int(&y.co, &vy);
    ck_assert_msg(vx == 3 && vy == 30,
                  "two sum_two running at once (children 1 and 2, and 10 and "
                  "20) returned %lld and %lld instead of 3 and 30%s",
                  vx, vy,
                  vx == 3 || vy == 30
                      ? ": one of them saw the other's value, so they share "
                        "a variable. Keep each one's values in its own "
                        "frame, not in a static or global"
                      : "");
}
END_TEST

/* The sum must be of what the children returned. Once the first child has
 * its copy of value_a (it is asleep in it), the test changes value_a: a
 * sum_two that adds its own arguments instead of the results notices. */
START_TEST(test_the_sum_is_of_the_childrens_results)
{
    static struct sum_two s;
    make(&s, 0.010, 6, 0.0, 7);
    co_loop *loop = NULL;
    co_task *task = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    ck_assert_int_eq(co_create_task(loop, &s.co, "sum_two", &task), 0);
    co_loop_stop(loop); /* one iteration: sum_two starts the first child */
    co_loop_run_forever(loop);
    s.value_a = 1000;    /* too late to matter: fetch has its own copy */
    int rc = grade_run_until_complete(loop, co_task_future(task), 0,
                                      "sum_two");
    keep_message(task);
    co_task_unref(task);
    co_loop_close(loop);
    ck_assert_msg(rc == 0, "sum_two failed with %s%s", co_errname(rc),
                  why(rc));
    long long v = result_of(&s);
    ck_assert_msg(v == 13,
                  "the children returned 6 and 7, sum_two returned %lld "
                  "instead of 13. Add up what the children returned (read "
                  "with co_coro_result_int(&self->a.co, ...) after each "
                  "await), not sum_two's own arguments: this test changed "
                  "value_a after the first child had its copy",
                  v);
}
END_TEST

/* A parent that awaits sum_two as its own child: coroutines nest. */
struct parent {
    co_coro co;            /* header */
    struct sum_two inner;  /* the awaited child */
};

static int parent(co_coro *co)
{
    struct parent *self = (struct parent *)co;
    long long v = 0;
    CO_BEGIN(co);
    CO_AWAIT_CORO(co, &self->inner.co);
    co_coro_result_int(&self->inner.co, &v);
    CO_RETURN(co, v * 10);
    CO_END(co);
}

START_TEST(test_sum_two_can_itself_be_awaited)
{
    struct parent p;
    memset(&p, 0, sizeof p);
    co_coro_init(&p.co, parent);
    make(&p.inner, 0.001, 4, 0.0, 5);
    int rc = run_task(&p.co, "a coroutine awaiting sum_two");
    ck_assert_msg(rc == 0, "awaiting sum_two from another coroutine "
                           "failed with %s%s", co_errname(rc), why(rc));
    long long v = 0;
    co_coro_result_int(&p.co, &v);
    ck_assert_msg(v == 90,
                  "a parent awaited sum_two (children 4 and 5) and got "
                  "%lld instead of 9",
                  v / 10);
}
END_TEST

Suite *lesson_suite(void)
{
    /* Every loop of the grader (and of the code graded) runs on virtual
     * time, co_loop_set_virtual_time(): sleeps take no real time and end
     * in deadline order however busy the machine is, so the order and the
     * durations checked are exact. COFLOW_CLOCK=monotonic overrides it. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    Suite *s = suite_create("lesson 05: async and await");
    TCase *tc = grade_tcase("sum_two");
    tcase_add_test(tc, test_sum_two_returns_sum_of_children);
    tcase_add_test(tc, test_children_really_run);
    tcase_add_test(tc, test_second_child_starts_after_first_returns);
    tcase_add_test(tc, test_results_survive_a_real_sleep);
    tcase_add_test(tc, test_negative_and_zero_values);
    tcase_add_test(tc, test_first_child_failure_propagates);
    tcase_add_test(tc, test_sum_two_can_itself_be_awaited);
    tcase_add_test(tc, test_two_sum_twos_at_once_keep_their_own_values);
    tcase_add_test(tc, test_the_sum_is_of_the_childrens_results);
    suite_add_tcase(s, tc);
    return s;
}
