/* future_callback.c - the notes' future set by another task, with two
 * done-callbacks (one given an extra argument, functools.partial): main
 * awaits the future; the callbacks run after it is set, in order. */
#include <coflow.h>
#include <stdio.h>

static void report(co_future *fut, void *arg)
{
    const char *r;
    (void)arg;
    co_future_result_str(fut, &r);
    printf("callback_1: %s\n", r);
}

static void report_with(co_future *fut, void *info)
{
    const char *r;
    co_future_result_str(fut, &r);
    printf("callback_2: %s_%s\n", r, (const char *)info);
}

CO_ASYNC(set_after, co_future *fut;)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.02);
    printf("setting the result\n");
    co_future_set_result_str(self->fut, "666");
    CO_END(co);
}

CO_ASYNC(amain, co_future *fut; co_task *task;)
{
    char line[128];
    const char *data;
    CO_BEGIN(co);
    co_future_new(co_get_running_loop(), &self->fut);
    co_future_add_done_callback(self->fut, report, NULL);
    co_future_add_done_callback(self->fut, report_with, "Python");
    CO_SPAWN(co, self->task, CO_CORO(set_after, .fut = self->fut), NULL);
    printf("done? %s\n", co_future_done(self->fut) ? "True" : "False");
    CO_AWAIT(co, self->fut);
    co_future_result_str(self->fut, &data);
    printf("main got %s\n", data);
    co_future_repr(self->fut, line, sizeof line);
    printf("%s\n", line);
    CO_AWAIT(co, self->task);
    CO_FINALLY(co);
    co_task_unref(self->task);
    co_future_unref(self->fut);
    CO_END(co);
}

int main(void)
{
    return co_run_and_free(CO_CORO(amain)) ? 1 : 0;
}
