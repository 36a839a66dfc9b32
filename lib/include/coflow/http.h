/** @file
 * coflow/http.h - an HTTP/1.1 client: the response parser, and GET / HEAD
 * requests over coflow's streams (the notes' aiohttp, in C).
 *
 * The parser is a state machine fed whatever bytes the network gives, in
 * any split: it never trusts them (every length is bounded, every number
 * checked for overflow, every character checked against RFC 9112) and never
 * copies a body byte, which it hands back as pointers into the caller's
 * buffer. docs/http.md walks through its states, the connection pool and
 * the limits.
 *
 * A GET, awaited in a coroutine (`async with session.get(url) as resp`):
 *
 * @code{.c}
 * struct getter { co_coro co; co_http_client *c; co_http_request req;
 *                 co_http_op op; };
 * // compile-only: it needs a web server
 * ...
 * co_http_client_new(co_get_running_loop(), NULL, &self->c);
 * co_http_request_init(&self->req);
 * self->req.url = "http://127.0.0.1:8080/";
 * CO_HTTP_FETCH(co, &self->op, self->c, &self->req);
 * printf("%d: %zu bytes\n", self->op.resp.status, self->op.resp.body_len);
 * CO_FINALLY(co);
 * co_http_response_clear(&self->op.resp);
 * co_http_client_free(self->c);
 * @endcode */
#ifndef COFLOW_HTTP_H
#define COFLOW_HTTP_H

#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/loop.h"

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
 *  response to a request other than HEAD.
 *  @param limits the limits (copied; a field left 0 takes its default), or
 *  NULL for all the defaults
 *  @return the parser (free it with co_http_parser_free()), or NULL when
 *  memory ran out (or max_line is too large to allocate) */
CO_API co_http_parser *co_http_parser_new(const co_http_limits *limits);

/** Frees @p p and everything it holds (header strings included); NULL is a
 *  no-op.
 *  @param p the parser, or NULL */
CO_API void co_http_parser_free(co_http_parser *p);

/** Readies @p p for the next response on the same connection (keep-alive),
 *  forgetting the last one's headers and any failure. @p head_request says
 *  the request was HEAD, whose response has headers but never a body.
 *  @param p the parser
 *  @param head_request nonzero when the request was HEAD
 *  @return 0, or CO_EINVAL for a NULL @p p. */
CO_API int co_http_parser_reset(co_http_parser *p, int head_request);

/** Feeds @p len bytes of @p data. Parses until the next event and stores in
 *  @p used how many bytes it took; the caller feeds the rest again (and
 *  then new bytes) until CO_HTTP_NEED_MORE. For CO_HTTP_BODY, @p chunk and
 *  @p chunk_len receive a piece of body pointing into @p data. Interim 1xx
 *  responses (100 Continue, 103 Early Hints) are skipped; a 101 Switching
 *  Protocols is refused. Once a failure is returned, every later call
 *  returns it again.
 *  @param p the parser
 *  @param data the bytes (NULL only when @p len is 0)
 *  @param len how many bytes @p data holds (0: only an event still
 *  pending is given, such as CO_HTTP_DONE after a body's last byte)
 *  @param used receives how many bytes of @p data were taken (0 on
 *  CO_EINVAL)
 *  @param chunk receives the body piece for CO_HTTP_BODY, else NULL
 *  @param chunk_len receives its length, else 0
 *  @return an enum co_http_event, or CO_EINVAL (NULL arguments),
 *  CO_EHTTPPROTO (malformed; co_http_parser_why() says what),
 *  CO_EHTTPLIMIT (a line, the head or the number of fields is over the
 *  limits), CO_ENOMEM. After CO_HTTP_DONE, bytes fed are not used
 *  (*used is 0) until co_http_parser_reset(). */
CO_API int co_http_parser_feed(co_http_parser *p, const char *data,
                               size_t len, size_t *used, const char **chunk,
                               size_t *chunk_len);

