/* shutdown_default_executor_drains: main queues three jobs on a one-thread
 * default executor and returns without awaiting them (the first waits for
 * main to be over, so the others are still queued). co_run lets the
 * executor run them all before it returns, as asyncio.run's
 * shutdown_default_executor does, and their futures get their results. */
#include "conformance.h"

#include <semaphore.h>
#include <stdint.h>

static sem_t gate;

static long long job(void *arg)
{
    long long n = (long long)(intptr_t)arg;
    if (n == 1)
        sem_wait(&gate);
    trace("job %lld runs", n);
    return n * 10;
}

struct main_f {
    co_coro co;
    co_future *f[3];
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_executor *ex;
    co_executor_new(&ex, 1);
    co_loop_set_default_executor(LOOP(), ex);
    for (intptr_t n = 1; n <= 3; n++)
        co_loop_run_in_executor(LOOP(), NULL, job, (void *)n, &self->f[n - 1]);
    trace("main returns without awaiting the jobs");
    sem_post(&gate);
    CO_END(co);
}

void scenario(void)
{
    sem_init(&gate, 0, 0);
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
    for (int i = 0; i < 3; i++) {
        trace("%s %s", co_future_done(m.f[i]) ? "done" : "pending",
              co_future_done(m.f[i]) ? outcome(m.f[i]) : "");
        co_future_unref(m.f[i]);
    }
    sem_destroy(&gate);
}
