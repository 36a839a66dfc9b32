/* test_closed_loop.c - calling into a loop from other threads after it was
 * closed, and while it is being closed: every call is refused with
 * CO_ECLOSED or, if accepted, settled at close (a call dropped unrun, a
 * concurrent future failed); nothing crashes, hangs or runs late. A future
 * of the loop keeps its memory alive throughout, as threads.h asks.
 * Threads meet on joins and on the loop's own stop, never on sleeps, so
 * this runs under TSan and valgrind too. Lesson 10. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>

#include "coflow.h"

#define TEST_TIMEOUT 30

static void count(void *arg)
{
    ++*(int *)arg;
}

static void swallow(co_loop *loop, const char *message, void *arg)
{
    (void)loop;
    (void)message;
    (void)arg;
}

struct seven {
    co_coro co;
};

static int return_seven(co_coro *co)
{
    CO_BEGIN(co);
    CO_RETURN(co, 7);
    CO_END(co);
}

/* What a thread got from each call on a closed loop. */
struct closed_calls {
    co_loop *loop;
    int *ran;             /* what the posted calls would increment */
    int soon, stop, hold, release, rct;
    co_cfuture *cf;       /* what co_run_coroutine_threadsafe gave */
};

static void *call_closed_loop(void *arg)
{
    struct closed_calls *c = arg;
    c->soon = co_loop_call_soon_threadsafe(c->loop, count, c->ran);
    c->stop = co_loop_stop_threadsafe(c->loop);
    c->hold = co_loop_hold(c->loop);
    c->release = co_loop_release(c->loop);
    struct seven *s = CO_NEW(struct seven, return_seven);
    ck_assert_ptr_nonnull(s);
    c->cf = (co_cfuture *)c; /* anything not NULL */
    c->rct = co_run_coroutine_threadsafe(&s->co, c->loop, &c->cf);
    if (c->rct < 0)
        co_coro_free(&s->co); /* refused: the frame is still ours */
    return NULL;
}

static void check_refused(const struct closed_calls *c)
{
    ck_assert_int_eq(c->soon, CO_ECLOSED);
    ck_assert_int_eq(c->stop, CO_ECLOSED);
    ck_assert_int_eq(c->hold, CO_ECLOSED);
    ck_assert_int_eq(c->release, CO_ECLOSED);
    ck_assert_int_eq(c->rct, CO_ECLOSED);
    ck_assert_ptr_null(c->cf);
}

START_TEST(test_threadsafe_calls_after_close_are_eclosed_and_never_run)
{
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_loop_set_exception_handler(loop, swallow, NULL);
    co_future *keep; /* keeps the loop's memory after close */
    ck_assert_int_eq(co_future_new(loop, &keep), 0);
    int ran = 0;
    /* accepted before the close, then dropped by it */
    ck_assert_int_eq(co_loop_call_soon_threadsafe(loop, count, &ran), 0);
    ck_assert_int_eq(co_loop_hold(loop), 0); /* never released: fine */
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert(co_loop_is_closed(loop));

    struct closed_calls here = {.loop = loop, .ran = &ran};
    call_closed_loop(&here);
    check_refused(&here);

    struct closed_calls there = {.loop = loop, .ran = &ran};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, call_closed_loop, &there), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    check_refused(&there);

    ck_assert_int_eq(ran, 0);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_ECLOSED);
    ck_assert_int_eq(ran, 0);
    co_future_unref(keep); /* the loop's memory goes with it */
}
END_TEST

/* The racing thread: a hundred calls the loop runs, the stop, then calls
 * of every kind until the loop refuses them, while the main thread closes
 * it. The concurrent futures are only waited for at the end, so that the
 * posting really overlaps the close. */
#define MAX_LATE_RCT 4096

struct racer {
    co_loop *loop;
    int *ran;            /* loop thread only: calls that ran */
    int late_soon;       /* call_soon_threadsafe accepted after the stop */
    int late_rct;        /* coroutines accepted after the stop */
    int rct_closed;      /* ... whose concurrent future said CO_ECLOSED */
    int held;            /* holds accepted */
    int released;        /* releases accepted */
    int last;            /* the refusal that ended the race */
    co_cfuture *cf[MAX_LATE_RCT]; /* the accepted coroutines' futures */
};

static void *race_close(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(co_loop_call_soon_threadsafe(r->loop, count, r->ran),
                         0);
    ck_assert_int_eq(co_loop_stop_threadsafe(r->loop), 0);
    for (;;) {
        int rc = co_loop_call_soon_threadsafe(r->loop, count, r->ran);
        if (rc == CO_ECLOSED) {
            r->last = rc;
            break;
        }
        ck_assert_int_eq(rc, 0);
        r->late_soon++;

        if (co_loop_hold(r->loop) == 0) {
            r->held++;
            if (co_loop_release(r->loop) == 0)
                r->released++;
        }

        if (r->late_rct == MAX_LATE_RCT)
            continue;
        struct seven *s = CO_NEW(struct seven, return_seven);
        ck_assert_ptr_nonnull(s);
        rc = co_run_coroutine_threadsafe(&s->co, r->loop,
                                         &r->cf[r->late_rct]);
        if (rc == CO_ECLOSED) {
            co_coro_free(&s->co);
            r->last = rc;
            break;
        }
        ck_assert_int_eq(rc, 0);
        r->late_rct++;
    }
    /* The loop never runs again, so none of these tasks can end: each
     * future must have failed with CO_ECLOSED at the close (a start
     * dropped unrun, or a task abandoned), none is left hanging. */
    for (int i = 0; i < r->late_rct; i++) {
        long long v = 0;
        if (co_cfuture_result_int(r->cf[i], -1, &v) == CO_ECLOSED)
            r->rct_closed++;
        co_cfuture_unref(r->cf[i]);
    }
    return NULL;
}

START_TEST(test_threadsafe_calls_racing_with_close_are_settled)
{
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    co_loop_set_exception_handler(loop, swallow, NULL);
    co_future *keep;
    ck_assert_int_eq(co_future_new(loop, &keep), 0);
    ck_assert_int_eq(co_loop_hold(loop), 0); /* the racer will call in */
    int ran = 0;
    struct racer *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->loop = loop;
    r->ran = &ran;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, race_close, r), 0);
    /* Ends when the racer's stop runs: after its hundred calls (FIFO),
     * and with some of its later calls perhaps in the same iteration. */
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    int ran_by_the_stop = ran;
    ck_assert_int_ge(ran_by_the_stop, 100);
    ck_assert_int_eq(co_loop_close(loop), 0); /* while the racer posts */
    ck_assert_int_eq(pthread_join(th, NULL), 0);

    ck_assert_int_eq(r->last, CO_ECLOSED);
    ck_assert_int_eq(ran, ran_by_the_stop); /* nothing ran at or after close */
    ck_assert_int_le(ran - 100, r->late_soon);
    ck_assert_int_eq(r->rct_closed, r->late_rct); /* none left hanging */
    ck_assert_int_le(r->released, r->held);
    free(r);
    co_future_unref(keep);
}
END_TEST

static Suite *closed_loop_suite(void)
{
    Suite *s = suite_create("closed loop");
    TCase *tc = tcase_create("threadsafe calls and close");
    tcase_set_timeout(tc, TEST_TIMEOUT);
    tcase_add_test(tc, test_threadsafe_calls_after_close_are_eclosed_and_never_run);
    tcase_add_test(tc, test_threadsafe_calls_racing_with_close_are_settled);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(closed_loop_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed < 77 ? failed : 76;
}
