/* await.c - what the await macros of coflow/coro.h call inside a task:
 * await a future, sleep, wait for a file descriptor. Introduced in lesson
 * 05 (await and sleep); lesson 16 waits for descriptors.
 *
 * Awaiting a pending future registers the task as a waiter of that future
 * (one slot of its callbacks) and suspends it; the task's step runs again
 * once the future is done, one ready-queue hop later, as in asyncio. */
#include <stddef.h>
#include <stdio.h>

#include "task_internal.h"

/* The running task, or NULL after throwing CO_ENOTASK into @p co. */
static co_task *running_task(co_coro *co)
{
    co_task *t = co__current_task;
    if (!t)
        co__throw(co, CO_ENOTASK, NULL);
    return t;
}

int co__await_future(co_coro *co, co_future *f)
{
    co_task *t = running_task(co);
    if (!t)
        return CO_STATUS_DONE;
    int err = 0;
    if (!f)
        err = CO_EINVAL;
    else if (f->loop != t->fut.loop)
        err = CO_EWRONGLOOP;
    else if (f == &t->fut)
        err = CO_EAWAITSELF;
    if (err) {
        co__throw(co, err, NULL);
        return CO_STATUS_DONE;
    }
    if (f->state != CO__PENDING) {
        /* Already done: no suspension, as awaiting a done future in
         * asyncio returns at once. */
        char *msg;
        int thrown = co__future_outcome(f, &msg);
        if (thrown)
            co__throw(co, thrown, msg);
        return CO_STATUS_DONE;
    }
    int rc = co__future_add_waiter(f, &t->fut);
    if (rc < 0) {
        co__throw(co, rc, NULL);
        return CO_STATUS_DONE;
    }
    t->wait.future = co_future_ref(f);
    return CO_STATUS_WAIT;
}

/* A sleep is over (the loop's co__loop_sleep_hook). As in asyncio, where
 * the timer only completes the sleep's future and the future's
 * done-callback queues the task's step, the task resumes on the next
 * iteration, behind whatever the callbacks of this one have queued: not
 * inside the timer's own handle. The sleep lives inside the task
 * (wait.sleep), so a sleep allocates nothing. */
static void timer_fired(co__tnode *node)
{
    co_task *t = (co_task *)(void *)((char *)node -
                                     offsetof(co_task, wait.sleep));
    co__loop_note(t->fut.loop, CO__NOTE_TASK_READY, t); /* debug.c */
    co__task_stop_waiting(t); /* the sleep is over */
    if (co__task_schedule(t) < 0)
        co_loop_report(t->fut.loop, "a task could not be woken from a sleep "
                                    "(out of memory)");
}

__attribute__((constructor)) static void register_sleep_hook(void)
{
    co__loop_sleep_hook = timer_fired;
}

int co__sleep(co_coro *co, double seconds)
{
    co_task *t = running_task(co);
    if (!t)
        return CO_STATUS_DONE;
    if (seconds != seconds) { /* NaN */
        co__throw(co, CO_EINVAL, NULL);
        return CO_STATUS_DONE;
    }
    if (seconds <= 0)
        return CO_STATUS_YIELD;
    if (co__loop_sleep_start(t->fut.loop, &t->wait.sleep, seconds) < 0) {
        co__throw(co, CO_ENOMEM, NULL);
        return CO_STATUS_DONE;
    }
    t->flags |= CO__TF_WAIT_TIMER;
    return CO_STATUS_WAIT;
}

/* ---- waiting for a file descriptor ---------------------------------------- */

/* Waiting for an fd is awaiting a private future that the fd's watch
 * completes. The watch holds its own reference on the future, released by
 * the watch's drop, which the loop runs whenever the watch ends (io.c).
 * As asyncio's add_reader, the loop keeps one reader and one writer per fd,
 * so two tasks cannot both wait to read one fd: the second is refused at
 * once, and a task whose watch somebody else removes or replaces fails
 * instead of waiting for ever (asyncio's StreamReader refuses a second
 * concurrent read the same way). */
typedef struct fd_wait {
    co_future fut;  /* the future the task awaits; must stay first */
    int fd;         /* the descriptor */
    bool writable;  /* waiting to write, not to read */
    char name[24];  /* "5 readable": what debug reports call it */
} fd_wait;

/* A kind of future of its own only so that debug reports and the timeline
 * can say "fd 5 readable" instead of "a future"; it behaves as a plain one. */
