/* wait_for_timeout: on timeout wait_for cancels the inner task, waits until
 * it has really ended (its cleanup, which may itself await, has run), and
 * only then fails with a timeout. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

static int inner(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("inner: cleanup starts");
    CO_SLEEP(co, 0.01);
    trace("inner: cleanup ends");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
    co_future *w;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t = spawn(CO_NEW(co_coro, inner), NULL);
    co_wait_for(LOOP(), co_task_future(self->t), 0.02, &self->w);
    CO_AWAIT_CATCH(co, self->w, self->caught);
    if (self->caught == CO_ETIMEDOUT)
        trace("main: TimeoutError; inner done = %s cancelled = %s",
              TF(co_task_done(self->t)), TF(co_task_cancelled(self->t)));
    else
        trace("main: unexpected %s", co_errname(self->caught));
    co_future_unref(self->w);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
