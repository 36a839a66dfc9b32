/** @file
 * coflow/tls.h - TLS for streams, through OpenSSL: asyncio's ssl=
 * argument of open_connection and start_server. For lesson 15 (https
 * downloads); docs/streams.md explains how it sits under the buffers.
 *
 * A context holds the settings shared by many connections: for a client,
 * which certificates it trusts (the system's store unless told otherwise)
 * and whether it checks them (yes unless told otherwise); for a server,
 * its certificate and key. Give it to a stream through co_stream_opts.tls.
 *
 * TLS is optional at build time (meson option `tls`): without OpenSSL,
 * co_tls_available() is false and every call here fails with CO_ENOTLS.
 *
 * Ownership: *_new() gives you the context; co_tls_context_free() frees it
 * (NULL: no-op). Streams borrow it: free it only after them. */
#ifndef COFLOW_TLS_H
#define COFLOW_TLS_H

#include <stdbool.h>

#include "coflow/error.h"

/** The settings shared by many TLS connections, a client's or a
 *  server's (asyncio's ssl.SSLContext); opaque. */
typedef struct co_tls_context co_tls_context;

/** Whether this build of coflow has TLS.
 *  @return true if it was built with OpenSSL, false otherwise */
CO_API bool co_tls_available(void);

/** ssl.create_default_context(): a client context that verifies the
 *  server's certificate against the system's trusted authorities and
 *  checks that it was issued for the host name connected to; TLS 1.2 or
 *  newer.
 *  @param out receives the context (NULL on failure)
 *  @return 0 and *out; CO_EINVAL (NULL); CO_ENOTLS; CO_ETLS (OpenSSL
 *  could not make it; co_tls_last_error() says why); CO_ENOMEM. */
CO_API int co_tls_client_context_new(co_tls_context **out);

/** SSLContext.load_verify_locations(cafile): trusts the certificates in
 *  PEM file @p cafile too (a test's own authority).
 *  @param ctx a context
 *  @param cafile the PEM file's name
 *  @return 0; CO_EINVAL (NULL argument); CO_ENOTLS; CO_ETLS (the file
 *  could not be read or holds no certificate; co_tls_last_error() says
 *  why). */
CO_API int co_tls_context_load_verify_file(co_tls_context *ctx,
                                           const char *cafile);

/** Turns certificate and host name checks off (@p verify false:
 *  ssl.CERT_NONE with check_hostname off) or on again. Off is for tests
 *  and nothing else: anybody on the path can then read the connection.
 *  A server context is not changed by it.
 *  @param ctx a client context
 *  @param verify false to stop checking, true to check again
 *  @return 0; CO_EINVAL (NULL @p ctx); CO_ENOTLS. */
CO_API int co_tls_context_set_verify(co_tls_context *ctx, bool verify);

/** A server context with the certificate chain in PEM file @p certfile and
 *  the private key in @p keyfile (load_cert_chain).
 *  @param out receives the context (NULL on failure)
 *  @param certfile the PEM certificate chain's file name
 *  @param keyfile the PEM private key's file name
 *  @return 0 and *out;
 *  CO_EINVAL (NULL); CO_ENOTLS; CO_ETLS (a file could not be read, or the
 *  key does not match the certificate; the message says which); CO_ENOMEM. */
CO_API int co_tls_server_context_new(co_tls_context **out, const char *certfile,
                                     const char *keyfile);

/** The last TLS failure's reason in this thread, in OpenSSL's words (for
 *  a context that could not be made).
 *  @return the reason, or "" if none; a string of this thread's, valid
 *  until its next TLS call */
CO_API const char *co_tls_last_error(void);

/** Frees @p ctx. NULL is a no-op.
 *  @param ctx the context, or NULL */
CO_API void co_tls_context_free(co_tls_context *ctx);

#endif
