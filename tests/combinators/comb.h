/* comb.h - what the cancellation and combinator tests share: a trace of
 * what ran in which order, a recorder for the loop's reports, and a few
 * small coroutines (sleep then return or fail, await a future, a chain of
 * child coroutines) whose CO_FINALLY sections write to the trace.
 *
 * Tests assert on order and values only, never on how long anything took;
 * the timers are short so that a broken rule fails fast instead of hanging
 * (Check's per-test timeout turns a hang into a failure). */
#ifndef COFLOW_COMB_H
#define COFLOW_COMB_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coflow.h"

#define COMB_TEST_TIMEOUT 20

/* ---- the trace ----------------------------------------------------------- */

static char comb_trace[4096];

static inline void comb_trace_reset(void)
{
    comb_trace[0] = '\0';
}

/* Appends "word " to the trace. */
static inline void tr(const char *word)
{
    size_t used = strlen(comb_trace);
    snprintf(comb_trace + used, sizeof comb_trace - used, "%s ", word);
}

/* Appends "word:CODE " (the code's name, or "ok"). */
static inline void tr_code(const char *word, int code)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s:%s", word, code ? co_errname(code) : "ok");
    tr(buf);
}

#define ck_assert_trace(expected) ck_assert_str_eq(comb_trace, (expected))

/* ---- the loop's reports -------------------------------------------------- */

struct comb_reports {
    int count;       /* how many reports arrived */
    char all[2048];  /* every report, one per line (truncated if long) */
};

static inline void comb_record(co_loop *loop, const char *message, void *arg)
{
    struct comb_reports *r = arg;
    (void)loop;
    r->count++;
    size_t used = strlen(r->all);
    if (used < sizeof r->all - 1)
        snprintf(r->all + used, sizeof r->all - used, "%s\n", message);
}

/* A fresh loop whose reports go to @p r (NULL: to a recorder that the test
 * ignores, keeping stderr clean). */
static inline co_loop *comb_loop(struct comb_reports *r)
{
    static struct comb_reports ignored;
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_loop_set_exception_handler(loop, comb_record, r ? r : &ignored);
    comb_trace_reset();
    return loop;
}

/* Exactly one loop iteration (stop before running: asyncio's rule). */
static inline int comb_run_once(co_loop *loop)
{
    co_loop_stop(loop);
    return co_loop_run_forever(loop);
}

/* A few iterations: enough for every task to reach its first wait. */
static inline void comb_run_few(co_loop *loop, int n)
{
    while (n-- > 0)
        comb_run_once(loop);
}

/* ---- worker: sleep, then return a value or fail ------------------------ */

struct worker {
    co_coro co;          /* first */
    const char *name;    /* for the trace */
    double delay;        /* how long to sleep (0: one bare yield) */
    long long value;     /* what to return */
    int fail;            /* if negative: CO_RAISE this instead */
    int catch_cancel;    /* if set: catch a cancellation, return value */
    double cleanup_delay;/* if > 0: the cleanup sleeps this long */
    int caught;          /* what the catching sleep saw */
    char word[64];       /* scratch for the trace */
};

static inline int worker_fn(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    CO_BEGIN(co);
    if (self->catch_cancel) {
        CO_SLEEP_CATCH(co, self->delay, self->caught);
        if (self->caught) {
            snprintf(self->word, sizeof self->word, "%s:caught",
                     self->name);
            tr(self->word);
        }
    } else {
        CO_SLEEP(co, self->delay);
    }
    if (self->fail)
        CO_RAISE(co, self->fail, "worker failed");
    snprintf(self->word, sizeof self->word, "%s:done", self->name);
    tr(self->word);
    CO_RETURN(co, self->value);
    CO_FINALLY(co);
    if (self->cleanup_delay > 0) {
        snprintf(self->word, sizeof self->word, "%s:cleanup", self->name);
        tr(self->word);
        CO_SLEEP(co, self->cleanup_delay);
    }
    snprintf(self->word, sizeof self->word, "%s:fin", self->name);
    tr_code(self->word, co->err);
    CO_END(co);
}

/* A worker task on @p loop; the frame belongs to the task. */
static inline co_task *comb_worker(co_loop *loop, const char *name,
                                   double delay, long long value, int fail)
{
    struct worker *w = CO_NEW(struct worker, worker_fn);
    ck_assert_ptr_nonnull(w);
    w->name = name;
    w->delay = delay;
    w->value = value;
    w->fail = fail;
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &w->co, name, &t), 0);
    return t;
}

static inline struct worker *comb_worker_frame(co_task *t)
{
    return (struct worker *)co_task_get_coro(t);
}

/* ---- awaiter: await one future, record what it saw ----------------------- */

struct awaiter {
    co_coro co;          /* first */
    const char *name;    /* for the trace */
    co_future *f;        /* what it awaits (a reference it owns) */
    int catch_it;        /* CO_AWAIT_CATCH instead of CO_AWAIT */
    int caught;          /* what the catching await saw */
    char word[64];       /* scratch */
};

static inline int awaiter_fn(co_coro *co)
{
    struct awaiter *self = (struct awaiter *)co;
    CO_BEGIN(co);
    if (self->catch_it) {
        CO_AWAIT_CATCH(co, self->f, self->caught);
        snprintf(self->word, sizeof self->word, "%s:saw", self->name);
        tr_code(self->word, self->caught);
    } else {
        CO_AWAIT(co, self->f);
        snprintf(self->word, sizeof self->word, "%s:done", self->name);
        tr(self->word);
    }
    CO_FINALLY(co);
    snprintf(self->word, sizeof self->word, "%s:fin", self->name);
    tr_code(self->word, co->err);
    co_future_unref(self->f);
    self->f = NULL;
    CO_END(co);
}

/* A task awaiting @p f (it takes its own reference on @p f). */
static inline co_task *comb_awaiter(co_loop *loop, const char *name,
                                    co_future *f, int catch_it)
{
    struct awaiter *a = CO_NEW(struct awaiter, awaiter_fn);
    ck_assert_ptr_nonnull(a);
    a->name = name;
    a->f = co_future_ref(f);
    a->catch_it = catch_it;
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &a->co, name, &t), 0);
    return t;
}

/* ---- the suite runner ---------------------------------------------------- */

static inline void comb_add(Suite *s, TCase *tc)
{
    tcase_set_timeout(tc, COMB_TEST_TIMEOUT);
    suite_add_tcase(s, tc);
}

static inline int comb_main(Suite *s)
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

#endif
