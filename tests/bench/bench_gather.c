/* bench_gather.c - tasks awaited the way programs await them: one gather.
 *
 * Usage: bench_gather sleep0 [N tasks = 100000] [K yields = 10]
 *        bench_gather timers [N tasks = 100000]
 *        bench_gather sleep_many [N tasks = 1000000]
 *
 *   gather_sleep0 - N tasks that each do K CO_SLEEP(co, 0), all awaited
 *                   through one co_gather from a main coroutine run by
 *                   co_run; the whole program is timed, from before the
 *                   loop is made to after it is closed.
 *   task_timers   - N tasks that each sleep (i % 100) ms once, gathered:
 *                   the CPU time is the figure (libuv's bare timers with
 *                   the same deadlines are its reference).
 *   sleep_many    - N tasks that each sleep 1 s, gathered: peak resident
 *                   memory and CPU time. */
#include <string.h>
#include <sys/resource.h>

#include <coflow.h>

#include "bench_common.h"

/* The two task bodies, each with the one local its asyncio twin has. */
struct yielder {
    co_coro co;       /* always first */
    long left;        /* sleep(0)s still to do */
};

static int yielder(co_coro *co)
{
    struct yielder *self = (struct yielder *)co;
    CO_BEGIN(co);
    while (self->left > 0) {
        self->left--;
        CO_SLEEP(co, 0);
    }
    CO_END(co);
}

struct sleeper {
    co_coro co;       /* always first */
    double delay;     /* its one sleep's length */
};

static int sleeper(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    CO_END(co);
}

struct main_frame {
    co_coro co;       /* always first */
    long n, k;        /* tasks, and the sleep(0)s of each (-1: one sleep) */
    int timers;       /* task i sleeps (i % 100) ms instead */
    double delay;     /* or every task sleeps this long */
    co_future **tasks;
    co_future *all;
};

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    CO_BEGIN(co);
    for (long i = 0; i < self->n; i++) {
        co_coro *body;
        if (self->k >= 0) {
            struct yielder *y = CO_NEW(struct yielder, yielder);
            if (y)
                y->left = self->k;
            body = y ? &y->co : NULL;
        } else {
            struct sleeper *s = CO_NEW(struct sleeper, sleeper);
            if (s)
                s->delay = self->timers ? (double)(i % 100) * 1e-3
                                        : self->delay;
            body = s ? &s->co : NULL;
        }
        if (!body)
            CO_RAISE(co, CO_ENOMEM, "out of memory");
        co_task *t;
        int rc = co_create_task(co_get_running_loop(), body, NULL, &t);
        if (rc < 0)
            CO_RAISE(co, rc, "co_create_task failed");
        self->tasks[i] = co_task_future(t);
    }
    {
        int rc = co_gather(co_get_running_loop(), self->tasks,
                           (size_t)self->n, false, &self->all);
        if (rc < 0)
            CO_RAISE(co, rc, "co_gather failed");
    }
    CO_AWAIT(co, self->all);
    CO_FINALLY(co);
    co_future_unref(self->all);
    for (long i = 0; i < self->n; i++)
        co_future_unref(self->tasks[i]);
    CO_END(co);
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* Runs one workload (see the top of the file) and prints its line. */
static void run(const char *what, long n, long k)
{
    struct main_frame m = {.n = n, .k = k};
    if (strcmp(what, "timers") == 0) {
        m.timers = 1;
        m.k = -1;
    } else if (strcmp(what, "sleep_many") == 0) {
        m.k = -1;
        m.delay = 1.0;
    }
    m.tasks = calloc((size_t)n, sizeof *m.tasks);
    if (!m.tasks) {
        fprintf(stderr, "bench_gather: out of memory\n");
        exit(1);
    }
    co_coro_init(&m.co, main_co);

    double t0 = bench_wall(), c0 = bench_cpu();
    BENCH_CHECK(co_run(&m.co));
    double c1 = bench_cpu(), t1 = bench_wall();
    co_coro_free(&m.co);
    free(m.tasks);

    if (strcmp(what, "sleep0") == 0) {
        double ops = (double)n * (double)k;
        printf("gather_sleep0: impl=coflow n=%.0f tasks=%ld yields=%ld "
               "seconds=%.6f cpu_seconds=%.6f ns_per_op=%.2f\n",
               ops, n, k, t1 - t0, c1 - c0, (t1 - t0) * 1e9 / ops);
    } else if (m.timers) {
        printf("task_timers: impl=coflow n=%ld seconds=%.6f "
               "cpu_seconds=%.6f\n", n, t1 - t0, c1 - c0);
    } else {
        printf("sleep_many: impl=coflow n=%ld seconds=%.6f cpu_seconds=%.6f "
               "peak_rss_mb=%.1f\n", n, t1 - t0, c1 - c0, peak_rss_mb());
    }
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    if (strcmp(what, "sleep0") == 0) {
        run(what, bench_arg(argc, argv, 2, 100000),
            bench_arg(argc, argv, 3, 10));
    } else if (strcmp(what, "timers") == 0) {
        run(what, bench_arg(argc, argv, 2, 100000), 0);
    } else if (strcmp(what, "sleep_many") == 0) {
        run(what, bench_arg(argc, argv, 2, 1000000), 0);
    } else if (strcmp(what, "all") == 0) {
        run("sleep0", 100000, 10);
        run("timers", 100000, 0);
        run("sleep_many", 1000000, 0); /* last: its peak is the process's */
    } else {
        fprintf(stderr, "usage: bench_gather [sleep0 [N [K]] | timers [N] | "
                        "sleep_many [N] | all]\n");
        return 2;
    }
    return 0;
}
