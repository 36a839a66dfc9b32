/* test_client.c - the HTTP client against real servers on loopback:
 * Python's http.server over a folder of generated files, coflow's own
 * start_server for chunked, redirecting, stalling and misbehaving
 * endpoints, and `openssl s_server -WWW` for https with a throwaway
 * authority. Every failure path of coflow/http.h is made to happen. */
#define _GNU_SOURCE
#include <check.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "coflow.h"
#include "servers.h"

#define TEST_TIMEOUT 60

/* ---- the suite's servers (started once, in the runner's process) ------- */

static char files_dir[256], certs_dir[256];
static struct child_server python_srv, tls_srv;
static int have_tls_server;

/* What file NAME of the test folder holds. */
static const struct {
    const char *name;
    size_t size;
} FILES[] = {{"image1.png", 65536}, {"one.bin", 1}, {"empty.txt", 0},
             {"big.jpg", 300000}};

static unsigned char pattern_byte(size_t i, unsigned seed)
{
    return (unsigned char)((i * 31 + seed * 7 + i / 251) & 0xff);
}

static void suite_setup(void)
{
    ck_assert_int_eq(temp_dir(files_dir, sizeof files_dir), 0);
    for (unsigned i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", files_dir, FILES[i].name);
        ck_assert_int_eq(write_pattern(path, FILES[i].size, i), 0);
    }
    ck_assert_int_eq(python_server_start(&python_srv, files_dir), 0);
    if (co_tls_available()) {
        ck_assert_int_eq(temp_dir(certs_dir, sizeof certs_dir), 0);
        ck_assert_int_eq(make_certificates(certs_dir), 0);
        char cert[512], key[512];
        snprintf(cert, sizeof cert, "%s/cert.pem", certs_dir);
        snprintf(key, sizeof key, "%s/key.pem", certs_dir);
        ck_assert_int_eq(openssl_server_start(&tls_srv, files_dir, cert, key),
                         0);
        have_tls_server = 1;
    }
}

static void suite_teardown(void)
{
    child_stop(&python_srv);
    child_stop(&tls_srv);
    remove_tree(files_dir);
    if (certs_dir[0])
        remove_tree(certs_dir);
}

/* ---- coflow's own server: the endpoints no file server has ------------- */

enum after { KEEP, CLOSE, STALL };

struct handler {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    char head[8192];
    char path[256];
    int served;     /* requests on this connection */
    int rc;
    enum after after;
};

/* Appends to a growing response. */
struct out {
    char *p;
    size_t len, cap;
};

static void out_add(struct out *o, const void *data, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 256;
        o->p = realloc(o->p, o->cap);
        ck_assert_ptr_nonnull(o->p);
    }
    memcpy(o->p + o->len, data, n);
    o->len += n;
}

static void out_printf(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out_add(o, buf, (size_t)n);
}

#define CHUNKED_SIZE 5000

