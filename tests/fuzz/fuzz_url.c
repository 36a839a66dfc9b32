/* fuzz_url.c - the URL parser (lib/src/url.c) on any bytes, as a hostile
 * page's links or a server's Location header would give them. A URL it
 * accepts must have the shape it promises (scheme http/https, a non-empty
 * host of allowed characters, a port 1-65535, a path starting with '/'
 * with no "." or ".." segment left, a target equal to path[?query]), and
 * parsing "scheme://authority" + target again must give the same parts.
 * The bytes are also resolved as a reference against a fixed base URL. */
#include "fuzz.h"

#include <string.h>

#include "coflow/url.h"

static void check_shape(const co_url *u)
{
    FUZZ_CHECK(strcmp(u->scheme, "http") == 0 ||
               strcmp(u->scheme, "https") == 0);
    FUZZ_CHECK(u->is_https == (u->scheme[4] == 's'));
    FUZZ_CHECK(u->host[0] != '\0');
    FUZZ_CHECK(u->port >= 1 && u->port <= 65535);
    FUZZ_CHECK(u->path[0] == '/');
    FUZZ_CHECK(strstr(u->path, "/./") == NULL);
    FUZZ_CHECK(strstr(u->path, "/../") == NULL);
    size_t pl = strlen(u->path);
    FUZZ_CHECK(!(pl >= 2 && strcmp(u->path + pl - 2, "/.") == 0));
    FUZZ_CHECK(!(pl >= 3 && strcmp(u->path + pl - 3, "/..") == 0));
    FUZZ_CHECK(strncmp(u->target, u->path, pl) == 0);
    if (u->query) {
        FUZZ_CHECK(u->target[pl] == '?');
        FUZZ_CHECK(strcmp(u->target + pl + 1, u->query) == 0);
    } else {
        FUZZ_CHECK(u->target[pl] == '\0');
    }
    for (const char *s = u->target; *s; s++)
        FUZZ_CHECK(*s > ' ' && *s < 0x7f && *s != '#');
    for (const char *s = u->host; *s; s++)
        FUZZ_CHECK(*s > ' ' && *s < 0x7f && *s != '/' && *s != '@');
}

static void check_round_trip(const co_url *u)
{
    char again[CO_URL_MAX + 64];
    int n = snprintf(again, sizeof again, "%s://%s%s", u->scheme,
                     u->authority, u->target);
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof again);
    co_url v;
    int rc = co_url_parse(again, &v);
    /* Within the length limit, a URL rebuilt from its parts parses. */
    if (n <= CO_URL_MAX) {
        FUZZ_CHECK(rc == 0);
        FUZZ_CHECK(strcmp(u->host, v.host) == 0);
        FUZZ_CHECK(u->port == v.port);
        FUZZ_CHECK(strcmp(u->target, v.target) == 0);
        FUZZ_CHECK(strcmp(u->authority, v.authority) == 0);
    }
    co_url_clear(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    co_url u;
    int rc = co_url_parse_n((const char *)data, size, &u);
    FUZZ_CHECK(rc == 0 || rc == CO_EURL || rc == CO_EURLSCHEME);
    if (rc == 0) {
        check_shape(&u);
        check_round_trip(&u);
        char name[64];
        FUZZ_CHECK(co_url_basename(&u, name, sizeof name) >= 0);
    } else {
        FUZZ_CHECK(u.mem == NULL);
    }
    co_url_clear(&u);

    /* As a reference against a base: a NUL-terminated copy. */
    char *ref = malloc(size + 1);
    FUZZ_CHECK(ref != NULL);
    memcpy(ref, data, size);
    ref[size] = '\0';
    co_url base;
    FUZZ_CHECK(co_url_parse("http://base.example:8080/a/b/c?q", &base) == 0);
    rc = co_url_resolve(&base, ref, &u);
    FUZZ_CHECK(rc == 0 || rc == CO_EURL || rc == CO_EURLSCHEME);
    if (rc == 0)
        check_shape(&u);
    co_url_clear(&u);
    co_url_clear(&base);
    free(ref);
    return 0;
}
