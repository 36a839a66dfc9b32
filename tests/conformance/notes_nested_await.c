/* notes_nested_await: awaiting a coroutine runs it inside the caller (no
 * new task: CO_AWAIT_CORO), and the caller gets its return value; two
 * awaits in a row run one after the other, not at the same time. */
#include "conformance.h"

struct others {
    co_coro co;
    int n;
};

static int others(co_coro *co)
{
    struct others *self = (struct others *)co;
    CO_BEGIN(co);
    trace("others %d: start", self->n);
    CO_SLEEP(co, 0.01);
    trace("others %d: end", self->n);
    CO_RETURN(co, self->n);
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct others child;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long r = 0;
    CO_BEGIN(co);
    trace("main: before the first await");
    co_coro_init(&self->child.co, others);
    self->child.n = 1;
    CO_AWAIT_CORO(co, &self->child.co);
    co_coro_result_int(&self->child.co, &r);
    trace("main: got value %lld", r);
    co_coro_init(&self->child.co, others);
    self->child.n = 2;
    CO_AWAIT_CORO(co, &self->child.co);
    co_coro_result_int(&self->child.co, &r);
    trace("main: got value %lld", r);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
