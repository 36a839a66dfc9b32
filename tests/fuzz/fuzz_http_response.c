/* fuzz_http_response.c - the HTTP response parser (lib/src/http_parse.c)
 * on any bytes, as a hostile server would send them. The first byte picks
 * tight limits or the defaults and a HEAD request or not; the rest is the
 * response, fed twice: whole, and in pieces of 1 to 8 bytes chosen by the
 * bytes themselves. Both feeds must end the same way (same outcome,
 * status, header count, body bytes), every piece of body must point into
 * the bytes fed, `used` must never pass what was given, and the body can
 * never be longer than the input. */
#include "fuzz.h"

#include <string.h>

#include "coflow/http.h"

struct outcome {
    int rc;
    int status;
    size_t headers;
    size_t body_len;
    unsigned long long body_hash;
    int keep_alive;
};

static void parse(const uint8_t *data, size_t size, int split,
                  const co_http_limits *lim, int head, struct outcome *o)
{
    co_http_parser *p = co_http_parser_new(lim);
    FUZZ_CHECK(p != NULL);
    co_http_parser_reset(p, head);
    memset(o, 0, sizeof *o);
    o->body_hash = 1469598103934665603ULL;
    size_t start = 0;
    int rc = CO_HTTP_NEED_MORE;
    while (start < size && rc >= 0 && rc != CO_HTTP_DONE) {
        size_t n = split ? (size_t)(data[start] % 8) + 1 : size - start;
        if (n > size - start)
            n = size - start;
        const char *piece = (const char *)data + start;
        size_t off = 0;
        for (;;) {
            size_t used = 12345;
            const char *chunk;
            size_t clen;
            rc = co_http_parser_feed(p, piece + off, n - off, &used, &chunk,
                                     &clen);
            FUZZ_CHECK(used <= n - off);
            off += used;
            if (rc == CO_HTTP_BODY) {
                FUZZ_CHECK(clen > 0);
                FUZZ_CHECK(chunk >= piece && chunk + clen <= piece + n);
                o->body_len += clen;
                for (size_t i = 0; i < clen; i++)
                    o->body_hash = (o->body_hash ^ (uint8_t)chunk[i]) *
                                   1099511628211ULL;
                continue;
            }
            if (rc == CO_HTTP_HEAD) {
                FUZZ_CHECK(co_http_parser_status(p) >= 200);
                FUZZ_CHECK(co_http_parser_status(p) <= 999);
                for (size_t i = 0; i < co_http_parser_header_count(p); i++) {
                    const char *name, *value;
                    FUZZ_CHECK(co_http_parser_header_at(p, i, &name, &value,
                                                        NULL) == 0);
                    FUZZ_CHECK(name[0] != '\0');
                    FUZZ_CHECK(strchr(value, '\r') == NULL);
                    FUZZ_CHECK(strchr(value, '\n') == NULL);
                }
                continue;
            }
            break;
        }
        if (rc == CO_HTTP_NEED_MORE)
            FUZZ_CHECK(off == n);
        start += n;
    }
    if (rc == CO_HTTP_NEED_MORE)
        rc = co_http_parser_eof(p);
    FUZZ_CHECK(rc == CO_HTTP_DONE || rc == CO_EHTTPPROTO ||
               rc == CO_EHTTPLIMIT || rc == CO_EHTTPINCOMPLETE);
    FUZZ_CHECK(rc == CO_HTTP_DONE || co_http_parser_why(p)[0] != '\0');
    FUZZ_CHECK(o->body_len <= size);
    o->rc = rc;
    o->status = co_http_parser_status(p);
    o->headers = co_http_parser_header_count(p);
    o->keep_alive = co_http_parser_keep_alive(p);
    co_http_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    co_http_limits tight = {.max_line = 64, .max_head = 256,
                            .max_headers = 4};
    const co_http_limits *lim = data[0] & 1 ? &tight : NULL;
    int head = (data[0] >> 1) & 1;
    struct outcome whole, pieces;
    parse(data + 1, size - 1, 0, lim, head, &whole);
    parse(data + 1, size - 1, 1, lim, head, &pieces);
    FUZZ_CHECK(whole.rc == pieces.rc);
    FUZZ_CHECK(whole.status == pieces.status);
    FUZZ_CHECK(whole.headers == pieces.headers);
    FUZZ_CHECK(whole.body_len == pieces.body_len);
    FUZZ_CHECK(whole.body_hash == pieces.body_hash);
    FUZZ_CHECK(whole.keep_alive == pieces.keep_alive);
    return 0;
}
