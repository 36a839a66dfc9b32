/* test_loop.c - the event loop: call_soon and iterations, timers, file
 * descriptors, run / stop / close, co_run (asyncio.run), deadlock
 * detection and co_strerror. Lessons 04 and 05. */
#include <math.h>
#include <sys/select.h>
#include <unistd.h>

#include "unit.h"

/* A trace of callbacks: each appends its tag; one may stop the loop. */
struct order {
    int n;           /* how many ran */
    int tags[32];    /* their tags, in order */
    int stop_at;     /* stop the loop when n reaches this (0: never) */
    co_loop *loop;   /* the loop to stop */
};

struct step {
    struct order *order;
    int tag;
};

static void record(void *arg)
{
    struct step *s = arg;
    struct order *o = s->order;
    if (o->n < 32)
        o->tags[o->n] = s->tag;
    o->n++;
    if (o->stop_at && o->n == o->stop_at)
        co_loop_stop(o->loop);
}

static void stop_loop(void *arg)
{
    co_loop_stop(arg);
}

static void make_pipe(int fds[2])
{
    ck_assert_int_eq(pipe(fds), 0);
}

/* ---- call_soon and iterations ------------------------------------------- */

START_TEST(test_call_soon_runs_in_fifo_order)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {0};
    struct step s[5];
    int tags[5] = {4, 0, 3, 1, 2};
    for (int i = 0; i < 5; i++) {
        s[i] = (struct step){&o, tags[i]};
        ck_assert_int_eq(co_loop_call_soon(loop, record, &s[i]), 0);
    }
    ck_assert_int_eq(o.n, 0); /* nothing runs inline */
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(o.n, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(o.tags[i], tags[i]);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* The ready queue is a ring that starts small. Here it grows while its
 * oldest entry is not at the front (40 callbacks already ran this
 * iteration), so part of the queue has wrapped round: growing must keep
 * every callback, in order. */
struct wrap {
    int order[300]; /* the numbers in the order they ran */
    int n;          /* how many ran */
    int numbers[300];
    co_loop *loop;
};

static struct wrap *wrap_state;

static void wrap_record(void *arg)
{
    wrap_state->order[wrap_state->n++] = *(int *)arg;
}

static void wrap_nothing(void *arg)
{
    (void)arg;
}

static void wrap_spawn(void *arg)
{
    struct wrap *w = arg;
    for (int i = 0; i < 300; i++) {
        w->numbers[i] = i;
        ck_assert_int_eq(co_loop_call_soon(w->loop, wrap_record,
                                           &w->numbers[i]), 0);
    }
}

/* Queues @p fillers no-op callbacks and then @p spawn, runs them (so the
 * ring's head is @p fillers + 1 slots in), lets @p spawn queue 300 numbered
 * callbacks, which grow the ring while it has wrapped round, and checks
 * that the next iteration runs all 300 in order. */
static void check_fifo_through_wrapped_growth(struct wrap *w, int fillers,
                                              co_callback spawn)
{
    wrap_state = w;
    for (int i = 0; i < fillers; i++)
        ck_assert_int_eq(co_loop_call_soon(w->loop, wrap_nothing, NULL), 0);
    ck_assert_int_eq(co_loop_call_soon(w->loop, spawn, w), 0);
    ck_assert_int_eq(unit_run_once(w->loop), 0); /* the fillers and spawn */
    ck_assert_int_eq(w->n, 0);
    ck_assert_int_eq(unit_run_once(w->loop), 0);
    ck_assert_int_eq(w->n, 300);
    for (int i = 0; i < 300; i++)
        ck_assert_msg(w->order[i] == i, "callback %d ran in place %d",
                      w->order[i], i);
}

START_TEST(test_call_soon_stays_fifo_when_the_ring_grows_wrapped)
{
    static struct wrap w;
    memset(&w, 0, sizeof w);
    w.loop = unit_loop(NULL);
    check_fifo_through_wrapped_growth(&w, 40, wrap_spawn);
    ck_assert_int_eq(co_loop_close(w.loop), 0);
}
END_TEST

/* A done-callback takes two slots of the ring, a plain callback one. Mixed
 * and growing the wrapped ring (some pairs then straddle its end), they
 * still run in the order they were queued, each with its own arguments. */
static void wrap_record_done(co_future *f, void *arg)
{
    ck_assert_ptr_nonnull(f);
    ck_assert(co_future_done(f));
    wrap_record(arg);
}

static co_future *wrap_done_future;

static void wrap_spawn_mixed(void *arg)
{
    struct wrap *w = arg;
    for (int i = 0; i < 300; i++) {
        w->numbers[i] = i;
        if (i % 3 == 0)
            ck_assert_int_eq(co_loop_call_soon(w->loop, wrap_record,
                                               &w->numbers[i]), 0);
        else /* the future is done: the callback is queued at once */
            ck_assert_int_eq(co_future_add_done_callback(wrap_done_future,
                                                         wrap_record_done,
                                                         &w->numbers[i]), 0);
    }
}

START_TEST(test_done_and_plain_callbacks_stay_fifo_when_the_ring_grows_wrapped)
{
    static struct wrap w;
    memset(&w, 0, sizeof w);
    w.loop = unit_loop(NULL);
    ck_assert_int_eq(co_future_new(w.loop, &wrap_done_future), 0);
    ck_assert_int_eq(co_future_set_result_int(wrap_done_future, 1), 0);
    /* 41 fillers: an odd head, so that some pairs straddle the ring's end */
    check_fifo_through_wrapped_growth(&w, 41, wrap_spawn_mixed);
    co_future_unref(wrap_done_future);
    ck_assert_int_eq(co_loop_close(w.loop), 0);
}
END_TEST

START_TEST(test_call_soon_rejects_null)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_call_soon(NULL, stop_loop, loop), CO_EINVAL);
    ck_assert_int_eq(co_loop_call_soon(loop, NULL, loop), CO_EINVAL);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* Queues `next` with call_soon from inside a callback. */
