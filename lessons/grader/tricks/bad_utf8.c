/* bad_utf8.c - fails with a message that is not valid UTF-8. */
#include "exercise.h"
#include "grader.h"

int student_answer(void)
{
    ck_abort_msg("bytes that are no text: \xff\xfe, half a letter: \xc3, "
                 "and a control character: \x01");
    return 41;
}
