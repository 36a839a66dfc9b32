/* example.c - lesson 01: one thread switching between two functions, and
 * three "downloads" done one after the other, then all at once.
 * The waits are sleeps standing in for the network. */
#include <stdio.h>
#include <time.h>

#include <coflow.h>

/* ---- part 1: func1 and func2 take turns, by hand ---------------------- */

/* A function that can stop half-way: `where` remembers how far it got. */
struct resumable {
    const char *name; /* for the trace */
    int first, second; /* what it prints before and after the pause */
    int where;        /* 0: at the top; 1: paused in the middle; 2: done */
};

/* Runs @p f up to its pause, or from its pause to its end. Returns 1 while
 * there is more to do. */
static int resume(struct resumable *f)
{
    if (f->where == 0) {
        printf("%s: %d\n", f->name, f->first);
        f->where = 1;
        return 1; /* "pause here": give the thread to someone else */
    }
    if (f->where == 1) {
        printf("%s: %d\n", f->name, f->second);
        f->where = 2;
    }
    return 0;
}

/* ---- part 2: three downloads ----------------------------------------- */

static struct timespec t0;

/* Seconds since t0, for the trace. */
static double elapsed(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0.tv_sec) +
           (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
}

static const char *images[] = {"cat.jpg", "dog.jpg", "owl.jpg"};
static const double network[] = {0.10, 0.05, 0.15}; /* seconds each */

/* The usual way: the thread sits in nanosleep() while the network works. */
static void download_sync(int i)
{
    printf("t=%.2fs start %s\n", elapsed(), images[i]);
    struct timespec wait = {0, (long)(network[i] * 1e9)};
    nanosleep(&wait, NULL);
    printf("t=%.2fs done  %s\n", elapsed(), images[i]);
}

/* The async way: a coroutine. While it waits, CO_SLEEP hands the thread
 * back to the loop, which runs the other downloads meanwhile. */
struct download {
    co_coro co; /* the coroutine header, always first */
    int i;      /* which image */
};

static int download_async(co_coro *co)
{
    struct download *self = (struct download *)co;
    CO_BEGIN(co);
    printf("t=%.2fs start %s\n", elapsed(), images[self->i]);
    CO_SLEEP(co, network[self->i]); /* await asyncio.sleep(...) */
    printf("t=%.2fs done  %s\n", elapsed(), images[self->i]);
    CO_END(co);
}

/* main(), as a coroutine: one task per download, then wait for all. */
struct download_all {
    co_coro co;        /* the coroutine header */
    co_task *tasks[3]; /* the three downloads, running concurrently */
    int i;             /* loop counter: kept here, it must survive awaits */
};

static int download_all(co_coro *co)
{
    struct download_all *self = (struct download_all *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < 3; self->i++) {
        struct download *d = CO_NEW(struct download, download_async);
        if (!d)
            CO_RAISE(co, CO_ENOMEM, "no memory for a download");
        d->i = self->i;
        int rc = co_create_task(co_get_running_loop(), &d->co,
                                images[self->i], &self->tasks[self->i]);
        if (rc < 0) {
            co_coro_free(&d->co); /* no task took the frame over */
            CO_RAISE(co, rc, "could not create a download task");
        }
    }
    for (self->i = 0; self->i < 3; self->i++) {
        CO_AWAIT(co, self->tasks[self->i]);
        co_task_unref(self->tasks[self->i]);
    }
    CO_END(co);
}

int main(void)
{
    printf("== two functions, one thread, taking turns ==\n");
    struct resumable func1 = {"func1", 1, 2, 0}, func2 = {"func2", 3, 4, 0};
    int more = 1;
    while (more) {
        more = resume(&func1);
        more |= resume(&func2);
    }

    printf("== three downloads, one after the other ==\n");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 3; i++)
        download_sync(i);
    printf("t=%.2fs all done: the sum of the waits\n", elapsed());

    printf("== three downloads, concurrently ==\n");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct download_all all;
    co_coro_init(&all.co, download_all);
    int rc = co_run(&all.co);
    if (rc != 0) {
        printf("the downloads failed: %s\n", co_strerror(rc));
        return 1;
    }
    printf("t=%.2fs all done: the longest wait\n", elapsed());
    return 0;
}