struct chain {
    struct step self;  /* recorded when this runs */
    struct step *next; /* queued when this runs */
    co_loop *loop;
};

static void record_and_queue(void *arg)
{
    struct chain *c = arg;
    record(&c->self);
    ck_assert_int_eq(co_loop_call_soon(c->loop, record, c->next), 0);
}

START_TEST(test_callback_queued_during_an_iteration_waits_for_the_next)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {0};
    struct step later = {&o, 2};
    struct chain first = {{&o, 1}, &later, loop};
    ck_assert_int_eq(co_loop_call_soon(loop, record_and_queue, &first), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(o.n, 1);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(o.n, 2);
    ck_assert_int_eq(o.tags[1], 2);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A callback that queues itself again, up to 100 times: if callbacks queued
 * during an iteration ran in the same one, it would starve the timer. */
struct spinner {
    co_loop *loop;
    int runs;          /* how many times it ran */
    int runs_at_timer; /* `runs` when the timer fired */
};

static void spin(void *arg)
{
    struct spinner *s = arg;
    if (++s->runs < 100)
        ck_assert_int_eq(co_loop_call_soon(s->loop, spin, s), 0);
}

static void timer_sees_spinner(void *arg)
{
    struct spinner *s = arg;
    s->runs_at_timer = s->runs;
    co_loop_stop(s->loop);
}

START_TEST(test_a_self_requeuing_callback_lets_a_due_timer_in)
{
    co_loop *loop = unit_loop(NULL);
    struct spinner s = {loop, 0, -1};
    ck_assert_int_eq(co_loop_call_soon(loop, spin, &s), 0);
    /* due at once: it joins the ready queue in the first iteration */
    ck_assert_int_eq(co_loop_call_later(loop, -1.0, timer_sees_spinner, &s,
                                        NULL), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(s.runs_at_timer, 1);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- timers ------------------------------------------------------------- */

START_TEST(test_call_later_runs_in_deadline_order)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {.stop_at = 3, .loop = loop};
    struct step s1 = {&o, 1}, s2 = {&o, 2}, s3 = {&o, 3};
    /* Deadlines from one reading of the clock: with call_later each delay
     * would count from its own call, and a slow first call (valgrind
     * translating new code) could push the third deadline past the first. */
    double now = co_loop_time(loop);
    ck_assert_int_eq(co_loop_call_at(loop, now + 0.003, record, &s3, NULL), 0);
    ck_assert_int_eq(co_loop_call_at(loop, now + 0.001, record, &s1, NULL), 0);
    ck_assert_int_eq(co_loop_call_at(loop, now + 0.002, record, &s2, NULL), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(o.n, 3);
    ck_assert_int_eq(o.tags[0], 1);
    ck_assert_int_eq(o.tags[1], 2);
    ck_assert_int_eq(o.tags[2], 3);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_equal_deadlines_run_in_the_order_they_were_set)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {.stop_at = 8, .loop = loop};
    struct step s[8];
    double when = co_loop_time(loop) + 0.001;
    for (int i = 0; i < 8; i++) {
        s[i] = (struct step){&o, i};
        ck_assert_int_eq(co_loop_call_at(loop, when, record, &s[i], NULL), 0);
    }
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(o.n, 8);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(o.tags[i], i);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* Many timers, armed, re-armed and cancelled in a scrambled order, with
 * deadlines from a small set so that many tie: they must fire exactly in
 * the order of (deadline, last arming), which a sorted copy gives. Any slip
 * in the heap (a child missed on the way down, a position not updated)
 * fires one out of place or loses it. */
#define HEAP_TIMERS 3000

struct heap_timer {
    co_timer timer;
    double when;     /* its deadline, if armed */
    long armed_at;   /* the order of its last arming, -1 if not armed */
    int *fired;      /* where the firing order is written */
    int *nfired;
    int id;
};

static void heap_timer_fired(void *arg)
{
    struct heap_timer *t = arg;
    t->fired[(*t->nfired)++] = t->id;
}

static int by_deadline_then_arming(const void *a, const void *b)
{
    const struct heap_timer *x = *(struct heap_timer *const *)a;
    const struct heap_timer *y = *(struct heap_timer *const *)b;
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    return (x->armed_at > y->armed_at) - (x->armed_at < y->armed_at);
}

START_TEST(test_timers_fire_in_deadline_then_arming_order)
{
    co_loop *loop = unit_loop(NULL);
    static struct heap_timer t[HEAP_TIMERS];
    static struct heap_timer *expect[HEAP_TIMERS];
    static int fired[HEAP_TIMERS];
    int nfired = 0;
    double now = co_loop_time(loop);
    unsigned long rng = 12345;
    long arming = 0;
    for (int i = 0; i < HEAP_TIMERS; i++) {
        t[i] = (struct heap_timer){.armed_at = -1, .fired = fired,
                                   .nfired = &nfired, .id = i};
        co_timer_init(&t[i].timer);
    }
    for (int op = 0; op < 4 * HEAP_TIMERS; op++) {
        rng = rng * 6364136223846793005UL + 1442695040888963407UL;
        struct heap_timer *x = &t[(rng >> 33) % HEAP_TIMERS];
        if ((rng >> 20) % 5 == 0) {
            /* co_timer_cancel says whether it was armed */
            ck_assert_int_eq(co_timer_cancel(&x->timer), x->armed_at >= 0);
            x->armed_at = -1;
        } else {
            x->when = now + 0.001 * (double)((rng >> 24) % 37);
            ck_assert_int_eq(co_loop_call_at(loop, x->when, heap_timer_fired,
                                             x, &x->timer), 0);
            x->armed_at = arming++;
        }
    }
    int n = 0;
    for (int i = 0; i < HEAP_TIMERS; i++)
        if (t[i].armed_at >= 0)
            expect[n++] = &t[i];
    ck_assert_int_gt(n, HEAP_TIMERS / 2);
    qsort(expect, (size_t)n, sizeof *expect, by_deadline_then_arming);
    ck_assert_int_eq(co_loop_call_at(loop, now + 1.0, stop_loop, loop, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(nfired, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(fired[i] == expect[i]->id,
                      "timer %d fired in place %d, where timer %d belongs",
                      fired[i], i, expect[i]->id);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_call_later_rejects_nan_and_null)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_call_later(loop, NAN, stop_loop, loop,
                                        NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_call_at(loop, NAN, stop_loop, loop, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_call_later(loop, 0.1, NULL, loop, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_call_later(NULL, 0.1, stop_loop, loop, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_rearming_a_timer_moves_it)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {.stop_at = 2, .loop = loop};
    struct step moved = {&o, 1}, fixed = {&o, 2};
    co_timer timer;
    co_timer_init(&timer);
    double now = co_loop_time(loop); /* one clock reading, as above */
    ck_assert_int_eq(co_loop_call_at(loop, now + 0.001, record, &moved, &timer),
                     0);
    ck_assert_int_eq(co_loop_call_at(loop, now + 0.002, record, &fixed, NULL),
                     0);
    ck_assert_int_eq(co_loop_call_at(loop, now + 0.004, record, &moved, &timer),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(o.n, 2); /* the timer fired once, after the other */
    ck_assert_int_eq(o.tags[0], 2);
    ck_assert_int_eq(o.tags[1], 1);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_timer_cancel_prevents_the_callback)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {0};
    struct step cancelled = {&o, 1};
    co_timer timer;
    co_timer_init(&timer);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, record, &cancelled,
                                        &timer), 0);
    ck_assert(co_timer_cancel(&timer));
    ck_assert(!co_timer_cancel(&timer)); /* not armed any more */
    ck_assert_int_eq(co_loop_call_later(loop, 0.002, stop_loop, loop, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(o.n, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_timer_cancel_after_firing_returns_false)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {.stop_at = 1, .loop = loop};
    struct step s = {&o, 1};
    co_timer timer;
    co_timer_init(&timer);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, record, &s, &timer), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(o.n, 1);
    ck_assert(!co_timer_cancel(&timer));
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_timer_cancel_of_an_unarmed_timer_returns_false)
{
    co_timer timer;
    co_timer_init(&timer);
    ck_assert(!co_timer_cancel(&timer));
    ck_assert(!co_timer_cancel(NULL));
}
END_TEST

/* Two timers due together: the first cancels the second, whose handle is
 * already queued for this iteration. It must not run. */
struct canceller {
    co_timer *victim;
    int cancelled;
};

static void cancel_other_timer(void *arg)
{
    struct canceller *c = arg;
    c->cancelled = co_timer_cancel(c->victim);
}

START_TEST(test_timer_cancelled_while_due_does_not_run)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {0};
    struct step s = {&o, 1};
    co_timer victim;
    co_timer_init(&victim);
    struct canceller c = {&victim, -1};
    double when = co_loop_time(loop) + 0.001;
    ck_assert_int_eq(co_loop_call_at(loop, when, cancel_other_timer, &c,
                                     NULL), 0);
    ck_assert_int_eq(co_loop_call_at(loop, when, record, &s, &victim), 0);
    ck_assert_int_eq(co_loop_call_at(loop, when + 0.001, stop_loop, loop,
                                     NULL), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(c.cancelled, 1);
    ck_assert_int_eq(o.n, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- run_until_complete, run_forever, stop ------------------------------ */

static void set_int(void *arg)
{
    ck_assert_int_eq(co_future_set_result_int(arg, 5), 0);
}

static void set_failure(void *arg)
{
    ck_assert_int_eq(co_future_set_exception(arg, CO_EUSER - 9, "nope"), 0);
}

static void cancel_future(void *arg)
{
    ck_assert(co_future_cancel(arg));
}

START_TEST(test_run_until_complete_returns_the_future_code)
{
    co_loop *loop = unit_loop(NULL);
    co_future *ok, *bad, *gone;
    ck_assert_int_eq(co_future_new(loop, &ok), 0);
    ck_assert_int_eq(co_future_new(loop, &bad), 0);
    ck_assert_int_eq(co_future_new(loop, &gone), 0);
    ck_assert_int_eq(co_loop_call_soon(loop, set_int, ok), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, set_failure, bad, NULL),
                     0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, cancel_future, gone,
                                        NULL), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, ok), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, bad), CO_EUSER - 9);
    ck_assert_int_eq(co_loop_run_until_complete(loop, gone), CO_ECANCELLED);
    co_future_unref(ok);
    co_future_unref(bad);
    co_future_unref(gone);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_run_until_complete_rejects_bad_arguments)
{
    co_loop *loop = unit_loop(NULL);
    co_loop *other = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(other, &f), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_run_until_complete(NULL, f), CO_EINVAL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), CO_EWRONGLOOP);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(other), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* What each way of re-entering the loop said, from inside a callback. */
struct reentry {
    co_loop *loop;
    co_future *other;
    int until_complete, forever, run, close, running;
    co_loop *running_loop;
};

static int noop_main(co_coro *co)
{
    CO_BEGIN(co);
    CO_END(co);
}

static void try_reentering(void *arg)
{
    struct reentry *r = arg;
    co_coro main;
    ck_assert_int_eq(co_coro_init(&main, noop_main), 0);
    r->until_complete = co_loop_run_until_complete(r->loop, r->other);
    r->forever = co_loop_run_forever(r->loop);
    r->run = co_run(&main);
    r->close = co_loop_close(r->loop);
    r->running = co_loop_is_running(r->loop);
    r->running_loop = co_get_running_loop();
}

START_TEST(test_running_the_loop_from_inside_is_erunning)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct reentry r = {loop, f, 0, 0, 0, 0, 0, NULL};
    ck_assert_int_eq(co_loop_call_soon(loop, try_reentering, &r), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(r.until_complete, CO_ERUNNING);
    ck_assert_int_eq(r.forever, CO_ERUNNING);
    ck_assert_int_eq(r.run, CO_ERUNNING);
    ck_assert_int_eq(r.close, CO_ERUNNING);
    ck_assert_int_eq(r.running, 1);
    ck_assert_ptr_eq(r.running_loop, loop);
    ck_assert(!co_loop_is_running(loop));
    ck_assert_ptr_null(co_get_running_loop());
    ck_assert(!co_future_done(f));
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_stop_ends_run_forever)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, stop_loop, loop, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert(!co_loop_is_running(loop));
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* Stops the loop, and queues another callback that must wait for the next
 * run (asyncio: stop() lets the current iteration finish, no more). */
static void stop_and_queue(void *arg)
{
    struct chain *c = arg;
    co_loop_stop(c->loop);
    record_and_queue(c);
}

START_TEST(test_stop_returns_after_the_current_iteration)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {0};
    struct step next = {&o, 2};
    struct chain first = {{&o, 1}, &next, loop};
    ck_assert_int_eq(co_loop_call_soon(loop, stop_and_queue, &first), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(o.n, 1);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(o.n, 2);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A chain of callbacks, one per iteration: each records its tag and
 * queues the next. */
struct relay {
    struct order *order;
    co_loop *loop;
    int tag;           /* recorded when this runs */
    struct relay *next; /* queued when this runs, or NULL */
};

static void relay_run(void *arg)
{
    struct relay *r = arg;
    struct step s = {r->order, r->tag};
    record(&s);
    if (r->next)
        ck_assert_int_eq(co_loop_call_soon(r->loop, relay_run, r->next), 0);
}

START_TEST(test_run_until_complete_returns_one_iteration_after_the_future)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct order o = {0};
    struct relay third = {&o, loop, 3, NULL};
    struct relay second = {&o, loop, 2, &third};
    struct relay first = {&o, loop, 1, &second};
    /* iteration 1: f is set and the relay starts; iteration 2: the relay's
     * second step and the done-callback that stops the loop. asyncio
     * returns there: the third step waits for the next run. */
    ck_assert_int_eq(co_loop_call_soon(loop, set_int, f), 0);
    ck_assert_int_eq(co_loop_call_soon(loop, relay_run, &first), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq(o.n, 2);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(o.n, 3);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_stop_before_running_runs_one_iteration)
{
    co_loop *loop = unit_loop(NULL);
    struct order o = {0};
    struct step next = {&o, 2};
    struct chain first = {{&o, 1}, &next, loop};
    ck_assert_int_eq(co_loop_call_soon(loop, record_and_queue, &first), 0);
    co_loop_stop(loop);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(o.n, 1);
    ck_assert_int_eq(o.tags[0], 1);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_run_forever_with_nothing_to_do_is_edeadlock)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert(!co_loop_is_running(loop));
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- tasks that wait forever, and close --------------------------------- */

struct waiter {
    co_coro co;
    co_future *f;   /* what to await */
    int fd;         /* what to wait on */
    int after;      /* the await returned */
    int finally_ran;
    int finally_err;
};

static int await_f(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->f);
    self->after = 1;
    CO_END(co);
}

START_TEST(test_task_awaiting_a_future_nobody_sets_is_edeadlock)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct waiter *w = CO_NEW(struct waiter, await_f);
    ck_assert_ptr_nonnull(w);
    w->f = f;
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_EDEADLOCK);
    ck_assert(!co_task_done(t));
    ck_assert_int_eq(w->after, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(r.count, 1); /* the stuck task */
    co_task_unref(t);
    co_future_unref(f);
}
END_TEST

START_TEST(test_close_with_pending_tasks_reports_them)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct waiter *started = CO_NEW(struct waiter, await_f);
    struct waiter *never = CO_NEW(struct waiter, await_f);
    ck_assert_ptr_nonnull(started);
    ck_assert_ptr_nonnull(never);
    started->f = never->f = f;
    ck_assert_int_eq(co_create_task(loop, &started->co, "stuck", NULL), 0);
    ck_assert_int_eq(unit_run_once(loop), 0); /* it now waits on f */
    ck_assert_int_eq(co_create_task(loop, &never->co, "idle", NULL), 0);
    ck_assert_int_eq(r.count, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(r.count, 2);
    ck_assert_ptr_nonnull(strstr(r.all, "destroyed but it is pending"));
    ck_assert_ptr_nonnull(strstr(r.all, "stuck"));
    ck_assert_ptr_nonnull(strstr(r.all, "idle"));
    co_future_unref(f); /* valgrind: the tasks and frames are gone */
}
END_TEST

START_TEST(test_close_of_null_is_a_no_op)
{
    ck_assert_int_eq(co_loop_close(NULL), 0);
}
END_TEST

START_TEST(test_closed_loop_refuses_new_work)
{
    co_loop *loop = unit_loop(NULL);
    co_future *keep;
    ck_assert_int_eq(co_future_new(loop, &keep), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    co_loop *closed = co_future_loop(keep); /* kept alive by the future */
    ck_assert(co_loop_is_closed(closed));
    ck_assert_int_eq(co_loop_call_soon(closed, stop_loop, NULL), CO_ECLOSED);
    ck_assert_int_eq(co_loop_call_later(closed, 0.1, stop_loop, NULL, NULL),
                     CO_ECLOSED);
    ck_assert_int_eq(co_loop_run_forever(closed), CO_ECLOSED);
    ck_assert_int_eq(co_loop_run_until_complete(closed, keep), CO_ECLOSED);
    co_future_unref(keep);
}
END_TEST

START_TEST(test_exception_handler_receives_reports)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_loop_report(loop, "something odd");
    ck_assert_int_eq(r.count, 1);
    ck_assert_str_eq(r.last, "something odd");
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_backend_is_select_by_default)
{
    /* By default, unless COFLOW_BACKEND names another (meson test
     * --setup poll / epoll runs this suite so): test_backends.c tests the
     * variable itself. */
    const char *env = getenv("COFLOW_BACKEND");
    co_loop *loop = unit_loop(NULL);
    ck_assert_pstr_eq(co_loop_backend_name(loop),
                      env && *env ? env : "select");
    co_loop *other = (co_loop *)&loop; /* anything not NULL */
    ck_assert_int_eq(co_loop_new_with_backend(&other, "no-such-backend"),
                     CO_EINVAL);
    ck_assert_ptr_null(other);
    ck_assert_int_eq(co_loop_new(NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- file descriptors --------------------------------------------------- */

struct reader {
    co_loop *loop;
    co_future *done;  /* set when the callback has seen what it needs */
    int calls;        /* how many times the callback ran */
    int status;       /* the last status it got */
    char byte;        /* what it read */
    char log[8];      /* "w" when written, "r" when read */
};

static void read_one(int fd, int status, void *arg)
{
    struct reader *r = arg;
    r->calls++;
    r->status = status;
    if (status == 0) {
        ck_assert_int_eq(read(fd, &r->byte, 1), 1);
        strcat(r->log, "r");
        ck_assert_int_eq(co_loop_remove_reader(r->loop, fd), 1);
    }
    if (!co_future_done(r->done))
        ck_assert_int_eq(co_future_set_result_int(r->done, status), 0);
}

struct writer {
    int fd;
    struct reader *reader;
};

static void write_one(void *arg)
{
    struct writer *w = arg;
    strcat(w->reader->log, "w");
    ck_assert_int_eq(write(w->fd, "k", 1), 1);
}

START_TEST(test_add_reader_fires_when_the_pipe_is_readable)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct reader r = {.loop = loop};
    ck_assert_int_eq(co_future_new(loop, &r.done), 0);
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], read_one, &r), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, r.done), 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(r.byte, 'x');
    co_future_unref(r.done);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_add_reader_waits_until_there_is_data)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct reader r = {.loop = loop};
    struct writer w = {fds[1], &r};
    ck_assert_int_eq(co_future_new(loop, &r.done), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], read_one, &r), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, write_one, &w, NULL), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, r.done), 0);
    ck_assert_str_eq(r.log, "wr");
    ck_assert_int_eq(r.byte, 'k');
    co_future_unref(r.done);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

