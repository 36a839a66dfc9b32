/* test_streams.c - TCP and unix streams on loopback: coflow's own server
 * and client talk to each other, and every failure path the streams can
 * meet is made to happen for real (refused, unknown name, a peer that
 * closes mid-read, a line too long, a slow reader). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

/* ---- an echo server: each line comes back ----------------------------- */

struct echo_client {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    char line[128];
};

static int echo_client_step(co_coro *co)
{
    struct echo_client *self = (struct echo_client *)co;
    CO_BEGIN(co);
    for (;;) {
        CO_STREAM_READLINE(co, &self->op, self->s, self->line, sizeof self->line);
        if (self->op.n == 0)
            break;
        co_stream_write(self->s, self->line, self->op.n);
        CO_STREAM_DRAIN(co, &self->op, self->s);
    }
    CO_END(co);
}

static co_coro *echo_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct echo_client *c = CO_NEW(struct echo_client, echo_client_step);
    if (c)
        c->s = s;
    return &c->co;
}

/* A client that sends lines and reads them back. */
struct talker {
    co_coro co;
    co_loop *loop;
    co_server *srv;
    const char *host;
    const char *path;  /* unix socket, if set */
    int port;
    co_connect_op conn;
    co_stream_op op;
    co_server_op sop;
    co_stream *s;
    int i;
    char got[128];
    char peer[128];
    int echoed;
};

static int talker_step(co_coro *co)
{
    struct talker *self = (struct talker *)co;
    CO_BEGIN(co);
    if (self->path)
        CO_OPEN_UNIX_CONNECTION(co, &self->conn, self->loop, self->path, NULL);
    else
        CO_OPEN_CONNECTION(co, &self->conn, self->loop, self->host, self->port,
                           NULL);
    self->s = self->conn.stream;
    co_stream_peername_str(self->s, self->peer, sizeof self->peer);
    for (self->i = 0; self->i < 20; self->i++) {
        snprintf(self->got, sizeof self->got, "line %d\n", self->i);
        ck_assert_int_eq(co_stream_write(self->s, self->got, strlen(self->got)), 0);
        CO_STREAM_READLINE(co, &self->op, self->s, self->got, sizeof self->got);
        char want[32];
        snprintf(want, sizeof want, "line %d\n", self->i);
        ck_assert_uint_eq(self->op.n, strlen(want));
        ck_assert(memcmp(self->got, want, self->op.n) == 0);
        self->echoed++;
    }
    co_stream_close(self->s);
    CO_STREAM_WAIT_CLOSED(co, &self->op, self->s);
    co_server_close(self->srv);
    CO_SERVER_WAIT_CLOSED(co, &self->sop, self->srv);
    CO_FINALLY(co);
    co_stream_free(self->s);
    self->s = NULL;
    CO_END(co);
}

static void run_echo(const char *host, int family)
{
    co_loop *loop = unit_loop(NULL);
    co_stream_opts opts;
    co_stream_opts_init(&opts);
    opts.family = family;
    co_server *srv = NULL;
    ck_assert_int_eq(co_start_server(loop, host, 0, echo_factory, NULL, &opts,
                                     &srv), 0);
    int port = co_server_port(srv);
    ck_assert_int_gt(port, 0);
    struct talker t = {.loop = loop, .srv = srv, .host = host, .port = port};
    co_coro_init(&t.co, talker_step);
    co_task *task;
    ck_assert_int_eq(co_create_task(loop, &t.co, NULL, &task), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(task)), 0);
    ck_assert_int_eq(t.echoed, 20);
    ck_assert_uint_eq(co_server_clients(srv), 0);
    char want[64];
    snprintf(want, sizeof want, family == AF_INET6 ? "[%s]:%d" : "%s:%d", host,
             port);
    ck_assert_str_eq(t.peer, want);
    co_task_unref(task);
    ck_assert_int_eq(co_server_free(srv), 0);
    co_coro_free(&t.co);
    ck_assert_int_eq(co_loop_close(loop), 0);
}

START_TEST(test_echo_lines_over_ipv4)
{
    run_echo("127.0.0.1", AF_INET);
}
END_TEST

START_TEST(test_echo_lines_over_ipv6)
{
    run_echo("::1", AF_INET6);
}
END_TEST

/* ---- connect failures ---------------------------------------------------- */

struct connector {
    co_coro co;
    co_loop *loop;
    const char *host;
    const char *path;
    int port;
    double timeout;
    co_connect_op conn;
    int caught;
    char msg[512];
};

static int connector_step(co_coro *co)
{
    struct connector *self = (struct connector *)co;
    CO_BEGIN(co);
    {
        co_stream_opts o;
        co_stream_opts_init(&o);
        o.connect_timeout = self->timeout;
        if (self->path)
            co_open_unix_connection_op(&self->conn, self->loop, self->path, &o);
        else
            co_open_connection_op(&self->conn, self->loop, self->host,
                                  self->port, &o);
    }
    CO_AWAIT_CORO_CATCH(co, &self->conn.co, self->caught);
    if (self->caught) {
        const char *m = co_caught_message();
        snprintf(self->msg, sizeof self->msg, "%s", m ? m : "");
    }
    co_stream_free(self->conn.stream);
    CO_END(co);
}

static int try_connect(struct connector *c)
{
    co_loop *loop = unit_loop(NULL);
    c->loop = loop;
    co_coro_init(&c->co, connector_step);
    co_task *task;
    ck_assert_int_eq(co_create_task(loop, &c->co, NULL, &task), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(task)), 0);
    co_task_unref(task);
    co_coro_free(&c->co);
    ck_assert_int_eq(co_loop_close(loop), 0);
    return c->caught;
}

