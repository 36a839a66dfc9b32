/* internal.h - the library's private structs and helpers, shared by its
 * source files and never installed. Public names start with co_, private
 * ones with co__ (and are hidden from the shared library's symbol table). */
#ifndef COFLOW_INTERNAL_H
#define COFLOW_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coflow.h"
#include "backend.h"

/* ---- the ready queue ---------------------------------------------------- */

/* One slot of the ready queue, 16 bytes: with 100,000 task steps queued
 * the ring is 1.6 MB. A plain callback (call_soon, a task's step, a timer
 * that fired) takes one slot and runs as fn.plain(a). A done-callback and
 * an I/O callback need a third word, so they take two slots in a row, and
 * the first one's fn.plain is a marker that the loop recognises (and never
 * calls):
 *   {co__h_done, future}  {fn.done, arg}     fn.done(future, arg), holding
 *                                            a reference on the future
 *   {co__h_io, fd|kind}   {fn.io, arg}       fn.io(fd, 0 or CO_EBADF, arg)
 * where fd|kind is (fd << 2) | CO__IO_READ, CO__IO_WRITE or CO__IO_BADF. */
typedef struct co__handle {
    union {
        co_callback plain;
        co_done_callback done;
        co_io_callback io;
    } fn;
    void *a;
} co__handle;

void co__h_done(void *future);
void co__h_io(void *fd_and_kind);
enum { CO__IO_READ, CO__IO_WRITE, CO__IO_BADF };

/* ---- the loop ----------------------------------------------------------- */

/* What the loop knows about one watched file descriptor. */
typedef struct co__io {
    co_io_callback reader, writer; /* NULL when not watched that way */
    void *reader_arg, *writer_arg;
} co__io;

/* Invariants: `ready` is a ring of capacity `ready_cap` (a power of two),
 * holding `ready_len` handles from `ready_head`; `heap` is a binary min-heap
 * on (when, seq) and every armed timer's heap_pos is its index + 1; `tasks`
 * holds every pending task in creation order, each knowing its own index
 * (fut.pos); a finished task leaves a NULL hole, squeezed out in bulk. `refs` counts the
 * open loop itself (until co_loop_close) plus every live future: the struct
 * is freed when it reaches zero, so a future never points at freed memory. */
struct co_loop {
    co__handle *ready;          /* ring of callbacks ready to run */
    size_t ready_cap;           /* capacity of the ring (power of two) */
    size_t ready_head;          /* index of the oldest ready callback */
    size_t ready_len;           /* how many are ready */
    co_timer **heap;            /* armed timers, earliest first */
    size_t heap_len, heap_cap;  /* its length and capacity */
    unsigned long long timer_seq; /* next arming number (FIFO on ties) */
    co_timer *spare_timers;     /* loop-owned timers not in use (via arg) */
    co__io *io;                 /* watched fds, indexed by fd */
    int io_cap;                 /* length of io[] */
    int io_count;               /* how many (fd, direction) pairs are watched */
    const co__backend *backend; /* select() unless chosen otherwise */
    void *backend_state;        /* the backend's own data */
    co_task **tasks;            /* pending tasks (asyncio.all_tasks) */
    size_t ntasks, tasks_cap;   /* slots used (holes included), capacity */
    size_t tasks_live;          /* pending tasks: slots that are not NULL */
    unsigned next_task_id;      /* for the default name "Task-N" */
    co_task *current;           /* the task running now, or NULL */
    atomic_uint keepalive;      /* outside work that may still call in
                                 * (atomic: co_loop_release may come from
                                 * another thread) */
    struct co__chan *chan;      /* wakeup pipe + threadsafe calls (wakeup.h) */
    struct co__outside *outside; /* cross-thread work to settle at close */
    struct co_executor *default_executor; /* run_in_executor(NULL), lazily */
    unsigned nsignals;          /* signal handlers this loop owns */
    co_exception_handler handler; /* where reports go (NULL: stderr) */
    void *handler_arg;          /* its argument */
    unsigned refs;              /* see the invariants above */
    bool running;               /* inside co_loop_run_* */
    bool stopping;              /* co_loop_stop() was called */
    bool closed;                /* co_loop_close() was called */
};

