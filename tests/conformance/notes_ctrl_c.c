/* notes_ctrl_c: Ctrl-C (SIGINT, sent to ourselves at 0.3 s) cancels every
 * task: cancel() is false for the one already finished and true for the two
 * still sleeping, whose cleanup then runs (the notes' 1, 5 and 8 s, here 0.1,
 * 0.5 and 0.8 s). The handler is a loop callback, not a real signal
 * handler. */
#include "conformance.h"

#include <signal.h>
#include <unistd.h>

struct demo {
    co_coro co;
    int x;
};

static int demo_exp(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->x / 10.0);
    CO_RETURN(co, self->x);
    CO_FINALLY(co);
    trace("demo_exp(%d): finally", self->x);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_future *items[3];
    co_future *w;
};

static void on_sigint(void *arg)
{
    struct main_f *self = arg;
    trace("SIGINT: cancelling every task");
    for (int i = 0; i < 3; i++)
        trace("cancel() -> %s",
              co_future_cancel(self->items[i]) ? "True" : "False");
}

static void send_sigint(void *arg)
{
    (void)arg;
    kill(getpid(), SIGINT);
}

static int main_co(co_coro *co)
{
    static const int xs[] = {1, 5, 8};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    for (int i = 0; i < 3; i++) {
        struct demo *d = CO_NEW(struct demo, demo_exp);
        d->x = xs[i];
        self->items[i] = co_task_future(spawn(&d->co, NULL));
    }
    co_loop_add_signal_handler(LOOP(), SIGINT, on_sigint, self);
    co_loop_call_later(LOOP(), 0.3, send_sigint, NULL, NULL);
    co_wait(LOOP(), self->items, 3, CO_NO_TIMEOUT, CO_ALL_COMPLETED, &self->w);
    CO_AWAIT(co, self->w);
    for (int i = 0; i < 3; i++) {
        long long v = 0;
        if (co_future_cancelled(self->items[i]))
            trace("cancelled");
        else if (co_future_result_int(self->items[i], &v) == 0)
            trace("paused %lld", v);
    }
    co_loop_remove_signal_handler(LOOP(), SIGINT);
    CO_FINALLY(co);
    co_future_unref(self->w);
    for (int i = 0; i < 3; i++)
        co_future_unref(self->items[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
