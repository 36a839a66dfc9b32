/* taskgroup_all_errors_in_order: a TaskGroup keeps every failure, in the
 * order they happened (tasks failing in their cleanup too), and its body's
 * own failure last; cancelled tasks are not failures. The first group is
 * written with enter/exit in the coroutine itself, the second with a body
 * coroutine. */
#include <stdio.h>
#include <string.h>

#include "conformance.h"

#define APP(code) (CO_EUSER - (code))

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

struct failer {
    co_coro co;
    int code;
    double delay;
    int caught;
    char msg[64];
};

static int fail_now(co_coro *co)
{
    struct failer *self = (struct failer *)co;
    CO_BEGIN(co);
    CO_YIELD(co);
    snprintf(self->msg, sizeof self->msg, "failed at once (%d)", self->code);
    CO_RAISE(co, APP(self->code), self->msg);
    CO_END(co);
}

static int fail_in_cleanup(co_coro *co)
{
    struct failer *self = (struct failer *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        CO_SLEEP(co, self->delay);
        snprintf(self->msg, sizeof self->msg, "failed in its cleanup (%d)",
                 self->code);
        CO_RAISE(co, APP(self->code), self->msg);
    }
    CO_END(co);
}

static int quiet(co_coro *co)
{
    struct failer *self = (struct failer *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        trace("quiet: cancelled");
        CO_RAISE(co, CO_ECANCELLED, NULL);
    }
    CO_END(co);
}

/* A failer task in @p tg. */
static void add(co_taskgroup *tg, co_coro_fn fn, int code, double delay)
{
    struct failer *f = CO_NEW(struct failer, fn);
    f->code = code;
    f->delay = delay;
    co_taskgroup_create_task(tg, &f->co, NULL, NULL);
}

struct body {
    co_coro co;
    co_taskgroup *tg;
};

static int body(co_coro *co)
{
    struct body *self = (struct body *)co;
    CO_BEGIN(co);
    add(self->tg, fail_in_cleanup, 4, 0.01);
    add(self->tg, quiet, 0, 0);
    CO_YIELD(co);
    CO_RAISE(co, APP(9), "the body failed");
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
    CO_BEGIN(co);
    co_taskgroup_enter(&self->tg);
    add(&self->tg, fail_in_cleanup, 3, 0.02);
    add(&self->tg, fail_in_cleanup, 2, 0.01);
    add(&self->tg, quiet, 0, 0);
    add(&self->tg, fail_now, 1, 0);
    CO_TASKGROUP_EXIT_CATCH(co, &self->tg, 0, self->caught);
    if (self->caught == CO_EGROUP)
        show(co_caught_message());

    co_coro_init(&self->body.co, body);
    self->body.tg = &self->tg;
    CO_TASKGROUP_CATCH(co, &self->tg, &self->body.co, self->caught);
    if (self->caught == CO_EGROUP)
        show(co_caught_message());
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
