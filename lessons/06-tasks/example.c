/* example.c - lesson 06: tasks run coroutines at the same time.
 *
 * The notes' example waits 1, 5 and 8 seconds; here 0.01, 0.05 and 0.08.
 * First main awaits the three coroutines one after another (about 0.14 s),
 * then it wraps each in a task and awaits the tasks (about 0.08 s: the
 * waits overlap). Times are measured from the start of each part. */
#include <coflow.h>
#include <stdio.h>

static const double delays[3] = {0.01, 0.05, 0.08};
static const char *const names[3] = {"wait-0.01", "wait-0.05", "wait-0.08"};

static double t0;

static double elapsed(void)
{
    return co_loop_time(co_get_running_loop()) - t0;
}

/* The name of the task running the current coroutine. */
static const char *me(void)
{
    return co_task_get_name(co_current_task(NULL));
}

/* ---- async def demo(delay): sleeps, returns the delay in ms ------------- */

struct demo {
    co_coro co;    /* header */
    double delay;  /* argument: seconds to wait */
};

static int demo(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    printf("t=%.2fs   [%s] waiting %.2fs\n", elapsed(), me(), self->delay);
    CO_SLEEP(co, self->delay);
    printf("t=%.2fs   [%s] woke up\n", elapsed(), me());
    CO_RETURN(co, (long long)(self->delay * 1000 + 0.5));
    CO_END(co);
}

/* ---- async def main() --------------------------------------------------- */

struct main_frame {
    co_coro co;          /* header */
    struct demo child;   /* for the sequential part */
    co_task *tasks[3];   /* for the concurrent part (our references) */
    int i;               /* loop counter: it must survive the awaits */
};

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    co_loop *loop = co_get_running_loop();
    long long ms = 0;
    CO_BEGIN(co);

    printf("main runs in task %s\n", me());
    printf("-- part 1: await each coroutine in turn\n");
    t0 = co_loop_time(loop);
    for (self->i = 0; self->i < 3; self->i++) {
        co_coro_init(&self->child.co, demo);
        self->child.delay = delays[self->i];
        CO_AWAIT_CORO(co, &self->child.co);
    }
    printf("t=%.2fs main: part 1 done, the waits added up\n", elapsed());

    printf("-- part 2: one task per coroutine\n");
    t0 = co_loop_time(loop);
    for (self->i = 0; self->i < 3; self->i++) {
        /* A CO_NEW frame belongs to its task, which frees it. */
        struct demo *d = CO_NEW(struct demo, demo);
        if (!d)
            CO_RAISE(co, CO_ENOMEM, "no memory for a frame");
        d->delay = delays[self->i];
        int rc = co_create_task(loop, &d->co, names[self->i],
                                &self->tasks[self->i]);
        if (rc < 0) {
            co_coro_free(&d->co);
            CO_RAISE(co, rc, "could not create a task");
        }
    }
    printf("t=%.2fs main: 3 tasks created, none has run yet\n", elapsed());
    for (self->i = 0; self->i < 3; self->i++) {
        CO_AWAIT(co, self->tasks[self->i]);
        co_task_result_int(self->tasks[self->i], &ms);
        printf("t=%.2fs main: task %s returned %lld\n", elapsed(),
               co_task_get_name(self->tasks[self->i]), ms);
        co_task_unref(self->tasks[self->i]);
        self->tasks[self->i] = NULL;
    }
    printf("t=%.2fs main: part 2 done, only as long as the longest wait\n",
           elapsed());
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
