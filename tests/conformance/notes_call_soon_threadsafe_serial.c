/* notes_call_soon_threadsafe_serial: a loop running in another thread runs
 * plain functions handed to it with call_soon_threadsafe one after the
 * other: a blocking one holds up the next, so the longer first job still
 * finishes first (the notes' 6 s + 3 s = 9 s, here 30 + 10 ms). */
#include "conformance.h"

#include <pthread.h>
#include <time.h>

struct job {
    double x;
    const char *msg;
};

/* A blocking function on the loop's thread: time.sleep(x), then put. */
static void do_sleep(void *arg)
{
    struct job *j = arg;
    struct timespec ts = {0, (long)(j->x * 1e9)};
    nanosleep(&ts, NULL);
    handoff_put(j->msg);
}

static void *run_loop(void *arg)
{
    co_loop_run_forever(arg);
    return NULL;
}

void scenario(void)
{
    static struct job first = {0.03, "first (30 ms)"};
    static struct job second = {0.01, "second (10 ms)"};
    co_loop *loop;
    pthread_t thread;
    if (co_loop_new(&loop) < 0)
        return;
    pthread_create(&thread, NULL, run_loop, loop);
    co_loop_call_soon_threadsafe(loop, do_sleep, &first);
    co_loop_call_soon_threadsafe(loop, do_sleep, &second);
    for (int i = 0; i < 2; i++)
        trace("%s done", handoff_get());
    co_loop_stop_threadsafe(loop);
    pthread_join(thread, NULL);
    co_loop_close(loop);
    trace("loop thread joined");
}
