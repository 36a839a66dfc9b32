/* cancel_caught: a coroutine may catch the cancellation and return
 * normally; its task then finishes with that result and is NOT cancelled. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct stubborn {
    co_coro co;
    int caught;
};

static int stubborn(co_coro *co)
{
    struct stubborn *self = (struct stubborn *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("stubborn: caught the cancellation, returning 42");
    CO_RETURN(co, 42);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long r = 0;
    CO_BEGIN(co);
    self->t = spawn(&CO_NEW(struct stubborn, stubborn)->co, NULL);
    CO_YIELD(co);
    trace("cancel() -> %s", TF(co_task_cancel(self->t)));
    CO_AWAIT(co, self->t);
    co_task_result_int(self->t, &r);
    trace("result %lld cancelled() = %s", r, TF(co_task_cancelled(self->t)));
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
