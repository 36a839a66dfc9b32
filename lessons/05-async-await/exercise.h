/* exercise.h - lesson 05: await two child coroutines, one after the other.
 *
 * You write the coroutine function sum_two(). Its frame holds two child
 * frames; sum_two sets each one up (that is "calling" the child coroutine
 * function, which runs nothing), awaits it, and finally returns the sum of
 * the two results. The grader provides the child, fetch(). */
#ifndef LESSON05_EXERCISE_H
#define LESSON05_EXERCISE_H

#include <coflow.h>

/* ---- provided by the grader --------------------------------------------- */

/** The child: `async def fetch(delay, value)`. Waits @c delay seconds (0
 *  means one bare yield), then returns @c value. If @c fail is not 0 it
 *  fails with that code instead of returning. The grader also writes down
 *  when each fetch starts and ends, to check the order. */
struct fetch {
    co_coro co;        /* the coroutine header: first member */
    double delay;      /* argument: how long to wait */
    long long value;   /* argument: what to return */
    int fail;          /* argument: 0, or a negative code to fail with */
};

/** fetch's step function (the coroutine function). */
int fetch(co_coro *co);

/* ---- yours -------------------------------------------------------------- */

/** The frame of sum_two: its arguments, and room for its two children. */
struct sum_two {
    co_coro co;            /* the coroutine header: first member */
    double delay_a;        /* argument: the first child's delay */
    long long value_a;     /* argument: the first child's value */
    double delay_b;        /* argument: the second child's delay */
    long long value_b;     /* argument: the second child's value */
    int fail_a;            /* argument: passed on to the first child */
    struct fetch a;        /* the first child's frame (yours to set up) */
    struct fetch b;        /* the second child's frame (yours to set up) */
};

/** `async def sum_two(...)`: awaits fetch(delay_a, value_a) in @c a, then,
 *  only once that has returned, fetch(delay_b, value_b) in @c b, and
 *  returns (CO_RETURN) the sum of their two results. If the first child
 *  fails, sum_two fails the same way and never starts the second one. */
int sum_two(co_coro *co);

#endif
