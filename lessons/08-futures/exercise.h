/* exercise.h - lesson 08: a future set by another task, and a done-callback
 * with an extra argument.
 *
 * Two small pieces, as in the notes: set_after(), a coroutine that gives a
 * future its result after a delay (someone else awaits that future), and
 * note_done(), a done-callback that gets one extra argument besides the
 * future, which is what functools.partial is used for in Python. */
#ifndef LESSON08_EXERCISE_H
#define LESSON08_EXERCISE_H

#include <coflow.h>

/* ---- set_after ---------------------------------------------------------- */

/** The frame of set_after. */
struct set_after {
    co_coro co;        /* the coroutine header: first member */
    co_future *fut;    /* argument: the future to complete (not owned) */
    double delay;      /* argument: seconds to wait first (0: one yield) */
    long long value;   /* argument: the result to give it */
};

/** `async def set_after(fut, delay, value)`: waits @c delay seconds (with
 *  CO_SLEEP, so 0 still means one yield), then sets @c fut's result to
 *  @c value. If @c fut is already done by then (somebody cancelled it),
 *  setting it fails with CO_ESTATE (Python's InvalidStateError), and
 *  set_after fails with that code. */
int set_after(co_coro *co);

/* ---- a done-callback with an extra argument ----------------------------- */

/** The extra argument of note_done: which future this is, and what the
 *  callback found out. */
struct done_note {
    const char *label; /* set by the caller: a name for the future */
    char text[64];     /* written by note_done, see below */
    int calls;         /* how many times note_done ran for this note */
};

/** A done-callback (co_done_callback). @p arg is a struct done_note *.
 *  Writes into note->text, depending on how @p f ended:
 *    "<label>=<result>"           a result, read as an integer ("answer=42")
 *    "<label> failed: <code>"     a failure, with co_errname() of its code
 *                                 ("download failed: CO_EFAIL")
 *    "<label> cancelled"          cancelled
 *  and adds one to note->calls. */
void note_done(co_future *f, void *arg);

/** future.add_done_callback(functools.partial(note_done, note)): registers
 *  note_done on @p f with @p note as its extra argument.
 *  @return 0; CO_EINVAL if @p f or @p note is NULL; CO_ENOMEM. */
int watch(co_future *f, struct done_note *note);

#endif
