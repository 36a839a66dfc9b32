/* task_exception: a coroutine that raises finishes its task with that
 * exception; whoever awaits the task sees it, message and all, and the
 * task's exception() returns it. (ValueError is the code CO_EUSER here.) */
#include "conformance.h"

static int fails(co_coro *co)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    CO_RAISE(co, CO_EUSER, "bad input");
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
    const char *msg = NULL;
    CO_BEGIN(co);
    self->t = spawn(CO_NEW(co_coro, fails), NULL);
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_EUSER)
        trace("awaiter caught: %s", co_caught_message());
    trace("task done: %s cancelled: %s", co_task_done(self->t) ? "True" : "False",
          co_task_cancelled(self->t) ? "True" : "False");
    if (co_future_exception(co_task_future(self->t), &msg) == CO_EUSER)
        trace("exception(): %s", msg);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
