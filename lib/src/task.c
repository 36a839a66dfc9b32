/* task.c - asyncio.Task: the future that drives one coroutine.
 * Introduced in lesson 06; cancellation in lesson 11. What the await
 * macros call (await a future, sleep, wait for an fd) is in await.c.
 *
 * A task's life: created (a first step is queued with call_soon) -> stepped
 * each time it is woken -> done, when its coroutine ends. A step resumes the
 * outermost coroutine, which resumes the child it awaits, and so on down to
 * the innermost one, which carries on from its suspension point. What woke
 * the task decides what that point sees: nothing (a yield or a timer), the
 * outcome of the future it awaited, or a cancellation. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_internal.h"

/* ---- the loop's task list (asyncio.all_tasks) ----------------------------- */

/* Invariants: `at` holds every pending task of the loop in creation order,
 * each knowing its own index (pos); a finished task leaves a NULL hole,
 * squeezed out in bulk. `live` counts the slots that are not NULL. */
typedef struct task_list {
    co__loop_ext ext;        /* how the loop knows it; must stay first */
    co_task **at;            /* pending tasks, with holes */
    size_t n, cap;           /* slots used (holes included), capacity */
    size_t live;             /* pending tasks */
    unsigned long next_id;   /* for the default name "Task-N" */
} task_list;

static void list_close(co_loop *loop, co__loop_ext *ext);

static const co__loop_ext list_proto = {.key = &list_proto,
                                        .close = list_close};

static task_list *list_of(const co_loop *loop)
{
    return (task_list *)(void *)co__loop_ext_find(loop, &list_proto);
}

static void list_close(co_loop *loop, co__loop_ext *ext)
{
    task_list *list = (task_list *)(void *)ext;
    co__tasks_abandon_all(loop);
    free(list->at);
    list->at = NULL;
    list->n = list->cap = 0;
}

/* The list of @p loop, made at its first task. NULL when out of memory. */
static task_list *list_for(co_loop *loop)
{
    return (task_list *)(void *)co__loop_ext_get(loop, &list_proto,
                                                 sizeof(task_list));
}

/* A finished task leaves a hole, so the others keep creation order (which
 * shutdown and co_all_tasks show); holes are squeezed out once they
 * outnumber the live tasks, so the work stays constant per task. */
static void list_remove(co_task *t)
{
    task_list *list = list_of(t->fut.loop);
    list->at[t->pos] = NULL;
    list->live--;
    if (list->n - list->live <= list->live + 16)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        co_task *other = list->at[i];
        if (other) {
            other->pos = (unsigned)kept;
            list->at[kept++] = other;
        }
    }
    list->n = kept;
}

size_t co_all_tasks(co_loop *loop, co_task **out, size_t max)
{
    task_list *list = loop ? list_of(loop) : NULL;
    if (!list)
        return 0;
    size_t n = 0;
    for (size_t i = 0; out && i < list->n && n < max; i++)
        if (list->at[i])
            out[n++] = list->at[i];
    return list->live;
}

co_task *co_current_task(co_loop *loop)
{
    if (!loop)
        loop = co__running_loop;
    return loop && loop == co__running_loop ? co__current_task : NULL;
}

/* ---- the future side ------------------------------------------------------ */

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

/* ---- names ---------------------------------------------------------------- */

static void set_name(co_task *t, char *owned)
{
    if (t->flags & CO__TF_NAMED)
        free(t->name.text);
    t->name.text = owned;
    t->flags |= CO__TF_NAMED;
}

