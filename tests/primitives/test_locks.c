/* test_locks.c - Event, Lock, Semaphore, BoundedSemaphore and Condition
 * with CPython 3.11's rules: fairness, errors for misuse, and waiters that
 * are cancelled (also after being woken) without losing a wakeup. */
#include <limits.h>

#include "prim.h"

static co_event *EV;
static co_lock *LOCK;
static co_semaphore *SEM;
static co_condition *COND;

/* ---- Event -------------------------------------------------------------- */

struct ev_waiter {
    co_coro co;
    const char *name;
    co_wait_op op;
};

static int ev_waiter_fn(co_coro *co)
{
    struct ev_waiter *self = (struct ev_waiter *)co;
    CO_BEGIN(co);
    CO_EVENT_WAIT(co, &self->op, EV);
    prim_logf("%s", self->name);
    CO_END(co);
}

static co_task *spawn_ev_waiter(co_loop *loop, const char *name)
{
    struct ev_waiter *w = CO_NEW(struct ev_waiter, ev_waiter_fn);
    w->name = name;
    return prim_spawn(loop, &w->co, name);
}

START_TEST(test_event_set_wakes_every_waiter)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_event_new(&EV), 0);
    co_task *t[3] = {spawn_ev_waiter(loop, "a"), spawn_ev_waiter(loop, "b"),
                     spawn_ev_waiter(loop, "c")};
    prim_run_once(loop);
    prim_run_once(loop);
    ck_assert_str_eq(prim_log, "");
    co_event_set(EV);
    ck_assert(co_event_is_set(EV));
    prim_run_idle(loop, 10);
    ck_assert_str_eq(prim_log, "a b c");
    for (int i = 0; i < 3; i++)
        co_task_unref(t[i]);
    ck_assert_int_eq(co_event_free(EV), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_event_wait_on_a_set_event_returns_at_once_and_clear_resets)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_event_new(&EV), 0);
    co_event_set(EV);
    co_task *a = spawn_ev_waiter(loop, "a");
    prim_run_once(loop);
    ck_assert(co_task_done(a));
    co_event_clear(EV);
    ck_assert(!co_event_is_set(EV));
    co_task *b = spawn_ev_waiter(loop, "b");
    prim_run_once(loop);
    prim_run_once(loop);
    ck_assert(!co_task_done(b));
    co_task_cancel(b);
    prim_run_idle(loop, 10);
    ck_assert(co_task_cancelled(b));
    ck_assert_str_eq(prim_log, "a");
    co_task_unref(a);
    co_task_unref(b);
    ck_assert_int_eq(co_event_free(EV), 0); /* the cancelled waiter left */
    co_loop_close(loop);
}
END_TEST

/* ---- Lock --------------------------------------------------------------- */

/* Takes the lock, logs, yields `hold` times while holding it, releases. */
struct locker {
    co_coro co;
    const char *name;
    int hold;
    co_wait_op op;
};

static int locker_fn(co_coro *co)
{
    struct locker *self = (struct locker *)co;
    CO_BEGIN(co);
    CO_LOCK_ACQUIRE(co, &self->op, LOCK);
    prim_logf("%s", self->name);
    while (self->hold-- > 0)
        CO_YIELD(co);
    ck_assert_int_eq(co_lock_release(LOCK), 0);
    CO_END(co);
}

static co_task *spawn_locker(co_loop *loop, const char *name, int hold)
{
    struct locker *l = CO_NEW(struct locker, locker_fn);
    l->name = name;
    l->hold = hold;
    return prim_spawn(loop, &l->co, name);
}

START_TEST(test_release_of_an_unlocked_lock_is_enotlocked)
{
    ck_assert_int_eq(co_lock_new(&LOCK), 0);
    ck_assert_int_eq(co_lock_release(LOCK), CO_ENOTLOCKED);
    ck_assert_int_eq(co_lock_release(NULL), CO_EINVAL);
    ck_assert(!co_lock_locked(LOCK));
    ck_assert_str_ne(co_strerror(CO_ENOTLOCKED), "unknown error");
    co_lock_free(LOCK);
}
END_TEST

