/* exercise.h - lesson 06: run several coroutines at the same time.
 *
 * run_all() is given n jobs (coroutine objects, already set up) and must
 * run them concurrently: one task each, all created before any is awaited,
 * then awaited one by one. As shipped it awaits each job in turn, which
 * works but takes as long as all the jobs together. The grader provides the
 * job coroutine and watches the order in which the jobs start and end. */
#ifndef LESSON06_EXERCISE_H
#define LESSON06_EXERCISE_H

#include <coflow.h>

/* ---- provided by the grader --------------------------------------------- */

/** A job: writes "<name of its task> start", yields @c steps times (each
 *  yield lets the other tasks run), writes "<name> end" and returns
 *  id * 10. */
struct job {
    co_coro co;    /* the coroutine header: first member */
    int id;        /* argument: the job's number */
    int steps;     /* argument: how many times it yields */
    int done;      /* the job's own counter: leave it alone */
};

/** The job's step function. */
int job(co_coro *co);

/* ---- yours -------------------------------------------------------------- */

/** The frame of run_all. */
struct run_all {
    co_coro co;          /* the coroutine header: first member */
    struct job *jobs;    /* argument: n jobs, set up and not yet started */
    int n;               /* argument: how many jobs (0 or more) */
    long long *results;  /* argument: results[i] receives jobs[i]'s result */
    co_task **tasks;     /* argument: room for n task pointers, for you */
    int i;               /* a loop counter that survives awaits */
};

/** `async def run_all(jobs)`: creates one task per job, named "job-<id>"
 *  (for example "job-7"), before awaiting any of them; then awaits every
 *  task, stores jobs[i]'s result in results[i], releases the tasks, and
 *  returns (CO_RETURN) the sum of the results. */
int run_all(co_coro *co);

#endif
