/* wait_first_completed: return_when=FIRST_COMPLETED returns as soon as one
 * task is done; FIRST_EXCEPTION returns at the first failure (or when all
 * are done). The rest keep running. (ValueError is CO_EUSER here.) */
#include "conformance.h"

#include <stdio.h>
#include <string.h>

struct job {
    co_coro co;
    double delay;
    int fail;
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    if (self->fail)
        CO_RAISE(co, CO_EUSER, "boom");
    CO_END(co);
}

static co_task *start(const char *name, double delay, int fail)
{
    struct job *j = CO_NEW(struct job, job);
    j->delay = delay;
    j->fail = fail;
    return spawn(&j->co, name);
}

/* Every task of the scenario, to find the task behind a future. */
static co_task *tasks[3];

static const char *name_of(co_future *f)
{
    for (int i = 0; i < 3; i++)
        if (tasks[i] && co_task_future(tasks[i]) == f)
            return co_task_get_name(tasks[i]);
    return "?";
}

/* Python's sorted(t.get_name() for t in s) for a list of tasks' futures. */
static void names(char *buf, size_t size, co_future **fs, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(name_of(fs[j]), name_of(fs[i])) < 0) {
                co_future *t = fs[i];
                fs[i] = fs[j];
                fs[j] = t;
            }
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s'%s'", i ? ", " : "",
                 name_of(fs[i]));
}

static void show(const char *label, co_future **items)
{
    co_future *done[2], *pending[2];
    size_t nd = 0, np = 0;
    char d[64], p[64];
    co_wait_sets(items, 2, done, &nd, pending, &np);
    names(d, sizeof d, done, nd);
    names(p, sizeof p, pending, np);
    trace("%s done: [%s] pending: [%s]", label, d, p);
}

struct main_f {
    co_coro co;
    co_task *a, *b, *c;
    co_future *items[2];
    co_future *w;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    const char *msg = NULL;
    CO_BEGIN(co);
    self->a = start("a", 0.01, 0);
    self->b = start("b", 0.3, 0);
    tasks[0] = self->a;
    tasks[1] = self->b;
    self->items[0] = co_task_future(self->a);
    self->items[1] = co_task_future(self->b);
    co_wait(LOOP(), self->items, 2, CO_NO_TIMEOUT, CO_FIRST_COMPLETED, &self->w);
    CO_AWAIT(co, self->w);
    show("FIRST_COMPLETED", self->items);
    co_future_unref(self->w);
    self->w = NULL;
    self->c = start("c", 0.01, 1);
    tasks[2] = self->c;
    self->items[0] = co_task_future(self->b);
    self->items[1] = co_task_future(self->c);
    co_wait(LOOP(), self->items, 2, CO_NO_TIMEOUT, CO_FIRST_EXCEPTION, &self->w);
    CO_AWAIT(co, self->w);
    show("FIRST_EXCEPTION", self->items);
    if (co_future_exception(co_task_future(self->c), &msg) == CO_EUSER)
        trace("c failed with: %s", msg);
    CO_AWAIT(co, self->b);
    trace("b finished later");
    CO_FINALLY(co);
    co_future_unref(self->w);
    co_task_unref(self->a);
    co_task_unref(self->b);
    co_task_unref(self->c);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
