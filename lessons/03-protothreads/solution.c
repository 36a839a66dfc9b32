/* solution.c - lesson 03, the reference solution: every variable that is
 * needed after a CO_YIELD lives in the frame. */
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
    CO_BEGIN(co);
    self->a = 0;
    self->b = 1;
    for (self->i = 0; self->i < self->n; self->i++) {
        self->current = self->a;
        CO_YIELD(co);
        /* A local is fine here: set and used with no CO_YIELD between. */
        long long next = self->a + self->b;
        self->a = self->b;
        self->b = next;
    }
    CO_RETURN(co, self->i);
    CO_END(co);
}
