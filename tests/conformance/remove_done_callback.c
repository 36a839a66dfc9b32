/* remove_done_callback: removes every registration of that callback that has
 * not run yet and says how many; the others still run, in order. (In C a
 * registration is the pair callback + argument.) */
#include "conformance.h"

static void cb(co_future *f, void *arg)
{
    (void)f;
    trace("%s", (const char *)arg);
}

/* One argument object, so that (cb, CB_A) names the same registration. */
static char CB_A[] = "cb_a";

struct main_f {
    co_coro co;
    co_future *fut;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_future_new(LOOP(), &self->fut);
    co_future_add_done_callback(self->fut, cb, CB_A);
    co_future_add_done_callback(self->fut, cb, "cb_b");
    co_future_add_done_callback(self->fut, cb, CB_A);
    trace("removed %d", co_future_remove_done_callback(self->fut, cb, CB_A));
    trace("removed again %d",
          co_future_remove_done_callback(self->fut, cb, CB_A));
    co_future_set_result_int(self->fut, 0);
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