START_TEST(test_lock_is_fifo_fair_even_against_a_newcomer)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_lock_new(&LOCK), 0);
    co_task *a = spawn_locker(loop, "a", 2);
    co_task *b = spawn_locker(loop, "b", 0);
    co_task *c = spawn_locker(loop, "c", 0);
    prim_run_once(loop); /* a holds; b, c wait */
    ck_assert(co_lock_locked(LOCK));
    prim_run_once(loop);
    prim_run_once(loop); /* a releases: b is woken but has not run yet */
    co_task *d = spawn_locker(loop, "d", 0); /* d arrives now */
    prim_run_idle(loop, 20);
    ck_assert_str_eq(prim_log, "a b c d");
    ck_assert(!co_lock_locked(LOCK));
    co_task_unref(a);
    co_task_unref(b);
    co_task_unref(c);
    co_task_unref(d);
    ck_assert_int_eq(co_lock_free(LOCK), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelled_waiting_acquire_does_not_take_the_lock)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_lock_new(&LOCK), 0);
    co_task *a = spawn_locker(loop, "a", 1);
    co_task *b = spawn_locker(loop, "b", 0);
    co_task *c = spawn_locker(loop, "c", 0);
    prim_run_once(loop);
    co_task_cancel(b);
    prim_run_idle(loop, 20);
    ck_assert(co_task_cancelled(b));
    ck_assert_str_eq(prim_log, "a c");
    ck_assert(!co_lock_locked(LOCK));
    co_task_unref(a);
    co_task_unref(b);
    co_task_unref(c);
    co_lock_free(LOCK);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_acquire_cancelled_after_wakeup_passes_the_lock_on)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_lock_new(&LOCK), 0);
    co_task *a = spawn_locker(loop, "a", 1);
    co_task *b = spawn_locker(loop, "b", 0);
    co_task *c = spawn_locker(loop, "c", 0);
    prim_run_once(loop); /* a holds, yields once */
    prim_run_once(loop); /* a released: b woken, not yet run */
    ck_assert(!co_lock_locked(LOCK));
    co_task_cancel(b);
    prim_run_idle(loop, 20); /* c must get it, or it waits for ever */
    ck_assert(co_task_cancelled(b));
    ck_assert_str_eq(prim_log, "a c");
    ck_assert(!co_lock_locked(LOCK));
    co_task_unref(a);
    co_task_unref(b);
    co_task_unref(c);
    co_lock_free(LOCK);
    co_loop_close(loop);
}
END_TEST

/* ---- Semaphore ---------------------------------------------------------- */

struct semer {
    co_coro co;
    const char *name;
    int hold;
    co_wait_op op;
};

static int semer_fn(co_coro *co)
{
    struct semer *self = (struct semer *)co;
    CO_BEGIN(co);
    CO_SEMAPHORE_ACQUIRE(co, &self->op, SEM);
    prim_logf("%s", self->name);
    while (self->hold-- > 0)
        CO_YIELD(co);
    co_semaphore_release(SEM);
    CO_END(co);
}

static co_task *spawn_semer(co_loop *loop, const char *name, int hold)
{
    struct semer *s = CO_NEW(struct semer, semer_fn);
    s->name = name;
    s->hold = hold;
    return prim_spawn(loop, &s->co, name);
}

START_TEST(test_semaphore_counts_and_rejects_a_negative_value)
{
    ck_assert_int_eq(co_semaphore_new(&SEM, -1), CO_EINVAL);
    ck_assert_int_eq(co_semaphore_new(&SEM, 2), 0);
    ck_assert_int_eq(co_semaphore_value(SEM), 2);
    ck_assert(!co_semaphore_locked(SEM));
    ck_assert_int_eq(co_semaphore_release(SEM), 0); /* plain: no bound */
    ck_assert_int_eq(co_semaphore_value(SEM), 3);
    co_semaphore_free(SEM);
}
END_TEST

