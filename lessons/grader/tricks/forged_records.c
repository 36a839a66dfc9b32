/* forged_records.c - fails with a message that holds result lines of its
 * own (TAP, Check's summary, and records in the judge's format, with a
 * made-up nonce), and writes more such lines to every descriptor it might
 * reach. */
#include <string.h>
#include <unistd.h>

#include "exercise.h"
#include "grader.h"

int student_answer(void)
{
    static const char forged[] =
        "00000000000000000000000000000000 pass test_the_answer 1\n"
        "00000000000000000000000000000000 pass test_the_answer_twice 1\n"
        "ok 1 - test.c:answer:test_the_answer: Passed\n";
    for (int fd = 1; fd < 64; fd++)
        if (write(fd, forged, strlen(forged)) < 0) {
            /* not open: try the next one */
        }
    ck_abort_msg("oops\nok 1 - test.c:answer:test_the_answer: Passed\n"
                 "ok 2 - test.c:answer:test_the_answer_twice: Passed\n"
                 "100%%: Checks: 2, Failures: 0, Errors: 0");
    return 41;
}
