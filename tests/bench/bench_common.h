/* bench_common.h - timing and reporting shared by the coflow benchmarks.
 *
 * Every benchmark prints one plain line per figure:
 *
 *     <workload>: impl=<who> n=<ops> seconds=<wall> ns_per_op=<wall/ops> ...
 *
 * so that a person can read it and tests/bench/compare.py can parse it. */
#ifndef COFLOW_BENCH_COMMON_H
#define COFLOW_BENCH_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock (wall time). */
static inline double bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds used by the whole process (user + system). */
static inline double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* argv[i] as a positive count, or @p fallback when absent. Exits with a
 * message on anything else, so a typo never benchmarks the wrong size. */
static inline long bench_arg(int argc, char **argv, int i, long fallback)
{
    if (i >= argc)
        return fallback;
    char *end;
    errno = 0;
    long v = strtol(argv[i], &end, 10);
    if (errno || *end || v <= 0) {
        fprintf(stderr, "%s: argument %d must be a positive integer, got "
                        "'%s'\n", argv[0], i, argv[i]);
        exit(2);
    }
    return v;
}

/* Stops the benchmark with a message when a coflow call fails. */
#define BENCH_CHECK(call)                                                      \
    do {                                                                       \
        int bench_rc_ = (call);                                                \
        if (bench_rc_ < 0) {                                                   \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__,      \
                    #call, co_strerror(bench_rc_));                            \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

#endif
