/* future_invalid_state: a future's outcome is set once. Setting a result or
 * an exception on a finished (or cancelled) future is an error and changes
 * nothing; so is asking a pending future for its result or exception.
 * A cancelled future's result and exception say it was cancelled.
 * (InvalidStateError is CO_ESTATE, CancelledError CO_ECANCELLED.) */
#include "conformance.h"

static void attempt(const char *what, int rc, long long value)
{
    if (rc == CO_ESTATE)
        trace("%s: InvalidStateError", what);
    else if (rc == CO_ECANCELLED)
        trace("%s: CancelledError", what);
    else if (rc < 0)
        trace("%s: unexpected %s", what, co_errname(rc));
    else
        trace("%s: %lld", what, value);
}

struct main_f {
    co_coro co;
    co_future *fut, *gone;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long v = 0;
    int rc;
    CO_BEGIN(co);
    co_future_new(LOOP(), &self->fut);
    rc = co_future_result_int(self->fut, &v);
    attempt("result() while pending", rc, v);
    attempt("exception() while pending", co_future_exception(self->fut, NULL),
            0);
    co_future_set_result_int(self->fut, 1);
    attempt("set_result(2) when finished",
            co_future_set_result_int(self->fut, 2), 0);
    attempt("set_exception() when finished",
            co_future_set_exception(self->fut, CO_EUSER, "late"), 0);
    rc = co_future_result_int(self->fut, &v); /* read v only after this */
    attempt("result() still", rc, v);
    co_future_new(LOOP(), &self->gone);
    co_future_cancel(self->gone);
    attempt("set_result() when cancelled",
            co_future_set_result_int(self->gone, 3), 0);
    rc = co_future_result_int(self->gone, &v);
    attempt("result() when cancelled", rc, v);
    attempt("exception() when cancelled",
            co_future_exception(self->gone, NULL), 0);
    CO_FINALLY(co);
    co_future_unref(self->fut);
    co_future_unref(self->gone);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
