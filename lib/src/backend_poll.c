/* backend_poll.c - a backend on POSIX poll(): no FD_SETSIZE limit.
 * Lesson 16. Where select() hands the kernel three bitmaps as long as the
 * highest descriptor, poll() hands it an array with one entry per watched
 * descriptor, so any fd the process can open can be watched and the cost
 * of a poll grows with how many are watched, not with how large they are.
 * It still grows with that number: the kernel looks at every entry, and so
 * does this file afterwards to find the few that are ready (epoll is the
 * backend that avoids both). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>

#include "backend.h"

/* Invariants: pfds[0..n) are the watched descriptors, each once, in no
 * particular order, each with a non-zero `events`; slot[fd] is the index
 * of fd's entry plus one, or 0 when fd is not watched (or fd >= slot_cap).
 * slot[] only grows for an fd the kernel said is open, so its length is
 * bounded by the descriptors the process really has. */
typedef struct poll_state {
    struct pollfd *pfds; /* the array poll() is given */
    int n;               /* entries in use */
    int cap;             /* entries allocated */
    int *slot;           /* slot[fd]: index in pfds + 1, or 0 */
    int slot_cap;        /* length of slot[] */
} poll_state;

static short events_of(int mask)
{
    return (short)(((mask & CO__READ) ? POLLIN : 0) |
                   ((mask & CO__WRITE) ? POLLOUT : 0));
}

static int mask_of(short events)
{
    return ((events & POLLIN) ? CO__READ : 0) |
           ((events & POLLOUT) ? CO__WRITE : 0);
}

static int poll_create(void **state)
{
    poll_state *s = calloc(1, sizeof *s);
    if (!s)
        return CO_ENOMEM;
    *state = s;
    return 0;
}

static void poll_destroy(void *state)
{
    poll_state *s = state;
    if (!s)
        return;
    free(s->pfds);
    free(s->slot);
    free(s);
}

/* Room for fd in slot[] and for one more entry in pfds. */
static int make_room(poll_state *s, int fd)
{
    if (fd >= s->slot_cap) {
        if (fd == INT_MAX)
            return CO_ENOMEM; /* fd + 1 entries do not fit in an int */
        /* Doubling, but never far beyond the fd: the fd is open, so the
         * table stays the size of the process's own fd table. */
        int cap = s->slot_cap ? s->slot_cap : 64;
        while (cap <= fd)
            cap = cap <= INT_MAX / 2 ? cap * 2 : fd + 1;
        int *grown = realloc(s->slot, (size_t)cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        for (int i = s->slot_cap; i < cap; i++)
            grown[i] = 0;
        s->slot = grown;
        s->slot_cap = cap;
    }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        struct pollfd *grown = realloc(s->pfds, (size_t)cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        s->pfds = grown;
        s->cap = cap;
    }
    return 0;
}

static int poll_add(void *state, int fd, int mask)
{
    poll_state *s = state;
    if (fd < s->slot_cap && s->slot[fd]) {
        s->pfds[s->slot[fd] - 1].events |= events_of(mask);
        return 0;
    }
    /* Asked before anything grows: an fd that is not open (2^24, INT_MAX)
     * is refused here instead of growing slot[] to its size. */
    if (fcntl(fd, F_GETFD) == -1)
        return errno == EBADF ? CO_EBADF : CO_ESYS;
    int rc = make_room(s, fd);
    if (rc < 0)
        return rc;
    s->pfds[s->n] = (struct pollfd){.fd = fd, .events = events_of(mask)};
    s->slot[fd] = ++s->n;
    return 0;
}

static void poll_del(void *state, int fd, int mask)
{
    poll_state *s = state;
    if (fd < 0 || fd >= s->slot_cap || !s->slot[fd])
        return;
    int i = s->slot[fd] - 1;
    s->pfds[i].events &= (short)~events_of(mask);
    if (s->pfds[i].events)
        return;
    /* The last entry fills the hole, so the array stays dense. */
    s->pfds[i] = s->pfds[--s->n];
    s->slot[s->pfds[i].fd] = i + 1;
    s->slot[fd] = 0;
}

static int poll_poll(void *state, double timeout, co__fired *fired, int cap)
{
    poll_state *s = state;
    int ms = -1;
    if (timeout >= 0) {
        if (timeout > 86400)
            timeout = 86400; /* as asyncio: at most a day per poll */
        ms = (int)ceil(timeout * 1e3); /* never wake before the deadline */
    }
    int ready = poll(s->pfds, (nfds_t)s->n, ms);
    if (ready < 0)
        return errno == EINTR ? 0 : CO_ESYS;
    /* poll() says how many entries have revents set, not which: every
     * entry is looked at until that many have been found. */
    int nfired = 0;
    for (int i = 0; i < s->n && ready > 0 && nfired < cap; i++) {
        short re = s->pfds[i].revents;
        if (!re)
            continue;
        ready--;
        int mask;
        if (re & POLLNVAL) {
            mask = CO__BAD; /* closed behind the loop's back */
        } else {
            /* A hang-up or an error is news for both directions: read()
             * or write() will say what happened, as select() reports such
             * an fd readable and writable. */
            mask = ((re & ~POLLOUT) ? CO__READ : 0) |
                   ((re & ~POLLIN) ? CO__WRITE : 0);
            mask &= mask_of(s->pfds[i].events);
        }
        if (mask)
            fired[nfired++] = (co__fired){.fd = s->pfds[i].fd, .mask = mask};
    }
    return nfired;
}

const co__backend co__backend_poll = {
    .name = "poll",
    .create = poll_create,
    .destroy = poll_destroy,
    .add = poll_add,
    .del = poll_del,
    .poll = poll_poll,
};
