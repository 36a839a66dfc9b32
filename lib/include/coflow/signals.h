/** @file
 * coflow/signals.h - Unix signals delivered as ordinary loop callbacks
 * (loop.add_signal_handler). For lesson 11, where Ctrl-C cancels every
 * task and their cleanup runs (docs/threads.md explains it).
 *
 * A real signal handler may do almost nothing safely (no malloc, no printf,
 * no locks). coflow's own handler only notes the signal and rings the
 * loop's wakeup pipe; your callback then runs on the loop's thread, like any
 * call_soon callback, where everything is allowed. Each signal belongs to at
 * most one loop at a time; a loop that holds handlers keeps running (it
 * does not report CO_EDEADLOCK) because a signal may still arrive. */
#ifndef COFLOW_SIGNALS_H
#define COFLOW_SIGNALS_H

#include "coflow/error.h"
#include "coflow/loop.h"

/** loop.add_signal_handler(signo, fn, arg): from now on, each arrival of
 *  @p signo queues fn(arg) on @p loop (arrivals close together may merge
 *  into one call, as Unix signals do). Replaces this loop's previous handler
 *  for @p signo. Loop thread only.
 *  @return 0; CO_EINVAL (NULL, a number that is not a signal, SIGKILL or
 *  SIGSTOP which cannot be caught, or a signal another open loop handles);
 *  CO_ECLOSED; CO_ESYS.
 *  @param loop the event loop
 *  @param signo the signal number (SIGINT, SIGTERM...)
 *  @param fn called on the loop's thread after each arrival
 *  @param arg passed to @p fn as it is */
CO_API int co_loop_add_signal_handler(co_loop *loop, int signo, co_callback fn,
                                      void *arg);

/** loop.remove_signal_handler(signo): restores what the signal did before.
 *  @return 1 if a handler was removed, 0 if there was none; CO_EINVAL.
 *  co_loop_close() removes every handler of the loop.
 *  @param loop the event loop
 *  @param signo the signal number (SIGINT, SIGTERM...) */
CO_API int co_loop_remove_signal_handler(co_loop *loop, int signo);

/** The Ctrl-C pattern: when @p signo arrives, every pending task of @p loop
 *  is cancelled (their CO_FINALLY sections run; the main task of co_run sees
 *  CO_ECANCELLED and co_run returns it). Installed as @p loop's handler for
 *  @p signo; remove it with co_loop_remove_signal_handler().
 *  @return as co_loop_add_signal_handler().
 *  @param loop the event loop
 *  @param signo the signal number (SIGINT, SIGTERM...) */
CO_API int co_loop_cancel_all_on_signal(co_loop *loop, int signo);

#endif
