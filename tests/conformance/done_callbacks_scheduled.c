/* done_callbacks_scheduled: set_result never runs a done-callback inline. It
 * schedules each with call_soon, in registration order, at the moment the
 * future finishes: after what was queued before, before what is queued
 * after. One added to a finished future is scheduled the same way. */
#include "conformance.h"

static void on_done(co_future *f, void *arg)
{
    trace("done-callback %s: result %s", (const char *)arg, outcome(f));
}

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

struct main_f {
    co_coro co;
    co_future *fut;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_future_new(LOOP(), &self->fut);
    co_future_add_done_callback(self->fut, on_done, "first");
    co_future_add_done_callback(self->fut, on_done, "second");
    co_loop_call_soon(LOOP(), say, "queued before set_result");
    co_future_set_result_int(self->fut, 7);
    trace("set_result returned; no callback has run yet");
    co_future_add_done_callback(self->fut, on_done, "added when done");
    co_loop_call_soon(LOOP(), say, "queued after set_result");
    CO_YIELD(co);
    trace("main resumes");
    co_future_unref(self->fut);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
