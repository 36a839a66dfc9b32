/* http.c - the HTTP/1.1 client of coflow/http.h: GET and HEAD over the
 * streams of coflow/streams.h, a pool of keep-alive connections per host,
 * a Semaphore for the number of requests on the wire, redirects, limits
 * and timeouts. The bytes are read by http_parse.c. docs/http.md tells
 * the story of one request. */
#include "coflow/http.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base.h"
#include "coflow/locks.h"
#include "coflow/streams.h"
#include "coflow/task.h"
#include "coflow/tls.h"
#include "coflow/url.h"

#define DEFAULT_MAX_CONNECTIONS 100
#define DEFAULT_MAX_IDLE 8
#define DEFAULT_REDIRECTS 10
#define READ_SIZE (64 * 1024)

/* An idle keep-alive connection, waiting in the pool for a request to the
 * same scheme, host and port. */
struct idle {
    char *key;      /* "http://host:port" */
    co_stream *s;   /* open, nothing buffered, nobody reading it */
};

/* Invariant: every stream in `idle` is open and owned by the pool; a
 * request takes one out (and owns it) or opens its own, and gives it back
 * only when the response ended cleanly with keep-alive. `active` counts
 * requests between co_http_fetch_op and their end. */
struct co_http_client {
    co_loop *loop;
    co_semaphore *sem;        /* places on the wire: max_connections */
    struct idle *idle;        /* the pool */
    size_t nidle, idle_cap;
    size_t max_idle_per_host;
    double connect_timeout;
    co_tls_context *tls;      /* borrowed, or made by us (own_tls) */
    int own_tls;
    char *user_agent;
    co_http_limits limits;
    size_t active;            /* requests in progress */
    size_t opened;            /* connections opened, ever */
};

/* The state of one request: everything the fetch coroutine must keep
 * across its suspensions (it is a stackless coroutine: no locals). */
struct co__http_fetch {
    co_http_client *c;
    co_http_op *op;
    char *method;
    int head;
    char **headers;           /* copies of the caller's extra lines */
    size_t nheaders;
    int max_redirects;
    double timeout;
    long long max_body;
    int fd;
    co_http_progress_fn on_progress;
    void *progress_arg;

    co_url url;               /* the URL being fetched now */
    char key[300];            /* its pool key */
    co_wait_op semop;         /* the wait for a place */
    int have_place;           /* a place of c->sem is ours */
    co_connect_op conn;       /* the wait of open_connection */
    co_stream_op sop;         /* one read or drain */
    co_stream *s;             /* the connection in use, ours */
    int reused;               /* it came from the pool */
    int retried;              /* the one retry on a fresh connection is used */
    co_http_parser *parser;
    char *buf;                /* READ_SIZE bytes read from the stream */
    size_t buf_len, buf_off;
    int eof;
    int ev;                   /* the parser's last event */
    int discard;              /* a redirect's body: read, not kept */
    size_t cap;               /* of resp.body */
    co_timer timer;           /* the whole request's timeout */
    co_task *task;            /* the task to cancel when it fires */
    int timed_out;
    int cancel_seen;          /* an await of ours took the timer's cancel */
    int counted;              /* it is in c->active */
    int rc;                   /* a caught failure */
    char msg[512];
};

/* ---- the pool ------------------------------------------------------------ */

static void make_key(const co_url *u, char *key, size_t size)
{
    snprintf(key, size, "%s://%s:%d", u->scheme, u->host, u->port);
}

/* Takes an idle connection for @p key out of the pool, or NULL. One the
 * server closed meanwhile (it reads as EOF or is closing) is dropped. */
static co_stream *pool_take(co_http_client *c, const char *key)
{
    for (size_t i = c->nidle; i-- > 0;) {
        if (strcmp(c->idle[i].key, key) != 0)
            continue;
        co_stream *s = c->idle[i].s;
        free(c->idle[i].key);
        c->idle[i] = c->idle[--c->nidle];
        if (co_stream_is_closing(s) || co_stream_at_eof(s) ||
            co_stream_buffered(s) > 0) {
            co_stream_free(s); /* closed by the server, or sent junk */
            continue;
        }
        return s;
    }
    return NULL;
}