/* The response to self->path, and what to do after sending it. */
static enum after respond(struct handler *self, struct out *o)
{
    const char *p = self->path;
    int n;
    if (strcmp(p, "/chunked") == 0 || strcmp(p, "/bigchunked") == 0) {
        size_t total = p[1] == 'c' ? CHUNKED_SIZE : 100000, sent = 0;
        static const size_t sizes[] = {1, 10, 100, 1000};
        out_printf(o, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int k = 0; sent < total; k++) {
            size_t len = k < 4 ? sizes[k] : 10000;
            if (len > total - sent)
                len = total - sent;
            out_printf(o, k == 2 ? "%zx;name=value\r\n" : "%zx\r\n", len);
            for (size_t i = 0; i < len; i++) {
                unsigned char b = pattern_byte(sent + i, 9);
                out_add(o, &b, 1);
            }
            out_printf(o, "\r\n");
            sent += len;
        }
        out_printf(o, "0\r\nX-Sum: %zu\r\n\r\n", total);
        return KEEP;
    }
    if (strcmp(p, "/count") == 0) {
        char body[32];
        int len = snprintf(body, sizeof body, "%d", self->served);
        out_printf(o, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len,
                   body);
        return KEEP;
    }
    if (sscanf(p, "/redirect/%d", &n) == 1) {
        static const int codes[] = {301, 302, 303, 307, 308};
        if (n <= 0) {
            out_printf(o, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"
                          "landed");
        } else if (n % 2) {
            out_printf(o, "HTTP/1.1 %d Moved\r\nLocation: /redirect/%d\r\n"
                          "Content-Length: 5\r\n\r\nmoved",
                       codes[n % 5], n - 1);
        } else {
            /* A relative reference, resolved against /redirect/N. */
            out_printf(o, "HTTP/1.1 %d Moved\r\nLocation: %d\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
                          "\r\n",
                       codes[n % 5], n - 1);
        }
        return KEEP;
    }
    if (strcmp(p, "/headers") == 0) {
        out_printf(o, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
                   strlen(self->head), self->head);
        return KEEP;
    }
    if (strcmp(p, "/cross") == 0 || strcmp(p, "/same") == 0) {
        /* To another origin (same server, named "localhost"), or not. */
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        co_stream_sockname(self->s, &ss, &len);
        int port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        out_printf(o, "HTTP/1.1 302 Found\r\nLocation: http://%s:%d/headers\r\n"
                      "Content-Length: 0\r\n\r\n",
                   p[1] == 'c' ? "localhost" : "127.0.0.1", port);
        return KEEP;
    }
    if (strcmp(p, "/loop") == 0) {
        out_printf(o, "HTTP/1.1 302 Found\r\nLocation: /loop\r\n"
                      "Content-Length: 0\r\n\r\n");
        return KEEP;
    }
    if (strcmp(p, "/elsewhere") == 0) {
        out_printf(o, "HTTP/1.1 302 Found\r\nLocation: ftp://x/\r\n"
                      "Content-Length: 0\r\n\r\n");
        return KEEP;
    }
    if (strcmp(p, "/stall") == 0)
        return STALL;
    if (strcmp(p, "/cut") == 0) {
        out_printf(o, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                      "only ten b");
        return CLOSE;
    }
    if (strcmp(p, "/big") == 0) {
        out_printf(o, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        for (int i = 0; i < 1000; i++)
            out_printf(o, "%0100d", i);
        return KEEP;
    }
    if (strcmp(p, "/junk") == 0) {
        out_printf(o, "NOT HTTP AT ALL\r\n\r\n");
        return CLOSE;
    }
    if (strcmp(p, "/close") == 0) {
        out_printf(o, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye");
        return CLOSE;
    }
    out_printf(o, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n"
                  "not found");
    return KEEP;
}

static int handler_step(co_coro *co)
{
    struct handler *self = (struct handler *)co;
    CO_BEGIN(co);
    for (;;) {
        co_stream_readuntil_op(&self->op, self->s, self->head,
                               sizeof self->head - 1, "\r\n\r\n", 4);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
        if (self->rc || self->op.n == 0)
            break;
        self->head[self->op.n] = '\0';
        self->path[0] = '\0';
        if (sscanf(self->head, "%*s %255s", self->path) != 1)
            break;
        self->served++;
        {
            struct out o = {0};
            self->after = respond(self, &o);
            if (o.len)
                co_stream_write(self->s, o.p, o.len);
            free(o.p);
        }
        co_stream_drain_op(&self->op, self->s);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
        if (self->rc || self->after == CLOSE)
            break;
        if (self->after == STALL) {
            /* Never answers: waits for the client to give up and close. */
            co_stream_read_op(&self->op, self->s, self->head,
                              sizeof self->head);
            CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
            break;
        }
    }
    CO_END(co);
}

static co_coro *handler_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct handler *h = CO_NEW(struct handler, handler_step);
    if (h)
        h->s = s;
    return h ? &h->co : NULL;
}

/* ---- one test's loop, coflow server and client ------------------------- */

struct env {
    co_loop *loop;
    co_server *srv;
    int port;
    co_http_client *c;
    co_tls_context *tls;
};

static void env_open(struct env *e, const co_http_client_opts *opts)
{
    memset(e, 0, sizeof *e);
    ck_assert_int_eq(co_loop_new(&e->loop), 0);
    ck_assert_int_eq(co_start_server(e->loop, "127.0.0.1", 0, handler_factory,
                                     NULL, NULL, &e->srv),
                     0);
    e->port = co_server_port(e->srv);
    ck_assert_int_gt(e->port, 0);
    ck_assert_int_eq(co_http_client_new(e->loop, opts, &e->c), 0);
}

/* Waits until the server is closed and its clients have ended. */
struct closer {
    co_coro co;
    co_server *srv;
    co_server_op op;
};

static int closer_step(co_coro *co)
{
    struct closer *self = (struct closer *)co;
    CO_BEGIN(co);
    CO_SERVER_WAIT_CLOSED(co, &self->op, self->srv);
    CO_END(co);
}

static void env_close(struct env *e)
{
    /* Freeing the client closes its idle connections, so the server's
     * handlers see the end of their streams and finish. */
    ck_assert_int_eq(co_http_client_free(e->c), 0);
    co_server_close(e->srv);
    struct closer cl = {.srv = e->srv};
    co_coro_init(&cl.co, closer_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(e->loop, &cl.co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(e->loop, co_task_future(t)),
                     0);
    co_task_unref(t);
    ck_assert_uint_eq(co_server_clients(e->srv), 0);
    co_loop_close(e->loop);
    co_server_free(e->srv);
    co_tls_context_free(e->tls);
}

/* A request as a task of its own. */
struct fetch {
    co_coro co;
    co_http_client *c;
    co_http_request req;
    co_http_op op;
    char url[512];
    int rc;
    char msg[512];
};

static int fetch_step(co_coro *co)
{
    struct fetch *self = (struct fetch *)co;
    CO_BEGIN(co);
    CO_HTTP_FETCH_CATCH(co, &self->op, self->c, &self->req, self->rc);
    if (self->rc)
        snprintf(self->msg, sizeof self->msg, "%s",
                 co_caught_message() ? co_caught_message() : "");
    CO_END(co);
}

static void fetch_init(struct fetch *f, struct env *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fetch_init(struct fetch *f, struct env *e, const char *fmt, ...)
{
    memset(f, 0, sizeof *f);
    co_coro_init(&f->co, fetch_step);
    f->c = e->c;
    co_http_request_init(&f->req);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->url, sizeof f->url, fmt, ap);
    va_end(ap);
    f->req.url = f->url;
}

/* Runs the @p n fetches at once, until all have ended. */
static void run_all(struct env *e, struct fetch *f, int n)
{
    co_task *tasks[64];
    ck_assert_int_le(n, 64);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(co_create_task(e->loop, &f[i].co, NULL, &tasks[i]), 0);
    for (int i = 0; i < n; i++) {
        co_loop_run_until_complete(e->loop, co_task_future(tasks[i]));
        co_task_unref(tasks[i]);
    }
}

static void run_one(struct env *e, struct fetch *f)
{
    run_all(e, f, 1);
}

/* Whether @p data is file number @p i of FILES. */
static int is_file(const char *data, size_t len, unsigned i)
{
    if (len != FILES[i].size)
        return 0;
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)data[k] != pattern_byte(k, i))
            return 0;
    return 1;
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_get_files_from_python_server)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f[4];
    for (unsigned i = 0; i < 4; i++)
        fetch_init(&f[i], &e, "http://127.0.0.1:%d/%s", python_srv.port,
                   FILES[i].name);
    run_all(&e, f, 4);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_msg(f[i].rc == 0, "%s: %s", f[i].url, f[i].msg);
        ck_assert_int_eq(f[i].op.resp.status, 200);
        ck_assert(is_file(f[i].op.resp.body, f[i].op.resp.body_len, i));
        ck_assert_int_eq(f[i].op.resp.content_length, (long long)FILES[i].size);
        ck_assert_ptr_nonnull(co_http_response_header(&f[i].op.resp,
                                                      "content-TYPE"));
        ck_assert_str_eq(f[i].op.resp.url, f[i].url);
        co_http_response_clear(&f[i].op.resp);
    }
    env_close(&e);
}
END_TEST

