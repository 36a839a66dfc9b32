/** @file
 * coflow/coro.h - stackless coroutines built on local continuations.
 * Introduced in lesson 03; awaiting futures and tasks comes in lesson 05.
 *
 * A coroutine is a plain C function (its "step function") plus a frame
 * struct that holds everything it must remember across a suspension
 * (a whole program; the test suite compiles and runs it):
 *
 * @code{.c}
 * #include <coflow.h>
 * #include <stdio.h>
 *
 * struct countdown {
 *     co_coro co;              // always the first member
 *     int n;                   // arguments and "locals" live here
 * };
 *
 * static int countdown(co_coro *co)
 * {
 *     struct countdown *self = (struct countdown *)co;
 *     CO_BEGIN(co);
 *     while (self->n > 0) {
 *         printf("%d\n", self->n--);
 *         CO_YIELD(co);        // give the loop back; resume here later
 *     }
 *     CO_RETURN(co, 0);
 *     CO_END(co);
 * }
 *
 * int main(void)
 * {
 *     struct countdown cd = {.n = 3};
 *     co_coro_init(&cd.co, countdown);  // "calls" it: runs nothing yet
 *     while (co_coro_step(&cd.co) != CO_STATUS_DONE)
 *         ;                             // by hand: one number per step
 *     co_coro_free(&cd.co);
 *     return 0;
 * }
 * @endcode
 *
 * Calling the step function runs the body up to the next suspension point
 * and returns a CO_STATUS_* value; calling it again carries on from there.
 * Setting up the frame (co_coro_init) runs nothing: like calling an
 * `async def` function in Python, it only makes the coroutine object.
 *
 * Rules a student will trip over (the compiler will not always help):
 *  - Local variables of the step function do NOT survive a suspension (every
 *    suspension is a `return`). Keep anything you need afterwards in the
 *    frame. A local that is set and used between two suspensions is fine.
 *  - At most one suspension point (CO_YIELD, CO_AWAIT..., CO_SLEEP...) per
 *    source line: two on one line is "duplicate case value".
 *  - No suspension point inside a `switch` statement of your own: it compiles
 *    and resumes in the wrong place. Use if/else.
 *  - One CO_BEGIN ... CO_END per function, and the macros only inside it:
 *    outside, the compiler says "case label not within a switch statement".
 *  - A finished coroutine stays finished: calling its step function again
 *    returns CO_STATUS_DONE and runs nothing.
 *  - A frame belongs to its task until the task ends: co_coro_init on it
 *    meanwhile fails the task (CO_EINVAL) rather than restarting the body.
 *  - Never a bare `return rc;` in the body, as in a plain function: fail with
 *    CO_RAISE, end with CO_RETURN or CO_END. (A step that returns something
 *    other than a CO_STATUS_ value ends the coroutine with that failure, or
 *    CO_EINVAL, and a message that says so; its CO_FINALLY does not run.)
 *
 * Failures travel like exceptions. CO_RAISE(co, code, message) ends the
 * coroutine with a failure; an awaiting coroutine sees it at its CO_AWAIT...
 * and, unless it used a CO_..._CATCH form, fails the same way, and so on up
 * the chain to the task. Cancellation is the failure CO_ECANCELLED. An
 * optional CO_FINALLY section runs however the body ends (return, failure,
 * cancellation) and may itself suspend: it is the coroutine's try/finally.
 */
#ifndef COFLOW_CORO_H
#define COFLOW_CORO_H

#include "coflow/lc.h"
#include "coflow/error.h"

#include <stdatomic.h>
#include <stddef.h>

/** A coroutine frame's header (see struct co_coro). */
typedef struct co_coro co_coro;
struct co_future;
struct co_task;

/** A Task is a Future (lesson 08): wherever a future is awaited or queried, a
 *  task may stand. This picks the future inside a task, at compile time.
 *  @param x a co_task * or a co_future * */
#define CO_AS_FUTURE(x)                                                        \
    _Generic((x), struct co_task *: co__task_future,                           \
             struct co_future *: co__future_self)(x)
CO_API struct co_future *co__task_future(struct co_task *t);
CO_API struct co_future *co__future_self(struct co_future *f);

/** A step function: runs the coroutine to its next suspension point. */
typedef int (*co_coro_fn)(co_coro *co);

