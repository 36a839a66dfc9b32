/* exercise.c - lesson 13: your connection manager and use_connection().
 * See README.md, "The exercise". As shipped, nothing connects and the body
 * runs bare: the grader counts no open and no close. Nothing calls enter
 * and exit until use_connection uses CO_ASYNC_WITH, so TODO 3 and 4 are
 * the ones that make the others count. */
#include "exercise.h"

int connection_enter(co_coro *co)
{
    struct connection *self = (struct connection *)co;
    (void)self; /* remove this line once you use self */
    CO_BEGIN(co);
    /* TODO 1: CO_SLEEP for self->server->delay, then open the connection
     *         with server_open(self->server). A negative result is a
     *         refusal: fail with it (CO_RAISE(co, (int)handle, "...")).
     *         Otherwise CO_RETURN(co, handle): that is `as handle`. */
    CO_END(co);
}

int connection_exit(co_coro *co)
{
    struct connection *self = (struct connection *)co;
    (void)self; /* remove this line once you use self */
    CO_BEGIN(co);
    /* TODO 2: CO_SLEEP for self->server->delay, read the handle enter
     *         returned with co_acm_value_int(&self->cm, &handle), close it
     *         with server_close(self->server, handle, self->cm.exc), and
     *         CO_RETURN(co, 1) only to swallow a failure equal to
     *         self->suppress (never when cm.exc is 0). */
    CO_END(co);
}

int connection_init(struct connection *c, struct server *server,
                    int suppress)
{
    /* TODO 3: reject NULL with CO_EINVAL; co_acm_init(&c->cm,
     *         connection_enter, connection_exit); set the two fields. */
    (void)c;
    (void)server;
    (void)suppress;
    return 0;
}

int use_connection(co_coro *co)
{
    struct use_connection *self = (struct use_connection *)co;
    long long result = 0;
    CO_BEGIN(co);
    /* TODO 4: set up self->conn with connection_init, then replace the
     *         plain await below by
     *         CO_ASYNC_WITH(co, &self->with, &self->conn.cm, self->body). */
    CO_AWAIT_CORO(co, self->body); /* the body, with no connection at all */
    co_coro_result_int(self->body, &result);
    CO_RETURN(co, result);
    CO_END(co);
}
