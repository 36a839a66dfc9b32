/** @file
 * coflow/aiter.h - async iterators (__anext__ / StopAsyncIteration), the
 * `async for` loop, and async generators. Introduced in lesson 12
 * (async iterators; docs/primitives.md explains them).
 *
 * An async iterator hands out items one at a time, and may have to wait
 * for each. "Give me the next item" is a child coroutine (its __anext__)
 * that either returns the item or fails with CO_ESTOPITERATION, which means
 * "there are no more" and is not a real failure.
 *
 * Write one by hand: a struct that starts with a co_aiter, plus an anext
 * step function whose frame is that same struct (so it can keep its state
 * in the struct across items):
 *
 * @code{.c}
 * struct countdown { co_aiter it; int n; };
 * static int countdown_anext(co_coro *co) {
 *     struct countdown *self = (struct countdown *)co;
 *     CO_BEGIN(co);
 *     if (self->n == 0)
 *         CO_RAISE(co, CO_ESTOPITERATION, NULL);
 *     CO_SLEEP(co, 0.01);                 // it may wait for each item
 *     CO_RETURN(co, self->n--);
 *     CO_END(co);
 * }
 * struct user { co_coro co; struct countdown cd; long long x; };
 * ...
 * co_aiter_init(&self->cd.it, countdown_anext, NULL);
 * self->cd.n = 3;
 * CO_ASYNC_FOR(co, &self->cd.it)          // prints 3, 2, 1
 *     co_aiter_value_int(&self->cd.it, &self->x);
 *     printf("%lld\n", self->x);
 * CO_ASYNC_FOR_END(co, &self->cd.it);
 * @endcode
 *
 * Or write an async generator: a coroutine whose frame starts with a
 * co_agen and which hands out items with CO_AGEN_YIELD, awaiting anything
 * it likes in between. Its CO_FINALLY runs however it ends, also when the
 * consumer stops early and closes it.
 *
 * Consume either with the loop pair (each macro is one suspension point, so
 * they go on two different lines):
 *
 * @code{.c}
 * struct naturals { co_agen gen; int i; };   // an async generator: 1, 2, ...
 * static int naturals(co_coro *co) {
 *     struct naturals *self = (struct naturals *)co;
 *     CO_BEGIN(co);
 *     for (self->i = 1;; self->i++)
 *         CO_AGEN_YIELD(co, self->i);
 *     CO_END(co);
 * }
 * struct user { co_coro co; struct naturals nat; long long x; };
 * ...
 * co_agen_init(&self->nat.gen, naturals);
 * CO_ASYNC_FOR(co, &self->nat.gen.it)        // async for x in naturals():
 *     co_aiter_value_int(&self->nat.gen.it, &self->x);
 *     if (self->x == 3)
 *         break;                             // leaves early: it is closed
 *     CO_SLEEP(co, 0.01);                    // the body may suspend
 * CO_ASYNC_FOR_END(co, &self->nat.gen.it);
 * @endcode
 *
 * Unlike CPython, where a generator left half-way is closed whenever the
 * garbage collector gets to it, CO_ASYNC_FOR_END closes it at once, as
 * `async with contextlib.aclosing(gen)` would. If the body can fail (an
 * await in it fails, or the task is cancelled), the loop is left by the
 * failure and CO_ASYNC_FOR_END is skipped: close the iterator in your
 * CO_FINALLY with CO_ACLOSE (closing twice is harmless). */
#ifndef COFLOW_AITER_H
#define COFLOW_AITER_H

#include <stdbool.h>

#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/future.h"

/** The async-iterator side of an object. `frame` is the frame of the
 *  anext (or aclose) call in progress: only one can be, and its return
 *  value is the item. */
typedef struct co_aiter {
    co_coro frame;          /**< the current anext/aclose call; must stay first */
    co_coro_fn anext_fn;    /**< __anext__: returns the item or raises the end */
    co_coro_fn aclose_fn;   /**< aclose(), or NULL when there is nothing to do */
    unsigned char ended;    /**< the end was reached, or it was closed */
} co_aiter;

/** Sets up @p it with @p anext (required) and @p aclose (may be NULL).
 *  Both step functions get &it->frame, which is the start of the struct
 *  that begins with @p it. @return 0, or CO_EINVAL for NULL @p it/@p anext.
 *  @param it the async-iterator side, the first member of the iterator's
 *      struct
 *  @param anext __anext__: returns the next item or raises CO_ESTOPITERATION
 *  @param aclose aclose(), or NULL when there is nothing to clean up */
