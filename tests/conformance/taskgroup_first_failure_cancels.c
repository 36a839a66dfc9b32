/* taskgroup_first_failure_cancels: the first task of a TaskGroup that
 * fails cancels the other tasks and the group's body; the group waits for
 * them all, then fails with the failure; the task it ran in carries on. */
#include <stdio.h>
#include <string.h>

#include "conformance.h"

/* Python's AppError(code, msg) is the failure CO_EUSER - code here. */
#define APP(code) (CO_EUSER - (code))

/* Prints a group's failure as the .py does: str(eg), then each error. */
static void show(const char *msg)
{
    char first[128], text[128];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(msg, "\n"), msg);
    trace("group failed: %s", first);
    for (int i = 0; i < co_taskgroup_error_count(msg); i++) {
        int code;
        co_taskgroup_error(msg, (size_t)i, &code, text, sizeof text);
        trace("  error %d %s", CO_EUSER - code, text);
    }
}

static int crash(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.01);
    trace("crash: failing");
    CO_RAISE(co, APP(1), "crash failed");
    CO_END(co);
}

struct slow {
    co_coro co;
    int caught;
};

static int slow(co_coro *co)
{
    struct slow *self = (struct slow *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (!self->caught) {
        trace("slow : finished");
        CO_RETURN(co, 0);
    }
    trace("slow : cancelled, cleaning up");
    CO_SLEEP(co, 0.01);
    trace("slow : cleaned up");
    CO_RAISE(co, self->caught, NULL);
    CO_END(co);
}

struct body {
    co_coro co;
    co_taskgroup *tg;
    int caught;
};

static int body(co_coro *co)
{
    struct body *self = (struct body *)co;
    CO_BEGIN(co);
    co_taskgroup_create_task(self->tg, CO_NEW(co_coro, crash), NULL, NULL);
    co_taskgroup_create_task(self->tg, &CO_NEW(struct slow, slow)->co, NULL,
                             NULL);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        trace("body: cancelled, cancelling() = %d",
              co_task_cancelling(co_current_task(NULL)));
        CO_RAISE(co, CO_ECANCELLED, NULL);
    }
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_taskgroup tg;
    struct body body;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    co_task *me = co_current_task(NULL);
    CO_BEGIN(co);
    co_coro_init(&self->body.co, body);
    self->body.tg = &self->tg;
    CO_TASKGROUP_CATCH(co, &self->tg, &self->body.co, self->caught);
    if (self->caught == CO_EGROUP)
        show(co_caught_message());
    trace("main: carries on, cancelling() = %d", co_task_cancelling(me));
    CO_YIELD(co);
    trace("main: done");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
