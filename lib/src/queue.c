/* queue.c - asyncio.Queue, LifoQueue and PriorityQueue (queues.py in
 * CPython 3.11). Introduced in lesson 14.
 *
 * The items sit in one array used three ways: a ring (FIFO: in at the
 * tail, out at the head), a stack (LIFO: in and out at the tail) or a
 * binary min-heap (priority; a sequence number breaks ties so that equal
 * items leave in the order they came). */
#include <stdint.h>
#include <stdlib.h>

#include "coflow/queue.h"
#include "waitq.h"

enum { KIND_FIFO, KIND_LIFO, KIND_PRIORITY };

/* One item and when it arrived (used by the heap for ties). */
typedef struct entry {
    void *item;             /* the user's item, owned by the queue */
    unsigned long long seq; /* arrival number */
} entry;

/* Invariant: `len` items; FIFO/LIFO keep them in a ring from `head` (cap a
 * power of two), the heap keeps them in slots[0..len) with head 0. */
struct co_queue {
    entry *slots;                 /* the items (see the invariant) */
    size_t cap;                   /* slots allocated (0 or a power of two) */
    size_t head;                  /* ring: index of the oldest item */
    size_t len;                   /* items held */
    size_t maxsize;               /* 0 = unbounded */
    size_t unfinished;            /* put but not yet task_done */
    unsigned long long next_seq;  /* arrival counter */
    co_queue_cmp cmp;             /* priority order (KIND_PRIORITY only) */
    void (*destroy)(void *item);  /* for items left at co_queue_free */
    co__waitq getters;            /* coroutines waiting for an item */
    co__waitq putters;            /* coroutines waiting for room */
    struct co_event finished;     /* set while unfinished == 0 (join) */
    int kind;                     /* KIND_* */
};

static int queue_new(co_queue **out, size_t maxsize, int kind,
                     co_queue_cmp cmp)
{
    if (!out)
        return CO_EINVAL;
    *out = NULL;
    co_queue *q = calloc(1, sizeof *q);
    if (!q)
        return CO_ENOMEM;
    q->maxsize = maxsize;
    q->kind = kind;
    q->cmp = cmp;
    q->finished.value = true; /* nothing put yet: join() returns at once */
    *out = q;
    return 0;
}

int co_queue_new(co_queue **out, size_t maxsize)
{
    return queue_new(out, maxsize, KIND_FIFO, NULL);
}

int co_lifo_queue_new(co_queue **out, size_t maxsize)
{
    return queue_new(out, maxsize, KIND_LIFO, NULL);
}

int co_priority_queue_new(co_queue **out, size_t maxsize, co_queue_cmp cmp)
{
    if (!cmp) {
        if (out)
            *out = NULL;
        return CO_EINVAL;
    }
    return queue_new(out, maxsize, KIND_PRIORITY, cmp);
}

void co_queue_set_item_destructor(co_queue *q, void (*fn)(void *item))
{
    if (q)
        q->destroy = fn;
}

static entry *slot(co_queue *q, size_t i)
{
    return &q->slots[(q->head + i) & (q->cap - 1)];
}

int co_queue_free(co_queue *q)
{
    if (!q)
        return 0;
    if (co__waitq_busy(&q->getters) || co__waitq_busy(&q->putters) ||
        co__waitq_busy(&q->finished.waiters))
        return CO_EBUSY;
    for (size_t i = 0; q->destroy && i < q->len; i++)
        q->destroy(slot(q, i)->item);
    co__waitq_clear(&q->getters);
    co__waitq_clear(&q->putters);
    co__waitq_clear(&q->finished.waiters);
    free(q->slots);
    free(q);
    return 0;
}

size_t co_queue_qsize(const co_queue *q)
{
    return q ? q->len : 0;
}

size_t co_queue_maxsize(const co_queue *q)
{
    return q ? q->maxsize : 0;
}

bool co_queue_empty(const co_queue *q)
{
    return !q || q->len == 0;
}

bool co_queue_full(const co_queue *q)
{
    return q && q->maxsize > 0 && q->len >= q->maxsize;
}

size_t co_queue_unfinished(const co_queue *q)
{
    return q ? q->unfinished : 0;
}

/* ---- the storage -------------------------------------------------------- */

static int grow(co_queue *q)
{
    size_t cap = q->cap ? q->cap * 2 : 8;
    if (cap > SIZE_MAX / sizeof(entry))
        return CO_ENOMEM;
    entry *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return CO_ENOMEM;
    for (size_t i = 0; i < q->len; i++)
        slots[i] = *slot(q, i);
    free(q->slots);
    q->slots = slots;
    q->cap = cap;
    q->head = 0;
    return 0;
}

static bool before(const co_queue *q, const entry *a, const entry *b)
{
    int c = q->cmp(a->item, b->item);
    return c < 0 || (c == 0 && a->seq < b->seq);
}

static void heap_up(co_queue *q, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(q, &q->slots[i], &q->slots[parent]))
            break;
        entry tmp = q->slots[i];
        q->slots[i] = q->slots[parent];
        q->slots[parent] = tmp;
        i = parent;
    }
}

static void heap_down(co_queue *q, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->len && before(q, &q->slots[l], &q->slots[m]))
            m = l;
        if (r < q->len && before(q, &q->slots[r], &q->slots[m]))
            m = r;
        if (m == i)
            return;
        entry tmp = q->slots[i];
        q->slots[i] = q->slots[m];
        q->slots[m] = tmp;
        i = m;
    }
}