const char *co_task_get_name(const co_task *t)
{
    if (!t)
        return NULL;
    if (!(t->flags & CO__TF_NAMED)) {
        /* Most tasks are never asked: the text is only made now. */
        char buf[32];
        snprintf(buf, sizeof buf, "Task-%lu", t->name.number);
        char *copy = co__strdup(buf);
        if (!copy)
            return "Task";
        set_name((co_task *)t, copy);
    }
    return t->name.text;
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

int co_task_where(const co_task *t, const char **file, int *line)
{
    if (file)
        *file = NULL;
    if (line)
        *line = 0;
    if (!t)
        return CO_EINVAL;
    if (!(t->flags & CO__TF_STARTED) || t->fut.state != CO__PENDING)
        return CO_ESTATE;
    co_coro *co = co__innermost(co__task_coro(t));
    if (file)
        *file = co->file;
    if (line)
        *line = co->lc;
    return 0;
}

/* ---- stepping ------------------------------------------------------------- */

static void task_step(co_task *t, int thrown, char *msg);
static inline void run_step(co_task *t);
static void after_step(co_task *t, co_coro *co, int status);

/* The task's frame was set up again with co_coro_init() while the task
 * still drove it: its body would start again from the top. The task ends
 * with a failure that says so instead, running nothing. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int frame_reset(co_coro *co)
{
    co__drop_outcome(co);
    co->err = CO_EINVAL;
    co->out.msg = co__strdup(
        "co_coro_init() was called on the frame of a task that had not "
        "ended: a task's frame is the task's until it ends, so its body "
        "would have started again from the top");
    return co__finish(co);
}

/* Runs the coroutine once, as the task's current coroutine. */
static inline int resume(co_task *t, co_coro *co)
{
    /* Steps never nest (a coroutine cannot run its loop), so there is no
     * outer current task to put back afterwards. */
    co__current_task = t;
    /* CO__F_TAKEN gone: co_coro_init() cleared it under the task. */
    int status = (co->flags & CO__F_TAKEN) ? co->fn(co) : frame_reset(co);
    co__current_task = NULL;
    co__clear_caught();
    return status;
}

/* A task's queued step. The common case, a task resuming after a yield
 * that yields again, is written out on its own: it has nothing to deliver
 * (no cancellation, no awaited outcome) and only needs queueing again.
 * Everything else goes the general way (task_step, after_step). */
static void step_callback(void *arg)
{
    co_task *t = arg;
    unsigned char flags = t->flags & (unsigned char)~CO__TF_SCHEDULED;
    if (t->fut.state != CO__PENDING || t->wait.future ||
        (flags & CO__TF_MUST_CANCEL)) {
        t->flags = flags;
        task_step(t, 0, NULL);
        return;
    }
    t->flags = flags | CO__TF_STARTED;
    co_coro *co = co__task_coro(t);
    int status = resume(t, co);
    if (status == CO_STATUS_YIELD && !t->wait.future &&
        !(t->flags & CO__TF_SCHEDULED) &&
        co__loop_push_open(t->fut.loop, step_callback, t, NULL) == 0) {
        t->flags |= CO__TF_SCHEDULED;
        return;
    }
    after_step(t, co, status);
}

int co__task_schedule(co_task *t)
{
    if (t->flags & CO__TF_SCHEDULED)
        return 0;
    int rc = co__loop_push(t->fut.loop, step_callback, t, NULL);
    if (rc == 0)
        t->flags |= CO__TF_SCHEDULED;
    return rc;
}

bool co__task_is_step(co_callback fn)
{
    return fn == step_callback;
}

/* Stops waiting: disarms the sleep, or returns the awaited future (whose
 * reference passes to the caller). */
co_future *co__task_stop_waiting(co_task *t)
{
    if (t->flags & CO__TF_WAIT_TIMER) {
        t->flags &= (unsigned char)~CO__TF_WAIT_TIMER;
        co__loop_sleep_cancel(t->fut.loop, &t->wait.sleep);
        t->wait.future = NULL; /* the whole word: waits on nothing */
        return NULL;
    }
    co_future *f = t->wait.future;
    t->wait.future = NULL;
    return f;
}

/* The message of a cancel on its way (NULL if none); the caller owns it. */
static char *take_cancel_msg(co_task *t)
{
    char *msg = t->fut.v.msg;
    t->fut.v.msg = NULL;
    return msg;
}

/* complete() of a task with a cancel on its way: true if that cancel is
 * its outcome. A cancel() that came after its last suspension, when the
 * coroutine then returned, cancels the task all the same (3.11), with
 * that cancel's message; otherwise the message is dropped. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static bool complete_cancelled(co_task *t, co_coro *co)
{
    char *pending = take_cancel_msg(t);
    if ((t->flags & CO__TF_MUST_CANCEL) && !co->err) {
        t->flags &= (unsigned char)~CO__TF_MUST_CANCEL;
        co__future_finish(&t->fut, CO_KIND_NONE, 0, NULL, CO_ECANCELLED,
                          pending);
        return true;
    }
    free(pending);
    return false;
}

/* The coroutine has ended: the task takes its outcome. */
static void complete(co_task *t)
{
    co_coro *co = co__task_coro(t);
    list_remove(t);
    if ((t->fut.v.msg || (t->flags & CO__TF_MUST_CANCEL)) &&
        complete_cancelled(t, co)) {
        co_task_unref(t); /* the loop's reference */
        return;
    }
    if (co->err) {
        char *msg = co->out.msg; /* it moves into the future */
        co->out.msg = NULL;
        co__future_finish(&t->fut, CO_KIND_NONE, 0, NULL, co->err, msg);
    } else if (co->flags & CO__F_STR) {
        /* A CO_RETURN_STR string moves into the future, which frees it. */
        char *str = co->out.p;
        co->flags &= (unsigned char)~CO__F_STR;
        co->out.p = NULL;
        if (co__future_finish(&t->fut, CO_KIND_STR, 0, str, 0, NULL) < 0)
            free(str);
    } else {
        co__future_finish(&t->fut, co->kind, co->out.i, co->out.p, 0,
                          NULL);
    }
    co_task_unref(t); /* the loop's reference */
}

/* Applies a cancellation (with @p msg, may be NULL) to what the task
 * waits on; true if that alone will deliver it (an awaited future that
 * accepted the cancel). A sleep is cut short and the task queued; then
 * the message is set for good, as asyncio's cancelled sleep future holds
 * the first one (CO__TF_CANCEL_SET). */
static bool cancel_wait(co_task *t, const char *msg)
{
    if (t->flags & CO__TF_WAIT_TIMER) {
        co__task_stop_waiting(t);
        co__task_schedule(t);
        return false;
    }
    return t->wait.future && co_future_cancel_msg(t->wait.future, msg) == 1;
}

static void task_step(co_task *t, int thrown, char *msg)
{
    if (t->fut.state != CO__PENDING) {
        free(msg);
        return;
    }
    if (t->flags & CO__TF_MUST_CANCEL) {
        t->flags &= (unsigned char)~(CO__TF_MUST_CANCEL | CO__TF_CANCEL_SET);
        char *pending = take_cancel_msg(t);
        if (thrown == CO_ECANCELLED) {
            free(pending); /* the awaited future's own cancellation wins */
        } else {
            free(msg);
            msg = pending;
            thrown = CO_ECANCELLED;
        }
    }
    co_future *waited = co__task_stop_waiting(t);
    if (thrown && !(t->flags & CO__TF_STARTED)) {
        /* Cancelled before its first step: as when asyncio throws into a
         * coroutine that never started, not one line of its body runs (and
         * so neither does its CO_FINALLY). The message goes on. */
        co_coro *co = co__task_coro(t);
        co__drop_outcome(co);
        co->err = thrown;
        co->out.msg = msg;
        co__finish(co);
        complete(t);
        return;
    }
    if (thrown)
        co__throw(co__innermost(co__task_coro(t)), thrown, msg);
    else if (msg)
        free(msg);
    run_step(t);
    if (waited) /* kept alive while the coroutine could still read it */
        co_future_unref(waited);
}

/* The ops' wake: future @p done, which task @p w awaits, is done. */
static void task_wake(co_future *done, co_future *w)
{
    co_task *t = (co_task *)(void *)w;
    if (t->fut.state != CO__PENDING || (t->flags & CO__TF_WAIT_TIMER) ||
        t->wait.future != done)
        return; /* stale: the task has moved on */
    char *msg;
    int thrown = co__future_outcome(done, &msg);
    co__probe *p = t->fut.loop->probe; /* debug.c: the same one after */
    if (p)
        p->note(p, CO__NOTE_STEP_BEGIN, t);
    task_step(t, thrown, msg);
    if (p)
        p->note(p, CO__NOTE_STEP_END, t);
}

/* The step did not leave the task waiting (it yielded or ended), yet an
 * await during it registered a wakeup for the task: the await was in a
 * coroutine the step drove by hand with co_coro_step(), which the task
 * never waits for. Rather than be woken later by something it no longer
 * waits on (a sleep that was simply skipped), the task gives the wakeup
 * back and ends with a failure that says what to write instead. */
static void stray_wait(co_task *t, co_coro *co, int status)
{
    co_future_unref(co__task_stop_waiting(t));
    co__settle(co, status); /* a bad return keeps its own message */
    if (!co->err) {
        co__drop_outcome(co);
        co->err = CO_EINVAL;
        co->out.msg = co__strdup(
            "a coroutine stepped by hand with co_coro_step() inside a task "
            "awaited or slept, but the task itself never waited: await a "
            "child coroutine with CO_AWAIT_CORO instead");
    }
    co__finish(co);
    complete(t);
}

/* Runs the coroutine once, then acts on the status it returns. */
static inline void run_step(co_task *t)
{
    co_coro *co = co__task_coro(t);
    t->flags |= CO__TF_STARTED;
    after_step(t, co, resume(t, co));
}

/* What a step's status means for the task. */
static void after_step(co_task *t, co_coro *co, int status)
{
    if (status != CO_STATUS_WAIT && t->wait.future) {
        stray_wait(t, co, status);
        return;
    }
    if (status == CO_STATUS_YIELD) {
        if (co__task_schedule(t) < 0)
            co_loop_report(t->fut.loop, "a task could not be rescheduled "
                                        "(out of memory)");
        return;
    }
    if (status != CO_STATUS_WAIT) {
        co__settle(co, status); /* DONE, or a bad return made a failure */
        complete(t);
        return;
    }
    /* CO_STATUS_WAIT. A cancel() during this step applies to the new wait,
     * as asyncio's Task.__step does. */
    if (t->flags & CO__TF_MUST_CANCEL) {
        bool sleeping = t->flags & CO__TF_WAIT_TIMER;
        if (cancel_wait(t, t->fut.v.msg)) {
            t->flags &= (unsigned char)~CO__TF_MUST_CANCEL;
            free(take_cancel_msg(t));
        } else if (sleeping) {
            t->flags |= CO__TF_CANCEL_SET;
        }
    }
}

/* ---- cancel(msg), cancelling(), uncancel() (asyncio 3.11) ----------------- */

/* Keeps @p owned as the message of the cancel on its way, unless a cancel
 * already reached a sleep (whose message then stands, CO__TF_CANCEL_SET). */
static void set_cancel_msg(co_task *t, char *owned)
{
    if (t->flags & CO__TF_CANCEL_SET) {
        free(owned);
        return;
    }
    free(t->fut.v.msg);
    t->fut.v.msg = owned;
}

int co_task_cancel_msg(co_task *t, const char *msg)
{
    if (!t)
        return CO_EINVAL;
    if (t->fut.state != CO__PENDING || t->fut.loop->closed)
        return 0;
    char *copy = NULL;
    if (msg && !(copy = co__strdup(msg)))
        return CO_ENOMEM;
    if (t->cancels < USHRT_MAX)
        t->cancels++;
    if (co__current_task == t) {
        /* Cancelling itself: delivered at its next suspension point. */
        set_cancel_msg(t, copy);
        t->flags |= CO__TF_MUST_CANCEL;
        return 1;
    }
    bool sleeping = t->flags & CO__TF_WAIT_TIMER;
    if (cancel_wait(t, msg)) {
        free(copy); /* the awaited future (or task) carries it */
        return 1;
    }
    /* Nothing to cancel underneath (a yield, a sleep, a future already
     * done): deliver it ourselves at the next step. */
    set_cancel_msg(t, copy);
    if (sleeping)
        t->flags |= CO__TF_CANCEL_SET;
    t->flags |= CO__TF_MUST_CANCEL;
    if (!t->wait.future)
        co__task_schedule(t);
    return 1;
}

bool co_task_cancel(co_task *t)
{
    return co_task_cancel_msg(t, NULL) == 1;
}

int co_task_cancelling(const co_task *t)
{
    return t ? (int)t->cancels : CO_EINVAL;
}

int co_task_uncancel(co_task *t)
{
    if (!t)
        return CO_EINVAL;
    if (t->cancels > 0 && t->cancels < USHRT_MAX)
        t->cancels--;
    return (int)t->cancels;
}

/* ---- creating and letting go ---------------------------------------------- */

static unsigned char task_type; /* this kind of future (registered below) */

/* Makes the task struct for @p coro: in the room co_coro_new() left in
 * front of its frame, or on its own with a pointer to the caller's frame
 * after it. NULL when out of memory. */
static co_task *task_alloc(co_coro *coro)
{
    co_task *t;
    if (coro->flags & CO__F_OWNED) {
        /* calloc zeroed the room, and CO__F_INTASK makes sure only one
         * task ever uses it. */
        t = (co_task *)(void *)((char *)coro - CO__CORO_ROOM);
        t->flags = CO__TF_INROOM;
    } else if ((t = calloc(1, CO__CORO_ROOM + sizeof coro))) {
        *(co_coro **)(void *)((char *)t + CO__CORO_ROOM) = coro;
    }
    return t;
}

/* Adds @p t to @p list, growing it if needed. 0 or CO_ENOMEM. */
static int list_add(task_list *list, co_task *t)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        co_task **grown = realloc(list->at, cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        list->at = grown;
        list->cap = cap;
    }
    t->pos = (unsigned)list->n;
    list->at[list->n++] = t;
    list->live++;
    return 0;
}

