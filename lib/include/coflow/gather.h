/** @file
 * coflow/gather.h - waiting for many futures at once: gather, wait,
 * wait_for, as_completed and shield, as asyncio names them.
 * Introduced in lesson 07 (gather and wait); wait_for, shield and what
 * cancellation does to each of them are for lesson 11 (cancellation;
 * docs/cancellation.md explains them).
 *
 * Each combinator takes futures (a task is passed as CO_AS_FUTURE(task))
 * and gives back one new future, the "outer" one, that a coroutine awaits
 * with CO_AWAIT like any other. The outer future says "the waiting is
 * over"; the results themselves stay in the items, which you read in
 * argument order after the await, one by one or all in one call:
 *
 * @code{.c}
 * struct caller { co_coro co; co_future *items[3], *all;
 *                 long long v, vals[3]; };
 * ...
 * for (int i = 0; i < 3; i++)                      // three awaitables
 *     co_sleep(NULL, 0.01 * i, 10 + i, &self->items[i]);
 * co_gather(co_get_running_loop(), self->items, 3, false, &self->all);
 * CO_AWAIT(co, self->all);                         // await gather(...)
 * co_future_result_int(self->items[0], &self->v);  // results[0]
 * co_gather_results_int(self->all, self->vals, 3); // or all of them
 * CO_FINALLY(co);
 * for (int i = 0; i < 3; i++)
 *     co_future_unref(self->items[i]);
 * co_future_unref(self->all);
 * @endcode
 *
 * Every combinator also takes coroutines (the _coros forms at the end of
 * this file), and CO_GATHER / CO_WAIT write start-and-await in one line.
 *
 * Ownership, the same for every function here:
 *  - The caller gets one reference to the outer future (*out) and drops it
 *    with co_future_unref() when done with it (CO_FINALLY is a good place).
 *  - The items stay the caller's: the combinator takes its own reference on
 *    each one for as long as it needs it, so the caller may drop theirs at
 *    any time. Keep yours if you want to read the results afterwards.
 *  - Dropping the last reference to a pending outer future stops the
 *    combinator from watching its items; the items themselves carry on.
 *  - A call that fails registers nothing, takes no reference and sets *out
 *    to NULL.
 *
 * A student's usual mistake: reading an item's result before the outer
 * future is done. Until then the item may still be pending (CO_ESTATE). */
#ifndef COFLOW_GATHER_H
#define COFLOW_GATHER_H

#include <stdbool.h>
#include <stddef.h>

#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/future.h"

/** A timeout meaning "wait as long as it takes" (Python's timeout=None).
 *  Every negative timeout means the same. */
#define CO_NO_TIMEOUT (-1.0)

/** asyncio.gather(*items, return_exceptions=...): an outer future that is
 *  done once every item is done.
 *
 *  Without @p return_exceptions, the first item to fail (or to be
 *  cancelled) finishes the outer future at once with the same failure (or
 *  cancelled: CPython instead gives the outer future CancelledError as an
 *  exception, so its cancelled() is False; awaiting it fails with
 *  CO_ECANCELLED the same); the other items are NOT cancelled and keep
 *  running. With
 *  it, the outer future waits for every item and then finishes with a
 *  result even if some failed or were cancelled: read each item's outcome
 *  with co_future_exception() / co_future_result_*().
 *
 *  On success the outer future's result is the integer @p n (the length of
 *  Python's result list). Every failure an item ends with counts as read
 *  (no "exception was never retrieved" for it): the outer future carries
 *  it, or, with @p return_exceptions, you are expected to look.
 *
 *  Cancelling the outer future (co_future_cancel, or cancelling the task
 *  that awaits it) cancels every item still pending; the outer future then
 *  ends cancelled once the items have reacted, so their cleanup runs before
 *  the awaiting task resumes. That cancel returns false if no item could be
 *  cancelled any more.
 *
 *  The same future may appear several times; it is one child, waited for
 *  once. gather of nothing (@p n == 0; @p items may then be NULL) is an
 *  outer future that is already done, with result 0.
 *
 *  @param loop  the loop every item belongs to
 *  @param items @p n futures (tasks via CO_AS_FUTURE); none may be NULL
 *  @param n     how many
 *  @param return_exceptions  see above
 *  @param out   receives a reference to the outer future
 *  @return 0; CO_EINVAL (NULL loop/out, NULL items with n > 0, a NULL item);
 *  CO_EWRONGLOOP (an item of another loop); CO_ECLOSED; CO_ENOMEM. */
