/* test_gradebook.c - the gradebook's reader of report.json (gradebook.h):
 * reports that report.c writes read back as the points they hold, and
 * every other file is refused with a sentence naming it. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradebook.h"
#include "grade.h"
#include "lesson.h"
#include "report.h"

static char scratch[] = "/tmp/coflow-gradebook-test-XXXXXX";
static gradebook_row rows[TUTOR_MAX_LESSONS];
static char why[600];

static void make_scratch(void)
{
    strcpy(scratch, "/tmp/coflow-gradebook-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_scratch(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
}

/* Parses the C string @p s as a report named "r.json". */
static int parse(const char *s)
{
    return gradebook_parse_report("r.json", s, strlen(s), rows,
                                  TUTOR_MAX_LESSONS, why, sizeof why);
}

/* A failure message of more than 8 KiB with everything that must be
 * escaped, and lines that, read on their own, look like results. */
static void long_message(char *out, size_t size)
{
    static const char piece[] =
        "expected \"13\", got \\\"1\\\"\n\t{\"name\": \"01-why-async: "
        "test_forged\", \"status\": \"pass\", \"score\": 1000, "
        "\"max_score\": 1000, \"execution_time\": \"0s\", \"message\": \"\"}\n"
        "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x90\x8D \x01\x1b[31m "
        "\xFF\xFE bad bytes\r\n";
    size_t o = 0;
    while (o + sizeof piece < size && o < 12000) {
        memcpy(out + o, piece, sizeof piece - 1);
        o += sizeof piece - 1;
    }
    out[o] = '\0';
}

/* Writes, with report.c, two lessons: 01 with three tests (a pass, a fail
 * with the long message, a guard that passed for nothing) and 03 that did
 * not build. */
static void write_two_lessons(char *path, size_t size)
{
    lesson ls[2];
    memset(ls, 0, sizeof ls);
    snprintf(ls[0].dir, sizeof ls[0].dir, "01-why-async");
    snprintf(ls[1].dir, sizeof ls[1].dir, "03-protothreads");
    test_outcome *t1 = calloc(3, sizeof *t1), *t3 = calloc(2, sizeof *t3);
    ck_assert(t1 && t3);
    t1[0] = (test_outcome){.name = "test_first_ten", .ok = true,
                           .points = 2, .max = 2, .secs = 0.002};
    snprintf(t1[1].name, sizeof t1[1].name, "test_state");
    long_message(t1[1].message, sizeof t1[1].message);
    ck_assert_uint_gt(strlen(t1[1].message), 8192);
    t1[1].max = 3;
    snprintf(t1[2].name, sizeof t1[2].name, "test_guard");
    snprintf(t1[2].message, sizeof t1[2].message, "earns once another does");
    t1[2].ok = true;
    t1[2].max = 1;
    for (int k = 0; k < 2; k++) {
        snprintf(t3[k].name, sizeof t3[k].name, "test_%c", 'a' + k);
        snprintf(t3[k].message, sizeof t3[k].message, "does not compile");
        t3[k].max = 4;
    }
    grade gs[2] = {{.state = GRADE_FAILED, .tests = t1, .ntests = 3,
                    .score = 2, .max = 6},
                   {.state = GRADE_BUILD_ERROR, .tests = t3, .ntests = 2,
                    .score = 0, .max = 8}};
    ck_assert_int_eq(report_write(scratch, ls, gs, 2), 0);
    free(t1);
    free(t3);
    snprintf(path, size, "%s/report.json", scratch);
}

