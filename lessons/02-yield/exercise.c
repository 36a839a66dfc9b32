/* exercise.c - lesson 02: write counter_next() as a generator, with
 * CO_LC_RESUME / CO_LC_YIELD / CO_LC_END from coflow/lc.h. Read README.md. */
#include <stddef.h>

#include "exercise.h"

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

int counter_next(struct counter *g, int *out)
{
    /* TODO: the body of the generator, between CO_LC_RESUME(g->lc) and
     * CO_LC_END(g->lc):
     *     while value has not reached stop (mind a negative step):
     *         *out = value; yield 1 (CO_LC_YIELD(g->lc, 1));
     *         value += step;
     * and after the loop, make sure later calls keep returning 0.
     * Keep every variable in *g: nothing local survives a yield. */
    (void)g;
    (void)out;
    return 0;
}
