/* tasks_158.c - the notes' three tasks of 1, 5 and 8 (here hundredths of a
 * second): wait returns once the longest is done, not after the sum. */
#include <coflow.h>
#include <stdio.h>

CO_ASYNC(demo_exp, int x;)
{
    CO_BEGIN(co);
    printf("Waiting: %d\n", self->x);
    CO_SLEEP(co, self->x / 100.0);
    CO_RETURN_FMT(co, "paused %d s", self->x);
    CO_END(co);
}

CO_ASYNC(amain, co_future *w;)
{
    co_future *tasks[3];
    const char *result;
    CO_BEGIN(co);
    CO_WAIT(co, self->w, CO_NO_TIMEOUT, CO_ALL_COMPLETED,
            CO_CORO(demo_exp, .x = 1), CO_CORO(demo_exp, .x = 5),
            CO_CORO(demo_exp, .x = 8));
    co_wait_sets_of(self->w, tasks, NULL, NULL, NULL);
    for (int i = 0; i < 3; i++) {
        co_future_result_str(tasks[i], &result);
        printf("task result is: %s\n", result);
    }
    CO_FINALLY(co);
    co_future_unref(self->w);
    CO_END(co);
}

int main(void)
{
    return co_run_and_free(CO_CORO(amain)) ? 1 : 0;
}
