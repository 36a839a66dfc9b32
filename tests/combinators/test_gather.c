/* test_gather.c - gather, wait, wait_for, as_completed and shield, held to
 * asyncio's rules (CPython 3.11), including what cancellation does to each
 * and that nothing leaks when a combinator is cancelled or abandoned. */
#include "comb.h"

#define F(t) CO_AS_FUTURE(t)

static long long int_of(co_future *f)
{
    long long v = -1;
    ck_assert_int_eq(co_future_result_int(f, &v), 0);
    return v;
}

/* ---- gather --------------------------------------------------------------- */

/* A plain future that the test completes by hand: order without timers. */
static co_future *gate(co_loop *loop)
{
    co_future *f = NULL;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    return f;
}

START_TEST(test_gather_results_in_argument_order)
{
    co_loop *loop = comb_loop(NULL);
    co_future *items[3] = {gate(loop), gate(loop), gate(loop)};
    co_future *all;
    ck_assert_int_eq(co_gather(loop, items, 3, false, &all), 0);
    for (int i = 2; i >= 0; i--) { /* they finish last to first */
        co_future_set_result_int(items[i], i + 1);
        comb_run_once(loop);
    }
    ck_assert_int_eq(co_loop_run_until_complete(loop, all), 0);
    ck_assert_int_eq(int_of(all), 3); /* the number of results */
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(int_of(items[i]), i + 1);
        co_future_unref(items[i]);
    }
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

/* The loop closes while a child's "run the callbacks" entry is still
 * queued: gather's callback never runs, so the drop of that entry must let
 * go of what the callback holds (a reference on the gather), or the
 * gather, its children and the loop itself are never freed. A future of
 * our own keeps the closed loop alive to count what is left. */
START_TEST(test_gather_callback_queued_at_close_lets_go_of_the_gather)
{
    co_loop *loop = comb_loop(NULL);
    co_future *keep = gate(loop);
    co_future *items[2] = {gate(loop), gate(loop)};
    co_future *all;
    ck_assert_int_eq(co_gather(loop, items, 2, false, &all), 0);
    ck_assert_int_eq(co_future_set_result_int(items[0], 1), 0);
    ck_assert_int_eq(co_future_set_result_int(items[1], 2), 0);
    co_future_unref(items[0]);
    co_future_unref(items[1]);
    co_future_unref(all); /* the callbacks are queued, not run */
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep); /* the last reference: the loop goes too */
}
END_TEST

START_TEST(test_gather_first_failure_finishes_outer_at_once_siblings_run_on)
{
    struct comb_reports r = {0};
    co_loop *loop = comb_loop(&r);
    co_future *g = gate(loop);
    co_task *slow = comb_awaiter(loop, "slow", g, 0);
    co_task *bad = comb_worker(loop, "bad", 0, 0, CO_EFAIL);
    co_future *items[2] = {F(slow), F(bad)};
    co_future *all;
    ck_assert_int_eq(co_gather(loop, items, 2, false, &all), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, all), CO_EFAIL);
    const char *msg;
    ck_assert_int_eq(co_future_exception(all, &msg), CO_EFAIL);
    ck_assert_str_eq(msg, "worker failed");
    ck_assert(!co_task_done(slow)); /* not cancelled, still running */
    co_future_set_result_int(g, 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(slow)), 0);
    ck_assert_trace("bad:fin:CO_EFAIL slow:done slow:fin:ok ");
    co_task_unref(slow);
    co_future_unref(g);
    co_task_unref(bad);
    co_future_unref(all);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0); /* bad's failure counts as read */
}
END_TEST

