/* loop.c - the event loop: creation, one iteration, running and closing.
 * Introduced in lesson 04, where the notes' pseudocode loop becomes this.
 * Timers are in timer.c, watched descriptors in io.c.
 *
 * The loop never calls select() itself; it asks its backend (backend.h) to
 * poll, and only when there is a file descriptor to poll or a reason to
 * sleep. A chain of callbacks with nothing to watch costs no system call.
 * One iteration, co__loop_run_once, is the story loop.h tells as a list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop_internal.h"

CO__TLS co_loop *co__running_loop;
void (*co__loop_new_hook)(co_loop *loop); /* see loop_internal.h */

/* ---- creation and teardown ----------------------------------------------- */

/* The backends this build has, the default (select, lesson 04's) first;
 * backend.h says what each must do, docs/backends.md what each costs. */
static const co__backend *const backends[] = {
    &co__backend_select,
    &co__backend_poll,
#if defined(CO_HAVE_EPOLL)
    &co__backend_epoll,
#endif
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

static const char *const backend_names[] = {
    "select",
    "poll",
#if defined(CO_HAVE_EPOLL)
    "epoll",
#endif
    NULL,
};

const char *const *co_loop_backend_names(void)
{
    return backend_names;
}

static const co__backend *find_backend(const char *name)
{
    for (size_t i = 0; i < N_BACKENDS; i++)
        if (strcmp(name, backends[i]->name) == 0)
            return backends[i];
    return NULL;
}

/* The backend a loop gets when its creator names none: the one that
 * COFLOW_BACKEND names (as a Python program is switched to uvloop without
 * changing its code), select when it is unset or empty. A name this build
 * does not have is an error, said on stderr since the caller never saw
 * the name: running on another backend than the one asked for would make
 * every measurement and every test run a lie. */
static int default_backend(const co__backend **out)
{
    const char *name = getenv("COFLOW_BACKEND");
    if (!name || !*name) {
        *out = backends[0];
        return 0;
    }
    if ((*out = find_backend(name)))
        return 0;
    char known[64] = "";
    for (size_t i = 0; i < N_BACKENDS; i++) {
        strcat(known, i ? ", " : "");
        strcat(known, backends[i]->name);
    }
    char line[256];
    snprintf(line, sizeof line,
             "COFLOW_BACKEND=\"%.64s\" names no backend of this build "
             "(it has %s): no loop was made; unset it for select",
             name, known);
    co_loop_report(NULL, line);
    return CO_EINVAL;
}

/* COFLOW_CLOCK: "virtual" gives new loops virtual time, "monotonic" (or
 * nothing) the real clock; anything else is refused, said in one line. */
static int clock_from_env(bool *virtual_time)
{
    const char *name = getenv("COFLOW_CLOCK");
    *virtual_time = name && strcmp(name, "virtual") == 0;
    if (!name || !*name || *virtual_time || strcmp(name, "monotonic") == 0)
        return 0;
    char line[192];
    snprintf(line, sizeof line,
             "COFLOW_CLOCK=\"%.64s\" names no clock (virtual or monotonic): "
             "no loop was made; unset it for the real clock", name);
    co_loop_report(NULL, line);
    return CO_EINVAL;
}

/* Frees what co_loop_new_with_backend made; NULL parts are skipped. */
static void free_parts(co_loop *loop)
{
    if (loop->backend_state)
        loop->backend->destroy(loop->backend_state);
    co__chan_unref(loop->chan);
    free(loop->fired);
    free(loop->ready);
    free(loop);
}

/* Makes a loop on backend @p be (checked by the caller). */
static int new_loop(co_loop **out, const co__backend *be)
{
    bool virtual_time;
    int rc = clock_from_env(&virtual_time);
    if (rc < 0)
        return rc;
    co_loop *loop = calloc(1, sizeof *loop);
    if (!loop)
        return CO_ENOMEM;
    loop->backend = be;
    loop->ready_cap = 64;
    loop->fired_cap = 16;
    loop->ready = malloc(loop->ready_cap * sizeof *loop->ready);
    loop->fired = malloc((size_t)loop->fired_cap * sizeof *loop->fired);
    rc = loop->ready && loop->fired ? be->create(&loop->backend_state)
                                    : CO_ENOMEM;
    if (rc < 0)
        loop->backend_state = NULL; /* create() failed: nothing to destroy */
    /* The doorbell is watched from the start but is not counted in
     * io_count: a loop with nothing else to watch still skips select(). */
    if (rc == 0)
        rc = co__chan_new(&loop->chan);
    if (rc == 0)
        rc = be->add(loop->backend_state, loop->chan->rfd, CO__READ);
    if (rc < 0) {
        free_parts(loop);
        return rc;
    }
    loop->refs = 1; /* the open loop itself */
    loop->maker = pthread_self();
    if (virtual_time)
        co_loop_set_virtual_time(loop, true);
    *out = loop;
    if (co__loop_new_hook)
        co__loop_new_hook(loop);
    return 0;
}

int co_loop_new_with_backend(co_loop **out, const char *backend)
{
    if (out)
        *out = NULL;
    if (!out)
        return CO_EINVAL;
    const co__backend *be = NULL;
    if (!backend) {
        int rc = default_backend(&be);
        if (rc < 0)
            return rc;
    } else if (!(be = find_backend(backend))) {
        return CO_EINVAL;
    }
    return new_loop(out, be);
}

/* A program's own backend (lesson 16): the same struct as the library's,
 * so it is used as it is, once every part of it is there. */
int co_loop_new_with_ops(co_loop **out, const co_backend *ops)
{
    if (out)
        *out = NULL;
    if (!out || !ops || !ops->name || !ops->create || !ops->destroy ||
        !ops->add || !ops->del || !ops->poll)
        return CO_EINVAL;
    return new_loop(out, ops);
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
    if (--loop->refs)
        return;
    /* backend_state, ready and fired went at close; the channel stays as
     * long as the struct, so a late threadsafe call finds it closed. */
    co__chan_unref(loop->chan);
    free(loop);
}

void co__loop_hold(co_loop *loop)
{
    atomic_fetch_add(&loop->keepalive, 1);
}

void co__loop_unhold(co_loop *loop)
{
    atomic_fetch_sub(&loop->keepalive, 1);
}

co__loop_ext *co__loop_ext_find(const co_loop *loop, const void *key)
{
    co__loop_ext *ext = loop->exts;
    while (ext && ext->key != key)
        ext = ext->next;
    return ext;
}

co__loop_ext *co__loop_ext_get(co_loop *loop, const co__loop_ext *proto,
                               size_t size)
{
    co__loop_ext *ext = co__loop_ext_find(loop, proto->key);
    if (ext || !(ext = calloc(1, size < sizeof *ext ? sizeof *ext : size)))
        return ext;
    *ext = *proto;
    ext->next = loop->exts;
    loop->exts = ext;
    return ext;
}

static co__handle ready_pop(co_loop *loop)
{
    return loop->ready[loop->ready_head++ & (loop->ready_cap - 1)];
}

int co_loop_close(co_loop *loop)
{
    if (!loop || loop->closed)
        return 0;
    if (loop->running)
        return CO_ERUNNING;
    /* 1. The layers above let go of what they hold while everything still
     *    works: pending tasks are reported and dropped, jobs of other
     *    threads finish, signal handlers are put back. */
    for (co__loop_ext *ext = loop->exts; ext; ext = ext->next)
        ext->close(loop, ext);
    while (loop->exts) {
        co__loop_ext *ext = loop->exts;
        loop->exts = ext->next;
        free(ext);
    }
    /* 2. Nothing calls in any more; what was queued is released unrun. */
    co__chan_close(loop->chan);
    loop->closed = true;
    loop->guard |= CO__GUARD_CLOSED;
    loop->probe = NULL;
    while (co__loop_nready(loop)) {
        co__handle h = ready_pop(loop);
        if (h.drop)
            h.drop(h.arg);
    }
    co__timers_close(loop);
    co__io_close(loop);
    free(loop->ready);
    loop->ready = NULL;
    loop->backend->destroy(loop->backend_state);
    loop->backend_state = NULL;
    co__loop_unref(loop); /* the open loop's reference */
    return 0;
}

bool co_loop_is_running(const co_loop *loop)
{
    return loop && loop->running;
}

bool co_loop_is_closed(const co_loop *loop)
{
    return loop && loop->closed;
}

size_t co_loop_live_futures(const co_loop *loop)
{
    if (!loop)
        return 0;
    /* refs: the open loop itself plus every live future (struct co_loop) */
    return loop->refs - (loop->closed ? 0u : 1u);
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

/* ---- the ready queue ----------------------------------------------------- */

int co__loop_grow_ready(co_loop *loop)
{
    size_t old = loop->ready_cap, cap = old * 2, n = co__loop_nready(loop);
    /* realloc can extend a large ring in place (mremap) without copying it
     * or touching its pages again; then only the part that had wrapped
     * round to the front moves, to just after the old end. The counters
     * start again from where the oldest handle sits. */
    co__handle *grown = realloc(loop->ready, cap * sizeof *grown);
    if (!grown)
        return CO_ENOMEM;
    size_t head = loop->ready_head & (old - 1);
    size_t wrapped = head + n > old ? head + n - old : 0;
    memcpy(grown + old, grown, wrapped * sizeof *grown);
    loop->ready = grown;
    loop->ready_cap = cap;
    loop->ready_head = head;
    loop->ready_tail = head + n;
    return 0;
}

/* co__loop_push when loop->guard is set: closed, or debug mode looking at
 * who calls. Reading `running` from another thread is itself a race, but
 * only in debug mode, which is there to catch exactly that mistake. */
int co__loop_guard_slow(co_loop *loop)
{
    if (loop->closed)
        return CO_ECLOSED;
    if ((loop->guard & CO__GUARD_THREAD) && loop->running &&
        co__running_loop != loop) {
        co_loop_report(loop, "a loop-thread-only function (call_soon, "
                             "create_task, call_later, add_reader...) was "
                             "called from another thread while the loop "
                             "runs; it was refused: use "
                             "co_loop_call_soon_threadsafe");
        return CO_EWRONGTHREAD;
    }
    return 0;
}

int co__loop_push_guarded(co_loop *loop, co_callback fn, void *arg,
                          co_callback drop)
{
    int rc = co__loop_guard_slow(loop);
    return rc < 0 ? rc : co__loop_push_open(loop, fn, arg, drop);
}

int co_loop_call_soon(co_loop *loop, co_callback fn, void *arg)
{
    if (!loop || !fn)
        return CO_EINVAL;
    return co__loop_push(loop, fn, arg, NULL);
}

/* ---- one iteration ------------------------------------------------------- */

/* The doorbell rang: calls posted by other threads join the ready queue,
 * oldest first, and the layers that rang it themselves (signals) look. */
static void answer_doorbell(co_loop *loop)
{
    co__tscall *call = co__chan_take(loop->chan);
    while (call) {
        co__tscall *next = call->next;
        co__loop_note(loop, CO__NOTE_POST, NULL);
        if (co__loop_push(loop, call->fn, call->arg, call->drop) < 0) {
            co_loop_report(loop, "a threadsafe call could not be queued (out "
                                 "of memory); it is dropped");
            if (call->drop)
                call->drop(call->arg);
        }
        free(call);
        call = next;
    }
    for (co__loop_ext *ext = loop->exts; ext; ext = ext->next)
        if (ext->wake)
            ext->wake(loop, ext);
}

/* Polls the backend and queues what it reports. */
static int poll_io(co_loop *loop, double timeout)
{
    int n = loop->backend->poll(loop->backend_state, timeout, loop->fired,
                                loop->fired_cap);
    if (n < 0)
        return n;
    if (n > loop->fired_cap) /* a program's own backend is not trusted */
        n = loop->fired_cap;
    for (int i = 0; i < n; i++) {
        loop->fired[i].mask &= CO__READ | CO__WRITE | CO__BAD;
        if (loop->fired[i].fd != loop->chan->rfd)
            continue;
        co__chan_drain(loop->chan); /* the calls are taken just after */
        loop->fired[i] = loop->fired[--n];
        break;
    }
    co__io_queue_fired(loop, loop->fired, n);
    return 0;
}

/* Steps 1 to 4 of an iteration (loop.h): everything but running what is
 * ready. Out of line, so that an iteration with nothing to poll, no
 * doorbell and no timer (a chain of callbacks) costs only step 5. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int take_events(co_loop *loop)
{
    /* 1. How long may the poll wait? Not at all when something is ready
     *    or on its way; otherwise until the earliest timer, or for ever. */
    bool rang = co__chan_rang(loop->chan);
    double timeout = co__loop_nready(loop) || loop->stopping || rang
                         ? 0 : co__timers_timeout(loop);
    /*    Virtual time does not wait for a timer: it jumps to it. */
    double since = 0;
    if (loop->virtual_time && timeout != 0) {
        if (co__timers_jump(loop, timeout))
            timeout = 0;
        else
            since = co__monotonic();
    }
    /* 2. Poll, unless there is nothing to poll and no reason to wait. */
    if (loop->io_count || timeout != 0 || loop->keepalive) {
        int rc = poll_io(loop, timeout);
        if (rc < 0)
            return rc;
        rang = co__chan_rang(loop->chan);
    }
    /*    A poll that came back early with nothing (EINTR, a doorbell byte
     *    whose calls an earlier iteration took) did not time out. */
    if (since != 0)
        co__timers_waited(loop, since,
                          co__loop_nready(loop) == 0 && !rang &&
                              co__monotonic() - since >= timeout);
    /* 3. Calls from other threads and signals join the ready queue. */
    if (rang)
        answer_doorbell(loop);
    /* 4. Timers that are due join it, in deadline order. */
    if (loop->heap_len)
        co__timers_run_due(loop);
    return 0;
}

/* Step 5 with a watcher (debug mode, the timeline): the same, with its
 * hooks around each callback. Out of line: without one, the loop pays a
 * single branch per iteration for it. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void run_watched(co_loop *loop)
{
    for (size_t n = co__loop_nready(loop); n > 0; n--) {
        co__handle h = ready_pop(loop);
        co__probe *p = loop->probe; /* the same one before and after */
        if (p)
            p->before(p, h.fn, h.arg);
        h.fn(h.arg);
        if (p)
            p->after(p, h.fn, h.arg);
    }
}