int co_create_task(co_loop *loop, co_coro *coro, const char *name,
                   co_task **task_out)
{
    if (task_out)
        *task_out = NULL;
    if (!loop || !coro || !coro->fn || coro->lc != 0 ||
        (coro->flags & (CO__F_INTASK | CO__F_TAKEN)))
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    int guard_rc = co__loop_check(loop); /* debug mode: which thread */
    if (guard_rc < 0)
        return guard_rc;
    task_list *list = list_for(loop);
    char *copy = name ? co__strdup(name) : NULL;
    co_task *t = list && (copy || !name) ? task_alloc(coro) : NULL;
    if (!t || list_add(list, t) < 0) {
        if (t && !(t->flags & CO__TF_INROOM))
            free(t);
        free(copy);
        return CO_ENOMEM;
    }
    co__future_init(&t->fut, loop, task_type); /* the loop's reference */
    if (copy)
        set_name(t, copy);
    else
        t->name.number = ++list->next_id;
    if (co__task_schedule(t) < 0) {
        list_remove(t);
        free(copy);
        co__loop_unref(loop);
        if (t->flags & CO__TF_INROOM)
            memset(t, 0, sizeof *t); /* the room is as co_coro_new left it */
        else
            free(t);
        return CO_ENOMEM;
    }
    coro->flags |= CO__F_TAKEN;
    if (coro->flags & CO__F_OWNED)
        coro->flags |= CO__F_INTASK;
    co__coro_taken(coro);                        /* debug.c */
    co__loop_note(loop, CO__NOTE_TASK_NEW, t);   /* debug.c */
    if (task_out)
        *task_out = co_task_ref(t);
    return 0;
}

