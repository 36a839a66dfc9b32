/* exercise.c - lesson 05: your sum_two(). See README.md, "The exercise".
 * Run the grader with the tutor (`coflow check 5`) until every test passes. */
#include "exercise.h"

int sum_two(co_coro *co)
{
    struct sum_two *self = (struct sum_two *)co;
    (void)self; /* remove this line once you use self */
    CO_BEGIN(co);

    /* TODO 1: make the first child's coroutine object: co_coro_init() on
     *         &self->a.co with the function fetch, then copy delay_a,
     *         value_a and fail_a into self->a. */

    /* TODO 2: await it with CO_AWAIT_CORO. */

    /* TODO 3: the same for the second child, in self->b. */

    /* TODO 4: read both results with co_coro_result_int() and CO_RETURN
     *         their sum. Where do you keep them? (Not in a local variable
     *         that must survive an await.) */
    CO_RETURN(co, 0);
    CO_END(co);
}
