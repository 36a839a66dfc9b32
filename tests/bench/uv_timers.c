/* uv_timers.c - libuv reference for bench_timers: N timers with deadlines
 * spread over 0-99 ms (timer i after i % 100 ms), each firing once.
 *
 * Usage: uv_timers [N timers = 100000]
 *
 * The uv_timer_t storage is one array provided by the program, as libuv
 * requires; coflow's "timers_embed" figure does the same. */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "bench_common.h"

static long left; /* timers that have not fired yet */

static void fire_cb(uv_timer_t *t)
{
    (void)t;
    left--;
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 100000);
    uv_loop_t loop;
    uv_timer_t *timers = calloc((size_t)n, sizeof *timers);
    if (!timers || uv_loop_init(&loop) != 0) {
        fprintf(stderr, "uv_timers: setup failed\n");
        return 1;
    }
    left = n;

    double t0 = bench_wall();
    double c0 = bench_cpu();
    uv_update_time(&loop);
    for (long i = 0; i < n; i++) {
        uv_timer_init(&loop, &timers[i]);
        uv_timer_start(&timers[i], fire_cb, (uint64_t)(i % 100), 0);
    }
    double armed = bench_cpu();
    uv_run(&loop, UV_RUN_DEFAULT);
    double c1 = bench_cpu();
    double t1 = bench_wall();

    if (left != 0) {
        fprintf(stderr, "uv_timers: %ld timers never fired\n", left);
        return 1;
    }
    printf("timers: impl=libuv n=%ld seconds=%.6f cpu_seconds=%.6f "
           "arm_cpu_seconds=%.6f ns_per_op=%.2f cpu_ns_per_op=%.2f\n",
           n, t1 - t0, c1 - c0, armed - c0, (t1 - t0) * 1e9 / (double)n,
           (c1 - c0) * 1e9 / (double)n);
    for (long i = 0; i < n; i++)
        uv_close((uv_handle_t *)&timers[i], NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(timers);
    return 0;
}
