/* fuzz_judge_records.c - the judge's reader of the grader's records
 * (judge_feed_records, judge_unescape in lessons/grader/judge_parse.c) on
 * bytes as a hostile grader could write them to fd 3. The input is the
 * stream of the record socket; the lesson lists three tests. It checks that
 *  - the tally keeps judge_parse.h's invariants: the tests lesson.meta
 *    listed are the only ones, unknown names are few, distinct and not
 *    among them, running points at a test or nowhere, the line buffer is
 *    never overrun, every message is terminated;
 *  - every line is accounted for: each one is a start, a pass or a fail of
 *    a listed test, a forgery, or names an unknown test;
 *  - the fields the record reader does not own are left alone;
 *  - reading the stream in pieces of any size gives the same tally as
 *    reading it at once (lines split across reads);
 *  - unescaping undoes the escaping of judge_proto.h, never writes past
 *    the buffer it is given, and marks the end of a text it had to cut. */
#include "fuzz.h"

#include <string.h>

#include "judge_parse.h"

static const char meta[] =
    "title = the lesson the records are for\n"
    "test = test_first 1\n"
    "test = test_second 2 guard\n"
    "test = test_third_one 3\n";
static const char nonce[] = "0123456789abcdef0123456789abcdef";

static judge_tally a, b; /* large: kept out of the stack */

static void prepare(judge_tally *j)
{
    memset(j, 0, sizeof *j);
    FILE *f = fuzz_stream((const uint8_t *)meta, sizeof meta - 1);
    FUZZ_CHECK(judge_read_meta(j, f) == 3);
    fclose(f);
    FUZZ_CHECK(strlen(nonce) == JUDGE_NONCE_LEN);
    memcpy(j->nonce, nonce, sizeof nonce);
}

static int known(const judge_tally *j, const char *name)
{
    for (int i = 0; i < j->ntests; i++)
        if (strcmp(j->tests[i].name, name) == 0)
            return 1;
    return 0;
}

static void check_tally(const judge_tally *j, const uint8_t *data, size_t size)
{
    FUZZ_CHECK(j->ntests == 3);
    FUZZ_CHECK(strcmp(j->tests[0].name, "test_first") == 0);
    FUZZ_CHECK(strcmp(j->tests[1].name, "test_second") == 0);
    FUZZ_CHECK(strcmp(j->tests[2].name, "test_third_one") == 0);
    FUZZ_CHECK(j->tests[1].guard && !j->tests[0].guard);
    FUZZ_CHECK(j->running == NULL ||
               (j->running >= j->tests && j->running < j->tests + j->ntests));
    FUZZ_CHECK(j->recused < sizeof j->recbuf);
    FUZZ_CHECK(j->forged >= 0);
    FUZZ_CHECK(strcmp(j->nonce, nonce) == 0);

    FUZZ_CHECK(j->nunknown >= 0 && j->nunknown <= JUDGE_MAX_UNKNOWN);
    for (int u = 0; u < j->nunknown; u++) {
        const char *name = j->unknown[u];
        FUZZ_CHECK(fuzz_terminated(name, sizeof j->unknown[u]));
        FUZZ_CHECK(strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                   strlen(name));
        FUZZ_CHECK(!known(j, name));
        for (int v = 0; v < u; v++)
            FUZZ_CHECK(strcmp(j->unknown[v], name) != 0);
    }

    long events = j->forged;
    for (int i = 0; i < j->ntests; i++) {
        const jtest *t = &j->tests[i];
        FUZZ_CHECK(t->starts >= 0 && t->passes >= 0 && t->fails >= 0);
        events += t->starts + t->passes + t->fails;
        FUZZ_CHECK(fuzz_terminated(t->msg, sizeof t->msg));
        FUZZ_CHECK(t->fails > 0 || t->msg[0] == '\0');
        /* judge.c's, not the record reader's. */
        FUZZ_CHECK(t->check_says[0] == '\0' && t->printed == 0 &&
                   t->lines == 0 && !t->stopped);
    }
    long lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    FUZZ_CHECK(events <= lines);
    if (j->nunknown == 0)
        FUZZ_CHECK(events == lines);
}

