/* http_parse.c - the HTTP/1.x response parser of coflow/http.h (RFC 9112).
 * A state machine fed any split of bytes: lines (status, headers, chunk
 * sizes, trailers) are gathered into a bounded buffer until their LF; body
 * bytes are never copied, only counted. docs/http.md draws the states. */
#include "coflow/http.h"

#include <stdlib.h>
#include <string.h>

enum parse_state {
    P_STATUS,     /* gathering the status line */
    P_HEADER,     /* gathering header lines, up to the empty line */
    P_HEAD_DONE,  /* CO_HTTP_HEAD was returned; the body comes next */
    P_LENGTH,     /* Content-Length bytes are still to come */
    P_CHUNK_SIZE, /* gathering a chunk-size line */
    P_CHUNK_DATA, /* inside a chunk */
    P_CHUNK_CR,   /* after a chunk's data: its CRLF */
    P_CHUNK_LF,   /* ... its LF after the CR */
    P_TRAILER,    /* gathering trailer lines, up to the empty line */
    P_CLOSE,      /* everything until the close is body */
    P_DONE,       /* the response is complete */
    P_FAILED      /* a failure was returned, and will be again */
};

/* A header field: offsets of its name and value in `store`. */
struct field {
    size_t name, value;
    int trailer;
};

struct co_http_parser {
    co_http_limits lim;
    enum parse_state state;
    int err;               /* the failure, once state is P_FAILED */
    const char *why;       /* a static sentence for the failure */
    int head_request;      /* the request was HEAD: no body */

    char *line;            /* the line being gathered (max_line + 2 bytes) */
    size_t line_len;

    char *store;           /* reason, then "name\0value\0" per field */
    size_t store_len, store_cap;
    size_t head_bytes;     /* header/trailer bytes seen, against max_head */
    struct field *fields;
    size_t nfields, fields_cap;

    int status, minor;
    size_t reason;         /* offset of the reason phrase in `store` */
    enum co_http_framing framing;
    long long content_length;
    unsigned long long remaining; /* of the body (LENGTH) or the chunk */
    int keep_alive;
};

#define DEFAULT_MAX_LINE 8192
#define DEFAULT_MAX_HEAD 65536
#define DEFAULT_MAX_HEADERS 100
/* Larger chunk sizes or lengths are refused rather than risk overflow. */
#define MAX_LENGTH (1ULL << 60)

static int fail(co_http_parser *p, int err, const char *why)
{
    p->state = P_FAILED;
    p->err = err;
    p->why = why;
    return err;
}

co_http_parser *co_http_parser_new(const co_http_limits *limits)
{
    co_http_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (limits)
        p->lim = *limits;
    if (p->lim.max_line == 0)
        p->lim.max_line = DEFAULT_MAX_LINE;
    if (p->lim.max_head == 0)
        p->lim.max_head = DEFAULT_MAX_HEAD;
    if (p->lim.max_headers == 0)
        p->lim.max_headers = DEFAULT_MAX_HEADERS;
    /* Room for the line, its CR and a NUL, allocated once. */
    if (p->lim.max_line > ((size_t)-1) / 2 ||
        !(p->line = malloc(p->lim.max_line + 2))) {
        free(p);
        return NULL;
    }
    co_http_parser_reset(p, 0);
    return p;
}

void co_http_parser_free(co_http_parser *p)
{
    if (!p)
        return;
    free(p->line);
    free(p->store);
    free(p->fields);
    free(p);
}

/* Forgets the fields (an interim response's, or the last response's). */
static void clear_head(co_http_parser *p)
{
    p->store_len = 0;
    p->nfields = 0;
    p->status = 0;
    p->minor = -1;
    p->reason = 0;
}

int co_http_parser_reset(co_http_parser *p, int head_request)
{
    if (!p)
        return CO_EINVAL;
    clear_head(p);
    p->state = P_STATUS;
    p->err = 0;
    p->why = "";
    p->head_request = head_request != 0;
    p->line_len = 0;
    p->head_bytes = 0;
    p->framing = CO_HTTP_FRAMING_NONE;
    p->content_length = -1;
    p->remaining = 0;
    p->keep_alive = 0;
    return 0;
}