/* Gives @p s back to the pool (or closes it if the host has enough). */
static void pool_put(co_http_client *c, const char *key, co_stream *s)
{
    size_t same = 0;
    for (size_t i = 0; i < c->nidle; i++)
        same += strcmp(c->idle[i].key, key) == 0;
    if (same >= c->max_idle_per_host) {
        co_stream_free(s);
        return;
    }
    if (c->nidle == c->idle_cap) {
        size_t cap = c->idle_cap ? c->idle_cap * 2 : 8;
        struct idle *grown = realloc(c->idle, cap * sizeof *grown);
        if (!grown) {
            co_stream_free(s);
            return;
        }
        c->idle = grown;
        c->idle_cap = cap;
    }
    char *k = co__strdup(key);
    if (!k) {
        co_stream_free(s);
        return;
    }
    c->idle[c->nidle++] = (struct idle){k, s};
}

/* ---- the client ---------------------------------------------------------- */

int co_http_client_new(co_loop *loop, const co_http_client_opts *opts,
                       co_http_client **out)
{
    if (out)
        *out = NULL;
    if (!loop || !out)
        return CO_EINVAL;
    co_http_client *c = calloc(1, sizeof *c);
    if (!c)
        return CO_ENOMEM;
    co_http_client_opts o = {0};
    if (opts)
        o = *opts;
    c->loop = loop;
    c->max_idle_per_host = o.max_idle_per_host ? o.max_idle_per_host
                                               : DEFAULT_MAX_IDLE;
    c->connect_timeout = o.connect_timeout;
    c->tls = o.tls;
    c->limits = o.limits;
    size_t maxc = o.max_connections ? o.max_connections
                                    : DEFAULT_MAX_CONNECTIONS;
    c->user_agent = co__strdup(o.user_agent ? o.user_agent
                                                    : "coflow/0.1");
    if (maxc > 1000000)
        maxc = 1000000;
    if (!c->user_agent || co_semaphore_new(&c->sem, (long)maxc) != 0) {
        free(c->user_agent);
        free(c);
        return CO_ENOMEM;
    }
    *out = c;
    return 0;
}

int co_http_client_free(co_http_client *c)
{
    if (!c)
        return 0;
    if (c->active)
        return CO_EBUSY;
    for (size_t i = 0; i < c->nidle; i++) {
        co_stream_free(c->idle[i].s);
        free(c->idle[i].key);
    }
    free(c->idle);
    co_semaphore_free(c->sem);
    if (c->own_tls)
        co_tls_context_free(c->tls);
    free(c->user_agent);
    free(c);
    return 0;
}

size_t co_http_client_idle(const co_http_client *c)
{
    return c ? c->nidle : 0;
}

size_t co_http_client_connections_opened(const co_http_client *c)
{
    return c ? c->opened : 0;
}

/* ---- requests and responses ---------------------------------------------- */

void co_http_request_init(co_http_request *req)
{
    if (!req)
        return;
    memset(req, 0, sizeof *req);
    req->method = "GET";
    req->max_redirects = DEFAULT_REDIRECTS;
    req->fd = -1;
}

const char *co_http_response_header(const co_http_response *r,
                                    const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->header_names[i], name) == 0)
            return r->header_values[i];
    return NULL;
}

static void clear_headers(co_http_response *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->header_names[i]);
        free(r->header_values[i]);
    }
    free(r->header_names);
    free(r->header_values);
    r->header_names = r->header_values = NULL;
    r->nheaders = 0;
}

void co_http_response_clear(co_http_response *r)
{
    if (!r)
        return;
    clear_headers(r);
    free(r->url);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* Copies the parser's head into the response. */
static int keep_head(co_http_response *r, const co_http_parser *p)
{
    clear_headers(r);
    r->status = co_http_parser_status(p);
    r->content_length = co_http_parser_content_length(p);
    size_t n = co_http_parser_header_count(p);
    if (n == 0)
        return 0;
    r->header_names = calloc(n, sizeof *r->header_names);
    r->header_values = calloc(n, sizeof *r->header_values);
    if (!r->header_names || !r->header_values)
        return CO_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        co_http_parser_header_at(p, i, &name, &value, NULL);
        r->header_names[i] = co__strdup(name);
        r->header_values[i] = co__strdup(value);
        r->nheaders = i + 1;
        if (!r->header_names[i] || !r->header_values[i])
            return CO_ENOMEM;
    }
    return 0;
}

