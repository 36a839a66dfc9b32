/* report.c - JSON, JUnit XML and TAP writers. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One reported test: the lesson's tests, or one stand-in when it has none. */
typedef struct row {
    char name[200];
    const char *status; /* "pass" / "fail" / "error" */
    const char *message;
} row;

static int rows_of(const lesson *l, const grade *g, row *out, int max)
{
    static const char *verdicts[] = {
        [GRADE_BUILD_ERROR] = "the exercise does not compile",
        [GRADE_NO_RESULTS] = "the grader crashed or was stopped before "
                             "reporting (an endless loop, or exit() in the "
                             "exercise?)",
        [GRADE_TOOL_ERROR] = "the grader could not be built or run",
    };
    if (g->state == GRADE_PASSED || g->state == GRADE_FAILED) {
        int n = 0;
        for (int i = 0; i < g->ntests && n < max; i++, n++) {
            snprintf(out[n].name, sizeof out[n].name, "%s: %s", l->dir,
                     g->tests[i].name);
            out[n].status = g->tests[i].ok ? "pass" : "fail";
            out[n].message = g->tests[i].message;
        }
        return n;
    }
    snprintf(out[0].name, sizeof out[0].name, "%s: builds and runs", l->dir);
    out[0].status = "error";
    out[0].message = verdicts[g->state];
    return 1;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
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

#define MAX_ROWS 4096

int report_write(const char *dir, const lesson *ls, const grade *gs, int n)
{
    static row rows[MAX_ROWS];
    int nrows = 0, passed = 0;
    for (int i = 0; i < n; i++)
        nrows += rows_of(&ls[i], &gs[i], rows + nrows, MAX_ROWS - nrows);
    for (int i = 0; i < nrows; i++)
        passed += strcmp(rows[i].status, "pass") == 0;

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

    fprintf(json, "{\n  \"version\": 1,\n  \"status\": \"%s\",\n"
                  "  \"max_score\": %d,\n  \"score\": %d,\n  \"tests\": [",
            passed == nrows ? "pass" : "fail", nrows, passed);
    for (int i = 0; i < nrows; i++) {
        fprintf(json, "%s\n    {\"name\": ", i ? "," : "");
        json_string(json, rows[i].name);
        fprintf(json, ", \"status\": \"%s\", \"score\": %d, "
                      "\"max_score\": 1, \"message\": ",
                rows[i].status, strcmp(rows[i].status, "pass") == 0);
        json_string(json, rows[i].message ? rows[i].message : "");
        fputc('}', json);
    }
    fprintf(json, "\n  ]\n}\n");

    fprintf(junit, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<testsuites tests=\"%d\" failures=\"%d\">\n",
            nrows, nrows - passed);
    fprintf(junit, "  <testsuite name=\"coflow lessons\" tests=\"%d\" "
                   "failures=\"%d\">\n",
            nrows, nrows - passed);
    for (int i = 0; i < nrows; i++) {
        fputs("    <testcase classname=\"coflow\" name=\"", junit);
        xml_text(junit, rows[i].name);
        if (strcmp(rows[i].status, "pass") == 0) {
            fputs("\"/>\n", junit);
            continue;
        }
        fputs("\">\n      <failure message=\"", junit);
        xml_text(junit, rows[i].message ? rows[i].message : "");
        fputs("\"/>\n    </testcase>\n", junit);
    }
    fputs("  </testsuite>\n</testsuites>\n", junit);

    fprintf(tap, "TAP version 13\n1..%d\n", nrows);
    for (int i = 0; i < nrows; i++) {
        bool ok = strcmp(rows[i].status, "pass") == 0;
        fprintf(tap, "%s %d - %s\n", ok ? "ok" : "not ok", i + 1,
                rows[i].name);
        if (!ok && rows[i].message)
            fprintf(tap, "  # %s\n", rows[i].message);
    }

    int rc = 0;
    rc |= fclose(json);
    rc |= fclose(junit);
    rc |= fclose(tap);
    return rc ? -1 : 0;
}
