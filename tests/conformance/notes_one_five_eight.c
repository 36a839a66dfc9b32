/* notes_one_five_eight: the notes' three sleeps of 1, 5 and 8 (here 50, 250
 * and 400 ms) run concurrently: wait returns after the longest, well before
 * their sum (700 ms) - shown by a marker timer set at the sum. */
#include "conformance.h"

struct demo {
    co_coro co;
    int x;
};

static int demo_exp(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    trace("Waiting: %d", self->x);
    CO_SLEEP(co, self->x / 20.0);
    CO_RETURN(co, self->x);
    CO_END(co);
}

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

struct main_f {
    co_coro co;
    co_future *items[3];
    co_future *w;
};

static int main_co(co_coro *co)
{
    static const int xs[] = {1, 5, 8};
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_loop_call_later(LOOP(), 0.7, say,
                       "700 ms: a sequential run would end only now", NULL);
    for (int i = 0; i < 3; i++) {
        struct demo *d = CO_NEW(struct demo, demo_exp);
        d->x = xs[i];
        self->items[i] = co_task_future(spawn(&d->co, NULL));
    }
    co_wait(LOOP(), self->items, 3, CO_NO_TIMEOUT, CO_ALL_COMPLETED, &self->w);
    CO_AWAIT(co, self->w);
    trace("wait returned");
    for (int i = 0; i < 3; i++) {
        long long v = 0;
        co_future_result_int(self->items[i], &v);
        trace("task result is: paused %lld", v);
    }
    CO_SLEEP(co, 0.5);
    CO_FINALLY(co);
    co_future_unref(self->w);
    for (int i = 0; i < 3; i++)
        co_future_unref(self->items[i]);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
