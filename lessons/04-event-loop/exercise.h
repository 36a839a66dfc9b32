/* exercise.h - lesson 04: the event loop of the notes' pseudocode, by hand.
 *
 *     tasks = [A, B, C]
 *     while tasks:
 *         for t in tasks: step(t)      (one turn each, in order)
 *         tasks = [t for t in tasks if not done(t)]
 *
 * Here a task is a coroutine (co_coro) and step(t) is one co_coro_step():
 * up to its next CO_YIELD. No library loop, no timers: just the loop. */
#ifndef LESSON04_EXERCISE_H
#define LESSON04_EXERCISE_H

#include <coflow.h>

/** The most coroutines run_all() accepts. */
#define RUN_MAX 32

/** Runs the @p n coroutines of @p tasks round-robin until every one has
 *  finished: each round steps every unfinished coroutine once, in list
 *  order; a coroutine that has finished (co_coro_done) is dropped from the
 *  list and never stepped again (one finished before the call is never
 *  stepped at all). A coroutine that fails (CO_RAISE) has finished too; its
 *  failure stays in its frame (co_coro_error) and the others go on.
 *  The caller's array is left as it was.
 *  @return how many steps were taken in all; CO_EINVAL if @p n < 0,
 *  @p n > RUN_MAX, @p tasks is NULL while @p n > 0, or an entry is NULL
 *  (then nothing is stepped); or a negative code co_coro_step() returned. */
int run_all(co_coro *tasks[], int n);

#endif