START_TEST(test_body_streamed_to_a_file)
{
    struct env e;
    env_open(&e, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/../http-test-out-%d", files_dir,
             (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/big.jpg", python_srv.port);
    f.req.fd = fd;
    run_one(&e, &f);
    close(fd);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert_ptr_null(f.op.resp.body);
    ck_assert_int_eq(f.op.resp.received, 300000);
    FILE *in = fopen(path, "rb");
    char *data = malloc(300001);
    size_t n = fread(data, 1, 300001, in);
    fclose(in);
    unlink(path);
    ck_assert(is_file(data, n, 3));
    free(data);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

static long long progress_last, progress_total;
static int progress_calls, progress_backwards;

static void on_progress(void *arg, long long received, long long total)
{
    (void)arg;
    if (received < progress_last)
        progress_backwards = 1;
    progress_last = received;
    progress_total = total;
    progress_calls++;
}

START_TEST(test_progress_reports_what_arrived)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/big.jpg", python_srv.port);
    f.req.on_progress = on_progress;
    progress_last = progress_calls = progress_backwards = 0;
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert_int_ge(progress_calls, 1);
    ck_assert_int_eq(progress_backwards, 0);
    ck_assert_int_eq(progress_last, 300000);
    ck_assert_int_eq(progress_total, 300000);
    co_http_response_clear(&f.op.resp);
    /* A chunked body has no total to report. */
    fetch_init(&f, &e, "http://127.0.0.1:%d/chunked", e.port);
    f.req.on_progress = on_progress;
    progress_last = progress_calls = 0;
    run_one(&e, &f);
    ck_assert_int_eq(progress_last, CHUNKED_SIZE);
    ck_assert_int_eq(progress_total, -1);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_head_has_no_body)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/image1.png", python_srv.port);
    f.req.method = "HEAD";
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert_int_eq(f.op.resp.status, 200);
    ck_assert_uint_eq(f.op.resp.body_len, 0);
    ck_assert_int_eq(f.op.resp.content_length, 65536);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_chunked_from_coflow_server)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/chunked", e.port);
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert_uint_eq(f.op.resp.body_len, CHUNKED_SIZE);
    for (size_t i = 0; i < CHUNKED_SIZE; i++)
        ck_assert_int_eq((unsigned char)f.op.resp.body[i], pattern_byte(i, 9));
    ck_assert_int_eq(f.op.resp.content_length, -1);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_keep_alive_reuses_one_connection)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    for (int i = 1; i <= 5; i++) {
        fetch_init(&f, &e, "http://127.0.0.1:%d/count", e.port);
        run_one(&e, &f);
        ck_assert_msg(f.rc == 0, "%s", f.msg);
        /* The server counts the requests it got on this connection. */
        ck_assert_int_eq(atoi(f.op.resp.body), i);
        co_http_response_clear(&f.op.resp);
        ck_assert_uint_eq(co_http_client_idle(e.c), 1);
    }
    ck_assert_uint_eq(co_http_client_connections_opened(e.c), 1);
    /* "Connection: close" is honoured: that connection is not kept. */
    fetch_init(&f, &e, "http://127.0.0.1:%d/close", e.port);
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert_str_eq(f.op.resp.body, "bye");
    ck_assert_uint_eq(co_http_client_idle(e.c), 0);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_concurrency_limit_bounds_connections)
{
    co_http_client_opts opts = {.max_connections = 3};
    struct env e;
    env_open(&e, &opts);
    struct fetch f[12];
    for (int i = 0; i < 12; i++)
        fetch_init(&f[i], &e, "http://127.0.0.1:%d/chunked", e.port);
    run_all(&e, f, 12);
    for (int i = 0; i < 12; i++) {
        ck_assert_msg(f[i].rc == 0, "%s", f[i].msg);
        ck_assert_uint_eq(f[i].op.resp.body_len, CHUNKED_SIZE);
        co_http_response_clear(&f[i].op.resp);
    }
    /* Never more than three on the wire, so never more than three opened. */
    ck_assert_uint_le(co_http_client_connections_opened(e.c), 3);
    ck_assert_uint_ge(co_http_client_connections_opened(e.c), 1);
    env_close(&e);
}
END_TEST