/* Doubles the ready ring. 0 or CO_ENOMEM. */
int co__ready_grow(co_loop *loop);

/* Queues fn(arg): call_soon without the argument checks, inline, for the
 * library's own hot paths (a task rescheduling itself after a yield). */
static inline int co__ready_push_plain(co_loop *loop, co_callback fn,
                                       void *arg)
{
    if (loop->closed)
        return CO_ECLOSED;
    if (loop->ready_len == loop->ready_cap && co__ready_grow(loop) < 0)
        return CO_ENOMEM;
    co__handle *h = &loop->ready[(loop->ready_head + loop->ready_len) &
                                 (loop->ready_cap - 1)];
    h->fn.plain = fn;
    h->a = arg;
    loop->ready_len++;
    return 0;
}

/* What a step function returned, made a CO_STATUS_ value: anything else
 * ends the coroutine with a failure that says why (co__bad_status, coro.c).
 * Inline: it stands between the loop and every step. */
int co__bad_status(co_coro *co, int status);
static inline int co__settle(co_coro *co, int status)
{
    return (unsigned)status <= CO_STATUS_WAIT ? status
                                              : co__bad_status(co, status);
}

/* Runs at most one loop iteration (exposed for the task layer's tests). */
int co__loop_run_once(co_loop *loop);

/* Schedules a done-callback; takes a reference on the future. */
int co__loop_call_soon_done(co_loop *loop, co_done_callback fn, co_future *f,
                            void *arg);

/* Memory references on the loop (see struct co_loop). */
void co__loop_ref(co_loop *loop);
void co__loop_unref(co_loop *loop);

/* Loop-owned timers for sleeps: armed at once; released when fired or by
 * co__timer_release (which also disarms). */
co_timer *co__timer_start(co_loop *loop, double delay, co_callback fn,
                          void *arg);
void co__timer_release(co_loop *loop, co_timer *timer);

/* Called by a backend's poll for each ready fd: mask is a CO__READ/WRITE
 * combination, or CO__BAD when the fd turned out to be closed. */
void co__loop_fd_event(co_loop *loop, int fd, int mask);

/* ---- futures and tasks -------------------------------------------------- */

enum { CO__PENDING = 0, CO__FINISHED, CO__CANCELLED };

#define CO__FF_TASK 0x01      /* this future is the head of a co_task */
#define CO__FF_RETRIEVED 0x02 /* its failure has been read */
#define CO__FF_CUSTOM 0x04    /* a co__xfuture: cancel and free go to ops */
#define CO__FF_WAITER 0x08    /* a primitive's waiter, reused (waitq.c): it
                               * keeps its callback block once done */

/* A future's done-callbacks, in registration order, in one array of word
 * slots. The commonest registration, a task waiting for the future, takes
 * one slot: the task. Any other callback takes three: CO__CB_MARK (an odd
 * number, which no task pointer can be), the function, its argument. So a
 * pending task costs its awaited future 8 bytes, not 16. */
typedef union co__slot {
    uintptr_t mark;          /* CO__CB_MARK: a callback triple starts here */
    struct co_task *task;    /* a waiting task (even: it is aligned) */
    co_done_callback fn;     /* second slot of a triple */
    void *arg;               /* third slot of a triple */
} co__slot;

#define CO__CB_MARK ((uintptr_t)1)

typedef struct co__cbs {
    unsigned n;              /* slots in use */
    unsigned cap;            /* slots allocated */
    co__slot at[];           /* the slots */
} co__cbs;

/* Invariant: while PENDING, `kind` is CO_KIND_NONE and `err` 0; once done,
 * exactly one of (result: kind/value), (failure: err < 0, msg) or
 * CANCELLED holds, and never changes again. */