/* The ops' release: what a task owns besides its future part. */
static void task_release(co_future *f)
{
    co_task *t = (co_task *)(void *)f;
    if (t->flags & CO__TF_NAMED)
        free(t->name.text);
    if (t->fut.state == CO__PENDING)
        free(take_cancel_msg(t)); /* abandoned with a cancel on its way */
    /* What the frame still owns: a message the future did not take, a
     * string from a task that never completed (abandoned). */
    co__free_outcome(co__task_coro(t));
}

/* Reports a task still pending at co_loop_close and lets it go. */
static void abandon(co_task *t)
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
    co_future_unref(co__task_stop_waiting(t));
    list_remove(t);
    co_task_unref(t);
}

void co__tasks_abandon_all(co_loop *loop)
{
    task_list *list = list_of(loop);
    if (!list)
        return;
    /* Oldest first. Letting a task go may squeeze the list, so walk a copy
     * of it (or, out of memory, take the first one each time). */
    size_t n = list->live;
    co_task **left = n ? malloc(n * sizeof *left) : NULL;
    if (left) {
        co_all_tasks(loop, left, n);
        for (size_t i = 0; i < n; i++)
            abandon(left[i]);
        free(left);
    }
    while (list->live) {
        size_t i = 0;
        while (!list->at[i])
            i++;
        abandon(list->at[i]);
    }
}

