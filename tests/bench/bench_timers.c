/* bench_timers.c - N timers with deadlines spread over 0-99 ms.
 *
 * Usage: bench_timers [N timers = 100000]
 *
 * Timer i fires after (i % 100) ms, so about N/100 timers share each
 * millisecond. The wall time cannot be much below 99 ms (the last deadline);
 * the figure that matters is the CPU time: arming the timers, keeping them
 * in the heap, sleeping between deadlines and firing the callbacks.
 *
 * Two runs, each on a fresh loop:
 *   timers       - co_loop_call_later(..., NULL): the loop allocates (and
 *                  recycles) each timer, as asyncio allocates a TimerHandle;
 *   timers_embed - the caller provides the co_timer storage, as a libuv
 *                  program provides its uv_timer_t. */
#include <coflow.h>

#include "bench_common.h"

struct fired {
    co_loop *loop;
    long left;      /* timers that have not fired yet */
};

static void fire_cb(void *arg)
{
    struct fired *f = arg;
    if (--f->left == 0)
        co_loop_stop(f->loop);
}

static void run(const char *name, long n, int embed)
{
    co_loop *loop;
    BENCH_CHECK(co_loop_new(&loop));
    struct fired f = {.loop = loop, .left = n};
    co_timer *timers = NULL;
    if (embed && !(timers = calloc((size_t)n, sizeof *timers))) {
        fprintf(stderr, "bench_timers: out of memory\n");
        exit(1);
    }

    double t0 = bench_wall();
    double c0 = bench_cpu();
    for (long i = 0; i < n; i++)
        BENCH_CHECK(co_loop_call_later(loop, (double)(i % 100) / 1000.0,
                                       fire_cb, &f,
                                       embed ? &timers[i] : NULL));
    double armed = bench_cpu();
    BENCH_CHECK(co_loop_run_forever(loop));
    double c1 = bench_cpu();
    double t1 = bench_wall();

    if (f.left != 0) {
        fprintf(stderr, "bench_timers: %ld timers never fired\n", f.left);
        exit(1);
    }
    printf("%s: impl=coflow n=%ld seconds=%.6f cpu_seconds=%.6f "
           "arm_cpu_seconds=%.6f ns_per_op=%.2f cpu_ns_per_op=%.2f\n",
           name, n, t1 - t0, c1 - c0, armed - c0,
           (t1 - t0) * 1e9 / (double)n, (c1 - c0) * 1e9 / (double)n);
    co_loop_close(loop);
    free(timers);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 100000);
    run("timers", n, 0);
    run("timers_embed", n, 1);
    return 0;
}
