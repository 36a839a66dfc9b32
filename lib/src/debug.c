/* debug.c - debug mode and the await graph (coflow/debug.h): one watcher
 * per loop, hooked into the loop as its probe, that times callbacks and
 * steps, remembers frames nobody has run yet, and knows what every task
 * waits on. docs/debugging.md shows what it reports.
 *
 * Nothing here runs unless debug mode or the timeline is on: the layers
 * below only test a pointer (loop->probe, co__coro_watcher). */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "combinator.h"
#include "debug_internal.h"

#define DEFAULT_SLOW 0.1 /* asyncio's slow_callback_duration */

/* ---- frames: names, and the ones nobody has run yet ---------------------- */

/* Invariants (all under `frames_lock`): `names` maps a step function to the
 * name CO_NEW spelt it with, one entry per function ever seen; `made` is
 * an open-addressing table of the CO_NEW frames not yet taken (given to a
 * task, awaited, stepped, freed or set up again), keyed by address. A
 * frame is only read through its address as a key, never dereferenced:
 * one that went away without being taken stays an entry, which is right,
 * since it was never awaited. */
typedef struct fn_name {
    co_coro_fn fn;
    const char *name; /* static text (CO_NEW's #fn) */
} fn_name;

typedef struct made_frame {
    co_coro *co;      /* the key; NULL free, TOMB a deleted slot */
    co_coro_fn fn;    /* its coroutine */
    const char *file; /* where CO_NEW made it */
    int line;
    co_loop *loop;    /* the loop running then, or NULL */
} made_frame;

#define TOMB ((co_coro *)(uintptr_t)1)

static pthread_mutex_t frames_lock = PTHREAD_MUTEX_INITIALIZER;
static fn_name *names;
static size_t nnames, names_cap;
static made_frame *made;
static size_t made_cap, made_used; /* slots, slots not NULL (tombs too) */

static size_t slot_of(const co_coro *co, size_t cap)
{
    uintptr_t h = (uintptr_t)co;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 7) & (cap - 1);
}

static made_frame *made_find(const co_coro *co)
{
    if (!made_cap)
        return NULL;
    for (size_t i = slot_of(co, made_cap);; i = (i + 1) & (made_cap - 1)) {
        if (made[i].co == co)
            return &made[i];
        if (!made[i].co)
            return NULL;
    }
}

/* Grows (and sweeps the tombs out of) `made`. false when out of memory. */
static bool made_grow(void)
{
    size_t cap = made_cap ? made_cap * 2 : 256;
    made_frame *grown = calloc(cap, sizeof *grown);
    if (!grown)
        return false;
    size_t used = 0;
    for (size_t i = 0; i < made_cap; i++) {
        if (!made[i].co || made[i].co == TOMB)
            continue;
        size_t j = slot_of(made[i].co, cap);
        while (grown[j].co)
            j = (j + 1) & (cap - 1);
        grown[j] = made[i];
        used++;
    }
    free(made);
    made = grown;
    made_cap = cap;
    made_used = used;
    return true;
}

static const char *name_of_fn(co_coro_fn fn)
{
    for (size_t i = 0; i < nnames; i++)
        if (names[i].fn == fn)
            return names[i].name;
    return NULL;
}

static void frame_made(co_coro *co, const char *name, const char *file,
                       int line)
{
    co_loop *loop = co_get_running_loop();
    pthread_mutex_lock(&frames_lock);
    if (!name_of_fn(co->fn)) {
        if (nnames == names_cap) {
            size_t cap = names_cap ? names_cap * 2 : 32;
            fn_name *grown = realloc(names, cap * sizeof *grown);
            if (grown) {
                names = grown;
                names_cap = cap;
            }
        }
        if (nnames < names_cap)
            names[nnames++] = (fn_name){co->fn, name};
    }
    /* A frame made while a loop without debug mode runs is none of ours. */
    co__debug *d = loop ? co__debug_find(loop) : NULL;
    if ((!loop || (d && d->debug)) &&
        ((made_used + 1) * 2 <= made_cap || made_grow())) {
        made_frame *slot = made_find(co);
        if (!slot) {
            size_t i = slot_of(co, made_cap);
            while (made[i].co && made[i].co != TOMB)
                i = (i + 1) & (made_cap - 1);
            if (!made[i].co)
                made_used++;
            slot = &made[i];
        }
        *slot = (made_frame){co, co->fn, file, line, loop};
    }
    pthread_mutex_unlock(&frames_lock);
}

