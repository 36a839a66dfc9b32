/* run_sigint_cancels_main: co_run, like asyncio.run in 3.11, installs a
 * SIGINT handler. Ctrl-C (here raised by the program itself from a
 * callback) cancels the main task: its cleanup runs, then the other tasks
 * are cancelled as at any shutdown, and co_run returns CO_EINTERRUPTED
 * (asyncio.run raises KeyboardInterrupt). Afterwards the previous
 * disposition is back. (SIGINT is set to its default first: a shell may
 * start the program with it ignored.) */
#include "conformance.h"

#include <signal.h>

struct child {
    co_coro co;
};

static int child(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 1000);
    CO_FINALLY(co);
    trace("child: cleanup");
    CO_END(co);
}

static void send_sigint(void *arg)
{
    (void)arg;
    raise(SIGINT);
}

struct main_f {
    co_coro co;
    co_task *task;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    int err = 0;
    CO_BEGIN(co);
    self->task = spawn(&CO_NEW(struct child, child)->co, NULL);
    co_loop_call_soon(LOOP(), send_sigint, NULL);
    CO_SLEEP_CATCH(co, 1000, err);
    if (err == CO_ECANCELLED) {
        trace("main: cancelled");
        CO_RAISE(co, err, NULL);
    }
    CO_AWAIT(co, self->task);
    CO_FINALLY(co);
    trace("main: cleanup");
    co_task_unref(self->task);
    CO_END(co);
}

void scenario(void)
{
    signal(SIGINT, SIG_DFL);
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    if (co_run(&m.co) == CO_EINTERRUPTED)
        trace("asyncio.run raised KeyboardInterrupt");
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    trace("the previous SIGINT handler is back: %s",
          now.sa_handler == SIG_DFL ? "True" : "False");
}
