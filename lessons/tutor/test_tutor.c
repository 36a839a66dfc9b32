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

START_TEST(test_tap_passes_and_failures_are_told_apart)
{
    const char *tap = "ok 1 - test.c:fib:test_first_ten: Passed\n"
                      "not ok 2 - test.c:fib:test_state_in_frame: expected "
                      "13, got 1\n"
                      "not ok 3 - test.c:fib:test_crash: Received signal 11 "
                      "(Segmentation fault)\n"
                      "1..3\n";
    test_outcome *r;
    int n = grade_parse_tap(tap, &r);
    ck_assert_int_eq(n, 3);
    ck_assert(r[0].ok);
    ck_assert_str_eq(r[0].name, "test_first_ten");
    ck_assert(!r[1].ok);
    ck_assert_str_eq(r[1].name, "test_state_in_frame");
    ck_assert_str_eq(r[1].message, "expected 13, got 1");
    ck_assert(!r[2].ok);
    ck_assert_str_eq(r[2].message, "Received signal 11 (Segmentation fault)");
    free(r);
}
END_TEST

START_TEST(test_tap_keeps_colons_inside_the_message)
{
    test_outcome *r;
    int n = grade_parse_tap("not ok 1 - t.c:core:test_x: at t=0.1: late\n",
                            &r);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(r[0].message, "at t=0.1: late");
    free(r);
}
END_TEST

START_TEST(test_tap_message_of_several_lines_is_kept_whole)
{
    const char *tap = "not ok 1 - t.c:core:test_trace: traces differ.\n"
                      "    expected | yours\n"
                      " => t=0s a   | t=1s a\n"
                      "ok 2 - t.c:core:test_next: Passed\n"
                      "1..2\n";
    test_outcome *r;
    ck_assert_int_eq(grade_parse_tap(tap, &r), 2);
    ck_assert_str_eq(r[0].message, "traces differ.\n    expected | yours\n"
                                   " => t=0s a   | t=1s a");
    ck_assert_str_eq(r[1].message, "Passed");
    free(r);
}
END_TEST

START_TEST(test_tap_without_results_is_empty)
{
    test_outcome *r;
    ck_assert_int_eq(grade_parse_tap("1..0\n", &r), 0);
    ck_assert_int_eq(grade_parse_tap("", &r), 0);
    free(r);
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
    const char *crash =
        grade_plain_words("Received signal 11 (Segmentation fault)");
    ck_assert_ptr_nonnull(crash);
    ck_assert_msg(strstr(crash, "NULL pointer") != NULL, "got: %s", crash);
    ck_assert_ptr_null(grade_plain_words("expected 13, got 1"));
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

START_TEST(test_progress_survives_a_save_and_load)
{
    progress p;
    progress_load(scratch, &p);
    ck_assert(!p.done[3]);
    p.done[3] = true;
    p.hints[5] = 2;
    ck_assert_int_eq(progress_save(scratch, &p), 0);
    progress q;
    progress_load(scratch, &q);
    ck_assert(q.done[3]);
    ck_assert(!q.done[4]);
    ck_assert_int_eq(q.hints[5], 2);
    ck_assert_int_eq(q.hints[3], 0);
}
END_TEST

START_TEST(test_report_counts_points_and_escapes_messages)
{
    lesson ls[2] = {{.number = 1, .dir = "01-why-async"},
                    {.number = 3, .dir = "03-protothreads"}};
    test_outcome tests[2] = {{"test_ok", "Passed", true},
                            {"test_bad", "expected \"13\",\nnot 1", false}};
    grade gs[2] = {{.state = GRADE_FAILED, .tests = tests, .ntests = 2},
                   {.state = GRADE_BUILD_ERROR}};
    ck_assert_int_eq(report_write(scratch, ls, gs, 2), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/report.json", scratch);
    const char *json = read_text(path);
    ck_assert_msg(strstr(json, "\"max_score\": 3") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"score\": 1,") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"status\": \"fail\"") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "expected \\\"13\\\",\\nnot 1") != NULL, "%s",
                  json);
    ck_assert_msg(strstr(json, "03-protothreads: builds and runs") != NULL,
                  "%s", json);
    snprintf(path, sizeof path, "%s/report.junit.xml", scratch);
    const char *xml = read_text(path);
    ck_assert_msg(strstr(xml, "tests=\"3\" failures=\"2\"") != NULL, "%s", xml);
    ck_assert_msg(strstr(xml, "&quot;13&quot;") != NULL, "%s", xml);
    snprintf(path, sizeof path, "%s/report.tap", scratch);
    const char *tap = read_text(path);
    ck_assert_msg(strstr(tap, "1..3\nok 1 - 01-why-async: test_ok") != NULL,
                  "%s", tap);
    ck_assert_msg(strstr(tap, "not ok 3 - 03-protothreads") != NULL, "%s",
                  tap);
}
END_TEST

START_TEST(test_report_of_all_passes_says_pass)
{
    lesson ls[1] = {{.number = 1, .dir = "01-why-async"}};
    test_outcome tests[1] = {{"test_ok", "Passed", true}};
    grade gs[1] = {{.state = GRADE_PASSED, .tests = tests, .ntests = 1}};
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
    ck_assert_int_eq(run_capture(&r, argv, NULL, 0.3), 0);
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
    tcase_add_test(tc, test_tap_passes_and_failures_are_told_apart);
    tcase_add_test(tc, test_tap_keeps_colons_inside_the_message);
    tcase_add_test(tc, test_tap_message_of_several_lines_is_kept_whole);
    tcase_add_test(tc, test_tap_without_results_is_empty);
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
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