/** What a step function returns. */
enum co_status {
    CO_STATUS_DONE = 0,  /**< ended: returned a value, failed or was cancelled */
    CO_STATUS_YIELD = 1, /**< suspended, ready to run again at once (sleep(0)) */
    CO_STATUS_WAIT = 2   /**< suspended until something wakes its task */
};

/** What a coroutine returned. */
enum co_kind { CO_KIND_NONE = 0, CO_KIND_INT, CO_KIND_PTR, CO_KIND_STR };
/** @var CO_KIND_NONE
 *  Ended without a value (no CO_RETURN): reads as 0 / NULL. */
/** @var CO_KIND_INT
 *  An integer, from CO_RETURN or co_future_set_result_int(). */
/** @var CO_KIND_PTR
 *  A pointer (not owned), from CO_RETURN_PTR or co_future_set_result_ptr(). */
/** @var CO_KIND_STR
 *  A string the future owns a copy of (co_future_set_result_str()). */

/* Special continuation values (ordinary ones are source lines, > 0). */
#define CO__LC_FINALLY (-1) /* unwinding: run the CO_FINALLY section, if any */
#define CO__LC_EXIT (-2)    /* unwinding from inside CO_FINALLY: just end */
#define CO__LC_DONE (-3)    /* ended; stays ended */

#define CO__F_OWNED 0x01   /* from co_coro_new(): room for a task sits before it */
#define CO__F_FINALLY 0x02 /* the CO_FINALLY section has started */
#define CO__F_INTASK 0x04  /* a task lives in that room and will free both */
#define CO__F_TAKEN 0x08   /* a task drives it: no second task may */
#define CO__F_STR 0x10     /* out.p is a string the frame owns (CO_RETURN_STR) */
#define CO__F_QUERY 0x20   /* not a frame: a question to CO_ASYNC's step (its name) */
#define CO__F_ASYNC 0x40   /* its step function comes from CO_ASYNC: it can answer */

/** The header every coroutine frame starts with. Invariant: `lc` is 0 before
 *  the first step, a source line while suspended, CO__LC_DONE once ended;
 *  `callee` is non-NULL exactly while the coroutine is suspended inside
 *  CO_AWAIT_CORO, and then points at the child it is running. A coroutine
 *  ends with a value or with a failure, never both, so the two share `out`:
 *  while `err` is 0 it holds the value (`kind` says which member), once
 *  `err` is set it holds the failure's message. */
struct co_coro {
    co_coro_fn fn;       /**< the step function */
    co_coro *callee;     /**< the child coroutine being awaited, or NULL */
    const char *file;    /**< source file of the body (CO_BEGIN notes it) */
    union {
        long long i;     /* CO_KIND_INT */
        void *p;         /* CO_KIND_PTR, or CO_KIND_STR (then CO__F_STR) */
        char *msg;       /* while `err` is set: its owned message, or NULL */
    } out;               /**< the outcome: the value, or the failure's message */
    co_lc lc;            /**< local continuation: where to resume */
    int err;             /**< 0, or the failure the coroutine ends with */
    int thrown;          /**< failure delivered at the resume point, or 0 */
    unsigned char kind;  /**< enum co_kind of the value in `out` */
    unsigned char flags; /**< CO__F_* */
};

/** Makes @p co a fresh, not yet started coroutine running @p fn; clears the
 *  header only (the rest of the frame is the caller's). Running nothing is
 *  the point: this is "calling the coroutine function". Not for frames from
 *  co_coro_new(), which come initialised.
 *  Never on the frame of a task that has not ended: the header may be
 *  uninitialised memory, so this cannot check, and returns 0. The task
 *  notices at its next step and fails with CO_EINVAL (its body does not
 *  start again; its CO_FINALLY does not run). Once the task has ended the
 *  frame is yours again, to set up for a new task.
 *  @return 0, or CO_EINVAL if @p co or @p fn is NULL.
 *  @param co the frame's header
 *  @param fn its step function */
CO_API int co_coro_init(co_coro *co, co_coro_fn fn);

/** Allocates a zeroed frame of @p size bytes (at least sizeof(co_coro)) and
 *  initialises its header for @p fn. A task created for it takes it over and
 *  frees it with the task, in the same allocation as the task itself.
 *  @return the frame, or NULL if @p size is too small, @p fn is NULL or memory
 *  ran out.
 *  @param size the frame's size, sizeof(your struct)
 *  @param fn its step function */
