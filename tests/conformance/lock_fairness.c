/* lock_fairness: a Lock is handed to its waiters first come, first served;
 * a newcomer arriving while others wait queues behind them even if the
 * lock happens to be free at that instant. */
#include "conformance.h"

struct worker {
    co_coro co;
    const char *name;
    co_lock *lock;
    co_wait_op op;
};

static int worker(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    CO_BEGIN(co);
    CO_LOCK_ACQUIRE(co, &self->op, self->lock);
    trace("%s holds the lock", self->name);
    CO_SLEEP(co, 0.01);
    co_lock_release(self->lock);
    trace("%s released it", self->name);
    CO_END(co);
}

static co_task *start(const char *name, co_lock *lock)
{
    struct worker *w = CO_NEW(struct worker, worker);
    w->name = name;
    w->lock = lock;
    return spawn(&w->co, NULL);
}

struct main_f {
    co_coro co;
    co_lock *lock;
    co_task *t[4];
    co_wait_op op;
    int i;
};

static int main_co(co_coro *co)
{
    static const char *names[] = {"w1", "w2", "w3"};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_lock_new(&self->lock);
    CO_LOCK_ACQUIRE(co, &self->op, self->lock);
    for (int i = 0; i < 3; i++)
        self->t[i] = start(names[i], self->lock);
    CO_YIELD(co);
    trace("main releases; waiting: w1 w2 w3");
    co_lock_release(self->lock);
    self->t[3] = start("late", self->lock);
    for (self->i = 0; self->i < 4; self->i++)
        CO_AWAIT(co, self->t[self->i]);
    trace("locked at the end: %s", co_lock_locked(self->lock) ? "True" : "False");
    CO_FINALLY(co);
    for (int i = 0; i < 4; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
    co_lock_free(m.lock);
}
