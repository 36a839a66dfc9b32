/** @file
 * coflow/acm.h - async context managers (__aenter__ / __aexit__) and the
 * `async with` that guarantees the exit runs. Introduced in lesson 13
 * (async context managers; docs/primitives.md explains them).
 *
 * A manager is a struct that starts with a co_acm, plus two step functions
 * whose frame is that same struct: enter (set up; may await) and exit
 * (tear down; may await). Exit sees how the body ended in cm->exc (0, or
 * the failure code; cm->exc_message has its text) and may swallow a
 * failure by returning 1 (CO_RETURN(co, 1)), as __aexit__ returning True
 * does. Returning nothing, or 0, lets the failure go on.
 *
 * C has no `try` around a block of statements inside a coroutine: the only
 * place a coroutine can catch a failure is the await of a child. So the
 * body of an `async with` is a child coroutine of its own, and
 *
 * @code{.c}
 * CO_ASYNC(body, ) { CO_BEGIN(co); CO_SLEEP(co, 0.01); CO_END(co); }
 * struct user { co_coro co; co_lock *lock; co_lock_cm mgr;
 *               co_async_with with; struct body body; };
 * ...
 * co_lock_new(&self->lock);
 * co_lock_cm_init(&self->mgr, self->lock);     // `async with lock`
 * co_coro_init(&self->body.co, CO_STEP(body));
 * CO_ASYNC_WITH(co, &self->with, &self->mgr.cm, &self->body.co);
 * CO_FINALLY(co);
 * co_coro_free(&self->body.co);
 * co_lock_free(self->lock);
 * @endcode
 *
 * awaits enter, then the body, then exit - exit whether the body returned,
 * failed or was cancelled - and finally re-raises the body's failure unless
 * exit swallowed it. If enter fails, neither the body nor exit runs (as in
 * Python). If exit fails, that failure replaces the body's.
 *
 * co_lock_cm and co_semaphore_cm are ready-made managers: `async with lock`
 * and `async with sem`. */
#ifndef COFLOW_ACM_H
#define COFLOW_ACM_H

#include "coflow/aiter.h"
#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/locks.h"

/** The async-context-manager side of an object. */
typedef struct co_acm {
    co_coro frame;           /**< the enter/exit call in progress; must stay first */
    co_coro_fn enter_fn;     /**< __aenter__ */
    co_coro_fn exit_fn;      /**< __aexit__ */
    int exc;                 /**< during exit: the body's failure, 0 if none */
    const char *exc_message; /**< during exit: its message, or NULL */
    union {
        long long i;
        void *p;
    } value;                 /**< what enter returned: `async with cm as f` */
    unsigned char kind;      /**< enum co_kind of `value` */
} co_acm;

/** Sets up @p cm with its @p enter and @p exit step functions (both get
 *  &cm->frame, the start of the manager's struct). @return 0, or CO_EINVAL
 *  if any argument is NULL.
 *  @param cm the manager side, the first member of the manager's struct
 *  @param enter __aenter__: its step function, whose frame is &cm->frame
 *  @param exit __aexit__: its step function, whose frame is &cm->frame */
CO_API int co_acm_init(co_acm *cm, co_coro_fn enter, co_coro_fn exit);

/** `async with cm as f`: what @p cm's enter returned (CO_RETURN in enter),
 *  for the body and for exit to read; it stays until the next enter.
 *  @return 0 and *out (0 / NULL if enter returned nothing); CO_ESTATE
 *  before enter has returned; CO_EKIND for a value of the other kind;
 *  CO_EINVAL.
 *  @param cm the manager side
 *  @param out receives the value */
CO_API int co_acm_value_int(const co_acm *cm, long long *out);
/** co_acm_value_int for an enter that returned a pointer (CO_RETURN_PTR).
 *  @param cm the manager side
 *  @param out receives the pointer
 *  @return as co_acm_value_int() */
CO_API int co_acm_value_ptr(const co_acm *cm, void **out);

/** The frame of one `async with`. All fields are the library's. */
typedef struct co_async_with {
    co_coro co;    /**< the construct's own frame; must stay first */
    co_acm *cm;    /**< the manager */
    co_coro *body; /**< the body, a child coroutine set up by the caller */
    int err;       /**< how the body ended (0, or its failure) */
    char *msg;     /**< the body failure's message (owned copy), or NULL */
} co_async_with;