CO_API co_coro *co_coro_new(size_t size, co_coro_fn fn);

/** Allocates a frame of type @p type (whose first member is `co_coro co`).
 *  As co_coro_new(), and it tells debug mode the coroutine's name (the
 *  spelling of @p fn) and where the frame was made (coflow/debug.h).
 *  @param type the frame's struct type, whose first member is `co_coro co`
 *  @param fn its step function */
#define CO_NEW(type, fn)                                                       \
    ((type *)(void *)co__coro_new_at(co_coro_new(sizeof(type), (fn)), #fn,    \
                                     __FILE__, __LINE__))
/* What CO_NEW calls after co_coro_new: while debug mode (or the timeline)
 * is on, it hears of the frame. Inline, so that when it is off a frame
 * costs one load and a branch more, not a call. */
CO_API extern _Atomic int co__coro_naming;
CO_API void co__coro_made(co_coro *co, const char *name, const char *file,
                          int line);
static inline co_coro *co__coro_new_at(co_coro *co, const char *name,
                                       const char *file, int line)
{
    if (co && atomic_load_explicit(&co__coro_naming, memory_order_relaxed))
        co__coro_made(co, name, file, line);
    return co;
}

/** co_coro_new(@p size, @p fn), then copies the fields of @p init (a frame
 *  of @p size bytes whose header is ignored) into it: what CO_CORO uses.
 *  @return the frame, or NULL (as co_coro_new; also for a NULL @p init).
 *  @param size the frame's size in bytes, at least sizeof(co_coro)
 *  @param fn its step function
 *  @param init the fields to copy in */
CO_API co_coro *co_coro_new_init(size_t size, co_coro_fn fn, const void *init);

/** Releases what a frame owns: the message of its failure, and the frame
 *  itself if it came from co_coro_new() and no task has taken it over (a
 *  task frees its own frame). Use it on frames you drove by hand; NULL is a
 *  no-op.
 *  @param co the frame, or NULL */
CO_API void co_coro_free(co_coro *co);

/** The message of the failure last caught by a CO_..._CATCH form in this
 *  thread, or NULL. Valid until the coroutine suspends again: copy it to
 *  keep it. (A future's message can also be read with co_future_exception.)
 *  @return the message, valid until the coroutine suspends again, or NULL */
CO_API const char *co_caught_message(void);

/** Runs @p co by hand until it suspends or ends (what a task does on every
 *  step). @return a CO_STATUS_* value, or CO_EINVAL for NULL. A step
 *  function that returned anything else has ended with a failure
 *  (CO_STATUS_DONE; see co_coro_error), as in a task.
 *  @param co the coroutine frame */
CO_API int co_coro_step(co_coro *co);

/** True once @p co has ended (returned, failed or was cancelled).
 *  @param co the coroutine frame
 *  @return non-zero once it has ended, 0 before (and for NULL) */
CO_API int co_coro_done(const co_coro *co);

/** How @p co ended: 0 if it returned, else its failure code (CO_ECANCELLED
 *  if cancelled); CO_ESTATE while it has not ended. If @p message is not
 *  NULL it receives the failure's message, or NULL. The message stays in
 *  the frame of a coroutine driven by hand; a task moves it into its future
 *  and an awaiting coroutine takes it along when the failure propagates.
 *  @param co the coroutine frame
 *  @param message receives the failure's message or NULL; may be NULL
 *  @return 0, its failure code, or CO_ESTATE, as above */
CO_API int co_coro_error(const co_coro *co, const char **message);

/** The integer / pointer @p co returned. @return 0; CO_ESTATE if it has not
 *  ended; its failure code if it failed; CO_EKIND if it returned the other
 *  kind (returning nothing reads as integer 0 / NULL).
 *  @param co the coroutine frame
 *  @param out receives the value */
CO_API int co_coro_result_int(const co_coro *co, long long *out);
/** The pointer @p co returned with CO_RETURN_PTR. @return as
 *  co_coro_result_int().
 *  @param co the coroutine frame
 *  @param out receives the pointer */
CO_API int co_coro_result_ptr(const co_coro *co, void **out);

