/* unit.h - small helpers shared by the unit test executables.
 *
 * Each executable builds one Check suite and returns its failure count from
 * main() (unit_main). Reports that the loop would print to stderr (failures
 * never retrieved, tasks destroyed while pending) are caught by a recorder
 * instead, so that a test can assert on them. */
#ifndef COFLOW_UNIT_H
#define COFLOW_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coflow.h"

/* Seconds a single test may take before Check calls it failed (a hang is a
 * failure, never a stuck test run). */
#define UNIT_TEST_TIMEOUT 10

/* What an exception handler was told. */
struct unit_reports {
    int count;       /* how many reports arrived */
    char last[512];  /* the latest one */
    char all[2048];  /* every report, one per line (truncated if long) */
};

static inline void unit_record_report(co_loop *loop, const char *message,
                                      void *arg)
{
    struct unit_reports *r = arg;
    (void)loop;
    r->count++;
    snprintf(r->last, sizeof r->last, "%s", message);
    size_t used = strlen(r->all);
    if (used < sizeof r->all - 1)
        snprintf(r->all + used, sizeof r->all - used, "%s\n", message);
}

/* A fresh loop whose reports go to @p reports (which may be NULL: then they
 * are swallowed into a static recorder so that stderr stays clean). */
static inline co_loop *unit_loop(struct unit_reports *reports)
{
    static struct unit_reports ignored;
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    ck_assert_ptr_nonnull(loop);
    co_loop_set_exception_handler(loop, unit_record_report,
                                  reports ? reports : &ignored);
    return loop;
}

/* Runs exactly one iteration of @p loop (co_loop_stop before running makes
 * the run stop after one iteration, as asyncio does). */
static inline int unit_run_once(co_loop *loop)
{
    co_loop_stop(loop);
    return co_loop_run_forever(loop);
}

/* Adds @p tc to @p s with the per-test timeout. */
static inline void unit_add_case(Suite *s, TCase *tc)
{
    tcase_set_timeout(tc, UNIT_TEST_TIMEOUT);
    suite_add_tcase(s, tc);
}

/* Runs the suite; the failure count is main's exit status (kept below 77,
 * which meson would read as "skipped"). */
static inline int unit_main(Suite *s)
{
    /* Virtual time (co_loop_set_virtual_time) for every loop the tests
     * make, co_run's too: these tests are about the order of timers, not
     * about the real clock, and a loaded machine or valgrind that wakes
     * the loop late could otherwise make two timers due in one iteration.
     * COFLOW_CLOCK=monotonic in the environment runs them on the real
     * clock instead (test_debug sets it so before calling this). */
    setenv("COFLOW_CLOCK", "virtual", 0);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed < 77 ? failed : 76;
}

#endif
