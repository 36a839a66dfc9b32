/* solution.c - lesson 02, the reference solution: a generator made of a
 * switch (CO_LC_RESUME) whose case labels sit after each yield. */
#include <stddef.h>

#include "exercise.h"

/* Parked here once the loop has ended: no case label has this value, so
 * the switch skips the whole body and the generator stays exhausted. */
#define COUNTER_EXHAUSTED (-1)

int counter_init(struct counter *g, int start, int stop, int step)
{
    if (g == NULL || step == 0)
        return -1;
    g->lc = 0; /* a fresh generator starts at the top of its body */
    g->value = start;
    g->stop = stop;
    g->step = step;
    return 0;
}

/* True while the counter has not reached its end. */
static int running(const struct counter *g)
{
    return g->step > 0 ? g->value < g->stop : g->value > g->stop;
}

int counter_next(struct counter *g, int *out)
{
    CO_LC_RESUME(g->lc);
    while (running(g)) {
        *out = g->value;
        CO_LC_YIELD(g->lc, 1); /* yield value; resume on the next line */
        g->value += g->step;
    }
    g->lc = COUNTER_EXHAUSTED;
    CO_LC_END(g->lc);
    return 0;
}
