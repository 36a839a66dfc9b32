/* exercise.c - lesson 16: the poll backend. Read README.md first. */
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

static int lp_add(void *state, int fd, int mask)
{
    /* TODO: refuse an fd that is not open (fcntl(fd, F_GETFD) fails with
     * EBADF) with CO_EBADF; then find fd's entry in s->pfds, or append
     * one (growing the array with realloc), and add POLLIN for
     * CO_BACKEND_READ, POLLOUT for CO_BACKEND_WRITE to its events. */
    (void)state;
    (void)fd;
    (void)mask;
    return 0;
}

static void lp_del(void *state, int fd, int mask)
{
    /* TODO: take the directions of mask off fd's entry; an entry left with
     * no events leaves the array (move the last entry into its place). */
    (void)state;
    (void)fd;
    (void)mask;
}

static int lp_poll(void *state, double timeout, co_backend_fired *fired,
                   int cap)
{
    struct poll_state *s = state;
    /* TODO: this only sleeps, and never reports a ready fd. Call
     * poll(s->pfds, (nfds_t)s->n, to_ms(timeout)) instead (EINTR: return
     * 0; another error: CO_ESYS), then write one co_backend_fired per
     * entry whose revents is set, at most cap of them: CO_BACKEND_BAD for
     * POLLNVAL, otherwise CO_BACKEND_READ and/or CO_BACKEND_WRITE for what
     * is ready (POLLHUP and POLLERR count as both), keeping only the
     * directions the entry watches. Return how many you wrote. */
    (void)s;
    (void)fired;
    (void)cap;
    if (poll(NULL, 0, to_ms(timeout)) < 0 && errno != EINTR)
        return CO_ESYS;
    return 0;
}

const co_backend lesson_poll_backend = {
    .name = "poll",
    .create = lp_create,
    .destroy = lp_destroy,
    .add = lp_add,
    .del = lp_del,
    .poll = lp_poll,
};
