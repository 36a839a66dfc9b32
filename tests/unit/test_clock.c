/* test_clock.c - the loop's virtual time (co_loop_set_virtual_time,
 * COFLOW_CLOCK): time stands still while callbacks run and jumps to the
 * next deadline when only a timer can end the wait; while something
 * outside the loop can still end it, the loop waits for real.
 *
 * The sleeps below are an hour long: if time did not jump, the test would
 * hang and Check's per-test timeout would fail it. */
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

#define HOUR 3600.0

/* What the callbacks saw: their tags, in order, and the clock at each. */
struct trace {
    co_loop *loop;
    int n;
    char tags[16];
    double at[16];
};

struct stamp {
    struct trace *trace;
    char tag;
};

static void note(void *arg)
{
    struct stamp *s = arg;
    struct trace *t = s->trace;
    if (t->n < 16) {
        t->tags[t->n] = s->tag;
        t->at[t->n] = co_loop_time(t->loop);
        t->tags[++t->n] = '\0';
    }
}

static co_loop *virtual_loop(void)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_set_virtual_time(loop, true), 0);
    ck_assert(co_loop_get_virtual_time(loop));
    return loop;
}

START_TEST(test_an_hour_of_timers_runs_at_once_in_deadline_order)
{
    co_loop *loop = virtual_loop();
    struct trace t = {.loop = loop};
    struct stamp c = {&t, 'c'}, a = {&t, 'a'}, b = {&t, 'b'};
    double start = co_loop_time(loop);
    ck_assert_int_eq(co_loop_call_later(loop, HOUR, note, &c, NULL), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.05, note, &a, NULL), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.08, note, &b, NULL), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_str_eq(t.tags, "abc");
    /* Each callback saw its own deadline exactly, not a moment after. */
    ck_assert(t.at[0] == start + 0.05);
    ck_assert(t.at[1] == start + 0.08);
    ck_assert(t.at[2] == start + HOUR);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* Time stands still while callbacks run: one that calls the next
 * iteration's callback sees the same time. */
static void chain(void *arg)
{
    struct stamp *s = arg;
    note(s);
    if (s->trace->n < 3)
        co_loop_call_soon(s->trace->loop, chain, s);
}

