/** @file
 * coflow/loop.h - the event loop: callbacks, timers, file descriptors.
 * Introduced in lesson 04 (the loop from the notes' pseudocode).
 *
 * One iteration of the loop (co_loop_run_* repeat it; lib/src/loop.c):
 *  1. work out how long it may sleep: not at all if a callback is ready,
 *     the loop is stopping or another thread has rung it; otherwise until
 *     the earliest timer (rounded up to a whole millisecond); otherwise for
 *     as long as it takes a watched file descriptor to become ready. On
 *     virtual time (co_loop_set_virtual_time()) a wait that only a timer
 *     can end is not slept: the clock jumps to that timer's deadline;
 *  2. poll the backend (select() by default) - skipped entirely when no file
 *     descriptor is watched and there is no need to sleep - and queue the
 *     callbacks of the descriptors it reports ready;
 *  3. if the doorbell rang, queue the calls other threads posted
 *     (call_soon_threadsafe), oldest first, and the handlers of the signals
 *     that arrived;
 *  4. queue the callbacks of the timers that are due (equal deadlines in
 *     the order they were set);
 *  5. run the callbacks that were ready when this step began, in FIFO order.
 *     Anything they queue runs in the next iteration, after another poll.
 * co_loop_stop() ends the run after the iteration it is called in; a run
 * with nothing left that could ever happen (no callback, timer, fd, thread
 * or signal that might call in) ends with CO_EDEADLOCK instead of blocking.
 *
 * The loop is single-threaded: call its functions from the thread that runs
 * it. A loop is created with co_loop_new() and ended with co_loop_close(). */
#ifndef COFLOW_LOOP_H
#define COFLOW_LOOP_H

#include <stdbool.h>

#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/future.h"

/** An event loop (asyncio's loop). Opaque. */
typedef struct co_loop co_loop;

/** A plain callback, as given to call_soon / call_later. */
typedef void (*co_callback)(void *arg);

/** A file-descriptor callback: @p status is 0 when @p fd is ready, or
 *  CO_EBADF when it was closed while watched (the watch is then removed). */
typedef void (*co_io_callback)(int fd, int status, void *arg);

/** Reports something that went wrong where nobody could be told: a failure
 *  never retrieved, a task destroyed while pending. */
typedef void (*co_exception_handler)(co_loop *loop, const char *message,
                                     void *arg);

/** A timer handle (asyncio's TimerHandle). Embed it in your own struct and
 *  zero it (or co_timer_init) before first use; the loop only links it into
 *  its heap. Fields are private. */
typedef struct co_timer {
    double when;             /**< deadline, on the co_loop_time() clock */
    unsigned long long seq;  /**< order of arming: ties on `when` run FIFO */
    co_callback fn;          /**< what to call */
    void *arg;               /**< its argument */
    co_loop *loop;           /**< the loop it is armed on, or NULL */
    unsigned int heap_pos;   /**< 1 + index in the loop's heap; 0 = not armed */
    unsigned int flags;      /**< internal */
} co_timer;

/** Creates a loop with the default backend: the one the environment
 *  variable COFLOW_BACKEND names ("select", "poll" or "epoll"), or select
 *  when it is unset or empty. co_run() and co_new_event_loop() make their
 *  loops this way, so a whole program moves to another backend without a
 *  change to its code (as uvloop.install() does for asyncio).
 *  @return 0 and *out; CO_EINVAL (NULL @p out, or COFLOW_BACKEND names a
 *  backend this build does not have: then a line on stderr says so and no
 *  loop is made, rather than one on another backend than asked for);
 *  CO_EFDSETSIZE (select, in a process with FD_SETSIZE files open: the
 *  loop's own doorbell would get an fd select cannot watch); CO_ENOMEM;
 *  CO_ESYS.
 *  @param out receives the loop, the caller's to close */
CO_API int co_loop_new(co_loop **out);

/** Creates a loop with the backend called @p backend: "select" (any fd
 *  below FD_SETSIZE, a poll costs O(highest fd)), "poll" (any fd, O(fds
 *  watched)) or "epoll" (Linux only: any fd, O(fds ready)); NULL for the
 *  default of co_loop_new(). A name given here wins over COFLOW_BACKEND.
 *  Every backend keeps the same rules (docs/backends.md).
 *  @return as co_loop_new(), or CO_EINVAL for a name this build does not
 *  have (co_loop_backend_names() lists those it has).
 *  @param out receives the loop, the caller's to close
 *  @param backend "select", "poll", "epoll", or NULL for the default */
