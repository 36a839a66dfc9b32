/* exercise.h - lesson 03: a protothread that yields the Fibonacci numbers,
 * like the Python generator
 *
 *     def fib(n):
 *         a, b = 0, 1
 *         for i in range(n):
 *             yield a
 *             a, b = b, a + b
 *         return n
 *
 * built with CO_BEGIN / CO_YIELD / CO_RETURN / CO_END (coflow/coro.h) and
 * driven by hand: each co_coro_step() runs it to its next CO_YIELD, and the
 * value yielded is left in the frame's `current`. */
#ifndef LESSON03_EXERCISE_H
#define LESSON03_EXERCISE_H

#include <coflow.h>

/** The coroutine's frame: everything that must survive a CO_YIELD. */
struct fib_frame {
    co_coro co;        /* the coroutine header: always the first member */
    int n;             /* the argument: how many numbers to yield */
    long long current; /* the number yielded by the last step */
    long long a, b;    /* the two latest Fibonacci numbers */
    int i;             /* how many have been yielded so far */
};

/** Given: "calls" the coroutine function, as fib(n) does in Python: fills
 *  the frame and runs nothing. */
void fib_init(struct fib_frame *f, int n);

/** The step function. Each call runs to the next CO_YIELD, with the next
 *  Fibonacci number (0, 1, 1, 2, 3, 5, ...) in self->current; after @p n
 *  numbers it ends with CO_RETURN(co, n). */
int fib(co_coro *co);

#endif
