/* test.c - the grader of lesson 03: fib() yields the Fibonacci numbers,
 * one per step, and keeps its state in the frame. */
#include <stdio.h>

#include "exercise.h"
#include "grader.h"

/* Steps @p f to its end (at most @p max steps) and records each yield and
 * the return, so a wrong sequence shows side by side with the right one. */
static void collect(struct fib_frame *f, int max, grade_trace *t)
{
    grade_trace_clear(t);
    for (int step = 1; step <= max; step++) {
        int st = grade_step(&f->co, "fib");
        if (st == CO_STATUS_DONE) {
            long long r = -1;
            int rc = co_coro_result_int(&f->co, &r);
            if (rc == 0)
                grade_trace_add(t, "return %lld", r);
            else
                grade_trace_add(t, "ended with %s", co_errname(rc));
            return;
        }
        grade_trace_add(t, "yield %lld", f->current);
    }
    grade_trace_add(t, "... still running after %d steps", max);
}

START_TEST(test_yields_the_first_ten_numbers)
{
    struct fib_frame f;
    fib_init(&f, 10);
    grade_trace t;
    collect(&f, 15, &t);
    grade_expect_trace(&t,
                       "yield 0\nyield 1\nyield 1\nyield 2\nyield 3\n"
                       "yield 5\nyield 8\nyield 13\nyield 21\nyield 34\n"
                       "return 10\n",
                       "fib(10), one line per step (if numbers repeat, a "
                       "variable lost its value at CO_YIELD: keep it in the "
                       "frame, and set its first value after CO_BEGIN, "
                       "since code before CO_BEGIN runs on every step; if "
                       "it stopped early without reaching CO_RETURN, a "
                       "CO_YIELD may sit inside a switch of your own: "
                       "README, mistake 3)");
}
END_TEST

START_TEST(test_ends_after_n_steps_plus_one)
{
    struct fib_frame f;
    fib_init(&f, 5);
    int steps = grade_run_coro(&f.co, 100, "fib(5)");
    grade_expect_int(steps, 6,
                     "steps for fib(5) to end (five yields, then the step "
                     "that returns)");
}
END_TEST

START_TEST(test_zero_numbers_ends_at_once)
{
    struct fib_frame f;
    fib_init(&f, 0);
    grade_expect_int(grade_step(&f.co, "fib(0)"), CO_STATUS_DONE,
                     "status of the first step of fib(0) (0 = finished)");
    long long r = -1;
    ck_assert_int_eq(co_coro_result_int(&f.co, &r), 0);
    grade_expect_int(r, 0, "what fib(0) returned");
}
END_TEST

START_TEST(test_ninety_numbers_fit_in_long_long)
{
    struct fib_frame f;
    fib_init(&f, 90);
    long long last = -1;
    for (int i = 0; i < 200; i++) {
        int st = grade_step(&f.co, "fib(90)");
        if (st == CO_STATUS_DONE)
            break;
        last = f.current;
    }
    ck_assert_msg(co_coro_done(&f.co),
                  "fib(90) was still running after 200 steps: does the loop "
                  "counter survive CO_YIELD?");
    ck_assert_msg(last == 1779979416004714189LL,
                  "the 90th number yielded by fib(90) should be "
                  "1779979416004714189, your code gave %lld",
                  last);
}
END_TEST

START_TEST(test_two_frames_do_not_share_state)
{
    /* Two coroutine objects of the same function, stepped in turns: each
     * keeps its own numbers (a static variable would be shared). */
    struct fib_frame x, y;
    fib_init(&x, 4);
    fib_init(&y, 6);
    grade_trace t;
    grade_trace_clear(&t);
    for (int round = 0; round < 7; round++) {
        if (!co_coro_done(&x.co) &&
            grade_step(&x.co, "fib(4)") != CO_STATUS_DONE)
            grade_trace_add(&t, "x %lld", x.current);
        if (!co_coro_done(&y.co) &&
            grade_step(&y.co, "fib(6)") != CO_STATUS_DONE)
            grade_trace_add(&t, "y %lld", y.current);
    }
    grade_expect_trace(&t,
                       "x 0\ny 0\nx 1\ny 1\nx 1\ny 1\nx 2\ny 2\ny 3\ny 5\n",
                       "x = fib(4) and y = fib(6), stepped in turns (if "
                       "their numbers mix, the two frames share a variable: "
                       "a static or global one; keep each one's numbers in "
                       "its own frame)");
}
END_TEST

START_TEST(test_a_finished_coroutine_stays_finished)
{
    struct fib_frame f;
    fib_init(&f, 2);
    grade_run_coro(&f.co, 50, "fib(2)");
    long long before = f.current;
    for (int i = 0; i < 3; i++)
        grade_expect_int(grade_step(&f.co, "fib(2) after its end"),
                         CO_STATUS_DONE,
                         "status of a step after fib(2) has ended");
    grade_expect_int(f.current, before,
                     "current after stepping a finished fib(2)");
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 03: protothreads");
    TCase *tc = grade_tcase("fib");
    tcase_add_test(tc, test_yields_the_first_ten_numbers);
    tcase_add_test(tc, test_ends_after_n_steps_plus_one);
    tcase_add_test(tc, test_zero_numbers_ends_at_once);
    tcase_add_test(tc, test_ninety_numbers_fit_in_long_long);
    tcase_add_test(tc, test_two_frames_do_not_share_state);
    tcase_add_test(tc, test_a_finished_coroutine_stays_finished);
    suite_add_tcase(s, tc);
    return s;
}
