/* example.c - lesson 10: a loop in another thread, fed from the main thread
 * through the two thread-safe doors; then two loops in two threads.
 *
 * One unit is 0.05 s (the notes' one second). Part 1 hands two blocking
 * callbacks of 6 and 3 units to the loop thread with call_soon_threadsafe:
 * they run one after the other, 9 units. Part 2 hands it two coroutines
 * with run_coroutine_threadsafe: they sleep at the same time, 6 units, and
 * the main thread blocks on their concurrent futures. Part 3 runs a loop in
 * a second thread and another in the main thread; each coroutine prints the
 * loop it runs on. Each loop writes its lines into its own log, printed
 * once both are done, so the trace does not depend on how the two threads
 * interleave. */
#include <coflow.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define UNIT 0.05

static double t0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double elapsed(void)
{
    return now() - t0;
}

/* ---- a queue.Queue of messages, for the threads to report back --------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t arrived = PTHREAD_COND_INITIALIZER;
static const char *messages[8];
static int nput, nget;

static void queue_put(const char *msg)
{
    pthread_mutex_lock(&mu);
    messages[nput++ % 8] = msg;
    pthread_cond_signal(&arrived);
    pthread_mutex_unlock(&mu);
}

static const char *queue_get(void) /* blocks until a message is there */
{
    pthread_mutex_lock(&mu);
    while (nget == nput)
        pthread_cond_wait(&arrived, &mu);
    const char *msg = messages[nget++ % 8];
    pthread_mutex_unlock(&mu);
    return msg;
}

/* ---- the loop thread ------------------------------------------------------ */

/* def start_loop(loop): set_event_loop(loop); loop.run_forever() */
static void *start_loop(void *arg)
{
    co_loop *loop = arg;
    co_set_event_loop(loop);
    co_loop_run_forever(loop);
    return NULL;
}

/* ---- part 1: call_soon_threadsafe with blocking callbacks --------------- */

struct sleep_job {
    double units;    /* how long it blocks */
    const char *msg; /* what it reports when done */
};

/* def do_sleep(x, queue, msg): time.sleep(x); queue.put(msg) */
static void do_sleep(void *arg)
{
    const struct sleep_job *job = arg;
    struct timespec ts = {0, (long)(job->units * UNIT * 1e9)};
    nanosleep(&ts, NULL); /* blocks the loop's thread */
    queue_put(job->msg);
}

/* ---- part 2: run_coroutine_threadsafe with sleeping coroutines ---------- */

struct do_sleep_demo {
    co_coro co;      /* header */
    double units;    /* argument */
    const char *msg; /* argument */
};

/* async def do_sleep_demo(x, queue, msg): await sleep(x); queue.put(msg) */
static int do_sleep_demo(co_coro *co)
{
    struct do_sleep_demo *self = (struct do_sleep_demo *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->units * UNIT); /* suspends: the other one runs */
    queue_put(self->msg);
    CO_RETURN(co, (long long)self->units);
    CO_END(co);
}

static co_cfuture *submit(co_loop *loop, double units, const char *msg)
{
    struct do_sleep_demo *d = CO_NEW(struct do_sleep_demo, do_sleep_demo);
    co_cfuture *cf = NULL;
    if (!d)
        return NULL;
    d->units = units;
    d->msg = msg;
    if (co_run_coroutine_threadsafe(&d->co, loop, &cf) < 0)
        co_coro_free(&d->co);
    return cf;
}

static int parts_1_and_2(void)
{
    static struct sleep_job first = {6, "first"}, second = {3, "second"};
    co_loop *loop = NULL;
    pthread_t t;
    int rc = co_new_event_loop(&loop);
    if (rc < 0)
        return rc;
    /* Run by a thread other than its maker, run_forever waits for calls
     * even with nothing to do, as asyncio's does. */
    if (pthread_create(&t, NULL, start_loop, loop) != 0) {
        co_loop_close(loop);
        return CO_ESYS;
    }

    printf("-- part 1: call_soon_threadsafe, blocking 6 and 3 units\n");
    t0 = now();
    co_loop_call_soon_threadsafe(loop, do_sleep, &first);
    co_loop_call_soon_threadsafe(loop, do_sleep, &second);
    for (int i = 0; i < 2; i++) {
        const char *msg = queue_get();
        printf("t=%.2fs main: %s finished\n", elapsed(), msg);
    }
    printf("t=%.2fs main: one after the other, 9 units\n", elapsed());

    printf("-- part 2: run_coroutine_threadsafe, sleeping 6 and 3 units\n");
    t0 = now();
    co_cfuture *a = submit(loop, 6, "first");
    co_cfuture *b = submit(loop, 3, "second");
    for (int i = 0; i < 2 && a && b; i++) {
        const char *msg = queue_get();
        printf("t=%.2fs main: %s finished\n", elapsed(), msg);
    }
    long long ra = 0, rb = 0;
    co_cfuture_result_int(a, -1, &ra); /* blocks this thread, not the loop */
    co_cfuture_result_int(b, -1, &rb);
    printf("t=%.2fs main: the futures gave %lld and %lld; together, 6 units\n",
           elapsed(), ra, rb);
    co_cfuture_unref(a);
    co_cfuture_unref(b);

    co_loop_stop_threadsafe(loop);
    pthread_join(t, NULL);
    co_loop_close(loop);
    return 0;
}

