/* cancel_cleanup_order: a cancellation is delivered at the innermost
 * suspension point and unwinds the await chain outwards: the innermost
 * CO_FINALLY runs first, the task's own last, and only then does the
 * awaiter see the task cancelled. */
#include "conformance.h"

static int level2(co_coro *co)
{
    CO_BEGIN(co);
    trace("level2: waiting");
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("level2: finally");
    CO_END(co);
}

struct level1 {
    co_coro co;
    co_coro child;
};

static int level1(co_coro *co)
{
    struct level1 *self = (struct level1 *)co;
    CO_BEGIN(co);
    co_coro_init(&self->child, level2);
    CO_AWAIT_CORO(co, &self->child);
    CO_FINALLY(co);
    trace("level1: finally");
    CO_END(co);
}

struct top {
    co_coro co;
    struct level1 child;
};

static int top(co_coro *co)
{
    struct top *self = (struct top *)co;
    CO_BEGIN(co);
    co_coro_init(&self->child.co, level1);
    CO_AWAIT_CORO(co, &self->child.co);
    CO_FINALLY(co);
    trace("top: finally");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t = spawn(&CO_NEW(struct top, top)->co, NULL);
    CO_YIELD(co);
    co_task_cancel(self->t);
    trace("main: cancel requested");
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("main: task cancelled = %s",
              co_task_cancelled(self->t) ? "True" : "False");
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
