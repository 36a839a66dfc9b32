/* wrong.c - the honest student who got it wrong: fails both tests. */
#include "exercise.h"

int student_answer(void)
{
    return 41;
}
