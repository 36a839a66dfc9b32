/* run_cancels_leftovers: when main returns, asyncio.run cancels the tasks
 * still pending and runs the loop until they have finished: their cleanup
 * runs, even cleanup that itself awaits, before asyncio.run returns. */
#include "conformance.h"

static int worker(co_coro *co)
{
    CO_BEGIN(co);
    trace("worker: started, sleeping long");
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("worker: cleanup starts");
    CO_SLEEP(co, 0.01);
    trace("worker: cleanup ends");
    CO_END(co);
}

static int main_co(co_coro *co)
{
    CO_BEGIN(co);
    spawn_detached(CO_NEW(co_coro, worker), NULL);
    CO_YIELD(co);
    trace("main returns 7");
    CO_RETURN(co, 7);
    CO_END(co);
}

void scenario(void)
{
    co_coro m;
    long long v = -1;
    co_coro_init(&m, main_co);
    if (co_run(&m) == 0 && co_coro_result_int(&m, &v) == 0)
        trace("asyncio.run returned %lld", v);
}