static const char *fd_wait_name(co_future *f)
{
    return ((fd_wait *)(void *)f)->name;
}

static const co__future_ops fd_wait_ops = {.what = "fd",
                                           .name = fd_wait_name};
CO__FUTURE_TYPE(fd_wait_type, fd_wait_ops)

static void unwatch(fd_wait *w)
{
    if (w->writable)
        co_loop_remove_writer(w->fut.loop, w->fd);
    else
        co_loop_remove_reader(w->fut.loop, w->fd);
}

/* The fd is ready (or was closed): complete the future, then end the watch
 * (whose drop lets go of the watch's reference). */
static void fd_ready(int fd, int status, void *arg)
{
    fd_wait *w = arg;
    (void)fd;
    if (status < 0)
        co_future_set_exception(&w->fut, status, NULL);
    else
        co_future_set_result_int(&w->fut, 0);
    unwatch(w); /* already gone after CO_EBADF: the loop took it off */
}

/* The watch has ended. If the future is still pending, nobody here ended
 * it: someone else's remove or add took the fd away, and the task must
 * hear it (on a loop that is closing, the future cannot change any more
 * and this does nothing). */
static void drop_watch(void *arg)
{
    fd_wait *w = arg;
    if (w->fut.state == CO__PENDING) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "fd %d stopped being watched while a task awaited it %s: "
                 "%s replaced or removed its watch (one %s per descriptor, "
                 "as in asyncio)",
                 w->fd, w->writable ? "writable" : "readable",
                 w->writable ? "co_loop_add_writer or co_loop_remove_writer"
                             : "co_loop_add_reader or co_loop_remove_reader",
                 w->writable ? "writer" : "reader");
        co_future_set_exception(&w->fut, CO_EFDBUSY, msg);
    }
    co_future_unref(&w->fut);
}

static void fd_wait_done(co_future *f, void *arg)
{
    (void)arg;
    fd_wait *w = (fd_wait *)(void *)f;
    if (f->state != CO__CANCELLED)
        return; /* fd_ready or drop_watch completed it: the watch is over */
    if (co__loop_watching(f->loop, w->fd, w->writable, fd_ready, w))
        unwatch(w);
}

/* Throws CO_EFDBUSY into @p co: @p fd already has a reader (a writer). */
static int refuse_busy(co_coro *co, int fd, bool writable)
{
    char msg[256];
    snprintf(msg, sizeof msg,
             "fd %d already has a %s (another task awaiting it %s, or a "
             "%s callback): a descriptor has one %s at a time, as in "
             "asyncio, so only one task may wait for it",
             fd, writable ? "writer" : "reader",
             writable ? "writable" : "readable",
             writable ? "co_loop_add_writer" : "co_loop_add_reader",
             writable ? "writer" : "reader");
    co__throw(co, CO_EFDBUSY, co__strdup(msg));
    return CO_STATUS_DONE;
}

int co__await_fd(co_coro *co, int fd, int writable)
{
    co_task *t = running_task(co);
    if (!t)
        return CO_STATUS_DONE;
    co_loop *loop = t->fut.loop;
    if (co__loop_watching(loop, fd, writable != 0, NULL, NULL))
        return refuse_busy(co, fd, writable != 0);
    co_future *f;
    int rc = co__future_new_typed(loop, sizeof(fd_wait), fd_wait_type, &f);
    if (rc == 0) {
        fd_wait *w = (fd_wait *)(void *)f;
        w->fd = fd;
        w->writable = writable != 0;
        snprintf(w->name, sizeof w->name, "%d %s", fd,
                 writable ? "writable" : "readable");
        /* The callback first: once the watch is on, only its drop may
         * release the watch's reference. */
        rc = co_future_add_done_callback(f, fd_wait_done, NULL);
        if (rc == 0) {
            co_future_ref(f); /* the watch's reference */
            rc = co__loop_watch(loop, fd, w->writable, fd_ready, w,
                                drop_watch);
            if (rc < 0)
                co_future_unref(f);
        }
        if (rc < 0)
            co_future_unref(f);
    }
    if (rc < 0) {
        co__throw(co, rc, NULL);
        return CO_STATUS_DONE;
    }
    int status = co__await_future(co, f);
    co_future_unref(f); /* the task holds its own while it waits */
    return status;
}