CO_API int co_gather(co_loop *loop, co_future *const *items, size_t n,
                     bool return_exceptions, co_future **out);

/** When asyncio.wait returns (its return_when argument). */
enum co_return_when {
    CO_ALL_COMPLETED = 0, /**< every item is done */
    CO_FIRST_COMPLETED,   /**< any item is done */
    CO_FIRST_EXCEPTION    /**< any item failed (a cancellation does not
                               count), or else every item is done */
};

/** asyncio.wait(items, timeout=..., return_when=...): an outer future that
 *  finishes when @p return_when is met or @p timeout seconds have passed,
 *  whichever comes first. It never fails on a timeout: it simply finishes,
 *  and co_wait_sets() then tells you which items are done and which are
 *  still pending. It cancels nothing, neither on timeout nor when the outer
 *  future itself is cancelled. Its result is the integer 0.
 *
 *  Under CO_FIRST_EXCEPTION a failure it sees counts as read.
 *
 *  @param timeout seconds; negative (CO_NO_TIMEOUT) waits as long as it
 *  takes; 0 looks once, on the next loop iteration
 *  @return 0; CO_EEMPTY when @p n is 0 (asyncio: "Set of Tasks/Futures is
 *  empty"); CO_EINVAL (NULL arguments or item, NaN timeout, unknown
 *  @p return_when); CO_EWRONGLOOP; CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop every item belongs to
 *  @param items the futures to watch (a task as CO_AS_FUTURE(task)); none may
 *      be NULL
 *  @param n how many @p items there are
 *  @param return_when when to finish: CO_ALL_COMPLETED, CO_FIRST_COMPLETED or
 *      CO_FIRST_EXCEPTION
 *  @param out receives a reference to the outer future */
CO_API int co_wait(co_loop *loop, co_future *const *items, size_t n,
                   double timeout, enum co_return_when return_when,
                   co_future **out);

/** Sorts @p items into the done and the pending ones, keeping their order:
 *  asyncio.wait's `done, pending = ...`, read once the outer future of
 *  co_wait() is done. Either output array (room for @p n) may be NULL if you
 *  only want the other; the counts may be NULL too. No reference is taken:
 *  the pointers are the caller's items.
 *  @return 0, or CO_EINVAL for NULL @p items with @p n > 0.
 *  @param items the items given to co_wait()
 *  @param n how many @p items there are
 *  @param done receives the done items, in order (room for @p n); may be NULL
 *  @param ndone receives how many are done; may be NULL
 *  @param pending receives the pending items, in order (room for @p n); may
 *      be NULL
 *  @param npending receives how many are pending; may be NULL */
CO_API int co_wait_sets(co_future *const *items, size_t n, co_future **done,
                        size_t *ndone, co_future **pending, size_t *npending);

/** asyncio.wait_for(inner, timeout) (Python 3.11's rules): an outer future
 *  that finishes as @p inner finishes (same result, failure or
 *  cancellation; a string result is copied) unless the timeout comes first.
 *
 *  On timeout it cancels @p inner, waits until @p inner has really ended
 *  (its cleanup has run), and then fails with CO_ETIMEDOUT; if @p inner
 *  caught the cancellation and returned a value anyway, or had already
 *  finished when the timer fired, the outer future takes that outcome
 *  instead: a result that made it in time is never thrown away.
 *
 *  Cancelling the outer future (or the task awaiting it) cancels @p inner,
 *  waits for it to end, then ends cancelled. co_wait_for never returns
 *  control to the awaiting task while @p inner still runs.
 *
 *  @param timeout seconds; negative (CO_NO_TIMEOUT): no timeout, the outer
 *  future is a plain await of @p inner; 0: if @p inner is not done yet it is
 *  cancelled right away (as in Python 3.11, timeout <= 0 cancels at once)
 *  @return 0; CO_EINVAL (NULL, NaN); CO_EWRONGLOOP; CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop @p inner belongs to
 *  @param inner the future (or CO_AS_FUTURE(task)) to wait for
 *  @param out receives a reference to the outer future */
CO_API int co_wait_for(co_loop *loop, co_future *inner, double timeout,
                       co_future **out);

