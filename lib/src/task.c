/* task.c - asyncio.Task: the future that drives one coroutine.
 * Introduced in lesson 06; cancellation in lesson 11.
 *
 * A task's life: created (a first step is queued with call_soon) -> stepped
 * each time it is woken -> done, when its coroutine ends. A step resumes the
 * outermost coroutine, which resumes the child it awaits, and so on down to
 * the innermost one, which carries on from its suspension point. What woke
 * the task decides what that point sees: nothing (a yield or a timer), the
 * outcome of the future it awaited, or a cancellation. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

co_future *co__task_future(co_task *t)
{
    return t ? &t->fut : NULL;
}

co_future *co__future_self(co_future *f)
{
    return f;
}

co_future *co_task_future(co_task *t)
{
    return co__task_future(t);
}

co_task *co_task_ref(co_task *t)
{
    if (t)
        t->fut.refs++;
    return t;
}

void co_task_unref(co_task *t)
{
    co_future_unref(t ? &t->fut : NULL);
}

bool co_task_done(const co_task *t)
{
    return t && co_future_done(&t->fut);
}

bool co_task_cancelled(const co_task *t)
{
    return t && co_future_cancelled(&t->fut);
}

int co_task_result_int(co_task *t, long long *out)
{
    return t ? co_future_result_int(&t->fut, out) : CO_EINVAL;
}

int co_task_result_ptr(co_task *t, void **out)
{
    return t ? co_future_result_ptr(&t->fut, out) : CO_EINVAL;
}

co_coro *co_task_get_coro(const co_task *t)
{
    return t ? co__task_coro(t) : NULL;
}

/* The name word holds either an owned string or, until somebody asks for
 * the name, just the N of "Task-N" (shifted, low bit set: strings are
 * aligned, so their low bit is 0). Most tasks are never asked. */
static bool name_is_number(const co_task *t)
{
    return t->name & 1;
}

static void set_name(co_task *t, char *owned)
{
    if (!name_is_number(t))
        free((char *)t->name);
    t->name = (uintptr_t)owned;
}

const char *co_task_get_name(const co_task *t)
{
    if (!t)
        return NULL;
    if (name_is_number(t)) {
        char buf[32];
        snprintf(buf, sizeof buf, "Task-%lu", (unsigned long)(t->name >> 1));
        char *copy = co__strdup(buf);
        if (!copy)
            return "Task";
        set_name((co_task *)t, copy);
    }
    return (const char *)t->name;
}

int co_task_set_name(co_task *t, const char *name)
{
    if (!t || !name)
        return CO_EINVAL;
    char *copy = co__strdup(name);
    if (!copy)
        return CO_ENOMEM;
    set_name(t, copy);
    return 0;
}

static co_coro *innermost(co_coro *co)
{
    while (co->callee)
        co = co->callee;
    return co;
}

int co_task_where(const co_task *t, const char **file, int *line)
{
    if (file)
        *file = NULL;
    if (line)
        *line = 0;
    if (!t)
        return CO_EINVAL;
    if (!(t->fut.tflags & CO__TF_STARTED) || t->fut.state != CO__PENDING)
        return CO_ESTATE;
    co_coro *co = innermost(co__task_coro(t));
    if (file)
        *file = co->file;
    if (line)
        *line = co->lc;
    return 0;
}

co_task *co_current_task(co_loop *loop)
{
    if (!loop)
        loop = co__running_loop;
    return loop ? loop->current : NULL;
}

size_t co_all_tasks(co_loop *loop, co_task **out, size_t max)
{
    if (!loop)
        return 0;
    size_t n = 0;
    for (size_t i = 0; out && i < loop->ntasks && n < max; i++)
        if (loop->tasks[i])
            out[n++] = loop->tasks[i];
    return loop->tasks_live;
}

/* ---- stepping ----------------------------------------------------------- */

static void task_step(co_task *t, int thrown, char *msg);
static inline void run_step(co_task *t);

static void step_callback(void *arg)
{
    co_task *t = arg;
    t->fut.tflags &= (unsigned char)~CO__TF_SCHEDULED;
    /* The common case, a task resuming after a yield, has nothing to
     * deliver: no cancellation, no awaited outcome. */
    if (t->fut.state == CO__PENDING && !co__task_wait(t) &&
        !(t->fut.tflags & CO__TF_MUST_CANCEL))
        run_step(t);
    else
        task_step(t, 0, NULL);
}

static int schedule_step(co_task *t)
{
    if (t->fut.tflags & CO__TF_SCHEDULED)
        return 0;
    int rc = co__ready_push_plain(t->fut.loop, step_callback, t);
    if (rc == 0)
        t->fut.tflags |= CO__TF_SCHEDULED;
    return rc;
}

