/* fuzz_judge_answer.c - the tutor's reader of the judge's --machine answer
 * (grade_parse_judge in lessons/tutor/grade.c) on any bytes. The answer
 * is the judge's, but every message in it comes from the student's code,
 * escaped. It checks that every test kept has a name and a message that
 * stay inside their fields, that the notes and the log are strings, that a
 * complete answer has a test, that grade_free frees all (LeakSanitizer),
 * and that a message escaped as judge_proto.h says reads back as it was. */
#include "fuzz.h"

#include <string.h>

#include "grade.h"

static void check_grade(const grade *g, int rc, const char *text)
{
    FUZZ_CHECK(g->ntests >= 0);
    FUZZ_CHECK(g->ntests == 0 || g->tests != NULL);
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(rc != 0 || g->ntests > 0);
    long test_lines = strncmp(text, "test ", 5) == 0;
    for (const char *p = strstr(text, "\ntest "); p; p = strstr(p + 1, "\ntest "))
        test_lines++;
    FUZZ_CHECK(g->ntests <= test_lines);
    for (int i = 0; i < g->ntests; i++) {
        const test_outcome *r = &g->tests[i];
        FUZZ_CHECK(fuzz_terminated(r->name, sizeof r->name));
        FUZZ_CHECK(r->name[0] != '\0' && !strpbrk(r->name, " \t\n"));
        FUZZ_CHECK(fuzz_terminated(r->message, sizeof r->message));
    }
    if (g->notes)
        FUZZ_CHECK(strlen(g->notes) > 0 &&
                   g->notes[strlen(g->notes) - 1] == '\n');
    if (g->log)
        FUZZ_CHECK(strlen(g->log) <= strlen(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The answer as the tutor holds it: a string. */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    grade g;
    memset(&g, 0, sizeof g);
    int rc = grade_parse_judge(text, &g);
    check_grade(&g, rc, text);
    grade_free(&g);

    /* The same bytes, up to a NUL, as one failed test's message. */
    size_t len = strlen(text);
    if (len > sizeof g.tests[0].message - 1)
        len = sizeof g.tests[0].message - 1;
    static const char head[] = "coflow-judge 1\ntest test_x 0 1 fail 0.125 ";
    static const char foot[] = "\nsummary 0 1 0 1\n";
    char *answer = malloc(sizeof head + 4 * len + sizeof foot);
    FUZZ_CHECK(answer != NULL);
    memcpy(answer, head, sizeof head - 1);
    size_t used = sizeof head - 1 +
                  fuzz_escape(text, len, answer + sizeof head - 1);
    memcpy(answer + used, foot, sizeof foot);
    memset(&g, 0, sizeof g);
    FUZZ_CHECK(grade_parse_judge(answer, &g) == 0);
    FUZZ_CHECK(g.ntests == 1 && !g.tests[0].ok && g.max == 1);
    FUZZ_CHECK(strcmp(g.tests[0].name, "test_x") == 0);
    FUZZ_CHECK(strlen(g.tests[0].message) == len &&
               memcmp(g.tests[0].message, text, len) == 0);
    grade_free(&g);
    free(answer);
    free(text);
    return 0;
}
