/* exercise.h - the one function of the tricks' self-test lesson: each file
 * in this folder is a "student" who defines it, honestly or not. */
#ifndef TRICKS_EXERCISE_H
#define TRICKS_EXERCISE_H

/* The right answer is 42. */
int student_answer(void);

#endif