/** Tells @p p the connection was closed by the peer. A body framed by the
 *  close is complete then, as is a response without a body whose head was
 *  complete; anything else was cut short.
 *  @param p the parser
 *  @return CO_HTTP_DONE; CO_EHTTPINCOMPLETE (the headers or the body were
 *  cut short; later calls return it again); an earlier failure of
 *  co_http_parser_feed(); CO_EINVAL for a NULL @p p. */
CO_API int co_http_parser_eof(co_http_parser *p);

/** The status code once CO_HTTP_HEAD was returned.
 *  @param p the parser, or NULL
 *  @return the status (100-999), or 0 before the head (and for NULL) */
CO_API int co_http_parser_status(const co_http_parser *p);

/** The minor version of "HTTP/1.x", known from the status line on.
 *  @param p the parser, or NULL
 *  @return the digit x (0-9) as sent, or -1 before the status line (and
 *  for NULL) */
CO_API int co_http_parser_minor_version(const co_http_parser *p);

/** The reason phrase of the status line.
 *  @param p the parser, or NULL
 *  @return the phrase (possibly ""; owned by @p p, valid until the next
 *  feed, reset or free), or NULL before the status line (and for NULL) */
CO_API const char *co_http_parser_reason(const co_http_parser *p);

/** The number of header fields (and, after a chunked body, trailer fields)
 *  stored so far.
 *  @param p the parser, or NULL
 *  @return the count; 0 for NULL */
CO_API size_t co_http_parser_header_count(const co_http_parser *p);

/** Header number @p i: @p name and @p value receive NUL-terminated strings
 *  owned by @p p (valid until the next feed, reset or free). A value has no
 *  leading or trailing whitespace; an obsolete folded line is joined with a
 *  space. @p trailer (may be NULL) receives 1 for a trailer field.
 *  @param p the parser
 *  @param i the field's index, from 0 to co_http_parser_header_count() - 1
 *  @param name receives the field name as sent; may be NULL
 *  @param value receives the field value; may be NULL
 *  @param trailer receives 1 for a trailer field, 0 for a header; may be
 *  NULL
 *  @return 0, or CO_EINVAL if @p p is NULL or @p i is out of range. */
CO_API int co_http_parser_header_at(const co_http_parser *p, size_t i,
                                    const char **name, const char **value,
                                    int *trailer);

/** The value of the first header field named @p name (compared without
 *  case). Trailers are not searched.
 *  @param p the parser, or NULL
 *  @param name the field name, or NULL
 *  @return the value (owned by @p p, as co_http_parser_header_at() gives
 *  it), or NULL when there is no such field (or an argument is NULL) */
CO_API const char *co_http_parser_header(const co_http_parser *p,
                                         const char *name);

/** How the body is framed, known once the head is.
 *  @param p the parser, or NULL
 *  @return the framing; CO_HTTP_FRAMING_NONE before the head (and for
 *  NULL) */
CO_API enum co_http_framing co_http_parser_framing(const co_http_parser *p);

/** The Content-Length the server announced, known once the head is.
 *  @param p the parser, or NULL
 *  @return the length, also for a response without a body (HEAD, 204,
 *  304) that announced one; -1 when there is none (a chunked or
 *  close-framed body), before the head and for NULL */
CO_API long long co_http_parser_content_length(const co_http_parser *p);

/** Whether the connection may carry another request once this response is
 *  done: HTTP/1.1 without "Connection: close", or HTTP/1.0 with
 *  "Connection: keep-alive", and a body not framed by the close.
 *  @param p the parser, or NULL
 *  @return 1 if it may; 0 if not, and also while the response is not done
 *  (and for NULL) */
CO_API int co_http_parser_keep_alive(const co_http_parser *p);

/** Whether the response is complete.
 *  @param p the parser, or NULL
 *  @return 1 once CO_HTTP_DONE was returned (by co_http_parser_feed() or
 *  co_http_parser_eof()), else 0 */
CO_API int co_http_parser_done(const co_http_parser *p);

/** A short sentence on what was wrong with the bytes, after a failure
 *  ("the status code is not three digits", "a transfer coding other than
 *  chunked", ...).
 *  @param p the parser, or NULL
 *  @return the sentence (static storage); "" when nothing failed (and for
 *  NULL) */
CO_API const char *co_http_parser_why(const co_http_parser *p);

