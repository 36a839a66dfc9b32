/* loop.c - the event loop: a ready queue, a timer heap, watched fds.
 * Introduced in lesson 04, where the notes' pseudocode loop becomes this.
 *
 * The loop never calls select() itself; it asks its backend (backend.h) to
 * poll, and only when there is a file descriptor to poll or a reason to
 * sleep. A chain of callbacks with nothing to watch costs no system call. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "wakeup.h"

CO__TLS co_loop *co__running_loop;

#define CO__TIMER_OWNED 0x1  /* allocated by the loop, not by the user */
#define CO__TIMER_FIRING 0x2 /* popped from the heap, its handle queued */
#define CO__TIMER_KEPT 0x4   /* loop-owned, but its user gives it back */

/* ---- creation and teardown ---------------------------------------------- */

static const co__backend *find_backend(const char *name)
{
    if (!name || strcmp(name, co__backend_select.name) == 0)
        return &co__backend_select;
    return NULL;
}

int co_loop_new_with_backend(co_loop **out, const char *backend)
{
    if (out)
        *out = NULL;
    const co__backend *be = find_backend(backend);
    if (!out || !be)
        return CO_EINVAL;
    co_loop *loop = calloc(1, sizeof *loop);
    if (!loop)
        return CO_ENOMEM;
    loop->ready_cap = 64;
    loop->ready = malloc(loop->ready_cap * sizeof *loop->ready);
    int rc = loop->ready ? be->create(&loop->backend_state) : CO_ENOMEM;
    if (rc < 0) {
        free(loop->ready);
        free(loop);
        return rc;
    }
    /* The wakeup pipe is watched from the start but is not counted in
     * io_count: a loop with nothing else to watch still skips select(). */
    rc = co__chan_new(&loop->chan);
    if (rc == 0) {
        rc = be->add(loop->backend_state, loop->chan->rfd, CO__READ);
        if (rc < 0)
            co__chan_unref(loop->chan);
    }
    if (rc < 0) {
        be->destroy(loop->backend_state);
        free(loop->ready);
        free(loop);
        return rc;
    }
    loop->backend = be;
    loop->refs = 1; /* the open loop itself */
    *out = loop;
    return 0;
}

int co_loop_new(co_loop **out)
{
    return co_loop_new_with_backend(out, NULL);
}

const char *co_loop_backend_name(const co_loop *loop)
{
    return loop && loop->backend ? loop->backend->name : NULL;
}

void co__loop_ref(co_loop *loop)
{
    loop->refs++;
}

void co__loop_unref(co_loop *loop)
{
    if (--loop->refs == 0)
        free(loop);
}

static co__handle ready_pop(co_loop *loop);
static bool is_pair(co_callback fn);
static void fire_timer(void *arg);

/* Lets go of a handle that will never run. */
static void drop_handle(co_loop *loop)
{
    co__handle h = ready_pop(loop);
    if (is_pair(h.fn.plain)) {
        ready_pop(loop);
        if (h.fn.plain == co__h_done)
            co_future_unref(h.a);
    } else if (h.fn.plain == fire_timer) {
        co_timer *timer = h.a;
        timer->flags &= ~(unsigned)CO__TIMER_FIRING;
        if (timer->flags & CO__TIMER_OWNED)
            free(timer);
        else
            timer->loop = NULL;
    }
}