START_TEST(test_gather_child_cancellation_finishes_outer_cancelled)
{
    co_loop *loop = comb_loop(NULL);
    co_future *g = gate(loop);
    co_task *a = comb_awaiter(loop, "a", g, 0);
    co_task *b = comb_worker(loop, "b", 5.0, 2, 0);
    co_future *items[2] = {F(a), F(b)};
    co_future *all;
    co_gather(loop, items, 2, false, &all);
    comb_run_once(loop);
    co_task_cancel(b);
    ck_assert_int_eq(co_loop_run_until_complete(loop, all), CO_ECANCELLED);
    ck_assert(co_future_cancelled(all));
    ck_assert(!co_task_done(a)); /* the sibling is not cancelled */
    co_future_set_result_int(g, 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(a)), 0);
    co_task_unref(a);
    co_future_unref(g);
    co_task_unref(b);
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_return_exceptions_lists_failures_and_cancellations)
{
    struct comb_reports r = {0};
    co_loop *loop = comb_loop(&r);
    co_task *ok = comb_worker(loop, "ok", 0.001, 7, 0);
    co_task *bad = comb_worker(loop, "bad", 0, 0, CO_EFAIL);
    co_task *gone = comb_worker(loop, "gone", 5.0, 0, 0);
    co_future *items[3] = {F(ok), F(bad), F(gone)};
    co_future *all;
    co_gather(loop, items, 3, true, &all);
    comb_run_once(loop);
    co_task_cancel(gone);
    ck_assert_int_eq(co_loop_run_until_complete(loop, all), 0);
    ck_assert_int_eq(int_of(all), 3);
    ck_assert_int_eq(int_of(items[0]), 7);
    ck_assert_int_eq(co_future_exception(items[1], NULL), CO_EFAIL);
    ck_assert_int_eq(co_future_exception(items[2], NULL), CO_ECANCELLED);
    co_task_unref(ok);
    co_task_unref(bad);
    co_task_unref(gone);
    co_future_unref(all);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0);
}
END_TEST

START_TEST(test_gather_cancel_outer_cancels_children_and_waits_for_them)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 1, 0);
    co_task *b = comb_worker(loop, "b", 5.0, 2, 0);
    comb_worker_frame(b)->cleanup_delay = 0.001;
    co_future *items[2] = {F(a), F(b)};
    co_future *all;
    co_gather(loop, items, 2, true, &all);
    comb_run_once(loop);
    ck_assert(co_future_cancel(all));
    ck_assert(!co_future_done(all)); /* it ends when the children do */
    ck_assert_int_eq(co_loop_run_until_complete(loop, all), CO_ECANCELLED);
    ck_assert(co_task_cancelled(a));
    ck_assert(co_task_cancelled(b)); /* even b's slow cleanup is over */
    ck_assert_trace("a:fin:CO_ECANCELLED b:cleanup b:fin:CO_ECANCELLED ");
    co_task_unref(a);
    co_task_unref(b);
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelling_task_awaiting_gather_runs_children_cleanup_first)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 1, 0);
    co_task *b = comb_worker(loop, "b", 5.0, 2, 0);
    co_future *items[2] = {F(a), F(b)};
    co_future *all;
    co_gather(loop, items, 2, false, &all);
    co_task *main = comb_awaiter(loop, "main", all, 0);
    comb_run_few(loop, 2);
    ck_assert(co_task_cancel(main));
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(main)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(a));
    ck_assert(co_task_cancelled(b));
    ck_assert_trace("a:fin:CO_ECANCELLED b:fin:CO_ECANCELLED "
                    "main:fin:CO_ECANCELLED ");
    co_task_unref(a);
    co_task_unref(b);
    co_task_unref(main);
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_of_nothing_is_done_with_empty_result)
{
    co_loop *loop = comb_loop(NULL);
    co_future *all;
    ck_assert_int_eq(co_gather(loop, NULL, 0, false, &all), 0);
    ck_assert(co_future_done(all));
    ck_assert_int_eq(int_of(all), 0);
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_same_future_twice_shares_one_child)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f, *g;
    co_future_new(loop, &f);
    co_future_new(loop, &g);
    co_future *items[3] = {f, f, g};
    co_future *all;
    ck_assert_int_eq(co_gather(loop, items, 3, false, &all), 0);
    co_future_set_result_int(f, 5);
    comb_run_few(loop, 3);
    /* Counted once: g is still pending, so the outer one is too. */
    ck_assert(!co_future_done(all));
    co_future_set_result_int(g, 6);
    ck_assert_int_eq(co_loop_run_until_complete(loop, all), 0);
    ck_assert_int_eq(int_of(all), 3);
    ck_assert_int_eq(int_of(items[0]), 5);
    ck_assert_int_eq(int_of(items[1]), 5);
    co_future_unref(f);
    co_future_unref(g);
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_bad_input_is_refused_and_registers_nothing)
{
    co_loop *loop = comb_loop(NULL), *other = comb_loop(NULL);
    co_future *f, *g, *all = (co_future *)1;
    co_future_new(loop, &f);
    co_future_new(other, &g);
    co_future *mixed[2] = {f, g};
    co_future *holes[2] = {f, NULL};
    ck_assert_int_eq(co_gather(NULL, &f, 1, false, &all), CO_EINVAL);
    ck_assert_ptr_null(all);
    ck_assert_int_eq(co_gather(loop, &f, 1, false, NULL), CO_EINVAL);
    ck_assert_int_eq(co_gather(loop, NULL, 2, false, &all), CO_EINVAL);
    ck_assert_int_eq(co_gather(loop, holes, 2, false, &all), CO_EINVAL);
    ck_assert_int_eq(co_gather(loop, mixed, 2, false, &all), CO_EWRONGLOOP);
    ck_assert_ptr_null(all);
    /* Nothing was registered on f: completing it schedules nothing. */
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    co_future_unref(f);
    co_future_unref(g);
    co_loop_close(other);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_on_closed_loop_is_refused)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f;
    co_future_new(loop, &f);
    co_loop_close(loop);
    co_future *all;
    ck_assert_int_eq(co_gather(loop, &f, 1, false, &all), CO_ECLOSED);
    co_future_unref(f); /* the last future frees the loop's memory */
}
END_TEST

