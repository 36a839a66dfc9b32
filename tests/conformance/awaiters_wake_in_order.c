/* awaiters_wake_in_order: several tasks awaiting one future are its
 * done-callbacks, so they wake in the order they started waiting. */
#include "conformance.h"

struct waiter {
    co_coro co;
    const char *name;
    co_future *fut;
};

static int waiter(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    CO_BEGIN(co);
    trace("%s waits", self->name);
    CO_AWAIT(co, self->fut);
    trace("%s wakes with %s", self->name, outcome(self->fut));
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_future *fut;
    co_task *t[3];
    int i;
};

static int main_co(co_coro *co)
{
    static const char *names[] = {"w1", "w2", "w3"};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_future_new(LOOP(), &self->fut);
    for (int i = 0; i < 3; i++) {
        struct waiter *w = CO_NEW(struct waiter, waiter);
        w->name = names[i];
        w->fut = self->fut;
        self->t[i] = spawn(&w->co, NULL);
    }
    CO_YIELD(co);
    trace("main sets the result");
    co_future_set_result_int(self->fut, 42);
    for (self->i = 0; self->i < 3; self->i++)
        CO_AWAIT(co, self->t[self->i]);
    trace("main done");
    CO_FINALLY(co);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->t[i]);
    co_future_unref(self->fut);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