/* A port nobody listens on: bind one, read its number, close it. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

START_TEST(test_connect_refused_says_refused)
{
    struct connector c = {.host = "127.0.0.1", .port = free_port()};
    ck_assert_int_eq(try_connect(&c), CO_ECONNREFUSED);
    ck_assert_ptr_nonnull(strstr(c.msg, "127.0.0.1"));
    ck_assert_ptr_nonnull(strstr(c.msg, "refused"));
    ck_assert_ptr_null(c.conn.stream);
}
END_TEST

START_TEST(test_connect_unknown_name_says_not_found)
{
    struct connector c = {.host = "no-such-host.invalid", .port = 80};
    ck_assert_int_eq(try_connect(&c), CO_ENONAME);
    ck_assert_ptr_nonnull(strstr(c.msg, "no-such-host.invalid"));
}
END_TEST

START_TEST(test_connect_bad_arguments)
{
    struct connector c = {.host = "127.0.0.1", .port = 70000};
    ck_assert_int_eq(try_connect(&c), CO_EINVAL);
    ck_assert_int_eq(co_open_connection_op(NULL, NULL, NULL, 0, NULL), CO_EINVAL);
}
END_TEST

START_TEST(test_unix_connect_to_missing_socket)
{
    struct connector c = {.path = "/tmp/streams-no-such-socket-here"};
    ck_assert_int_eq(try_connect(&c), CO_ENONAME);
}
END_TEST


START_TEST(test_connect_to_an_unreachable_address_says_unreachable)
{
    /* Linux refuses a TCP connect to a multicast address with ENETUNREACH
     * before sending anything (tcp_v6_connect, tcp_v4_connect), network
     * or not: nothing leaves the machine. IPv6's rule needs no route at
     * all; IPv4's is the fallback for a host without IPv6. */
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct connector c = {.host = probe >= 0 ? "ff0e::1" : "224.0.0.1",
                          .port = 9};
    if (probe >= 0)
        close(probe);
    ck_assert_int_eq(try_connect(&c), CO_EUNREACHABLE);
    ck_assert_msg(strstr(c.msg, "unreachable") != NULL, "%s", c.msg);
    ck_assert_ptr_nonnull(strstr(c.msg, c.host));
    ck_assert_ptr_null(c.conn.stream);
}
END_TEST

/* ---- reads on a socketpair: the other end is a plain fd ------------------ */

/* One read of a given kind on stream s, its outcome kept. */
struct reader {
    co_coro co;
    co_stream *s;
    int kind;          /* 0 read, 1 readexactly, 2 readline, 3 readuntil */
    size_t want;
    co_stream_op op;
    int caught;
    size_t n;
    char buf[256];
};

static int reader_step(co_coro *co)
{
    struct reader *self = (struct reader *)co;
    CO_BEGIN(co);
    if (self->kind == 0)
        co_stream_read_op(&self->op, self->s, self->buf, self->want);
    else if (self->kind == 1)
        co_stream_readexactly_op(&self->op, self->s, self->buf, self->want);
    else if (self->kind == 2)
        co_stream_readline_op(&self->op, self->s, self->buf, sizeof self->buf);
    else
        co_stream_readuntil_op(&self->op, self->s, self->buf, sizeof self->buf,
                               "\r\n\r\n", 4);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
    self->n = self->op.n;
    CO_END(co);
}

struct pair {
    co_loop *loop;
    co_stream *s; /* our end, a stream */
    int peer;     /* the other end, a plain blocking fd */
};

static struct pair pair_new(size_t limit)
{
    struct pair p;
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    p.loop = unit_loop(NULL);
    p.peer = sv[1];
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.limit = limit;
    ck_assert_int_eq(co_stream_from_fd(p.loop, sv[0], &o, &p.s), 0);
    return p;
}

static void pair_free(struct pair *p)
{
    ck_assert_int_eq(co_stream_free(p->s), 0);
    if (p->peer >= 0)
        close(p->peer);
    ck_assert_int_eq(co_loop_close(p->loop), 0);
}

static void peer_send(struct pair *p, const char *text)
{
    size_t len = strlen(text);
    ck_assert_int_eq(write(p->peer, text, len), (ssize_t)len);
}

/* Runs one read to its end. */
static void run_read(struct pair *p, struct reader *r)
{
    r->s = p->s;
    co_coro_init(&r->co, reader_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(p->loop, &r->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(p->loop, co_task_future(t)), 0);
    co_task_unref(t);
    co_coro_free(&r->co);
}

START_TEST(test_readexactly_reports_what_arrived_before_eof)
{
    struct pair p = pair_new(0);
    peer_send(&p, "hello");
    close(p.peer);
    p.peer = -1;
    struct reader r = {.kind = 1, .want = 10};
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, CO_EINCOMPLETE);
    ck_assert_uint_eq(r.n, 5);
    ck_assert(memcmp(r.buf, "hello", 5) == 0);
    ck_assert(co_stream_at_eof(p.s));
    pair_free(&p);
}
END_TEST

START_TEST(test_readexactly_gathers_pieces)
{
    struct pair p = pair_new(0);
    peer_send(&p, "abc");
    struct reader r = {.kind = 1, .want = 6};
    r.s = p.s;
    co_coro_init(&r.co, reader_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(p.loop, &r.co, NULL, &t), 0);
    /* Until the rest comes, it waits (the loop runs dry on the fd only). */
    for (int i = 0; i < 5; i++)
        unit_run_once(p.loop);
    ck_assert(!co_task_done(t));
    peer_send(&p, "defXYZ");
    ck_assert_int_eq(co_loop_run_until_complete(p.loop, co_task_future(t)), 0);
    ck_assert_int_eq(r.caught, 0);
    ck_assert(memcmp(r.buf, "abcdef", 6) == 0);
    ck_assert_uint_eq(co_stream_buffered(p.s), 3); /* XYZ is left */
    co_task_unref(t);
    co_coro_free(&r.co);
    pair_free(&p);
}
END_TEST

