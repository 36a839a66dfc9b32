/* taskgroup.c - asyncio.TaskGroup (Python 3.11's taskgroups.py) on the
 * task's cancel counts. Lesson 11; docs/cancellation.md.
 *
 * The group watches each of its tasks with a done-callback. The first
 * failure cancels the other tasks and the task the group runs in (the
 * parent), so that whatever the body awaits is interrupted; the group's
 * exit takes that cancel back with uncancel(), waits until no task is
 * left, and fails with every failure it collected. The failures travel
 * as the message of one CO_EGROUP failure, so they belong to whoever
 * holds the failure, like any other message: nothing for the group to
 * free once it has ended, however the parent goes on. The message is
 * readable, and exact to read back (each entry says its length):
 *
 *     unhandled errors in a TaskGroup (2 sub-exceptions)
 *      [1] CO_EFAIL -17 (4): boom
 *      [2] CO_EUSER -1001 (12): disk is full
 *
 * The group keeps no reference to its tasks: a pending task is alive
 * (its loop holds it) and the group forgets it in its done-callback,
 * while that callback still holds the finished one.
 *
 * An open group holds a reference on its parent, and the parent (its
 * frame) holds the group: if the loop closes while the parent is pending,
 * the parent is let go without its frame ever reaching the group's
 * CO_FINALLY, and that cycle would keep the parent, the future the exit
 * awaits and the loop itself alive for ever. So each loop keeps a list of
 * its open groups (a loop extension), and its close lets go of what each
 * one still holds. Nothing of a group runs after that: the callbacks on
 * its children are either never queued (a child let go pending) or
 * dropped unrun (a child that ended with its callbacks queued). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coflow/loop.h"
#include "coflow/taskgroup.h"
#include "loop_internal.h"

void co_taskgroup_init(co_taskgroup *tg)
{
    if (tg)
        memset(tg, 0, sizeof *tg);
}

static bool open_or_exiting(const co_taskgroup *tg)
{
    return tg->state == CO_TASKGROUP_OPEN ||
           tg->state == CO_TASKGROUP_EXITING;
}

static int group_step(co_coro *co);

/* ---- the open groups of a loop -------------------------------------------- */

/* Invariant: `at` holds every group of the loop that is open or exiting
 * (entered, its CO_FINALLY not reached), in no particular order. */
typedef struct group_list {
    co__loop_ext ext;    /* how the loop knows it; must stay first */
    co_taskgroup **at;   /* the open groups */
    size_t n, cap;       /* how many, room for how many */
} group_list;

static void groups_close(co_loop *loop, co__loop_ext *ext);

static const co__loop_ext groups_proto = {.key = &groups_proto,
                                          .close = groups_close};

/* Frees what @p tg owns besides its parent: its tasks' list, failures
 * and messages, and its reference on the future the exit awaits. */
static void release_group(co_taskgroup *tg)
{
    for (size_t i = 0; i < tg->nerrors; i++)
        free(tg->errors[i].msg);
    free(tg->errors);
    tg->errors = NULL;
    tg->nerrors = tg->errcap = tg->lost = 0;
    free(tg->tasks);
    tg->tasks = NULL;
    tg->ntasks = tg->cap = 0;
    free(tg->body_msg);
    free(tg->cancel_msg);
    free(tg->group_msg);
    tg->body_msg = tg->cancel_msg = tg->group_msg = NULL;
    co_future_unref(tg->all_done);
    tg->all_done = NULL;
}

/* The loop closes: every group still open lets go. A parent's last
 * reference may be a group's, and freeing the parent may free the frame
 * that holds that group or others of the list, so every group is
 * released before any parent is: the list's slots take the parents
 * meanwhile. */
static void groups_close(co_loop *loop, co__loop_ext *ext)
{
    (void)loop;
    group_list *list = (group_list *)(void *)ext;
    for (size_t i = 0; i < list->n; i++) {
        co_taskgroup *tg = list->at[i];
        release_group(tg);
        list->at[i] = (co_taskgroup *)(void *)tg->parent;
        tg->parent = NULL;
        tg->state = CO_TASKGROUP_DONE;
    }
    for (size_t i = 0; i < list->n; i++)
        co_task_unref((co_task *)(void *)list->at[i]);
    free(list->at);
    list->at = NULL;
    list->n = list->cap = 0;
}

