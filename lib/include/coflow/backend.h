/** @file
 * coflow/backend.h - a loop on a backend of the program's own (lesson 16).
 *
 * The loop never calls select() itself: it calls a backend, five functions
 * that watch file descriptors and say which are ready. The library has
 * three (select, poll, epoll: co_loop_new_with_backend() picks one by
 * name); this header lets a program hand the loop a fourth, written
 * against the same contract the library's own backends keep
 * (docs/backends.md). The library's backends are values of this very
 * struct. */
#ifndef COFLOW_BACKEND_PUBLIC_H
#define COFLOW_BACKEND_PUBLIC_H

#include "coflow/error.h"
#include "coflow/loop.h"

/** A co_backend_fired mask bit: the fd is readable (or at end of file, or
 *  failed: a read() will say which). */
#define CO_BACKEND_READ 0x01
/** A co_backend_fired mask bit: the fd is writable (or failed). */
#define CO_BACKEND_WRITE 0x02
/** A co_backend_fired mask value: the fd is not open any more (closed
 *  behind the loop's back); the loop then ends its watches with CO_EBADF. */
#define CO_BACKEND_BAD 0x04

/** One ready descriptor, as a backend's poll() reports it. */
typedef struct co_backend_fired {
    int fd;   /**< the descriptor */
    int mask; /**< CO_BACKEND_READ | CO_BACKEND_WRITE, or CO_BACKEND_BAD */
} co_backend_fired;

/** What the loop needs from an I/O multiplexer: a name and five functions.
 *  Readiness is level-triggered: a descriptor that stays ready is reported
 *  by every poll until it is read or no longer watched. The loop calls the
 *  functions from its own thread only, and keeps one state per loop. */
typedef struct co_backend {
    /** What co_loop_backend_name() returns for a loop on it. */
    const char *name;
    /** Makes the backend's state and stores it in *@p state.
     *  @return 0, or a negative code (CO_ENOMEM, CO_ESYS). */
    int (*create)(void **state);
    /** Frees the state create() made (called once, at co_loop_close). */
    void (*destroy)(void *state);
    /** Starts watching @p fd (>= 0) for @p mask (CO_BACKEND_READ and/or
     *  CO_BACKEND_WRITE) on top of what it already watches for it.
     *  @return 0; CO_EBADF if @p fd is not open (asked before anything
     *  grows, so a huge fd costs nothing); CO_EFDSETSIZE if the fd is too
     *  large for this backend; CO_ENOMEM; CO_ESYS. On failure nothing
     *  changed. */
    int (*add)(void *state, int fd, int mask);
    /** Stops watching @p fd for @p mask. A direction that is not watched,
     *  or an fd closed meanwhile, is no error. */
    void (*del)(void *state, int fd, int mask);
    /** Waits up to @p timeout seconds (< 0: no limit; 0: do not block),
     *  then writes at most @p cap ready descriptors to @p fired, each fd at
     *  most once, with the directions it watches that are ready, or
     *  CO_BACKEND_BAD for an fd that was closed. A descriptor left out
     *  because @p cap was reached is reported by a later poll.
     *  @return how many were written; 0 when the wait was interrupted (or
     *  ended early for a reason of the backend's own); or a negative code. */
    int (*poll)(void *state, double timeout, co_backend_fired *fired, int cap);
} co_backend;

/** Creates a loop on the backend @p ops, which must stay valid (and
 *  unchanged) until the loop is closed: a static const struct, typically.
 *  Everything else about the loop is as with co_loop_new(); the loop
 *  calls @p ops->create at once and @p ops->destroy at co_loop_close().
 *  What @p ops->poll reports is checked before use: a count above the cap
 *  it was given is cut to the cap, an fd nobody watches is ignored.
 *  @param out receives the loop (NULL on failure)
 *  @param ops the backend, with a name and all five functions set
 *  @return 0; CO_EINVAL (NULL @p out or @p ops, a NULL name or function);
 *  a negative code that @p ops->create or @p ops->add (for the loop's own
 *  doorbell) returned; CO_ENOMEM; CO_ESYS. */
CO_API int co_loop_new_with_ops(co_loop **out, const co_backend *ops);

#endif