CO_API int co_loop_new_with_backend(co_loop **out, const char *backend);

/** The name of the backend @p loop runs on ("select", "poll", "epoll"), or
 *  NULL for a NULL loop. Valid as long as the program runs.
 *  @param loop the event loop
 *  @return the backend's name, or NULL */
CO_API const char *co_loop_backend_name(const co_loop *loop);

/** The names of the backends this build has, the default first, ending
 *  with NULL: {"select", "poll", "epoll", NULL} on Linux, without "epoll"
 *  where sys/epoll.h is missing. A static array: not to be freed.
 *  @return the NULL-terminated list */
CO_API const char *const *co_loop_backend_names(void);

/** Closes the loop and frees it. Tasks still pending are reported ("task
 *  was destroyed but it is pending"), their coroutines abandoned and their
 *  loop references dropped; callbacks never run. Futures still referenced
 *  elsewhere stay valid to query and free, but cannot be completed.
 *  @return 0; CO_ERUNNING if the loop is running (nothing is done).
 *  NULL is a no-op returning 0.
 *  @param loop the loop, or NULL */
CO_API int co_loop_close(co_loop *loop);

/** loop.call_soon(fn, arg): runs fn(arg) in a later iteration, FIFO.
 *  @return 0, or CO_EINVAL, CO_ECLOSED, CO_ENOMEM.
 *  @param loop the event loop
 *  @param fn called once, with @p arg
 *  @param arg passed to @p fn as it is (coflow does not own it) */
CO_API int co_loop_call_soon(co_loop *loop, co_callback fn, void *arg);

/** loop.call_later(delay, fn, arg): runs fn(arg) @p delay seconds from now. If
 *  @p timer is not NULL it is (re)armed and can be cancelled with
 *  co_timer_cancel() until it fires; if NULL, the loop keeps its own.
 *  A negative delay means "as soon as possible". A timer never fires
 *  before its deadline, and up to a millisecond after it: the loop sleeps
 *  in whole milliseconds, as asyncio's epoll selector does, so that timers
 *  due close together share one wake-up.
 *  @return 0, or CO_EINVAL (NULL, NaN), CO_ECLOSED, CO_ENOMEM.
 *  @param loop the event loop
 *  @param delay seconds from now
 *  @param fn called once, with @p arg
 *  @param arg passed to @p fn as it is (coflow does not own it)
 *  @param timer a timer of the caller's to arm, or NULL */
CO_API int co_loop_call_later(co_loop *loop, double delay, co_callback fn, void *arg,
                       co_timer *timer);
/** loop.call_at(when, fn, arg): as co_loop_call_later(), at the time
 *  @p when of the co_loop_time() clock. @return as co_loop_call_later().
 *  @param loop the event loop
 *  @param when the deadline, on the co_loop_time() clock
 *  @param fn called once, with @p arg
 *  @param arg passed to @p fn as it is (coflow does not own it)
 *  @param timer a timer of the caller's to arm, or NULL */
CO_API int co_loop_call_at(co_loop *loop, double when, co_callback fn, void *arg,
                    co_timer *timer);

/** Zeroes a timer.
 *  @param timer the timer to zero */
CO_API void co_timer_init(co_timer *timer);

/** Cancels an armed timer. @return true if it was armed, false otherwise
 *  (already fired, cancelled, never armed, or NULL).
 *  @param timer the timer, or NULL */
CO_API bool co_timer_cancel(co_timer *timer);

/** loop.time(): monotonic clock, in seconds; the loop's virtual time
 *  if it has one (co_loop_set_virtual_time()).
 *  @param loop the event loop (NULL: the monotonic clock)
 *  @return the loop's clock, in seconds */
CO_API double co_loop_time(const co_loop *loop);