int co_loop_close(co_loop *loop)
{
    if (!loop || loop->closed)
        return 0;
    if (loop->running)
        return CO_ERUNNING;
    /* Pending tasks first, oldest first, while everything still works. */
    /* Oldest first. Letting a task go may squeeze the array, so walk a
     * copy of it (or, out of memory, take the first one each time). */
    size_t n = loop->tasks_live;
    co_task **left = n ? malloc(n * sizeof *left) : NULL;
    if (left) {
        co_all_tasks(loop, left, n);
        for (size_t i = 0; i < n; i++)
            co__task_abandon(left[i]);
        free(left);
    }
    while (loop->tasks_live) {
        size_t i = 0;
        while (!loop->tasks[i])
            i++;
        co__task_abandon(loop->tasks[i]);
    }
    /* Other threads and signals next: jobs finish, nothing calls in again. */
    co__threads_close(loop);
    loop->closed = true;
    while (loop->ready_len)
        drop_handle(loop);
    for (size_t i = 0; i < loop->heap_len; i++) {
        co_timer *timer = loop->heap[i];
        timer->heap_pos = 0;
        timer->loop = NULL;
        if (timer->flags & CO__TIMER_OWNED)
            free(timer);
    }
    while (loop->spare_timers) {
        co_timer *next = loop->spare_timers->arg;
        free(loop->spare_timers);
        loop->spare_timers = next;
    }
    for (int fd = 0; fd < loop->io_cap; fd++) {
        if (loop->io[fd].reader && co__is_fd_wait(loop->io[fd].reader))
            co_future_unref(loop->io[fd].reader_arg);
        if (loop->io[fd].writer && co__is_fd_wait(loop->io[fd].writer))
            co_future_unref(loop->io[fd].writer_arg);
    }
    free(loop->io);
    free(loop->heap);
    free(loop->ready);
    free(loop->tasks);
    loop->io = NULL;
    loop->io_cap = loop->io_count = 0;
    loop->heap = NULL;
    loop->heap_len = 0;
    loop->ready = NULL;
    loop->tasks = NULL;
    loop->backend->destroy(loop->backend_state);
    co__chan_unref(loop->chan); /* late posters keep it until they let go */
    loop->chan = NULL;
    co__loop_unref(loop);
    return 0;
}

bool co_loop_is_running(const co_loop *loop)
{
    return loop && loop->running;
}

size_t co_loop_live_futures(const co_loop *loop)
{
    if (!loop)
        return 0;
    /* refs: the open loop itself plus every live future (struct co_loop) */
    return loop->refs - (loop->closed ? 0u : 1u);
}

bool co_loop_is_closed(const co_loop *loop)
{
    return loop && loop->closed;
}

co_loop *co_get_running_loop(void)
{
    return co__running_loop;
}

void co_loop_set_exception_handler(co_loop *loop, co_exception_handler fn,
                                   void *arg)
{
    if (!loop)
        return;
    loop->handler = fn;
    loop->handler_arg = arg;
}

void co_loop_report(co_loop *loop, const char *message)
{
    if (!message)
        return;
    if (loop && loop->handler)
        loop->handler(loop, message, loop->handler_arg);
    else
        fprintf(stderr, "coflow: %s\n", message);
}

/* ---- the ready queue ---------------------------------------------------- */

int co__ready_grow(co_loop *loop)
{
    size_t old = loop->ready_cap, cap = old * 2;
    /* realloc can extend a large ring in place (mremap) without copying it
     * or touching its pages again; then only the part that had wrapped
     * round to the front moves, to just after the old end. */
    co__handle *grown = realloc(loop->ready, cap * sizeof *grown);
    if (!grown)
        return CO_ENOMEM;
    size_t wrapped = loop->ready_head + loop->ready_len > old
                         ? loop->ready_head + loop->ready_len - old
                         : 0;
    memcpy(grown + old, grown, wrapped * sizeof *grown);
    loop->ready = grown;
    loop->ready_cap = cap;
    return 0;
}

/* The markers of two-slot handles (internal.h). They are never called;
 * their bodies differ so that no compiler folds them into one address. */
void co__h_done(void *future)
{
    (void)future;
    co_loop_report(NULL, "internal error: a done-callback marker was run");
}

void co__h_io(void *fd_and_kind)
{
    (void)fd_and_kind;
    co_loop_report(NULL, "internal error: an I/O callback marker was run");
}

static inline bool is_pair(co_callback fn)
{
    return fn == co__h_done || fn == co__h_io;
}

static inline co__handle ready_pop(co_loop *loop)
{
    co__handle h = loop->ready[loop->ready_head];
    loop->ready_head = (loop->ready_head + 1) & (loop->ready_cap - 1);
    loop->ready_len--;
    return h;
}