CO_API int co_aiter_init(co_aiter *it, co_coro_fn anext, co_coro_fn aclose);

/** Prepares @p it's frame for one `await anext(it)`: await &it->frame with
 *  CO_AWAIT_CORO(_CATCH) next. An ended iterator's anext fails with
 *  CO_ESTOPITERATION without calling the user's function. @return 0;
 *  CO_EINVAL for NULL; CO_EAGENRUNNING if a call is still in progress (for
 *  instance another task's anext): the frame is left alone, and awaiting
 *  it fails with CO_EREUSED.
 *  @param it the async iterator */
CO_API int co_aiter_anext_op(co_aiter *it);

/** Prepares @p it's frame for one `await it.aclose()`. Closing an iterator
 *  that has ended, or that has no aclose, only marks it ended. @return as
 *  co_aiter_anext_op().
 *  @param it the async iterator */
CO_API int co_aiter_aclose_op(co_aiter *it);

/** True once the iteration has ended (or the iterator was closed).
 *  @param it the async iterator
 *  @return true once the iteration has ended or the iterator was closed;
 *      false for NULL */
CO_API bool co_aiter_ended(const co_aiter *it);

/** The item the latest anext returned. @return 0 and *out; CO_ESTATE if no
 *  anext has returned an item since; CO_EKIND if it returned the other
 *  kind; CO_EINVAL.
 *  @param it the async iterator
 *  @param out receives the item */
CO_API int co_aiter_value_int(const co_aiter *it, long long *out);
/** The pointer item the latest anext returned (not owned by coflow).
 *  @return as co_aiter_value_int().
 *  @param it the async iterator
 *  @param out receives the item */
CO_API int co_aiter_value_ptr(const co_aiter *it, void **out);

/* What the macros await: the call's frame (NULL-safe, typed). */
static inline co_coro *co__aiter_frame(co_aiter *it)
{
    return (co_coro *)(void *)it;
}

/* After an anext: the end of the iteration is not a failure. */
CO_API void co__aiter_after(co_coro *co, co_aiter *it);

/** `item = await anext(it)`: one suspension point. Afterwards either
 *  co_aiter_ended(it) is true, or the item is read with co_aiter_value_*.
 *  Any other failure of the anext propagates.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param it the async iterator (a co_aiter *) */
#define CO_ANEXT(co, it)                                                       \
    do {                                                                       \
        co_aiter_anext_op(it);                                                 \
        CO__AWAIT_CORO(co, co__aiter_frame(it), co__aiter_after((co), (it));   \
                       CO__PROPAGATE(co));                                     \
    } while (0)

/** `await it.aclose()`: one suspension point (none if there is nothing to
 *  close). A generator's cleanup runs; a failure in it propagates.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param it the async iterator (a co_aiter *) */
#define CO_ACLOSE(co, it)                                                      \
    do {                                                                       \
        co_aiter_aclose_op(it);                                                \
        CO_AWAIT_CORO(co, co__aiter_frame(it));                                \
    } while (0)

/** Opens `async for` over @p it. The loop body follows, and is closed by
 *  CO_ASYNC_FOR_END on a line of its own (the pair has unbalanced braces
 *  on purpose: forgetting the END does not compile). `break` leaves the
 *  loop, `continue` asks for the next item.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param it the async iterator (a co_aiter *) */
#define CO_ASYNC_FOR(co, it)                                                   \
    for (;;) {                                                                 \
        CO_ANEXT(co, it);                                                      \
        if (co_aiter_ended(it))                                                \
            break;

/** Closes the loop opened by CO_ASYNC_FOR, then closes @p it: after a
 *  `break` this runs the generator's cleanup; after the natural end it does
 *  nothing.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param it the async iterator (a co_aiter *) */
#define CO_ASYNC_FOR_END(co, it)                                               \
    }                                                                          \
    CO_ACLOSE(co, it)

/* ---- async generators --------------------------------------------------- */

struct co__agen_reg;

/** An async generator's header: the generator's own frame starts with it.
 *  Set it up with co_agen_init(); consume it through `it`.
 *
 *  The first time a task steps the body, the generator is entered in its
 *  loop's list of suspended generators (as asyncio's firstiter hook does),
 *  and the task is kept (a reference) until the generator ends, so that a
 *  generator inside the frame of a task that ended is still there to be
 *  closed: co_loop_shutdown_asyncgens() (co_run runs it) closes every
 *  generator still suspended, and their cleanup runs. A generator of your
 *  own memory must stay valid until it ends or its loop is closed. */
