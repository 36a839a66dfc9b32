/* test_parse.c - the HTTP response parser and the URL parser: every way to
 * frame a body (length, chunked with trailers, close, none), every split
 * of the bytes giving the same result, and malformed or oversized input
 * refused with the right code. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coflow.h"

/* What a whole response parsed to: status, body, headers, the outcome. */
struct result {
    int rc;        /* CO_HTTP_DONE, or the failure */
    int status;
    char body[4096];
    size_t body_len;
    int keep_alive;
    long long length;
    enum co_http_framing framing;
    char trailer[64]; /* value of trailer "x-sum" if any */
};

/* Feeds @p text in pieces cut at @p cuts (sorted offsets, n of them), then
 * an EOF if @p eof. */
static void run(const char *text, size_t len, const size_t *cuts, int n,
                int eof, int head_request, const co_http_limits *lim,
                struct result *r)
{
    memset(r, 0, sizeof *r);
    co_http_parser *p = co_http_parser_new(lim);
    ck_assert_ptr_nonnull(p);
    co_http_parser_reset(p, head_request);
    size_t start = 0;
    int rc = CO_HTTP_NEED_MORE;
    for (int k = 0; k <= n && rc >= 0 && rc != CO_HTTP_DONE; k++) {
        size_t end = k < n ? cuts[k] : len;
        /* Each piece in its own exact allocation, so ASan sees overreads. */
        char *piece = malloc(end - start + 1);
        memcpy(piece, text + start, end - start);
        size_t off = 0, plen = end - start;
        for (;;) {
            size_t used;
            const char *chunk;
            size_t clen;
            rc = co_http_parser_feed(p, piece + off, plen - off, &used,
                                     &chunk, &clen);
            ck_assert_uint_le(used, plen - off);
            off += used;
            if (rc == CO_HTTP_BODY) {
                ck_assert_uint_le(r->body_len + clen, sizeof r->body);
                ck_assert(chunk >= piece && chunk + clen <= piece + plen);
                memcpy(r->body + r->body_len, chunk, clen);
                r->body_len += clen;
                continue;
            }
            if (rc == CO_HTTP_HEAD) {
                r->status = co_http_parser_status(p);
                continue;
            }
            break;
        }
        free(piece);
        start = end;
    }
    if (rc == CO_HTTP_NEED_MORE && eof)
        rc = co_http_parser_eof(p);
    r->rc = rc == CO_HTTP_NEED_MORE ? 1000 : rc;
    r->keep_alive = co_http_parser_keep_alive(p);
    r->length = co_http_parser_content_length(p);
    r->framing = co_http_parser_framing(p);
    for (size_t i = 0; i < co_http_parser_header_count(p); i++) {
        const char *name, *value;
        int tr;
        co_http_parser_header_at(p, i, &name, &value, &tr);
        if (tr && strcmp(name, "X-Sum") == 0)
            snprintf(r->trailer, sizeof r->trailer, "%s", value);
    }
    co_http_parser_free(p);
}

static void run_whole(const char *text, int eof, struct result *r)
{
    run(text, strlen(text), NULL, 0, eof, 0, NULL, r);
}

/* Parses @p text whole, then cut in two at every offset, then cut in three
 * at every pair of offsets, and checks all give the same result. */
static void check_every_split(const char *text, int eof)
{
    size_t len = strlen(text);
    struct result whole, r;
    run_whole(text, eof, &whole);
    for (size_t i = 0; i <= len; i++) {
        size_t cut[1] = {i};
        run(text, len, cut, 1, eof, 0, NULL, &r);
        ck_assert_int_eq(r.rc, whole.rc);
        ck_assert_int_eq(r.status, whole.status);
        ck_assert_uint_eq(r.body_len, whole.body_len);
        ck_assert(memcmp(r.body, whole.body, r.body_len) == 0);
        ck_assert_str_eq(r.trailer, whole.trailer);
    }
    for (size_t i = 0; i <= len; i++)
        for (size_t j = i; j <= len; j++) {
            size_t cuts[2] = {i, j};
            run(text, len, cuts, 2, eof, 0, NULL, &r);
            ck_assert_int_eq(r.rc, whole.rc);
            ck_assert_uint_eq(r.body_len, whole.body_len);
            ck_assert(memcmp(r.body, whole.body, r.body_len) == 0);
        }
    /* And one byte at a time. */
    size_t *cuts = malloc(len * sizeof *cuts);
    for (size_t i = 0; i < len; i++)
        cuts[i] = i + 1;
    run(text, len, cuts, (int)len, eof, 0, NULL, &r);
    ck_assert_int_eq(r.rc, whole.rc);
    ck_assert_uint_eq(r.body_len, whole.body_len);
    free(cuts);
}

