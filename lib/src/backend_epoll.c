/* backend_epoll.c - a backend on Linux epoll: a poll costs what is ready.
 * Lesson 16. select() and poll() hand the kernel the whole list of watched
 * descriptors on every call; epoll keeps that list inside the kernel (an
 * "interest list" changed only by epoll_ctl), and epoll_wait() returns just
 * the descriptors that are ready. A loop watching 1,000 idle sockets and one
 * busy one pays for the busy one.
 *
 * Two things epoll does differently, that this file hides so that the loop
 * sees the same rules on every backend (docs/backends.md):
 *  - epoll refuses descriptors that are always ready, such as regular
 *    files (EPERM); select() and poll() report them ready at once, so this
 *    file keeps them aside and reports them ready at every poll;
 *  - epoll forgets a descriptor that is closed, without a word: nothing is
 *    ever reported for it again, and a task waiting on it would wait for
 *    ever. So a wait never blocks longer than a "look" interval, and every
 *    interval the backend asks the kernel about each watched fd
 *    (epoll_ctl MOD, which fails for an fd that was closed, or whose number
 *    now belongs to another file) and reports those as CO__BAD. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

/* How often the watched fds are looked at, at least: a closed fd is
 * reported within this long. Each look costs one system call per watched
 * fd, so with many fds the interval grows to keep that cost near 1 % of a
 * busy loop's time (LOOK_PER_FD each: 100 ms up to 2,000 fds). */
#define LOOK_INTERVAL 0.1 /* seconds */
#define LOOK_PER_FD 50e-6 /* seconds of interval per watched fd */

/* What the backend knows of one fd. */
typedef struct ep_fd {
    unsigned char mask;   /* CO__READ | CO__WRITE watched; 0: not watched */
    unsigned char always; /* epoll refused it (a regular file): always ready */
    unsigned reported;    /* the poll number that last reported it */
    uint32_t gen;         /* which registration of this fd number */
} ep_fd;

/* Invariants: fds[fd].mask != 0 exactly for the watched fds; those with
 * `always` are in always[0..n_always) and not in the kernel's list, the
 * others are in the kernel's list with data (fd, gen). fds[] only grows for
 * an fd the kernel said is open. An event whose (fd, gen) is not a current
 * registration is stale: it comes from a closed fd whose file lives on
 * elsewhere (a dup), which epoll_ctl can no longer remove; the kernel's
 * list is then rebuilt. */
typedef struct epoll_state {
    int epfd;                   /* the epoll instance */
    struct epoll_event *events; /* what epoll_wait fills */
    int events_cap;             /* its length */
    ep_fd *fds;                 /* by fd */
    int fds_cap;                /* length of fds[] */
    int watched;                /* fds with a non-zero mask */
    int *always;                /* the always-ready fds */
    int n_always, always_cap;   /* how many, and room for */
    uint32_t next_gen;          /* the next registration's number */
    unsigned polls;             /* polls so far (for ep_fd.reported) */
    double next_look;           /* when to look at every fd again */
} epoll_state;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t events_of(int mask)
{
    return ((mask & CO__READ) ? EPOLLIN : 0u) |
           ((mask & CO__WRITE) ? EPOLLOUT : 0u);
}

static int ep_create(void **state)
{
    epoll_state *s = calloc(1, sizeof *s);
    if (!s)
        return CO_ENOMEM;
    /* Close-on-exec: a program the loop's process runs has no use for it. */
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        free(s);
        return errno == ENOMEM || errno == EMFILE || errno == ENFILE
                   ? CO_ENOMEM : CO_ESYS;
    }
    s->next_look = now() + LOOK_INTERVAL;
    *state = s;
    return 0;
}

static void ep_destroy(void *state)
{
    epoll_state *s = state;
    if (!s)
        return;
    close(s->epfd);
    free(s->events);
    free(s->fds);
    free(s->always);
    free(s);
}

/* epoll_ctl for fd's current registration. 0 or -1 with errno. */
static int ctl(epoll_state *s, int op, int fd)
{
    struct epoll_event ev = {
        .events = events_of(s->fds[fd].mask),
        .data.u64 = (uint64_t)(unsigned)fd | (uint64_t)s->fds[fd].gen << 32,
    };
    return epoll_ctl(s->epfd, op, fd, &ev);
}

