/* bench_call_soon.c - a chain of call_soon callbacks, each scheduling the
 * next, with no file descriptor registered.
 *
 * Usage: bench_call_soon [N callbacks = 1000000]
 *
 * Every callback is alone in the ready queue, so every callback is one whole
 * loop iteration: work out the timeout, (skip) the poll, run the callback.
 * That is the per-iteration overhead of the loop itself. */
#include <coflow.h>

#include "bench_common.h"

struct chain {
    co_loop *loop;
    long left;      /* callbacks still to run */
};

static void link_cb(void *arg)
{
    struct chain *c = arg;
    if (--c->left == 0) {
        co_loop_stop(c->loop);
        return;
    }
    if (co_loop_call_soon(c->loop, link_cb, c) < 0) {
        fprintf(stderr, "bench_call_soon: call_soon failed\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 1000000);

    co_loop *loop;
    BENCH_CHECK(co_loop_new(&loop));
    struct chain c = {.loop = loop, .left = n};

    double t0 = bench_wall();
    double c0 = bench_cpu();
    BENCH_CHECK(co_loop_call_soon(loop, link_cb, &c));
    BENCH_CHECK(co_loop_run_forever(loop));
    double c1 = bench_cpu();
    double t1 = bench_wall();

    if (c.left != 0) {
        fprintf(stderr, "bench_call_soon: %ld callbacks never ran\n", c.left);
        return 1;
    }
    printf("call_soon: impl=coflow n=%ld seconds=%.6f cpu_seconds=%.6f "
           "ns_per_op=%.2f\n",
           n, t1 - t0, c1 - c0, (t1 - t0) * 1e9 / (double)n);
    co_loop_close(loop);
    return 0;
}
