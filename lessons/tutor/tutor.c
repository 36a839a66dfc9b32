/* tutor.c - `coflow`, the lesson tutor: what a student runs first and every
 * day, and what an instructor uses to grade and hand out the lessons.
 *
 *   coflow              where you are and what to type next
 *   coflow run N        build and run lesson N's example
 *   coflow run N --timeline   ...and draw its timeline (one lane per task)
 *   coflow check [N]    grade your exercise (lesson N, or all of them)
 *   coflow hint N       the next hint for lesson N
 *   coflow watch [N]    grade again every time you save
 *   coflow reset N      put lesson N's exercise back as it was
 *   coflow solution N   show the reference solution (once you have passed)
 *   coflow report       grade everything, write JSON / JUnit / TAP reports
 *   coflow export DIR   write a student copy (no solutions) for a classroom
 *   coflow grade SUB... grade many students' copies with these graders
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tutor.h"

/* ---- looks ---------------------------------------------------------------- */

static bool color;
const char *tutor_self = "coflow";

const char *tint(const char *code)
{
    return color ? code : "";
}

static void rule(void)
{
    puts("------------------------------------------------------------------");
}

/* ---- the context every command gets -------------------------------------- */

static int load(tutor *t)
{
    const char *src = getenv("COFLOW_SOURCE_ROOT");
    const char *build = getenv("COFLOW_BUILD_ROOT");
    snprintf(t->source_root, sizeof t->source_root, "%s",
             src ? src : TUTOR_SOURCE_ROOT);
    snprintf(t->build_root, sizeof t->build_root, "%s",
             build ? build : TUTOR_BUILD_ROOT);
    t->n = lessons_load(t->source_root, t->lessons, TUTOR_MAX_LESSONS);
    if (t->n <= 0) {
        fprintf(stderr,
                "coflow: no lessons found under %s/lessons.\n"
                "Run the tutor from the build directory it was built in, or "
                "set COFLOW_SOURCE_ROOT.\n",
                t->source_root);
        return -1;
    }
    snprintf(t->state_dir, sizeof t->state_dir, "%s/.coflow", t->source_root);
    snprintf(t->progress_path, sizeof t->progress_path, "%s/progress",
             t->state_dir);
    if (!progress_load(t->progress_path, &t->progress)) {
        /* Older tutors kept it in the build directory. */
        char old[1200];
        snprintf(old, sizeof old, "%s/.coflow-progress", t->build_root);
        if (progress_load(old, &t->progress))
            tutor_save_progress(t);
    }
    pristine_remember(t);
    return 0;
}

void tutor_save_progress(tutor *t)
{
    if (progress_save(t->progress_path, &t->progress) < 0)
        fprintf(stderr, "coflow: could not save your progress in %s\n",
                t->progress_path);
}

lesson *tutor_next(tutor *t)
{
    for (int i = 0; i < t->n; i++)
        if (!t->progress.done[t->lessons[i].number])
            return &t->lessons[i];
    return NULL;
}

/* Turns "3", "03" or "03-protothreads" into a lesson, or says why not. */
lesson *tutor_lesson_arg(tutor *t, const char *arg)
{
    if (!arg) {
        lesson *next = tutor_next(t);
        if (!next)
            fprintf(stderr, "coflow: every lesson is done; name one, e.g. "
                            "`%s check 3`.\n",
                    tutor_self);
        return next;
    }
    char *end;
    long n = strtol(arg, &end, 10);
    if (end == arg || (*end && *end != '-') || n < 0 || n > 99) {
        fprintf(stderr, "coflow: \"%s\" is not a lesson number (try 1 to "
                        "%d).\n",
                arg, t->lessons[t->n - 1].number);
        return NULL;
    }
    lesson *l = lessons_find(t->lessons, t->n, (int)n);
    if (!l)
        fprintf(stderr, "coflow: there is no lesson %ld (they go from %d to "
                        "%d).\n",
                n, t->lessons[0].number, t->lessons[t->n - 1].number);
    return l;
}

/* ---- status ---------------------------------------------------------------- */

