/* report.c - the reports an instructor's tools read: report.json (GitHub
 * Classroom's result shape), report.junit.xml (one testsuite per lesson)
 * and report.tap (TAP with the messages as YAML diagnostics).
 *
 * Every message comes from a grader, which holds student code, so none of
 * it is trusted as text: bytes that are not UTF-8 become U+FFFD, control
 * characters are escaped, and a message is always inside one JSON string,
 * one XML element or one YAML string, never on a line of its own where it
 * could pass for a result. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* How many bytes the UTF-8 sequence at @p p takes, or 0 if it is not
 * one (overlong forms, surrogates and values past U+10FFFF included). */
static int utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                         : (c >> 3) == 30 ? 4 : 0;
    for (int i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (len == 2 && c < 0xC2)
        return 0;
    if (len == 3) {
        unsigned cp = ((c & 15u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
    }
    if (len == 4) {
        unsigned cp = ((c & 7u) << 18) | ((p[1] & 63u) << 12) |
                      ((p[2] & 63u) << 6) | (p[3] & 63u);
        if (cp < 0x10000 || cp > 0x10FFFF)
            return 0;
    }
    return len;
}

enum text_kind { AS_JSON, AS_XML, AS_YAML };

/* Writes @p s as valid UTF-8 in the form @p kind needs: JSON string
 * contents, XML text or attribute contents (@p attr), or YAML
 * double-quoted string contents. */
static void put_text(FILE *f, const char *s, enum text_kind kind, int attr)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        int len = utf8_len(p);
        if (len == 0) {
            fputs("\xEF\xBF\xBD", f); /* U+FFFD, the replacement character */
            p++;
            continue;
        }
        unsigned char c = *p;
        if (len > 1) {
            fwrite(p, 1, (size_t)len, f);
        } else if (kind == AS_JSON) {
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\t')
                fputs("\\t", f);
            else if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        } else if (kind == AS_XML) {
            if (c == '<')
                fputs("&lt;", f);
            else if (c == '>')
                fputs("&gt;", f);
            else if (c == '&')
                fputs("&amp;", f);
            else if (c == '"')
                fputs("&quot;", f);
            else if (attr && c == '\n')
                fputs("&#10;", f);
            else if (attr && c == '\t')
                fputs("&#9;", f);
            else if (c < 0x20 && c != '\n' && c != '\t')
                fprintf(f, "\\x%02x", c); /* XML 1.0 cannot hold these */
            else if (c == 0x7f)
                fputs("\\x7f", f);
            else
                fputc(c, f);
        } else {
            /* The escapes YAML and Perl's TAP::Parser both read. */
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\t')
                fputs("\\t", f);
            else if (c == '\r')
                fputs("\\r", f);
            else if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\x%02x", c);
            else
                fputc(c, f);
        }
        p += len;
    }
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
    return f;
}

/* What a test's row says when the lesson could not be graded at all. */
static bool is_error(const grade *g)
{
    return g->state == GRADE_BUILD_ERROR || g->state == GRADE_TOOL_ERROR ||
           g->state == GRADE_NO_RESULTS;
}

static const char *status_of(const grade *g, const test_outcome *r)
{
    return r->ok ? "pass" : is_error(g) ? "error" : "fail";
}

static void write_json(FILE *f, const lesson *ls, const grade *gs, int n,
                       int score, int max, bool all)
{
    fprintf(f, "{\n  \"version\": 1,\n  \"status\": \"%s\",\n"
               "  \"max_score\": %d,\n  \"score\": %d,\n  \"tests\": [",
            all ? "pass" : "fail", max, score);
    bool comma = false;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < gs[i].ntests; k++) {
            const test_outcome *r = &gs[i].tests[k];
            fprintf(f, "%s\n    {\"name\": \"", comma ? "," : "");
            put_text(f, ls[i].dir, AS_JSON, 0);
            fputs(": ", f);
            put_text(f, r->name, AS_JSON, 0);
            fprintf(f, "\", \"status\": \"%s\", \"score\": %d, "
                       "\"max_score\": %d, \"execution_time\": \"%.3fs\", "
                       "\"message\": \"",
                    status_of(&gs[i], r), r->points, r->max, r->secs);
            put_text(f, r->message, AS_JSON, 0);
            fputs("\"}", f);
            comma = true;
        }
    }
    fprintf(f, "\n  ]\n}\n");
}

