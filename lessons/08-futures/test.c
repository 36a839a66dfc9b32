/* test.c - the grader of lesson 08: set_after() completes a future from
 * another task; note_done() is a done-callback with an extra argument.
 *
 * Loop iterations are counted, not timed: a set_after with delay 0 yields
 * once, so its future must still be pending after the first iteration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "grader.h"

/* Checks that nothing the test or the student's code made is still
 * referenced, then closes the loop. */
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

static co_future *new_future(co_loop *loop)
{
    co_future *f = NULL;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    return f;
}

/* One loop iteration: the callbacks and steps scheduled so far run. */
static void iterate(co_loop *loop)
{
    co_loop_stop(loop);
    int rc = co_loop_run_forever(loop);
    ck_assert_msg(rc == 0 || rc == CO_EDEADLOCK,
                  "running the loop failed: %s", co_errname(rc));
}

/* Starts set_after(fut, delay, value) as a task; the frame is the test's. */
static co_task *start_set_after(co_loop *loop, struct set_after *s,
                                co_future *fut, double delay, long long v)
{
    memset(s, 0, sizeof *s);
    co_coro_init(&s->co, set_after);
    s->fut = fut;
    s->delay = delay;
    s->value = v;
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &s->co, "set_after", &t), 0);
    return t;
}

static void expect_note(const struct done_note *n, const char *text,
                        const char *what)
{
    ck_assert_msg(n->calls == 1,
                  "%s: note_done should have run once for this note; it ran "
                  "%d times",
                  what, n->calls);
    ck_assert_msg(strcmp(n->text, text) == 0,
                  "%s: note_done should write \"%s\"; it wrote \"%s\"", what,
                  text, n->text);
}

/* ---- set_after ---------------------------------------------------------- */

START_TEST(test_set_after_gives_the_future_its_result)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct set_after s;
    co_task *t = start_set_after(loop, &s, fut, 0.001, 42);
    int rc = grade_run_until_complete(loop, fut, 0,
                                      "the future set_after should set");
    grade_expect_code(rc, 0, "the future's outcome");
    long long v = 0;
    grade_expect_code(co_future_result_int(fut, &v), 0,
                "reading the future's result as an integer");
    grade_expect_int(v, 42, "the future's result after set_after(fut, "
                            "0.001, 42)");
    rc = grade_run_until_complete(loop, co_task_future(t), 0,
                                  "the set_after task");
    grade_expect_code(rc, 0, "how the set_after task ended");
    co_task_unref(t);
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

START_TEST(test_set_after_waits_before_setting)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct set_after s;
    co_task *t = start_set_after(loop, &s, fut, 0, 7);
    iterate(loop); /* set_after's first step: it must only wait */
    ck_assert_msg(!co_future_done(fut),
                  "after set_after's first step the future is already "
                  "done: it must wait (CO_SLEEP, even for 0 seconds, "
                  "yields once) before setting the result");
    iterate(loop); /* its second step sets the result */
    ck_assert_msg(co_future_done(fut),
                  "set_after(fut, 0, 7) yields once and then sets the "
                  "result, but after its second step the future is still "
                  "pending");
    long long v = 0;
    co_future_result_int(fut, &v);
    grade_expect_int(v, 7, "the future's result");
    co_task_unref(t);
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

/* A coroutine that awaits a future that another task will set. */
struct waiter {
    co_coro co;        /* header */
    co_future *fut;    /* the future to create and await */
    struct set_after setter; /* the other task's frame */
    co_task *t;        /* the other task */
};

static int waiter(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    long long v = 0;
    CO_BEGIN(co);
    co_future_new(co_get_running_loop(), &self->fut); /* loop.create_future() */
    co_coro_init(&self->setter.co, set_after);
    self->setter.fut = self->fut;
    self->setter.delay = 0.002;
    self->setter.value = 666;
    co_create_task(co_get_running_loop(), &self->setter.co, NULL, &self->t);
    CO_AWAIT(co, self->fut); /* data = await fut */
    co_future_result_int(self->fut, &v);
    CO_RETURN(co, v);
    CO_FINALLY(co);
    co_task_unref(self->t);
    co_future_unref(self->fut);
    CO_END(co);
}

START_TEST(test_a_coroutine_awaits_what_set_after_sets)
{
    co_loop *loop = new_loop();
    static struct waiter w;
    memset(&w, 0, sizeof w);
    co_coro_init(&w.co, waiter);
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &w.co, "main", &t), 0);
    int rc = grade_run_until_complete(loop, co_task_future(t), 0,
                                      "a coroutine awaiting a future that "
                                      "set_after sets");
    grade_expect_code(rc, 0, "how the awaiting coroutine ended");
    long long v = 0;
    co_task_result_int(t, &v);
    grade_expect_int(v, 666, "what the awaiting coroutine got from the "
                             "future");
    co_task_unref(t);
    close_loop(loop);
}
END_TEST

START_TEST(test_set_after_on_cancelled_future_fails)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct set_after s;
    co_task *t = start_set_after(loop, &s, fut, 0, 1);
    co_future_cancel(fut); /* somebody gave up on it */
    int rc = grade_run_until_complete(loop, co_task_future(t), 0,
                                      "the set_after task");
    grade_expect_code(rc, CO_ESTATE,
                "set_after on a future that was cancelled meanwhile "
                "(setting it fails, so set_after must fail with that code)");
    co_task_unref(t);
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

/* ---- note_done and watch ------------------------------------------------ */

