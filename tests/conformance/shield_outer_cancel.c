/* shield_outer_cancel: cancelling a task that awaits shield(inner) cancels
 * only the awaiting side; the inner task keeps running and its result can
 * still be collected. */
#include "conformance.h"

static int inner(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.3);
    trace("inner: finished anyway");
    CO_RETURN(co, 5);
    CO_END(co);
}

struct guard {
    co_coro co;
    co_task *t;
    co_future *s;
};

static int guard(co_coro *co)
{
    struct guard *self = (struct guard *)co;
    CO_BEGIN(co);
    co_shield(LOOP(), co_task_future(self->t), &self->s);
    CO_AWAIT(co, self->s);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED)
        trace("guard: cancelled while shielded");
    co_future_unref(self->s);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t, *g;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long v = 0;
    CO_BEGIN(co);
    self->t = spawn(CO_NEW(co_coro, inner), NULL);
    {
        struct guard *g = CO_NEW(struct guard, guard);
        g->t = self->t;
        self->g = spawn(&g->co, NULL);
    }
    CO_SLEEP(co, 0.1);
    co_task_cancel(self->g);
    CO_AWAIT_CATCH(co, self->g, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("main: guard cancelled; inner cancelled = %s",
              co_task_cancelled(self->t) ? "True" : "False");
    CO_AWAIT(co, self->t);
    co_task_result_int(self->t, &v);
    trace("main: inner result %lld", v);
    CO_FINALLY(co);
    co_task_unref(self->g);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
