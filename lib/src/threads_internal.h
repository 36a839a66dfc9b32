/* threads_internal.h - the thread side of a loop: cross-thread work the
 * loop must settle when it closes, its default executor and each thread's
 * current loop. Introduced in lesson 10. It sits above tasks (a coroutine
 * run for another thread is a task) and keeps its per-loop state in a
 * loop extension of its own, so the loop knows nothing of threads. */
#ifndef COFLOW_THREADS_INTERNAL_H
#define COFLOW_THREADS_INTERNAL_H

#include "coflow/concurrent.h"
#include "coflow/executor.h"
#include "coflow/threads.h"
#include "task_internal.h"

/* A record of cross-thread work that a loop-side object waits for (a loop
 * future wrapping a concurrent one, a task started for another thread).
 * Linked into its loop's thread side while outstanding; co_loop_close calls
 * `detach` on each so that nothing is left waiting or leaked. Loop thread
 * only. */
typedef struct co__outside {
    struct co__outside *prev, *next;        /* neighbours in the list */
    void (*detach)(struct co__outside *o);  /* settles it at close */
} co__outside;

/* Links @p o into @p loop's thread side (made on first use). 0 or
 * CO_ENOMEM. */
int co__outside_link(co_loop *loop, co__outside *o);
void co__outside_unlink(co_loop *loop, co__outside *o);

/* Where @p loop keeps its default executor (run_in_executor(NULL)): a slot
 * holding NULL until one is made. NULL when out of memory. */
co_executor **co__default_executor(co_loop *loop);

/* Hands @p t (joinable) to @p loop: co_loop_close joins it (after the
 * work it waits for is settled). One at a time: a second one joins the
 * first here. 0, or CO_ENOMEM (then @p t is still the caller's). */
int co__join_at_close(co_loop *loop, pthread_t t);

/* The timeline's record of one executor job. run_in_executor makes one
 * while its loop has a watcher and tells it (CO__NOTE_JOB, on the loop's
 * thread, before the job is queued); the watcher sets `wanted`, fills
 * `label` and keeps a reference if it records, else the record is dropped
 * at once. The worker that runs the job writes `worker` and `start`, then
 * stores stage RUNNING (release); writes `end`, then stores ENDED. So a
 * reader that loads the stage (acquire) may read the fields it covers,
 * from any thread, without a lock. A job cancelled before it ran stays
 * QUEUED. Times are CLOCK_MONOTONIC seconds, co_loop_time's clock. */
enum { CO__JOB_QUEUED, CO__JOB_RUNNING, CO__JOB_ENDED };
typedef struct co__job_watch {
    atomic_uint refs;   /* the job's, and the watcher's if it keeps it */
    atomic_int stage;   /* CO__JOB_* */
    double start, end;  /* when the worker began and ended it */
    int worker;         /* which thread of its pool ran it (0, 1...) */
    unsigned pool;      /* the pool's number, in order of creation */
    bool default_pool;  /* the loop's default executor */
    bool wanted;        /* set by the watcher at the note */
    char label[56];     /* the watcher's name for it ("job 3 from ...") */
} co__job_watch;
void co__job_watch_ref(co__job_watch *w);
void co__job_watch_unref(co__job_watch *w);

/* Results that are objects (concurrent.c). A copy of @p len bytes as a
 * co_bytes, or NULL (no memory, or @p len over SIZE_MAX / 2). */
co_bytes *co__bytes_copy(const void *data, size_t len);
/* Completes @p f with bytes it takes over (freed if refused). */
int co__cfuture_set_bytes(co_cfuture *f, co_bytes *b);
/* A loop future of a job, which may own its pointer result. */
int co__job_future_new(co_loop *loop, co_future **out);
/* Completes job future @p f with bytes it takes over (freed if refused). */
int co__job_future_set_bytes(co_future *f, co_bytes *b);

/* co_run's Ctrl-C (signals.c). Installs fn(arg) as @p loop's SIGINT
 * handler, but only while SIGINT does its default action (a program with a
 * handler of its own keeps it): 1 when installed, 0 when left alone, or an
 * error. Unlike co_loop_add_signal_handler it does not hold the loop (a
 * Ctrl-C is no work to wait for), and a second SIGINT before the remove
 * does at once what SIGINT did before (by default: the process ends).
 * The remove puts the old disposition back if fn(arg) is still the
 * handler; a co_loop_add_signal_handler(SIGINT) in between replaced it. */
int co__interrupt_install(co_loop *loop, co_callback fn, void *arg);
void co__interrupt_remove(co_loop *loop, co_callback fn, void *arg);

/* In a child just forked (a process-pool worker): every signal a loop of
 * the parent handles gets back the disposition it had before, so that a
 * Ctrl-C reaching the worker does not ring the parent's doorbell through
 * the inherited pipe. */
void co__signals_after_fork(void);

/* True on the program's main thread (asyncio installs its Ctrl-C handler
 * only there). */
bool co__on_main_thread(void);

#endif
