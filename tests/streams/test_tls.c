/* test_tls.c - TLS streams for real: a throwaway certificate authority and
 * a server certificate for "localhost" and 127.0.0.1 are made at test time
 * with the `openssl` command in a temporary folder; coflow's TLS client
 * talks to coflow's TLS server and to `openssl s_server` (started here on
 * a port it picks itself, bounded by `timeout`), and the certificate
 * failures are made to happen: an authority nobody trusts, a name the
 * certificate is not for. Skipped (77) in a build without TLS or on a
 * machine without the openssl command. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "unit.h"

static char dir[64];
static char ca[128], cert[128], key[128], wrongca[128];
static char ccert[128], ckey[128]; /* a client's, from the same authority */

/* SSL_CTX_set_default_verify_paths made to fail on demand: this program's
 * own definition comes before libssl's for the library too (the dynamic
 * linker looks in the executable first), and passes the call on to the
 * real one unless a test asks for a failure. In OpenSSL it fails only
 * when memory runs out, which a test cannot arrange otherwise. */
static int fail_default_verify_paths;
static int default_verify_paths_calls; /* the library's calls reached us */

int SSL_CTX_set_default_verify_paths(SSL_CTX *ctx)
{
    default_verify_paths_calls++;
    if (fail_default_verify_paths) {
        ERR_raise(ERR_LIB_SSL, ERR_R_MALLOC_FAILURE);
        return 0;
    }
    int (*real)(SSL_CTX *);
    void *sym = dlsym(RTLD_NEXT, "SSL_CTX_set_default_verify_paths");
    ck_assert_ptr_nonnull(sym);
    memcpy(&real, &sym, sizeof real);
    return real(ctx);
}

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return rc == 0 ? 0 : -1;
}

/* The certificates, made once for the whole run. */
static int make_certificates(void)
{
    snprintf(dir, sizeof dir, "/tmp/streams-tls-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(wrongca, sizeof wrongca, "%s/other-ca.pem", dir);
    snprintf(ccert, sizeof ccert, "%s/client.pem", dir);
    snprintf(ckey, sizeof ckey, "%s/client.key", dir);
    char cmd[3072];
    snprintf(cmd, sizeof cmd,
             "cd %s && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
             " -nodes -keyout ca.key -out ca.pem -days 2"
             " -subj '/CN=coflow test CA' && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
             " -nodes -keyout other-ca.key -out other-ca.pem -days 2"
             " -subj '/CN=someone else' && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
             " -nodes -keyout key.pem -out req.csr -subj '/CN=localhost' && "
             "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext.cnf && "
             "openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key"
             " -CAcreateserial -out cert.pem -days 2 -extfile ext.cnf && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
             " -nodes -keyout client.key -out client.csr"
             " -subj '/CN=coflow test client' && "
             "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key"
             " -CAcreateserial -out client.pem -days 2",
             dir);
    char quiet[3200];
    snprintf(quiet, sizeof quiet, "( %s ) >/dev/null 2>&1", cmd);
    return sh(quiet);
}

static void remove_certificates(void)
{
    if (dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        sh(cmd);
    }
}

/* ---- a coflow TLS server: it upper-cases each line -------------------- */

struct upper {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    char line[256];
};

static int upper_step(co_coro *co)
{
    struct upper *self = (struct upper *)co;
    CO_BEGIN(co);
    for (;;) {
        CO_STREAM_READLINE(co, &self->op, self->s, self->line, sizeof self->line);
        if (self->op.n == 0)
            break;
        for (size_t i = 0; i < self->op.n; i++)
            if (self->line[i] >= 'a' && self->line[i] <= 'z')
                self->line[i] = (char)(self->line[i] - 'a' + 'A');
        co_stream_write(self->s, self->line, self->op.n);
        CO_STREAM_DRAIN(co, &self->op, self->s);
    }
    CO_END(co);
}

static co_coro *upper_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct upper *u = CO_NEW(struct upper, upper_step);
    if (u)
        u->s = s;
    return u ? &u->co : NULL;
}

/* A client: connects with TLS, sends "hello tls\n", reads a line. */
struct tls_client {
    co_coro co;
    co_loop *loop;
    co_server *srv;          /* closed at the end, if set */
    const char *host;
    const char *sni;
    int port;
    int listen_only;         /* read a line without sending one first */
    co_tls_context *ctx;
    co_connect_op conn;
    co_stream_op op;
    co_server_op sop;
    int caught;
    char msg[512];
    char got[256];
    size_t n;
};

