/* gather_return_exceptions: with return_exceptions gather waits for every
 * child and never raises: failures and cancellations take their place in
 * the result list, in argument order. (ValueError is CO_EUSER here.) */
#include "conformance.h"

struct job {
    co_coro co;
    int kind; /* 0 ok, 1 bad, 2 sleeper */
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    if (self->kind == 0) {
        CO_SLEEP(co, 0.01);
        CO_RETURN_PTR(co, "fine");
    }
    if (self->kind == 1) {
        CO_SLEEP(co, 0.02);
        CO_RAISE(co, CO_EUSER, "boom");
    }
    CO_SLEEP(co, 10);
    CO_END(co);
}

static co_task *start(int kind)
{
    struct job *j = CO_NEW(struct job, job);
    j->kind = kind;
    return spawn(&j->co, NULL);
}

static void cancel_it(void *arg)
{
    co_task_cancel(arg);
}

struct main_f {
    co_coro co;
    co_task *t[3];
    co_future *all;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    self->t[1] = start(2); /* the doomed sleeper, created first */
    co_loop_call_later(LOOP(), 0.03, cancel_it, self->t[1], NULL);
    self->t[0] = start(1);
    self->t[2] = start(0);
    {
        co_future *items[3];
        for (int i = 0; i < 3; i++)
            items[i] = co_task_future(self->t[i]);
        co_gather(LOOP(), items, 3, true, &self->all);
    }
    CO_AWAIT(co, self->all);
    for (int i = 0; i < 3; i++) {
        co_future *f = co_task_future(self->t[i]);
        const char *msg = NULL;
        int err = co_future_exception(f, &msg);
        void *r = NULL;
        if (err == CO_ECANCELLED)
            trace("CancelledError()");
        else if (err == CO_EUSER)
            trace("ValueError(%s)", msg);
        else if (co_future_result_ptr(f, &r) == 0)
            trace("'%s'", (char *)r);
        else
            trace("unexpected %s", co_errname(err));
    }
    CO_FINALLY(co);
    co_future_unref(self->all);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
