/* notes_tasks_before_main_ends: tasks created in main start only when main
 * gives the loop back (here at its first await), then run concurrently:
 * both print 1 before either prints 2. */
#include "conformance.h"

struct func {
    co_coro co;
    const char *name;
};

static int func(co_coro *co)
{
    struct func *self = (struct func *)co;
    CO_BEGIN(co);
    trace("%s 1", self->name);
    CO_SLEEP(co, 0.02);
    trace("%s 2", self->name);
    CO_RETURN_PTR(co, (void *)self->name);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t1, *t2;
};

static co_task *start(const char *name)
{
    struct func *f = CO_NEW(struct func, func);
    f->name = name;
    return spawn(&f->co, NULL);
}

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    void *r1 = NULL, *r2 = NULL;
    CO_BEGIN(co);
    trace("main start");
    self->t1 = start("n1");
    self->t2 = start("n2");
    trace("main end of creating");
    CO_AWAIT(co, self->t1);
    CO_AWAIT(co, self->t2);
    co_task_result_ptr(self->t1, &r1);
    co_task_result_ptr(self->t2, &r2);
    trace("result of %s / result of %s", (char *)r1, (char *)r2);
    co_task_unref(self->t1);
    co_task_unref(self->t2);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
