/* waitq.h - the line of waiting coroutines behind every queue, lock, event,
 * semaphore and condition (lessons 13 and 14). Private to the library.
 *
 * A waiting coroutine sleeps on a future of its own (a "waiter"): waking it
 * means giving that future a result. The line holds one reference to each
 * waiter, in arrival order. The coroutine keeps only a borrowed pointer: its
 * task holds its own reference while it awaits the waiter, so the pointer
 * stays good until the coroutine has resumed and let go of it. Nothing in
 * the line points into a coroutine's frame, so a frame that is freed while
 * queued (its loop closed under it) can never be touched again. */
#ifndef COFLOW_WAITQ_H
#define COFLOW_WAITQ_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/future.h"

/* How many used waiters a line keeps for reuse. Two are enough for a
 * coroutine that waits on the same object over and over (a consumer's
 * get): when it joins the line again, the waiter it left a moment ago is
 * still held by its task until the step ends, so it takes the one before. */
#define CO__WAITQ_SPARES 4

/* A ring of future references, oldest first, and a few spare waiters.
 * Invariant: `len` entries from `head` (modulo `cap`), each holding one
 * reference; `cap` is 0 or a power of two; spare[0..nspare) are done
 * waiters that left the line, each holding the reference the line had. */
typedef struct co__waitq {
    co_future **ring; /* the waiters, oldest at ring[head] */
    size_t cap;       /* capacity of the ring (0 or a power of two) */
    size_t head;      /* index of the oldest waiter */
    size_t len;       /* how many wait */
    co_future *spare[CO__WAITQ_SPARES]; /* used waiters, to reuse */
    unsigned nspare;  /* how many spares */
} co__waitq;

/* The i-th waiter (0 = oldest), borrowed. */
co_future *co__waitq_at(const co__waitq *q, size_t i);

/* Creates a waiter on the running loop for the running task (or reuses a
 * spare that nobody else holds any more) and appends it (the line keeps
 * the only reference; *out is borrowed). Returns 0, CO_ENOTASK outside a
 * task, or CO_ENOMEM. */
int co__waitq_wait(co__waitq *q, co_future **out);

/* Takes @p f out of the line if it is there and drops the line's reference
 * (or keeps it, with @p f, as a spare). Returns true if it was found (a
 * waker may have taken it out already). */
bool co__waitq_remove(co__waitq *q, co_future *f);

/* Wakes the oldest waiter that is still pending (asyncio's _wakeup_next).
 * Woken waiters stay in the line, done, until their coroutine resumes and
 * removes itself: a woken coroutine is still "waiting" on the object until
 * then. Returns true if one was woken. The empty line, the common case of
 * every put and get that finds nobody waiting, costs no call. */
bool co__waitq_wake_next_in_line(co__waitq *q);
static inline bool co__waitq_wake_next(co__waitq *q)
{
    return q->len > 0 && co__waitq_wake_next_in_line(q);
}

/* Wakes the first waiter if it is still pending, and no other (Lock's
 * _wake_up_first: a done first waiter will take the lock or pass it on). */
bool co__waitq_wake_first(co__waitq *q);

/* Gives a result to up to @p n pending waiters, front first. Returns how
 * many woke. */
size_t co__waitq_wake_some(co__waitq *q, size_t n);

/* True if every waiter in the line was cancelled (also when it is empty). */
bool co__waitq_all_cancelled(const co__waitq *q);

/* True if some waiter (pending, woken or cancelled) is still in the line on
 * a loop that is not closed: its coroutine will resume and look at the
 * object that owns this line, so that object must not be freed yet. */
bool co__waitq_busy(const co__waitq *q);

/* Drops every reference (spares too) and the ring itself. */
void co__waitq_clear(co__waitq *q);

/* asyncio.Event, defined here because a queue embeds one for join(). */
struct co_event {
    co__waitq waiters; /* coroutines inside Event.wait() */
    bool value;        /* the flag */
};

#endif
