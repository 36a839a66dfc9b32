/* bench_sleep0.c - N tasks that each yield K times (asyncio's
 * `await asyncio.sleep(0)`), all on one loop.
 *
 * Usage: bench_sleep0 [N tasks = 100000] [K yields = 10]
 *
 * No gather: every task counts itself out on a shared counter and the last
 * one to finish completes the future that co_loop_run_until_complete()
 * waits for. The figure covers creating the tasks (CO_NEW frames,
 * co_create_task) and running them to the end: N * K task steps that
 * suspend, plus N final steps. */
#include <coflow.h>

#include "bench_common.h"

struct shared {
    long left;        /* tasks that have not finished yet */
    co_future *done;  /* completed by the last task to finish */
};

struct yielder {
    co_coro co;       /* always first */
    struct shared *shared;
    long k;           /* yields still to do */
};

static int yielder(co_coro *co)
{
    struct yielder *self = (struct yielder *)co;
    CO_BEGIN(co);
    while (self->k > 0) {
        self->k--;
        CO_YIELD(co);
    }
    if (--self->shared->left == 0)
        co_future_set_result_int(self->shared->done, 0);
    CO_END(co);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 100000);
    long k = bench_arg(argc, argv, 2, 10);

    co_loop *loop;
    BENCH_CHECK(co_loop_new(&loop));
    struct shared shared = {.left = n};
    BENCH_CHECK(co_future_new(loop, &shared.done));

    double t0 = bench_wall();
    double c0 = bench_cpu();
    for (long i = 0; i < n; i++) {
        struct yielder *y = CO_NEW(struct yielder, yielder);
        if (!y) {
            fprintf(stderr, "out of memory after %ld tasks\n", i);
            return 1;
        }
        y->shared = &shared;
        y->k = k;
        BENCH_CHECK(co_create_task(loop, &y->co, NULL, NULL));
    }
    double created = bench_wall();
    BENCH_CHECK(co_loop_run_until_complete(loop, shared.done));
    double c1 = bench_cpu();
    double t1 = bench_wall();

    if (shared.left != 0) {
        fprintf(stderr, "bench_sleep0: %ld tasks did not finish\n",
                shared.left);
        return 1;
    }
    double ops = (double)n * (double)k;
    printf("sleep0: impl=coflow n=%.0f tasks=%ld yields=%ld seconds=%.6f "
           "cpu_seconds=%.6f create_seconds=%.6f ns_per_op=%.2f\n",
           ops, n, k, t1 - t0, c1 - c0, created - t0, (t1 - t0) * 1e9 / ops);

    co_future_unref(shared.done);
    co_loop_close(loop);
    return 0;
}