static int tls_client_step(co_coro *co)
{
    struct tls_client *self = (struct tls_client *)co;
    CO_BEGIN(co);
    {
        co_stream_opts o;
        co_stream_opts_init(&o);
        o.tls = self->ctx;
        o.server_hostname = self->sni;
        co_open_connection_op(&self->conn, self->loop, self->host, self->port,
                              &o);
    }
    CO_AWAIT_CORO_CATCH(co, &self->conn.co, self->caught);
    if (self->caught) {
        const char *m = co_caught_message();
        snprintf(self->msg, sizeof self->msg, "%s", m ? m : "");
    } else {
        ck_assert(co_stream_is_tls(self->conn.stream));
        if (!self->listen_only)
            co_stream_write(self->conn.stream, "hello tls\n", 10);
        co_stream_readline_op(&self->op, self->conn.stream, self->got,
                              sizeof self->got - 1);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
        if (self->caught) {
            /* With TLS 1.3 a server refuses a client's certificate after
             * the client's handshake is over: at its first read. */
            const char *m = co_caught_message();
            snprintf(self->msg, sizeof self->msg, "%s", m ? m : "");
        }
        self->n = self->op.n;
        self->got[self->n] = '\0';
        co_stream_close(self->conn.stream);
        CO_STREAM_WAIT_CLOSED(co, &self->op, self->conn.stream);
    }
    if (self->srv) {
        co_server_close(self->srv);
        CO_SERVER_WAIT_CLOSED(co, &self->sop, self->srv);
    }
    CO_FINALLY(co);
    co_stream_free(self->conn.stream);
    self->conn.stream = NULL;
    CO_END(co);
}

static void run_client(co_loop *loop, struct tls_client *c)
{
    c->loop = loop;
    co_coro_init(&c->co, tls_client_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &c->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    co_task_unref(t);
    co_coro_free(&c->co);
}

/* How the server of against_coflow_server_with checks its clients. */
struct client_check {
    const char *server_trusts;  /* verify clients against this authority
                                   (NULL: do not ask for a certificate) */
    int client_has_cert;        /* the client shows ccert */
};

/* A coflow TLS server on 127.0.0.1, and a client with @p cafile trusted
 * (NULL: only the system's store) connecting to @p host as @p sni. */
static void against_coflow_server_with(struct tls_client *c,
                                       const char *cafile,
                                       const struct client_check *check)
{
    co_loop *loop = unit_loop(NULL);
    co_tls_context *sctx, *cctx;
    ck_assert_int_eq(co_tls_server_context_new(&sctx, cert, key), 0);
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    if (cafile)
        ck_assert_int_eq(co_tls_context_load_verify_file(cctx, cafile), 0);
    if (check && check->server_trusts) {
        ck_assert_int_eq(co_tls_context_load_verify_file(
                             sctx, check->server_trusts), 0);
        ck_assert_int_eq(co_tls_context_set_verify(sctx, true), 0);
    }
    if (check && check->client_has_cert)
        ck_assert_int_eq(co_tls_context_load_cert_chain(cctx, ccert, ckey), 0);
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.tls = sctx;
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, upper_factory, NULL,
                                     &o, &srv), 0);
    c->srv = srv;
    c->port = co_server_port(srv);
    c->ctx = cctx;
    run_client(loop, c);
    ck_assert_uint_eq(co_server_clients(srv), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    co_tls_context_free(cctx);
    co_tls_context_free(sctx);
}

static void against_coflow_server(struct tls_client *c, const char *cafile)
{
    against_coflow_server_with(c, cafile, NULL);
}

START_TEST(test_tls_client_and_server_talk)
{
    /* "localhost" is a name: looked up on a worker thread, and checked
     * against the certificate's DNS name. */
    struct tls_client c = {.host = "localhost"};
    against_coflow_server(&c, ca);
    ck_assert_int_eq(c.caught, 0);
    ck_assert_str_eq(c.got, "HELLO TLS\n");
}
END_TEST

START_TEST(test_tls_checks_an_ip_address_too)
{
    struct tls_client c = {.host = "127.0.0.1"};
    against_coflow_server(&c, ca);
    ck_assert_int_eq(c.caught, 0);
    ck_assert_str_eq(c.got, "HELLO TLS\n");
}
END_TEST

START_TEST(test_tls_untrusted_authority_is_refused)
{
    struct tls_client c = {.host = "127.0.0.1"};
    against_coflow_server(&c, wrongca);
    ck_assert_int_eq(c.caught, CO_ECERT);
    ck_assert_msg(strstr(c.msg, "certificate") != NULL, "%s", c.msg);
    ck_assert_ptr_null(c.conn.stream);
}
END_TEST

