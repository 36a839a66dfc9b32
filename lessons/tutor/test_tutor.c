/* test_tutor.c - the tutor's own pieces: reading Check's TAP, explaining
 * compiler errors, lesson.meta, progress, and the classroom reports. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade.h"
#include "lesson.h"
#include "report.h"

static char scratch[] = "/tmp/coflow-tutor-test-XXXXXX";

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s was not written", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_judge_answer_gives_points_and_messages)
{
    const char *answer = "coflow-judge 1\n"
                         "test test_first_ten 1 1 pass 0.002 \n"
                         "test test_state 0 2 fail 0.010 expected 13, got 1\n"
                         "note 1 line on the grader\\x27s result channel\n"
                         "log Running suite(s)\\nend\n"
                         "summary 1 3 1 2\n";
    grade g;
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(grade_parse_judge(answer, &g), 0);
    ck_assert_int_eq(g.ntests, 2);
    ck_assert(g.tests[0].ok);
    ck_assert_str_eq(g.tests[0].name, "test_first_ten");
    ck_assert_str_eq(g.tests[0].message, "");
    ck_assert(!g.tests[1].ok);
    ck_assert_int_eq(g.tests[1].points, 0);
    ck_assert_int_eq(g.tests[1].max, 2);
    ck_assert_str_eq(g.tests[1].message, "expected 13, got 1");
    ck_assert_int_eq(g.score, 1);
    ck_assert_int_eq(g.max, 3);
    ck_assert_str_eq(g.notes, "1 line on the grader's result channel\n");
    ck_assert_str_eq(g.log, "Running suite(s)\nend");
    grade_free(&g);
}
END_TEST

/* Finding 3 of issue 15: a failure message with result lines inside it
 * made up results. The judge escapes its newlines, so it stays one
 * message of one test. */
START_TEST(test_judge_message_with_result_lines_stays_one_message)
{
    const char *answer =
        "coflow-judge 1\n"
        "test test_trace 0 1 fail 0.001 oops\\nok 1 - t.c:c:test_x: "
        "Passed\\ntest test_y 5 5 pass 0 \\nsummary 5 5 1 1\n"
        "summary 0 1 0 1\n";
    grade g;
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(grade_parse_judge(answer, &g), 0);
    ck_assert_int_eq(g.ntests, 1);
    ck_assert(!g.tests[0].ok);
    ck_assert_str_eq(g.tests[0].message,
                     "oops\nok 1 - t.c:c:test_x: Passed\ntest test_y 5 5 "
                     "pass 0 \nsummary 5 5 1 1");
    ck_assert_int_eq(g.score, 0);
    ck_assert_int_eq(g.max, 1);
    grade_free(&g);
}
END_TEST

/* A lesson of two tests, a (1 point) and b (2 points), as lesson.meta
 * would give it. */
static lesson two_test_lesson(void)
{
    lesson l;
    memset(&l, 0, sizeof l);
    l.number = 99;
    snprintf(l.dir, sizeof l.dir, "99-two");
    snprintf(l.tests[0].name, sizeof l.tests[0].name, "test_a");
    l.tests[0].points = 1;
    snprintf(l.tests[1].name, sizeof l.tests[1].name, "test_b");
    l.tests[1].points = 2;
    l.ntests = 2;
    l.max_score = 3;
    return l;
}

/* Reads @p answer and checks it against two_test_lesson(); returns what
 * grade_check_judged returned, with the score in *score and the first
 * test's message in msg. */
static int check_answer(const char *answer, int *score, char *msg,
                        size_t size)
{
    lesson l = two_test_lesson();
    grade g;
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(grade_parse_judge(answer, &g), 0);
    int rc = grade_check_judged(&g, &l);
    *score = g.score;
    ck_assert_int_eq(g.ntests, 2);
    size_t n = strlen(g.tests[0].message);
    if (n >= size)
        n = size - 1;
    memcpy(msg, g.tests[0].message, n);
    msg[n] = '\0';
    grade_free(&g);
    return rc;
}

