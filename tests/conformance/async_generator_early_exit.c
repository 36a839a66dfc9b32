/* async_generator_early_exit: an async generator consumed with async for.
 * Run to its end, its cleanup (CO_FINALLY) runs after the last item; left
 * early with break, it is closed: CO_EGENEXIT (GeneratorExit) is raised at
 * the yield where it stopped, and its cleanup runs - and may await - before
 * the code after the loop. CO_ASYNC_FOR_END closes it at once, as CPython
 * does under contextlib.aclosing (the twin uses it: an abandoned generator
 * is otherwise closed whenever the garbage collector gets to it). */
#include "conformance.h"

struct ticker {
    co_agen gen;
    const char *name;
    int n, i;
};

static int ticker(co_coro *co)
{
    struct ticker *self = (struct ticker *)co;
    CO_BEGIN(co);
    for (self->i = 1; self->i <= self->n; self->i++) {
        CO_YIELD(co);
        trace("%s yields %d", self->name, self->i);
        CO_AGEN_YIELD(co, self->i);
    }
    trace("%s exhausted", self->name);
    CO_FINALLY(co);
    if (co->err == CO_EGENEXIT)
        trace("%s closed early at the yield", self->name);
    trace("%s cleanup starts", self->name);
    CO_YIELD(co);
    trace("%s cleanup ends", self->name);
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct ticker g1, g2;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long i = 0;
    CO_BEGIN(co);
    co_agen_init(&self->g1.gen, ticker);
    self->g1.name = "g1";
    self->g1.n = 2;
    CO_ASYNC_FOR(co, &self->g1.gen.it)
        co_aiter_value_int(&self->g1.gen.it, &i);
        trace("main got %lld", i);
    CO_ASYNC_FOR_END(co, &self->g1.gen.it);
    trace("main: after the first loop");

    co_agen_init(&self->g2.gen, ticker);
    self->g2.name = "g2";
    self->g2.n = 5;
    CO_ASYNC_FOR(co, &self->g2.gen.it)
        co_aiter_value_int(&self->g2.gen.it, &i);
        trace("main got %lld", i);
        if (i == 2) {
            trace("main breaks");
            break;
        }
    CO_ASYNC_FOR_END(co, &self->g2.gen.it);
    trace("main: after the second loop");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