START_TEST(test_dropping_a_pending_gather_leaves_children_running)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 0.001, 1, 0);
    co_future *f;
    co_future_new(loop, &f); /* never completed */
    co_future *items[2] = {F(a), f};
    co_future *all;
    co_gather(loop, items, 2, false, &all);
    co_future_unref(all); /* nobody cares any more */
    co_future_unref(f);   /* f is freed with the gather's reference */
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(a)), 0);
    ck_assert_int_eq(int_of(F(a)), 1);
    co_task_unref(a);
    co_loop_close(loop); /* valgrind: nothing of the gather is left */
}
END_TEST

START_TEST(test_closing_loop_with_pending_gather_leaks_nothing)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 1, 0);
    co_future *items[1] = {F(a)};
    co_future *all;
    co_gather(loop, items, 1, false, &all);
    comb_run_once(loop);
    co_task_unref(a);
    co_loop_close(loop);
    ck_assert(!co_future_done(all));
    co_future_unref(all);
}
END_TEST

/* The way a coroutine uses gather: create the tasks, gather them, await,
 * read each result from its task in argument order; drop everything in
 * CO_FINALLY, whatever happened. */
struct gatherer {
    co_coro co;           /* first */
    co_task *tasks[3];    /* our references */
    co_future *all;       /* the outer future */
    long long sum;        /* what we computed */
};

static int gatherer_fn(co_coro *co)
{
    struct gatherer *self = (struct gatherer *)co;
    CO_BEGIN(co);
    {
        co_loop *loop = co_get_running_loop();
        co_future *items[3];
        for (int i = 0; i < 3; i++) {
            struct worker *w = CO_NEW(struct worker, worker_fn);
            w->name = "w";
            w->delay = 0.001 * (3 - i);
            w->value = 10 * (i + 1);
            co_create_task(loop, &w->co, NULL, &self->tasks[i]);
            items[i] = CO_AS_FUTURE(self->tasks[i]);
        }
        if (co_gather(loop, items, 3, false, &self->all) < 0)
            CO_RAISE(co, CO_ENOMEM, "gather");
    }
    CO_AWAIT(co, self->all);
    for (int i = 0; i < 3; i++) {
        long long v;
        co_task_result_int(self->tasks[i], &v);
        self->sum = self->sum * 100 + v;
    }
    CO_RETURN(co, self->sum);
    CO_FINALLY(co);
    co_future_unref(self->all);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->tasks[i]);
    CO_END(co);
}