/** The string @p co returned with CO_RETURN_STR. The frame owns it: it is
 *  freed by co_coro_free(). Where someone else drove the frame, it moved on:
 *  a task hands it to its future (read it with co_task_result_str); after
 *  CO_AWAIT_CORO / CO_AWAIT_CALL the awaiting coroutine may read it here
 *  until it suspends again (copy it to keep it), as co_caught_message().
 *  @return 0 and *out; as co_coro_result_int otherwise (CO_EKIND if it
 *  returned an integer or pointer; returning nothing reads as NULL).
 *  @param co the coroutine frame
 *  @param out receives the string */
CO_API int co_coro_result_str(const co_coro *co, const char **out);

/** What kind of value @p co returned: CO_KIND_NONE when it ended without a
 *  CO_RETURN... (Python's implicit `return None`), else CO_KIND_INT,
 *  CO_KIND_PTR or CO_KIND_STR. This is how "returned nothing" is told from
 *  "returned 0".
 *  @return the enum co_kind (>= 0); CO_EINVAL for NULL; CO_ESTATE if it has
 *  not ended; its failure code if it failed.
 *  @param co the coroutine frame */
CO_API int co_coro_result_kind(const co_coro *co);

/* ---- the body macros ---------------------------------------------------- */

/** Opens the body. Declares the label co__resume, so one per function.
 *  A finished coroutine returns at once: it never runs its body again. On
 *  its first run it notes the file its body is in (for co_task_where).
 *  @param co the coroutine's own frame (the step function's argument) */
#define CO_BEGIN(co)                                                           \
    if ((co)->lc == CO__LC_DONE)                                               \
        return CO_STATUS_DONE;                                                 \
    co__resume:                                                                \
    CO_LC_RESUME((co)->lc)                                                     \
    (co)->file = __FILE__;

/** Closes the body: the coroutine ends here (with no value unless CO_RETURN
 *  set one). The `default:` label is where CO__LC_EXIT (unwinding from
 *  inside CO_FINALLY) lands; `goto co__resume` is how CO_RETURN and
 *  CO_RAISE re-enter the switch to unwind.
 *  @param co the coroutine's own frame (the step function's argument) */
#define CO_END(co)                                                             \
    CO__FALLTHROUGH;                                                           \
    default:                                                                   \
        break;                                                                 \
    CO_LC_END((co)->lc)                                                        \
    if (0)                                                                     \
        goto co__resume;                                                       \
    return co__finish(co)

/** Starts the cleanup section: what follows runs once the body above has
 *  ended in any way (fell through, CO_RETURN, failure, cancellation). Inside
 *  it `(co)->err` is the failure on its way out (0 if none). Cleanup may
 *  suspend; a failure raised inside it replaces the one on its way out.
 *  @param co the coroutine's own frame (the step function's argument) */
#define CO_FINALLY(co)                                                         \
    CO__FALLTHROUGH;                                                           \
    case CO__LC_FINALLY:                                                       \
        (co)->flags |= CO__F_FINALLY

/* Suspends with @p status and resumes right after, at the same line: the
 * local continuation's yield. The line it stopped at is the continuation
 * itself (co_task_where reads it, with the file CO_BEGIN noted). */
#define CO__SUSPEND(co, status) CO_LC_YIELD((co)->lc, (status))

/* After a resume: a failure thrown in propagates (unwinds this coroutine). */
#define CO__PROPAGATE(co)                                                      \
    if ((co)->thrown) {                                                        \
        co__raise_thrown(co);                                                  \
        goto co__resume;                                                       \
    }

/** Gives control back; the task runs again on the loop's next iteration
 *  (asyncio's `await asyncio.sleep(0)`). Cancellation arrives here. Driven by
 *  hand (co_coro_step), it is a generator's bare `yield`.
 *  @param co the coroutine's own frame (the step function's argument) */
#define CO_YIELD(co)                                                           \
    do {                                                                       \
        CO__SUSPEND(co, CO_STATUS_YIELD);                                      \
        CO__PROPAGATE(co);                                                     \
    } while (0)

/** Yields until @p cond is true. The condition is tested first: if already
 *  true, nothing yields (so a coroutine that never waits never lets others
 *  run). While false, the task polls it once per loop iteration.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param cond the condition, tested before each suspension */
