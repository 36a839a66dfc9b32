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
 *  could not make it, or could not load the system's trusted
 *  certificates; co_tls_last_error() says why); CO_ENOMEM. */
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

/** SSLContext.verify_mode (and check_hostname): whether the peer's
 *  certificate is checked. On a client context (checked unless told
 *  otherwise) @p verify false is ssl.CERT_NONE with check_hostname off:
 *  for tests and nothing else, since anybody on the path can then read the
 *  connection. On a server context (not checked unless told otherwise)
 *  @p verify true is ssl.CERT_REQUIRED: the server asks each client for a
 *  certificate, checks it against the authorities given with
 *  co_tls_context_load_verify_file(), and refuses a client that sends none
 *  or an untrusted one (the client's handshake, or with TLS 1.3 its first
 *  read, fails).
 *  @param ctx a client or server context
 *  @param verify true to check the peer, false not to
 *  @return 0; CO_EINVAL (NULL @p ctx); CO_ENOTLS. */
CO_API int co_tls_context_set_verify(co_tls_context *ctx, bool verify);

/** SSLContext.load_cert_chain(certfile, keyfile): the certificate chain
 *  (PEM file @p certfile) and private key (PEM file @p keyfile) this side
 *  shows its peer. A client needs one for a server that verifies its
 *  clients (co_tls_context_set_verify() on the server's context); a server
 *  context gets its own from co_tls_server_context_new(), and this
 *  replaces it.
 *  @param ctx a client or server context
 *  @param certfile the PEM certificate chain's file name
 *  @param keyfile the PEM private key's file name
 *  @return 0; CO_EINVAL (NULL argument); CO_ENOTLS; CO_ETLS (a file could
 *  not be read, or the key does not match the certificate;
 *  co_tls_last_error() says which). */
CO_API int co_tls_context_load_cert_chain(co_tls_context *ctx,
                                          const char *certfile,
                                          const char *keyfile);

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
 *  a context that could not be made): what failed, then, when it started
 *  elsewhere, its first cause ("..., caused by system library: No such
 *  file or directory").
 *  @return the reason, or "" if none; a string of this thread's, valid
 *  until its next TLS call */
CO_API const char *co_tls_last_error(void);

/** Frees @p ctx. NULL is a no-op.
 *  @param ctx the context, or NULL */
CO_API void co_tls_context_free(co_tls_context *ctx);

#endif