static int task_cancel_op(co_future *f, const char *msg)
{
    return co_task_cancel_msg((co_task *)(void *)f, msg);
}

static const char *task_name_op(co_future *f)
{
    return co_task_get_name((co_task *)(void *)f);
}

static const co__future_ops task_ops = {
    .what = "task",
    .cancel_msg = task_cancel_op,
    .release = task_release,
    .wake = task_wake,
    .name = task_name_op,
    .refuse_set = CO_ETASKRESULT,
};

__attribute__((constructor)) static void register_task_type(void)
{
    task_type = co__future_add_type(&task_ops);
}

/* ---- starting in one call; describing a future (repr) --------------------- */

int co_task_start(co_loop *loop, co_coro *coro, const char *name,
                  co_task **task_out)
{
    if (task_out)
        *task_out = NULL;
    if (!coro)
        return CO_ENOTSTARTED;
    /* Only a frame nobody else has may be freed on failure. */
    bool ours = (coro->flags & CO__F_OWNED) &&
                !(coro->flags & (CO__F_INTASK | CO__F_TAKEN));
    int rc = CO_ENOLOOP;
    if (!loop)
        loop = co__running_loop;
    if (loop)
        rc = co_create_task(loop, coro, name, task_out);
    if (rc < 0 && ours)
        co_coro_free(coro);
    return rc;
}

