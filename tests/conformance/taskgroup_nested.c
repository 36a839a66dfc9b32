/* taskgroup_nested: a group inside a group. The inner group's failure is an
 * ExceptionGroup that fails the outer group's body; the outer group then
 * cancels its own tasks and fails with a group that holds the inner one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define APP(code) (CO_EUSER - (code))

/* Python's describe(e): group[...] for a group, code:msg otherwise. */
static void describe(char *out, size_t size, int code, const char *msg)
{
    if (code != CO_EGROUP) {
        snprintf(out, size, "%d:%s", CO_EUSER - code, msg ? msg : "");
        return;
    }
    size_t used = (size_t)snprintf(out, size, "group[");
    int n = co_taskgroup_error_count(msg);
    for (int i = 0; i < n && used < size; i++) {
        int sub;
        int len = co_taskgroup_error(msg, (size_t)i, &sub, NULL, 0);
        char *text = malloc((size_t)len + 1);
        co_taskgroup_error(msg, (size_t)i, &sub, text, (size_t)len + 1);
        used += (size_t)snprintf(out + used, size - used, "%s", i ? ", " : "");
        if (used < size)
            describe(out + used, size - used, sub, text);
        used = strlen(out);
        free(text);
    }
    if (used < size)
        snprintf(out + used, size - used, "]");
}

static int crash(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.01);
    CO_RAISE(co, APP(5), "deep failure");
    CO_END(co);
}

struct slow {
    co_coro co;
    const char *name;
    int caught;
};

static int slow(co_coro *co)
{
    struct slow *self = (struct slow *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, 10, self->caught);
    if (self->caught == CO_ECANCELLED) {
        trace("%s : cancelled", self->name);
        CO_RAISE(co, CO_ECANCELLED, NULL);
    }
    CO_END(co);
}

static void add_slow(co_taskgroup *tg, const char *name)
{
    struct slow *s = CO_NEW(struct slow, slow);
    s->name = name;
    co_taskgroup_create_task(tg, &s->co, NULL, NULL);
}

struct sleeper {
    co_coro co;
    double delay;
};

static int sleeper(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    CO_END(co);
}

static void add_sleep(co_taskgroup *tg, double delay)
{
    struct sleeper *s = CO_NEW(struct sleeper, sleeper);
    s->delay = delay;
    co_taskgroup_create_task(tg, &s->co, NULL, NULL);
}

/* The outer group's body: it opens the inner group itself. */
struct outer_body {
    co_coro co;
    co_taskgroup *outer;
    co_taskgroup inner;
    int happy; /* the second run: nobody fails */
};

static int outer_body(co_coro *co)
{
    struct outer_body *self = (struct outer_body *)co;
    CO_BEGIN(co);
    if (!self->happy)
        add_slow(self->outer, "outer child");
    co_taskgroup_enter(&self->inner);
    if (self->happy) {
        add_sleep(&self->inner, 0.01);
    } else {
        add_slow(&self->inner, "inner child");
        co_taskgroup_create_task(&self->inner, CO_NEW(co_coro, crash), NULL,
                                 NULL);
    }
    CO_TASKGROUP_EXIT(co, &self->inner, 0);
    if (!self->happy)
        trace("not reached");
    else
        add_sleep(self->outer, 0.01);
    CO_END(co);
}

struct main_f {
    co_coro co;
    co_taskgroup outer;
    struct outer_body body;
    int caught;
    char text[256];
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_coro_init(&self->body.co, outer_body);
    self->body.outer = &self->outer;
    CO_TASKGROUP_CATCH(co, &self->outer, &self->body.co, self->caught);
    if (self->caught == CO_EGROUP) {
        const char *msg = co_caught_message();
        trace("outer failed: %.*s", (int)strcspn(msg, "\n"), msg);
        describe(self->text, sizeof self->text, CO_EGROUP, msg);
        trace("structure: %s", self->text);
    }
    trace("cancelling() = %d", co_task_cancelling(co_current_task(NULL)));

    co_coro_init(&self->body.co, outer_body);
    self->body.happy = 1;
    CO_TASKGROUP(co, &self->outer, &self->body.co);
    trace("both groups ended normally");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
