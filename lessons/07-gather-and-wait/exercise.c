/* exercise.c - lesson 07: your my_gather(). See README.md, "The exercise".
 *
 * As shipped it makes the outer future and nothing more: nobody ever
 * completes it, so whoever awaits it waits forever.
 *
 * The TODOs are numbered in the order to do them: 1 and 2 are in
 * my_gather() at the bottom, 3 and 4 in the callback it registers. */
#include <stdlib.h>

#include "exercise.h"

struct gather_state;

/* What one child's done-callback is given, besides the child itself: which
 * gather it belongs to and where its result goes (functools.partial in C). */
struct gather_slot {
    struct gather_state *state; /* the gather this child belongs to */
    size_t index;               /* the child's position in the arguments */
};

/* Shared by every child of one gather. It must live until the LAST child's
 * callback has run, even when the outer future has finished earlier. */
struct gather_state {
    co_future *outer;            /* a reference to the outer future */
    long long *results;          /* the caller's array, in argument order */
    size_t n;                    /* how many children */
    size_t remaining;            /* callbacks still to come */
    struct gather_slot slots[];  /* one per child */
};

/* Runs once per child, on a loop iteration after that child finished. */
static void on_child_done(co_future *child, void *arg)
{
    struct gather_slot *slot = arg;
    (void)child;
    (void)slot;
    /* TODO 3: read the child's outcome with co_future_exception() (which
     *         also marks a failure as read). If the outer future is not
     *         done yet: a cancelled child cancels it, a failed one passes
     *         its code and message on (co_future_set_exception), a good one
     *         stores its result in results[slot->index].
     * TODO 4: count this child off. After the last one: give the outer
     *         future the result n if it is still pending, drop the state's
     *         reference to it, and free the state. */
}

int my_gather(co_loop *loop, co_future *const *children, size_t n,
              long long *results, co_future **out)
{
    if (out)
        *out = NULL;
    if (!loop || !out || (n > 0 && (!children || !results)))
        return CO_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!children[i])
            return CO_EINVAL;

    co_future *outer;
    int rc = co_future_new(loop, &outer);
    if (rc < 0)
        return rc;

    /* TODO 1: n == 0 is gather() of nothing: finish the outer future at once
     *         with the result 0. */

    /* TODO 2: allocate a gather_state with room for n slots
     *         (malloc(sizeof *st + n * sizeof st->slots[0])), fill it in
     *         (st->outer = co_future_ref(outer)), and register
     *         on_child_done on every child with &st->slots[i] as its extra
     *         argument: co_future_add_done_callback(children[i],
     *         on_child_done, &st->slots[i]). */
    (void)children;
    (void)on_child_done;

    *out = outer;
    return 0;
}
