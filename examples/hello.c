/* hello.c - two tasks taking turns on one thread: the "say after" demo from
 * the asyncio documentation, with a trace of what happens when.
 *
 * Each task says its word a few times, sleeping between words. The sleeps
 * overlap, so the run takes as long as the slowest task (1.0 s), not as long
 * as all the sleeps added up (1.9 s). In Python this would read
 *
 *     async def say_after(delay, word, times):
 *         for _ in range(times):
 *             await asyncio.sleep(delay)
 *             print(word)
 *
 *     async def main():
 *         hello = asyncio.create_task(say_after(0.3, "hello", 3))
 *         world = asyncio.create_task(say_after(0.5, "world", 2))
 *         await hello
 *         await world
 *
 *     asyncio.run(main())
 *
 * Every line starts with the loop's clock, in seconds since main started. */
#include <coflow.h>
#include <stdio.h>

static double started; /* co_loop_time() when main began */

/* Prints one line of the trace, stamped with the time since the start. */
static void trace(const char *who, const char *what)
{
    double now = co_loop_time(co_get_running_loop()) - started;
    printf("[%.1f s] %s%s%s\n", now, who, *who ? ": " : "", what);
    fflush(stdout);
}

/* say_after(delay, word, times). Everything that must survive a sleep is in
 * the frame: a local variable would be gone when the coroutine resumes. */
struct say_after {
    co_coro co;
    double delay;
    const char *word;
    int times;
};

static int say_after(co_coro *co)
{
    struct say_after *self = (struct say_after *)co;
    CO_BEGIN(co);
    {
        char line[64];
        snprintf(line, sizeof line, "sleeping %.1f s before each word",
                 self->delay);
        trace(self->word, line);
    }
    while (self->times-- > 0) {
        CO_SLEEP(co, self->delay);
        trace("", self->word);
    }
    CO_END(co);
}

/* Starts say_after(delay, word, times) as a task named after its word. */
static int start(const char *word, double delay, int times, co_task **task)
{
    struct say_after *s = CO_NEW(struct say_after, say_after);
    if (!s)
        return CO_ENOMEM;
    s->delay = delay;
    s->word = word;
    s->times = times;
    int rc = co_create_task(co_get_running_loop(), &s->co, word, task);
    if (rc < 0)
        co_coro_free(&s->co); /* a failed call leaves the frame with us */
    return rc;
}

struct main_frame {
    co_coro co;
    co_task *hello, *world;
};

static int main_coro(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    int rc;
    CO_BEGIN(co);
    started = co_loop_time(co_get_running_loop());
    rc = start("hello", 0.3, 3, &self->hello);
    if (rc == 0)
        rc = start("world", 0.5, 2, &self->world);
    if (rc < 0)
        CO_RAISE(co, rc, "could not start the tasks");
    trace("main", "created tasks hello and world (neither has run yet)");
    trace("main", "awaiting hello");
    CO_AWAIT(co, self->hello);
    trace("main", "hello is done; awaiting world");
    CO_AWAIT(co, self->world);
    trace("main", "both done; one after the other they would take 1.9 s");
    CO_FINALLY(co);
    co_task_unref(self->hello);
    co_task_unref(self->world);
    CO_END(co);
}

int main(void)
{
    struct main_frame m = {0};
    co_coro_init(&m.co, main_coro);
    int rc = co_run(&m.co);
    co_coro_free(&m.co);
    if (rc < 0) {
        fprintf(stderr, "hello: %s\n", co_strerror(rc));
        return 1;
    }
    return 0;
}
