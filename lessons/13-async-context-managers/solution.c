/* solution.c - lesson 13: the reference solution. */
#include "exercise.h"

int connection_enter(co_coro *co)
{
    struct connection *self = (struct connection *)co;
    long long handle = 0;
    CO_BEGIN(co);
    CO_SLEEP(co, self->server->delay); /* connecting takes a while */
    handle = server_open(self->server);
    if (handle < 0)
        CO_RAISE(co, (int)handle, "the server refused the connection");
    CO_RETURN(co, handle); /* async with ... as handle */
    CO_END(co);
}

int connection_exit(co_coro *co)
{
    struct connection *self = (struct connection *)co;
    long long handle = 0;
    CO_BEGIN(co);
    CO_SLEEP(co, self->server->delay); /* closing takes a while too */
    co_acm_value_int(&self->cm, &handle);
    server_close(self->server, handle, self->cm.exc);
    CO_RETURN(co, self->cm.exc != 0 && self->cm.exc == self->suppress);
    CO_END(co);
}

int connection_init(struct connection *c, struct server *server,
                    int suppress)
{
    if (!c || !server)
        return CO_EINVAL;
    int rc = co_acm_init(&c->cm, connection_enter, connection_exit);
    if (rc < 0)
        return rc;
    c->server = server;
    c->suppress = suppress;
    return 0;
}

int use_connection(co_coro *co)
{
    struct use_connection *self = (struct use_connection *)co;
    long long result = 0;
    CO_BEGIN(co);
    if (connection_init(&self->conn, self->server, self->suppress) < 0)
        CO_RAISE(co, CO_EINVAL, "use_connection needs a server");
    CO_ASYNC_WITH(co, &self->with, &self->conn.cm, self->body);
    co_coro_result_int(self->body, &result); /* 0 if exit swallowed */
    CO_RETURN(co, result);
    CO_END(co);
}
