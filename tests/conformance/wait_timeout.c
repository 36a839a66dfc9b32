/* wait_timeout: asyncio.wait returns (done, pending) when its timeout
 * passes; it never raises a timeout error and cancels nothing: the pending
 * task is still running afterwards. */
#include "conformance.h"

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

static co_task *start(const char *name, double delay)
{
    struct job *j = CO_NEW(struct job, job);
    j->name = name;
    j->delay = delay;
    return spawn(&j->co, name);
}

struct main_f {
    co_coro co;
    co_task *fast, *slow;
    co_future *w;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    void *r = NULL;
    CO_BEGIN(co);
    self->fast = start("fast", 0.01);
    self->slow = start("slow", 0.6);
    {
        co_future *items[2] = {co_task_future(self->fast),
                               co_task_future(self->slow)};
        co_wait(LOOP(), items, 2, 0.3, CO_ALL_COMPLETED, &self->w);
    }
    CO_AWAIT(co, self->w);
    {
        co_future *items[2] = {co_task_future(self->fast),
                               co_task_future(self->slow)};
        co_future *done[2], *pending[2];
        size_t nd = 0, np = 0;
        co_wait_sets(items, 2, done, &nd, pending, &np);
        /* The names sorted, as the Python twin prints its sets. */
        trace("done: [%s]", nd == 1 && done[0] == items[0] ? "'fast'" : "?");
        trace("pending: [%s]",
              np == 1 && pending[0] == items[1] ? "'slow'" : "?");
    }
    trace("slow cancelled: %s", co_task_cancelled(self->slow) ? "True" : "False");
    CO_AWAIT(co, self->slow);
    co_task_result_ptr(self->slow, &r);
    trace("slow result: %s", (char *)r);
    CO_FINALLY(co);
    co_future_unref(self->w);
    co_task_unref(self->fast);
    co_task_unref(self->slow);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
