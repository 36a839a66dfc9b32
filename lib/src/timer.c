/* timer.c - the loop's timers: call_later and call_at, a 4-ary min-heap
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
#define CO__TIMER_SLEEP 0x4  /* the node is a sleep's (co__loop_sleep_start), not
                              * the tail of a co_timer */

/* A co_timer's node is its last two fields (co__tnode in loop_internal.h):
 * the heap sees only nodes, and finds the timer around one. */
_Static_assert(offsetof(co_timer, flags) ==
                   offsetof(co_timer, heap_pos) + sizeof(unsigned),
               "heap_pos and flags of a co_timer make its co__tnode");

static co__tnode *node_of(co_timer *timer)
{
    return (co__tnode *)(void *)&timer->heap_pos;
}

static co_timer *timer_of(co__tnode *node)
{
    return (co_timer *)(void *)((char *)node - offsetof(co_timer, heap_pos));
}

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

static bool earlier(const co__heap_entry *a, const co__heap_entry *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(co_loop *loop, size_t i, co__heap_entry e)
{
    loop->heap[i] = e;
    e.node->heap_pos = (unsigned)i + 1;
}

/* The heap is 4-ary: the children of entry i are 4i+1 to 4i+4, its
 * parent (i-1)/4. Half the levels of a binary heap means half the moves,
 * and every move also writes the moved timer's heap_pos, in memory the
 * heap does not own: with many timers that write is a cache miss, which
 * costs more than the two extra comparisons a level
 * (docs/performance.md, timers). */
#define HEAP_ARITY 4

static void sift_up(co_loop *loop, size_t i)
{
    co__heap_entry e = loop->heap[i];
    while (i > 0 && earlier(&e, &loop->heap[(i - 1) / HEAP_ARITY])) {
        heap_set(loop, i, loop->heap[(i - 1) / HEAP_ARITY]);
        i = (i - 1) / HEAP_ARITY;
    }
    heap_set(loop, i, e);
}

/* Takes the entry at @p i out of the heap. The hole left at i goes down
 * to a leaf along the earliest child of each level; the last entry fills
 * it there and sifts up, rarely more than a level, since it came from the
 * bottom. That saves comparing the last entry with the earliest child at
 * every level on the way down (Floyd's "bottom-up" deletion). */
static void heap_remove(co_loop *loop, co__tnode *node)
{
    size_t i = node->heap_pos - 1;
    node->heap_pos = 0;
    size_t len = --loop->heap_len;
    if (i == len)
        return; /* it was the last entry */
    co__heap_entry *heap = loop->heap;
    for (;;) {
        size_t first = HEAP_ARITY * i + 1;
        if (first >= len)
            break;
        size_t end = first + HEAP_ARITY < len ? first + HEAP_ARITY : len;
        size_t child = first;
        for (size_t c = first + 1; c < end; c++)
            if (earlier(&heap[c], &heap[child]))
                child = c;
        heap_set(loop, i, heap[child]);
        i = child;
    }
    heap[i] = heap[len];
    sift_up(loop, i);
}

/* Puts @p node in the heap with deadline @p when. 0 or CO_ENOMEM. */
static int heap_add(co_loop *loop, co__tnode *node, double when)
{
    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        co__heap_entry *grown = realloc(loop->heap, cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        loop->heap = grown;
        loop->heap_cap = cap;
    }
    loop->heap[loop->heap_len++] = (co__heap_entry){
        .when = when, .seq = loop->timer_seq++, .node = node};
    sift_up(loop, loop->heap_len - 1);
    return 0;
}

static int arm(co_loop *loop, co_timer *timer, double when, co_callback fn,
               void *arg)
{
    timer->when = when;
    timer->seq = loop->timer_seq;
    timer->fn = fn;
    timer->arg = arg;
    timer->loop = loop;
    return heap_add(loop, node_of(timer), when);
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
    if (timer->flags & CO__TIMER_OWNED) /* fire-and-forget: recycle it now */
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

void (*co__loop_sleep_hook)(co__tnode *node);

/* A sleep's queued handle: the deadline passed. */
static void fire_sleep(void *arg)
{
    co__tnode *node = arg;
    node->flags &= ~(unsigned)CO__TIMER_FIRING;
    co__loop_sleep_hook(node);
}

/* What a cancelled timer's queued handle becomes. */
static void nop(void *arg)
{
    (void)arg;
}

/* Queues the handle of @p node, which is due. 0 or CO_ENOMEM. */
static int queue_due(co_loop *loop, co__tnode *node)
{
    if (node->flags & CO__TIMER_SLEEP)
        return co__loop_push(loop, fire_sleep, node, NULL);
    return co__loop_push(loop, fire, timer_of(node), drop_fired);
}

void co__timers_run_due(co_loop *loop)
{
    if (!loop->heap_len)
        return;
    double now = co_loop_time(loop);
    while (loop->heap_len && loop->heap[0].when <= now) {
        co__tnode *node = loop->heap[0].node;
        heap_remove(loop, node);
        if (queue_due(loop, node) < 0) {
            co_loop_report(loop, "a timer could not be queued (out of "
                                 "memory); it is dropped");
            if (node->flags & CO__TIMER_SLEEP)
                continue;
            co_timer *timer = timer_of(node);
            timer->loop = NULL;
            if (timer->flags & CO__TIMER_OWNED)
                free(timer);
            continue;
        }
        node->flags |= CO__TIMER_FIRING;
        co__loop_note(loop, CO__NOTE_TIMER, node);
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
    double timeout = loop->heap[0].when - co_loop_time(loop);
    return timeout > 0 ? ceil(timeout * 1e3) * 1e-3 : 0;
}

bool co__timers_jump(co_loop *loop, double timeout)
{
    if (timeout <= 0 || loop->io_count || loop->keepalive || loop->open_door)
        return false;
    if (loop->heap[0].when > loop->vnow)
        loop->vnow = loop->heap[0].when;
    return true;
}

void co__timers_waited(co_loop *loop, double since, bool timed_out)
{
    double next = loop->vnow + (co__monotonic() - since);
    if (loop->heap_len && (timed_out || next > loop->heap[0].when))
        next = loop->heap[0].when;
    if (next > loop->vnow)
        loop->vnow = next;
}

void co__timers_close(co_loop *loop)
{
    for (size_t i = 0; i < loop->heap_len; i++) {
        co__tnode *node = loop->heap[i].node;
        node->heap_pos = 0;
        if (node->flags & CO__TIMER_SLEEP)
            continue; /* its task let it go already, or never will run */
        co_timer *timer = timer_of(node);
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

/* Neutralises the queued handle (@p fn, @p arg) of a timer or sleep that
 * fired but has not run: rare (a cancel in the very iteration its deadline
 * passed), so a walk of the ready queue is fine. */
static void unqueue_firing(co_loop *loop, co_callback fn, void *arg)
{
    for (size_t i = loop->ready_head; i != loop->ready_tail; i++) {
        co__handle *h = &loop->ready[i & (loop->ready_cap - 1)];
        if (h->fn == fn && h->arg == arg) {
            h->fn = nop;
            h->drop = NULL;
        }
    }
}

bool co_timer_cancel(co_timer *timer)
{
    if (!timer || !timer->loop)
        return false;
    co_loop *loop = timer->loop;
    if (timer->heap_pos) {
        heap_remove(loop, node_of(timer));
    } else if (timer->flags & CO__TIMER_FIRING) {
        unqueue_firing(loop, fire, timer);
        timer->flags &= ~(unsigned)CO__TIMER_FIRING;
    } else {
        return false;
    }
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

int co__loop_sleep_start(co_loop *loop, co__tnode *node, double delay)
{
    /* On failure the node is left as it was (a task's wait word stays 0,
     * "waits on nothing"). */
    int rc = heap_add(loop, node, co_loop_time(loop) + delay);
    if (rc == 0)
        node->flags = CO__TIMER_SLEEP;
    return rc;
}

void co__loop_sleep_cancel(co_loop *loop, co__tnode *node)
{
    if (node->heap_pos) {
        heap_remove(loop, node);
    } else if (node->flags & CO__TIMER_FIRING) {
        unqueue_firing(loop, fire_sleep, node);
        node->flags &= ~(unsigned)CO__TIMER_FIRING;
    }
}

double co__loop_sleep_when(const co_loop *loop, const co__tnode *node)
{
    return node->heap_pos ? loop->heap[node->heap_pos - 1].when : -INFINITY;
}