START_TEST(test_gather_awaited_from_a_coroutine)
{
    comb_trace_reset();
    struct gatherer g = {0};
    co_coro_init(&g.co, gatherer_fn);
    ck_assert_int_eq(co_run(&g.co), 0);
    long long v;
    co_coro_result_int(&g.co, &v);
    ck_assert_int_eq(v, 102030);
}
END_TEST

/* ---- wait ---------------------------------------------------------------- */

START_TEST(test_wait_first_completed)
{
    co_loop *loop = comb_loop(NULL);
    co_task *slow = comb_worker(loop, "slow", 5.0, 1, 0);
    co_task *fast = comb_worker(loop, "fast", 0.001, 2, 0);
    co_future *items[2] = {F(slow), F(fast)};
    co_future *w;
    ck_assert_int_eq(co_wait(loop, items, 2, CO_NO_TIMEOUT,
                             CO_FIRST_COMPLETED, &w), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    co_future *done[2], *pend[2];
    size_t nd, np;
    ck_assert_int_eq(co_wait_sets(items, 2, done, &nd, pend, &np), 0);
    ck_assert_uint_eq(nd, 1);
    ck_assert_uint_eq(np, 1);
    ck_assert_ptr_eq(done[0], F(fast));
    ck_assert_ptr_eq(pend[0], F(slow));
    co_task_cancel(slow);
    co_loop_run_until_complete(loop, F(slow));
    co_task_unref(slow);
    co_task_unref(fast);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_first_exception_returns_on_a_failure)
{
    struct comb_reports r = {0};
    co_loop *loop = comb_loop(&r);
    co_task *slow = comb_worker(loop, "slow", 5.0, 1, 0);
    co_task *bad = comb_worker(loop, "bad", 0.001, 0, CO_EFAIL);
    co_future *items[2] = {F(slow), F(bad)};
    co_future *w;
    co_wait(loop, items, 2, CO_NO_TIMEOUT, CO_FIRST_EXCEPTION, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0); /* no raise */
    ck_assert(!co_task_done(slow));
    ck_assert(co_task_done(bad));
    co_task_cancel(slow);
    co_loop_run_until_complete(loop, F(slow));
    co_task_unref(slow);
    co_task_unref(bad);
    co_future_unref(w);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0); /* wait looked at the failure */
}
END_TEST

START_TEST(test_wait_first_exception_does_not_count_a_cancellation)
{
    co_loop *loop = comb_loop(NULL);
    co_future *a = gate(loop);
    co_task *b = comb_worker(loop, "b", 5.0, 2, 0);
    co_future *items[2] = {a, F(b)};
    co_future *w;
    co_wait(loop, items, 2, CO_NO_TIMEOUT, CO_FIRST_EXCEPTION, &w);
    comb_run_once(loop);
    co_task_cancel(b);
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(b)), CO_ECANCELLED);
    comb_run_few(loop, 3);
    ck_assert(!co_future_done(w)); /* b's cancellation is no exception */
    co_future_set_result_int(a, 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    co_future_unref(a);
    co_task_unref(b);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_all_completed)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 0.002, 1, 0);
    co_task *b = comb_worker(loop, "b", 0.001, 2, CO_EFAIL);
    co_future *items[2] = {F(a), F(b)};
    co_future *w;
    co_wait(loop, items, 2, CO_NO_TIMEOUT, CO_ALL_COMPLETED, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    size_t nd, np;
    co_wait_sets(items, 2, NULL, &nd, NULL, &np);
    ck_assert_uint_eq(nd, 2);
    ck_assert_uint_eq(np, 0);
    ck_assert_int_eq(co_future_exception(F(b), NULL), CO_EFAIL);
    co_task_unref(a);
    co_task_unref(b);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_timeout_does_not_fail_and_leaves_pending_running)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 1, 0);
    co_future *items[1] = {F(a)};
    co_future *w;
    co_wait(loop, items, 1, 0.001, CO_ALL_COMPLETED, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    size_t nd, np;
    co_future *pend[1];
    co_wait_sets(items, 1, NULL, &nd, pend, &np);
    ck_assert_uint_eq(nd, 0);
    ck_assert_uint_eq(np, 1);
    ck_assert_ptr_eq(pend[0], F(a));
    ck_assert(!co_task_cancelled(a)); /* wait cancels nothing */
    co_task_cancel(a);
    co_loop_run_until_complete(loop, F(a));
    co_task_unref(a);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_on_an_empty_set_is_an_error)
{
    co_loop *loop = comb_loop(NULL);
    co_future *w = (co_future *)1;
    ck_assert_int_eq(co_wait(loop, NULL, 0, CO_NO_TIMEOUT, CO_ALL_COMPLETED,
                             &w), CO_EEMPTY);
    ck_assert_ptr_null(w);
    co_future *f;
    co_future_new(loop, &f);
    ck_assert_int_eq(co_wait(loop, &f, 1, CO_NO_TIMEOUT,
                             (enum co_return_when)42, &w), CO_EINVAL);
    ck_assert_int_eq(co_wait(loop, &f, 1, 0.0 / 0.0, CO_ALL_COMPLETED, &w),
                     CO_EINVAL);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelling_wait_leaves_its_items_running)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 0.001, 1, 0);
    co_future *items[1] = {F(a)};
    co_future *w;
    co_wait(loop, items, 1, 5.0, CO_ALL_COMPLETED, &w);
    ck_assert(co_future_cancel(w));
    ck_assert(co_future_cancelled(w));
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(a)), 0);
    /* Its 5-second timer went with it: nothing is left to wait for. */
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    co_task_unref(a);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