/* Appends @p n bytes and a NUL to `store`; returns the offset or -1. */
static long store_add(co_http_parser *p, const char *s, size_t n)
{
    if (p->store_len + n + 1 > p->store_cap) {
        size_t cap = p->store_cap ? p->store_cap : 256;
        while (cap < p->store_len + n + 1)
            cap *= 2;
        char *grown = realloc(p->store, cap);
        if (!grown)
            return -1;
        p->store = grown;
        p->store_cap = cap;
    }
    size_t at = p->store_len;
    memcpy(p->store + at, s, n);
    p->store[at + n] = '\0';
    p->store_len += n + 1;
    return (long)at;
}

/* Gathers bytes of a line. Returns 1 with the line (no CRLF, NUL-ended) in
 * p->line when its LF came, 0 when every byte was used without one, or a
 * failure. A bare LF ends a line as well (RFC 9112 2.2 allows it); a CR
 * anywhere but before the LF is refused by the line's own checks. */
static int take_line(co_http_parser *p, const char *data, size_t len,
                     size_t *used)
{
    const char *lf = memchr(data, '\n', len);
    size_t n = lf ? (size_t)(lf - data) : len;
    /* +1: the CR that may precede the LF is gathered too. */
    if (p->line_len + n > p->lim.max_line + 1)
        return fail(p, CO_EHTTPLIMIT, "a line is longer than the limit");
    memcpy(p->line + p->line_len, data, n);
    p->line_len += n;
    *used = lf ? n + 1 : n;
    if (!lf)
        return 0;
    if (p->line_len > 0 && p->line[p->line_len - 1] == '\r')
        p->line_len--;
    else if (p->line_len > p->lim.max_line)
        return fail(p, CO_EHTTPLIMIT, "a line is longer than the limit");
    p->line[p->line_len] = '\0';
    return 1;
}

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A byte a field value or reason phrase may hold: HTAB, SP, VCHAR,
 * obs-text. No CR, LF, NUL, other controls or DEL. */
static int is_text(unsigned char c)
{
    return c == '\t' || (c >= ' ' && c != 0x7f);
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Case-insensitive comparison of NUL-terminated ASCII strings. */
static int same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

/* "HTTP/1.x SP 3DIGIT [SP reason]" (the SP before an empty reason is
 * sometimes left out by servers; that is accepted). */
static int parse_status_line(co_http_parser *p, size_t n)
{
    const char *l = p->line;
    if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' ||
        l[8] != ' ')
        return fail(p, CO_EHTTPPROTO,
                    "the status line does not start with HTTP/1.x and a "
                    "space");
    for (int i = 9; i < 12; i++)
        if (l[i] < '0' || l[i] > '9')
            return fail(p, CO_EHTTPPROTO,
                        "the status code is not three digits");
    int status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
    if (status < 100)
        return fail(p, CO_EHTTPPROTO, "the status code is below 100");
    const char *reason = "";
    if (n > 12) {
        if (l[12] != ' ')
            return fail(p, CO_EHTTPPROTO,
                        "the status code is not followed by a space");
        reason = l + 13;
        for (size_t i = 13; i < n; i++)
            if (!is_text((unsigned char)l[i]))
                return fail(p, CO_EHTTPPROTO,
                            "the reason phrase holds a control character");
    }
    long at = store_add(p, reason, strlen(reason));
    if (at < 0)
        return fail(p, CO_ENOMEM, "out of memory");
    p->reason = (size_t)at;
    p->status = status;
    p->minor = l[7] - '0';
    return 0;
}

