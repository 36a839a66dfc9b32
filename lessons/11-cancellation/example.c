/* example.c - lesson 11: stopping coroutines, and the cleanup that runs.
 *
 * One unit of time is U seconds. Part 1 is the notes' first program: tasks
 * of 1, 5 and 8 units and a Ctrl-C at 3 units (the program raises SIGINT
 * itself from a call_later callback, so the trace is always the same). Part
 * 2 cancels gather(*tasks), which stops nested coroutines, the children's
 * cleanup before main's. Part 3 is wait_for timing out, which waits for the
 * inner cleanup, and shield, which keeps a save running past a timeout. */
#include <coflow.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define U 0.04 /* one unit of time, in seconds */

static double t0;

static double elapsed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t0;
}

/* ---- part 1: Ctrl-C while three tasks sleep ----------------------------- */

/* async def demo(x): print("Waiting:", x); await asyncio.sleep(x)
 *                    return f"paused {x} units" */
struct demo {
    co_coro co; /* header */
    int x;      /* argument: how many units to sleep */
};

static int demo(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    printf("t=%.2fs   demo(%d): waiting\n", elapsed(), self->x);
    CO_SLEEP(co, self->x * U);
    {
        char text[32];
        snprintf(text, sizeof text, "paused %d units", self->x);
        CO_RETURN_STR(co, text);
    }
    CO_FINALLY(co);
    printf("t=%.2fs   demo(%d): cleanup (%s)\n", elapsed(), self->x,
           co_errname(co->err));
    CO_END(co);
}

/* Drops the directories from "dir/sub/example.c" in @p text, so that the
 * trace is the same wherever the program was built. */
static void strip_dirs(char *text)
{
    char *file;
    while ((file = strstr(text, "/example.c")) != NULL) {
        char *start = file;
        while (start > text && start[-1] != ' ')
            start--;
        memmove(start, file + 1, strlen(file + 1) + 1);
    }
}

/* What Ctrl-C is, raised by the program itself after 3 units. */
static void press_ctrl_c(void *arg)
{
    (void)arg;
    printf("t=%.2fs -- SIGINT (Ctrl-C)\n", elapsed());
    raise(SIGINT);
}

struct main1 {
    co_coro co;
    co_task *tasks[3];
    co_future *all; /* asyncio.wait(tasks) */
    int i;
};

static int main1(co_coro *co)
{
    struct main1 *self = (struct main1 *)co;
    CO_BEGIN(co);
    {
        static const int units[3] = {1, 5, 8};
        co_loop *loop = co_get_running_loop();
        for (int i = 0; i < 3; i++) {
            struct demo *d = CO_NEW(struct demo, demo);
            if (!d)
                CO_RAISE(co, CO_ENOMEM, "no memory for a demo");
            d->x = units[i];
            char name[16];
            snprintf(name, sizeof name, "demo(%d)", units[i]);
            int rc = co_create_task(loop, &d->co, name, &self->tasks[i]);
            if (rc < 0)
                CO_RAISE(co, rc, "create_task failed");
        }
        int rc = co_wait(loop, (co_future *[]){CO_AS_FUTURE(self->tasks[0]),
                                               CO_AS_FUTURE(self->tasks[1]),
                                               CO_AS_FUTURE(self->tasks[2])},
                         3, -1, CO_ALL_COMPLETED, &self->all);
        if (rc < 0)
            CO_RAISE(co, rc, "wait failed");
        co_loop_call_later(loop, 3 * U, press_ctrl_c, NULL, NULL);
    }
    CO_AWAIT(co, self->all);
    printf("t=%.2fs main: never printed, Ctrl-C comes first\n", elapsed());
    CO_FINALLY(co);
    printf("t=%.2fs main: cleanup (%s); the tasks:\n", elapsed(),
           co_errname(co->err));
    /* for task in tasks: print(task); print(task.cancel(msg)) */
    for (self->i = 0; self->i < 3; self->i++) {
        co_task *t = self->tasks[self->i];
        char repr[160];
        const char *file = NULL;
        int line = 0;
        if (!t)
            continue;
        co_future_repr(CO_AS_FUTURE(t), repr, sizeof repr);
        strip_dirs(repr);
        printf("  %s\n", repr);
        if (co_task_where(t, &file, &line) == 0)
            printf("    suspended at %s:%d\n",
                   strrchr(file, '/') ? strrchr(file, '/') + 1 : file, line);
    }
    for (self->i = 0; self->i < 3; self->i++)
        if (self->tasks[self->i])
            printf("  task.cancel(\"Ctrl-C\") -> %s\n",
                   co_task_cancel_msg(self->tasks[self->i], "Ctrl-C") == 1
                       ? "True" : "False");
    /* Wait for each one's cleanup; catch what each ended with. */
    for (self->i = 0; self->i < 3; self->i++) {
        if (!self->tasks[self->i])
            continue;
        CO_AWAIT_CATCH(co, CO_AS_FUTURE(self->tasks[self->i]), co->err);
        printf("t=%.2fs main: task %d ended %s%s%s\n", elapsed(), self->i + 1,
               co_errname(co->err), co_caught_message() ? " " : "",
               co_caught_message() ? co_caught_message() : "");
        co_task_unref(self->tasks[self->i]);
    }
    co_future_unref(self->all);
    CO_END(co);
}