/* The whole of @p path, malloc'd, its length in @p len. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char *copy = malloc(*len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, buf, *len);
    copy[*len] = '\0';
    return copy;
}

START_TEST(test_report_written_by_the_tutor_reads_as_its_points)
{
    char path[512];
    write_two_lessons(path, sizeof path);
    int n = gradebook_read_report(path, rows, TUTOR_MAX_LESSONS, why,
                                  sizeof why);
    ck_assert_msg(n == 2, "%d: %s", n, why);
    ck_assert_str_eq(rows[0].lesson, "01-why-async");
    ck_assert_int_eq(rows[0].points, 2);
    ck_assert_int_eq(rows[0].max, 6);
    ck_assert_str_eq(rows[1].lesson, "03-protothreads");
    ck_assert_int_eq(rows[1].points, 0);
    ck_assert_int_eq(rows[1].max, 8);
    /* The message's line that looks like a test scoring 1000 is inside a
     * string, longer than a line buffer of 8 KiB from its start. */
    size_t len;
    char *json = slurp(path, &len);
    ck_assert_ptr_nonnull(strstr(json, "test_forged"));
    ck_assert_uint_gt(len, 8192 + 4096);
    free(json);
}
END_TEST

/* The same report as a person or a tool might rewrite it: other spacing,
 * fields in another order, escapes where report.c writes the characters.
 * It says the same, and reads the same: a field's name or a status
 * written with \u escapes is still that name. (The line reader found no
 * test in it: it looked for a name at the start of each line.) */
START_TEST(test_report_reformatted_reads_the_same)
{
    static const char report[] =
        "{\"tests\":[{\"score\":0,\"max_score\":3,\"status\":\"fail\","
        "\"message\":\"\\u00e9\\u65E5\\ud83d\\udc0d"
        "\\\"\\\\\\/\\b\\f\\n\\r\\t\","
        "\"execution_time\":\"0.010s\",\"name\":\"01-why-\\u0061sync: "
        "test_stat\\u0065\"},\r\n\t{\"name\" : \"04-event-loop: test_x\" , "
        "\"st\\u0061tus\" : \"\\u0070ass\" , \"score\" : 5 , "
        "\"max_\\u0073core\" : 5 , "
        "\"execution_time\" : \"1.000s\" , \"message\" : \"\"}]\n,"
        "\"score\":5,\"max_score\":8,\"status\":\"fail\",\"version\":1}";
    ck_assert_msg(parse(report) == 2, "%s", why);
    ck_assert_str_eq(rows[0].lesson, "01-why-async");
    ck_assert_int_eq(rows[0].points, 0);
    ck_assert_int_eq(rows[0].max, 3);
    ck_assert_str_eq(rows[1].lesson, "04-event-loop");
    ck_assert_int_eq(rows[1].points, 5);
    ck_assert_int_eq(rows[1].max, 5);
}
END_TEST

/* Every cut of a real report before its closing brace is refused: the
 * line reader gave a cut file the points of the lines it still had. */
START_TEST(test_every_truncation_is_refused)
{
    char path[512];
    write_two_lessons(path, sizeof path);
    size_t len;
    char *json = slurp(path, &len);
    size_t close = len;
    while (close > 0 && json[close - 1] != '}')
        close--;
    ck_assert_uint_gt(close, 0);
    for (size_t cut = 0; cut < close; cut++) {
        int n = gradebook_parse_report("r.json", json, cut, rows,
                                       TUTOR_MAX_LESSONS, why, sizeof why);
        ck_assert_msg(n == -1, "cut at %zu of %zu was read as %d rows", cut,
                      len, n);
        ck_assert_msg(strncmp(why, "r.json ", 7) == 0, "%s", why);
    }
    ck_assert_int_eq(gradebook_parse_report("r.json", json, close, rows,
                                            TUTOR_MAX_LESSONS, why,
                                            sizeof why),
                     2);
    free(json);
}
END_TEST

/* A valid report with one thing changed; @p what must be in the
 * sentence. */
typedef struct bad_case {
    const char *report;
    const char *what;
} bad_case;

#define HEAD "{\"version\": 1, \"status\": \"fail\", \"max_score\": 3, "
#define TEST(name, status, score, max, message)                             \
    "{\"name\": \"" name "\", \"status\": \"" status "\", \"score\": " score \
    ", \"max_score\": " max ", \"execution_time\": \"0.001s\", "            \
    "\"message\": \"" message "\"}"

