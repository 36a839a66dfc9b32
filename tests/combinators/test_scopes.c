/* test_scopes.c - asyncio 3.11's cancellation tools: cancel(msg), the
 * cancel counts (cancelling, uncancel), timeout() scopes and TaskGroup,
 * and every way of misusing them. */
#include <math.h>

#include "comb.h"

#define APP(n) (CO_EUSER - (n))

/* Runs @p main as a task on a fresh loop until it ends; returns the
 * task's failure (0 if it returned), the task in *out if asked. */
static int run_main(co_loop *loop, co_coro *main, co_task **out)
{
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, main, "main", &t), 0);
    int rc = co_loop_run_until_complete(loop, co_task_future(t));
    if (out)
        *out = t;
    else
        co_task_unref(t);
    return rc;
}

/* ---- small coroutines ---------------------------------------------------- */

struct sleeper {
    co_coro co;
    double delay;
    int catch_it; /* catch a cancellation and return normally */
    int caught;
};

static int sleeper_fn(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    if (self->catch_it)
        CO_SLEEP_CATCH(co, self->delay, self->caught);
    else
        CO_SLEEP(co, self->delay);
    CO_RETURN(co, 1);
    CO_END(co);
}

static struct sleeper *new_sleeper(double delay)
{
    struct sleeper *s = CO_NEW(struct sleeper, sleeper_fn);
    ck_assert_ptr_nonnull(s);
    s->delay = delay;
    return s;
}

static int fail_soon_fn(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    CO_RAISE(co, APP(1), "failed soon");
    CO_END(co);
}

/* ---- cancel(msg), cancelling(), uncancel() -------------------------------- */

START_TEST(test_future_cancel_msg_is_kept_for_every_reader)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f = NULL;
    const char *msg = NULL;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_cancel_msg(f, "stop now"), 1);
    ck_assert_int_eq(co_future_cancel_msg(f, "again"), 0);
    ck_assert(co_future_cancelled(f));
    ck_assert_int_eq(co_future_exception(f, &msg), CO_ECANCELLED);
    ck_assert_str_eq(msg, "stop now");
    ck_assert_int_eq(co_future_exception(f, &msg), CO_ECANCELLED);
    ck_assert_str_eq(msg, "stop now");
    ck_assert_int_eq(co_future_result_int(f, NULL), CO_ECANCELLED);
    co_future_unref(f);
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert(co_future_cancel(f)); /* no message */
    ck_assert_int_eq(co_future_exception(f, &msg), CO_ECANCELLED);
    ck_assert_ptr_null(msg);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancel_msg_bad_input)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f = NULL;
    ck_assert_int_eq(co_future_cancel_msg(NULL, "x"), CO_EINVAL);
    ck_assert_int_eq(co_task_cancel_msg(NULL, "x"), CO_EINVAL);
    ck_assert_int_eq(co_task_cancelling(NULL), CO_EINVAL);
    ck_assert_int_eq(co_task_uncancel(NULL), CO_EINVAL);
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 3), 0);
    ck_assert_int_eq(co_future_cancel_msg(f, "late"), 0); /* done: refused */
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

struct canceller {
    co_coro co;
    co_task *victim;
    int caught;
    char msg[64];
    int counts[4];
};

static int cancel_twice_fn(co_coro *co)
{
    struct canceller *self = (struct canceller *)co;
    CO_BEGIN(co);
    self->victim = NULL;
    ck_assert_int_eq(co_create_task(co_get_running_loop(),
                                    &new_sleeper(10)->co, NULL,
                                    &self->victim), 0);
    CO_YIELD(co);
    ck_assert_int_eq(co_task_cancel_msg(self->victim, "first"), 1);
    ck_assert_int_eq(co_task_cancel_msg(self->victim, "second"), 1);
    self->counts[0] = co_task_cancelling(self->victim);
    CO_AWAIT_CATCH(co, self->victim, self->caught);
    snprintf(self->msg, sizeof self->msg, "%s",
             co_caught_message() ? co_caught_message() : "(none)");
    self->counts[1] = co_task_cancelling(self->victim);
    self->counts[2] = co_task_uncancel(self->victim);
    self->counts[3] = co_task_uncancel(self->victim);
    co_task_unref(self->victim);
    CO_END(co);
}

