/* example.c - lesson 02: generators in C. A function whose body is a
 * switch jumps back to the line after its last `yield` each time it is
 * called again (coflow/lc.h). Driven by hand, like calling next(). */
#include <stdio.h>

#include <coflow/lc.h>

/* def countdown(n):
 *     while n > 0:
 *         yield n
 *         n -= 1                                                          */
struct countdown {
    co_lc lc; /* where the body stopped: 0 = at the top */
    int n;    /* the generator's variable: lives here, not on the stack */
};

/* next(): returns 1 with a value in *out, or 0 for StopIteration. */
static int countdown_next(struct countdown *g, int *out)
{
    CO_LC_RESUME(g->lc);
    printf("    [countdown body starts, n=%d]\n", g->n);
    while (g->n > 0) {
        *out = g->n;
        CO_LC_YIELD(g->lc, 1);
        printf("    [countdown resumes after its yield, n=%d]\n", g->n);
        g->n--;
    }
    printf("    [countdown body ends]\n");
    CO_LC_END(g->lc);
    return 0;
}

/* def launch():
 *     yield from countdown(2)
 *     yield 0                      # liftoff                              */
struct launch {
    co_lc lc;             /* where this body stopped */
    struct countdown sub; /* the generator it delegates to */
};

static int launch_next(struct launch *g, int *out)
{
    CO_LC_RESUME(g->lc);
    g->sub = (struct countdown){.lc = 0, .n = 2};
    /* yield from: pass on every value the sub-generator yields */
    while (countdown_next(&g->sub, out))
        CO_LC_YIELD(g->lc, 1);
    *out = 0;
    CO_LC_YIELD(g->lc, 1);
    CO_LC_END(g->lc);
    return 0;
}

int main(void)
{
    int v;

    printf("== a generator, driven by next() ==\n");
    struct countdown c = {.lc = 0, .n = 3};
    printf("countdown(3) made: nothing has run yet\n");
    while (countdown_next(&c, &v))
        printf("next() -> %d\n", v);
    printf("next() -> StopIteration\n");

    printf("== yield from: a generator that delegates ==\n");
    struct launch l = {.lc = 0};
    while (launch_next(&l, &v))
        printf("next() -> %d\n", v);
    printf("next() -> StopIteration\n");

    printf("== two generators taking turns: coroutines ==\n");
    struct countdown a = {.lc = 0, .n = 2}, b = {.lc = 0, .n = 2};
    int more_a = 1, more_b = 1;
    while (more_a || more_b) {
        if (more_a && (more_a = countdown_next(&a, &v)))
            printf("a -> %d\n", v);
        if (more_b && (more_b = countdown_next(&b, &v)))
            printf("b -> %d\n", v);
    }
    return 0;
}
