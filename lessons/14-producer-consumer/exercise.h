/* exercise.h - lesson 14: the consumer side of a producer/consumer queue,
 * in one loop.
 *
 *     async def consumer(q):
 *         while True:
 *             job = await q.get()
 *             if job.units < 0:            # "no more jobs"
 *                 q.task_done(); return done
 *             try:
 *                 await asyncio.sleep(job.units * unit)
 *             except asyncio.CancelledError:
 *                 q.put_nowait(job)         # back for somebody else
 *                 q.task_done(); raise
 *             job.done += 1; done += 1
 *             q.task_done()
 */
#ifndef LESSON14_EXERCISE_H
#define LESSON14_EXERCISE_H

#include <coflow.h>

/** A job: @c units of work, each @c unit seconds of the consumer's. A job
 *  with units < 0 is the "no more jobs" mark: its consumer stops. */
struct job {
    int id;    /* for messages */
    int units; /* how long it takes; < 0: stop */
    int done;  /* how many times a consumer finished it: should be 1 */
};

/** The frame of one consumer: the caller sets q and unit, zeroes the rest
 *  and makes it a task; it runs until it takes a stop mark (returning how
 *  many jobs it finished) or is cancelled. */
struct consumer {
    co_coro co;       /* the coroutine header */
    co_queue *q;      /* where the jobs come from (struct job *) */
    double unit;      /* seconds per unit of work */
    int finished;     /* jobs this consumer finished */
    struct job *job;  /* the job in hand, NULL between jobs */
    co_wait_op op;    /* for CO_QUEUE_GET */
    int caught;       /* for CO_SLEEP_CATCH */
};

/** The consumer. For each job got from q: works job->units * unit seconds
 *  (CO_SLEEP_CATCH, so that it sees a cancellation), then job->done++,
 *  finished++, and co_queue_task_done(q).
 *  A stop mark: co_queue_task_done(q), then CO_RETURN(co, finished).
 *  Cancelled while working on a job: the job is not lost: it goes back
 *  into q with co_queue_put_nowait (job->done unchanged), then
 *  co_queue_task_done(q) for the get, then the consumer ends cancelled
 *  (CO_RAISE(co, CO_ECANCELLED, ...)). Cancelled while waiting in get: it
 *  holds nothing, and simply ends cancelled. */
int consumer(co_coro *co);

#endif