/** asyncio.shield(inner): an outer future that finishes as @p inner does,
 *  but whose cancellation does not reach @p inner: cancelling the outer
 *  future (or the task awaiting it) cancels only the outer one, and
 *  @p inner keeps running. If @p inner itself is cancelled, the outer future
 *  is cancelled too. If @p inner is already done, *out is @p inner itself
 *  (with a new reference).
 *  @return 0; CO_EINVAL; CO_EWRONGLOOP; CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop @p inner belongs to
 *  @param inner the future (or CO_AS_FUTURE(task)) to wait for
 *  @param out receives a reference to the outer future */
CO_API int co_shield(co_loop *loop, co_future *inner, co_future **out);

/** The iterator behind asyncio.as_completed(items, timeout=...). */
typedef struct co_as_completed co_as_completed;

/** Starts watching @p items. Then call co_as_completed_next() once per
 *  item (duplicates count once: @p n minus the repeats) and await each
 *  future it gives: they finish in the order the items complete.
 *  @param timeout seconds for the whole run (negative: none); when it
 *  passes, every next-future not yet finished fails with CO_ETIMEDOUT (the
 *  items are not cancelled)
 *  @param out receives the iterator, owned by the caller, freed with
 *  co_as_completed_free()
 *  @return 0; CO_EEMPTY when @p n is 0; CO_EINVAL; CO_EWRONGLOOP;
 *  CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop every item belongs to
 *  @param items the futures to watch (a task as CO_AS_FUTURE(task)); none may
 *      be NULL
 *  @param n how many @p items there are */
CO_API int co_as_completed_new(co_loop *loop, co_future *const *items,
                               size_t n, double timeout,
                               co_as_completed **out);

/** The next future to await. Once it is done, its result is a pointer to
 *  the item that completed (read it with co_future_result_ptr(); it stays
 *  valid while you hold the item or the iterator), and that item holds the
 *  real result or failure. (Python's `for f in as_completed(...): await f`
 *  hands over the result directly; `async for` in 3.13 hands over the
 *  item, as here, which in C is the more useful: you learn which one.)
 *  @param next_out receives a reference, dropped with co_future_unref()
 *  @return 0; CO_EEMPTY when one future per item has been handed out
 *  already; CO_EINVAL; CO_ECLOSED; CO_ENOMEM.
 *  @param ac the iterator */
CO_API int co_as_completed_next(co_as_completed *ac, co_future **next_out);

/** How many items have not been handed out by co_as_completed_next() yet.
 *  @param ac the as_completed iterator
 *  @return how many next-futures are still to be handed out; 0 for NULL */
CO_API size_t co_as_completed_remaining(const co_as_completed *ac);

/** Stops watching and frees the iterator. Next-futures that are still
 *  pending are cancelled (whoever awaits one sees CO_ECANCELLED, never a
 *  hang); the items carry on. NULL is a no-op.
 *  @param ac the iterator, or NULL */
CO_API void co_as_completed_free(co_as_completed *ac);

/* ---- coroutines as items, results in one call, sleep(delay, result) ---- */
/*
 * asyncio's combinators take coroutines as well as futures (ensure_future
 * wraps each in a task). The _coros forms below do that job: each
 * coroutine (CO_CORO(fn, ...), or any frame not yet started) becomes a
 * task, named "Task-N", and the combinator then holds those tasks; a call
 * that fails starts nothing (tasks it made are cancelled before their first
 * step, and frames from CO_CORO / CO_NEW are freed), so the caller never
 * has anything to undo. @p loop may be NULL: the running loop. The
 * results, and the tasks themselves, are read from the outer future:
 *
 * @code{.c}
 * CO_ASYNC(fetch, int n;) { CO_BEGIN(co); CO_RETURN(co, self->n); CO_END(co); }
 * struct caller { co_coro co; co_future *all; long long values[2]; };
 * ...
 * co_gather_coros(NULL, (co_coro *[]){CO_CORO(fetch, .n = 1),
 *                                     CO_CORO(fetch, .n = 2)}, 2,
 *                 false, &self->all);
 * CO_AWAIT(co, self->all);
 * co_gather_results_int(self->all, self->values, 2);
 * CO_FINALLY(co);
 * co_future_unref(self->all);
 * @endcode
 */