/** Prepares @p w to await `async with cm: body`. @p body must be a fresh
 *  coroutine (co_coro_init or CO_NEW); its return value can be read from
 *  it afterwards. @return 0, or CO_EINVAL for a NULL @p w (NULL @p cm or
 *  @p body make the construct itself fail with CO_EINVAL).
 *  @param w the construct's frame, a member of the caller's frame
 *  @param cm the manager
 *  @param body the body: a fresh coroutine, set up by the caller */
CO_API int co_async_with_op(co_async_with *w, co_acm *cm, co_coro *body);

static inline co_coro *co__async_with_frame(co_async_with *w)
{
    return (co_coro *)(void *)w;
}

/** `async with cm: body` - one suspension point. The body's failure (if
 *  exit did not swallow it) or exit's own failure propagates; to catch it,
 *  call co_async_with_op() and await the frame with CO_AWAIT_CORO_CATCH.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param w the construct's frame (a co_async_with * into your frame)
 *  @param cm the manager (a co_acm *)
 *  @param body the body: a fresh child coroutine (a co_coro *) */
#define CO_ASYNC_WITH(co, w, cm, body)                                         \
    do {                                                                       \
        co_async_with_op((w), (cm), (body));                                   \
        CO_AWAIT_CORO(co, co__async_with_frame(w));                            \
    } while (0)

/* ---- a manager written as one generator (asynccontextmanager) --------- */

/** contextlib.asynccontextmanager's shape: a manager written as one async
 *  generator that sets up, yields once (the value `async with` gives the
 *  body), and tears down after the yield:
 *
 *  @code{.c}
 *  #include <coflow.h>
 *  #include <stdio.h>
 *
 *  struct opened { co_agen gen; FILE *f; };   // the frame starts with co_agen
 *  int opened(co_coro *co) {
 *      struct opened *self = (struct opened *)co;
 *      CO_BEGIN(co);
 *      self->f = tmpfile();                   // set up (may await)
 *      CO_AGEN_YIELD_PTR(co, self->f);        // the body runs here
 *      CO_FINALLY(co);
 *      if (self->f)                           // tear down (may await);
 *          fclose(self->f);                   // co->err: the body's failure
 *      CO_END(co);
 *  }
 *  @endcode
 *
 *  Enter runs the generator to its yield. If the body ends normally, exit
 *  runs it on to its end. If the body fails (or is cancelled), exit throws
 *  that failure in at the yield (athrow): a generator that lets it go out
 *  again leaves it to the caller; one that catches it and ends swallows it
 *  (exit returns 1); one that fails otherwise replaces it. A generator that
 *  ends without yielding fails the enter, one that yields a second time
 *  fails the exit, both with CO_EAGENCM. */
typedef struct co_agen_cm {
    co_acm cm;        /**< the manager side; must stay first */
    co_agen *gen;     /**< the generator (not owned), fresh at init */
    int err;          /**< how the latest step of the generator ended */
} co_agen_cm;

/** Sets up @p m to run @p gen (made with co_agen_init and not started) as
 *  a context manager. @return 0, or CO_EINVAL for NULL.
 *  @param m the manager
 *  @param gen the generator, fresh */
CO_API int co_agen_cm_init(co_agen_cm *m, co_agen *gen);

/* ---- ready-made managers ------------------------------------------------ */

/** `async with lock:` - enter acquires, exit releases. */
typedef struct co_lock_cm {
    co_acm cm;      /**< the manager side; must stay first */
    co_lock *lock;  /**< the lock (not owned) */
    co_wait_op op;  /**< the acquire in progress */
} co_lock_cm;

/** Sets up @p lcm for @p lock. @return 0, or CO_EINVAL.
 *  @param lcm the manager to set up
 *  @param lock the lock it acquires and releases (not owned) */
CO_API int co_lock_cm_init(co_lock_cm *lcm, co_lock *lock);

/** `async with sem:` - enter acquires, exit releases. */
typedef struct co_semaphore_cm {
    co_acm cm;          /**< the manager side; must stay first */
    co_semaphore *sem;  /**< the semaphore (not owned) */
    co_wait_op op;      /**< the acquire in progress */
} co_semaphore_cm;

/** Sets up @p scm for @p sem. @return 0, or CO_EINVAL.
 *  @param scm the manager to set up
 *  @param sem the semaphore it acquires and releases (not owned) */
CO_API int co_semaphore_cm_init(co_semaphore_cm *scm, co_semaphore *sem);

#endif
