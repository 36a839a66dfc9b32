/* show.c - putting a grade on the screen in words a student can use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tutor.h"

/* The compiler's lines that matter: errors and the notes right after them,
 * without ninja's own chatter. */
static void print_compiler_output(const char *log)
{
    const char *line = log;
    int shown = 0;
    while (line && *line && shown < 40) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        if (strncmp(line, "ninja:", 6) != 0 && strncmp(line, "[", 1) != 0 &&
            strncmp(line, "FAILED:", 7) != 0 && strncmp(line, "cc ", 3) != 0 &&
            strncmp(line, "gcc ", 4) != 0 && strncmp(line, "clang ", 6) != 0 &&
            strncmp(line, "cc1:", 4) != 0) {
            printf("    %.*s\n", len, line);
            shown++;
        }
        line = end ? end + 1 : NULL;
    }
}

/* Prints @p message indented under a test's name; with @p first_line_only
 * just its first line. */
static void print_message(const char *message, bool first_line_only)
{
    const char *line = message;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        printf("       %.*s\n", len, line);
        if (first_line_only) {
            if (end && end[1])
                printf("       %s(the rest of this message is shown "
                       "once it is the first failure)%s\n",
                       tint(DIM), tint(RESET));
            break;
        }
        line = end ? end + 1 : NULL;
    }
}

bool tutor_show_grade(tutor *t, const lesson *l, const grade *g,
                      bool verbose)
{
    (void)t;
    char why[4096];
    switch (g->state) {
    case GRADE_BUILD_ERROR:
        printf("%sLesson %d does not compile yet%s (0 of %d points). The "
               "compiler says:\n\n",
               tint(RED), l->number, tint(RESET), g->max);
        print_compiler_output(g->log);
        if (grade_explain(g->log, why, sizeof why)) {
            printf("\n%sWhat that means:%s\n%s", tint(BOLD), tint(RESET), why);
        }
        putchar('\n');
        return false;
    case GRADE_TOOL_ERROR:
        printf("%sThe grader of lesson %d could not be built or run.%s\n%s\n",
               tint(RED), l->number, tint(RESET), g->log ? g->log : "");
        printf("Is the build directory configured? (meson setup build)\n");
        return false;
    case GRADE_NO_RESULTS:
        printf("%sThe grader of lesson %d could not be judged.%s\n"
               "It may have run past the time limit, or the judge's answer "
               "was damaged.\n",
               tint(RED), l->number, tint(RESET));
        if (verbose && g->log && *g->log) {
            /* The end is what matters, and a runaway loop prints a lot. */
            size_t len = strlen(g->log);
            const char *tail = len > 2000 ? g->log + len - 2000 : g->log;
            printf("What it printed%s:\n%s\n", tail != g->log ? " (the end)" : "",
                   tail);
        }
        return false;
    case GRADE_PASSED:
    case GRADE_FAILED:
        break;
    }
    int passed = 0;
    const test_outcome *first = NULL;
    for (int i = 0; i < g->ntests; i++) {
        passed += g->tests[i].ok;
        if (!g->tests[i].ok && !first)
            first = &g->tests[i];
    }
    if (g->state == GRADE_PASSED) {
        for (int i = 0; verbose && i < g->ntests; i++)
            printf("  %sPASS%s %s\n", tint(GREEN), tint(RESET),
                   g->tests[i].name);
        printf("\n%sLesson %d passes: %d of %d tests, %d of %d points.%s\n",
               tint(GREEN), l->number, passed, g->ntests, g->score, g->max,
               tint(RESET));
        return true;
    }
    /* The summary, then the first failure whole, then the rest one line
     * each: what to fix first stays on a 40-line screen. */
    printf("%sLesson %d: %d of %d tests pass (%d of %d points).%s\n\n",
           tint(BOLD), l->number, passed, g->ntests, g->score, g->max,
           tint(RESET));
    if (first) {
        printf("  %sFAIL%s %s %s(the first failure: fix it first)%s\n",
               tint(RED), tint(RESET), first->name, tint(DIM), tint(RESET));
        print_message(first->message, false);
        const char *plain = grade_plain_words(first->message);
        if (plain)
            printf("       %s%s%s\n", tint(BOLD), plain, tint(RESET));
    }
    if (verbose && g->ntests > 1) {
        printf("\n");
        for (int i = 0; i < g->ntests; i++) {
            const test_outcome *r = &g->tests[i];
            if (r == first)
                continue;
            if (r->ok) {
                printf("  %sPASS%s %s\n", tint(GREEN), tint(RESET), r->name);
            } else {
                printf("  %sFAIL%s %s\n", tint(RED), tint(RESET), r->name);
                print_message(r->message, true);
            }
        }
    }
    if (g->notes)
        printf("\n%s", g->notes);
    printf("\nFix the first failure first; `%s hint %d` helps when you are "
           "stuck.\n",
           tutor_self, l->number);
    return false;
}

int tutor_exec_wait(char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
