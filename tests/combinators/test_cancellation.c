/* test_cancellation.c - asyncio's cancellation rules, cleanup that always
 * runs (CO_FINALLY), catching and re-raising failures, and shutdown. Each
 * test names the rule it checks; docs/cancellation.md explains them. */
#include <fcntl.h>
#include <unistd.h>

#include "comb.h"

/* ---- 1. cancel() and cancelled() ---------------------------------------- */

START_TEST(test_cancel_done_task_returns_false)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 0, 5, 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)), 0);
    ck_assert(!co_task_cancel(t));
    ck_assert(!co_task_cancelled(t));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancel_pending_task_returns_true_also_while_on_its_way)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 5.0, 0, 0);
    comb_run_once(loop); /* now asleep */
    ck_assert(co_task_cancel(t));
    ck_assert(co_task_cancel(t)); /* still pending: true again */
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    ck_assert(!co_task_cancel(t));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_task_is_cancelled_only_once_its_coroutine_has_ended)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 5.0, 0, 0);
    comb_worker_frame(t)->cleanup_delay = 0.001; /* cleanup takes a while */
    comb_run_once(loop);
    ck_assert(co_task_cancel(t));
    ck_assert(!co_task_cancelled(t));
    ck_assert(!co_task_done(t));
    comb_run_once(loop); /* delivered: the cleanup starts and sleeps */
    ck_assert_trace("w:cleanup ");
    ck_assert(!co_task_cancelled(t)); /* still running its cleanup */
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(t));
    ck_assert_trace("w:cleanup w:fin:CO_ECANCELLED ");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancel_before_first_step_runs_no_code)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 5.0, 0, 0);
    ck_assert(co_task_cancel(t)); /* created, never started */
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(t));
    /* asyncio throws into a coroutine that has not started: nothing of its
     * body runs, not even its finally (it never entered the try). */
    ck_assert_trace("");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancel_reaches_the_awaited_future)
{
    co_loop *loop = comb_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    co_task *a = comb_awaiter(loop, "a", f, 0);
    comb_run_once(loop);
    ck_assert(co_task_cancel(a));
    ck_assert(co_future_cancelled(f)); /* at once, as Task.cancel does */
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(a)),
                     CO_ECANCELLED);
    ck_assert_trace("a:fin:CO_ECANCELLED ");
    co_future_unref(f);
    co_task_unref(a);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancel_reaches_the_awaited_task_whose_cleanup_runs_first)
{
    co_loop *loop = comb_loop(NULL);
    co_task *inner = comb_worker(loop, "inner", 5.0, 0, 0);
    co_task *outer = comb_awaiter(loop, "outer", CO_AS_FUTURE(inner), 0);
    comb_run_few(loop, 2);
    ck_assert(co_task_cancel(outer));
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(outer)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(inner));
    ck_assert(co_task_cancelled(outer));
    ck_assert_trace("inner:fin:CO_ECANCELLED outer:fin:CO_ECANCELLED ");
    co_task_unref(inner);
    co_task_unref(outer);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_catching_cancellation_and_returning_leaves_task_not_cancelled)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 5.0, 42, 0);
    comb_worker_frame(t)->catch_cancel = 1;
    comb_run_once(loop);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)), 0);
    ck_assert(!co_task_cancelled(t));
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_trace("w:caught w:done w:fin:ok ");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_awaiting_a_cancelled_task_sees_cancellation)
{
    co_loop *loop = comb_loop(NULL);
    co_task *inner = comb_worker(loop, "inner", 5.0, 0, 0);
    co_task *a = comb_awaiter(loop, "a", CO_AS_FUTURE(inner), 1);
    comb_run_few(loop, 2);
    ck_assert(co_task_cancel(inner)); /* the awaited one, not the awaiter */
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(a)), 0);
    ck_assert(!co_task_cancelled(a)); /* it caught it */
    ck_assert_trace("inner:fin:CO_ECANCELLED a:saw:CO_ECANCELLED a:fin:ok ");
    co_task_unref(inner);
    co_task_unref(a);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_awaiting_a_cancelled_task_without_catch_cancels_the_awaiter)
{
    co_loop *loop = comb_loop(NULL);
    co_task *inner = comb_worker(loop, "inner", 5.0, 0, 0);
    co_task *a = comb_awaiter(loop, "a", CO_AS_FUTURE(inner), 0);
    comb_run_few(loop, 2);
    co_task_cancel(inner);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(a)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(a));
    co_task_unref(inner);
    co_task_unref(a);
    co_loop_close(loop);
}
END_TEST

/* ---- 2. CO_FINALLY -------------------------------------------------------- */