static void never_called(int fd, int status, void *arg)
{
    (void)fd;
    (void)status;
    (void)arg;
    ck_abort_msg("this fd callback must not run");
}

static void note_writable(int fd, int status, void *arg)
{
    struct reader *r = arg;
    r->calls++;
    r->status = status;
    ck_assert_int_eq(co_loop_remove_writer(r->loop, fd), 1);
    ck_assert_int_eq(co_future_set_result_int(r->done, 0), 0);
}

START_TEST(test_add_writer_fires_when_the_pipe_has_room)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct reader r = {.loop = loop};
    ck_assert_int_eq(co_future_new(loop, &r.done), 0);
    ck_assert_int_eq(co_loop_add_writer(loop, fds[1], note_writable, &r), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, r.done), 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.status, 0);
    co_future_unref(r.done);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_add_reader_again_replaces_the_callback)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct reader r = {.loop = loop};
    ck_assert_int_eq(co_future_new(loop, &r.done), 0);
    ck_assert_int_eq(write(fds[1], "z", 1), 1);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], never_called, NULL), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], read_one, &r), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, r.done), 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.byte, 'z');
    co_future_unref(r.done);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_remove_reader_says_whether_one_was_removed)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], never_called, NULL), 0);
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 1);
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 0);
    ck_assert_int_eq(co_loop_remove_writer(loop, fds[1]), 0);
    ck_assert_int_eq(co_loop_remove_reader(loop, -1), CO_EINVAL);
    /* a removed reader does not fire, even with data waiting */
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, stop_loop, loop, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* What adding an fd at or above FD_SETSIZE that is not open gives: select
 * refuses its size, the other backends say it is not open. */
