/* timer.c - the loop's timers: call_later and call_at, a binary min-heap
 * on (deadline, arming order). Introduced in lesson 04.
 *
 * Ties run in the order the timers were armed (asyncio leaves that open;
 * coflow promises FIFO, as libuv does). A timer that comes due is not run
 * from the heap: it is queued like any callback, behind what is ready. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "loop_internal.h"

#define CO__TIMER_OWNED 0x1  /* allocated by the loop, not by the user */
#define CO__TIMER_FIRING 0x2 /* popped from the heap, its handle queued */
#define CO__TIMER_KEPT 0x4   /* loop-owned, but its user gives it back */

double co__monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double co_loop_time(const co_loop *loop)
{
    return loop && loop->virtual_time ? loop->vnow : co__monotonic();
}

int co_loop_set_virtual_time(co_loop *loop, bool on)
{
    if (!loop)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    if (on == loop->virtual_time)
        return 0;
    /* The armed timers' deadlines are on the clock they were armed on. */
    if (loop->heap_len)
        return CO_ECLOCKBUSY;
    loop->vnow = co__monotonic(); /* virtual time starts where real time is */
    loop->virtual_time = on;
    return 0;
}

bool co_loop_get_virtual_time(const co_loop *loop)
{
    return loop && loop->virtual_time;
}

void co_timer_init(co_timer *timer)
{
    if (timer)
        memset(timer, 0, sizeof *timer);
}

/* ---- the heap ------------------------------------------------------------ */

