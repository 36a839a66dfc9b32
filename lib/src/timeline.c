/* timeline.c - the task timeline (coflow/timeline.h): a recorder of what
 * the loop did and when, and its Chrome Trace Event Format writer. The
 * SVG picture is drawn in timeline_svg.c from the same segments.
 *
 * The recorder is the debug watcher's (debug.c) second job: the loop's
 * probe calls it on every step, callback, timer and post while it
 * records. It keeps notes, not pictures: a note is a time, a lane (one per
 * task) and what happened; co__timeline_view_make turns them into the
 * stretches of running, ready and waiting that both writers draw. */
#include <stdlib.h>
#include <string.h>

#include "debug_internal.h"
#include "threads_internal.h"

enum { OUT_WAIT, OUT_YIELD, OUT_ENDED };

/* One note. 72 bytes: a lesson's example makes a few hundred. */
typedef struct tl_note {
    double t0, t1;       /* seconds since the recording started */
    unsigned lane;       /* 0: the loop's lane; else a task's */
    unsigned char what;  /* CO__TL_* */
    unsigned char out;   /* for CO__TL_STOP: OUT_* */
    char label[46];      /* what it waits on / how it ended */
} tl_note;

typedef struct tl_lane {
    co_task *task;       /* while it is pending, else NULL */
    char name[40];       /* the task's name when first seen */
    char coro[24];       /* its coroutine */
    char outcome[64];    /* how it ended, "" while pending */
    double end;          /* when it ended, or -1 */
} tl_lane;

/* Invariants: notes are in the order they happened (times never go
 * back); lane 0 is the loop's own; `live` is an open-addressing table
 * from a pending task's address to its lane (cap a power of two, at most
 * half full counting the deleted slots), so a task is found in a step or
 * two however many are pending, and a freed task's address that comes
 * back is a new lane. */
struct co__timeline {
    bool on;             /* recording now */
    double start;        /* the clock at co_timeline_start */
    double last;         /* the time of the latest note */
    tl_note *note;
    size_t n, cap;
    tl_lane *lane;
    size_t nlane, lane_cap;
    struct live_slot {
        co_task *task;   /* NULL: free; DELETED: was used */
        unsigned lane;
    } *live;
    size_t live_used, live_cap; /* slots not free, all slots */
    co__job_watch **job; /* executor jobs submitted while recording, each
                          * a reference, in the order they were queued */
    size_t njob, job_cap;
};

#define DELETED ((co_task *)(uintptr_t)1)

static size_t hash_of(const co_task *t, size_t cap)
{
    uintptr_t h = (uintptr_t)t;
    h ^= h >> 15;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 9) & (cap - 1);
}

static struct live_slot *live_find(const co__timeline *tl, const co_task *t)
{
    if (!tl->live_cap)
        return NULL;
    for (size_t i = hash_of(t, tl->live_cap);;
         i = (i + 1) & (tl->live_cap - 1)) {
        if (tl->live[i].task == t)
            return &tl->live[i];
        if (!tl->live[i].task)
            return NULL;
    }
}

/* Makes room for one more (sweeping the deleted slots out). */
static bool live_room(co__timeline *tl)
{
    if ((tl->live_used + 1) * 2 <= tl->live_cap)
        return true;
    size_t cap = tl->live_cap ? tl->live_cap * 2 : 64;
    struct live_slot *grown = calloc(cap, sizeof *grown);
    if (!grown)
        return false;
    size_t used = 0;
    for (size_t i = 0; i < tl->live_cap; i++) {
        co_task *t = tl->live[i].task;
        if (!t || t == DELETED)
            continue;
        size_t j = hash_of(t, cap);
        while (grown[j].task)
            j = (j + 1) & (cap - 1);
        grown[j] = tl->live[i];
        used++;
    }
    free(tl->live);
    tl->live = grown;
    tl->live_cap = cap;
    tl->live_used = used;
    return true;
}

void co__timeline_free(co__timeline *tl)
{
    if (!tl)
        return;
    free(tl->note);
    free(tl->lane);
    free(tl->live);
    for (size_t i = 0; i < tl->njob; i++)
        co__job_watch_unref(tl->job[i]);
    free(tl->job);
    free(tl);
}