START_TEST(test_note_reports_a_result)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct done_note note = {.label = "answer"};
    grade_expect_code(watch(fut, &note), 0, "watch() on a pending future");
    co_future_set_result_int(fut, 42);
    ck_assert_msg(note.calls == 0,
                  "note_done ran before the loop did: a done-callback is "
                  "never called directly, the future schedules it");
    iterate(loop);
    expect_note(&note, "answer=42", "a future with the result 42");
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

START_TEST(test_note_reports_a_failure)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct done_note note = {.label = "download"};
    grade_expect_code(watch(fut, &note), 0, "watch() on a pending future");
    co_future_set_exception(fut, CO_EFAIL, "connection reset");
    iterate(loop);
    expect_note(&note, "download failed: CO_EFAIL",
                "a future that failed with CO_EFAIL");
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

START_TEST(test_note_reports_a_cancellation)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct done_note note = {.label = "job"};
    grade_expect_code(watch(fut, &note), 0, "watch() on a pending future");
    co_future_cancel(fut);
    iterate(loop);
    expect_note(&note, "job cancelled", "a cancelled future");
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

/* A task that returns 7 after one yield. */
static int seven(co_coro *co)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    CO_RETURN(co, 7);
    CO_END(co);
}

START_TEST(test_note_on_a_task)
{
    co_loop *loop = new_loop();
    static co_coro frame;
    co_coro_init(&frame, seven);
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &frame, NULL, &t), 0);
    static struct done_note note = {.label = "task"};
    grade_expect_code(watch(CO_AS_FUTURE(t), &note), 0,
                "watch() on a task (a task is a future)");
    grade_run_until_complete(loop, co_task_future(t), 0, "the task");
    iterate(loop);
    expect_note(&note, "task=7", "a task that returned 7");
    co_task_unref(t);
    close_loop(loop);
}
END_TEST

START_TEST(test_two_notes_keep_their_own_labels)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct done_note a = {.label = "first"}, b = {.label = "second"};
    grade_expect_code(watch(fut, &a), 0, "watch() with the first note");
    grade_expect_code(watch(fut, &b), 0, "watch() with the second note");
    co_future_set_result_int(fut, 5);
    iterate(loop);
    expect_note(&a, "first=5", "the first of two notes on one future");
    expect_note(&b, "second=5", "the second of two notes on one future");
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

START_TEST(test_note_on_a_future_already_done)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    co_future_set_result_int(fut, -3);
    static struct done_note note = {.label = "late"};
    grade_expect_code(watch(fut, &note), 0, "watch() on a finished future");
    ck_assert_msg(note.calls == 0,
                  "watch() called note_done itself; register it, and the "
                  "future schedules it even when already done");
    iterate(loop);
    expect_note(&note, "late=-3", "a note added after the result -3");
    co_future_unref(fut);
    close_loop(loop);
}
END_TEST

START_TEST(test_one_note_counts_every_call)
{
    co_loop *loop = new_loop();
    co_future *first = new_future(loop), *second = new_future(loop);
    static struct done_note note = {.label = "either"};
    grade_expect_code(watch(first, &note), 0, "watch() on the first future");
    grade_expect_code(watch(second, &note), 0,
                      "watch() with the same note on a second future");
    co_future_set_result_int(first, 1);
    iterate(loop);
    co_future_set_result_int(second, 2);
    iterate(loop);
    ck_assert_msg(note.calls == 2,
                  "one note watched on two futures that both finished: "
                  "note->calls should be 2, it is %d (add one on every "
                  "call rather than setting it)",
                  note.calls);
    ck_assert_msg(strcmp(note.text, "either=2") == 0,
                  "the note should hold what the last call wrote, "
                  "\"either=2\"; it holds \"%s\"",
                  note.text);
    co_future_unref(first);
    co_future_unref(second);
    close_loop(loop);
}
END_TEST

START_TEST(test_watch_rejects_null)
{
    co_loop *loop = new_loop();
    co_future *fut = new_future(loop);
    static struct done_note note = {.label = "x"};
    grade_expect_code(watch(NULL, &note), CO_EINVAL, "watch(NULL, note)");
    grade_expect_code(watch(fut, NULL), CO_EINVAL, "watch(fut, NULL)");
    co_future_set_result_int(fut, 1);
    iterate(loop); /* nothing registered: nothing may run */
    grade_expect_int(note.calls, 0, "note_done calls after rejected watches");
    co_future_unref(fut);
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
    Suite *s = suite_create("lesson 08: futures");
    TCase *tc = grade_tcase("set_after");
    tcase_add_test(tc, test_set_after_gives_the_future_its_result);
    tcase_add_test(tc, test_set_after_waits_before_setting);
    tcase_add_test(tc, test_a_coroutine_awaits_what_set_after_sets);
    tcase_add_test(tc, test_set_after_on_cancelled_future_fails);
    suite_add_tcase(s, tc);
    tc = grade_tcase("note_done");
    tcase_add_test(tc, test_note_reports_a_result);
    tcase_add_test(tc, test_note_reports_a_failure);
    tcase_add_test(tc, test_note_reports_a_cancellation);
    tcase_add_test(tc, test_note_on_a_task);
    tcase_add_test(tc, test_two_notes_keep_their_own_labels);
    tcase_add_test(tc, test_note_on_a_future_already_done);
    tcase_add_test(tc, test_one_note_counts_every_call);
    tcase_add_test(tc, test_watch_rejects_null);
    suite_add_tcase(s, tc);
    return s;
}
