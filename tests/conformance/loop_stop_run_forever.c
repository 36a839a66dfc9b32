/* loop_stop_run_forever: stop() called before run_forever makes it run one
 * iteration; called from a callback, it ends the run after the current
 * iteration, so what that iteration scheduled waits for the next run. */
#include "conformance.h"

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

static void a(void *arg)
{
    trace("a: schedules b, then stops the loop");
    co_loop_call_soon(arg, say, "b");
    co_loop_stop(arg);
}

static void stop(void *arg)
{
    co_loop_stop(arg);
}

void scenario(void)
{
    co_loop *loop;
    if (co_loop_new(&loop) < 0)
        return;
    co_loop_call_soon(loop, say, "x");
    co_loop_stop(loop);
    co_loop_run_forever(loop);
    trace("first run_forever returned");
    co_loop_call_soon(loop, a, loop);
    co_loop_call_soon(loop, say, "c");
    co_loop_run_forever(loop);
    trace("second run_forever returned");
    co_loop_call_soon(loop, stop, loop);
    co_loop_run_forever(loop);
    trace("third run_forever returned");
    co_loop_close(loop);
}
