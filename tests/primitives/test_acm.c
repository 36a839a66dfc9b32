/* test_acm.c - async context managers and CO_ASYNC_WITH: exit runs on a
 * normal end, on failure and on cancellation; it sees the failure and may
 * swallow it; a failing enter skips body and exit; lock/semaphore managers. */
#include "prim.h"

/* A manager that logs, and whose exit swallows when told to. */
struct mgr {
    co_acm cm;
    int swallow;
    int fail_enter;
    int fail_exit;
};

static int mgr_enter(co_coro *co)
{
    struct mgr *self = (struct mgr *)co;
    CO_BEGIN(co);
    CO_YIELD(co); /* enter may await */
    if (self->fail_enter)
        CO_RAISE(co, CO_EFAIL, "enter broke");
    prim_logf("enter");
    CO_END(co);
}

static int mgr_exit(co_coro *co)
{
    struct mgr *self = (struct mgr *)co;
    CO_BEGIN(co);
    CO_YIELD(co); /* exit may await, even after a cancellation */
    prim_logf("exit:%s:%s", co_errname(self->cm.exc),
              self->cm.exc_message ? self->cm.exc_message : "-");
    if (self->fail_exit)
        CO_RAISE(co, CO_ETIMEDOUT, "exit broke");
    CO_RETURN(co, self->swallow);
    CO_END(co);
}

/* The body: logs, sleeps, then fails if told to. */
struct body {
    co_coro co;
    int fail;
};

static int body_fn(co_coro *co)
{
    struct body *self = (struct body *)co;
    CO_BEGIN(co);
    prim_logf("body");
    CO_SLEEP(co, 0.001);
    if (self->fail)
        CO_RAISE(co, CO_EFAIL, "body broke");
    CO_RETURN(co, 7);
    CO_END(co);
}

struct user {
    co_coro co;
    struct mgr m;
    struct body b;
    co_async_with with;
};

static int user_fn(co_coro *co)
{
    struct user *self = (struct user *)co;
    CO_BEGIN(co);
    co_coro_init(&self->b.co, body_fn);
    CO_ASYNC_WITH(co, &self->with, &self->m.cm, &self->b.co);
    prim_logf("after");
    CO_END(co);
}

static struct user *make_user(int body_fails, int swallow)
{
    struct user *u = CO_NEW(struct user, user_fn);
    co_acm_init(&u->m.cm, mgr_enter, mgr_exit);
    u->b.fail = body_fails;
    u->m.swallow = swallow;
    return u;
}

