/* notes_get_vs_new_event_loop: the notes' rule of thumb - get_event_loop()
 * for the main thread, new_event_loop() + set_event_loop() for any other.
 * Each call of new_event_loop() makes a fresh loop; get_event_loop() gives
 * the thread's current one, and a thread that has none set gets an error
 * (CO_ENOLOOP, Python's RuntimeError). A loop run_forever in its own thread
 * takes work from the main thread, which meanwhile runs its own loop: one
 * loop per thread. The two threads hand over through blocking waits, so
 * the trace is one fixed order. */
#include "conformance.h"

#include <pthread.h>

#define TF(b) ((b) ? "True" : "False")

static co_loop *thread_loop, *main_loop;

static const char *name_of(co_loop *loop)
{
    if (loop && loop == thread_loop)
        return "thread loop";
    if (loop && loop == main_loop)
        return "main loop";
    return "an unknown loop";
}

/* threading.Event: the thread says "my loop is set". */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool set;
} ready = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};

struct where {
    co_coro co;
    const char *job;
};

static int where(co_coro *co)
{
    struct where *self = (struct where *)co;
    CO_BEGIN(co);
    {
        co_loop *running = co_get_running_loop(), *current = NULL;
        co_get_event_loop(&current);
        trace("%s: runs on the %s; get_event_loop() is it: %s", self->job,
              name_of(running), TF(current == running));
    }
    CO_YIELD(co);
    CO_RETURN_PTR(co, (void *)self->job);
    CO_END(co);
}

static void *thread_main(void *arg)
{
    co_loop *loop = arg, *got = NULL;
    int rc = co_get_event_loop(&got);
    if (rc == CO_ENOLOOP)
        trace("thread: get_event_loop() before set_event_loop: RuntimeError");
    else
        trace("thread: get_event_loop() made a loop (%s)", co_errname(rc));
    co_set_event_loop(loop);
    co_get_event_loop(&got);
    trace("thread: now get_event_loop() is the thread loop: %s",
          TF(got == loop));
    pthread_mutex_lock(&ready.mu);
    ready.set = true;
    pthread_cond_signal(&ready.cv);
    pthread_mutex_unlock(&ready.mu);
    co_loop_run_forever(loop);
    trace("thread: run_forever returned");
    return NULL;
}

void scenario(void)
{
    co_loop *other = NULL, *again = NULL;
    co_cfuture *f = NULL;
    co_task *t = NULL;
    pthread_t thread;
    void *r = NULL;
    if (co_new_event_loop(&thread_loop) < 0 || co_new_event_loop(&other) < 0)
        return;
    trace("new_event_loop() twice gives two loops: %s",
          TF(other != thread_loop));
    co_loop_close(other);
    pthread_create(&thread, NULL, thread_main, thread_loop);
    pthread_mutex_lock(&ready.mu);
    while (!ready.set)
        pthread_cond_wait(&ready.cv, &ready.mu);
    pthread_mutex_unlock(&ready.mu);

    co_get_event_loop(&main_loop);
    co_get_event_loop(&again);
    trace("main: get_event_loop() twice gives one loop: %s",
          TF(main_loop && again == main_loop));
    trace("main: and it is not the thread loop: %s",
          TF(main_loop != thread_loop));

    struct where *w = CO_NEW(struct where, where);
    w->job = "job from main";
    if (co_run_coroutine_threadsafe(&w->co, thread_loop, &f) < 0)
        co_coro_free(&w->co);
    co_cfuture_result_ptr(f, -1, &r);
    trace("main: result %s", r ? (char *)r : "(none)");
    co_cfuture_unref(f);

    w = CO_NEW(struct where, where);
    w->job = "main's own job";
    r = NULL;
    if (co_create_task(main_loop, &w->co, NULL, &t) == 0) {
        co_loop_run_until_complete(main_loop, co_task_future(t));
        co_task_result_ptr(t, &r);
        co_task_unref(t);
    }
    trace("main: result %s", r ? (char *)r : "(none)");

    co_loop_stop_threadsafe(thread_loop);
    pthread_join(thread, NULL);
    co_loop_close(thread_loop);
    co_loop_close(main_loop);
    trace("both loops closed");
}