static const bad_case bad_cases[] = {
    {"", "should be an object, not the end of the file"},
    {"not json", "should be an object, not something that is not JSON"},
    {"<?xml version=\"1.0\"?><testsuites/>", "not JSON"},
    {"[1, 2, 3]", "should be an object, not an array"},
    {"TAP version 13\nok 1 - 01-x: test_a\n", "not JSON"},
    /* Wrong types. */
    {HEAD "\"score\": \"1\", \"tests\": []}", "score should be a whole "
                                              "number, not a string"},
    {HEAD "\"score\": 1, \"tests\": {}}", "tests should be an array, not an "
                                          "object"},
    {HEAD "\"score\": 1, \"tests\": [" TEST("01-x: test_a", "pass", "true",
                                            "3", "") "]}",
     "tests[0].score should be a whole number, not true"},
    {HEAD "\"score\": 1, \"tests\": [{\"name\": null}]}",
     "tests[0].name should be a string, not null"},
    {HEAD "\"score\": 1, \"tests\": [7]}", "tests[0] should be an object, "
                                           "not a number"},
    /* Extra, missing and repeated fields. */
    {HEAD "\"score\": 0, \"bonus\": 5, \"tests\": []}",
     "the report has a field \"bonus\" that the tutor does not write"},
    {HEAD "\"score\": 0, \"tests\": [{\"name\": \"01-x: test_a\", "
          "\"points\": 3}]}",
     "tests[0] has a field \"points\""},
    {HEAD "\"score\": 0, \"tests\": [{\"name\": \"01-x: test_a\", \"status\":"
          " \"fail\", \"score\": 0, \"max_score\": 3, \"message\": \"\"}]}",
     "tests[0] has no \"execution_time\""},
    {HEAD "\"tests\": [" TEST("01-x: test_a", "fail", "0", "3", "") "]}",
     "the report has no \"score\""},
    {HEAD "\"score\": 0, \"tests\": [{\"name\": \"01-x: test_a\", \"score\": "
          "0, \"score\": 3}]}",
     "tests[0].score comes twice"},
    {HEAD "\"score\": 0, \"score\": 3, \"tests\": []}", "score comes twice"},
    /* Points out of range or not adding up. */
    {HEAD "\"score\": 3, \"tests\": [" TEST("01-x: test_a", "pass",
                                            "99999999999999999999999",
                                            "3", "") "]}",
     "tests[0].score is 99999999999999999999999, more than 1000"},
    {HEAD "\"score\": 3, \"tests\": [" TEST("01-x: test_a", "pass", "-1", "3",
                                            "") "]}",
     "tests[0].score is -1, below 0"},
    {HEAD "\"score\": 3, \"tests\": [" TEST("01-x: test_a", "pass", "3.0",
                                            "3", "") "]}",
     "tests[0].score is 3.0, not a whole number"},
    {HEAD "\"score\": 3, \"tests\": [" TEST("01-x: test_a", "pass", "3e0",
                                            "3", "") "]}",
     "not a whole number"},
    {HEAD "\"score\": 3, \"tests\": [" TEST("01-x: test_a", "pass", "03", "3",
                                            "") "]}",
     "leading zero"},
    {HEAD "\"score\": 5, \"tests\": [" TEST("01-x: test_a", "pass", "5", "3",
                                            "") "]}",
     "tests[0] scores 5 of a max_score of 3"},
    {HEAD "\"score\": 3, \"tests\": [" TEST("01-x: test_a", "fail", "3", "3",
                                            "") "]}",
     "tests[0] did not pass but scores 3"},
    {HEAD "\"score\": 2, \"tests\": [" TEST("01-x: test_a", "pass", "3", "3",
                                            "") "]}",
     "it says 2 of 3 points, but its tests add up to 3 of 3"},
    {"{\"version\": 1, \"status\": \"pass\", \"max_score\": 3, \"score\": 0, "
     "\"tests\": [" TEST("01-x: test_a", "fail", "0", "3", "") "]}",
     "its status is \"pass\", but not every test passed"},
    {"{\"version\": 2, \"status\": \"fail\", \"max_score\": 3, \"score\": 0, "
     "\"tests\": [" TEST("01-x: test_a", "fail", "0", "3", "") "]}",
     "version 2"},
    {"{\"version\": 1, \"status\": \"fail\", \"max_score\": 0, \"score\": 0, "
     "\"tests\": []}",
     "it lists no tests"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "1",
                                            "") ", " TEST("02-y: test_b",
                                                          "fail", "0", "1", "")
          ", " TEST("01-x: test_c", "fail", "0", "1", "") "]}",
     "tests[2] is of lesson 01-x, whose tests ended before"},
    /* Names and statuses that report.c never writes. */
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "skip", "0", "3",
                                            "") "]}",
     "tests[0].status is not"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x test_a", "fail", "0", "3",
                                            "") "]}",
     "tests[0].name is not \"NN-lesson: test_name\""},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x\\\": test_a", "fail", "0",
                                            "3", "") "]}",
     "tests[0].name is not"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a\\u0000: x", "fail",
                                            "0", "3", "") "]}",
     "tests[0].name is not"},
    /* Strings that are not JSON strings. */
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "line\nbreak") "]}",
     "tests[0].message holds a raw control character (byte 0x0a)"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "\\x41") "]}",
     "tests[0].message has an escape JSON does not have"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "\\ud800 alone") "]}",
     "high surrogate"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "\\udc00") "]}",
     "low surrogate"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "\\u12g4") "]}",
     "\\u without four hex digits"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "\xC0\xAF overlong") "]}",
     "tests[0].message is not valid UTF-8"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "\xED\xA0\x80 surrogate") "]}",
     "not valid UTF-8"},
    /* JSON that is not well formed. */
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "") ",]}",
     "tests[1] should be an object, not something that is not JSON"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "") "],}",
     "a field's name in quotes belongs in the report"},
    {HEAD "\"score\": 0 \"tests\": []}", "',' belongs in the report"},
    {HEAD "\"score\": 0, \"tests\": [" TEST("01-x: test_a", "fail", "0", "3",
                                            "") "]} {}",
     "an object follows the report's closing '}'"},
    {HEAD "\"score\" 0, \"tests\": []}", "':' belongs after a field's name"},
};