/** Gives the loop a virtual clock: time that stands still while callbacks
 *  run and jumps, when only a timer can end the loop's wait, straight to
 *  that timer's deadline. A program of sleeps and timers then runs at
 *  once and always in the same order, with co_loop_time() reading exact
 *  deadlines (t=0.05, not t=0.0513): what a test or a trace wants, as
 *  asyncio's own tests get from their test loop. While something outside
 *  the loop can still end the wait (an fd being watched, a job in an
 *  executor, a co_loop_hold(), a loop run on another thread) the loop
 *  waits for real, and virtual time moves on by the time waited (never
 *  past the earliest deadline). Setting the environment variable
 *  `COFLOW_CLOCK=virtual` gives every new loop one (co_run's included);
 *  `COFLOW_CLOCK=monotonic` or unset, the real clock. Virtual time starts
 *  at the real clock's reading; read it on the loop's thread. Debug
 *  mode's slow-callback reports measure on this clock too, so under
 *  virtual time they never fire.
 *  @param loop the event loop
 *  @param on true for virtual time, false for the monotonic clock
 *  @return 0 (also when the clock is already the one asked for);
 *  CO_EINVAL (NULL loop), CO_ECLOSED, CO_ECLOCKBUSY (timers are armed:
 *  switch before arming any) */
CO_API int co_loop_set_virtual_time(co_loop *loop, bool on);

/** Whether the loop runs on virtual time (co_loop_set_virtual_time()).
 *  @param loop the event loop, or NULL
 *  @return true if it does; false for the monotonic clock or NULL */
CO_API bool co_loop_get_virtual_time(const co_loop *loop);

/** loop.add_reader(fd, fn, arg): calls fn while @p fd is readable
 *  (level-triggered), until removed. One reader and one
 *  writer per fd; adding again replaces the callback. If the reader you
 *  replace is a task's CO_AWAIT_READABLE, that task's await fails with
 *  CO_EFDBUSY (and so for writers): it is not left waiting for ever. On
 *  every backend: an fd that is not open is refused at once with CO_EBADF,
 *  whatever its size (nothing grows for it); one closed while watched is
 *  reported to its callbacks once, with status CO_EBADF, and no longer
 *  watched (select and poll notice at their next poll, epoll within about
 *  0.1 s: docs/backends.md).
 *  @return 0; CO_EINVAL (NULL, fd < 0); CO_EFDSETSIZE (select only: fd at
 *  or above FD_SETSIZE); CO_EBADF (fd not open); CO_ECLOSED; CO_ENOMEM;
 *  CO_ESYS.
 *  @param loop the event loop
 *  @param fd the file descriptor (0 or more)
 *  @param fn called with @p fd each time it is readable (or closed)
 *  @param arg passed to @p fn as it is (coflow does not own it) */
CO_API int co_loop_add_reader(co_loop *loop, int fd, co_io_callback fn, void *arg);
/** loop.add_writer(fd, fn, arg): as co_loop_add_reader(), while @p fd is
 *  writable. @return as co_loop_add_reader().
 *  @param loop the event loop
 *  @param fd the file descriptor (0 or more)
 *  @param fn called with @p fd each time it is writable (or closed)
 *  @param arg passed to @p fn as it is (coflow does not own it) */
CO_API int co_loop_add_writer(co_loop *loop, int fd, co_io_callback fn, void *arg);

/** loop.remove_reader(fd): stops watching @p fd for reading. Removing the watch of a task's CO_AWAIT_READABLE
 *  (CO_AWAIT_WRITABLE) fails that await with CO_EFDBUSY.
 *  @return 1 if a callback was removed, 0 if there was none, CO_EINVAL for
 *  bad arguments.
 *  @param loop the event loop
 *  @param fd the file descriptor (0 or more) */
CO_API int co_loop_remove_reader(co_loop *loop, int fd);
/** loop.remove_writer(fd): as co_loop_remove_reader(), for the writer.
 *  @param loop the event loop
 *  @param fd the file descriptor (0 or more)
 *  @return as co_loop_remove_reader() */
CO_API int co_loop_remove_writer(co_loop *loop, int fd);

/** Runs the loop until @p f is done. @return 0 if it finished with a result;
 *  its failure code (CO_ECANCELLED if cancelled); CO_ERUNNING if the loop is
 *  already running; CO_ESTOPPED if co_loop_stop() ended the run first;
 *  CO_EDEADLOCK if nothing is left that could ever complete @p f; CO_EINVAL,
 *  CO_ECLOSED, CO_EWRONGLOOP.
 *  @param loop the event loop
 *  @param f the future (or CO_AS_FUTURE(task)) to wait for */
