/* acm_exit_suppresses: exit sees how the body ended (cm.exc and
 * cm.exc_message); returning 1 (True) swallows the failure, so the code
 * after the with runs as if nothing happened; returning 0 lets it go on
 * to the caller. ValueError is CO_EUSER here. */
#include "conformance.h"

struct guard {
    co_acm cm;
    int swallow;
};

static int guard_enter(co_coro *co)
{
    struct guard *self = (struct guard *)co;
    CO_BEGIN(co);
    trace("enter, swallow: %s", self->swallow ? "True" : "False");
    CO_END(co);
}

static int guard_exit(co_coro *co)
{
    struct guard *self = (struct guard *)co;
    CO_BEGIN(co);
    CO_YIELD(co);
    trace("exit sees: %s", self->cm.exc_message ? self->cm.exc_message
                                                : "None");
    CO_RETURN(co, self->swallow);
    CO_END(co);
}

static int broken_body(co_coro *co)
{
    CO_BEGIN(co);
    CO_RAISE(co, CO_EUSER, "body broke");
    CO_END(co);
}

struct guarded {
    co_coro co;
    struct guard g;
    co_coro body;
    co_async_with with;
};

static int guarded(co_coro *co)
{
    struct guarded *self = (struct guarded *)co;
    CO_BEGIN(co);
    co_acm_init(&self->g.cm, guard_enter, guard_exit);
    co_coro_init(&self->body, broken_body);
    CO_ASYNC_WITH(co, &self->with, &self->g.cm, &self->body);
    trace("after the with");
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct guarded a, b;
    int err;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_coro_init(&self->a.co, guarded);
    self->a.g.swallow = 1;
    CO_AWAIT_CORO(co, &self->a.co);
    co_coro_init(&self->b.co, guarded);
    self->b.g.swallow = 0;
    CO_AWAIT_CORO_CATCH(co, &self->b.co, self->err);
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
