/* test_streams.c - TCP and unix streams on loopback: coflow's own server
 * and client talk to each other, and every failure path the streams can
 * meet is made to happen for real (refused, unknown name, a peer that
 * closes mid-read, a line too long, a slow reader). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
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
    unit_add_case(s, tc);
    return s;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return unit_main(streams_suite());
}
