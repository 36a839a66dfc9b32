/* shutdown_asyncgens_cleanup: a task takes two items from an async
 * generator and ends, leaving it suspended at its yield. The generator
 * lives in that task's frame, which stays allocated for it. co_run closes
 * it at shutdown, as asyncio.run's shutdown_asyncgens does: CO_EGENEXIT
 * at the yield, and its cleanup runs, awaiting, before co_run returns.
 * (The twin keeps its generator in a list so that the garbage collector
 * does not close it first.) */
#include "conformance.h"

struct ticker {
    co_agen gen;
    long long i;
};

static int ticker(co_coro *co)
{
    struct ticker *self = (struct ticker *)co;
    CO_BEGIN(co);
    for (;;) {
        self->i++;
        CO_AGEN_YIELD(co, self->i);
    }
    CO_FINALLY(co);
    if (co->err == CO_EGENEXIT)
        trace("ticker: closed at its yield");
    trace("ticker: cleanup starts");
    CO_YIELD(co);
    trace("ticker: cleanup ends");
    CO_END(co);
}

struct consumer {
    co_coro co;
    struct ticker gen; /* in the task's own frame */
};

static int consumer(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    long long x = 0;
    CO_BEGIN(co);
    co_agen_init(&self->gen.gen, ticker);
    CO_ANEXT(co, &self->gen.gen.it);
    co_aiter_value_int(&self->gen.gen.it, &x);
    trace("consumer got %lld", x);
    CO_ANEXT(co, &self->gen.gen.it);
    co_aiter_value_int(&self->gen.gen.it, &x);
    trace("consumer got %lld", x);
    trace("consumer ends; the generator stays suspended");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t = spawn(&CO_NEW(struct consumer, consumer)->co, NULL);
    CO_AWAIT(co, self->t);
    trace("main ends");
    CO_FINALLY(co);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
    trace("after asyncio.run");
}
