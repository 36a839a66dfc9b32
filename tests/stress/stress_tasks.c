/* stress_tasks.c - a million tasks: each is created, steps a few times
 * (sleep(0)), returns its own number, and is let go of. They run in waves
 * of 100,000 pending at once, so memory stays bounded (under a sanitizer
 * too). Every task must end exactly once with its own result, the loop
 * must be left with no pending task and no live future, and nothing is
 * reported. */
#include "stress.h"

#define TOTAL 1000000
#define WAVE 100000

struct stepper {
    co_coro co;
    int id;      /* its number, which it returns */
    int steps;   /* how many sleep(0)s before returning */
};

static int stepper_fn(co_coro *co)
{
    struct stepper *self = (struct stepper *)co;
    CO_BEGIN(co);
    while (self->steps-- > 0)
        CO_YIELD(co);
    CO_RETURN(co, self->id);
    CO_END(co);
}

static struct stepper frames[WAVE];
static co_task *tasks[WAVE];

START_TEST(test_a_million_tasks_each_end_once_with_their_own_result)
{
    stress_seed("a million tasks", 1);
    co_loop *loop = stress_loop();
    long long created = 0, ended = 0, steps = 0, iterations = 0;
    for (int base = 0; base < TOTAL; base += WAVE) {
        for (int i = 0; i < WAVE; i++) {
            co_coro_init(&frames[i].co, stepper_fn);
            frames[i].id = base + i;
            frames[i].steps = (int)stress_below(4);
            steps += frames[i].steps;
            ck_assert_int_eq(co_create_task(loop, &frames[i].co, NULL,
                                            &tasks[i]), 0);
            created++;
        }
        ck_assert_uint_eq(co_all_tasks(loop, NULL, 0), WAVE);
        int spins = 0;
        while (co_all_tasks(loop, NULL, 0) > 0) {
            ck_assert_int_lt(spins++, 10); /* at most 4 steps + the end */
            stress_run_once(loop);
            iterations++;
        }
        for (int i = 0; i < WAVE; i++) {
            long long v = -1;
            ck_assert(co_task_done(tasks[i]));
            ck_assert_int_eq(co_task_result_int(tasks[i], &v), 0);
            ck_assert_int_eq(v, base + i);
            ended++;
            co_task_unref(tasks[i]);
            co_coro_free(&frames[i].co); /* caller-owned: frees nothing */
        }
        stress_run_once(loop); /* the done-callbacks queued at the end */
    }
    size_t live = co_loop_live_futures(loop);
    stress_figures("tasks: %lld created, %lld ended with their own result, "
                   "%lld sleep(0)s, %lld loop iterations, %zu live futures "
                   "after, %d reports", created, ended, steps, iterations,
                   live, stress_reports);
    ck_assert_int_eq(created, TOTAL);
    ck_assert_int_eq(ended, TOTAL);
    ck_assert_uint_eq(live, 0);
    ck_assert_int_eq(stress_reports, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress_tasks");
    TCase *tc = tcase_create("tasks");
    tcase_add_test(tc, test_a_million_tasks_each_end_once_with_their_own_result);
    tcase_set_timeout(tc, 280);
    suite_add_tcase(s, tc);
    return stress_main(s);
}