/* ---- part 2: gather(*tasks).cancel() stops nested coroutines ------------ */

/* async def inner(x): await asyncio.sleep(x) */
struct inner {
    co_coro co;
    int x;
};

static int inner(co_coro *co)
{
    struct inner *self = (struct inner *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->x * U);
    CO_FINALLY(co);
    printf("t=%.2fs     inner(%d): cleanup (%s)\n", elapsed(), self->x,
           co_errname(co->err));
    CO_END(co);
}

/* async def job(x): await inner(x) */
struct job {
    co_coro co;
    int x;
    struct inner in; /* the child, awaited inline (CO_AWAIT_CORO) */
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    co_coro_init(&self->in.co, inner);
    self->in.x = self->x;
    CO_AWAIT_CORO(co, &self->in.co);
    CO_FINALLY(co);
    printf("t=%.2fs   job(%d): cleanup (%s)\n", elapsed(), self->x,
           co_errname(co->err));
    CO_END(co);
}

static void cancel_gather(void *arg)
{
    co_future *all = arg;
    printf("t=%.2fs -- gather(*tasks).cancel() -> %s\n", elapsed(),
           co_future_cancel(all) ? "True" : "False");
}

struct main2 {
    co_coro co;
    co_future *all; /* gather(job(1), job(5), job(8)) */
};

static int main2(co_coro *co)
{
    struct main2 *self = (struct main2 *)co;
    CO_BEGIN(co);
    {
        static const int units[3] = {1, 5, 8};
        co_coro *jobs[3];
        for (int i = 0; i < 3; i++) {
            struct job *j = CO_NEW(struct job, job);
            if (j)
                j->x = units[i];
            jobs[i] = j ? &j->co : NULL; /* NULL: gather says CO_ENOTSTARTED */
        }
        int rc = co_gather_coros(NULL, jobs, 3, false, &self->all);
        if (rc < 0)
            CO_RAISE(co, rc, "gather failed");
        co_loop_call_later(co_get_running_loop(), 3 * U, cancel_gather,
                           self->all, NULL);
    }
    CO_AWAIT(co, self->all);
    printf("t=%.2fs main: never printed\n", elapsed());
    CO_FINALLY(co);
    printf("t=%.2fs main: cleanup (%s)\n", elapsed(), co_errname(co->err));
    co_future_unref(self->all);
    CO_END(co);
}

/* ---- part 3: wait_for waits for the inner cleanup; shield --------------- */

/* async def slow(): try: await asyncio.sleep(5 units)
 *                   finally: await asyncio.sleep(1 unit)  # polite close */
struct slow {
    co_coro co;
};

