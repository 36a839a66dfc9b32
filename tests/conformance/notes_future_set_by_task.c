/* notes_future_set_by_task: a bare future finishes only when somebody sets
 * it; here a task does so after a sleep, and main's await returns its
 * value. */
#include "conformance.h"

struct set_after {
    co_coro co;
    co_future *fut;
};

static int set_after(co_coro *co)
{
    struct set_after *self = (struct set_after *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, 0.02);
    trace("set_after: setting the result");
    co_future_set_result_str(self->fut, "666");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_future *fut;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    const char *data = NULL;
    CO_BEGIN(co);
    co_future_new(LOOP(), &self->fut);
    {
        struct set_after *s = CO_NEW(struct set_after, set_after);
        s->fut = self->fut;
        spawn_detached(&s->co, NULL);
    }
    trace("main: awaiting the future");
    CO_AWAIT(co, self->fut);
    co_future_result_str(self->fut, &data);
    trace("main: got %s", data);
    co_future_unref(self->fut);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
