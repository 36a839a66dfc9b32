/* prim.h - helpers shared by the primitives' test executables.
 *
 * Each test makes a loop, creates tasks from CO_NEW frames, and runs the
 * loop one iteration at a time, so that it can act between iterations
 * (cancel a task right after it was woken, put an item, ...). What the
 * coroutines do is written to a log, and tests assert on the order. */
#ifndef COFLOW_PRIM_TEST_H
#define COFLOW_PRIM_TEST_H

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coflow.h"

#define PRIM_TEST_TIMEOUT 20

/* A log of what happened, one short entry per event, space separated. */
static char prim_log[4096];

static inline void prim_log_reset(void)
{
    prim_log[0] = '\0';
}

static inline void prim_logf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline void prim_logf(const char *fmt, ...)
{
    size_t used = strlen(prim_log);
    if (used >= sizeof prim_log - 1)
        return;
    if (used)
        prim_log[used++] = ' ', prim_log[used] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prim_log + used, sizeof prim_log - used, fmt, ap);
    va_end(ap);
}

static int prim_reports;
static inline void prim_count_report(co_loop *loop, const char *message,
                                     void *arg)
{
    (void)loop;
    (void)arg;
    (void)message;
    prim_reports++;
}

/* A fresh loop whose reports are counted (a test can assert none came). */
static inline co_loop *prim_loop(void)
{
    co_loop *loop = NULL;
    prim_reports = 0;
    prim_log_reset();
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_loop_set_exception_handler(loop, prim_count_report, NULL);
    return loop;
}

/* One loop iteration. */
static inline void prim_run_once(co_loop *loop)
{
    co_loop_stop(loop);
    co_loop_run_forever(loop);
}

/* Iterations until no task is pending; fails the test after @p max. */
static inline void prim_run_idle(co_loop *loop, int max)
{
    int n = 0;
    while (co_all_tasks(loop, NULL, 0) > 0) {
        ck_assert_msg(n++ < max, "tasks still pending after %d iterations",
                      max);
        prim_run_once(loop);
    }
}

/* Runs the loop until @p t is done (timers included: a single iteration
 * does not sleep, so short sleeps need a real run). A task that could
 * never finish is reported by the loop as CO_EDEADLOCK. @p max is unused
 * but documents the expected effort. */
static inline void prim_run_until(co_loop *loop, co_task *t, int max)
{
    (void)max;
    int rc = co_loop_run_until_complete(loop, co_task_future(t));
    ck_assert_msg(rc != CO_EDEADLOCK && rc != CO_ESTOPPED && rc != CO_ERUNNING,
                  "the loop could not finish the task: %s", co_errname(rc));
    ck_assert(co_task_done(t));
}

/* Creates a task for an owned frame and returns a reference to it. */
static inline co_task *prim_spawn(co_loop *loop, co_coro *frame,
                                  const char *name)
{
    co_task *t = NULL;
    ck_assert_ptr_nonnull(frame);
    ck_assert_int_eq(co_create_task(loop, frame, name, &t), 0);
    return t;
}

/* The failure a finished task ended with (0 if it returned). */
static inline int prim_task_error(co_task *t)
{
    return co_future_exception(co_task_future(t), NULL);
}

static inline void prim_add_case(Suite *s, TCase *tc)
{
    tcase_set_timeout(tc, PRIM_TEST_TIMEOUT);
    suite_add_tcase(s, tc);
}

static inline int prim_main(Suite *s)
{
    /* Virtual time (co_loop_set_virtual_time) for every loop the tests
     * make, co_run's too: these tests are about the order of timers, not
     * about the real clock, and a loaded machine or valgrind that wakes
     * the loop late could otherwise make two timers due in one iteration.
     * COFLOW_CLOCK=monotonic in the environment runs them on the real
     * clock instead. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed < 77 ? failed : 76;
}

#define ITEM(n) ((void *)(intptr_t)(n))
#define ITEM_ID(p) ((int)(intptr_t)(p))

#endif
