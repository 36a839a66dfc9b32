/* queue_getters_fifo: consumers waiting on an empty Queue are served in the
 * order they started waiting, one item each; a bounded queue makes a
 * producer wait for room. */
#include "conformance.h"

struct consumer {
    co_coro co;
    const char *name;
    co_queue *q;
    co_wait_op op;
    void *item;
};

static int consumer(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    CO_BEGIN(co);
    CO_QUEUE_GET(co, &self->op, self->q, self->item);
    trace("%s got %s", self->name, (char *)self->item);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_queue *q;
    co_task *c[3];
    co_wait_op op;
    int i;
};

static int main_co(co_coro *co)
{
    static const char *names[] = {"c1", "c2", "c3"};
    static char *items[] = {"x", "y", "z"};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_queue_new(&self->q, 1);
    for (int i = 0; i < 3; i++) {
        struct consumer *c = CO_NEW(struct consumer, consumer);
        c->name = names[i];
        c->q = self->q;
        self->c[i] = spawn(&c->co, NULL);
    }
    CO_YIELD(co);
    for (self->i = 0; self->i < 3; self->i++) {
        CO_QUEUE_PUT(co, &self->op, self->q, items[self->i]);
        trace("producer put %s", items[self->i]);
    }
    for (self->i = 0; self->i < 3; self->i++)
        CO_AWAIT(co, self->c[self->i]);
    trace("queue empty: %s", co_queue_empty(self->q) ? "True" : "False");
    CO_FINALLY(co);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->c[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
    co_queue_free(m.q);
}