/* Queues fn.io(fd, ...) as a two-slot handle of @p kind (CO__IO_*). */
static int ready_push_io(co_loop *loop, int fd, int kind, co_io_callback fn,
                         void *arg)
{
    co__handle second = {.fn.io = fn, .a = arg};
    return co__ready_push_pair(
        loop, co__h_io, (void *)(((uintptr_t)fd << 2) | (uintptr_t)kind),
        second);
}

int co_loop_call_soon(co_loop *loop, co_callback fn, void *arg)
{
    if (!loop || !fn)
        return CO_EINVAL;
    return co__ready_push_plain(loop, fn, arg);
}

int co__loop_call_soon_done(co_loop *loop, co_done_callback fn, co_future *f,
                            void *arg)
{
    return co__ready_push_done(loop, fn, f, arg);
}

/* Runs a two-slot handle, both of its slots already taken off the ring. */
static void run_pair(co_loop *loop, co__handle first, co__handle second)
{
    if (first.fn.plain == co__h_done) {
        second.fn.done(first.a, second.a);
        co_future_unref(first.a);
        return;
    }
    int fd = (int)((uintptr_t)first.a >> 2), kind = (int)((uintptr_t)first.a & 3);
    if (kind == CO__IO_BADF) {
        second.fn.io(fd, CO_EBADF, second.a);
        return;
    }
    /* Skipped if removed or replaced since the poll (asyncio cancels the
     * handle in remove_reader). */
    co__io *io = fd < loop->io_cap ? &loop->io[fd] : NULL;
    bool read = kind == CO__IO_READ;
    if (io && (read ? io->reader : io->writer) == second.fn.io &&
        (read ? io->reader_arg : io->writer_arg) == second.a)
        second.fn.io(fd, 0, second.a);
}

/* A timer's callback, queued as a plain handle when its deadline passed. */
static void fire_timer(void *arg)
{
    co_timer *timer = arg;
    co_loop *loop = timer->loop;
    co_callback fn = timer->fn;
    void *fn_arg = timer->arg;
    timer->flags &= ~(unsigned)CO__TIMER_FIRING;
    timer->loop = NULL;
    if ((timer->flags & (CO__TIMER_OWNED | CO__TIMER_KEPT)) ==
        CO__TIMER_OWNED) { /* fire-and-forget: recycle it now */
        timer->arg = loop->spare_timers;
        loop->spare_timers = timer;
    }
    fn(fn_arg);
}

/* What a cancelled timer's queued handle becomes. */
static void nop(void *arg)
{
    (void)arg;
}

/* ---- timers: a binary min-heap on (when, seq) --------------------------- */

