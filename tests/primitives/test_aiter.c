/* test_aiter.c - async iterators, CO_ASYNC_FOR and async generators:
 * the end of the iteration, awaits between items, early exit closing the
 * generator (its cleanup runs, and may await), failures and cancellation. */
#include "prim.h"

/* A hand-written iterator: n, n-1, ..., 1, sleeping before each. */
struct countdown {
    co_aiter it;
    int n;
};

static int countdown_anext(co_coro *co)
{
    struct countdown *self = (struct countdown *)co;
    CO_BEGIN(co);
    if (self->n == 0)
        CO_RAISE(co, CO_ESTOPITERATION, NULL);
    CO_SLEEP(co, 0.001);
    CO_RETURN(co, self->n--);
    CO_END(co);
}

/* A generator: yields 1..limit with a yield to the loop between items; its
 * cleanup logs "cleanup" after awaiting once; fails at `fail_at`. */
struct counter_gen {
    co_agen gen;
    int i, limit, fail_at;
};

static int counter_body(co_coro *co)
{
    struct counter_gen *self = (struct counter_gen *)co;
    CO_BEGIN(co);
    for (self->i = 1; self->i <= self->limit; self->i++) {
        if (self->i == self->fail_at)
            CO_RAISE(co, CO_EFAIL, "generator broke");
        CO_YIELD(co); /* an await between items */
        CO_AGEN_YIELD(co, self->i);
    }
    CO_FINALLY(co);
    CO_SLEEP(co, 0.001); /* cleanup may await too */
    prim_logf("cleanup:%s", co_errname(co->err));
    CO_END(co);
}

/* The consumer: async for x in it: log x; break at `stop_at`. */
struct consumer {
    co_coro co;
    co_aiter *it;
    int stop_at;
    int fail_at;
    long long x;
};

static int consumer_fn(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    CO_BEGIN(co);
    CO_ASYNC_FOR(co, self->it)
        ck_assert_int_eq(co_aiter_value_int(self->it, &self->x), 0);
        prim_logf("%lld", self->x);
        if (self->x == self->stop_at)
            break;
        if (self->x == self->fail_at)
            CO_RAISE(co, CO_EFAIL, "consumer broke");
        CO_SLEEP(co, 0.001);
    CO_ASYNC_FOR_END(co, self->it);
    prim_logf("after");
    CO_FINALLY(co);
    CO_ACLOSE(co, self->it); /* a failure left the loop: close here */
    CO_END(co);
}

static co_task *spawn_consumer(co_loop *loop, co_aiter *it, int stop_at,
                               int fail_at)
{
    struct consumer *c = CO_NEW(struct consumer, consumer_fn);
    c->it = it;
    c->stop_at = stop_at;
    c->fail_at = fail_at;
    return prim_spawn(loop, &c->co, "consumer");
}

