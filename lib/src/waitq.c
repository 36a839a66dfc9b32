/* waitq.c - the line of waiters shared by the primitives (see waitq.h).
 * Introduced with queues and locks (lessons 13 and 14). */
#include <stdlib.h>

#include "task_internal.h"
#include "waitq.h"

co_future *co__waitq_at(const co__waitq *q, size_t i)
{
    return q->ring[(q->head + i) & (q->cap - 1)];
}

static int grow(co__waitq *q)
{
    size_t cap = q->cap ? q->cap * 2 : 4;
    co_future **ring = malloc(cap * sizeof *ring);
    if (!ring)
        return CO_ENOMEM;
    /* Unroll the old ring so that the oldest waiter lands at index 0. */
    for (size_t i = 0; i < q->len; i++)
        ring[i] = co__waitq_at(q, i);
    free(q->ring);
    q->ring = ring;
    q->cap = cap;
    q->head = 0;
    return 0;
}

/* A spare waiter of @p loop that only the line still holds, made pending
 * again; NULL if there is none. A spare that another task or a scheduled
 * wake-up still holds (refs > 1) must wait: reusing it would let that old
 * wake-up wake the new wait. Spares of another loop are let go. */
static co_future *take_spare(co__waitq *q, co_loop *loop)
{
    for (unsigned i = 0; i < q->nspare;) {
        co_future *f = q->spare[i];
        if (f->loop != loop) {
            q->spare[i] = q->spare[--q->nspare];
            co_future_unref(f);
            continue;
        }
        if (f->refs == 1) {
            q->spare[i] = q->spare[--q->nspare];
            co__future_reuse(f);
            return f;
        }
        i++;
    }
    return NULL;
}

int co__waitq_wait(co__waitq *q, co_future **out)
{
    *out = NULL;
    /* A waiter is only any use to a coroutine that a task runs: nobody else
     * would be woken by its result. */
    co_loop *loop = co__running_loop;
    if (!loop || !co__current_task)
        return CO_ENOTASK;
    if (q->len == q->cap && grow(q) < 0)
        return CO_ENOMEM;
    co_future *f = take_spare(q, loop);
    if (!f) {
        int rc = co_future_new(loop, &f);
        if (rc < 0)
            return rc;
        f->flags |= CO__FF_WAITER;
    }
    q->ring[(q->head + q->len) & (q->cap - 1)] = f;
    q->len++;
    *out = f;
    return 0;
}

/* The line lets go of @p f: into the spares if it is a done waiter and
 * there is room, otherwise its reference is dropped. */
static void let_go(co__waitq *q, co_future *f)
{
    if ((f->flags & CO__FF_WAITER) && f->state != CO__PENDING &&
        q->nspare < CO__WAITQ_SPARES)
        q->spare[q->nspare++] = f;
    else
        co_future_unref(f);
}

bool co__waitq_remove(co__waitq *q, co_future *f)
{
    if (q->len > 0 && q->ring[q->head] == f) {
        /* The common case: the oldest waiter leaves first. */
        q->head = (q->head + 1) & (q->cap - 1);
        q->len--;
        let_go(q, f);
        return true;
    }
    for (size_t i = 1; i < q->len; i++) {
        if (co__waitq_at(q, i) != f)
            continue;
        /* Close the gap by moving the later waiters one place forward:
         * lines are short, and order is what matters. */
        for (size_t j = i; j + 1 < q->len; j++)
            q->ring[(q->head + j) & (q->cap - 1)] = co__waitq_at(q, j + 1);
        q->len--;
        let_go(q, f);
        return true;
    }
    return false;
}

/* Gives @p f its result if it is still pending; true if that woke it. */
static bool wake(co_future *f)
{
    return f->state == CO__PENDING &&
           co__future_finish(f, CO_KIND_INT, 1, NULL, 0, NULL) == 0;
}

bool co__waitq_wake_next_in_line(co__waitq *q)
{
    for (size_t i = 0; i < q->len; i++)
        if (wake(co__waitq_at(q, i)))
            return true;
    return false;
}

bool co__waitq_wake_first(co__waitq *q)
{
    return q->len > 0 && wake(co__waitq_at(q, 0));
}

size_t co__waitq_wake_some(co__waitq *q, size_t n)
{
    size_t woken = 0;
    for (size_t i = 0; i < q->len && woken < n; i++)
        if (wake(co__waitq_at(q, i)))
            woken++;
    return woken;
}

bool co__waitq_all_cancelled(const co__waitq *q)
{
    for (size_t i = 0; i < q->len; i++)
        if (co__waitq_at(q, i)->state != CO__CANCELLED)
            return false;
    return true;
}

bool co__waitq_busy(const co__waitq *q)
{
    for (size_t i = 0; i < q->len; i++)
        if (!co__waitq_at(q, i)->loop->closed)
            return true;
    return false;
}

void co__waitq_clear(co__waitq *q)
{
    for (size_t i = 0; i < q->len; i++)
        co_future_unref(co__waitq_at(q, i));
    q->len = 0;
    free(q->ring);
    q->ring = NULL;
    q->cap = q->head = 0;
    while (q->nspare > 0)
        co_future_unref(q->spare[--q->nspare]);
}
