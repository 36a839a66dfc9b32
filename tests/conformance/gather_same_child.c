/* gather_same_child: the same awaitable given to gather twice is one child,
 * run once, whose result fills both places; an argument already done
 * counts at once. An empty asyncio.wait() is an error (CO_EEMPTY, Python's
 * ValueError), not an empty result. */
#include "conformance.h"

struct job {
    co_coro co;
    const char *name;
    int value;
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    trace("%s runs", self->name);
    CO_YIELD(co);
    CO_RETURN(co, self->value);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
    co_future *done, *all, *w;
    co_future *items[3];
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    {
        struct job *j = CO_NEW(struct job, job);
        j->name = "t";
        j->value = 1;
        self->t = spawn(&j->co, NULL);
    }
    co_future_new(LOOP(), &self->done);
    co_future_set_result_int(self->done, 9);
    self->items[0] = co_task_future(self->t);
    self->items[1] = self->done;
    self->items[2] = co_task_future(self->t);
    co_gather(LOOP(), self->items, 3, false, &self->all);
    CO_AWAIT(co, self->all);
    {
        long long v[3] = {0, 0, 0};
        for (int i = 0; i < 3; i++)
            co_future_result_int(self->items[i], &v[i]);
        trace("results [%lld, %lld, %lld]", v[0], v[1], v[2]);
    }
    if (co_wait(LOOP(), NULL, 0, CO_NO_TIMEOUT, CO_ALL_COMPLETED, &self->w) ==
        CO_EEMPTY)
        trace("wait() of nothing: ValueError");
    else
        trace("wait() of nothing: no error");
    CO_FINALLY(co);
    co_future_unref(self->w);
    co_future_unref(self->all);
    co_future_unref(self->done);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
