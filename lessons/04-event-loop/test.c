/* test.c - the grader of lesson 04: run_all() is the notes' loop, round
 * robin, and never steps a finished coroutine. */
#include "exercise.h"
#include "grader.h"

/* What every test coroutine writes to. */
static grade_trace trace;

/* A worker: records "name i" at each turn, yields `turns` times, then
 * records "name end". With fail_at >= 0 it fails at that turn instead. */
struct worker {
    co_coro co;       /* the coroutine header */
    const char *name; /* for the trace */
    int turns;        /* how many times it yields */
    int fail_at;      /* the turn at which it fails, or -1 */
    int i;            /* the turn it is at */
    int calls;        /* how many times its step function was called */
};

static int worker(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    /* Counted before CO_BEGIN: even a step of a finished coroutine. */
    if (++self->calls > 100)
        ck_abort_msg("run_all stepped %s more than 100 times: does your "
                     "loop stop once every coroutine has finished?",
                     self->name);
    CO_BEGIN(co);
    for (self->i = 0; self->i < self->turns; self->i++) {
        if (self->i == self->fail_at) {
            grade_trace_add(&trace, "%s fails", self->name);
            CO_RAISE(co, CO_EFAIL, "a worker failed on purpose");
        }
        grade_trace_add(&trace, "%s %d", self->name, self->i);
        CO_YIELD(co);
    }
    grade_trace_add(&trace, "%s end", self->name);
    CO_END(co);
}

static void make(struct worker *w, const char *name, int turns)
{
    co_coro_init(&w->co, worker);
    w->name = name;
    w->turns = turns;
    w->fail_at = -1;
    w->i = 0;
    w->calls = 0;
}

static void setup(void)
{
    grade_trace_clear(&trace);
}

START_TEST(test_two_coroutines_take_turns)
{
    struct worker a, b;
    make(&a, "A", 2);
    make(&b, "B", 1);
    co_coro *tasks[] = {&a.co, &b.co};
    run_all(tasks, 2);
    grade_expect_trace(&trace, "A 0\nB 0\nA 1\nB end\nA end\n",
                       "A (2 turns) and B (1 turn), round robin");
}
END_TEST

START_TEST(test_removing_a_finished_one_keeps_the_order)
{
    struct worker a, b, c;
    make(&a, "A", 2);
    make(&b, "B", 0);
    make(&c, "C", 2);
    co_coro *tasks[] = {&a.co, &b.co, &c.co};
    run_all(tasks, 3);
    grade_expect_trace(&trace,
                       "A 0\nB end\nC 0\nA 1\nC 1\nA end\nC end\n",
                       "A (2 turns), B (none), C (2 turns), round robin "
                       "(if C missed its turn in round 1, B was removed "
                       "while the list was being walked: step them all, "
                       "then drop the finished ones)");
}
END_TEST

START_TEST(test_returns_the_number_of_steps)
{
    struct worker a, b, c;
    make(&a, "A", 3);
    make(&b, "B", 0);
    make(&c, "C", 1);
    co_coro *tasks[] = {&a.co, &b.co, &c.co};
    grade_expect_int(run_all(tasks, 3), 4 + 1 + 2,
                     "run_all's count of steps for workers of 3, 0 and 1 "
                     "turns (a worker of k turns takes k + 1 steps)");
}
END_TEST

START_TEST(test_a_finished_coroutine_is_never_stepped_again)
{
    struct worker a, b;
    make(&a, "A", 0);
    make(&b, "B", 4);
    co_coro *tasks[] = {&a.co, &b.co};
    run_all(tasks, 2);
    grade_expect_int(a.calls, 1,
                     "how often A (which ends on its first step) was "
                     "stepped");
    grade_expect_int(b.calls, 5, "how often B (4 turns) was stepped");
}
END_TEST

