/* exercise.h - lesson 10: hand work from a plain thread to a loop that runs
 * in another thread, and collect the results.
 *
 * The grader runs a loop in a thread of its own (set_event_loop, then
 * run_forever) and calls your two functions from a different, plain thread,
 * which must never touch the loop except through the two thread-safe
 * doors: call_soon_threadsafe for a plain callback, run_coroutine_threadsafe
 * for a coroutine. As shipped both do the work right there, on the calling
 * thread: the results are right, but the work ran on the wrong thread (and,
 * for the coroutines, on a loop of their own, one at a time). */
#ifndef LESSON10_EXERCISE_H
#define LESSON10_EXERCISE_H

#include <coflow.h>

/* ---- provided by the grader --------------------------------------------- */

/** What note() is given. */
struct note {
    int id; /* argument: recorded, with the thread it ran on */
};

/** A plain callback (a co_callback): records @p arg's id and the thread it
 *  ran on. It must run on the loop's thread. @p arg is a struct note *. */
void note(void *arg);

/** A job for the loop: a coroutine that records the loop and thread it runs
 *  on, suspends a few times (CO_SLEEP, CO_YIELD), and returns id * 10, or
 *  fails if the grader told it to. */
struct job {
    co_coro co;  /* the coroutine header: first member */
    int id;      /* argument: the job's number */
    int step;     /* the job's own counter: leave it alone */
    double began; /* when it started (loop time): leave it alone */
};

/** The job's step function. */
int job(co_coro *co);

/* ---- yours -------------------------------------------------------------- */

/** Called from a thread that is NOT the loop's: has note(&notes[i]) run on
 *  @p loop's thread, for i = 0 .. n-1, in that order
 *  (`loop.call_soon_threadsafe(note, notes[i])`). Returns as soon as they are
 *  handed over, without waiting for them to run.
 *  @return 0, or the first negative code a hand-over returned (then the
 *  notes after it are not handed over). */
int post_notes(co_loop *loop, struct note *notes, int n);

/** The most jobs run_jobs() is given at once. */
#define RUN_JOBS_MAX 64

/** Called from a thread that is NOT the loop's: runs every job as a task on
 *  @p loop, all at the same time (hand them all over before waiting for
 *  any), then waits for each (`asyncio.run_coroutine_threadsafe(job,
 *  loop).result()`) and stores jobs[i]'s result in results[i] (argument
 *  order). A job that fails leaves results[i] as it was. @p n is 0 to
 *  RUN_JOBS_MAX.
 *  @return 0 if every job returned; otherwise the failure code of the first
 *  job (in argument order) that failed or could not be handed over, once
 *  every job that was handed over has ended. */
int run_jobs(co_loop *loop, struct job *jobs, int n, long long *results);

#endif
