/* loop_internal.h - the event loop's private side: the ready queue, timers,
 * watched descriptors and the few hooks the layers above it use. Introduced
 * in lesson 04. The loop knows nothing of futures, tasks, threads or
 * signals: what those need at close or after a wakeup they register here
 * (struct co__loop_ext), and what they queue carries its own release
 * (co__handle.drop). */
#ifndef COFLOW_LOOP_INTERNAL_H
#define COFLOW_LOOP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "base.h"
#include "coflow/loop.h"
#include "wakeup.h"

/* One entry of the ready queue: fn(arg) runs when the loop gets to it. If
 * the loop closes first, drop(arg) runs instead, so that whatever arg holds
 * (a reference, a timer) is let go; drop is NULL when there is nothing to
 * release, as for a plain call_soon. 24 bytes: 100,000 ready task steps
 * make a 2.4 MB ring. */
typedef struct co__handle {
    co_callback fn;   /* what to run */
    void *arg;        /* its argument */
    co_callback drop; /* releases arg if fn never runs; may be NULL */
} co__handle;

/* What the loop knows of one watched descriptor. Made at the first watch
 * of that fd and kept until the loop closes, so that the I/O handle a poll
 * queued can point at it however the table grows meanwhile. */
typedef struct co__watch {
    co_loop *loop;              /* the loop it belongs to */
    int fd;                     /* the descriptor */
    unsigned char fired;        /* CO__READ/WRITE/BAD polled, not yet run */
    co_io_callback reader;      /* called when readable, or NULL */
    co_io_callback writer;      /* called when writable, or NULL */
    void *reader_arg;           /* the reader's argument */
    void *writer_arg;           /* the writer's argument */
    co_callback reader_drop;    /* releases reader_arg when that watch ends */
    co_callback writer_drop;    /* releases writer_arg when that watch ends */
} co__watch;

/* What the timer heap orders: an armed co_timer, or a sleeping task's
 * sleep, which lives inside the task (task_internal.h) so that a sleep
 * allocates nothing. 8 bytes, so that it fits in the word a task keeps for
 * what it waits on. A co_timer's last two fields are its node. */
typedef struct co__tnode {
    unsigned heap_pos;  /* 1 + its index in the loop's heap; 0: not armed */
    unsigned flags;     /* CO__TIMER_* (timer.c) */
} co__tnode;

/* One entry of the timer heap. The deadline and arming order are copied
 * into the entry, so that keeping the heap ordered reads only the heap's
 * own array, not every timer it points at (docs/performance.md, timers). */
typedef struct co__heap_entry {
    double when;               /* the deadline, on co_loop_time()'s clock */
    unsigned long long seq;    /* arming order: ties on `when` run FIFO */
    co__tnode *node;           /* what is armed */
} co__heap_entry;

/* Per-loop state of a layer above the loop (the task registry, the thread
 * side, signals): a struct of the layer's with this header first, made
 * and linked in by co__loop_ext_get (and the loop's to free from then on);
 * the loop calls its hooks and otherwise never looks inside. */
typedef struct co__loop_ext {
    const void *key;          /* which layer: the address of a static of its */
    /* On the loop's thread, after a poll during which the doorbell rang
     * (a threadsafe call or a signal); may be NULL. */
    void (*wake)(co_loop *loop, struct co__loop_ext *ext);
    /* At co_loop_close, before the loop tears itself down, while call_soon
     * and timers still work: lets go of what the layer holds. Every ext is
     * still findable then; once every hook has run, the loop frees each
     * ext with free(). A hook must not add an ext. */
    void (*close)(co_loop *loop, struct co__loop_ext *ext);
    struct co__loop_ext *next; /* the loop's list, newest first */
} co__loop_ext;

/* Invariants: `ready` is a ring of capacity `ready_cap` (a power of two);
 * `ready_head` and `ready_tail` count the handles ever taken off and put
 * on (they only grow; unsigned wrap-around is harmless), so the ring holds
 * ready_tail - ready_head handles and handle i is at ready[i & (cap - 1)].
 * `heap` is a 4-ary min-heap on (when, seq) (timer.c) and every armed
 * node's heap_pos is its index + 1.
 * `io[fd]` is NULL or the watch of fd; `io_count` counts the (fd, direction)
 * pairs being watched. `refs` counts the open loop itself (until
 * co_loop_close) plus every live future: the struct is freed when it
 * reaches zero, so a future never points at freed memory; the channel is
 * kept as long as the struct, closed from co_loop_close on. */
