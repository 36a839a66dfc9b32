/* asend_athrow_aclose: driving an async generator by hand. asend(v)
 * resumes it at its yield with v and returns the next item; athrow raises
 * at the yield (this generator catches CO_EFAIL, ValueError here, with
 * CO_AGEN_YIELD_CATCH and yields -1); aclose raises CO_EGENEXIT there and
 * its cleanup runs, awaiting. Then the misuses: asend on a finished
 * generator (CO_ESTOPITERATION), athrow on one (nothing, as CPython
 * 3.11), and a value sent to one that never started (CO_EAGENFRESH,
 * Python's TypeError). */
#include "conformance.h"

struct echo {
    co_agen gen;
    long long n;
    int caught;
};

static int echo(co_coro *co)
{
    struct echo *self = (struct echo *)co;
    long long x = 0;
    CO_BEGIN(co);
    self->n = 1;
    for (;;) {
        CO_AGEN_YIELD_CATCH(co, self->n, self->caught);
        if (self->caught == CO_EFAIL) {
            trace("echo: caught %s", co_caught_message());
            self->n = -1;
            continue;
        }
        if (self->caught) /* CO_EGENEXIT: the close goes on */
            CO_RAISE(co, self->caught, NULL);
        co_agen_sent_int(&self->gen, &x);
        trace("echo: got %lld", x);
        self->n = 2 * x;
    }
    CO_FINALLY(co);
    trace("echo: cleanup starts");
    CO_YIELD(co);
    trace("echo: cleanup ends");
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct echo gen, fresh;
    int err;
};

static long long item(struct main_f *self)
{
    long long v = 0;
    co_aiter_value_int(&self->gen.gen.it, &v);
    return v;
}

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_agen_init(&self->gen.gen, echo);
    CO_ANEXT(co, &self->gen.gen.it);
    trace("anext -> %lld", item(self));
    CO_ASEND(co, &self->gen.gen, 5);
    trace("asend(5) -> %lld", item(self));
    CO_ATHROW(co, &self->gen.gen, CO_EFAIL, "bad value");
    trace("athrow(ValueError) -> %lld", item(self));
    CO_ASEND(co, &self->gen.gen, 2);
    trace("asend(2) -> %lld", item(self));
    CO_ACLOSE(co, &self->gen.gen.it);
    trace("closed");
    CO_ASEND_CATCH(co, &self->gen.gen, 1, self->err);
    if (self->err == CO_ESTOPITERATION)
        trace("asend after the end: StopAsyncIteration");
    CO_ATHROW_CATCH(co, &self->gen.gen, CO_EFAIL, "late", self->err);
    if (self->err == 0)
        trace("athrow after the end -> None");
    co_agen_init(&self->fresh.gen, echo);
    CO_ASEND_CATCH(co, &self->fresh.gen, 3, self->err);
    if (self->err == CO_EAGENFRESH)
        trace("asend(3) to a fresh generator: TypeError");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
