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
    return s;
}

int main(void)
{
    return prim_main(aiter_suite());
}
