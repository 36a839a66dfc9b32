/* exercise.h - lesson 11: a worker whose cleanup runs exactly once, however
 * it is stopped.
 *
 * The worker opens a resource (a count in its log), does its steps, each
 * one suspension point, and closes the resource in its CO_FINALLY section;
 * closing takes one awaited step too. The grader stops it every way it can:
 * it lets it finish, cancels it at each suspension point in turn, cancels it
 * again while it is closing, cancels the task that awaits it, and cancels
 * it before it starts. */
#ifndef LESSON11_EXERCISE_H
#define LESSON11_EXERCISE_H

#include <coflow.h>

/** What the worker did, written by the worker, read by the grader. */
struct worker_log {
    int opened;    /* times the resource was opened (must be 0 or 1) */
    int steps;     /* steps finished */
    int closing;   /* times closing began */
    int closed;    /* times closing finished (must equal opened) */
    int close_err; /* co->err when the cleanup began: why the body ended */
};

/** The frame of worker. */
struct worker {
    co_coro co;             /* the coroutine header: first member */
    struct worker_log *log; /* argument: where to record (not owned) */
    int n;                  /* argument: how many steps to do */
    int i;                  /* the step counter (survives suspensions) */
    int caught;             /* for a CO_..._CATCH form in the cleanup */
};

/** `async def worker(log, n)`:
 *
 *      log.opened += 1                  # before the first suspension
 *      try:
 *          for i in range(n):
 *              await asyncio.sleep(0)   # one suspension point per step
 *              log.steps += 1
 *          return n
 *      finally:
 *          log.close_err = <why the body ended: 0, or CO_ECANCELLED...>
 *          log.closing += 1
 *          await asyncio.sleep(0)       # closing takes one step, and must
 *                                       # finish even if cancelled again
 *          log.closed += 1
 *
 *  Cancelling it at any suspension point ends its task cancelled (never
 *  swallow the cancellation), with log.closed == log.opened == 1. A worker
 *  cancelled before its first step opens nothing and closes nothing. */
int worker(co_coro *co);

#endif