struct co_future {
    co_loop *loop;         /* owner; the future holds a memory ref on it */
    unsigned refs;         /* reference count */
    int err;               /* failure code once FINISHED with a failure */
    unsigned char state;   /* CO__PENDING / CO__FINISHED / CO__CANCELLED */
    unsigned char kind;    /* enum co_kind of the result */
    unsigned char flags;   /* CO__FF_* */
    unsigned char tflags;  /* task-only flags (CO__TF_*), here to save room */
    unsigned pos;          /* task-only: index in loop->tasks while pending */
    union {
        long long i;
        void *p;
        char *s;           /* CO_KIND_STR: owned copy */
        char *msg;         /* failure message (owned), when err < 0 */
    } v;
    co__cbs *cbs;          /* done-callbacks, or NULL while there are none */
};

/* Queues a two-slot handle: {marker, a}, then @p second (see co__handle).
 * 0, CO_ECLOSED or CO_ENOMEM. */
static inline int co__ready_push_pair(co_loop *loop, co_callback marker,
                                      void *a, co__handle second)
{
    if (loop->closed)
        return CO_ECLOSED;
    if (loop->ready_len + 2 > loop->ready_cap && co__ready_grow(loop) < 0)
        return CO_ENOMEM;
    size_t mask = loop->ready_cap - 1, at = loop->ready_head + loop->ready_len;
    loop->ready[at & mask].fn.plain = marker;
    loop->ready[at & mask].a = a;
    loop->ready[(at + 1) & mask] = second;
    loop->ready_len += 2;
    return 0;
}

/* Queues done-callback fn(f, arg), taking a reference on @p f: what
 * co__loop_call_soon_done does, inline for a future's own hot path (waking
 * the tasks that await it). 0, CO_ECLOSED or CO_ENOMEM. */
static inline int co__ready_push_done(co_loop *loop, co_done_callback fn,
                                      co_future *f, void *arg)
{
    co__handle second = {.fn.done = fn, .a = arg};
    int rc = co__ready_push_pair(loop, co__h_done, f, second);
    if (rc == 0)
        f->refs++;
    return rc;
}

/* Completes a future with an outcome (kind/value, or err/msg which it takes
 * over, or cancel) and schedules its callbacks. Returns 0 or CO_ESTATE. */
int co__future_finish(co_future *f, int kind, long long i, void *p, int err,
                      char *msg);
void co__future_free(co_future *f);

/* Makes a done waiter future (CO__FF_WAITER) pending again, so that a
 * primitive's line can hand it to its next waiter instead of allocating a
 * new one. Only for a future nobody else can see: the caller must hold its
 * only reference (refs == 1), so no task awaits it and no scheduled
 * callback still points at it. */
void co__future_reuse(co_future *f);

/* Registers task @p t to be woken (co__task_wakeup) when @p f is done: the
 * one-slot form of a done-callback. 0 or CO_ENOMEM. */
int co__future_add_waiter(co_future *f, co_task *t);
void co__task_wakeup(co_future *f, void *task);

/* A future with behaviour of its own (the outer futures of gather, wait,
 * wait_for, shield): co_future_cancel() calls ops->cancel instead of
 * cancelling it at once (gather's outer cancels its children and finishes
 * when they do), and ops->release runs just before its memory is freed. */
typedef struct co__future_ops {
    bool (*cancel)(co_future *f);  /* what co_future_cancel() does */
    void (*release)(co_future *f); /* last reference gone; may be NULL */
} co__future_ops;

typedef struct co__xfuture {
    co_future fut;               /* the future side; must stay first */
    const co__future_ops *ops;   /* its own cancel and release */
} co__xfuture;

/* co_future_new() for a co__xfuture of @p size bytes (zeroed beyond the
 * future header), flagged CO__FF_CUSTOM with @p ops. */