static int large_closed_fd_error(const co_loop *loop)
{
    return strcmp(co_loop_backend_name(loop), "select") == 0 ? CO_EFDSETSIZE
                                                             : CO_EBADF;
}

START_TEST(test_fd_at_fd_setsize_is_efdsetsize)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_add_reader(loop, FD_SETSIZE, never_called, NULL),
                     large_closed_fd_error(loop));
    ck_assert_int_eq(co_loop_add_writer(loop, FD_SETSIZE + 5, never_called,
                                        NULL), large_closed_fd_error(loop));
    /* nothing is watched: an empty loop has nothing to wait for */
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_negative_fd_is_einval)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_add_reader(loop, -1, never_called, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_add_writer(loop, -3, never_called, NULL),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_add_reader(loop, 0, NULL, NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_fd_closed_while_watched_reports_ebadf_once)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct reader r = {.loop = loop};
    ck_assert_int_eq(co_future_new(loop, &r.done), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], read_one, &r), 0);
    close(fds[0]); /* behind the loop's back */
    ck_assert_int_eq(co_loop_run_until_complete(loop, r.done), 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.status, CO_EBADF);
    /* the watch is gone: no second report, no busy loop */
    ck_assert_int_eq(co_loop_call_later(loop, 0.002, stop_loop, loop, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 0);
    co_future_unref(r.done);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[1]);
}
END_TEST