START_TEST(test_judged_results_must_match_lesson_meta)
{
    int score;
    char msg[700];
    /* What lesson.meta promises: taken as it is. */
    ck_assert_int_eq(check_answer("coflow-judge 1\n"
                                  "test test_a 1 1 pass 0 \n"
                                  "test test_b 0 2 fail 0 wrong\n"
                                  "summary 1 3 1 2\n", &score, msg,
                                  sizeof msg), 0);
    ck_assert_int_eq(score, 1);
    ck_assert_str_eq(msg, "");
    static const struct {
        const char *answer, *names;
    } bad[] = {
        {"coflow-judge 1\ntest test_a 5 1 pass 0 \n"
         "test test_b 2 2 pass 0 \nsummary 7 3 2 2\n", "test_a earning 5"},
        {"coflow-judge 1\ntest test_a 1 1 pass 0 \n"
         "test test_z 2 2 pass 0 \nsummary 3 3 2 2\n",
         "test_z, which lesson.meta does not list"},
        {"coflow-judge 1\ntest test_a 1 1 pass 0 \n"
         "test test_a 1 1 pass 0 \nsummary 2 3 2 2\n", "test_a twice"},
        {"coflow-judge 1\ntest test_a 1 1 pass 0 \n"
         "test test_b 2 2 pass 0 \nsummary 30 3 2 2\n", "a score of 30"},
        {"coflow-judge 1\ntest test_a 1 1 fail 0 no\n"
         "test test_b 0 2 fail 0 no\nsummary 1 3 0 2\n", "test_a earning 1"},
        {"coflow-judge 1\ntest test_a 1 5 pass 0 \n"
         "test test_b 2 2 pass 0 \nsummary 3 7 2 2\n",
         "2 tests worth 7 points"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(check_answer(bad[i].answer, &score, msg, sizeof msg),
                         -1);
        ck_assert_int_eq(score, 0);
        ck_assert_msg(strstr(msg, "do not match lesson.meta") &&
                          strstr(msg, bad[i].names),
                      "case %zu: the message names the difference: %s", i,
                      msg);
    }
}
END_TEST

START_TEST(test_judge_answer_that_is_cut_short_is_refused)
{
    grade g;
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(grade_parse_judge("", &g), -1);
    grade_free(&g);
    ck_assert_int_eq(
        grade_parse_judge("coflow-judge 1\ntest test_a 1 1 pass 0 \n", &g),
        -1);
    grade_free(&g);
    ck_assert_int_eq(grade_parse_judge("ok 1 - t.c:c:test_a: Passed\n", &g),
                     -1);
    grade_free(&g);
}
END_TEST

START_TEST(test_duplicate_case_value_is_explained)
{
    char out[2048];
    int n = grade_explain("exercise.c:12:5: error: duplicate case value\n",
                          out, sizeof out);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(strstr(out, "same source line") != NULL, "got: %s", out);
}
END_TEST

START_TEST(test_case_label_outside_switch_is_explained)
{
    char out[2048];
    int n = grade_explain("x.c:3:1: error: case label not within a switch "
                          "statement\n",
                          out, sizeof out);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(strstr(out, "CO_BEGIN") != NULL, "got: %s", out);
}
END_TEST

START_TEST(test_implicit_declaration_and_pointer_types_are_explained)
{
    char out[4096];
    int n = grade_explain(
        "a.c:1: error: implicit declaration of function 'co_sleep'\n"
        "a.c:2: error: passing argument 1 of 'co_create_task' from "
        "incompatible pointer type\n",
        out, sizeof out);
    ck_assert_int_eq(n, 2);
    ck_assert_msg(strstr(out, "#include") || strstr(out, "<coflow.h>"),
                  "got: %s", out);
    ck_assert_msg(strstr(out, "&frame->co") != NULL, "got: %s", out);
}
END_TEST

START_TEST(test_a_timeout_or_a_crash_is_put_in_plain_words)
{
    const char *hang = grade_plain_words("Test timeout expired");
    ck_assert_ptr_nonnull(hang);
    ck_assert_msg(strstr(hang, "endless loop") != NULL, "got: %s", hang);
    ck_assert_msg(strstr(hang, "CO_SLEEP") != NULL, "got: %s", hang);
    const char *crash =
        grade_plain_words("Received signal 11 (Segmentation fault)");
    ck_assert_ptr_nonnull(crash);
    ck_assert_msg(strstr(crash, "NULL pointer") != NULL, "got: %s", crash);
    ck_assert_ptr_null(grade_plain_words("expected 13, got 1"));
}
END_TEST

START_TEST(test_undeclared_and_multiple_definition_are_explained)
{
    char out[4096];
    int n = grade_explain(
        "exercise.c:9:12: error: 'total' undeclared (first use in this "
        "function)\n"
        "/usr/bin/ld: exercise.c.o: multiple definition of `grade_main'\n",
        out, sizeof out);
    ck_assert_int_eq(n, 2);
    ck_assert_msg(strstr(out, "never declared") != NULL, "got: %s", out);
    ck_assert_msg(strstr(out, "defined twice") != NULL, "got: %s", out);
}
END_TEST

START_TEST(test_unknown_compiler_message_gets_no_explanation)
{
    char out[256];
    ck_assert_int_eq(grade_explain("error: something else\n", out, sizeof out),
                     0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_lessons_are_found_in_order_with_their_hints)
{
    char path[512];
    snprintf(path, sizeof path, "%s/lessons/10-later", scratch);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/lessons/02-yield", scratch);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/lessons/grader", scratch);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/lessons/02-yield/lesson.meta", scratch);
    write_text(path, "# a comment\n"
                     "title = Generators by hand\n"
                     "notes = yield\n"
                     "hint = a nudge\n"
                     "hint = nearly the answer\n"
                     "colour = ignored\n");
    snprintf(path, sizeof path, "%s/lessons/02-yield/exercise.c", scratch);
    write_text(path, "int x;\n");

    lesson ls[8];
    int n = lessons_load(scratch, ls, 8);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(ls[0].number, 2);
    ck_assert_str_eq(ls[0].title, "Generators by hand");
    ck_assert_int_eq(ls[0].nhints, 2);
    ck_assert_str_eq(ls[0].hints[1], "nearly the answer");
    ck_assert(ls[0].has_exercise);
    ck_assert(!ls[0].has_solution);
    ck_assert_int_eq(ls[1].number, 10);
    ck_assert_str_eq(ls[1].title, "later"); /* no lesson.meta: the slug */
    ck_assert_ptr_eq(lessons_find(ls, n, 10), &ls[1]);
    ck_assert_ptr_null(lessons_find(ls, n, 3));
    lessons_free(ls, n);
}
END_TEST

/* Finding 10 of issue 15: progress kept in build/ was lost with it. It is
 * saved in a folder of its own, which saving creates. */
START_TEST(test_progress_survives_a_save_and_load)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.coflow/progress", scratch);
    progress p;
    ck_assert(!progress_load(path, &p));
    ck_assert(!p.done[3]);
    p.done[3] = true;
    p.hints[5] = 2;
    ck_assert_int_eq(progress_save(path, &p), 0);
    progress q;
    ck_assert(progress_load(path, &q));
    ck_assert(q.done[3]);
    ck_assert(!q.done[4]);
    ck_assert_int_eq(q.hints[5], 2);
    ck_assert_int_eq(q.hints[3], 0);
}
END_TEST