START_TEST(test_task_cancel_msg_first_wins_on_a_sleep_and_counts)
{
    co_loop *loop = comb_loop(NULL);
    struct canceller c = {0};
    co_coro_init(&c.co, cancel_twice_fn);
    ck_assert_int_eq(run_main(loop, &c.co, NULL), 0);
    ck_assert_int_eq(c.caught, CO_ECANCELLED);
    ck_assert_str_eq(c.msg, "first");
    ck_assert_int_eq(c.counts[0], 2);
    ck_assert_int_eq(c.counts[1], 2);
    ck_assert_int_eq(c.counts[2], 1);
    ck_assert_int_eq(c.counts[3], 0);
    ck_assert_int_eq(co_task_uncancel(NULL), CO_EINVAL);
    co_loop_close(loop);
}
END_TEST

static int cancel_self_then_return_fn(co_coro *co)
{
    CO_BEGIN(co);
    co_task_cancel_msg(co_current_task(NULL), "changed my mind");
    CO_RETURN(co, 5);
    CO_END(co);
}

START_TEST(test_task_cancelled_after_its_last_await_ends_cancelled)
{
    /* 3.11: a cancel() that arrives after the last suspension still
     * cancels the task when its coroutine returns, with its message. */
    co_loop *loop = comb_loop(NULL);
    co_coro c;
    co_coro_init(&c, cancel_self_then_return_fn);
    co_task *t = NULL;
    ck_assert_int_eq(run_main(loop, &c, &t), CO_ECANCELLED);
    const char *msg = NULL;
    ck_assert(co_task_cancelled(t));
    ck_assert_int_eq(co_future_exception(co_task_future(t), &msg),
                     CO_ECANCELLED);
    ck_assert_str_eq(msg, "changed my mind");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_pending_cancel_msg_freed_when_task_is_abandoned)
{
    /* A cancel with a message on its way when the loop closes: the task
     * is abandoned (reported) and the message freed (ASan/valgrind). */
    struct comb_reports r = {0};
    co_loop *loop = comb_loop(&r);
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &new_sleeper(10)->co, NULL, &t),
                     0);
    ck_assert_int_eq(co_task_cancel_msg(t, "never delivered"), 1);
    ck_assert_int_eq(co_task_cancelling(t), 1);
    co_task_unref(t);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 1);
}
END_TEST

/* ---- timeout() ------------------------------------------------------------ */

struct scoped {
    co_coro co;
    co_timeout to;
    co_timeout inner;
    struct sleeper body;
    co_future *fut;
    int caught;
    int rc[8];
};

static int timeout_propagates_fn(co_coro *co)
{
    struct scoped *self = (struct scoped *)co;
    CO_BEGIN(co);
    co_coro_init(&self->body.co, sleeper_fn);
    self->body.delay = 10;
    CO_TIMEOUT(co, &self->to, 0.001, &self->body.co);
    CO_END(co);
}

START_TEST(test_timeout_fails_the_task_with_etimedout)
{
    co_loop *loop = comb_loop(NULL);
    struct scoped s = {0};
    co_coro_init(&s.co, timeout_propagates_fn);
    ck_assert_int_eq(run_main(loop, &s.co, NULL), CO_ETIMEDOUT);
    ck_assert(co_timeout_expired(&s.to));
    ck_assert_int_eq(s.to.state, CO_TIMEOUT_EXPIRED);
    co_loop_close(loop);
}
END_TEST

