/* stress_wait_for.c - wait_for and shield under random cancellations.
 *
 * Each of 20,000 outer tasks starts an inner task and awaits it through
 * co_wait_for (a random timeout: none, zero, or a few milliseconds) or
 * through co_shield. Inner tasks sleep or yield for a while; some catch a
 * cancellation and return anyway. A driver cancels outer and inner tasks
 * at random all along. Afterwards every inner cleanup ran exactly once,
 * no outer task ever resumed from co_wait_for while its inner task still
 * ran, every task ended, and once everything is let go of, the loop holds
 * no live future. */
#include "stress.h"

#define NPAIRS 20000

struct inner {
    co_coro co;
    int id;
    int mode;   /* 0: sleep; 1: yields; 2: sleeps, catches a cancel, returns */
    int n;      /* how long */
    int caught; /* the cancellation mode 2 catches */
};

struct outer {
    co_coro co;
    int id;
    int shielded;     /* await through co_shield instead of co_wait_for */
    double timeout;   /* co_wait_for's timeout */
    co_task *inner;   /* our reference */
    co_future *w;     /* the wait_for / shield future, our reference */
    int err;          /* how the await ended */
};

static int cleanups[NPAIRS];     /* inner cleanups run, per pair */
static co_task *inners[NPAIRS];  /* the driver's references */
static co_task *outers[NPAIRS];
static long resumed_early;       /* wait_for returned while inner ran */
static long timeouts, results, outer_cancelled, other_errors, shield_left;

static int inner_fn(co_coro *co)
{
    struct inner *self = (struct inner *)co;
    CO_BEGIN(co);
    if (self->mode == 0) {
        CO_SLEEP(co, self->n / 1000.0);
    } else if (self->mode == 1) {
        while (self->n-- > 0)
            CO_YIELD(co);
    } else {
        CO_SLEEP_CATCH(co, self->n / 1000.0, self->caught);
    }
    CO_RETURN(co, self->id);
    CO_FINALLY(co);
    cleanups[self->id]++;
    CO_END(co);
}

static int outer_fn(co_coro *co)
{
    struct outer *self = (struct outer *)co;
    co_loop *loop = co_get_running_loop();
    CO_BEGIN(co);
    if (self->shielded)
        ck_assert_int_eq(co_shield(loop, co_task_future(self->inner),
                                   &self->w), 0);
    else
        ck_assert_int_eq(co_wait_for(loop, co_task_future(self->inner),
                                     self->timeout, &self->w), 0);
    CO_AWAIT_CATCH(co, self->w, self->err);
    /* wait_for never gives control back while the inner task runs; a
     * shield does when the outer one is cancelled. */
    if (!co_task_done(self->inner)) {
        if (self->shielded)
            shield_left++;
        else
            resumed_early++;
    }
    if (self->err == 0)
        results++;
    else if (self->err == CO_ETIMEDOUT)
        timeouts++;
    else if (self->err == CO_ECANCELLED)
        outer_cancelled++;
    else
        other_errors++;
    CO_FINALLY(co);
    co_future_unref(self->w);
    co_task_unref(self->inner);
    CO_END(co);
}

struct driver {
    co_coro co;
    int made, k;
};

static bool everything_done(void)
{
    for (int i = 0; i < NPAIRS; i++)
        if (!co_task_done(outers[i]) || !co_task_done(inners[i]))
            return false;
    return true;
}

static long cancels_sent;

static int driver_fn(co_coro *co)
{
    struct driver *self = (struct driver *)co;
    co_loop *loop = co_get_running_loop();
    CO_BEGIN(co);
    /* Pairs are made in batches while earlier ones run and get cancelled. */
    while (self->made < NPAIRS || !everything_done()) {
        for (self->k = 0; self->k < 200 && self->made < NPAIRS; self->k++) {
            int id = self->made++;
            struct inner *in = CO_NEW(struct inner, inner_fn);
            in->id = id;
            in->mode = (int)stress_below(3);
            in->n = (int)stress_below(4);
            ck_assert_int_eq(co_create_task(loop, &in->co, NULL, &inners[id]),
                             0);
            struct outer *out = CO_NEW(struct outer, outer_fn);
            out->id = id;
            out->shielded = stress_below(4) == 0;
            unsigned t = stress_below(4);
            out->timeout = t == 0 ? CO_NO_TIMEOUT : t == 1 ? 0 : t / 1000.0;
            out->inner = co_task_ref(inners[id]);
            ck_assert_int_eq(co_create_task(loop, &out->co, NULL,
                                            &outers[id]), 0);
        }
        CO_YIELD(co);
        /* A handful of random cancellations each iteration, of either side,
         * whatever state it is in (pending, woken, finishing, done). */
        for (self->k = (int)stress_below(60); self->k > 0; self->k--) {
            unsigned id = stress_below((unsigned)self->made);
            if (co_task_cancel(stress_below(2) ? outers[id] : inners[id]))
                cancels_sent++;
        }
    }
    CO_END(co);
}

START_TEST(test_wait_for_and_shield_clean_up_once_under_random_cancellation)
{
    stress_seed("wait_for and shield", 30);
    memset(cleanups, 0, sizeof cleanups);
    resumed_early = timeouts = results = outer_cancelled = 0;
    other_errors = shield_left = cancels_sent = 0;
    co_loop *loop = stress_loop();
    struct driver d;
    memset(&d, 0, sizeof d);
    co_coro_init(&d.co, driver_fn);
    co_task *dt;
    ck_assert_int_eq(co_create_task(loop, &d.co, "driver", &dt), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(dt)), 0);
    co_task_unref(dt);
    long once = 0, inner_cancelled = 0;
    for (int i = 0; i < NPAIRS; i++) {
        ck_assert_msg(cleanups[i] == 1, "inner %d cleaned up %d times", i,
                      cleanups[i]);
        once++;
        inner_cancelled += co_task_cancelled(inners[i]);
        co_task_unref(inners[i]);
        co_task_unref(outers[i]);
    }
    /* Callbacks already queued hold references until they have run. */
    for (int i = 0; i < 10 && co_loop_live_futures(loop) > 0; i++)
        stress_run_once(loop);
    size_t live = co_loop_live_futures(loop);
    stress_figures("wait_for/shield: %d pairs, %ld cancels sent; outer: %ld "
                   "results, %ld timeouts, %ld cancelled, %ld other; %ld inner "
                   "cancelled; %ld cleanups exactly once; %ld wait_for "
                   "resumed while the inner ran; %ld shields left a running "
                   "inner; %zu live futures after, %d reports", NPAIRS,
                   cancels_sent, results, timeouts, outer_cancelled,
                   other_errors, inner_cancelled, once, resumed_early,
                   shield_left, live, stress_reports);
    ck_assert_int_eq(once, NPAIRS);
    ck_assert_int_eq(resumed_early, 0);
    ck_assert_int_eq(other_errors, 0);
    ck_assert_int_eq(results + timeouts + outer_cancelled, NPAIRS);
    /* Every path was taken. (How often depends on how the sleeps fall
     * between iterations, so the floors are low.) */
    ck_assert_int_gt(timeouts, 100);
    ck_assert_int_gt(outer_cancelled, 10);
    ck_assert_int_gt(results, 100);
    ck_assert_uint_eq(live, 0);
    ck_assert_int_eq(stress_reports, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress_wait_for");
    TCase *tc = tcase_create("wait_for_shield");
    tcase_add_test(tc, test_wait_for_and_shield_clean_up_once_under_random_cancellation);
    tcase_set_timeout(tc, 280);
    suite_add_tcase(s, tc);
    return stress_main(s);
}
