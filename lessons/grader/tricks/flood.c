/* flood.c - prints without end. */
#include <stdio.h>

#include "exercise.h"

int student_answer(void)
{
    for (;;)
        puts("the same line again, and again, and again");
}
