/* test.c - the grader of lesson 01: download_all_async() must overlap the
 * waits, on a simulated clock (no real time is measured). */
#include <string.h>

#include "exercise.h"
#include "grader.h"

/* Fills @p d with downloads named a, b, c, ... taking @p secs seconds. */
static void make(struct download *d, const double *secs, int n)
{
    static const char *names[] = {"a", "b", "c", "d", "e"};
    memset(d, 0, (size_t)n * sizeof *d);
    for (int i = 0; i < n; i++) {
        d[i].name = names[i];
        d[i].seconds = secs[i];
    }
}

/* Runs download_all_async and fails if it stepped absurdly often. */
static double run_async(struct download *d, int n, struct sim *sim)
{
    double took = download_all_async(d, n, sim);
    ck_assert_msg(sim->steps <= 10 * (n + 1),
                  "download_all_async called download_step %d times for %d "
                  "downloads: step each unfinished download once per clock "
                  "move, not in a tight loop",
                  sim->steps, n);
    return took;
}

/* Fails unless the simulation's log is exactly @p expected, showing both
 * side by side. */
static void expect_log(const struct sim *sim, const char *expected,
                       const char *what)
{
    grade_trace t;
    grade_trace_clear(&t);
    t.len = strlen(sim->log);
    memcpy(t.text, sim->log, t.len + 1);
    grade_expect_trace(&t, expected, what);
}

START_TEST(test_async_takes_as_long_as_the_slowest)
{
    struct download d[3];
    make(d, (const double[]){1, 5, 8}, 3);
    struct sim sim = {0};
    double took = run_async(d, 3, &sim);
    ck_assert_msg(took == 8.0,
                  "downloads of 1, 5 and 8 seconds should take 8 s together "
                  "(the slowest), your code took %g s (one after the other "
                  "would be 14 s)",
                  took);
}
END_TEST

START_TEST(test_every_request_goes_out_before_any_wait)
{
    struct download d[3];
    make(d, (const double[]){1, 5, 8}, 3);
    struct sim sim = {0};
    run_async(d, 3, &sim);
    expect_log(&sim,
               "t=0s start a\n"
               "t=0s start b\n"
               "t=0s start c\n"
               "t=1s done a\n"
               "t=5s done b\n"
               "t=8s done c\n",
               "downloads of 1, 5 and 8 s");
}
END_TEST

START_TEST(test_the_clock_jumps_to_the_next_arrival)
{
    /* Waits that are no whole number of seconds: a clock that ticks by a
     * fixed step (polling) lands past them instead of on them. */
    struct download d[3];
    make(d, (const double[]){0.3, 1.7, 0.25}, 3);
    struct sim sim = {0};
    double took = run_async(d, 3, &sim);
    expect_log(&sim,
               "t=0s start a\n"
               "t=0s start b\n"
               "t=0s start c\n"
               "t=0.25s done c\n"
               "t=0.3s done a\n"
               "t=1.7s done b\n",
               "downloads of 0.3, 1.7 and 0.25 s (move the clock straight "
               "to the earliest ready_at, not by a fixed tick)");
    ck_assert_msg(took == 1.7, "downloads of 0.3, 1.7 and 0.25 s should take "
                               "1.7 s together, your code took %g s",
                  took);
}
END_TEST

START_TEST(test_finishes_in_order_of_arrival)
{
    struct download d[3];
    make(d, (const double[]){3, 1, 2}, 3);
    struct sim sim = {0};
    double took = run_async(d, 3, &sim);
    expect_log(&sim,
               "t=0s start a\n"
               "t=0s start b\n"
               "t=0s start c\n"
               "t=1s done b\n"
               "t=2s done c\n"
               "t=3s done a\n",
               "downloads of 3, 1 and 2 s");
    grade_expect_int((long long)took, 3, "seconds for downloads of 3, 1, 2");
}
END_TEST

START_TEST(test_every_download_finishes)
{
    struct download d[4];
    make(d, (const double[]){2, 2, 0.5, 4}, 4);
    struct sim sim = {0};
    run_async(d, 4, &sim);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(d[i].where == 2,
                      "download %s is not finished (where = %d) when "
                      "download_all_async returns",
                      d[i].name, d[i].where);
}
END_TEST

START_TEST(test_equal_waits_end_together)
{
    struct download d[2];
    make(d, (const double[]){2, 2}, 2);
    struct sim sim = {0};
    double took = run_async(d, 2, &sim);
    ck_assert_msg(took == 2.0,
                  "two downloads of 2 s each should take 2 s together, your "
                  "code took %g s",
                  took);
    expect_log(&sim, "t=0s start a\nt=0s start b\nt=2s done a\nt=2s done b\n",
               "two downloads of 2 s");
}
END_TEST

START_TEST(test_clock_starting_later_counts_from_there)
{
    struct download d[2];
    make(d, (const double[]){1, 4}, 2);
    struct sim sim = {.now = 10};
    double took = run_async(d, 2, &sim);
    ck_assert_msg(took == 4.0 && sim.now == 14.0,
                  "starting at t=10 with downloads of 1 and 4 s: expected "
                  "to return 4 and end at t=14, got %g and t=%g",
                  took, sim.now);
}
END_TEST

START_TEST(test_nothing_to_download_takes_no_time)
{
    struct sim sim = {.now = 3};
    double took = run_async(NULL, 0, &sim);
    ck_assert_msg(took == 0.0 && sim.now == 3.0 && sim.log[0] == '\0',
                  "with no downloads nothing should happen, yet the clock "
                  "moved to t=%g or the log is not empty: \"%s\"",
                  sim.now, sim.log);
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 01: why async");
    TCase *tc = grade_tcase("download_all_async");
    tcase_add_test(tc, test_async_takes_as_long_as_the_slowest);
    tcase_add_test(tc, test_every_request_goes_out_before_any_wait);
    tcase_add_test(tc, test_finishes_in_order_of_arrival);
    tcase_add_test(tc, test_the_clock_jumps_to_the_next_arrival);
    tcase_add_test(tc, test_every_download_finishes);
    tcase_add_test(tc, test_equal_waits_end_together);
    tcase_add_test(tc, test_clock_starting_later_counts_from_there);
    tcase_add_test(tc, test_nothing_to_download_takes_no_time);
    suite_add_tcase(s, tc);
    return s;
}