START_TEST(test_finally_runs_on_normal_end)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 0, 1, 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)), 0);
    ck_assert_trace("w:done w:fin:ok ");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_finally_runs_on_failure_and_sees_the_code)
{
    struct comb_reports r = {0};
    co_loop *loop = comb_loop(&r);
    co_task *t = comb_worker(loop, "w", 0, 1, CO_EFAIL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_EFAIL);
    ck_assert_trace("w:fin:CO_EFAIL ");
    const char *msg = NULL;
    ck_assert_int_eq(co_future_exception(CO_AS_FUTURE(t), &msg), CO_EFAIL);
    ck_assert_str_eq(msg, "worker failed");
    co_task_unref(t);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0); /* it was read: nothing to report */
}
END_TEST

START_TEST(test_finally_runs_on_cancellation)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 5.0, 1, 0);
    comb_run_once(loop);
    co_task_cancel(t);
    co_loop_run_until_complete(loop, CO_AS_FUTURE(t));
    ck_assert_trace("w:fin:CO_ECANCELLED ");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_finally_may_await_and_the_task_ends_after_it)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 5.0, 1, 0);
    comb_worker_frame(t)->cleanup_delay = 0.001;
    comb_run_once(loop);
    co_task_cancel(t);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    ck_assert_trace("w:cleanup w:fin:CO_ECANCELLED ");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* A chain of three coroutines, each awaiting the next with CO_AWAIT_CORO;
 * the innermost sleeps. Each level writes its cleanup to the trace. */
struct level {
    co_coro co;           /* first */
    const char *name;     /* for the trace */
    struct level *child;  /* the next level, or NULL for the innermost */
    char word[32];        /* scratch */
};

static int level_fn(co_coro *co)
{
    struct level *self = (struct level *)co;
    CO_BEGIN(co);
    if (self->child)
        CO_AWAIT_CORO(co, &self->child->co);
    else
        CO_SLEEP(co, 5.0);
    tr("never");
    CO_FINALLY(co);
    snprintf(self->word, sizeof self->word, "%s:fin", self->name);
    tr_code(self->word, co->err);
    CO_END(co);
}

struct chain {
    struct level outer, middle, inner; /* outer is first: the task's frame */
};

START_TEST(test_nested_chain_cleanup_runs_innermost_first)
{
    co_loop *loop = comb_loop(NULL);
    struct chain *c = CO_NEW(struct chain, level_fn);
    co_coro_init(&c->middle.co, level_fn);
    co_coro_init(&c->inner.co, level_fn);
    c->outer.name = "outer";
    c->outer.child = &c->middle;
    c->middle.name = "middle";
    c->middle.child = &c->inner;
    c->inner.name = "inner";
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &c->outer.co, "chain", &t), 0);
    comb_run_once(loop);
    const char *file;
    int line;
    ck_assert_int_eq(co_task_where(t, &file, &line), 0);
    ck_assert_ptr_nonnull(strstr(file, "test_cancellation.c"));
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    ck_assert_trace("inner:fin:CO_ECANCELLED middle:fin:CO_ECANCELLED "
                    "outer:fin:CO_ECANCELLED ");
    ck_assert(co_task_cancelled(t));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancel_during_cleanup_cuts_it_short_at_its_await)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 5.0, 1, 0);
    comb_worker_frame(t)->cleanup_delay = 5.0;
    comb_run_once(loop);
    ck_assert(co_task_cancel(t));
    comb_run_once(loop); /* the cleanup starts, then sleeps */
    ck_assert_trace("w:cleanup ");
    ck_assert(co_task_cancel(t)); /* pending: true */
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    /* A failure inside finally replaces the one on its way out and ends
     * the cleanup there, as in Python: "w:fin" never ran. */
    ck_assert_trace("w:cleanup ");
    ck_assert(co_task_cancelled(t));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* ---- 3. catching, reading and re-raising failures ----------------------- */

struct catcher {
    co_coro co;            /* first */
    co_future *f;          /* awaited (not owned) */
    struct worker child;   /* awaited inline */
    int caught;            /* what CO_..._CATCH stored */
    int reraise;           /* re-raise what was caught */
    char msg[64];          /* copy of the caught message */
};

static int catcher_fn(co_coro *co)
{
    struct catcher *self = (struct catcher *)co;
    CO_BEGIN(co);
    if (self->f) {
        CO_AWAIT_CATCH(co, self->f, self->caught);
    } else {
        CO_AWAIT_CORO_CATCH(co, &self->child.co, self->caught);
    }
    snprintf(self->msg, sizeof self->msg, "%s",
             co_caught_message() ? co_caught_message() : "(none)");
    tr_code("caught", self->caught);
    if (self->reraise && self->caught)
        CO_RAISE(co, self->caught, self->msg);
    CO_RETURN(co, 1);
    CO_END(co);
}

