/* url.c - the URL parser of coflow/url.h: one pass over the characters,
 * a state per part of "scheme://host:port/path?query#fragment", every
 * character checked against what RFC 3986 allows in that part. Used by the
 * HTTP client (docs/http.md). */
#include "coflow/url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum url_state {
    U_SCHEME,    /* letters up to ':' */
    U_SLASH1,    /* the first '/' of "//" */
    U_SLASH2,    /* the second */
    U_HOST,      /* a reg-name or IPv4 address, up to ':', '/', '?', '#' */
    U_V6,        /* inside "[...]" */
    U_AFTER_V6,  /* right after ']': ':', '/', '?', '#' or the end */
    U_PORT,      /* digits */
    U_PATH,      /* from '/' */
    U_QUERY,     /* after '?' */
    U_FRAGMENT   /* after '#': checked, then dropped */
};

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_unreserved(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static int is_sub_delim(unsigned char c)
{
    return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* pchar without the percent-encoding, which the caller checks. */
static int is_pchar(unsigned char c)
{
    return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
}

/* RFC 3986 5.2.4: removes "." and ".." segments from @p path (which starts
 * with '/'), in place. ".." above the root stays at the root. */
static void remove_dot_segments(char *path)
{
    char *in = path, *out = path;
    while (*in) {
        if (in[0] == '/' && in[1] == '.' && (in[2] == '/' || in[2] == '\0')) {
            in += 2; /* "/./" -> "/", "/." at the end -> "/" */
            if (*in == '\0') {
                *out++ = '/';
                break;
            }
        } else if (in[0] == '/' && in[1] == '.' && in[2] == '.' &&
                   (in[3] == '/' || in[3] == '\0')) {
            in += 3;
            while (out > path && *--out != '/')
                ;
            if (*in == '\0') {
                *out++ = '/';
                break;
            }
        } else {
            do
                *out++ = *in++;
            while (*in && *in != '/');
        }
    }
    if (out == path)
        *out++ = '/';
    *out = '\0';
}

void co_url_clear(co_url *url)
{
    if (!url)
        return;
    free(url->mem);
    memset(url, 0, sizeof *url);
}

int co_url_parse_n(const char *text, size_t len, co_url *out)
{
    if (!out)
        return CO_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text)
        return CO_EINVAL;
    if (len > CO_URL_MAX || len == 0)
        return CO_EURL;

    size_t scheme_end = 0, host_start = 0, host_end = 0;
    size_t path_s = 0, path_e = 0, query_s = 0, query_e = 0;
    long port = -1;
    int port_digits = 0, have_query = 0, v6 = 0;
    enum url_state st = U_SCHEME;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        /* Where the authority ends, the path, the query or the fragment
         * starts: the same three characters end a host, a ']' or a port. */
        int ends_authority = st == U_HOST || st == U_AFTER_V6 || st == U_PORT;
        if (ends_authority && (c == '/' || c == '?' || c == '#')) {
            if (st == U_HOST) {
                host_end = i;
                if (host_end == host_start)
                    return CO_EURL;
            }
            if (c == '/') {
                path_s = i;
                st = U_PATH;
            } else if (c == '?') {
                have_query = 1, query_s = i + 1;
                st = U_QUERY;
            } else {
                st = U_FRAGMENT;
            }
            continue;
        }
        switch (st) {
        case U_SCHEME:
            if (c == ':' && i > 0) {
                scheme_end = i;
                /* A well-formed scheme that is not ours says so at once
                 * ("file:///x" has no host, but the scheme is the news). */
                if (!((i == 4 && !strncasecmp(text, "http", 4)) ||
                      (i == 5 && !strncasecmp(text, "https", 5))))
                    return CO_EURLSCHEME;
                st = U_SLASH1;
            } else if (!(is_alpha(c) ||
                         (i > 0 && (is_digit(c) || c == '+' || c == '-' ||
                                    c == '.')))) {
                return CO_EURL;
            }
            break;
        case U_SLASH1:
            if (c != '/')
                return CO_EURL;
            st = U_SLASH2;
            break;
        case U_SLASH2:
            if (c != '/')
                return CO_EURL;
            host_start = i + 1;
            st = U_HOST;
            if (i + 1 < len && text[i + 1] == '[') {
                v6 = 1;
                host_start = i + 2;
                i++;
                st = U_V6;
            }
            break;
        case U_HOST:
            if (c == ':') {
                host_end = i;
                if (host_end == host_start)
                    return CO_EURL;
                st = U_PORT;
            } else if (!is_unreserved(c)) {
                return CO_EURL; /* '@', '%', sub-delims, spaces, bytes >= 0x80 */
            }
            break;
        case U_V6:
            if (c == ']') {
                host_end = i;
                st = U_AFTER_V6;
            } else if (!(hex_value(c) >= 0 || c == ':' || c == '.')) {
                return CO_EURL; /* zone ids, IPvFuture, anything else */
            }
            break;
        case U_AFTER_V6:
            if (c != ':')
                return CO_EURL;
            st = U_PORT;
            break;
        case U_PORT:
            if (!is_digit(c) || ++port_digits > 5)
                return CO_EURL;
            port = (port < 0 ? 0 : port * 10) + (c - '0');
            break;
        case U_PATH:
        case U_QUERY:
        case U_FRAGMENT:
            if (c == '%') {
                if (i + 2 >= len || hex_value((unsigned char)text[i + 1]) < 0 ||
                    hex_value((unsigned char)text[i + 2]) < 0)
                    return CO_EURL;
                i += 2;
            } else if (c == '?' && st == U_PATH) {
                path_e = i;
                have_query = 1, query_s = i + 1;
                st = U_QUERY;
            } else if (c == '#' && st != U_FRAGMENT) {
                if (st == U_PATH)
                    path_e = i;
                else
                    query_e = i;
                st = U_FRAGMENT;
            } else if (!(is_pchar(c) || c == '/' ||
                         (st != U_PATH && c == '?'))) {
                return CO_EURL;
            }
            break;
        }
    }
    switch (st) {
    case U_SCHEME:
    case U_SLASH1:
    case U_SLASH2:
    case U_V6:
        return CO_EURL;
    case U_HOST:
        host_end = len;
        if (host_end == host_start)
            return CO_EURL;
        break;
    case U_PATH:
        path_e = len;
        break;
    case U_QUERY:
        query_e = len;
        break;
    default:
        break;
    }
    if (port_digits == 0)
        port = -1; /* "host:" with an empty port means the default */
    if (port == 0 || port > 65535)
        return CO_EURL;

    /* The scheme, case-insensitively. */
    char scheme[8];
    if (scheme_end >= sizeof scheme)
        return CO_EURLSCHEME;
    for (size_t i = 0; i < scheme_end; i++) {
        char c = text[i];
        scheme[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    scheme[scheme_end] = '\0';
    int https;
    if (strcmp(scheme, "http") == 0)
        https = 0;
    else if (strcmp(scheme, "https") == 0)
        https = 1;
    else
        return CO_EURLSCHEME;

    size_t host_len = host_end - host_start;
    char hostbuf[256];
    if (host_len == 0 || host_len >= sizeof hostbuf)
        return CO_EURL;
    for (size_t i = 0; i < host_len; i++) {
        char c = text[host_start + i];
        hostbuf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    hostbuf[host_len] = '\0';
    if (v6) {
        unsigned char addr[16];
        if (inet_pton(AF_INET6, hostbuf, addr) != 1)
            return CO_EURL;
    } else {
        /* A name of dots only, or with an empty label ("a..b"), is not one. */
        if (strstr(hostbuf, "..") || strcmp(hostbuf, ".") == 0)
            return CO_EURL;
    }

    size_t path_len = path_e - path_s;
    size_t q_len = have_query ? query_e - query_s : 0;
    int default_port = https ? 443 : 80;
    int the_port = port < 0 ? default_port : (int)port;

    size_t need = sizeof "https" + host_len + 1 + (path_len + 2) + (q_len + 1) +
                  (path_len + 2 + q_len + 1) + (host_len + 2 + 7) + 8;
    char *mem = malloc(need);
    if (!mem)
        return CO_ENOMEM;
    char *p = mem;
    out->mem = mem;
    out->scheme = p;
    p += sprintf(p, "%s", https ? "https" : "http") + 1;
    out->host = p;
    memcpy(p, hostbuf, host_len + 1);
    p += host_len + 1;
    out->path = p;
    if (path_len == 0) {
        p[0] = '/';
        p[1] = '\0';
    } else {
        memcpy(p, text + path_s, path_len);
        p[path_len] = '\0';
    }
    remove_dot_segments(out->path);
    p += strlen(out->path) + 1;
    if (have_query) {
        out->query = p;
        memcpy(p, text + query_s, q_len);
        p[q_len] = '\0';
        p += q_len + 1;
    }
    out->target = p;
    p += sprintf(p, "%s%s%s", out->path, have_query ? "?" : "",
                 have_query ? out->query : "") + 1;
    out->authority = p;
    if (the_port != default_port)
        sprintf(p, v6 ? "[%s]:%d" : "%s:%d", hostbuf, the_port);
    else
        sprintf(p, v6 ? "[%s]" : "%s", hostbuf);
    out->port = the_port;
    out->is_ipv6 = v6;
    out->is_https = https;
    return 0;
}

int co_url_parse(const char *text, co_url *out)
{
    if (!text) {
        if (out)
            memset(out, 0, sizeof *out);
        return CO_EINVAL;
    }
    size_t len = strnlen(text, CO_URL_MAX + 1);
    return co_url_parse_n(text, len, out);
}

/* Whether @p ref starts with a scheme ("x:" before any '/', '?', '#'). */
static int has_scheme(const char *ref)
{
    if (!is_alpha((unsigned char)ref[0]))
        return 0;
    for (const char *s = ref + 1; *s; s++) {
        if (*s == ':')
            return 1;
        if (!(is_alpha((unsigned char)*s) || is_digit((unsigned char)*s) ||
              *s == '+' || *s == '-' || *s == '.'))
            return 0;
    }
    return 0;
}

int co_url_resolve(const co_url *base, const char *ref, co_url *out)
{
    if (!out)
        return CO_EINVAL;
    memset(out, 0, sizeof *out);
    if (!base || !ref || !base->mem)
        return CO_EINVAL;
    size_t ref_len = strnlen(ref, CO_URL_MAX + 1);
    if (ref_len > CO_URL_MAX)
        return CO_EURL;
    if (has_scheme(ref))
        return co_url_parse_n(ref, ref_len, out);

    size_t cap = strlen(base->scheme) + strlen(base->authority) +
                 strlen(base->target) + ref_len + 8;
    char *joined = malloc(cap);
    if (!joined)
        return CO_ENOMEM;
    if (ref[0] == '/' && ref[1] == '/') {
        snprintf(joined, cap, "%s:%s", base->scheme, ref);
    } else if (ref[0] == '/') {
        snprintf(joined, cap, "%s://%s%s", base->scheme, base->authority, ref);
    } else if (ref[0] == '?') {
        snprintf(joined, cap, "%s://%s%s%s", base->scheme, base->authority,
                 base->path, ref);
    } else if (ref[0] == '\0' || ref[0] == '#') {
        snprintf(joined, cap, "%s://%s%s", base->scheme, base->authority,
                 base->target);
    } else {
        /* Merge (5.2.3): the base path up to its last '/', then ref. */
        const char *slash = strrchr(base->path, '/');
        int dir_len = slash ? (int)(slash - base->path) + 1 : 1;
        snprintf(joined, cap, "%s://%s%.*s%s", base->scheme, base->authority,
                 dir_len, slash ? base->path : "/", ref);
    }
    int rc = co_url_parse_n(joined, strlen(joined), out);
    free(joined);
    return rc;
}

int co_url_basename(const co_url *url, char *buf, size_t size)
{
    if (!url || !url->path || !buf || size == 0)
        return CO_EINVAL;
    const char *seg = strrchr(url->path, '/');
    seg = seg ? seg + 1 : url->path;
    size_t n = 0;
    for (const char *s = seg; *s && n + 1 < size; s++) {
        int hi, lo;
        if (s[0] == '%' && (hi = hex_value((unsigned char)s[1])) >= 0 &&
            (lo = hex_value((unsigned char)s[2])) >= 0) {
            buf[n++] = (char)(hi * 16 + lo);
            s += 2;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
    return (int)n;
}