/* ---- part 3: a loop per thread -------------------------------------------- */

static co_loop *loop_a, *loop_b; /* the main thread's, the other thread's */

static const char *name_of(co_loop *loop)
{
    return loop == loop_a ? "A" : loop == loop_b ? "B" : "?";
}

/* Each loop's lines, in the order that loop ran them. */
struct log {
    char text[1024];
    size_t len;
};
static struct log log_a, log_b;

static void log_add(struct log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(log->text + log->len, sizeof log->text - log->len, fmt,
                      ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof log->text - log->len)
        log->len += (size_t)n;
}

/* async def work(name, period): prints its loop `times` times. */
struct work {
    co_coro co;       /* header */
    const char *name; /* argument */
    double units;     /* argument: the period */
    int times;        /* argument: how many prints */
    struct log *log;  /* argument: its loop's log */
    double start;     /* when it began */
    int i;            /* counter, kept across the sleeps */
};

static int work(co_coro *co)
{
    struct work *self = (struct work *)co;
    co_loop *loop = co_get_running_loop();
    CO_BEGIN(co);
    self->start = co_loop_time(loop);
    for (self->i = 0; self->i < self->times; self->i++) {
        log_add(self->log, "t=%.2fs %s on loop %s\n",
                co_loop_time(loop) - self->start, self->name,
                name_of(co_get_running_loop()));
        CO_SLEEP(co, self->units * UNIT);
    }
    CO_END(co);
}

/* def thread_loop_task(loop): set_event_loop(loop);
 *     loop.run_until_complete(gather(work_2(), work_4())) */
static void *thread_loop_task(void *arg)
{
    co_loop *loop = arg, *current = NULL;
    static struct work w2 = {.name = "work_2", .units = 2, .times = 2,
                             .log = &log_b};
    static struct work w4 = {.name = "work_4", .units = 4, .times = 2,
                             .log = &log_b};
    co_future *tasks[2] = {0}, *all = NULL;
    int rc = co_get_event_loop(&current);
    log_add(&log_b, "thread B, before set_event_loop: get_event_loop "
                    "gives %s\n", co_errname(rc));
    co_set_event_loop(loop);
    co_get_event_loop(&current);
    log_add(&log_b, "thread B, after it: get_event_loop gives loop %s\n",
            name_of(current));
    co_coro_init(&w2.co, work);
    co_coro_init(&w4.co, work);
    co_task *t2 = NULL, *t4 = NULL;
    co_create_task(loop, &w2.co, "work_2", &t2);
    co_create_task(loop, &w4.co, "work_4", &t4);
    tasks[0] = CO_AS_FUTURE(t2);
    tasks[1] = CO_AS_FUTURE(t4);
    if (co_gather(loop, tasks, 2, false, &all) == 0)
        co_loop_run_until_complete(loop, all);
    co_future_unref(all);
    co_task_unref(t2);
    co_task_unref(t4);
    return NULL;
}

static int part_3(void)
{
    static struct work main_work = {.name = "main_work", .units = 3,
                                    .times = 2, .log = &log_a};
    pthread_t t;
    printf("-- part 3: a loop per thread\n");
    int rc = co_new_event_loop(&loop_b); /* thread_loop = new_event_loop() */
    if (rc < 0)
        return rc;
    rc = co_get_event_loop(&loop_a); /* the main thread gets one made */
    if (rc < 0) {
        co_loop_close(loop_b);
        return rc;
    }
    if (pthread_create(&t, NULL, thread_loop_task, loop_b) != 0) {
        co_loop_close(loop_a);
        co_loop_close(loop_b);
        return CO_ESYS;
    }
    co_coro_init(&main_work.co, work);
    co_task *task = NULL;
    co_create_task(loop_a, &main_work.co, "main_work", &task);
    co_loop_run_until_complete(loop_a, CO_AS_FUTURE(task));
    co_task_unref(task);
    pthread_join(t, NULL);
    printf("main thread, loop A:\n%s", log_a.text);
    printf("thread B, loop B:\n%s", log_b.text);
    printf("the two loops are %s\n", loop_a != loop_b ? "different" : "one");
    co_loop_close(loop_a);
    co_loop_close(loop_b);
    return 0;
}

int main(void)
{
    int rc = parts_1_and_2();
    if (rc == 0)
        rc = part_3();
    printf("done: %s\n", co_errname(rc));
    return rc == 0 ? 0 : 1;
}
