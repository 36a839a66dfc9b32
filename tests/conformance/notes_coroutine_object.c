/* notes_coroutine_object: calling an async function only makes a coroutine
 * object (co_coro_init); its body runs once the object is handed to the
 * loop. Awaiting a sleep suspends it; the sleep gives back nothing. */
#include "conformance.h"

static int greet(co_coro *co)
{
    CO_BEGIN(co);
    trace("greet: body runs");
    CO_SLEEP(co, 0.01);
    trace("greet: slept, sleep returned None");
    CO_END(co);
}

void scenario(void)
{
    co_coro c;
    co_coro_init(&c, greet);
    trace("coroutine object made; body not run yet");
    co_run(&c);
    trace("asyncio.run returned");
}
