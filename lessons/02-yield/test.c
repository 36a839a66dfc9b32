/* test.c - the grader of lesson 02: counter_next() behaves like next() on
 * a Python generator. */
#include <stdio.h>

#include "exercise.h"
#include "grader.h"

/* Drains @p g into a trace ("yield 3" lines, then "StopIteration"), with a
 * budget: a generator that never ends fills at most 100 lines. */
static void drain(struct counter *g, grade_trace *t)
{
    grade_trace_clear(t);
    for (int i = 0; i < 100; i++) {
        int v = -12345;
        if (counter_next(g, &v) == 0) {
            grade_trace_add(t, "StopIteration");
            return;
        }
        grade_trace_add(t, "yield %d", v);
    }
    grade_trace_add(t, "... (still yielding after 100 values)");
}

START_TEST(test_counts_up_like_range)
{
    struct counter g;
    ck_assert_int_eq(counter_init(&g, 0, 4, 1), 0);
    grade_trace t;
    drain(&g, &t);
    grade_expect_trace(&t,
                       "yield 0\nyield 1\nyield 2\nyield 3\nStopIteration\n",
                       "counter(0, 4, 1)");
}
END_TEST

START_TEST(test_counts_by_steps_of_three)
{
    struct counter g;
    ck_assert_int_eq(counter_init(&g, 1, 10, 3), 0);
    grade_trace t;
    drain(&g, &t);
    grade_expect_trace(&t, "yield 1\nyield 4\nyield 7\nStopIteration\n",
                       "counter(1, 10, 3)");
}
END_TEST

START_TEST(test_counts_down_with_a_negative_step)
{
    struct counter g;
    ck_assert_int_eq(counter_init(&g, 10, 0, -3), 0);
    grade_trace t;
    drain(&g, &t);
    grade_expect_trace(&t,
                       "yield 10\nyield 7\nyield 4\nyield 1\nStopIteration\n",
                       "counter(10, 0, -3)");
}
END_TEST

START_TEST(test_empty_range_stops_at_once)
{
    struct counter g;
    ck_assert_int_eq(counter_init(&g, 5, 5, 1), 0);
    int v = 99;
    grade_expect_int(counter_next(&g, &v), 0,
                     "first next() of counter(5, 5, 1), which is empty");
    grade_expect_int(v, 99, "*out after StopIteration (must be untouched)");
}
END_TEST

START_TEST(test_stays_exhausted)
{
    struct counter g;
    ck_assert_int_eq(counter_init(&g, 0, 2, 1), 0);
    int v;
    counter_next(&g, &v);
    counter_next(&g, &v);
    counter_next(&g, &v); /* the first StopIteration */
    int value_at_end = g.value;
    for (int i = 0; i < 5; i++) {
        v = 99;
        char what[96];
        snprintf(what, sizeof what,
                 "next() number %d of counter(0, 2, 1), after the end", 3 + i);
        grade_expect_int(counter_next(&g, &v), 0, what);
        grade_expect_int(v, 99, "*out after StopIteration (must be untouched)");
        grade_expect_int(g.value, value_at_end,
                         "g->value after StopIteration (an ended generator "
                         "runs none of its body again: park g->lc where no "
                         "case label is, as CO_LC_END expects)");
    }
}
END_TEST

START_TEST(test_a_step_that_jumps_over_stop)
{
    /* range(0, 5, 2) and range(5, 0, -2): stop is never hit exactly. */
    struct counter g;
    grade_trace t;
    ck_assert_int_eq(counter_init(&g, 0, 5, 2), 0);
    drain(&g, &t);
    grade_expect_trace(&t, "yield 0\nyield 2\nyield 4\nStopIteration\n",
                       "counter(0, 5, 2) (compare with < stop, not != stop)");
    ck_assert_int_eq(counter_init(&g, 5, 0, -2), 0);
    drain(&g, &t);
    grade_expect_trace(&t, "yield 5\nyield 3\nyield 1\nStopIteration\n",
                       "counter(5, 0, -2)");
}
END_TEST

START_TEST(test_lc_holds_where_it_stopped)
{
    struct counter g;
    ck_assert_int_eq(counter_init(&g, 0, 3, 1), 0);
    int v;
    grade_expect_int(counter_next(&g, &v), 1, "the first next() of "
                                              "counter(0, 3, 1)");
    ck_assert_msg(g.lc != 0,
                  "after yielding, g->lc is still 0: the generator must "
                  "remember where it stopped in g->lc (CO_LC_YIELD does it), "
                  "which is what this lesson is about");
}
END_TEST

START_TEST(test_two_counters_keep_their_own_state)
{
    /* Interleaved: each generator's state must live in its own struct,
     * not in a static or a local variable. */
    struct counter a, b;
    ck_assert_int_eq(counter_init(&a, 0, 3, 1), 0);
    ck_assert_int_eq(counter_init(&b, 100, 70, -10), 0);
    grade_trace t;
    grade_trace_clear(&t);
    for (int i = 0; i < 4; i++) {
        int v;
        if (counter_next(&a, &v))
            grade_trace_add(&t, "a %d", v);
        else
            grade_trace_add(&t, "a stop");
        if (counter_next(&b, &v))
            grade_trace_add(&t, "b %d", v);
        else
            grade_trace_add(&t, "b stop");
    }
    grade_expect_trace(&t,
                       "a 0\nb 100\na 1\nb 90\na 2\nb 80\na stop\nb stop\n",
                       "counters a = (0, 3, 1) and b = (100, 70, -10), "
                       "taking turns");
}
END_TEST

START_TEST(test_restarting_with_init)
{
    struct counter g;
    ck_assert_int_eq(counter_init(&g, 0, 3, 1), 0);
    int v;
    counter_next(&g, &v);
    counter_next(&g, &v);
    ck_assert_int_eq(counter_init(&g, 7, 9, 1), 0);
    grade_trace t;
    drain(&g, &t);
    grade_expect_trace(&t, "yield 7\nyield 8\nStopIteration\n",
                       "counter set up again with (7, 9, 1) half-way "
                       "through an earlier run");
}
END_TEST

START_TEST(test_init_rejects_a_zero_step)
{
    struct counter g;
    grade_expect_int(counter_init(&g, 0, 5, 0), -1, "counter_init(g, 0, 5, 0)");
    grade_expect_int(counter_init(NULL, 0, 5, 1), -1,
                     "counter_init(NULL, 0, 5, 1)");
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 02: yield");
    TCase *tc = grade_tcase("counter_next");
    tcase_add_test(tc, test_counts_up_like_range);
    tcase_add_test(tc, test_counts_by_steps_of_three);
    tcase_add_test(tc, test_counts_down_with_a_negative_step);
    tcase_add_test(tc, test_empty_range_stops_at_once);
    tcase_add_test(tc, test_stays_exhausted);
    tcase_add_test(tc, test_a_step_that_jumps_over_stop);
    tcase_add_test(tc, test_lc_holds_where_it_stopped);
    tcase_add_test(tc, test_two_counters_keep_their_own_state);
    tcase_add_test(tc, test_restarting_with_init);
    tcase_add_test(tc, test_init_rejects_a_zero_step);
    suite_add_tcase(s, tc);
    return s;
}