struct co_loop {
    co__handle *ready;          /* ring of callbacks ready to run */
    size_t ready_cap;           /* capacity of the ring (power of two) */
    size_t ready_head;          /* handles taken off so far (the oldest) */
    size_t ready_tail;          /* handles put on so far (the next free) */
    co__heap_entry *heap;       /* armed timers and sleeps, earliest first */
    size_t heap_len, heap_cap;  /* its length and capacity */
    unsigned long long timer_seq; /* next arming number (FIFO on ties) */
    co_timer *spare_timers;     /* loop-owned timers not in use (via arg) */
    co__watch **io;             /* watched fds, indexed by fd */
    int io_cap;                 /* length of io[] */
    int io_count;               /* (fd, direction) pairs watched */
    co__fired *fired;           /* what the backend's poll reports */
    int fired_cap;              /* room in fired[] */
    const co__backend *backend; /* select() unless chosen otherwise */
    void *backend_state;        /* the backend's own data */
    co__chan *chan;             /* doorbell + threadsafe calls (wakeup.h) */
    atomic_uint keepalive;      /* outside work that may still call in
                                 * (atomic: released from other threads) */
    co__loop_ext *exts;         /* layers above with per-loop state */
    struct co__probe *probe;    /* debug mode / timeline watching, or NULL */
    unsigned char guard;        /* CO__GUARD_*: push takes the slow path */
    co_exception_handler handler; /* where reports go (NULL: stderr) */
    void *handler_arg;          /* its argument */
    unsigned refs;              /* see the invariants above */
    pthread_t maker;            /* the thread that made it */
    bool open_door;             /* run by another thread than its maker:
                                 * other threads may call in, so it waits */
    bool running;               /* inside co_loop_run_* */
    bool stopping;              /* co_loop_stop() was called */
    bool closed;                /* co_loop_close() was called */
    bool virtual_time;          /* co_loop_time() reads `vnow` (below) */
    double vnow;                /* virtual time: moves only while the loop
                                 * waits, and jumps when only a timer can
                                 * end the wait (co_loop_set_virtual_time) */
};

/* The loop running on this thread (co_get_running_loop). */
extern CO__TLS co_loop *co__running_loop;

/* ---- the ready queue ----------------------------------------------------- */

/* Doubles the ready ring. 0 or CO_ENOMEM. Out of line and marked cold:
 * it is rarely taken, and inlined into call_soon it would make every call
 * save and restore registers it only needs itself (docs/performance.md). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
int co__loop_grow_ready(co_loop *loop);

/* Queues fn(arg) (drop(arg) if the loop closes first): call_soon without
 * the argument checks, inline, for the library's hot paths. 0, CO_ECLOSED
 * or CO_ENOMEM; on failure nothing is queued and arg is still the
 * caller's. */
static inline int co__loop_push_open(co_loop *loop, co_callback fn,
                                     void *arg, co_callback drop);
#if defined(__GNUC__)
__attribute__((cold))
#endif
int co__loop_push_guarded(co_loop *loop, co_callback fn, void *arg,
                          co_callback drop);
static inline int co__loop_push(co_loop *loop, co_callback fn, void *arg,
                                co_callback drop)
{
    if (loop->guard) /* closed, or debug mode checks the thread */
        return co__loop_push_guarded(loop, fn, arg, drop);
    return co__loop_push_open(loop, fn, arg, drop);
}

/* co__loop_push for a caller that knows the loop is open: one that runs
 * inside it (a loop cannot be closed while it runs). 0 or CO_ENOMEM. */
static inline int co__loop_push_open(co_loop *loop, co_callback fn,
                                     void *arg, co_callback drop)
{
    if (loop->ready_tail - loop->ready_head == loop->ready_cap &&
        co__loop_grow_ready(loop) < 0)
        return CO_ENOMEM;
    co__handle *h = &loop->ready[loop->ready_tail & (loop->ready_cap - 1)];
    h->fn = fn;
    h->arg = arg;
    h->drop = drop;
    loop->ready_tail++;
    return 0;
}