START_TEST(test_await_catch_reads_code_and_message)
{
    co_loop *loop = comb_loop(NULL);
    co_task *w = comb_worker(loop, "w", 0, 0, CO_EUSER - 1);
    struct catcher *c = CO_NEW(struct catcher, catcher_fn);
    c->f = CO_AS_FUTURE(w);
    co_task *t;
    co_create_task(loop, &c->co, "catcher", &t);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)), 0);
    ck_assert_int_eq(c->caught, CO_EUSER - 1);
    ck_assert_str_eq(c->msg, "worker failed");
    co_task_unref(w);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_await_coro_catch_reads_code_and_message)
{
    co_loop *loop = comb_loop(NULL);
    struct catcher *c = CO_NEW(struct catcher, catcher_fn);
    co_coro_init(&c->child.co, worker_fn);
    c->child.name = "child";
    c->child.fail = CO_EFAIL;
    co_task *t;
    co_create_task(loop, &c->co, "catcher", &t);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)), 0);
    ck_assert_int_eq(c->caught, CO_EFAIL);
    ck_assert_str_eq(c->msg, "worker failed");
    ck_assert_trace("child:fin:CO_EFAIL caught:CO_EFAIL ");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_raise_reraises_what_was_caught)
{
    co_loop *loop = comb_loop(NULL);
    struct catcher *c = CO_NEW(struct catcher, catcher_fn);
    co_coro_init(&c->child.co, worker_fn);
    c->child.name = "child";
    c->child.fail = CO_EFAIL;
    c->reraise = 1;
    co_task *t;
    co_create_task(loop, &c->co, "catcher", &t);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_EFAIL);
    const char *msg;
    ck_assert_int_eq(co_future_exception(CO_AS_FUTURE(t), &msg), CO_EFAIL);
    ck_assert_str_eq(msg, "worker failed");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* ---- 8. shutdown ---------------------------------------------------------- */

struct spawner {
    co_coro co; /* first */
};

static int spawner_fn(co_coro *co)
{
    CO_BEGIN(co);
    {
        struct worker *w = CO_NEW(struct worker, worker_fn);
        w->name = "left";
        w->delay = 100.0;
        w->cleanup_delay = 0.001; /* its cleanup even awaits */
        co_create_task(co_get_running_loop(), &w->co, "left", NULL);
    }
    CO_YIELD(co); /* let it start */
    tr("main:returns");
    CO_RETURN(co, 3);
    CO_END(co);
}

START_TEST(test_co_run_cancels_leftover_tasks_and_lets_cleanup_run)
{
    comb_trace_reset();
    struct spawner s;
    co_coro_init(&s.co, spawner_fn);
    ck_assert_int_eq(co_run(&s.co), 0);
    ck_assert_trace("main:returns left:cleanup left:fin:CO_ECANCELLED ");
    long long v;
    ck_assert_int_eq(co_coro_result_int(&s.co, &v), 0);
    ck_assert_int_eq(v, 3);
    co_coro_free(&s.co);
}
END_TEST

START_TEST(test_closing_loop_reports_each_pending_task_by_name)
{
    struct comb_reports r = {0};
    co_loop *loop = comb_loop(&r);
    co_task *a = comb_worker(loop, "alpha", 5.0, 0, 0);
    co_task *b = comb_worker(loop, "beta", 5.0, 0, 0);
    comb_run_once(loop);
    co_task_unref(a);
    co_task_unref(b);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(r.count, 2);
    ck_assert_ptr_nonnull(
        strstr(r.all, "task was destroyed but it is pending: alpha"));
    ck_assert_ptr_nonnull(
        strstr(r.all, "task was destroyed but it is pending: beta"));
}
END_TEST

START_TEST(test_unread_failure_is_reported_when_freed)
{
    struct comb_reports r = {0};
    co_loop *loop = comb_loop(&r);
    co_task *t = comb_worker(loop, "doomed", 0, 0, CO_EFAIL);
    co_future *f;
    co_future_new(loop, &f);
    co_future_set_exception(f, CO_ETIMEDOUT, "plain one");
    co_loop_run_forever(loop); /* until nothing is left: CO_EDEADLOCK */
    ck_assert(co_task_done(t));
    ck_assert_int_eq(r.count, 0); /* not yet: still referenced */
    co_task_unref(t);
    co_future_unref(f);
    ck_assert_int_eq(r.count, 2);
    ck_assert_ptr_nonnull(strstr(r.all, "exception was never retrieved"));
    ck_assert_ptr_nonnull(strstr(r.all, "doomed"));
    ck_assert_ptr_nonnull(strstr(r.all, "plain one"));
    co_loop_close(loop);
}
END_TEST

