/* cancel_before_start: a task cancelled before its first step never runs a
 * line of its coroutine, not even its CO_FINALLY; it simply ends
 * cancelled. */
#include "conformance.h"

static int body(co_coro *co)
{
    CO_BEGIN(co);
    trace("body: this line never runs");
    CO_YIELD(co);
    CO_FINALLY(co);
    trace("body: nor does this finally");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t = spawn(CO_NEW(co_coro, body), NULL);
    trace("cancel() before the first step -> %s",
          co_task_cancel(self->t) ? "True" : "False");
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("awaiter sees CancelledError; cancelled() = %s",
              co_task_cancelled(self->t) ? "True" : "False");
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