typedef struct co_agen {
    co_coro co;            /**< the generator body's frame; must stay first */
    co_aiter it;           /**< its async-iterator side: anext / aclose */
    union {
        long long i;
        void *p;
    } value;               /**< the item being yielded */
    union {
        long long i;
        void *p;
    } sent;                /**< what the latest asend passed in */
    struct co__agen_reg *reg; /**< its entry in the loop's list, or NULL */
    const char *throw_msg; /**< athrow's message on its way in (the caller's) */
    int throw_code;        /**< athrow's failure on its way in, or 0 */
    unsigned char kind;    /**< enum co_kind of `value` */
    unsigned char sent_kind; /**< enum co_kind of `sent` (NONE: anext) */
    unsigned char sending; /**< set by an asend op, taken by its first step */
    unsigned char yielded; /**< set by CO_AGEN_YIELD, taken by the anext */
} co_agen;

/** Makes @p gen a fresh generator running @p body (a step function whose
 *  frame starts with the co_agen). Like calling an async generator
 *  function: runs nothing. Never on a generator that a task started and
 *  that has not ended (its loop still lists it): close it first.
 *  @return 0, or CO_EINVAL.
 *  @param gen the generator's header, the first member of its frame
 *  @param body the generator's step function */
CO_API int co_agen_init(co_agen *gen, co_coro_fn body);

/* Hand an item to the consumer. */
CO_API void co__agen_yield_int(co_coro *co, long long v);
CO_API void co__agen_yield_ptr(co_coro *co, void *p);

/** Inside a generator's body: `yield v` (an integer). The body stops here
 *  until the consumer asks for the next item; if the consumer closes the
 *  generator instead, the body fails here with CO_EGENEXIT and runs its
 *  CO_FINALLY (it must not yield again). One suspension point. Use it only
 *  in the generator's own step function, whose `co` is the co_agen.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param v the value (an integer) */
#define CO_AGEN_YIELD(co, v)                                                   \
    do {                                                                       \
        co__agen_yield_int((co), (v));                                         \
        CO__SUSPEND(co, CO_STATUS_YIELD);                                      \
        CO__PROPAGATE(co);                                                     \
    } while (0)

/** Inside a generator's body, after a CO_AGEN_YIELD: the value the
 *  consumer sent in with CO_ASEND, Python's `x = yield v`. An anext sends
 *  nothing (None): that reads as 0 / NULL. @return 0 and *out; CO_EKIND
 *  for a value of the other kind; CO_EINVAL for NULL.
 *  @param gen the generator
 *  @param out receives the value */
CO_API int co_agen_sent_int(const co_agen *gen, long long *out);
/** co_agen_sent_int for a pointer sent with co_agen_asend_ptr_op.
 *  @param gen the generator
 *  @param out receives the pointer
 *  @return as co_agen_sent_int() */
CO_API int co_agen_sent_ptr(const co_agen *gen, void **out);

/** Prepares gen.asend(v): await &gen->it.frame next (CO_ASEND does both).
 *  The body resumes at its yield with @p v (co_agen_sent_int); what the
 *  call returns is the next item, read with co_aiter_value_int(&gen->it).
 *  If the body ends instead, the await fails with CO_ESTOPITERATION.
 *  @return 0; CO_EINVAL; CO_EAGENRUNNING (an anext, asend, athrow or
 *  aclose is in progress); CO_EAGENFRESH (the generator has not started:
 *  only an anext can start it). On a generator that has ended the await
 *  fails with CO_ESTOPITERATION, as CPython's does.
 *  @param gen the generator
 *  @param v the value to send */
CO_API int co_agen_asend_op(co_agen *gen, long long v);
/** co_agen_asend_op sending pointer @p p (not owned by coflow).
 *  @param gen the generator
 *  @param p the pointer to send
 *  @return as co_agen_asend_op() */
CO_API int co_agen_asend_ptr_op(co_agen *gen, void *p);

/** Prepares gen.athrow(code, message): await &gen->it.frame next
 *  (CO_ATHROW does both). The body fails at its yield with @p code
 *  (negative) and @p message (may be NULL; copied when the await starts,
 *  so it must stay valid until then: CO_ATHROW starts it at once). If the body catches it
 *  and yields again, the call returns that item; if the body ends, the
 *  await fails with CO_ESTOPITERATION; if it lets the failure go (or fails
 *  otherwise), the await fails that way. A generator that has not started
 *  fails at once without running (and is then over); on one that has
 *  ended, the await returns nothing, as in CPython 3.11.
 *  @return 0; CO_EINVAL (NULL, @p code not negative); CO_EAGENRUNNING.
 *  @param gen the generator
 *  @param code the failure to throw in (negative)
 *  @param message its text, or NULL */
