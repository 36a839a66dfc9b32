/* notes_gather_vs_wait: gather hands back the results as a list in
 * argument order; wait hands back two sets, done and pending, and the
 * results stay in the tasks. */
#include "conformance.h"

struct demo {
    co_coro co;
    int x;
};

static int demo_exp(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->x / 100.0);
    CO_RETURN(co, self->x);
    CO_END(co);
}

static co_future *start(int x)
{
    struct demo *d = CO_NEW(struct demo, demo_exp);
    d->x = x;
    return co_task_future(spawn(&d->co, NULL));
}

struct main_f {
    co_coro co;
    co_future *items[2];
    co_future *outer;
};

static void drop(struct main_f *self)
{
    co_future_unref(self->outer);
    self->outer = NULL;
    for (int i = 0; i < 2; i++) {
        co_future_unref(self->items[i]);
        self->items[i] = NULL;
    }
}

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long a = 0, b = 0;
    CO_BEGIN(co);
    self->items[0] = start(5);
    self->items[1] = start(1);
    co_gather(LOOP(), self->items, 2, false, &self->outer);
    CO_AWAIT(co, self->outer);
    co_future_result_int(self->items[0], &a);
    co_future_result_int(self->items[1], &b);
    trace("gather: ['paused %lld', 'paused %lld']", a, b);
    drop(self);
    self->items[0] = start(5);
    self->items[1] = start(1);
    co_wait(LOOP(), self->items, 2, CO_NO_TIMEOUT, CO_ALL_COMPLETED,
            &self->outer);
    CO_AWAIT(co, self->outer);
    {
        size_t nd = 0, np = 0;
        co_wait_sets(self->items, 2, NULL, &nd, NULL, &np);
        trace("wait: done %zu pending %zu", nd, np);
    }
    co_future_result_int(self->items[0], &a);
    co_future_result_int(self->items[1], &b);
    trace("wait: results ['paused %lld', 'paused %lld']", b, a);
    CO_FINALLY(co);
    drop(self);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