START_TEST(test_one_finished_before_the_call_is_not_stepped)
{
    struct worker a, b;
    make(&a, "A", 1);
    make(&b, "B", 1);
    grade_run_coro(&a.co, 10, "A, run to its end before run_all");
    a.calls = 0;
    grade_trace_clear(&trace);
    co_coro *tasks[] = {&a.co, &b.co};
    grade_expect_int(run_all(tasks, 2), 2, "steps when A had already ended");
    grade_expect_int(a.calls, 0, "how often the finished A was stepped");
    grade_expect_trace(&trace, "B 0\nB end\n", "B alone");
}
END_TEST

START_TEST(test_a_failing_coroutine_does_not_stop_the_others)
{
    struct worker a, b;
    make(&a, "A", 3);
    make(&b, "B", 3);
    a.fail_at = 1;
    co_coro *tasks[] = {&a.co, &b.co};
    run_all(tasks, 2);
    grade_expect_trace(&trace, "A 0\nB 0\nA fails\nB 1\nB 2\nB end\n",
                       "A failing at its second turn, B going on");
    grade_expect_code(co_coro_error(&a.co, NULL), CO_EFAIL,
                     "A's failure code, still in its frame");
    co_coro_free(&a.co);
}
END_TEST

START_TEST(test_nothing_to_run)
{
    grade_expect_int(run_all(NULL, 0), 0, "run_all(NULL, 0)");
}
END_TEST

START_TEST(test_a_null_entry_is_refused_before_any_step)
{
    struct worker a;
    make(&a, "A", 1);
    co_coro *with_null[] = {&a.co, NULL};
    grade_expect_code(run_all(with_null, 2), CO_EINVAL,
                     "run_all on a list with a NULL entry (check every "
                     "entry before the first step)");
    grade_expect_int(a.calls, 0, "steps taken before the NULL was noticed");
}
END_TEST

START_TEST(test_a_bad_count_is_refused)
{
    /* RUN_MAX + 1 real coroutines: a run_all that does not check n
     * against RUN_MAX would try to run them all. */
    static struct worker many[RUN_MAX + 1];
    co_coro *list[RUN_MAX + 1];
    for (int i = 0; i < RUN_MAX + 1; i++) {
        make(&many[i], "W", 1);
        list[i] = &many[i].co;
    }
    grade_expect_code(run_all(list, RUN_MAX + 1), CO_EINVAL,
                     "run_all(tasks, RUN_MAX + 1): more than your list can "
                     "hold");
    grade_expect_int(many[0].calls, 0,
                     "steps taken by run_all(tasks, RUN_MAX + 1)");
    grade_expect_code(run_all(list, -1), CO_EINVAL, "run_all(tasks, -1)");
    grade_expect_code(run_all(NULL, 1), CO_EINVAL, "run_all(NULL, 1)");
}
END_TEST

START_TEST(test_the_callers_array_is_left_alone)
{
    struct worker a, b, c;
    make(&a, "A", 2);
    make(&b, "B", 0);
    make(&c, "C", 1);
    co_coro *tasks[] = {&a.co, &b.co, &c.co};
    run_all(tasks, 3);
    ck_assert_msg(tasks[0] == &a.co && tasks[1] == &b.co &&
                      tasks[2] == &c.co,
                  "run_all changed the caller's array: keep a task list "
                  "of your own and remove finished coroutines from that");
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 04: the event loop");
    TCase *tc = grade_tcase("run_all");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_two_coroutines_take_turns);
    tcase_add_test(tc, test_removing_a_finished_one_keeps_the_order);
    tcase_add_test(tc, test_returns_the_number_of_steps);
    tcase_add_test(tc, test_a_finished_coroutine_is_never_stepped_again);
    tcase_add_test(tc, test_one_finished_before_the_call_is_not_stepped);
    tcase_add_test(tc, test_a_failing_coroutine_does_not_stop_the_others);
    tcase_add_test(tc, test_nothing_to_run);
    tcase_add_test(tc, test_a_null_entry_is_refused_before_any_step);
    tcase_add_test(tc, test_a_bad_count_is_refused);
    tcase_add_test(tc, test_the_callers_array_is_left_alone);
    suite_add_tcase(s, tc);
    return s;
}