static int timeout_future_fn(co_coro *co)
{
    struct scoped *self = (struct scoped *)co;
    CO_BEGIN(co);
    ck_assert_int_eq(co_future_new(co_get_running_loop(), &self->fut), 0);
    CO_TIMEOUT_CATCH(co, &self->to, 0.001, self->fut, self->caught);
    self->rc[0] = self->caught;
    self->rc[1] = co_future_cancelled(self->fut);
    co_future_unref(self->fut);
    ck_assert_int_eq(co_future_new(co_get_running_loop(), &self->fut), 0);
    co_future_set_result_int(self->fut, 42);
    CO_TIMEOUT_CATCH(co, &self->to, 10, self->fut, self->caught);
    self->rc[2] = self->caught;
    long long v = 0;
    self->rc[3] = co_future_result_int(self->fut, &v) == 0 ? (int)v : -1;
    co_future_unref(self->fut);
    self->fut = NULL;
    CO_END(co);
}

START_TEST(test_timeout_around_a_future)
{
    co_loop *loop = comb_loop(NULL);
    struct scoped s = {0};
    co_coro_init(&s.co, timeout_future_fn);
    ck_assert_int_eq(run_main(loop, &s.co, NULL), 0);
    ck_assert_int_eq(s.rc[0], CO_ETIMEDOUT);
    ck_assert_int_eq(s.rc[1], 1); /* the awaited future was cancelled */
    ck_assert_int_eq(s.rc[2], 0);
    ck_assert_int_eq(s.rc[3], 42);
    co_loop_close(loop);
}
END_TEST

static int nested_timeouts_fn(co_coro *co)
{
    struct scoped *self = (struct scoped *)co;
    CO_BEGIN(co);
    /* The outer deadline comes first: the inner scope is not the one that
     * expired, so it lets CO_ECANCELLED through; the outer one makes it
     * CO_ETIMEDOUT. */
    co_timeout_enter(&self->to, 0.001);
    co_timeout_enter(&self->inner, 10);
    CO_SLEEP_CATCH(co, 10, self->caught);
    co_timeout_exit(&self->inner, &self->caught);
    self->rc[0] = self->caught;
    self->rc[1] = co_timeout_expired(&self->inner);
    co_timeout_exit(&self->to, &self->caught);
    self->rc[2] = self->caught;
    self->rc[3] = co_task_cancelling(co_current_task(NULL));
    /* The inner deadline first: the inner scope times out, the outer one
     * sees CO_ETIMEDOUT go by and leaves it alone. */
    co_timeout_enter(&self->to, 10);
    co_timeout_enter(&self->inner, 0.001);
    CO_SLEEP_CATCH(co, 10, self->caught);
    co_timeout_exit(&self->inner, &self->caught);
    co_timeout_exit(&self->to, &self->caught);
    self->rc[4] = self->caught;
    self->rc[5] = co_timeout_expired(&self->to);
    CO_END(co);
}

START_TEST(test_nested_timeouts_each_claim_their_own)
{
    co_loop *loop = comb_loop(NULL);
    struct scoped s = {0};
    co_coro_init(&s.co, nested_timeouts_fn);
    ck_assert_int_eq(run_main(loop, &s.co, NULL), 0);
    ck_assert_int_eq(s.rc[0], CO_ECANCELLED);
    ck_assert_int_eq(s.rc[1], 0);
    ck_assert_int_eq(s.rc[2], CO_ETIMEDOUT);
    ck_assert_int_eq(s.rc[3], 0);
    ck_assert_int_eq(s.rc[4], CO_ETIMEDOUT);
    ck_assert_int_eq(s.rc[5], 0);
    co_loop_close(loop);
}
END_TEST

static int timeout_and_other_cancel_fn(co_coro *co)
{
    struct scoped *self = (struct scoped *)co;
    CO_BEGIN(co);
    co_timeout_enter(&self->to, 0.001);
    /* Somebody else's cancel (here its own) arrives first and is caught,
     * but not taken back: when the deadline's arrives too, the scope sees
     * a request left over and does not claim the cancellation. */
    co_task_cancel(co_current_task(NULL));
    CO_SLEEP_CATCH(co, 10, self->caught);
    self->rc[0] = self->caught;
    CO_SLEEP_CATCH(co, 10, self->caught);
    self->rc[1] = self->caught;
    co_timeout_exit(&self->to, &self->caught);
    self->rc[2] = self->caught;
    self->rc[3] = co_task_cancelling(co_current_task(NULL));
    CO_END(co);
}