/* How many handles are ready. */
static inline size_t co__loop_nready(const co_loop *loop)
{
    return loop->ready_tail - loop->ready_head;
}

/* Runs at most one loop iteration (also used by the unit tests). */
int co__loop_run_once(co_loop *loop);

/* Runs iterations until co_loop_stop (0) or until nothing could ever
 * happen again (CO_EDEADLOCK); CO_ECLOSED, CO_ERUNNING if it cannot start.
 * What run_forever and run_until_complete share. */
int co__loop_run(co_loop *loop);

/* Memory references on the loop (see struct co_loop). */
void co__loop_ref(co_loop *loop);
void co__loop_unref(co_loop *loop);

/* Outside work that may still call in: while held, a loop with nothing
 * else to do waits instead of reporting a deadlock. Hold from any thread;
 * unhold on the loop's own thread (nothing to wake). */
void co__loop_hold(co_loop *loop);
void co__loop_unhold(co_loop *loop);

/* ---- layers above -------------------------------------------------------- */

/* The ext of @p loop for the layer that @p proto describes (its key,
 * wake and close hooks): the one already linked in, or else a new one of
 * @p size bytes (zeroed beyond the header, at least sizeof *proto), linked
 * in. NULL when out of memory. A layer's proto can be its own key:
 *     static const co__loop_ext proto = {.key = &proto, .close = ...}; */
co__loop_ext *co__loop_ext_get(co_loop *loop, const co__loop_ext *proto,
                               size_t size);
/* The ext registered under @p key, or NULL. */
co__loop_ext *co__loop_ext_find(const co_loop *loop, const void *key);

/* ---- timers (timer.c) ---------------------------------------------------- */

/* A sleep of the layer above (a task's), armed in a node it owns:
 * co__loop_sleep_hook(node) runs from a ready handle of its own once the
 * deadline passed, unless co__loop_sleep_cancel came first. The hook is
 * set once, before main, by the layer that sleeps (as co__loop_new_hook
 * is). co__loop_sleep_start returns 0 or CO_ENOMEM (the node unchanged);
 * co__loop_sleep_cancel may be called on a node that is not armed. */
extern void (*co__loop_sleep_hook)(co__tnode *node);
int co__loop_sleep_start(co_loop *loop, co__tnode *node, double delay);
void co__loop_sleep_cancel(co_loop *loop, co__tnode *node);
/* The deadline of sleep @p node: its heap entry's while armed, else -inf
 * (its deadline passed). */
double co__loop_sleep_when(const co_loop *loop, const co__tnode *node);
/* Moves the timers that are due to the ready queue, in deadline order. */
void co__timers_run_due(co_loop *loop);
/* How long the loop may sleep before the earliest timer: seconds (0 when
 * one is due), or -1 when no timer is armed. */
double co__timers_timeout(co_loop *loop);
/* The monotonic clock, in seconds, from any thread (co_loop_time()
 * without a virtual clock). */
double co__monotonic(void);
/* Virtual time only: the loop is about to wait @p timeout seconds (as
 * co__timers_timeout gives it) for want of anything to do. True when
 * nothing but a timer can end that wait: virtual time has then jumped to
 * the earliest deadline, and the loop need not wait at all. */
bool co__timers_jump(co_loop *loop, double timeout);
/* Virtual time only: the loop waited for real, from @p since (on
 * co__monotonic()'s clock); virtual time moves on by as much, never past
 * the earliest deadline, and to it if the wait timed out (@p timed_out). */
void co__timers_waited(co_loop *loop, double since, bool timed_out);
/* At close: disarms every timer and frees the loop-owned ones. */
void co__timers_close(co_loop *loop);

/* ---- file descriptors (io.c) --------------------------------------------- */

/* add_reader / add_writer with a release for @p arg (NULL: nothing to
 * release). @p drop runs once when this watch ends, however it ends:
 * removed by anyone, replaced by another add, still on at close, or just
 * after fn heard CO_EBADF. */
int co__loop_watch(co_loop *loop, int fd, bool writer, co_io_callback fn,
                   void *arg, co_callback drop);
/* True if fd's reader (or writer) is fn(arg) now; with fn NULL, true if
 * fd has any reader (writer). */
