/* timeout_none: asyncio.timeout(None) is a scope without a deadline
 * (CO_NO_DEADLINE): the body runs to its end and nothing expires. */
#include <math.h>

#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct body {
    co_coro co;
    co_timeout *to;
};

static int body(co_coro *co)
{
    struct body *self = (struct body *)co;
    CO_BEGIN(co);
    trace("when() is None: %s", TF(isinf(co_timeout_when(self->to))));
    CO_SLEEP(co, 0.02);
    trace("body done; expired() = %s", TF(co_timeout_expired(self->to)));
    CO_END(co);
}

static int one_yield(co_coro *co)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_timeout to;
    struct body body;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_coro_init(&self->body.co, body);
    self->body.to = &self->to;
    CO_TIMEOUT(co, &self->to, CO_NO_DEADLINE, &self->body.co);
    trace("left; expired() = %s", TF(co_timeout_expired(&self->to)));

    co_coro_init(&self->body.co, one_yield);
    CO_TIMEOUT_AT(co, &self->to, CO_NO_DEADLINE, &self->body.co);
    trace("timeout_at(None) too; expired() = %s",
          TF(co_timeout_expired(&self->to)));
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
