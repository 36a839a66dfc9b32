/* run_stop_after_iteration: run_until_complete stops the loop in the very
 * iteration its future finishes (loop.stop() lets only the current
 * iteration end). A task that was mid-way through sleep(0) steps is
 * therefore still pending when main is done, and co_run's shutdown cancels
 * it at that sleep(0): its next line never runs. */
#include "conformance.h"

static int chatty(co_coro *co)
{
    CO_BEGIN(co);
    trace("chatty: step 1");
    CO_YIELD(co);
    trace("chatty: step 2 (never: the loop stopped first)");
    CO_YIELD(co);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED)
        trace("chatty: cancelled at its first sleep(0)");
    CO_END(co);
}

static int main_co(co_coro *co)
{
    CO_BEGIN(co);
    spawn_detached(CO_NEW(co_coro, chatty), NULL);
    trace("main ends");
    CO_END(co);
}

void scenario(void)
{
    co_coro m;
    co_coro_init(&m, main_co);
    co_run(&m);
    trace("asyncio.run returned");
}
