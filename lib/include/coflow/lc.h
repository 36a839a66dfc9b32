/** @file
 * coflow/lc.h - local continuations: the whole trick behind stackless
 * coroutines, in three macros. Introduced in lesson 02 (a generator by
 * hand); lesson 03 builds coroutines on it.
 *
 * A function that wants to stop half-way and later carry on from the same
 * spot saves "where it was" as a number (its source line) and, when called
 * again, jumps there with a switch. C lets a `case` label sit anywhere inside
 * the switch's body, even inside a loop or an if, so
 *
 *     CO_LC_RESUME(lc)                switch (lc) { case 0:
 *       ...                             ...
 *       CO_LC_YIELD(lc, 1);             lc = 42; return 1; case 42:;
 *       ...                             ...
 *     CO_LC_END(lc)                   }
 *
 * returns 1 at line 42 and, the next time it is called, jumps straight to
 * `case 42:` and carries on after the return. Nothing else is saved: the
 * function's local variables are gone after each return. That is why a
 * coroutine keeps its state in a frame struct (see coflow/coro.h).
 *
 * CO_LC_SET(lc) is the same resume point without the return: the function
 * goes on, and the next call comes back to this spot. coro.h uses it to
 * step an awaited child coroutine again on every resume.
 *
 * These four macros are the whole mechanism. coflow/coro.h builds every
 * coroutine macro (CO_BEGIN, CO_YIELD, CO_AWAIT..., CO_END) on them.
 *
 * Pitfalls (each compiles, or fails to compile, in a surprising way):
 *  - Two CO_LC_YIELD on one source line make two `case` labels with the same
 *    value: the compiler says "duplicate case value".
 *  - CO_LC_YIELD inside a `switch` of your own attaches its `case` label to
 *    YOUR switch, not to CO_LC_RESUME's: it may compile, and it resumes in
 *    the wrong place. Use if/else around suspension points, never switch.
 *  - CO_LC_YIELD outside CO_LC_RESUME ... CO_LC_END: "case label not within
 *    a switch statement".
 */
#ifndef COFLOW_LC_H
#define COFLOW_LC_H

/* A `case` label reached by falling through from the statement before it is
 * deliberate here; say so, or -Wimplicit-fallthrough (in -Wextra) warns. */
#if defined(__GNUC__) && (__GNUC__ >= 7 || defined(__clang__))
#define CO__FALLTHROUGH __attribute__((fallthrough))
#else
#define CO__FALLTHROUGH ((void)0)
#endif

/** A local continuation: 0 = start of the body, otherwise a line number. */
typedef int co_lc;

/** Opens the body: `switch (lc) { case 0:` - jumps to the saved spot.
 *  @param lc the co_lc variable that keeps the resume point (an lvalue) */
#define CO_LC_RESUME(lc) switch (lc) { case 0:
/** Saves this line in @p lc and returns @p retval; the next call resumes
 *  right after it. One per source line.
 *  @param lc the co_lc variable that keeps the resume point (an lvalue)
 *  @param retval what the function returns as it suspends */
#define CO_LC_YIELD(lc, retval)                                                \
    do {                                                                       \
        (lc) = __LINE__;                                                       \
        return (retval);                                                       \
        case __LINE__:;                                                        \
    } while (0)
/** Saves this line in @p lc without returning: the next call comes back
 *  here and runs on from this spot.
 *  @param lc the co_lc variable that keeps the resume point (an lvalue) */
#define CO_LC_SET(lc)                                                          \
    (lc) = __LINE__;                                                           \
    CO__FALLTHROUGH;                                                           \
    case __LINE__:
/** Closes the switch CO_LC_RESUME opened.
 *  @param lc the co_lc variable that keeps the resume point (an lvalue) */
#define CO_LC_END(lc) }

#endif
