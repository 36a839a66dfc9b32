/* await.c - what the await macros of coflow/coro.h call inside a task:
 * await a future, sleep, wait for a file descriptor. Introduced in lesson
 * 05 (await and sleep); lesson 16 waits for descriptors.
 *
 * Awaiting a pending future registers the task as a waiter of that future
 * (one slot of its callbacks) and suspends it; the task's step runs again
 * once the future is done, one ready-queue hop later, as in asyncio. */
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

/* A sleep is over. As in asyncio, where the timer only completes the
 * sleep's future and the future's done-callback queues the task's step,
 * the task resumes on the next iteration, behind whatever the callbacks of
 * this one have queued: not inside the timer's own callback. */
static void timer_fired(void *arg)
{
    co_task *t = arg;
    co__task_stop_waiting(t); /* gives the timer back */
    if (co__task_schedule(t) < 0)
        co_loop_report(t->fut.loop, "a task could not be woken from a sleep "
                                    "(out of memory)");
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
    co_timer *timer = co__timer_start(t->fut.loop, seconds, timer_fired, t);
    if (!timer) {
        co__throw(co, CO_ENOMEM, NULL);
        return CO_STATUS_DONE;
    }
    t->wait.timer = timer;
    t->flags |= CO__TF_WAIT_TIMER;
    return CO_STATUS_WAIT;
}

/* ---- waiting for a file descriptor ---------------------------------------- */

/* Waiting for an fd is awaiting a private future that the fd's watch
 * completes. The watch holds its own reference on the future; cancelling
 * the future removes the watch. */
typedef struct fd_wait {
    co_future fut;  /* the future the task awaits; must stay first */
    int fd;         /* the descriptor */
    bool writable;  /* waiting to write, not to read */
} fd_wait;

static void unwatch(fd_wait *w)
{
    if (w->writable)
        co_loop_remove_writer(w->fut.loop, w->fd);
    else
        co_loop_remove_reader(w->fut.loop, w->fd);
}

static void fd_ready(int fd, int status, void *arg)
{
    fd_wait *w = arg;
    (void)fd;
    unwatch(w);
    if (status < 0)
        co_future_set_exception(&w->fut, status, NULL);
    else
        co_future_set_result_int(&w->fut, 0);
    co_future_unref(&w->fut); /* the watch's reference */
}

/* The watch's release when the loop closes with it still on. */
static void drop_watch(void *arg)
{
    co_future_unref(arg);
}

static void fd_wait_done(co_future *f, void *arg)
{
    (void)arg;
    fd_wait *w = (fd_wait *)(void *)f;
    if (f->state != CO__CANCELLED)
        return; /* fd_ready completed it and removed the watch */
    if (co__loop_watching(f->loop, w->fd, w->writable, fd_ready, w)) {
        unwatch(w);
        co_future_unref(f);
    }
}

int co__await_fd(co_coro *co, int fd, int writable)
{
    co_task *t = running_task(co);
    if (!t)
        return CO_STATUS_DONE;
    co_loop *loop = t->fut.loop;
    co_future *f;
    int rc = co__future_new_typed(loop, sizeof(fd_wait), 0, &f);
    if (rc == 0) {
        fd_wait *w = (fd_wait *)(void *)f;
        w->fd = fd;
        w->writable = writable != 0;
        rc = co__loop_watch(loop, fd, w->writable, fd_ready, w, drop_watch);
        if (rc == 0) {
            co_future_ref(f); /* the watch's reference */
            rc = co_future_add_done_callback(f, fd_wait_done, NULL);
            if (rc < 0) {
                unwatch(w);
                co_future_unref(f);
            }
        }
    }
    if (rc < 0) {
        co_future_unref(f);
        co__throw(co, rc, NULL);
        return CO_STATUS_DONE;
    }
    int status = co__await_future(co, f);
    co_future_unref(f); /* the task holds its own while it waits */
    return status;
}