/* Adds @p tg to the open groups of @p loop. 0 or CO_ENOMEM. */
static int groups_add(co_loop *loop, co_taskgroup *tg)
{
    group_list *list = (group_list *)(void *)co__loop_ext_get(
        loop, &groups_proto, sizeof(group_list));
    if (!list)
        return CO_ENOMEM;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 4;
        co_taskgroup **grown = realloc(list->at, cap * sizeof *grown);
        if (!grown)
            return CO_ENOMEM;
        list->at = grown;
        list->cap = cap;
    }
    list->at[list->n++] = tg;
    return 0;
}

/* Takes @p tg off the open groups of @p loop: every time it is there (a
 * group reset with co_taskgroup_init while open, then entered again, is
 * listed twice). A walk over the open groups, which are few next to the
 * tasks they wait for; from the newest down, so that the group swapped
 * into a freed slot has been looked at already. */
static void groups_remove(co_loop *loop, co_taskgroup *tg)
{
    group_list *list =
        loop ? (group_list *)(void *)co__loop_ext_find(loop, &groups_proto)
             : NULL;
    for (size_t i = list ? list->n : 0; i-- > 0;)
        if (list->at[i] == tg)
            list->at[i] = list->at[--list->n];
}

int co_taskgroup_enter(co_taskgroup *tg)
{
    if (!tg)
        return CO_EINVAL;
    if (open_or_exiting(tg))
        return CO_ESCOPE;
    co_task *parent = co_current_task(NULL);
    if (!parent)
        return CO_ENOTASK;
    co_taskgroup_init(tg); /* a group that ended holds nothing any more */
    if (groups_add(co_future_loop(co_task_future(parent)), tg) < 0)
        return CO_ENOMEM;
    tg->parent = co_task_ref(parent);
    tg->state = CO_TASKGROUP_OPEN;
    return 0;
}

int co_taskgroup_op(co_taskgroup *tg, co_coro *body)
{
    if (!body)
        return CO_EINVAL;
    int rc = co_taskgroup_enter(tg);
    if (rc < 0)
        return rc;
    co_coro_init(&tg->co, group_step);
    tg->body = body;
    return 0;
}

int co_taskgroup_exit_op(co_taskgroup *tg, int body_err)
{
    if (!tg)
        return CO_EINVAL;
    if (tg->state != CO_TASKGROUP_OPEN)
        return CO_ESCOPE;
    co_coro_init(&tg->co, group_step);
    tg->body = NULL;
    tg->body_err = body_err < 0 ? body_err : 0;
    return 0;
}

/* ---- failures ------------------------------------------------------------ */

static void add_error(co_taskgroup *tg, int code, const char *msg)
{
    if (tg->nerrors == tg->errcap) {
        size_t cap = tg->errcap ? tg->errcap * 2 : 4;
        struct co__group_error *grown =
            realloc(tg->errors, cap * sizeof *grown);
        if (!grown) {
            tg->lost++;
            return;
        }
        tg->errors = grown;
        tg->errcap = cap;
    }
    char *copy = co__strdup(msg);
    if (msg && !copy) {
        tg->lost++;
        return;
    }
    tg->errors[tg->nerrors++] = (struct co__group_error){code, copy};
}

/* The message of the group's failure, or NULL when out of memory. */
static char *group_message(const co_taskgroup *tg)
{
    size_t n = tg->nerrors + (tg->lost ? 1 : 0);
    char lost[128];
    snprintf(lost, sizeof lost,
             "%zu more failures could not be kept (out of memory)", tg->lost);
    size_t size = 80;
    for (size_t i = 0; i < n; i++) {
        const char *m = i < tg->nerrors ? tg->errors[i].msg : lost;
        size += 96 + (m ? strlen(m) : 0);
    }
    char *out = malloc(size);
    if (!out)
        return NULL;
    size_t used = (size_t)snprintf(out, size,
                                   "unhandled errors in a TaskGroup (%zu "
                                   "sub-exception%s)",
                                   n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        int code = i < tg->nerrors ? tg->errors[i].code : CO_ENOMEM;
        const char *m = i < tg->nerrors ? tg->errors[i].msg : lost;
        if (!m)
            m = "";
        used += (size_t)snprintf(out + used, size - used,
                                 "\n [%zu] %s %d (%zu): %s", i + 1,
                                 co_errname(code), code, strlen(m), m);
    }
    return out;
}

