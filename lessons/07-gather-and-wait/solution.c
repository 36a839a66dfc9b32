/* solution.c - lesson 07: the reference my_gather(). */
#include <stdlib.h>

#include "exercise.h"

struct gather_state;

/* What one child's done-callback is given: functools.partial(cb, state, i). */
struct gather_slot {
    struct gather_state *state; /* the gather this child belongs to */
    size_t index;               /* the child's position in the arguments */
};

/* Shared by every child of one gather. Lives until the last child's
 * callback has run, even if the outer future finished (failed) earlier:
 * the later callbacks still arrive and must find it. */
struct gather_state {
    co_future *outer;            /* our reference to the outer future */
    long long *results;          /* the caller's array, in argument order */
    size_t n;                    /* how many children */
    size_t remaining;            /* callbacks still to come */
    struct gather_slot slots[];  /* one per child */
};

static void on_child_done(co_future *child, void *arg)
{
    struct gather_slot *slot = arg;
    struct gather_state *st = slot->state;
    const char *msg = NULL;
    /* Reading the outcome also marks a failure as retrieved. */
    int err = co_future_exception(child, &msg);

    if (!co_future_done(st->outer)) {
        if (err == CO_ECANCELLED)
            co_future_cancel(st->outer);
        else if (err < 0)
            co_future_set_exception(st->outer, err, msg);
        else
            co_future_result_int(child, &st->results[slot->index]);
    }

    if (--st->remaining == 0) {
        if (!co_future_done(st->outer))
            co_future_set_result_int(st->outer, (long long)st->n);
        co_future_unref(st->outer);
        free(st);
    }
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
    if (n == 0) {
        co_future_set_result_int(outer, 0); /* gather() of nothing: [] */
        *out = outer;
        return 0;
    }

    struct gather_state *st =
        malloc(sizeof *st + n * sizeof st->slots[0]);
    if (!st) {
        co_future_unref(outer);
        return CO_ENOMEM;
    }
    st->outer = co_future_ref(outer); /* ours, dropped by the last callback */
    st->results = results;
    st->n = n;
    st->remaining = n;
    for (size_t i = 0; i < n; i++) {
        st->slots[i].state = st;
        st->slots[i].index = i;
        rc = co_future_add_done_callback(children[i], on_child_done,
                                         &st->slots[i]);
        if (rc < 0) {
            /* Take back what was registered so far: nothing may call in. */
            for (size_t j = 0; j < i; j++)
                co_future_remove_done_callback(children[j], on_child_done,
                                               &st->slots[j]);
            co_future_unref(st->outer);
            co_future_unref(outer);
            free(st);
            return rc;
        }
    }
    *out = outer;
    return 0;
}
