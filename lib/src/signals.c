/* signals.c - loop.add_signal_handler: Unix signals become loop callbacks.
 * Introduced in lesson 11 (Ctrl-C cancels every task).
 *
 * The real handler (on_signal) runs at any moment, in any thread, between
 * any two instructions of the program. It may only touch lock-free atomics
 * and call async-signal-safe functions such as write(), so it notes the
 * signal and rings the owner loop's wakeup pipe; the loop then queues the
 * user's callback on its own thread. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "coflow/signals.h"
#include "threads_internal.h"

#ifndef NSIG
#define NSIG 65
#endif

/* One row per signal number. `chan` and `caught` are what on_signal reads
 * and writes; the rest is used on the owner loop's thread under `lock`. */
static struct {
    co__chan *_Atomic chan;  /* the owner loop's channel, or NULL */
    atomic_int caught;       /* arrived since the owner last looked */
    atomic_int urgent;       /* co_run's Ctrl-C: a second arrival ends */
    atomic_int arrivals;     /* with `urgent`: arrivals since installed */
    co_loop *loop;           /* the owner loop, or NULL */
    co_callback fn;          /* the user's callback */
    void *arg;               /* its argument */
    struct sigaction old;    /* what the signal did before */
} rows[NSIG];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* What a loop with signal handlers keeps: the loop calls `wake` after its
 * doorbell rang (a signal rings it), and `close` when it closes. */
typedef struct signal_side {
    co__loop_ext ext;     /* must stay first */
    unsigned n;           /* signal handlers this loop owns */
} signal_side;

static void dispatch(co_loop *loop, co__loop_ext *ext);
static void forget_all(co_loop *loop, co__loop_ext *ext);
static void forget(struct signal_side *side, co_loop *loop, int signo);

static const co__loop_ext side_proto = {.key = &side_proto,
                                        .wake = dispatch,
                                        .close = forget_all};

/* The signal side of @p loop, made on first use; NULL when out of memory. */
static signal_side *side_of(co_loop *loop)
{
    return (signal_side *)(void *)co__loop_ext_get(loop, &side_proto,
                                                   sizeof(signal_side));
}

static void on_signal(int signo)
{
    int saved = errno; /* write() may change it under the interrupted code */
    if (signo > 0 && signo < NSIG) {
        co__chan *c = atomic_load(&rows[signo].chan);
        if (c && atomic_load(&rows[signo].urgent) &&
            atomic_fetch_add(&rows[signo].arrivals, 1) >= 1) {
            /* The second Ctrl-C while co_run is still cleaning up after the
             * first: the signal does what it did before co_run (by default
             * it ends the process, as KeyboardInterrupt escaping does).
             * sigaction and raise are async-signal-safe; the raised signal
             * is blocked until this handler returns, then delivered. */
            sigaction(signo, &rows[signo].old, NULL);
            raise(signo);
            errno = saved;
            return;
        }
        if (c) {
            atomic_store(&rows[signo].caught, 1);
            co__chan_wake(c);
        }
    }
    errno = saved;
}

static bool catchable(int signo)
{
    return signo > 0 && signo < NSIG && signo != SIGKILL && signo != SIGSTOP;
}

/* Installs fn(arg) for @p signo on @p loop; with @p urgent, only if the
 * signal does its default action now (else 0, nothing done), without a
 * hold on the loop (a Ctrl-C is no work to wait for), and a second arrival
 * ends at once (on_signal). Returns 1 when installed, or an error. */
static int install(co_loop *loop, int signo, co_callback fn, void *arg,
                   bool urgent)
{
    if (!loop || !fn || !catchable(signo))
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    signal_side *side = side_of(loop);
    if (!side)
        return CO_ENOMEM;
    pthread_mutex_lock(&lock);
    if (rows[signo].loop && rows[signo].loop != loop) {
        pthread_mutex_unlock(&lock);
        return CO_EINVAL; /* another loop handles it */
    }
    if (urgent) {
        struct sigaction now;
        if (rows[signo].loop || sigaction(signo, NULL, &now) < 0 ||
            (now.sa_flags & SA_SIGINFO) || now.sa_handler != SIG_DFL) {
            pthread_mutex_unlock(&lock);
            return 0; /* the program handles it itself: leave it alone */
        }
    }
    if (rows[signo].loop && atomic_load(&rows[signo].urgent)) {
        /* The user's own handler replaces co_run's: it is ordinary. */
        atomic_store(&rows[signo].urgent, 0);
        co__loop_hold(loop);
    }
    if (!rows[signo].loop) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        /* SA_RESTART: blocking calls elsewhere in the program are restarted
         * rather than failing with EINTR (select() still returns early). */
        sa.sa_flags = SA_RESTART;
        atomic_store(&rows[signo].caught, 0);
        atomic_store(&rows[signo].arrivals, 0);
        atomic_store(&rows[signo].urgent, urgent);
        atomic_store(&rows[signo].chan, loop->chan);
        if (sigaction(signo, &sa, &rows[signo].old) < 0) {
            atomic_store(&rows[signo].chan, NULL);
            pthread_mutex_unlock(&lock);
            return CO_ESYS;
        }
        rows[signo].loop = loop;
        side->n++;
        if (!urgent)
            co__loop_hold(loop); /* a signal may still come */
    }
    rows[signo].fn = fn;
    rows[signo].arg = arg;
    pthread_mutex_unlock(&lock);
    return 1;
}

