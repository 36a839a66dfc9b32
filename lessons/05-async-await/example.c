/* example.c - lesson 05: a coroutine function, a coroutine object, await.
 *
 * `others` is a coroutine function: it waits 0.05 s (standing in for a
 * network request) and returns a number. `main_co` awaits it twice, one
 * after the other, so the whole run takes about 0.10 s. Before co_run()
 * starts the loop, the program shows that setting up the coroutine object
 * ran none of its body. */
#include <coflow.h>
#include <stdio.h>

/* Seconds since main_co started, for the trace. */
static double t0;

static double elapsed(void)
{
    return co_loop_time(co_get_running_loop()) - t0;
}

/* ---- the child: async def others(name, answer) -------------------------- */

struct others {
    co_coro co;        /* the coroutine header: always the first member */
    const char *name;  /* argument: what to call itself in the trace */
    int answer;        /* argument: what to return */
};

static int others(co_coro *co)
{
    struct others *self = (struct others *)co;
    CO_BEGIN(co);
    printf("t=%.2fs   %s: start, waiting 0.05s\n", elapsed(), self->name);
    CO_SLEEP(co, 0.05); /* await asyncio.sleep(0.05) */
    printf("t=%.2fs   %s: end, returning %d\n", elapsed(), self->name,
           self->answer);
    CO_RETURN(co, self->answer);
    CO_END(co);
}

/* ---- the parent: async def main() --------------------------------------- */

struct main_frame {
    co_coro co;           /* the coroutine header */
    int started;          /* set by the first line of the body */
    struct others child;  /* the child's frame lives inside ours */
    long long first;      /* results kept here: locals die at each await */
    long long second;
};

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    CO_BEGIN(co);
    self->started = 1;
    t0 = co_loop_time(co_get_running_loop());
    printf("t=%.2fs main: body starts\n", elapsed());

    /* response1 = await others("first", 1) */
    co_coro_init(&self->child.co, others);
    self->child.name = "first";
    self->child.answer = 1;
    printf("t=%.2fs main: await others(\"first\")\n", elapsed());
    CO_AWAIT_CORO(co, &self->child.co);
    co_coro_result_int(&self->child.co, &self->first);
    printf("t=%.2fs main: first returned %lld\n", elapsed(), self->first);

    /* response2 = await others("second", 2): the same frame, set up again */
    co_coro_init(&self->child.co, others);
    self->child.name = "second";
    self->child.answer = 2;
    printf("t=%.2fs main: await others(\"second\")\n", elapsed());
    CO_AWAIT_CORO(co, &self->child.co);
    co_coro_result_int(&self->child.co, &self->second);
    printf("t=%.2fs main: second returned %lld\n", elapsed(), self->second);

    CO_RETURN(co, self->first + self->second);
    CO_END(co);
}

int main(void)
{
    /* "Calling the coroutine function": make the coroutine object. */
    struct main_frame m = {0};
    co_coro_init(&m.co, main_co);
    printf("coroutine object made; body started? %s\n",
           m.started ? "yes" : "no");

    /* asyncio.run(main()): a loop, a task for main, run until it ends. */
    int rc = co_run(&m.co);
    long long total = 0;
    co_coro_result_int(&m.co, &total);
    printf("co_run returned %d (%s); main returned %lld\n", rc,
           rc == 0 ? "ok" : co_errname(rc), total);
    return rc == 0 ? 0 : 1;
}
