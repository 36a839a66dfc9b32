/* cancel_awaited_task: cancelling a task that awaits another task cancels
 * the one it awaits (the future it is blocked on), which unwinds first; the
 * outer task then sees that cancellation at its await and unwinds too. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

static int inner(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("inner: finally");
    CO_END(co);
}

struct outer {
    co_coro co;
    co_task *inner;
};

static int outer(co_coro *co)
{
    struct outer *self = (struct outer *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->inner);
    CO_FINALLY(co);
    trace("outer: finally");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *ti, *to;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->ti = spawn(CO_NEW(co_coro, inner), NULL);
    {
        struct outer *o = CO_NEW(struct outer, outer);
        o->inner = self->ti;
        self->to = spawn(&o->co, NULL);
    }
    CO_YIELD(co);
    trace("cancel outer -> %s", TF(co_task_cancel(self->to)));
    CO_AWAIT_CATCH(co, self->to, self->caught);
    trace("outer cancelled = %s inner cancelled = %s",
          TF(co_task_cancelled(self->to)), TF(co_task_cancelled(self->ti)));
    co_task_unref(self->to);
    co_task_unref(self->ti);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