START_TEST(test_a_file_that_is_not_a_report_is_refused)
{
    const bad_case *c = &bad_cases[_i];
    ck_assert_msg(parse(c->report) == -1, "read: %s", c->report);
    ck_assert_msg(strncmp(why, "r.json is not a report the tutor wrote: at "
                               "line ",
                          48) == 0,
                  "%s", why);
    ck_assert_msg(strstr(why, c->what) != NULL, "\"%s\" is not in: %s",
                  c->what, why);
    ck_assert_msg(why[strlen(why) - 1] == '.', "%s", why);
}
END_TEST

/* NUL bytes are not JSON: not inside a string (where a C string would end
 * early and hide the rest), and not after the report. */
START_TEST(test_nul_bytes_are_refused)
{
    static const char inside[] = HEAD "\"score\": 0, \"tests\": [" TEST(
        "01-x: test_a", "fail", "0", "3", "a\0b") "]}";
    ck_assert_int_eq(gradebook_parse_report("r.json", inside,
                                            sizeof inside - 1, rows, 99, why,
                                            sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "raw control character (byte 0x00)"), "%s",
                  why);
    static const char after[] = HEAD "\"score\": 0, \"tests\": [" TEST(
        "01-x: test_a", "fail", "0", "3", "") "]}\n\0";
    ck_assert_int_eq(gradebook_parse_report("r.json", after, sizeof after - 1,
                                            rows, 99, why, sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "a NUL byte follows the report"), "%s", why);
    /* Without the NUL it is a report: the test above is not refused for
     * something else. */
    ck_assert_int_eq(gradebook_parse_report("r.json", after, sizeof after - 2,
                                            rows, 99, why, sizeof why),
                     1);
}
END_TEST

/* Arrays nested a hundred thousand deep: refused at the first one, as
 * nothing the report has. */