#define CO_WAIT_UNTIL(co, cond)                                                \
    do {                                                                       \
        while (!(cond)) {                                                      \
            CO__SUSPEND(co, CO_STATUS_YIELD);                                  \
            CO__PROPAGATE(co);                                                 \
        }                                                                      \
    } while (0)

/* The shared shape of every await: start it; suspend unless it is already
 * finished; on resume, either propagate a failure or hand it to `caught`. */
#define CO__AWAIT(co, start, on_resume)                                        \
    do {                                                                       \
        int co__st = (start);                                                  \
        if (co__st != CO_STATUS_DONE) {                                        \
            CO__SUSPEND(co, co__st);                                           \
        }                                                                      \
        on_resume;                                                             \
    } while (0)

#define CO__CATCH(co, caught) ((caught) = co__catch_thrown(co))

/** Waits for future or task @p f to finish. If it failed or was cancelled,
 *  this coroutine fails the same way (the failure propagates). The result is
 *  then read with co_future_result_*(f, ...). Needs a running task.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param f the future, or the task, to wait for */
#define CO_AWAIT(co, f)                                                        \
    CO__AWAIT(co, co__await_future((co), CO_AS_FUTURE(f)), CO__PROPAGATE(co))

/** Like CO_AWAIT, but a failure does not propagate: its code (0 if none) is
 *  stored in the int lvalue @p caught. This is `try: await f / except`.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param f the future, or the task, to wait for
 *  @param caught an int lvalue that receives the failure code, 0 if none */
#define CO_AWAIT_CATCH(co, f, caught)                                          \
    CO__AWAIT(co, co__await_future((co), CO_AS_FUTURE(f)),                    \
              CO__CATCH(co, caught))

/** Suspends for @p seconds (a double); 0 or less is a bare CO_YIELD (so,
 *  like CO_YIELD, it also works in a coroutine stepped by hand).
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param seconds how long, in seconds (a double) */
#define CO_SLEEP(co, seconds)                                                  \
    CO__AWAIT(co, co__sleep_start((co), (seconds)), CO__PROPAGATE(co))

/** Like CO_SLEEP, but a cancellation is stored in @p caught, not raised.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param seconds how long, in seconds (a double)
 *  @param caught an int lvalue that receives the failure code, 0 if none */
#define CO_SLEEP_CATCH(co, seconds, caught)                                    \
    CO__AWAIT(co, co__sleep_start((co), (seconds)), CO__CATCH(co, caught))

/** Waits until file descriptor @p fd is readable / writable. As asyncio's
 *  add_reader, the loop keeps one reader and one writer per fd, so only one
 *  task at a time may wait to read (to write) a given fd. Fails with
 *  CO_EFDBUSY at once if @p fd already has a reader (writer), another
 *  task's wait or a co_loop_add_reader callback, and later if someone else
 *  removes or replaces the watch while the task waits; CO_EBADF if @p fd is
 *  not open or is closed while waited on; CO_EFDSETSIZE if too large.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param fd the file descriptor */
#define CO_AWAIT_READABLE(co, fd)                                              \
    CO__AWAIT(co, co__await_fd((co), (fd), 0), CO__PROPAGATE(co))
/** Waits until @p fd is writable: as CO_AWAIT_READABLE, for the writer.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param fd the file descriptor */
#define CO_AWAIT_WRITABLE(co, fd)                                              \
    CO__AWAIT(co, co__await_fd((co), (fd), 1), CO__PROPAGATE(co))

/* Awaiting a child coroutine runs it inside this one, as Python's `yield
 * from` does: every time this coroutine is resumed it steps the child, and
 * it suspends whenever the child suspends. No task, no loop hop. */
#define CO__AWAIT_CORO(co, child, on_resume)                                   \
    do {                                                                       \
        co__call_start((co), (child));                                         \
        CO_LC_SET((co)->lc) {                                                  \
            int co__st = co__call_step((co), (child));                         \
            if (co__st != CO_STATUS_DONE)                                      \
                return co__st;                                                 \
        }                                                                      \
        on_resume;                                                             \
    } while (0)

/** Awaits child coroutine @p child (a co_coro * set up with co_coro_init or
 *  CO_NEW) and waits for it to end. Its failure propagates; its return value
 *  is read with co_coro_result_int(child, ...).
 *  Pitfall: @p child is evaluated again at every resume, so it must name a
 *  frame that already exists (&self->child.co), never a call that makes one:
 *  CO_AWAIT_CORO(co, make_child()) would restart the child on every step.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param child the child's frame, a co_coro * that already exists
 *      (&self->child.co) */