CO_API int co_loop_run_until_complete(co_loop *loop, co_future *f);

/** Runs until co_loop_stop(). Run by another thread than the one that
 *  made the loop, it waits when it has nothing to do (that thread may
 *  still call in), as asyncio's does; on its maker's thread it reports
 *  CO_EDEADLOCK instead, unless held (co_loop_hold). @return 0,
 *  CO_ERUNNING, CO_ECLOSED, or CO_EDEADLOCK when nothing at all is left to
 *  wait for.
 *  @param loop the event loop */
CO_API int co_loop_run_forever(co_loop *loop);

/** Makes the running loop return after the current iteration. Called while
 *  not running, the next run stops after one iteration (as asyncio does).
 *  @param loop the event loop */
CO_API void co_loop_stop(co_loop *loop);

/** loop.is_running(). False for NULL.
 *  @param loop the event loop
 *  @return true while one of its run functions runs */
CO_API bool co_loop_is_running(const co_loop *loop);
/** loop.is_closed(). True once co_loop_close() has run.
 *  @param loop the event loop
 *  @return true once it is closed */
CO_API bool co_loop_is_closed(const co_loop *loop);

/** How many futures and tasks made on @p loop are still alive: somebody
 *  still holds a reference, or a queued callback does. Once every task has
 *  ended and the loop has run the callbacks it queued, a program that let
 *  go of everything sees 0 here: a tool for tests that look for a missing
 *  co_future_unref() or co_task_unref(). Ask before co_loop_close(): a
 *  closed loop with nothing alive is freed. 0 for NULL.
 *  @param loop the event loop
 *  @return how many of its futures and tasks are alive */
CO_API size_t co_loop_live_futures(const co_loop *loop);

/** The loop running in this thread, or NULL (asyncio.get_running_loop).
 *  @return the running loop, or NULL */
CO_API co_loop *co_get_running_loop(void);

/** Replaces the exception handler (NULL: the default, which prints to
 *  stderr).
 *  @param loop the event loop
 *  @param fn the handler, or NULL for the default
 *  @param arg passed to @p fn as it is */
CO_API void co_loop_set_exception_handler(co_loop *loop, co_exception_handler fn,
                                   void *arg);

/** Reports @p message through the loop's exception handler.
 *  @param loop the event loop
 *  @param message what to report, a sentence */
CO_API void co_loop_report(co_loop *loop, const char *message);

/** asyncio.run(main), as in Python 3.11: makes a new loop, runs @p main as
 *  a task until it ends, cancels the tasks still pending and lets them
 *  finish (their cleanup runs), closes the async generators still
 *  suspended (co_loop_shutdown_asyncgens), lets the default executor run
 *  its queued jobs (co_loop_shutdown_default_executor), then closes the
 *  loop. While main runs, Ctrl-C (SIGINT) cancels it and co_run returns
 *  CO_EINTERRUPTED once the shutdown is done; a second Ctrl-C does at once
 *  what SIGINT did before (by default, the process ends). The handler is
 *  installed only on the main thread and only if SIGINT does its default
 *  action (a program's own handler is left alone), and is removed when
 *  main ends. The frame stays the caller's, also one from CO_NEW (free
 *  that with co_coro_free); its return value can be read afterwards with
 *  co_coro_result_int().
 *  @return 0 if main returned; its failure code otherwise; CO_EINTERRUPTED
 *  (a Ctrl-C cancelled main); CO_EINVAL, CO_ENOMEM, CO_ERUNNING (called
 *  from inside a running loop).
 *  @param main the main coroutine's frame, fresh (co_coro_init or CO_NEW) */
CO_API int co_run(co_coro *main);

/** co_run(@p main), then co_coro_free(@p main): `asyncio.run(main())` in one
 *  line for a frame from CO_CORO / CO_NEW, freed whatever happens (also
 *  when @p main is NULL because CO_CORO ran out of memory: CO_ENOTSTARTED).
 *  @return as co_run.
 *  @param main the main coroutine's frame (CO_CORO / CO_NEW), freed */
CO_API int co_run_and_free(co_coro *main);

#endif
