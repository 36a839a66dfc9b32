/* task_await_rules: a task that awaits itself, or a future of another
 * event loop, gets a failure thrown in at that await (CO_EAWAITSELF and
 * CO_EWRONGLOOP, both Python's RuntimeError): it is the task's own bug, so
 * its coroutine may catch it and carry on. Nothing is left waiting, and
 * the task ends normally. */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct selfish {
    co_coro co;
    co_future *other_loop_future;
    co_task *me;
    int caught;
};

static int selfish(co_coro *co)
{
    struct selfish *self = (struct selfish *)co;
    CO_BEGIN(co);
    self->me = co_current_task(NULL);
    CO_AWAIT_CATCH(co, self->me, self->caught);
    if (self->caught == CO_EAWAITSELF)
        trace("await itself: RuntimeError");
    else
        trace("await itself: unexpected %s", co_errname(self->caught));
    CO_AWAIT_CATCH(co, self->other_loop_future, self->caught);
    if (self->caught == CO_EWRONGLOOP)
        trace("await a future of another loop: RuntimeError");
    else
        trace("await a future of another loop: unexpected %s",
              co_errname(self->caught));
    CO_RETURN_PTR(co, "still fine");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_loop *other_loop;
    co_future *fut;
    co_task *t;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    void *r = NULL;
    CO_BEGIN(co);
    co_new_event_loop(&self->other_loop);
    co_future_new(self->other_loop, &self->fut);
    {
        struct selfish *s = CO_NEW(struct selfish, selfish);
        s->other_loop_future = self->fut;
        self->t = spawn(&s->co, NULL);
    }
    CO_AWAIT(co, self->t);
    co_task_result_ptr(self->t, &r);
    trace("main: task result %s", r ? (char *)r : "(none)");
    trace("main: the other loop's future is still pending: %s",
          TF(!co_future_done(self->fut)));
    CO_FINALLY(co);
    co_task_unref(self->t);
    co_future_unref(self->fut);
    co_loop_close(self->other_loop);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