static void frame_taken(co_coro *co)
{
    pthread_mutex_lock(&frames_lock);
    made_frame *slot = made_find(co);
    if (slot)
        slot->co = TOMB;
    pthread_mutex_unlock(&frames_lock);
}

static const co__coro_watch frame_watch = {frame_made, frame_taken};
static void watch_frames(void);

void co__debug_watch_frames(void)
{
    watch_frames();
}

static void watch_frames(void)
{
    atomic_store(&co__coro_watcher, &frame_watch);
    atomic_store(&co__coro_naming, 1);
}

const char *co_coro_name(const co_coro *co)
{
    if (!co)
        return NULL;
    pthread_mutex_lock(&frames_lock);
    const char *name = name_of_fn(co->fn);
    pthread_mutex_unlock(&frames_lock);
    return name;
}

const char *co__debug_coro_name(const co_coro *co)
{
    const char *name = co_coro_name(co);
    return name ? name : "coroutine";
}

/* Reports the frames made for @p loop (or outside any loop) that were
 * never taken, and forgets them. */
static void report_never_awaited(co_loop *loop)
{
    pthread_mutex_lock(&frames_lock);
    made_frame *left = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < made_cap; i++) {
        made_frame *m = &made[i];
        if (!m->co || m->co == TOMB || (m->loop && m->loop != loop))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            made_frame *grown = realloc(left, cap * sizeof *grown);
            if (!grown)
                break;
            left = grown;
        }
        left[n++] = *m;
        m->co = TOMB;
    }
    /* Names are read under the lock; reports go out without it (the
     * handler may make frames of its own). */
    const char **nm = n ? calloc(n, sizeof *nm) : NULL;
    for (size_t i = 0; nm && i < n; i++)
        nm[i] = name_of_fn(left[i].fn);
    pthread_mutex_unlock(&frames_lock);
    for (size_t i = 0; i < n; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 "coroutine '%s' was never awaited: its frame was made at "
                 "%s:%d and never given to a task (co_create_task), awaited "
                 "(CO_AWAIT_CORO) or freed before its loop closed",
                 nm && nm[i] ? nm[i] : "?", left[i].file, left[i].line);
        co_loop_report(loop, line);
    }
    free(nm);
    free(left);
}

/* ---- the watcher ---------------------------------------------------------- */

static void probe_before(co__probe *p, co_callback fn, void *arg);
static void probe_after(co__probe *p, co_callback fn, void *arg);
static void probe_note(co__probe *p, int what, void *subject);
static void probe_resource(co__probe *p, co__resource *r);
static void debug_close(co_loop *loop, co__loop_ext *ext);

static const co__loop_ext debug_proto = {.key = &debug_proto,
                                         .close = debug_close};

static co__debug *of_probe(co__probe *p)
{
    return (co__debug *)(void *)((char *)p - offsetof(co__debug, probe));
}

co__debug *co__debug_find(const co_loop *loop)
{
    return (co__debug *)(void *)co__loop_ext_find(loop, &debug_proto);
}

co__debug *co__debug_get(co_loop *loop)
{
    co__debug *d = co__debug_find(loop);
    if (d)
        return d;
    d = (co__debug *)(void *)co__loop_ext_get(loop, &debug_proto,
                                              sizeof *d);
    if (!d)
        return NULL;
    d->loop = loop;
    d->slow = DEFAULT_SLOW;
    d->probe.before = probe_before;
    d->probe.after = probe_after;
    d->probe.note = probe_note;
    d->probe.resource_open = probe_resource;
    loop->probe = &d->probe;
    return d;
}

double co__debug_now(const co__debug *d)
{
    return d->clock ? d->clock(d->clock_arg) : co_loop_time(d->loop);
}

/* "task 'b' (coroutine demo, suspended at example.c:40)" into @p buf
 * (without the coroutine when its name is not known). */
