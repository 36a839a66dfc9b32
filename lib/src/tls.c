/* tls.c - TLS contexts and connections through OpenSSL (coflow/tls.h), and
 * the few calls streams.c makes of them (streams_internal.h). For lesson
 * 15. Built without OpenSSL, every call says CO_ENOTLS.
 *
 * OpenSSL works on the non-blocking socket directly: a call that cannot go
 * on says which readiness it waits for (SSL_ERROR_WANT_READ / _WRITE),
 * and streams.c waits for that and calls again. Partial writes and moving
 * write buffers are allowed, so a retried write may start anywhere in the
 * stream's queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coflow/tls.h"
#include "streams_internal.h"

static _Thread_local char last_error[256];

const char *co_tls_last_error(void)
{
    return last_error;
}

#ifdef CO_HAVE_OPENSSL

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

struct co_tls_context {
    SSL_CTX *ctx;    /* OpenSSL's context */
    bool server;     /* made by co_tls_server_context_new */
    bool verify;     /* check the peer's certificate (clients: and the
                        name; servers: ask the client for one) */
};

struct co__tls {
    SSL *ssl;        /* the connection */
    bool verify;     /* it checks the peer's certificate */
};

/* One queued error in words, without OpenSSL's "error:0A080002:" prefix:
 * "SSL routines::system lib" becomes "SSL routines: system lib". */
static void reason_of(unsigned long e, char *buf, size_t size)
{
    char raw[256];
    ERR_error_string_n(e, raw, sizeof raw);
    const char *r = raw;
    if (strncmp(r, "error:", 6) == 0) {
        const char *colon = strchr(r + 6, ':');
        if (colon)
            r = colon + 1;
    }
    size_t n = 0;
    for (; *r && n + 1 < size; r++) {
        if (r[0] == ':' && r[1] == ':')
            continue; /* "::" (no function name) reads as ": " */
        buf[n++] = *r;
        if (*r == ':' && n + 1 < size)
            buf[n++] = ' ';
    }
    buf[n] = '\0';
}

/* Why the call that just failed failed, into last_error (and @p buf if not
 * NULL), then the queue is emptied. Every caller empties the queue before
 * the call it reports on, so what is queued is that call's alone. OpenSSL
 * queues the first cause first and each layer that passes it up after it:
 * the newest entry says what failed (the TLS layer's reason), the oldest,
 * when it is another one, where it started ("No such file or directory"),
 * and both are said. */
static void note_error(const char *what, char *buf, size_t size)
{
    unsigned long first = ERR_peek_error();
    unsigned long last = ERR_peek_last_error();
    char newest[200] = "no reason given", oldest[200] = "";
    if (last)
        reason_of(last, newest, sizeof newest);
    if (first && first != last)
        reason_of(first, oldest, sizeof oldest);
    ERR_clear_error();
    snprintf(last_error, sizeof last_error, "%s: %s%s%s", what, newest,
             oldest[0] ? ", caused by " : "", oldest);
    if (buf && size)
        snprintf(buf, size, "%s", last_error);
}

/* OpenSSL writes the socket with write(), and a write to a connection the
 * peer has closed raises SIGPIPE, whose default action kills the process
 * (plain streams use send(MSG_NOSIGNAL) instead). Around each call that
 * may write, SIGPIPE is blocked in this thread, and one it raised is taken
 * back before the mask is restored: the call sees EPIPE, the program
 * nothing. A SIGPIPE that was already pending is left alone. */
typedef struct sigpipe_guard {
    sigset_t old;       /* the thread's mask before */
    bool was_pending;   /* SIGPIPE was pending already */
} sigpipe_guard;

