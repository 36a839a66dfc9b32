/* example.c - lesson 13: async with, after the notes' AsyncContextManager.
 *
 * Enter "connects" (awaits one unit), the body awaits f.do_something() and
 * prints 666, exit "closes" (awaits one unit): about two units. Then the
 * same manager around a body that fails, one that is cancelled, and one
 * whose failure exit swallows; then a connect that fails, which skips the
 * body and the exit; and last the notes' bug, do_something() called but
 * never awaited. Part 7 is `async with lock` in two tasks: the first
 * fails while holding the lock, which is released all the same, and the
 * second gets it. One unit is 20 ms. */
#include <coflow.h>
#include <stdio.h>

#define UNIT 0.02

static double t0;

static double elapsed(void)
{
    return co_loop_time(co_get_running_loop()) - t0;
}

/* ---- class AsyncContextManager ----------------------------------------- */

struct manager {
    co_acm cm;      /* the manager side: first member */
    int suppress;   /* a failure code that __aexit__ swallows, or 0 */
    int refuse;     /* if set, __aenter__ fails */
};

/* async def __aenter__(self): self.conn = await connect(); return self */
static int manager_enter(co_coro *co)
{
    struct manager *self = (struct manager *)co;
    CO_BEGIN(co);
    printf("t=%.2fs   aenter: connecting\n", elapsed());
    CO_SLEEP(co, UNIT);
    if (self->refuse)
        CO_RAISE(co, CO_ECONNREFUSED, "the database said no");
    printf("t=%.2fs   aenter: connected\n", elapsed());
    CO_RETURN_PTR(co, self); /* `as f` */
    CO_END(co);
}

/* async def __aexit__(self, exc_type, exc, tb): await close() */
static int manager_exit(co_coro *co)
{
    struct manager *self = (struct manager *)co;
    CO_BEGIN(co);
    printf("t=%.2fs   aexit: closing; the body ended with %s\n", elapsed(),
           co_errname(self->cm.exc));
    CO_SLEEP(co, UNIT);
    printf("t=%.2fs   aexit: closed%s\n", elapsed(),
           self->cm.exc && self->cm.exc == self->suppress
               ? "; swallowing the failure"
               : "");
    CO_RETURN(co, self->cm.exc && self->cm.exc == self->suppress);
    CO_END(co);
}

/* async def do_something(self): return 666 */
static int do_something(co_coro *co)
{
    CO_BEGIN(co);
    CO_RETURN(co, 666);
    CO_END(co);
}

/* ---- the bodies of the async with --------------------------------------- */

enum how { RETURNS, FAILS, WAITS, TIMES_OUT, FORGETS_AWAIT };

struct body {
    co_coro co;         /* header */
    co_acm *cm;         /* the manager, to read `as f` from */
    enum how how;       /* what this body does */
    co_coro call;       /* the frame of f.do_something() */
};

static int body(co_coro *co)
{
    struct body *self = (struct body *)co;
    void *f = NULL;
    long long result = 0;
    CO_BEGIN(co);
    co_acm_value_ptr(self->cm, &f); /* async with ... as f */
    co_coro_init(&self->call, do_something); /* f.do_something() */
    if (self->how == FORGETS_AWAIT) {
        /* result = f.do_something(), no await: a frame that never ran */
        int rc = co_coro_result_int(&self->call, &result);
        printf("t=%.2fs   body: no await: reading the result gives %s\n",
               elapsed(), co_errname(rc));
        CO_RETURN(co, rc);
    }
    CO_AWAIT_CORO(co, &self->call); /* result = await f.do_something() */
    co_coro_result_int(&self->call, &result);
    printf("t=%.2fs   body: result %lld\n", elapsed(), result);
    if (self->how == FAILS)
        CO_RAISE(co, CO_EUSER, "the query failed");
    if (self->how == TIMES_OUT)
        CO_RAISE(co, CO_ETIMEDOUT, "the query took too long");
    if (self->how == WAITS) {
        printf("t=%.2fs   body: waiting for 10 units\n", elapsed());
        CO_SLEEP(co, 10 * UNIT);
        printf("t=%.2fs   body: never printed\n", elapsed());
    }
    CO_RETURN(co, result);
    CO_END(co);
}

/* ---- async def func(): one async with ----------------------------------- */

struct func {
    co_coro co;           /* header */
    enum how how;         /* argument: which body */
    int suppress;         /* argument: passed to the manager */
    int refuse;           /* argument: passed to the manager */
    struct manager m;     /* AsyncContextManager() */
    struct body b;        /* the body */
    co_async_with with;   /* the async with in progress */
};

static int func(co_coro *co)
{
    struct func *self = (struct func *)co;
    CO_BEGIN(co);
    co_acm_init(&self->m.cm, manager_enter, manager_exit);
    self->m.suppress = self->suppress;
    self->m.refuse = self->refuse;
    co_coro_init(&self->b.co, body);
    self->b.cm = &self->m.cm;
    self->b.how = self->how;
    /* async with AsyncContextManager() as f: <body> */
    CO_ASYNC_WITH(co, &self->with, &self->m.cm, &self->b.co);
    printf("t=%.2fs   func: after the async with\n", elapsed());
    CO_FINALLY(co);
    co_coro_free(&self->b.call);
    co_coro_free(&self->b.co);
    CO_END(co);
}

