/* task_names: tasks are named "Task-N" in creation order unless given a
 * name; asyncio.run's main task is the first; current_task() is the one
 * running now. */
#include "conformance.h"

static int show(co_coro *co)
{
    CO_BEGIN(co);
    trace("running: %s", co_task_get_name(co_current_task(NULL)));
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t[3];
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    trace("main is %s", co_task_get_name(co_current_task(NULL)));
    self->t[0] = spawn(CO_NEW(co_coro, show), NULL);
    self->t[2] = spawn(CO_NEW(co_coro, show), NULL);
    /* Named last: whether a named task uses up a number differs between
     * Python versions (3.11 yes, 3.12 no), and that is not the point. */
    self->t[1] = spawn(CO_NEW(co_coro, show), "downloader");
    trace("created %s %s %s", co_task_get_name(self->t[0]),
          co_task_get_name(self->t[2]), co_task_get_name(self->t[1]));
    CO_YIELD(co);
    co_task_set_name(self->t[2], "renamed");
    trace("now %s", co_task_get_name(self->t[2]));
    for (int i = 0; i < 3; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