START_TEST(test_redirects_followed)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/redirect/6", e.port);
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert_int_eq(f.op.resp.status, 200);
    ck_assert_int_eq(f.op.resp.redirects, 6);
    ck_assert_str_eq(f.op.resp.body, "landed");
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/redirect/0", e.port);
    ck_assert_str_eq(f.op.resp.url, want);
    /* The redirect bodies were read on the same connection, not kept. */
    ck_assert_uint_eq(co_http_client_connections_opened(e.c), 1);
    co_http_response_clear(&f.op.resp);

    fetch_init(&f, &e, "http://127.0.0.1:%d/redirect/3", e.port);
    f.req.max_redirects = 0; /* the 3xx is the answer */
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, 0);
    ck_assert_int_eq(f.op.resp.status, 307);
    ck_assert_str_eq(co_http_response_header(&f.op.resp, "location"),
                     "/redirect/2");
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_redirect_loop_and_bad_location_fail)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/loop", e.port);
    f.req.max_redirects = 4;
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_EREDIRECTS);
    ck_assert_int_eq(f.op.resp.redirects, 4);
    ck_assert_ptr_nonnull(strstr(f.msg, "/loop"));
    co_http_response_clear(&f.op.resp);
    fetch_init(&f, &e, "http://127.0.0.1:%d/elsewhere", e.port);
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_EURLSCHEME);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_headers_sent_and_credentials_kept_to_origin)
{
    struct env e;
    env_open(&e, NULL);
    const char *headers[] = {"X-Test: one", "Authorization: Bearer s3cret",
                             "Cookie: id=1", NULL};
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/same", e.port);
    f.req.headers = headers;
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    char host[64];
    snprintf(host, sizeof host, "Host: 127.0.0.1:%d\r\n", e.port);
    ck_assert_ptr_nonnull(strstr(f.op.resp.body, host));
    ck_assert_ptr_nonnull(strstr(f.op.resp.body, "GET /headers HTTP/1.1\r\n"));
    ck_assert_ptr_nonnull(strstr(f.op.resp.body, "X-Test: one\r\n"));
    ck_assert_ptr_nonnull(strstr(f.op.resp.body, "Authorization: Bearer"));
    ck_assert_ptr_nonnull(strstr(f.op.resp.body, "Cookie: id=1"));
    co_http_response_clear(&f.op.resp);
    /* To another origin: the credentials stay behind, the rest goes. */
    fetch_init(&f, &e, "http://127.0.0.1:%d/cross", e.port);
    f.req.headers = headers;
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert_ptr_nonnull(strstr(f.op.resp.body, "Host: localhost:"));
    ck_assert_ptr_nonnull(strstr(f.op.resp.body, "X-Test: one\r\n"));
    ck_assert_ptr_null(strstr(f.op.resp.body, "Authorization"));
    ck_assert_ptr_null(strstr(f.op.resp.body, "Cookie"));
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_404_fails_with_status)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f[2];
    fetch_init(&f[0], &e, "http://127.0.0.1:%d/no-such-file.png",
               python_srv.port);
    fetch_init(&f[1], &e, "http://127.0.0.1:%d/nothing", e.port);
    run_all(&e, f, 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(f[i].rc, CO_EHTTPSTATUS);
        ck_assert_int_eq(f[i].op.resp.status, 404);
        ck_assert_ptr_nonnull(strstr(f[i].msg, "404"));
        co_http_response_clear(&f[i].op.resp);
    }
    env_close(&e);
}
END_TEST

