/* notes_done_callback_partial: done-callbacks on a task, one plain and one
 * with an extra argument (functools.partial is the callback's `arg`); they
 * run after the task finishes, in the order they were added. */
#include "conformance.h"

static int demo_exp(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.01);
    trace("demo_exp: Hello World");
    CO_RETURN_PTR(co, "OK");
    CO_END(co);
}

static void callback_1(co_future *f, void *arg)
{
    void *r = NULL;
    (void)arg;
    co_future_result_ptr(f, &r);
    trace("callback_1: %s", (char *)r);
}

static void callback_2(co_future *f, void *info)
{
    void *r = NULL;
    co_future_result_ptr(f, &r);
    trace("callback_2: %s_%s", (char *)r, (char *)info);
}

void scenario(void)
{
    co_loop *loop;
    co_task *task;
    if (co_loop_new(&loop) < 0)
        return;
    co_create_task(loop, CO_NEW(co_coro, demo_exp), NULL, &task);
    co_future_add_done_callback(co_task_future(task), callback_1, NULL);
    co_future_add_done_callback(co_task_future(task), callback_2, "Python");
    co_loop_run_until_complete(loop, co_task_future(task));
    trace("run_until_complete returned");
    co_task_unref(task);
    co_loop_close(loop);
}
