/* timeout_reschedule: Timeout.reschedule() moves the deadline of an active
 * scope (from none to soon, or from soon to later); a scope that has
 * ended refuses to be rescheduled (CO_ESCOPE). */
#include <math.h>

#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct main_f {
    co_coro co;
    co_timeout to;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    double now = co_loop_time(LOOP());
    CO_BEGIN(co);
    co_timeout_enter(&self->to, CO_NO_DEADLINE);
    trace("when() is None: %s", TF(isinf(co_timeout_when(&self->to))));
    co_timeout_reschedule(&self->to, now + 0.02);
    trace("rescheduled; when() is None: %s",
          TF(isinf(co_timeout_when(&self->to))));
    CO_SLEEP_CATCH(co, 10, self->caught);
    co_timeout_exit(&self->to, &self->caught);
    if (self->caught == CO_ETIMEDOUT)
        trace("timed out after reschedule");

    co_timeout_enter(&self->to, 0.01);
    co_timeout_reschedule(&self->to, now + 10);
    CO_SLEEP_CATCH(co, 0.03, self->caught);
    trace("pushed back: still inside, expired() = %s",
          TF(co_timeout_expired(&self->to)));
    co_timeout_exit(&self->to, &self->caught);
    if (!self->caught)
        trace("left in time");
    if (co_timeout_reschedule(&self->to, now + 1) == CO_ESCOPE)
        trace("reschedule after the end: refused");

    co_timeout_enter(&self->to, 10);
    co_timeout_reschedule(&self->to, CO_NO_DEADLINE);
    co_timeout_reschedule(&self->to, now - 1);
    CO_SLEEP_CATCH(co, 10, self->caught);
    co_timeout_exit(&self->to, &self->caught);
    if (self->caught == CO_ETIMEDOUT)
        trace("a deadline in the past expires at once");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
