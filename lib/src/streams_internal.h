/* streams_internal.h - what streams.c asks of tls.c: one TLS connection
 * over a non-blocking socket, in OpenSSL's terms but without its types, so
 * that streams.c builds the same with TLS or without. For lesson 15. */
#ifndef COFLOW_STREAMS_INTERNAL_H
#define COFLOW_STREAMS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "coflow/tls.h"

/* What a TLS call needs before it can go on. */
enum {
    CO__TLS_DONE = 0,      /* it finished (or moved some bytes) */
    CO__TLS_WANT_READ = 1, /* call again once the socket is readable */
    CO__TLS_WANT_WRITE = 2 /* call again once the socket is writable */
};

typedef struct co__tls co__tls;

/* A TLS connection on @p fd, client side (checking the certificate against
 * @p hostname, which is also sent as SNI; NULL: no name check) or server
 * side. 0 and *out; CO_ENOTLS; CO_ENOMEM; CO_ETLS. */
int co__tls_conn_new(co_tls_context *ctx, int fd, bool server,
                     const char *hostname, co__tls **out);

/* Drives the handshake one step: CO__TLS_DONE when it is complete,
 * WANT_READ / WANT_WRITE, or a negative code (CO_ECERT, CO_ETLS,
 * CO_ECONNRESET) with a sentence in @p msg (@p size bytes). */
int co__tls_handshake(co__tls *t, char *msg, size_t size);

/* Reads decrypted bytes: > 0 bytes, 0 at the peer's close (close_notify or
 * a bare end of the socket), -CO__TLS_WANT_READ / -CO__TLS_WANT_WRITE, or a
 * negative code below those (CO_ETLS, CO_ECERT, CO_ECONNRESET), whose
 * reason co_tls_last_error() then gives. */
ssize_t co__tls_read(co__tls *t, void *buf, size_t n);

/* Writes bytes (partial writes allowed): > 0 bytes taken, or as read. */
ssize_t co__tls_write(co__tls *t, const void *buf, size_t n);

/* Decrypted bytes OpenSSL holds that the socket will not signal again. */
size_t co__tls_pending(co__tls *t);

/* Sends close_notify if it can without waiting. */
void co__tls_shutdown(co__tls *t);

/* Frees it (NULL: no-op). Does not close the fd. */
void co__tls_conn_free(co__tls *t);

#endif
