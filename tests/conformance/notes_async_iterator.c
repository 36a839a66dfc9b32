/* notes_async_iterator: an object with an anext drives async for; each item
 * may be awaited for, and CO_ESTOPITERATION (StopAsyncIteration) ends the
 * loop. */
#include "conformance.h"

struct reader {
    co_aiter it;
    int count, last;
};

static int reader_anext(co_coro *co)
{
    struct reader *self = (struct reader *)co;
    CO_BEGIN(co);
    CO_YIELD(co); /* readline() awaits something for each line */
    self->count++;
    if (self->count > self->last)
        CO_RAISE(co, CO_ESTOPITERATION, NULL);
    CO_RETURN(co, self->count);
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct reader r;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long item = 0;
    CO_BEGIN(co);
    co_aiter_init(&self->r.it, reader_anext, NULL);
    self->r.last = 4;
    CO_ASYNC_FOR(co, &self->r.it)
        co_aiter_value_int(&self->r.it, &item);
        trace("item %lld", item);
    CO_ASYNC_FOR_END(co, &self->r.it);
    trace("async for ended");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
