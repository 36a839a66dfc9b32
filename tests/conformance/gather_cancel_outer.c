/* gather_cancel_outer: cancelling gather's outer future cancels every child
 * still running; the outer ends cancelled only after the children have
 * reacted, so their cleanup runs before the awaiter resumes. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct child {
    co_coro co;
    const char *name;
};

static int child(co_coro *co)
{
    struct child *self = (struct child *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("%s: cleanup", self->name);
    CO_END(co);
}

static co_task *start(const char *name)
{
    struct child *c = CO_NEW(struct child, child);
    c->name = name;
    return spawn(&c->co, NULL);
}

struct main_f {
    co_coro co;
    co_task *c1, *c2;
    co_future *g;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->c1 = start("c1");
    self->c2 = start("c2");
    {
        co_future *items[2] = {co_task_future(self->c1),
                               co_task_future(self->c2)};
        co_gather(LOOP(), items, 2, false, &self->g);
    }
    CO_YIELD(co);
    trace("cancel() -> %s", TF(co_future_cancel(self->g)));
    CO_AWAIT_CATCH(co, self->g, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("awaiting gather: CancelledError");
    trace("children cancelled: %s %s", TF(co_task_cancelled(self->c1)),
          TF(co_task_cancelled(self->c2)));
    CO_FINALLY(co);
    co_future_unref(self->g);
    co_task_unref(self->c1);
    co_task_unref(self->c2);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
