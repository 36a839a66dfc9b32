/* outside.c - a program that knows coflow only as an installed library.
 * tests/install/run.sh builds it with nothing but
 * `pkg-config --cflags --libs coflow` and checks what it prints.
 * It exits 1 if any call fails or a result is not the one expected. */
#include <coflow.h>
#include <stdio.h>

/* A coroutine that sleeps a little, then returns a + b. */
struct add_later {
    co_coro co;
    long long a, b;
};

static int add_later(co_coro *co)
{
    struct add_later *self = (struct add_later *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, 0.001);
    CO_RETURN(co, self->a + self->b);
    CO_END(co);
}

/* The main coroutine for co_run: runs add_later as a task, awaits it, and
 * returns its result. */
struct main_frame {
    co_coro co;
    co_task *task;
};

static int main_coro(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    CO_BEGIN(co);
    {
        struct add_later *child = CO_NEW(struct add_later, add_later);
        if (!child)
            CO_RAISE(co, CO_ENOMEM, "no memory for the child coroutine");
        child->a = 40;
        child->b = 2;
        int rc = co_create_task(co_get_running_loop(), &child->co, "adder",
                                &self->task);
        if (rc < 0) {
            co_coro_free(&child->co);
            CO_RAISE(co, rc, "co_create_task failed");
        }
    }
    CO_AWAIT(co, self->task);
    {
        long long sum = 0;
        int rc = co_task_result_int(self->task, &sum);
        if (rc < 0)
            CO_RAISE(co, rc, "the task has no integer result");
        CO_RETURN(co, sum);
    }
    CO_FINALLY(co);
    co_task_unref(self->task);
    self->task = NULL;
    CO_END(co);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "outside: %s: %s (%s)\n", what, co_errname(rc),
            co_strerror(rc));
    return 1;
}

int main(void)
{
    /* 1. A loop made by hand, as loop.run_until_complete(task) does. */
    co_loop *loop;
    int rc = co_loop_new(&loop);
    if (rc < 0)
        return fail("co_loop_new", rc);
    struct add_later adder;
    co_coro_init(&adder.co, add_later);
    adder.a = 1;
    adder.b = 2;
    co_task *task;
    rc = co_create_task(loop, &adder.co, NULL, &task);
    if (rc < 0) {
        co_loop_close(loop);
        return fail("co_create_task", rc);
    }
    rc = co_loop_run_until_complete(loop, co_task_future(task));
    long long sum = -1;
    if (rc == 0)
        rc = co_task_result_int(task, &sum);
    co_task_unref(task);
    co_loop_close(loop);
    co_coro_free(&adder.co);
    if (rc < 0)
        return fail("run_until_complete", rc);
    printf("loop: %lld\n", sum);

    /* 2. co_run, coflow's asyncio.run. */
    struct main_frame m = {0};
    co_coro_init(&m.co, main_coro);
    rc = co_run(&m.co);
    long long answer = -1;
    if (rc == 0)
        rc = co_coro_result_int(&m.co, &answer);
    co_coro_free(&m.co);
    if (rc < 0)
        return fail("co_run", rc);
    printf("co_run: %lld\n", answer);

    return sum == 3 && answer == 42 ? 0 : 1;
}
