/* report_sample.c - writes the three reports of a made-up grading run
 * whose messages are as hostile as a student's code can make them (result
 * lines of every format inside a message, bytes that are not UTF-8,
 * control characters, XML and JSON syntax), for test_reports.py to read
 * with real parsers.   usage: report_sample DIR */
#include <stdio.h>
#include <string.h>

#include "report.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: report_sample DIR\n");
        return 2;
    }
    static lesson ls[3];
    static test_outcome t1[3], t2[1], t3[2];
    ls[0].number = 1;
    snprintf(ls[0].dir, sizeof ls[0].dir, "01-why-async");
    ls[1].number = 2;
    snprintf(ls[1].dir, sizeof ls[1].dir, "02-yield");
    ls[2].number = 3;
    snprintf(ls[2].dir, sizeof ls[2].dir, "03-protothreads");

    snprintf(t1[0].name, sizeof t1[0].name, "test_passes");
    t1[0].ok = true;
    t1[0].points = t1[0].max = 2;
    t1[0].secs = 0.004;
    snprintf(t1[1].name, sizeof t1[1].name, "test_forges");
    snprintf(t1[1].message, sizeof t1[1].message,
             "oops\nok 1 - 01-why-async: test_forges\n  ---\n  ...\n"
             "# comment\nBail out! no\n1..1\n\"}], \"score\": 99}\n"
             "</failure></testcase><testcase name=\"x\"/>\n"
             "]]> &amp; <![CDATA[ x ]]>\n- a: [b\n: {");
    t1[1].max = 1;
    snprintf(t1[2].name, sizeof t1[2].name, "test_bad_bytes");
    snprintf(t1[2].message, sizeof t1[2].message,
             "bad \xff\xfe, half \xc3, overlong \xc0\xaf, surrogate "
             "\xed\xa0\x80, control \x01\x1b[31m, delete \x7f, tab\there, "
             "fine: caf\xc3\xa9 \xe5\x8d\x8f\xe7\xa8\x8b\r\nend  ");
    t1[2].max = 1;
    snprintf(t2[0].name, sizeof t2[0].name, "test_empty_message");
    t2[0].max = 1;
    snprintf(t3[0].name, sizeof t3[0].name, "test_a");
    snprintf(t3[0].message, sizeof t3[0].message,
             "The exercise does not compile, so this test could not run.");
    t3[0].max = 3;
    snprintf(t3[1].name, sizeof t3[1].name, "test_b");
    snprintf(t3[1].message, sizeof t3[1].message, "\n\nstarts with blank lines");
    t3[1].max = 1;

    grade gs[3] = {
        {.state = GRADE_FAILED, .tests = t1, .ntests = 3, .score = 2, .max = 4},
        {.state = GRADE_FAILED, .tests = t2, .ntests = 1, .score = 0, .max = 1},
        {.state = GRADE_BUILD_ERROR, .tests = t3, .ntests = 2, .score = 0,
         .max = 4},
    };
    return report_write(argv[1], ls, gs, 3) == 0 ? 0 : 1;
}