START_TEST(test_peer_closing_mid_read_gives_eof)
{
    struct pair p = pair_new(0);
    struct reader r = {.kind = 0, .want = 100};
    r.s = p.s;
    co_coro_init(&r.co, reader_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(p.loop, &r.co, NULL, &t), 0);
    for (int i = 0; i < 3; i++)
        unit_run_once(p.loop);
    ck_assert(!co_task_done(t)); /* waiting for data */
    close(p.peer);
    p.peer = -1;
    ck_assert_int_eq(co_loop_run_until_complete(p.loop, co_task_future(t)), 0);
    ck_assert_int_eq(r.caught, 0);
    ck_assert_uint_eq(r.n, 0); /* read(n) at end of file: b"" */
    ck_assert(co_stream_at_eof(p.s));
    co_task_unref(t);
    co_coro_free(&r.co);
    pair_free(&p);
}
END_TEST

START_TEST(test_readline_returns_last_unterminated_line)
{
    struct pair p = pair_new(0);
    peer_send(&p, "one\ntwo");
    close(p.peer);
    p.peer = -1;
    struct reader r = {.kind = 2};
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, 0);
    ck_assert_uint_eq(r.n, 4);
    ck_assert(memcmp(r.buf, "one\n", 4) == 0);
    run_read(&p, &r);
    ck_assert_uint_eq(r.n, 3);
    ck_assert(memcmp(r.buf, "two", 3) == 0);
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, 0);
    ck_assert_uint_eq(r.n, 0);
    pair_free(&p);
}
END_TEST

START_TEST(test_readuntil_separator_and_incomplete)
{
    struct pair p = pair_new(0);
    peer_send(&p, "GET / HTTP/1.1\r\nHost: x\r\n\r\nrest");
    close(p.peer);
    p.peer = -1;
    struct reader r = {.kind = 3};
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, 0);
    ck_assert_uint_eq(r.n, 27);
    ck_assert(memcmp(r.buf + 23, "\r\n\r\n", 4) == 0);
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, CO_EINCOMPLETE);
    ck_assert_uint_eq(r.n, 4);
    ck_assert(memcmp(r.buf, "rest", 4) == 0);
    pair_free(&p);
}
END_TEST

START_TEST(test_line_too_long_fails_clearly_and_skips_the_line)
{
    struct pair p = pair_new(16);
    peer_send(&p, "this line is much longer than sixteen bytes\nok\n");
    struct reader r = {.kind = 2};
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, CO_ELIMIT);
    ck_assert_ptr_nonnull(strstr(co_strerror(CO_ELIMIT), "line too long"));
    run_read(&p, &r); /* the next line is whole again */
    ck_assert_int_eq(r.caught, 0);
    ck_assert_uint_eq(r.n, 3);
    ck_assert(memcmp(r.buf, "ok\n", 3) == 0);
    pair_free(&p);
}
END_TEST

START_TEST(test_line_too_long_without_any_newline)
{
    struct pair p = pair_new(16);
    peer_send(&p, "0123456789abcdefghijklmnop");
    struct reader r = {.kind = 2};
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, CO_ELIMIT);
    pair_free(&p);
}
END_TEST

START_TEST(test_cancelled_read_leaves_stream_usable)
{
    struct pair p = pair_new(0);
    struct reader r = {.kind = 2};
    r.s = p.s;
    co_coro_init(&r.co, reader_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(p.loop, &r.co, NULL, &t), 0);
    peer_send(&p, "half a li");
    for (int i = 0; i < 3; i++)
        unit_run_once(p.loop);
    ck_assert(!co_task_done(t));
    ck_assert(co_task_cancel(t));
    co_loop_run_until_complete(p.loop, co_task_future(t));
    ck_assert_int_eq(r.caught, CO_ECANCELLED);
    co_task_unref(t);
    co_coro_free(&r.co);
    /* Nothing was consumed: the next readline gets the whole line. */
    peer_send(&p, "ne\n");
    struct reader r2 = {.kind = 2};
    run_read(&p, &r2);
    ck_assert_int_eq(r2.caught, 0);
    ck_assert_uint_eq(r2.n, 12);
    ck_assert(memcmp(r2.buf, "half a line\n", 12) == 0);
    pair_free(&p);
}
END_TEST

START_TEST(test_two_reads_at_once_are_refused)
{
    struct pair p = pair_new(0);
    struct reader a = {.kind = 0, .want = 10}, b = {.kind = 0, .want = 10};
    a.s = b.s = p.s;
    co_coro_init(&a.co, reader_step);
    co_coro_init(&b.co, reader_step);
    co_task *ta, *tb;
    ck_assert_int_eq(co_create_task(p.loop, &a.co, NULL, &ta), 0);
    ck_assert_int_eq(co_create_task(p.loop, &b.co, NULL, &tb), 0);
    ck_assert_int_eq(co_loop_run_until_complete(p.loop, co_task_future(tb)), 0);
    ck_assert_int_eq(b.caught, CO_EFDBUSY);
    peer_send(&p, "x");
    ck_assert_int_eq(co_loop_run_until_complete(p.loop, co_task_future(ta)), 0);
    ck_assert_int_eq(a.caught, 0);
    ck_assert_uint_eq(a.n, 1);
    co_task_unref(ta);
    co_task_unref(tb);
    co_coro_free(&a.co);
    co_coro_free(&b.co);
    pair_free(&p);
}
END_TEST

START_TEST(test_write_after_close_is_refused)
{
    struct pair p = pair_new(0);
    co_stream_close(p.s);
    ck_assert(co_stream_is_closing(p.s));
    ck_assert_int_eq(co_stream_write(p.s, "x", 1), CO_ESTREAMCLOSED);
    ck_assert_int_eq(co_stream_write(NULL, "x", 1), CO_EINVAL);
    ck_assert_int_eq(co_stream_fileno(p.s), -1); /* nothing queued: closed */
    char c;
    ck_assert_int_eq(read(p.peer, &c, 1), 0);     /* the peer sees EOF */
    pair_free(&p);
}
END_TEST

/* ---- backpressure: a writer faster than its reader ------------------------ */

#define CHUNK 16384
#define TOTAL (8 * 1024 * 1024)

struct pusher {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    size_t sent;
    size_t max_queued;  /* the largest write buffer seen */
    int drain_waited;   /* drains that found the buffer above the mark */
    char chunk[CHUNK];
};

