/* backend.h - what the loop needs from an I/O multiplexer.
 * The loop never calls select() itself: it calls these few functions, which
 * backend_select.c defines for select() (lesson 16 adds another). */
#ifndef COFLOW_BACKEND_H
#define COFLOW_BACKEND_H

struct co_loop;

#define CO__READ 0x01  /* fd readable */
#define CO__WRITE 0x02 /* fd writable */
#define CO__BAD 0x04   /* fd is not open any more */

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
    /* Waits up to @p timeout seconds (< 0: no limit) and reports each ready
     * fd with co__loop_fd_event(). Returns 0 or a negative code. */
    int (*poll)(void *state, struct co_loop *loop, double timeout);
} co__backend;

extern const co__backend co__backend_select;

#endif
