/* sleep0_round_robin: await asyncio.sleep(0) gives the loop back for exactly
 * one turn; tasks that do it take turns in the order they were created. */
#include "conformance.h"

struct worker {
    co_coro co;
    char name;
    int i;
};

static int worker(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < 3; self->i++) {
        trace("%c%d", self->name, self->i);
        CO_SLEEP(co, 0);
    }
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t[3];
    int i;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    for (int i = 0; i < 3; i++) {
        struct worker *w = CO_NEW(struct worker, worker);
        w->name = (char)('A' + i);
        self->t[i] = spawn(&w->co, NULL);
    }
    for (self->i = 0; self->i < 3; self->i++)
        CO_AWAIT(co, self->t[self->i]);
    trace("all done");
    CO_FINALLY(co);
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
