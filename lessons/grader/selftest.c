/* selftest.c - proves that a grader built on grader.c cannot be fooled.
 *
 * It runs a suite of "victim" tests against fake student code
 * (selftest_student.c) in Check's fork mode, exactly as a lesson grader
 * would, then reads every result and checks it: correct code passes;
 * exit(0), _exit(0), _Exit(0), quick_exit(0), an exit past the wrapping,
 * abort(), an endless loop, a crash, a coroutine that never ends (by hand
 * and on a loop) and a task awaiting what nobody sets all FAIL, each with
 * the expected words. Exit status: the number of wrong verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader.h"
#include "selftest.h"

/* ---- the victims: ordinary grader tests over the fake student code ---- */

START_TEST(victim_correct)
{
    grade_expect_int(student_correct(), 42, "student_correct()");
}
END_TEST

START_TEST(victim_exit0)
{
    student_exit0();
}
END_TEST

START_TEST(victim_exit1)
{
    student_exit1();
}
END_TEST

START_TEST(victim__exit0)
{
    student__exit0();
}
END_TEST

START_TEST(victim__Exit0)
{
    student__Exit0();
}
END_TEST

START_TEST(victim_quick_exit0)
{
    student_quick_exit0();
}
END_TEST

START_TEST(victim_unwrapped_exit0)
{
    student_unwrapped_exit0();
}
END_TEST

START_TEST(victim_abort)
{
    student_abort();
}
END_TEST

START_TEST(victim_spin)
{
    student_spin();
}
END_TEST

START_TEST(victim_crash)
{
    student_crash();
}
END_TEST

START_TEST(victim_counter)
{
    struct student_counter c;
    co_coro_init(&c.co, student_counter);
    grade_expect_int(grade_run_coro(&c.co, 0, "student_counter"), 4,
                     "steps of student_counter");
    co_coro_free(&c.co);
}
END_TEST

START_TEST(victim_forever)
{
    co_coro c;
    co_coro_init(&c, student_forever);
    grade_run_coro(&c, 100, "student_forever");
}
END_TEST

static void never_called(int fd, int status, void *arg)
{
    (void)fd;
    (void)status;
    (void)arg;
}

/* Runs @p fn as a task on a fresh loop under the grader's budget. */
static int run_task(co_coro *co, const char *what)
{
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, co, what, &t), 0);
    int rc = grade_run_until_complete(loop, co_task_future(t), 0.2, what);
    co_task_unref(t);
    co_loop_close(loop);
    return rc;
}

START_TEST(victim_sleeper)
{
    co_coro c;
    co_coro_init(&c, student_sleeper);
    grade_expect_int(run_task(&c, "student_sleeper"), 0, "its status");
}
END_TEST

START_TEST(victim_forever_on_loop)
{
    co_coro c;
    co_coro_init(&c, student_forever);
    run_task(&c, "student_forever");
}
END_TEST

START_TEST(victim_deadlock)
{
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    struct student_waiter w;
    co_coro_init(&w.co, student_awaits_nothing);
    ck_assert_int_eq(co_future_new(loop, &w.never_set), 0);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w.co, "waiter", &t), 0);
    grade_run_until_complete(loop, co_task_future(t), 1.0, "student_waiter");
}
END_TEST

/* A task that waits for ever while a file is watched (so the loop is not
 * deadlocked, only asleep in its poll), in a program whose loop thread
 * blocks SIGALRM and whose other thread does not: the budget must still
 * end the run with its own sentence, long before Check's timeout. */
START_TEST(victim_alarm_elsewhere)
{
    student_blocks_alarm();
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], never_called, NULL), 0);
    struct student_waiter w;
    co_coro_init(&w.co, student_awaits_nothing);
    ck_assert_int_eq(co_future_new(loop, &w.never_set), 0);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w.co, "waiter", &t), 0);
    grade_run_until_complete(loop, co_task_future(t), 0.3, "student_waiter");
}
END_TEST

/* A plain future, no task at all (lesson 16's kind of test): the message
 * says the future never completed, and shows no empty list of tasks. */
START_TEST(victim_plain_future_never_set)
{
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], never_called, NULL), 0);
    co_future *never;
    ck_assert_int_eq(co_future_new(loop, &never), 0);
    grade_run_until_complete(loop, never, 0.3, "the future");
}
END_TEST

/* A long dump of stuck tasks: the message may be cut, but then it says so
 * at its end, and it is never cut silently in the middle. */
START_TEST(victim_long_dump)
{
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    static struct student_waiter w[200];
    co_future *never;
    ck_assert_int_eq(co_future_new(loop, &never), 0);
    co_task *first = NULL;
    for (int i = 0; i < 200; i++) {
        co_coro_init(&w[i].co, student_awaits_nothing);
        w[i].never_set = never;
        co_task *t;
        char name[64];
        snprintf(name, sizeof name, "waiter number %d of many", i);
        ck_assert_int_eq(co_create_task(loop, &w[i].co, name, &t), 0);
        if (i == 0)
            first = t;
        else
            co_task_unref(t);
    }
    grade_run_until_complete(loop, co_task_future(first), 1.0, "the waiters");
}
END_TEST

