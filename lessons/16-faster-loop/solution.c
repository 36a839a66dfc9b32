/* solution.c - lesson 16: the poll backend, done. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include "exercise.h"

/* The backend's state: the array poll(2) is given. */
struct poll_state {
    struct pollfd *pfds; /* the watched fds, each once */
    int n;               /* entries in use */
    int cap;             /* entries allocated */
};

/* poll(2)'s timeout: whole milliseconds, rounded up so that the loop is
 * never woken before its timer is due; -1 (no limit) for a negative one;
 * at most a day, so that the int cannot overflow. */
static int to_ms(double timeout)
{
    if (timeout < 0)
        return -1;
    if (timeout > 86400)
        timeout = 86400;
    return (int)(timeout * 1e3 + 0.999);
}

static int lp_create(void **state)
{
    struct poll_state *s = calloc(1, sizeof *s);
    if (!s)
        return CO_ENOMEM;
    *state = s;
    return 0;
}

static void lp_destroy(void *state)
{
    struct poll_state *s = state;
    if (!s)
        return;
    free(s->pfds);
    free(s);
}

static short events_of(int mask)
{
    return (short)(((mask & CO_BACKEND_READ) ? POLLIN : 0) |
                   ((mask & CO_BACKEND_WRITE) ? POLLOUT : 0));
}

/* The index of fd's entry, or -1. */
static int find(const struct poll_state *s, int fd)
{
    for (int i = 0; i < s->n; i++)
        if (s->pfds[i].fd == fd)
            return i;
    return -1;
}

static int lp_add(void *state, int fd, int mask)
{
    struct poll_state *s = state;
    int i = find(s, fd);
    if (i >= 0) {
        s->pfds[i].events |= events_of(mask);
        return 0;
    }
    /* Asked before anything grows: 1 << 24 is refused, not allocated. */
    if (fcntl(fd, F_GETFD) == -1)
        return errno == EBADF ? CO_EBADF : CO_ESYS;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        struct pollfd *grown = realloc(s->pfds, (size_t)cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        s->pfds = grown;
        s->cap = cap;
    }
    s->pfds[s->n++] = (struct pollfd){.fd = fd, .events = events_of(mask)};
    return 0;
}

static void lp_del(void *state, int fd, int mask)
{
    struct poll_state *s = state;
    int i = find(s, fd);
    if (i < 0)
        return;
    s->pfds[i].events &= (short)~events_of(mask);
    if (!s->pfds[i].events)
        s->pfds[i] = s->pfds[--s->n]; /* the last one fills the hole */
}

static int lp_poll(void *state, double timeout, co_backend_fired *fired,
                   int cap)
{
    struct poll_state *s = state;
    int ready = poll(s->pfds, (nfds_t)s->n, to_ms(timeout));
    if (ready < 0)
        return errno == EINTR ? 0 : CO_ESYS;
    int k = 0;
    for (int i = 0; i < s->n && k < cap && ready > 0; i++) {
        short re = s->pfds[i].revents;
        if (!re)
            continue;
        ready--;
        int mask;
        if (re & POLLNVAL) {
            mask = CO_BACKEND_BAD; /* closed behind the loop's back */
        } else {
            /* POLLHUP or POLLERR: news for both directions; read() or
             * write() will say what it is. */
            mask = ((re & ~POLLOUT) ? CO_BACKEND_READ : 0) |
                   ((re & ~POLLIN) ? CO_BACKEND_WRITE : 0);
            mask &= ((s->pfds[i].events & POLLIN) ? CO_BACKEND_READ : 0) |
                    ((s->pfds[i].events & POLLOUT) ? CO_BACKEND_WRITE : 0);
        }
        if (mask)
            fired[k++] = (co_backend_fired){.fd = s->pfds[i].fd, .mask = mask};
    }
    return k;
}

const co_backend lesson_poll_backend = {
    .name = "poll",
    .create = lp_create,
    .destroy = lp_destroy,
    .add = lp_add,
    .del = lp_del,
    .poll = lp_poll,
};
