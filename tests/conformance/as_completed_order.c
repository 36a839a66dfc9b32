/* as_completed_order: as_completed hands out its results in the order the
 * awaitables complete, not the order they were given; a failure is raised
 * by the await that hands it out; when the timeout passes, each await still
 * to come fails with a timeout, and the item not done yet is not
 * cancelled. A setter task finishes c, a, d and b one loop iteration
 * apart. (In coflow each next-future hands over the item that completed,
 * whose outcome is then read; ValueError is CO_EUSER.) */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")
#define N 5

struct job {
    co_coro co;
    co_future *gate;
    int value;
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->gate);
    if (self->value < 0)
        CO_RAISE(co, CO_EUSER, "d failed");
    CO_RETURN(co, self->value);
    CO_END(co);
}

struct setter {
    co_coro co;
    co_future **gates;
    int i;
};

static int setter(co_coro *co)
{
    static const int order[] = {2, 0, 3, 1}; /* c, a, d, b */
    struct setter *self = (struct setter *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < 4; self->i++) {
        co_future_set_result_int(self->gates[order[self->i]], 0);
        CO_YIELD(co);
    }
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_future *gates[N];
    co_task *t[N];
    co_as_completed *ac;
    co_future *next;
    int i, caught;
};

static int main_co(co_coro *co)
{
    static const int values[N] = {1, 2, 3, -1, 5}; /* a b c d e */
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    for (int i = 0; i < N; i++) {
        struct job *j = CO_NEW(struct job, job);
        co_future_new(LOOP(), &self->gates[i]);
        j->gate = self->gates[i];
        j->value = values[i];
        self->t[i] = spawn(&j->co, NULL);
    }
    {
        struct setter *s = CO_NEW(struct setter, setter);
        s->gates = self->gates;
        spawn_detached(&s->co, NULL);
        co_future *items[N];
        for (int i = 0; i < N; i++)
            items[i] = co_task_future(self->t[i]);
        co_as_completed_new(LOOP(), items, N, 0.3, &self->ac);
    }
    for (self->i = 0; self->i < N; self->i++) {
        co_as_completed_next(self->ac, &self->next);
        CO_AWAIT_CATCH(co, self->next, self->caught);
        if (self->caught == CO_ETIMEDOUT) {
            trace("TimeoutError");
        } else if (self->caught) {
            trace("unexpected %s", co_errname(self->caught));
        } else {
            void *p = NULL;
            co_future *item;
            const char *msg = NULL;
            long long v = 0;
            co_future_result_ptr(self->next, &p);
            item = p;
            int err = item ? co_future_exception(item, &msg) : CO_EINVAL;
            if (err == CO_EUSER)
                trace("ValueError: %s", msg);
            else if (err)
                trace("unexpected %s", co_errname(err));
            else if (co_future_result_int(item, &v) == 0)
                trace("result %lld", v);
        }
        co_future_unref(self->next);
        self->next = NULL;
    }
    trace("e cancelled by the timeout: %s", TF(co_task_cancelled(self->t[4])));
    co_task_cancel(self->t[4]);
    CO_FINALLY(co);
    co_future_unref(self->next);
    co_as_completed_free(self->ac);
    for (int i = 0; i < N; i++) {
        co_task_unref(self->t[i]);
        co_future_unref(self->gates[i]);
    }
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
