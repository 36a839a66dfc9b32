/* example.c - lesson 07: asyncio.wait and asyncio.gather.
 *
 * Part 1 waits for three tasks with a timeout and looks at the done and
 * pending sets; part 2 waits again until all are done. Part 3 gathers
 * three tasks that finish in the reverse order of the arguments: the
 * results still come in argument order. Part 4 shows gather failing at the
 * first failure while the other task keeps running. */
#include <coflow.h>
#include <stdio.h>

static double t0;

static double elapsed(void)
{
    return co_loop_time(co_get_running_loop()) - t0;
}

/* ---- async def demo(delay, fail): sleeps, returns the delay in ms ------- */

struct demo {
    co_coro co;    /* header */
    double delay;  /* argument: seconds to sleep */
    int fail;      /* argument: fail instead of returning */
};

static int demo(co_coro *co)
{
    struct demo *self = (struct demo *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    if (self->fail) {
        printf("t=%.2fs   [%s] fails\n", elapsed(),
               co_task_get_name(co_current_task(NULL)));
        CO_RAISE(co, CO_EFAIL, "demo failed on purpose");
    }
    printf("t=%.2fs   [%s] done\n", elapsed(),
           co_task_get_name(co_current_task(NULL)));
    CO_RETURN(co, (long long)(self->delay * 1000 + 0.5));
    CO_END(co);
}

/* Starts demo(delay, fail) as a task called @p name; stores it in *item. */
static int start(const char *name, double delay, int fail, co_future **item)
{
    struct demo *d = CO_NEW(struct demo, demo);
    if (!d)
        return CO_ENOMEM;
    d->delay = delay;
    d->fail = fail;
    co_task *t;
    int rc = co_create_task(co_get_running_loop(), &d->co, name, &t);
    if (rc < 0) {
        co_coro_free(&d->co);
        return rc;
    }
    *item = CO_AS_FUTURE(t); /* our reference, as a future */
    return 0;
}

/* ---- async def main() --------------------------------------------------- */

struct main_frame {
    co_coro co;            /* header */
    co_future *items[3];   /* the tasks of the current part, as futures */
    co_future *outer;      /* what wait / gather gave us */
    const char *names[3];  /* the items' task names, for the trace */
};

/* Prints a set of items (some of self->items) by their tasks' names. */
static void print_set(struct main_frame *self, const char *label,
                      co_future *const *set, size_t n)
{
    printf("t=%.2fs main: %s = {", elapsed(), label);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++)
            if (set[i] == self->items[j])
                printf("%s%s", i ? ", " : "", self->names[j]);
    printf("}\n");
}

/* Drops the references of part's items and of the outer future. */
static void release(struct main_frame *self)
{
    for (int i = 0; i < 3; i++) {
        co_future_unref(self->items[i]);
        self->items[i] = NULL;
    }
    co_future_unref(self->outer);
    self->outer = NULL;
}

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    co_loop *loop = co_get_running_loop();
    co_future *done[3], *pending[3];
    size_t ndone, npending;
    long long v;
    const char *msg;
    CO_BEGIN(co);
    t0 = co_loop_time(loop);

    printf("-- part 1: wait(tasks, timeout=0.03)\n");
    self->names[0] = "wait-0.01";
    self->names[1] = "wait-0.05";
    self->names[2] = "wait-0.08";
    if (start(self->names[0], 0.01, 0, &self->items[0]) < 0 ||
        start(self->names[1], 0.05, 0, &self->items[1]) < 0 ||
        start(self->names[2], 0.08, 0, &self->items[2]) < 0 ||
        co_wait(loop, self->items, 3, 0.03, CO_ALL_COMPLETED,
                &self->outer) < 0)
        CO_RAISE(co, CO_ENOMEM, "could not start part 1");
    CO_AWAIT(co, self->outer); /* never fails on a timeout */
    co_wait_sets(self->items, 3, done, &ndone, pending, &npending);
    print_set(self, "done", done, ndone);
    print_set(self, "pending", pending, npending);

    printf("-- part 2: wait(tasks) until all are done\n");
    co_future_unref(self->outer);
    if (co_wait(loop, self->items, 3, CO_NO_TIMEOUT, CO_ALL_COMPLETED,
                &self->outer) < 0)
        CO_RAISE(co, CO_ENOMEM, "could not start part 2");
    CO_AWAIT(co, self->outer);
    co_wait_sets(self->items, 3, done, &ndone, pending, &npending);
    print_set(self, "done", done, ndone);
    print_set(self, "pending", pending, npending);
    release(self);

    printf("-- part 3: gather(slow, medium, fast)\n");
    t0 = co_loop_time(loop);
    if (start("slow", 0.08, 0, &self->items[0]) < 0 ||
        start("medium", 0.05, 0, &self->items[1]) < 0 ||
        start("fast", 0.01, 0, &self->items[2]) < 0 ||
        co_gather(loop, self->items, 3, false, &self->outer) < 0)
        CO_RAISE(co, CO_ENOMEM, "could not start part 3");
    CO_AWAIT(co, self->outer); /* results = await gather(...) */
    printf("t=%.2fs main: results = [", elapsed());
    for (int i = 0; i < 3; i++) {
        co_future_result_int(self->items[i], &v);
        printf("%s%lld", i ? ", " : "", v);
    }
    printf("] (argument order)\n");
    release(self);

    printf("-- part 4: gather(fails at 0.02, sleeps 0.05)\n");
    t0 = co_loop_time(loop);
    if (start("bad", 0.02, 1, &self->items[0]) < 0 ||
        start("good", 0.05, 0, &self->items[1]) < 0 ||
        co_gather(loop, self->items, 2, false, &self->outer) < 0)
        CO_RAISE(co, CO_ENOMEM, "could not start part 4");
    {
        int caught = 0;
        CO_AWAIT_CATCH(co, self->outer, caught);
        co_future_exception(self->outer, &msg);
        printf("t=%.2fs main: gather failed: %s (%s)\n", elapsed(),
               co_errname(caught), msg ? msg : "");
    }
    printf("t=%.2fs main: \"good\" still running? %s\n", elapsed(),
           co_future_done(self->items[1]) ? "no" : "yes");
    CO_AWAIT(co, self->items[1]);
    co_future_result_int(self->items[1], &v);
    printf("t=%.2fs main: \"good\" returned %lld\n", elapsed(), v);

    CO_FINALLY(co);
    for (int i = 0; i < 3; i++)
        co_future_unref(self->items[i]);
    co_future_unref(self->outer);
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
