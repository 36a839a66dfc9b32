/* lesson_read.h - the tutor's two readers of files a person may have
 * edited, lesson.meta and the progress file, on an open stream. lesson.c
 * opens the files and calls them; the fuzzers in tests/fuzz/ call them on
 * hostile bytes. */
#ifndef TUTOR_LESSON_READ_H
#define TUTOR_LESSON_READ_H

#include <stdbool.h>
#include <stdio.h>

#include "lesson.h"

/* The most a test may be worth, as for the judge (JUDGE_MAX_POINTS in
 * lessons/grader/judge_parse.h): a test line with more is ignored, so that
 * max_score, and the sum over every lesson, fits an int. */
#define TUTOR_MAX_POINTS 1000

/* Reads lesson.meta's `key = value` lines from @p f into @p l: `title`
 * and `notes` replace what @p l had, `test` and `hint` lines are added to
 * it (up to TUTOR_MAX_TESTS and TUTOR_MAX_HINTS; the rest are ignored), as
 * is every key it does not know. Each hint is a malloc'd string @p l owns
 * (lessons_free frees them). title and notes stay NUL-terminated, each
 * test's name is a non-empty run of [A-Za-z0-9_] with 0 <= points <=
 * TUTOR_MAX_POINTS (a line with other points is ignored), and
 * max_score is the sum of their points. Does not close @p f. */
void lesson_read_meta(FILE *f, lesson *l);

/* Reads the progress file from @p f into @p p, which it clears first:
 * `done N` and `hints N COUNT` lines with 0 <= N <= TUTOR_MAX_LESSONS (a
 * negative COUNT is 0); every other line is skipped. Does not close
 * @p f. */
void progress_read(FILE *f, progress *p);

#endif
