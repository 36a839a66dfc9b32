/* uv_call_soon.c - libuv reference for bench_call_soon: a chain of N
 * callbacks, one per loop iteration, no file descriptor watched.
 *
 * Usage: uv_call_soon [N callbacks = 1000000]
 *
 * libuv has no call_soon. The closest equivalent is an idle handle: its
 * callback runs once per loop iteration and keeps the loop from blocking in
 * its poll, as a ready callback does in coflow. Two forms:
 *   call_soon         - one idle handle stays started; each iteration runs
 *                       its callback (the "idle chain");
 *   call_soon_restart - each callback stops its handle and starts it again,
 *                       the closest thing to "each callback schedules the
 *                       next" (a handle started inside the idle phase runs
 *                       in the next iteration). */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "bench_common.h"

struct chain {
    uv_idle_t idle;
    long left;        /* callbacks still to run */
    int restart;      /* stop and start the handle in every callback */
};

static void idle_cb(uv_idle_t *h)
{
    struct chain *c = (struct chain *)h;
    if (--c->left == 0) {
        uv_idle_stop(h);
        return;
    }
    if (c->restart) {
        uv_idle_stop(h);
        uv_idle_start(h, idle_cb);
    }
}

static void run(const char *name, long n, int restart)
{
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "uv_loop_init failed\n");
        exit(1);
    }
    struct chain c = {.left = n, .restart = restart};
    uv_idle_init(&loop, &c.idle);

    double t0 = bench_wall();
    double c0 = bench_cpu();
    uv_idle_start(&c.idle, idle_cb);
    uv_run(&loop, UV_RUN_DEFAULT);
    double c1 = bench_cpu();
    double t1 = bench_wall();

    if (c.left != 0) {
        fprintf(stderr, "uv_call_soon: %ld callbacks never ran\n", c.left);
        exit(1);
    }
    printf("%s: impl=libuv n=%ld seconds=%.6f cpu_seconds=%.6f "
           "ns_per_op=%.2f\n",
           name, n, t1 - t0, c1 - c0, (t1 - t0) * 1e9 / (double)n);
    uv_close((uv_handle_t *)&c.idle, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 1000000);
    run("call_soon", n, 0);
    run("call_soon_restart", n, 1);
    return 0;
}