START_TEST(test_tls_system_store_does_not_trust_a_test_ca)
{
    struct tls_client c = {.host = "127.0.0.1"};
    against_coflow_server(&c, NULL);
    ck_assert_int_eq(c.caught, CO_ECERT);
}
END_TEST

START_TEST(test_tls_wrong_host_name_is_refused)
{
    struct tls_client c = {.host = "127.0.0.1", .sni = "wrong.example"};
    against_coflow_server(&c, ca);
    ck_assert_int_eq(c.caught, CO_ECERT);
    ck_assert_msg(strstr(c.msg, "mismatch") != NULL, "%s", c.msg);
}
END_TEST

START_TEST(test_tls_verification_can_be_turned_off)
{
    struct tls_client c = {.host = "127.0.0.1", .sni = "wrong.example"};
    co_loop *loop = unit_loop(NULL);
    co_tls_context *sctx, *cctx;
    ck_assert_int_eq(co_tls_server_context_new(&sctx, cert, key), 0);
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    ck_assert_int_eq(co_tls_context_set_verify(cctx, false), 0);
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.tls = sctx;
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, upper_factory, NULL,
                                     &o, &srv), 0);
    c.srv = srv;
    c.port = co_server_port(srv);
    c.ctx = cctx;
    run_client(loop, &c);
    ck_assert_int_eq(c.caught, 0);
    ck_assert_str_eq(c.got, "HELLO TLS\n");
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    co_tls_context_free(cctx);
    co_tls_context_free(sctx);
}
END_TEST

START_TEST(test_tls_bad_files_are_reported)
{
    co_tls_context *ctx = NULL;
    ck_assert_int_eq(co_tls_server_context_new(&ctx, "/nonexistent.pem", key),
                     CO_ETLS);
    ck_assert_ptr_null(ctx);
    ck_assert_ptr_nonnull(strstr(co_tls_last_error(), "/nonexistent.pem"));
    /* A key that is not the certificate's. */
    char other_key[160];
    snprintf(other_key, sizeof other_key, "%s/ca.key", dir);
    ck_assert_int_eq(co_tls_server_context_new(&ctx, cert, other_key), CO_ETLS);
    ck_assert_int_eq(co_tls_server_context_new(NULL, cert, key), CO_EINVAL);
}
END_TEST

/* ---- a server that verifies its clients (ssl.CERT_REQUIRED) ------------- */

START_TEST(test_tls_verifying_server_refuses_a_client_without_certificate)
{
    struct tls_client c = {.host = "127.0.0.1", .listen_only = 1};
    struct client_check check = {.server_trusts = ca};
    against_coflow_server_with(&c, ca, &check);
    ck_assert_int_eq(c.got[0], '\0');
    ck_assert_msg(c.caught == CO_ETLS, "%s: %s", co_errname(c.caught), c.msg);
    /* What the client is told names the cause, in OpenSSL's words (TLS
     * 1.3: "tlsv13 alert certificate required"; 1.2: a handshake alert). */
    ck_assert_msg(strstr(c.msg, "certificate required") ||
                      strstr(c.msg, "handshake failure"),
                  "%s", c.msg);
}
END_TEST

START_TEST(test_tls_verifying_server_accepts_a_trusted_client_certificate)
{
    struct tls_client c = {.host = "127.0.0.1"};
    struct client_check check = {.server_trusts = ca, .client_has_cert = 1};
    against_coflow_server_with(&c, ca, &check);
    ck_assert_msg(c.caught == 0, "%s: %s", co_errname(c.caught), c.msg);
    ck_assert_str_eq(c.got, "HELLO TLS\n");
}
END_TEST

START_TEST(test_tls_verifying_server_refuses_an_untrusted_client_certificate)
{
    struct tls_client c = {.host = "127.0.0.1", .listen_only = 1};
    struct client_check check = {.server_trusts = wrongca,
                                 .client_has_cert = 1};
    against_coflow_server_with(&c, ca, &check);
    ck_assert_int_eq(c.got[0], '\0');
    ck_assert_msg(c.caught == CO_ETLS, "%s: %s", co_errname(c.caught), c.msg);
    ck_assert_msg(strstr(c.msg, "unknown ca") != NULL, "%s", c.msg);
}
END_TEST

