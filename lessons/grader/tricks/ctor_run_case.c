/* ctor_run_case.c - before main() runs, tells Check to run a test case
 * that does not exist, so that no test runs and none fails. */
#include <stdlib.h>

#include "exercise.h"

__attribute__((constructor)) static void select_nothing(void)
{
    setenv("CK_RUN_CASE", "nothing at all", 1);
}

int student_answer(void)
{
    return 41;
}
