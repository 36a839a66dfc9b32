/** @file
 * coflow/queue.h - asyncio.Queue, LifoQueue and PriorityQueue: hand items
 * from producers to consumers, waiting when the queue is full or empty.
 * Introduced in lesson 14 (producers and consumers; docs/primitives.md
 * explains it).
 *
 * Items are `void *`. The queue never looks inside them and never frees
 * them while it runs: putting an item hands it to the queue, getting it
 * hands it to the getter. A put that fails or is cancelled leaves the item
 * with the putter. To queue small integers, cast through intptr_t.
 *
 * @code{.c}
 * struct consumer { co_coro co; co_queue *q; co_wait_op op; void *item; };
 * ...
 * co_queue_new(&self->q, 0);          // usually shared with the producers
 * co_queue_put_nowait(self->q, (void *)(intptr_t)42);
 * while (!co_queue_empty(self->q)) {
 *     CO_QUEUE_GET(co, &self->op, self->q, self->item);  // await q.get()
 *     printf("got %d\n", (int)(intptr_t)self->item);
 *     co_queue_task_done(self->q);
 * }
 * CO_FINALLY(co);
 * co_queue_free(self->q);
 * @endcode
 *
 * Waiting getters and putters are served in arrival order. A woken waiter
 * checks again whether it can go on (somebody may have been quicker), and
 * one that is cancelled after it was woken wakes the next in line, so no
 * item and no free place is ever left unclaimed (CPython's queues.py).
 *
 * Ownership: co_queue_*new() gives the caller the queue; co_queue_free()
 * frees it, refusing (CO_EBUSY) while coroutines still wait on it. Items
 * still inside are passed to the destructor set with
 * co_queue_set_item_destructor(), if any; otherwise they stay the caller's
 * problem. */
#ifndef COFLOW_QUEUE_H
#define COFLOW_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/locks.h"

/** asyncio.Queue, LifoQueue or PriorityQueue. Opaque. */
typedef struct co_queue co_queue;

/** Orders a priority queue: negative if @p a comes out before @p b, positive
 *  if after, 0 if equal (equal items come out first in, first out). */
typedef int (*co_queue_cmp)(const void *a, const void *b);

/** asyncio.Queue(maxsize): first in, first out. @p maxsize 0 means
 *  unbounded. @return 0 and *out; CO_EINVAL (NULL out); CO_ENOMEM.
 *  @param out receives the queue, the caller's to free
 *  @param maxsize the most items it holds; 0 for no limit */
CO_API int co_queue_new(co_queue **out, size_t maxsize);

/** asyncio.LifoQueue(maxsize): last in, first out.
 *  @param out receives the queue, the caller's to free
 *  @param maxsize the most items it holds; 0 for no limit
 *  @return as co_queue_new() */
CO_API int co_lifo_queue_new(co_queue **out, size_t maxsize);

/** asyncio.PriorityQueue(maxsize): the smallest item by @p cmp comes out
 *  first. @return as co_queue_new(); CO_EINVAL if @p cmp is NULL.
 *  @param out receives the queue, the caller's to free
 *  @param maxsize the most items it holds; 0 for no limit
 *  @param cmp orders the items */
CO_API int co_priority_queue_new(co_queue **out, size_t maxsize,
                                 co_queue_cmp cmp);

/** Sets what co_queue_free() calls on each item still in the queue (NULL:
 *  nothing). NULL @p q: no-op.
 *  @param q the queue
 *  @param fn called on each item still inside when the queue is freed, or
 *      NULL */
CO_API void co_queue_set_item_destructor(co_queue *q, void (*fn)(void *item));

/** Frees @p q. @return 0; CO_EBUSY if coroutines still wait on it (a get,
 *  a put or a join): nothing is freed. NULL is a no-op returning 0.
 *  @param q the queue, or NULL */
CO_API int co_queue_free(co_queue *q);

/** Queue.qsize(): how many items it holds. 0 for NULL.
 *  @param q the queue
 *  @return how many items it holds */
CO_API size_t co_queue_qsize(const co_queue *q);

/** Queue.maxsize (0: unbounded). 0 for NULL.
 *  @param q the queue
 *  @return its maxsize */
CO_API size_t co_queue_maxsize(const co_queue *q);

/** Queue.empty(). NULL is empty.
 *  @param q the queue
 *  @return true if it holds no item */
