/* exercise.c - lesson 04: a round-robin loop over coroutines. Read
 * README.md first. */
#include "exercise.h"

int run_all(co_coro *tasks[], int n)
{
    /* TODO: this runs each coroutine to its end before starting the next
     * one: no coroutine ever gets a turn while another one waits. Write
     * the loop of the notes instead:
     *   - check the arguments (see exercise.h) before stepping anything;
     *   - copy the unfinished coroutines into a list of your own
     *     (co_coro *list[RUN_MAX]);
     *   - while the list is not empty: step each one once, in order, with
     *     co_coro_step(); then remove the ones that co_coro_done() says
     *     have finished, keeping the order of the others;
     *   - count the steps and return the count. */
    int steps = 0;
    for (int i = 0; i < n; i++) {
        while (!co_coro_done(tasks[i])) {
            int st = co_coro_step(tasks[i]);
            if (st < 0)
                return st;
            steps++;
        }
    }
    return steps;
}