static int store(co_queue *q, void *item)
{
    if (q->len == q->cap && grow(q) < 0)
        return CO_ENOMEM;
    entry e = {item, q->next_seq++};
    *slot(q, q->len) = e;
    q->len++;
    if (q->kind == KIND_PRIORITY)
        heap_up(q, q->len - 1);
    return 0;
}

static void *take(co_queue *q)
{
    void *item;
    if (q->kind == KIND_FIFO) {
        item = slot(q, 0)->item;
        q->head = (q->head + 1) & (q->cap - 1);
        q->len--;
    } else if (q->kind == KIND_LIFO) {
        item = slot(q, q->len - 1)->item;
        q->len--;
    } else {
        item = q->slots[0].item;
        q->slots[0] = q->slots[--q->len];
        heap_down(q, 0);
    }
    return item;
}

/* ---- the nowait operations ---------------------------------------------- */

/* put_nowait() once its checks have passed (put() has made them too). */
static inline int put_item(co_queue *q, void *item)
{
    int rc = store(q, item);
    if (rc < 0)
        return rc;
    q->unfinished++;
    q->finished.value = false; /* co_event_clear(&q->finished) */
    co__waitq_wake_next(&q->getters);
    return 0;
}

/* get_nowait() on a queue known not to be empty. */
static inline void *get_item(co_queue *q)
{
    void *item = take(q);
    co__waitq_wake_next(&q->putters);
    return item;
}

int co_queue_put_nowait(co_queue *q, void *item)
{
    if (!q)
        return CO_EINVAL;
    if (co_queue_full(q))
        return CO_EQUEUEFULL;
    return put_item(q, item);
}

int co_queue_get_nowait(co_queue *q, void **out)
{
    if (out)
        *out = NULL;
    if (!q || !out)
        return CO_EINVAL;
    if (q->len == 0)
        return CO_EQUEUEEMPTY;
    *out = get_item(q);
    return 0;
}

int co_queue_task_done(co_queue *q)
{
    if (!q)
        return CO_EINVAL;
    if (q->unfinished == 0)
        return CO_ETASKDONE;
    if (--q->unfinished == 0)
        co_event_set(&q->finished);
    return 0;
}

/* ---- the waits ---------------------------------------------------------- */

/* Leaves the line after the sleep on op->waiter ended with a failure. If
 * this waiter had been woken (it is done but not cancelled) and what it was
 * woken for is still there, the wakeup goes to the next in line: otherwise
 * an item (or a free place) would sit there with somebody still waiting. */
static void leave_on_failure(co_wait_op *op, co__waitq *line, bool still_there)
{
    co_future_cancel(op->waiter); /* in case it is somehow still pending */
    bool was_woken = !co_future_cancelled(op->waiter);
    co__waitq_remove(line, op->waiter);
    op->waiter = NULL;
    if (was_woken && still_there)
        co__waitq_wake_next(line);
}

static int get_step(co_coro *co)
{
    co_wait_op *op = (co_wait_op *)co;
    co_queue *q = op->target;
    CO_BEGIN(co);
    if (!q)
        CO_RAISE(co, CO_EINVAL, "Queue.get() was given a NULL queue");
    /* A loop, not an if: a woken getter may find the item already taken by
     * somebody who called get_nowait() first, and then waits again. */
    while (q->len == 0) {
        op->caught = co__waitq_wait(&q->getters, &op->waiter);
        if (op->caught < 0)
            CO_RAISE(co, op->caught, NULL);
        CO_AWAIT_CATCH(co, op->waiter, op->caught);
        if (op->caught) {
            leave_on_failure(op, &q->getters, q->len > 0);
            CO_RAISE(co, op->caught, co_caught_message());
        }
        co__waitq_remove(&q->getters, op->waiter);
        op->waiter = NULL;
    }
    op->item = get_item(q);
    CO_RETURN_PTR(co, op->item);
    CO_END(co);
}

static int put_step(co_coro *co)
{
    co_wait_op *op = (co_wait_op *)co;
    co_queue *q = op->target;
    CO_BEGIN(co);
    if (!q)
        CO_RAISE(co, CO_EINVAL, "Queue.put() was given a NULL queue");
    while (co_queue_full(q)) {
        op->caught = co__waitq_wait(&q->putters, &op->waiter);
        if (op->caught < 0)
            CO_RAISE(co, op->caught, NULL);
        CO_AWAIT_CATCH(co, op->waiter, op->caught);
        if (op->caught) {
            leave_on_failure(op, &q->putters, !co_queue_full(q));
            CO_RAISE(co, op->caught, co_caught_message());
        }
        co__waitq_remove(&q->putters, op->waiter);
        op->waiter = NULL;
    }
    op->caught = put_item(q, op->item);
    if (op->caught < 0)
        CO_RAISE(co, op->caught, NULL);
    CO_END(co);
}

static int op_start(co_wait_op *op, co_coro_fn fn, co_queue *q, void *item)
{
    if (!op)
        return CO_EINVAL;
    /* co_coro_init() without the call: a fresh header, all zero but fn. */
    op->co = (co_coro){.fn = fn};
    op->target = q;
    op->waiter = NULL;
    op->item = item;
    op->caught = 0;
    return 0;
}

int co_queue_put_op(co_wait_op *op, co_queue *q, void *item)
{
    return op_start(op, put_step, q, item);
}

int co_queue_get_op(co_wait_op *op, co_queue *q)
{
    return op_start(op, get_step, q, NULL);
}

int co_queue_join_op(co_wait_op *op, co_queue *q)
{
    /* join() is Event.wait() on the queue's "finished" event. */
    int rc = co_event_wait_op(op, q ? &q->finished : NULL);
    return rc;
}
