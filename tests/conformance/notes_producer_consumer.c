/* notes_producer_consumer: the notes' producer/consumer. A job source (the
 * notes' Redis list, here a plain array) is drained by a consumer thread,
 * which hands each job to a loop running forever in a third thread with
 * run_coroutine_threadsafe; the loop's tasks process the jobs concurrently
 * and report to the main thread through a thread-safe queue. The notes'
 * jobs of 5, 3 and 1 s (here 0.5, 0.3 and 0.1 s) finish shortest first,
 * and all three together take about 0.5 s, not 0.9: a marker job handed
 * over first, due at 0.9 s, is still pending when the last job is done.
 * (The jobs' delays are 0.2 s apart, far more than the few milliseconds
 * the consumer thread takes to hand them over, even under valgrind.) */
#include "conformance.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define TF(b) ((b) ? "True" : "False")

/* queue.Queue of messages: the loop's tasks put, the main thread gets. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char items[8][48];
    int head, tail;
} results = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {{0}}, 0, 0};

static void results_put(const char *msg)
{
    pthread_mutex_lock(&results.mu);
    if (results.tail < 8)
        snprintf(results.items[results.tail++], sizeof results.items[0], "%s",
                 msg);
    pthread_cond_signal(&results.cv);
    pthread_mutex_unlock(&results.mu);
}

static void results_get(char *out, size_t size)
{
    pthread_mutex_lock(&results.mu);
    while (results.head == results.tail)
        pthread_cond_wait(&results.cv, &results.mu);
    snprintf(out, size, "%s", results.items[results.head++]);
    pthread_mutex_unlock(&results.mu);
}

struct do_sleep {
    co_coro co;
    int x;
};

static int do_sleep(co_coro *co)
{
    struct do_sleep *self = (struct do_sleep *)co;
    char msg[48];
    CO_BEGIN(co);
    snprintf(msg, sizeof msg, "job %d starts", self->x);
    results_put(msg);
    CO_SLEEP(co, self->x / 10.0);
    snprintf(msg, sizeof msg, "job %d done", self->x);
    results_put(msg);
    CO_RETURN(co, self->x);
    CO_END(co);
}

static int marker(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.9);
    results_put("marker: 0.9 s have passed");
    CO_END(co);
}

/* The consumer thread's state: the job source and what it handed over. */
static struct {
    int source[3];        /* rpop takes from the end: 5 first */
    int n;                /* jobs left in the source */
    co_loop *loop;        /* the loop thread's loop */
    co_cfuture *handed[3]; /* one concurrent future per job handed over */
    int nhanded;
} cons = {{1, 3, 5}, 3, NULL, {NULL}, 0};

static void *consumer(void *arg)
{
    (void)arg;
    while (cons.n > 0) {
        struct do_sleep *d = CO_NEW(struct do_sleep, do_sleep);
        d->x = cons.source[--cons.n];
        if (co_run_coroutine_threadsafe(&d->co, cons.loop,
                                        &cons.handed[cons.nhanded]) < 0)
            co_coro_free(&d->co);
        cons.nhanded++;
    }
    return NULL;
}

static void *start_loop(void *arg)
{
    co_set_event_loop(arg);
    co_loop_run_forever(arg);
    return NULL;
}

void scenario(void)
{
    co_loop *loop;
    pthread_t loop_thread, consumer_thread;
    co_cfuture *mark = NULL;
    char msg[48];
    if (co_new_event_loop(&loop) < 0)
        return;
    pthread_create(&loop_thread, NULL, start_loop, loop);
    co_coro *m = CO_NEW(co_coro, marker);
    if (co_run_coroutine_threadsafe(m, loop, &mark) < 0)
        co_coro_free(m);
    cons.loop = loop;
    pthread_create(&consumer_thread, NULL, consumer, NULL);
    for (int i = 0; i < 6; i++) {
        results_get(msg, sizeof msg);
        trace("%s", msg);
    }
    pthread_join(consumer_thread, NULL);
    {
        char list[64] = "[";
        for (int i = 0; i < cons.nhanded; i++) {
            long long v = -1;
            co_cfuture_result_int(cons.handed[i], -1, &v);
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%lld",
                     i ? ", " : "", v);
            co_cfuture_unref(cons.handed[i]);
        }
        trace("source empty; jobs handed to the loop: %s]", list);
    }
    trace("marker still pending, cancelled: %s", TF(co_cfuture_cancel(mark)));
    co_cfuture_unref(mark);
    co_loop_stop_threadsafe(loop);
    pthread_join(loop_thread, NULL);
    co_loop_close(loop);
    trace("loop thread joined");
}
