/* sleep_result: asyncio.sleep(delay, result) finishes with its result, so
 * sleeps can stand as items of gather; the results come in argument order. */
#include "conformance.h"

CO_ASYNC(amain, co_future *s, *items[3], *all;)
{
    const char *r;
    long long v[3];
    CO_BEGIN(co);
    co_sleep_str(NULL, 0.01, "slept", &self->s);
    CO_AWAIT(co, self->s);
    co_future_result_str(self->s, &r);
    trace("sleep returned %s", r);
    co_sleep(NULL, 0.03, 1, &self->items[0]);
    co_sleep(NULL, 0.01, 2, &self->items[1]);
    co_sleep(NULL, 0, 3, &self->items[2]);
    co_gather(LOOP(), self->items, 3, false, &self->all);
    CO_AWAIT(co, self->all);
    co_gather_results_int(self->all, v, 3);
    trace("gather [%lld, %lld, %lld]", v[0], v[1], v[2]);
    CO_FINALLY(co);
    co_future_unref(self->s);
    co_future_unref(self->all);
    for (int i = 0; i < 3; i++)
        co_future_unref(self->items[i]);
    CO_END(co);
}

void scenario(void)
{
    co_run_and_free(CO_CORO(amain));
}