/* Two lessons: 01 graded (one test passes, one fails with a message of
 * two lines that holds a fake TAP line and bytes that are not UTF-8), 03
 * does not build (its two tests are errors, still worth their points). */
static void two_lessons(lesson ls[2], grade gs[2], test_outcome t1[2],
                        test_outcome t3[2])
{
    memset(ls, 0, 2 * sizeof *ls);
    ls[0].number = 1;
    snprintf(ls[0].dir, sizeof ls[0].dir, "01-why-async");
    ls[1].number = 3;
    snprintf(ls[1].dir, sizeof ls[1].dir, "03-protothreads");
    memset(t1, 0, 2 * sizeof *t1);
    memset(t3, 0, 2 * sizeof *t3);
    snprintf(t1[0].name, sizeof t1[0].name, "test_ok");
    t1[0].ok = true;
    t1[0].points = t1[0].max = 1;
    snprintf(t1[1].name, sizeof t1[1].name, "test_bad");
    snprintf(t1[1].message, sizeof t1[1].message,
             "expected \"13\" <&>,\nok 9 - forged: Passed \xff\xc3 end");
    t1[1].max = 2;
    snprintf(t3[0].name, sizeof t3[0].name, "test_a");
    snprintf(t3[0].message, sizeof t3[0].message, "does not compile");
    t3[0].max = 1;
    snprintf(t3[1].name, sizeof t3[1].name, "test_b");
    snprintf(t3[1].message, sizeof t3[1].message, "does not compile");
    t3[1].max = 1;
    memset(gs, 0, 2 * sizeof *gs);
    gs[0] = (grade){.state = GRADE_FAILED, .tests = t1, .ntests = 2,
                    .score = 1, .max = 3};
    gs[1] = (grade){.state = GRADE_BUILD_ERROR, .tests = t3, .ntests = 2,
                    .score = 0, .max = 2};
}

