/* example.c - lesson 09: blocking work handed to a pool, so that the loop
 * keeps running.
 *
 * Part 1 uses a thread pool the way plain threads do: 10 jobs of 0.1 s on 5
 * workers, the main thread blocking on each concurrent future (two waves,
 * 0.2 s). Parts 2-4 await a blocking function from a coroutine, through
 * run_in_executor on the default pool, on a pool of our own, and on a pool
 * of processes, while a ticker task goes on ticking. Part 5 runs three
 * blocking "downloads" on the loop's thread (the sum) and then in the pool
 * (the slowest one). */
#include <coflow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* time.sleep(seconds): blocks the calling thread. */
static void block_for(double seconds)
{
    struct timespec ts = {(time_t)seconds,
                          (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ; /* a signal cut it short: sleep the rest */
}

/* ---- part 1: pool.submit(func, i), ten times, on five workers ---------- */

/* def func(value): time.sleep(0.1); return value * value */
static long long func(void *arg)
{
    long long value = *(const long long *)arg;
    block_for(0.1);
    return value * value;
}

static int part1_plain_pool(void)
{
    static long long values[10];
    co_executor *pool = NULL;
    co_cfuture *futs[10] = {0};
    int rc = co_executor_new(&pool, 5); /* ThreadPoolExecutor(max_workers=5) */
    if (rc < 0)
        return rc;
    printf("-- part 1: 10 jobs of 0.1s on a pool of 5 threads\n");
    t0 = now();
    for (int i = 0; i < 10 && rc == 0; i++) {
        values[i] = i;
        rc = co_executor_submit(pool, func, &values[i], &futs[i]);
    }
    /* Job 9 needs a free worker first: it cannot be done before 0.2 s. */
    printf("t=%.2fs submitted; job 9 done? %s\n", elapsed(),
           co_cfuture_done(futs[9]) ? "yes" : "no, it waits for a worker");
    for (int i = 0; i < 10 && futs[i]; i++) {
        long long v = 0;
        int err = co_cfuture_result_int(futs[i], -1, &v); /* blocks */
        if (err < 0 && rc == 0)
            rc = err;
        printf("t=%.2fs job %d gave %lld%s\n", elapsed(), i, v,
               i == 4 ? "   (the first wave of five)" : "");
    }
    printf("t=%.2fs all 10 done: two waves of 0.1s\n", elapsed());
    for (int i = 0; i < 10; i++)
        co_cfuture_unref(futs[i]);
    co_executor_free(pool);
    return rc;
}

/* ---- parts 2-4: await a blocking function, a ticker keeps going -------- */

/* What func1 hands back: text does not fit in a long long, so the job
 * fills in the struct its argument points to. */
struct answer {
    char text[16];
};

/* def func1(): time.sleep(0.2); return "SB" */
static long long func1(void *arg)
{
    struct answer *a = arg;
    block_for(0.2);
    snprintf(a->text, sizeof a->text, "SB");
    return 0;
}

/* The same in a worker process: the answer travels back as bytes. */
static int func1_in_process(const void *in, size_t in_len, void **out,
                            size_t *out_len)
{
    (void)in;
    (void)in_len;
    block_for(0.2);
    *out = malloc(3);
    if (!*out)
        return CO_ENOMEM;
    memcpy(*out, "SB", 3);
    *out_len = 2;
    return 0;
}

/* async def ticker(): three ticks 0.03 s apart, on the loop's thread. */
struct ticker {
    co_coro co; /* header */
    int i;      /* the tick, kept across the sleeps */
};

static int ticker(co_coro *co)
{
    struct ticker *self = (struct ticker *)co;
    CO_BEGIN(co);
    for (self->i = 1; self->i <= 3; self->i++) {
        printf("t=%.2fs   ticker: tick %d\n", elapsed(), self->i);
        CO_SLEEP(co, 0.03);
    }
    printf("t=%.2fs   ticker: done\n", elapsed());
    CO_END(co);
}

enum where { DEFAULT_POOL, OWN_POOL, PROCESS_POOL };

/* async def call_func1(where): starts a ticker, awaits func1 in a pool. */
struct call_func1 {
    co_coro co;                 /* header */
    enum where where;           /* argument: which pool */
    co_executor *pool;          /* argument: our own pool (OWN_POOL) */
    co_process_pool *processes; /* argument: the process pool */
    struct ticker tick;         /* the ticker task's frame */
    co_task *ticker_task;       /* our reference to it */
    struct answer answer;       /* where func1 writes (thread pools) */
    co_future *fut;             /* the loop future we await */
};

static int call_func1(co_coro *co)
{
    struct call_func1 *self = (struct call_func1 *)co;
    co_loop *loop = co_get_running_loop();
    int rc = 0;
    CO_BEGIN(co);
    t0 = now();
    co_coro_init(&self->tick.co, ticker);
    co_create_task(loop, &self->tick.co, "ticker", &self->ticker_task);
    if (self->where == PROCESS_POOL)
        rc = co_process_pool_submit(self->processes, func1_in_process, NULL,
                                    0, &self->fut);
    else /* fut = loop.run_in_executor(None or pool, func1) */
        rc = co_loop_run_in_executor(loop,
                                     self->where == OWN_POOL ? self->pool
                                                             : NULL,
                                     func1, &self->answer, &self->fut);
    if (rc < 0)
        CO_RAISE(co, rc, "could not hand func1 to the pool");
    printf("t=%.2fs main: func1 handed over; awaiting it\n", elapsed());
    CO_AWAIT(co, self->fut); /* result = await fut */
    if (self->where == PROCESS_POOL) {
        /* The reply's bytes stay the future's: read, not freed. */
        const void *data = NULL;
        size_t len = 0;
        co_job_result_bytes(self->fut, &data, &len);
        printf("t=%.2fs main: func1 gave \"%.*s\"\n", elapsed(), (int)len,
               (const char *)data);
    } else {
        printf("t=%.2fs main: func1 gave \"%s\"\n", elapsed(),
               self->answer.text);
    }
    CO_AWAIT(co, self->ticker_task);
    CO_FINALLY(co);
    co_future_unref(self->fut);
    co_task_unref(self->ticker_task);
    CO_END(co);
}

/* ---- part 5: three blocking downloads ----------------------------------- */

struct download {
    const char *url; /* which image */
    double seconds;  /* how long the server takes */
};

/* requests.get(url): blocks, then returns the body's size. */
static long long download(void *arg)
{
    const struct download *d = arg;
    block_for(d->seconds);
    return (long long)(d->seconds * 1000) * 100; /* a made-up size */
}

static struct download images[3] = {
    {"a.jpg", 0.15}, {"b.jpg", 0.05}, {"c.jpg", 0.10}};

struct download_all {
    co_coro co;        /* header */
    co_future *fut[3]; /* one loop future per download */
    int i;             /* loop counter, kept across the awaits */
};

static int download_all(co_coro *co)
{
    struct download_all *self = (struct download_all *)co;
    co_loop *loop = co_get_running_loop();
    long long size = 0;
    CO_BEGIN(co);
    t0 = now();
    for (int i = 0; i < 3; i++) {
        int rc = co_loop_run_in_executor(loop, NULL, download, &images[i],
                                         &self->fut[i]);
        if (rc < 0)
            CO_RAISE(co, rc, "could not start a download");
    }
    for (self->i = 0; self->i < 3; self->i++) {
        CO_AWAIT(co, self->fut[self->i]);
        co_future_result_int(self->fut[self->i], &size);
        printf("t=%.2fs   %s: %lld bytes\n", elapsed(),
               images[self->i].url, size);
    }
    printf("t=%.2fs in the pool: the slowest one's time\n", elapsed());
    CO_FINALLY(co);
    for (int i = 0; i < 3; i++)
        co_future_unref(self->fut[i]);
    CO_END(co);
}

/* ---- async def main() --------------------------------------------------- */

struct main_frame {
    co_coro co;                 /* header */
    co_process_pool *processes; /* made first: before any thread exists */
    co_executor *pool;          /* our own thread pool (part 3) */
    struct call_func1 call;     /* parts 2-4 */
    struct answer answer;       /* part 3, by hand: func1's answer */
    co_cfuture *cf;             /* part 3, by hand: pool.submit(func1) */
    co_future *wrapped;         /* part 3, by hand: wrap_future(cf) */
    struct download_all all;    /* part 5 */
};

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    co_loop *loop = co_get_running_loop();
    int rc;
    CO_BEGIN(co);
    /* Worker processes are forked: fork before any thread pool runs. */
    rc = co_process_pool_new(loop, 1, &self->processes);
    if (rc < 0)
        CO_RAISE(co, rc, "no process pool");
    rc = part1_plain_pool();
    if (rc < 0)
        CO_RAISE(co, rc, "part 1 failed");

    printf("-- part 2: run_in_executor(None, func1), the default pool\n");
    co_coro_init(&self->call.co, call_func1);
    self->call.where = DEFAULT_POOL;
    CO_AWAIT_CORO(co, &self->call.co);

    printf("-- part 3: run_in_executor(pool, func1), a pool of our own\n");
    if (co_executor_new(&self->pool, 2) < 0)
        CO_RAISE(co, CO_ENOMEM, "no pool");
    co_coro_init(&self->call.co, call_func1);
    self->call.where = OWN_POOL;
    self->call.pool = self->pool;
    CO_AWAIT_CORO(co, &self->call.co);
    /* What run_in_executor does, by hand: submit, then wrap the concurrent
     * future into a loop future, which a coroutine can await. */
    t0 = now();
    rc = co_executor_submit(self->pool, func1, &self->answer, &self->cf);
    if (rc == 0)
        rc = co_wrap_future(loop, self->cf, &self->wrapped);
    if (rc < 0)
        CO_RAISE(co, rc, "could not submit func1");
    CO_AWAIT(co, self->wrapped);
    printf("t=%.2fs main: wrap_future(pool.submit(func1)) gave \"%s\"\n",
           elapsed(), self->answer.text);

    printf("-- part 4: the same in a pool of processes\n");
    co_coro_init(&self->call.co, call_func1);
    self->call.where = PROCESS_POOL;
    self->call.processes = self->processes;
    CO_AWAIT_CORO(co, &self->call.co);

    printf("-- part 5: three blocking downloads, 0.15s, 0.05s and 0.10s\n");
    t0 = now();
    for (int i = 0; i < 3; i++) /* on the loop's thread: nothing else runs */
        download(&images[i]);
    printf("t=%.2fs called directly: the sum of the three\n", elapsed());
    co_coro_init(&self->all.co, download_all);
    CO_AWAIT_CORO(co, &self->all.co);

    CO_FINALLY(co);
    co_future_unref(self->wrapped);
    co_cfuture_unref(self->cf);
    co_executor_free(self->pool);
    co_process_pool_free(self->processes, true);
    CO_END(co);
}

int main(void)
{
    struct main_frame m = {0};
    co_coro_init(&m.co, main_co);
    int rc = co_run(&m.co);
    printf("co_run returned %d\n", rc);
    return rc == 0 ? 0 : 1;
}