/* One header or trailer line ("name: value", or an obs-fold continuation). */
static int parse_field_line(co_http_parser *p, size_t n, int trailer)
{
    const char *l = p->line;
    p->head_bytes += n + 2;
    if (p->head_bytes > p->lim.max_head)
        return fail(p, CO_EHTTPLIMIT,
                    "the header section is longer than the limit");
    for (size_t i = 0; i < n; i++)
        if (!is_text((unsigned char)l[i]))
            return fail(p, CO_EHTTPPROTO,
                        "a header line holds a control character (or a "
                        "bare CR)");
    if (is_ows(l[0])) {
        /* obs-fold (RFC 9112 5.2): joined to the last value with a SP. */
        if (p->nfields == 0 || p->fields[p->nfields - 1].trailer != trailer)
            return fail(p, CO_EHTTPPROTO,
                        "a folded header line follows no header");
        size_t s = 0, e = n;
        while (s < e && is_ows(l[s]))
            s++;
        while (e > s && is_ows(l[e - 1]))
            e--;
        if (s == e)
            return 0;
        /* The last value is the end of `store`: drop its NUL, extend it. */
        p->store_len--;
        if (store_add(p, " ", 1) < 0)
            return fail(p, CO_ENOMEM, "out of memory");
        p->store_len--;
        if (store_add(p, l + s, e - s) < 0)
            return fail(p, CO_ENOMEM, "out of memory");
        return 0;
    }
    size_t colon = 0;
    while (colon < n && is_tchar((unsigned char)l[colon]))
        colon++;
    if (colon == 0 || colon == n || l[colon] != ':')
        return fail(p, CO_EHTTPPROTO,
                    "a header line is not a token name, a colon and a value "
                    "(no space is allowed before the colon)");
    if (p->nfields >= p->lim.max_headers)
        return fail(p, CO_EHTTPLIMIT, "more header fields than the limit");
    size_t s = colon + 1, e = n;
    while (s < e && is_ows(l[s]))
        s++;
    while (e > s && is_ows(l[e - 1]))
        e--;
    if (p->nfields == p->fields_cap) {
        size_t cap = p->fields_cap ? p->fields_cap * 2 : 16;
        struct field *grown = realloc(p->fields, cap * sizeof *grown);
        if (!grown)
            return fail(p, CO_ENOMEM, "out of memory");
        p->fields = grown;
        p->fields_cap = cap;
    }
    long name = store_add(p, l, colon);
    long value = name < 0 ? -1 : store_add(p, l + s, e - s);
    if (value < 0)
        return fail(p, CO_ENOMEM, "out of memory");
    p->fields[p->nfields++] = (struct field){(size_t)name, (size_t)value,
                                             trailer};
    return 0;
}

/* Whether the comma-separated list @p v holds token @p tok (no case). */
static int list_has(const char *v, const char *tok)
{
    size_t tl = strlen(tok);
    while (*v) {
        while (*v == ',' || is_ows(*v))
            v++;
        const char *s = v;
        while (*v && *v != ',')
            v++;
        const char *e = v;
        while (e > s && is_ows(e[-1]))
            e--;
        if ((size_t)(e - s) == tl) {
            size_t i = 0;
            while (i < tl && (s[i] | 0x20) == (tok[i] | 0x20))
                i++;
            if (i == tl)
                return 1;
        }
    }
    return 0;
}

/* Every Content-Length element of every field, all equal (RFC 9110 8.6
 * allows a repeated identical value). Returns the length or a failure. */
static long long content_length(co_http_parser *p, int *present)
{
    long long len = -1;
    *present = 0;
    for (size_t i = 0; i < p->nfields; i++) {
        if (!same_name(p->store + p->fields[i].name, "content-length"))
            continue;
        *present = 1;
        const char *v = p->store + p->fields[i].value;
        for (;;) {
            while (is_ows(*v))
                v++;
            if (*v < '0' || *v > '9')
                return fail(p, CO_EHTTPPROTO,
                            "Content-Length is not a number");
            unsigned long long n = 0;
            while (*v >= '0' && *v <= '9') {
                n = n * 10 + (unsigned)(*v++ - '0');
                if (n > MAX_LENGTH)
                    return fail(p, CO_EHTTPPROTO,
                                "Content-Length is too large");
            }
            while (is_ows(*v))
                v++;
            if (len >= 0 && (long long)n != len)
                return fail(p, CO_EHTTPPROTO,
                            "two different Content-Lengths");
            len = (long long)n;
            if (*v == '\0')
                break;
            if (*v++ != ',')
                return fail(p, CO_EHTTPPROTO,
                            "Content-Length is not a number");
        }
    }
    return len;
}

/* The head is complete: decide the framing (RFC 9112 6.3) and keep-alive. */
static int head_done(co_http_parser *p)
{
    int te = 0, chunked = 0, close = 0, keep = 0;
    for (size_t i = 0; i < p->nfields; i++) {
        const char *name = p->store + p->fields[i].name;
        const char *value = p->store + p->fields[i].value;
        if (same_name(name, "transfer-encoding")) {
            /* Only "chunked" alone: the client never asks for another
             * coding, and a framing it cannot read is not guessed at. */
            if (te || !same_name(value, "chunked"))
                return fail(p, CO_EHTTPPROTO,
                            "a transfer coding other than chunked");
            te = chunked = 1;
        } else if (same_name(name, "connection")) {
            close |= list_has(value, "close");
            keep |= list_has(value, "keep-alive");
        }
    }
    int has_length;
    long long len = content_length(p, &has_length);
    if (len < -1)
        return (int)len;
    if (te && p->minor == 0)
        return fail(p, CO_EHTTPPROTO,
                    "Transfer-Encoding in an HTTP/1.0 response");
    if (te && has_length)
        return fail(p, CO_EHTTPPROTO,
                    "both Transfer-Encoding and Content-Length (a framing "
                    "that cannot be trusted)");
    p->keep_alive = p->minor >= 1 ? !close : (keep && !close);
    if (p->head_request || p->status == 204 || p->status == 304) {
        p->framing = CO_HTTP_FRAMING_NONE;
        p->content_length = has_length ? len : -1;
    } else if (chunked) {
        p->framing = CO_HTTP_FRAMING_CHUNKED;
    } else if (has_length) {
        p->framing = CO_HTTP_FRAMING_LENGTH;
        p->content_length = len;
        p->remaining = (unsigned long long)len;
    } else {
        p->framing = CO_HTTP_FRAMING_CLOSE;
        p->keep_alive = 0;
    }
    p->state = P_HEAD_DONE;
    return CO_HTTP_HEAD;
}