static int cmd_status(tutor *t, const char *self)
{
    int done = 0;
    for (int i = 0; i < t->n; i++)
        done += t->progress.done[t->lessons[i].number];
    lesson *next = tutor_next(t);

    printf("\n%scoflow%s - asyncio rebuilt in C, one lesson at a time\n\n",
           tint(BOLD), tint(RESET));
    const int width = 32;
    int filled = t->n ? done * width / t->n : 0;
    printf("  [%s", tint(GREEN));
    for (int i = 0; i < width; i++)
        putchar(i < filled ? '#' : (i == filled ? '>' : '.'));
    printf("%s]  %d of %d lessons done\n\n", tint(RESET), done, t->n);

    /* One line per lesson: the title is cut to fit the terminal. */
    struct winsize ws;
    int columns = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col
                      ? ws.ws_col
                      : 100;
    int room = columns - 38 > 10 ? columns - 38 : 10;
    for (int i = 0; i < t->n; i++) {
        lesson *l = &t->lessons[i];
        bool is_done = t->progress.done[l->number];
        const char *mark = is_done ? "[x]" : (l == next ? " > " : "[ ]");
        int len = (int)strlen(l->title);
        printf("  %s%s%s %02d  %-26s %s%.*s%s%s\n",
               is_done ? tint(GREEN) : (l == next ? tint(YELLOW) : ""), mark,
               tint(RESET), l->number, l->dir + 3, l == next ? tint(BOLD) : "",
               len > room ? room - 3 : len, l->title, len > room ? "..." : "",
               tint(RESET));
    }
    putchar('\n');
    if (!next) {
        printf("Every lesson passes. Well done! `%s report` writes a "
               "report of it all.\n\n",
               self);
        return 0;
    }
    printf("Next: lesson %d. Read lessons/%s/README.md,\n"
           "then edit lessons/%s/exercise.c and type:\n\n",
           next->number, next->dir, next->dir);
    printf("    %s run %-4d   see the lesson's example run\n", self,
           next->number);
    printf("    %s check %-2d   grade your exercise\n", self, next->number);
    printf("    %s watch      grade it again every time you save\n", self);
    printf("    %s hint %-3d   a hint, when you are stuck (%d of %d shown)\n\n",
           self, next->number, t->progress.hints[next->number], next->nhints);
    return 0;
}

/* ---- hint ------------------------------------------------------------------ */

static int cmd_hint(tutor *t, const char *arg)
{
    lesson *l = tutor_lesson_arg(t, arg);
    if (!l)
        return 2;
    if (l->nhints == 0) {
        printf("Lesson %d has no hints. Its README ends with the exercise's "
               "instructions: lessons/%s/README.md\n",
               l->number, l->dir);
        return 0;
    }
    int *shown = &t->progress.hints[l->number];
    if (*shown < l->nhints)
        (*shown)++;
    for (int i = 0; i < *shown; i++)
        printf("%sHint %d of %d:%s %s\n", i + 1 == *shown ? tint(BOLD) : "",
               i + 1, l->nhints, tint(RESET), l->hints[i]);
    if (*shown == l->nhints)
        printf("\nThat was the last hint. The README's \"what students get "
               "wrong\" section may help too.\n");
    tutor_save_progress(t);
    return 0;
}

/* ---- run --------------------------------------------------------------- */

/* With --timeline the example records its loop (COFLOW_TIMELINE, read by
 * the library when the example starts) and the tutor says where the
 * pictures went: PREFIX.svg for a browser, PREFIX.json for Perfetto. */
static void say_timeline(const char *prefix)
{
    char path[1400];
    bool any = false;
    for (int n = 1; n <= 9; n++) {
        if (n == 1)
            snprintf(path, sizeof path, "%s.svg", prefix);
        else
            snprintf(path, sizeof path, "%s-%d.svg", prefix, n);
        if (access(path, R_OK) != 0)
            break;
        if (!any)
            printf("\nThe example's timeline (one lane per task, time left "
                   "to right):\n");
        any = true;
        printf("  %s   open it in a browser\n", path);
        path[strlen(path) - 3] = '\0';
        printf("  %sjson  the same in Chrome's trace format, for "
               "https://ui.perfetto.dev\n",
               path);
    }
    if (!any)
        printf("\nThe example wrote no timeline (did it run a loop?).\n");
}

