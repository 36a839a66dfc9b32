/* acm_enter_value: `async with cm as f`: what enter returned (here a
 * pointer to the manager itself, holding a connection number) is read
 * with co_acm_value_ptr, in the body and in exit. */
#include "conformance.h"

struct connection {
    co_acm cm;
    int number;
};

static int conn_enter(co_coro *co)
{
    struct connection *self = (struct connection *)co;
    CO_BEGIN(co);
    CO_YIELD(co);
    self->number = 42;
    trace("enter: connected as %d", self->number);
    CO_RETURN_PTR(co, self);
    CO_END(co);
}

static int conn_exit(co_coro *co)
{
    struct connection *self = (struct connection *)co;
    void *f = NULL;
    CO_BEGIN(co);
    CO_YIELD(co);
    co_acm_value_ptr(&self->cm, &f);
    trace("exit: closing %d", ((struct connection *)f)->number);
    CO_END(co);
}

struct body {
    co_coro co;
    co_acm *cm;
};

static int body(co_coro *co)
{
    struct body *self = (struct body *)co;
    void *f = NULL;
    CO_BEGIN(co);
    co_acm_value_ptr(self->cm, &f); /* as conn */
    struct connection *conn = f;
    trace("body: using connection %d", conn->number);
    conn->number++;
    CO_END(co);
}

struct main_f {
    co_coro co;
    struct connection conn;
    struct body body;
    co_async_with with;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    co_acm_init(&self->conn.cm, conn_enter, conn_exit);
    co_coro_init(&self->body.co, body);
    self->body.cm = &self->conn.cm;
    CO_ASYNC_WITH(co, &self->with, &self->conn.cm, &self->body.co);
    trace("after the with");
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
