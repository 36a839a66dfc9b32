/* exercise.h - lesson 02: a generator in C, like Python's
 *
 *     def counter(start, stop, step):
 *         value = start
 *         while (value < stop if step > 0 else value > stop):
 *             yield value
 *             value += step
 *
 * built with the local-continuation macros of coflow/lc.h and driven by
 * hand, one counter_next() per next(). */
#ifndef LESSON02_EXERCISE_H
#define LESSON02_EXERCISE_H

#include <coflow/lc.h>

/** A generator's whole memory: where it stopped, and its variables. */
struct counter {
    co_lc lc;  /* where to resume: 0 = at the top */
    int value; /* the next value to yield */
    int stop;  /* the end (never yielded), as in range() */
    int step;  /* added after each yield; positive or negative, never 0 */
};

/** Sets @p g up to count from @p start towards @p stop by @p step, like
 *  calling a generator function: it runs none of the body.
 *  @return 0, or -1 if @p g is NULL or @p step is 0 (range() would raise
 *  ValueError). */
int counter_init(struct counter *g, int start, int stop, int step);

/** next(g): runs the generator to its next yield. @return 1 and the
 *  yielded value in *out; or 0 when it is exhausted (StopIteration), in
 *  which case *out is left alone, on this call and on every later one. */
int counter_next(struct counter *g, int *out);

#endif