/** co_gather over coroutines, each started as a task (see above).
 *  @return as co_gather; CO_ENOTSTARTED for a NULL coroutine (CO_CORO out
 *  of memory); CO_ENOLOOP for a NULL @p loop outside a running loop;
 *  CO_EINVAL for a coroutine that has started or is given twice.
 *  @param loop the loop, or NULL for the running one
 *  @param coros the coroutines (CO_CORO frames), each taken over
 *  @param n how many
 *  @param return_exceptions as co_gather
 *  @param out receives the outer future (a reference) */
CO_API int co_gather_coros(co_loop *loop, co_coro *const *coros, size_t n,
                           bool return_exceptions, co_future **out);

/** co_wait over coroutines started as tasks; read the sets with
 *  co_wait_sets_of(). @return as co_wait and co_gather_coros.
 *  @param loop the loop, or NULL for the running one
 *  @param coros the coroutines (CO_CORO frames), each taken over
 *  @param n how many
 *  @param timeout as co_wait (< 0: none)
 *  @param return_when as co_wait
 *  @param out receives the outer future (a reference) */
CO_API int co_wait_coros(co_loop *loop, co_coro *const *coros, size_t n,
                         double timeout, enum co_return_when return_when,
                         co_future **out);

/** co_wait_for over a coroutine started as a task (cancelled on timeout).
 *  @return as co_wait_for and co_gather_coros.
 *  @param loop the loop, or NULL for the running one
 *  @param coro the coroutine, taken over
 *  @param timeout seconds (< 0: none)
 *  @param out receives the outer future (a reference) */
CO_API int co_wait_for_coro(co_loop *loop, co_coro *coro, double timeout,
                            co_future **out);

/** co_shield over a coroutine started as a task, which goes on running if
 *  the outer future is cancelled. @return as co_shield, co_gather_coros.
 *  @param loop the loop, or NULL for the running one
 *  @param coro the coroutine, taken over
 *  @param out receives the outer future (a reference) */
CO_API int co_shield_coro(co_loop *loop, co_coro *coro, co_future **out);

/** co_as_completed_new over coroutines started as tasks; each next-future
 *  then gives the task's future (co_task_of() turns it into the task).
 *  @return as co_as_completed_new and co_gather_coros.
 *  @param loop the loop, or NULL for the running one
 *  @param coros the coroutines (CO_CORO frames), each taken over
 *  @param n how many
 *  @param timeout seconds for the whole iteration (< 0: none)
 *  @param out receives the iterator (co_as_completed_free) */
CO_API int co_as_completed_coros(co_loop *loop, co_coro *const *coros,
                                 size_t n, double timeout,
                                 co_as_completed **out);

/** The items @p ac watches (distinct ones, in argument order: for the
 *  _coros form, the tasks' futures), into @p out (room for @p n). They
 *  belong to the iterator: valid until co_as_completed_free.
 *  @return how many (>= 0); CO_ESHORT if @p n is too small (nothing is
 *  written); CO_EINVAL for NULL.
 *  @param ac the iterator
 *  @param out room for @p n futures
 *  @param n its size */
CO_API int co_as_completed_items(const co_as_completed *ac, co_future **out,
                                 size_t n);

/** `results = await gather(...)`: the integer results of a finished gather,
 *  in argument order (a repeated item once per place), into @p out (room
 *  for @p n). An item that returned nothing reads as 0; with
 *  return_exceptions, a failed or cancelled item reads as 0 and makes the
 *  call return its code (the first such, in argument order; look closer
 *  with co_gather_item). The strings of co_gather_results_str stay owned
 *  by the items, valid while you hold the outer future.
 *  @return how many results there are (>= 0); CO_EWRONGFUTURE if @p all is
 *  no gather's outer future; CO_ESTATE while it is pending; its failure
 *  (CO_ECANCELLED...) if it failed; CO_ESHORT if @p n is less than the
 *  number of items (nothing is written); CO_EKIND if an item holds another
 *  kind; CO_EINVAL for NULL.
 *  @param all the gather's outer future
 *  @param out room for @p n results
 *  @param n its size */
CO_API int co_gather_results_int(co_future *all, long long *out, size_t n);
/** co_gather_results_int for string results (owned by the items).
 *  @param all the gather's outer future
 *  @param out room for @p n strings
 *  @param n its size
 *  @return as co_gather_results_int */
CO_API int co_gather_results_str(co_future *all, const char **out, size_t n);
/** co_gather_results_int for pointer results.
 *  @param all the gather's outer future
 *  @param out room for @p n pointers
 *  @param n its size
 *  @return as co_gather_results_int */