START_TEST(test_report_counts_points_and_escapes_messages)
{
    lesson ls[2];
    grade gs[2];
    test_outcome t1[2], t3[2];
    two_lessons(ls, gs, t1, t3);
    ck_assert_int_eq(report_write(scratch, ls, gs, 2), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/report.json", scratch);
    const char *json = read_text(path);
    ck_assert_msg(strstr(json, "\"max_score\": 5,") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"score\": 1,") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"status\": \"fail\"") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "expected \\\"13\\\" <&>,\\nok 9") != NULL,
                  "%s", json);
    ck_assert_msg(strstr(json, "Passed \xEF\xBF\xBD\xEF\xBF\xBD end") != NULL,
                  "%s", json);
    ck_assert_msg(strstr(json, "\"name\": \"03-protothreads: test_b\", "
                               "\"status\": \"error\", \"score\": 0, "
                               "\"max_score\": 1") != NULL,
                  "%s", json);
    snprintf(path, sizeof path, "%s/report.junit.xml", scratch);
    const char *xml = read_text(path);
    ck_assert_msg(strstr(xml, "<testsuite name=\"01-why-async\" tests=\"2\" "
                              "failures=\"1\" errors=\"0\"") != NULL,
                  "%s", xml);
    ck_assert_msg(strstr(xml, "<testsuite name=\"03-protothreads\" tests=\"2\" "
                              "failures=\"0\" errors=\"2\"") != NULL,
                  "%s", xml);
    ck_assert_msg(strstr(xml, "classname=\"lessons.01-why-async\" "
                              "name=\"test_bad\"") != NULL,
                  "%s", xml);
    ck_assert_msg(strstr(xml, "type=\"failure\">expected &quot;13&quot; "
                              "&lt;&amp;&gt;,\nok 9") != NULL,
                  "%s", xml);
    snprintf(path, sizeof path, "%s/report.tap", scratch);
    const char *tap = read_text(path);
    ck_assert_msg(strstr(tap, "TAP version 13\npragma +strict\n1..4\n"
                              "ok 1 - 01-why-async: test_ok\n") != NULL,
                  "%s", tap);
    ck_assert_msg(strstr(tap, "\nnot ok 4 - 03-protothreads: test_b\n") != NULL,
                  "%s", tap);
    ck_assert_msg(strstr(tap, "\n  message: \"expected \\\"13\\\" <&>,\\nok 9 "
                              "- forged") != NULL,
                  "%s", tap);
    ck_assert_msg(strstr(tap, "\nok 9") == NULL, "a forged TAP line: %s", tap);
}
END_TEST

START_TEST(test_report_of_all_passes_says_pass)
{
    lesson ls[1];
    memset(ls, 0, sizeof ls);
    ls[0].number = 1;
    snprintf(ls[0].dir, sizeof ls[0].dir, "01-why-async");
    test_outcome tests[1] = {{.name = "test_ok", .ok = true, .points = 1,
                              .max = 1}};
    grade gs[1] = {{.state = GRADE_PASSED, .tests = tests, .ntests = 1,
                    .score = 1, .max = 1}};
    ck_assert_int_eq(report_write(scratch, ls, gs, 1), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/report.json", scratch);
    ck_assert(strstr(read_text(path), "\"status\": \"pass\"") != NULL);
}
END_TEST

START_TEST(test_run_command_collects_output_and_status)
{
    run_frame r;
    char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    ck_assert_int_eq(run_capture(&r, argv, NULL, 30), 0);
    ck_assert_int_eq(r.status, 3);
    ck_assert(!r.timed_out);
    ck_assert_msg(strstr(r.output, "out\n") && strstr(r.output, "err\n"),
                  "got: %s", r.output);
    free(r.output);
}
END_TEST

START_TEST(test_run_command_kills_a_child_that_hangs)
{
    run_frame r;
    char *argv[] = {"sh", "-c", "echo started; exec sleep 600", NULL};
    /* The kill comes on the real clock, and "started" must be written
     * before it: 2 s leaves a loaded machine (or valgrind) time to start
     * a shell; nothing but a timer can stand for a hang here. */
    ck_assert_int_eq(run_capture(&r, argv, NULL, 2), 0);
    ck_assert(r.timed_out);
    ck_assert_int_eq(r.status, 128 + 9);
    ck_assert(strstr(r.output, "started") != NULL);
    free(r.output);
}
END_TEST

START_TEST(test_run_command_output_of_a_silent_child_is_empty)
{
    run_frame r;
    char *argv[] = {"true", NULL};
    ck_assert_int_eq(run_capture(&r, argv, NULL, 30), 0);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.len, 0);
    ck_assert_str_eq(r.output, "");
    free(r.output);
}
END_TEST