START_TEST(victim_exit_in_task)
{
    co_coro c;
    co_coro_init(&c, student_exits_in_task);
    run_task(&c, "student_exits_in_task");
}
END_TEST

/* A long trace whose first difference is far down: the message must show
 * that line, not stop at the size limit of Check's messages before it. */
START_TEST(victim_long_trace)
{
    static grade_trace t;
    static char expected[4096];
    size_t used = 0;
    grade_trace_clear(&t);
    for (int i = 0; i < 80; i++) {
        grade_trace_add(&t, "%s %d of a long walk", i == 50 ? "oops" : "step",
                        i);
        used += (size_t)snprintf(expected + used, sizeof expected - used,
                                 "step %d of a long walk\n", i);
    }
    grade_expect_trace(&t, expected, "eighty steps");
}
END_TEST

/* ---- the verdicts each victim must get ---- */

struct verdict {
    const char *name;     /* the victim's test case */
    const TTest *const *test; /* the victim (Check names a pointer) */
    int timeout;          /* seconds; 0 = Check's default */
    int must_pass;        /* 1: must pass; 0: must fail or error */
    const char *words;    /* the message must contain this (NULL: any) */
};

static const struct verdict verdicts[] = {
    {"correct", &victim_correct, 0, 1, NULL},
    {"exit0", &victim_exit0, 0, 0, "called exit(0)"},
    {"exit1", &victim_exit1, 0, 0, "called exit(1)"},
    {"_exit0", &victim__exit0, 0, 0, "called _exit(0)"},
    {"_Exit0", &victim__Exit0, 0, 0, "called _Exit(0)"},
    {"quick_exit0", &victim_quick_exit0, 0, 0, "called quick_exit(0)"},
    {"unwrapped_exit0", &victim_unwrapped_exit0, 0, 0, "program ended"},
    {"abort", &victim_abort, 0, 0, "called abort()"},
    {"spin", &victim_spin, 1, 0, "timeout"},
    {"crash", &victim_crash, 0, 0, NULL},
    {"counter", &victim_counter, 0, 1, NULL},
    {"forever", &victim_forever, 0, 0, "never returned"},
    {"sleeper", &victim_sleeper, 0, 1, NULL},
    {"forever_on_loop", &victim_forever_on_loop, 0, 0, "never finished"},
    {"deadlock", &victim_deadlock, 0, 0, "nobody will ever"},
    /* The same two, for the dump of where every task is stuck. */
    {"deadlock_dump", &victim_deadlock, 0, 0,
     "* task 'waiter' (waiting for a future)"},
    {"forever_dump", &victim_forever_on_loop, 0, 0,
     "* task 'student_forever' (ready)"},
    {"exit_in_task", &victim_exit_in_task, 0, 0, "called exit(0)"},
    {"alarm_elsewhere", &victim_alarm_elsewhere, 3, 0, "never finished"},
    {"plain_future", &victim_plain_future_never_set, 3, 0,
     "still pending, and no task was left on the loop"},
    {"long_dump", &victim_long_dump, 0, 0, "more bytes, which the judge's report shows]"},
    {"long_trace", &victim_long_trace, 0, 0, "oops 50 of a long walk"},
};
#define NVERDICTS (int)(sizeof verdicts / sizeof verdicts[0])

int main(void)
{
    Suite *s = suite_create("victims");
    for (int i = 0; i < NVERDICTS; i++) {
        TCase *tc = grade_tcase(verdicts[i].name);
        if (verdicts[i].timeout)
            tcase_set_timeout(tc, verdicts[i].timeout);
        tcase_add_test(tc, *verdicts[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = grade_runner(s);
    /* The victims kill their process: they only make sense in a child. */
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_SILENT);

    int wrong = 0;
    int n = srunner_ntests_run(sr);
    TestResult **results = srunner_results(sr);
    for (int i = 0; i < NVERDICTS; i++) {
        const struct verdict *v = &verdicts[i];
        TestResult *tr = NULL;
        for (int j = 0; j < n; j++)
            if (strcmp(tr_tcname(results[j]), v->name) == 0)
                tr = results[j];
        if (!tr) {
            printf("WRONG %-16s no result at all\n", v->name);
            wrong++;
            continue;
        }
        int passed = tr_rtype(tr) == CK_PASS;
        const char *msg = tr_msg(tr) ? tr_msg(tr) : "";
        int ok = passed == v->must_pass &&
                 (!v->words || strstr(msg, v->words) != NULL);
        printf("%s %-16s %s: %s\n", ok ? "ok   " : "WRONG", v->name,
               passed ? "passed" : "failed", msg);
        if (!ok) {
            printf("      expected it to %s%s%s\n",
                   v->must_pass ? "pass" : "fail",
                   v->words ? " with a message containing: " : "",
                   v->words ? v->words : "");
            wrong++;
        }
    }
    free(results);
    srunner_free(sr);
    printf("%d of %d verdicts wrong\n", wrong, NVERDICTS);
    return wrong;
}
