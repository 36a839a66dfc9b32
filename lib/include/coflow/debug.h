/** @file
 * coflow/debug.h - debug mode and the await graph: what asyncio's debug
 * mode (PYTHONASYNCIODEBUG) and its call-graph introspection
 * (print_call_graph, `python -m asyncio pstree`) do, for coflow.
 * docs/debugging.md shows every report and picture.
 *
 * Debug mode is off by default. It is switched on for every loop by the
 * environment variable COFLOW_DEBUG=1, or for one loop with
 * co_loop_set_debug(). While it is on, the loop reports through its
 * exception handler (co_loop_set_exception_handler), each report naming the
 * task, its coroutine and where it is suspended or was made:
 *  - a callback or a task step that ran longer than the slow-callback
 *    duration (0.1 s unless set): it kept every other task waiting;
 *  - a frame made with CO_NEW that was never given to a task, awaited or
 *    stepped by the time its loop closes ("coroutine 'fetch' was never
 *    awaited");
 *  - a loop-thread-only function (call_soon, create_task, call_later,
 *    add_reader...) called from another thread while the loop runs: the
 *    call is refused with CO_EWRONGTHREAD instead of corrupting the loop;
 *  - an executor, a stream or a server still open when the loop closes
 *    ("stream to 127.0.0.1:8080 left open", "server on port 8080 left
 *    open"). */
#ifndef COFLOW_DEBUG_H
#define COFLOW_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "coflow/coro.h"
#include "coflow/loop.h"
#include "coflow/task.h"

/** Switches debug mode on or off for @p loop (loop.set_debug). Off by
 *  default, on for every new loop when COFLOW_DEBUG=1 is set. Frames made
 *  with CO_NEW before the first switch-on are not known by name.
 *  @return 0; CO_EINVAL (NULL); CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop
 *  @param on true to switch it on */
CO_API int co_loop_set_debug(co_loop *loop, bool on);

/** True if debug mode is on for @p loop (loop.get_debug); false for NULL.
 *  @param loop the loop
 *  @return whether debug mode is on */
CO_API bool co_loop_get_debug(const co_loop *loop);

/** Sets how long a callback or a task step may run before debug mode
 *  reports it as slow (loop.slow_callback_duration; 0.1 s by default). A
 *  step that takes at least @p seconds is reported: 0 reports every one.
 *  @return 0; CO_EINVAL (NULL, negative or NaN); CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop
 *  @param seconds the threshold */
CO_API int co_loop_set_slow_callback_duration(co_loop *loop, double seconds);

/** The slow-callback duration of @p loop in seconds (0.1 unless set); -1
 *  for NULL.
 *  @param loop the loop
 *  @return the threshold in seconds, or -1 */
CO_API double co_loop_get_slow_callback_duration(const co_loop *loop);

/** Replaces the clock that debug mode and the timeline read (NULL: the
 *  loop's own, co_loop_time). A clock that a test advances by hand makes
 *  the timeline's numbers exact, so its pictures can be compared.
 *  @return 0; CO_EINVAL (NULL loop); CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop
 *  @param now the clock, called with @p arg; NULL for the loop's own
 *  @param arg its argument */
CO_API int co_loop_set_debug_clock(co_loop *loop, double (*now)(void *arg),
                                   void *arg);

/** The name of @p co's coroutine: the step function's name as CO_NEW was
 *  given it (CO_NEW(struct fetch, fetch) makes "fetch"), once debug mode
 *  is on anywhere in the process; NULL if not known.
 *  @param co the coroutine frame
 *  @return the name, or NULL */
CO_API const char *co_coro_name(const co_coro *co);

/** One link of a task's await chain: a coroutine and where it is. */
typedef struct co_stack_entry {
    const char *coro; /**< its name ("coroutine" if not known) */
    const char *file; /**< its source file, NULL before it first ran */
    int line;         /**< where it is suspended, 0 if it is not */
} co_stack_entry;

/** The await chain of @p t, outermost coroutine first, down to the
 *  innermost suspension point (the coroutines awaited with CO_AWAIT_CORO
 *  run inside it). Stores up to @p max entries in @p out and the chain's
 *  full length in *depth. The strings stay valid while the task lives.
 *  @return 0; CO_EINVAL (NULL @p t or @p depth, or NULL @p out with
 *  @p max > 0).
 *  @param t the task
 *  @param out room for @p max entries
 *  @param max its size
 *  @param depth receives the chain's full length */
CO_API int co_task_capture_stack(const co_task *t, co_stack_entry *out,
                                 size_t max, size_t *depth);

/** Prints the await graph of @p t to @p out: its state, what it waits on,
 *  its await chain with file:line, and "awaited by" (the tasks waiting for
 *  it, directly or through gather/wait). As asyncio's print_call_graph.
 *  @return 0; CO_EINVAL (NULL); CO_EWRITE (@p out failed).
 *  @param t the task
 *  @param out where to print */
CO_API int co_task_print_stack(const co_task *t, FILE *out);

/** Prints every pending task of @p loop to @p out as a tree: tasks nobody
 *  awaits at the top, under each the tasks that wait for it, each with its
 *  coroutine, where it is suspended and what it waits on. As `python -m
 *  asyncio pstree`. @return 0; CO_EINVAL (NULL); CO_ENOMEM; CO_EWRITE.
 *  @param loop the loop
 *  @param out where to print */
CO_API int co_loop_dump(co_loop *loop, FILE *out);

#endif
