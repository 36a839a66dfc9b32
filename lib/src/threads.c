/* threads.c - the loop's side of other threads: threadsafe calls, stop,
 * hold/release, run_coroutine_threadsafe, and each thread's current loop.
 * Introduced in lesson 10. Everything that touches loop state happens on the
 * loop's thread; another thread only ever posts to the loop's channel. */
#include <signal.h>
#include <stdlib.h>

#include "threads_internal.h"

static CO__TLS co_loop *current_loop; /* co_set_event_loop */

/* ---- the loop's thread side ------------------------------------------------ */

typedef struct thread_side {
    co__loop_ext ext;             /* how the loop knows it; must stay first */
    co__outside *outside;         /* cross-thread work to settle at close */
    co_executor *default_executor; /* run_in_executor(NULL), made lazily */
    pthread_t joiner;             /* a thread to join at close, if any */
    bool has_joiner;              /* joiner is set */
} thread_side;

static void side_close(co_loop *loop, co__loop_ext *ext);

static const co__loop_ext side_proto = {.key = &side_proto,
                                        .close = side_close};

static void side_close(co_loop *loop, co__loop_ext *ext)
{
    thread_side *side = (thread_side *)(void *)ext;
    /* Pending tasks first, while everything still works (some of them may
     * wait on the work below). */
    co__tasks_abandon_all(loop);
    if (current_loop == loop)
        current_loop = NULL;
    if (side->default_executor) {
        /* Queued jobs are cancelled, running ones finish: their results
         * are posted to the channel, which the loop closes next. */
        co_executor_shutdown(side->default_executor, true, true);
        co_executor_free(side->default_executor);
    }
    side->default_executor = NULL;
    while (side->outside)
        side->outside->detach(side->outside);
    if (side->has_joiner)
        pthread_join(side->joiner, NULL);
    side->has_joiner = false;
}

/* The thread side of @p loop, made on first use; NULL when out of memory. */
static thread_side *side_of(co_loop *loop)
{
    return (thread_side *)(void *)co__loop_ext_get(loop, &side_proto,
                                                   sizeof(thread_side));
}

co_executor **co__default_executor(co_loop *loop)
{
    thread_side *side = side_of(loop);
    return side ? &side->default_executor : NULL;
}

int co__join_at_close(co_loop *loop, pthread_t t)
{
    thread_side *side = side_of(loop);
    if (!side)
        return CO_ENOMEM;
    if (side->has_joiner)
        pthread_join(side->joiner, NULL);
    side->joiner = t;
    side->has_joiner = true;
    return 0;
}

int co__outside_link(co_loop *loop, co__outside *o)
{
    thread_side *side = side_of(loop);
    if (!side)
        return CO_ENOMEM;
    o->prev = NULL;
    o->next = side->outside;
    if (side->outside)
        side->outside->prev = o;
    side->outside = o;
    return 0;
}

void co__outside_unlink(co_loop *loop, co__outside *o)
{
    thread_side *side = (thread_side *)(void *)co__loop_ext_find(loop,
                                                                 &side_proto);
    if (o->prev)
        o->prev->next = o->next;
    else if (side && side->outside == o)
        side->outside = o->next;
    else
        return; /* not linked */
    if (o->next)
        o->next->prev = o->prev;
    o->prev = o->next = NULL;
}

/* ---- threadsafe calls ------------------------------------------------------ */

int co_loop_call_soon_threadsafe(co_loop *loop, co_callback fn, void *arg)
{
    if (!loop || !fn)
        return CO_EINVAL;
    return co__chan_post(loop->chan, fn, NULL, arg);
}

static void stop_now(void *arg)
{
    co_loop_stop(arg);
}

int co_loop_stop_threadsafe(co_loop *loop)
{
    return co_loop_call_soon_threadsafe(loop, stop_now, loop);
}

/* Hold and release come from other threads, which must not read
 * loop->closed (the loop's thread writes it unlocked): the channel,
 * closed under its lock at co_loop_close, says it for them. */
