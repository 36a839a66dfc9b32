/* gradebook_read.c - a strict reader of report.json for `coflow grade`.
 *
 * report.c writes one shape, and this reads exactly that shape:
 *
 *   {"version": 1, "status": "pass"|"fail", "max_score": N, "score": N,
 *    "tests": [{"name": "NN-slug: test_name", "status": "pass"|"fail"|
 *               "error", "score": N, "max_score": N,
 *               "execution_time": "0.002s", "message": "..."}, ...]}
 *
 * It is a recursive-descent reader of JSON (any whitespace, fields in any
 * order, every string escape including \uXXXX and surrogate pairs, the
 * whole number grammar, true/false/null recognised) that follows the shape
 * as it goes: each function reads one part of the report and says what it
 * expected where it found something else. The shape nests three deep, and
 * the reader never descends into anything the shape does not have, so
 * "[[[[..." is refused at its first bracket however deep it goes: there is
 * no recursion for an input to exhaust. Whatever the report says is then
 * checked against itself: points within 0..max, a failed test worth
 * nothing, the totals the sums of the tests, "pass" only if every test
 * passed.
 *
 * What a student could try, and why it does not work: a message is a
 * string, read to its closing quote by the same code whatever it holds, so
 * no "score" inside it is ever a field; a NUL or a raw control character
 * is not JSON and is refused, not taken for an end; a second "score" in a
 * test is refused, not one of the two believed; a number too big for an
 * int is refused by its digits, never converted. */
#include "gradebook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lesson.h"
#include "lesson_read.h"

/* Where the reader is, and the first thing that went wrong. */
typedef struct reader {
    const char *text; /* the whole file */
    size_t len;       /* its length */
    size_t pos;       /* the next byte to read */
    const char *name; /* the file, for the sentence */
    char *why;        /* the sentence goes here */
    size_t why_size;  /* its room */
} reader;

/* A string the reader keeps: the fields it needs are short. */
typedef struct kept {
    char s[256];   /* decoded, NUL-terminated */
    size_t len;    /* decoded length (a "\u0000" counts: s may hold NULs) */
    bool too_long; /* it did not fit in s */
} kept;

/* Writes the sentence: the file, the line and column of r->pos, what is
 * wrong there. Returns -1, for `return fail(...)`. */
static int fail(reader *r, const char *fmt, ...)
{
    int line = 1, column = 1;
    for (size_t i = 0; i < r->pos && i < r->len; i++) {
        column++;
        if (r->text[i] == '\n') {
            line++;
            column = 1;
        }
    }
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->why, r->why_size,
             "%s is not a report the tutor wrote: at line %d, column %d, %s.",
             r->name, line, column, what);
    return -1;
}

static void skip_ws(reader *r)
{
    while (r->pos < r->len && strchr(" \t\r\n", r->text[r->pos]) &&
           r->text[r->pos] != '\0')
        r->pos++;
}

static int peek(const reader *r)
{
    return r->pos < r->len ? (unsigned char)r->text[r->pos] : -1;
}

static bool starts(const reader *r, const char *word)
{
    size_t n = strlen(word);
    return r->len - r->pos >= n && memcmp(r->text + r->pos, word, n) == 0;
}

/* What is at r->pos, for a sentence: "a string", "an array", "true"... */
static const char *kind_at(const reader *r)
{
    int c = peek(r);
    if (c < 0)
        return "the end of the file";
    if (c == '{')
        return "an object";
    if (c == '[')
        return "an array";
    if (c == '"')
        return "a string";
    if (c == '-' || (c >= '0' && c <= '9'))
        return "a number";
    if (starts(r, "true"))
        return "true";
    if (starts(r, "false"))
        return "false";
    if (starts(r, "null"))
        return "null";
    if (c == '\0')
        return "a NUL byte";
    return "something that is not JSON";
}

/* Skips whitespace and reads @p c, or says what came instead. */
static int expect(reader *r, char c, const char *where)
{
    skip_ws(r);
    if (peek(r) != (unsigned char)c)
        return fail(r, "'%c' belongs %s, not %s", c, where, kind_at(r));
    r->pos++;
    return 0;
}