static int pusher_step(co_coro *co)
{
    struct pusher *self = (struct pusher *)co;
    CO_BEGIN(co);
    memset(self->chunk, 'z', sizeof self->chunk);
    while (self->sent < TOTAL) {
        ck_assert_int_eq(co_stream_write(self->s, self->chunk, CHUNK), 0);
        self->sent += CHUNK;
        size_t q = co_stream_write_buffer_size(self->s);
        if (q > self->max_queued)
            self->max_queued = q;
        if (q > CO_STREAM_DEFAULT_HIGH_WATER)
            self->drain_waited++;
        CO_STREAM_DRAIN(co, &self->op, self->s);
        ck_assert_uint_le(co_stream_write_buffer_size(self->s),
                          CO_STREAM_DEFAULT_HIGH_WATER);
    }
    co_stream_close(self->s);
    CO_STREAM_WAIT_CLOSED(co, &self->op, self->s);
    CO_END(co);
}

struct slow_reader {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    size_t got;
    char buf[4096];
};

static int slow_reader_step(co_coro *co)
{
    struct slow_reader *self = (struct slow_reader *)co;
    CO_BEGIN(co);
    for (;;) {
        CO_STREAM_READ(co, &self->op, self->s, self->buf, sizeof self->buf);
        if (self->op.n == 0)
            break;
        self->got += self->op.n;
        CO_YIELD(co); /* slow: one small read per loop iteration */
    }
    CO_END(co);
}

START_TEST(test_slow_reader_makes_drain_wait_and_memory_stays_bounded)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    co_loop *loop = unit_loop(NULL);
    co_stream *a, *b;
    ck_assert_int_eq(co_stream_from_fd(loop, sv[0], NULL, &a), 0);
    ck_assert_int_eq(co_stream_from_fd(loop, sv[1], NULL, &b), 0);
    struct pusher *w = calloc(1, sizeof *w);
    struct slow_reader *r = calloc(1, sizeof *r);
    w->s = a;
    r->s = b;
    co_coro_init(&w->co, pusher_step);
    co_coro_init(&r->co, slow_reader_step);
    co_task *tw, *tr;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &tw), 0);
    ck_assert_int_eq(co_create_task(loop, &r->co, NULL, &tr), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(tr)), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(tw)), 0);
    ck_assert_uint_eq(r->got, TOTAL);                /* nothing lost */
    ck_assert_int_gt(w->drain_waited, 0);            /* drain did wait */
    ck_assert_uint_le(w->max_queued, CO_STREAM_DEFAULT_HIGH_WATER + CHUNK);
    co_task_unref(tw);
    co_task_unref(tr);
    free(w);
    free(r);
    ck_assert_int_eq(co_stream_free(a), 0);
    ck_assert_int_eq(co_stream_free(b), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- unix-domain server ---------------------------------------------------- */

START_TEST(test_unix_server_echoes)
{
    char path[108];
    snprintf(path, sizeof path, "/tmp/streams-test-%d.sock", (int)getpid());
    co_loop *loop = unit_loop(NULL);
    co_server *srv;
    ck_assert_int_eq(co_start_unix_server(loop, path, echo_factory, NULL, NULL,
                                          &srv), 0);
    ck_assert_int_eq(co_server_port(srv), -1);
    ck_assert_int_eq(co_server_sockets(srv), 1);
    struct talker t = {.loop = loop, .srv = srv, .path = path};
    co_coro_init(&t.co, talker_step);
    co_task *task;
    ck_assert_int_eq(co_create_task(loop, &t.co, NULL, &task), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(task)), 0);
    ck_assert_int_eq(t.echoed, 20);
    co_task_unref(task);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(access(path, F_OK), -1); /* close removed the file */
    co_coro_free(&t.co);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- a loop closed under open streams --------------------------------------- */

START_TEST(test_loop_close_closes_streams_and_server)
{
    co_loop *loop = unit_loop(NULL);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, echo_factory, NULL,
                                     NULL, &srv), 0);
    struct pair p = pair_new(0);
    co_loop *other = p.loop;
    /* A read left waiting on a stream of the other loop. */
    struct reader *r = calloc(1, sizeof *r);
    r->kind = 0;
    r->want = 10;
    r->s = p.s;
    co_coro_init(&r->co, reader_step);
    ck_assert_int_eq(co_create_task(other, &r->co, NULL, NULL), 0);
    unit_run_once(other);
    ck_assert_int_eq(co_loop_close(other), 0);
    ck_assert_int_eq(co_stream_fileno(p.s), -1);
    ck_assert_ptr_null(co_stream_loop(p.s));
    ck_assert_int_eq(co_stream_free(p.s), 0);
    close(p.peer);
    co_coro_free(&r->co);
    free(r);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(co_server_sockets(srv), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
}
END_TEST

/* ---- a connect that times out, one cancelled, one reset ------------------ */

START_TEST(test_connect_timeout_says_timed_out)
{
    /* A listener with backlog 0 and one connection waiting in its queue:
     * Linux drops every further SYN, so a connect can only time out. */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(l, 0), 0);
    ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &len), 0);
    int filler = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(filler, (struct sockaddr *)&a, sizeof a), 0);
    struct connector c = {.host = "127.0.0.1", .port = ntohs(a.sin_port),
                          .timeout = 0.2};
    ck_assert_int_eq(try_connect(&c), CO_ETIMEDOUT);
    ck_assert_msg(strstr(c.msg, "no connection within") != NULL, "%s", c.msg);
    close(filler);
    close(l);
}
END_TEST

