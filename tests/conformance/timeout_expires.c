/* timeout_expires: at the deadline asyncio.timeout() cancels what its body
 * awaits; the body's cleanup runs; the scope turns the cancellation into
 * TimeoutError (CO_ETIMEDOUT). A scope whose body ends in time changes
 * nothing, and a cancel() from somebody else stays a cancellation. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

static int work(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 10);
    CO_FINALLY(co);
    trace("work: cleanup runs");
    CO_END(co);
}

/* async def guarded(): async with timeout(10): await work() */
struct guarded {
    co_coro co;
    co_timeout to;
    co_coro work;
};

static int guarded(co_coro *co)
{
    struct guarded *self = (struct guarded *)co;
    CO_BEGIN(co);
    co_coro_init(&self->work, work);
    CO_TIMEOUT(co, &self->to, 10, &self->work);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_timeout to;
    co_coro work;
    co_task *t;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    co_task *me = co_current_task(NULL);
    CO_BEGIN(co);
    co_coro_init(&self->work, work);
    CO_TIMEOUT_CATCH(co, &self->to, 0.02, &self->work, self->caught);
    if (self->caught == CO_ETIMEDOUT)
        trace("timed out; expired() = %s cancelling() = %d",
              TF(co_timeout_expired(&self->to)), co_task_cancelling(me));

    /* The same scope written around one await in this coroutine. */
    co_timeout_enter(&self->to, 10);
    CO_SLEEP_CATCH(co, 0.01, self->caught);
    co_timeout_exit(&self->to, &self->caught);
    if (!self->caught)
        trace("in time; expired() = %s", TF(co_timeout_expired(&self->to)));

    self->t = spawn(&CO_NEW(struct guarded, guarded)->co, NULL);
    CO_YIELD(co);
    co_task_cancel(self->t);
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("cancelled from outside: still a cancellation");
    co_task_unref(self->t);

    co_timeout_enter(&self->to, 0);
    CO_SLEEP_CATCH(co, 10, self->caught);
    co_timeout_exit(&self->to, &self->caught);
    if (self->caught == CO_ETIMEDOUT)
        trace("timeout(0) expires at the first await");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