/* ---- wait_for ------------------------------------------------------------- */

START_TEST(test_wait_for_in_time_gives_the_result)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 0.001, 9, 0);
    co_future *w;
    ck_assert_int_eq(co_wait_for(loop, F(a), 5.0, &w), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    ck_assert_int_eq(int_of(w), 9);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK); /* no timer */
    co_task_unref(a);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_timeout_cancels_inner_waits_for_it_then_times_out)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 9, 0);
    comb_worker_frame(a)->cleanup_delay = 0.002; /* a slow cleanup */
    co_future *w;
    co_wait_for(loop, F(a), 0.001, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), CO_ETIMEDOUT);
    ck_assert(co_task_cancelled(a)); /* ended before wait_for did */
    ck_assert_trace("a:cleanup a:fin:CO_ECANCELLED ");
    co_task_unref(a);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_without_timeout_is_a_plain_await)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f, *w;
    co_future_new(loop, &f);
    co_wait_for(loop, f, CO_NO_TIMEOUT, &w);
    comb_run_few(loop, 2);
    ck_assert(!co_future_done(w));
    co_future_set_result_str(f, "late but fine");
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    const char *s;
    ck_assert_int_eq(co_future_result_str(w, &s), 0);
    ck_assert_str_eq(s, "late but fine");
    co_future_unref(f);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_zero_timeout_cancels_at_once)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 9, 0);
    comb_run_once(loop);
    co_future *w;
    co_wait_for(loop, F(a), 0, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), CO_ETIMEDOUT);
    ck_assert(co_task_cancelled(a));
    co_task_unref(a);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_zero_timeout_on_a_done_future_gives_its_result)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f, *w;
    co_future_new(loop, &f);
    co_future_set_result_int(f, 4);
    co_wait_for(loop, f, 0, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    ck_assert_int_eq(int_of(w), 4);
    co_future_unref(f);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_inner_that_refuses_cancellation_gives_its_result)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 8, 0);
    comb_worker_frame(a)->catch_cancel = 1;
    co_future *w;
    co_wait_for(loop, F(a), 0.001, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    ck_assert_int_eq(int_of(w), 8);
    co_task_unref(a);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

static void complete_it(void *arg)
{
    co_future_set_result_int(arg, 77);
}

START_TEST(test_wait_for_racing_with_completion_keeps_the_result)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f, *w;
    co_future_new(loop, &f);
    /* f is completed by a timer due before wait_for's own; both are due
     * in the same iteration, so wait_for's timer fires when f is done but
     * f's done-callbacks have not run yet. The result must win. */
    co_loop_call_later(loop, 0, complete_it, f, NULL);
    co_wait_for(loop, f, 1e-9, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w), 0);
    ck_assert_int_eq(int_of(w), 77);
    ck_assert(!co_future_cancelled(f));
    co_future_unref(f);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelling_task_awaiting_wait_for_cancels_and_awaits_inner)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 9, 0);
    comb_worker_frame(a)->cleanup_delay = 0.002;
    co_future *w;
    co_wait_for(loop, F(a), 10.0, &w);
    co_task *main = comb_awaiter(loop, "main", w, 0);
    comb_run_few(loop, 2);
    ck_assert(co_task_cancel(main));
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(main)),
                     CO_ECANCELLED);
    /* main resumed only after a had ended, cleanup and all */
    ck_assert_trace("a:cleanup a:fin:CO_ECANCELLED main:fin:CO_ECANCELLED ");
    ck_assert(co_future_cancelled(w));
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK); /* no timer */
    co_task_unref(a);
    co_task_unref(main);
    co_future_unref(w);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_bad_input)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f, *w;
    co_future_new(loop, &f);
    ck_assert_int_eq(co_wait_for(loop, NULL, 1, &w), CO_EINVAL);
    ck_assert_int_eq(co_wait_for(loop, f, 0.0 / 0.0, &w), CO_EINVAL);
    ck_assert_ptr_null(w);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