/* Reads an unsigned decimal at *p (at most 18 digits). */
static bool read_size(const char **p, size_t *out)
{
    const char *s = *p;
    size_t v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 18) {
        v = v * 10 + (size_t)(*s++ - '0');
        digits++;
    }
    if (!digits || (*s >= '0' && *s <= '9'))
        return false;
    *p = s;
    *out = v;
    return true;
}

static bool expect(const char **p, const char *text)
{
    size_t n = strlen(text);
    if (strncmp(*p, text, n) != 0)
        return false;
    *p += n;
    return true;
}

/* One entry, number @p nth (from 1), at *p: its code, where its text
 * starts and how long it is; *p moves past it. False if malformed. A
 * message from anywhere is checked for every byte before it is believed. */
static bool read_entry(const char **p, size_t nth, int *code,
                       const char **text, size_t *len)
{
    const char *s = *p;
    size_t number, value, n;
    if (!expect(&s, "\n [") || !read_size(&s, &number) || number != nth ||
        !expect(&s, "] "))
        return false;
    while (*s && *s != ' ' && *s != '\n')
        s++; /* the code's name: for people only */
    if (!expect(&s, " -") || !read_size(&s, &value) || value > 1000000000 ||
        !expect(&s, " (") || !read_size(&s, &n) || !expect(&s, "): "))
        return false;
    if (strnlen(s, n) != n)
        return false; /* the text would run past the end */
    *code = -(int)value;
    *text = s;
    *len = n;
    *p = s + n;
    return true;
}

/* The number of entries of a group message, or CO_EINVAL. */
static int count_entries(const char *message)
{
    const char *p = message;
    size_t n;
    if (!p || !expect(&p, "unhandled errors in a TaskGroup (") ||
        !read_size(&p, &n) || n == 0 || n > 1000000 ||
        !expect(&p, n == 1 ? " sub-exception)" : " sub-exceptions)"))
        return CO_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int code;
        const char *text;
        size_t len;
        if (!read_entry(&p, i + 1, &code, &text, &len))
            return CO_EINVAL;
    }
    return *p ? CO_EINVAL : (int)n;
}

int co_taskgroup_error_count(const char *message)
{
    return count_entries(message);
}

int co_taskgroup_error(const char *message, size_t index, int *code,
                       char *buf, size_t size)
{
    int n = count_entries(message);
    if (n < 0 || index >= (size_t)n || !code || (!buf && size))
        return CO_EINVAL;
    const char *p = strchr(message, '\n'), *text = NULL;
    size_t len = 0;
    for (size_t i = 0; i <= index; i++)
        read_entry(&p, i + 1, code, &text, &len); /* checked above */
    if (size) {
        size_t copy = len < size - 1 ? len : size - 1;
        memcpy(buf, text, copy);
        buf[copy] = '\0';
    }
    return len > (size_t)0x7fffffff ? 0x7fffffff : (int)len;
}

/* ---- the tasks ----------------------------------------------------------- */

/* TaskGroup._abort: cancel every task not done, in creation order. */
static void abort_tasks(co_taskgroup *tg)
{
    tg->aborting = true;
    for (size_t i = 0; i < tg->ntasks; i++)
        if (!co_task_done(tg->tasks[i]))
            co_task_cancel(tg->tasks[i]);
}

/* TaskGroup._on_task_done. */
static void task_done(co_future *f, void *arg)
{
    co_taskgroup *tg = arg;
    for (size_t i = 0; i < tg->ntasks; i++) {
        if (co_task_future(tg->tasks[i]) == f) {
            memmove(&tg->tasks[i], &tg->tasks[i + 1],
                    (tg->ntasks - i - 1) * sizeof *tg->tasks);
            tg->ntasks--;
            break;
        }
    }
    if (tg->all_done && !tg->ntasks && !co_future_done(tg->all_done))
        co_future_set_result_int(tg->all_done, 1);
    if (co_future_cancelled(f))
        return;
    const char *msg;
    int code = co_future_exception(f, &msg);
    if (code == 0)
        return;
    add_error(tg, code, msg);
    if (co_task_done(tg->parent)) {
        co_loop_report(co_future_loop(f),
                       "a task of a task group failed after the task the "
                       "group runs in had ended");
        return;
    }
    if (!tg->aborting && !tg->parent_cancel_requested) {
        /* Interrupt whatever the group's body awaits; the exit takes this
         * cancel back (uncancel) so that it ends as CO_EGROUP, not as a
         * cancellation of the parent. */
        abort_tasks(tg);
        tg->parent_cancel_requested = true;
        co_task_cancel(tg->parent);
    }
}