static bool earlier(const co_timer *a, const co_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(co_loop *loop, size_t i, co_timer *timer)
{
    loop->heap[i] = timer;
    timer->heap_pos = (unsigned)i + 1;
}

static void sift_up(co_loop *loop, size_t i)
{
    co_timer *timer = loop->heap[i];
    while (i > 0 && earlier(timer, loop->heap[(i - 1) / 2])) {
        heap_set(loop, i, loop->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(loop, i, timer);
}

static void sift_down(co_loop *loop, size_t i)
{
    co_timer *timer = loop->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len &&
            earlier(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!earlier(loop->heap[child], timer))
            break;
        heap_set(loop, i, loop->heap[child]);
        i = child;
    }
    heap_set(loop, i, timer);
}

static void heap_remove(co_loop *loop, co_timer *timer)
{
    size_t i = timer->heap_pos - 1;
    timer->heap_pos = 0;
    co_timer *last = loop->heap[--loop->heap_len];
    if (last == timer)
        return;
    heap_set(loop, i, last);
    if (i > 0 && earlier(last, loop->heap[(i - 1) / 2]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
}

static int arm(co_loop *loop, co_timer *timer, double when, co_callback fn,
               void *arg)
{
    if (loop->heap_len == loop->heap_cap) {
        size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        co_timer **grown = realloc(loop->heap, cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        loop->heap = grown;
        loop->heap_cap = cap;
    }
    timer->when = when;
    timer->seq = loop->timer_seq++;
    timer->fn = fn;
    timer->arg = arg;
    timer->loop = loop;
    loop->heap[loop->heap_len++] = timer;
    sift_up(loop, loop->heap_len - 1);
    return 0;
}

static co_timer *spare_timer(co_loop *loop)
{
    co_timer *timer = loop->spare_timers;
    if (timer) {
        loop->spare_timers = timer->arg;
        memset(timer, 0, sizeof *timer);
    } else if (!(timer = calloc(1, sizeof *timer))) {
        return NULL;
    }
    timer->flags = CO__TIMER_OWNED;
    return timer;
}

void co_timer_init(co_timer *timer)
{
    if (timer)
        memset(timer, 0, sizeof *timer);
}

/* Neutralises the queued handle of a timer that fired but has not run. */
static void unqueue_firing(co_loop *loop, co_timer *timer)
{
    for (size_t i = 0; i < loop->ready_len; i++) {
        co__handle *h =
            &loop->ready[(loop->ready_head + i) & (loop->ready_cap - 1)];
        if (is_pair(h->fn.plain))
            i++; /* its second slot is not a handle of its own */
        else if (h->fn.plain == fire_timer && h->a == timer)
            h->fn.plain = nop;
    }
    timer->flags &= ~(unsigned)CO__TIMER_FIRING;
}

bool co_timer_cancel(co_timer *timer)
{
    if (!timer || !timer->loop)
        return false;
    co_loop *loop = timer->loop;
    if (timer->heap_pos)
        heap_remove(loop, timer);
    else if (timer->flags & CO__TIMER_FIRING)
        unqueue_firing(loop, timer);
    else
        return false;
    timer->loop = NULL;
    return true;
}

int co_loop_call_at(co_loop *loop, double when, co_callback fn, void *arg,
                    co_timer *timer)
{
    if (!loop || !fn || isnan(when))
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    bool owned = !timer;
    if (owned && !(timer = spare_timer(loop)))
        return CO_ENOMEM;
    if (!owned) {
        co_timer_cancel(timer); /* re-arming moves it */
        timer->flags = 0;
    }
    int rc = arm(loop, timer, when, fn, arg);
    if (rc < 0 && owned)
        free(timer);
    return rc;
}

int co_loop_call_later(co_loop *loop, double delay, co_callback fn, void *arg,
                       co_timer *timer)
{
    if (!loop || isnan(delay))
        return CO_EINVAL;
    return co_loop_call_at(loop, co_loop_time(loop) + delay, fn, arg, timer);
}

co_timer *co__timer_start(co_loop *loop, double delay, co_callback fn,
                          void *arg)
{
    co_timer *timer = spare_timer(loop);
    if (timer && arm(loop, timer, co_loop_time(loop) + delay, fn, arg) < 0) {
        free(timer);
        return NULL;
    }
    if (timer)
        timer->flags |= CO__TIMER_KEPT;
    return timer;
}

void co__timer_release(co_loop *loop, co_timer *timer)
{
    co_timer_cancel(timer);
    timer->arg = loop->spare_timers;
    loop->spare_timers = timer;
}

double co_loop_time(const co_loop *loop)
{
    (void)loop;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- file descriptors --------------------------------------------------- */

static int watch(co_loop *loop, int fd, bool writer, co_io_callback fn,
                 void *arg)
{
    if (!loop || !fn || fd < 0)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    if (fd >= loop->io_cap) {
        int cap = loop->io_cap ? loop->io_cap : 16;
        while (cap <= fd)
            cap *= 2;
        co__io *grown = realloc(loop->io, (size_t)cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        memset(grown + loop->io_cap, 0,
               (size_t)(cap - loop->io_cap) * sizeof *grown);
        loop->io = grown;
        loop->io_cap = cap;
    }
    co__io *io = &loop->io[fd];
    co_io_callback *slot = writer ? &io->writer : &io->reader;
    if (!*slot) {
        int rc = loop->backend->add(loop->backend_state, fd,
                                    writer ? CO__WRITE : CO__READ);
        if (rc < 0)
            return rc;
        loop->io_count++;
    }
    *slot = fn;
    if (writer)
        io->writer_arg = arg;
    else
        io->reader_arg = arg;
    return 0;
}

static int unwatch(co_loop *loop, int fd, bool writer)
{
    if (!loop || fd < 0)
        return CO_EINVAL;
    if (fd >= loop->io_cap)
        return 0;
    co__io *io = &loop->io[fd];
    co_io_callback *slot = writer ? &io->writer : &io->reader;
    if (!*slot)
        return 0;
    *slot = NULL;
    loop->backend->del(loop->backend_state, fd, writer ? CO__WRITE : CO__READ);
    loop->io_count--;
    return 1;
}

int co_loop_add_reader(co_loop *loop, int fd, co_io_callback fn, void *arg)
{
    return watch(loop, fd, false, fn, arg);
}

int co_loop_add_writer(co_loop *loop, int fd, co_io_callback fn, void *arg)
{
    return watch(loop, fd, true, fn, arg);
}

int co_loop_remove_reader(co_loop *loop, int fd)
{
    return unwatch(loop, fd, false);
}

int co_loop_remove_writer(co_loop *loop, int fd)
{
    return unwatch(loop, fd, true);
}

void co__loop_fd_event(co_loop *loop, int fd, int mask)
{
    if (fd == loop->chan->rfd) {
        co__chan_drain(loop->chan); /* the calls are taken after the poll */
        return;
    }
    if (fd < 0 || fd >= loop->io_cap)
        return;
    co__io *io = &loop->io[fd];
    if (mask & CO__BAD) {
        /* Closed under our feet: tell both watchers, and stop watching, so
         * that select() does not fail again on the next iteration. */
        co_io_callback reader = io->reader, writer = io->writer;
        void *reader_arg = io->reader_arg, *writer_arg = io->writer_arg;
        if (unwatch(loop, fd, false) == 1 &&
            ready_push_io(loop, fd, CO__IO_BADF, reader, reader_arg) < 0)
            co_loop_report(loop, "lost the EBADF report of a reader");
        if (unwatch(loop, fd, true) == 1 &&
            ready_push_io(loop, fd, CO__IO_BADF, writer, writer_arg) < 0)
            co_loop_report(loop, "lost the EBADF report of a writer");
        return;
    }
    if ((mask & CO__READ) && io->reader)
        ready_push_io(loop, fd, CO__IO_READ, io->reader, io->reader_arg);
    if ((mask & CO__WRITE) && io->writer)
        ready_push_io(loop, fd, CO__IO_WRITE, io->writer, io->writer_arg);
}

/* ---- running ------------------------------------------------------------ */

/* True when nothing could ever happen again: no callback, timer, fd,
 * outside work or threadsafe call on its way. Running on would block
 * forever. */
static bool idle_forever(const co_loop *loop)
{
    return loop->ready_len == 0 && loop->heap_len == 0 &&
           loop->io_count == 0 && loop->keepalive == 0 && !loop->stopping &&
           !co__chan_rang(loop->chan);
}

int co__loop_run_once(co_loop *loop)
{
    /* 1. How long may we sleep? */
    double timeout = -1;
    if (loop->ready_len || loop->stopping || co__chan_rang(loop->chan))
        timeout = 0;
    else if (loop->heap_len) {
        /* Until the earliest deadline, rounded up to a whole millisecond as
         * asyncio's default selector on Linux does (epoll_wait counts
         * milliseconds): never early, and the timers due within that
         * millisecond fire together after one wake-up instead of one each. */
        timeout = loop->heap[0]->when - co_loop_time(loop);
        timeout = timeout > 0 ? ceil(timeout * 1e3) * 1e-3 : 0;
    }
    /* 2. Poll, unless there is nothing to poll and no reason to wait. */
    if (loop->io_count || timeout != 0 || loop->keepalive) {
        int rc = loop->backend->poll(loop->backend_state, loop, timeout);
        if (rc < 0)
            return rc;
    }
    /* 2b. Calls from other threads and signal handlers join the ready queue
     *     (one atomic load when nobody rang: the hot path stays free). */
    if (co__chan_rang(loop->chan))
        co__threads_dispatch(loop);
    /* 3. Timers that are due join the ready queue, in deadline order. */
    if (loop->heap_len) {
        double now = co_loop_time(loop);
        while (loop->heap_len && loop->heap[0]->when <= now) {
            co_timer *timer = loop->heap[0];
            heap_remove(loop, timer);
            if (co__ready_push_plain(loop, fire_timer, timer) < 0) {
                co_loop_report(loop, "a timer could not be queued (out of "
                                     "memory); it is dropped");
                timer->loop = NULL;
                if (timer->flags & CO__TIMER_OWNED)
                    free(timer);
                continue;
            }
            timer->flags |= CO__TIMER_FIRING;
        }
    }
    /* 4. Run what was ready when this iteration began; what these callbacks
     *    schedule waits for the next iteration. */
    for (size_t n = loop->ready_len; n > 0 && loop->ready_len; n--) {
        /* Copied off the ring before the call: a callback may grow (move)
         * the ring. The two slots of a pair are always queued together, so
         * both are among the first n. */
        co__handle h = ready_pop(loop);
        if (!is_pair(h.fn.plain)) {
            h.fn.plain(h.a); /* the common case */
            continue;
        }
        co__handle second = ready_pop(loop);
        n--;
        run_pair(loop, h, second);
    }
    return 0;
}

/* Enters the running state; CO_ERUNNING if this or another loop already
 * runs on this thread. */
static int enter(co_loop *loop)
{
    if (loop->closed)
        return CO_ECLOSED;
    if (loop->running || co__running_loop)
        return CO_ERUNNING;
    loop->running = true;
    co__running_loop = loop;
    return 0;
}

static void leave(co_loop *loop)
{
    loop->running = false;
    loop->stopping = false;
    co__running_loop = NULL;
}

int co_loop_run_forever(co_loop *loop)
{
    if (!loop)
        return CO_EINVAL;
    int rc = enter(loop);
    if (rc < 0)
        return rc;
    while (rc == 0) {
        if (idle_forever(loop)) {
            rc = CO_EDEADLOCK;
            break;
        }
        rc = co__loop_run_once(loop);
        /* As asyncio: stop() ends the run after the iteration it was called
         * in (or, called before the run, after the first one). */
        if (loop->stopping)
            break;
    }
    leave(loop);
    return rc;
}

static void stop_when_done(co_future *f, void *arg)
{
    (void)f;
    co_loop_stop(arg);
}

int co_loop_run_until_complete(co_loop *loop, co_future *f)
{
    if (!loop || !f)
        return CO_EINVAL;
    if (f->loop != loop)
        return CO_EWRONGLOOP;
    int rc = enter(loop);
    if (rc < 0)
        return rc;
    rc = co_future_add_done_callback(f, stop_when_done, loop);
    while (rc == 0) {
        if (idle_forever(loop)) {
            rc = co_future_done(f) ? 0 : CO_EDEADLOCK;
            break;
        }
        rc = co__loop_run_once(loop);
        /* As asyncio: stop() ends the run after the iteration it was called
         * in (or, called before the run, after the first one). */
        if (loop->stopping)
            break;
    }
    co_future_remove_done_callback(f, stop_when_done, loop);
    leave(loop);
    if (rc < 0)
        return rc;
    if (!co_future_done(f))
        return CO_ESTOPPED;
    return co_future_exception(f, NULL);
}

void co_loop_stop(co_loop *loop)
{
    if (loop && !loop->closed)
        loop->stopping = true;
}