START_TEST(test_connection_refused)
{
    /* A port that is bound but not listening: connecting is refused. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/x", ntohs(a.sin_port));
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_ECONNREFUSED);
    ck_assert_ptr_nonnull(strstr(f.msg, f.url));
    co_http_response_clear(&f.op.resp);
    env_close(&e);
    close(s);
}
END_TEST

/* A listener with backlog 0 and one connection already waiting in its
 * queue: Linux drops every further SYN, so a connect can only time out,
 * whatever the timeout and however slow the machine. */
static int full_listener(int *filler, int *port)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(l, 0), 0);
    ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &len), 0);
    *filler = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(*filler, (struct sockaddr *)&a, sizeof a), 0);
    *port = ntohs(a.sin_port);
    return l;
}

START_TEST(test_connect_timeout_of_the_client_says_timed_out)
{
    int filler, port;
    int l = full_listener(&filler, &port);
    co_http_client_opts o = {.connect_timeout = 0.2};
    struct env e;
    env_open(&e, &o);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/x", port);
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_ETIMEDOUT);
    ck_assert_msg(strstr(f.msg, "no connection within") != NULL, "%s", f.msg);
    ck_assert_ptr_nonnull(strstr(f.msg, f.url));
    ck_assert_uint_eq(co_http_client_connections_opened(e.c), 0);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
    close(filler);
    close(l);
}
END_TEST