/* Room for fd in fds[], and for one more always-ready fd if @p always.
 * Only for an fd the kernel has accepted (it is open), so fds[] stays the
 * size of the process's own fd table. */
static int make_room(epoll_state *s, int fd, int always)
{
    if (fd >= s->fds_cap) {
        if (fd == INT_MAX)
            return CO_ENOMEM; /* fd + 1 entries do not fit in an int */
        int cap = s->fds_cap ? s->fds_cap : 64;
        while (cap <= fd)
            cap = cap <= INT_MAX / 2 ? cap * 2 : fd + 1;
        ep_fd *grown = realloc(s->fds, (size_t)cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        for (int i = s->fds_cap; i < cap; i++)
            grown[i] = (ep_fd){0};
        s->fds = grown;
        s->fds_cap = cap;
    }
    if (always && s->n_always == s->always_cap) {
        int cap = s->always_cap ? s->always_cap * 2 : 4;
        int *grown = realloc(s->always, (size_t)cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        s->always = grown;
        s->always_cap = cap;
    }
    return 0;
}

static int ep_add(void *state, int fd, int mask)
{
    epoll_state *s = state;
    ep_fd *e = fd < s->fds_cap ? &s->fds[fd] : NULL;
    if (e && e->mask) { /* one more direction for a watched fd */
        unsigned char old = e->mask;
        e->mask |= (unsigned char)mask;
        if (e->mask == old || e->always || ctl(s, EPOLL_CTL_MOD, fd) == 0)
            return 0;
        if (errno == ENOENT) {
            /* The number names another file now (the watched one was
             * closed): watch the new one, as select() would. */
            e->gen = s->next_gen++;
            if (ctl(s, EPOLL_CTL_ADD, fd) == 0)
                return 0;
        }
        int err = errno;
        e->mask = old;
        return err == EBADF ? CO_EBADF : err == ENOMEM ? CO_ENOMEM : CO_ESYS;
    }
    /* A new fd: the kernel is asked first, so an fd that is not open
     * (2^24, INT_MAX) is refused before anything grows. */
    uint32_t gen = s->next_gen++;
    struct epoll_event ev = {
        .events = events_of(mask),
        .data.u64 = (uint64_t)(unsigned)fd | (uint64_t)gen << 32,
    };
    int always = 0;
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        if (errno == EPERM) {
            always = 1; /* a regular file or the like: always ready */
        } else if (errno == EEXIST) {
            /* The kernel still holds an old registration of this very
             * file under this number (closed, then dup'ed back here):
             * take it over. */
            if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
                return CO_ESYS;
        } else {
            return errno == EBADF ? CO_EBADF
                   : errno == ENOMEM || errno == ENOSPC ? CO_ENOMEM
                                                        : CO_ESYS;
        }
    }
    if (make_room(s, fd, always) < 0) {
        if (!always)
            epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &ev);
        return CO_ENOMEM;
    }
    s->fds[fd] = (ep_fd){.mask = (unsigned char)mask,
                         .always = (unsigned char)always, .gen = gen};
    if (always)
        s->always[s->n_always++] = fd;
    s->watched++;
    return 0;
}

static void ep_del(void *state, int fd, int mask)
{
    epoll_state *s = state;
    if (fd < 0 || fd >= s->fds_cap || !s->fds[fd].mask)
        return;
    ep_fd *e = &s->fds[fd];
    e->mask &= (unsigned char)~mask;
    if (e->mask) {
        if (!e->always)
            ctl(s, EPOLL_CTL_MOD, fd); /* fails only if closed: see look */
        return;
    }
    if (e->always) {
        for (int i = 0; i < s->n_always; i++)
            if (s->always[i] == fd) {
                s->always[i] = s->always[--s->n_always];
                break;
            }
    } else {
        /* Fails for an fd already closed: its file is then either gone
         * (and out of the kernel's list with it) or alive elsewhere, and
         * its events are recognised as stale (see the invariants). */
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &(struct epoll_event){0});
    }
    e->always = 0;
    s->watched--;
}

/* A new kernel list with every watched fd, after a stale event showed
 * that the old one holds a registration that cannot be removed. */