#define CO_AWAIT_CORO(co, child) CO__AWAIT_CORO(co, child, CO__PROPAGATE(co))

/** Like CO_AWAIT_CORO, but the child's failure code goes to @p caught.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param child the child's frame, a co_coro * that already exists
 *      (&self->child.co)
 *  @param caught an int lvalue that receives the failure code, 0 if none */
#define CO_AWAIT_CORO_CATCH(co, child, caught)                                 \
    CO__AWAIT_CORO(co, child, CO__CATCH(co, caught))

/** Ends the coroutine returning integer @p v (runs CO_FINALLY first).
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param v the value (an integer) */
#define CO_RETURN(co, v)                                                       \
    do {                                                                       \
        co__return_int((co), (v));                                             \
        goto co__resume;                                                       \
    } while (0)

/** Ends the coroutine returning pointer @p p (not owned by coflow).
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param p the pointer (not owned by coflow) */
#define CO_RETURN_PTR(co, p)                                                   \
    do {                                                                       \
        co__return_ptr((co), (p));                                             \
        goto co__resume;                                                       \
    } while (0)

/** Ends the coroutine with failure @p code (negative) and @p message (copied;
 *  may be NULL). Like `raise`: CO_FINALLY runs, then awaiters see it.
 *  @param co the coroutine's own frame (the step function's argument)
 *  @param code the failure code (negative)
 *  @param message its text, copied; may be NULL */
#define CO_RAISE(co, code, message)                                            \
    do {                                                                       \
        co__raise((co), (code), (message));                                    \
        goto co__resume;                                                       \
    } while (0)

/** Ends the coroutine returning a copy of string @p s (`return "paused 1"`).
 *  The copy belongs to the frame until whoever drove it takes it over (see
 *  co_coro_result_str); NULL returns nothing. If the copy cannot be made
 *  the coroutine fails with CO_ENOMEM instead. */
#define CO_RETURN_STR(co, s)                                                   \
    do {                                                                       \
        co__return_str((co), (s));                                             \
        goto co__resume;                                                       \
    } while (0)

/** CO_RETURN_STR of a string formatted as printf does:
 *  CO_RETURN_FMT(co, "paused %d s", self->x) is `return f"paused {x} s"`. */
#define CO_RETURN_FMT(co, ...)                                                 \
    do {                                                                       \
        co__return_fmt((co), __VA_ARGS__);                                     \
        goto co__resume;                                                       \
    } while (0)

/* ---- shorter coroutines: sugar over the macros above -------------------- */
/*
 * A coroutine needs a frame struct, a step function and a cast; starting
 * one needs an allocation, its arguments and a check. These macros write
 * that once, so that a C line says what a Python line says:
 *
 * @code{.c}
 * CO_ASYNC(fetch, int n; double delay;)     // async def fetch(n, delay):
 * {
 *     CO_BEGIN(co);
 *     CO_SLEEP(co, self->delay);            //     await asyncio.sleep(delay)
 *     CO_RETURN(co, self->n);               //     return n
 *     CO_END(co);
 * }
 * struct caller { co_coro co; co_task *t; };
 * ...
 * co_coro *c = CO_CORO(fetch, .n = 1, .delay = 0.05);  // fetch(1, 0.05)
 * co_create_task(co_get_running_loop(), c, NULL, &self->t);  // create_task
 * CO_AWAIT(co, CO_AS_FUTURE(self->t));      // await t
 * CO_FINALLY(co);
 * co_task_unref(self->t);
 * @endcode
 *
 * Nothing new happens underneath: the frame is still `struct fetch` with
 * `co_coro co` first, the step function still a switch, and everything in
 * this file's rules still holds (locals do not survive a suspension: keep
 * them in the fields).
 */

#if defined(__GNUC__)
#define CO__MAYBE_UNUSED __attribute__((unused))
#else
#define CO__MAYBE_UNUSED
#endif

