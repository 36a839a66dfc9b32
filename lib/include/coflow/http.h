/* coflow/http.h - an HTTP/1.1 client: the response parser, and GET / HEAD
 * requests over coflow's streams (the notes' aiohttp, in C).
 *
 * The parser is a state machine fed whatever bytes the network gives, in
 * any split: it never trusts them (every length is bounded, every number
 * checked for overflow, every character checked against RFC 9112) and never
 * copies a body byte, which it hands back as pointers into the caller's
 * buffer. docs/http.md walks through its states, the connection pool and
 * the limits. */
#ifndef COFLOW_HTTP_H
#define COFLOW_HTTP_H

#include "coflow/error.h"

#include <stddef.h>

/* ---- the response parser ------------------------------------------------ */

/** The parser's limits; a field left 0 takes its default. */
typedef struct co_http_limits {
    size_t max_line;    /**< longest status, header or chunk-size line, in
                             bytes without its CRLF (default 8192) */
    size_t max_head;    /**< all header and trailer lines together
                             (default 65536) */
    size_t max_headers; /**< number of header and trailer fields
                             (default 100) */
} co_http_limits;

/** What co_http_parser_feed() stopped at. */
enum co_http_event {
    CO_HTTP_NEED_MORE = 0, /**< every byte given was used: feed more */
    CO_HTTP_HEAD = 1,      /**< the status line and headers are complete:
                                the status and headers can be read now */
    CO_HTTP_BODY = 2,      /**< a piece of the body, in *chunk / *chunk_len */
    CO_HTTP_DONE = 3       /**< the response is complete */
};

/** How the end of the body is known (RFC 9112 6.3). */
enum co_http_framing {
    CO_HTTP_FRAMING_NONE = 0,   /**< no body: HEAD, 1xx, 204, 304 */
    CO_HTTP_FRAMING_LENGTH = 1, /**< Content-Length bytes */
    CO_HTTP_FRAMING_CHUNKED = 2,/**< chunked transfer coding */
    CO_HTTP_FRAMING_CLOSE = 3   /**< until the server closes the connection */
};

/** An incremental parser of one HTTP/1.x response at a time; opaque. */
typedef struct co_http_parser co_http_parser;

/** Makes a parser with @p limits (NULL: the defaults), ready for a
 *  response. @return the parser, or NULL when memory ran out. */
CO_API co_http_parser *co_http_parser_new(const co_http_limits *limits);

/** Frees @p p and everything it holds (header strings included); NULL is a
 *  no-op. */
CO_API void co_http_parser_free(co_http_parser *p);

/** Readies @p p for the next response on the same connection (keep-alive),
 *  forgetting the last one's headers. @p head_request says the request was
 *  HEAD, whose response has headers but never a body.
 *  @return 0, or CO_EINVAL for NULL. */
CO_API int co_http_parser_reset(co_http_parser *p, int head_request);

/** Feeds @p len bytes of @p data. Parses until the next event and stores in
 *  @p used how many bytes it took; the caller feeds the rest again (and
 *  then new bytes) until CO_HTTP_NEED_MORE. For CO_HTTP_BODY, @p chunk and
 *  @p chunk_len receive a piece of body pointing into @p data. Interim 1xx
 *  responses (100 Continue, 103 Early Hints) are skipped.
 *  Once a failure is returned, every later call returns it again.
 *  @return an enum co_http_event, or CO_EINVAL (NULL arguments),
 *  CO_EHTTPPROTO (malformed; co_http_parser_why() says what),
 *  CO_EHTTPLIMIT, CO_ENOMEM. After CO_HTTP_DONE, bytes fed are not used
 *  (*used is 0) until co_http_parser_reset(). */
CO_API int co_http_parser_feed(co_http_parser *p, const char *data,
                               size_t len, size_t *used, const char **chunk,
                               size_t *chunk_len);

/** Tells @p p the connection was closed by the peer. A body framed by the
 *  close is complete then; anything else was cut short.
 *  @return CO_HTTP_DONE, or CO_EHTTPINCOMPLETE (or an earlier failure). */
CO_API int co_http_parser_eof(co_http_parser *p);

/** The status code (100-999) once CO_HTTP_HEAD was returned, else 0. */
CO_API int co_http_parser_status(const co_http_parser *p);

/** The minor version of "HTTP/1.x" once the head is known, else -1. */
CO_API int co_http_parser_minor_version(const co_http_parser *p);

/** The reason phrase (possibly ""), or NULL before the head. */
CO_API const char *co_http_parser_reason(const co_http_parser *p);

/** The number of header fields (and, after a chunked body, trailer fields)
 *  stored so far. */
CO_API size_t co_http_parser_header_count(const co_http_parser *p);

/** Header number @p i: @p name and @p value receive NUL-terminated strings
 *  owned by @p p (valid until the next feed, reset or free). A value has no
 *  leading or trailing whitespace; an obsolete folded line is joined with a
 *  space. @p trailer (may be NULL) receives 1 for a trailer field.
 *  @return 0, or CO_EINVAL if @p i is out of range. */
CO_API int co_http_parser_header_at(const co_http_parser *p, size_t i,
                                    const char **name, const char **value,
                                    int *trailer);

/** The value of the first header field named @p name (compared without
 *  case), or NULL. Trailers are not searched. */
CO_API const char *co_http_parser_header(const co_http_parser *p,
                                         const char *name);

/** How the body is framed, known once the head is. */
CO_API enum co_http_framing co_http_parser_framing(const co_http_parser *p);

/** The Content-Length, or -1 when the body is not framed by one. */
CO_API long long co_http_parser_content_length(const co_http_parser *p);

/** Whether the connection may carry another request once this response is
 *  done: HTTP/1.1 without "Connection: close", or HTTP/1.0 with
 *  "Connection: keep-alive", and a body not framed by the close. */
CO_API int co_http_parser_keep_alive(const co_http_parser *p);

/** Whether the response is complete (CO_HTTP_DONE was returned). */
CO_API int co_http_parser_done(const co_http_parser *p);

/** A short sentence on what was wrong with the bytes, after a failure
 *  ("bad status line", "chunk size is not hexadecimal", ...); "" if none. */
CO_API const char *co_http_parser_why(const co_http_parser *p);

#endif
