/* exercise.c - lesson 03: the Fibonacci protothread. Read README.md first:
 * this compiles, runs, and is wrong in the classic way. */
#include "exercise.h"

void fib_init(struct fib_frame *f, int n)
{
    co_coro_init(&f->co, fib); /* the header; runs nothing */
    f->n = n;
    f->current = -1;
    f->a = f->b = 0;
    f->i = 0;
}

int fib(co_coro *co)
{
    struct fib_frame *self = (struct fib_frame *)co;
    /* TODO: these three are local variables. Every step is a new call of
     * fib(), so they start again at 0, 1, 0 on every resume, and the
     * CO_YIELD in the loop jumps back into a loop whose counter has
     * forgotten how far it got. Keep them in the frame instead (self->a,
     * self->b, self->i are there for that) and delete these lines. */
    long long a = 0, b = 1;
    int i = 0;
    CO_BEGIN(co);
    for (i = 0; i < self->n; i++) {
        self->current = a;
        CO_YIELD(co);
        long long next = a + b;
        a = b;
        b = next;
    }
    CO_RETURN(co, i);
    CO_END(co);
}
