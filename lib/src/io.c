/* io.c - the loop's watched file descriptors: add_reader, add_writer and
 * what happens when the backend says one is ready. Introduced in lesson 04
 * (and lesson 16, where the backend changes underneath).
 *
 * As in asyncio, readiness is level-triggered and each fd has at most one
 * reader and one writer: adding a second replaces the first. A ready fd
 * is not served from inside the poll: its watch is queued as one handle,
 * behind the callbacks already ready, and that handle calls the reader and
 * the writer that are registered when it runs (one removed meanwhile is
 * not called, as asyncio cancels the handle in remove_reader).
 *
 * A watch made with a `drop` (a task's CO_AWAIT_READABLE) is told when it
 * ends: its drop runs once, however it ends - removed by anyone, replaced
 * by another add_reader, still on at close, or right after its callback
 * heard CO_EBADF. That is how a task whose watch someone else took away
 * learns of it instead of waiting for ever. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "loop_internal.h"

/* The watch of @p fd, made (and the table grown) if needed; NULL when out
 * of memory. Only for an fd known to be open, so the table never grows
 * beyond the descriptors the process really has. */
static co__watch *watch_of(co_loop *loop, int fd)
{
    if (fd >= loop->io_cap) {
        int cap = loop->io_cap ? loop->io_cap : 16;
        while (cap <= fd)
            cap *= 2;
        co__watch **grown = realloc(loop->io, (size_t)cap * sizeof *grown);
        if (!grown)
            return NULL;
        memset(grown + loop->io_cap, 0,
               (size_t)(cap - loop->io_cap) * sizeof *grown);
        loop->io = grown;
        loop->io_cap = cap;
    }
    if (!loop->io[fd]) {
        co__watch *w = calloc(1, sizeof *w);
        if (!w)
            return NULL;
        w->loop = loop;
        w->fd = fd;
        loop->io[fd] = w;
    }
    return loop->io[fd];
}

/* Room in fired[] for every watched fd plus the doorbell, so that one poll
 * can report all of them. */
static int reserve_fired(co_loop *loop)
{
    int need = loop->io_count + 2;
    if (need <= loop->fired_cap)
        return 0;
    int cap = loop->fired_cap ? loop->fired_cap : 16;
    while (cap < need)
        cap *= 2;
    co__fired *grown = realloc(loop->fired, (size_t)cap * sizeof *grown);
    if (!grown)
        return CO_ENOMEM;
    loop->fired = grown;
    loop->fired_cap = cap;
    return 0;
}

int co__loop_watch(co_loop *loop, int fd, bool writer, co_io_callback fn,
                   void *arg, co_callback drop)
{
    if (!loop || !fn || fd < 0)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    int guard_rc = co__loop_check(loop); /* debug mode: which thread */
    if (guard_rc < 0)
        return guard_rc;
    co__watch *w = fd < loop->io_cap ? loop->io[fd] : NULL;
    co_io_callback *slot = w ? (writer ? &w->writer : &w->reader) : NULL;
    if (!slot || !*slot) {
        /* A new (fd, direction): the backend and the kernel say yes before
         * anything grows, so a huge fd costs nothing. An fd that was never
         * opened would be ignored by select() for ever: refused at once. */
        int mask = writer ? CO__WRITE : CO__READ;
        int rc = loop->backend->add(loop->backend_state, fd, mask);
        if (rc < 0)
            return rc;
        if (fcntl(fd, F_GETFD) < 0)
            rc = errno == EBADF ? CO_EBADF : CO_ESYS;
        else if (!(w = watch_of(loop, fd)) || reserve_fired(loop) < 0)
            rc = CO_ENOMEM;
        if (rc < 0) {
            loop->backend->del(loop->backend_state, fd, mask);
            return rc;
        }
        w->fired &= (unsigned char)~CO__BAD; /* a new fd under that number */
        loop->io_count++;
    }
    co_io_callback *fn_at = writer ? &w->writer : &w->reader;
    void **arg_at = writer ? &w->writer_arg : &w->reader_arg;
    co_callback *drop_at = writer ? &w->writer_drop : &w->reader_drop;
    co_io_callback old_fn = *fn_at;
    void *old_arg = *arg_at;
    co_callback old_drop = *drop_at;
    *fn_at = fn;
    *arg_at = arg;
    *drop_at = drop;
    /* The watch this one replaces has ended (unless it is the same one
     * added again): its owner is told once the new one is in place. */
    if (old_fn && old_drop && (old_fn != fn || old_arg != arg))
        old_drop(old_arg);
    return 0;
}

