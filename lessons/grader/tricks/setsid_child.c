/* setsid_child.c - leaves a process behind in a session of its own that
 * holds the grader's output open for ever (and says its pid, so that the
 * self-test can check it was ended). The test returns only once that
 * process has said its pid: nothing here depends on timing. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exercise.h"

int student_answer(void)
{
    int ready[2];
    if (pipe(ready) < 0)
        return 41;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pid_t inner = fork(); /* a grandchild, whose parent is gone */
        if (inner == 0) {
            setsid();
            printf("left behind: %ld\n", (long)getpid());
            fflush(stdout);
            if (write(ready[1], "r", 1) != 1)
                _exit(1);
            for (;;)
                pause();
        }
        char c;
        _exit(read(ready[0], &c, 1) == 1 ? 1 : 2);
    }
    close(ready[1]);
    waitpid(pid, NULL, 0);
    close(ready[0]);
    return 41;
}