static int await_readable_then_read(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    char byte = 0;
    CO_BEGIN(co);
    CO_AWAIT_READABLE(co, self->fd);
    self->after = 1;
    ck_assert_int_eq(read(self->fd, &byte, 1), 1);
    CO_RETURN(co, byte);
    CO_FINALLY(co);
    self->finally_ran++;
    self->finally_err = co->err;
    CO_END(co);
}

static void write_byte(void *arg)
{
    int *fd = arg;
    ck_assert_int_eq(write(*fd, "q", 1), 1);
}

START_TEST(test_await_readable_resumes_when_data_arrives)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct waiter *w = CO_NEW(struct waiter, await_readable_then_read);
    ck_assert_ptr_nonnull(w);
    w->fd = fds[0];
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, write_byte, &fds[1],
                                        NULL), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 'q');
    /* the watch ended with the await */
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 0);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_await_readable_of_a_closed_fd_fails_with_ebadf)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct waiter *w = CO_NEW(struct waiter, await_readable_then_read);
    ck_assert_ptr_nonnull(w);
    w->fd = fds[0];
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &t), 0);
    ck_assert_int_eq(unit_run_once(loop), 0); /* now waiting on the fd */
    close(fds[0]);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_EBADF);
    ck_assert_int_eq(w->after, 0);
    ck_assert_int_eq(w->finally_err, CO_EBADF);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[1]);
}
END_TEST

