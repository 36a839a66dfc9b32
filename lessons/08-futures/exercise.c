/* exercise.c - lesson 08: your set_after(), note_done() and watch().
 * See README.md, "The exercise". */
#include <stdio.h>

#include "exercise.h"

int set_after(co_coro *co)
{
    struct set_after *self = (struct set_after *)co;
    (void)self; /* remove this line once you use self */
    CO_BEGIN(co);
    /* TODO 1: wait self->delay seconds with CO_SLEEP. */

    /* TODO 2: set the future's result with co_future_set_result_int().
     *         It returns a negative code if the future was already done:
     *         then fail with that code, CO_RAISE(co, rc, "some words"). */
    CO_END(co);
}

void note_done(co_future *f, void *arg)
{
    struct done_note *note = arg;
    (void)f;
    (void)note;
    /* TODO 3: read the outcome with co_future_result_int(f, &value): 0 is a
     *         result, CO_ECANCELLED a cancellation, any other negative code
     *         a failure. Write note->text with snprintf in the format of
     *         exercise.h, then count the call in note->calls. */
}

int watch(co_future *f, struct done_note *note)
{
    /* TODO 4: reject NULL arguments with CO_EINVAL, then register note_done
     *         on f with note as its extra argument, and return what
     *         co_future_add_done_callback() returned. */
    (void)f;
    (void)note;
    return 0;
}
