/* nested_await.c - the notes' nested coroutines: main awaits outer, which
 * awaits inner twice in a row; each await runs the child to its end and
 * hands back its return value, one after the other. */
#include <coflow.h>
#include <stdio.h>

CO_ASYNC(inner, int x;)
{
    CO_BEGIN(co);
    printf("inner %d sleeps\n", self->x);
    CO_SLEEP(co, 0.01);
    CO_RETURN(co, self->x * 10);
    CO_END(co);
}

CO_ASYNC(outer, int x; long long a, b; struct inner child;)
{
    CO_BEGIN(co);
    CO_AWAIT_CALL(co, self->child, inner, .x = self->x);
    co_coro_result_int(&self->child.co, &self->a);
    CO_AWAIT_CALL(co, self->child, inner, .x = self->x + 1);
    co_coro_result_int(&self->child.co, &self->b);
    printf("outer got %lld and %lld\n", self->a, self->b);
    CO_RETURN(co, self->a + self->b);
    CO_END(co);
}

CO_ASYNC(amain, struct outer child;)
{
    long long total;
    CO_BEGIN(co);
    CO_AWAIT_CALL(co, self->child, outer, .x = 1);
    co_coro_result_int(&self->child.co, &total);
    printf("main got %lld\n", total);
    CO_END(co);
}

int main(void)
{
    return co_run_and_free(CO_CORO(amain)) ? 1 : 0;
}