co_task *co_task_of(co_future *f)
{
    return f && f->type == task_type ? (co_task *)(void *)f : NULL;
}

int co_task_result_str(co_task *t, const char **out)
{
    return t ? co_future_result_str(&t->fut, out) : CO_EINVAL;
}

/* A growing description: what snprintf would write, cut at `size`. */
typedef struct repr_buf {
    char *at;      /* the caller's buffer */
    size_t size;   /* its size */
    size_t len;    /* the whole description's length so far */
} repr_buf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(repr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->len < b->size ? b->size - b->len : 0;
    int n = vsnprintf(room ? b->at + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len += (size_t)n;
}

/* Python's repr() of a str: quotes, escapes; non-ASCII text stays. */
static void put_quoted_bytes(repr_buf *b, const char *s, size_t n, char q)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == (unsigned char)q)
            put(b, "\\%c", c);
        else if (c == '\n')
            put(b, "\\n");
        else if (c == '\t')
            put(b, "\\t");
        else if (c == '\r')
            put(b, "\\r");
        else if (c < 0x20 || c == 0x7f)
            put(b, "\\x%02x", c);
        else
            put(b, "%c", c);
    }
}

/* Byte offset of code point @p k of UTF-8 text @p s (of @p n bytes). */
static size_t utf8_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (i < n && k) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
        k--;
    }
    return i;
}

/* reprlib.repr of a str: more than 30 characters keep the first 13 and the
 * last 14 around "...", then repr() quotes it. */
static void put_str_repr(repr_buf *b, const char *s)
{
    size_t n = strlen(s), chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    put(b, "%c", q);
    if (chars > 30) {
        size_t head = utf8_offset(s, n, 13);
        size_t tail = utf8_offset(s, n, chars - 14);
        put_quoted_bytes(b, s, head, q);
        put(b, "...");
        put_quoted_bytes(b, s + tail, n - tail, q);
    } else {
        put_quoted_bytes(b, s, n, q);
    }
    put(b, "%c", q);
}

/* `cb=[...]` as base_futures._format_callbacks: one, two, or the first,
 * "<N more>" and the last. */