START_TEST(test_cancelled_connect_during_lookup_leaks_nothing)
{
    co_loop *loop = unit_loop(NULL);
    struct connector c = {.host = "localhost", .port = free_port(),
                          .loop = loop};
    co_coro_init(&c.co, connector_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &c.co, NULL, &t), 0);
    unit_run_once(loop); /* the lookup is on its way to a worker thread */
    ck_assert(!co_task_done(t));
    ck_assert(co_task_cancel(t));
    co_loop_run_until_complete(loop, co_task_future(t));
    ck_assert_int_eq(c.caught, CO_ECANCELLED);
    ck_assert_ptr_null(c.conn.stream);
    co_task_unref(t);
    co_coro_free(&c.co);
    ck_assert_int_eq(co_loop_close(loop), 0); /* joins the worker */
}
END_TEST

/* A server that resets every connection once it has read a line from it:
 * SO_LINGER 0, then it ends (its stream is closed: an RST goes out). */
struct resetter {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    char line[64];
};

static int resetter_step(co_coro *co)
{
    struct resetter *self = (struct resetter *)co;
    CO_BEGIN(co);
    CO_STREAM_READLINE(co, &self->op, self->s, self->line, sizeof self->line);
    {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(co_stream_fileno(self->s), SOL_SOCKET, SO_LINGER, &lg,
                   sizeof lg);
    }
    CO_END(co);
}

static co_coro *resetter_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct resetter *r = CO_NEW(struct resetter, resetter_step);
    if (r)
        r->s = s;
    return r ? &r->co : NULL;
}

struct reset_client {
    co_coro co;
    co_loop *loop;
    int port;
    co_connect_op conn;
    co_stream_op op;
    char buf[64];
    int caught;
    int write_rc;
};

static int reset_client_step(co_coro *co)
{
    struct reset_client *self = (struct reset_client *)co;
    CO_BEGIN(co);
    CO_OPEN_CONNECTION(co, &self->conn, self->loop, "127.0.0.1", self->port,
                       NULL);
    co_stream_write(self->conn.stream, "hi\n", 3);
    co_stream_read_op(&self->op, self->conn.stream, self->buf, sizeof self->buf);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
    self->write_rc = co_stream_write(self->conn.stream, "x", 1);
    CO_FINALLY(co);
    co_stream_free(self->conn.stream);
    CO_END(co);
}

START_TEST(test_reset_by_peer_says_reset)
{
    co_loop *loop = unit_loop(NULL);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, resetter_factory,
                                     NULL, NULL, &srv), 0);
    struct reset_client c = {.loop = loop, .port = co_server_port(srv)};
    co_coro_init(&c.co, reset_client_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &c.co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(c.caught, CO_ECONNRESET);
    ck_assert_int_eq(c.write_rc, CO_ECONNRESET); /* the stream says why */
    co_task_unref(t);
    co_coro_free(&c.co);
    co_server_close(srv);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
}
END_TEST

/* ---- serve_forever, writelines, write_eof, names --------------------------- */

struct forever {
    co_coro co;
    co_server *srv;
    co_server_op op;
};

static int forever_step(co_coro *co)
{
    struct forever *self = (struct forever *)co;
    CO_BEGIN(co);
    CO_SERVER_SERVE_FOREVER(co, &self->op, self->srv);
    CO_END(co);
}