int co__loop_run_once(co_loop *loop)
{
    /* Steps 1 to 4 have something to do unless callbacks are ready and
     * there is no fd, hold, timer or doorbell to look at. */
    if (loop->ready_tail == loop->ready_head || loop->io_count ||
        loop->keepalive ||
        loop->heap_len || co__chan_rang(loop->chan)) {
        int rc = take_events(loop);
        if (rc < 0)
            return rc;
    }
    /* 5. Run what was ready when this iteration began; what these
     *    callbacks queue waits for the next iteration. Each handle is
     *    taken off the ring before it runs: a callback may grow (move) it.
     *    Nothing but this loop takes handles off, so all n are there. */
    if (loop->probe) {
        run_watched(loop);
        return 0;
    }
    for (size_t n = co__loop_nready(loop); n > 0; n--) {
        co__handle *h = &loop->ready[loop->ready_head++ &
                                     (loop->ready_cap - 1)];
        h->fn(h->arg);
    }
    return 0;
}

/* ---- running ------------------------------------------------------------- */

/* True when nothing could ever happen again: no callback, timer, fd,
 * outside work or threadsafe call on its way. Running on would block
 * forever. */
static bool idle_forever(const co_loop *loop)
{
    return !loop->open_door && co__loop_nready(loop) == 0 &&
           loop->heap_len == 0 &&
           loop->io_count == 0 && loop->keepalive == 0 && !loop->stopping &&
           !co__chan_rang(loop->chan);
}

int co__loop_run(co_loop *loop)
{
    if (loop->closed)
        return CO_ECLOSED;
    if (loop->running || co__running_loop)
        return CO_ERUNNING;
    loop->running = true;
    /* Run by a thread other than the one that made it (the notes' loop in
     * a thread), the loop has a door open to that thread at least: with
     * nothing to do it waits for a call, as asyncio's does, instead of
     * reporting CO_EDEADLOCK. */
    loop->open_door = !pthread_equal(pthread_self(), loop->maker);
    co__running_loop = loop;
    int rc = 0;
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
    loop->running = false;
    loop->stopping = false;
    co__running_loop = NULL;
    return rc;
}

int co_loop_run_forever(co_loop *loop)
{
    if (!loop)
        return CO_EINVAL;
    return co__loop_run(loop);
}

void co_loop_stop(co_loop *loop)
{
    if (loop && !loop->closed)
        loop->stopping = true;
}