static void put_callbacks(repr_buf *b, const co_future *f)
{
    if (f->state != CO__PENDING)
        return;
    if (f->one != CO__ONE_NONE) {
        put(b, " cb=[%s]", f->one == CO__ONE_WAITER ? "Task.task_wakeup()"
                                                    : "callback()");
        return;
    }
    const co__cbs *cbs = f->cbs.block;
    if (!cbs || cbs->n == 0)
        return;
    const char *names[2] = {NULL, NULL};
    size_t count = 0;
    for (unsigned i = 0; i < cbs->n;) {
        bool triple = cbs->at[i].mark == CO__CB_MARK;
        const char *what = triple ? "callback()" : "Task.task_wakeup()";
        if (count == 0)
            names[0] = what;
        names[1] = what;
        count++;
        i += triple ? 3 : 1;
    }
    if (count == 1)
        put(b, " cb=[%s]", names[0]);
    else if (count == 2)
        put(b, " cb=[%s, %s]", names[0], names[1]);
    else
        put(b, " cb=[%s, <%zu more>, %s]", names[0], count - 2, names[1]);
}

/* The name, file and definition line of a CO_ASYNC coroutine, asked of
 * its step function; false for any other (it cannot be asked safely). */
static bool coro_identity(const co_coro *co, const char **name,
                          const char **file, int *line)
{
    if (!(co->flags & CO__F_ASYNC))
        return false;
    co_coro query = {.flags = CO__F_QUERY, .lc = CO__LC_DONE};
    co->fn(&query);
    *name = query.out.p;
    *file = query.file;
    *line = query.lc;
    return *name != NULL;
}

/* `coro=<name() running at file:line>` / `... done, defined at ...`. */
static void put_coro(repr_buf *b, const co_task *t)
{
    const co_coro *co = co__task_coro(t);
    const char *name = "coroutine", *file = co->file;
    int def_line = 0;
    bool known = coro_identity(co, &name, &file, &def_line);
    if (t->fut.state != CO__PENDING) {
        if (known)
            put(b, " coro=<%s() done, defined at %s:%d>", name, file,
                def_line);
        else
            put(b, " coro=<%s() done>", name);
        return;
    }
    int line = co->lc > 0 ? co->lc : def_line;
    if (co->file)
        file = co->file;
    if (file && line > 0)
        put(b, " coro=<%s() running at %s:%d>", name, file, line);
    else
        put(b, " coro=<%s() running>", name);
}

static void put_outcome(repr_buf *b, const co_future *f)
{
    if (f->state != CO__FINISHED)
        return;
    if (f->err) {
        put(b, " exception=%s(", co_errname(f->err));
        if (f->v.msg)
            put_str_repr(b, f->v.msg);
        put(b, ")");
    } else if (f->kind == CO_KIND_INT) {
        put(b, " result=%lld", f->v.i);
    } else if (f->kind == CO_KIND_STR) {
        put(b, " result=");
        put_str_repr(b, f->v.s);
    } else if (f->kind == CO_KIND_PTR && f->v.p) {
        put(b, " result=<pointer %p>", f->v.p);
    } else {
        put(b, " result=None");
    }
}

static void put_repr(repr_buf *b, co_future *f, int depth)
{
    static const char *const states[] = {"pending", "finished", "cancelled"};
    co_task *t = co_task_of(f);
    put(b, "<%s %s", t ? "Task" : "Future", states[f->state]);
    if (t) {
        put(b, " name=");
        put_str_repr(b, co_task_get_name(t));
        put_coro(b, t);
        if (f->state == CO__PENDING && !(t->flags & CO__TF_WAIT_TIMER) &&
            t->wait.future) {
            put(b, " wait_for=");
            if (depth < 8)
                put_repr(b, t->wait.future, depth + 1);
            else
                put(b, "...");
        }
    }
    put_outcome(b, f);
    put_callbacks(b, f);
    put(b, ">");
}

int co_future_repr(co_future *f, char *buf, size_t size)
{
    if (!f || (!buf && size))
        return CO_EINVAL;
    repr_buf b = {.at = buf, .size = size, .len = 0};
    if (size)
        buf[0] = '\0';
    put_repr(&b, f, 0);
    return b.len > (size_t)INT_MAX ? INT_MAX : (int)b.len;
}
