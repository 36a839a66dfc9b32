/* wait_for_outer_cancel: cancelling the task that awaits wait_for cancels
 * the inner task too, and waits until it has really ended (its cleanup,
 * which may itself await, has run) before the awaiting task sees its own
 * cancellation. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

static int inner(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("inner: cleanup starts");
    CO_YIELD(co);
    trace("inner: cleanup ends");
    CO_END(co);
}

struct waiting {
    co_coro co;
    co_task *t;
    co_future *w;
};

static int waiting(co_coro *co)
{
    struct waiting *self = (struct waiting *)co;
    CO_BEGIN(co);
    co_wait_for(LOOP(), co_task_future(self->t), 10, &self->w);
    CO_AWAIT(co, self->w);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED)
        trace("waiting: cancelled; inner done = %s cancelled = %s",
              TF(co_task_done(self->t)), TF(co_task_cancelled(self->t)));
    co_future_unref(self->w);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t, *w;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t = spawn(CO_NEW(co_coro, inner), NULL);
    {
        struct waiting *w = CO_NEW(struct waiting, waiting);
        w->t = self->t;
        self->w = spawn(&w->co, NULL);
    }
    CO_YIELD(co);
    CO_YIELD(co);
    trace("main: cancel -> %s", co_task_cancel(self->w) ? "True" : "False");
    CO_AWAIT_CATCH(co, self->w, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("main: waiting cancelled = %s", TF(co_task_cancelled(self->w)));
    else
        trace("main: unexpected %s", co_errname(self->caught));
    CO_FINALLY(co);
    co_task_unref(self->w);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
