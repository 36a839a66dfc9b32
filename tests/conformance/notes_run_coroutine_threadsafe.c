/* notes_run_coroutine_threadsafe: coroutines handed to a loop in another
 * thread with run_coroutine_threadsafe run concurrently there, so the
 * shorter one finishes first (the notes' max(6, 3) = 6 s, here 300 and
 * 100 ms); the concurrent futures carry their results back. */
#include "conformance.h"

#include <pthread.h>

struct do_sleep {
    co_coro co;
    double x;
    const char *msg;
};

static int do_sleep(co_coro *co)
{
    struct do_sleep *self = (struct do_sleep *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->x);
    handoff_put(self->msg);
    CO_RETURN(co, (long long)(self->x * 1000 + 0.5));
    CO_END(co);
}

static co_cfuture *submit(co_loop *loop, double x, const char *msg)
{
    struct do_sleep *d = CO_NEW(struct do_sleep, do_sleep);
    co_cfuture *f = NULL;
    d->x = x;
    d->msg = msg;
    if (co_run_coroutine_threadsafe(&d->co, loop, &f) < 0)
        co_coro_free(&d->co);
    return f;
}

static void *run_loop(void *arg)
{
    co_loop_run_forever(arg);
    return NULL;
}

void scenario(void)
{
    co_loop *loop;
    pthread_t thread;
    long long r1 = -1, r2 = -1;
    if (co_loop_new(&loop) < 0)
        return;
    pthread_create(&thread, NULL, run_loop, loop);
    co_cfuture *f1 = submit(loop, 0.3, "first (300 ms)");
    co_cfuture *f2 = submit(loop, 0.1, "second (100 ms)");
    for (int i = 0; i < 2; i++)
        trace("%s done", handoff_get());
    co_cfuture_result_int(f1, -1, &r1);
    co_cfuture_result_int(f2, -1, &r2);
    trace("results: %lld %lld", r1, r2);
    co_cfuture_unref(f1);
    co_cfuture_unref(f2);
    co_loop_stop_threadsafe(loop);
    pthread_join(thread, NULL);
    co_loop_close(loop);
}