/* ---- the client ---------------------------------------------------------- */

struct co_tls_context;

/** A client: aiohttp's ClientSession with its TCPConnector. It keeps a pool
 *  of idle keep-alive connections per host (scheme, host and port) and
 *  limits how many requests are on the wire at once; requests beyond the
 *  limit wait for a place in arrival order (a Semaphore). Opaque. */
typedef struct co_http_client co_http_client;

/** Options of a client; zero them, then set what you need (0 means the
 *  default). NULL options are all defaults. */
typedef struct co_http_client_opts {
    size_t max_connections;   /**< requests on the wire at once, all hosts
                                   together (0: 100, aiohttp's limit; at
                                   most 1000000 are taken) */
    size_t max_idle_per_host; /**< idle connections kept per host (0: 8) */
    double connect_timeout;   /**< seconds for one connect, name lookup
                                   included (0: none of coflow's own) */
    struct co_tls_context *tls; /**< the context for https (borrowed; it must
                                   outlive the client); NULL: a default one
                                   that verifies against the system's
                                   authorities, made at the first https
                                   request */
    const char *user_agent;   /**< the User-Agent header (copied; NULL:
                                   "coflow/0.1") */
    co_http_limits limits;    /**< the response parser's limits */
} co_http_client_opts;

/** Makes a client on @p loop. @return 0 and *out; CO_EINVAL (NULL
 *  @p loop or @p out); CO_ENOMEM.
 *  @param loop the loop its requests run on
 *  @param opts the options (copied, the user_agent string too; the tls
 *  context is borrowed), or NULL for the defaults
 *  @param out receives the client (free it with co_http_client_free());
 *  NULL on failure */
CO_API int co_http_client_new(co_loop *loop, const co_http_client_opts *opts,
                              co_http_client **out);

/** Closes the client's idle connections and frees it, with the TLS
 *  context it made for itself (not one given in its options).
 *  @param c the client, or NULL (a no-op returning 0)
 *  @return 0; CO_EBUSY (nothing freed) while a request made with it is
 *  still in progress. */
CO_API int co_http_client_free(co_http_client *c);

/** How many idle connections the pool holds now.
 *  @param c the client, or NULL
 *  @return the number of idle connections, all hosts together; 0 for
 *  NULL */
CO_API size_t co_http_client_idle(const co_http_client *c);

/** How many connections the client has opened since it was made (a
 *  keep-alive connection that is reused is not counted again).
 *  @param c the client, or NULL
 *  @return the number of connections opened; 0 for NULL */
CO_API size_t co_http_client_connections_opened(const co_http_client *c);

/** Called as body bytes arrive: @p received so far, of @p total (-1 when
 *  the server did not say: a chunked or close-framed body). */
typedef void (*co_http_progress_fn)(void *arg, long long received,
                                    long long total);

/** One request. Set it up with co_http_request_init(), then set url and
 *  what else you need. Read during co_http_fetch_op() only: the strings
 *  are copied (the header lines too). */
typedef struct co_http_request {
    const char *method;          /**< "GET" (also for NULL) or "HEAD" */
    const char *url;             /**< an http or https URL (coflow/url.h) */
    const char *const *headers;  /**< extra "Name: value" lines, the array
                                      ended by NULL; or NULL */
    int max_redirects;           /**< redirects followed (301, 302, 303, 307,
                                      308 with a Location); 0: none, the 3xx
                                      is the answer, as for a negative
                                      number (default 10) */
    double timeout;              /**< seconds for the whole request,
                                      redirects included (0: none) */
    long long max_body;          /**< the most body bytes accepted (0: no
                                      limit) */
    int fd;                      /**< >= 0: the body is written to this file
                                      descriptor (the caller's: not closed);
                                      -1: kept in memory (response.body) */
    co_http_progress_fn on_progress; /**< or NULL */
    void *progress_arg;          /**< its first argument */
} co_http_request;

/** Sets @p req to the defaults: GET, no URL, no extra headers, 10
 *  redirects, no timeout, no limit, the body in memory, no progress
 *  callback.
 *  @param req the request to set up, or NULL (a no-op) */
