/* notes_run_until_complete: the notes' older style: make a loop, wrap the
 * coroutine in a task (ensure_future), run_until_complete, then ask the
 * task whether it is done and for its result. */
#include "conformance.h"

struct demo {
    co_coro co;
    const char *data;
};

static int demo_exp(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    trace("demo_exp got %s", self->data);
    CO_RETURN_PTR(co, "OK");
    CO_END(co);
}

void scenario(void)
{
    co_loop *loop;
    co_task *task;
    void *r = NULL;
    if (co_loop_new(&loop) < 0)
        return;
    struct demo *d = CO_NEW(struct demo, demo_exp);
    d->data = "Hello World";
    co_create_task(loop, &d->co, NULL, &task);
    trace("before the run: done = %s", co_task_done(task) ? "True" : "False");
    co_loop_run_until_complete(loop, co_task_future(task));
    co_task_result_ptr(task, &r);
    trace("after the run: done = %s result = %s",
          co_task_done(task) ? "True" : "False", (char *)r);
    co_task_unref(task);
    co_loop_close(loop);
}
