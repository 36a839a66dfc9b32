/* lesson.h - what the tutor knows about the lessons on disk: their folders,
 * their lesson.meta (title, notes, hints, tests) and the student's progress,
 * kept in one small file. */
#ifndef TUTOR_LESSON_H
#define TUTOR_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#define TUTOR_MAX_LESSONS 99
#define TUTOR_MAX_HINTS 16
#define TUTOR_MAX_TESTS 64

/* One test of a lesson's grader, as lesson.meta lists it (`test = NAME
 * POINTS [guard]`): what the lesson is worth comes from here, never from
 * the grader binary, which holds the student's code. */
typedef struct lesson_test {
    char name[96]; /* test_... as in test.c */
    int points;    /* what passing it earns */
    bool guard;    /* passes as handed out; earns once another test passes */
} lesson_test;

typedef struct lesson {
    int number;                     /* NN of lessons/NN-slug */
    char dir[64];                   /* "03-protothreads" */
    char title[160];                /* from lesson.meta, or the slug */
    char notes[160];                /* the notes' section it mirrors */
    char *hints[TUTOR_MAX_HINTS];   /* owned, nudge first */
    int nhints;                     /* how many */
    bool has_exercise;              /* exercise.c exists */
    bool has_solution;              /* solution.c exists (not in student copies) */
    lesson_test tests[TUTOR_MAX_TESTS]; /* the grader's tests, in order */
    int ntests;                     /* how many */
    int max_score;                  /* the sum of their points */
} lesson;

typedef struct progress {
    bool done[TUTOR_MAX_LESSONS + 1];  /* passed at least once */
    int hints[TUTOR_MAX_LESSONS + 1];  /* hints shown so far */
} progress;

/* Finds lessons/NN-slug folders under @p source_root, in order. Returns how
 * many (at most @p max) or -1 if the folder cannot be read. */
int lessons_load(const char *source_root, lesson *out, int max);
void lessons_free(lesson *ls, int n);

/* The lesson numbered @p number, or NULL. */
lesson *lessons_find(lesson *ls, int n, int number);

/* Progress is a small text file, @p path: the tutor keeps it in the
 * project's .coflow/ folder (git-ignored), not in the build directory, so
 * that `rm -rf build` loses nothing. Loading a missing file is a fresh
 * start and returns false. Saving creates the folder, writes aside and
 * renames; it returns 0 or -1. */
bool progress_load(const char *path, progress *p);
int progress_save(const char *path, const progress *p);

#endif