static bool earlier(const co_timer *a, const co_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(co_loop *loop, size_t i, co_timer *timer)
{
    loop->heap[i] = timer;
    timer->heap_pos = (unsigned)i + 1;
}

static void sift_up(co_loop *loop, size_t i)
{
    co_timer *timer = loop->heap[i];
    while (i > 0 && earlier(timer, loop->heap[(i - 1) / 2])) {
        heap_set(loop, i, loop->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(loop, i, timer);
}

static void sift_down(co_loop *loop, size_t i)
{
    co_timer *timer = loop->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len &&
            earlier(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!earlier(loop->heap[child], timer))
            break;
        heap_set(loop, i, loop->heap[child]);
        i = child;
    }
    heap_set(loop, i, timer);
}

static void heap_remove(co_loop *loop, co_timer *timer)
{
    size_t i = timer->heap_pos - 1;
    timer->heap_pos = 0;
    co_timer *last = loop->heap[--loop->heap_len];
    if (last == timer)
        return;
    heap_set(loop, i, last);
    if (i > 0 && earlier(last, loop->heap[(i - 1) / 2]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
}

static int arm(co_loop *loop, co_timer *timer, double when, co_callback fn,
               void *arg)
{
    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        co_timer **grown = realloc(loop->heap, cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        loop->heap = grown;
        loop->heap_cap = cap;
    }
    timer->when = when;
    timer->seq = loop->timer_seq++;
    timer->fn = fn;
    timer->arg = arg;
    timer->loop = loop;
    loop->heap[loop->heap_len++] = timer;
    sift_up(loop, loop->heap_len - 1);
    return 0;
}

/* ---- firing -------------------------------------------------------------- */

static void recycle(co_loop *loop, co_timer *timer)
{
    timer->arg = loop->spare_timers;
    loop->spare_timers = timer;
}

/* A timer's queued handle: the deadline passed. */
static void fire(void *arg)
{
    co_timer *timer = arg;
    co_loop *loop = timer->loop;
    co_callback fn = timer->fn;
    void *fn_arg = timer->arg;
    timer->flags &= ~(unsigned)CO__TIMER_FIRING;
    timer->loop = NULL;
    if ((timer->flags & (CO__TIMER_OWNED | CO__TIMER_KEPT)) ==
        CO__TIMER_OWNED) /* fire-and-forget: recycle it now */
        recycle(loop, timer);
    fn(fn_arg);
}

/* A timer's queued handle that will never run (the loop closed). */
static void drop_fired(void *arg)
{
    co_timer *timer = arg;
    timer->flags &= ~(unsigned)CO__TIMER_FIRING;
    if (timer->flags & CO__TIMER_OWNED)
        free(timer);
    else
        timer->loop = NULL;
}

/* What a cancelled timer's queued handle becomes. */
static void nop(void *arg)
{
    (void)arg;
}

void co__timers_run_due(co_loop *loop)
{
    if (!loop->heap_len)
        return;
    double now = co_loop_time(loop);
    while (loop->heap_len && loop->heap[0]->when <= now) {
        co_timer *timer = loop->heap[0];
        heap_remove(loop, timer);
        if (co__loop_push(loop, fire, timer, drop_fired) < 0) {
            co_loop_report(loop, "a timer could not be queued (out of "
                                 "memory); it is dropped");
            timer->loop = NULL;
            if (timer->flags & CO__TIMER_OWNED)
                free(timer);
            continue;
        }
        timer->flags |= CO__TIMER_FIRING;
        co__loop_note(loop, CO__NOTE_TIMER, timer);
    }
}

double co__timers_timeout(co_loop *loop)
{
    if (!loop->heap_len)
        return -1;
    /* Until the earliest deadline, rounded up to a whole millisecond as
     * asyncio's default selector on Linux does (epoll_wait counts
     * milliseconds): never early, and the timers due within that
     * millisecond fire together after one wake-up instead of one each. */
    double timeout = loop->heap[0]->when - co_loop_time(loop);
    return timeout > 0 ? ceil(timeout * 1e3) * 1e-3 : 0;
}

bool co__timers_jump(co_loop *loop, double timeout)
{
    if (timeout <= 0 || loop->io_count || loop->keepalive || loop->open_door)
        return false;
    if (loop->heap[0]->when > loop->vnow)
        loop->vnow = loop->heap[0]->when;
    return true;
}

void co__timers_waited(co_loop *loop, double since, bool timed_out)
{
    double next = loop->vnow + (co__monotonic() - since);
    if (loop->heap_len && (timed_out || next > loop->heap[0]->when))
        next = loop->heap[0]->when;
    if (next > loop->vnow)
        loop->vnow = next;
}

void co__timers_close(co_loop *loop)
{
    for (size_t i = 0; i < loop->heap_len; i++) {
        co_timer *timer = loop->heap[i];
        timer->heap_pos = 0;
        timer->loop = NULL;
        if (timer->flags & CO__TIMER_OWNED)
            free(timer);
    }
    free(loop->heap);
    loop->heap = NULL;
    loop->heap_len = loop->heap_cap = 0;
    while (loop->spare_timers) {
        co_timer *next = loop->spare_timers->arg;
        free(loop->spare_timers);
        loop->spare_timers = next;
    }
}

/* ---- arming and cancelling ----------------------------------------------- */

static co_timer *spare_timer(co_loop *loop)
{
    co_timer *timer = loop->spare_timers;
    if (timer) {
        loop->spare_timers = timer->arg;
        memset(timer, 0, sizeof *timer);
    } else if (!(timer = calloc(1, sizeof *timer))) {
        return NULL;
    }
    timer->flags = CO__TIMER_OWNED;
    return timer;
}

/* Neutralises the queued handle of a timer that fired but has not run. */
static void unqueue_firing(co_loop *loop, co_timer *timer)
{
    for (size_t i = loop->ready_head; i != loop->ready_tail; i++) {
        co__handle *h = &loop->ready[i & (loop->ready_cap - 1)];
        if (h->fn == fire && h->arg == timer) {
            h->fn = nop;
            h->drop = NULL;
        }
    }
    timer->flags &= ~(unsigned)CO__TIMER_FIRING;
}

bool co_timer_cancel(co_timer *timer)
{
    if (!timer || !timer->loop)
        return false;
    co_loop *loop = timer->loop;
    if (timer->heap_pos)
        heap_remove(loop, timer);
    else if (timer->flags & CO__TIMER_FIRING)
        unqueue_firing(loop, timer);
    else
        return false;
    timer->loop = NULL;
    return true;
}

int co_loop_call_at(co_loop *loop, double when, co_callback fn, void *arg,
                    co_timer *timer)
{
    if (!loop || !fn || isnan(when))
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    int guard_rc = co__loop_check(loop); /* debug mode: which thread */
    if (guard_rc < 0)
        return guard_rc;
    bool owned = !timer;
    if (owned && !(timer = spare_timer(loop)))
        return CO_ENOMEM;
    if (!owned) {
        co_timer_cancel(timer); /* re-arming moves it */
        timer->flags = 0;
    }
    int rc = arm(loop, timer, when, fn, arg);
    if (rc < 0 && owned)
        free(timer);
    return rc;
}

int co_loop_call_later(co_loop *loop, double delay, co_callback fn, void *arg,
                       co_timer *timer)
{
    if (!loop || isnan(delay))
        return CO_EINVAL;
    return co_loop_call_at(loop, co_loop_time(loop) + delay, fn, arg, timer);
}

co_timer *co__timer_start(co_loop *loop, double delay, co_callback fn,
                          void *arg)
{
    co_timer *timer = spare_timer(loop);
    if (timer && arm(loop, timer, co_loop_time(loop) + delay, fn, arg) < 0) {
        free(timer);
        return NULL;
    }
    if (timer)
        timer->flags |= CO__TIMER_KEPT;
    return timer;
}

void co__timer_release(co_loop *loop, co_timer *timer)
{
    co_timer_cancel(timer);
    recycle(loop, timer);
}
