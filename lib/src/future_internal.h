/* future_internal.h - the Future layer's private side: the struct, how a
 * future is finished, and the small interface through which the layers
 * above give a future behaviour of its own. Introduced in lesson 08.
 *
 * A future knows nothing of tasks or combinators. A future of another kind
 * (a task, gather's outer future) carries a one-byte `type`: the index of
 * an ops table its layer registered with co__future_add_type. */
#ifndef COFLOW_FUTURE_INTERNAL_H
#define COFLOW_FUTURE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "coflow/future.h"
#include "loop_internal.h"

enum { CO__PENDING = 0, CO__FINISHED, CO__CANCELLED };

#define CO__FF_RETRIEVED 0x01 /* its failure has been read */
#define CO__FF_WAITER 0x02    /* a primitive's waiter, reused (waitq.c): it
                               * keeps its callback block once done */
#define CO__FF_MARK 0x04      /* a mark for an algorithm above, which clears
                               * it before it returns (gather's repeats) */

/* A future's done-callbacks, in registration order, in one array of word
 * slots. The commonest registration, a future (a task) waiting for this
 * one, takes one slot: the waiter. Any other callback takes three:
 * CO__CB_MARK (an odd number, which no future pointer can be), the
 * function, its argument. So a pending task costs the future it awaits 8
 * bytes, not 16 (docs/performance.md, memory per pending task). */
typedef union co__slot {
    uintptr_t mark;          /* CO__CB_MARK: a callback triple starts here */
    struct co_future *waiter; /* a waiting future (even: it is aligned) */
    co_done_callback fn;     /* second slot of a triple */
    void *arg;               /* third slot of a triple */
} co__slot;

#define CO__CB_MARK ((uintptr_t)1)

typedef struct co__cbs {
    unsigned n;              /* slots in use */
    unsigned cap;            /* slots allocated */
    co__slot at[];           /* the slots */
} co__cbs;

/* A future's first done-callback needs no block when it is the library's
 * own: a waiting future (a task awaiting it), or one of the few callbacks
 * a layer registered with CO__KNOWN_CALLBACK (gather's "a child is done").
 * Then `one` says which (CO__ONE_WAITER, or the callback's index) and
 * `cbs.arg` holds its argument, in the word the block pointer would take:
 * most futures have exactly one callback, and this saves them a malloc and
 * a free (docs/performance.md). A second callback moves the first into a
 * block, in front, so the order stays the registration order. */
#define CO__ONE_NONE 0   /* no inline callback: cbs.block is the list */
#define CO__ONE_WAITER 1 /* cbs.arg is a waiting future (its ops->wake) */

/* Invariant: while PENDING, `kind` is CO_KIND_NONE and `err` 0 (a task
 * may keep the message of a cancel(msg) on its way in v.msg: task.c);
 * once done, exactly one of (result: kind/value), (failure: err < 0, msg)
 * or (CANCELLED, its message in v.msg or NULL) holds, and never changes
 * again. From the moment it is done
 * until its callbacks have run, one handle in the ready queue holds a
 * reference to it and `cbs`/`one` are what that handle will call. At most
 * one of (one != CO__ONE_NONE) and (cbs.block != NULL) holds. */
struct co_future {
    co_loop *loop;         /* owner; the future holds a memory ref on it */
    union {
        long long i;       /* CO_KIND_INT */
        void *p;           /* CO_KIND_PTR */
        char *s;           /* CO_KIND_STR: owned copy */
        char *msg;         /* failure message (owned), when err < 0 */
    } v;                   /* the outcome, once done */
    union {
        co__cbs *block;    /* with one == CO__ONE_NONE: the callbacks, or
                            * NULL while there are none */
        void *arg;         /* otherwise: the one inline callback's
                            * argument (for CO__ONE_WAITER, the waiter) */
    } cbs;                 /* its done-callbacks */
    unsigned refs;         /* reference count */
    int err;               /* failure code once FINISHED with a failure */
    unsigned char state;   /* CO__PENDING / CO__FINISHED / CO__CANCELLED */
    unsigned char kind;    /* enum co_kind of the result */
    unsigned char flags;   /* CO__FF_* */
    unsigned char type;    /* 0 for a plain future, else its ops' index */
    unsigned char one;     /* CO__ONE_*, or a known callback's index: what
                            * the inline callback is (see above) */
};

/* Registers @p fn as a known callback, from a constructor of the layer
 * that defines it (before main, on one thread): as the first callback of
 * a future it then takes no block. @p drop (may be NULL) releases what
 * the callback's argument holds when the callback will never run: its
 * future's loop closed with the callbacks still queued, or they could not
 * be queued at all. Returns its index. At most 14. */
unsigned char co__future_add_known_callback(co_done_callback fn,
                                            void (*drop)(void *arg));

/* Registers static callback @p fn, with @p drop (see above), as known
 * before main runs. */
#define CO__KNOWN_CALLBACK(fn, drop)                                           \
    __attribute__((constructor)) static void fn##_register_known(void)         \
    {                                                                          \
        co__future_add_known_callback(fn, drop);                               \
    }

/* What a future of another kind does differently. Each member may be NULL,
 * meaning "as a plain future does". */
typedef struct co__future_ops {
    const char *what;      /* its name in reports ("task") */
    /* What co_future_cancel() does instead of cancelling it at once. */
    bool (*cancel)(co_future *f);
    /* The same with cancel(msg)'s message (may be NULL); wins over
     * `cancel` when set. Returns 1 if accepted, 0 if not, CO_ENOMEM. */
    int (*cancel_msg)(co_future *f, const char *msg);
    /* The last reference is gone: free what the kind adds. The memory
     * itself is freed just after. */
    void (*release)(co_future *f);
    /* Waiter @p w, registered with co__future_add_waiter, learns that
     * @p done is done (from a ready handle, never inside the setter). */
    void (*wake)(co_future *done, co_future *w);
    /* Its name in reports ("Task-3"), or NULL. */
    const char *(*name)(co_future *f);
    /* What set_result / set_exception return instead of finishing it (a
     * task's outcome is its coroutine's: CO_ETASKRESULT), or 0. */
    int refuse_set;
} co__future_ops;

/* Registers a kind of future, from a constructor of the layer that defines
 * it (before main, on one thread). Returns its `type`. At most 15 kinds. */
unsigned char co__future_add_type(const co__future_ops *ops);

/* Declares `static unsigned char var`, the type of a kind of future, and
 * registers @p ops (a static co__future_ops) under it before main runs. */
#define CO__FUTURE_TYPE(var, ops)                                              \
    static unsigned char var;                                                  \
    __attribute__((constructor)) static void var##_register(void)              \
    {                                                                          \
        var = co__future_add_type(&(ops));                                     \
    }

/* The ops of @p f's kind, or NULL for a plain future. */
const co__future_ops *co__future_ops_of(const co_future *f);

/* co_future_new() for a future of @p type in a block of @p size bytes
 * (zeroed beyond the future header; at least sizeof(co_future)). */
int co__future_new_typed(co_loop *loop, size_t size, unsigned char type,
                         co_future **out);

/* Sets up @p f, in zeroed memory the caller owns, as a pending future of
 * @p type with one reference: what co__future_new_typed does after its
 * calloc, for a caller that allocates the future inside something else. */
void co__future_init(co_future *f, co_loop *loop, unsigned char type);

/* Completes a future with an outcome (kind/value, or err/msg which it takes
 * over, or cancel) and schedules its callbacks. Returns 0 or CO_ESTATE,
 * CO_ECLOSED (then msg is freed). */
int co__future_finish(co_future *f, int kind, long long i, void *p, int err,
                      char *msg);

/* Makes a done waiter future (CO__FF_WAITER) pending again, so that a
 * primitive's line can hand it to its next waiter instead of allocating a
 * new one. Only for a future nobody else can see: the caller must hold its
 * only reference (refs == 1), so no task awaits it and no scheduled
 * callback still points at it. */
void co__future_reuse(co_future *f);

/* Registers @p w to be woken (its kind's ops->wake) when @p f is done: the
 * one-slot form of a done-callback. @p f must be pending. 0 or CO_ENOMEM. */
int co__future_add_waiter(co_future *f, co_future *w);

/* What awaiting @p f (done) gives: 0, or its failure with the message
 * copied into *msg (or CO_ECANCELLED). Awaiting a failure reads it. */
int co__future_outcome(co_future *f, char **msg);

#endif