static void sigpipe_block(sigpipe_guard *g)
{
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void sigpipe_restore(sigpipe_guard *g)
{
    if (!g->was_pending) {
        sigset_t set, pending;
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1) {
            struct timespec zero = {0, 0};
            sigemptyset(&set);
            sigaddset(&set, SIGPIPE);
            int saved = errno;
            while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
                ;
            errno = saved;
        }
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

bool co_tls_available(void)
{
    return true;
}

/* What every context has: TLS 1.2 or newer, and a peer that closes the
 * socket without close_notify read as an end of file, as co__tls_read
 * promises (many servers do that; OpenSSL 3 calls it an error, "unexpected
 * eof while reading", unless told otherwise). A truncated HTTP body is
 * still caught, by its Content-Length or chunked framing. */
static void common_settings(SSL_CTX *ctx)
{
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
}

int co_tls_client_context_new(co_tls_context **out)
{
    if (!out)
        return CO_EINVAL;
    *out = NULL;
    co_tls_context *c = calloc(1, sizeof *c);
    if (!c)
        return CO_ENOMEM;
    ERR_clear_error();
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (!c->ctx) {
        note_error("SSL_CTX_new", NULL, 0);
        free(c);
        return CO_ETLS;
    }
    common_settings(c->ctx);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    /* A client that would check against an empty store refuses every
     * server: say so now, as ssl.create_default_context() raises, rather
     * than at the first handshake. */
    if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
        note_error("the system's trusted certificates could not be loaded",
                   NULL, 0);
        co_tls_context_free(c);
        return CO_ETLS;
    }
    c->verify = true;
    *out = c;
    return 0;
}

int co_tls_context_load_verify_file(co_tls_context *ctx, const char *cafile)
{
    if (!ctx || !cafile)
        return CO_EINVAL;
    ERR_clear_error();
    if (SSL_CTX_load_verify_locations(ctx->ctx, cafile, NULL) != 1) {
        note_error(cafile, NULL, 0);
        return CO_ETLS;
    }
    return 0;
}

/* A server that verifies asks every client for a certificate and refuses
 * one that sends none (ssl.CERT_REQUIRED on a server context). */
static void apply_verify(co_tls_context *ctx)
{
    int mode = SSL_VERIFY_NONE;
    if (ctx->verify)
        mode = ctx->server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                           : SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx->ctx, mode, NULL);
}

int co_tls_context_set_verify(co_tls_context *ctx, bool verify)
{
    if (!ctx)
        return CO_EINVAL;
    ctx->verify = verify;
    apply_verify(ctx);
    return 0;
}

/* The certificate chain and its key, checked against each other. */
static int load_chain(co_tls_context *c, const char *certfile,
                      const char *keyfile)
{
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(c->ctx, certfile) != 1) {
        note_error(certfile, NULL, 0);
        return CO_ETLS;
    }
    if (SSL_CTX_use_PrivateKey_file(c->ctx, keyfile, SSL_FILETYPE_PEM) != 1) {
        note_error(keyfile, NULL, 0);
        return CO_ETLS;
    }
    if (SSL_CTX_check_private_key(c->ctx) != 1) {
        note_error("the key does not match the certificate", NULL, 0);
        return CO_ETLS;
    }
    return 0;
}

int co_tls_context_load_cert_chain(co_tls_context *ctx, const char *certfile,
                                   const char *keyfile)
{
    if (!ctx || !certfile || !keyfile)
        return CO_EINVAL;
    return load_chain(ctx, certfile, keyfile);
}

