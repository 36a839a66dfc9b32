/* notes_run_in_executor: a blocking function handed to run_in_executor
 * runs on a pool thread; the coroutine awaits a loop future that wraps the
 * pool's concurrent future, and other tasks keep running meanwhile. */
#include "conformance.h"

#include <pthread.h>
#include <stdbool.h>

/* threading.Event: the job blocks on it until the other task sets it. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool set;
} go = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};

static const char *const SB = "SB";

static long long func1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&go.mu);
    while (!go.set)
        pthread_cond_wait(&go.cv, &go.mu);
    pthread_mutex_unlock(&go.mu);
    return 1; /* index of the answer: jobs return integers */
}

static int other(co_coro *co)
{
    CO_BEGIN(co);
    trace("other task runs while func1 blocks");
    pthread_mutex_lock(&go.mu);
    go.set = true;
    pthread_cond_signal(&go.cv);
    pthread_mutex_unlock(&go.mu);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_future *fut;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    long long v = 0;
    CO_BEGIN(co);
    co_loop_run_in_executor(LOOP(), NULL, func1, NULL, &self->fut);
    spawn_detached(CO_NEW(co_coro, other), NULL);
    CO_AWAIT(co, self->fut);
    co_future_result_int(self->fut, &v);
    trace("default thread pool %s", v == 1 ? SB : "?");
    CO_FINALLY(co);
    co_future_unref(self->fut);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