START_TEST(test_await_readable_of_a_huge_fd_fails_with_efdsetsize)
{
    co_loop *loop = unit_loop(NULL);
    struct waiter *w = CO_NEW(struct waiter, await_readable_then_read);
    ck_assert_ptr_nonnull(w);
    w->fd = FD_SETSIZE;
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     large_closed_fd_error(loop));
    ck_assert_int_eq(w->after, 0);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancelling_await_readable_stops_watching)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct waiter *w = CO_NEW(struct waiter, await_readable_then_read);
    ck_assert_ptr_nonnull(w);
    w->fd = fds[0];
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &t), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert_int_eq(w->finally_err, CO_ECANCELLED);
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 0);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ---- co_run ------------------------------------------------------------- */

struct leftover {
    co_coro co;
    double delay;     /* how long it sleeps */
    int cleanup_yield; /* its cleanup takes one more iteration */
    int finally_ran;
    int finally_err;
    int cleanup_done; /* the cleanup ran to its end */
};

static int sleep_forever(co_coro *co)
{
    struct leftover *self = (struct leftover *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    CO_FINALLY(co);
    self->finally_ran++;
    self->finally_err = co->err;
    if (self->cleanup_yield)
        CO_SLEEP(co, 0.001);
    self->cleanup_done = 1;
    CO_END(co);
}

struct main_frame {
    co_coro co;
    long long value;            /* what main returns */
    int fail;                   /* raise instead */
    struct unit_reports *reports; /* where the run loop's reports go */
    struct leftover child[2];   /* tasks main leaves running */
    int nchildren;
    int i;
};

static int main_coro(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    CO_BEGIN(co);
    if (self->reports)
        co_loop_set_exception_handler(co_get_running_loop(),
                                      unit_record_report, self->reports);
    for (self->i = 0; self->i < self->nchildren; self->i++)
        ck_assert_int_eq(co_create_task(co_get_running_loop(),
                                        &self->child[self->i].co, NULL, NULL),
                         0);
    CO_YIELD(co); /* let the children start */
    if (self->fail)
        CO_RAISE(co, CO_EUSER - 2, "main gave up");
    CO_RETURN(co, self->value);
    CO_END(co);
}

static void main_init(struct main_frame *m, int nchildren)
{
    memset(m, 0, sizeof *m);
    ck_assert_int_eq(co_coro_init(&m->co, main_coro), 0);
    m->nchildren = nchildren;
    for (int i = 0; i < nchildren; i++) {
        ck_assert_int_eq(co_coro_init(&m->child[i].co, sleep_forever), 0);
        m->child[i].delay = 30;
    }
}

START_TEST(test_co_run_returns_main_result)
{
    struct main_frame m;
    main_init(&m, 0);
    m.value = 42;
    ck_assert_int_eq(co_run(&m.co), 0);
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&m.co, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_ptr_null(co_get_running_loop());
}
END_TEST

START_TEST(test_co_run_returns_main_failure)
{
    struct unit_reports r = {0};
    struct main_frame m;
    main_init(&m, 0);
    m.fail = 1;
    m.reports = &r;
    ck_assert_int_eq(co_run(&m.co), CO_EUSER - 2);
    ck_assert_int_eq(co_coro_error(&m.co, NULL), CO_EUSER - 2);
    co_coro_free(&m.co);
}
END_TEST

START_TEST(test_co_run_cancels_leftover_tasks_and_runs_their_finally)
{
    struct unit_reports r = {0};
    struct main_frame m;
    main_init(&m, 2);
    m.reports = &r;
    m.child[1].cleanup_yield = 1; /* cleanup that needs the loop */
    ck_assert_int_eq(co_run(&m.co), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(m.child[i].finally_ran, 1);
        ck_assert_int_eq(m.child[i].finally_err, CO_ECANCELLED);
        ck_assert_int_eq(m.child[i].cleanup_done, 1);
        ck_assert_int_eq(co_coro_error(&m.child[i].co, NULL), CO_ECANCELLED);
    }
    ck_assert_int_eq(r.count, 0); /* nothing was destroyed while pending */
}
END_TEST

START_TEST(test_co_run_leaves_a_co_new_frame_to_the_caller)
{
    struct main_frame *m = CO_NEW(struct main_frame, main_coro);
    ck_assert_ptr_nonnull(m);
    m->value = 17;
    ck_assert_int_eq(co_run(&m->co), 0);
    /* "The frame stays the caller's": readable, then freed by us. */
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&m->co, &v), 0);
    ck_assert_int_eq(v, 17);
    co_coro_free(&m->co);
}
END_TEST

