/* gather_first_failure: without return_exceptions, the first child to fail
 * makes gather raise at once; the other children are NOT cancelled and
 * carry on to the end. (ValueError is CO_EUSER here.) */
#include "conformance.h"

struct job {
    co_coro co;
    const char *name; /* NULL: the failing one */
    double delay;
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    if (!self->name) {
        trace("bad raises");
        CO_RAISE(co, CO_EUSER, "boom");
    }
    trace("%s finishes", self->name);
    CO_RETURN_PTR(co, (void *)self->name);
    CO_END(co);
}

static co_task *start(const char *name, double delay)
{
    struct job *j = CO_NEW(struct job, job);
    j->name = name;
    j->delay = delay;
    return spawn(&j->co, NULL);
}

struct main_f {
    co_coro co;
    co_task *sibling, *failing;
    co_future *all;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    void *r = NULL;
    CO_BEGIN(co);
    self->sibling = start("sibling", 0.3); /* far after: robust under valgrind */
    self->failing = start(NULL, 0.01);
    {
        co_future *items[2] = {co_task_future(self->sibling),
                               co_task_future(self->failing)};
        co_gather(LOOP(), items, 2, false, &self->all);
    }
    CO_AWAIT_CATCH(co, self->all, self->caught);
    if (self->caught == CO_EUSER)
        trace("gather raised: %s", co_caught_message());
    trace("sibling still running: %s",
          co_task_done(self->sibling) ? "False" : "True");
    CO_AWAIT(co, self->sibling);
    co_task_result_ptr(self->sibling, &r);
    trace("sibling result: %s", (char *)r);
    CO_FINALLY(co);
    co_future_unref(self->all);
    co_task_unref(self->sibling);
    co_task_unref(self->failing);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