START_TEST(test_deep_nesting_is_refused_without_recursion)
{
    size_t depth = 100000;
    char *s = malloc(sizeof HEAD + 40 + 2 * depth);
    ck_assert_ptr_nonnull(s);
    int o = sprintf(s, "%s\"score\": 0, \"tests\": [", HEAD);
    memset(s + o, '[', depth);
    memset(s + o + depth, ']', depth);
    strcpy(s + o + 2 * depth, "]}");
    ck_assert_int_eq(parse(s), -1);
    ck_assert_msg(strstr(why, "line 1, column 72, tests[0] should be an "
                              "object, not an array"),
                  "%s", why);
    free(s);
}
END_TEST

/* More lessons than there are rows for: refused, not cut. */
START_TEST(test_more_lessons_than_rows_are_refused)
{
    static const char two[] = HEAD "\"score\": 0, \"tests\": [" TEST(
        "01-x: test_a", "fail", "0", "1", "") ", " TEST("02-y: test_a",
                                                        "fail", "0", "2",
                                                        "") "]}";
    ck_assert_int_eq(gradebook_parse_report("r.json", two, strlen(two), rows,
                                            1, why, sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "past the 1 this gradebook has room for"), "%s",
                  why);
    ck_assert_int_eq(gradebook_parse_report("r.json", two, strlen(two), rows,
                                            2, why, sizeof why),
                     2);
}
END_TEST

START_TEST(test_missing_file_fifo_and_directory_are_refused)
{
    char path[600];
    snprintf(path, sizeof path, "%s/none.json", scratch);
    ck_assert_int_eq(gradebook_read_report(path, rows, 99, why, sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "none.json cannot be read: No such file"), "%s",
                  why);
    /* A FIFO with no writer: open() would wait for one without
     * O_NONBLOCK. */
    snprintf(path, sizeof path, "%s/fifo.json", scratch);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_int_eq(gradebook_read_report(path, rows, 99, why, sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "fifo.json is not a regular file."), "%s", why);
    ck_assert_int_eq(gradebook_read_report(scratch, rows, 99, why, sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "is not a regular file."), "%s", why);
}
END_TEST

/* A file past the bound is not read, however it starts; one at the bound
 * is read (and here refused as the spaces after the report it is). */
START_TEST(test_a_file_past_the_bound_is_not_read)
{
    char path[600];
    snprintf(path, sizeof path, "%s/big.json", scratch);
    static const char report[] = HEAD "\"score\": 0, \"tests\": [" TEST(
        "01-x: test_a", "fail", "0", "3", "") "]}";
    for (int extra = 0; extra <= 1; extra++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, report, sizeof report - 1),
                         (int)sizeof report - 1);
        /* Spaces up to the bound (plus one), which JSON allows. */
        static char spaces[1 << 16];
        memset(spaces, ' ', sizeof spaces);
        size_t left = GRADEBOOK_REPORT_MAX + (size_t)extra -
                      (sizeof report - 1);
        while (left > 0) {
            size_t n = left < sizeof spaces ? left : sizeof spaces;
            ck_assert_int_eq(write(fd, spaces, n), (int)n);
            left -= n;
        }
        close(fd);
        int n = gradebook_read_report(path, rows, 99, why, sizeof why);
        if (extra) {
            ck_assert_int_eq(n, -1);
            ck_assert_msg(strstr(why, "big.json is larger than the 64 MiB a "
                                      "report may be"),
                          "%s", why);
        } else {
            ck_assert_msg(n == 1, "%s", why);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gradebook");
    TCase *tc = tcase_create("report.json");
    tcase_add_checked_fixture(tc, make_scratch, remove_scratch);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_report_written_by_the_tutor_reads_as_its_points);
    tcase_add_test(tc, test_report_reformatted_reads_the_same);
    tcase_add_test(tc, test_every_truncation_is_refused);
    tcase_add_loop_test(tc, test_a_file_that_is_not_a_report_is_refused, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, test_nul_bytes_are_refused);
    tcase_add_test(tc, test_deep_nesting_is_refused_without_recursion);
    tcase_add_test(tc, test_more_lessons_than_rows_are_refused);
    tcase_add_test(tc, test_missing_file_fifo_and_directory_are_refused);
    tcase_add_test(tc, test_a_file_past_the_bound_is_not_read);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
