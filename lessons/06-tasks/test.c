/* test.c - the grader of lesson 06: run_all() runs its jobs as tasks.
 *
 * The jobs yield a given number of times, so on coflow's loop they start
 * and end in an order that can be worked out exactly: no clocks involved.
 * Jobs run concurrently only if every task exists before run_all first
 * waits; jobs run one after the other print "start, end, start, end". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "grader.h"

static grade_trace trace;

int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    grade_trace_add(&trace, "%s start",
                    co_task_get_name(co_current_task(NULL)));
    for (self->done = 0; self->done < self->steps; self->done++)
        CO_YIELD(co);
    grade_trace_add(&trace, "%s end", co_task_get_name(co_current_task(NULL)));
    CO_RETURN(co, (long long)self->id * 10);
    CO_END(co);
}

#define MAX_JOBS 32

/* One test's jobs and run_all frame. */
struct setup {
    struct job jobs[MAX_JOBS];
    long long results[MAX_JOBS];
    co_task *tasks[MAX_JOBS];
    struct run_all frame;
    int rc;          /* how run_all ended: 0 or its failure */
    long long sum;   /* what it returned */
};

/* Sets up n jobs with the given ids and steps, runs run_all as a task
 * named "run_all" within the grader's budget, and records the outcome. */
static void run(struct setup *s, int n, const int *ids, const int *steps)
{
    memset(s, 0, sizeof *s);
    grade_trace_clear(&trace);
    for (int i = 0; i < n; i++) {
        co_coro_init(&s->jobs[i].co, job);
        s->jobs[i].id = ids[i];
        s->jobs[i].steps = steps[i];
        s->results[i] = -1;
    }
    co_coro_init(&s->frame.co, run_all);
    s->frame.jobs = s->jobs;
    s->frame.n = n;
    s->frame.results = s->results;
    s->frame.tasks = s->tasks;

    co_loop *loop = NULL;
    co_task *task = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    ck_assert_int_eq(co_create_task(loop, &s->frame.co, "run_all", &task), 0);
    s->rc = grade_run_until_complete(loop, co_task_future(task), 0,
                                     "run_all");
    if (s->rc == 0)
        co_task_result_int(task, &s->sum);
    co_task_unref(task);
    grade_expect_all_released(loop, "after run_all ended (a task awaited "
                                    "needs its co_task_unref too)");
    co_loop_close(loop);
}

/* How many jobs had started when the first one ended. */
static int starts_before_first_end(void)
{
    int starts = 0;
    for (const char *line = trace.text; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len >= 4 && strncmp(line + len - 4, " end", 4) == 0)
            return starts;
        starts++;
        line += len + (eol ? 1 : 0);
    }
    return starts;
}

START_TEST(test_jobs_start_before_any_ends)
{
    static const int ids[] = {1, 2, 3}, steps[] = {2, 2, 2};
    static struct setup s;
    run(&s, 3, ids, steps);
    ck_assert_msg(trace.lines == 6 && starts_before_first_end() == 3,
                  "run concurrently, all three jobs should start before the "
                  "first one ends. Your jobs ran like this:\n%s"
                  "Create every task first, and only then await them.",
                  trace.lines ? trace.text : "(no job ran)\n");
}
END_TEST

START_TEST(test_jobs_interleave_in_loop_order)
{
    /* Job 0 yields 3 times, job 1 once, job 2 twice: the shortest ends
     * first, while the others are still running. */
    static const int ids[] = {0, 1, 2}, steps[] = {3, 1, 2};
    static struct setup s;
    run(&s, 3, ids, steps);
    grade_expect_trace(&trace,
                       "job-0 start\njob-1 start\njob-2 start\n"
                       "job-1 end\njob-2 end\njob-0 end\n",
                       "three jobs yielding 3, 1 and 2 times, run as tasks "
                       "(the order the loop gives them)");
}
END_TEST

START_TEST(test_tasks_are_named_after_their_jobs)
{
    static const int ids[] = {7, 42}, steps[] = {0, 0};
    static struct setup s;
    run(&s, 2, ids, steps);
    ck_assert_msg(strstr(trace.text, "job-7 start") &&
                      strstr(trace.text, "job-42 start"),
                  "each job reports the name of the task running it; "
                  "expected \"job-7\" and \"job-42\", got:\n%s"
                  "(\"run_all\" means the job ran inside run_all's own "
                  "task, not in a task of its own; \"Task-N\" means the "
                  "task got no name)",
                  trace.lines ? trace.text : "(no job ran)\n");
}
END_TEST

START_TEST(test_results_stored_in_job_order)
{
    static const int ids[] = {4, 5, 6}, steps[] = {2, 0, 1};
    static struct setup s;
    run(&s, 3, ids, steps);
    grade_expect_code(s.rc, 0, "run_all's failure code");
    grade_expect_int(s.results[0], 40, "results[0] (job 4 returns 40)");
    grade_expect_int(s.results[1], 50, "results[1] (job 5 returns 50)");
    grade_expect_int(s.results[2], 60, "results[2] (job 6 returns 60)");
}
END_TEST

