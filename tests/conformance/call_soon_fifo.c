/* call_soon_fifo: loop.call_soon is first in, first out, and a task's next
 * step waits in the same queue as everybody else's callbacks. */
#include "conformance.h"

#include <stdint.h>

static void callback(void *arg)
{
    trace("callback %d", (int)(intptr_t)arg);
}

static int main_co(co_coro *co)
{
    CO_BEGIN(co);
    for (intptr_t n = 1; n <= 5; n++)
        co_loop_call_soon(LOOP(), callback, (void *)n);
    trace("main scheduled 5 callbacks");
    CO_YIELD(co); /* main's next step joins the queue after them */
    trace("main resumes after all 5");
    CO_END(co);
}

void scenario(void)
{
    co_coro m;
    co_coro_init(&m, main_co);
    co_run(&m);
}
