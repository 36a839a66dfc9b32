/** @file
 * coflow/threads.h - loops and threads: calling into a loop from another
 * thread, running a coroutine on a loop that lives in another thread, and
 * the "current loop" of each thread. Introduced in lesson 10
 * (loops and threads; docs/threads.md explains it).
 *
 * A loop is single-threaded: its functions run on the thread that runs it.
 * The functions below are the exceptions, marked "any thread": they queue
 * work for the loop and ring its wakeup pipe, so that a loop asleep in
 * select() wakes up and runs that work on its own thread. Many calls in a
 * row cost one wakeup. */
#ifndef COFLOW_THREADS_H
#define COFLOW_THREADS_H

#include "coflow/concurrent.h"
#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/loop.h"

/** loop.call_soon_threadsafe(fn, arg). Any thread. @p fn(@p arg) runs on
 *  the loop's thread, in a later iteration; calls from one thread run in the
 *  order they were made. If the loop closes first the call never runs (and
 *  @p arg stays yours).
 *  After co_loop_close, and racing with it from another thread, this,
 *  co_loop_stop_threadsafe, co_loop_hold, co_loop_release and
 *  co_run_coroutine_threadsafe return CO_ECLOSED and run nothing - as long
 *  as the loop's memory is still there. A live future of the loop keeps it;
 *  co_loop_close frees a loop with none, and a pointer to it is then
 *  dangling, as after free(). So a thread that may call in after the close
 *  needs a future of the loop that is unreferenced only once it is done.
 *  @return 0; CO_EINVAL; CO_ECLOSED; CO_ENOMEM.
 *  @param loop the event loop
 *  @param fn called once on the loop's thread, with @p arg
 *  @param arg passed to @p fn as it is */
CO_API int co_loop_call_soon_threadsafe(co_loop *loop, co_callback fn, void *arg);

/** loop.call_soon_threadsafe(loop.stop): stops a loop running in another
 *  thread after its current iteration. Any thread.
 *  @return 0; CO_EINVAL; CO_ECLOSED; CO_ENOMEM.
 *  @param loop the event loop */
CO_API int co_loop_stop_threadsafe(co_loop *loop);

/** Tells the loop that some other thread will call in later (the hold
 *  is undone by co_loop_release): while held,
 *  co_loop_run_forever() and co_loop_run_until_complete() wait (asleep in
 *  select) instead of reporting CO_EDEADLOCK when they have nothing to do.
 *  A loop run by another thread than the one that made it (the notes' loop
 *  in a thread) waits anyway, as asyncio's does, and needs no hold; the
 *  hold is for a loop that runs on its maker's thread and serves other
 *  threads (docs/conformance.md: a deliberate difference). Any thread; each hold
 *  needs one release, except that a closed loop takes neither (holds left
 *  at close simply end with it). @return 0; CO_EINVAL; CO_ECLOSED; or, for
 *  release, CO_ESTATE (a release without a hold).
 *  @param loop the event loop */
CO_API int co_loop_hold(co_loop *loop);
/** Undoes one co_loop_hold(). Any thread. @return 0; CO_EINVAL;
 *  CO_ECLOSED; CO_ESTATE for a release without a hold.
 *  @param loop the event loop */
CO_API int co_loop_release(co_loop *loop);

/** asyncio.run_coroutine_threadsafe(coro, loop). Any thread except the
 *  loop's own (whose caller would block on a future it must complete
 *  itself). Starts @p coro as a task on @p loop and gives back, in *out, a
 *  concurrent future (a reference) for its integer or pointer result, its
 *  failure or its cancellation; block on it with co_cfuture_result_*().
 *  Cancelling that future cancels the task. The frame follows the task's
 *  rules (a CO_NEW frame is freed with the task, or by coflow if the loop
 *  closes before the task starts; any other must outlive it). If the loop
 *  closes while the task is pending, the future fails with CO_ECLOSED.
 *  @return 0; CO_EINVAL; CO_ECLOSED; CO_ENOMEM.
 *  @param coro the coroutine frame, fresh (co_coro_init or CO_NEW)
 *  @param loop the loop, running in another thread
 *  @param out receives the concurrent future of its outcome */
CO_API int co_run_coroutine_threadsafe(co_coro *coro, co_loop *loop,
                                       co_cfuture **out);

/** asyncio.get_event_loop(): the running loop of this thread; otherwise the
 *  loop set with co_set_event_loop() for this thread; otherwise, in the
 *  program's main thread only, a new loop that becomes the main thread's
 *  current loop (close it with co_loop_close, which also unsets it). In any
 *  other thread with no current loop: CO_ENOLOOP - that is why a thread that
 *  wants a loop makes one with co_new_event_loop() and sets it.
 *  @return 0 and *out (not a new reference); CO_EINVAL; CO_ENOLOOP;
 *  CO_ENOMEM; CO_ESYS.
 *  @param out receives the loop */
CO_API int co_get_event_loop(co_loop **out);

/** asyncio.set_event_loop(loop): makes @p loop (or nothing, for NULL) this
 *  thread's current loop. Sets a pointer only: ownership does not change,
 *  and closing the loop unsets it. @return 0, or CO_ECLOSED.
 *  @param loop the loop, or NULL for none */
CO_API int co_set_event_loop(co_loop *loop);

/** asyncio.new_event_loop(): a fresh loop, every call; it does not become
 *  current (call co_set_event_loop). The same as co_loop_new().
 *  @param out receives the loop, the caller's to close
 *  @return as co_loop_new() */
CO_API int co_new_event_loop(co_loop **out);

#endif