START_TEST(test_every_await_suspends_when_jobs_end_in_order)
{
    /* Each job takes longer than the one before it, so run_all really
     * waits at every CO_AWAIT, not only at the first: a loop counter kept
     * in a local variable starts again after each of those waits. */
    static const int ids[] = {1, 2, 3}, steps[] = {1, 3, 5};
    static struct setup s;
    run(&s, 3, ids, steps);
    ck_assert_msg(s.rc == 0,
                  "with jobs yielding 1, 3 and 5 times, run_all failed with "
                  "%s (%s). Here run_all waits at every CO_AWAIT, not only "
                  "at the first: is the counter of the awaiting loop "
                  "self->i? A local one starts again after each wait, and "
                  "the code then touches tasks it has already released.",
                  co_errname(s.rc), co_strerror(s.rc));
    grade_expect_trace(&trace,
                       "job-1 start\njob-2 start\njob-3 start\n"
                       "job-1 end\njob-2 end\njob-3 end\n",
                       "three jobs yielding 1, 3 and 5 times");
    ck_assert_msg(s.results[0] == 10 && s.results[1] == 20 &&
                      s.results[2] == 30 && s.sum == 60,
                  "jobs 1, 2, 3 return 10, 20, 30, but results[] is %lld, "
                  "%lld, %lld and run_all returned %lld. Here run_all waits "
                  "at every CO_AWAIT: is the loop counter of the awaiting "
                  "loop self->i (a local one starts again after each wait)?",
                  s.results[0], s.results[1], s.results[2], s.sum);
}
END_TEST

START_TEST(test_run_all_returns_the_sum)
{
    static const int ids[] = {1, 2, 3, 4}, steps[] = {1, 1, 1, 1};
    static struct setup s;
    run(&s, 4, ids, steps);
    grade_expect_code(s.rc, 0, "run_all's failure code");
    grade_expect_int(s.sum, 100, "run_all's return value (10+20+30+40)");
}
END_TEST

START_TEST(test_one_job)
{
    static const int ids[] = {9}, steps[] = {1};
    static struct setup s;
    run(&s, 1, ids, steps);
    grade_expect_trace(&trace, "job-9 start\njob-9 end\n", "a single job");
    grade_expect_int(s.sum, 90, "run_all's return value for job 9 alone");
}
END_TEST

START_TEST(test_no_jobs_returns_zero)
{
    static struct setup s;
    run(&s, 0, NULL, NULL);
    grade_expect_code(s.rc, 0, "run_all with no jobs: its failure code");
    grade_expect_int(s.sum, 0, "run_all with no jobs: its return value");
}
END_TEST

START_TEST(test_many_jobs_end_shortest_first)
{
    /* 20 jobs, job i yielding 20 - i times: they end in reverse order. */
    static int ids[20], steps[20];
    static struct setup s;
    for (int i = 0; i < 20; i++) {
        ids[i] = i;
        steps[i] = 20 - i;
    }
    run(&s, 20, ids, steps);
    char expected[1024] = "";
    for (int i = 0; i < 20; i++)
        snprintf(expected + strlen(expected),
                 sizeof expected - strlen(expected), "job-%d start\n", i);
    for (int i = 19; i >= 0; i--)
        snprintf(expected + strlen(expected),
                 sizeof expected - strlen(expected), "job-%d end\n", i);
    grade_expect_trace(&trace, expected,
                       "20 jobs, job i yielding 20 - i times");
    grade_expect_int(s.sum, 1900, "run_all's return value for jobs 0..19");
}
END_TEST

Suite *lesson_suite(void)
{
    /* Every loop of the grader (and of the code graded) runs on virtual
     * time, co_loop_set_virtual_time(): sleeps take no real time and end
     * in deadline order however busy the machine is, so the order and the
     * durations checked are exact. COFLOW_CLOCK=monotonic overrides it. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    Suite *s = suite_create("lesson 06: tasks");
    TCase *tc = grade_tcase("run_all");
    tcase_add_test(tc, test_jobs_start_before_any_ends);
    tcase_add_test(tc, test_jobs_interleave_in_loop_order);
    tcase_add_test(tc, test_tasks_are_named_after_their_jobs);
    tcase_add_test(tc, test_results_stored_in_job_order);
    tcase_add_test(tc, test_every_await_suspends_when_jobs_end_in_order);
    tcase_add_test(tc, test_run_all_returns_the_sum);
    tcase_add_test(tc, test_one_job);
    tcase_add_test(tc, test_no_jobs_returns_zero);
    tcase_add_test(tc, test_many_jobs_end_shortest_first);
    suite_add_tcase(s, tc);
    return s;
}