/* ---- async with lock: two workers --------------------------------------- */

struct worker_body {
    co_coro co;         /* header */
    const char *name;   /* argument: who this is */
    int fails;          /* argument: fail while holding the lock */
    co_lock *lock;      /* argument: the lock (not owned) */
};

static int worker_body(co_coro *co)
{
    struct worker_body *self = (struct worker_body *)co;
    CO_BEGIN(co);
    printf("t=%.2fs   %s: has the lock (locked: %s)\n", elapsed(),
           self->name, co_lock_locked(self->lock) ? "yes" : "no");
    CO_SLEEP(co, UNIT);
    if (self->fails)
        CO_RAISE(co, CO_EUSER, "the update failed");
    printf("t=%.2fs   %s: done\n", elapsed(), self->name);
    CO_END(co);
}

/* async def worker(lock): async with lock: <worker_body> */
struct worker {
    co_coro co;             /* header */
    co_lock_cm lcm;         /* the manager: acquire / release */
    struct worker_body b;   /* the body */
    co_async_with with;     /* the async with in progress */
};

static int worker(co_coro *co)
{
    struct worker *self = (struct worker *)co;
    CO_BEGIN(co);
    co_lock_cm_init(&self->lcm, self->b.lock);
    co_coro_init(&self->b.co, worker_body);
    printf("t=%.2fs   %s: async with lock\n", elapsed(), self->b.name);
    CO_ASYNC_WITH(co, &self->with, &self->lcm.cm, &self->b.co);
    CO_FINALLY(co);
    co_coro_free(&self->b.co);
    CO_END(co);
}

/* ---- async def main() --------------------------------------------------- */

struct main_frame {
    co_coro co;           /* header */
    struct func run;      /* the func() of the current part */
    co_task *task;        /* part 3: func() as a task, to cancel it */
    int caught;           /* how func() ended */
    int part;             /* which part we are in */
    co_lock *lock;        /* part 7: the lock */
    struct worker w[2];   /* part 7: two workers */
    co_task *wt[2];       /* part 7: their tasks */
};

static const char *titles[] = {
    "-- part 1: a body that returns",
    "-- part 2: a body that fails",
    "-- part 3: a body that is cancelled",
    "-- part 4: a failure that exit swallows",
    "-- part 5: a connect that fails: no body, no exit",
    "-- part 6: the notes' bug: f.do_something() without await",
};

static const enum how hows[] = {RETURNS, FAILS, WAITS, TIMES_OUT, RETURNS,
                                FORGETS_AWAIT};

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    co_loop *loop = co_get_running_loop();
    const char *msg = NULL;
    CO_BEGIN(co);
    for (self->part = 0; self->part < 6; self->part++) {
        printf("%s\n", titles[self->part]);
        t0 = co_loop_time(loop);
        co_coro_init(&self->run.co, func);
        self->run.how = hows[self->part];
        self->run.suppress = self->part == 3 ? CO_ETIMEDOUT : 0;
        self->run.refuse = self->part == 4;
        co_create_task(loop, &self->run.co, "func", &self->task);
        if (self->part == 2) {
            CO_SLEEP(co, 2.5 * UNIT); /* while the body waits */
            printf("t=%.2fs main: task.cancel()\n", elapsed());
            co_task_cancel(self->task);
        }
        CO_AWAIT_CATCH(co, self->task, self->caught);
        msg = self->caught ? co_caught_message() : NULL;
        printf("t=%.2fs main: func() ended with %s%s%s\n", elapsed(),
               co_errname(self->caught), msg ? ": " : "", msg ? msg : "");
        co_task_unref(self->task);
        self->task = NULL;
    }

    printf("-- part 7: async with lock, in two tasks; the first fails\n");
    t0 = co_loop_time(loop);
    co_lock_new(&self->lock);
    for (self->part = 0; self->part < 2; self->part++) {
        struct worker *w = &self->w[self->part];
        co_coro_init(&w->co, worker);
        w->b.name = self->part == 0 ? "A" : "B";
        w->b.fails = self->part == 0;
        w->b.lock = self->lock;
        co_create_task(loop, &w->co, w->b.name, &self->wt[self->part]);
    }
    CO_AWAIT_CATCH(co, self->wt[0], self->caught);
    printf("t=%.2fs main: A ended with %s\n", elapsed(),
           co_errname(self->caught));
    CO_AWAIT_CATCH(co, self->wt[1], self->caught);
    printf("t=%.2fs main: B ended with %s; locked: %s\n", elapsed(),
           co_errname(self->caught),
           co_lock_locked(self->lock) ? "yes" : "no");
    CO_FINALLY(co);
    co_task_unref(self->task);
    co_task_unref(self->wt[0]);
    co_task_unref(self->wt[1]);
    co_lock_free(self->lock);
    CO_END(co);
}

int main(void)
{
    struct main_frame m = {0};
    co_coro_init(&m.co, main_co);
    int rc = co_run(&m.co);
    printf("co_run returned %d\n", rc);
    return rc == 0 ? 0 : 1;
}