START_TEST(test_request_timeout_covers_the_connect)
{
    /* No connect timeout of the client's: the request's own timeout ends
     * a connect that would otherwise wait for the kernel's minutes. */
    int filler, port;
    int l = full_listener(&filler, &port);
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/x", port);
    f.req.timeout = 0.2;
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_ETIMEDOUT);
    ck_assert_ptr_nonnull(strstr(f.msg, f.url));
    co_http_response_clear(&f.op.resp);
    env_close(&e);
    close(filler);
    close(l);
}
END_TEST

START_TEST(test_unreachable_address_says_unreachable)
{
    /* Linux refuses a TCP connect to a multicast address with ENETUNREACH
     * before any packet is sent (tcp_v6_connect, tcp_v4_connect), with or
     * without a network: no traffic leaves the machine. */
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://224.0.0.1:9/x");
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_EUNREACHABLE);
    ck_assert_msg(strstr(f.msg, "unreachable") != NULL, "%s", f.msg);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_name_not_found)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://no-such-host.invalid/x.png");
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_ENONAME);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_stalling_server_times_out)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/stall", e.port);
    f.req.timeout = 0.2;
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_ETIMEDOUT);
    co_http_response_clear(&f.op.resp);
    /* The client is usable afterwards. */
    fetch_init(&f, &e, "http://127.0.0.1:%d/count", e.port);
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_server_closing_mid_body)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/cut", e.port);
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_EHTTPINCOMPLETE);
    ck_assert_int_eq(f.op.resp.received, 10);
    co_http_response_clear(&f.op.resp);
    fetch_init(&f, &e, "http://127.0.0.1:%d/junk", e.port);
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_EHTTPPROTO);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_body_over_the_limit)
{
    struct env e;
    env_open(&e, NULL);
    static const char *const paths[] = {"/big", "/bigchunked"};
    for (int i = 0; i < 2; i++) {
        struct fetch f;
        fetch_init(&f, &e, "http://127.0.0.1:%d%s", e.port, paths[i]);
        f.req.max_body = 20000;
        run_one(&e, &f);
        ck_assert_int_eq(f.rc, CO_EHTTPBODYLIMIT);
        ck_assert_int_le(f.op.resp.received, 20000);
        co_http_response_clear(&f.op.resp);
    }
    /* Exactly at the limit is fine. */
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/image1.png", python_srv.port);
    f.req.max_body = 65536;
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_bad_requests_refused)
{
    struct env e;
    env_open(&e, NULL);
    static const struct {
        const char *url, *method, *header;
        int rc;
    } cases[] = {
        {"http://h/x", "POST", NULL, CO_EINVAL},
        {"http://h/x", "GET", "X-Bad: a\r\nInjected: b", CO_EINVAL},
        {"http://h/x", "GET", "no colon", CO_EINVAL},
        {"http://h /x", "GET", NULL, CO_EURL},
        {"gopher://h/x", "GET", NULL, CO_EURLSCHEME},
        {NULL, "GET", NULL, CO_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fetch f;
        fetch_init(&f, &e, "%s", cases[i].url ? cases[i].url : "");
        f.req.url = cases[i].url;
        f.req.method = cases[i].method;
        const char *headers[] = {cases[i].header, NULL};
        f.req.headers = headers;
        run_one(&e, &f);
        ck_assert_msg(f.rc == cases[i].rc, "case %zu: %d", i, f.rc);
        ck_assert_str_ne(f.msg, "");
        co_http_response_clear(&f.op.resp);
    }
    ck_assert_uint_eq(co_http_client_connections_opened(e.c), 0);
    ck_assert_int_eq(co_http_fetch_op(NULL, e.c, NULL), CO_EINVAL);
    co_http_client *none = e.c;
    ck_assert_int_eq(co_http_client_new(NULL, NULL, &none), CO_EINVAL);
    ck_assert_ptr_null(none);
    ck_assert_int_eq(co_http_client_new(e.loop, NULL, NULL), CO_EINVAL);
    env_close(&e);
}
END_TEST

/* Cancels a task from a timer: the fetch's cancellation path. */
static void cancel_it(void *arg)
{
    co_task_cancel(arg);
}

START_TEST(test_cancel_in_flight_leaves_client_clean)
{
    struct env e;
    env_open(&e, NULL);
    struct fetch f;
    fetch_init(&f, &e, "http://127.0.0.1:%d/stall", e.port);
    co_task *t;
    ck_assert_int_eq(co_create_task(e.loop, &f.co, NULL, &t), 0);
    co_timer timer;
    co_timer_init(&timer);
    co_loop_call_later(e.loop, 0.05, cancel_it, t, &timer);
    co_loop_run_until_complete(e.loop, co_task_future(t));
    ck_assert_int_eq(f.rc, CO_ECANCELLED);
    co_task_unref(t);
    co_http_response_clear(&f.op.resp);
    ck_assert_uint_eq(co_http_client_idle(e.c), 0);
    env_close(&e); /* co_http_client_free: nothing in progress */
}
END_TEST

START_TEST(test_https_through_openssl_server)
{
    if (!have_tls_server)
        return;
    struct env e;
    co_http_client_opts opts = {0};
    ck_assert_int_eq(co_tls_client_context_new(&opts.tls), 0);
    char ca[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", certs_dir);
    ck_assert_int_eq(co_tls_context_load_verify_file(opts.tls, ca), 0);
    env_open(&e, &opts);
    e.tls = opts.tls;
    struct fetch f;
    fetch_init(&f, &e, "https://localhost:%d/image1.png", tls_srv.port);
    run_one(&e, &f);
    ck_assert_msg(f.rc == 0, "%s", f.msg);
    ck_assert(is_file(f.op.resp.body, f.op.resp.body_len, 0));
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

START_TEST(test_https_untrusted_certificate_fails)
{
    if (!have_tls_server)
        return;
    struct env e;
    env_open(&e, NULL); /* the default context: the system's authorities */
    struct fetch f;
    fetch_init(&f, &e, "https://localhost:%d/one.bin", tls_srv.port);
    run_one(&e, &f);
    ck_assert_int_eq(f.rc, CO_ECERT);
    co_http_response_clear(&f.op.resp);
    env_close(&e);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("http-client");
    TCase *tc = tcase_create("client");
    tcase_set_timeout(tc, TEST_TIMEOUT);
    tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
    tcase_add_test(tc, test_get_files_from_python_server);
    tcase_add_test(tc, test_body_streamed_to_a_file);
    tcase_add_test(tc, test_progress_reports_what_arrived);
    tcase_add_test(tc, test_head_has_no_body);
    tcase_add_test(tc, test_chunked_from_coflow_server);
    tcase_add_test(tc, test_keep_alive_reuses_one_connection);
    tcase_add_test(tc, test_concurrency_limit_bounds_connections);
    tcase_add_test(tc, test_redirects_followed);
    tcase_add_test(tc, test_redirect_loop_and_bad_location_fail);
    tcase_add_test(tc, test_headers_sent_and_credentials_kept_to_origin);
    tcase_add_test(tc, test_404_fails_with_status);
    tcase_add_test(tc, test_connection_refused);
    tcase_add_test(tc, test_connect_timeout_of_the_client_says_timed_out);
    tcase_add_test(tc, test_request_timeout_covers_the_connect);
    tcase_add_test(tc, test_unreachable_address_says_unreachable);
    tcase_add_test(tc, test_name_not_found);
    tcase_add_test(tc, test_stalling_server_times_out);
    tcase_add_test(tc, test_server_closing_mid_body);
    tcase_add_test(tc, test_body_over_the_limit);
    tcase_add_test(tc, test_bad_requests_refused);
    tcase_add_test(tc, test_cancel_in_flight_leaves_client_clean);
    tcase_add_test(tc, test_https_through_openssl_server);
    tcase_add_test(tc, test_https_untrusted_certificate_fails);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
