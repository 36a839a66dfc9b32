/* example.c - lesson 08: a Future set by another task; a Task is a Future;
 * done-callbacks, one of them with an extra argument.
 *
 * Part 1: main creates an empty future and a task that fills it 0.05 s
 * later, then awaits the future. Part 2: main adds two done-callbacks to a
 * task, one plain and one with an extra argument (functools.partial), and
 * awaits the task: the callbacks run after it ends, before main resumes. */
#include <coflow.h>
#include <stdio.h>

static double t0;

static double elapsed(void)
{
    return co_loop_time(co_get_running_loop()) - t0;
}

/* ---- async def set_after(fut): sleep, then set the result ------------- */

struct set_after {
    co_coro co;       /* header */
    co_future *fut;   /* argument: the future to fill (not owned) */
};

static int set_after(co_coro *co)
{
    struct set_after *self = (struct set_after *)co;
    CO_BEGIN(co);
    printf("t=%.2fs   set_after: sleeping 0.05s\n", elapsed());
    CO_SLEEP(co, 0.05);
    printf("t=%.2fs   set_after: fut.set_result(\"666\")\n", elapsed());
    co_future_set_result_str(self->fut, "666");
    CO_END(co);
}

/* ---- async def demo(data): the task of part 2 ------------------------- */

struct demo {
    co_coro co;        /* header */
    const char *data;  /* argument */
};

static int demo(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, 0.01);
    printf("t=%.2fs   demo: data is %s, returning 1\n", elapsed(),
           self->data);
    CO_RETURN(co, 1);
    CO_END(co);
}

/* ---- the done-callbacks ----------------------------------------------- */

/* def callback_1(future): only the future. */
static void callback_1(co_future *f, void *arg)
{
    long long v = 0;
    (void)arg;
    co_future_result_int(f, &v);
    printf("t=%.2fs   callback_1: result %lld\n", elapsed(), v);
}

/* def callback_2(future, info): the extra argument travels in a struct. */
struct callback_2_args {
    const char *info; /* what partial(callback_2, info=...) would bind */
};

static void callback_2(co_future *f, void *arg)
{
    struct callback_2_args *args = arg;
    long long v = 0;
    co_future_result_int(f, &v);
    printf("t=%.2fs   callback_2: result %lld, info %s\n", elapsed(), v,
           args->info);
}

/* ---- async def main() --------------------------------------------------- */

struct main_frame {
    co_coro co;                  /* header */
    co_future *fut;              /* part 1: the empty future */
    struct set_after setter;     /* part 1: the setter task's frame */
    co_task *setter_task;        /* our reference to it */
    struct demo d;               /* part 2: the task's frame */
    co_task *task;               /* our reference to it */
    struct callback_2_args info; /* callback_2's extra argument */
};

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    co_loop *loop = co_get_running_loop();
    const char *data = NULL;
    CO_BEGIN(co);
    t0 = co_loop_time(loop);

    printf("-- part 1: a future that another task sets\n");
    co_future_new(loop, &self->fut); /* fut = loop.create_future() */
    co_coro_init(&self->setter.co, set_after);
    self->setter.fut = self->fut;
    co_create_task(loop, &self->setter.co, "setter", &self->setter_task);
    printf("t=%.2fs main: fut done? %s; awaiting it\n", elapsed(),
           co_future_done(self->fut) ? "yes" : "no");
    CO_AWAIT(co, self->fut); /* data = await fut */
    co_future_result_str(self->fut, &data);
    printf("t=%.2fs main: fut gave \"%s\"\n", elapsed(), data);

    printf("-- part 2: a task is a future, with done-callbacks\n");
    co_coro_init(&self->d.co, demo);
    self->d.data = "Hello World";
    co_create_task(loop, &self->d.co, NULL, &self->task);
    self->info.info = "Python";
    /* task.add_done_callback(callback_1) */
    co_future_add_done_callback(CO_AS_FUTURE(self->task), callback_1, NULL);
    /* task.add_done_callback(functools.partial(callback_2, info="Python")) */
    co_future_add_done_callback(CO_AS_FUTURE(self->task), callback_2,
                                &self->info);
    printf("t=%.2fs main: two callbacks added; awaiting the task\n",
           elapsed());
    CO_AWAIT(co, self->task);
    printf("t=%.2fs main: the task is done: %s\n", elapsed(),
           co_task_done(self->task) ? "yes" : "no");

    CO_FINALLY(co);
    co_task_unref(self->task);
    co_task_unref(self->setter_task);
    co_future_unref(self->fut);
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
