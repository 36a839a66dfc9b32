/* task_creation_runs_nothing: create_task only schedules the task's first
 * step with call_soon; not one line of the coroutine runs until the creator
 * gives the loop back. */
#include "conformance.h"

static int child(co_coro *co)
{
    CO_BEGIN(co);
    trace("child: first step");
    CO_RETURN(co, 5);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long v = 0;
    CO_BEGIN(co);
    self->t = spawn(CO_NEW(co_coro, child), NULL);
    trace("main: task created, done = %s", co_task_done(self->t) ? "True" : "False");
    trace("main: still running, child has printed nothing");
    CO_YIELD(co);
    co_task_result_int(self->t, &v);
    trace("main: resumed, done = %s result = %lld",
          co_task_done(self->t) ? "True" : "False", v);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