START_TEST(test_timeout_leaves_a_foreign_cancellation_alone)
{
    co_loop *loop = comb_loop(NULL);
    struct scoped s = {0};
    co_coro_init(&s.co, timeout_and_other_cancel_fn);
    ck_assert_int_eq(run_main(loop, &s.co, NULL), 0);
    ck_assert_int_eq(s.rc[0], CO_ECANCELLED);
    ck_assert_int_eq(s.rc[1], CO_ECANCELLED);
    ck_assert_int_eq(s.rc[2], CO_ECANCELLED);
    ck_assert_int_eq(s.rc[3], 1);
    co_loop_close(loop);
}
END_TEST

static int timeout_misuse_fn(co_coro *co)
{
    struct scoped *self = (struct scoped *)co;
    int err = 0;
    CO_BEGIN(co);
    ck_assert_int_eq(co_timeout_exit(&self->to, &err), CO_ESCOPE);
    ck_assert_int_eq(co_timeout_reschedule(&self->to, 1), CO_ESCOPE);
    ck_assert_int_eq(co_timeout_enter(NULL, 1), CO_EINVAL);
    ck_assert_int_eq(co_timeout_enter(&self->to, NAN), CO_EINVAL);
    ck_assert_int_eq(co_timeout_exit(NULL, &err), CO_EINVAL);
    ck_assert_int_eq(co_timeout_exit(&self->to, NULL), CO_EINVAL);
    ck_assert_int_eq(co_timeout_enter(&self->to, 10), 0);
    ck_assert_int_eq(co_timeout_enter(&self->to, 10), CO_ESCOPE);
    ck_assert_int_eq(co_timeout_reschedule(&self->to, NAN), CO_EINVAL);
    ck_assert_int_eq(co_timeout_reschedule(NULL, 1), CO_EINVAL);
    /* CO_TIMEOUT on a scope that is active fails, caught or not. */
    co_coro_init(&self->body.co, sleeper_fn);
    CO_TIMEOUT_CATCH(co, &self->to, 1, &self->body.co, self->caught);
    self->rc[0] = self->caught;
    ck_assert_int_eq(co_timeout_exit(&self->to, &err), 0);
    ck_assert_int_eq(err, 0);
    ck_assert_int_eq(co_timeout_exit(&self->to, &err), CO_ESCOPE);
    ck_assert_int_eq(co_timeout_reschedule(&self->to, 1), CO_ESCOPE);
    /* Rescheduling while expiring is refused, as asyncio does. */
    ck_assert_int_eq(co_timeout_enter(&self->to, 0), 0);
    CO_SLEEP_CATCH(co, 10, self->caught);
    self->rc[1] = self->to.state;
    self->rc[2] = co_timeout_reschedule(&self->to, 100);
    co_timeout_exit(&self->to, &self->caught);
    self->rc[3] = self->caught;
    /* A body that is no coroutine or future fails the scope. */
    CO_TIMEOUT_CATCH(co, &self->to, 1, (co_coro *)NULL, self->caught);
    self->rc[4] = self->caught;
    CO_TIMEOUT_CATCH(co, &self->to, NAN, &self->body.co, self->caught);
    self->rc[5] = self->caught;
    CO_END(co);
}