/* What a coroutine awaiting @p f sees once it is done: 0, or the failure
 * (the message copied into *msg). Awaiting a failure counts as reading it. */
static int outcome_of(co_future *f, char **msg)
{
    *msg = NULL;
    if (f->state == CO__CANCELLED)
        return CO_ECANCELLED;
    if (f->err) {
        f->flags |= CO__FF_RETRIEVED;
        *msg = co__strdup(f->v.msg);
    }
    return f->err;
}

/* The done-callback by which an awaited future wakes its task (registered
 * with co__future_add_waiter, in one slot). */
void co__task_wakeup(co_future *f, void *arg)
{
    co_task *t = arg;
    if (t->fut.state != CO__PENDING || co__task_wait(t) != f ||
        (t->fut.tflags & CO__TF_WAIT_TIMER))
        return; /* stale: the task has moved on */
    char *msg;
    int thrown = outcome_of(f, &msg);
    task_step(t, thrown, msg);
}

static int schedule_step(co_task *t);
static co_future *take_wait(co_task *t);

/* A sleep is over. As in asyncio, where the timer only completes the
 * sleep's future and the future's done-callback queues the task's step,
 * the task resumes on the next iteration, behind whatever the callbacks of
 * this one have queued: not inside the timer's own callback. */
static void timer_fired(void *arg)
{
    co_task *t = arg;
    take_wait(t); /* gives the timer back */
    if (schedule_step(t) < 0)
        co_loop_report(t->fut.loop, "a task could not be woken from a sleep "
                                    "(out of memory)");
}

/* Stops waiting: drops the awaited future or gives back the sleep timer. */
static co_future *take_wait(co_task *t)
{
    void *w = co__task_wait(t);
    co__task_wait(t) = NULL;
    if (w && (t->fut.tflags & CO__TF_WAIT_TIMER)) {
        t->fut.tflags &= (unsigned char)~CO__TF_WAIT_TIMER;
        co__timer_release(t->fut.loop, w);
        return NULL;
    }
    return w;
}

/* A finished task leaves a hole, so the others keep creation order (which
 * shutdown and co_all_tasks show); holes are squeezed out once they
 * outnumber the live tasks, so the work stays constant per task. */
static void remove_from_loop(co_task *t)
{
    co_loop *loop = t->fut.loop;
    loop->tasks[t->fut.pos] = NULL;
    loop->tasks_live--;
    if (loop->ntasks - loop->tasks_live <= loop->tasks_live + 16)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < loop->ntasks; i++) {
        co_task *other = loop->tasks[i];
        if (other) {
            other->fut.pos = (unsigned)kept;
            loop->tasks[kept++] = other;
        }
    }
    loop->ntasks = kept;
}

/* The coroutine has ended: the task takes its outcome. */
static void complete(co_task *t)
{
    co_coro *co = co__task_coro(t);
    remove_from_loop(t);
    char *msg = co->errmsg;
    co->errmsg = NULL;
    if (co->err)
        co__future_finish(&t->fut, CO_KIND_NONE, 0, NULL, co->err, msg);
    else
        co__future_finish(&t->fut, co->kind, co->value.i, co->value.p, 0,
                          NULL);
    co_task_unref(t); /* the loop's reference */
}

/* Applies a cancellation to what the task waits on; true if that alone
 * will deliver it (an awaited future that accepted the cancel). */
static bool cancel_wait(co_task *t)
{
    if (!co__task_wait(t))
        return false;
    if (t->fut.tflags & CO__TF_WAIT_TIMER) {
        take_wait(t);
        schedule_step(t);
        return false;
    }
    return co_future_cancel(co__task_wait(t));
}

static void task_step(co_task *t, int thrown, char *msg)
{
    if (t->fut.state != CO__PENDING) {
        free(msg);
        return;
    }
    if (t->fut.tflags & CO__TF_MUST_CANCEL) {
        t->fut.tflags &= (unsigned char)~CO__TF_MUST_CANCEL;
        free(msg);
        msg = NULL;
        thrown = CO_ECANCELLED;
    }
    co_future *waited = take_wait(t);
    if (thrown && !(t->fut.tflags & CO__TF_STARTED)) {
        /* Cancelled before its first step: as when asyncio throws into a
         * coroutine that never started, not one line of its body runs (and
         * so neither does its CO_FINALLY). */
        free(msg);
        co_coro *co = co__task_coro(t);
        co->err = thrown;
        co__finish(co);
        complete(t);
        return;
    }
    if (thrown)
        co__throw(innermost(co__task_coro(t)), thrown, msg);
    else if (msg)
        free(msg);
    run_step(t);
    if (waited) /* kept alive while the coroutine could still read it */
        co_future_unref(waited);
}

