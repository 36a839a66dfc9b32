/* right.c - the honest student: passes both tests. */
#include "exercise.h"

int student_answer(void)
{
    return 42;
}
