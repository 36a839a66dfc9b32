/* backend_select.c - the default backend: POSIX select().
 * Portable and easy to read, with two limits a student meets: descriptors
 * at or above FD_SETSIZE cannot be watched, and the cost of each poll grows
 * with the highest descriptor (lesson 16 shows a backend without them). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/select.h>

#include "backend.h"

typedef struct select_state {
    fd_set readers;  /* fds watched for reading */
    fd_set writers;  /* fds watched for writing */
    int max_fd;      /* highest fd in either set, or -1 */
} select_state;

static int sel_create(void **state)
{
    select_state *s = malloc(sizeof *s);
    if (!s)
        return CO_ENOMEM;
    FD_ZERO(&s->readers);
    FD_ZERO(&s->writers);
    s->max_fd = -1;
    *state = s;
    return 0;
}

static void sel_destroy(void *state)
{
    free(state);
}

static int sel_add(void *state, int fd, int mask)
{
    select_state *s = state;
    if (fd >= FD_SETSIZE)
        return CO_EFDSETSIZE; /* FD_SET beyond it writes out of bounds */
    if (mask & CO__READ)
        FD_SET(fd, &s->readers);
    if (mask & CO__WRITE)
        FD_SET(fd, &s->writers);
    if (fd > s->max_fd)
        s->max_fd = fd;
    return 0;
}

static void sel_del(void *state, int fd, int mask)
{
    select_state *s = state;
    if (mask & CO__READ)
        FD_CLR(fd, &s->readers);
    if (mask & CO__WRITE)
        FD_CLR(fd, &s->writers);
    while (s->max_fd >= 0 && !FD_ISSET(s->max_fd, &s->readers) &&
           !FD_ISSET(s->max_fd, &s->writers))
        s->max_fd--;
}

/* select() says EBADF without saying which fd: find the closed ones. */
static int report_closed(select_state *s, co__fired *fired, int cap)
{
    int n = 0;
    for (int fd = 0; fd <= s->max_fd && n < cap; fd++) {
        if ((FD_ISSET(fd, &s->readers) || FD_ISSET(fd, &s->writers)) &&
            fcntl(fd, F_GETFD) == -1 && errno == EBADF)
            fired[n++] = (co__fired){.fd = fd, .mask = CO__BAD};
    }
    return n;
}

static int sel_poll(void *state, double timeout, co__fired *fired, int cap)
{
    select_state *s = state;
    fd_set r = s->readers, w = s->writers;
    struct timeval tv, *tvp = NULL;
    if (timeout >= 0) {
        if (timeout > 86400)
            timeout = 86400; /* as asyncio: at most a day per poll */
        /* Rounded up to the microsecond: waking a hair before a deadline
         * would only mean another wait for what is left of it. */
        double usec = ceil(timeout * 1e6);
        tv.tv_sec = (time_t)(usec / 1e6);
        tv.tv_usec = (suseconds_t)(usec - (double)tv.tv_sec * 1e6);
        tvp = &tv;
    }
    int n = select(s->max_fd + 1, &r, &w, NULL, tvp);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        if (errno == EBADF)
            return report_closed(s, fired, cap);
        return CO_ESYS;
    }
    int nfired = 0;
    for (int fd = 0; n > 0 && nfired < cap && fd <= s->max_fd; fd++) {
        int mask = (FD_ISSET(fd, &r) ? CO__READ : 0) |
                   (FD_ISSET(fd, &w) ? CO__WRITE : 0);
        if (mask) {
            fired[nfired++] = (co__fired){.fd = fd, .mask = mask};
            n--;
        }
    }
    return nfired;
}

const co__backend co__backend_select = {
    .name = "select",
    .create = sel_create,
    .destroy = sel_destroy,
    .add = sel_add,
    .del = sel_del,
    .poll = sel_poll,
};