CO_API void co_http_request_init(co_http_request *req);

/** What a request got. Owned by the co_http_op it is in: free it with
 *  co_http_response_clear() once read, however the request ended. */
typedef struct co_http_response {
    int status;          /**< the last response's status, 0 if none came */
    char *url;           /**< the URL of the last request (after redirects) */
    int redirects;       /**< how many redirects were followed */
    char *body;          /**< the body when request.fd was -1 (NUL-terminated
                              for convenience; may hold NULs), else NULL */
    size_t body_len;     /**< its length */
    long long received;  /**< body bytes received (also when written to fd) */
    long long content_length; /**< as the server announced, or -1 */
    size_t nheaders;     /**< the last response's header fields */
    char **header_names; /**< their names (as sent) */
    char **header_values;/**< their values */
} co_http_response;

/** The value of the response's first header field named @p name (compared
 *  without case).
 *  @param r the response, or NULL
 *  @param name the field name, or NULL
 *  @return the value (owned by @p r), or NULL when there is no such field
 *  (or an argument is NULL) */
CO_API const char *co_http_response_header(const co_http_response *r,
                                           const char *name);

/** Frees what @p r holds and zeroes it; a zeroed response is left as it
 *  is.
 *  @param r the response, or NULL (a no-op) */
CO_API void co_http_response_clear(co_http_response *r);

/** The frame of one request, as co_stream_op is of one read: put it in
 *  your frame. After the wait, @c resp holds what came back. */
typedef struct co_http_op {
    co_coro co;                  /**< the wait's own frame; must stay first */
    co_http_response resp;       /**< the result (yours to clear) */
    struct co__http_fetch *st;   /**< the request in progress (internal) */
} co_http_op;

/** Prepares @p op to await one request of @p c. The wait fails with:
 *  CO_EHTTPSTATUS (a status >= 400: resp.status says which, and the body
 *  is not read), CO_EURL / CO_EURLSCHEME (the URL, or a Location, is not
 *  one we can fetch), CO_EREDIRECTS, CO_EHTTPBODYLIMIT, CO_EHTTPPROTO,
 *  CO_EHTTPLIMIT, CO_EHTTPINCOMPLETE (the server closed mid-response),
 *  CO_ETIMEDOUT (request.timeout, or opts.connect_timeout, passed), the
 *  connect's failures (CO_ECONNREFUSED, CO_ENONAME, CO_ECERT, CO_ENOTLS...),
 *  CO_ECONNRESET, CO_ESYS (writing to request.fd failed), CO_ECANCELLED,
 *  CO_ENOMEM, CO_EINVAL (NULL client or URL, a method other than GET or
 *  HEAD, a header line with a CR or LF, or without a name and a colon);
 *  each with a message naming the URL. A request on a reused connection
 *  that the server had closed meanwhile is retried once on a new one (GET
 *  and HEAD are idempotent). A redirect to another scheme, host or port
 *  does not carry the caller's Authorization and Cookie lines along. Once
 *  prepared, the op must be awaited: the wait is what frees what it holds.
 *  @param op the frame to prepare (in your own frame); its resp is zeroed
 *  @param c the client
 *  @param req the request, read during this call only (its strings and
 *  header lines are copied); NULL makes the wait fail with CO_EINVAL
 *  @return 0 (a bad argument other than @p op is the wait's failure), or
 *  CO_EINVAL for a NULL @p op. */
CO_API int co_http_fetch_op(co_http_op *op, co_http_client *c,
                            const co_http_request *req);

/** `op->resp = await session.request(...)`: the request, to its end. */
#define CO_HTTP_FETCH(co, op, client, req)                                     \
    do {                                                                       \
        co_http_fetch_op((op), (client), (req));                               \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** Like CO_HTTP_FETCH, but the failure's code goes to int lvalue @p caught
 *  (0 on success) instead of propagating. */
#define CO_HTTP_FETCH_CATCH(co, op, client, req, caught)                       \
    do {                                                                       \
        co_http_fetch_op((op), (client), (req));                               \
        CO_AWAIT_CORO_CATCH(co, &(op)->co, caught);                            \
    } while (0)

#endif