static int cmd_run(tutor *t, const char *arg, bool timeline)
{
    lesson *l = tutor_lesson_arg(t, arg);
    if (!l)
        return 2;
    char target[128], exe[1200];
    snprintf(target, sizeof target, "lessons/lesson-%02d-example", l->number);
    snprintf(exe, sizeof exe, "%s/%s", t->build_root, target);
    run_frame build;
    char *argv[] = {"ninja", "-C", t->build_root, target, NULL};
    if (run_capture(&build, argv, NULL, 300) < 0 || build.status != 0) {
        printf("%sThe example of lesson %d did not build:%s\n%s\n",
               tint(RED), l->number, tint(RESET), build.output);
        free(build.output);
        return 1;
    }
    free(build.output);
    char prefix[1300];
    snprintf(prefix, sizeof prefix, "%s/lessons/lesson-%02d-run-timeline",
             t->build_root, l->number);
    if (timeline) {
        for (int n = 1; n <= 9; n++) { /* no old picture passes for new */
            char old[1400];
            snprintf(old, sizeof old, n == 1 ? "%s.svg" : "%s-%d.svg",
                     prefix, n);
            unlink(old);
        }
        setenv("COFLOW_TIMELINE", prefix, 1);
    }
    printf("%s$ %s%s%s\n", tint(DIM), timeline ? "COFLOW_TIMELINE=... " : "",
           exe, tint(RESET));
    fflush(stdout);
    /* The example is the lesson's own code: run it in the foreground so its
     * output appears as it happens. */
    char *const eargv[] = {exe, NULL};
    int rc = tutor_exec_wait(eargv);
    if (timeline)
        say_timeline(prefix);
    return rc;
}

/* ---- check --------------------------------------------------------------- */

static int check_one(tutor *t, lesson *l, const char *self, bool verbose)
{
    if (!l->has_exercise) {
        printf("Lesson %02d has no exercise: read it and run its example.\n",
               l->number);
        return 0;
    }
    printf("%sGrading lesson %d (lessons/%s/exercise.c)...%s\n", tint(DIM),
           l->number, l->dir, tint(RESET));
    fflush(stdout);
    grade g;
    grade_run(t->source_root, t->build_root, l, GRADE_EXERCISE, &g);
    bool passed = tutor_show_grade(t, l, &g, verbose);
    grade_free(&g);
    if (passed && !t->progress.done[l->number]) {
        t->progress.done[l->number] = true;
        tutor_save_progress(t);
    }
    if (passed && verbose) {
        lesson *next = tutor_next(t);
        if (next && next->number > l->number)
            printf("Next is lesson %d: lessons/%s/README.md (`%s` shows "
                   "where you are).\n",
                   next->number, next->dir, self);
        else if (next)
            printf("Lesson %d, earlier on, is not done yet: "
                   "lessons/%s/README.md (`%s` shows where you are).\n",
                   next->number, next->dir, self);
    }
    return passed ? 0 : 1;
}

static int cmd_check(tutor *t, const char *arg, const char *self)
{
    if (arg && strcmp(arg, "all") != 0) {
        lesson *l = tutor_lesson_arg(t, arg);
        return l ? check_one(t, l, self, true) : 2;
    }
    if (!arg) {
        lesson *l = tutor_lesson_arg(t, NULL);
        return l ? check_one(t, l, self, true) : 0;
    }
    int failed = 0;
    for (int i = 0; i < t->n; i++) {
        failed += check_one(t, &t->lessons[i], self, false) != 0;
        rule();
    }
    printf("%d of %d lessons pass.\n", t->n - failed, t->n);
    return failed ? 1 : 0;
}

/* ---- solution ------------------------------------------------------------- */

