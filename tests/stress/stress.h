/* stress.h - what the stress tests share: a seeded random generator, the
 * seed printed so that a failure can be replayed (STRESS_SEED=n), one loop
 * iteration at a time, and a line of figures per test.
 *
 * Pass or fail depends on counts only, never on how long anything took:
 * the machine running them may be slow, loaded or under a sanitizer. */
#ifndef COFLOW_STRESS_H
#define COFLOW_STRESS_H

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coflow.h>

#define STRESS_DEFAULT_SEED 20261201ULL

static unsigned long long stress_rng;

/* Seeds the generator (STRESS_SEED from the environment, or the default
 * plus @p salt, so that each test of a file draws its own numbers) and
 * prints the seed. */
static inline void stress_seed(const char *test, unsigned salt)
{
    const char *env = getenv("STRESS_SEED");
    unsigned long long seed =
        env ? strtoull(env, NULL, 0) : STRESS_DEFAULT_SEED + salt;
    stress_rng = seed ? seed : 1;
    printf("%s: seed %llu (replay with STRESS_SEED=%llu)\n", test, seed, seed);
    fflush(stdout);
}

/* A 64-bit LCG, the top bits: plenty for choosing what to cancel. */
static inline unsigned stress_rand(void)
{
    stress_rng = stress_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(stress_rng >> 33);
}

/* A number in [0, n). */
static inline unsigned stress_below(unsigned n)
{
    return n ? stress_rand() % n : 0;
}

static inline void stress_figures(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline void stress_figures(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int stress_reports;
static inline void stress_count_report(co_loop *loop, const char *message,
                                       void *arg)
{
    (void)loop;
    (void)arg;
    (void)message;
    stress_reports++;
}

/* A fresh loop whose reports are counted. */
static inline co_loop *stress_loop(void)
{
    co_loop *loop = NULL;
    stress_reports = 0;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_loop_set_exception_handler(loop, stress_count_report, NULL);
    return loop;
}

/* One loop iteration. */
static inline void stress_run_once(co_loop *loop)
{
    co_loop_stop(loop);
    co_loop_run_forever(loop);
}

static inline int stress_main(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed < 77 ? failed : 76;
}

#endif