static bool grow(void **p, size_t *cap, size_t size)
{
    size_t c = *cap ? *cap * 2 : 64;
    void *g = realloc(*p, c * size);
    if (!g)
        return false;
    *p = g;
    *cap = c;
    return true;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* The lane of task @p t, made if it has none. UINT32_MAX: no memory. */
static unsigned lane_of(co__timeline *tl, co_task *t)
{
    struct live_slot *slot = live_find(tl, t);
    if (slot)
        return slot->lane;
    if ((tl->nlane == tl->lane_cap &&
         !grow((void **)&tl->lane, &tl->lane_cap, sizeof *tl->lane)) ||
        !live_room(tl))
        return UINT32_MAX;
    size_t i = hash_of(t, tl->live_cap);
    while (tl->live[i].task && tl->live[i].task != DELETED)
        i = (i + 1) & (tl->live_cap - 1);
    if (!tl->live[i].task)
        tl->live_used++;
    tl->live[i] = (struct live_slot){t, (unsigned)tl->nlane};
    tl_lane *l = &tl->lane[tl->nlane];
    memset(l, 0, sizeof *l);
    l->task = t;
    l->end = -1;
    copy(l->name, sizeof l->name, co_task_get_name(t));
    copy(l->coro, sizeof l->coro, co__debug_coro_name(co__task_coro(t)));
    return (unsigned)tl->nlane++;
}

static void lane_ended(co__timeline *tl, unsigned lane, double at)
{
    tl_lane *l = &tl->lane[lane];
    co_task *t = l->task;
    l->task = NULL;
    l->end = at;
    struct live_slot *slot = live_find(tl, t);
    if (slot)
        slot->task = DELETED;
    const co_future *f = &t->fut;
    if (f->state == CO__CANCELLED)
        copy(l->outcome, sizeof l->outcome, "cancelled");
    else if (f->err)
        snprintf(l->outcome, sizeof l->outcome, "failed: %s",
                 co_errname(f->err));
    else if (f->kind == CO_KIND_INT)
        snprintf(l->outcome, sizeof l->outcome, "returned %lld", f->v.i);
    else
        copy(l->outcome, sizeof l->outcome, "returned");
}

void co__timeline_note(co__debug *d, int what, co_task *t, double t0,
                       double t1)
{
    co__timeline *tl = d->tl;
    if (!tl || !tl->on)
        return;
    if (tl->n == tl->cap &&
        !grow((void **)&tl->note, &tl->cap, sizeof *tl->note))
        return; /* out of memory: the picture misses this note */
    unsigned lane = t ? lane_of(tl, t) : 0;
    if (lane == UINT32_MAX)
        return;
    tl_note *n = &tl->note[tl->n++];
    n->t0 = t0 - tl->start;
    n->t1 = (what == CO__TL_CALLBACK ? t1 : t0) - tl->start;
    n->lane = lane;
    n->what = (unsigned char)what;
    n->out = 0;
    n->label[0] = '\0';
    if (n->t1 > tl->last)
        tl->last = n->t1;
    if (what != CO__TL_STOP)
        return;
    if (t->fut.state != CO__PENDING) {
        n->out = OUT_ENDED;
        lane_ended(tl, lane, n->t0);
        return;
    }
    co__debug_describe_wait(t, n->label, sizeof n->label, false);
    n->out = n->label[0] ? OUT_WAIT : OUT_YIELD;
}

void co__timeline_job(co__debug *d, co__job_watch *w)
{
    co__timeline *tl = d->tl;
    /* A clock of the caller's, or virtual time, cannot be read on a
     * worker thread: on one, jobs are not drawn. */
    if (!tl || !tl->on || d->clock || co_loop_get_virtual_time(d->loop))
        return;
    if (tl->njob == tl->job_cap &&
        !grow((void **)&tl->job, &tl->job_cap, sizeof *tl->job))
        return; /* out of memory: the picture misses this job */
    co_task *t = co_current_task(d->loop);
    if (t)
        snprintf(w->label, sizeof w->label, "job %zu from task '%s'",
                 tl->njob + 1, co_task_get_name(t));
    else
        snprintf(w->label, sizeof w->label, "job %zu", tl->njob + 1);
    co__job_watch_ref(w);
    w->wanted = true;
    tl->job[tl->njob++] = w;
}

/* ---- the public switches -------------------------------------------------- */

int co_timeline_start(co_loop *loop)
{
    if (!loop)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    co__debug *d = co__debug_get(loop);
    if (!d)
        return CO_ENOMEM;
    co__timeline *tl = calloc(1, sizeof *tl);
    if (!tl)
        return CO_ENOMEM;
    /* Lane 0 is the loop's own: callbacks, timers and posts. */
    if (!grow((void **)&tl->lane, &tl->lane_cap, sizeof *tl->lane)) {
        free(tl);
        return CO_ENOMEM;
    }
    memset(&tl->lane[0], 0, sizeof tl->lane[0]);
    copy(tl->lane[0].name, sizeof tl->lane[0].name, "loop");
    copy(tl->lane[0].coro, sizeof tl->lane[0].coro, "callbacks");
    tl->lane[0].end = -1;
    tl->nlane = 1;
    co__timeline_free(d->tl);
    d->tl = tl;
    co__debug_watch_frames(); /* lanes name their coroutines from now on */
    tl->start = co__debug_now(d);
    tl->on = true;
    /* Tasks already pending get their lanes now, ready or waiting. */
    size_t n = co_all_tasks(loop, NULL, 0);
    co_task **all = n ? malloc(n * sizeof *all) : NULL;
    if (all) {
        co_all_tasks(loop, all, n);
        for (size_t i = 0; i < n; i++)
            co__timeline_note(d, CO__TL_NEW, all[i], tl->start, 0);
        free(all);
    }
    return 0;
}

int co_timeline_stop(co_loop *loop)
{
    if (!loop)
        return CO_EINVAL;
    co__debug *d = loop->closed ? NULL : co__debug_find(loop);
    if (!d || !d->tl || !d->tl->on)
        return CO_ESTATE;
    double now = co__debug_now(d) - d->tl->start;
    if (now > d->tl->last)
        d->tl->last = now;
    d->tl->on = false;
    return 0;
}

bool co_timeline_recording(const co_loop *loop)
{
    co__debug *d = loop && !loop->closed ? co__debug_find(loop) : NULL;
    return d && d->tl && d->tl->on;
}

size_t co_timeline_count(const co_loop *loop)
{
    co__debug *d = loop && !loop->closed ? co__debug_find(loop) : NULL;
    return d && d->tl ? d->tl->n : 0;
}

/* ---- notes into segments -------------------------------------------------- */

void co__timeline_view_free(co__timeline_view *v)
{
    free(v->names);
    free(v->seg);
    free(v->lane);
    free(v->timer_at);
    free(v->post_at);
    memset(v, 0, sizeof *v);
}

typedef struct lane_state {
    int kind;            /* CO__SEG_*, or -1: nothing open */
    double since;
    const char *label;
} lane_state;

static bool add_seg(co__timeline_view *v, size_t *cap, unsigned lane,
                    int kind, double t0, double t1, const char *label)
{
    if (v->nseg == *cap && !grow((void **)&v->seg, cap, sizeof *v->seg))
        return false;
    v->seg[v->nseg++] = (co__segment){lane, (unsigned char)kind, t0, t1,
                                      label};
    return true;
}

/* Closes what lane @p l has open at @p at and opens @p kind (-1: none). */
static bool move(co__timeline_view *v, size_t *cap, lane_state *st,
                 unsigned l, int kind, double at, const char *label)
{
    bool ok = true;
    if (st[l].kind >= 0 && at >= st[l].since)
        ok = add_seg(v, cap, l, st[l].kind, st[l].since, at, st[l].label);
    st[l].kind = kind;
    st[l].since = at;
    st[l].label = label;
    return ok;
}

#define LANE_NAME 40 /* room for a worker lane's name */

/* The executor jobs as segments, on one lane per worker thread that ran
 * one (after the tasks' lanes, in the order they first ran a job). A job
 * is drawn from when its worker began it to when it ended; one still
 * running when the recording ended (or still running now, while it
 * records) is drawn to the end; one that never began is not drawn. The
 * worker wrote its times before storing the stage, so loading that first
 * makes them safe to read. Jobs of one thread are drawn in the order they
 * were queued, which is the order that thread ran them. */
static bool add_jobs(const co__timeline *tl, co__timeline_view *v,
                     size_t *cap)
{
    struct key {
        unsigned pool;
        int worker;
    } *key = malloc(tl->njob * sizeof *key);
    struct drawn {
        unsigned lane;
        int kind;
        double t0, t1;
    } *job = malloc(tl->njob * sizeof *job);
    size_t nkey = 0;
    bool ok = key && job;
    for (size_t i = 0; ok && i < tl->njob; i++) {
        const co__job_watch *w = tl->job[i];
        int stage = atomic_load_explicit(&((co__job_watch *)w)->stage,
                                         memory_order_acquire);
        job[i].lane = UINT32_MAX;
        if (stage == CO__JOB_QUEUED)
            continue;
        double t0 = w->start - tl->start;
        if (!tl->on && t0 > tl->last)
            continue; /* it began after the recording had stopped */
        job[i].t0 = t0 > 0 ? t0 : 0;
        job[i].kind = CO__SEG_JOB_LEFT;
        job[i].t1 = -1; /* the end of the picture */
        /* `end` may be read only once the stage says ENDED. */
        if (stage == CO__JOB_ENDED &&
            (tl->on || w->end - tl->start <= tl->last)) {
            job[i].kind = CO__SEG_JOB;
            job[i].t1 = w->end - tl->start;
            if (job[i].t1 < job[i].t0)
                job[i].t1 = job[i].t0;
            if (job[i].t1 > v->span)
                v->span = job[i].t1; /* it ended after the latest note */
        }
        size_t k = 0;
        while (k < nkey &&
               (key[k].pool != w->pool || key[k].worker != w->worker))
            k++;
        if (k == nkey)
            key[nkey++] = (struct key){w->pool, w->worker};
        job[i].lane = (unsigned)(tl->nlane + k);
    }
    co__lane_info *lanes = ok && nkey ? realloc(v->lane, (tl->nlane + nkey) *
                                                            sizeof *lanes)
                                      : NULL;
    if (lanes)
        v->lane = lanes;
    v->names = lanes ? malloc(nkey * 2 * LANE_NAME) : NULL;
    ok = ok && (!nkey || v->names);
    for (size_t k = 0; ok && k < nkey; k++) {
        char *name = v->names + k * 2 * LANE_NAME, *thread = name + LANE_NAME;
        const co__job_watch *w = NULL;
        for (size_t i = 0; !w && i < tl->njob; i++)
            if (job[i].lane == tl->nlane + k)
                w = tl->job[i];
        if (w->default_pool)
            snprintf(name, LANE_NAME, "default executor");
        else
            snprintf(name, LANE_NAME, "executor %u", w->pool);
        snprintf(thread, LANE_NAME, "thread %d", w->worker + 1);
        v->lane[tl->nlane + k] = (co__lane_info){name, thread, NULL, -1};
    }
    if (ok)
        v->nlane = tl->nlane + nkey;
    for (size_t i = 0; ok && i < tl->njob; i++) {
        if (job[i].lane == UINT32_MAX)
            continue;
        ok = add_seg(v, cap, job[i].lane, job[i].kind, job[i].t0,
                     job[i].t1 < 0 ? v->span : job[i].t1, tl->job[i]->label);
        v->njobs++;
    }
    free(key);
    free(job);
    return ok;
}

int co__timeline_view_make(const co__timeline *tl, co__timeline_view *v)
{
    memset(v, 0, sizeof *v);
    size_t cap = 0, tcap = 0, pcap = 0;
    lane_state *st = malloc(tl->nlane * sizeof *st);
    v->lane = calloc(tl->nlane, sizeof *v->lane);
    bool ok = st && v->lane;
    for (size_t i = 0; ok && i < tl->nlane; i++) {
        st[i].kind = -1;
        v->lane[i] = (co__lane_info){tl->lane[i].name, tl->lane[i].coro,
                                     tl->lane[i].outcome[0]
                                         ? tl->lane[i].outcome
                                         : NULL,
                                     tl->lane[i].end};
    }
    v->nlane = tl->nlane;
    for (size_t i = 0; ok && i < tl->n; i++) {
        const tl_note *n = &tl->note[i];
        unsigned l = n->lane;
        switch (n->what) {
        case CO__TL_NEW:
            if (st[l].kind < 0)
                ok = move(v, &cap, st, l, CO__SEG_READY, n->t0, NULL);
            break;
        case CO__TL_READY:
            if (st[l].kind != CO__SEG_RUN && st[l].kind != CO__SEG_READY)
                ok = move(v, &cap, st, l, CO__SEG_READY, n->t0, NULL);
            break;
        case CO__TL_RUN:
            ok = move(v, &cap, st, l, CO__SEG_RUN, n->t0, NULL);
            break;
        case CO__TL_STOP:
            ok = move(v, &cap, st, l,
                      n->out == OUT_WAIT    ? CO__SEG_WAIT
                      : n->out == OUT_YIELD ? CO__SEG_READY
                                            : -1,
                      n->t0, n->out == OUT_WAIT ? n->label : NULL);
            break;
        case CO__TL_CALLBACK:
            ok = add_seg(v, &cap, 0, CO__SEG_CALLBACK, n->t0, n->t1, NULL);
            break;
        case CO__TL_TIMER:
            if (v->ntimer == tcap)
                ok = grow((void **)&v->timer_at, &tcap, sizeof(double));
            if (ok)
                v->timer_at[v->ntimer++] = n->t0;
            break;
        case CO__TL_POST:
            if (v->npost == pcap)
                ok = grow((void **)&v->post_at, &pcap, sizeof(double));
            if (ok)
                v->post_at[v->npost++] = n->t0;
            break;
        default:
            break;
        }
    }
    v->span = tl->last;
    if (ok && tl->njob)
        ok = add_jobs(tl, v, &cap);
    for (size_t l = 0; ok && l < tl->nlane; l++)
        if (st[l].kind >= 0)
            ok = move(v, &cap, st, (unsigned)l, -1, v->span, NULL);
    free(st);
    if (!ok) {
        co__timeline_view_free(v);
        return CO_ENOMEM;
    }
    return 0;
}

/* ---- Chrome Trace Event Format -------------------------------------------- */

/* @p s as the inside of a JSON string. */
static void json_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

static const char *seg_name(int kind)
{
    switch (kind) {
    case CO__SEG_RUN:
        return "running";
    case CO__SEG_READY:
        return "ready";
    case CO__SEG_WAIT:
        return "waiting";
    default:
        return "callback";
    }
}

static void json_lane_name(FILE *out, const co__lane_info *l)
{
    json_text(out, l->name);
    fputs(" (", out);
    json_text(out, l->coro);
    fputs(")", out);
}

static void write_json(const co__timeline_view *v, FILE *out)
{
    fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", out);
    fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"ts\":0,\"pid\":1,"
          "\"tid\":0,\"args\":{\"name\":\"coflow loop\"}}",
          out);
    for (size_t i = 0; i < v->nlane; i++) {
        fprintf(out, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"ts\":0,"
                     "\"pid\":1,\"tid\":%zu,\"args\":{\"name\":\"",
                i);
        json_lane_name(out, &v->lane[i]);
        fputs("\"}}", out);
        fprintf(out, ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\","
                     "\"ts\":0,\"pid\":1,\"tid\":%zu,\"args\":"
                     "{\"sort_index\":%zu}}",
                i, i);
    }
    for (size_t i = 0; i < v->nseg; i++) {
        const co__segment *s = &v->seg[i];
        if (s->kind == CO__SEG_CALLBACK) {
            fprintf(out, ",\n{\"name\":\"callback\",\"cat\":\"loop\","
                         "\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":1,"
                         "\"tid\":0}",
                    s->t0 * 1e6, (s->t1 - s->t0) * 1e6);
            continue;
        }
        if (s->kind == CO__SEG_JOB || s->kind == CO__SEG_JOB_LEFT) {
            fputs(",\n{\"name\":\"", out);
            json_text(out, s->label);
            fprintf(out, "%s\",\"cat\":\"executor\",\"ph\":\"B\","
                         "\"ts\":%.3f,\"pid\":1,\"tid\":%u}",
                    s->kind == CO__SEG_JOB_LEFT ? " (still running)" : "",
                    s->t0 * 1e6, s->lane);
            fprintf(out, ",\n{\"ph\":\"E\",\"ts\":%.3f,\"pid\":1,"
                         "\"tid\":%u}",
                    s->t1 * 1e6, s->lane);
            continue;
        }
        fprintf(out, ",\n{\"name\":\"%s%s", seg_name(s->kind),
                s->label ? ": " : "");
        json_text(out, s->label);
        fprintf(out, "\",\"cat\":\"task\",\"ph\":\"B\",\"ts\":%.3f,"
                     "\"pid\":1,\"tid\":%u}",
                s->t0 * 1e6, s->lane);
        fprintf(out, ",\n{\"ph\":\"E\",\"ts\":%.3f,\"pid\":1,\"tid\":%u}",
                s->t1 * 1e6, s->lane);
    }
    for (size_t i = 0; i < v->nlane; i++)
        if (v->lane[i].outcome) {
            fprintf(out, ",\n{\"name\":\"");
            json_text(out, v->lane[i].outcome);
            fprintf(out, "\",\"cat\":\"task\",\"ph\":\"i\",\"s\":\"t\","
                         "\"ts\":%.3f,\"pid\":1,\"tid\":%zu}",
                    v->lane[i].end * 1e6, i);
        }
    for (size_t i = 0; i < v->ntimer; i++)
        fprintf(out, ",\n{\"name\":\"timer fired\",\"cat\":\"loop\","
                     "\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":1,"
                     "\"tid\":0}",
                v->timer_at[i] * 1e6);
    for (size_t i = 0; i < v->npost; i++)
        fprintf(out, ",\n{\"name\":\"threadsafe call arrived\",\"cat\":"
                     "\"loop\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,"
                     "\"pid\":1,\"tid\":0}",
                v->post_at[i] * 1e6);
    fputs("\n]}\n", out);
}