START_TEST(test_timeout_misuse_gets_clear_codes)
{
    co_loop *loop = comb_loop(NULL);
    struct scoped s = {0};
    int err = 0;
    /* Outside any task. */
    ck_assert_int_eq(co_timeout_enter(&s.to, 1), CO_ENOTASK);
    ck_assert_int_eq(co_timeout_exit(&s.to, &err), CO_ESCOPE);
    ck_assert(isnan(co_timeout_when(NULL)));
    ck_assert(!co_timeout_expired(NULL));
    co_timeout_init(NULL);
    co_coro_init(&s.co, timeout_misuse_fn);
    ck_assert_int_eq(run_main(loop, &s.co, NULL), 0);
    ck_assert_int_eq(s.rc[0], CO_ESCOPE);
    ck_assert_int_eq(s.rc[1], CO_TIMEOUT_EXPIRING);
    ck_assert_int_eq(s.rc[2], CO_ESCOPE);
    ck_assert_int_eq(s.rc[3], CO_ETIMEDOUT);
    ck_assert_int_eq(s.rc[4], CO_EINVAL);
    ck_assert_int_eq(s.rc[5], CO_EINVAL);
    co_loop_close(loop);
}
END_TEST

static int timeout_cancelled_main_fn(co_coro *co)
{
    struct scoped *self = (struct scoped *)co;
    CO_BEGIN(co);
    co_coro_init(&self->body.co, sleeper_fn);
    self->body.delay = 10;
    CO_TIMEOUT(co, &self->to, 10, &self->body.co);
    CO_END(co);
}

START_TEST(test_timeout_scope_cancelled_from_outside_releases_its_task)
{
    co_loop *loop = comb_loop(NULL);
    struct scoped s = {0};
    co_coro_init(&s.co, timeout_cancelled_main_fn);
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &s.co, NULL, &t), 0);
    comb_run_few(loop, 3);
    ck_assert_int_eq(s.to.state, CO_TIMEOUT_ACTIVE);
    ck_assert(co_task_cancel_msg(t, "go away") == 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    const char *msg = NULL;
    co_future_exception(co_task_future(t), &msg);
    ck_assert_str_eq(msg, "go away");
    ck_assert_int_eq(s.to.state, CO_TIMEOUT_FINISHED);
    ck_assert_ptr_null(s.to.task);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_live_futures(loop), 0);
    co_loop_close(loop);
}
END_TEST

/* ---- TaskGroup ------------------------------------------------------------ */

struct grouped {
    co_coro co;
    co_taskgroup tg;
    co_taskgroup other;
    co_coro plain; /* a frame of the test's own */
    co_task *kept[3];
    int caught;
    int rc[8];
    char msg[256];
};

