/* main.c - the main() of every lesson grader: runs the lesson's suite with
 * the guards of grader.c. A lesson's test.c defines only lesson_suite(). */
#include "grader.h"

int main(void)
{
    return grade_main(lesson_suite());
}
