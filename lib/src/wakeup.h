/* wakeup.h - how other threads (and signal handlers) reach a loop that may
 * be asleep in select(): a self-pipe plus a queue of calls. It sits below
 * the loop: the loop owns one channel, watches its pipe and runs the calls
 * queued on it. The public side is coflow/threads.h (lesson 10).
 *
 * The pipe is the loop's only cross-thread doorbell. Ringing it is one
 * atomic exchange and, only if nobody rang since the loop last looked, one
 * write(): a thousand calls in a row cost one byte and one wakeup. Both steps
 * are async-signal-safe, so a signal handler rings the same bell. */
#ifndef COFLOW_WAKEUP_H
#define COFLOW_WAKEUP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "coflow/loop.h" /* co_callback */

/* The doorbell must work inside a signal handler: that needs lock-free
 * atomics (a lock inside a handler can deadlock against its own thread). */
#if ATOMIC_INT_LOCK_FREE != 2 || ATOMIC_POINTER_LOCK_FREE != 2
#error "coflow's wakeup needs lock-free atomic int and pointer"
#endif

/* One call queued by another thread. `drop` (may be NULL) releases `arg`
 * when the loop closes before the call could run. */
typedef struct co__tscall {
    co_callback fn;           /* runs on the loop's thread */
    co_callback drop;         /* runs instead, if the loop closes first */
    void *arg;                /* argument of either */
    struct co__tscall *next;  /* queue order: oldest first */
} co__tscall;

/* The channel outlives its loop while a worker thread still holds a
 * reference, so that a job finishing after co_loop_close() finds a closed
 * channel (and cleans up after itself) instead of freed memory. */
typedef struct co__chan {
    pthread_mutex_t lock;     /* guards head, tail and closed */
    co__tscall *head, *tail;  /* calls waiting for the loop, FIFO */
    bool closed;              /* the loop is gone: posting fails */
    atomic_int pending;       /* 1 from a ring until the loop looks */
    atomic_uint refs;         /* the loop's, plus one per outside holder */
    int rfd, wfd;             /* the self-pipe: loop reads, others write */
} co__chan;

/* Makes a channel (one reference) with a non-blocking, close-on-exec pipe.
 * Returns 0, CO_ENOMEM or CO_ESYS. */
int co__chan_new(co__chan **out);
co__chan *co__chan_ref(co__chan *c);
void co__chan_unref(co__chan *c);

/* True once the loop has closed the channel. Any thread (takes the lock:
 * not for a signal handler). */
bool co__chan_closed(co__chan *c);

/* Rings the bell. Any thread, and async-signal-safe. */
void co__chan_wake(co__chan *c);

/* Queues fn(arg) for the loop and rings. Any thread. Returns 0, CO_ENOMEM,
 * or CO_ECLOSED (then nothing was queued and `arg` is still the caller's). */
int co__chan_post(co__chan *c, co_callback fn, co_callback drop, void *arg);

/* True if the bell rang since the loop last took the queue: cheap (one
 * atomic load), for the loop's hot path. */
static inline bool co__chan_rang(co__chan *c)
{
    return atomic_load_explicit(&c->pending, memory_order_acquire) != 0;
}

/* Loop thread: empties the pipe (the loop's reader of rfd calls this). */
void co__chan_drain(co__chan *c);

/* Loop thread: clears the bell and takes the whole queue (oldest first). */
co__tscall *co__chan_take(co__chan *c);

/* Loop thread, at co_loop_close: refuses further posts and runs the `drop`
 * of every call still queued. */
void co__chan_close(co__chan *c);

#endif