/* Frees @p coro if it is a CO_NEW frame that never ran and nobody has
 * taken: the group refused it, as Python drops the coroutine object. */
static void drop_frame(co_coro *coro)
{
    if (coro && coro->fn && coro->lc == 0 && (coro->flags & CO__F_OWNED) &&
        !(coro->flags & CO__F_TAKEN))
        co_coro_free(coro);
}

int co_taskgroup_create_task(co_taskgroup *tg, co_coro *coro,
                             const char *name, co_task **task_out)
{
    if (task_out)
        *task_out = NULL;
    int rc = 0;
    if (!tg || !coro)
        rc = CO_EINVAL;
    else if (tg->state == CO_TASKGROUP_CREATED ||
             tg->state == CO_TASKGROUP_DONE ||
             (tg->state == CO_TASKGROUP_EXITING && !tg->ntasks))
        rc = CO_EGROUPCLOSED;
    else if (tg->aborting)
        rc = CO_EGROUPABORTING;
    else if (tg->ntasks == tg->cap) {
        size_t cap = tg->cap ? tg->cap * 2 : 8;
        co_task **grown = realloc(tg->tasks, cap * sizeof *grown);
        if (grown) {
            tg->tasks = grown;
            tg->cap = cap;
        } else {
            rc = CO_ENOMEM;
        }
    }
    co_task *t = NULL;
    if (rc == 0)
        rc = co_create_task(co_future_loop(co_task_future(tg->parent)), coro,
                            name, &t);
    if (rc == 0 &&
        (rc = co_future_add_done_callback(co_task_future(t), task_done, tg)) <
            0) {
        /* Not watched, it may not run: cancelled before its first step,
         * it runs not one line. */
        co_task_cancel(t);
        co_task_unref(t);
        return rc;
    }
    if (rc < 0) {
        if (rc == CO_EGROUPCLOSED || rc == CO_EGROUPABORTING)
            drop_frame(coro);
        return rc;
    }
    tg->tasks[tg->ntasks++] = t;
    if (task_out)
        *task_out = t;
    else
        co_task_unref(t);
    return 0;
}

/* ---- the exit: TaskGroup.__aexit__ ---------------------------------------- */

static int group_step(co_coro *co)
{
    co_taskgroup *tg = (co_taskgroup *)(void *)co;
    CO_BEGIN(co);
    if (tg->body) {
        CO_AWAIT_CORO_CATCH(co, tg->body, tg->body_err);
        if (tg->body_err)
            tg->body_msg = co__strdup(co_caught_message());
    }
    tg->state = CO_TASKGROUP_EXITING;
    if (tg->body_err == CO_ECANCELLED) {
        tg->propagate_cancel = true;
        tg->cancel_msg = co__strdup(tg->body_msg);
    }
    if (tg->parent_cancel_requested && co_task_uncancel(tg->parent) == 0)
        tg->propagate_cancel = false; /* that cancel was our own */
    if (tg->body_err && !tg->aborting)
        abort_tasks(tg);
    while (tg->ntasks) {
        if (co_future_new(co_future_loop(co_task_future(tg->parent)),
                          &tg->all_done) < 0) {
            CO_SLEEP_CATCH(co, 0, tg->caught); /* out of memory: poll */
        } else {
            CO_AWAIT_CATCH(co, tg->all_done, tg->caught);
            co_future_unref(tg->all_done);
            tg->all_done = NULL;
        }
        if (tg->caught == CO_ECANCELLED && !tg->aborting) {
            /* The parent is cancelled from outside while the tasks run. */
            tg->propagate_cancel = true;
            free(tg->cancel_msg);
            tg->cancel_msg = co__strdup(co_caught_message());
            abort_tasks(tg);
        }
    }
    if (tg->propagate_cancel && !tg->nerrors && !tg->lost)
        CO_RAISE(co, CO_ECANCELLED, tg->cancel_msg);
    if (tg->body_err && tg->body_err != CO_ECANCELLED)
        add_error(tg, tg->body_err, tg->body_msg);
    if (tg->nerrors || tg->lost) {
        tg->group_msg = group_message(tg);
        CO_RAISE(co, CO_EGROUP, tg->group_msg);
    }
    CO_FINALLY(co);
    release_group(tg);
    groups_remove(co_future_loop(co_task_future(tg->parent)), tg);
    co_task_unref(tg->parent);
    tg->parent = NULL;
    tg->state = CO_TASKGROUP_DONE;
    CO_END(co);
}