static int slow(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 5 * U);
    CO_FINALLY(co);
    printf("t=%.2fs   slow: cleanup (%s), closing takes 1 unit\n", elapsed(),
           co_errname(co->err));
    CO_SLEEP(co, 1 * U);
    printf("t=%.2fs   slow: closed\n", elapsed());
    CO_END(co);
}

/* async def save(): await asyncio.sleep(3 units); return 1 */
struct save {
    co_coro co;
};

static int save(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 3 * U);
    printf("t=%.2fs   save: written\n", elapsed());
    CO_RETURN(co, 1);
    CO_END(co);
}

struct main3 {
    co_coro co;
    co_future *w;       /* wait_for(...) */
    co_task *saving;    /* the save task */
    co_future *shield;  /* shield(saving) */
    int rc;
};

static int main3(co_coro *co)
{
    struct main3 *self = (struct main3 *)co;
    CO_BEGIN(co);
    printf("t=%.2fs main: wait_for(slow(), 2 units)\n", elapsed());
    self->rc = co_wait_for_coro(NULL, (co_coro *)CO_NEW(struct slow, slow),
                                2 * U, &self->w);
    if (self->rc < 0)
        CO_RAISE(co, self->rc, "wait_for failed");
    CO_AWAIT_CATCH(co, self->w, self->rc);
    printf("t=%.2fs main: wait_for -> %s, after slow's cleanup\n", elapsed(),
           co_errname(self->rc));
    co_future_unref(self->w);
    self->w = NULL;

    printf("t=%.2fs main: wait_for(shield(save()), 1 unit)\n", elapsed());
    {
        struct save *s = CO_NEW(struct save, save);
        if (!s)
            CO_RAISE(co, CO_ENOMEM, "no memory for save");
        if ((self->rc = co_create_task(co_get_running_loop(), &s->co, "save", &self->saving)) < 0)
            CO_RAISE(co, self->rc, "create_task failed");
    }
    if ((self->rc = co_shield(co_get_running_loop(), CO_AS_FUTURE(self->saving), &self->shield)) < 0)
        CO_RAISE(co, self->rc, "shield failed");
    if ((self->rc = co_wait_for(co_get_running_loop(), self->shield, 1 * U, &self->w)) < 0)
        CO_RAISE(co, self->rc, "wait_for failed");
    CO_AWAIT_CATCH(co, self->w, self->rc);
    printf("t=%.2fs main: wait_for -> %s; the save goes on\n", elapsed(),
           co_errname(self->rc));
    CO_AWAIT_CATCH(co, CO_AS_FUTURE(self->saving), self->rc);
    printf("t=%.2fs main: save -> %s\n", elapsed(), co_errname(self->rc));
    CO_FINALLY(co);
    co_future_unref(self->w);
    co_future_unref(self->shield);
    co_task_unref(self->saving);
    CO_END(co);
}

int main(void)
{
    struct main1 m1;
    struct main2 m2;
    struct main3 m3;
    int rc;

    /* Ctrl-C as a terminal gives it: co_run installs its handler only when
     * SIGINT does its default action (a shell may start us ignoring it). */
    signal(SIGINT, SIG_DFL);

    t0 = elapsed();
    printf("-- part 1: tasks of 1, 5 and 8 units, Ctrl-C at 3\n");
    memset(&m1, 0, sizeof m1);
    co_coro_init(&m1.co, main1);
    rc = co_run(&m1.co);
    printf("co_run returned %s\n", co_errname(rc));

    t0 += elapsed();
    printf("-- part 2: gather(*tasks).cancel() at 3 units\n");
    memset(&m2, 0, sizeof m2);
    co_coro_init(&m2.co, main2);
    rc = co_run(&m2.co);
    printf("co_run returned %s\n", co_errname(rc));

    t0 += elapsed();
    printf("-- part 3: wait_for and shield\n");
    memset(&m3, 0, sizeof m3);
    co_coro_init(&m3.co, main3);
    rc = co_run(&m3.co);
    printf("co_run returned %s\n", co_errname(rc));
    return 0;
}
