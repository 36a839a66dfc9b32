/* exercise.h - lesson 07: your own gather, built on done-callbacks.
 *
 * my_gather() returns an "outer" future that finishes once every child
 * future has finished, with the children's results in argument order, or
 * fails as soon as the first child fails. Nothing here is a coroutine: it
 * is all futures and done-callbacks, which is how asyncio.gather is made. */
#ifndef LESSON07_EXERCISE_H
#define LESSON07_EXERCISE_H

#include <stddef.h>

#include <coflow.h>

/** asyncio.gather(*children) for children with integer results.
 *
 *  Makes a new future, the outer one, and stores a reference to it in
 *  *out (the caller drops it with co_future_unref()). Then:
 *  - when every child has finished with a result, results[i] holds child
 *    i's result (argument order, not the order they finished in) and the
 *    outer future gets the integer result @p n;
 *  - as soon as one child fails or is cancelled, the outer future fails
 *    with that child's code and message (or is cancelled); later
 *    failures change nothing, the other children are left running, and
 *    no result is written to @p results once the outer future is done;
 *  - with n == 0, the outer future is finished at once, with result 0.
 *  The outer future must never be completed inline by a child's
 *  set_result: it finishes from the children's done-callbacks.
 *  Every child's failure counts as read (no "exception was never
 *  retrieved" for any of them). @p results must stay valid until the outer
 *  future is done.
 *
 *  @return 0; CO_EINVAL for a NULL loop, out, results or child (n > 0);
 *  CO_ENOMEM. On failure *out is NULL and nothing was registered. */
int my_gather(co_loop *loop, co_future *const *children, size_t n,
              long long *results, co_future **out);

#endif