START_TEST(test_async_with_runs_enter_body_exit_in_order)
{
    co_loop *loop = prim_loop();
    struct user *u = make_user(0, 0);
    co_task *t = prim_spawn(loop, &u->co, "user");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_str_eq(prim_log, "enter body exit:CO_OK:- after");
    long long v;
    ck_assert_int_eq(co_coro_result_int(&u->b.co, &v), 0);
    ck_assert_int_eq(v, 7);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_failure_in_the_body_reaches_exit_and_then_the_caller)
{
    co_loop *loop = prim_loop();
    struct user *u = make_user(1, 0);
    co_task *t = prim_spawn(loop, &u->co, "user");
    prim_run_until(loop, t, 100);
    const char *msg;
    ck_assert_int_eq(co_future_exception(co_task_future(t), &msg), CO_EFAIL);
    ck_assert_str_eq(msg, "body broke");
    ck_assert_str_eq(prim_log, "enter body exit:CO_EFAIL:body broke");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_exit_returning_1_swallows_the_failure)
{
    co_loop *loop = prim_loop();
    struct user *u = make_user(1, 1);
    co_task *t = prim_spawn(loop, &u->co, "user");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_str_eq(prim_log, "enter body exit:CO_EFAIL:body broke after");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancellation_in_the_body_still_runs_exit)
{
    co_loop *loop = prim_loop();
    struct user *u = make_user(0, 0);
    co_task *t = prim_spawn(loop, &u->co, "user");
    while (strcmp(prim_log, "enter body") != 0)
        prim_run_once(loop);
    co_task_cancel(t);
    prim_run_until(loop, t, 100);
    ck_assert(co_task_cancelled(t));
    ck_assert_str_eq(prim_log, "enter body exit:CO_ECANCELLED:-");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_failing_enter_skips_body_and_exit)
{
    co_loop *loop = prim_loop();
    struct user *u = make_user(0, 0);
    u->m.fail_enter = 1;
    co_task *t = prim_spawn(loop, &u->co, "user");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(prim_task_error(t), CO_EFAIL);
    ck_assert_str_eq(prim_log, "");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_failing_exit_replaces_the_body_failure)
{
    co_loop *loop = prim_loop();
    struct user *u = make_user(1, 0);
    u->m.fail_exit = 1;
    co_task *t = prim_spawn(loop, &u->co, "user");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(prim_task_error(t), CO_ETIMEDOUT);
    ck_assert_str_eq(prim_log, "enter body exit:CO_EFAIL:body broke");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_missing_manager_or_body_is_einval)
{
    co_loop *loop = prim_loop();
    struct user *u = make_user(0, 0);
    co_task *t = prim_spawn(loop, &u->co, "user");
    ck_assert_int_eq(co_acm_init(&u->m.cm, NULL, mgr_exit), CO_EINVAL);
    ck_assert_int_eq(co_async_with_op(NULL, &u->m.cm, &u->b.co), CO_EINVAL);
    co_async_with w;
    co_async_with_op(&w, NULL, &u->b.co);
    ck_assert_int_eq(co_coro_step(&w.co), CO_STATUS_DONE);
    ck_assert_int_eq(co_coro_error(&w.co, NULL), CO_EINVAL);
    co_coro_free(&w.co);
    prim_run_until(loop, t, 100);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* async with lock: the body holds the lock; it is released on failure. */
static co_lock *LOCK;

struct locked_body {
    co_coro co;
};

static int locked_body_fn(co_coro *co)
{
    CO_BEGIN(co);
    ck_assert(co_lock_locked(LOCK));
    CO_YIELD(co);
    CO_RAISE(co, CO_EFAIL, "inside the lock");
    CO_END(co);
}

struct lock_user {
    co_coro co;
    co_lock_cm lcm;
    struct locked_body b;
    co_async_with with;
    int caught;
};

static int lock_user_fn(co_coro *co)
{
    struct lock_user *self = (struct lock_user *)co;
    CO_BEGIN(co);
    co_lock_cm_init(&self->lcm, LOCK);
    co_coro_init(&self->b.co, locked_body_fn);
    co_async_with_op(&self->with, &self->lcm.cm, &self->b.co);
    CO_AWAIT_CORO_CATCH(co, co__async_with_frame(&self->with), self->caught);
    prim_logf("%s locked=%d", co_errname(self->caught), co_lock_locked(LOCK));
    CO_END(co);
}

START_TEST(test_async_with_lock_releases_it_when_the_body_fails)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_lock_new(&LOCK), 0);
    co_task *t = prim_spawn(loop, &CO_NEW(struct lock_user, lock_user_fn)->co, "u");
    prim_run_until(loop, t, 100);
    ck_assert_str_eq(prim_log, "CO_EFAIL locked=0");
    co_task_unref(t);
    ck_assert_int_eq(co_lock_free(LOCK), 0);
    co_loop_close(loop);
}
END_TEST

static co_semaphore *SEM;

struct sem_body {
    co_coro co;
};

static int sem_body_fn(co_coro *co)
{
    CO_BEGIN(co);
    prim_logf("in:%ld", co_semaphore_value(SEM));
    CO_END(co);
}

struct sem_user {
    co_coro co;
    co_semaphore_cm scm;
    struct sem_body b;
    co_async_with with;
};

static int sem_user_fn(co_coro *co)
{
    struct sem_user *self = (struct sem_user *)co;
    CO_BEGIN(co);
    co_semaphore_cm_init(&self->scm, SEM);
    co_coro_init(&self->b.co, sem_body_fn);
    CO_ASYNC_WITH(co, &self->with, &self->scm.cm, &self->b.co);
    prim_logf("out:%ld", co_semaphore_value(SEM));
    CO_END(co);
}

START_TEST(test_async_with_semaphore_takes_and_gives_back_a_place)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_bounded_semaphore_new(&SEM, 2), 0);
    co_task *t = prim_spawn(loop, &CO_NEW(struct sem_user, sem_user_fn)->co, "u");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_str_eq(prim_log, "in:1 out:2");
    co_task_unref(t);
    co_semaphore_free(SEM);
    co_loop_close(loop);
}
END_TEST

/* ---- the value of enter, and a manager written as a generator ------- */

/* A manager whose enter returns a pointer to its own `resource`. */
struct valued {
    co_acm cm;
    int resource;
};

static int valued_enter(co_coro *co)
{
    struct valued *self = (struct valued *)co;
    CO_BEGIN(co);
    CO_YIELD(co);
    CO_RETURN_PTR(co, &self->resource);
    CO_END(co);
}

static int valued_exit(co_coro *co)
{
    struct valued *self = (struct valued *)co;
    void *p = NULL;
    CO_BEGIN(co);
    ck_assert_int_eq(co_acm_value_ptr(&self->cm, &p), 0); /* exit sees it too */
    prim_logf("exit:%d", *(int *)p);
    CO_END(co);
}