static int cmd_solution(tutor *t, const char *arg)
{
    lesson *l = tutor_lesson_arg(t, arg);
    if (!l)
        return 2;
    if (!t->progress.done[l->number]) {
        printf("Pass lesson %d first (`%s check %d`): the reference "
               "solution is shown once your own works.\n",
               l->number, tutor_self, l->number);
        return 1;
    }
    if (!l->has_solution) {
        printf("This copy of coflow has no solutions (an exported student "
               "copy). Ask your instructor.\n");
        return 1;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/lessons/%s/solution.c", t->source_root,
             l->dir);
    char *const argv[] = {"cat", path, NULL};
    return tutor_exec_wait(argv);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(const char *self)
{
    printf("usage: %s [command]\n\n"
           "  (nothing)        where you are and what to type next\n"
           "  run N            build and run lesson N's example\n"
           "  run N --timeline ...and draw its timeline (an SVG picture)\n"
           "  check [N|all]    grade your exercise (the next lesson by "
           "default)\n"
           "  hint N           the next hint for lesson N\n"
           "  watch [N]        grade again every time you save\n"
           "  reset N [--yes]  put lesson N's exercise back as it was\n"
           "  solution N       the reference solution, once you have passed\n"
           "  report [--out DIR] [--exit-zero] [--solutions]\n"
           "                   grade everything; write report.json, "
           "report.junit.xml, report.tap\n"
           "                   (--solutions: grade the reference solutions)\n"
           "  export DIR       write a student copy without solutions\n"
           "  grade [--out DIR] [--jobs N] [--limit S] [--cpu S] [--mem MIB] "
           "[--procs N] SUBMISSION...\n"
           "                   grade students' copies (folders or git "
           "repositories) with\n"
           "                   this project's graders; write a gradebook "
           "(CSV and JSON)\n",
           self);
}

int main(int argc, char **argv)
{
    const char *nc = getenv("NO_COLOR");
    color = isatty(STDOUT_FILENO) && !(nc && *nc);
    const char *self = argc > 0 && strchr(argv[0], '/') ? argv[0] : "coflow";
    tutor_self = self;
    const char *cmd = argc > 1 ? argv[1] : NULL;
    const char *arg = argc > 2 ? argv[2] : NULL;

    /* Asking for help anywhere gets help: `coflow export --help` must not
     * export into a folder named "--help". */
    bool help = cmd && strcmp(cmd, "help") == 0;
    for (int i = 1; i < argc; i++)
        help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    if (help) {
        usage(self);
        return 0;
    }
    static tutor t; /* large: keep it off the stack */
    if (load(&t) < 0)
        return 2;
    int rc;
    if (!cmd || strcmp(cmd, "status") == 0)
        rc = cmd_status(&t, self);
    else if (strcmp(cmd, "run") == 0)
        rc = cmd_run(&t, arg,
                     argc > 3 && strcmp(argv[3], "--timeline") == 0);
    else if (strcmp(cmd, "check") == 0)
        rc = cmd_check(&t, arg, self);
    else if (strcmp(cmd, "hint") == 0)
        rc = cmd_hint(&t, arg);
    else if (strcmp(cmd, "watch") == 0)
        rc = tutor_watch(&t, arg, self);
    else if (strcmp(cmd, "reset") == 0)
        rc = tutor_reset(&t, arg, argc > 3 && strcmp(argv[3], "--yes") == 0);
    else if (strcmp(cmd, "solution") == 0)
        rc = cmd_solution(&t, arg);
    else if (strcmp(cmd, "report") == 0)
        rc = tutor_report(&t, argc - 1, argv + 1); /* argv[0] = "report" */
    else if (strcmp(cmd, "export") == 0)
        rc = tutor_export(&t, arg);
    else if (strcmp(cmd, "grade") == 0)
        rc = tutor_grade(&t, argc - 1, argv + 1); /* argv[0] = "grade" */
    else {
        fprintf(stderr, "coflow: unknown command \"%s\".\n\n", cmd);
        usage(self);
        rc = 2;
    }
    lessons_free(t.lessons, t.n);
    return rc;
}
