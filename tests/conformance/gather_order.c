/* gather_order: gather's results come in argument order, not in the order
 * the children finish; gather of nothing is an immediate empty list. */
#include "conformance.h"

#include <stdio.h>
#include <string.h>

struct job {
    co_coro co;
    const char *name;
    double delay;
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    trace("%s finishes", self->name);
    CO_RETURN_PTR(co, (void *)self->name);
    CO_END(co);
}

static co_future *job_task(const char *name, double delay)
{
    struct job *j = CO_NEW(struct job, job);
    j->name = name;
    j->delay = delay;
    return co_task_future(spawn(&j->co, NULL));
}

struct main_f {
    co_coro co;
    co_future *items[3];
    co_future *all;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long n = -1;
    CO_BEGIN(co);
    self->items[0] = job_task("slow", 0.04);
    self->items[1] = job_task("fast", 0.01);
    self->items[2] = job_task("middle", 0.02);
    co_gather(LOOP(), self->items, 3, false, &self->all);
    CO_AWAIT(co, self->all);
    {
        char line[128] = "results: [";
        for (int i = 0; i < 3; i++) {
            void *r = NULL;
            co_future_result_ptr(self->items[i], &r);
            snprintf(line + strlen(line), sizeof line - strlen(line),
                     "%s'%s'", i ? ", " : "", (char *)r);
        }
        trace("%s]", line);
    }
    co_future_unref(self->all);
    co_gather(LOOP(), NULL, 0, false, &self->all);
    CO_AWAIT(co, self->all);
    co_future_result_int(self->all, &n);
    trace("gather() of nothing: %s", n == 0 ? "[]" : "?");
    CO_FINALLY(co);
    co_future_unref(self->all);
    for (int i = 0; i < 3; i++)
        co_future_unref(self->items[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
