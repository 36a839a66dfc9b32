/* test.c - the grader of the tricks' self-test: two tests of one answer.
 * Every file in this folder but right.c gives a wrong answer and tries to
 * get full marks anyway; test_tricks.py says what each must get instead. */
#include "exercise.h"
#include "grader.h"

START_TEST(test_the_answer)
{
    grade_expect_int(student_answer(), 42, "student_answer()");
}
END_TEST

START_TEST(test_the_answer_twice)
{
    int a = student_answer();
    grade_expect_int(a + student_answer(), 84, "two answers added up");
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("tricks");
    TCase *tc = grade_tcase("answer");
    tcase_add_test(tc, test_the_answer);
    tcase_add_test(tc, test_the_answer_twice);
    suite_add_tcase(s, tc);
    return s;
}
