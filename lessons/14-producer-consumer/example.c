/* example.c - lesson 14: producers and consumers. First the notes' design
 * for real: a Redis list (jobsource.h starts a redis-server of its own), a
 * consumer thread blocked in BRPOP that hands each job to a loop thread
 * with co_run_coroutine_threadsafe; then two consumer processes on one
 * list; then the same inside one loop, with co_queue.
 *
 * Where redis-server or hiredis is missing, a pipe stands in for the list
 * (stderr says so) and the trace is the same. LESSON14_SOURCE=redis makes
 * Redis a must: then the program exits 77 (skipped) without it;
 * LESSON14_SOURCE=pipe takes the pipe even where Redis is. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coflow.h>

#include "jobsource.h"

#define UNIT 0.1 /* seconds: the notes' 5, 3 and 1 s become 0.5, 0.3, 0.1 */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- part 1: the notes' three threads ------------------------------------ */

/* The notes' queue.Queue: the loop's tasks put messages, main gets them. */
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

/* The notes' do_sleep: a job of x units, run by the loop. */
struct do_sleep {
    co_coro co;
    int x;
};

static int do_sleep(co_coro *co)
{
    struct do_sleep *self = (struct do_sleep *)co;
    char msg[48];
    CO_BEGIN(co);
    snprintf(msg, sizeof msg, "  loop: job %d starts", self->x);
    results_put(msg);
    CO_SLEEP(co, self->x * UNIT);
    snprintf(msg, sizeof msg, "  loop: job %d done", self->x);
    results_put(msg);
    CO_RETURN(co, self->x);
    CO_END(co);
}

/* The consumer thread: BRPOP until the 0 that means "no more", each job
 * handed to the loop at once; then it waits for their results. */
struct consumer_thread {
    struct jobsource *js;
    co_loop *loop;
    co_cfuture *handed[8];
    int n;
    int failed;
};

static void *consumer_main(void *arg)
{
    struct consumer_thread *ct = arg;
    struct jobconn jc;
    if (js_connect(ct->js, &jc) < 0) {
        ct->failed = 1;
        return NULL;
    }
    int job;
    while (ct->n < 8 && js_pop(&jc, &job) == 0 && job > 0) {
        struct do_sleep *d = CO_NEW(struct do_sleep, do_sleep);
        if (!d)
            break;
        d->x = job;
        if (co_run_coroutine_threadsafe(&d->co, ct->loop,
                                        &ct->handed[ct->n]) < 0) {
            co_coro_free(&d->co);
            ct->failed = 1;
            break;
        }
        ct->n++;
    }
    js_disconnect(&jc);
    return NULL;
}

static void *loop_main(void *arg)
{
    co_set_event_loop(arg);
    co_loop_run_forever(arg);
    return NULL;
}

static int part1(struct jobsource *js)
{
    printf("== the notes: a list, a consumer thread, a loop thread ==\n");
    co_loop *loop;
    if (co_new_event_loop(&loop) < 0)
        return -1;
    co_loop_hold(loop); /* it runs forever, waiting for jobs */
    pthread_t loop_thread, cons_thread;
    struct consumer_thread ct = {.js = js, .loop = loop};
    pthread_create(&loop_thread, NULL, loop_main, loop);
    pthread_create(&cons_thread, NULL, consumer_main, &ct);

    struct jobconn jc;
    int rc = js_connect(js, &jc);
    double t0 = now();
    if (rc == 0) {
        printf("producer: pushes jobs 5, 3 and 1, then 0 for \"no more\"\n");
        int jobs[] = {5, 3, 1, 0};
        for (int i = 0; i < 4 && rc == 0; i++)
            rc = js_push(&jc, jobs[i]);
        js_disconnect(&jc);
    }
    pthread_join(cons_thread, NULL);
    char msg[48];
    for (int i = 0; rc == 0 && !ct.failed && i < 2 * ct.n; i++) {
        results_get(msg, sizeof msg);
        printf("%s\n", msg);
    }
    double took = now() - t0;
    printf("consumer thread: handed over [");
    for (int i = 0; i < ct.n; i++) {
        long long v = -1;
        co_cfuture_result_int(ct.handed[i], -1, &v);
        printf(i ? ", %lld" : "%lld", v);
        co_cfuture_unref(ct.handed[i]);
    }
    printf("]\nall done after t=%.2fs: the longest job (5 units), not the "
           "sum (9)\n", took);
    co_loop_stop_threadsafe(loop);
    pthread_join(loop_thread, NULL);
    co_loop_release(loop);
    co_loop_close(loop);
    return rc == 0 && !ct.failed && ct.n == 3 ? 0 : -1;
}