/* ---- shield --------------------------------------------------------------- */

START_TEST(test_shield_outer_cancel_leaves_inner_running)
{
    co_loop *loop = comb_loop(NULL);
    co_future *inner = gate(loop);
    co_future *s;
    ck_assert_int_eq(co_shield(loop, inner, &s), 0);
    co_task *main = comb_awaiter(loop, "main", s, 0);
    comb_run_few(loop, 2);
    ck_assert(co_task_cancel(main));
    ck_assert_int_eq(co_loop_run_until_complete(loop, F(main)),
                     CO_ECANCELLED);
    ck_assert(co_future_cancelled(s));
    ck_assert(!co_future_done(inner)); /* untouched */
    co_future_set_result_int(inner, 5);
    ck_assert_int_eq(int_of(inner), 5);
    co_future_unref(inner);
    co_task_unref(main);
    co_future_unref(s);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_shield_inner_cancellation_cancels_outer)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 5.0, 5, 0);
    co_future *s;
    co_shield(loop, F(a), &s);
    comb_run_once(loop);
    co_task_cancel(a);
    ck_assert_int_eq(co_loop_run_until_complete(loop, s), CO_ECANCELLED);
    ck_assert(co_future_cancelled(s));
    co_task_unref(a);
    co_future_unref(s);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_shield_passes_the_result_through)
{
    co_loop *loop = comb_loop(NULL);
    co_task *a = comb_worker(loop, "a", 0.001, 5, 0);
    co_future *s;
    co_shield(loop, F(a), &s);
    ck_assert_ptr_ne(s, F(a));
    ck_assert_int_eq(co_loop_run_until_complete(loop, s), 0);
    ck_assert_int_eq(int_of(s), 5);
    co_task_unref(a);
    co_future_unref(s);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_shield_of_a_done_future_returns_it)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f, *s;
    co_future_new(loop, &f);
    co_future_set_result_int(f, 1);
    ck_assert_int_eq(co_shield(loop, f, &s), 0);
    ck_assert_ptr_eq(s, f);
    co_future_unref(s); /* it came with its own reference */
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

/* ---- as_completed --------------------------------------------------------- */

