/* debug_internal.h - debug mode and the timeline recorder share one watcher
 * per loop: a loop extension (co__loop_ext) that is also the loop's probe
 * (co__probe). debug.c owns it; timeline.c records through it. See
 * docs/debugging.md. */
#ifndef COFLOW_DEBUG_INTERNAL_H
#define COFLOW_DEBUG_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "coflow/debug.h"
#include "coflow/timeline.h"
#include "task_internal.h"

typedef struct co__timeline co__timeline; /* timeline.c */
struct co__job_watch;                     /* threads_internal.h */

/* What a timeline note says happened (co__timeline_note). */
enum {
    CO__TL_NEW,     /* a task was created */
    CO__TL_READY,   /* it was woken: its step is queued */
    CO__TL_RUN,     /* a step began */
    CO__TL_STOP,    /* a step ended: it waits, yielded, or ended */
    CO__TL_CALLBACK,/* a callback that is not a task step ran (t0 .. t1) */
    CO__TL_TIMER,   /* a timer was due */
    CO__TL_POST     /* a threadsafe call arrived */
};

/* Invariants: installed as loop->probe from the moment debug mode or the
 * recorder is first switched on until the loop closes (switching both off
 * again only makes the hooks return at once). `step_task` holds a
 * reference while a step runs, so the task can be looked at after it. */
typedef struct co__debug {
    co__loop_ext ext;      /* how the loop knows it; must stay first */
    co__probe probe;       /* the loop's hooks into it */
    co_loop *loop;         /* the loop it watches */
    bool debug;            /* debug mode is on */
    double slow;           /* slow_callback_duration, seconds */
    double (*clock)(void *arg); /* the clock, or NULL: co_loop_time */
    void *clock_arg;       /* its argument */
    double cb_start;       /* when the running callback began */
    unsigned cb_steps;     /* task steps it ran (their own reports) */
    co_task *cb_task;      /* the task whose step the callback is, or NULL */
    co_task *note_task;    /* the task of a STEP_BEGIN note, or NULL */
    double step_start;     /* when that step began */
    co__resource *open;    /* resources still open (co__resource list) */
    co__timeline *tl;      /* the recorder, or NULL */
    char *tl_path;         /* COFLOW_TIMELINE's prefix for this loop */
} co__debug;

/* The watcher of @p loop, made and installed if needed. NULL: no memory. */
co__debug *co__debug_get(co_loop *loop);
/* The watcher of @p loop if it has one. */
co__debug *co__debug_find(const co_loop *loop);
/* Now, on the watcher's clock. */
double co__debug_now(const co__debug *d);

/* From now on CO_NEW tells this layer the names of coroutines. */
void co__debug_watch_frames(void);
/* The coroutine name of @p co (see co_coro_name), or "coroutine". */
const char *co__debug_coro_name(const co_coro *co);
/* What task @p t waits on, in words ("sleep (0.050 s left)", "task 'b'"),
 * into @p buf; "" when it waits on nothing. Without @p timed, a sleep is
 * just "sleep" (the timeline draws its length; the loop's clock would make
 * a picture on a fake clock differ from run to run). */
void co__debug_describe_wait(const co_task *t, char *buf, size_t size,
                             bool timed);

/* The recorder (timeline.c). A note while not recording does nothing. */
void co__timeline_note(co__debug *d, int what, co_task *t, double t0,
                       double t1);
void co__timeline_free(co__timeline *tl);
/* An executor job about to be submitted (CO__NOTE_JOB): while recording on
 * the loop's own clock, the recorder names it and keeps its record, and
 * draws it from the times its worker writes there. */
void co__timeline_job(co__debug *d, struct co__job_watch *w);
/* Writes the recording of @p d to @p prefix.json and @p prefix.svg. */
void co__timeline_write_files(co__debug *d, const char *prefix);

/* One drawn stretch of a lane (timeline.c builds them, both writers draw
 * them): a task running, ready or waiting from t0 to t1. */
enum {
    CO__SEG_RUN,
    CO__SEG_READY,
    CO__SEG_WAIT,
    CO__SEG_CALLBACK,
    CO__SEG_JOB,     /* an executor job on a worker thread's lane */
    CO__SEG_JOB_LEFT /* one still running when the recording ended */
};
typedef struct co__segment {
    unsigned lane;   /* 0: the loop's own lane (callbacks), 1..: tasks,
                      * then the worker threads' */
    unsigned char kind; /* CO__SEG_* */
    double t0, t1;   /* seconds from the start of the recording */
    const char *label; /* what it waited on, or NULL */
} co__segment;

typedef struct co__lane_info {
    const char *name;    /* the task's name, "loop", or the pool's */
    const char *coro;    /* its coroutine's name, or "thread N" */
    const char *outcome; /* how it ended ("result 10", "failed: ...",
                          * "cancelled") or NULL while pending */
    double end;          /* when it ended, or -1 */
} co__lane_info;

/* The recording as segments and lanes, for the writers; freed by
 * co__timeline_view_free. Instants (timers, posts) as times in @p marks
 * with their lane 0. */
typedef struct co__timeline_view {
    co__segment *seg;
    size_t nseg;
    co__lane_info *lane;
    size_t nlane;
    double *timer_at;    /* when timers fired */
    size_t ntimer;
    double *post_at;     /* when threadsafe calls arrived */
    size_t npost;
    double span;         /* seconds covered */
    char *names;         /* the worker lanes' names (owned) */
    size_t njobs;        /* job segments */
} co__timeline_view;
int co__timeline_view_make(const co__timeline *tl, co__timeline_view *v);
void co__timeline_view_free(co__timeline_view *v);
/* timeline_svg.c */
int co__timeline_svg(const co__timeline_view *v, FILE *out);

#endif