START_TEST(test_tls_a_client_certificate_alone_changes_nothing)
{
    /* A server that does not verify does not ask: the client's
     * certificate is never sent, and the talk goes on as ever. */
    struct tls_client c = {.host = "localhost"};
    struct client_check check = {.client_has_cert = 1};
    against_coflow_server_with(&c, ca, &check);
    ck_assert_int_eq(c.caught, 0);
    ck_assert_str_eq(c.got, "HELLO TLS\n");
}
END_TEST

START_TEST(test_tls_load_cert_chain_refuses_bad_input)
{
    co_tls_context *cctx;
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    ck_assert_int_eq(co_tls_context_load_cert_chain(NULL, ccert, ckey),
                     CO_EINVAL);
    ck_assert_int_eq(co_tls_context_load_cert_chain(cctx, NULL, ckey),
                     CO_EINVAL);
    ck_assert_int_eq(co_tls_context_load_cert_chain(cctx, ccert, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_tls_context_load_cert_chain(cctx, ccert, key),
                     CO_ETLS); /* the server's key: not this certificate's */
    ck_assert_msg(strstr(co_tls_last_error(), "mismatch") != NULL, "%s",
                  co_tls_last_error());
    co_tls_context_free(cctx);
}
END_TEST

/* ---- what a failure says ------------------------------------------------- */

START_TEST(test_tls_failing_system_store_is_reported)
{
    /* ssl.create_default_context() raises when the default verify paths
     * cannot be set; a context that would trust nothing is not made. */
    co_tls_context *ctx = (co_tls_context *)&ctx;
    fail_default_verify_paths = 1;
    int before = default_verify_paths_calls;
    int rc = co_tls_client_context_new(&ctx);
    fail_default_verify_paths = 0;
    ck_assert_msg(default_verify_paths_calls == before + 1,
                  "the library did not call this program's "
                  "SSL_CTX_set_default_verify_paths: is the executable "
                  "linked with its symbols exported (export_dynamic)?");
    ck_assert_int_eq(rc, CO_ETLS);
    ck_assert_ptr_null(ctx);
    ck_assert_msg(strstr(co_tls_last_error(), "trusted certificates") != NULL,
                  "%s", co_tls_last_error());
    ck_assert_msg(strstr(co_tls_last_error(), "malloc failure") != NULL, "%s",
                  co_tls_last_error());
    /* And when it works, a context is made. */
    ck_assert_int_eq(co_tls_client_context_new(&ctx), 0);
    co_tls_context_free(ctx);
}
END_TEST

START_TEST(test_tls_an_old_error_does_not_hide_the_cause)
{
    /* Something else in this thread left an error in OpenSSL's queue: the
     * reason given for a missing file is that file's, not the old one. */
    co_tls_context *ctx;
    ck_assert_int_eq(co_tls_client_context_new(&ctx), 0);
    ERR_raise_data(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE,
                   "left over");
    ck_assert_int_eq(co_tls_context_load_verify_file(ctx, "/nonexistent.pem"),
                     CO_ETLS);
    const char *why = co_tls_last_error();
    ck_assert_msg(strstr(why, "/nonexistent.pem") != NULL, "%s", why);
    ck_assert_msg(strstr(why, "No such file") != NULL, "%s", why);
    ck_assert_msg(strstr(why, "hash table") == NULL, "%s", why);
    ck_assert_uint_eq(ERR_peek_error(), 0); /* nothing is left behind */
    co_tls_context_free(ctx);
}
END_TEST

/* ---- writelines on TLS: all or nothing ------------------------------------ */

/* A server's client that reads nothing until the test lets it go. */
static co_future *gate;

struct stall {
    co_coro co;
};

static int stall_step(co_coro *co)
{
    CO_BEGIN(co);
    CO_AWAIT(co, gate);
    CO_END(co);
}

static co_coro *stall_factory(co_stream *s, void *arg)
{
    (void)s, (void)arg;
    struct stall *st = CO_NEW(struct stall, stall_step);
    return st ? &st->co : NULL;
}

struct lines_client {
    co_coro co;
    co_loop *loop;
    const char *path;
    co_tls_context *ctx;
    co_connect_op conn;
    size_t before, after_failed, after_ok;
    int failed, ok;
    char big[1 << 20];
};

static int lines_client_step(co_coro *co)
{
    struct lines_client *self = (struct lines_client *)co;
    CO_BEGIN(co);
    {
        co_stream_opts o;
        co_stream_opts_init(&o);
        o.tls = self->ctx;
        CO_OPEN_UNIX_CONNECTION(co, &self->conn, self->loop, self->path, &o);
    }
    {
        co_stream *s = self->conn.stream;
        int small = 4096;
        ck_assert_int_eq(setsockopt(co_stream_fileno(s), SOL_SOCKET,
                                    SO_SNDBUF, &small, sizeof small), 0);
        memset(self->big, 'b', sizeof self->big);
        ck_assert_int_eq(co_stream_write(s, self->big, sizeof self->big), 0);
        self->before = co_stream_write_buffer_size(s);
        struct iovec iov[2] = {{.iov_base = "abc", .iov_len = 3},
                               {.iov_base = self->big,
                                .iov_len = SIZE_MAX / 2}};
        self->failed = co_stream_writelines(s, iov, 2);
        self->after_failed = co_stream_write_buffer_size(s);
        iov[1].iov_base = "def";
        iov[1].iov_len = 3;
        self->ok = co_stream_writelines(s, iov, 2);
        self->after_ok = co_stream_write_buffer_size(s);
    }
    CO_FINALLY(co);
    co_stream_free(self->conn.stream); /* abort: the queue is dropped */
    self->conn.stream = NULL;
    CO_END(co);
}

START_TEST(test_tls_writelines_that_cannot_be_held_queues_nothing)
{
    co_loop *loop = unit_loop(NULL);
    co_tls_context *sctx, *cctx;
    ck_assert_int_eq(co_tls_server_context_new(&sctx, cert, key), 0);
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    ck_assert_int_eq(co_tls_context_load_verify_file(cctx, ca), 0);
    char path[160];
    snprintf(path, sizeof path, "%s/lines.sock", dir);
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.tls = sctx;
    co_server *srv;
    ck_assert_int_eq(co_start_unix_server(loop, path, stall_factory, NULL, &o,
                                          &srv), 0);
    ck_assert_int_eq(co_future_new(loop, &gate), 0);
    struct lines_client *c = calloc(1, sizeof *c);
    c->loop = loop;
    c->path = path;
    c->ctx = cctx;
    co_coro_init(&c->co, lines_client_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &c->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    co_task_unref(t);
    co_coro_free(&c->co);
    ck_assert_uint_gt(c->before, 0); /* the peer reads nothing: bytes queue */
    ck_assert_int_eq(c->failed, CO_ENOMEM);
    ck_assert_uint_eq(c->after_failed, c->before);
    ck_assert_int_eq(c->ok, 0);
    ck_assert_uint_eq(c->after_ok, c->before + 6);
    free(c);
    co_future_set_result_int(gate, 0);
    co_server_close(srv);
    /* The stalled client ends once the gate opens (a bounded number of
     * iterations, each of which does work: no waiting on the clock). */
    for (int i = 0; i < 100 && co_server_clients(srv) > 0; i++)
        unit_run_once(loop);
    ck_assert_uint_eq(co_server_clients(srv), 0);
    co_future_unref(gate);
    gate = NULL;
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    co_tls_context_free(cctx);
    co_tls_context_free(sctx);
}
END_TEST

/* ---- against openssl s_server -------------------------------------------- */

START_TEST(test_tls_client_against_openssl_s_server)
{
    /* s_server picks its port (127.0.0.1:0) and says it on its "ACCEPT"
     * line; -rev sends each line back reversed; -naccept 1 ends it after
     * our connection, and `timeout` bounds it whatever happens. */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "exec timeout 60 openssl s_server -accept 127.0.0.1:0 -cert %s "
             "-key %s -naccept 1 -rev </dev/null 2>&1",
             cert, key);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char line[512];
    int port = 0;
    while (fgets(line, sizeof line, p)) {
        if (sscanf(line, "ACCEPT 127.0.0.1:%d", &port) == 1)
            break;
    }
    ck_assert_int_gt(port, 0);
    co_loop *loop = unit_loop(NULL);
    co_tls_context *cctx;
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    ck_assert_int_eq(co_tls_context_load_verify_file(cctx, ca), 0);
    struct tls_client c = {.host = "localhost", .port = port, .ctx = cctx};
    run_client(loop, &c);
    ck_assert_int_eq(co_loop_close(loop), 0);
    co_tls_context_free(cctx);
    while (fgets(line, sizeof line, p)) /* let it finish */
        ;
    pclose(p);
    ck_assert_msg(c.caught == 0, "%s: %s", co_errname(c.caught), c.msg);
    ck_assert_str_eq(c.got, "slt olleh\n");
}
END_TEST

/* ---- a megabyte each way, and a loop closed mid-handshake ---------------- */

#define BIG (2 * 1024 * 1024)

/* The server's side: every byte comes back. */
struct mirror {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    char buf[8192];
};

static int mirror_step(co_coro *co)
{
    struct mirror *self = (struct mirror *)co;
    CO_BEGIN(co);
    for (;;) {
        CO_STREAM_READ(co, &self->op, self->s, self->buf, sizeof self->buf);
        if (self->op.n == 0)
            break;
        co_stream_write(self->s, self->buf, self->op.n);
        CO_STREAM_DRAIN(co, &self->op, self->s);
    }
    CO_END(co);
}

static co_coro *mirror_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct mirror *m = CO_NEW(struct mirror, mirror_step);
    if (m)
        m->s = s;
    return m ? &m->co : NULL;
}

