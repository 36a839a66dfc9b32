/* wait_for_cancel_caught: when wait_for's timeout cancels an inner task
 * that catches the cancellation and returns a value, Python 3.11's wait_for
 * returns that value instead of failing with a timeout: a result that made
 * it is never thrown away. The same holds for timeout 0, which cancels at
 * once. The inner task ends with its result: it is not cancelled. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct stubborn {
    co_coro co;
    const char *name;
    int value;
    int caught;
};

static int stubborn(co_coro *co)
{
    struct stubborn *self = (struct stubborn *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        trace("%s: cancelled; returns %d instead", self->name, self->value);
        CO_RETURN(co, self->value);
    }
    CO_RETURN(co, 0);
    CO_END(co);
}

static co_task *start(const char *name, int value)
{
    struct stubborn *s = CO_NEW(struct stubborn, stubborn);
    s->name = name;
    s->value = value;
    return spawn(&s->co, NULL);
}

struct main_f {
    co_coro co;
    co_task *t[2];
    co_future *w;
    int caught;
};

static void report(co_future *w, int caught, const char *what)
{
    long long r = 0;
    if (caught == CO_ETIMEDOUT)
        trace("main: TimeoutError");
    else if (caught)
        trace("main: unexpected %s", co_errname(caught));
    else if (co_future_result_int(w, &r) == 0)
        trace("main: %s returned %lld", what, r);
}

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t[0] = start("inner", 42);
    co_wait_for(LOOP(), co_task_future(self->t[0]), 0.05, &self->w);
    CO_AWAIT_CATCH(co, self->w, self->caught);
    report(self->w, self->caught, "wait_for");
    co_future_unref(self->w);
    self->w = NULL;
    trace("main: inner done = %s cancelled = %s", TF(co_task_done(self->t[0])),
          TF(co_task_cancelled(self->t[0])));

    self->t[1] = start("second", 7);
    CO_YIELD(co); /* let it start sleeping */
    co_wait_for(LOOP(), co_task_future(self->t[1]), 0, &self->w);
    CO_AWAIT_CATCH(co, self->w, self->caught);
    report(self->w, self->caught, "wait_for(timeout=0)");
    trace("main: second done = %s cancelled = %s", TF(co_task_done(self->t[1])),
          TF(co_task_cancelled(self->t[1])));
    CO_FINALLY(co);
    co_future_unref(self->w);
    co_task_unref(self->t[0]);
    co_task_unref(self->t[1]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
