/* grader.h - what every lesson's grader (lessons/NN-slug/test.c) is built
 * on: guarded test cases, step and loop budgets, readable messages.
 * The layout and the rules are in docs/lesson-format.md.
 *
 * A grader is a Check suite. Its test.c defines lesson_suite() and nothing
 * else global; grader/main.c supplies main(), which calls grade_main().
 * The verdict is not the grader's but the judge's (judge.c, and
 * docs/grading.md): grader.c tells it, for each test added with
 * tcase_add_test() and listed in lesson.meta, that the test's body
 * returned with nothing failed (loop, signal and exit-value tests can never
 * report that, so a grader does not use them). Three things make the
 * messages good and the run bounded, and all three need the helpers below
 * rather than Check's bare API:
 *  - tests live in cases made by grade_tcase(), whose fixture arms the exit
 *    guards: a student's exit(0), _exit(0), _Exit, quick_exit or abort in
 *    the middle of a test fails it with a sentence (the link wraps those
 *    functions; see grader.c);
 *  - student coroutines are driven by grade_run_coro() or, on a loop, by
 *    grade_run_until_complete(): each has a budget and fails the test in
 *    plain words when it runs out, long before Check's timeout;
 *  - every test runs in a forked child (Check's default), so a crash or an
 *    endless loop is one failed test, not a dead grader. */
#ifndef COFLOW_GRADER_H
#define COFLOW_GRADER_H

#include <check.h>
#include <stddef.h>

#include <coflow.h>

/** Defined by each lesson's test.c: the suite of its tests. */
Suite *lesson_suite(void);

/** Runs @p s (Check's fork mode unless CK_FORK=no) and returns main()'s exit
 *  status: 0 if every test passed, 1 otherwise. Prints Check's usual report
 *  (CK_VERBOSITY, CK_TAP_LOG_FILE_NAME, CK_XML_LOG_FILE_NAME apply). */
int grade_main(Suite *s);

/** What grade_main() runs on: a runner for @p s with the guards in place
 *  (the grader's self-test uses it to read each result). Free it with
 *  srunner_free(). Set the fork mode, if at all, before creating it
 *  (CK_FORK) or through srunner_set_fork_status() before running. */
SRunner *grade_runner(Suite *s);

/** tcase_create() with the exit guards armed around each test. Add it to
 *  the suite with suite_add_tcase() as usual. */
TCase *grade_tcase(const char *name);

/** The longest failure message a test can have, in bytes: a longer one
 *  (a long dump of stuck tasks, say) is cut, and its end says so and how
 *  much was cut. The judge's records carry this much whole. */
#define GRADE_MESSAGE_MAX 8192

/** How many steps grade_run_coro() allows unless told otherwise: far more
 *  than any lesson's coroutine needs, far fewer than a second's worth. */
#define GRADE_STEP_BUDGET 10000

/** Steps coroutine @p co with co_coro_step() until it ends, at most
 *  @p max_steps times (0: GRADE_STEP_BUDGET). @p what names it in messages,
 *  in the student's terms ("fib(10)"). If it is still running after the
 *  budget, or a step reports an error, the test fails with a sentence.
 *  @return how many steps it took (the last one is the step that ended it;
 *  a coroutine that suspends k times takes k + 1 steps). */
#define grade_run_coro(co, max_steps, what)                                    \
    grade__run_coro(__FILE__, __LINE__, (co), (max_steps), (what))

/** Steps @p co exactly once, as a generator's next(): fails the test if the
 *  step reports an error. @return the CO_STATUS_* value of the step. */
#define grade_step(co, what) grade__step(__FILE__, __LINE__, (co), (what))

/** The real time grade_run_until_complete() allows unless told otherwise:
 *  the lessons' loops finish in milliseconds, and this must stay below the
 *  per-test timeout (the tutor's is 2 s, meson's 6 s) so that a runaway
 *  loop fails with the budget's sentence rather than Check's "timeout". */
#define GRADE_LOOP_BUDGET 1.0

/** co_loop_run_until_complete(loop, f) with a budget of @p seconds of real
 *  time (0: GRADE_LOOP_BUDGET), kept by a watchdog thread of the grader's
 *  that wakes the loop whatever threads and signal masks the student's code
 *  set up (no signal is involved). The test fails with a sentence if the future is still pending
 *  when the budget runs out ("never finished") or when the loop has nothing
 *  left that could ever finish it ("waits for something that nobody will
 *  ever complete"). @return what co_loop_run_until_complete() returned
 *  otherwise: 0, or the future's failure code. */
#define grade_run_until_complete(loop, f, seconds, what)                       \
    grade__run_until_complete(__FILE__, __LINE__, (loop), (f), (seconds),      \
                              (what))

/* ---- traces: "what happened when", compared as text ------------------- */

/** A record of events, one per line, filled by a lesson's code and compared
 *  by its grader. Fixed size: a runaway loop fills it and stops, it never
 *  overflows. */
typedef struct grade_trace {
    char text[4096]; /* the events, each ending in '\n' */
    size_t len;      /* bytes used in text (excluding the final '\0') */
    int lines;       /* how many events were recorded */
    int truncated;   /* set once an event did not fit */
} grade_trace;

/** Empties @p t. */
void grade_trace_clear(grade_trace *t);

/** Appends one event (printf-style, no newline needed). */
void grade_trace_add(grade_trace *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Fails the test unless @p t holds exactly @p expected (events separated
 *  by '\n', a final '\n' optional). The message shows both, line by line,
 *  with the first difference marked, under the heading @p what. */
#define grade_expect_trace(t, expected, what)                                  \
    grade__expect_trace(__FILE__, __LINE__, (t), (expected), (what))

/** Fails the test with a sentence if @p actual != @p expected:
 *  "<what>: expected <expected>, your code gave <actual>". */
#define grade_expect_int(actual, expected, what)                               \
    grade__expect_int(__FILE__, __LINE__, (long long)(actual),                 \
                      (long long)(expected), (what))

/** Fails the test with a sentence if @p actual is not the error code (or 0)
 *  @p expected, naming both codes and what the actual one means:
 *  "<what>: expected CO_EINVAL, your code gave CO_ESTATE (...)". A value
 *  that is no code (a positive count) is shown as a number. */
#define grade_expect_code(actual, expected, what)                              \
    grade__expect_code(__FILE__, __LINE__, (actual), (expected), (what))

/** Fails the test with a sentence if futures or tasks of @p loop are still
 *  alive once the loop has run the callbacks it still had queued: a
 *  reference the student's code took (co_create_task with a task_out,
 *  co_future_new, co_future_ref) and never dropped. Call it after the test
 *  has dropped its own references and before co_loop_close(). */
#define grade_expect_all_released(loop, what)                                  \
    grade__expect_all_released(__FILE__, __LINE__, (loop), (what))

/* The functions behind the macros, which pass the test's file and line so
 * that a failure points at the test, not at grader.c. */
void grade__expect_int(const char *file, int line, long long actual,
                       long long expected, const char *what);
void grade__expect_code(const char *file, int line, int actual, int expected,
                        const char *what);
void grade__expect_all_released(const char *file, int line, co_loop *loop,
                                const char *what);
int grade__run_coro(const char *file, int line, co_coro *co, int max_steps,
                    const char *what);
int grade__step(const char *file, int line, co_coro *co, const char *what);
int grade__run_until_complete(const char *file, int line, co_loop *loop,
                              co_future *f, double seconds, const char *what);
void grade__expect_trace(const char *file, int line, const grade_trace *t,
                         const char *expected, const char *what);

#endif