CO_API int co_gather_results_ptr(co_future *all, void **out, size_t n);

/** Item @p i (argument order) of gather @p all: a future (a task's, for the
 *  _coros form), owned by the gather: valid while you hold @p all. NULL if
 *  @p all is no gather's outer future or @p i is out of range.
 *  @param all the gather's outer future
 *  @param i the item's place, from 0
 *  @return the item, or NULL */
CO_API co_future *co_gather_item(co_future *all, size_t i);

/** `done, pending = await asyncio.wait(...)` read from co_wait()'s (or
 *  co_wait_coros()'s) outer future @p w: as co_wait_sets over its items
 *  (distinct ones, in argument order), without needing the items. Either
 *  array (room for as many items as were given) and either count may be
 *  NULL. The futures belong to @p w: valid while you hold it.
 *  @return 0; CO_EWRONGFUTURE if @p w is no wait's outer future; CO_EINVAL
 *  for NULL @p w.
 *  @param w the wait's outer future
 *  @param done receives the done items, or NULL
 *  @param ndone receives how many, or NULL
 *  @param pending receives the pending items, or NULL
 *  @param npending receives how many, or NULL */
CO_API int co_wait_sets_of(co_future *w, co_future **done, size_t *ndone,
                           co_future **pending, size_t *npending);

/** asyncio.sleep(delay, result) as a future: it finishes with @p result
 *  after @p delay seconds (0 or less: on the next loop iteration), so it
 *  can be an item of gather or wait. Cancelling it stops its timer. (In a
 *  coroutine's own body, CO_SLEEP is the short form with no result.)
 *  @param loop the loop, or NULL for the running loop
 *  @return 0 and *out (a reference); CO_EINVAL (NULL @p out, NaN @p delay,
 *  NULL @p result for the string form); CO_ENOLOOP; CO_ECLOSED; CO_ENOMEM.
 *  @param delay seconds
 *  @param result what the future finishes with
 *  @param out receives the future (a reference) */
CO_API int co_sleep(co_loop *loop, double delay, long long result,
                    co_future **out);
/** co_sleep with a string result (copied; freed with the future).
 *  @param loop the loop, or NULL for the running loop
 *  @param delay seconds
 *  @param result the string (copied)
 *  @param out receives the future (a reference)
 *  @return as co_sleep */
CO_API int co_sleep_str(co_loop *loop, double delay, const char *result,
                        co_future **out);

/* How many elements a compound-literal array of coroutines has (it is not
 * evaluated, so no coroutine is made twice). */
#define CO__NCOROS(...) (sizeof((co_coro *[]){__VA_ARGS__}) / sizeof(co_coro *))

/** Inside a coroutine body, `await asyncio.gather(c1, c2, ...)`: starts
 *  the coroutines (CO_CORO(...)) as tasks, stores the outer future in the
 *  co_future * lvalue @p all (drop it with co_future_unref, in CO_FINALLY)
 *  and awaits it; a failure to start, or of an item, fails this coroutine.
 *  Then read the results with co_gather_results_*(@p all, ...). */
#define CO_GATHER(co, all, ...)                                                \
    do {                                                                       \
        int co__rc = co_gather_coros(NULL, (co_coro *[]){__VA_ARGS__},        \
                                     CO__NCOROS(__VA_ARGS__), false, &(all));  \
        if (co__rc < 0)                                                        \
            CO_RAISE(co, co__rc, "could not start gather");                    \
        CO_AWAIT(co, all);                                                     \
    } while (0)

/** Inside a coroutine body, `done, pending = await asyncio.wait([c1, ...],
 *  timeout=..., return_when=...)`: starts the coroutines as tasks, stores
 *  the outer future in @p w (drop it in CO_FINALLY) and awaits it; read the
 *  sets with co_wait_sets_of(@p w, ...). Never fails on a timeout. */
#define CO_WAIT(co, w, timeout, return_when, ...)                              \
    do {                                                                       \
        int co__rc = co_wait_coros(NULL, (co_coro *[]){__VA_ARGS__},          \
                                   CO__NCOROS(__VA_ARGS__), (timeout),         \
                                   (return_when), &(w));                       \
        if (co__rc < 0)                                                        \
            CO_RAISE(co, co__rc, "could not start wait");                      \
        CO_AWAIT(co, w);                                                       \
    } while (0)

#endif