bool co__loop_watching(const co_loop *loop, int fd, bool writer,
                       co_io_callback fn, const void *arg);
/* Queues the callbacks of what the backend's poll reported. */
void co__io_queue_fired(co_loop *loop, const co__fired *fired, int n);
/* At close: drops every watch (running its drop) and frees the table. */
void co__io_close(co_loop *loop);

/* ---- watchers: debug mode and the timeline (debug.c, timeline.c) --------- */

/* Why co__loop_push cannot take its two-line path: the loop is closed
 * (CO_ECLOSED), or debug mode wants to see the calling thread. */
#define CO__GUARD_CLOSED 0x01
#define CO__GUARD_THREAD 0x02

/* 0, or the failure a loop-thread-only call must return now: CO_ECLOSED,
 * or CO_EWRONGTHREAD (reported) in debug mode when another thread calls
 * into a running loop. Inline: one load and a branch when all is well. */
int co__loop_guard_slow(co_loop *loop);
static inline int co__loop_check(co_loop *loop)
{
    return loop->guard ? co__loop_guard_slow(loop) : 0;
}

/* What a watcher hears about (co__probe.note): @p subject is a co_task
 * for the TASK_ ones, a co__tnode for TIMER, NULL for POST, a
 * co__job_watch (threads_internal.h) for JOB. */
enum {
    CO__NOTE_TASK_NEW,   /* a task was created */
    CO__NOTE_TASK_READY, /* its step was queued (woken) */
    CO__NOTE_STEP_BEGIN, /* a step starts outside a ready handle of its own */
    CO__NOTE_STEP_END,   /* ... and ends (the task may be done) */
    CO__NOTE_TIMER,      /* a timer is due and was queued */
    CO__NOTE_POST,       /* a threadsafe call arrived */
    CO__NOTE_JOB         /* run_in_executor is about to submit a job */
};

/* A resource that must be closed before its loop is (an executor, a
 * stream, a server), as debug mode tracks it: embed one, zeroed, in the
 * resource, call co__resource_open when it starts being used on a loop
 * and co__resource_close when it is closed (both on the loop's thread).
 * One still open when the loop closes is reported ("executor left open").
 * Free when debug mode is off: nothing is linked then. */
typedef struct co__resource {
    struct co__resource *next, *prev; /* the loop's open resources */
    co_loop *loop;      /* where it is registered, or NULL */
    const char *kind;   /* "executor", "stream", ... (static text) */
    const char *name;   /* a name for the report or NULL (lives as long as r) */
    void (*unlink)(struct co__resource *r); /* set at registration */
} co__resource;

/* The hooks of a watcher, which lives as long as its loop once installed
 * (loop->probe; NULL when nothing watches, so that the loop pays one
 * predictable branch per iteration and the task layer one per wake-up). */
typedef struct co__probe {
    /* Around each ready callback of an iteration: before is always
     * followed by after with the same fn and arg. */
    void (*before)(struct co__probe *p, co_callback fn, void *arg);
    void (*after)(struct co__probe *p, co_callback fn, void *arg);
    /* Something happened (CO__NOTE_*). STEP_BEGIN is always followed by
     * STEP_END with the same task, which is still alive then. */
    void (*note)(struct co__probe *p, int what, void *subject);
    /* Links @p r in (see co__resource). */
    void (*resource_open)(struct co__probe *p, co__resource *r);
} co__probe;

static inline void co__resource_open(co_loop *loop, co__resource *r,
                                     const char *kind, const char *name)
{
    if (loop->probe && !r->loop) {
        r->kind = kind;
        r->name = name;
        loop->probe->resource_open(loop->probe, r);
    }
}

static inline void co__resource_close(co__resource *r)
{
    if (r->loop)
        r->unlink(r);
}

/* Tells the watcher of @p loop, if any. */
static inline void co__loop_note(co_loop *loop, int what, void *subject)
{
    if (loop->probe)
        loop->probe->note(loop->probe, what, subject);
}

/* Called with every new loop when set (debug.c sets it before main when
 * COFLOW_DEBUG or COFLOW_TIMELINE asks for a watcher on every loop). */
extern void (*co__loop_new_hook)(co_loop *loop);

#endif