START_TEST(test_co_run_rejects_null)
{
    ck_assert_int_eq(co_run(NULL), CO_EINVAL);
}
END_TEST

/* ---- error sentences ---------------------------------------------------- */

/* Every code the header declares, taken from the header's own table, so a
 * code added later is checked without touching this test. */
static const struct {
    int code;
    const char *name;
} all_codes[] = {
    {CO_OK, "CO_OK"},
#define UNIT_CODE(name, value, text) {name, #name},
    CO__ERRORS(UNIT_CODE)
#undef UNIT_CODE
};

START_TEST(test_strerror_gives_a_sentence_for_every_code)
{
    size_t n = sizeof all_codes / sizeof all_codes[0];
    const char *unknown = co_strerror(-999);
    ck_assert_ptr_nonnull(unknown);
    for (size_t i = 0; i < n; i++) {
        const char *text = co_strerror(all_codes[i].code);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(strlen(text) >= 7, "%s has no real sentence: \"%s\"",
                      all_codes[i].name, text);
        ck_assert_str_ne(text, unknown);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(text, co_strerror(all_codes[j].code));
        ck_assert_str_eq(co_errname(all_codes[i].code), all_codes[i].name);
    }
}
END_TEST

/* Codes are handed out in ranges (one per area of the library), so the
 * list has gaps; what must hold is that each code is its own, negative,
 * above CO_EUSER, and that the list goes down. */
START_TEST(test_error_codes_are_distinct_and_descending)
{
    size_t n = sizeof all_codes / sizeof all_codes[0];
    ck_assert_int_eq(all_codes[0].code, 0);
    for (size_t i = 1; i < n; i++) {
        ck_assert_int_lt(all_codes[i].code, all_codes[i - 1].code);
        ck_assert_int_gt(all_codes[i].code, CO_EUSER);
    }
}
END_TEST