/* The client: one task sends BIG bytes (a pattern), another reads them
 * back and checks every byte, so TLS partial writes, pending records and
 * backpressure all take their turn. */
struct big_sender {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    size_t sent;
    unsigned char chunk[16384];
};

static int big_sender_step(co_coro *co)
{
    struct big_sender *self = (struct big_sender *)co;
    CO_BEGIN(co);
    while (self->sent < BIG) {
        for (size_t i = 0; i < sizeof self->chunk; i++)
            self->chunk[i] = (unsigned char)((self->sent + i) % 251);
        ck_assert_int_eq(co_stream_write(self->s, self->chunk,
                                         sizeof self->chunk), 0);
        self->sent += sizeof self->chunk;
        CO_STREAM_DRAIN(co, &self->op, self->s);
    }
    CO_END(co);
}

struct big_receiver {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    size_t got;
    int bad;
    unsigned char buf[10000];
};

static int big_receiver_step(co_coro *co)
{
    struct big_receiver *self = (struct big_receiver *)co;
    CO_BEGIN(co);
    while (self->got < BIG) {
        CO_STREAM_READ(co, &self->op, self->s, self->buf, sizeof self->buf);
        if (self->op.n == 0)
            break;
        for (size_t i = 0; i < self->op.n; i++)
            if (self->buf[i] != (unsigned char)((self->got + i) % 251))
                self->bad++;
        self->got += self->op.n;
    }
    co_stream_close(self->s);
    CO_STREAM_WAIT_CLOSED(co, &self->op, self->s);
    CO_END(co);
}

