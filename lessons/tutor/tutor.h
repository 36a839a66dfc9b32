/* tutor.h - what the tutor's commands share: where the project and its
 * build are, the lessons, the student's progress, and the screen helpers. */
#ifndef TUTOR_H
#define TUTOR_H

#include <stdbool.h>

#include "grade.h"
#include "lesson.h"

typedef struct tutor {
    char source_root[1024];           /* the project (has lessons/) */
    char build_root[1024];            /* its meson build directory */
    char state_dir[1100];             /* <source_root>/.coflow: progress, backups */
    char progress_path[1200];         /* <state_dir>/progress */
    lesson lessons[TUTOR_MAX_LESSONS]; /* in order */
    int n;                            /* how many */
    progress progress;                /* done lessons, hints shown */
} tutor;

/* ANSI colours, used only on a terminal and unless NO_COLOR is set. */
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RESET "\033[0m"
const char *tint(const char *code);

/* The tutor as the student typed it (`build/coflow`), for the commands
 * that messages tell them to type. */
extern const char *tutor_self;

lesson *tutor_next(tutor *t);

/* Saves the progress, saying so on stderr when it cannot. */
void tutor_save_progress(tutor *t);
lesson *tutor_lesson_arg(tutor *t, const char *arg);

/* Prints a grade for a person; returns true if the lesson passed. With
 * @p verbose, failures show the grader's output and explanations. */
bool tutor_show_grade(tutor *t, const lesson *l, const grade *g,
                      bool verbose);

/* Runs a command in the foreground; returns its exit status. */
int tutor_exec_wait(char *const argv[]);

/* The pristine copy of each exercise, for reset: remembered the first time
 * the tutor sees a lesson unless git can give it back. */
void pristine_remember(tutor *t);
int tutor_reset(tutor *t, const char *arg, bool yes);

int tutor_report(tutor *t, int argc, char **argv);
int tutor_export(tutor *t, const char *dir);
int tutor_watch(tutor *t, const char *arg, const char *self);
int tutor_grade(tutor *t, int argc, char **argv);

#endif
