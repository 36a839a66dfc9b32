/* bench_ring.c - P socketpairs in a ring, one byte travelling round it.
 *
 * Usage: bench_ring [backend = select] [messages = 100000] [P ...]
 *        (P defaults to 10 100 1000)
 *
 * Pair i is (in[i], out[i]): whoever holds station i waits until in[i] is
 * readable, reads the byte and writes it to out[i + 1 mod P], which makes
 * in[i + 1] readable. Only one station is ever ready, and P - 1 sit
 * watched and idle: the workload that shows what a backend costs per poll
 * (select: the highest fd; poll: every watched fd; epoll: the ready ones).
 * Each P is run twice:
 *  - ring_tasks_P: P tasks, each a loop of CO_AWAIT_READABLE, read, write
 *    (asyncio: a future completed by add_reader, awaited, then
 *    remove_reader, as loop.sock_recv does when it has to wait);
 *  - ring_callbacks_P: P plain reader callbacks, registered once
 *    (loop.add_reader).
 * ns_per_op is the wall time per message. The watched ends get the low fd
 * numbers (the write ends are moved above 4096), so select can run P = 1000
 * and its cost is that of P watched fds, not of 2P. */
#include <coflow.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_common.h"

#define HIGH_FDS 4096 /* where the write ends go */

struct ring {
    int p;            /* stations */
    int *in;          /* in[i]: what station i watches and reads */
    int *out;         /* out[i]: what station i - 1 writes to */
    long messages;    /* messages to pass in all */
    long passed;      /* passed so far */
    co_loop *loop;
    co_future *done;  /* tasks: set when every station has finished */
    int finished;     /* tasks: stations done */
};

/* Reads the byte at station i and hands it on. */
static void pass_on(struct ring *r, int i)
{
    char byte;
    if (read(r->in[i], &byte, 1) != 1 ||
        write(r->out[(i + 1) % r->p], &byte, 1) != 1) {
        perror("bench_ring: read/write");
        exit(1);
    }
    r->passed++;
}

/* ---- tasks --------------------------------------------------------------- */

struct station {
    co_coro co;       /* always first */
    struct ring *ring;
    int i;            /* which station */
    long rounds;      /* messages this station still passes on */
};

static int station(co_coro *co)
{
    struct station *self = (struct station *)co;
    CO_BEGIN(co);
    while (self->rounds > 0) {
        CO_AWAIT_READABLE(co, self->ring->in[self->i]);
        pass_on(self->ring, self->i);
        self->rounds--;
    }
    if (++self->ring->finished == self->ring->p)
        co_future_set_result_int(self->ring->done, 0);
    CO_END(co);
}

static void run_tasks(struct ring *r)
{
    BENCH_CHECK(co_future_new(r->loop, &r->done));
    r->finished = 0;
    long rounds = r->messages / r->p;
    for (int i = 0; i < r->p; i++) {
        struct station *s = CO_NEW(struct station, station);
        if (!s) {
            fprintf(stderr, "bench_ring: out of memory\n");
            exit(1);
        }
        s->ring = r;
        s->i = i;
        s->rounds = rounds;
        BENCH_CHECK(co_create_task(r->loop, &s->co, NULL, NULL));
    }
    if (write(r->out[0], "x", 1) != 1)
        exit(1);
    BENCH_CHECK(co_loop_run_until_complete(r->loop, r->done));
    co_future_unref(r->done);
}

/* ---- callbacks ----------------------------------------------------------- */

struct reader {
    struct ring *ring;
    int i;
};

static void on_readable(int fd, int status, void *arg)
{
    (void)fd;
    struct reader *rd = arg;
    if (status < 0) {
        fprintf(stderr, "bench_ring: %s\n", co_strerror(status));
        exit(1);
    }
    pass_on(rd->ring, rd->i);
    if (rd->ring->passed == rd->ring->messages)
        co_loop_stop(rd->ring->loop);
}