START_TEST(test_run_command_passes_extra_environment)
{
    run_frame r;
    char *argv[] = {"sh", "-c", "echo $COFLOW_TEST_VALUE", NULL};
    const char *env[] = {"COFLOW_TEST_VALUE=seen", NULL};
    ck_assert_int_eq(run_capture(&r, argv, env, 30), 0);
    ck_assert_str_eq(r.output, "seen\n");
    free(r.output);
}
END_TEST

/* Finding 7 of issue 15: a child printing without end made the tutor keep
 * gigabytes. What is past RUN_OUTPUT_MAX is read and counted, not kept. */
START_TEST(test_run_command_keeps_a_bounded_part_of_a_flood)
{
    run_frame r;
    char *argv[] = {"sh", "-c",
                    "head -c 20000000 /dev/zero | tr '\\0' x; echo; echo done",
                    NULL};
    ck_assert_int_eq(run_capture(&r, argv, NULL, 60), 0);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.len, RUN_OUTPUT_MAX);
    ck_assert_uint_eq(r.len + r.dropped, 20000000 + 6);
    ck_assert_uint_eq(strlen(r.output), RUN_OUTPUT_MAX);
    free(r.output);
}
END_TEST

static void make_scratch(void)
{
    strcpy(scratch, "/tmp/coflow-tutor-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    char path[512];
    snprintf(path, sizeof path, "%s/lessons", scratch);
    ck_assert_int_eq(mkdir(path, 0777), 0);
}

static void remove_scratch(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
}

int main(void)
{
    Suite *s = suite_create("tutor");
    TCase *tc = tcase_create("pieces");
    tcase_add_checked_fixture(tc, make_scratch, remove_scratch);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_judge_answer_gives_points_and_messages);
    tcase_add_test(tc, test_judge_message_with_result_lines_stays_one_message);
    tcase_add_test(tc, test_judge_answer_that_is_cut_short_is_refused);
    tcase_add_test(tc, test_judged_results_must_match_lesson_meta);
    tcase_add_test(tc, test_undeclared_and_multiple_definition_are_explained);
    tcase_add_test(tc, test_duplicate_case_value_is_explained);
    tcase_add_test(tc, test_case_label_outside_switch_is_explained);
    tcase_add_test(tc, test_implicit_declaration_and_pointer_types_are_explained);
    tcase_add_test(tc, test_unknown_compiler_message_gets_no_explanation);
    tcase_add_test(tc, test_a_timeout_or_a_crash_is_put_in_plain_words);
    tcase_add_test(tc, test_lessons_are_found_in_order_with_their_hints);
    tcase_add_test(tc, test_progress_survives_a_save_and_load);
    tcase_add_test(tc, test_report_counts_points_and_escapes_messages);
    tcase_add_test(tc, test_report_of_all_passes_says_pass);
    tcase_add_test(tc, test_run_command_collects_output_and_status);
    tcase_add_test(tc, test_run_command_kills_a_child_that_hangs);
    tcase_add_test(tc, test_run_command_output_of_a_silent_child_is_empty);
    tcase_add_test(tc, test_run_command_passes_extra_environment);
    tcase_add_test(tc, test_run_command_keeps_a_bounded_part_of_a_flood);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
