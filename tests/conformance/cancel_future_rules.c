/* cancel_future_rules: a plain future is cancelled at once (no coroutine to
 * unwind): cancel() returns true and cancelled() is true straight away; its
 * done-callbacks are scheduled, not run inline; reading the result gives
 * CO_ECANCELLED; cancel() on a finished future returns false. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

static void on_done(co_future *f, void *arg)
{
    (void)arg;
    trace("done-callback: cancelled = %s", TF(co_future_cancelled(f)));
}

struct main_f {
    co_coro co;
    co_future *fut, *other;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long v;
    CO_BEGIN(co);
    co_future_new(LOOP(), &self->fut);
    co_future_add_done_callback(self->fut, on_done, NULL);
    trace("cancel() -> %s", TF(co_future_cancel(self->fut)));
    trace("cancelled() = %s done() = %s", TF(co_future_cancelled(self->fut)),
          TF(co_future_done(self->fut)));
    if (co_future_result_int(self->fut, &v) == CO_ECANCELLED)
        trace("result() raises CancelledError");
    CO_YIELD(co);
    trace("cancel() again -> %s", TF(co_future_cancel(self->fut)));
    co_future_new(LOOP(), &self->other);
    co_future_set_result_int(self->other, 1);
    trace("cancel() on a finished future -> %s",
          TF(co_future_cancel(self->other)));
    co_future_unref(self->fut);
    co_future_unref(self->other);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