/* The same tally, but for the clock: t0 and secs say when records came. */
static void check_same(const judge_tally *x, const judge_tally *y)
{
    FUZZ_CHECK(x->ntests == y->ntests && x->nunknown == y->nunknown);
    FUZZ_CHECK(x->forged == y->forged && x->recused == y->recused &&
               x->reccut == y->reccut);
    FUZZ_CHECK(memcmp(x->recbuf, y->recbuf, x->recused) == 0);
    FUZZ_CHECK((x->running ? x->running - x->tests : -1) ==
               (y->running ? y->running - y->tests : -1));
    for (int u = 0; u < x->nunknown; u++)
        FUZZ_CHECK(strcmp(x->unknown[u], y->unknown[u]) == 0);
    for (int i = 0; i < x->ntests; i++) {
        const jtest *s = &x->tests[i], *t = &y->tests[i];
        FUZZ_CHECK(s->starts == t->starts && s->passes == t->passes &&
                   s->fails == t->fails && s->pid == t->pid);
        FUZZ_CHECK(strcmp(s->msg, t->msg) == 0);
    }
}

static void check_unescape(const uint8_t *data, size_t size)
{
    /* The input up to its first NUL, as a message would be. */
    const uint8_t *nul = memchr(data, '\0', size);
    size_t len = nul ? (size_t)(nul - data) : size;
    char *text = malloc(len + 1);
    char *escaped = malloc(4 * len + 1);
    char *back = malloc(len + 1);
    FUZZ_CHECK(text && escaped && back);
    memcpy(text, data, len);
    text[len] = '\0';

    fuzz_escape(text, len, escaped);
    judge_unescape(escaped, back, len + 1);
    FUZZ_CHECK(strcmp(back, text) == 0);

    /* The raw text, escapes cut in half included, into a buffer of every
     * size up to a little more than it needs: exactly that size, on the
     * heap, so that one byte too many is a heap overflow. */
    /* A text that does not fit is cut, and says so at its end when there
     * is room for the mark: what is left before the mark is a start of
     * the whole text. */
    char *whole = malloc(len + 1);
    FUZZ_CHECK(whole != NULL);
    FUZZ_CHECK(judge_unescape(text, whole, len + 1));
    static const char mark[] = JUDGE_CUT_MARK;
    for (size_t cap = 1; cap <= len + 2 && cap <= 64; cap++) {
        char *out = malloc(cap);
        FUZZ_CHECK(out != NULL);
        bool fitted = judge_unescape(text, out, cap);
        size_t n = strlen(out);
        FUZZ_CHECK(n < cap && n <= len);
        FUZZ_CHECK(fitted == (strlen(whole) < cap));
        if (fitted) {
            FUZZ_CHECK(strcmp(out, whole) == 0);
        } else if (cap > sizeof mark) {
            FUZZ_CHECK(n >= sizeof mark - 1 &&
                       strcmp(out + n - (sizeof mark - 1), mark) == 0);
            FUZZ_CHECK(memcmp(out, whole, n - (sizeof mark - 1)) == 0);
        } else {
            FUZZ_CHECK(memcmp(out, whole, n) == 0);
        }
        free(out);
    }
    free(whole);
    free(text);
    free(escaped);
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prepare(&a);
    judge_feed_records(&a, (const char *)data, size);
    check_tally(&a, data, size);

    /* Again, in pieces of 1 to 16 bytes chosen by the bytes themselves. */
    prepare(&b);
    for (size_t off = 0; off < size;) {
        size_t piece = 1 + (data[off] ^ (uint8_t)off) % 16;
        if (piece > size - off)
            piece = size - off;
        judge_feed_records(&b, (const char *)data + off, piece);
        off += piece;
    }
    check_same(&a, &b);

    check_unescape(data, size);
    return 0;
}
