/** @file
 * coflow/url.h - http and https URLs, parsed and checked (RFC 3986).
 * The HTTP client (coflow/http.h) and coflow-get take their addresses
 * through here; docs/http.md explains the states of the parser.
 *
 * Only what an HTTP/1.1 client can send is accepted: the scheme http or
 * https, a host that is a name made of letters, digits, '-', '.', '_' and
 * '~' (no percent-encoding: a resolver could not look it up), an IPv4
 * address or a bracketed IPv6 literal, an optional port 1-65535, a path and
 * a query made of the characters RFC 3986 allows there, and a fragment,
 * which is checked and then dropped (it is never sent). User information
 * ("user:password@") is refused: sending a password in a URL is a mistake
 * RFC 9110 asks clients not to make. The path has its "." and ".."
 * segments removed (RFC 3986 5.2.4), so "/a/../b" is "/b". */
#ifndef COFLOW_URL_H
#define COFLOW_URL_H

#include "coflow/error.h"

#include <stddef.h>

/** The longest URL accepted, in bytes (RFC 9112 asks for at least 8000). */
#define CO_URL_MAX 8000

/** A parsed URL. All strings are NUL-terminated, lower-case where case does
 *  not matter (scheme, host), and live in one allocation that
 *  co_url_clear() frees. */
typedef struct co_url {
    char *scheme;  /**< "http" or "https" */
    char *host;    /**< the host without brackets ("::1" for "[::1]") */
    char *path;    /**< the path, at least "/" */
    char *query;   /**< the query without its '?', or NULL when there is none */
    char *target;  /**< the request-target: path, then '?' and query if any */
    char *authority; /**< the Host header's value: host (bracketed if IPv6),
                          then ":port" when the URL gave a port that is not
                          the scheme's default */
    int port;      /**< the port: the URL's, or 80 / 443 by scheme */
    int is_ipv6;   /**< 1 when the host is an IPv6 literal */
    int is_https;  /**< 1 for https */
    char *mem;     /**< internal: the one allocation the strings live in */
} co_url;

/** Parses the NUL-terminated URL @p text into @p out (which need not be
 *  initialised; on failure it is left cleared, with every pointer NULL, so
 *  co_url_clear() on it is always safe).
 *  @param text the URL, NUL-terminated
 *  @param out receives the parsed URL (free it with co_url_clear())
 *  @return 0; CO_EINVAL if an argument is NULL; CO_EURL if the text is not a
 *  well-formed absolute http(s) URL or is longer than CO_URL_MAX;
 *  CO_EURLSCHEME if the scheme is well-formed but not http or https;
 *  CO_ENOMEM. */
CO_API int co_url_parse(const char *text, co_url *out);

/** Like co_url_parse() for @p len bytes of @p text (NUL bytes in them make
 *  the URL malformed).
 *  @param text the URL's bytes, not necessarily NUL-terminated
 *  @param len how many bytes of @p text make the URL (0 is CO_EURL)
 *  @param out receives the parsed URL, left cleared on failure
 *  @return as co_url_parse(). */
CO_API int co_url_parse_n(const char *text, size_t len, co_url *out);

/** Resolves the reference @p ref (what a Location header holds: an
 *  absolute URL, "//host/path", "/path", "path" or "?query") against
 *  @p base, as RFC 3986 5.2 does, into @p out. An empty reference, or one
 *  that is only a fragment, gives @p base again.
 *  @param base the URL the reference is relative to (a parsed one)
 *  @param ref the reference, NUL-terminated
 *  @param out receives the resulting URL, left cleared on failure
 *  @return 0; CO_EINVAL if an argument is NULL or @p base is not a parsed
 *  URL; CO_EURL for a reference longer than CO_URL_MAX; else as
 *  co_url_parse() for the resulting URL. */
CO_API int co_url_resolve(const co_url *base, const char *ref, co_url *out);

/** The last segment of @p url's path, percent-decoded into @p buf of @p size
 *  bytes (NUL-terminated, truncated to fit); "" when the path ends with '/'.
 *  The bytes are what the URL says: a caller that makes a file name of them
 *  must still check it (see coflow-get); a "%00" decodes to a NUL byte
 *  inside them.
 *  @param url the parsed URL
 *  @param buf receives the segment
 *  @param size the room in @p buf, its NUL included (at least 1)
 *  @return the length written, without the NUL; CO_EINVAL for a NULL or
 *  unparsed @p url, a NULL @p buf or a @p size of 0. */
CO_API int co_url_basename(const co_url *url, char *buf, size_t size);

/** Frees what @p url holds and clears it; NULL or a cleared URL is a no-op.
 *  @param url the URL, or NULL */
CO_API void co_url_clear(co_url *url);

#endif