static const char LENGTH_RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
    "\r\nhello world";
static const char CHUNKED_RESPONSE[] =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Sum: 16\r\n\r\n";

START_TEST(test_content_length_body)
{
    struct result r;
    run_whole(LENGTH_RESPONSE, 0, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 11);
    ck_assert(memcmp(r.body, "hello world", 11) == 0);
    ck_assert_int_eq(r.keep_alive, 1);
    ck_assert_int_eq(r.length, 11);
    ck_assert_int_eq(r.framing, CO_HTTP_FRAMING_LENGTH);
}
END_TEST

START_TEST(test_content_length_every_split)
{
    check_every_split(LENGTH_RESPONSE, 0);
}
END_TEST

START_TEST(test_chunked_body_and_trailer)
{
    struct result r;
    run_whole(CHUNKED_RESPONSE, 0, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    ck_assert_uint_eq(r.body_len, 16);
    ck_assert(memcmp(r.body, "hello 0123456789", 16) == 0);
    ck_assert_str_eq(r.trailer, "16");
    ck_assert_int_eq(r.framing, CO_HTTP_FRAMING_CHUNKED);
    ck_assert_int_eq(r.keep_alive, 1);
}
END_TEST

START_TEST(test_chunked_every_split)
{
    check_every_split(CHUNKED_RESPONSE, 0);
}
END_TEST

START_TEST(test_body_until_close)
{
    const char *t = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it";
    struct result r;
    run_whole(t, 0, &r);
    ck_assert_int_eq(r.rc, 1000); /* still reading: only the close ends it */
    run_whole(t, 1, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    ck_assert_uint_eq(r.body_len, 9);
    ck_assert_int_eq(r.keep_alive, 0);
    check_every_split(t, 1);
}
END_TEST

START_TEST(test_no_body_for_head_204_304)
{
    const char *t = "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n";
    struct result r;
    run(t, strlen(t), NULL, 0, 0, 1, NULL, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    ck_assert_uint_eq(r.body_len, 0);
    ck_assert_int_eq(r.length, 500);
    ck_assert_int_eq(r.keep_alive, 1);
    run_whole("HTTP/1.1 204 No Content\r\n\r\n", 0, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    run_whole("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 0, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    ck_assert_uint_eq(r.body_len, 0);
}
END_TEST

START_TEST(test_interim_responses_skipped)
{
    const char *t = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                    "Link: </a>\r\n\r\nHTTP/1.1 404 Not Found\r\n"
                    "Content-Length: 2\r\n\r\nno";
    struct result r;
    run_whole(t, 0, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    ck_assert_int_eq(r.status, 404);
    ck_assert_uint_eq(r.body_len, 2);
    check_every_split(t, 0);
}
END_TEST

START_TEST(test_headers_read_back)
{
    const char *t = "HTTP/1.1 301 Moved  Permanently \r\nLocation:   /b  \r\n"
                    "X-Long: one\r\n  two\r\n\ttwo-b\r\nConnection: Keep-Alive, "
                    "Close\r\nContent-Length: 0\r\n\r\n";
    co_http_parser *p = co_http_parser_new(NULL);
    size_t used;
    const char *chunk;
    size_t clen;
    ck_assert_int_eq(co_http_parser_status(p), 0);
    ck_assert_int_eq(co_http_parser_feed(p, t, strlen(t), &used, &chunk, &clen),
                     CO_HTTP_HEAD);
    ck_assert_uint_eq(used, strlen(t));
    ck_assert_int_eq(co_http_parser_status(p), 301);
    ck_assert_int_eq(co_http_parser_minor_version(p), 1);
    ck_assert_str_eq(co_http_parser_reason(p), "Moved  Permanently ");
    ck_assert_str_eq(co_http_parser_header(p, "LOCATION"), "/b");
    ck_assert_str_eq(co_http_parser_header(p, "x-long"), "one two two-b");
    ck_assert_ptr_null(co_http_parser_header(p, "missing"));
    ck_assert_int_eq(co_http_parser_feed(p, t, 0, &used, &chunk, &clen),
                     CO_HTTP_DONE);
    ck_assert_int_eq(co_http_parser_keep_alive(p), 0); /* "close" wins */
    /* Reset: a second response on the same parser. */
    ck_assert_int_eq(co_http_parser_reset(p, 0), 0);
    ck_assert_int_eq(co_http_parser_header_count(p), 0);
    const char *u = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZ";
    ck_assert_int_eq(co_http_parser_feed(p, u, strlen(u), &used, &chunk, &clen),
                     CO_HTTP_HEAD);
    co_http_parser_free(p);
}
END_TEST

START_TEST(test_bare_lf_lines_accepted)
{
    struct result r;
    run_whole("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 0, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    ck_assert_uint_eq(r.body_len, 2);
}
END_TEST

/* Each malformed response, and the code it must fail with. */
static const struct {
    const char *text;
    int rc;
} BAD[] = {
    {"HTTP/2 200 OK\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 20 OK\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 2000 OK\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 099 Low\r\n\r\n", CO_EHTTPPROTO},
    {"http/1.1 200 OK\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 O\x01K\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nName : x\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\n folded-first\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
     CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
     CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n"
     "\r\n",
     CO_EHTTPPROTO},
    {"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
     CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     "1000000000000000000\r\n",
     CO_EHTTPPROTO},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\n",
     CO_EHTTPPROTO},
    {"HTTP/1.1 101 Switching Protocols\r\n\r\n", CO_EHTTPPROTO},
};

START_TEST(test_malformed_refused)
{
    struct result r;
    run_whole(BAD[_i].text, 1, &r);
    ck_assert_msg(r.rc == BAD[_i].rc, "case %d: got %d", _i, r.rc);
}
END_TEST

START_TEST(test_limits)
{
    co_http_limits lim = {.max_line = 40, .max_head = 100, .max_headers = 3};
    struct result r;
    char t[512];
    snprintf(t, sizeof t, "HTTP/1.1 200 OK\r\nA: %050d\r\n\r\n", 0);
    run(t, strlen(t), NULL, 0, 1, 0, &lim, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPLIMIT); /* a line too long */
    /* A line of exactly max_line bytes is fine, with or without CR. */
    snprintf(t, sizeof t, "HTTP/1.1 200 OK\r\nA: %037d\r\n\r\n", 0);
    run(t, strlen(t), NULL, 0, 1, 0, &lim, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    snprintf(t, sizeof t, "HTTP/1.1 200 OK\nA: %037d\n\n", 0);
    run(t, strlen(t), NULL, 0, 1, 0, &lim, &r);
    ck_assert_int_eq(r.rc, CO_HTTP_DONE);
    run_whole("", 1, &r);
    const char *many = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
    run(many, strlen(many), NULL, 0, 1, 0, &lim, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPLIMIT); /* too many fields */
    /* Three lines of 35 bytes with their CRLF: 105 > 100. */
    const char *big = "HTTP/1.1 200 OK\r\nA: 012345678901234567890123456789\r\n"
                      "B: 012345678901234567890123456789\r\nC: 0123456789012"
                      "34567890123456789\r\n\r\n";
    run(big, strlen(big), NULL, 0, 1, 0, &lim, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPLIMIT); /* the head too large */
    /* Endless interim responses count against the head limit. */
    char endless[2048] = "";
    for (int i = 0; i < 40; i++)
        strcat(endless, "HTTP/1.1 100 Continue\r\nX: y\r\n\r\n");
    run(endless, strlen(endless), NULL, 0, 1, 0, &lim, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPLIMIT);
}
END_TEST

START_TEST(test_cut_short)
{
    struct result r;
    run_whole("HTTP/1.1 200 OK\r\nContent-Len", 1, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPINCOMPLETE);
    run_whole("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 1, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPINCOMPLETE);
    ck_assert_uint_eq(r.body_len, 3);
    run_whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab",
              1, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPINCOMPLETE);
    run_whole("", 1, &r);
    ck_assert_int_eq(r.rc, CO_EHTTPINCOMPLETE);
}
END_TEST

START_TEST(test_failure_sticks_and_bad_arguments)
{
    co_http_parser *p = co_http_parser_new(NULL);
    size_t used;
    const char *chunk;
    size_t clen;
    const char *t = "XTTP/1.1 200 OK\r\n";
    ck_assert_int_eq(co_http_parser_feed(p, t, strlen(t), &used, &chunk, &clen),
                     CO_EHTTPPROTO);
    ck_assert_str_ne(co_http_parser_why(p), "");
    ck_assert_int_eq(co_http_parser_feed(p, "HTTP", 4, &used, &chunk, &clen),
                     CO_EHTTPPROTO);
    ck_assert_int_eq(co_http_parser_eof(p), CO_EHTTPPROTO);
    ck_assert_int_eq(co_http_parser_feed(NULL, t, 1, &used, &chunk, &clen),
                     CO_EINVAL);
    ck_assert_int_eq(co_http_parser_feed(p, NULL, 1, &used, &chunk, &clen),
                     CO_EINVAL);
    ck_assert_int_eq(co_http_parser_header_at(p, 0, NULL, NULL, NULL),
                     CO_EINVAL);
    co_http_parser_free(p);
    co_http_parser_free(NULL);
}
END_TEST

/* ---- URLs ---------------------------------------------------------------- */

START_TEST(test_url_parts)
{
    co_url u;
    ck_assert_int_eq(co_url_parse("HTTP://Example.COM:8080/a/b.png?x=1&y#frag",
                                  &u), 0);
    ck_assert_str_eq(u.scheme, "http");
    ck_assert_str_eq(u.host, "example.com");
    ck_assert_int_eq(u.port, 8080);
    ck_assert_str_eq(u.path, "/a/b.png");
    ck_assert_str_eq(u.query, "x=1&y");
    ck_assert_str_eq(u.target, "/a/b.png?x=1&y");
    ck_assert_str_eq(u.authority, "example.com:8080");
    co_url_clear(&u);

    ck_assert_int_eq(co_url_parse("https://[::1]/", &u), 0);
    ck_assert_str_eq(u.host, "::1");
    ck_assert_int_eq(u.port, 443);
    ck_assert_int_eq(u.is_ipv6, 1);
    ck_assert_int_eq(u.is_https, 1);
    ck_assert_str_eq(u.authority, "[::1]");
    ck_assert_ptr_null(u.query);
    co_url_clear(&u);

    ck_assert_int_eq(co_url_parse("http://h", &u), 0);
    ck_assert_str_eq(u.target, "/");
    ck_assert_int_eq(u.port, 80);
    co_url_clear(&u);
    ck_assert_int_eq(co_url_parse("http://h:?q", &u), 0);
    ck_assert_str_eq(u.target, "/?q");
    ck_assert_int_eq(u.port, 80);
    co_url_clear(&u);
    ck_assert_int_eq(co_url_parse("http://[2001:db8::7]:81#x", &u), 0);
    ck_assert_str_eq(u.authority, "[2001:db8::7]:81");
    ck_assert_str_eq(u.target, "/");
    co_url_clear(&u);
    ck_assert_int_eq(co_url_parse("http://h/a/./b/../../c/%2e%2E/d/..", &u), 0);
    ck_assert_str_eq(u.path, "/c/%2e%2E/");
    co_url_clear(&u);
    ck_assert_int_eq(co_url_parse("http://h/../../x", &u), 0);
    ck_assert_str_eq(u.path, "/x");
    co_url_clear(&u);
}
END_TEST

static const char *const BAD_URLS[] = {
    "", "http", "http:", "http:/", "http://", "http:///x", "http//h/",
    "http://user@h/", "http://u:p@h/", "http://h:0/", "http://h:65536/",
    "http://h:123456/", "http://h:8a/", "http://[::1/", "http://[::1]x/",
    "http://[zz::1]/", "http://[fe80::1%25eth0]/", "http://h h/",
    "http://h/a b", "http://h/%zz", "http://h/%4", "http://h/\x01",
    "http://h/\xc3\xa9", "http://h%41/", "http://a..b/", "http://./",
    "1http://h/", "http://h/#a#b", "http://h/?a\"b", "http://h/<x>",
};

START_TEST(test_url_malformed)
{
    co_url u;
    ck_assert_msg(co_url_parse(BAD_URLS[_i], &u) == CO_EURL, "%s",
                  BAD_URLS[_i]);
    ck_assert_ptr_null(u.mem);
    co_url_clear(&u); /* a cleared URL: harmless */
}
END_TEST

START_TEST(test_url_scheme_and_arguments)
{
    co_url u;
    ck_assert_int_eq(co_url_parse("ftp://h/", &u), CO_EURLSCHEME);
    ck_assert_int_eq(co_url_parse("file:///etc/passwd", &u), CO_EURLSCHEME);
    ck_assert_int_eq(co_url_parse(NULL, &u), CO_EINVAL);
    ck_assert_int_eq(co_url_parse("http://h/", NULL), CO_EINVAL);
    ck_assert_int_eq(co_url_parse_n("http://h/\0x", 11, &u), CO_EURL);
    char *huge = malloc(CO_URL_MAX + 20);
    memset(huge, 'a', CO_URL_MAX + 19);
    memcpy(huge, "http://h/", 9);
    huge[CO_URL_MAX + 19] = '\0';
    ck_assert_int_eq(co_url_parse(huge, &u), CO_EURL);
    huge[CO_URL_MAX] = '\0';
    ck_assert_int_eq(co_url_parse(huge, &u), 0);
    co_url_clear(&u);
    free(huge);
    co_url_clear(NULL);
}
END_TEST

START_TEST(test_url_resolve)
{
    co_url base, u;
    ck_assert_int_eq(co_url_parse("http://h:81/a/b/c?q", &base), 0);
    static const struct {
        const char *ref, *url;
    } cases[] = {
        {"d", "h:81 /a/b/d"},
        {"../d?z", "h:81 /a/d?z"},
        {"/x", "h:81 /x"},
        {"?y", "h:81 /a/b/c?y"},
        {"//other/p", "other /p"},
        {"https://s/t", "s /t"},
        {"", "h:81 /a/b/c?q"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(co_url_resolve(&base, cases[i].ref, &u), 0);
        char got[256];
        snprintf(got, sizeof got, "%s %s", u.authority, u.target);
        ck_assert_str_eq(got, cases[i].url);
        co_url_clear(&u);
    }
    ck_assert_int_eq(co_url_resolve(&base, "ftp://x/", &u), CO_EURLSCHEME);
    ck_assert_int_eq(co_url_resolve(&base, "a b", &u), CO_EURL);
    ck_assert_int_eq(co_url_resolve(NULL, "a", &u), CO_EINVAL);
    co_url_clear(&base);
}
END_TEST

START_TEST(test_url_basename)
{
    co_url u;
    char name[16];
    ck_assert_int_eq(co_url_parse("http://h/a/cat%20one.png?x", &u), 0);
    ck_assert_int_eq(co_url_basename(&u, name, sizeof name), 11);
    ck_assert_str_eq(name, "cat one.png");
    co_url_clear(&u);
    ck_assert_int_eq(co_url_parse("http://h/a/..%2F..%2Fetc", &u), 0);
    co_url_basename(&u, name, sizeof name);
    ck_assert_str_eq(name, "../../etc"); /* decoded: callers must check */
    co_url_clear(&u);
    ck_assert_int_eq(co_url_parse("http://h/dir/", &u), 0);
    ck_assert_int_eq(co_url_basename(&u, name, sizeof name), 0);
    ck_assert_int_eq(co_url_basename(&u, name, 0), CO_EINVAL);
    co_url_clear(&u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http-parse");
    TCase *tc = tcase_create("response");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_content_length_body);
    tcase_add_test(tc, test_content_length_every_split);
    tcase_add_test(tc, test_chunked_body_and_trailer);
    tcase_add_test(tc, test_chunked_every_split);
    tcase_add_test(tc, test_body_until_close);
    tcase_add_test(tc, test_no_body_for_head_204_304);
    tcase_add_test(tc, test_interim_responses_skipped);
    tcase_add_test(tc, test_headers_read_back);
    tcase_add_test(tc, test_bare_lf_lines_accepted);
    tcase_add_loop_test(tc, test_malformed_refused, 0,
                        (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_cut_short);
    tcase_add_test(tc, test_failure_sticks_and_bad_arguments);
    suite_add_tcase(s, tc);
    TCase *tu = tcase_create("url");
    tcase_add_test(tu, test_url_parts);
    tcase_add_loop_test(tu, test_url_malformed, 0,
                        (int)(sizeof BAD_URLS / sizeof BAD_URLS[0]));
    tcase_add_test(tu, test_url_scheme_and_arguments);
    tcase_add_test(tu, test_url_resolve);
    tcase_add_test(tu, test_url_basename);
    suite_add_tcase(s, tu);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