int co__future_new_custom(co_loop *loop, size_t size,
                          const co__future_ops *ops, co_future **out);
/* Frees what a task owns besides its future part (name, frame message). */
void co__task_release(co_task *t);
/* Reports a task still pending at co_loop_close and lets it go. */
void co__task_abandon(co_task *t);
/* True for the watch callback behind CO_AWAIT_READABLE / _WRITABLE, whose
 * argument is a future reference that co_loop_close must drop. */
bool co__is_fd_wait(co_io_callback fn);

#define CO__TF_SCHEDULED 0x01  /* a step is in the ready queue */
#define CO__TF_MUST_CANCEL 0x02 /* deliver CO_ECANCELLED at the next step */
#define CO__TF_WAIT_TIMER 0x04 /* it waits on a sleep timer, not a future */
#define CO__TF_INSLOT 0x08     /* allocated in front of its co_coro_new frame */
#define CO__TF_STARTED 0x10    /* the coroutine has run at least once */

/* A task is a future plus what it needs to drive one coroutine, in 48
 * bytes: every byte counts when 100,000 tasks are pending. Invariants:
 * while pending it sits in loop->tasks[pos] and the loop holds one
 * reference to it. Two things live where the struct has no field for them:
 *  - What its coroutine is suspended on (a future it holds a reference to,
 *    or with CO__TF_WAIT_TIMER a sleep timer), or NULL, is kept in the
 *    future's result slot, fut.v.p: a pending future has no result yet,
 *    and the task stops waiting before it takes its own (co__task_wait).
 *  - The coroutine follows the struct in memory: the frame itself when
 *    co_coro_new() made room for the task in front of it (CO__TF_INSLOT,
 *    one allocation for both), otherwise a pointer to the caller's frame
 *    (co__task_coro). */
struct co_task {
    co_future fut;       /* the future side; must stay first */
    uintptr_t name;      /* an owned char *, or (N << 1) | 1 for "Task-N" */
};

/* Bytes reserved in front of a co_coro_new() frame for its task, rounded
 * up to the strictest alignment so the frame after it is aligned for any
 * type. (That is _Alignof(max_align_t), 16 on x86-64, where this is 48.) */
#define CO__TASK_SLOT                                                          \
    ((sizeof(struct co_task) + _Alignof(max_align_t) - 1) /                    \
     _Alignof(max_align_t) * _Alignof(max_align_t))

/* The coroutine a task drives (see struct co_task). */
static inline co_coro *co__task_coro(const co_task *t)
{
    void *behind = (char *)(uintptr_t)t + CO__TASK_SLOT;
    return (t->fut.tflags & CO__TF_INSLOT) ? (co_coro *)behind
                                           : *(co_coro **)behind;
}

/* What a pending task waits on (see struct co_task), as an lvalue. */
#define co__task_wait(t) ((t)->fut.v.p)

/* Thread-locals of the library. In a shared library the default TLS model
 * costs a call to __tls_get_addr on every access; "initial-exec" is a
 * plain load, and is safe because coflow is linked, not dlopen()ed late. */
#if defined(__GNUC__)
#define CO__TLS _Thread_local __attribute__((tls_model("initial-exec")))
#else
#define CO__TLS _Thread_local
#endif

/* The loop running on this thread (co_get_running_loop). */
extern CO__TLS co_loop *co__running_loop;

/* Hands a failure to the resume point of @p co: code in co->thrown, the
 * message (owned, may be NULL) in this thread's caught-message slot. */
void co__throw(co_coro *co, int code, char *msg);
/* Frees the caught-message slot (at the end of every step); the check for
 * "nothing to free" is inline because that is the common case. */
extern CO__TLS char *co__caught_msg;
void co__clear_caught_slow(void);
static inline void co__clear_caught(void)
{
    if (co__caught_msg)
        co__clear_caught_slow();
}

/* strdup that accepts NULL. */
char *co__strdup(const char *s);

#endif