int co_loop_hold(co_loop *loop)
{
    if (!loop)
        return CO_EINVAL;
    if (co__chan_closed(loop->chan))
        return CO_ECLOSED;
    co__loop_hold(loop);
    return 0;
}

int co_loop_release(co_loop *loop)
{
    if (!loop)
        return CO_EINVAL;
    if (co__chan_closed(loop->chan))
        return CO_ECLOSED; /* nothing is left to wake */
    unsigned n = atomic_load(&loop->keepalive);
    do {
        if (n == 0)
            return CO_ESTATE;
    } while (!atomic_compare_exchange_weak(&loop->keepalive, &n, n - 1));
    /* A loop asleep because of the hold must wake up and look again. */
    co__chan_wake(loop->chan);
    return 0;
}

/* ---- run_coroutine_threadsafe -------------------------------------------- */

/* Held by the start call (then the loop side, while the task runs) and by
 * the concurrent future's done-callback (then the cancel call it posts). */
typedef struct rct {
    co__outside link;  /* in loop->outside while the task runs */
    atomic_uint refs;  /* see above */
    co_loop *loop;     /* the loop (used on its thread only) */
    co_coro *coro;     /* the coroutine to start */
    co_task *task;     /* loop side: our reference while it runs, or NULL */
    co_cfuture *cf;    /* our reference: what the other thread waits on */
    co__chan *chan;    /* our reference: for the cancel call */
} rct;

static void rct_unref(void *arg)
{
    rct *r = arg;
    if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    co_cfuture_unref(r->cf);
    co__chan_unref(r->chan);
    free(r);
}

/* Tells the waiting thread how task future @p f (done) ended. */
static void tell_outcome(rct *r, co_future *f)
{
    if (co_future_cancelled(f)) {
        co_cfuture_cancel(r->cf);
        return;
    }
    const char *msg;
    int err = co_future_exception(f, &msg);
    if (err)
        co_cfuture_set_exception(r->cf, err, msg);
    else if (f->kind == CO_KIND_PTR)
        co_cfuture_set_result_ptr(r->cf, f->v.p);
    else
        co_cfuture_set_result_int(r->cf, f->kind == CO_KIND_INT ? f->v.i : 0);
}

static void task_finished(co_future *f, void *arg)
{
    rct *r = arg;
    co_task *t = r->task;
    if (!t)
        return;
    tell_outcome(r, f);
    co__outside_unlink(r->loop, &r->link);
    r->task = NULL;
    co_task_unref(t);
    rct_unref(r); /* the loop side */
}

static void rct_detach(co__outside *o)
{
    rct *r = (rct *)(void *)o;
    co__outside_unlink(r->loop, o);
    co_task *t = r->task;
    /* The task may have ended with task_finished still queued (or never
     * queued, out of memory): its outcome is known, so the other thread
     * gets it rather than a closed loop. */
    if (t && co_task_done(t))
        tell_outcome(r, co_task_future(t));
    else
        co_cfuture_set_exception(r->cf, CO_ECLOSED,
                                 "the loop was closed before the coroutine "
                                 "ended");
    r->task = NULL;
    co_task_unref(t);
    rct_unref(r);
}

/* The loop closed before the task could even start. */
static void start_dropped(void *arg)
{
    rct *r = arg;
    co_coro_free(r->coro); /* frees a CO_NEW frame; others stay the caller's */
    co_cfuture_set_exception(r->cf, CO_ECLOSED,
                             "the loop was closed before the coroutine started");
    rct_unref(r);
}