static void task_words(const co_task *t, char *buf, size_t size)
{
    co_coro *co = co__task_coro(t);
    const char *name = co_coro_name(co);
    char coro[64] = "";
    if (name)
        snprintf(coro, sizeof coro, "coroutine %s, ", name);
    const char *file;
    int line;
    if (co_task_where(t, &file, &line) == 0)
        snprintf(buf, size, "task '%s' (%ssuspended at %s:%d)",
                 co_task_get_name(t), coro, file, line);
    else if (t->fut.state == CO__PENDING)
        snprintf(buf, size, "task '%s' (%snot started yet)",
                 co_task_get_name(t), coro);
    else
        snprintf(buf, size, "task '%s' (%sended in %s)", co_task_get_name(t),
                 coro, co->file ? co->file : "?");
}

static void report_slow_step(co__debug *d, co_task *t, double took)
{
    char who[300], line[512];
    task_words(t, who, sizeof who);
    snprintf(line, sizeof line,
             "slow task step: %s ran for %.3f s without suspending "
             "(slow_callback_duration is %.3f s); every other task waited "
             "meanwhile",
             who, took, d->slow);
    co_loop_report(d->loop, line);
}

static void step_begin(co__debug *d, co_task *t, double now)
{
    co_task_ref(t);
    co__timeline_note(d, CO__TL_RUN, t, now, now);
}

static void step_end(co__debug *d, co_task *t, double t0)
{
    double now = co__debug_now(d);
    co__timeline_note(d, CO__TL_STOP, t, now, now);
    if (d->debug && now - t0 >= d->slow)
        report_slow_step(d, t, now - t0);
    co_task_unref(t);
}

static void probe_before(co__probe *p, co_callback fn, void *arg)
{
    co__debug *d = of_probe(p);
    d->cb_start = co__debug_now(d);
    d->cb_steps = 0;
    d->cb_task = NULL;
    co_task *t = arg;
    if (co__task_is_step(fn) && t->fut.state == CO__PENDING) {
        d->cb_task = t;
        step_begin(d, t, d->cb_start);
    }
}

static void probe_after(co__probe *p, co_callback fn, void *arg)
{
    co__debug *d = of_probe(p);
    (void)arg;
    if (d->cb_task) {
        co_task *t = d->cb_task;
        d->cb_task = NULL;
        step_end(d, t, d->cb_start);
        return;
    }
    double now = co__debug_now(d);
    co__timeline_note(d, CO__TL_CALLBACK, NULL, d->cb_start, now);
    /* A callback that woke tasks (a future's done-callbacks) had its
     * steps timed, and reported, one by one. */
    if (d->debug && d->cb_steps == 0 && now - d->cb_start >= d->slow) {
        char line[320];
        uintptr_t at = 0;
        memcpy(&at, &fn, sizeof at < sizeof fn ? sizeof at : sizeof fn);
        snprintf(line, sizeof line,
                 "slow callback: a callback (function at 0x%jx) ran for "
                 "%.3f s (slow_callback_duration is %.3f s); every task "
                 "waited meanwhile",
                 (uintmax_t)at, now - d->cb_start, d->slow);
        co_loop_report(d->loop, line);
    }
}

static void probe_note(co__probe *p, int what, void *subject)
{
    co__debug *d = of_probe(p);
    co_task *t = subject;
    switch (what) {
    case CO__NOTE_STEP_BEGIN:
        d->cb_steps++;
        d->note_task = t;
        d->step_start = co__debug_now(d);
        step_begin(d, t, d->step_start);
        break;
    case CO__NOTE_STEP_END:
        d->note_task = NULL;
        step_end(d, t, d->step_start);
        break;
    case CO__NOTE_TASK_NEW:
        co__timeline_note(d, CO__TL_NEW, t, co__debug_now(d), 0);
        break;
    case CO__NOTE_TASK_READY:
        co__timeline_note(d, CO__TL_READY, t, co__debug_now(d), 0);
        break;
    case CO__NOTE_TIMER:
        co__timeline_note(d, CO__TL_TIMER, NULL, co__debug_now(d), 0);
        break;
    case CO__NOTE_POST:
        co__timeline_note(d, CO__TL_POST, NULL, co__debug_now(d), 0);
        break;
    case CO__NOTE_JOB:
        co__timeline_job(d, subject);
        break;
    default:
        break;
    }
}

