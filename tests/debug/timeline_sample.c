/* timeline_sample.c - a small program whose timeline the checks read:
 * three tasks that sleep, one that awaits the others with gather, a
 * callback, a call posted from another thread, then a job in the default
 * executor that main awaits. Usage:
 *   timeline_sample OUT.json OUT.svg   records and writes both
 *   timeline_sample                    runs only (for COFLOW_TIMELINE=...)
 */
#include <coflow.h>
#include <pthread.h>
#include <stdio.h>

struct nap {
    co_coro co;
    double delay;
};

static int nap(co_coro *co)
{
    struct nap *self = (struct nap *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    CO_RETURN(co, (long long)(self->delay * 1000));
    CO_END(co);
}

static void posted(void *arg)
{
    (void)arg;
}

static void *poster(void *arg)
{
    co_loop_call_soon_threadsafe(arg, posted, NULL);
    return NULL;
}

/* Some work on a worker thread, long enough to have a length. */
static long long crunch(void *arg)
{
    (void)arg;
    volatile unsigned long long sum = 0;
    for (unsigned i = 0; i < 200000; i++)
        sum += i;
    return (long long)(sum & 0xff);
}

struct main_frame {
    co_coro co;
    co_task *t[3];
    co_future *all;
    co_future *job;
    pthread_t thread;
};

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    co_loop *loop = co_get_running_loop();
    CO_BEGIN(co);
    static const char *const names[3] = {"short", "middle", "long"};
    for (int i = 0; i < 3; i++) {
        struct nap *n = CO_NEW(struct nap, nap);
        if (!n)
            CO_RAISE(co, CO_ENOMEM, "no memory");
        n->delay = 0.01 * (i + 1);
        if (co_create_task(loop, &n->co, names[i], &self->t[i]) < 0)
            CO_RAISE(co, CO_ENOMEM, "no task");
    }
    co_future *items[3];
    for (int i = 0; i < 3; i++)
        items[i] = co_task_future(self->t[i]);
    if (co_gather(loop, items, 3, false, &self->all) < 0)
        CO_RAISE(co, CO_ENOMEM, "no gather");
    pthread_create(&self->thread, NULL, poster, loop);
    CO_AWAIT(co, self->all);
    pthread_join(self->thread, NULL);
    if (co_loop_run_in_executor(loop, NULL, crunch, NULL, &self->job) < 0)
        CO_RAISE(co, CO_ENOMEM, "no job");
    CO_AWAIT(co, self->job);
    CO_FINALLY(co);
    co_future_unref(self->job);
    co_future_unref(self->all);
    for (int i = 0; i < 3; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

int main(int argc, char **argv)
{
    co_loop *loop;
    if (co_loop_new(&loop) < 0)
        return 1;
    if (argc == 3)
        co_timeline_start(loop);
    struct main_frame m = {0};
    co_coro_init(&m.co, main_co);
    co_task *t;
    int rc = co_create_task(loop, &m.co, "main", &t);
    if (rc == 0)
        rc = co_loop_run_until_complete(loop, co_task_future(t));
    co_task_unref(t);
    if (rc == 0 && argc == 3) {
        FILE *json = fopen(argv[1], "w"), *svg = fopen(argv[2], "w");
        if (!json || !svg || co_timeline_write_json(loop, json) < 0 ||
            co_timeline_write_svg(loop, svg) < 0)
            rc = 1;
        if (json)
            fclose(json);
        if (svg)
            fclose(svg);
    }
    co_loop_close(loop);
    return rc == 0 ? 0 : 1;
}