static void rebuild(epoll_state *s)
{
    int fresh = epoll_create1(EPOLL_CLOEXEC);
    if (fresh < 0)
        return; /* the next stale event tries again */
    close(s->epfd);
    s->epfd = fresh;
    for (int fd = 0; fd < s->fds_cap; fd++)
        if (s->fds[fd].mask && !s->fds[fd].always &&
            ctl(s, EPOLL_CTL_ADD, fd) < 0)
            s->next_look = 0; /* closed meanwhile: the next look says so */
}

/* The look at every watched fd that was not just reported: those that
 * were closed (or whose number now names another file) are added to
 * @p fired as CO__BAD. Returns the new count; *full when it ran out of
 * room before it had looked at them all. */
static int look(epoll_state *s, co__fired *fired, int nfired, int cap,
                int *full)
{
    *full = 0;
    for (int fd = 0; fd < s->fds_cap; fd++) {
        ep_fd *e = &s->fds[fd];
        if (!e->mask || e->reported == s->polls)
            continue;
        int gone;
        if (e->always)
            gone = fcntl(fd, F_GETFD) == -1 && errno == EBADF;
        else
            gone = ctl(s, EPOLL_CTL_MOD, fd) == -1 &&
                   (errno == EBADF || errno == ENOENT);
        if (!gone)
            continue;
        if (nfired == cap) {
            *full = 1;
            break;
        }
        fired[nfired++] = (co__fired){.fd = fd, .mask = CO__BAD};
        e->reported = s->polls;
    }
    return nfired;
}

static int ep_poll(void *state, double timeout, co__fired *fired, int cap)
{
    epoll_state *s = state;
    if (cap < 1)
        return CO_EINVAL;
    s->polls++;
    if (cap > s->events_cap) {
        struct epoll_event *grown =
            realloc(s->events, (size_t)cap * sizeof *grown);
        if (grown) {
            s->events = grown;
            s->events_cap = cap;
        } else if (!s->events_cap) {
            return CO_ENOMEM;
        }
    }
    /* Never block past the next look, and not at all when an always-ready
     * fd is watched. */
    double t = now();
    double wait = s->next_look - t;
    if (wait < 0 || s->n_always)
        wait = 0;
    if (timeout >= 0 && timeout < wait)
        wait = timeout;
    int ms = (int)ceil(wait * 1e3); /* never wake before the deadline */
    int n = epoll_wait(s->epfd, s->events, cap < s->events_cap ? cap
                                                              : s->events_cap,
                       ms);
    if (n < 0) {
        if (errno != EINTR)
            return CO_ESYS;
        n = 0;
    }
    int nfired = 0, stale = 0;
    for (int i = 0; i < n; i++) {
        int fd = (int)(uint32_t)s->events[i].data.u64;
        uint32_t gen = (uint32_t)(s->events[i].data.u64 >> 32);
        ep_fd *e = fd < s->fds_cap ? &s->fds[fd] : NULL;
        if (!e || !e->mask || e->always || e->gen != gen) {
            stale = 1;
            continue;
        }
        /* A hang-up or an error is news for both directions, as select()
         * reports such an fd readable and writable. */
        uint32_t re = s->events[i].events;
        int mask = (((re & ~(uint32_t)EPOLLOUT) ? CO__READ : 0) |
                    ((re & ~(uint32_t)EPOLLIN) ? CO__WRITE : 0)) & e->mask;
        if (mask) {
            fired[nfired++] = (co__fired){.fd = fd, .mask = mask};
            e->reported = s->polls;
        }
    }
    for (int i = 0; i < s->n_always && nfired < cap; i++) {
        int fd = s->always[i];
        fired[nfired++] = (co__fired){.fd = fd, .mask = s->fds[fd].mask};
        s->fds[fd].reported = s->polls;
    }
    if (stale)
        rebuild(s);
    if (ms > 0)
        t = now(); /* else no time worth counting went by */
    if (t >= s->next_look) {
        int full;
        nfired = look(s, fired, nfired, cap, &full);
        double interval = s->watched * LOOK_PER_FD;
        if (interval < LOOK_INTERVAL)
            interval = LOOK_INTERVAL;
        s->next_look = full ? 0 : now() + interval;
    }
    return nfired;
}

const co__backend co__backend_epoll = {
    .name = "epoll",
    .create = ep_create,
    .destroy = ep_destroy,
    .add = ep_add,
    .del = ep_del,
    .poll = ep_poll,
};