struct big_client {
    co_coro co;
    co_loop *loop;
    co_server *srv;
    co_tls_context *ctx;
    co_connect_op conn;
    co_server_op sop;
    co_task *ts, *tr;
    struct big_sender snd;
    struct big_receiver rcv;
};

static int big_client_step(co_coro *co)
{
    struct big_client *self = (struct big_client *)co;
    CO_BEGIN(co);
    {
        co_stream_opts o;
        co_stream_opts_init(&o);
        o.tls = self->ctx;
        CO_OPEN_CONNECTION(co, &self->conn, self->loop, "localhost",
                           co_server_port(self->srv), &o);
    }
    self->snd.s = self->rcv.s = self->conn.stream;
    co_coro_init(&self->snd.co, big_sender_step);
    co_coro_init(&self->rcv.co, big_receiver_step);
    co_create_task(self->loop, &self->snd.co, NULL, &self->ts);
    co_create_task(self->loop, &self->rcv.co, NULL, &self->tr);
    CO_AWAIT(co, self->ts);
    CO_AWAIT(co, self->tr);
    co_server_close(self->srv);
    CO_SERVER_WAIT_CLOSED(co, &self->sop, self->srv);
    CO_FINALLY(co);
    co_task_unref(self->ts);
    co_task_unref(self->tr);
    co_stream_free(self->conn.stream);
    CO_END(co);
}

START_TEST(test_tls_megabytes_both_ways_arrive_intact)
{
    co_loop *loop = unit_loop(NULL);
    co_tls_context *sctx, *cctx;
    ck_assert_int_eq(co_tls_server_context_new(&sctx, cert, key), 0);
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    ck_assert_int_eq(co_tls_context_load_verify_file(cctx, ca), 0);
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.tls = sctx;
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, mirror_factory,
                                     NULL, &o, &srv), 0);
    struct big_client *c = calloc(1, sizeof *c);
    c->loop = loop;
    c->srv = srv;
    c->ctx = cctx;
    co_coro_init(&c->co, big_client_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &c->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_uint_eq(c->rcv.got, BIG);
    ck_assert_int_eq(c->rcv.bad, 0);
    co_task_unref(t);
    co_coro_free(&c->co);
    free(c);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    co_tls_context_free(cctx);
    co_tls_context_free(sctx);
}
END_TEST

