#include <coflow.h>
#include <stdio.h>

struct countdown {
    co_coro co; /* every frame starts with the coroutine header */
    int n;      /* what must survive a suspension lives in the frame */
};

static int countdown(co_coro *co)
{
    struct countdown *self = (struct countdown *)co;
    CO_BEGIN(co);
    while (self->n > 0) {
        printf("%d...\n", self->n--);
        CO_SLEEP(co, 0.1); /* await asyncio.sleep(0.1) */
    }
    CO_RETURN(co, 42);
    CO_END(co);
}

int main(void)
{
    struct countdown cd = {.n = 3};
    co_coro_init(&cd.co, countdown); /* countdown(3): runs nothing yet */
    int rc = co_run(&cd.co);         /* asyncio.run(countdown(3)) */
    long long result = 0;
    if (rc == 0)
        rc = co_coro_result_int(&cd.co, &result);
    printf("returned %lld\n", result);
    co_coro_free(&cd.co);
    return rc == 0 ? 0 : 1;
}