static void write_junit(FILE *f, const lesson *ls, const grade *gs, int n)
{
    int tests = 0, failures = 0, errors = 0;
    double time = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < gs[i].ntests; k++) {
            tests++;
            time += gs[i].tests[k].secs;
            if (!gs[i].tests[k].ok)
                *(is_error(&gs[i]) ? &errors : &failures) += 1;
        }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"coflow lessons\" tests=\"%d\" "
               "failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
            tests, failures, errors, time);
    for (int i = 0; i < n; i++) {
        const grade *g = &gs[i];
        int lf = 0, le = 0;
        double lt = 0;
        for (int k = 0; k < g->ntests; k++) {
            lt += g->tests[k].secs;
            if (!g->tests[k].ok)
                *(is_error(g) ? &le : &lf) += 1;
        }
        fputs("  <testsuite name=\"", f);
        put_text(f, ls[i].dir, AS_XML, 1);
        fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
                   "skipped=\"0\" time=\"%.3f\">\n",
                g->ntests, lf, le, lt);
        for (int k = 0; k < g->ntests; k++) {
            const test_outcome *r = &g->tests[k];
            fputs("    <testcase classname=\"lessons.", f);
            put_text(f, ls[i].dir, AS_XML, 1);
            fputs("\" name=\"", f);
            put_text(f, r->name, AS_XML, 1);
            fprintf(f, "\" time=\"%.3f\"", r->secs);
            if (r->ok) {
                fputs("/>\n", f);
                continue;
            }
            const char *tag = is_error(g) ? "error" : "failure";
            /* The first line as the attribute, the whole text as the
             * body, where its newlines survive. */
            char first[300];
            snprintf(first, sizeof first, "%.*s",
                     (int)strcspn(r->message, "\n"), r->message);
            fprintf(f, ">\n      <%s message=\"", tag);
            put_text(f, first, AS_XML, 1);
            fprintf(f, "\" type=\"%s\">", tag);
            put_text(f, r->message, AS_XML, 0);
            fprintf(f, "</%s>\n    </testcase>\n", tag);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
}

/* TAP version 13, not 14: the harnesses in use (Perl's prove 3.44 on
 * Debian 12) refuse a "version 14" line, and nothing here needs 14 (no
 * subtests). The YAML diagnostics are what TAP 13 and 14 share. */
static void write_tap(FILE *f, const lesson *ls, const grade *gs, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += gs[i].ntests;
    /* pragma +strict: a consumer must refuse any line that is not TAP. */
    fprintf(f, "TAP version 13\npragma +strict\n1..%d\n", total);
    int number = 0;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < gs[i].ntests; k++) {
            const test_outcome *r = &gs[i].tests[k];
            /* Lesson folders and test names are [0-9a-z_-]: no '#', which
             * would start a directive. */
            fprintf(f, "%s %d - %s: %s\n", r->ok ? "ok" : "not ok", ++number,
                    ls[i].dir, r->name);
            fprintf(f, "  ---\n  points: %d\n  max: %d\n  time: %.3f\n",
                    r->points, r->max, r->secs);
            /* One double-quoted line, its newlines escaped: no line of the
             * message can pass for a TAP line. */
            fputs("  message: \"", f);
            put_text(f, r->message, AS_YAML, 0);
            fputs("\"\n  ...\n", f);
        }
    }
}

int report_write(const char *dir, const lesson *ls, const grade *gs, int n)
{
    int score = 0, max = 0;
    bool all = true;
    for (int i = 0; i < n; i++) {
        score += gs[i].score;
        max += gs[i].max;
        all &= gs[i].state == GRADE_PASSED;
    }
    FILE *json = open_in(dir, "report.json");
    FILE *junit = open_in(dir, "report.junit.xml");
    FILE *tap = open_in(dir, "report.tap");
    if (!json || !junit || !tap) {
        if (json)
            fclose(json);
        if (junit)
            fclose(junit);
        if (tap)
            fclose(tap);
        return -1;
    }
    write_json(json, ls, gs, n, score, max, all);
    write_junit(junit, ls, gs, n);
    write_tap(tap, ls, gs, n);
    int rc = 0;
    rc |= fclose(json);
    rc |= fclose(junit);
    rc |= fclose(tap);
    return rc ? -1 : 0;
}
