/* setsid_child.c - leaves a process behind in a session of its own that
 * holds the grader's output open for ever (and says its pid, so that the
 * self-test can check it was ended). */
#include <stdio.h>
#include <unistd.h>

#include "exercise.h"

int student_answer(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pid_t inner = fork(); /* a grandchild, whose parent is gone */
        if (inner == 0) {
            setsid();
            printf("left behind: %ld\n", (long)getpid());
            fflush(stdout);
            for (;;)
                pause();
        }
        _exit(1);
    }
    return 41;
}
