/* asynccontextmanager_shape: a context manager written as one async
 * generator (co_agen_cm, contextlib.asynccontextmanager's shape): the code
 * before the yield is the enter, the yielded value is `as f`, the code
 * after it the exit. A failure in the body is thrown in at the yield: a
 * generator that catches it swallows it; one that lets it go (its
 * CO_FINALLY still runs) passes it on. ValueError is CO_EUSER here. */
#include "conformance.h"

#include <stdio.h>

struct opened {
    co_agen gen;
    const char *name;
    int forgiving;
    int caught;
    char handle[32];
};

static int opened(co_coro *co)
{
    struct opened *self = (struct opened *)co;
    CO_BEGIN(co);
    trace("%s: open", self->name);
    CO_YIELD(co);
    snprintf(self->handle, sizeof self->handle, "%s-handle", self->name);
    CO_AGEN_YIELD_PTR_CATCH(co, self->handle, self->caught);
    if (self->caught == CO_EUSER && self->forgiving)
        trace("%s: swallowed %s", self->name, co_caught_message());
    else if (self->caught)
        CO_RAISE(co, self->caught, co_caught_message());
    CO_FINALLY(co);
    CO_YIELD(co);
    trace("%s: closed", self->name);
    CO_END(co);
}

struct body {
    co_coro co;
    co_acm *cm;
    int fail;
};

static int body(co_coro *co)
{
    struct body *self = (struct body *)co;
    void *f = NULL;
    CO_BEGIN(co);
    co_acm_value_ptr(self->cm, &f);
    trace("body got %s", (const char *)f);
    if (self->fail)
        CO_RAISE(co, CO_EUSER, "body broke");
    CO_END(co);
}

/* One `async with opened(name, forgiving) as f: body` and its parts. */
struct with_opened {
    struct opened gen;
    co_agen_cm mgr;
    struct body body;
    co_async_with with;
};

static co_async_with *prepare(struct with_opened *w, const char *name,
                              int forgiving, int fail)
{
    co_agen_init(&w->gen.gen, opened);
    w->gen.name = name;
    w->gen.forgiving = forgiving;
    co_agen_cm_init(&w->mgr, &w->gen.gen);
    co_coro_init(&w->body.co, body);
    w->body.cm = &w->mgr.cm;
    w->body.fail = fail;
    co_async_with_op(&w->with, &w->mgr.cm, &w->body.co);
    return &w->with;
}

struct main_f {
    co_coro co;
    struct with_opened a, b, c;
    int err;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    prepare(&self->a, "a", 0, 0); /* never inside the await: see coro.h */
    CO_AWAIT_CORO(co, co__async_with_frame(&self->a.with));
    prepare(&self->b, "b", 1, 1);
    CO_AWAIT_CORO(co, co__async_with_frame(&self->b.with));
    trace("after b");
    prepare(&self->c, "c", 0, 1);
    CO_AWAIT_CORO_CATCH(co, co__async_with_frame(&self->c.with), self->err);
    if (self->err == CO_EUSER)
        trace("the caller caught: %s", co_caught_message());
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