/* The body of `async with cm as f`: reads f, bumps it. */
struct as_body {
    co_coro co;
    co_acm *cm;
};

static int as_body_fn(co_coro *co)
{
    struct as_body *self = (struct as_body *)co;
    void *p = NULL;
    CO_BEGIN(co);
    ck_assert_int_eq(co_acm_value_ptr(self->cm, &p), 0);
    prim_logf("body:%d", *(int *)p);
    ++*(int *)p;
    CO_END(co);
}

struct as_user {
    co_coro co;
    co_acm *cm;
    struct as_body b;
    co_async_with with;
};

static int as_user_fn(co_coro *co)
{
    struct as_user *self = (struct as_user *)co;
    CO_BEGIN(co);
    co_coro_init(&self->b.co, as_body_fn);
    self->b.cm = self->cm;
    CO_ASYNC_WITH(co, &self->with, self->cm, &self->b.co);
    prim_logf("after");
    CO_END(co);
}

START_TEST(test_the_value_of_enter_reaches_the_body_and_exit)
{
    co_loop *loop = prim_loop();
    struct valued v = {.resource = 41};
    co_acm_init(&v.cm, valued_enter, valued_exit);
    long long n;
    void *p;
    ck_assert_int_eq(co_acm_value_ptr(&v.cm, &p), CO_ESTATE); /* not entered */
    ck_assert_int_eq(co_acm_value_int(NULL, &n), CO_EINVAL);
    struct as_user *u = CO_NEW(struct as_user, as_user_fn);
    u->cm = &v.cm;
    co_task *t = prim_spawn(loop, &u->co, "user");
    prim_run_until(loop, t, 100);
    ck_assert_int_eq(prim_task_error(t), 0);
    ck_assert_str_eq(prim_log, "body:41 exit:42 after");
    ck_assert_int_eq(co_acm_value_int(&v.cm, &n), CO_EKIND);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* asynccontextmanager's shape: set up, yield the value, tear down.
 * `mode` 0: let a failure go; 1: catch CO_EFAIL and end (swallow);
 * 2: end without yielding; 3: yield twice; 4: fail with CO_ETIMEDOUT in
 * the teardown. */
struct opened {
    co_agen gen;
    int mode;
    int caught;
};

static int opened_body(co_coro *co)
{
    struct opened *self = (struct opened *)co;
    CO_BEGIN(co);
    prim_logf("setup");
    CO_YIELD(co); /* set-up may await */
    if (self->mode == 2)
        CO_RETURN(co, 0);
    CO_AGEN_YIELD(co, 5);
    if (self->mode == 3)
        CO_AGEN_YIELD(co, 6);
    CO_FINALLY(co);
    prim_logf("teardown:%s", co_errname(co->err));
    CO_YIELD(co); /* teardown may await */
    if (self->mode == 1 && co->err == CO_EFAIL)
        CO_RETURN(co, 0); /* a return in finally drops the failure */
    if (self->mode == 4 && co->err)
        CO_RAISE(co, CO_ETIMEDOUT, "teardown broke");
    CO_END(co);
}

/* The body of `async with opened() as f`: logs f, fails if told to. */
struct gen_body {
    co_coro co;
    co_acm *cm;
    int fail;
};

static int gen_body_fn(co_coro *co)
{
    struct gen_body *self = (struct gen_body *)co;
    long long f = 0;
    CO_BEGIN(co);
    ck_assert_int_eq(co_acm_value_int(self->cm, &f), 0);
    prim_logf("body:%lld", f);
    CO_YIELD(co);
    if (self->fail)
        CO_RAISE(co, CO_EFAIL, "body broke");
    CO_END(co);
}

struct gen_user {
    co_coro co;
    struct opened g;
    co_agen_cm m;
    struct gen_body b;
    co_async_with with;
};

static int gen_user_fn(co_coro *co)
{
    struct gen_user *self = (struct gen_user *)co;
    CO_BEGIN(co);
    co_agen_init(&self->g.gen, opened_body);
    co_agen_cm_init(&self->m, &self->g.gen);
    co_coro_init(&self->b.co, gen_body_fn);
    self->b.cm = &self->m.cm;
    CO_ASYNC_WITH(co, &self->with, &self->m.cm, &self->b.co);
    prim_logf("after");
    CO_END(co);
}

/* Runs one `async with opened(mode)` whose body fails if @p body_fails;
 * returns the task's failure, the trace in prim_log. */
static int run_gen_user(int mode, int body_fails)
{
    co_loop *loop = prim_loop();
    struct gen_user *u = CO_NEW(struct gen_user, gen_user_fn);
    u->g.mode = mode;
    u->b.fail = body_fails;
    co_task *t = prim_spawn(loop, &u->co, "user");
    prim_run_until(loop, t, 100);
    int err = prim_task_error(t);
    co_task_unref(t);
    co_loop_close(loop);
    return err;
}

START_TEST(test_generator_manager_runs_setup_body_teardown)
{
    ck_assert_int_eq(run_gen_user(0, 0), 0);
    ck_assert_str_eq(prim_log, "setup body:5 teardown:CO_OK after");
}
END_TEST

START_TEST(test_generator_manager_lets_the_body_failure_go_on)
{
    ck_assert_int_eq(run_gen_user(0, 1), CO_EFAIL);
    ck_assert_str_eq(prim_log, "setup body:5 teardown:CO_EFAIL");
}
END_TEST

START_TEST(test_generator_manager_that_catches_the_failure_swallows_it)
{
    ck_assert_int_eq(run_gen_user(1, 1), 0);
    ck_assert_str_eq(prim_log, "setup body:5 teardown:CO_EFAIL after");
}
END_TEST

START_TEST(test_generator_manager_whose_teardown_fails_replaces_the_failure)
{
    ck_assert_int_eq(run_gen_user(4, 1), CO_ETIMEDOUT);
    ck_assert_str_eq(prim_log, "setup body:5 teardown:CO_EFAIL");
}
END_TEST

START_TEST(test_generator_manager_that_never_yields_fails_enter)
{
    ck_assert_int_eq(run_gen_user(2, 0), CO_EAGENCM);
    ck_assert_str_eq(prim_log, "setup teardown:CO_OK"); /* no body, no exit */
}
END_TEST

START_TEST(test_generator_manager_that_yields_twice_fails_exit)
{
    ck_assert_int_eq(run_gen_user(3, 0), CO_EAGENCM);
    /* it is left at its second yield: closing the loop forgets it */
    ck_assert_str_eq(prim_log, "setup body:5");
    ck_assert_int_eq(co_agen_cm_init(NULL, NULL), CO_EINVAL);
}
END_TEST

START_TEST(test_cancelled_body_reaches_the_generator_teardown)
{
    co_loop *loop = prim_loop();
    struct gen_user *u = CO_NEW(struct gen_user, gen_user_fn);
    co_task *t = prim_spawn(loop, &u->co, "user");
    while (strcmp(prim_log, "setup body:5") != 0)
        prim_run_once(loop);
    co_task_cancel(t);
    prim_run_until(loop, t, 100);
    ck_assert(co_task_cancelled(t));
    ck_assert_str_eq(prim_log, "setup body:5 teardown:CO_ECANCELLED");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

static Suite *acm_suite(void)
{
    Suite *s = suite_create("acm");
    TCase *tc = tcase_create("async_with");
    tcase_add_test(tc, test_async_with_runs_enter_body_exit_in_order);
    tcase_add_test(tc, test_failure_in_the_body_reaches_exit_and_then_the_caller);
    tcase_add_test(tc, test_exit_returning_1_swallows_the_failure);
    tcase_add_test(tc, test_cancellation_in_the_body_still_runs_exit);
    tcase_add_test(tc, test_failing_enter_skips_body_and_exit);
    tcase_add_test(tc, test_failing_exit_replaces_the_body_failure);
    tcase_add_test(tc, test_missing_manager_or_body_is_einval);
    prim_add_case(s, tc);
    tc = tcase_create("value_and_generator");
    tcase_add_test(tc, test_the_value_of_enter_reaches_the_body_and_exit);
    tcase_add_test(tc, test_generator_manager_runs_setup_body_teardown);
    tcase_add_test(tc, test_generator_manager_lets_the_body_failure_go_on);
    tcase_add_test(tc, test_generator_manager_that_catches_the_failure_swallows_it);
    tcase_add_test(tc, test_generator_manager_whose_teardown_fails_replaces_the_failure);
    tcase_add_test(tc, test_generator_manager_that_never_yields_fails_enter);
    tcase_add_test(tc, test_generator_manager_that_yields_twice_fails_exit);
    tcase_add_test(tc, test_cancelled_body_reaches_the_generator_teardown);
    prim_add_case(s, tc);
    tc = tcase_create("ready_made");
    tcase_add_test(tc, test_async_with_lock_releases_it_when_the_body_fails);
    tcase_add_test(tc, test_async_with_semaphore_takes_and_gives_back_a_place);
    prim_add_case(s, tc);
    return s;
}

int main(void)
{
    return prim_main(acm_suite());
}