/* "1*HEXDIG [ chunk-ext ]": the size; extensions are checked for bytes
 * only, and ignored (RFC 9112 7.1.1: unrecognised ones are). */
static int parse_chunk_size(co_http_parser *p, size_t line_len)
{
    const char *l = p->line;
    size_t i = 0, digits = 0;
    unsigned long long n = 0;
    for (; i < line_len; i++) {
        char c = l[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            break;
        if (n > MAX_LENGTH / 16) /* checked before it could wrap */
            return fail(p, CO_EHTTPPROTO, "a chunk size is too large");
        n = n * 16 + (unsigned)v;
        if (n > MAX_LENGTH)
            return fail(p, CO_EHTTPPROTO, "a chunk size is too large");
        digits++;
    }
    if (digits == 0)
        return fail(p, CO_EHTTPPROTO, "a chunk size is not hexadecimal");
    if (i < line_len) {
        size_t j = i;
        while (j < line_len && is_ows(l[j]))
            j++;
        if (j == line_len || l[j] != ';')
            return fail(p, CO_EHTTPPROTO,
                        "a chunk size is followed by something other than "
                        "an extension");
        for (; j < line_len; j++)
            if (!is_text((unsigned char)l[j]))
                return fail(p, CO_EHTTPPROTO,
                            "a chunk extension holds a control character");
    }
    p->remaining = n;
    p->state = n ? P_CHUNK_DATA : P_TRAILER;
    return 0;
}

int co_http_parser_feed(co_http_parser *p, const char *data, size_t len,
                        size_t *used, const char **chunk, size_t *chunk_len)
{
    if (used)
        *used = 0;
    if (!p || !used || !chunk || !chunk_len || (!data && len))
        return CO_EINVAL;
    *chunk = NULL;
    *chunk_len = 0;
    size_t off = 0;
    for (;;) {
        size_t n = 0;
        int rc;
        switch (p->state) {
        case P_FAILED:
            *used = off;
            return p->err;
        case P_DONE:
            *used = off;
            return CO_HTTP_DONE;
        case P_STATUS:
        case P_HEADER:
        case P_CHUNK_SIZE:
        case P_TRAILER:
            if (off == len) {
                *used = off;
                return CO_HTTP_NEED_MORE;
            }
            rc = take_line(p, data + off, len - off, &n);
            off += n;
            if (rc < 0) {
                *used = off;
                return rc;
            }
            if (rc == 0)
                continue;
            size_t line_len = p->line_len;
            p->line_len = 0; /* the line stays in p->line until the next */
            if (p->state == P_STATUS) {
                rc = parse_status_line(p, line_len);
                if (rc == 0)
                    p->state = P_HEADER;
            } else if (p->state == P_CHUNK_SIZE) {
                rc = parse_chunk_size(p, line_len);
            } else if (p->line[0] != '\0') {
                rc = parse_field_line(p, line_len, p->state == P_TRAILER);
            } else if (p->state == P_TRAILER) {
                p->state = P_DONE;
                rc = 0;
            } else if (p->status == 101) {
                rc = fail(p, CO_EHTTPPROTO,
                          "101 Switching Protocols, which was not asked for");
            } else if (p->status < 200) {
                /* An interim response: forget it, read the real one.
                 * head_bytes is kept, so endless interims hit the limit. */
                clear_head(p);
                p->state = P_STATUS;
                rc = 0;
            } else {
                rc = head_done(p);
                if (rc == CO_HTTP_HEAD) {
                    *used = off;
                    return rc;
                }
            }
            if (rc < 0) {
                *used = off;
                return rc;
            }
            continue;
        case P_HEAD_DONE:
            p->state = p->framing == CO_HTTP_FRAMING_NONE      ? P_DONE
                       : p->framing == CO_HTTP_FRAMING_CHUNKED ? P_CHUNK_SIZE
                       : p->framing == CO_HTTP_FRAMING_CLOSE   ? P_CLOSE
                       : p->remaining == 0                     ? P_DONE
                                                               : P_LENGTH;
            continue;
        case P_LENGTH:
        case P_CHUNK_DATA:
        case P_CLOSE:
            if (off == len) {
                *used = off;
                return CO_HTTP_NEED_MORE;
            }
            n = len - off;
            if (p->state != P_CLOSE) {
                if (n > p->remaining)
                    n = (size_t)p->remaining;
                p->remaining -= n;
                if (p->remaining == 0)
                    p->state = p->state == P_LENGTH ? P_DONE : P_CHUNK_CR;
            }
            *chunk = data + off;
            *chunk_len = n;
            *used = off + n;
            return CO_HTTP_BODY;
        case P_CHUNK_CR:
        case P_CHUNK_LF:
            if (off == len) {
                *used = off;
                return CO_HTTP_NEED_MORE;
            }
            if (data[off] == '\r' && p->state == P_CHUNK_CR) {
                p->state = P_CHUNK_LF;
            } else if (data[off] == '\n') {
                p->state = P_CHUNK_SIZE;
            } else {
                *used = off;
                return fail(p, CO_EHTTPPROTO,
                            "a chunk's data is not followed by CRLF");
            }
            off++;
            continue;
        }
    }
}

int co_http_parser_eof(co_http_parser *p)
{
    if (!p)
        return CO_EINVAL;
    if (p->state == P_FAILED)
        return p->err;
    if (p->state == P_CLOSE ||
        (p->state == P_HEAD_DONE && p->framing == CO_HTTP_FRAMING_CLOSE)) {
        p->state = P_DONE;
        return CO_HTTP_DONE;
    }
    if (p->state == P_DONE)
        return CO_HTTP_DONE;
    if (p->state == P_HEAD_DONE && p->framing != CO_HTTP_FRAMING_CHUNKED &&
        (p->framing == CO_HTTP_FRAMING_NONE || p->remaining == 0)) {
        p->state = P_DONE;
        return CO_HTTP_DONE;
    }
    return fail(p, CO_EHTTPINCOMPLETE,
                p->state == P_STATUS || p->state == P_HEADER
                    ? "the connection closed before the end of the headers"
                    : "the connection closed before the end of the body");
}

int co_http_parser_status(const co_http_parser *p)
{
    return p && p->state != P_STATUS && p->state != P_HEADER ? p->status : 0;
}

int co_http_parser_minor_version(const co_http_parser *p)
{
    return p && p->status ? p->minor : -1;
}

const char *co_http_parser_reason(const co_http_parser *p)
{
    return p && p->status && p->store ? p->store + p->reason : NULL;
}

size_t co_http_parser_header_count(const co_http_parser *p)
{
    return p ? p->nfields : 0;
}

int co_http_parser_header_at(const co_http_parser *p, size_t i,
                             const char **name, const char **value,
                             int *trailer)
{
    if (!p || i >= p->nfields)
        return CO_EINVAL;
    if (name)
        *name = p->store + p->fields[i].name;
    if (value)
        *value = p->store + p->fields[i].value;
    if (trailer)
        *trailer = p->fields[i].trailer;
    return 0;
}

const char *co_http_parser_header(const co_http_parser *p, const char *name)
{
    if (!p || !name)
        return NULL;
    for (size_t i = 0; i < p->nfields; i++)
        if (!p->fields[i].trailer &&
            same_name(p->store + p->fields[i].name, name))
            return p->store + p->fields[i].value;
    return NULL;
}

enum co_http_framing co_http_parser_framing(const co_http_parser *p)
{
    return p ? p->framing : CO_HTTP_FRAMING_NONE;
}

long long co_http_parser_content_length(const co_http_parser *p)
{
    return p ? p->content_length : -1;
}

int co_http_parser_keep_alive(const co_http_parser *p)
{
    return p && p->state == P_DONE && p->keep_alive;
}

int co_http_parser_done(const co_http_parser *p)
{
    return p && p->state == P_DONE;
}

const char *co_http_parser_why(const co_http_parser *p)
{
    return p && p->why ? p->why : "";
}
