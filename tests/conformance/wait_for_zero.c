/* wait_for_zero: wait_for with timeout 0 (Python 3.11). A future already
 * done gives its outcome at once, without a suspension (the other task has
 * not run yet); a pending task is cancelled, its cleanup runs, and then
 * TimeoutError; a coroutine becomes a task that is cancelled before it
 * starts, so not one line of it runs. */
#include "conformance.h"

CO_ASYNC(other, )
{
    CO_BEGIN(co);
    trace("other task runs");
    CO_END(co);
}

CO_ASYNC(work, const char *name;)
{
    CO_BEGIN(co);
    trace("%s starts", self->name);
    CO_SLEEP(co, 1);
    CO_RETURN_STR(co, "finished");
    CO_FINALLY(co);
    trace("%s cleanup", self->name);
    CO_END(co);
}

CO_ASYNC(amain, co_task *t, *w; co_future *f, *failed, *out; int caught;)
{
    long long v = 0;
    CO_BEGIN(co);
    CO_SPAWN(co, self->t, CO_CORO(other), NULL);
    co_future_new(LOOP(), &self->f);
    co_future_set_result_int(self->f, 5);
    co_wait_for(LOOP(), self->f, 0, &self->out);
    CO_AWAIT(co, self->out);
    co_future_result_int(self->out, &v);
    trace("done future: %lld", v);
    co_future_unref(self->out);
    co_future_new(LOOP(), &self->failed);
    co_future_set_exception(self->failed, CO_EFAIL, "no");
    co_wait_for(LOOP(), self->failed, 0, &self->out);
    CO_AWAIT_CATCH(co, self->out, self->caught);
    if (self->caught == CO_EFAIL)
        trace("done failed future: its own failure");
    co_future_unref(self->out);
    CO_AWAIT(co, self->t);
    CO_SPAWN(co, self->w, CO_CORO(work, .name = "task"), NULL);
    CO_YIELD(co);
    co_wait_for(LOOP(), CO_AS_FUTURE(self->w), 0, &self->out);
    CO_AWAIT_CATCH(co, self->out, self->caught);
    if (self->caught == CO_ETIMEDOUT)
        trace("pending task: TimeoutError, cancelled = %s",
              co_task_cancelled(self->w) ? "True" : "False");
    co_future_unref(self->out);
    co_wait_for_coro(NULL, CO_CORO(work, .name = "coroutine"), 0, &self->out);
    CO_AWAIT_CATCH(co, self->out, self->caught);
    if (self->caught == CO_ETIMEDOUT)
        trace("coroutine: TimeoutError");
    CO_FINALLY(co);
    co_future_unref(self->out);
    co_future_unref(self->f);
    co_future_unref(self->failed);
    co_task_unref(self->t);
    co_task_unref(self->w);
    CO_END(co);
}

void scenario(void)
{
    co_run_and_free(CO_CORO(amain));
}