/* ---- resources left open -------------------------------------------------- */

static void resource_unlink(co__resource *r)
{
    co__debug *d = co__debug_find(r->loop);
    if (r->prev)
        r->prev->next = r->next;
    else if (d)
        d->open = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->next = r->prev = NULL;
    r->loop = NULL;
}

static void probe_resource(co__probe *p, co__resource *r)
{
    co__debug *d = of_probe(p);
    if (!d->debug)
        return;
    r->loop = d->loop;
    r->unlink = resource_unlink;
    r->prev = NULL;
    r->next = d->open;
    if (d->open)
        d->open->prev = r;
    d->open = r;
}

static void report_open_resources(co__debug *d)
{
    while (d->open) {
        co__resource *r = d->open;
        char line[320];
        snprintf(line, sizeof line,
                 "%s%s%s left open: it was used on this loop and not shut "
                 "down or closed before the loop closed (close it first, "
                 "as asyncio warns of unclosed resources)",
                 r->kind, r->name ? " " : "", r->name ? r->name : "");
        resource_unlink(r);
        co_loop_report(d->loop, line);
    }
}

/* ---- closing -------------------------------------------------------------- */

static void debug_close(co_loop *loop, co__loop_ext *ext)
{
    co__debug *d = (co__debug *)(void *)ext;
    if (d->debug) {
        report_never_awaited(loop);
        report_open_resources(d);
    }
    while (d->open)
        resource_unlink(d->open);
    if (d->tl_path && d->tl)
        co__timeline_write_files(d, d->tl_path);
    free(d->tl_path);
    d->tl_path = NULL;
    co__timeline_free(d->tl);
    d->tl = NULL;
    loop->probe = NULL; /* the layers closing after this one are not seen */
}

/* ---- switches ------------------------------------------------------------- */

int co_loop_set_debug(co_loop *loop, bool on)
{
    if (!loop)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co__debug *d = on ? co__debug_get(loop) : co__debug_find(loop);
    if (!d)
        return on ? CO_ENOMEM : 0;
    if (on)
        watch_frames();
    d->debug = on;
    if (on)
        loop->guard |= CO__GUARD_THREAD;
    else
        loop->guard &= (unsigned char)~CO__GUARD_THREAD;
    return 0;
}

bool co_loop_get_debug(const co_loop *loop)
{
    co__debug *d = loop && !loop->closed ? co__debug_find(loop) : NULL;
    return d && d->debug;
}

int co_loop_set_slow_callback_duration(co_loop *loop, double seconds)
{
    if (!loop || !(seconds >= 0))
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co__debug *d = co__debug_get(loop);
    if (!d)
        return CO_ENOMEM;
    d->slow = seconds;
    return 0;
}

double co_loop_get_slow_callback_duration(const co_loop *loop)
{
    if (!loop)
        return -1;
    co__debug *d = loop->closed ? NULL : co__debug_find(loop);
    return d ? d->slow : DEFAULT_SLOW;
}

int co_loop_set_debug_clock(co_loop *loop, double (*now)(void *arg),
                            void *arg)
{
    if (!loop)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co__debug *d = co__debug_get(loop);
    if (!d)
        return CO_ENOMEM;
    d->clock = now;
    d->clock_arg = arg;
    return 0;
}

/* COFLOW_DEBUG=1 and COFLOW_TIMELINE=PREFIX: every new loop is watched. */
static bool env_debug;
static const char *env_timeline;
static unsigned env_loops; /* loops that recorded for COFLOW_TIMELINE */

static void on_new_loop(co_loop *loop)
{
    if (env_debug)
        co_loop_set_debug(loop, true);
    if (env_timeline && co_timeline_start(loop) == 0) {
        co__debug *d = co__debug_find(loop);
        unsigned n = __atomic_add_fetch(&env_loops, 1, __ATOMIC_RELAXED);
        size_t len = strlen(env_timeline) + 16;
        if ((d->tl_path = malloc(len))) {
            if (n == 1)
                snprintf(d->tl_path, len, "%s", env_timeline);
            else
                snprintf(d->tl_path, len, "%s-%u", env_timeline, n);
        }
    }
}