START_TEST(test_cancelling_serve_forever_closes_the_server)
{
    co_loop *loop = unit_loop(NULL);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, echo_factory, NULL,
                                     NULL, &srv), 0);
    ck_assert(co_server_is_serving(srv));
    struct forever f = {.srv = srv};
    co_coro_init(&f.co, forever_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &f.co, NULL, &t), 0);
    unit_run_once(loop);
    ck_assert(!co_task_done(t));
    co_task_cancel(t);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert(!co_server_is_serving(srv));
    ck_assert_int_eq(co_server_sockets(srv), 0);
    co_task_unref(t);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_writelines_then_write_eof)
{
    struct pair p = pair_new(0);
    struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
    ck_assert_int_eq(co_stream_writelines(p.s, iov, 3), 0);
    ck_assert_int_eq(co_stream_write_eof(p.s), 0);
    ck_assert_int_eq(co_stream_write(p.s, "x", 1), CO_ESTREAMCLOSED);
    char buf[64];
    size_t got = 0;
    ssize_t n;
    while ((n = read(p.peer, buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    ck_assert_int_eq(n, 0); /* end of file after the bytes */
    ck_assert_uint_eq(got, 13);
    ck_assert(memcmp(buf, "one two three", 13) == 0);
    /* Reading still works after write_eof. */
    peer_send(&p, "back\n");
    struct reader r = {.kind = 2};
    run_read(&p, &r);
    ck_assert_uint_eq(r.n, 5);
    pair_free(&p);
}
END_TEST

/* More buffers than one sendmsg takes (IOV_MAX): the rest is queued and
 * sent, in order, and the connection stays healthy. */
START_TEST(test_writelines_past_iov_max)
{
    struct pair p = pair_new(0);
    enum { N = 3000 };
    static struct iovec iov[N];
    static char bytes[N];
    for (int i = 0; i < N; i++) {
        bytes[i] = (char)('a' + i % 26);
        iov[i].iov_base = &bytes[i];
        iov[i].iov_len = 1;
    }
    ck_assert_int_eq(co_stream_writelines(p.s, iov, N), 0);
    ck_assert_int_eq(co_stream_error(p.s), 0);
    for (int i = 0; i < 1000 && co_stream_write_buffer_size(p.s) > 0; i++)
        unit_run_once(p.loop);
    ck_assert_uint_eq(co_stream_write_buffer_size(p.s), 0);
    ck_assert_int_eq(co_stream_write_eof(p.s), 0);
    for (int i = 0; i < 10; i++)
        unit_run_once(p.loop);
    static char got[N + 1];
    size_t n = 0;
    ssize_t r;
    while ((r = read(p.peer, got + n, sizeof got - n)) > 0)
        n += (size_t)r;
    ck_assert_uint_eq(n, N);
    ck_assert(memcmp(got, bytes, N) == 0);
    pair_free(&p);
}
END_TEST

START_TEST(test_writelines_that_cannot_be_held_queues_nothing)
{
    /* writelines is all or nothing: when its bytes cannot all be queued,
     * none is, and the caller knows the stream is as it was. */
    struct pair p = pair_new(0);
    int small = 4096;
    ck_assert_int_eq(setsockopt(co_stream_fileno(p.s), SOL_SOCKET, SO_SNDBUF,
                                &small, sizeof small), 0);
    static char big[1 << 20];
    memset(big, 'b', sizeof big);
    ck_assert_int_eq(co_stream_write(p.s, big, sizeof big), 0);
    size_t before = co_stream_write_buffer_size(p.s);
    ck_assert_uint_gt(before, 0); /* the peer reads nothing: bytes queue */
    /* A length no memory can hold: refused before any byte of it is read. */
    struct iovec iov[2] = {{.iov_base = "abc", .iov_len = 3},
                           {.iov_base = big, .iov_len = SIZE_MAX / 2}};
    ck_assert_int_eq(co_stream_writelines(p.s, iov, 2), CO_ENOMEM);
    ck_assert_uint_eq(co_stream_write_buffer_size(p.s), before);
    ck_assert_int_eq(co_stream_error(p.s), 0);
    iov[1].iov_base = "def";
    iov[1].iov_len = 3;
    ck_assert_int_eq(co_stream_writelines(p.s, iov, 2), 0);
    ck_assert_uint_eq(co_stream_write_buffer_size(p.s), before + 6);
    pair_free(&p);
}
END_TEST

/* ---- a server's own futures, and accept() out of descriptors ------------- */

struct server_waiter {
    co_coro co;
    co_server *srv;
    co_server_op op;
    int forever;       /* serve_forever rather than wait_closed */
};

static int server_waiter_step(co_coro *co)
{
    struct server_waiter *self = (struct server_waiter *)co;
    CO_BEGIN(co);
    if (self->forever)
        CO_SERVER_SERVE_FOREVER(co, &self->op, self->srv);
    else
        CO_SERVER_WAIT_CLOSED(co, &self->op, self->srv);
    CO_END(co);
}

START_TEST(test_closed_server_keeps_no_future_alive)
{
    /* asyncio's Server lets go of its waiters at close: once serve_forever
     * and wait_closed have returned, nothing of the loop's is held until
     * co_server_free. */
    co_loop *loop = unit_loop(NULL);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, echo_factory, NULL,
                                     NULL, &srv), 0);
    struct server_waiter w[2] = {{.srv = srv, .forever = 1}, {.srv = srv}};
    co_task *t[2];
    for (int i = 0; i < 2; i++) {
        co_coro_init(&w[i].co, server_waiter_step);
        ck_assert_int_eq(co_create_task(loop, &w[i].co, NULL, &t[i]), 0);
    }
    unit_run_once(loop);
    ck_assert(!co_task_done(t[0]) && !co_task_done(t[1]));
    co_server_close(srv);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(co_loop_run_until_complete(loop,
                                                    co_task_future(t[i])), 0);
        co_task_unref(t[i]);
        co_coro_free(&w[i].co);
    }
    unit_run_once(loop); /* the done-callbacks the tasks queued */
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* What the EMFILE test watches: the server's report that it pauses, and
 * its factory's first call. Either completes `event`. */
struct emfile_watch {
    co_future *event;
    int clients;       /* factory calls */
    int reports;       /* reports that accept() failed */
    char report[256];
};

static void emfile_report(co_loop *loop, const char *message, void *arg)
{
    struct emfile_watch *w = arg;
    (void)loop;
    if (strstr(message, "accept")) {
        w->reports++;
        snprintf(w->report, sizeof w->report, "%s", message);
    }
    if (!co_future_done(w->event))
        co_future_set_result_int(w->event, 1);
}

static co_coro *emfile_factory(co_stream *s, void *arg)
{
    struct emfile_watch *w = arg;
    w->clients++;
    if (!co_future_done(w->event))
        co_future_set_result_int(w->event, 1);
    return echo_factory(s, NULL);
}

START_TEST(test_accept_out_of_descriptors_pauses_then_accepts_again)
{
    struct emfile_watch w = {0};
    co_loop *loop = unit_loop(NULL);
    co_loop_set_exception_handler(loop, emfile_report, &w);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, emfile_factory, &w,
                                     NULL, &srv), 0);
    /* A client in the listening socket's queue (connect completes in the
     * kernel before anyone accepts). */
    int cfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)co_server_port(srv)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(cfd, (struct sockaddr *)&a, sizeof a), 0);
    /* No descriptor left: the limit is the lowest free number. Check runs
     * each test in a child of its own; the limit is put back all the same
     * for a run without fork. */
    struct rlimit old, low;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    int lowest = open("/dev/null", O_RDONLY);
    ck_assert_int_ge(lowest, 0);
    close(lowest);
    low = old;
    low.rlim_cur = (rlim_t)lowest;
    ck_assert_int_eq(co_future_new(loop, &w.event), 0);
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    int probe = open("/dev/null", O_RDONLY);
    int probe_errno = errno;
    int rc = co_loop_run_until_complete(loop, w.event);
    setrlimit(RLIMIT_NOFILE, &old);
    if (probe >= 0)
        close(probe);
    ck_assert_int_eq(probe, -1);
    ck_assert_int_eq(probe_errno, EMFILE);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(w.clients, 0);
    ck_assert_int_eq(w.reports, 1);
    ck_assert_msg(strstr(w.report, "file descriptors") != NULL, "%s", w.report);
    ck_assert_uint_eq(co_server_clients(srv), 0);
    /* Descriptors again: the paused server accepts on its own (its retry
     * timer is the only thing left to wake the loop; a server that never
     * retried would end the run with CO_EDEADLOCK). A second client
     * waits too: under valgrind, which only pretends the limit, the
     * kernel did accept the first one and valgrind closed it. */
    int cfd2 = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(cfd2, (struct sockaddr *)&a, sizeof a), 0);
    co_future_unref(w.event);
    ck_assert_int_eq(co_future_new(loop, &w.event), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, w.event), 0);
    ck_assert_int_ge(w.clients, 1);
    ck_assert_int_eq(w.reports, 1);
    ck_assert_uint_eq(co_server_clients(srv), (size_t)w.clients);
    co_future_unref(w.event);
    /* The clients leave; the server closes once its handlers have ended. */
    close(cfd);
    close(cfd2);
    co_server_close(srv);
    struct server_waiter sw = {.srv = srv};
    co_coro_init(&sw.co, server_waiter_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &sw.co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    co_task_unref(t);
    co_coro_free(&sw.co);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_bad_arguments_are_refused)
{
    co_loop *loop = unit_loop(NULL);
    co_server *srv = NULL;
    ck_assert_int_eq(co_start_server(NULL, "127.0.0.1", 0, echo_factory, NULL,
                                     NULL, &srv), CO_EINVAL);
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 65536, echo_factory,
                                     NULL, NULL, &srv), CO_EINVAL);
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, NULL, NULL, NULL,
                                     &srv), CO_EINVAL);
    ck_assert_ptr_null(srv);
    ck_assert_int_eq(co_stream_from_fd(loop, -1, NULL, &(co_stream *){NULL}),
                     CO_EINVAL);
    ck_assert_int_eq(co_stream_from_fd(loop, 1000, NULL, &(co_stream *){NULL}),
                     CO_EBADF);
    ck_assert_int_eq(co_stream_free(NULL), 0);
    ck_assert(co_stream_at_eof(NULL));
    ck_assert_int_eq(co_stream_read_op(NULL, NULL, NULL, 0), CO_EINVAL);
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    ck_assert_int_eq(co_start_unix_server(loop, longpath, echo_factory, NULL,
                                          NULL, &srv), CO_EINVAL);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_port_in_use_is_reported)
{
    struct unit_reports rep = {0};
    co_loop *loop = unit_loop(&rep);
    co_server *a, *b = NULL;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, echo_factory, NULL,
                                     NULL, &a), 0);
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", co_server_port(a),
                                     echo_factory, NULL, NULL, &b), CO_ESYS);
    ck_assert_ptr_null(b);
    ck_assert_msg(strstr(rep.last, "Address already in use") != NULL, "%s",
                  rep.last);
    ck_assert_int_eq(co_server_free(a), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A client that connects and then waits for ever, so that the server is
 * left with a client coroutine in the middle of a read. */
struct idler {
    co_coro co;
    co_loop *loop;
    int port;
    co_connect_op conn;
    co_stream_op op;
    char buf[8];
};

static int idler_step(co_coro *co)
{
    struct idler *self = (struct idler *)co;
    CO_BEGIN(co);
    CO_OPEN_CONNECTION(co, &self->conn, self->loop, "127.0.0.1", self->port,
                       NULL);
    CO_STREAM_READ(co, &self->op, self->conn.stream, self->buf, sizeof self->buf);
    CO_END(co);
}

START_TEST(test_loop_closed_while_serving_frees_everything)
{
    co_loop *loop = unit_loop(NULL);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, echo_factory, NULL,
                                     NULL, &srv), 0);
    struct idler *c = calloc(1, sizeof *c);
    c->loop = loop;
    c->port = co_server_port(srv);
    co_coro_init(&c->co, idler_step);
    ck_assert_int_eq(co_create_task(loop, &c->co, NULL, NULL), 0);
    for (int i = 0; i < 200 && co_server_clients(srv) == 0; i++)
        unit_run_once(loop);
    ck_assert_uint_eq(co_server_clients(srv), 1);
    for (int i = 0; i < 5; i++)
        unit_run_once(loop);
    ck_assert_int_eq(co_server_free(srv), CO_EBUSY); /* a client is served */
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(co_server_free(srv), 0);        /* now it frees it all */
    co_stream_free(c->conn.stream);
    co_coro_free(&c->co);
    free(c);
}
END_TEST