START_TEST(test_loop_closed_during_server_handshake_frees_everything)
{
    co_loop *loop = unit_loop(NULL);
    co_tls_context *sctx;
    ck_assert_int_eq(co_tls_server_context_new(&sctx, cert, key), 0);
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.tls = sctx;
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, upper_factory, NULL,
                                     &o, &srv), 0);
    /* A plain client that connects and never says hello. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)co_server_port(srv)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    for (int i = 0; i < 200 && co_server_clients(srv) == 0; i++)
        unit_run_once(loop);
    ck_assert_uint_eq(co_server_clients(srv), 1);
    unit_run_once(loop);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
    close(fd);
    co_tls_context_free(sctx);
}
END_TEST

/* ---- a peer that closes without close_notify ------------------------------- */

/* Says "bye", then shuts its sending half at the socket, behind TLS's
 * back: the client sees the TCP end without a close_notify first, as
 * many servers send it. */
struct abrupt {
    co_coro co;
    co_stream *s;
    co_stream_op op;
};

static int abrupt_step(co_coro *co)
{
    struct abrupt *self = (struct abrupt *)co;
    CO_BEGIN(co);
    co_stream_write(self->s, "bye\n", 4);
    CO_STREAM_DRAIN(co, &self->op, self->s);
    shutdown(co_stream_fileno(self->s), SHUT_WR);
    CO_END(co);
}

static co_coro *abrupt_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct abrupt *a = CO_NEW(struct abrupt, abrupt_step);
    if (a)
        a->s = s;
    return a ? &a->co : NULL;
}

struct two_reads {
    co_coro co;
    co_loop *loop;
    int port;
    co_tls_context *ctx;
    co_connect_op conn;
    co_stream_op op;
    char line[64];
    size_t first, second;
    int caught;
};

static int two_reads_step(co_coro *co)
{
    struct two_reads *self = (struct two_reads *)co;
    CO_BEGIN(co);
    {
        co_stream_opts o;
        co_stream_opts_init(&o);
        o.tls = self->ctx;
        CO_OPEN_CONNECTION(co, &self->conn, self->loop, "localhost",
                           self->port, &o);
    }
    CO_STREAM_READLINE(co, &self->op, self->conn.stream, self->line,
                       sizeof self->line);
    self->first = self->op.n;
    co_stream_read_op(&self->op, self->conn.stream, self->line,
                      sizeof self->line);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
    self->second = self->op.n;
    CO_FINALLY(co);
    co_stream_free(self->conn.stream);
    self->conn.stream = NULL;
    CO_END(co);
}

START_TEST(test_tls_peer_closing_without_close_notify_is_end_of_file)
{
    co_loop *loop = unit_loop(NULL);
    co_tls_context *sctx, *cctx;
    ck_assert_int_eq(co_tls_server_context_new(&sctx, cert, key), 0);
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    ck_assert_int_eq(co_tls_context_load_verify_file(cctx, ca), 0);
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.tls = sctx;
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, abrupt_factory,
                                     NULL, &o, &srv), 0);
    struct two_reads r = {.loop = loop, .port = co_server_port(srv),
                          .ctx = cctx};
    co_coro_init(&r.co, two_reads_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &r.co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    co_task_unref(t);
    co_coro_free(&r.co);
    ck_assert_uint_eq(r.first, 4);
    ck_assert_msg(r.caught == 0, "the read after the end failed with %s",
                  co_errname(r.caught));
    ck_assert_uint_eq(r.second, 0);
    co_server_close(srv);
    for (int i = 0; i < 100 && co_server_clients(srv) > 0; i++)
        unit_run_once(loop);
    ck_assert_uint_eq(co_server_clients(srv), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    co_tls_context_free(cctx);
    co_tls_context_free(sctx);
}
END_TEST

/* ---- writing to a peer that has gone: no SIGPIPE ----------------------------- */

struct quitter {
    co_coro co;
};

static int quitter_step(co_coro *co)
{
    CO_BEGIN(co);
    CO_END(co); /* ends at once: the server closes the connection */
}

static co_coro *quitter_factory(co_stream *s, void *arg)
{
    (void)s, (void)arg;
    struct quitter *q = CO_NEW(struct quitter, quitter_step);
    return q ? &q->co : NULL;
}

struct persister {
    co_coro co;
    co_loop *loop;
    int port;
    co_tls_context *ctx;
    co_connect_op conn;
    co_stream_op op;
    int i;
    int failed;   /* the failure that ended the writing */
    char chunk[16384];
};

static int persister_step(co_coro *co)
{
    struct persister *self = (struct persister *)co;
    CO_BEGIN(co);
    {
        co_stream_opts o;
        co_stream_opts_init(&o);
        o.tls = self->ctx;
        CO_OPEN_CONNECTION(co, &self->conn, self->loop, "localhost", self->port,
                           &o);
    }
    memset(self->chunk, 'p', sizeof self->chunk);
    for (self->i = 0; self->i < 1000 && !self->failed; self->i++) {
        self->failed = co_stream_write(self->conn.stream, self->chunk,
                                       sizeof self->chunk);
        if (self->failed)
            break;
        co_stream_drain_op(&self->op, self->conn.stream);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->failed);
    }
    CO_FINALLY(co);
    co_stream_free(self->conn.stream);
    CO_END(co);
}