CO_API int co_agen_athrow_op(co_agen *gen, int code, const char *message);

/* What CO_ASEND and CO_ATHROW do when the op refused: hand @p rc to the
 * caller's resume point (as a failure it raises). Returns true if so. */
CO_API bool co__agen_refused(co_coro *co, int rc);

/** `item = await gen.asend(v)`: one suspension point. The item is read
 *  with co_aiter_value_int(&gen->it, ...). A failure (CO_ESTOPITERATION at
 *  the end) propagates; to catch it use CO_ASEND_CATCH. */
#define CO_ASEND(co, gen, v)                                                   \
    do {                                                                       \
        if (co__agen_refused((co), co_agen_asend_op((gen), (v)))) {            \
            co__raise_thrown(co);                                              \
            goto co__resume;                                                   \
        }                                                                      \
        CO_AWAIT_CORO(co, co__aiter_frame(&(gen)->it));                        \
    } while (0)

/** Like CO_ASEND, but the failure code (0 if none) goes to the int lvalue
 *  @p caught. */
#define CO_ASEND_CATCH(co, gen, v, caught)                                     \
    do {                                                                       \
        (caught) = co_agen_asend_op((gen), (v));                               \
        if ((caught) == 0)                                                     \
            CO_AWAIT_CORO_CATCH(co, co__aiter_frame(&(gen)->it), caught);      \
    } while (0)

/** `item = await gen.athrow(exc)`: one suspension point; see
 *  co_agen_athrow_op. A failure propagates. */
#define CO_ATHROW(co, gen, code, message)                                      \
    do {                                                                       \
        if (co__agen_refused((co),                                             \
                             co_agen_athrow_op((gen), (code), (message)))) {   \
            co__raise_thrown(co);                                              \
            goto co__resume;                                                   \
        }                                                                      \
        CO_AWAIT_CORO(co, co__aiter_frame(&(gen)->it));                        \
    } while (0)

/** Like CO_ATHROW, but the failure code (0 if none) goes to @p caught. */
#define CO_ATHROW_CATCH(co, gen, code, message, caught)                        \
    do {                                                                       \
        (caught) = co_agen_athrow_op((gen), (code), (message));                \
        if ((caught) == 0)                                                     \
            CO_AWAIT_CORO_CATCH(co, co__aiter_frame(&(gen)->it), caught);      \
    } while (0)

/** loop.shutdown_asyncgens(): closes every async generator of @p loop that
 *  a task started and that has not ended, all at once (each aclose is a
 *  task of its own; their cleanup runs and may await). *out gets a loop
 *  future (a reference) that is done when they all are; a cleanup that
 *  fails is reported through the loop's exception handler, as asyncio
 *  does. co_run() runs it after cancelling the tasks left over.
 *  @return 0; CO_EINVAL; CO_ECLOSED; CO_ENOMEM.
 *  @param loop the event loop
 *  @param out receives the future that is done when all are closed */
CO_API int co_loop_shutdown_asyncgens(co_loop *loop, co_future **out);

/** Like CO_AGEN_YIELD, but a failure thrown in at this yield (athrow, or
 *  CO_EGENEXIT from aclose) is not raised: its code goes to the int
 *  lvalue @p caught (0 if the consumer asked for the next item), its
 *  message to co_caught_message(). `try: x = yield v / except`. A
 *  generator that catches CO_EGENEXIT must still end without yielding. */
#define CO_AGEN_YIELD_CATCH(co, v, caught)                                     \
    do {                                                                       \
        co__agen_yield_int((co), (v));                                         \
        CO__SUSPEND(co, CO_STATUS_YIELD);                                      \
        CO__CATCH(co, caught);                                                 \
    } while (0)

/** `yield p` with a pointer (not owned by coflow). */
#define CO_AGEN_YIELD_PTR(co, p)                                               \
    do {                                                                       \
        co__agen_yield_ptr((co), (p));                                         \
        CO__SUSPEND(co, CO_STATUS_YIELD);                                      \
        CO__PROPAGATE(co);                                                     \
    } while (0)

/** CO_AGEN_YIELD_CATCH with a pointer. */
#define CO_AGEN_YIELD_PTR_CATCH(co, p, caught)                                 \
    do {                                                                       \
        co__agen_yield_ptr((co), (p));                                         \
        CO__SUSPEND(co, CO_STATUS_YIELD);                                      \
        CO__CATCH(co, caught);                                                 \
    } while (0)

#endif