/* How many bytes the UTF-8 sequence at @p p (of @p n bytes left) takes,
 * or 0 if it is not one: cut short, overlong, a surrogate, past
 * U+10FFFF. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                            : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned cp = len == 1 ? c : len == 2 ? c & 31u : len == 3 ? c & 15u
                                                                : c & 7u;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 63u);
    }
    static const unsigned least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

/* The four hex digits at r->pos + at, or -1. */
static long hex4(const reader *r, size_t at)
{
    if (r->len - r->pos < at + 4)
        return -1;
    long v = 0;
    for (size_t i = 0; i < 4; i++) {
        char c = r->text[r->pos + at + i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Writes code point @p cp (at most U+10FFFF, no surrogate) as UTF-8 into
 * @p out; returns how many bytes. */
static size_t put_utf8(long cp, unsigned char *out)
{
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        out[i] = (unsigned char)(0x80 | (cp & 63));
    out[0] = (unsigned char)(lead[n] | cp);
    return n;
}

/* Reads the string at r->pos (called @p what in a sentence). Its decoded
 * bytes go to @p out unless it is NULL (a message: checked, not kept). */
static int read_string(reader *r, const char *what, kept *out)
{
    skip_ws(r);
    if (peek(r) != '"')
        return fail(r, "%s should be a string, not %s", what, kind_at(r));
    r->pos++;
    if (out) {
        out->len = 0;
        out->too_long = false;
    }
    for (;;) {
        if (r->pos >= r->len)
            return fail(r, "the file ends inside %s", what);
        unsigned char c = (unsigned char)r->text[r->pos];
        unsigned char bytes[4];
        size_t n = 1;
        if (c == '"') {
            r->pos++;
            break;
        } else if (c == '\\') {
            int e = r->pos + 1 < r->len ? r->text[r->pos + 1] : -1;
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
            const char *hit = e > 0 ? strchr(from, e) : NULL;
            if (hit) {
                bytes[0] = (unsigned char)to[hit - from];
                r->pos += 2;
            } else if (e == 'u') {
                long cp = hex4(r, 2);
                if (cp < 0)
                    return fail(r, "%s has a \\u without four hex digits",
                                what);
                r->pos += 6;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return fail(r, "%s has a low surrogate (\\u%04lX) with "
                                   "no high one before it",
                                what, cp);
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long low = starts(r, "\\u") ? hex4(r, 2) : -1;
                    if (low < 0xDC00 || low > 0xDFFF)
                        return fail(r, "%s has a high surrogate (\\u%04lX) "
                                       "with no low one after it",
                                    what, cp);
                    r->pos += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                n = put_utf8(cp, bytes);
            } else {
                return fail(r, "%s has an escape JSON does not have", what);
            }
        } else if (c < 0x20) {
            return fail(r, "%s holds a raw control character (byte 0x%02x), "
                           "which JSON writes escaped",
                        what, c);
        } else {
            n = utf8_len((const unsigned char *)r->text + r->pos,
                         r->len - r->pos);
            if (n == 0)
                return fail(r, "%s is not valid UTF-8", what);
            memcpy(bytes, r->text + r->pos, n);
            r->pos += n;
        }
        if (out && !out->too_long) {
            if (out->len + n < sizeof out->s) {
                memcpy(out->s + out->len, bytes, n);
                out->len += n;
            } else {
                out->too_long = true;
            }
        }
    }
    if (out)
        out->s[out->len] = '\0';
    return 0;
}

/* Reads the whole number at r->pos, 0 <= it <= @p most, into @p out. Any
 * JSON number is read to its end first, so that a sentence can say what
 * it was; none is converted before its digits are known to fit. */
static int read_whole(reader *r, const char *what, int most, int *out)
{
    skip_ws(r);
    size_t start = r->pos;
    int c = peek(r);
    if (c != '-' && !(c >= '0' && c <= '9'))
        return fail(r, "%s should be a whole number, not %s", what,
                    kind_at(r));
    bool negative = c == '-', fraction = false;
    if (negative)
        r->pos++;
    size_t digits = r->pos;
    while (peek(r) >= '0' && peek(r) <= '9')
        r->pos++;
    size_t ndigits = r->pos - digits;
    if (ndigits == 0)
        return fail(r, "%s has a '-' without digits", what);
    if (ndigits > 1 && r->text[digits] == '0')
        return fail(r, "%s has a leading zero, which JSON does not allow",
                    what);
    if (peek(r) == '.') {
        r->pos++;
        fraction = true;
        if (!(peek(r) >= '0' && peek(r) <= '9'))
            return fail(r, "%s has no digits after its '.'", what);
        while (peek(r) >= '0' && peek(r) <= '9')
            r->pos++;
    }
    if (peek(r) == 'e' || peek(r) == 'E') {
        r->pos++;
        fraction = true;
        if (peek(r) == '+' || peek(r) == '-')
            r->pos++;
        if (!(peek(r) >= '0' && peek(r) <= '9'))
            return fail(r, "%s has no digits in its exponent", what);
        while (peek(r) >= '0' && peek(r) <= '9')
            r->pos++;
    }
    int shown = (int)(r->pos - start < 24 ? r->pos - start : 24);
    const char *more = r->pos - start > 24 ? "..." : "";
    if (fraction)
        return fail(r, "%s is %.*s%s, not a whole number", what, shown,
                    r->text + start, more);
    if (negative)
        return fail(r, "%s is %.*s%s, below 0", what, shown, r->text + start,
                    more);
    long long v = 0;
    for (size_t i = 0; i < ndigits && v <= most; i++)
        v = v * 10 + (r->text[digits + i] - '0');
    if (v > most)
        return fail(r, "%s is %.*s%s, more than %d", what, shown,
                    r->text + start, more, most);
    *out = (int)v;
    return 0;
}

/* Steps to the next field of an object whose '{' has been read: returns 1
 * with its key and its ':' read (a key too long to keep is no field of
 * ours), 0 at the closing '}', -1 on an error. */
static int next_field(reader *r, bool *first, kept *key, const char *where)
{
    skip_ws(r);
    if (peek(r) == '}') {
        r->pos++;
        return 0;
    }
    if (!*first && expect(r, ',', where) < 0)
        return -1;
    *first = false;
    skip_ws(r);
    if (peek(r) != '"')
        return fail(r, "a field's name in quotes belongs %s, not %s", where,
                    kind_at(r));
    if (read_string(r, "a field's name", key) < 0 ||
        expect(r, ':', "after a field's name") < 0)
        return -1;
    return 1;
}

/* Which of @p names @p key is, or -1 (a NUL inside never matches). */
static int field_index(const kept *key, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!key->too_long && strlen(names[i]) == key->len &&
            memcmp(names[i], key->s, key->len) == 0)
            return i;
    return -1;
}

/* Says that @p key is not one of ours, printably. */
static int unknown_field(reader *r, const kept *key, const char *where)
{
    char shown[40];
    size_t o = 0;
    for (size_t i = 0; i < key->len && i < 32; i++)
        shown[o++] = key->s[i] >= 0x20 && key->s[i] < 0x7f ? key->s[i] : '?';
    shown[o] = '\0';
    return fail(r, "%s has a field \"%s%s\" that the tutor does not write",
                where, shown, key->too_long || key->len > 32 ? "..." : "");
}

/* One entry of "tests", as the gradebook needs it. */
typedef struct test_entry {
    kept name;   /* "NN-slug: test_name" */
    kept status; /* "pass", "fail" or "error" */
    int score, max;
} test_entry;

static bool is(const kept *t, const char *word)
{
    return t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

/* Splits "NN-slug: test_name" at its ": " into @p lesson; the slug is
 * [A-Za-z0-9_.-] (it goes into the gradebook's CSV and JSON unquoted) and
 * the test a name as lesson.meta has them, [A-Za-z0-9_]. */
static bool split_name(const kept *name, char *lesson, size_t size)
{
    const char *s = name->s, *sep = NULL;
    for (size_t i = 0; i + 1 < name->len; i++)
        if (s[i] == ':' && s[i + 1] == ' ')
            sep = s + i;
    if (name->too_long || !sep || sep - s < 4 || (size_t)(sep - s) >= size ||
        !(s[0] >= '0' && s[0] <= '9') || !(s[1] >= '0' && s[1] <= '9') ||
        s[2] != '-')
        return false;
    for (const char *c = s + 3; c < sep; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789_.-",
                    *c) ||
            *c == '\0')
            return false;
    const char *test = sep + 2, *end = s + name->len;
    if (test == end)
        return false;
    for (const char *c = test; c < end; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789_",
                    *c) ||
            *c == '\0')
            return false;
    memcpy(lesson, s, (size_t)(sep - s));
    lesson[sep - s] = '\0';
    return true;
}

/* Reads tests[@p index], an object with exactly the six fields. */
static int read_test(reader *r, int index, test_entry *t)
{
    static const char *const names[] = {"name", "status", "score",
                                        "max_score", "execution_time",
                                        "message"};
    char where[40], what[80];
    snprintf(where, sizeof where, "in tests[%d]", index);
    skip_ws(r);
    if (peek(r) != '{')
        return fail(r, "tests[%d] should be an object, not %s", index,
                    kind_at(r));
    r->pos++;
    bool seen[6] = {false}, first = true;
    kept key;
    int more;
    while ((more = next_field(r, &first, &key, where)) > 0) {
        int f = field_index(&key, names, 6);
        if (f < 0)
            return unknown_field(r, &key, where + 3);
        snprintf(what, sizeof what, "tests[%d].%s", index, names[f]);
        if (seen[f])
            return fail(r, "%s comes twice", what);
        seen[f] = true;
        int rc = f == 0   ? read_string(r, what, &t->name)
                 : f == 1 ? read_string(r, what, &t->status)
                 : f == 2 ? read_whole(r, what, TUTOR_MAX_POINTS, &t->score)
                 : f == 3 ? read_whole(r, what, TUTOR_MAX_POINTS, &t->max)
                          : read_string(r, what, NULL);
        if (rc < 0)
            return -1;
    }
    if (more < 0)
        return -1;
    for (int f = 0; f < 6; f++)
        if (!seen[f])
            return fail(r, "tests[%d] has no \"%s\"", index, names[f]);
    if (!is(&t->status, "pass") && !is(&t->status, "fail") &&
        !is(&t->status, "error"))
        return fail(r, "tests[%d].status is not \"pass\", \"fail\" or "
                       "\"error\"",
                    index);
    if (t->score > t->max)
        return fail(r, "tests[%d] scores %d of a max_score of %d", index,
                    t->score, t->max);
    if (!is(&t->status, "pass") && t->score != 0)
        return fail(r, "tests[%d] did not pass but scores %d", index,
                    t->score);
    return 0;
}

/* Adds @p t to its lesson's row, rows[*n - 1] or a new one: a report
 * lists each lesson's tests together. */
static int add_test(reader *r, int index, const test_entry *t,
                    gradebook_row *rows, int *n, int max_rows, int *in_row)
{
    char lesson[sizeof rows->lesson];
    if (!split_name(&t->name, lesson, sizeof lesson))
        return fail(r, "tests[%d].name is not \"NN-lesson: test_name\"",
                    index);
    for (int k = 0; k < *n - 1; k++)
        if (strcmp(rows[k].lesson, lesson) == 0)
            return fail(r, "tests[%d] is of lesson %s, whose tests ended "
                           "before",
                        index, lesson);
    if (*n == 0 || strcmp(rows[*n - 1].lesson, lesson) != 0) {
        if (*n == max_rows)
            return fail(r, "tests[%d] is of a lesson past the %d this "
                           "gradebook has room for",
                        index, max_rows);
        snprintf(rows[*n].lesson, sizeof rows[*n].lesson, "%s", lesson);
        rows[*n].points = rows[*n].max = 0;
        (*n)++;
        *in_row = 0;
    }
    if (++*in_row > TUTOR_MAX_TESTS)
        return fail(r, "lesson %s has more than %d tests", lesson,
                    TUTOR_MAX_TESTS);
    /* At most TUTOR_MAX_TESTS * TUTOR_MAX_POINTS: an int holds it. */
    rows[*n - 1].points += t->score;
    rows[*n - 1].max += t->max;
    return 0;
}

/* Reads "tests": an array of test objects, summed into @p rows. */
static int read_tests(reader *r, gradebook_row *rows, int max_rows, int *n,
                      bool *all_pass)
{
    skip_ws(r);
    if (peek(r) != '[')
        return fail(r, "tests should be an array, not %s", kind_at(r));
    r->pos++;
    int in_row = 0;
    for (int index = 0;; index++) {
        skip_ws(r);
        if (peek(r) == ']' && index == 0) {
            r->pos++;
            return 0;
        }
        test_entry t;
        if (read_test(r, index, &t) < 0 ||
            add_test(r, index, &t, rows, n, max_rows, &in_row) < 0)
            return -1;
        *all_pass &= is(&t.status, "pass");
        skip_ws(r);
        if (peek(r) == ']') {
            r->pos++;
            return 0;
        }
        if (expect(r, ',', "between two tests") < 0)
            return -1;
    }
}

int gradebook_parse_report(const char *name, const char *text, size_t len,
                           gradebook_row *rows, int max_rows, char *why,
                           size_t why_size)
{
    static const char *const names[] = {"version", "status", "max_score",
                                        "score", "tests"};
    reader r = {text, len, 0, name, why, why_size};
    why[0] = '\0';
    int n = 0, version = 0, score = 0, max = 0;
    bool seen[5] = {false}, first = true, all_pass = true;
    kept key, status = {.len = 0};
    skip_ws(&r);
    if (peek(&r) != '{')
        return fail(&r, "the report should be an object, not %s",
                    kind_at(&r));
    r.pos++;
    int more;
    while ((more = next_field(&r, &first, &key, "in the report")) > 0) {
        int f = field_index(&key, names, 5);
        if (f < 0)
            return unknown_field(&r, &key, "the report");
        if (seen[f])
            return fail(&r, "%s comes twice", names[f]);
        seen[f] = true;
        /* Summed over every lesson and test, the points still fit. */
        int most = TUTOR_MAX_LESSONS * TUTOR_MAX_TESTS * TUTOR_MAX_POINTS;
        int rc = f == 0   ? read_whole(&r, "version", 1000, &version)
                 : f == 1 ? read_string(&r, "status", &status)
                 : f == 2 ? read_whole(&r, "max_score", most, &max)
                 : f == 3 ? read_whole(&r, "score", most, &score)
                          : read_tests(&r, rows, max_rows, &n, &all_pass);
        if (rc < 0)
            return -1;
    }
    if (more < 0)
        return -1;
    skip_ws(&r);
    if (r.pos < r.len)
        return fail(&r, "%s follows the report's closing '}'", kind_at(&r));
    for (int f = 0; f < 5; f++)
        if (!seen[f])
            return fail(&r, "the report has no \"%s\"", names[f]);
    if (version != 1)
        return fail(&r, "it is version %d, and this tutor reads version 1",
                    version);
    if (!is(&status, "pass") && !is(&status, "fail"))
        return fail(&r, "its status is neither \"pass\" nor \"fail\"");
    if (n == 0)
        return fail(&r, "it lists no tests");
    long long sum = 0, sum_max = 0;
    for (int k = 0; k < n; k++) {
        sum += rows[k].points;
        sum_max += rows[k].max;
    }
    if (sum != score || sum_max != max)
        return fail(&r, "it says %d of %d points, but its tests add up to "
                        "%lld of %lld",
                    score, max, sum, sum_max);
    if (max == 0)
        return fail(&r, "its tests are worth no points at all");
    if (is(&status, "pass") && !all_pass)
        return fail(&r, "its status is \"pass\", but not every test passed");
    return n;
}

int gradebook_read_report(const char *path, gradebook_row *rows, int max_rows,
                          char *why, size_t why_size)
{
    /* O_NONBLOCK: a FIFO put where the report should be must not hang the
     * gradebook in open(); it is refused below as not a regular file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "%s cannot be read: %s.", path,
                 strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "%s is not a regular file.", path);
        close(fd);
        return -1;
    }
    /* Read to the end, but never more than one byte past the bound: the
     * file may be bigger than fstat said by the time it is read. */
    size_t cap = st.st_size > 0 && (unsigned long long)st.st_size <=
                                       GRADEBOOK_REPORT_MAX
                     ? (size_t)st.st_size + 1
                     : 4096;
    size_t len = 0;
    char *buf = malloc(cap);
    ssize_t got = 0;
    while (buf) {
        if (len == cap) {
            size_t grown = cap * 2 > GRADEBOOK_REPORT_MAX + 1u
                               ? GRADEBOOK_REPORT_MAX + 1u
                               : cap * 2;
            char *more = grown > cap ? realloc(buf, grown) : NULL;
            if (!more)
                break;
            buf = more;
            cap = grown;
        }
        got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    int err = errno;
    close(fd);
    int n = -1;
    if (!buf)
        snprintf(why, why_size, "%s cannot be read: out of memory.", path);
    else if (len > GRADEBOOK_REPORT_MAX)
        snprintf(why, why_size, "%s is larger than the %u MiB a report may "
                                "be, so it was not read.",
                 path, GRADEBOOK_REPORT_MAX >> 20);
    else if (got < 0)
        snprintf(why, why_size, "%s cannot be read: %s.", path,
                 strerror(err));
    else if (len == cap)
        snprintf(why, why_size, "%s cannot be read: out of memory.", path);
    else
        n = gradebook_parse_report(path, buf, len, rows, max_rows, why,
                                   why_size);
    free(buf);
    return n;
}