int co_tls_server_context_new(co_tls_context **out, const char *certfile,
                              const char *keyfile)
{
    if (!out)
        return CO_EINVAL;
    *out = NULL;
    if (!certfile || !keyfile)
        return CO_EINVAL;
    co_tls_context *c = calloc(1, sizeof *c);
    if (!c)
        return CO_ENOMEM;
    c->server = true;
    ERR_clear_error();
    c->ctx = SSL_CTX_new(TLS_server_method());
    if (!c->ctx) {
        note_error("SSL_CTX_new", NULL, 0);
        free(c);
        return CO_ETLS;
    }
    common_settings(c->ctx);
    int rc = load_chain(c, certfile, keyfile);
    if (rc < 0) {
        co_tls_context_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void co_tls_context_free(co_tls_context *ctx)
{
    if (!ctx)
        return;
    SSL_CTX_free(ctx->ctx);
    free(ctx);
}

int co__tls_conn_new(co_tls_context *ctx, int fd, bool server,
                     const char *hostname, co__tls **out)
{
    *out = NULL;
    if (!ctx)
        return CO_EINVAL;
    if (server != ctx->server) {
        snprintf(last_error, sizeof last_error, "a %s context was given to a "
                 "%s", ctx->server ? "server" : "client",
                 server ? "server" : "client connection");
        return CO_EINVAL;
    }
    co__tls *t = calloc(1, sizeof *t);
    if (!t)
        return CO_ENOMEM;
    t->verify = ctx->verify;
    ERR_clear_error();
    t->ssl = SSL_new(ctx->ctx);
    if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
        note_error("SSL_new", NULL, 0);
        co__tls_conn_free(t);
        return CO_ETLS;
    }
    SSL_set_mode(t->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
                             SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (server) {
        SSL_set_accept_state(t->ssl);
    } else {
        SSL_set_connect_state(t->ssl);
        if (hostname) {
            /* SNI is for names, not for numeric addresses (RFC 6066). */
            unsigned char ip[16];
            bool numeric = inet_pton(AF_INET, hostname, ip) == 1 ||
                           inet_pton(AF_INET6, hostname, ip) == 1;
            if (!numeric)
                SSL_set_tlsext_host_name(t->ssl, hostname);
            if (t->verify) {
                X509_VERIFY_PARAM *p = SSL_get0_param(t->ssl);
                X509_VERIFY_PARAM_set_hostflags(
                    p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                int ok = numeric ? X509_VERIFY_PARAM_set1_ip_asc(p, hostname)
                                 : X509_VERIFY_PARAM_set1_host(p, hostname, 0);
                if (ok != 1) {
                    note_error("the host name to check", NULL, 0);
                    co__tls_conn_free(t);
                    return CO_ETLS;
                }
            }
        }
    }
    *out = t;
    return 0;
}

/* What an SSL call's failure means: a want, or a code (with a sentence). */
static int classify(co__tls *t, int ret, char *msg, size_t size)
{
    int e = SSL_get_error(t->ssl, ret);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        return CO__TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return CO__TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        snprintf(last_error, sizeof last_error, "the connection was lost "
                 "during the TLS exchange%s%s", errno ? ": " : "",
                 errno ? strerror(errno) : "");
        if (msg)
            snprintf(msg, size, "%s", last_error);
        return CO_ECONNRESET;
    default:
        break;
    }
    long v = SSL_get_verify_result(t->ssl);
    if (t->verify && v != X509_V_OK) {
        snprintf(last_error, sizeof last_error,
                 "certificate verify failed: %s",
                 X509_verify_cert_error_string(v));
        ERR_clear_error();
        if (msg)
            snprintf(msg, size, "%s", last_error);
        return CO_ECERT;
    }
    note_error("TLS", msg, size);
    return CO_ETLS;
}

int co__tls_handshake(co__tls *t, char *msg, size_t size)
{
    ERR_clear_error();
    errno = 0;
    sigpipe_guard g;
    sigpipe_block(&g);
    int r = SSL_do_handshake(t->ssl);
    sigpipe_restore(&g);
    if (r == 1)
        return CO__TLS_DONE;
    int c = classify(t, r, msg, size);
    if (c == 0) {
        snprintf(msg, size, "the peer closed the connection during the TLS "
                 "handshake");
        return CO_ECONNRESET;
    }
    return c;
}

ssize_t co__tls_read(co__tls *t, void *buf, size_t n)
{
    size_t got = 0;
    ERR_clear_error();
    errno = 0;
    sigpipe_guard g;
    sigpipe_block(&g); /* a read may have to write (a key update) */
    int ok = SSL_read_ex(t->ssl, buf, n, &got);
    sigpipe_restore(&g);
    if (ok == 1)
        return (ssize_t)got;
    int c = classify(t, 0, NULL, 0);
    if (c == CO__TLS_WANT_READ || c == CO__TLS_WANT_WRITE)
        return -c;
    /* A peer that closes the socket without close_notify is an end of file
     * too (many servers do that); a real error stays one. */
    if (c == CO_ECONNRESET && errno == 0)
        return 0;
    return c;
}

ssize_t co__tls_write(co__tls *t, const void *buf, size_t n)
{
    size_t put = 0;
    ERR_clear_error();
    errno = 0;
    sigpipe_guard g;
    sigpipe_block(&g);
    int ok = SSL_write_ex(t->ssl, buf, n, &put);
    sigpipe_restore(&g);
    if (ok == 1)
        return (ssize_t)put;
    int c = classify(t, 0, NULL, 0);
    if (c == CO__TLS_WANT_READ || c == CO__TLS_WANT_WRITE)
        return -c;
    return c == 0 ? CO_ECONNRESET : c;
}

size_t co__tls_pending(co__tls *t)
{
    return (size_t)SSL_pending(t->ssl);
}

void co__tls_shutdown(co__tls *t)
{
    ERR_clear_error();
    sigpipe_guard g;
    sigpipe_block(&g);
    if (SSL_shutdown(t->ssl) < 0)
        ERR_clear_error();
    sigpipe_restore(&g);
}

void co__tls_conn_free(co__tls *t)
{
    if (!t)
        return;
    SSL_free(t->ssl);
    free(t);
}

#else /* no OpenSSL: TLS is not there, and every call says so */

bool co_tls_available(void)
{
    return false;
}

int co_tls_client_context_new(co_tls_context **out)
{
    if (out)
        *out = NULL;
    return out ? CO_ENOTLS : CO_EINVAL;
}

int co_tls_context_load_verify_file(co_tls_context *ctx, const char *cafile)
{
    return ctx && cafile ? CO_ENOTLS : CO_EINVAL;
}

int co_tls_context_set_verify(co_tls_context *ctx, bool verify)
{
    (void)verify;
    return ctx ? CO_ENOTLS : CO_EINVAL;
}

int co_tls_context_load_cert_chain(co_tls_context *ctx, const char *certfile,
                                   const char *keyfile)
{
    return ctx && certfile && keyfile ? CO_ENOTLS : CO_EINVAL;
}

int co_tls_server_context_new(co_tls_context **out, const char *certfile,
                              const char *keyfile)
{
    if (out)
        *out = NULL;
    return out && certfile && keyfile ? CO_ENOTLS : CO_EINVAL;
}

void co_tls_context_free(co_tls_context *ctx)
{
    (void)ctx;
}

int co__tls_conn_new(co_tls_context *ctx, int fd, bool server,
                     const char *hostname, co__tls **out)
{
    (void)ctx, (void)fd, (void)server, (void)hostname;
    *out = NULL;
    return CO_ENOTLS;
}

int co__tls_handshake(co__tls *t, char *msg, size_t size)
{
    (void)t;
    snprintf(msg, size, "%s", co_strerror(CO_ENOTLS));
    return CO_ENOTLS;
}

ssize_t co__tls_read(co__tls *t, void *buf, size_t n)
{
    (void)t, (void)buf, (void)n;
    return CO_ENOTLS;
}

ssize_t co__tls_write(co__tls *t, const void *buf, size_t n)
{
    (void)t, (void)buf, (void)n;
    return CO_ENOTLS;
}

size_t co__tls_pending(co__tls *t)
{
    (void)t;
    return 0;
}

void co__tls_shutdown(co__tls *t)
{
    (void)t;
}

void co__tls_conn_free(co__tls *t)
{
    (void)t;
}

#endif
