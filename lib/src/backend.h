/* backend.h - what the loop needs from an I/O multiplexer.
 * The loop never calls select() itself: it calls these few functions, which
 * each backend file defines: backend_select.c (lesson 04's select()),
 * backend_poll.c and backend_epoll.c (lesson 16). A backend knows nothing
 * of the loop: poll() only says which descriptors are ready, in an array
 * the loop hands it, and the loop decides what that means.
 *
 * Every backend keeps the same promises, so that a program behaves the
 * same on each (docs/backends.md): readiness is level-triggered; add()
 * refuses an fd that is not open with CO_EBADF before anything grows, so
 * a huge fd costs nothing; and a watched fd that is closed behind the
 * loop's back is reported as CO__BAD by a later poll(), never left watched
 * in silence. */
#ifndef COFLOW_BACKEND_H
#define COFLOW_BACKEND_H

#include "coflow/error.h"

#define CO__READ 0x01  /* fd readable */
#define CO__WRITE 0x02 /* fd writable */
#define CO__BAD 0x04   /* fd is not open any more */

/* One ready descriptor, as poll() reports it. */
typedef struct co__fired {
    int fd;   /* the descriptor */
    int mask; /* CO__READ | CO__WRITE, or CO__BAD */
} co__fired;

typedef struct co__backend {
    const char *name; /* what co_loop_new_with_backend() calls it */
    /* Makes the backend's state. Returns 0 or a negative code. */
    int (*create)(void **state);
    /* Frees it. */
    void (*destroy)(void *state);
    /* Starts watching @p fd (>= 0) for @p mask (CO__READ / CO__WRITE) on
     * top of what it already watches. Returns 0; CO_EFDSETSIZE if the fd
     * is too large for this backend; CO_EBADF if it is not open (a backend
     * may leave that check to its caller when it grows nothing per fd);
     * CO_ENOMEM; CO_ESYS. On failure nothing changed. */
    int (*add)(void *state, int fd, int mask);
    /* Stops watching @p fd for @p mask. A direction that is not watched,
     * or an fd that was closed meanwhile, is no error. */
    void (*del)(void *state, int fd, int mask);
    /* Waits up to @p timeout seconds (< 0: no limit) and writes at most
     * @p cap ready descriptors to @p fired, each fd at most once. Returns
     * how many, or a negative code; an interrupted wait returns 0 (a
     * backend may also return 0 early for reasons of its own). Readiness is
     * level-triggered: a descriptor left out because @p cap was reached is
     * reported again by the next poll. */
    int (*poll)(void *state, double timeout, co__fired *fired, int cap);
} co__backend;

extern const co__backend co__backend_select;
extern const co__backend co__backend_poll;
#if defined(CO_HAVE_EPOLL)
extern const co__backend co__backend_epoll;
#endif

#endif