START_TEST(test_as_completed_in_completion_order)
{
    co_loop *loop = comb_loop(NULL);
    co_future *items[3] = {gate(loop), gate(loop), gate(loop)};
    co_as_completed *ac;
    ck_assert_int_eq(co_as_completed_new(loop, items, 3, CO_NO_TIMEOUT, &ac),
                     0);
    co_future *next[3];
    ck_assert_int_eq(co_as_completed_next(ac, &next[0]), 0);
    co_future_set_result_int(items[1], 2); /* 2, then 3, then 1 */
    comb_run_once(loop);
    co_future_set_result_int(items[2], 3);
    comb_run_once(loop);
    ck_assert_int_eq(co_as_completed_next(ac, &next[1]), 0); /* queued */
    ck_assert_int_eq(co_as_completed_next(ac, &next[2]), 0); /* waiting */
    ck_assert(!co_future_done(next[2]));
    co_future_set_result_int(items[0], 1);
    long long order = 0;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(co_loop_run_until_complete(loop, next[i]), 0);
        void *item;
        ck_assert_int_eq(co_future_result_ptr(next[i], &item), 0);
        order = order * 10 + int_of(item);
        co_future_unref(next[i]);
    }
    ck_assert_int_eq(order, 231);
    co_future *extra = (co_future *)1;
    ck_assert_int_eq(co_as_completed_next(ac, &extra), CO_EEMPTY);
    ck_assert_ptr_null(extra);
    ck_assert_uint_eq(co_as_completed_remaining(ac), 0);
    co_as_completed_free(ac);
    for (int i = 0; i < 3; i++)
        co_future_unref(items[i]);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_as_completed_timeout_fails_the_rest)
{
    co_loop *loop = comb_loop(NULL);
    co_future *fast = gate(loop);
    co_future_set_result_int(fast, 1);
    co_task *slow = comb_worker(loop, "slow", 5.0, 2, 0);
    co_future *items[2] = {fast, F(slow)};
    co_as_completed *ac;
    co_as_completed_new(loop, items, 2, 0.01, &ac);
    co_future *n1, *n2;
    co_as_completed_next(ac, &n1);
    co_as_completed_next(ac, &n2);
    ck_assert_int_eq(co_loop_run_until_complete(loop, n1), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, n2), CO_ETIMEDOUT);
    ck_assert(!co_task_done(slow)); /* not cancelled */
    co_as_completed_free(ac);
    co_task_cancel(slow);
    co_loop_run_until_complete(loop, F(slow));
    co_future_unref(n1);
    co_future_unref(n2);
    co_future_unref(fast);
    co_task_unref(slow);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_as_completed_free_cancels_pending_next_futures)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f, *next;
    co_future_new(loop, &f);
    co_as_completed *ac;
    ck_assert_int_eq(co_as_completed_new(loop, &f, 1, CO_NO_TIMEOUT, &ac), 0);
    co_as_completed_next(ac, &next);
    co_as_completed_free(ac);
    ck_assert(co_future_cancelled(next)); /* its awaiter does not hang */
    co_as_completed_free(NULL);
    co_future_unref(next);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_as_completed_same_future_twice_counts_once)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f = gate(loop), *g = gate(loop);
    co_future *items[3] = {f, g, f};
    co_as_completed *ac;
    ck_assert_int_eq(co_as_completed_new(loop, items, 3, CO_NO_TIMEOUT, &ac),
                     0);
    ck_assert_uint_eq(co_as_completed_remaining(ac), 2); /* one child each */
    co_future *n1, *n2, *n3;
    ck_assert_int_eq(co_as_completed_next(ac, &n1), 0);
    ck_assert_int_eq(co_as_completed_next(ac, &n2), 0);
    ck_assert_int_eq(co_as_completed_next(ac, &n3), CO_EEMPTY);
    co_future_set_result_int(f, 1);
    co_future_set_result_int(g, 2);
    ck_assert_int_eq(co_loop_run_until_complete(loop, n2), 0);
    void *first, *second;
    co_future_result_ptr(n1, &first);
    co_future_result_ptr(n2, &second);
    ck_assert_ptr_eq(first, f); /* f once, then g */
    ck_assert_ptr_eq(second, g);
    co_as_completed_free(ac);
    co_future_unref(n1);
    co_future_unref(n2);
    co_future_unref(f);
    co_future_unref(g);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_as_completed_on_an_empty_set_is_an_error)
{
    co_loop *loop = comb_loop(NULL);
    co_as_completed *ac = (co_as_completed *)1;
    ck_assert_int_eq(co_as_completed_new(loop, NULL, 0, 1.0, &ac), CO_EEMPTY);
    ck_assert_ptr_null(ac);
    ck_assert_int_eq(co_as_completed_next(NULL, NULL), CO_EINVAL);
    co_loop_close(loop);
}
END_TEST

