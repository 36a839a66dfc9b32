/* sleep_wakeup_hop: sleep(d) is a future plus a timer, so a task whose
 * sleep ends is not resumed by the timer itself: the timer finishes the
 * future, and the future schedules the task's next step with call_soon.
 * Callbacks that the iteration's earlier callbacks scheduled therefore run
 * first. A blocking callback makes both timers due in the same iteration
 * (timer a first, by deadline), whatever the machine's speed.
 * (coflow once stepped the task from the timer itself, one hop early, so
 * "sleeper wakes" came before "soon after a"; lib/src/task.c, timer_fired.) */
#include "conformance.h"

#include <time.h>

static void say(void *arg)
{
    trace("%s", (const char *)arg);
}

static void timer_a(void *arg)
{
    (void)arg;
    trace("timer a (schedules soon after a)");
    co_loop_call_soon(LOOP(), say, "soon after a");
}

static void block(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 200 * 1000 * 1000}; /* time.sleep(0.2) */
    nanosleep(&ts, NULL);
}

static int sleeper(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.06);
    trace("sleeper wakes");
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_task *t;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_loop_call_later(LOOP(), 0.05, timer_a, NULL, NULL);
    self->t = spawn(CO_NEW(co_coro, sleeper), NULL);
    co_loop_call_soon(LOOP(), block, NULL); /* after sleeper's first step */
    CO_AWAIT(co, self->t);
    trace("main: done");
    CO_FINALLY(co);
    co_task_unref(self->t);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