START_TEST(test_bounded_semaphore_released_too_often_is_eoverrelease)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_bounded_semaphore_new(&SEM, 1), 0);
    ck_assert_int_eq(co_semaphore_release(SEM), CO_EOVERRELEASE);
    ck_assert_int_eq(co_semaphore_value(SEM), 1);
    co_task *a = spawn_semer(loop, "a", 0);
    prim_run_idle(loop, 10);
    ck_assert_int_eq(co_semaphore_value(SEM), 1);
    ck_assert_int_eq(co_semaphore_release(SEM), CO_EOVERRELEASE);
    ck_assert_str_ne(co_strerror(CO_EOVERRELEASE), "unknown error");
    co_task_unref(a);
    co_semaphore_free(SEM);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_semaphore_release_hands_the_place_to_the_first_waiter)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_semaphore_new(&SEM, 1), 0);
    co_task *a = spawn_semer(loop, "a", 2);
    co_task *b = spawn_semer(loop, "b", 0);
    prim_run_once(loop); /* a has it, b waits */
    ck_assert(co_semaphore_locked(SEM));
    prim_run_once(loop);
    prim_run_once(loop); /* a released: handed to b */
    ck_assert_int_eq(co_semaphore_value(SEM), 0);
    co_task *c = spawn_semer(loop, "c", 0); /* a newcomer cannot jump in */
    prim_run_idle(loop, 20);
    ck_assert_str_eq(prim_log, "a b c");
    ck_assert_int_eq(co_semaphore_value(SEM), 1);
    co_task_unref(a);
    co_task_unref(b);
    co_task_unref(c);
    co_semaphore_free(SEM);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelled_waiting_semaphore_acquire_keeps_the_count)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_semaphore_new(&SEM, 0), 0);
    co_task *a = spawn_semer(loop, "a", 0);
    co_task *b = spawn_semer(loop, "b", 0);
    prim_run_once(loop);
    co_task_cancel(a);
    prim_run_until(loop, a, 10);
    ck_assert_int_eq(co_semaphore_value(SEM), 0);
    co_semaphore_release(SEM);
    prim_run_idle(loop, 10);
    ck_assert_str_eq(prim_log, "b");
    ck_assert_int_eq(co_semaphore_value(SEM), 1);
    co_task_unref(a);
    co_task_unref(b);
    co_semaphore_free(SEM);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_semaphore_acquire_cancelled_after_wakeup_gives_the_place_on)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_semaphore_new(&SEM, 0), 0);
    co_task *a = spawn_semer(loop, "a", 0);
    co_task *b = spawn_semer(loop, "b", 0);
    prim_run_once(loop);
    co_semaphore_release(SEM); /* handed to a ... */
    co_task_cancel(a);         /* ... cancelled before it runs */
    prim_run_idle(loop, 20);
    ck_assert(co_task_cancelled(a));
    ck_assert_str_eq(prim_log, "b");
    ck_assert_int_eq(co_semaphore_value(SEM), 1);
    co_task_unref(a);
    co_task_unref(b);
    co_semaphore_free(SEM);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_semaphore_acquire_cancelled_after_wakeup_with_nobody_next)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_semaphore_new(&SEM, 0), 0);
    co_task *a = spawn_semer(loop, "a", 0);
    prim_run_once(loop);
    co_semaphore_release(SEM);
    co_task_cancel(a);
    prim_run_idle(loop, 20);
    ck_assert_int_eq(co_semaphore_value(SEM), 1); /* the place came back */
    co_task_unref(a);
    co_semaphore_free(SEM);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_semaphore_release_at_long_max_refuses_instead_of_overflowing)
{
    ck_assert_int_eq(co_semaphore_new(&SEM, LONG_MAX), 0);
    ck_assert(!co_semaphore_locked(SEM));
    ck_assert_int_eq(co_semaphore_release(SEM), CO_EOVERFLOW);
    ck_assert_int_eq(co_semaphore_value(SEM), LONG_MAX); /* unchanged */
    ck_assert_str_ne(co_strerror(CO_EOVERFLOW), "unknown error");
    co_semaphore_free(SEM);
    /* One below the top: one release fits, the next one does not. */
    ck_assert_int_eq(co_semaphore_new(&SEM, LONG_MAX - 1), 0);
    ck_assert_int_eq(co_semaphore_release(SEM), 0);
    ck_assert_int_eq(co_semaphore_value(SEM), LONG_MAX);
    ck_assert_int_eq(co_semaphore_release(SEM), CO_EOVERFLOW);
    co_semaphore_free(SEM);
    /* A bounded one at LONG_MAX is at its bound before it can overflow. */
    ck_assert_int_eq(co_bounded_semaphore_new(&SEM, LONG_MAX), 0);
    ck_assert_int_eq(co_semaphore_release(SEM), CO_EOVERRELEASE);
    ck_assert_int_eq(co_semaphore_value(SEM), LONG_MAX);
    co_semaphore_free(SEM);
}
END_TEST