/* ---- part 2: two consumer processes on one list -------------------------- */

#define NJOBS 6

/* A consumer process: pops jobs, works one unit on each, reports the job
 * on @p report, until it pops 0. */
static void consumer_process(struct jobsource *js, int who, int report)
{
    struct jobconn jc;
    if (js_connect(js, &jc) < 0)
        _exit(1);
    int job;
    while (js_pop(&jc, &job) == 0 && job > 0) {
        poll(NULL, 0, (int)(UNIT * 1000)); /* the work: one unit */
        int rec[2] = {who, job};
        if (write(report, rec, sizeof rec) != (ssize_t)sizeof rec)
            break;
    }
    js_disconnect(&jc);
    _exit(0);
}

static int part2(struct jobsource *js)
{
    printf("== two consumer processes on one list ==\n");
    int rep[2];
    if (pipe(rep) < 0)
        return -1;
    fflush(stdout);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            close(rep[0]);
            consumer_process(js, k + 1, rep[1]);
        }
    }
    close(rep[1]);
    struct jobconn jc;
    int rc = js_connect(js, &jc);
    /* With Redis, push once both wait in BRPOP (asked, never slept on):
     * then each is sure to get one of the first two jobs. */
    for (int tries = 0; rc == 0 && js->redis && tries < 1000; tries++) {
        if (js_blocked_clients(&jc) >= 2)
            break;
        poll(NULL, 0, 10);
    }
    printf("producer: pushes %d jobs of 1 unit, then a 0 for each "
           "consumer\n", NJOBS);
    for (int i = 1; rc == 0 && i <= NJOBS; i++)
        rc = js_push(&jc, i);
    for (int k = 0; rc == 0 && k < 2; k++)
        rc = js_push(&jc, 0);
    js_disconnect(&jc);
    int times[NJOBS + 1] = {0}, by[3] = {0};
    char took[3][64] = {"", "", ""};
    int rec[2];
    for (int i = 0; i < NJOBS && read(rep[0], rec, sizeof rec) ==
                                     (ssize_t)sizeof rec;
         i++) {
        if (rec[0] < 1 || rec[0] > 2 || rec[1] < 1 || rec[1] > NJOBS)
            continue; /* not ours: never trusted */
        times[rec[1]]++;
        by[rec[0]]++;
        size_t used = strlen(took[rec[0]]);
        snprintf(took[rec[0]] + used, sizeof took[0] - used, " %d", rec[1]);
    }
    close(rep[0]);
    for (int k = 0; k < 2; k++)
        waitpid(kids[k], NULL, 0);
    int once = 1;
    for (int i = 1; i <= NJOBS; i++)
        once &= times[i] == 1;
    printf("every job done exactly once: %s\n", once ? "yes" : "NO");
    /* Who took which depends on who was quicker: stderr shows it. */
    fprintf(stderr, "  (consumer 1 took%s; consumer 2 took%s)\n", took[1],
            took[2]);
    return once ? 0 : -1;
}

/* ---- part 3: in one loop, with co_queue ---------------------------------- */

struct qjob {
    int id;
    int units;
    int done;
};

static co_queue *q;
static int max_seen; /* the most items seen in the queue */

struct producer {
    co_coro co;
    struct qjob *jobs;
    int n, i;
    co_wait_op op;
};

static int producer(co_coro *co)
{
    struct producer *self = (struct producer *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < self->n; self->i++) {
        CO_QUEUE_PUT(co, &self->op, q, &self->jobs[self->i]);
        if ((int)co_queue_qsize(q) > max_seen)
            max_seen = (int)co_queue_qsize(q);
    }
    CO_END(co);
}

struct qconsumer {
    co_coro co;
    const char *name;
    struct qjob *job;
    co_wait_op op;
    int caught;
};

static int qconsumer(co_coro *co)
{
    struct qconsumer *self = (struct qconsumer *)co;
    void *item;
    CO_BEGIN(co);
    for (;;) {
        CO_QUEUE_GET(co, &self->op, q, item); /* cancelled here: holds none */
        self->job = item;
        CO_SLEEP_CATCH(co, self->job->units * 0.01, self->caught);
        if (self->caught) {
            /* Cancelled in the middle of a job: it goes back, not lost. */
            printf("a consumer cancelled in job %d puts it back\n",
                   self->job->id);
            co_queue_put_nowait(q, self->job);
            self->job = NULL;
            co_queue_task_done(q);
            CO_RAISE(co, CO_ECANCELLED, "cancelled");
        }
        self->job->done++;
        self->job = NULL;
        co_queue_task_done(q);
    }
    CO_END(co);
}