__attribute__((constructor)) static void read_environment(void)
{
    const char *v = getenv("COFLOW_DEBUG");
    env_debug = v && *v && strcmp(v, "0") != 0;
    v = getenv("COFLOW_TIMELINE");
    env_timeline = v && *v ? v : NULL;
    if (env_debug || env_timeline)
        watch_frames(); /* names for the reports and the lanes */
    if (env_debug || env_timeline)
        co__loop_new_hook = on_new_loop;
}

/* ---- the await graph ------------------------------------------------------ */

void co__debug_describe_wait(const co_task *t, char *buf, size_t size,
                             bool timed)
{
    buf[0] = '\0';
    if (t->fut.state != CO__PENDING)
        return;
    if ((t->flags & CO__TF_WAIT_TIMER) && !timed) {
        snprintf(buf, size, "sleep");
        return;
    }
    if (t->flags & CO__TF_WAIT_TIMER) {
        double left = co__loop_sleep_when(t->fut.loop, &t->wait.sleep) -
                      co_loop_time(t->fut.loop);
        snprintf(buf, size, "sleep (%.3f s left)", left > 0 ? left : 0.0);
        return;
    }
    co_future *f = t->wait.future;
    if (!f)
        return;
    const co__future_ops *ops = co__future_ops_of(f);
    const char *name = ops && ops->name ? ops->name(f) : NULL;
    if (ops && ops->what && name && strcmp(ops->what, "fd") == 0)
        snprintf(buf, size, "fd %s", name); /* "fd 5 readable" */
    else if (ops && ops->what && name)
        snprintf(buf, size, "%s '%s'", ops->what, name);
    else if (ops && ops->what)
        snprintf(buf, size, "%s", ops->what);
    else if (f->flags & CO__FF_WAITER)
        snprintf(buf, size, "its turn in a line (lock, queue, event...)");
    else
        snprintf(buf, size, "a future");
}

int co_task_capture_stack(const co_task *t, co_stack_entry *out,
                          size_t max, size_t *depth)
{
    if (!t || !depth || (!out && max))
        return CO_EINVAL;
    size_t n = 0;
    bool started = t->flags & CO__TF_STARTED;
    for (co_coro *co = co__task_coro(t); co; co = co->callee, n++)
        if (n < max)
            out[n] = (co_stack_entry){
                co__debug_coro_name(co), co->file,
                started && co->lc > 0 ? co->lc : 0};
    *depth = n;
    return 0;
}

/* True if pending task @p u waits for task @p t: directly, or through the
 * outer future of gather / wait / wait_for (one of its children). @p via
 * gets the combinator's name then. */
static bool waits_for(const co_task *u, const co_task *t, const char **via)
{
    *via = NULL;
    if (u->fut.state != CO__PENDING || (u->flags & CO__TF_WAIT_TIMER) ||
        !u->wait.future)
        return false;
    co_future *f = u->wait.future;
    if (f == &t->fut)
        return true;
    const co__future_ops *ops = co__future_ops_of(f);
    if (!ops || ops->release != co__combo_outer_release)
        return false;
    struct combo *c = co__combo_of(f);
    for (size_t i = 0; c && i < c->nchildren; i++)
        if (c->children[i] == &t->fut) {
            *via = ops->what;
            return true;
        }
    return false;
}

/* Pending tasks of t's loop, in creation order (malloc'd) and how many. */
static co_task **all_tasks(co_loop *loop, size_t *n)
{
    *n = co_all_tasks(loop, NULL, 0);
    co_task **all = malloc((*n ? *n : 1) * sizeof *all);
    if (all)
        co_all_tasks(loop, all, *n);
    return all;
}