static void free_fetch(struct co__http_fetch *st)
{
    if (!st)
        return;
    free(st->method);
    for (size_t i = 0; i < st->nheaders; i++)
        free(st->headers[i]);
    free(st->headers);
    co_url_clear(&st->url);
    co_http_parser_free(st->parser);
    free(st->buf);
    free(st);
}

/* The whole request's timer: cancels the task; the catch sites turn that
 * cancellation into CO_ETIMEDOUT (asyncio.timeout() does the same). */
static void on_timeout(void *arg)
{
    struct co__http_fetch *st = arg;
    st->timed_out = 1;
    if (st->task)
        co_task_cancel(st->task);
}

/* The failure to report for @p rc caught at an await. */
static int caught(struct co__http_fetch *st, int rc)
{
    if (rc == CO_ECANCELLED && st->timed_out) {
        st->cancel_seen = 1;
        return CO_ETIMEDOUT;
    }
    return rc;
}

static const char *msgf(struct co__http_fetch *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *msgf(struct co__http_fetch *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
    return st->msg;
}

/* The request's bytes, queued on the stream. */
static int send_request(struct co__http_fetch *st)
{
    size_t cap = strlen(st->method) + strlen(st->url.target) +
                 strlen(st->url.authority) + strlen(st->c->user_agent) + 128;
    for (size_t i = 0; i < st->nheaders; i++)
        cap += strlen(st->headers[i]) + 2;
    char *req = malloc(cap);
    if (!req)
        return CO_ENOMEM;
    size_t n = (size_t)snprintf(req, cap,
                                "%s %s HTTP/1.1\r\nHost: %s\r\n"
                                "User-Agent: %s\r\nAccept: */*\r\n",
                                st->method, st->url.target,
                                st->url.authority, st->c->user_agent);
    for (size_t i = 0; i < st->nheaders; i++)
        n += (size_t)snprintf(req + n, cap - n, "%s\r\n", st->headers[i]);
    n += (size_t)snprintf(req + n, cap - n, "\r\n");
    int rc = co_stream_write(st->s, req, n);
    free(req);
    return rc;
}

/* A piece of body: counted against the limit, then kept or written. */
static int take_body(struct co__http_fetch *st, const char *data, size_t len)
{
    co_http_response *r = &st->op->resp;
    if (st->discard)
        return 0;
    if (st->max_body > 0 && r->received + (long long)len > st->max_body)
        return CO_EHTTPBODYLIMIT;
    if (st->fd >= 0) {
        size_t off = 0;
        while (off < len) {
            ssize_t w = write(st->fd, data + off, len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return CO_ESYS;
            off += (size_t)w;
        }
    } else {
        if (r->body_len + len + 1 > st->cap) {
            size_t cap = st->cap ? st->cap : 16384;
            while (cap < r->body_len + len + 1)
                cap *= 2;
            char *grown = realloc(r->body, cap);
            if (!grown)
                return CO_ENOMEM;
            r->body = grown;
            st->cap = cap;
        }
        memcpy(r->body + r->body_len, data, len);
        r->body_len += len;
        r->body[r->body_len] = '\0';
    }
    r->received += (long long)len;
    if (st->on_progress)
        st->on_progress(st->progress_arg, r->received, r->content_length);
    return 0;
}

/* A redirect to another origin does not take the caller's credentials
 * along (RFC 9110 15.4: a user agent ought to think before sending them
 * on); curl and browsers drop them too. */
static void drop_credentials(struct co__http_fetch *st)
{
    size_t kept = 0;
    for (size_t i = 0; i < st->nheaders; i++) {
        if (strncasecmp(st->headers[i], "authorization:", 14) == 0 ||
            strncasecmp(st->headers[i], "cookie:", 7) == 0)
            free(st->headers[i]);
        else
            st->headers[kept++] = st->headers[i];
    }
    st->nheaders = kept;
}

/* What ended the connection in use (a reset...), or 0. */
static int stream_failure(const struct co__http_fetch *st)
{
    int rc = st->s ? co_stream_error(st->s) : 0;
    return rc < 0 ? rc : 0;
}

static int is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 ||
           status == 308;
}

/* Lets the connection go: back to the pool when the response ended
 * cleanly and both sides keep it alive, else closed. */
static void release_connection(struct co__http_fetch *st, int reusable)
{
    if (st->s) {
        if (reusable)
            pool_put(st->c, st->key, st->s);
        else
            co_stream_free(st->s);
        st->s = NULL;
    }
    if (st->have_place) {
        co_semaphore_release(st->c->sem);
        st->have_place = 0;
    }
}

static int fetch_step(co_coro *co)
{
    co_http_op *op = (co_http_op *)co;
    struct co__http_fetch *st = op->st;
    CO_BEGIN(co);
    if (!st)
        CO_RAISE(co, CO_ENOMEM, "out of memory starting an HTTP request");
    if (!st->c)
        CO_RAISE(co, CO_EINVAL, st->msg);
    st->c->active++;
    st->counted = 1;
    if (st->rc)
        CO_RAISE(co, st->rc, st->msg);
    st->task = co_current_task(st->c->loop);
    if (st->timeout > 0 && st->task) {
        co_timer_init(&st->timer);
        co_loop_call_later(st->c->loop, st->timeout, on_timeout, st,
                           &st->timer);
    }
    for (;;) {
        /* One request/response exchange on one connection. */
        free(op->resp.url);
        op->resp.url = malloc(strlen(st->url.scheme) +
                              strlen(st->url.authority) +
                              strlen(st->url.target) + 4);
        if (!op->resp.url)
            CO_RAISE(co, CO_ENOMEM, "out of memory");
        sprintf(op->resp.url, "%s://%s%s", st->url.scheme, st->url.authority,
                st->url.target);
        make_key(&st->url, st->key, sizeof st->key);
        if (st->url.is_https && !st->c->tls) {
            int rc = co_tls_client_context_new(&st->c->tls);
            if (rc < 0)
                CO_RAISE(co, rc, msgf(st, "%s: https needs TLS: %s",
                                      op->resp.url, co_strerror(rc)));
            st->c->own_tls = 1;
        }

        co_semaphore_acquire_op(&st->semop, st->c->sem);
        CO_AWAIT_CORO_CATCH(co, co__wait_frame(&st->semop), st->rc);
        if (st->rc)
            CO_RAISE(co, caught(st, st->rc),
                     msgf(st, "%s: %s", op->resp.url,
                          co_strerror(caught(st, st->rc))));
        st->have_place = 1;

    retry:
        st->s = pool_take(st->c, st->key);
        st->reused = st->s != NULL;
        if (!st->s) {
            {
                co_stream_opts so;
                co_stream_opts_init(&so);
                so.connect_timeout = st->c->connect_timeout;
                so.tls = st->url.is_https ? st->c->tls : NULL;
                co_open_connection_op(&st->conn, st->c->loop, st->url.host,
                                      st->url.port, &so);
            }
            CO_AWAIT_CORO_CATCH(co, &st->conn.co, st->rc);
            if (st->rc)
                CO_RAISE(co, caught(st, st->rc),
                         msgf(st, "%s: %s", op->resp.url,
                              co_caught_message() ? co_caught_message()
                                  : co_strerror(caught(st, st->rc))));
            st->s = st->conn.stream;
            st->conn.stream = NULL;
            st->c->opened++;
        }

        st->rc = send_request(st);
        if (st->rc)
            CO_RAISE(co, st->rc, msgf(st, "%s: sending the request: %s",
                                      op->resp.url, co_strerror(st->rc)));
        co_stream_drain_op(&st->sop, st->s);
        CO_AWAIT_CORO_CATCH(co, &st->sop.co, st->rc);
        if (st->rc && st->rc != CO_ECANCELLED && st->reused && !st->retried) {
            st->retried = 1;
            co_stream_free(st->s);
            st->s = NULL;
            goto retry;
        }
        if (st->rc)
            CO_RAISE(co, caught(st, st->rc),
                     msgf(st, "%s: sending the request: %s", op->resp.url,
                          co_strerror(caught(st, st->rc))));

        co_http_parser_reset(st->parser, st->head);
        st->buf_len = st->buf_off = 0;
        st->eof = 0;
        st->discard = 0;
        for (;;) {
            /* Feed what is buffered (perhaps nothing: the parser may still
             * have an event to give, such as the end of a body whose last
             * byte came with the previous piece); read only when it asks. */
            {
                size_t used;
                const char *chunk;
                size_t clen;
                st->ev = co_http_parser_feed(st->parser,
                                             st->buf + st->buf_off,
                                             st->buf_len - st->buf_off,
                                             &used, &chunk, &clen);
                st->buf_off += used;
                if (st->ev == CO_HTTP_BODY) {
                    st->rc = take_body(st, chunk, clen);
                    if (st->rc == CO_EHTTPBODYLIMIT)
                        CO_RAISE(co, st->rc,
                                 msgf(st, "%s: the body is larger than the "
                                      "limit of %lld bytes", op->resp.url,
                                      st->max_body));
                    if (st->rc)
                        CO_RAISE(co, st->rc,
                                 msgf(st, "%s: keeping the body: %s",
                                      op->resp.url, co_strerror(st->rc)));
                    continue;
                }
            }
            if (st->ev == CO_HTTP_NEED_MORE && st->eof) {
                st->ev = co_http_parser_eof(st->parser);
                /* A reused connection the server closed before answering:
                 * once more on a new connection. */
                if (st->ev == CO_EHTTPINCOMPLETE && st->reused &&
                    !st->retried && co_http_parser_status(st->parser) == 0) {
                    st->retried = 1;
                    co_stream_free(st->s);
                    st->s = NULL;
                    goto retry;
                }
            }
            if (st->ev == CO_HTTP_NEED_MORE) {
                co_stream_read_op(&st->sop, st->s, st->buf, READ_SIZE);
                CO_AWAIT_CORO_CATCH(co, &st->sop.co, st->rc);
                if (st->rc == CO_ECANCELLED)
                    CO_RAISE(co, caught(st, st->rc),
                             msgf(st, "%s: %s", op->resp.url,
                                  co_strerror(caught(st, st->rc))));
                /* A reset is an end as well: the parser says whether the
                 * response was complete by then. */
                st->buf_off = 0;
                st->buf_len = st->rc ? 0 : st->sop.n;
                if (st->buf_len == 0)
                    st->eof = 1;
                st->rc = 0;
                continue;
            }
            if (st->ev < 0)
                CO_RAISE(co, st->ev,
                         msgf(st, "%s: %s%s%s%s%s%s", op->resp.url,
                              co_strerror(st->ev),
                              co_http_parser_why(st->parser)[0] ? ": " : "",
                              co_http_parser_why(st->parser),
                              stream_failure(st) ? " (" : "",
                              stream_failure(st)
                                  ? co_strerror(stream_failure(st)) : "",
                              stream_failure(st) ? ")" : ""));
            if (st->ev == CO_HTTP_HEAD) {
                st->rc = keep_head(&op->resp, st->parser);
                if (st->rc)
                    CO_RAISE(co, st->rc, "out of memory");
                if (is_redirect(op->resp.status) &&
                    co_http_parser_header(st->parser, "location") &&
                    st->max_redirects > 0) {
                    st->discard = 1; /* read it to keep the connection */
                } else if (op->resp.status >= 400) {
                    CO_RAISE(co, CO_EHTTPSTATUS,
                             msgf(st, "%s: %d %s", op->resp.url,
                                  op->resp.status,
                                  co_http_parser_reason(st->parser)));
                } else if (st->max_body > 0 &&
                           op->resp.content_length > st->max_body &&
                           !st->head) {
                    CO_RAISE(co, CO_EHTTPBODYLIMIT,
                             msgf(st, "%s: the body (%lld bytes) is larger "
                                  "than the limit of %lld bytes",
                                  op->resp.url, op->resp.content_length,
                                  st->max_body));
                }
                continue;
            }
            if (st->ev == CO_HTTP_DONE)
                break;
        }
        /* Bytes after the response on a connection we did not pipeline
         * on are junk: such a connection is not reused. */
        release_connection(st, co_http_parser_keep_alive(st->parser) &&
                                   st->buf_off == st->buf_len && !st->eof &&
                                   co_stream_buffered(st->s) == 0);
        if (!st->discard)
            break;

        /* A redirect: the next URL, relative to this one. */
        if (op->resp.redirects >= st->max_redirects)
            CO_RAISE(co, CO_EREDIRECTS,
                     msgf(st, "%s: more than %d redirects", op->resp.url,
                          st->max_redirects));
        {
            co_url next;
            const char *loc = co_http_response_header(&op->resp, "location");
            int rc = co_url_resolve(&st->url, loc ? loc : "", &next);
            if (rc < 0)
                CO_RAISE(co, rc,
                         msgf(st, "%s: redirected to \"%.200s\": %s",
                              op->resp.url, loc ? loc : "", co_strerror(rc)));
            if (strcmp(next.scheme, st->url.scheme) != 0 ||
                strcmp(next.authority, st->url.authority) != 0)
                drop_credentials(st);
            co_url_clear(&st->url);
            st->url = next;
        }
        op->resp.redirects++;
        op->resp.received = 0;
        op->resp.body_len = 0;
        st->retried = 0;
    }
    CO_FINALLY(co);
    if (st) {
        co_timer_cancel(&st->timer);
        if (st->conn.stream) {
            co_stream_free(st->conn.stream);
            st->conn.stream = NULL;
        }
        release_connection(st, 0);
    }
    if (st && st->timed_out && st->task && !st->cancel_seen) {
        /* The timer fired, but the response ended (or failed on bytes
         * already read) before any await of ours took its cancellation:
         * take it here, or it would reach the caller's next await. */
        CO_SLEEP_CATCH(co, 0, st->rc);
    }
    if (st) {
        if (st->counted)
            st->c->active--;
        free_fetch(st);
        op->st = NULL;
    }
    CO_END(co);
}

int co_http_fetch_op(co_http_op *op, co_http_client *c,
                     const co_http_request *req)
{
    if (!op)
        return CO_EINVAL;
    memset(&op->resp, 0, sizeof op->resp);
    op->st = NULL;
    co_coro_init(&op->co, fetch_step);
    struct co__http_fetch *st = calloc(1, sizeof *st);
    if (!st)
        return 0; /* the wait fails with CO_ENOMEM */
    op->st = st;
    st->op = op;
    st->c = c;
    st->fd = -1;
    if (!c || !req || !req->url) {
        st->rc = CO_EINVAL;
        msgf(st, "an HTTP request needs a client and a URL");
        return 0;
    }
    const char *method = req->method ? req->method : "GET";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        st->rc = CO_EINVAL;
        msgf(st, "the method \"%.40s\" is not GET or HEAD", method);
        return 0;
    }
    st->method = co__strdup(method);
    st->head = strcmp(method, "HEAD") == 0;
    st->max_redirects = req->max_redirects < 0 ? 0 : req->max_redirects;
    st->timeout = req->timeout;
    st->max_body = req->max_body;
    st->fd = req->fd;
    st->on_progress = req->on_progress;
    st->progress_arg = req->progress_arg;
    st->parser = co_http_parser_new(&c->limits);
    st->buf = malloc(READ_SIZE);
    if (!st->method || !st->parser || !st->buf) {
        st->rc = CO_ENOMEM;
        msgf(st, "out of memory starting an HTTP request");
        return 0;
    }
    for (const char *const *h = req->headers; h && *h; h++) {
        const char *colon = strchr(*h, ':');
        if (!colon || colon == *h || strpbrk(*h, "\r\n")) {
            st->rc = CO_EINVAL;
            msgf(st, "the header line \"%.60s\" is not \"Name: value\" on "
                 "one line", *h);
            return 0;
        }
        char **grown = realloc(st->headers, (st->nheaders + 1) *
                                                sizeof *grown);
        if (!grown || !(grown[st->nheaders] = co__strdup(*h))) {
            if (grown)
                st->headers = grown;
            st->rc = CO_ENOMEM;
            msgf(st, "out of memory");
            return 0;
        }
        st->headers = grown;
        st->nheaders++;
    }
    int rc = co_url_parse(req->url, &st->url);
    if (rc < 0) {
        st->rc = rc;
        msgf(st, "\"%.200s\": %s", req->url, co_strerror(rc));
    }
    return 0;
}
