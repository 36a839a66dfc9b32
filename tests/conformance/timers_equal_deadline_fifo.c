/* timers_equal_deadline_fifo: timers with the SAME deadline fire in the
 * order they were set. This is coflow's promise (libuv makes it too);
 * asyncio makes none (its heap compares deadlines only), so the Python twin
 * nudges each deadline a nanosecond apart to print the FIFO order that this
 * side checks with truly equal deadlines. */
#include "conformance.h"

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

static int main_co(co_coro *co)
{
    static const char *names[] = {"first", "second", "third", "fourth",
                                  "fifth"};
    CO_BEGIN(co);
    {
        double when = co_loop_time(LOOP()) + 0.02;
        for (int i = 0; i < 5; i++)
            co_loop_call_at(LOOP(), when, say, (void *)names[i], NULL);
    }
    CO_SLEEP(co, 0.04);
    trace("main wakes");
    CO_END(co);
}

void scenario(void)
{
    co_coro m;
    co_coro_init(&m, main_co);
    co_run(&m);
}
