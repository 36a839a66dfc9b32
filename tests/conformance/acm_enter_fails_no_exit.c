/* acm_enter_fails_no_exit: when enter fails, neither the body nor exit
 * runs; the failure (ValueError here is CO_EUSER) reaches the code around
 * the async with, caught with CO_AWAIT_CORO_CATCH on the construct. */
#include "conformance.h"

struct flaky {
    co_acm cm;
};

static int flaky_enter(co_coro *co)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    trace("enter: fails");
    CO_RAISE(co, CO_EUSER, "no connection");
    CO_END(co);
}

static int flaky_exit(co_coro *co)
{
    CO_BEGIN(co);
    trace("exit: runs (it must not)");
    CO_END(co);
}

static int body(co_coro *co)
{
    CO_BEGIN(co);
    trace("body: runs (it must not)");
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct flaky mgr;
    co_coro body;
    co_async_with with;
    int err;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_acm_init(&self->mgr.cm, flaky_enter, flaky_exit);
    co_coro_init(&self->body, body);
    co_async_with_op(&self->with, &self->mgr.cm, &self->body);
    CO_AWAIT_CORO_CATCH(co, co__async_with_frame(&self->with), self->err);
    if (self->err == CO_EUSER)
        trace("caught: %s", co_caught_message());
    trace("after the with");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
