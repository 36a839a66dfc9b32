/* cancel_task_rules: cancel() on a pending task returns true (again true
 * while the first is on its way) but the task is not cancelled() yet: only
 * once its coroutine has ended by the cancellation. On a done task it
 * returns false. The awaiter sees the cancellation. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

static int sleeper(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("sleeper: cleanup runs");
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
    self->t = spawn(CO_NEW(co_coro, sleeper), NULL);
    CO_YIELD(co);
    trace("cancel() -> %s", TF(co_task_cancel(self->t)));
    trace("cancel() again -> %s", TF(co_task_cancel(self->t)));
    trace("right after: cancelled() = %s done() = %s",
          TF(co_task_cancelled(self->t)), TF(co_task_done(self->t)));
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("awaiter sees CancelledError");
    trace("after it ended: cancelled() = %s done() = %s",
          TF(co_task_cancelled(self->t)), TF(co_task_done(self->t)));
    trace("cancel() on a done task -> %s", TF(co_task_cancel(self->t)));
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
