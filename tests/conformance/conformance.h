/* conformance.h - what every C scenario of the asyncio conformance suite
 * shares: a trace to print events into, and the runner's entry point.
 *
 * Each scenario NAME.c has a twin NAME.py written against CPython's asyncio
 * and an expected trace NAME.expected: one event per line, no timestamps,
 * only order and values. The runner (conformance.c) calls scenario(),
 * collects what it traced and, given the expected file, compares the two
 * line by line and prints a diff if they differ. See docs/conformance.md. */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <coflow.h>

#if defined(__GNUC__)
#define CONF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CONF_PRINTF(a, b)
#endif

/** Appends one event (printf-style, without the newline) to the trace.
 *  Safe to call from any thread: scenarios with threads keep their events
 *  in one order by waiting for each other, never by luck. */
void trace(const char *fmt, ...) CONF_PRINTF(1, 2);

/** The scenario itself, defined once in each NAME.c. */
void scenario(void);

/** co_create_task on the running loop, keeping a reference for the caller
 *  (NULL on failure, which is traced so that the diff shows it). */
co_task *spawn(co_coro *coro, const char *name);

/** Like spawn(), without keeping a reference: a task nobody awaits. */
void spawn_detached(co_coro *coro, const char *name);

/** A blocking hand-off between threads, Python's queue.Queue in the notes'
 *  thread demos: a thread (often the loop's) puts a message, another blocks
 *  in get until one is there. Holds a handful of messages, in order. */
void handoff_put(const char *msg);
const char *handoff_get(void);

/** The running loop (asyncio.get_running_loop()). */
#define LOOP() co_get_running_loop()

/** Python's str() of a finished future's outcome for the scenarios' traces:
 *  the error name for a failure, "cancelled", or the integer result. */
const char *outcome(co_future *f);

#endif
