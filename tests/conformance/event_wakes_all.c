/* event_wakes_all: Event.set() wakes every waiter, in the order they began
 * waiting; a wait on an event already set returns at once. */
#include "conformance.h"

struct waiter {
    co_coro co;
    const char *name;
    co_event *ev;
    co_wait_op op;
};

static int waiter(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    CO_BEGIN(co);
    trace("%s waits", self->name);
    CO_EVENT_WAIT(co, &self->op, self->ev);
    trace("%s woken", self->name);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_event *ev;
    co_task *t[3];
    co_wait_op op;
    int i;
};

static int main_co(co_coro *co)
{
    static const char *names[] = {"a", "b", "c"};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_event_new(&self->ev);
    for (int i = 0; i < 3; i++) {
        struct waiter *w = CO_NEW(struct waiter, waiter);
        w->name = names[i];
        w->ev = self->ev;
        self->t[i] = spawn(&w->co, NULL);
    }
    CO_YIELD(co);
    trace("main sets the event");
    co_event_set(self->ev);
    for (self->i = 0; self->i < 3; self->i++)
        CO_AWAIT(co, self->t[self->i]);
    CO_EVENT_WAIT(co, &self->op, self->ev);
    trace("a wait on a set event returns at once");
    CO_FINALLY(co);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
    co_event_free(m.ev);
}
