/* await_done_future: awaiting a future (or task) that is already done does
 * not suspend: the result comes back at once and no other task runs
 * between. */
#include "conformance.h"

static int other(co_coro *co)
{
    CO_BEGIN(co);
    trace("other task runs");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_future *fut;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long v = 0;
    CO_BEGIN(co);
    co_future_new(LOOP(), &self->fut);
    co_future_set_result_int(self->fut, 5);
    spawn_detached(CO_NEW(co_coro, other), NULL);
    CO_AWAIT(co, self->fut);
    co_future_result_int(self->fut, &v);
    trace("got %lld without giving the loop back", v);
    CO_YIELD(co);
    trace("main after a real suspension");
    co_future_unref(self->fut);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
