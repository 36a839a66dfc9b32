/* bench_queue.c - ping-pong through two queues between two tasks.
 *
 * Usage: bench_queue [N ping-pongs = 200000]
 *
 * The pinger puts i on the `ping` queue and waits to get it back from the
 * `pong` queue; the ponger gets each item from `ping` and puts it on
 * `pong`. Both queues are unbounded, so puts never wait and every get
 * suspends: one ping-pong is two puts, two gets and two task switches.
 * co_loop_run_until_complete waits for the pinger's task. */
#include <stdint.h>

#include <coflow.h>

#include "bench_common.h"

struct player {
    co_coro co;          /* always first */
    co_queue *ping;      /* pinger -> ponger */
    co_queue *pong;      /* ponger -> pinger */
    co_wait_op op;       /* the queue wait in progress */
    void *item;          /* the item last got */
    long i, n;           /* round, and how many */
};

static int pinger(co_coro *co)
{
    struct player *self = (struct player *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < self->n; self->i++) {
        CO_QUEUE_PUT(co, &self->op, self->ping, (void *)(intptr_t)self->i);
        CO_QUEUE_GET(co, &self->op, self->pong, self->item);
        if ((intptr_t)self->item != self->i)
            CO_RAISE(co, CO_EUSER, "the ping-pong lost an item");
    }
    CO_END(co);
}

static int ponger(co_coro *co)
{
    struct player *self = (struct player *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < self->n; self->i++) {
        CO_QUEUE_GET(co, &self->op, self->ping, self->item);
        CO_QUEUE_PUT(co, &self->op, self->pong, self->item);
    }
    CO_END(co);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 200000);

    co_loop *loop;
    BENCH_CHECK(co_loop_new(&loop));
    co_queue *ping, *pong;
    BENCH_CHECK(co_queue_new(&ping, 0));
    BENCH_CHECK(co_queue_new(&pong, 0));

    double t0 = bench_wall();
    double c0 = bench_cpu();
    struct player *a = CO_NEW(struct player, pinger);
    struct player *b = CO_NEW(struct player, ponger);
    if (!a || !b) {
        fprintf(stderr, "bench_queue: out of memory\n");
        return 1;
    }
    a->ping = b->ping = ping;
    a->pong = b->pong = pong;
    a->n = b->n = n;
    co_task *ta;
    BENCH_CHECK(co_create_task(loop, &b->co, NULL, NULL));
    BENCH_CHECK(co_create_task(loop, &a->co, NULL, &ta));
    BENCH_CHECK(co_loop_run_until_complete(loop, co_task_future(ta)));
    double c1 = bench_cpu();
    double t1 = bench_wall();

    printf("queue: impl=coflow n=%ld seconds=%.6f cpu_seconds=%.6f "
           "ns_per_op=%.2f\n",
           n, t1 - t0, c1 - c0, (t1 - t0) * 1e9 / (double)n);
    co_task_unref(ta);
    co_loop_close(loop);
    BENCH_CHECK(co_queue_free(ping));
    BENCH_CHECK(co_queue_free(pong));
    return 0;
}