/* Both writers: the recording of @p loop, as a view, to @p draw. */
static int write_with(co_loop *loop, FILE *out, int svg)
{
    if (!loop || !out)
        return CO_EINVAL;
    co__debug *d = loop->closed ? NULL : co__debug_find(loop);
    if (!d || !d->tl)
        return CO_ESTATE;
    co__timeline_view v;
    int rc = co__timeline_view_make(d->tl, &v);
    if (rc < 0)
        return rc;
    if (svg)
        rc = co__timeline_svg(&v, out);
    else
        write_json(&v, out);
    co__timeline_view_free(&v);
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = CO_EWRITE;
    return rc;
}

int co_timeline_write_json(co_loop *loop, FILE *out)
{
    return write_with(loop, out, 0);
}

int co_timeline_write_svg(co_loop *loop, FILE *out)
{
    return write_with(loop, out, 1);
}

void co__timeline_write_files(co__debug *d, const char *prefix)
{
    if (d->tl->on) {
        double now = co__debug_now(d) - d->tl->start;
        if (now > d->tl->last)
            d->tl->last = now;
    }
    co__timeline_view v;
    if (co__timeline_view_make(d->tl, &v) < 0) {
        co_loop_report(d->loop, "the timeline could not be written (out of "
                                "memory)");
        return;
    }
    size_t len = strlen(prefix) + 8;
    char *path = malloc(len);
    for (int svg = 0; path && svg <= 1; svg++) {
        snprintf(path, len, "%s.%s", prefix, svg ? "svg" : "json");
        FILE *f = fopen(path, "w");
        int rc = CO_EWRITE;
        if (f) {
            rc = 0;
            if (svg)
                rc = co__timeline_svg(&v, f);
            else
                write_json(&v, f);
            if (ferror(f))
                rc = CO_EWRITE;
            if (fclose(f) != 0)
                rc = CO_EWRITE;
        }
        if (rc < 0) {
            char line[512];
            snprintf(line, sizeof line,
                     "COFLOW_TIMELINE: could not write %s", path);
            co_loop_report(d->loop, line);
        }
    }
    free(path);
    co__timeline_view_free(&v);
}
