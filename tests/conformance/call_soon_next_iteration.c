/* call_soon_next_iteration: one loop iteration runs only the callbacks that
 * were ready when it began; what they schedule waits for the next iteration,
 * behind everything queued before it (here: main's own next step). */
#include "conformance.h"

static void d(void *arg)
{
    (void)arg;
    trace("d (scheduled by a)");
}

static void a(void *arg)
{
    trace("a schedules d");
    co_loop_call_soon(arg, d, NULL);
}

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

static int main_co(co_coro *co)
{
    CO_BEGIN(co);
    co_loop_call_soon(LOOP(), a, LOOP());
    co_loop_call_soon(LOOP(), say, "b");
    co_loop_call_soon(LOOP(), say, "c");
    CO_YIELD(co);
    trace("main resumes: after c, before d");
    CO_YIELD(co);
    trace("main resumes again: after d");
    CO_END(co);
}

void scenario(void)
{
    co_coro m;
    co_coro_init(&m, main_co);
    co_run(&m);
}
