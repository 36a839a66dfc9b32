/* semaphore_handoff: a Semaphore(2) lets at most two tasks hold it; the
 * others wait and are served first come, first served. release() hands its
 * place straight to the first waiter (the value stays 0 while anybody
 * waits), so a newcomer that asks in the same iteration, before the woken
 * waiter has run, still queues behind everyone. (The value traced is
 * co_semaphore_value, the counter that Python's repr shows as value.) */
#include "conformance.h"

#define TF(b) ((b) ? "True" : "False")

struct worker {
    co_coro co;
    const char *name;
    co_semaphore *sem;
    co_future *gate;
    co_wait_op op;
};

static int worker(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    CO_BEGIN(co);
    trace("%s wants it", self->name);
    CO_SEMAPHORE_ACQUIRE(co, &self->op, self->sem);
    trace("%s holds it", self->name);
    CO_AWAIT(co, self->gate);
    co_semaphore_release(self->sem);
    trace("%s released it; value %ld", self->name,
          co_semaphore_value(self->sem));
    CO_END(co);
}

static co_task *start(const char *name, co_semaphore *sem, co_future *gate)
{
    struct worker *w = CO_NEW(struct worker, worker);
    w->name = name;
    w->sem = sem;
    w->gate = gate;
    return spawn(&w->co, NULL);
}

struct main_f {
    co_coro co;
    co_semaphore *sem;
    co_future *gates[5];
    co_task *t[5];
    int i;
};

static int main_co(co_coro *co)
{
    static const char *names[] = {"w1", "w2", "w3", "w4", "late"};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_semaphore_new(&self->sem, 2);
    for (int i = 0; i < 5; i++)
        co_future_new(LOOP(), &self->gates[i]);
    for (int i = 0; i < 4; i++)
        self->t[i] = start(names[i], self->sem, self->gates[i]);
    CO_YIELD(co);
    trace("main: locked %s, value %ld", TF(co_semaphore_locked(self->sem)),
          co_semaphore_value(self->sem));
    co_future_set_result_int(self->gates[0], 0); /* w1 runs next, */
    self->t[4] = start("late", self->sem, self->gates[4]); /* then late */
    for (self->i = 0; self->i < 5; self->i++) {
        if (!co_future_done(self->gates[self->i]))
            co_future_set_result_int(self->gates[self->i], 0);
        CO_AWAIT(co, self->t[self->i]);
    }
    trace("main: locked %s, value %ld", TF(co_semaphore_locked(self->sem)),
          co_semaphore_value(self->sem));
    CO_FINALLY(co);
    for (int i = 0; i < 5; i++) {
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
    co_semaphore_free(m.sem);
}