/* ---- a server coroutine that writes and returns at once -------------------- */

#define FLOOD (4 * 1024 * 1024)

struct flooder {
    co_coro co;
    co_stream *s;
};

static int flooder_step(co_coro *co)
{
    struct flooder *self = (struct flooder *)co;
    CO_BEGIN(co);
    {
        char *big = malloc(FLOOD);
        ck_assert_ptr_nonnull(big);
        memset(big, 'f', FLOOD);
        ck_assert_int_eq(co_stream_write(self->s, big, FLOOD), 0);
        free(big);
    }
    CO_END(co); /* no drain: the server still sends it all, then closes */
}

static co_coro *flooder_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct flooder *f = CO_NEW(struct flooder, flooder_step);
    if (f)
        f->s = s;
    return f ? &f->co : NULL;
}

struct sink {
    co_coro co;
    co_loop *loop;
    co_server *srv;
    co_connect_op conn;
    co_stream_op op;
    co_server_op sop;
    size_t got;
    char buf[65536];
};

static int sink_step(co_coro *co)
{
    struct sink *self = (struct sink *)co;
    CO_BEGIN(co);
    CO_OPEN_CONNECTION(co, &self->conn, self->loop, "127.0.0.1",
                       co_server_port(self->srv), NULL);
    for (;;) {
        CO_STREAM_READ(co, &self->op, self->conn.stream, self->buf,
                       sizeof self->buf);
        if (self->op.n == 0)
            break;
        self->got += self->op.n;
    }
    co_server_close(self->srv);
    CO_SERVER_WAIT_CLOSED(co, &self->sop, self->srv);
    CO_FINALLY(co);
    co_stream_free(self->conn.stream);
    CO_END(co);
}

