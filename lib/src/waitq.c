/* waitq.c - the line of waiters shared by the primitives (see waitq.h).
 * Introduced with queues and locks (lessons 13 and 14). */
#include <stdlib.h>

#include "coflow/loop.h"
#include "coflow/task.h"
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

int co__waitq_wait(co__waitq *q, co_future **out)
{
    *out = NULL;
    /* A waiter is only any use to a coroutine that a task runs: nobody else
     * would be woken by its result. */
    if (!co_current_task(NULL))
        return CO_ENOTASK;
    if (q->len == q->cap && grow(q) < 0)
        return CO_ENOMEM;
    co_future *f;
    int rc = co_future_new(co_get_running_loop(), &f);
    if (rc < 0)
        return rc;
    q->ring[(q->head + q->len) & (q->cap - 1)] = f;
    q->len++;
    *out = f;
    return 0;
}

bool co__waitq_remove(co__waitq *q, co_future *f)
{
    for (size_t i = 0; i < q->len; i++) {
        if (co__waitq_at(q, i) != f)
            continue;
        /* Close the gap by moving the later waiters one place forward:
         * lines are short, and order is what matters. */
        for (size_t j = i; j + 1 < q->len; j++)
            q->ring[(q->head + j) & (q->cap - 1)] = co__waitq_at(q, j + 1);
        q->len--;
        co_future_unref(f);
        return true;
    }
    return false;
}

bool co__waitq_wake_next(co__waitq *q)
{
    return co__waitq_wake_some(q, 1) == 1;
}

bool co__waitq_wake_first(co__waitq *q)
{
    if (q->len == 0)
        return false;
    co_future *f = co__waitq_at(q, 0);
    return !co_future_done(f) && co_future_set_result_int(f, 1) == 0;
}

size_t co__waitq_wake_some(co__waitq *q, size_t n)
{
    size_t woken = 0;
    for (size_t i = 0; i < q->len && woken < n; i++) {
        co_future *f = co__waitq_at(q, i);
        if (!co_future_done(f) && co_future_set_result_int(f, 1) == 0)
            woken++;
    }
    return woken;
}

bool co__waitq_all_cancelled(const co__waitq *q)
{
    for (size_t i = 0; i < q->len; i++)
        if (!co_future_cancelled(co__waitq_at(q, i)))
            return false;
    return true;
}

bool co__waitq_busy(const co__waitq *q)
{
    for (size_t i = 0; i < q->len; i++) {
        co_future *f = co__waitq_at(q, i);
        if (!co_loop_is_closed(co_future_loop(f)))
            return true;
    }
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
}