int co_loop_add_signal_handler(co_loop *loop, int signo, co_callback fn,
                               void *arg)
{
    int rc = install(loop, signo, fn, arg, false);
    return rc < 0 ? rc : 0;
}

int co__interrupt_install(co_loop *loop, co_callback fn, void *arg)
{
    return install(loop, SIGINT, fn, arg, true);
}

void co__interrupt_remove(co_loop *loop, co_callback fn, void *arg)
{
    pthread_mutex_lock(&lock);
    if (rows[SIGINT].loop == loop && rows[SIGINT].fn == fn &&
        rows[SIGINT].arg == arg && atomic_load(&rows[SIGINT].urgent))
        forget((signal_side *)(void *)co__loop_ext_find(loop, &side_proto),
               loop, SIGINT);
    pthread_mutex_unlock(&lock);
}

void co__signals_after_fork(void)
{
    /* The child has one thread, and `lock` may have been held by another
     * thread of the parent at the fork: it is not taken here. */
    for (int s = 1; s < NSIG; s++) {
        if (!atomic_load(&rows[s].chan))
            continue;
        sigaction(s, &rows[s].old, NULL);
        atomic_store(&rows[s].chan, NULL);
    }
}

/* With `lock` held. */
static void forget(struct signal_side *side, co_loop *loop, int signo)
{
    sigaction(signo, &rows[signo].old, NULL);
    atomic_store(&rows[signo].chan, NULL);
    rows[signo].loop = NULL;
    rows[signo].fn = NULL;
    side->n--;
    if (!atomic_exchange(&rows[signo].urgent, 0))
        co__loop_unhold(loop);
}

int co_loop_remove_signal_handler(co_loop *loop, int signo)
{
    if (!loop || signo <= 0 || signo >= NSIG)
        return CO_EINVAL;
    pthread_mutex_lock(&lock);
    int removed = rows[signo].loop == loop;
    if (removed) /* it has a side: it owns this row */
        forget(side_of(loop), loop, signo);
    pthread_mutex_unlock(&lock);
    return removed;
}

/* The loop closes: every handler it owns goes, the old dispositions
 * come back. */
static void forget_all(co_loop *loop, co__loop_ext *ext)
{
    pthread_mutex_lock(&lock);
    for (int s = 1; s < NSIG; s++)
        if (rows[s].loop == loop)
            forget((signal_side *)(void *)ext, loop, s);
    pthread_mutex_unlock(&lock);
}

/* The doorbell rang: queue the handlers of the signals that arrived. */
static void dispatch(co_loop *loop, co__loop_ext *ext)
{
    if (((signal_side *)(void *)ext)->n == 0)
        return;
    pthread_mutex_lock(&lock);
    for (int s = 1; s < NSIG; s++) {
        if (rows[s].loop == loop && atomic_exchange(&rows[s].caught, 0) &&
            co_loop_call_soon(loop, rows[s].fn, rows[s].arg) < 0)
            co_loop_report(loop, "a signal handler could not be queued (out "
                                 "of memory)");
    }
    pthread_mutex_unlock(&lock);
}

static void cancel_all(void *arg)
{
    co_loop *loop = arg;
    size_t n = co_all_tasks(loop, NULL, 0);
    co_task **tasks = n ? malloc(n * sizeof *tasks) : NULL;
    if (!tasks)
        return;
    n = co_all_tasks(loop, tasks, n);
    for (size_t i = 0; i < n; i++)
        co_task_ref(tasks[i]); /* a cancel may end another task's last ref */
    for (size_t i = 0; i < n; i++) {
        co_task_cancel(tasks[i]);
        co_task_unref(tasks[i]);
    }
    free(tasks);
}

int co_loop_cancel_all_on_signal(co_loop *loop, int signo)
{
    return co_loop_add_signal_handler(loop, signo, cancel_all, loop);
}
