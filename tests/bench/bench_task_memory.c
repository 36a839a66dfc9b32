/* bench_task_memory.c - heap bytes per pending task, beyond the user's frame.
 *
 * Usage: bench_task_memory [N tasks = 100000]
 *
 * N tasks (CO_NEW frames) each await one shared future, so all N are
 * suspended at once. The heap in use (mallinfo2: small chunks plus mmapped
 * ones, malloc's own headers included) is read before and after; the
 * growth divided by N, minus sizeof(frame), is what a pending task costs on
 * top of the frame the user asked for.
 *
 * Two figures:
 *   task_memory      - the loop's ready queue was grown beforehand (by N
 *                      plain call_soon callbacks), so what is counted is
 *                      what stays allocated per suspended task;
 *   task_memory_cold - the same on a fresh loop: it also counts the ready
 *                      queue growing to hold N first steps, capacity that
 *                      the loop keeps afterwards. */
#define _GNU_SOURCE /* mallinfo2 */
#include <malloc.h>

#include <coflow.h>

#include "bench_common.h"

/* The body of asyncio's twin, `async def sleeper(wake): await wake`, with
 * its one local. The frame's size matters to the figure: malloc rounds a
 * block to 16 bytes, so frames of 56, 72, 88... bytes leave it nothing to
 * round and frames of 64, 80... leave 8 bytes that count as the task's
 * (docs/performance.md, "bytes per pending task"). */
struct sleeper {
    co_coro co;          /* always first */
    co_future *wake;     /* the shared future every task awaits */
};

static long finished; /* tasks that got past the await */

static int sleeper(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->wake);
    finished++;
    CO_END(co);
}

static long long heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long long)(mi.uordblks + mi.hblkhd);
}

static void nothing(void *arg)
{
    (void)arg;
}

static void stop_cb(void *arg)
{
    co_loop_stop(arg);
}

/* Runs every callback queued so far (and nothing they queue), then returns. */
static void drain(co_loop *loop)
{
    BENCH_CHECK(co_loop_call_soon(loop, stop_cb, loop));
    BENCH_CHECK(co_loop_run_forever(loop));
}

static void run(const char *name, long n, int warm)
{
    co_loop *loop;
    BENCH_CHECK(co_loop_new(&loop));
    co_future *wake;
    BENCH_CHECK(co_future_new(loop, &wake));
    if (warm) {
        for (long i = 0; i < n; i++)
            BENCH_CHECK(co_loop_call_soon(loop, nothing, NULL));
        drain(loop);
    }
    finished = 0;

    long long before = heap_in_use();
    for (long i = 0; i < n; i++) {
        struct sleeper *s = CO_NEW(struct sleeper, sleeper);
        if (!s) {
            fprintf(stderr, "bench_task_memory: out of memory\n");
            exit(1);
        }
        s->wake = wake;
        BENCH_CHECK(co_create_task(loop, &s->co, NULL, NULL));
    }
    long long created = heap_in_use();
    drain(loop); /* every task runs to its CO_AWAIT and suspends there */
    long long suspended = heap_in_use();

    size_t ntasks = co_all_tasks(loop, NULL, 0);
    if (finished != 0 || ntasks != (size_t)n) {
        fprintf(stderr, "bench_task_memory: expected %ld pending tasks, "
                        "found %zu (%ld finished)\n", n, ntasks, finished);
        exit(1);
    }
    if (suspended <= before) {
        /* A sanitizer or valgrind replaces malloc, and mallinfo2 then sees
         * nothing: no figure rather than a wrong one. 77 = skipped. */
        fprintf(stderr, "bench_task_memory: mallinfo2() saw no heap growth "
                        "(malloc is replaced here, e.g. by a sanitizer); "
                        "skipped\n");
        exit(77);
    }
    double per_task = (double)(suspended - before) / (double)n;
    double per_created = (double)(created - before) / (double)n;
    printf("%s: impl=coflow n=%ld frame_bytes=%zu heap_bytes_per_task=%.1f "
           "bytes_per_task=%.1f bytes_per_task_not_started=%.1f\n",
           name, n, sizeof(struct sleeper), per_task,
           per_task - (double)sizeof(struct sleeper),
           per_created - (double)sizeof(struct sleeper));

    /* Let them all finish, and check nothing is left behind. */
    BENCH_CHECK(co_future_set_result_int(wake, 0));
    drain(loop);
    if (finished != n) {
        fprintf(stderr, "bench_task_memory: only %ld of %ld tasks woke up\n",
                finished, n);
        exit(1);
    }
    co_future_unref(wake);
    co_loop_close(loop);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 100000);
    run("task_memory", n, 1);
    run("task_memory_cold", n, 0);
    return 0;
}