/* The step did not leave the task waiting (it yielded or ended), yet an
 * await during it registered a wakeup for the task: the await was in a
 * coroutine the step drove by hand with co_coro_step(), which the task
 * never waits for. Rather than be woken later by something it no longer
 * waits on (a sleep that was simply skipped), the task gives the wakeup
 * back and ends with a failure that says what to write instead. */
static void stray_wait(co_task *t, co_coro *co, int status)
{
    co_future_unref(take_wait(t));
    co__settle(co, status); /* a bad return keeps its own message */
    if (!co->err) {
        free(co->errmsg);
        co->errmsg = co__strdup(
            "a coroutine stepped by hand with co_coro_step() inside a task "
            "awaited or slept, but the task itself never waited: await a "
            "child coroutine with CO_AWAIT_CORO instead");
        co->err = CO_EINVAL;
        co->kind = CO_KIND_NONE;
    }
    co__finish(co);
    complete(t);
}

/* Runs the coroutine once, then acts on the status it returns. */
static inline void run_step(co_task *t)
{
    co_loop *loop = t->fut.loop;
    co_coro *co = co__task_coro(t);
    /* Steps never nest (a coroutine cannot run its loop), so there is no
     * outer current task to put back afterwards. */
    loop->current = t;
    t->fut.tflags |= CO__TF_STARTED;
    int status = co->fn(co);
    loop->current = NULL;
    co__clear_caught();

    if (status != CO_STATUS_WAIT && co__task_wait(t)) {
        stray_wait(t, co, status);
        return;
    }
    if (status == CO_STATUS_YIELD) { /* the common case first */
        if (schedule_step(t) < 0)
            co_loop_report(loop, "a task could not be rescheduled (out of "
                                 "memory)");
        return;
    }
    if (status != CO_STATUS_WAIT) {
        co__settle(co, status); /* DONE, or a bad return made a failure */
        complete(t);
        return;
    }
    /* CO_STATUS_WAIT. A cancel() during this step applies to the new wait,
     * as asyncio's Task.__step does. */
    if ((t->fut.tflags & CO__TF_MUST_CANCEL) && cancel_wait(t))
        t->fut.tflags &= (unsigned char)~CO__TF_MUST_CANCEL;
}

bool co_task_cancel(co_task *t)
{
    if (!t || t->fut.state != CO__PENDING || t->fut.loop->closed)
        return false;
    if (t->fut.loop->current == t) {
        /* Cancelling itself: delivered at its next suspension point. */
        t->fut.tflags |= CO__TF_MUST_CANCEL;
        return true;
    }
    if (!cancel_wait(t)) {
        /* Nothing to cancel underneath (a yield, a timer, a future already
         * done): deliver it ourselves at the next step. */
        t->fut.tflags |= CO__TF_MUST_CANCEL;
        if (!co__task_wait(t))
            schedule_step(t);
    }
    return true;
}

int co_create_task(co_loop *loop, co_coro *coro, const char *name,
                   co_task **task_out)
{
    if (task_out)
        *task_out = NULL;
    if (!loop || !coro || !coro->fn || coro->lc != 0 ||
        (coro->flags & CO__F_INTASK))
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    char *copy = NULL;
    if (name && !(copy = co__strdup(name)))
        return CO_ENOMEM;
    if (loop->ntasks == loop->tasks_cap) {
        size_t cap = loop->tasks_cap ? loop->tasks_cap * 2 : 16;
        co_task **grown = realloc(loop->tasks, cap * sizeof *grown);
        if (!grown) {
            free(copy);
            return CO_ENOMEM;
        }
        loop->tasks = grown;
        loop->tasks_cap = cap;
    }
    co_task *t;
    if (coro->flags & CO__F_OWNED) {
        /* The room co_coro_new() left in front of the frame: calloc zeroed
         * it, and CO__F_INTASK makes sure only one task ever uses it. */
        t = (co_task *)(void *)((char *)coro - CO__TASK_SLOT);
        t->fut.tflags = CO__TF_INSLOT;
    } else if ((t = calloc(1, CO__TASK_SLOT + sizeof coro))) {
        /* The caller's frame: a pointer to it follows the task. */
        *(co_coro **)(void *)((char *)t + CO__TASK_SLOT) = coro;
    } else {
        free(copy);
        return CO_ENOMEM;
    }
    t->fut.loop = loop;
    t->fut.refs = 1; /* the loop's, until the task is done */
    t->fut.flags = CO__FF_TASK;
    t->name = copy ? (uintptr_t)copy : ((uintptr_t)++loop->next_task_id << 1) | 1;
    if (schedule_step(t) < 0) {
        free(copy);
        if (!(coro->flags & CO__F_OWNED))
            free(t);
        return CO_ENOMEM;
    }
    if (coro->flags & CO__F_OWNED)
        coro->flags |= CO__F_INTASK;
    co__loop_ref(loop);
    t->fut.pos = (unsigned)loop->ntasks;
    loop->tasks[loop->ntasks++] = t;
    loop->tasks_live++;
    if (task_out)
        *task_out = co_task_ref(t);
    return 0;
}

