/* timers_by_deadline: call_later callbacks fire in deadline order, whatever
 * order they were set in; a call_soon callback runs before any of them. */
#include "conformance.h"

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

static int main_co(co_coro *co)
{
    CO_BEGIN(co);
    co_loop_call_later(LOOP(), 0.06, say, "timer 60 ms", NULL);
    co_loop_call_later(LOOP(), 0.02, say, "timer 20 ms", NULL);
    co_loop_call_later(LOOP(), 0.04, say, "timer 40 ms", NULL);
    co_loop_call_soon(LOOP(), say, "call_soon");
    CO_SLEEP(co, 0.08);
    trace("main wakes at 80 ms");
    CO_END(co);
}

void scenario(void)
{
    co_coro m;
    co_coro_init(&m, main_co);
    co_run(&m);
}