START_TEST(test_server_sends_what_a_finished_client_wrote)
{
    co_loop *loop = unit_loop(NULL);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, flooder_factory,
                                     NULL, NULL, &srv), 0);
    struct sink *k = calloc(1, sizeof *k);
    k->loop = loop;
    k->srv = srv;
    co_coro_init(&k->co, sink_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &k->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_uint_eq(k->got, FLOOD);
    co_task_unref(t);
    co_coro_free(&k->co);
    free(k);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

struct drainer {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    int caught;
};

static int drainer_step(co_coro *co)
{
    struct drainer *self = (struct drainer *)co;
    CO_BEGIN(co);
    co_stream_drain_op(&self->op, self->s);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
    CO_END(co);
}

START_TEST(test_cancelled_drain_keeps_the_bytes_queued)
{
    struct pair p = pair_new(0);
    size_t total = 4 * 1024 * 1024;
    char *big = malloc(total);
    for (size_t i = 0; i < total; i++)
        big[i] = (char)(i % 253);
    ck_assert_int_eq(co_stream_write(p.s, big, total), 0);
    ck_assert_uint_gt(co_stream_write_buffer_size(p.s),
                      CO_STREAM_DEFAULT_HIGH_WATER);
    struct drainer d = {.s = p.s};
    co_coro_init(&d.co, drainer_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(p.loop, &d.co, NULL, &t), 0);
    for (int i = 0; i < 3; i++)
        unit_run_once(p.loop);
    ck_assert(!co_task_done(t)); /* the peer reads nothing: drain waits */
    co_task_cancel(t);
    co_loop_run_until_complete(p.loop, co_task_future(t));
    ck_assert_int_eq(d.caught, CO_ECANCELLED);
    co_task_unref(t);
    co_coro_free(&d.co);
    /* The stream still works: close it, and everything arrives. */
    co_stream_close(p.s);
    /* The peer reads on this thread, non-blocking, taking turns with the
     * loop that sends: no second process, no sleeping. */
    int fl = fcntl(p.peer, F_GETFL);
    fcntl(p.peer, F_SETFL, fl | O_NONBLOCK);
    size_t got = 0;
    int bad = 0;
    char buf[65536];
    for (;;) {
        ssize_t n = read(p.peer, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0) {
            ck_assert_int_eq(errno, EAGAIN);
            unit_run_once(p.loop);
            continue;
        }
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != (char)((got + (size_t)i) % 253))
                bad++;
        got += (size_t)n;
    }
    ck_assert_uint_eq(got, total);
    ck_assert_int_eq(bad, 0);
    free(big);
    pair_free(&p);
}
END_TEST

START_TEST(test_readuntil_over_the_limit_leaves_the_bytes)
{
    struct pair p = pair_new(8);
    peer_send(&p, "0123456789\r\n\r\n");
    struct reader r = {.kind = 3};
    run_read(&p, &r);
    ck_assert_int_eq(r.caught, CO_ELIMIT);
    ck_assert_uint_eq(co_stream_buffered(p.s), 14); /* nothing consumed */
    struct reader all = {.kind = 1, .want = 14};
    run_read(&p, &all);
    ck_assert_int_eq(all.caught, 0);
    ck_assert(memcmp(all.buf, "0123456789\r\n\r\n", 14) == 0);
    pair_free(&p);
}
END_TEST

Suite *streams_suite(void)
{
    Suite *s = suite_create("streams");
    TCase *tc = tcase_create("echo");
    tcase_add_test(tc, test_echo_lines_over_ipv4);
    tcase_add_test(tc, test_echo_lines_over_ipv6);
    unit_add_case(s, tc);
    tc = tcase_create("connect");
    tcase_add_test(tc, test_connect_refused_says_refused);
    tcase_add_test(tc, test_connect_unknown_name_says_not_found);
    tcase_add_test(tc, test_connect_bad_arguments);
    tcase_add_test(tc, test_unix_connect_to_missing_socket);
    tcase_add_test(tc, test_connect_timeout_says_timed_out);
    tcase_add_test(tc, test_connect_to_an_unreachable_address_says_unreachable);
    tcase_add_test(tc, test_cancelled_connect_during_lookup_leaks_nothing);
    tcase_add_test(tc, test_reset_by_peer_says_reset);
    unit_add_case(s, tc);
    tc = tcase_create("reads");
    tcase_add_test(tc, test_readexactly_reports_what_arrived_before_eof);
    tcase_add_test(tc, test_readexactly_gathers_pieces);
    tcase_add_test(tc, test_peer_closing_mid_read_gives_eof);
    tcase_add_test(tc, test_readline_returns_last_unterminated_line);
    tcase_add_test(tc, test_readuntil_separator_and_incomplete);
    tcase_add_test(tc, test_line_too_long_fails_clearly_and_skips_the_line);
    tcase_add_test(tc, test_line_too_long_without_any_newline);
    tcase_add_test(tc, test_cancelled_read_leaves_stream_usable);
    tcase_add_test(tc, test_two_reads_at_once_are_refused);
    tcase_add_test(tc, test_readuntil_over_the_limit_leaves_the_bytes);
    unit_add_case(s, tc);
    tc = tcase_create("writes");
    tcase_add_test(tc, test_write_after_close_is_refused);
    tcase_add_test(tc, test_writelines_then_write_eof);
    tcase_add_test(tc, test_writelines_past_iov_max);
    tcase_add_test(tc, test_writelines_that_cannot_be_held_queues_nothing);
    tcase_add_test(tc, test_cancelled_drain_keeps_the_bytes_queued);
    tcase_add_test(tc, test_slow_reader_makes_drain_wait_and_memory_stays_bounded);
    unit_add_case(s, tc);
    tc = tcase_create("servers");
    tcase_add_test(tc, test_unix_server_echoes);
    tcase_add_test(tc, test_loop_close_closes_streams_and_server);
    tcase_add_test(tc, test_cancelling_serve_forever_closes_the_server);
    tcase_add_test(tc, test_loop_closed_while_serving_frees_everything);
    tcase_add_test(tc, test_server_sends_what_a_finished_client_wrote);
    tcase_add_test(tc, test_bad_arguments_are_refused);
    tcase_add_test(tc, test_port_in_use_is_reported);
    tcase_add_test(tc, test_closed_server_keeps_no_future_alive);
    tcase_add_test(tc, test_accept_out_of_descriptors_pauses_then_accepts_again);
    unit_add_case(s, tc);
    return s;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return unit_main(streams_suite());
}
