/* bench_echo.c - echo over loopback TCP: C clients each send a message of
 * SIZE bytes and read it back, ROUNDS times, through coflow's streams,
 * against an echo server on the same loop (asyncio_bench.py echo is the
 * same on asyncio and uvloop). Prints
 *
 *     echo: impl=coflow backend=epoll conns=100 n=100000 size=100 seconds=...
 *
 * Usage: bench_echo [BACKEND [CONNS [ROUNDS [SIZE]]]]  (epoll 100 1000 100) */
#include <signal.h>
#include <string.h>

#include "bench_common.h"
#include "coflow.h"

#define MAX_SIZE 65536

static size_t size;
static long rounds;
static long finished;

struct echo_server_client {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    unsigned char buf[MAX_SIZE];
};

static int server_client(co_coro *co)
{
    struct echo_server_client *self = (struct echo_server_client *)co;
    CO_BEGIN(co);
    for (;;) {
        co_stream_readexactly_op(&self->op, self->s, self->buf, size);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->op.caught);
        if (self->op.caught)
            break; /* the client closed: done */
        co_stream_write(self->s, self->buf, size);
        CO_STREAM_DRAIN(co, &self->op, self->s);
    }
    CO_END(co);
}

static co_coro *factory(co_stream *s, void *arg)
{
    (void)arg;
    struct echo_server_client *c =
        CO_NEW(struct echo_server_client, server_client);
    if (c)
        c->s = s;
    return c ? &c->co : NULL;
}

struct client {
    co_coro co;
    co_loop *loop;
    int port;
    long i;
    co_connect_op conn;
    co_stream_op op;
    co_stream *s;
    co_future *done;
    long conns;
    unsigned char out[MAX_SIZE], in[MAX_SIZE];
};

static int client_step(co_coro *co)
{
    struct client *self = (struct client *)co;
    CO_BEGIN(co);
    CO_OPEN_CONNECTION(co, &self->conn, self->loop, "127.0.0.1", self->port,
                       NULL);
    self->s = self->conn.stream;
    memset(self->out, 'x', size);
    for (self->i = 0; self->i < rounds; self->i++) {
        co_stream_write(self->s, self->out, size);
        CO_STREAM_DRAIN(co, &self->op, self->s);
        CO_STREAM_READEXACTLY(co, &self->op, self->s, self->in, size);
    }
    co_stream_close(self->s);
    CO_STREAM_WAIT_CLOSED(co, &self->op, self->s);
    CO_FINALLY(co);
    co_stream_free(self->s);
    if (++finished == self->conns)
        co_future_set_result_int(self->done, 0);
    CO_END(co);
}

/* Waits for the clients, then for the server's side of each connection. */
struct waiter {
    co_coro co;
    co_future *done;
    co_server *srv;
    co_server_op op;
    double t1, c1;
};

static int waiter_step(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->done);
    self->t1 = bench_wall();
    self->c1 = bench_cpu();
    co_server_close(self->srv);
    CO_SERVER_WAIT_CLOSED(co, &self->op, self->srv);
    CO_END(co);
}

int main(int argc, char **argv)
{
    const char *backend = argc > 1 ? argv[1] : "epoll";
    long conns = bench_arg(argc, argv, 2, 100);
    rounds = bench_arg(argc, argv, 3, 1000);
    size = (size_t)bench_arg(argc, argv, 4, 100);
    if (size > MAX_SIZE) {
        fprintf(stderr, "bench_echo: SIZE is at most %d\n", MAX_SIZE);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    co_loop *loop;
    BENCH_CHECK(co_loop_new_with_backend(&loop, backend));
    co_server *srv;
    BENCH_CHECK(co_start_server(loop, "127.0.0.1", 0, factory, NULL, NULL,
                                &srv));
    co_future *done;
    BENCH_CHECK(co_future_new(loop, &done));
    struct client *cl = calloc((size_t)conns, sizeof *cl);
    if (!cl)
        return 1;
    double t0 = bench_wall(), c0 = bench_cpu();
    for (long i = 0; i < conns; i++) {
        co_coro_init(&cl[i].co, client_step);
        cl[i].loop = loop;
        cl[i].port = co_server_port(srv);
        cl[i].done = done;
        cl[i].conns = conns;
        BENCH_CHECK(co_create_task(loop, &cl[i].co, NULL, NULL));
    }
    struct waiter w = {.done = done, .srv = srv};
    co_coro_init(&w.co, waiter_step);
    co_task *wt;
    BENCH_CHECK(co_create_task(loop, &w.co, NULL, &wt));
    BENCH_CHECK(co_loop_run_until_complete(loop, co_task_future(wt)));
    co_task_unref(wt);
    double t1 = w.t1, c1 = w.c1;
    long n = conns * rounds;
    printf("echo: impl=coflow backend=%s conns=%ld n=%ld size=%zu "
           "seconds=%.6f cpu_seconds=%.6f round_trips_per_s=%.0f "
           "ns_per_op=%.1f\n",
           backend, conns, n, size, t1 - t0, c1 - c0, (double)n / (t1 - t0),
           (t1 - t0) * 1e9 / (double)n);
    co_future_unref(done);
    for (long i = 0; i < conns; i++)
        co_coro_free(&cl[i].co);
    BENCH_CHECK(co_server_free(srv));
    co_loop_close(loop);
    free(cl);
    return 0;
}
