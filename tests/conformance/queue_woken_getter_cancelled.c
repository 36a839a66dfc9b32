/* queue_woken_getter_cancelled: put() wakes the first getter in line; if
 * that getter is cancelled before it gets to run, the wakeup is not lost:
 * it passes to the next getter, which takes the item. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct getter {
    co_coro co;
    const char *name;
    co_queue *q;
    co_wait_op op;
    void *item;
};

static int getter(co_coro *co)
{
    struct getter *self = (struct getter *)co;
    CO_BEGIN(co);
    CO_QUEUE_GET(co, &self->op, self->q, self->item);
    trace("%s got %s", self->name, (char *)self->item);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED)
        trace("%s cancelled after it was woken", self->name);
    CO_END(co);
}

static co_task *start(const char *name, co_queue *q)
{
    struct getter *g = CO_NEW(struct getter, getter);
    g->name = name;
    g->q = q;
    return spawn(&g->co, NULL);
}

struct main_f {
    co_coro co;
    co_queue *q;
    co_task *g[2];
    co_future *all;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_queue_new(&self->q, 0);
    self->g[0] = start("g1", self->q);
    self->g[1] = start("g2", self->q);
    CO_YIELD(co);
    co_queue_put_nowait(self->q, "x"); /* wakes g1 ... */
    co_task_cancel(self->g[0]);        /* ... which is cancelled before it runs */
    {
        co_future *items[2] = {co_task_future(self->g[0]),
                               co_task_future(self->g[1])};
        co_gather(LOOP(), items, 2, true, &self->all);
    }
    CO_AWAIT(co, self->all);
    trace("g1 cancelled: %s queue empty: %s", TF(co_task_cancelled(self->g[0])),
          TF(co_queue_empty(self->q)));
    CO_FINALLY(co);
    co_future_unref(self->all);
    co_task_unref(self->g[0]);
    co_task_unref(self->g[1]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
    co_queue_free(m.q);
}