START_TEST(test_time_stands_still_while_callbacks_run)
{
    co_loop *loop = virtual_loop();
    struct trace t = {.loop = loop};
    struct stamp s = {&t, 'x'};
    ck_assert_int_eq(co_loop_call_soon(loop, chain, &s), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_str_eq(t.tags, "xxx");
    ck_assert(t.at[0] == t.at[1] && t.at[1] == t.at[2]);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A coroutine that sleeps an hour, twice, under co_run with the clock
 * chosen by COFLOW_CLOCK. */
struct sleeper {
    co_coro co;
    double before, after;
};

static int sleeper(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    self->before = co_loop_time(co_get_running_loop());
    CO_SLEEP(co, HOUR);
    CO_SLEEP(co, HOUR);
    self->after = co_loop_time(co_get_running_loop());
    CO_END(co);
}

START_TEST(test_coflow_clock_virtual_gives_co_run_virtual_time)
{
    ck_assert_int_eq(setenv("COFLOW_CLOCK", "virtual", 1), 0);
    struct sleeper s = {0};
    co_coro_init(&s.co, sleeper);
    ck_assert_int_eq(co_run(&s.co), 0);
    /* Each deadline is exact, but the two additions round: within a
     * microsecond, whatever the clock read at the start. */
    double slept = s.after - s.before;
    ck_assert_msg(slept > 2 * HOUR - 1e-6 && slept < 2 * HOUR + 1e-6,
                  "slept %.9f s on virtual time", slept);
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    ck_assert(co_loop_get_virtual_time(loop));
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(unsetenv("COFLOW_CLOCK"), 0);
}
END_TEST

START_TEST(test_coflow_clock_monotonic_or_unset_is_the_real_clock)
{
    const char *values[] = {"monotonic", "", NULL};
    for (int i = 0; i < 3; i++) {
        if (values[i])
            ck_assert_int_eq(setenv("COFLOW_CLOCK", values[i], 1), 0);
        else
            ck_assert_int_eq(unsetenv("COFLOW_CLOCK"), 0);
        co_loop *loop = NULL;
        ck_assert_int_eq(co_loop_new(&loop), 0);
        ck_assert(!co_loop_get_virtual_time(loop));
        ck_assert_int_eq(co_loop_close(loop), 0);
    }
}
END_TEST

START_TEST(test_coflow_clock_of_another_name_makes_no_loop)
{
    ck_assert_int_eq(setenv("COFLOW_CLOCK", "fast", 1), 0);
    co_loop *loop = (co_loop *)&loop;
    ck_assert_int_eq(co_loop_new(&loop), CO_EINVAL);
    ck_assert_ptr_null(loop);
    ck_assert_int_eq(unsetenv("COFLOW_CLOCK"), 0);
}
END_TEST

/* While an fd is watched, something outside may end the wait first: the
 * loop does not jump past the hour's timer, the reader runs at the time
 * it was started at, and once the fd is no longer watched, time jumps. */
struct piped {
    struct trace *trace;
    int fd;
};

static void on_readable(int fd, int status, void *arg)
{
    struct piped *p = arg;
    char byte;
    ck_assert_int_eq(status, 0);
    ck_assert_int_eq(read(fd, &byte, 1), 1);
    struct stamp s = {p->trace, byte};
    note(&s);
    ck_assert_int_eq(co_loop_remove_reader(p->trace->loop, fd), 1);
}

START_TEST(test_a_watched_fd_keeps_time_from_jumping)
{
    co_loop *loop = virtual_loop();
    struct trace t = {.loop = loop};
    struct stamp late = {&t, 'h'};
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct piped p = {&t, fds[0]};
    double start = co_loop_time(loop);
    ck_assert_int_eq(co_loop_call_later(loop, HOUR, note, &late, NULL), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], on_readable, &p), 0);
    ck_assert_int_eq(write(fds[1], "r", 1), 1);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_str_eq(t.tags, "rh");
    ck_assert(t.at[0] < start + 60); /* no jump before the reader ran */
    ck_assert(t.at[1] == start + HOUR);
    close(fds[0]);
    close(fds[1]);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

static void note_and_stop(void *arg)
{
    struct stamp *s = arg;
    note(s);
    co_loop_stop(s->trace->loop);
}

/* A hold (work in another thread that may call in) makes the loop wait
 * for real; a wait that ends by its timeout leaves virtual time on the
 * deadline exactly. */
START_TEST(test_a_real_wait_that_times_out_lands_on_the_deadline)
{
    co_loop *loop = virtual_loop();
    struct trace t = {.loop = loop};
    struct stamp s = {&t, 't'};
    double start = co_loop_time(loop);
    ck_assert_int_eq(co_loop_hold(loop), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.002, note_and_stop, &s, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(t.n, 1);
    ck_assert(t.at[0] == start + 0.002);
    ck_assert_int_eq(co_loop_release(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

static void ignore_alarm(int sig)
{
    (void)sig;
}

static double real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A real wait cut short by a signal (the poll fails with EINTR, reports
 * nothing) has not timed out: virtual time moves on by what was waited and
 * the loop waits again, so it never runs ahead of the real clock there. */
START_TEST(test_a_real_wait_cut_short_by_a_signal_does_not_jump)
{
    co_loop *loop = virtual_loop();
    struct trace t = {.loop = loop};
    struct stamp s = {&t, 't'};
    struct sigaction sa = {0}, old;
    sa.sa_handler = ignore_alarm; /* no SA_RESTART: the poll gets EINTR */
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
    struct itimerval every_10ms = {{0, 10000}, {0, 10000}};
    struct itimerval off = {{0, 0}, {0, 0}};
    double start = co_loop_time(loop);
    ck_assert_int_eq(co_loop_hold(loop), 0);
    ck_assert_int_eq(co_loop_call_later(loop, 0.2, note_and_stop, &s, NULL),
                     0);
    double real_start = real_now();
    ck_assert_int_eq(setitimer(ITIMER_REAL, &every_10ms, NULL), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(setitimer(ITIMER_REAL, &off, NULL), 0);
    double real = real_now() - real_start;
    ck_assert_int_eq(sigaction(SIGALRM, &old, NULL), 0);
    ck_assert_int_eq(t.n, 1);
    ck_assert(t.at[0] == start + 0.2); /* on the deadline, */
    ck_assert_msg(real + 1e-3 >= 0.2,  /* and not before its real time */
                  "the 0.2 s timer fired after %g s of real waiting", real);
    ck_assert_int_eq(co_loop_release(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_set_virtual_time_refuses_bad_calls)
{
    ck_assert_int_eq(co_loop_set_virtual_time(NULL, true), CO_EINVAL);
    ck_assert(!co_loop_get_virtual_time(NULL));
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_set_virtual_time(loop, false), 0);
    co_timer timer;
    co_timer_init(&timer);
    struct trace t = {.loop = loop};
    struct stamp s = {&t, 's'};
    ck_assert_int_eq(co_loop_call_later(loop, 1, note, &s, &timer), 0);
    ck_assert_int_eq(co_loop_set_virtual_time(loop, true), CO_ECLOCKBUSY);
    ck_assert(!co_loop_get_virtual_time(loop));
    ck_assert(co_timer_cancel(&timer));
    ck_assert_int_eq(co_loop_set_virtual_time(loop, true), 0);
    ck_assert_int_eq(co_loop_set_virtual_time(loop, true), 0);
    ck_assert_int_eq(co_loop_set_virtual_time(loop, false), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_str_eq(co_strerror(CO_ECLOCKBUSY),
                     "timers are armed on the loop's clock: switch between "
                     "real and virtual time before arming any (a deadline "
                     "means nothing on the other clock)");
}
END_TEST

static Suite *clock_suite(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("virtual time");
    tcase_add_test(tc, test_an_hour_of_timers_runs_at_once_in_deadline_order);
    tcase_add_test(tc, test_time_stands_still_while_callbacks_run);
    tcase_add_test(tc, test_coflow_clock_virtual_gives_co_run_virtual_time);
    tcase_add_test(tc, test_coflow_clock_monotonic_or_unset_is_the_real_clock);
    tcase_add_test(tc, test_coflow_clock_of_another_name_makes_no_loop);
    tcase_add_test(tc, test_a_watched_fd_keeps_time_from_jumping);
    tcase_add_test(tc, test_a_real_wait_that_times_out_lands_on_the_deadline);
    tcase_add_test(tc, test_a_real_wait_cut_short_by_a_signal_does_not_jump);
    tcase_add_test(tc, test_set_virtual_time_refuses_bad_calls);
    unit_add_case(s, tc);
    return s;
}

int main(void)
{
    return unit_main(clock_suite());
}