static void start(void *arg)
{
    rct *r = arg;
    /* Cancelled from the other thread before we got here: never start. The
     * future stays PENDING while the task runs (as asyncio's does), so that
     * its waiter can still cancel it; a cancel that lands after this check
     * posts cancel_task, which runs after us. */
    if (co_cfuture_cancelled(r->cf)) {
        co_coro_free(r->coro);
        rct_unref(r);
        return;
    }
    co_task *t;
    int rc = co_create_task(r->loop, r->coro, NULL, &t);
    if (rc == 0)
        rc = co_future_add_done_callback(co_task_future(t), task_finished, r);
    if (rc < 0) {
        if (!t)
            co_coro_free(r->coro);
        else
            co_task_cancel(t);
        co_task_unref(t);
        co_cfuture_set_exception(r->cf, rc, "could not start the coroutine");
        rct_unref(r);
        return;
    }
    if (co__outside_link(r->loop, &r->link) < 0) {
        co_future_remove_done_callback(co_task_future(t), task_finished, r);
        co_task_cancel(t);
        co_task_unref(t);
        co_cfuture_set_exception(r->cf, CO_ENOMEM,
                                 "could not start the coroutine");
        rct_unref(r);
        return;
    }
    r->task = t; /* the start call's reference passes to the loop side */
}

static void cancel_task(void *arg)
{
    rct *r = arg;
    if (r->task)
        co_task_cancel(r->task);
    rct_unref(r);
}

/* Any thread: the concurrent future is done (cancelled by its waiter, or
 * completed by task_finished). Only a cancellation needs the loop. */
static void cf_done(co_cfuture *cf, void *arg)
{
    rct *r = arg;
    if (!co_cfuture_cancelled(cf) ||
        co__chan_post(r->chan, cancel_task, rct_unref, r) < 0)
        rct_unref(r);
}

int co_run_coroutine_threadsafe(co_coro *coro, co_loop *loop, co_cfuture **out)
{
    if (out)
        *out = NULL;
    if (!coro || !coro->fn || coro->lc != 0 || !loop || !out)
        return CO_EINVAL;
    rct *r = calloc(1, sizeof *r);
    if (!r)
        return CO_ENOMEM;
    int rc = co_cfuture_new(&r->cf);
    if (rc < 0) {
        free(r);
        return rc;
    }
    atomic_init(&r->refs, 2);
    r->loop = loop;
    r->coro = coro;
    r->chan = co__chan_ref(loop->chan);
    r->link.detach = rct_detach;
    *out = co_cfuture_ref(r->cf);
    rc = co__chan_post(r->chan, start, start_dropped, r);
    if (rc < 0) {
        co_cfuture_unref(*out);
        *out = NULL;
        co_cfuture_unref(r->cf);
        co__chan_unref(r->chan);
        free(r);
        return rc;
    }
    co_cfuture_add_done_callback(r->cf, cf_done, r);
    return 0;
}

/* ---- the current loop of each thread ------------------------------------ */

static pthread_t main_thread;
static bool main_thread_known;

/* Runs when the library is loaded, which is in the main thread for a
 * program linked with it: that is how we know which thread is "main". */
__attribute__((constructor)) static void note_main_thread(void)
{
    main_thread = pthread_self();
    main_thread_known = true;
}

bool co__on_main_thread(void)
{
    return main_thread_known && pthread_equal(pthread_self(), main_thread);
}

int co_get_event_loop(co_loop **out)
{
    if (!out)
        return CO_EINVAL;
    *out = co__running_loop ? co__running_loop : current_loop;
    if (*out)
        return 0;
    if (!main_thread_known || !pthread_equal(pthread_self(), main_thread))
        return CO_ENOLOOP;
    int rc = co_loop_new(out);
    if (rc == 0 && !side_of(*out)) {
        co_loop_close(*out);
        *out = NULL;
        rc = CO_ENOMEM;
    }
    current_loop = *out;
    return rc;
}

int co_set_event_loop(co_loop *loop)
{
    if (loop && loop->closed)
        return CO_ECLOSED;
    if (loop && !side_of(loop)) /* its close forgets it again */
        return CO_ENOMEM;
    current_loop = loop;
    return 0;
}

int co_new_event_loop(co_loop **out)
{
    return co_loop_new(out);
}
