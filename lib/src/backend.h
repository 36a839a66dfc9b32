/* backend.h - what the loop needs from an I/O multiplexer.
 * The loop never calls select() itself: it calls these few functions, which
 * backend_select.c defines for select() (lesson 16 adds others). A backend
 * knows nothing of the loop: poll() only says which descriptors are ready,
 * in an array the loop hands it, and the loop decides what that means. */
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
    const char *name;
    /* Makes the backend's state. Returns 0 or a negative code. */
    int (*create)(void **state);
    /* Frees it. */
    void (*destroy)(void *state);
    /* Starts watching @p fd for @p mask (CO__READ / CO__WRITE) on top of what
     * it already watches. Returns 0, or CO_EFDSETSIZE if it cannot. */
    int (*add)(void *state, int fd, int mask);
    /* Stops watching @p fd for @p mask. */
    void (*del)(void *state, int fd, int mask);
    /* Waits up to @p timeout seconds (< 0: no limit) and writes at most
     * @p cap ready descriptors to @p fired. Returns how many, or a negative
     * code. Readiness is level-triggered: a descriptor left out because
     * @p cap was reached is reported again by the next poll. */
    int (*poll)(void *state, double timeout, co__fired *fired, int cap);
} co__backend;

extern const co__backend co__backend_select;

#endif
