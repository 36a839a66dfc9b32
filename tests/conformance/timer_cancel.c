/* timer_cancel: a timer handle cancelled before its deadline never fires. */
#include "conformance.h"

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

struct main_f {
    co_coro co;
    co_timer h2; /* the handle we cancel */
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_loop_call_later(LOOP(), 0.02, say, "h1 fires", NULL);
    co_loop_call_later(LOOP(), 0.03, say, "h2 never fires", &self->h2);
    co_loop_call_later(LOOP(), 0.04, say, "h3 fires", NULL);
    {
        bool c2 = co_timer_cancel(&self->h2);
        trace("h2 cancelled: %s", c2 ? "True" : "False");
    }
    CO_SLEEP(co, 0.06);
    trace("main wakes");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
