/* stress_timers.c - 100,000 timers with deadlines spread over 50 ms, a
 * third cancelled as soon as they are armed and more cancelled at random
 * by the callbacks of others. No timer may fire before its deadline, after
 * it was cancelled, or twice; co_timer_cancel must say true exactly for
 * the timers that were still armed; every timer ends one way or the
 * other. */
#include "stress.h"

#define NTIMERS 100000
#define SPREAD 0.050 /* seconds over which the deadlines are spread */

struct stimer {
    co_timer timer;      /* the loop's handle, embedded */
    double deadline;     /* what we asked for, on co_loop_time()'s clock */
    unsigned char fired; /* how many times it fired */
    unsigned char cancelled; /* cancelled while armed */
};

static struct stimer timers[NTIMERS];
static co_loop *LOOP;
static long fired, cancelled, early, after_cancel, twice, cancel_lies;
static long cancels_from_callbacks, cancels_refused;

static void note_cancel(struct stimer *t)
{
    bool armed = co_timer_cancel(&t->timer);
    if (armed) {
        if (t->fired || t->cancelled)
            cancel_lies++; /* "was armed", yet it had ended */
        t->cancelled = 1;
        cancelled++;
    } else {
        if (!t->fired && !t->cancelled)
            cancel_lies++; /* "was not armed", yet it had not ended */
        cancels_refused++;
    }
}

static void on_timer(void *arg)
{
    struct stimer *t = arg;
    if (co_loop_time(LOOP) < t->deadline)
        early++;
    if (t->cancelled)
        after_cancel++;
    if (t->fired)
        twice++;
    t->fired++;
    fired++;
    /* A quarter of the callbacks cancel some other timer, armed or not. */
    if (stress_below(4) == 0) {
        cancels_from_callbacks++;
        note_cancel(&timers[stress_below(NTIMERS)]);
    }
    if (fired + cancelled == NTIMERS)
        co_loop_stop(LOOP);
}

START_TEST(test_timers_fire_once_never_early_never_after_cancel)
{
    stress_seed("100,000 timers", 2);
    LOOP = stress_loop();
    fired = cancelled = early = after_cancel = twice = cancel_lies = 0;
    cancels_from_callbacks = cancels_refused = 0;
    double t0 = co_loop_time(LOOP);
    for (int i = 0; i < NTIMERS; i++) {
        struct stimer *t = &timers[i];
        co_timer_init(&t->timer);
        t->fired = t->cancelled = 0;
        t->deadline = t0 + SPREAD * stress_below(10000) / 10000.0;
        ck_assert_int_eq(co_loop_call_at(LOOP, t->deadline, on_timer, t,
                                         &t->timer), 0);
    }
    for (int i = 0; i < NTIMERS; i++)
        if (stress_below(3) == 0)
            note_cancel(&timers[i]);
    long cancelled_at_once = cancelled;
    int rc = co_loop_run_forever(LOOP);
    ck_assert(rc == 0);
    long ended = 0;
    for (int i = 0; i < NTIMERS; i++)
        ended += (timers[i].fired > 0) + timers[i].cancelled;
    stress_figures("timers: %d armed, %ld fired, %ld cancelled (%ld at once, "
                   "%ld by callbacks, %ld cancels refused), %ld early, %ld "
                   "after their cancel, %ld twice, %ld wrong answers from "
                   "co_timer_cancel", NTIMERS, fired, cancelled,
                   cancelled_at_once, cancelled - cancelled_at_once,
                   cancels_refused, early, after_cancel, twice, cancel_lies);
    ck_assert_int_eq(early, 0);
    ck_assert_int_eq(after_cancel, 0);
    ck_assert_int_eq(twice, 0);
    ck_assert_int_eq(cancel_lies, 0);
    ck_assert_int_eq(ended, NTIMERS);            /* each ended one way */
    ck_assert_int_eq(fired + cancelled, NTIMERS);
    ck_assert_int_gt(cancelled - cancelled_at_once, 1000); /* real storms */
    ck_assert_int_gt(cancels_refused, 1000); /* ... that also hit ended ones */
    ck_assert_int_eq(stress_reports, 0);
    ck_assert_int_eq(co_loop_close(LOOP), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress_timers");
    TCase *tc = tcase_create("timers");
    tcase_add_test(tc, test_timers_fire_once_never_early_never_after_cancel);
    tcase_set_timeout(tc, 280);
    suite_add_tcase(s, tc);
    return stress_main(s);
}