START_TEST(test_async_for_over_a_hand_written_iterator_sees_every_item)
{
    co_loop *loop = prim_loop();
    struct countdown cd = {.n = 3};
    ck_assert_int_eq(co_aiter_init(&cd.it, countdown_anext, NULL), 0);
    co_task *t = spawn_consumer(loop, &cd.it, -1, -1);
    prim_run_until(loop, t, 1000);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_str_eq(prim_log, "3 2 1 after");
    ck_assert(co_aiter_ended(&cd.it));
    long long v;
    ck_assert_int_eq(co_aiter_value_int(&cd.it, &v), CO_ESTATE);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_async_for_over_a_generator_runs_it_to_its_end)
{
    co_loop *loop = prim_loop();
    struct counter_gen g = {.limit = 3, .fail_at = -1};
    ck_assert_int_eq(co_agen_init(&g.gen, counter_body), 0);
    co_task *t = spawn_consumer(loop, &g.gen.it, -1, -1);
    prim_run_until(loop, t, 1000);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_str_eq(prim_log, "1 2 3 cleanup:CO_OK after");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_breaking_out_of_async_for_closes_the_generator)
{
    co_loop *loop = prim_loop();
    struct counter_gen g = {.limit = 100, .fail_at = -1};
    co_agen_init(&g.gen, counter_body);
    co_task *t = spawn_consumer(loop, &g.gen.it, 2, -1);
    prim_run_until(loop, t, 1000);
    ck_assert_int_eq(prim_task_error(t), 0);
    /* the cleanup ran (and awaited) before the code after the loop */
    ck_assert_str_eq(prim_log, "1 2 cleanup:CO_EGENEXIT after");
    ck_assert(co_coro_done(&g.gen.co));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_failure_in_the_loop_body_closes_the_generator_in_finally)
{
    co_loop *loop = prim_loop();
    struct counter_gen g = {.limit = 100, .fail_at = -1};
    co_agen_init(&g.gen, counter_body);
    co_task *t = spawn_consumer(loop, &g.gen.it, -1, 2);
    prim_run_until(loop, t, 1000);
    ck_assert_int_eq(prim_task_error(t), CO_EFAIL);
    ck_assert_str_eq(prim_log, "1 2 cleanup:CO_EGENEXIT");
    ck_assert(co_coro_done(&g.gen.co));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_generator_failure_reaches_the_consumer)
{
    co_loop *loop = prim_loop();
    struct counter_gen g = {.limit = 100, .fail_at = 3};
    co_agen_init(&g.gen, counter_body);
    co_task *t = spawn_consumer(loop, &g.gen.it, -1, -1);
    prim_run_until(loop, t, 1000);
    const char *msg = NULL;
    ck_assert_int_eq(co_future_exception(co_task_future(t), &msg), CO_EFAIL);
    ck_assert_str_eq(msg, "generator broke");
    ck_assert_str_eq(prim_log, "1 2 cleanup:CO_EFAIL");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelling_the_consumer_runs_the_generator_cleanup)
{
    co_loop *loop = prim_loop();
    struct counter_gen g = {.limit = 100, .fail_at = -1};
    co_agen_init(&g.gen, counter_body);
    co_task *t = spawn_consumer(loop, &g.gen.it, -1, -1);
    prim_run_once(loop); /* the generator is at its CO_YIELD, inside anext */
    co_task_cancel(t);
    prim_run_until(loop, t, 1000);
    ck_assert(co_task_cancelled(t));
    ck_assert_str_eq(prim_log, "cleanup:CO_ECANCELLED");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelling_the_consumer_in_the_body_closes_the_generator)
{
    co_loop *loop = prim_loop();
    struct counter_gen g = {.limit = 100, .fail_at = -1};
    co_agen_init(&g.gen, counter_body);
    co_task *t = spawn_consumer(loop, &g.gen.it, -1, -1);
    while (strcmp(prim_log, "1") != 0)
        prim_run_once(loop); /* the consumer sleeps in its body */
    co_task_cancel(t);
    prim_run_until(loop, t, 1000);
    ck_assert(co_task_cancelled(t));
    ck_assert_str_eq(prim_log, "1 cleanup:CO_EGENEXIT");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* Drives anext by hand with CO_ANEXT, past the end. */
struct stepper {
    co_coro co;
    co_aiter *it;
    int ends;
};

static int stepper_fn(co_coro *co)
{
    struct stepper *self = (struct stepper *)co;
    CO_BEGIN(co);
    CO_ANEXT(co, self->it);
    CO_ANEXT(co, self->it);
    self->ends += co_aiter_ended(self->it);
    CO_ANEXT(co, self->it); /* again after the end: still the end */
    self->ends += co_aiter_ended(self->it);
    CO_END(co);
}

START_TEST(test_anext_after_the_end_keeps_reporting_the_end)
{
    co_loop *loop = prim_loop();
    struct countdown cd = {.n = 1};
    co_aiter_init(&cd.it, countdown_anext, NULL);
    struct stepper *s = CO_NEW(struct stepper, stepper_fn);
    s->it = &cd.it;
    co_task *t = prim_spawn(loop, &s->co, "stepper");
    prim_run_until(loop, t, 1000);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_int_eq(s->ends, 2);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* A generator whose cleanup yields again: a bug aclose must report. */
struct stubborn {
    co_agen gen;
};

static int stubborn_body(co_coro *co)
{
    CO_BEGIN(co);
    CO_AGEN_YIELD(co, 1);
    CO_FINALLY(co);
    if (co->err == CO_EGENEXIT)
        CO_AGEN_YIELD(co, 2);
    CO_END(co);
}

struct closer {
    co_coro co;
    co_aiter *it;
    int err;
};

static int closer_fn(co_coro *co)
{
    struct closer *self = (struct closer *)co;
    CO_BEGIN(co);
    CO_ANEXT(co, self->it);
    co_aiter_aclose_op(self->it);
    CO_AWAIT_CORO_CATCH(co, co__aiter_frame(self->it), self->err);
    CO_END(co);
}

START_TEST(test_generator_yielding_while_closed_is_eagenrunning)
{
    co_loop *loop = prim_loop();
    struct stubborn g;
    co_agen_init(&g.gen, stubborn_body);
    struct closer *c = CO_NEW(struct closer, closer_fn);
    c->it = &g.gen.it;
    co_task *t = prim_spawn(loop, &c->co, "closer");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(c->err, CO_EAGENRUNNING);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

static int never_body(co_coro *co)
{
    CO_BEGIN(co);
    prim_logf("ran");
    CO_AGEN_YIELD(co, 1);
    CO_END(co);
}

START_TEST(test_closing_a_generator_that_never_started_runs_nothing)
{
    co_loop *loop = prim_loop();
    struct stubborn g;
    co_agen_init(&g.gen, never_body);
    struct closer *c = CO_NEW(struct closer, closer_fn);
    c->it = &g.gen.it;
    /* aclose first, then anext: the generator must never start */
    ck_assert_int_eq(co_aiter_aclose_op(&g.gen.it), 0);
    ck_assert_int_eq(co_coro_step(co__aiter_frame(&g.gen.it)), CO_STATUS_DONE);
    ck_assert(co_aiter_ended(&g.gen.it));
    co_task *t = prim_spawn(loop, &c->co, "closer");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(c->err, 0);
    ck_assert_str_eq(prim_log, "");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_bad_arguments_are_einval)
{
    ck_assert_int_eq(co_aiter_init(NULL, countdown_anext, NULL), CO_EINVAL);
    struct countdown cd;
    ck_assert_int_eq(co_aiter_init(&cd.it, NULL, NULL), CO_EINVAL);
    ck_assert_int_eq(co_agen_init(NULL, never_body), CO_EINVAL);
    ck_assert_int_eq(co_aiter_anext_op(NULL), CO_EINVAL);
    ck_assert(!co_aiter_ended(NULL));
}
END_TEST

/* ---- asend, athrow, and closing at shutdown ---------------------------- */

/* `x = yield n` in a loop: yields 1, then twice what it was sent, and ends
 * when sent 0. A failure thrown in at a yield ends it (its cleanup logs). */
struct echo_gen {
    co_agen gen;
    long long n;
};

static int echo_body(co_coro *co)
{
    struct echo_gen *self = (struct echo_gen *)co;
    long long x = 0;
    CO_BEGIN(co);
    self->n = 1;
    for (;;) {
        CO_AGEN_YIELD(co, self->n);
        ck_assert_int_eq(co_agen_sent_int(&self->gen, &x), 0);
        prim_logf("sent:%lld", x);
        if (x == 0)
            break;
        self->n = 2 * x;
    }
    CO_FINALLY(co);
    prim_logf("cleanup:%s", co_errname(co->err));
    CO_END(co);
}

/* Drives an echo generator: anext, asend 5, asend 0 (its end), asend
 * again (still the end). */
struct echo_driver {
    co_coro co;
    struct echo_gen *g;
    long long v[2];
    int end1, end2;
};

static int echo_driver(co_coro *co)
{
    struct echo_driver *self = (struct echo_driver *)co;
    CO_BEGIN(co);
    CO_ANEXT(co, &self->g->gen.it);
    co_aiter_value_int(&self->g->gen.it, &self->v[0]);
    CO_ASEND(co, &self->g->gen, 5);
    co_aiter_value_int(&self->g->gen.it, &self->v[1]);
    CO_ASEND_CATCH(co, &self->g->gen, 0, self->end1);
    CO_ASEND_CATCH(co, &self->g->gen, 3, self->end2);
    CO_END(co);
}

START_TEST(test_asend_hands_the_value_to_the_yield)
{
    co_loop *loop = prim_loop();
    struct echo_gen g;
    co_agen_init(&g.gen, echo_body);
    ck_assert_int_eq(co_agen_asend_op(&g.gen, 3), CO_EAGENFRESH);
    struct echo_driver *d = CO_NEW(struct echo_driver, echo_driver);
    d->g = &g;
    co_task *t = prim_spawn(loop, &d->co, "driver");
    prim_run_until(loop, t, 1000);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_int_eq(d->v[0], 1);
    ck_assert_int_eq(d->v[1], 10);
    ck_assert_int_eq(d->end1, CO_ESTOPITERATION); /* the body ended */
    ck_assert_int_eq(d->end2, CO_ESTOPITERATION); /* and stays ended */
    ck_assert_str_eq(prim_log, "sent:5 sent:0 cleanup:CO_OK");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* athrow into an echo generator at its first yield, then once more. */
struct thrower {
    co_coro co;
    co_agen *gen;
    int first, second;
};

static int thrower_fn(co_coro *co)
{
    struct thrower *self = (struct thrower *)co;
    CO_BEGIN(co);
    CO_ANEXT(co, &self->gen->it);
    CO_ATHROW_CATCH(co, self->gen, CO_EFAIL, "thrown in", self->first);
    if (self->first)
        prim_logf("athrow:%s:%s", co_errname(self->first),
                  co_caught_message());
    CO_ATHROW_CATCH(co, self->gen, CO_EFAIL, "late", self->second);
    CO_END(co);
}

START_TEST(test_athrow_raises_at_the_yield_and_the_failure_comes_back)
{
    co_loop *loop = prim_loop();
    struct echo_gen g;
    co_agen_init(&g.gen, echo_body);
    struct thrower *d = CO_NEW(struct thrower, thrower_fn);
    d->gen = &g.gen;
    co_task *t = prim_spawn(loop, &d->co, "thrower");
    prim_run_until(loop, t, 1000);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_int_eq(d->first, CO_EFAIL);
    /* CPython 3.11: athrow on a generator that has ended returns None */
    ck_assert_int_eq(d->second, 0);
    ck_assert_str_eq(prim_log, "cleanup:CO_EFAIL athrow:CO_EFAIL:thrown in");
    ck_assert(co_aiter_ended(&g.gen.it));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST


START_TEST(test_athrow_on_a_fresh_generator_fails_without_running_it)
{
    co_loop *loop = prim_loop();
    struct stubborn g;
    co_agen_init(&g.gen, never_body);
    ck_assert_int_eq(co_agen_athrow_op(&g.gen, CO_EFAIL, "x"), 0);
    ck_assert_int_eq(co_coro_step(co__aiter_frame(&g.gen.it)), CO_STATUS_DONE);
    const char *msg = NULL;
    ck_assert_int_eq(co_coro_error(co__aiter_frame(&g.gen.it), &msg), CO_EFAIL);
    ck_assert_str_eq(msg, "x");
    ck_assert(co_aiter_ended(&g.gen.it));
    ck_assert_str_eq(prim_log, ""); /* the body never ran */
    co_coro_free(co__aiter_frame(&g.gen.it));
    ck_assert_int_eq(co_agen_athrow_op(&g.gen, 0, NULL), CO_EINVAL);
    ck_assert_int_eq(co_agen_athrow_op(NULL, CO_EFAIL, NULL), CO_EINVAL);
    ck_assert_int_eq(co_agen_asend_op(NULL, 1), CO_EINVAL);
    long long x;
    ck_assert_int_eq(co_agen_sent_int(&g.gen, NULL), CO_EINVAL);
    ck_assert_int_eq(co_agen_sent_int(&g.gen, &x), 0);
    ck_assert_int_eq(x, 0); /* nothing was sent */
    co_loop_close(loop);
}
END_TEST

START_TEST(test_asend_or_athrow_while_an_anext_runs_is_eagenrunning)
{
    co_loop *loop = prim_loop();
    struct counter_gen g = {.limit = 100, .fail_at = -1};
    co_agen_init(&g.gen, counter_body);
    co_task *t = spawn_consumer(loop, &g.gen.it, -1, -1);
    prim_run_once(loop); /* the generator is at its CO_YIELD, inside anext */
    ck_assert_int_eq(co_agen_athrow_op(&g.gen, CO_EFAIL, NULL), CO_EAGENRUNNING);
    ck_assert_int_eq(co_agen_asend_op(&g.gen, 1), CO_EAGENRUNNING);
    co_task_cancel(t);
    prim_run_until(loop, t, 1000);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* A consumer whose frame holds the generator: it takes one item and ends
 * without closing it. */
struct leaver {
    co_coro co;
    struct counter_gen g;
};

static int leaver_fn(co_coro *co)
{
    struct leaver *self = (struct leaver *)co;
    long long x = 0;
    CO_BEGIN(co);
    co_agen_init(&self->g.gen, counter_body);
    self->g.limit = 100;
    self->g.fail_at = -1;
    CO_ANEXT(co, &self->g.gen.it);
    co_aiter_value_int(&self->g.gen.it, &x);
    prim_logf("took:%lld", x);
    CO_END(co);
}

struct leaver_main {
    co_coro co;
    co_task *t;
};

static int leaver_main(co_coro *co)
{
    struct leaver_main *self = (struct leaver_main *)co;
    CO_BEGIN(co);
    ck_assert_int_eq(co_create_task(co_get_running_loop(),
                                    &CO_NEW(struct leaver, leaver_fn)->co,
                                    NULL, &self->t), 0);
    CO_AWAIT(co, self->t);
    prim_logf("main ends");
    CO_FINALLY(co);
    co_task_unref(self->t);
    CO_END(co);
}

START_TEST(test_co_run_closes_a_generator_left_suspended_by_a_finished_task)
{
    prim_log_reset();
    struct leaver_main m;
    co_coro_init(&m.co, leaver_main);
    ck_assert_int_eq(co_run(&m.co), 0);
    /* the generator lived in the task's frame; it was closed (its cleanup
     * awaited) after main, and the frame freed then (valgrind checks) */
    ck_assert_str_eq(prim_log, "took:1 main ends cleanup:CO_EGENEXIT");
}
END_TEST

START_TEST(test_closing_the_loop_forgets_suspended_generators)
{
    co_loop *loop = prim_loop();
    struct leaver *l = CO_NEW(struct leaver, leaver_fn);
    co_task *t = prim_spawn(loop, &l->co, "leaver");
    prim_run_until(loop, t, 1000);
    co_task_unref(t);
    co_future *f;
    ck_assert_int_eq(co_loop_shutdown_asyncgens(NULL, &f), CO_EINVAL);
    co_loop_close(loop); /* no shutdown: no cleanup, and nothing leaks */
    ck_assert_str_eq(prim_log, "took:1");
}
END_TEST

static Suite *aiter_suite(void)
{
    Suite *s = suite_create("aiter");
    TCase *tc = tcase_create("async_for");
    tcase_add_test(tc, test_async_for_over_a_hand_written_iterator_sees_every_item);
    tcase_add_test(tc, test_async_for_over_a_generator_runs_it_to_its_end);
    tcase_add_test(tc, test_breaking_out_of_async_for_closes_the_generator);
    tcase_add_test(tc, test_failure_in_the_loop_body_closes_the_generator_in_finally);
    tcase_add_test(tc, test_generator_failure_reaches_the_consumer);
    tcase_add_test(tc, test_anext_after_the_end_keeps_reporting_the_end);
    prim_add_case(s, tc);
    tc = tcase_create("cancel_and_close");
    tcase_add_test(tc, test_cancelling_the_consumer_runs_the_generator_cleanup);
    tcase_add_test(tc, test_cancelling_the_consumer_in_the_body_closes_the_generator);
    tcase_add_test(tc, test_generator_yielding_while_closed_is_eagenrunning);
    tcase_add_test(tc, test_closing_a_generator_that_never_started_runs_nothing);
    tcase_add_test(tc, test_bad_arguments_are_einval);
    prim_add_case(s, tc);
    tc = tcase_create("asend_athrow_shutdown");
    tcase_add_test(tc, test_asend_hands_the_value_to_the_yield);
    tcase_add_test(tc, test_athrow_raises_at_the_yield_and_the_failure_comes_back);
    tcase_add_test(tc, test_athrow_on_a_fresh_generator_fails_without_running_it);
    tcase_add_test(tc, test_asend_or_athrow_while_an_anext_runs_is_eagenrunning);
    tcase_add_test(tc, test_co_run_closes_a_generator_left_suspended_by_a_finished_task);
    tcase_add_test(tc, test_closing_the_loop_forgets_suspended_generators);
    prim_add_case(s, tc);
    return s;
}

int main(void)
{
    return prim_main(aiter_suite());
}
