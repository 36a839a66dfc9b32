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