static int group_results_fn(co_coro *co)
{
    struct grouped *self = (struct grouped *)co;
    CO_BEGIN(co);
    ck_assert_int_eq(co_taskgroup_enter(&self->tg), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(co_taskgroup_create_task(&self->tg,
                                                  &new_sleeper(0.001 * i)->co,
                                                  NULL, &self->kept[i]),
                         0);
    CO_TASKGROUP_EXIT(co, &self->tg, 0);
    for (int i = 0; i < 3; i++) {
        long long v = 0;
        self->rc[i] = co_task_result_int(self->kept[i], &v) == 0 ? (int)v : -1;
        co_task_unref(self->kept[i]);
    }
    self->rc[3] = self->tg.state;
    /* An empty group ends at once. */
    ck_assert_int_eq(co_taskgroup_enter(&self->tg), 0);
    CO_TASKGROUP_EXIT_CATCH(co, &self->tg, 0, self->caught);
    self->rc[4] = self->caught;
    CO_END(co);
}

START_TEST(test_taskgroup_waits_for_every_task)
{
    co_loop *loop = comb_loop(NULL);
    struct grouped g = {0};
    co_coro_init(&g.co, group_results_fn);
    ck_assert_int_eq(run_main(loop, &g.co, NULL), 0);
    ck_assert_int_eq(g.rc[0], 1);
    ck_assert_int_eq(g.rc[1], 1);
    ck_assert_int_eq(g.rc[2], 1);
    ck_assert_int_eq(g.rc[3], CO_TASKGROUP_DONE);
    ck_assert_int_eq(g.rc[4], 0);
    ck_assert_int_eq(co_loop_live_futures(loop), 0);
    co_loop_close(loop);
}
END_TEST

struct adder {
    co_coro co;
    co_taskgroup *tg;
    int rc;
};

static int adder_fn(co_coro *co)
{
    struct adder *self = (struct adder *)co;
    CO_BEGIN(co);
    CO_YIELD(co); /* by now the group's exit is waiting */
    self->rc = co_taskgroup_create_task(self->tg, &new_sleeper(0.001)->co,
                                        NULL, NULL);
    tr_code("added", self->rc);
    CO_END(co);
}

static int group_add_during_exit_fn(co_coro *co)
{
    struct grouped *self = (struct grouped *)co;
    struct adder *a;
    CO_BEGIN(co);
    co_taskgroup_enter(&self->tg);
    a = CO_NEW(struct adder, adder_fn);
    a->tg = &self->tg;
    co_taskgroup_create_task(&self->tg, &a->co, NULL, NULL);
    CO_TASKGROUP_EXIT(co, &self->tg, 0);
    tr("group-ended");
    CO_END(co);
}

START_TEST(test_taskgroup_task_added_while_exiting_is_waited_for)
{
    co_loop *loop = comb_loop(NULL);
    struct grouped g = {0};
    co_coro_init(&g.co, group_add_during_exit_fn);
    ck_assert_int_eq(run_main(loop, &g.co, NULL), 0);
    ck_assert_trace("added:ok group-ended ");
    ck_assert_int_eq(co_loop_live_futures(loop), 0);
    co_loop_close(loop);
}
END_TEST

static int group_cancelled_fn(co_coro *co)
{
    struct grouped *self = (struct grouped *)co;
    CO_BEGIN(co);
    co_taskgroup_enter(&self->tg);
    co_taskgroup_create_task(&self->tg, &new_sleeper(10)->co, NULL,
                             &self->kept[0]);
    CO_TASKGROUP_EXIT(co, &self->tg, 0);
    CO_FINALLY(co);
    self->rc[0] = co_task_cancelled(self->kept[0]);
    co_task_unref(self->kept[0]);
    CO_END(co);
}

START_TEST(test_taskgroup_cancelled_from_outside_cancels_its_tasks)
{
    co_loop *loop = comb_loop(NULL);
    struct grouped g = {0};
    co_coro_init(&g.co, group_cancelled_fn);
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &g.co, NULL, &t), 0);
    comb_run_few(loop, 3);
    ck_assert_int_eq(co_task_cancel_msg(t, "outside"), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    const char *msg = NULL;
    co_future_exception(co_task_future(t), &msg);
    ck_assert_str_eq(msg, "outside");
    ck_assert_int_eq(g.rc[0], 1);
    ck_assert_int_eq(co_task_cancelling(t), 1);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_live_futures(loop), 0);
    co_loop_close(loop);
}
END_TEST

static int body_raises_fn(co_coro *co)
{
    CO_BEGIN(co);
    CO_RAISE(co, APP(7), "body broke");
    CO_END(co);
}

static int group_body_fails_fn(co_coro *co)
{
    struct grouped *self = (struct grouped *)co;
    CO_BEGIN(co);
    co_coro_init(&self->plain, body_raises_fn);
    CO_TASKGROUP_CATCH(co, &self->tg, &self->plain, self->caught);
    self->rc[0] = self->caught;
    snprintf(self->msg, sizeof self->msg, "%s", co_caught_message());
    co_coro_free(&self->plain);
    CO_END(co);
}

START_TEST(test_taskgroup_body_failure_alone_is_a_group)
{
    co_loop *loop = comb_loop(NULL);
    struct grouped g = {0};
    co_coro_init(&g.co, group_body_fails_fn);
    ck_assert_int_eq(run_main(loop, &g.co, NULL), 0);
    ck_assert_int_eq(g.rc[0], CO_EGROUP);
    ck_assert_int_eq(co_taskgroup_error_count(g.msg), 1);
    int code = 0;
    char text[32];
    ck_assert_int_eq(co_taskgroup_error(g.msg, 0, &code, text, sizeof text),
                     10);
    ck_assert_int_eq(code, APP(7));
    ck_assert_str_eq(text, "body broke");
    co_loop_close(loop);
}
END_TEST

