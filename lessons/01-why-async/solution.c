/* solution.c - lesson 01, the reference solution: start every download,
 * then spend each wait moving the clock to the next arrival. */
#include <stdio.h>
#include <string.h>

#include "exercise.h"

/* ---- given ------------------------------------------------------------- */

/* Appends one line, "t=<now>s <what> <name>", to the log. */
static void sim_log(struct sim *sim, const char *what, const char *name)
{
    size_t used = strlen(sim->log);
    snprintf(sim->log + used, sizeof sim->log - used, "t=%gs %s %s\n",
             sim->now, what, name);
}

int download_step(struct download *d, struct sim *sim)
{
    sim->steps++;
    switch (d->where) { /* jump back to where it stopped */
    case 0:             /* first call: send the request */
        sim_log(sim, "start", d->name);
        d->ready_at = sim->now + d->seconds;
        d->where = 1;
        return DOWNLOAD_WAITING; /* stop here; carry on next time */
    case 1:                      /* called again: has the data arrived? */
        if (sim->now < d->ready_at)
            return DOWNLOAD_WAITING;
        sim_log(sim, "done", d->name);
        d->where = 2;
        return DOWNLOAD_DONE;
    default: /* finished long ago */
        return DOWNLOAD_DONE;
    }
}

double download_all_sync(struct download *d, int n, struct sim *sim)
{
    double start = sim->now;
    for (int i = 0; i < n; i++) {
        download_step(&d[i], sim);   /* send the request */
        sim->now = d[i].ready_at;    /* sit and wait for the network */
        download_step(&d[i], sim);   /* now it can finish */
    }
    return sim->now - start;
}

/* ---- your part ------------------------------------------------------- */

double download_all_async(struct download *d, int n, struct sim *sim)
{
    double start = sim->now;
    int unfinished = 0;
    for (int i = 0; i < n; i++)         /* every request goes out now */
        if (download_step(&d[i], sim) != DOWNLOAD_DONE)
            unfinished++;
    while (unfinished > 0) {
        /* Nothing can happen before the earliest arrival: jump there. */
        double next = 0;
        int found = 0;
        for (int i = 0; i < n; i++)
            if (d[i].where != 2 && (!found || d[i].ready_at < next)) {
                next = d[i].ready_at;
                found = 1;
            }
        if (next > sim->now)
            sim->now = next;
        unfinished = 0;
        for (int i = 0; i < n; i++)
            if (d[i].where != 2 && download_step(&d[i], sim) != DOWNLOAD_DONE)
                unfinished++;
    }
    return sim->now - start;
}
