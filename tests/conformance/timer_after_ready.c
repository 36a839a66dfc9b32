/* timer_after_ready: within one iteration the due timers join the ready
 * queue BEHIND the callbacks already waiting there; callbacks those
 * callbacks schedule come after the timer, in the next iteration. */
#include "conformance.h"

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

static void first(void *arg)
{
    trace("soon 1 (schedules soon 3)");
    co_loop_call_soon(arg, say, "soon 3");
}

static int main_co(co_coro *co)
{
    CO_BEGIN(co);
    co_loop_call_later(LOOP(), 0, say, "timer with delay 0", NULL);
    co_loop_call_soon(LOOP(), first, LOOP());
    co_loop_call_soon(LOOP(), say, "soon 2");
    CO_SLEEP(co, 0.3);
    trace("main wakes");
    CO_END(co);
}

void scenario(void)
{
    co_coro m;
    co_coro_init(&m, main_co);
    co_run(&m);
}