static int group_misuse_fn(co_coro *co)
{
    struct grouped *self = (struct grouped *)co;
    CO_BEGIN(co);
    /* Not entered: refused, and the CO_NEW frame is freed (no leak). */
    ck_assert_int_eq(co_taskgroup_create_task(&self->tg,
                                              &new_sleeper(0)->co, NULL,
                                              NULL),
                     CO_EGROUPCLOSED);
    co_coro_init(&self->plain, sleeper_fn);
    ck_assert_int_eq(co_taskgroup_create_task(NULL, &self->plain, NULL, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_taskgroup_exit_op(&self->tg, 0), CO_ESCOPE);
    ck_assert_int_eq(co_taskgroup_exit_op(NULL, 0), CO_EINVAL);
    ck_assert_int_eq(co_taskgroup_enter(NULL), CO_EINVAL);
    ck_assert_int_eq(co_taskgroup_enter(&self->tg), 0);
    ck_assert_int_eq(co_taskgroup_enter(&self->tg), CO_ESCOPE);
    ck_assert_int_eq(co_taskgroup_create_task(&self->tg, NULL, NULL, NULL),
                     CO_EINVAL);
    /* CO_TASKGROUP on an open group fails, caught or not. */
    CO_TASKGROUP_CATCH(co, &self->tg, &self->plain, self->caught);
    self->rc[0] = self->caught;
    /* A failing task: from then on the group is shutting down. */
    {
        struct sleeper *s = new_sleeper(0);
        s->co.fn = fail_soon_fn;
        ck_assert_int_eq(co_taskgroup_create_task(&self->tg, &s->co, NULL,
                                                  NULL), 0);
    }
    CO_SLEEP_CATCH(co, 10, self->caught); /* the group cancels us */
    self->rc[1] = self->caught;
    self->rc[2] = co_taskgroup_create_task(&self->tg, &new_sleeper(0)->co,
                                           NULL, NULL);
    CO_TASKGROUP_EXIT_CATCH(co, &self->tg, self->caught, self->caught);
    self->rc[3] = self->caught;
    self->rc[4] = co_task_cancelling(co_current_task(NULL));
    /* Ended: refused again, and so is a second exit. */
    self->rc[5] = co_taskgroup_create_task(&self->tg, &new_sleeper(0)->co,
                                           NULL, NULL);
    self->rc[6] = co_taskgroup_exit_op(&self->tg, 0);
    /* CO_TASKGROUP with no body. */
    CO_TASKGROUP_CATCH(co, &self->other, (co_coro *)NULL, self->caught);
    self->rc[7] = self->caught;
    CO_END(co);
}

START_TEST(test_taskgroup_misuse_gets_clear_codes)
{
    co_loop *loop = comb_loop(NULL);
    struct grouped g = {0};
    ck_assert_int_eq(co_taskgroup_enter(&g.tg), CO_ENOTASK);
    co_taskgroup_init(NULL);
    co_coro_init(&g.co, group_misuse_fn);
    ck_assert_int_eq(run_main(loop, &g.co, NULL), 0);
    ck_assert_int_eq(g.rc[0], CO_ESCOPE);
    ck_assert_int_eq(g.rc[1], CO_ECANCELLED);
    ck_assert_int_eq(g.rc[2], CO_EGROUPABORTING);
    ck_assert_int_eq(g.rc[3], CO_EGROUP);
    ck_assert_int_eq(g.rc[4], 0);
    ck_assert_int_eq(g.rc[5], CO_EGROUPCLOSED);
    ck_assert_int_eq(g.rc[6], CO_ESCOPE);
    ck_assert_int_eq(g.rc[7], CO_EINVAL);
    ck_assert_int_eq(co_loop_live_futures(loop), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_taskgroup_error_reader_trusts_nothing)
{
    const char *good = "unhandled errors in a TaskGroup (2 sub-exceptions)\n"
                       " [1] CO_EFAIL -17 (4): boom\n"
                       " [2] CO_EUSER -1001 (0): ";
    int code = 0;
    char buf[3];
    ck_assert_int_eq(co_taskgroup_error_count(good), 2);
    ck_assert_int_eq(co_taskgroup_error(good, 0, &code, buf, sizeof buf), 4);
    ck_assert_str_eq(buf, "bo"); /* cut to fit, as snprintf */
    ck_assert_int_eq(code, CO_EFAIL);
    ck_assert_int_eq(co_taskgroup_error(good, 1, &code, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(code, -1001);
    ck_assert_int_eq(co_taskgroup_error(good, 0, &code, NULL, 0), 4);
    ck_assert_int_eq(co_taskgroup_error(good, 2, &code, buf, sizeof buf),
                     CO_EINVAL);
    ck_assert_int_eq(co_taskgroup_error(good, 0, NULL, buf, sizeof buf),
                     CO_EINVAL);
    ck_assert_int_eq(co_taskgroup_error(good, 0, &code, NULL, 4), CO_EINVAL);
    const char *bad[] = {
        NULL,
        "",
        "the operation was cancelled",
        "unhandled errors in a TaskGroup (0 sub-exceptions)",
        "unhandled errors in a TaskGroup (1 sub-exception)",
        "unhandled errors in a TaskGroup (1 sub-exception)\n [1] X -1 (9): ab",
        "unhandled errors in a TaskGroup (1 sub-exception)\n [2] X -1 (1): a",
        "unhandled errors in a TaskGroup (1 sub-exception)\n [1] X -1 (1): ab",
        "unhandled errors in a TaskGroup (1 sub-exception)\n [1] X 5 (1): a",
        "unhandled errors in a TaskGroup (2 sub-exceptions)\n [1] X -1 (1): a",
        "unhandled errors in a TaskGroup (99999999999999999999 sub-exceptions)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(co_taskgroup_error_count(bad[i]), CO_EINVAL);
        ck_assert_int_eq(co_taskgroup_error(bad[i], 0, &code, buf, sizeof buf),
                         CO_EINVAL);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scopes");
    TCase *tc = tcase_create("cancel_msg");
    tcase_add_test(tc, test_future_cancel_msg_is_kept_for_every_reader);
    tcase_add_test(tc, test_cancel_msg_bad_input);
    tcase_add_test(tc, test_task_cancel_msg_first_wins_on_a_sleep_and_counts);
    tcase_add_test(tc, test_task_cancelled_after_its_last_await_ends_cancelled);
    tcase_add_test(tc, test_pending_cancel_msg_freed_when_task_is_abandoned);
    comb_add(s, tc);
    tc = tcase_create("timeout");
    tcase_add_test(tc, test_timeout_fails_the_task_with_etimedout);
    tcase_add_test(tc, test_timeout_around_a_future);
    tcase_add_test(tc, test_nested_timeouts_each_claim_their_own);
    tcase_add_test(tc, test_timeout_leaves_a_foreign_cancellation_alone);
    tcase_add_test(tc, test_timeout_misuse_gets_clear_codes);
    tcase_add_test(tc,
                   test_timeout_scope_cancelled_from_outside_releases_its_task);
    comb_add(s, tc);
    tc = tcase_create("taskgroup");
    tcase_add_test(tc, test_taskgroup_waits_for_every_task);
    tcase_add_test(tc, test_taskgroup_task_added_while_exiting_is_waited_for);
    tcase_add_test(tc, test_taskgroup_cancelled_from_outside_cancels_its_tasks);
    tcase_add_test(tc, test_taskgroup_body_failure_alone_is_a_group);
    tcase_add_test(tc, test_taskgroup_misuse_gets_clear_codes);
    tcase_add_test(tc, test_taskgroup_error_reader_trusts_nothing);
    comb_add(s, tc);
    return comb_main(s);
}
