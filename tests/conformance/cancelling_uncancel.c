/* cancelling_uncancel: 3.11's cancel counts. cancel() adds one every time,
 * even while a cancellation is on its way; uncancel() takes one back and
 * says how many remain; catching the cancellation does not reset the
 * count. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct stubborn {
    co_coro co;
    int caught;
};

static int stubborn(co_coro *co)
{
    struct stubborn *self = (struct stubborn *)co;
    co_task *me = co_current_task(NULL);
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        trace("stubborn: caught, cancelling() = %d", co_task_cancelling(me));
        trace("stubborn: uncancel() -> %d", co_task_uncancel(me));
        trace("stubborn: uncancel() -> %d", co_task_uncancel(me));
        trace("stubborn: uncancel() -> %d", co_task_uncancel(me));
    }
    CO_YIELD(co);
    trace("stubborn: carries on, cancelling() = %d", co_task_cancelling(me));
    CO_RETURN(co, 7);
    CO_END(co);
}

static int victim(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 10);
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
    long long r = 0;
    bool b;
    int n;
    CO_BEGIN(co);
    self->t = spawn(&CO_NEW(struct stubborn, stubborn)->co, NULL);
    trace("fresh task: cancelling() = %d", co_task_cancelling(self->t));
    CO_YIELD(co);
    /* one call per statement: C leaves the order of arguments open */
    b = co_task_cancel(self->t);
    trace("cancel() -> %s cancelling() = %d", TF(b),
          co_task_cancelling(self->t));
    b = co_task_cancel(self->t);
    trace("cancel() -> %s cancelling() = %d", TF(b),
          co_task_cancelling(self->t));
    CO_AWAIT(co, self->t);
    co_task_result_int(self->t, &r);
    trace("result %lld cancelled() = %s cancelling() = %d", r,
          TF(co_task_cancelled(self->t)), co_task_cancelling(self->t));
    b = co_task_cancel(self->t);
    trace("cancel() on a done task -> %s cancelling() = %d", TF(b),
          co_task_cancelling(self->t));
    co_task_unref(self->t);

    self->t = spawn(CO_NEW(co_coro, victim), NULL);
    CO_YIELD(co);
    co_task_cancel(self->t);
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("victim cancelled, cancelling() = %d",
              co_task_cancelling(self->t));
    n = co_task_uncancel(self->t);
    trace("uncancel() -> %d then %d", n, co_task_uncancel(self->t));
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
