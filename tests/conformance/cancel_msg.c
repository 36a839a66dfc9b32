/* cancel_msg: Task.cancel(msg) and Future.cancel(msg) (3.9+): the message
 * travels with the cancellation, to the coroutine and to its awaiter. */
#include <stdio.h>

#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

/* Python's e.args of a CancelledError: ('msg',) or (). */
static const char *args(const char *msg)
{
    static char buf[128];
    if (!msg)
        return "()";
    snprintf(buf, sizeof buf, "('%s',)", msg);
    return buf;
}

struct sleeper {
    co_coro co;
    int caught;
};

static int sleeper(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        trace("sleeper: caught %s", args(co_caught_message()));
        CO_RAISE(co, CO_ECANCELLED, co_caught_message());
    }
    CO_END(co);
}

static int yielder(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 0, self->caught);
    if (self->caught == CO_ECANCELLED) {
        trace("yielder: caught %s", args(co_caught_message()));
        CO_RAISE(co, CO_ECANCELLED, co_caught_message());
    }
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
    co_future *f;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t = spawn(&CO_NEW(struct sleeper, sleeper)->co, NULL);
    CO_YIELD(co);
    trace("cancel('bye') -> %s", TF(co_task_cancel_msg(self->t, "bye") == 1));
    trace("cancel('again') -> %s",
          TF(co_task_cancel_msg(self->t, "again") == 1));
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("awaiter: cancelled with %s", args(co_caught_message()));
    co_task_unref(self->t);

    self->t = spawn(&CO_NEW(struct sleeper, yielder)->co, NULL);
    CO_YIELD(co);
    co_task_cancel_msg(self->t, "first");
    co_task_cancel_msg(self->t, "last");
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("awaiter: cancelled with %s", args(co_caught_message()));
    co_task_unref(self->t);

    self->t = spawn(&CO_NEW(struct sleeper, sleeper)->co, NULL);
    co_task_cancel_msg(self->t, "before it started");
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("never started: cancelled with %s", args(co_caught_message()));
    co_task_unref(self->t);

    co_future_new(LOOP(), &self->f);
    trace("future cancel('stop') -> %s",
          TF(co_future_cancel_msg(self->f, "stop") == 1));
    trace("future cancel('late') -> %s",
          TF(co_future_cancel_msg(self->f, "late") == 1));
    CO_AWAIT_CATCH(co, self->f, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("future awaiter: %s", args(co_caught_message()));
    co_future_unref(self->f);

    self->t = spawn(&CO_NEW(struct sleeper, sleeper)->co, NULL);
    CO_YIELD(co);
    co_task_cancel(self->t);
    CO_AWAIT_CATCH(co, self->t, self->caught);
    if (self->caught == CO_ECANCELLED)
        trace("no message: %s", args(co_caught_message()));
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