/* One task: its state, what it waits on, its chain (indented). */
static void print_task(FILE *out, const co_task *t, const char *indent)
{
    char wait[160];
    co__debug_describe_wait(t, wait, sizeof wait, true);
    const char *state = t->fut.state == CO__CANCELLED ? "cancelled"
                        : t->fut.state != CO__PENDING ? "done"
                        : !(t->flags & CO__TF_STARTED) ? "not started"
                        : wait[0]                      ? "waiting for"
                                                       : "ready";
    fprintf(out, "%s* task '%s' (%s%s%s)\n", indent, co_task_get_name(t),
            state, wait[0] ? " " : "", wait);
    size_t depth = 0;
    co_task_capture_stack(t, NULL, 0, &depth);
    co_stack_entry chain[16];
    co_task_capture_stack(t, chain, 16, &depth);
    for (size_t i = 0; i < depth && i < 16; i++) {
        if (chain[i].line)
            fprintf(out, "%s  + %s at %s:%d\n", indent, chain[i].coro,
                    chain[i].file ? chain[i].file : "?", chain[i].line);
        else
            fprintf(out, "%s  + %s%s%s\n", indent, chain[i].coro,
                    chain[i].file ? " in " : "",
                    chain[i].file ? chain[i].file : "");
    }
    if (depth > 16)
        fprintf(out, "%s  + ... %zu more\n", indent, depth - 16);
}

int co_task_print_stack(const co_task *t, FILE *out)
{
    if (!t || !out)
        return CO_EINVAL;
    print_task(out, t, "");
    size_t n;
    co_task **all = all_tasks(t->fut.loop, &n);
    size_t shown = 0;
    for (size_t i = 0; all && i < n; i++) {
        const char *via;
        if (all[i] == t || !waits_for(all[i], t, &via))
            continue;
        if (!shown++)
            fprintf(out, "  awaited by:\n");
        const char *file;
        int line;
        if (co_task_where(all[i], &file, &line) == 0)
            fprintf(out, "    task '%s'%s%s at %s:%d\n",
                    co_task_get_name(all[i]), via ? " through " : "",
                    via ? via : "", file, line);
        else
            fprintf(out, "    task '%s'\n", co_task_get_name(all[i]));
    }
    if (t->fut.state == CO__PENDING && !shown)
        fprintf(out, "  awaited by: no task\n");
    free(all);
    return ferror(out) ? CO_EWRITE : 0;
}

/* Prints @p t and, under it, the tasks it waits for (a cycle of tasks
 * awaiting each other, a deadlock, is shown once and named). */
static void dump_tree(FILE *out, co_task **all, size_t n, size_t at,
                      int level, unsigned char *seen)
{
    char indent[64];
    int width = level * 4 < (int)sizeof indent - 1 ? level * 4
                                                    : (int)sizeof indent - 1;
    memset(indent, ' ', (size_t)width);
    indent[width] = '\0';
    seen[at] = 1;
    print_task(out, all[at], indent);
    for (size_t i = 0; i < n; i++) {
        const char *via;
        if (i == at || !waits_for(all[at], all[i], &via))
            continue;
        if (seen[i]) {
            fprintf(out, "%s    (waits for task '%s', shown above: these "
                         "tasks wait for each other)\n",
                    indent, co_task_get_name(all[i]));
            continue;
        }
        if (via)
            fprintf(out, "%s  %s of:\n", indent, via);
        dump_tree(out, all, n, i, level + 1, seen);
    }
}

int co_loop_dump(co_loop *loop, FILE *out)
{
    if (!loop || !out)
        return CO_EINVAL;
    size_t n;
    co_task **all = all_tasks(loop, &n);
    unsigned char *seen = calloc(n ? n : 1, 1);
    if (!all || !seen) {
        free(all);
        free(seen);
        return CO_ENOMEM;
    }
    fprintf(out, "%zu pending task%s on the loop:\n", n, n == 1 ? "" : "s");
    /* The roots are the tasks nobody waits for (main, as a rule); under
     * each, the tasks it waits for, down to the innermost waits. */
    for (size_t i = 0; i < n; i++) {
        bool awaited = false;
        for (size_t j = 0; j < n && !awaited; j++) {
            const char *via;
            awaited = j != i && waits_for(all[j], all[i], &via);
        }
        if (!awaited)
            dump_tree(out, all, n, i, 0, seen);
    }
    /* Tasks in a cycle are each awaited, so none was a root. */
    for (size_t i = 0; i < n; i++)
        if (!seen[i]) {
            fprintf(out, "(tasks waiting for each other: a deadlock)\n");
            dump_tree(out, all, n, i, 0, seen);
        }
    free(seen);
    free(all);
    return ferror(out) ? CO_EWRITE : 0;
}