/** Defines coroutine function @p name (`async def name(...)`): the frame
 *  `struct name` (co_coro co, then the fields given after the name, each
 *  ending in `;`), and a body, written in braces right after, in which `co`
 *  is the coroutine and `self` the frame. A coroutine without fields is
 *  written CO_ASYNC(name, ) (the comma stays). The step function to give
 *  co_coro_init or CO_NEW is CO_STEP(name); CO_CORO(name, ...) makes one.
 *  Its name and the line it is defined at are what co_future_repr shows. */
#define CO_ASYNC(name, ...)                                                    \
    struct name {                                                              \
        co_coro co;                                                            \
        __VA_ARGS__                                                            \
    };                                                                         \
    static int name(struct name *self CO__MAYBE_UNUSED, co_coro *co);          \
    static int name##__step(co_coro *co)                                       \
    {                                                                          \
        if (co->flags & CO__F_QUERY)                                           \
            return co__answer(co, #name, __FILE__, __LINE__);                  \
        co->flags |= CO__F_ASYNC;                                              \
        return name((struct name *)(void *)co, co);                            \
    }                                                                          \
    static int name(struct name *self CO__MAYBE_UNUSED, co_coro *co)

/** The step function of a coroutine defined with CO_ASYNC(name, ...). */
#define CO_STEP(name) name##__step

/** Calls coroutine function @p name (defined with CO_ASYNC) with the fields
 *  given as designated initialisers: CO_CORO(fetch, .n = 1). Like calling
 *  an `async def` function it runs nothing; it makes a frame on the heap
 *  (CO_NEW's kind: a task started on it frees it). Fields not given are 0.
 *  @return the co_coro *, or NULL when out of memory (every function here
 *  that starts a task takes NULL as "could not start": CO_ENOTSTARTED). */
#define CO_CORO(...) CO__CORO(__VA_ARGS__, )
#define CO__CORO(name, ...)                                                    \
    co__coro_new_at(                                                           \
        co_coro_new_init(sizeof(struct name), name##__step,                    \
                         &(struct name){.co = {.flags = CO__F_ASYNC},          \
                                        __VA_ARGS__}),                         \
        #name, __FILE__, __LINE__)

/** `result = await name(args)` for a coroutine defined with CO_ASYNC, with
 *  its frame in @p frame, a `struct name` field of this frame (which must
 *  start zeroed, as every CO_CORO / CO_NEW frame does):
 *  CO_AWAIT_CALL(co, self->child, fetch, .n = 1). The fields are set once,
 *  before the first step; afterwards read the result from &frame.co
 *  (co_coro_result_int...). The frame may be used again for the next call:
 *  what the previous one left in it is freed first. */
#define CO_AWAIT_CALL(co, frame, ...) CO__AWAIT_CALL(co, frame, __VA_ARGS__, )
#define CO__AWAIT_CALL(co, frame, name, ...)                                   \
    do {                                                                       \
        co_coro_free(&(frame).co);                                             \
        (frame) = (struct name){                                               \
            .co = {.fn = name##__step, .flags = CO__F_ASYNC}, __VA_ARGS__};    \
        CO_AWAIT_CORO(co, &(frame).co);                                        \
    } while (0)

/* ---- internals the macros call (not for direct use) --------------------- */
CO_API int co__finish(co_coro *co);
CO_API void co__raise_thrown(co_coro *co);
CO_API int co__catch_thrown(co_coro *co);
CO_API void co__return_int(co_coro *co, long long v);
CO_API void co__return_ptr(co_coro *co, void *p);
CO_API void co__return_str(co_coro *co, const char *s);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
CO_API void co__return_fmt(co_coro *co, const char *fmt, ...);
CO_API int co__answer(co_coro *query, const char *name, const char *file,
                      int line);
CO_API void co__raise(co_coro *co, int code, const char *message);
CO_API void co__call_start(co_coro *co, co_coro *child);
CO_API int co__call_step(co_coro *co, co_coro *child);
CO_API int co__await_future(co_coro *co, struct co_future *f);
CO_API int co__sleep(co_coro *co, double seconds);
/* sleep(0) is the commonest await of all: a plain yield, decided inline
 * without a call into the library (NaN goes to co__sleep, which refuses it). */
static inline int co__sleep_start(co_coro *co, double seconds)
{
    return seconds <= 0 ? CO_STATUS_YIELD : co__sleep(co, seconds);
}
CO_API int co__await_fd(co_coro *co, int fd, int writable);

#endif
