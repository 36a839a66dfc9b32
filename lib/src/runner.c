/* runner.c - co_run(), coflow's asyncio.run(): a fresh loop, the main
 * coroutine as a task, Ctrl-C turned into its cancellation, then an
 * orderly shutdown. Introduced in lesson 05; Ctrl-C in lesson 11. */
#include <stdio.h>
#include <stdlib.h>

#include <coflow.h>

#include "threads_internal.h"

/* What co_run's SIGINT handler needs (3.11's Runner._on_sigint): the main
 * task to cancel, and whether it did. It runs as a loop callback; the
 * second Ctrl-C never gets here (signals.c ends the program at once). */
typedef struct interrupt {
    co_task *main;     /* the main task (co_run holds a reference) */
    bool interrupted;  /* a Ctrl-C arrived while main was running */
} interrupt;

static void on_interrupt(void *arg)
{
    interrupt *in = arg;
    if (co_task_done(in->main))
        return;
    in->interrupted = true;
    co_task_cancel(in->main);
}

/* Runs the future that @p start makes until it is done: shutdown_asyncgens
 * and shutdown_default_executor are coroutines in asyncio, awaited with
 * run_until_complete in the same way. */
static void run_step(co_loop *loop, int (*start)(co_loop *, co_future **))
{
    co_future *f;
    if (start(loop, &f) < 0)
        return;
    co_loop_run_until_complete(loop, f);
    co_future_unref(f);
}

/* Cancels every task left over and runs the loop until they have all ended
 * (their CO_FINALLY sections run), as asyncio.run does before closing:
 * cancel them all, then gather them with return_exceptions. A failure
 * other than the cancellation is reported, as asyncio's handler does. */
static void cancel_all(co_loop *loop)
{
    size_t n = co_all_tasks(loop, NULL, 0);
    if (n == 0)
        return;
    co_task **left = malloc(n * sizeof *left);
    co_future **futures = malloc(n * sizeof *futures);
    if (!left || !futures) {
        free(left);
        free(futures);
        return; /* co_loop_close reports them as destroyed while pending */
    }
    co_all_tasks(loop, left, n); /* in creation order */
    for (size_t i = 0; i < n; i++) {
        co_task_ref(left[i]);
        futures[i] = co_task_future(left[i]);
    }
    for (size_t i = 0; i < n; i++)
        co_task_cancel(left[i]);
    co_future *all;
    if (co_gather(loop, futures, n, true, &all) == 0) {
        co_loop_run_until_complete(loop, all);
        co_future_unref(all);
    }
    for (size_t i = 0; i < n; i++) {
        co_future *f = futures[i];
        if (co_future_done(f) && !co_future_cancelled(f)) {
            const char *msg;
            int err = co_future_exception(f, &msg);
            if (err) {
                char line[512];
                snprintf(line, sizeof line,
                         "task %s failed while the program shut down: %s: %s",
                         co_task_get_name(left[i]), co_errname(err),
                         msg ? msg : co_strerror(err));
                co_loop_report(loop, line);
            }
        }
        co_task_unref(left[i]);
    }
    free(futures);
    free(left);
}

int co_run(co_coro *main)
{
    if (!main || !main->fn)
        return CO_EINVAL;
    if (co_get_running_loop())
        return CO_ERUNNING;
    co_loop *loop;
    int rc = co_loop_new(&loop);
    if (rc < 0)
        return rc;
    /* The frame stays the caller's, even one from CO_NEW: hide its
     * ownership from the task so the task is allocated on its own. */
    unsigned char owned = main->flags & CO__F_OWNED;
    main->flags &= (unsigned char)~CO__F_OWNED;
    co_task *task;
    rc = co_create_task(loop, main, NULL, &task);
    if (rc == 0) {
        /* Ctrl-C cancels main (only where asyncio would install it: on the
         * main thread, and if SIGINT still does its default action). */
        interrupt in = {.main = task, .interrupted = false};
        bool hooked = co__on_main_thread() &&
                      co__interrupt_install(loop, on_interrupt, &in) == 1;
        rc = co_loop_run_until_complete(loop, co_task_future(task));
        if (hooked)
            co__interrupt_remove(loop, on_interrupt, &in);
        if (in.interrupted && co_task_cancelled(task))
            rc = CO_EINTERRUPTED; /* asyncio raises KeyboardInterrupt */
        if (rc < 0 && rc != CO_ECANCELLED && rc != CO_EINTERRUPTED &&
            co_task_done(task)) {
            /* Like an uncaught exception's traceback: say why main failed. */
            const char *msg;
            co_future_exception(co_task_future(task), &msg);
            char line[512];
            snprintf(line, sizeof line, "main coroutine failed: %s: %s",
                     co_errname(rc), msg ? msg : co_strerror(rc));
            co_loop_report(loop, line);
        }
        cancel_all(loop);
        run_step(loop, co_loop_shutdown_asyncgens);
        run_step(loop, co_loop_shutdown_default_executor);
        co_task_unref(task);
    }
    co_loop_close(loop);
    main->flags |= owned;
    return rc;
}

int co_run_and_free(co_coro *main)
{
    if (!main)
        return CO_ENOTSTARTED;
    int rc = co_run(main);
    co_coro_free(main);
    return rc;
}
