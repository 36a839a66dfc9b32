/* notes_async_context_manager: async with awaits enter, runs the body, then
 * awaits exit whether the body returned or failed; the exit sees the
 * failure and does not swallow it unless it returns 1 (True). (ValueError
 * is CO_EUSER here.) */
#include "conformance.h"

struct connection {
    co_acm cm;
};

static int conn_enter(co_coro *co)
{
    CO_BEGIN(co);
    trace("aenter: connecting");
    CO_SLEEP(co, 0.01);
    trace("aenter: connected");
    CO_END(co);
}

static int conn_exit(co_coro *co)
{
    struct connection *self = (struct connection *)co;
    CO_BEGIN(co);
    trace("aexit: closing; body raised: %s",
          self->cm.exc == CO_EUSER ? "ValueError"
          : self->cm.exc          ? co_errname(self->cm.exc)
                                  : "None");
    CO_SLEEP(co, 0.01);
    trace("aexit: closed");
    CO_END(co);
}

static int body_ok(co_coro *co)
{
    CO_BEGIN(co);
    trace("body: result 666");
    CO_END(co);
}

static int body_fails(co_coro *co)
{
    CO_BEGIN(co);
    CO_RAISE(co, CO_EUSER, "body failed");
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct connection conn;
    co_async_with with;
    co_coro body;
    int caught;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_acm_init(&self->conn.cm, conn_enter, conn_exit);
    co_coro_init(&self->body, body_ok);
    CO_ASYNC_WITH(co, &self->with, &self->conn.cm, &self->body);
    co_acm_init(&self->conn.cm, conn_enter, conn_exit);
    co_coro_init(&self->body, body_fails);
    co_async_with_op(&self->with, &self->conn.cm, &self->body);
    CO_AWAIT_CORO_CATCH(co, &self->with.co, self->caught);
    if (self->caught == CO_EUSER)
        trace("main: the failure went on: %s", co_caught_message());
    co_coro_free(&self->body);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
