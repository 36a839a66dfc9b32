/* condition_notify: Condition.notify(n) wakes the n longest waiters, in the
 * order they began waiting, and notify_all() wakes the rest; a woken waiter
 * returns from wait() only once it holds the lock again, so it cannot run
 * while the notifier still holds it. notify() with nobody waiting does
 * nothing. (`async with cond:` is CO_LOCK_ACQUIRE on its lock, then
 * co_lock_release.) */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct waiter {
    co_coro co;
    const char *name;
    co_condition *cond;
    co_wait_op lock_op;
    co_condition_op wait_op;
};

static int waiter(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    CO_BEGIN(co);
    CO_LOCK_ACQUIRE(co, &self->lock_op, co_condition_lock(self->cond));
    trace("%s waits", self->name);
    CO_CONDITION_WAIT(co, &self->wait_op, self->cond);
    trace("%s woken, holds the lock: %s", self->name,
          TF(co_lock_locked(co_condition_lock(self->cond))));
    co_lock_release(co_condition_lock(self->cond));
    CO_END(co);
}

static co_task *start(const char *name, co_condition *cond)
{
    struct waiter *w = CO_NEW(struct waiter, waiter);
    w->name = name;
    w->cond = cond;
    return spawn(&w->co, NULL);
}

struct main_f {
    co_coro co;
    co_condition *cond;
    co_task *t[5];
    co_wait_op op;
};

static int main_co(co_coro *co)
{
    static const char *names[] = {"w1", "w2", "w3", "w4"};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_condition_new(&self->cond, NULL);
    for (int i = 0; i < 4; i++)
        self->t[i] = start(names[i], self->cond);
    CO_YIELD(co);

    CO_LOCK_ACQUIRE(co, &self->op, co_condition_lock(self->cond));
    trace("main: notify(1)");
    co_condition_notify(self->cond, 1);
    CO_YIELD(co); /* w1 is woken, but the lock is main's */
    trace("main: still holds the lock");
    co_lock_release(co_condition_lock(self->cond));
    CO_AWAIT(co, self->t[0]);

    CO_LOCK_ACQUIRE(co, &self->op, co_condition_lock(self->cond));
    trace("main: notify(2)");
    co_condition_notify(self->cond, 2);
    co_lock_release(co_condition_lock(self->cond));
    CO_AWAIT(co, self->t[1]);
    CO_AWAIT(co, self->t[2]);

    self->t[4] = start("w5", self->cond);
    CO_YIELD(co);
    CO_LOCK_ACQUIRE(co, &self->op, co_condition_lock(self->cond));
    trace("main: notify_all()");
    co_condition_notify_all(self->cond);
    co_lock_release(co_condition_lock(self->cond));
    CO_AWAIT(co, self->t[3]);
    CO_AWAIT(co, self->t[4]);

    CO_LOCK_ACQUIRE(co, &self->op, co_condition_lock(self->cond));
    co_condition_notify(self->cond, 1);
    trace("main: notify() with nobody waiting does nothing");
    co_lock_release(co_condition_lock(self->cond));
    trace("main: locked at the end: %s",
          TF(co_lock_locked(co_condition_lock(self->cond))));
    CO_FINALLY(co);
    for (int i = 0; i < 5; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
    co_condition_free(m.cond);
}