/* ---- Condition ---------------------------------------------------------- */

static int cond_ready;

/* async with cond: while not ready: await cond.wait(); log */
struct cwaiter {
    co_coro co;
    const char *name;
    co_wait_op lock_op;
    co_condition_op op;
    int held_in_finally;
};

static int cwaiter_fn(co_coro *co)
{
    struct cwaiter *self = (struct cwaiter *)co;
    CO_BEGIN(co);
    CO_LOCK_ACQUIRE(co, &self->lock_op, co_condition_lock(COND));
    while (!cond_ready)
        CO_CONDITION_WAIT(co, &self->op, COND);
    ck_assert(co_lock_locked(co_condition_lock(COND)));
    prim_logf("%s", self->name);
    CO_FINALLY(co);
    if (co->err != CO_ENOTLOCKED) {
        /* After the wait, even a cancelled one, the lock is held again. */
        self->held_in_finally = co_lock_locked(co_condition_lock(COND));
        prim_logf("%s:%s", self->name, self->held_in_finally ? "held" : "free");
        co_lock_release(co_condition_lock(COND));
    }
    CO_END(co);
}

static co_task *spawn_cwaiter(co_loop *loop, const char *name)
{
    struct cwaiter *w = CO_NEW(struct cwaiter, cwaiter_fn);
    w->name = name;
    return prim_spawn(loop, &w->co, name);
}

/* Waits on the condition without taking its lock first. */
struct bad_cwaiter {
    co_coro co;
    co_condition_op op;
};

static int bad_cwaiter_fn(co_coro *co)
{
    struct bad_cwaiter *self = (struct bad_cwaiter *)co;
    CO_BEGIN(co);
    CO_CONDITION_WAIT(co, &self->op, COND);
    CO_END(co);
}

START_TEST(test_condition_wait_and_notify_without_the_lock_are_enotlocked)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_condition_new(&COND, NULL), 0);
    ck_assert_int_eq(co_condition_notify(COND, 1), CO_ENOTLOCKED);
    ck_assert_int_eq(co_condition_notify_all(COND), CO_ENOTLOCKED);
    co_task *t = prim_spawn(loop, &CO_NEW(struct bad_cwaiter, bad_cwaiter_fn)->co, "bad");
    prim_run_idle(loop, 10);
    ck_assert_int_eq(prim_task_error(t), CO_ENOTLOCKED);
    co_task_unref(t);
    ck_assert_int_eq(co_condition_free(COND), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_condition_notify_wakes_one_and_notify_all_the_rest)
{
    co_loop *loop = prim_loop();
    cond_ready = 0;
    ck_assert_int_eq(co_condition_new(&COND, NULL), 0);
    co_task *t[3] = {spawn_cwaiter(loop, "a"), spawn_cwaiter(loop, "b"),
                     spawn_cwaiter(loop, "c")};
    prim_run_once(loop);
    prim_run_once(loop);
    prim_run_once(loop);
    ck_assert(!co_lock_locked(co_condition_lock(COND)));
    cond_ready = 1;
    co_lock *lock = co_condition_lock(COND);
    /* notify needs the lock held */
    ck_assert_int_eq(co_condition_notify(COND, 1), CO_ENOTLOCKED);
    prim_log_reset();
    /* Take the lock by hand: a free lock with nobody in line. */
    {
        co_wait_op op;
        co_lock_acquire_op(&op, lock);
        ck_assert_int_eq(co_coro_step(&op.co), CO_STATUS_DONE);
        ck_assert_int_eq(co_coro_error(&op.co, NULL), 0);
    }
    ck_assert_int_eq(co_condition_notify(COND, 1), 1);
    co_lock_release(lock);
    prim_run_once(loop);
    prim_run_once(loop);
    prim_run_once(loop);
    ck_assert_str_eq(prim_log, "a a:held");
    {
        co_wait_op op;
        co_lock_acquire_op(&op, lock);
        ck_assert_int_eq(co_coro_step(&op.co), CO_STATUS_DONE);
    }
    ck_assert_int_eq(co_condition_notify_all(COND), 2);
    co_lock_release(lock);
    prim_run_idle(loop, 20);
    ck_assert_str_eq(prim_log, "a a:held b b:held c c:held");
    for (int i = 0; i < 3; i++)
        co_task_unref(t[i]);
    ck_assert_int_eq(co_condition_free(COND), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelled_condition_wait_still_holds_the_lock_again)
{
    co_loop *loop = prim_loop();
    cond_ready = 0;
    ck_assert_int_eq(co_condition_new(&COND, NULL), 0);
    co_task *a = spawn_cwaiter(loop, "a");
    prim_run_once(loop);
    ck_assert(!co_lock_locked(co_condition_lock(COND)));
    co_task_cancel(a);
    prim_run_idle(loop, 20);
    ck_assert(co_task_cancelled(a));
    ck_assert_str_eq(prim_log, "a:held");
    ck_assert(!co_lock_locked(co_condition_lock(COND)));
    co_task_unref(a);
    ck_assert_int_eq(co_condition_free(COND), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_condition_with_a_shared_lock_leaves_the_lock_to_its_owner)
{
    co_lock *lock;
    ck_assert_int_eq(co_lock_new(&lock), 0);
    ck_assert_int_eq(co_condition_new(&COND, lock), 0);
    ck_assert_ptr_eq(co_condition_lock(COND), lock);
    ck_assert_int_eq(co_condition_free(COND), 0);
    ck_assert_int_eq(co_lock_release(lock), CO_ENOTLOCKED); /* still alive */
    ck_assert_int_eq(co_lock_free(lock), 0);
}
END_TEST

START_TEST(test_free_refuses_while_a_lock_waiter_is_queued)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_lock_new(&LOCK), 0);
    co_task *a = spawn_locker(loop, "a", 3);
    co_task *b = spawn_locker(loop, "b", 0);
    prim_run_once(loop);
    ck_assert_int_eq(co_lock_free(LOCK), CO_EBUSY);
    prim_run_idle(loop, 20);
    co_task_unref(a);
    co_task_unref(b);
    ck_assert_int_eq(co_lock_free(LOCK), 0);
    co_loop_close(loop);
}
END_TEST