bool co__loop_watching(const co_loop *loop, int fd, bool writer,
                       co_io_callback fn, const void *arg)
{
    const co__watch *w = fd >= 0 && fd < loop->io_cap ? loop->io[fd] : NULL;
    if (!w)
        return false;
    if (!fn) /* anybody at all */
        return writer ? w->writer != NULL : w->reader != NULL;
    return writer ? w->writer == fn && w->writer_arg == arg
                  : w->reader == fn && w->reader_arg == arg;
}

/* Takes one direction's callback off fd: the backend lets go of it and
 * the slot is emptied. What was there goes to *fn, *arg and *drop (the
 * caller decides when the drop runs). 1 if there was one, else 0. */
static int take(co_loop *loop, int fd, bool writer, co_io_callback *fn,
                void **arg, co_callback *drop)
{
    co__watch *w = fd < loop->io_cap ? loop->io[fd] : NULL;
    co_io_callback *slot = w ? (writer ? &w->writer : &w->reader) : NULL;
    if (!slot || !*slot)
        return 0;
    *fn = *slot;
    *arg = writer ? w->writer_arg : w->reader_arg;
    *drop = writer ? w->writer_drop : w->reader_drop;
    *slot = NULL;
    loop->backend->del(loop->backend_state, fd, writer ? CO__WRITE : CO__READ);
    loop->io_count--;
    return 1;
}

/* Stops one direction, telling the watch's owner; 1 if it was watched,
 * else 0. */
static int unwatch(co_loop *loop, int fd, bool writer)
{
    if (!loop || fd < 0)
        return CO_EINVAL;
    co_io_callback fn;
    void *arg;
    co_callback drop;
    if (!take(loop, fd, writer, &fn, &arg, &drop))
        return 0;
    if (drop)
        drop(arg);
    return 1;
}

int co_loop_add_reader(co_loop *loop, int fd, co_io_callback fn, void *arg)
{
    return co__loop_watch(loop, fd, false, fn, arg, NULL);
}

int co_loop_add_writer(co_loop *loop, int fd, co_io_callback fn, void *arg)
{
    return co__loop_watch(loop, fd, true, fn, arg, NULL);
}

int co_loop_remove_reader(co_loop *loop, int fd)
{
    return unwatch(loop, fd, false);
}

int co_loop_remove_writer(co_loop *loop, int fd)
{
    return unwatch(loop, fd, true);
}

/* A watch's queued handle: calls what is registered now, for what fired. */
static void run_watch(void *arg)
{
    co__watch *w = arg;
    co_loop *loop = w->loop;
    int fd = w->fd, fired = w->fired;
    w->fired = 0;
    if (fired & CO__BAD) {
        /* Closed under our feet: both watchers are taken off (the backend
         * already let go of the fd), then told, then released. */
        co_io_callback rfn, wfn;
        void *rarg, *warg;
        co_callback rdrop, wdrop;
        int had_reader = take(loop, fd, false, &rfn, &rarg, &rdrop);
        int had_writer = take(loop, fd, true, &wfn, &warg, &wdrop);
        if (had_reader) {
            rfn(fd, CO_EBADF, rarg);
            if (rdrop)
                rdrop(rarg);
        }
        if (had_writer) {
            wfn(fd, CO_EBADF, warg);
            if (wdrop)
                wdrop(warg);
        }
        return;
    }
    if ((fired & CO__READ) && w->reader)
        w->reader(fd, 0, w->reader_arg);
    if ((fired & CO__WRITE) && w->writer) /* the reader may have removed it */
        w->writer(fd, 0, w->writer_arg);
}

void co__io_queue_fired(co_loop *loop, const co__fired *fired, int n)
{
    for (int i = 0; i < n; i++) {
        int fd = fired[i].fd;
        co__watch *w = fd >= 0 && fd < loop->io_cap ? loop->io[fd] : NULL;
        if (!w)
            continue;
        if (fired[i].mask & CO__BAD) /* so that select() fails no more */
            loop->backend->del(loop->backend_state, fd, CO__READ | CO__WRITE);
        bool queued = w->fired != 0;
        w->fired |= (unsigned char)fired[i].mask;
        if (!queued && co__loop_push(loop, run_watch, w, NULL) < 0) {
            w->fired = 0;
            co_loop_report(loop, "an I/O callback could not be queued (out "
                                 "of memory); the next poll tries again");
        }
    }
}

void co__io_close(co_loop *loop)
{
    for (int fd = 0; fd < loop->io_cap; fd++) {
        co__watch *w = loop->io[fd];
        if (!w)
            continue;
        if (w->reader && w->reader_drop)
            w->reader_drop(w->reader_arg);
        if (w->writer && w->writer_drop)
            w->writer_drop(w->writer_arg);
        free(w);
    }
    free(loop->io);
    free(loop->fired);
    loop->io = NULL;
    loop->fired = NULL;
    loop->io_cap = loop->io_count = loop->fired_cap = 0;
}
