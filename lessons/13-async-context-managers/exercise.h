/* exercise.h - lesson 13: a connection that is closed on every path.
 *
 * The grader provides a pretend server: server_open() hands out a
 * connection number (or refuses), server_close() gives it back, and the
 * server counts both. You write the async context manager around them,
 * `class Connection` with __aenter__ and __aexit__, and use_connection(),
 * which is `async with Connection(server) as handle: await body`. The
 * grader then counts: every open must be matched by exactly one close,
 * whether the body returned, failed or was cancelled, and a connect that
 * failed must close nothing. */
#ifndef LESSON13_EXERCISE_H
#define LESSON13_EXERCISE_H

#include <coflow.h>

/* ---- provided by the grader --------------------------------------------- */

/** A pretend database server: it counts what it is asked to do. */
struct server {
    double delay;      /* argument: how long connecting and closing take;
                          CO_SLEEP this long in enter and in exit */
    int refuse;        /* argument: if set, server_open() refuses */
    int opens;         /* connections opened so far */
    int closes;        /* connections closed so far */
    long long open_handle; /* the handle now open, 0 if none */
    int close_exc;     /* the code the latest server_close() was told */
};

/** Opens a connection. @return its handle (1 or more), or
 *  CO_ECONNREFUSED if the server refuses. */
long long server_open(struct server *s);

/** Closes the connection @p handle. @p exc is how the body ended (0, or
 *  its failure code, CO_ECANCELLED for a cancellation): pass cm.exc.
 *  @return 0, or CO_ESTATE if @p handle is not the open connection. */
int server_close(struct server *s, long long handle, int exc);

/* ---- yours: 1. the manager ---------------------------------------------- */

/** The manager: `Connection(server)`. Its co_acm must stay first. */
struct connection {
    co_acm cm;              /* the manager side: first member */
    struct server *server;  /* argument: where to connect */
    int suppress;           /* argument: a failure code that exit swallows
                               (0: it swallows nothing) */
};

/** __aenter__: waits server->delay seconds (CO_SLEEP: connecting takes a
 *  while), then opens with server_open(). Returns (CO_RETURN) the handle,
 *  which `async with ... as handle` gives the body; if the server refuses,
 *  enter fails with server_open()'s code. Its frame is the connection. */
int connection_enter(co_coro *co);

/** __aexit__: waits server->delay seconds, then closes the handle that
 *  enter returned (co_acm_value_int) with server_close(), passing cm.exc.
 *  Returns (CO_RETURN) 1, swallowing the body's failure, only if cm.exc is
 *  not 0 and equals suppress; otherwise 0. Its frame is the connection. */
int connection_exit(co_coro *co);

/** Sets up @p c as a manager for @p server (co_acm_init with the two
 *  functions above) and sets its fields. @return 0, or CO_EINVAL if @p c
 *  or @p server is NULL. */
int connection_init(struct connection *c, struct server *server,
                    int suppress);

/* ---- yours: 2. async with ----------------------------------------------- */

/** The frame of use_connection. */
struct use_connection {
    co_coro co;             /* the coroutine header: first member */
    struct server *server;  /* argument: where to connect */
    int suppress;           /* argument: passed on to connection_init */
    co_coro *body;          /* argument: the body, a fresh coroutine made by
                               the grader; it reads the handle from conn.cm */
    struct connection conn; /* yours: the manager */
    co_async_with with;     /* yours: the async with in progress */
};

/** `async def use_connection(server, body)`:
 *      async with Connection(server) as handle:
 *          return await body
 *  Sets up the manager, then awaits the body inside `async with`
 *  (CO_ASYNC_WITH). Returns (CO_RETURN) what the body returned; fails as
 *  the body failed unless exit swallowed it (then it returns 0); fails as
 *  enter failed if the connect was refused, and then neither the body nor
 *  the close runs. */
int use_connection(co_coro *co);

#endif
