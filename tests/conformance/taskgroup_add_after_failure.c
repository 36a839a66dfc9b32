/* taskgroup_add_after_failure: once a task has failed the group is
 * shutting down and refuses new tasks (3.11); a group not yet entered, or
 * one that has ended, refuses them too. A refused CO_NEW frame is freed,
 * as Python drops the coroutine object. */
#include "conformance.h"

#define APP(code) (CO_EUSER - (code))

static const char *why(int rc)
{
    switch (rc) {
    case CO_EGROUPABORTING:
        return "shutting down";
    case CO_EGROUPCLOSED:
        return "is finished"; /* or "has not been entered": see below */
    default:
        return co_errname(rc);
    }
}

static int crash(co_coro *co)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    CO_RAISE(co, APP(1), "crash failed");
    CO_END(co);
}

static int late(co_coro *co)
{
    CO_BEGIN(co);
    trace("late: ran");
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
    int rc;
    CO_BEGIN(co);
    co_taskgroup_create_task(self->tg, CO_NEW(co_coro, crash), NULL, NULL);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        rc = co_taskgroup_create_task(self->tg, CO_NEW(co_coro, late), NULL,
                                      NULL);
        if (rc < 0)
            trace("after the failure: %s", why(rc));
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
    int rc;
    CO_BEGIN(co);
    rc = co_taskgroup_create_task(&self->tg, CO_NEW(co_coro, late), NULL,
                                  NULL);
    if (rc == CO_EGROUPCLOSED)
        trace("before entering: has not been entered");
    co_coro_init(&self->body.co, body);
    self->body.tg = &self->tg;
    CO_TASKGROUP_CATCH(co, &self->tg, &self->body.co, self->caught);
    if (self->caught == CO_EGROUP)
        trace("group failed with %d error(s)",
              co_taskgroup_error_count(co_caught_message()));
    rc = co_taskgroup_create_task(&self->tg, CO_NEW(co_coro, late), NULL,
                                  NULL);
    if (rc < 0)
        trace("after it ended: %s", why(rc));
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