CO_API bool co_queue_empty(const co_queue *q);
/** Queue.full(). A queue with maxsize 0 is never full, nor is NULL.
 *  @param q the queue
 *  @return true if a put would wait */
CO_API bool co_queue_full(const co_queue *q);

/** Queue.put_nowait(item): adds @p item (now the queue's) and wakes the
 *  first waiting getter. @return 0; CO_EQUEUEFULL (the item stays yours);
 *  CO_EINVAL for NULL @p q; CO_ENOMEM.
 *  @param q the queue
 *  @param item the item, handed to the queue */
CO_API int co_queue_put_nowait(co_queue *q, void *item);

/** Queue.get_nowait(): takes the next item into *out (now yours) and wakes
 *  the first waiting putter. @return 0; CO_EQUEUEEMPTY (*out is NULL);
 *  CO_EINVAL for NULL.
 *  @param q the queue
 *  @param out receives the item (NULL when empty) */
CO_API int co_queue_get_nowait(co_queue *q, void **out);

/** Queue.task_done(): one item that was got has been dealt with. When every
 *  item ever put has been, join() returns.
 *  @return 0; CO_ETASKDONE if called more times than items were put;
 *  CO_EINVAL for NULL.
 *  @param q the queue */
CO_API int co_queue_task_done(co_queue *q);

/** How many items were put but not yet marked with task_done. 0 for NULL.
 *  @param q the queue
 *  @return how many items were put and not yet marked done */
CO_API size_t co_queue_unfinished(const co_queue *q);

/** Prepares @p op to await Queue.put(item) (CO_QUEUE_PUT does it for you).
 *  @return 0, or CO_EINVAL for a NULL @p op (a NULL queue makes the wait
 *  itself fail with CO_EINVAL).
 *  @param op the wait's frame, a member of the caller's frame (it must live
 *      until the wait has ended)
 *  @param q the queue
 *  @param item the item to put, the queue's once the put succeeds */
CO_API int co_queue_put_op(co_wait_op *op, co_queue *q, void *item);
/** Prepares @p op to await Queue.get(); after it, the item is in op->item.
 *  @return as co_queue_put_op().
 *  @param op the wait's frame, a member of the caller's frame (it must live
 *      until the wait has ended)
 *  @param q the queue */
CO_API int co_queue_get_op(co_wait_op *op, co_queue *q);
/** Prepares @p op to await Queue.join(). @return as co_queue_put_op().
 *  @param op the wait's frame, a member of the caller's frame (it must live
 *      until the wait has ended)
 *  @param q the queue */
CO_API int co_queue_join_op(co_wait_op *op, co_queue *q);

/** `await q.put(item)`: waits while the queue is full.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param op the wait's frame, a co_wait_op in your frame
 *  @param q the queue (a co_queue *)
 *  @param item the item to put (a void *, the queue's once put) */
#define CO_QUEUE_PUT(co, op, q, item)                                          \
    do {                                                                       \
        /* Room for it: put it at once, as asyncio's put() does when the    \
         * queue is not full. Otherwise (or on any error) the wait op waits, \
         * or fails with the error. */                                         \
        if (co_queue_put_nowait((q), (item)) != 0) {                           \
            co_queue_put_op((op), (q), (item));                                \
            CO_AWAIT_CORO(co, co__wait_frame(op));                             \
        }                                                                      \
    } while (0)

/** `out = await q.get()`: waits while the queue is empty, then stores the
 *  item in the `void *` lvalue @p out.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param op the wait's frame, a co_wait_op in your frame
 *  @param q the queue (a co_queue *)
 *  @param out a void * lvalue that receives the item */
#define CO_QUEUE_GET(co, op, q, out)                                           \
    do {                                                                       \
        /* An item is there: take it at once, as asyncio's get() does when  \
         * the queue is not empty; otherwise the wait op waits for one. */     \
        if (co_queue_get_nowait((q), &(op)->item) != 0) {                      \
            co_queue_get_op((op), (q));                                        \
            CO_AWAIT_CORO(co, co__wait_frame(op));                             \
        }                                                                      \
        (out) = (op)->item;                                                    \
    } while (0)

/** `await q.join()`: waits until every item put has been marked done.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param op the wait's frame, a co_wait_op in your frame
 *  @param q the queue (a co_queue *) */
#define CO_QUEUE_JOIN(co, op, q)                                               \
    do {                                                                       \
        co_queue_join_op((op), (q));                                           \
        CO_AWAIT_CORO(co, co__wait_frame(op));                                 \
    } while (0)

#endif