struct main3 {
    co_coro co;
    co_loop *loop;
    struct producer p[2];
    struct qconsumer c[3];
    co_task *pt[2], *ct[3];
    struct qjob jobs[7];
    co_wait_op op;
    int i;
};

static int main3(co_coro *co)
{
    struct main3 *self = (struct main3 *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < 7; self->i++)
        self->jobs[self->i] = (struct qjob){.id = self->i + 1,
                                            .units = 1 + self->i % 3};
    for (self->i = 0; self->i < 2; self->i++) {
        self->p[self->i] = (struct producer){.jobs = &self->jobs[3 * self->i],
                                             .n = 3};
        co_coro_init(&self->p[self->i].co, producer);
        co_create_task(self->loop, &self->p[self->i].co, "producer",
                       &self->pt[self->i]);
    }
    static const char *const names[] = {"c1", "c2", "c3"};
    for (self->i = 0; self->i < 3; self->i++) {
        self->c[self->i] = (struct qconsumer){.name = names[self->i]};
        co_coro_init(&self->c[self->i].co, qconsumer);
        co_create_task(self->loop, &self->c[self->i].co, names[self->i],
                       &self->ct[self->i]);
    }
    printf("2 producers put 3 jobs each into co_queue(maxsize=2); 3 "
           "consumers\n");
    for (self->i = 0; self->i < 2; self->i++)
        CO_AWAIT(co, co_task_future(self->pt[self->i])); /* all put */
    CO_QUEUE_JOIN(co, &self->op, q);                     /* all done */
    printf("join: returned once task_done was called for all 6\n");
    printf("the queue held at most %d (the producers waited for room)\n",
           max_seen);
    {
        int once = 1;
        for (int i = 0; i < 6; i++)
            once &= self->jobs[i].done == 1;
        printf("every job done exactly once: %s\n", once ? "yes" : "NO");
    }
    /* Job 7 goes to the first consumer in line, which is then cancelled
     * in the middle of it. */
    co_queue_put_nowait(q, &self->jobs[6]);
    CO_SLEEP(co, 0);
    CO_SLEEP(co, 0);
    for (int i = 0; i < 3; i++)
        if (self->c[i].job == &self->jobs[6])
            co_task_cancel(self->ct[i]);
    CO_QUEUE_JOIN(co, &self->op, q);
    printf("job 7 done %d time(s), by another consumer\n",
           self->jobs[6].done);
    for (int i = 0; i < 3; i++) /* the others wait in get: hold none */
        if (!co_task_done(self->ct[i]))
            co_task_cancel(self->ct[i]);
    CO_SLEEP(co, 0);
    printf("cancelled the consumers waiting in get; items left: %zu\n",
           co_queue_qsize(q));
    for (int i = 0; i < 2; i++)
        co_task_unref(self->pt[i]);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->ct[i]);
    CO_END(co);
}

static int part3(void)
{
    printf("== in one loop: co_queue ==\n");
    if (co_queue_new(&q, 2) < 0)
        return -1;
    co_loop *loop;
    if (co_loop_new(&loop) < 0)
        return -1;
    static struct main3 m;
    m.loop = loop;
    co_coro_init(&m.co, main3);
    co_task *t;
    int rc = co_create_task(loop, &m.co, "main", &t);
    if (rc == 0) {
        rc = co_loop_run_until_complete(loop, co_task_future(t));
        co_task_unref(t);
    }
    co_loop_close(loop);
    co_queue_free(q);
    return rc;
}

int main(void)
{
    const char *want = getenv("LESSON14_SOURCE");
    int must = want && strcmp(want, "redis") == 0;
    int pipe_only = want && strcmp(want, "pipe") == 0;
    struct jobsource js;
    int rc = js_open(&js, must ? 2 : pipe_only ? 0 : 1);
    if (rc == 77)
        return 77;
    if (rc < 0)
        return 1;
    if (js.redis)
        fprintf(stderr, "job source: the Redis list \"jobs\" on a "
                        "redis-server of ours, 127.0.0.1:%d\n", js.port);
    rc = part1(&js);
    if (rc == 0)
        rc = part2(&js);
    js_close(&js);
    if (rc == 0 && !must)
        rc = part3();
    return rc == 0 ? 0 : 1;
}
