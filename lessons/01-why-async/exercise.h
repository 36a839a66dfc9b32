/* exercise.h - lesson 01: use the time spent waiting.
 *
 * Three "downloads" run on a simulated clock, so nothing really sleeps and
 * every run gives the same figures. A download is a coroutine written by
 * hand: a function that stops half-way (while the network is busy) and,
 * called again, carries on where it stopped. download_step() is given; you
 * write download_all_async(). */
#ifndef LESSON01_EXERCISE_H
#define LESSON01_EXERCISE_H

/** The simulated world: a clock and a log of what happened when. */
struct sim {
    double now;      /* the simulated time, in seconds; only moves forward */
    char log[1024];  /* one event per line: "t=1s done b" */
    int steps;       /* how many times download_step() was called */
};

/** One download: a coroutine by hand. `where` is its saved position. */
struct download {
    const char *name; /* which image */
    double seconds;   /* how long the network takes to deliver it */
    int where;        /* 0 = not started, 1 = waiting, 2 = finished */
    double ready_at;  /* when its data arrives, on the simulated clock */
};

/** What download_step() returns. */
enum { DOWNLOAD_DONE = 0, DOWNLOAD_WAITING = 1 };

/** Given. Runs @p d as far as it can go at time sim->now: the first call
 *  sends the request (logs "start"), a call once the data has arrived
 *  finishes it (logs "done"). @return DOWNLOAD_WAITING while it waits for
 *  the network, DOWNLOAD_DONE once finished (and on every later call). */
int download_step(struct download *d, struct sim *sim);

/** Given. The usual way: one download after the other, each waited for
 *  before the next starts. @return the time it all took. */
double download_all_sync(struct download *d, int n, struct sim *sim);

/** YOUR PART. All @p n downloads at once: start every one, then, while any
 *  is unfinished, move the clock to the moment the next data arrives and
 *  step the downloads again. Never move the clock backwards, never past the
 *  earliest arrival. @return the time it all took (sim->now at the end
 *  minus sim->now at the start). */
double download_all_async(struct download *d, int n, struct sim *sim);

#endif