static Suite *gather_suite(void)
{
    Suite *s = suite_create("combinators");
    TCase *tc = tcase_create("gather");
    tcase_add_test(tc,
                   test_gather_callback_queued_at_close_lets_go_of_the_gather);
    tcase_add_test(tc, test_gather_results_in_argument_order);
    tcase_add_test(tc, test_gather_first_failure_finishes_outer_at_once_siblings_run_on);
    tcase_add_test(tc, test_gather_child_cancellation_finishes_outer_cancelled);
    tcase_add_test(tc, test_gather_return_exceptions_lists_failures_and_cancellations);
    tcase_add_test(tc, test_gather_cancel_outer_cancels_children_and_waits_for_them);
    tcase_add_test(tc, test_cancelling_task_awaiting_gather_runs_children_cleanup_first);
    tcase_add_test(tc, test_gather_of_nothing_is_done_with_empty_result);
    tcase_add_test(tc, test_gather_same_future_twice_shares_one_child);
    tcase_add_test(tc, test_gather_bad_input_is_refused_and_registers_nothing);
    tcase_add_test(tc, test_gather_on_closed_loop_is_refused);
    tcase_add_test(tc, test_dropping_a_pending_gather_leaves_children_running);
    tcase_add_test(tc, test_closing_loop_with_pending_gather_leaks_nothing);
    tcase_add_test(tc, test_gather_awaited_from_a_coroutine);
    comb_add(s, tc);
    tc = tcase_create("wait");
    tcase_add_test(tc, test_wait_first_completed);
    tcase_add_test(tc, test_wait_first_exception_returns_on_a_failure);
    tcase_add_test(tc, test_wait_first_exception_does_not_count_a_cancellation);
    tcase_add_test(tc, test_wait_all_completed);
    tcase_add_test(tc, test_wait_timeout_does_not_fail_and_leaves_pending_running);
    tcase_add_test(tc, test_wait_on_an_empty_set_is_an_error);
    tcase_add_test(tc, test_cancelling_wait_leaves_its_items_running);
    comb_add(s, tc);
    tc = tcase_create("wait_for");
    tcase_add_test(tc, test_wait_for_in_time_gives_the_result);
    tcase_add_test(tc, test_wait_for_timeout_cancels_inner_waits_for_it_then_times_out);
    tcase_add_test(tc, test_wait_for_without_timeout_is_a_plain_await);
    tcase_add_test(tc, test_wait_for_zero_timeout_cancels_at_once);
    tcase_add_test(tc, test_wait_for_zero_timeout_on_a_done_future_gives_its_result);
    tcase_add_test(tc, test_wait_for_inner_that_refuses_cancellation_gives_its_result);
    tcase_add_test(tc, test_wait_for_racing_with_completion_keeps_the_result);
    tcase_add_test(tc, test_cancelling_task_awaiting_wait_for_cancels_and_awaits_inner);
    tcase_add_test(tc, test_wait_for_bad_input);
    comb_add(s, tc);
    tc = tcase_create("shield");
    tcase_add_test(tc, test_shield_outer_cancel_leaves_inner_running);
    tcase_add_test(tc, test_shield_inner_cancellation_cancels_outer);
    tcase_add_test(tc, test_shield_passes_the_result_through);
    tcase_add_test(tc, test_shield_of_a_done_future_returns_it);
    comb_add(s, tc);
    tc = tcase_create("as_completed");
    tcase_add_test(tc, test_as_completed_in_completion_order);
    tcase_add_test(tc, test_as_completed_timeout_fails_the_rest);
    tcase_add_test(tc, test_as_completed_free_cancels_pending_next_futures);
    tcase_add_test(tc, test_as_completed_same_future_twice_counts_once);
    tcase_add_test(tc, test_as_completed_on_an_empty_set_is_an_error);
    comb_add(s, tc);
    return s;
}

int main(void)
{
    return comb_main(gather_suite());
}
