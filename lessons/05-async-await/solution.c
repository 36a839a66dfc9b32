/* solution.c - lesson 05: the reference sum_two(). */
#include "exercise.h"

int sum_two(co_coro *co)
{
    struct sum_two *self = (struct sum_two *)co;
    long long a = 0, b = 0; /* used only after the last await: safe */
    CO_BEGIN(co);

    co_coro_init(&self->a.co, fetch);
    self->a.delay = self->delay_a;
    self->a.value = self->value_a;
    self->a.fail = self->fail_a;
    CO_AWAIT_CORO(co, &self->a.co); /* a failure here propagates: b never starts */

    co_coro_init(&self->b.co, fetch);
    self->b.delay = self->delay_b;
    self->b.value = self->value_b;
    self->b.fail = 0;
    CO_AWAIT_CORO(co, &self->b.co);

    /* The children's frames keep their results: read both now. */
    co_coro_result_int(&self->a.co, &a);
    co_coro_result_int(&self->b.co, &b);
    CO_RETURN(co, a + b);
    CO_END(co);
}
