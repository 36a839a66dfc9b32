/* as_completed_timeout: as_completed with a timeout hands out what finished
 * in time; once the timeout passes, every later await fails with
 * TimeoutError. The items themselves are not cancelled. */
#include "conformance.h"

CO_ASYNC(job, int n; double delay;)
{
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    CO_RETURN(co, self->n);
    CO_END(co);
}

CO_ASYNC(amain, co_as_completed *ac; co_future *next; int caught;)
{
    void *item;
    long long v;
    co_future *tasks[3];
    CO_BEGIN(co);
    if (co_as_completed_coros(NULL, (co_coro *[]){CO_CORO(job, .n = 1, .delay = 0.01),
                              CO_CORO(job, .n = 2, .delay = 5),
                              CO_CORO(job, .n = 3, .delay = 0.02)}, 3, 0.1,
                              &self->ac) < 0)
        CO_RAISE(co, CO_EFAIL, "as_completed");
    while (co_as_completed_next(self->ac, &self->next) == 0) {
        CO_AWAIT_CATCH(co, self->next, self->caught);
        if (self->caught == CO_ETIMEDOUT) {
            trace("TimeoutError");
        } else {
            co_future_result_ptr(self->next, &item);
            co_future_result_int(item, &v);
            trace("got %lld", v);
        }
        co_future_unref(self->next);
        self->next = NULL;
    }
    co_as_completed_items(self->ac, tasks, 3);
    trace("slow job done: %s", co_future_done(tasks[1]) ? "True" : "False");
    co_future_cancel(tasks[1]);
    CO_FINALLY(co);
    co_future_unref(self->next);
    co_as_completed_free(self->ac);
    CO_END(co);
}

void scenario(void)
{
    co_run_and_free(CO_CORO(amain));
}