START_TEST(test_strerror_never_returns_null)
{
    int odd[] = {1, 42, -500, -999, CO_EUSER, CO_EUSER - 1, -2147483647};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        ck_assert_ptr_nonnull(co_strerror(odd[i]));
        ck_assert_ptr_nonnull(co_errname(odd[i]));
    }
    ck_assert_str_eq(co_strerror(CO_EUSER - 1), "an application error");
    ck_assert_str_eq(co_strerror(CO_EUSER), "an application error");
}
END_TEST

static Suite *loop_suite(void)
{
    Suite *s = suite_create("loop");
    TCase *soon = tcase_create("call_soon and iterations");
    tcase_add_test(soon, test_call_soon_runs_in_fifo_order);
    tcase_add_test(soon, test_call_soon_stays_fifo_when_the_ring_grows_wrapped);
    tcase_add_test(soon,
                   test_done_and_plain_callbacks_stay_fifo_when_the_ring_grows_wrapped);
    tcase_add_test(soon, test_call_soon_rejects_null);
    tcase_add_test(soon,
                   test_callback_queued_during_an_iteration_waits_for_the_next);
    tcase_add_test(soon, test_a_self_requeuing_callback_lets_a_due_timer_in);
    unit_add_case(s, soon);

    TCase *timers = tcase_create("timers");
    tcase_add_test(timers, test_call_later_runs_in_deadline_order);
    tcase_add_test(timers, test_timers_fire_in_deadline_then_arming_order);
    tcase_add_test(timers, test_equal_deadlines_run_in_the_order_they_were_set);
    tcase_add_test(timers, test_call_later_rejects_nan_and_null);
    tcase_add_test(timers, test_rearming_a_timer_moves_it);
    tcase_add_test(timers, test_timer_cancel_prevents_the_callback);
    tcase_add_test(timers, test_timer_cancel_after_firing_returns_false);
    tcase_add_test(timers, test_timer_cancel_of_an_unarmed_timer_returns_false);
    tcase_add_test(timers, test_timer_cancelled_while_due_does_not_run);
    unit_add_case(s, timers);

    TCase *run = tcase_create("run, stop, close");
    tcase_add_test(run, test_run_until_complete_returns_the_future_code);
    tcase_add_test(run, test_run_until_complete_rejects_bad_arguments);
    tcase_add_test(run, test_running_the_loop_from_inside_is_erunning);
    tcase_add_test(run, test_stop_ends_run_forever);
    tcase_add_test(run, test_stop_returns_after_the_current_iteration);
    tcase_add_test(run, test_stop_before_running_runs_one_iteration);
    tcase_add_test(run,
                   test_run_until_complete_returns_one_iteration_after_the_future);
    tcase_add_test(run, test_run_forever_with_nothing_to_do_is_edeadlock);
    tcase_add_test(run, test_task_awaiting_a_future_nobody_sets_is_edeadlock);
    tcase_add_test(run, test_close_with_pending_tasks_reports_them);
    tcase_add_test(run, test_close_of_null_is_a_no_op);
    tcase_add_test(run, test_closed_loop_refuses_new_work);
    tcase_add_test(run, test_exception_handler_receives_reports);
    tcase_add_test(run, test_backend_is_select_by_default);
    unit_add_case(s, run);

    TCase *fds = tcase_create("file descriptors");
    tcase_add_test(fds, test_add_reader_fires_when_the_pipe_is_readable);
    tcase_add_test(fds, test_add_reader_waits_until_there_is_data);
    tcase_add_test(fds, test_add_writer_fires_when_the_pipe_has_room);
    tcase_add_test(fds, test_add_reader_again_replaces_the_callback);
    tcase_add_test(fds, test_remove_reader_says_whether_one_was_removed);
    tcase_add_test(fds, test_fd_at_fd_setsize_is_efdsetsize);
    tcase_add_test(fds, test_negative_fd_is_einval);
    tcase_add_test(fds, test_fd_closed_while_watched_reports_ebadf_once);
    tcase_add_test(fds, test_await_readable_resumes_when_data_arrives);
    tcase_add_test(fds, test_await_readable_of_a_closed_fd_fails_with_ebadf);
    tcase_add_test(fds, test_await_readable_of_a_huge_fd_fails_with_efdsetsize);
    tcase_add_test(fds, test_cancelling_await_readable_stops_watching);
    unit_add_case(s, fds);

    TCase *runner = tcase_create("co_run");
    tcase_add_test(runner, test_co_run_returns_main_result);
    tcase_add_test(runner, test_co_run_returns_main_failure);
    tcase_add_test(runner,
                   test_co_run_cancels_leftover_tasks_and_runs_their_finally);
    tcase_add_test(runner, test_co_run_leaves_a_co_new_frame_to_the_caller);
    tcase_add_test(runner, test_co_run_rejects_null);
    unit_add_case(s, runner);

    TCase *errors = tcase_create("error sentences");
    tcase_add_test(errors, test_strerror_gives_a_sentence_for_every_code);
    tcase_add_test(errors, test_error_codes_are_distinct_and_descending);
    tcase_add_test(errors, test_strerror_never_returns_null);
    unit_add_case(s, errors);
    return s;
}

int main(void)
{
    return unit_main(loop_suite());
}