START_TEST(test_tls_write_to_a_closed_peer_fails_without_sigpipe)
{
    /* SIGPIPE's default action kills the process: the program must not
     * have to ignore it for a TLS write to a closed peer to fail softly. */
    void (*before)(int) = signal(SIGPIPE, SIG_DFL);
    co_loop *loop = unit_loop(NULL);
    co_tls_context *sctx, *cctx;
    ck_assert_int_eq(co_tls_server_context_new(&sctx, cert, key), 0);
    ck_assert_int_eq(co_tls_client_context_new(&cctx), 0);
    ck_assert_int_eq(co_tls_context_load_verify_file(cctx, ca), 0);
    co_stream_opts o;
    co_stream_opts_init(&o);
    o.tls = sctx;
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, quitter_factory,
                                     NULL, &o, &srv), 0);
    struct persister *p = calloc(1, sizeof *p);
    p->loop = loop;
    p->port = co_server_port(srv);
    p->ctx = cctx;
    co_coro_init(&p->co, persister_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &p->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_msg(p->failed == CO_ECONNRESET || p->failed == CO_ETLS,
                  "writing on ended with %s", co_errname(p->failed));
    co_task_unref(t);
    co_coro_free(&p->co);
    free(p);
    co_server_close(srv);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
    co_tls_context_free(cctx);
    co_tls_context_free(sctx);
    signal(SIGPIPE, before);
}
END_TEST

Suite *tls_suite(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("coflow");
    tcase_add_test(tc, test_tls_client_and_server_talk);
    tcase_add_test(tc, test_tls_checks_an_ip_address_too);
    tcase_add_test(tc, test_tls_untrusted_authority_is_refused);
    tcase_add_test(tc, test_tls_system_store_does_not_trust_a_test_ca);
    tcase_add_test(tc, test_tls_wrong_host_name_is_refused);
    tcase_add_test(tc, test_tls_verification_can_be_turned_off);
    tcase_add_test(tc, test_tls_bad_files_are_reported);
    tcase_add_test(tc, test_tls_megabytes_both_ways_arrive_intact);
    tcase_add_test(tc, test_loop_closed_during_server_handshake_frees_everything);
    tcase_add_test(tc, test_tls_write_to_a_closed_peer_fails_without_sigpipe);
    tcase_add_test(tc, test_tls_verifying_server_refuses_a_client_without_certificate);
    tcase_add_test(tc, test_tls_verifying_server_accepts_a_trusted_client_certificate);
    tcase_add_test(tc, test_tls_verifying_server_refuses_an_untrusted_client_certificate);
    tcase_add_test(tc, test_tls_a_client_certificate_alone_changes_nothing);
    tcase_add_test(tc, test_tls_load_cert_chain_refuses_bad_input);
    tcase_add_test(tc, test_tls_failing_system_store_is_reported);
    tcase_add_test(tc, test_tls_an_old_error_does_not_hide_the_cause);
    tcase_add_test(tc, test_tls_writelines_that_cannot_be_held_queues_nothing);
    tcase_add_test(tc, test_tls_peer_closing_without_close_notify_is_end_of_file);
    unit_add_case(s, tc);
    tc = tcase_create("openssl");
    tcase_add_test(tc, test_tls_client_against_openssl_s_server);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!co_tls_available()) {
        fprintf(stderr, "test_tls: this build has no TLS\n");
        return 77;
    }
    if (make_certificates() < 0) {
        fprintf(stderr, "test_tls: no certificates (is the openssl command "
                        "installed?)\n");
        remove_certificates();
        return 77;
    }
    int failed = unit_main(tls_suite());
    remove_certificates();
    return failed;
}