void co__task_release(co_task *t)
{
    set_name(t, NULL);
    co_coro *co = co__task_coro(t);
    free(co->errmsg);
    co->errmsg = NULL;
}

/* Called by co_loop_close for each task still pending. */
void co__task_abandon(co_task *t)
{
    char line[512];
    const char *file;
    int where_line;
    if (co_task_where(t, &file, &where_line) == 0)
        snprintf(line, sizeof line,
                 "task was destroyed but it is pending: %s (suspended at "
                 "%s:%d)",
                 co_task_get_name(t), file, where_line);
    else
        snprintf(line, sizeof line,
                 "task was destroyed but it is pending: %s (never started)",
                 co_task_get_name(t));
    co_loop_report(t->fut.loop, line);
    co_future_unref(take_wait(t));
    remove_from_loop(t);
    co_task_unref(t);
}

/* ---- what the await macros call ---------------------------------------- */

static co_task *running_task(co_coro *co)
{
    co_loop *loop = co__running_loop;
    co_task *t = loop ? loop->current : NULL;
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
        int thrown = outcome_of(f, &msg);
        if (thrown)
            co__throw(co, thrown, msg);
        return CO_STATUS_DONE;
    }
    int rc = co__future_add_waiter(f, t);
    if (rc < 0) {
        co__throw(co, rc, NULL);
        return CO_STATUS_DONE;
    }
    co__task_wait(t) = co_future_ref(f);
    return CO_STATUS_WAIT;
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
    co__task_wait(t) = timer;
    t->fut.tflags |= CO__TF_WAIT_TIMER;
    return CO_STATUS_WAIT;
}

/* Waiting for an fd is awaiting a private future that the fd's watch
 * completes. While pending, that future keeps the fd and direction in v.i
 * (a pending future has no value yet), so cancelling it can remove the
 * watch. The watch holds its own reference on the future. */
static void fd_ready(int fd, int status, void *arg)
{
    co_future *f = arg;
    long long key = f->v.i;
    if (key & 1)
        co_loop_remove_writer(f->loop, fd);
    else
        co_loop_remove_reader(f->loop, fd);
    if (status < 0)
        co_future_set_exception(f, status, NULL);
    else
        co_future_set_result_int(f, 0);
    co_future_unref(f); /* the watch's reference */
}

static void fd_wait_done(co_future *f, void *arg)
{
    (void)arg;
    if (f->state != CO__CANCELLED)
        return; /* fd_ready completed it and removed the watch */
    int fd = (int)(f->v.i >> 1);
    co__io *io = fd < f->loop->io_cap ? &f->loop->io[fd] : NULL;
    if (!io)
        return;
    if ((f->v.i & 1) && io->writer == fd_ready && io->writer_arg == f) {
        co_loop_remove_writer(f->loop, fd);
        co_future_unref(f);
    } else if (!(f->v.i & 1) && io->reader == fd_ready &&
               io->reader_arg == f) {
        co_loop_remove_reader(f->loop, fd);
        co_future_unref(f);
    }
}

bool co__is_fd_wait(co_io_callback fn)
{
    return fn == fd_ready;
}

int co__await_fd(co_coro *co, int fd, int writable)
{
    co_task *t = running_task(co);
    if (!t)
        return CO_STATUS_DONE;
    co_future *f;
    int rc = co_future_new(t->fut.loop, &f);
    if (rc == 0) {
        f->v.i = (long long)fd * 2 + (writable ? 1 : 0);
        rc = writable ? co_loop_add_writer(t->fut.loop, fd, fd_ready, f)
                      : co_loop_add_reader(t->fut.loop, fd, fd_ready, f);
        if (rc == 0) {
            co_future_ref(f); /* the watch's reference */
            rc = co_future_add_done_callback(f, fd_wait_done, NULL);
            if (rc < 0) {
                if (writable)
                    co_loop_remove_writer(t->fut.loop, fd);
                else
                    co_loop_remove_reader(t->fut.loop, fd);
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