static void run_callbacks(struct ring *r, struct reader *readers)
{
    for (int i = 0; i < r->p; i++) {
        readers[i] = (struct reader){.ring = r, .i = i};
        BENCH_CHECK(co_loop_add_reader(r->loop, r->in[i], on_readable,
                                       &readers[i]));
    }
    if (write(r->out[0], "x", 1) != 1)
        exit(1);
    BENCH_CHECK(co_loop_run_forever(r->loop));
    for (int i = 0; i < r->p; i++)
        co_loop_remove_reader(r->loop, r->in[i]);
}

/* ---- the pairs ----------------------------------------------------------- */

static void open_pairs(struct ring *r)
{
    for (int i = 0; i < r->p; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
            perror("bench_ring: socketpair");
            exit(1);
        }
        r->in[i] = sv[0];
        r->out[i] = fcntl(sv[1], F_DUPFD, HIGH_FDS);
        if (r->out[i] < 0) {
            perror("bench_ring: fcntl(F_DUPFD)");
            exit(1);
        }
        close(sv[1]); /* its low number goes to the next in[] */
    }
}

static void close_pairs(struct ring *r)
{
    for (int i = 0; i < r->p; i++) {
        close(r->in[i]);
        close(r->out[i]);
    }
}

/* The byte the last writer left behind, so the next run starts clean. */
static void drain(struct ring *r)
{
    for (int i = 0; i < r->p; i++) {
        int fl = fcntl(r->in[i], F_GETFL);
        fcntl(r->in[i], F_SETFL, fl | O_NONBLOCK);
        char buf[16];
        while (read(r->in[i], buf, sizeof buf) > 0)
            ;
        fcntl(r->in[i], F_SETFL, fl);
    }
}

static void report(const char *mode, const char *backend, struct ring *r,
                   double t0, double c0)
{
    double t1 = bench_wall(), c1 = bench_cpu();
    printf("ring_%s_%d: impl=coflow backend=%s pairs=%d n=%ld seconds=%.6f "
           "cpu_seconds=%.6f ns_per_op=%.1f\n",
           mode, r->p, backend, r->p, r->passed, t1 - t0, c1 - c0,
           (t1 - t0) * 1e9 / (double)r->passed);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *backend = argc > 1 ? argv[1] : "select";
    long messages = bench_arg(argc, argv, 2, 100000);
    int ps[16] = {10, 100, 1000}, nps = 3;
    if (argc > 3) {
        nps = 0;
        for (int a = 3; a < argc && nps < 16; a++)
            ps[nps++] = (int)bench_arg(argc, argv, a, 10);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2 * HIGH_FDS) {
        rl.rlim_cur = rl.rlim_max < 2 * HIGH_FDS ? rl.rlim_max : 2 * HIGH_FDS;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    for (int k = 0; k < nps; k++) {
        struct ring r = {.p = ps[k]};
        if (r.p < 1 || r.p > HIGH_FDS - 64) {
            fprintf(stderr, "bench_ring: P must be between 1 and %d\n",
                    HIGH_FDS - 64);
            return 2;
        }
        /* A whole number of rounds per station, as the tasks need. */
        r.messages = messages / r.p * r.p;
        if (r.messages == 0)
            r.messages = r.p;
        r.in = malloc((size_t)r.p * sizeof *r.in);
        r.out = malloc((size_t)r.p * sizeof *r.out);
        struct reader *readers = malloc((size_t)r.p * sizeof *readers);
        if (!r.in || !r.out || !readers)
            return 1;
        int rc = co_loop_new_with_backend(&r.loop, backend);
        if (rc < 0) {
            fprintf(stderr, "bench_ring: no loop on backend '%s': %s\n",
                    backend, co_strerror(rc));
            return 2;
        }
        open_pairs(&r);

        double t0 = bench_wall(), c0 = bench_cpu();
        run_tasks(&r);
        report("tasks", backend, &r, t0, c0);

        drain(&r);
        r.passed = 0;
        t0 = bench_wall();
        c0 = bench_cpu();
        run_callbacks(&r, readers);
        report("callbacks", backend, &r, t0, c0);

        co_loop_close(r.loop);
        close_pairs(&r);
        free(readers);
        free(r.in);
        free(r.out);
    }
    return 0;
}