static Suite *locks_suite(void)
{
    Suite *s = suite_create("locks");
    TCase *tc = tcase_create("event");
    tcase_add_test(tc, test_event_set_wakes_every_waiter);
    tcase_add_test(tc, test_event_wait_on_a_set_event_returns_at_once_and_clear_resets);
    prim_add_case(s, tc);
    tc = tcase_create("lock");
    tcase_add_test(tc, test_release_of_an_unlocked_lock_is_enotlocked);
    tcase_add_test(tc, test_lock_is_fifo_fair_even_against_a_newcomer);
    tcase_add_test(tc, test_cancelled_waiting_acquire_does_not_take_the_lock);
    tcase_add_test(tc, test_acquire_cancelled_after_wakeup_passes_the_lock_on);
    tcase_add_test(tc, test_free_refuses_while_a_lock_waiter_is_queued);
    prim_add_case(s, tc);
    tc = tcase_create("semaphore");
    tcase_add_test(tc, test_semaphore_counts_and_rejects_a_negative_value);
    tcase_add_test(tc, test_bounded_semaphore_released_too_often_is_eoverrelease);
    tcase_add_test(tc, test_semaphore_release_hands_the_place_to_the_first_waiter);
    tcase_add_test(tc, test_cancelled_waiting_semaphore_acquire_keeps_the_count);
    tcase_add_test(tc, test_semaphore_acquire_cancelled_after_wakeup_gives_the_place_on);
    tcase_add_test(tc, test_semaphore_acquire_cancelled_after_wakeup_with_nobody_next);
    tcase_add_test(tc, test_semaphore_release_at_long_max_refuses_instead_of_overflowing);
    prim_add_case(s, tc);
    tc = tcase_create("condition");
    tcase_add_test(tc, test_condition_wait_and_notify_without_the_lock_are_enotlocked);
    tcase_add_test(tc, test_condition_notify_wakes_one_and_notify_all_the_rest);
    tcase_add_test(tc, test_cancelled_condition_wait_still_holds_the_lock_again);
    tcase_add_test(tc, test_condition_with_a_shared_lock_leaves_the_lock_to_its_owner);
    prim_add_case(s, tc);
    return s;
}

int main(void)
{
    return prim_main(locks_suite());
}
