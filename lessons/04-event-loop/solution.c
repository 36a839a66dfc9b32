/* solution.c - lesson 04, the reference solution: the notes' event loop,
 * round-robin over a list of coroutines. */
#include "exercise.h"

int run_all(co_coro *tasks[], int n)
{
    if (n < 0 || n > RUN_MAX || (n > 0 && tasks == NULL))
        return CO_EINVAL;
    for (int i = 0; i < n; i++)
        if (tasks[i] == NULL)
            return CO_EINVAL;

    /* The task list: our own copy, so removing is ours to do. */
    co_coro *list[RUN_MAX];
    int len = 0;
    for (int i = 0; i < n; i++)
        if (!co_coro_done(tasks[i]))
            list[len++] = tasks[i];

    int steps = 0;
    while (len > 0) {
        /* Run every runnable task once, in order. */
        for (int i = 0; i < len; i++) {
            int st = co_coro_step(list[i]);
            if (st < 0)
                return st;
            steps++;
        }
        /* Remove the finished ones, keeping the others in order. */
        int kept = 0;
        for (int i = 0; i < len; i++)
            if (!co_coro_done(list[i]))
                list[kept++] = list[i];
        len = kept;
    }
    return steps;
}
