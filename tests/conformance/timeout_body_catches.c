/* timeout_body_catches: a body that catches the cancellation and returns
 * normally ends the scope normally: no CO_ETIMEDOUT, but expired() says
 * the deadline passed, and the count of cancel requests is back at 0. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct body {
    co_coro co;
    int caught;
};

static int body(co_coro *co)
{
    struct body *self = (struct body *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("body: caught the cancellation, cancelling() = %d",
              co_task_cancelling(co_current_task(NULL)));
    trace("body: returns normally");
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
    CO_TIMEOUT(co, &self->to, 0.02, &self->body.co);
    trace("after the scope: expired() = %s cancelling() = %d",
          TF(co_timeout_expired(&self->to)),
          co_task_cancelling(co_current_task(NULL)));
    CO_YIELD(co);
    trace("main: still runs");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
