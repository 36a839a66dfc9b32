/* example.c - lesson 03: protothreads. A coroutine is a function whose
 * body is a switch on a saved line number, plus a frame struct that keeps
 * its variables. Driven by hand with co_coro_step(), like next(). */
#include <stdio.h>

#include <coflow.h>

/* A countdown, with its state in the frame: right. */
struct countdown {
    co_coro co; /* the header, always first: holds lc, the saved line */
    int n;      /* survives every CO_YIELD because it lives here */
};

static int countdown(co_coro *co)
{
    struct countdown *self = (struct countdown *)co;
    CO_BEGIN(co);
    while (self->n > 0) {
        printf("  countdown: n=%d, suspending\n", self->n);
        CO_YIELD(co);
        self->n--;
    }
    printf("  countdown: done\n");
    CO_END(co);
}

/* The same, with the counter in a local variable: wrong. Every step is a
 * new call of the function, so `n` starts again at 3 every time. */
static int countdown_local(co_coro *co)
{
    int n = 3;
    CO_BEGIN(co);
    while (n > 0) {
        printf("  countdown_local: n=%d, suspending\n", n);
        CO_YIELD(co);
        n--;
    }
    printf("  countdown_local: done\n");
    CO_END(co);
}

/* Steps @p co at most @p max times, printing what each step returned. */
static void drive(co_coro *co, int max)
{
    for (int step = 1; step <= max; step++) {
        int st = co_coro_step(co);
        if (st == CO_STATUS_DONE) {
            printf("step %d: finished\n", step);
            return;
        }
        printf("step %d: suspended; it will resume at line %d\n", step,
               co->lc);
    }
    printf("(gave up after %d steps: it never finishes)\n", max);
}

int main(void)
{
    printf("== state in the frame ==\n");
    struct countdown c = {.n = 2};
    co_coro_init(&c.co, countdown); /* makes the coroutine: runs nothing */
    printf("made; resume point lc=%d (the top)\n", c.co.lc);
    drive(&c.co, 10);

    printf("== state in a local variable ==\n");
    co_coro l;
    co_coro_init(&l, countdown_local);
    drive(&l, 4);
    return 0;
}