/* ---- 9. cancelling a task that waits on a timer, an fd, a task ----------- */

START_TEST(test_cancel_while_awaiting_a_timer_disarms_it)
{
    co_loop *loop = comb_loop(NULL);
    co_task *t = comb_worker(loop, "w", 1000.0, 0, 0);
    comb_run_once(loop);
    co_task_cancel(t);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    /* No timer left: the loop has nothing to wait for (a leftover
     * 1000-second timer would hang here until Check's timeout). */
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

struct reader {
    co_coro co;  /* first */
    int fd;      /* what to wait for */
};

static int reader_fn(co_coro *co)
{
    struct reader *self = (struct reader *)co;
    CO_BEGIN(co);
    CO_AWAIT_READABLE(co, self->fd);
    tr("readable");
    CO_FINALLY(co);
    tr_code("reader:fin", co->err);
    CO_END(co);
}

START_TEST(test_cancel_while_awaiting_an_fd_removes_the_watch)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    co_loop *loop = comb_loop(NULL);
    struct reader *r = CO_NEW(struct reader, reader_fn);
    r->fd = p[0];
    co_task *t;
    co_create_task(loop, &r->co, "reader", &t);
    comb_run_once(loop);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)),
                     CO_ECANCELLED);
    ck_assert_trace("reader:fin:CO_ECANCELLED ");
    /* The fd is no longer watched: nothing left, even with data waiting. */
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    co_task_unref(t);
    co_loop_close(loop);
    close(p[0]);
    close(p[1]);
}
END_TEST

START_TEST(test_loop_close_with_task_awaiting_an_fd_leaks_nothing)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    struct comb_reports rep = {0};
    co_loop *loop = comb_loop(&rep);
    struct reader *r = CO_NEW(struct reader, reader_fn);
    r->fd = p[0];
    co_create_task(loop, &r->co, "reader", NULL);
    comb_run_once(loop);
    co_loop_close(loop); /* valgrind/ASan: nothing may leak here */
    ck_assert_int_eq(rep.count, 1);
    close(p[0]);
    close(p[1]);
}
END_TEST

static Suite *cancellation_suite(void)
{
    Suite *s = suite_create("cancellation");
    TCase *tc = tcase_create("cancel");
    tcase_add_test(tc, test_cancel_done_task_returns_false);
    tcase_add_test(tc, test_cancel_pending_task_returns_true_also_while_on_its_way);
    tcase_add_test(tc, test_task_is_cancelled_only_once_its_coroutine_has_ended);
    tcase_add_test(tc, test_cancel_before_first_step_runs_no_code);
    tcase_add_test(tc, test_cancel_reaches_the_awaited_future);
    tcase_add_test(tc, test_cancel_reaches_the_awaited_task_whose_cleanup_runs_first);
    tcase_add_test(tc, test_catching_cancellation_and_returning_leaves_task_not_cancelled);
    tcase_add_test(tc, test_awaiting_a_cancelled_task_sees_cancellation);
    tcase_add_test(tc, test_awaiting_a_cancelled_task_without_catch_cancels_the_awaiter);
    comb_add(s, tc);
    tc = tcase_create("finally");
    tcase_add_test(tc, test_finally_runs_on_normal_end);
    tcase_add_test(tc, test_finally_runs_on_failure_and_sees_the_code);
    tcase_add_test(tc, test_finally_runs_on_cancellation);
    tcase_add_test(tc, test_finally_may_await_and_the_task_ends_after_it);
    tcase_add_test(tc, test_nested_chain_cleanup_runs_innermost_first);
    tcase_add_test(tc, test_cancel_during_cleanup_cuts_it_short_at_its_await);
    comb_add(s, tc);
    tc = tcase_create("catch");
    tcase_add_test(tc, test_await_catch_reads_code_and_message);
    tcase_add_test(tc, test_await_coro_catch_reads_code_and_message);
    tcase_add_test(tc, test_raise_reraises_what_was_caught);
    comb_add(s, tc);
    tc = tcase_create("shutdown");
    tcase_add_test(tc, test_co_run_cancels_leftover_tasks_and_lets_cleanup_run);
    tcase_add_test(tc, test_closing_loop_reports_each_pending_task_by_name);
    tcase_add_test(tc, test_unread_failure_is_reported_when_freed);
    comb_add(s, tc);
    tc = tcase_create("waiting_on");
    tcase_add_test(tc, test_cancel_while_awaiting_a_timer_disarms_it);
    tcase_add_test(tc, test_cancel_while_awaiting_an_fd_removes_the_watch);
    tcase_add_test(tc, test_loop_close_with_task_awaiting_an_fd_leaks_nothing);
    comb_add(s, tc);
    return s;
}

int main(void)
{
    return comb_main(cancellation_suite());
}
