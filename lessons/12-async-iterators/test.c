/* test.c - the grader of lesson 12: the lines generator over a pipe.
 *
 * Every test makes a real pipe, hands its read end to lines() and writes
 * into the write end from the test itself (before the loop runs) or from a
 * writer task on the same loop, which writes each piece only once the
 * consumer has got what came before: so the order of events is fixed by
 * counts, never by timing. The consumer is a task that runs
 * `async for line in lines(fd)` and keeps what it got. Each test checks
 * the lines, the end (StopAsyncIteration or a failure), that the cleanup
 * ran exactly once and closed the fd, and that nothing stayed referenced. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exercise.h"
#include "grader.h"

/* How long the loop may run for one test. In fork mode every test has a
 * timeout (the tutor's 2 s, meson's 6 s) and the budget must end well
 * within it; without fork (CK_FORK=no: valgrind) there is no timeout and
 * the program runs many times slower. Nothing here waits for a clock: the
 * budget only turns a generator that never ends into a clear sentence. */
static double patience(void)
{
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && strcmp(fork_mode, "no") == 0)
        return 20.0;
    const char *t = getenv("CK_DEFAULT_TIMEOUT");
    const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
    double timeout = t ? atof(t) : 4.0; /* Check's own default */
    if (!(timeout > 0))
        timeout = 4.0;
    if (m && atof(m) > 0)
        timeout *= atof(m);
    return 0.4 * timeout;
}

#define MAX_GOT 8

/* async def consume(fd, stop_after): async for line in lines(fd): ... */
struct consumer {
    co_coro co;                  /* header */
    struct lines g;              /* the student's generator */
    int stop_after;              /* break after this many lines; 0: never */
    int keep_open;               /* return without closing (no END) */
    char got[MAX_GOT][LINES_MAX]; /* the lines received */
    int n;                       /* how many */
    int cleanups_after_loop;     /* g.cleanups when the loop was left */
    void *p;                     /* the latest item */
    int steps;                   /* how many times the task stepped it */
};

static int consumer(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    self->steps++; /* every step of the generator is a step of this too */
    CO_BEGIN(co);
    if (self->keep_open) { /* one item, then return: the generator stays */
        CO_ANEXT(co, &self->g.gen.it);
        if (!co_aiter_ended(&self->g.gen.it)) {
            co_aiter_value_ptr(&self->g.gen.it, &self->p);
            snprintf(self->got[self->n++], LINES_MAX, "%s",
                     self->p ? (const char *)self->p : "(NULL)");
        }
        CO_RETURN(co, 0);
    }
    CO_ASYNC_FOR(co, &self->g.gen.it)
        self->p = NULL;
        co_aiter_value_ptr(&self->g.gen.it, &self->p);
        if (self->n < MAX_GOT)
            snprintf(self->got[self->n], LINES_MAX, "%s",
                     self->p ? (const char *)self->p : "(NULL)");
        self->n++;
        if (self->n == MAX_GOT + 4 ||
            (self->stop_after && self->n == self->stop_after))
            break;
    CO_ASYNC_FOR_END(co, &self->g.gen.it);
    self->cleanups_after_loop = self->g.cleanups;
    CO_FINALLY(co);
    if (!self->keep_open)
        CO_ACLOSE(co, &self->g.gen.it); /* after a failure: close it too */
    CO_END(co);
}

/* How many loop iterations the writer waits for the consumer, at most: a
 * generator that works needs a handful per line. */
#define MAX_SPINS 10000

/* Writes pieces into the pipe, each once the consumer has got `after`
 * lines, then closes the write end (EOF) unless told not to. */
struct piece {
    int after;        /* write once the consumer has this many lines */
    const char *text; /* what to write */
    int pause;        /* loop iterations to let pass before writing */
};

struct writer {
    co_coro co;                 /* header */
    int fd;                     /* the write end (owned) */
    const struct piece *pieces; /* ends with a NULL text */
    int close_after;            /* close once the consumer has this many */
    const struct consumer *c;   /* whom to watch */
    int i;                      /* the next piece */
    int spins;                  /* yields spent waiting, capped */
    int pause;                  /* yields left of the piece's pause */
    int paused_steps;           /* the consumer's steps during pauses */
    int start;                  /* its step count when a pause began */
};

static int writer(co_coro *co)
{
    struct writer *self = (struct writer *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->pieces[self->i].text; self->i++) {
        while (self->c->n < self->pieces[self->i].after) {
            ck_assert_msg(++self->spins < MAX_SPINS,
                          "the consumer still has only %d line(s), %d loop "
                          "iterations after line %d was written: the "
                          "generator must yield each whole line as soon as "
                          "it has read it, and wait on the fd (through the "
                          "loop) only when it has none",
                          self->c->n, MAX_SPINS,
                          self->pieces[self->i].after);
            CO_YIELD(co);
        }
        /* Nothing is written meanwhile: a generator waiting on the fd is
         * not stepped at all, one that polls it is stepped every time. */
        self->start = self->c->steps;
        for (self->pause = self->pieces[self->i].pause; self->pause > 0;
             self->pause--)
            CO_YIELD(co);
        self->paused_steps += self->c->steps - self->start;
        const char *t = self->pieces[self->i].text;
        ck_assert_int_eq(write(self->fd, t, strlen(t)), (ssize_t)strlen(t));
    }
    while (self->c->n < self->close_after &&
           !co_aiter_ended(&self->c->g.gen.it)) {
        ck_assert_msg(++self->spins < MAX_SPINS,
                      "the consumer got %d line(s) of %d, %d loop "
                      "iterations after the last was written: the "
                      "generator must yield each whole line as soon as it "
                      "has read it",
                      self->c->n, self->close_after, MAX_SPINS);
        CO_YIELD(co);
    }
    close(self->fd);
    self->fd = -1;
    CO_END(co);
}

struct run {
    co_loop *loop;
    int rd, wr;           /* the pipe */
    struct consumer *c;   /* static: survives a failed assertion */
    struct writer w;
    co_task *ct, *wt;     /* the two tasks */
    int rc;               /* how the consumer ended */
};

static struct consumer the_consumer;

/* Makes the loop, the pipe (read end non-blocking) and the consumer. */
static void setup(struct run *r)
{
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(co_loop_new(&r->loop), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    r->rd = fds[0];
    r->wr = fds[1];
    ck_assert_int_ne(fcntl(r->rd, F_SETFL, O_NONBLOCK), -1);
    r->c = &the_consumer;
    memset(r->c, 0, sizeof *r->c);
    r->c->cleanups_after_loop = -1;
    co_coro_init(&r->c->co, consumer);
    co_agen_init(&r->c->g.gen, lines);
    r->c->g.fd = r->rd;
}

static void write_now(struct run *r, const char *text)
{
    ck_assert_int_eq(write(r->wr, text, strlen(text)), (ssize_t)strlen(text));
}

static void close_now(struct run *r)
{
    close(r->wr);
    r->wr = -1;
}

/* Starts the writer task (pieces, then EOF once the consumer has
 * close_after lines), or none if pieces is NULL. */
static void start_writer(struct run *r, const struct piece *pieces,
                         int close_after)
{
    co_coro_init(&r->w.co, writer);
    r->w.fd = r->wr;
    r->w.pieces = pieces;
    r->w.close_after = close_after;
    r->w.c = r->c;
    r->wr = -1; /* the writer's now */
    ck_assert_int_eq(co_create_task(r->loop, &r->w.co, "writer", &r->wt), 0);
}

static void run_consumer(struct run *r)
{
    ck_assert_int_eq(co_create_task(r->loop, &r->c->co, "consumer", &r->ct),
                     0);
    r->rc = grade_run_until_complete(r->loop, co_task_future(r->ct),
                                     patience(),
                                     "the task running `async for line in "
                                     "lines(fd)`");
    if (r->wt)
        grade_run_until_complete(r->loop, co_task_future(r->wt), patience(),
                                 "the grader's writer task");
}

static int fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static void expect_lines(const struct run *r, const char *const *want, int n)
{
    grade_expect_int(r->c->n, n, "how many lines the async for got");
    for (int i = 0; i < n; i++)
        ck_assert_msg(strcmp(r->c->got[i], want[i]) == 0,
                      "line %d: expected \"%s\", your generator yielded "
                      "\"%s\"",
                      i + 1, want[i], r->c->got[i]);
}

static void expect_cleaned_up(const struct run *r)
{
    grade_expect_int(r->c->g.cleanups, 1,
                     "how many times the generator's cleanup ran "
                     "(CO_FINALLY: once, however it ends)");
    ck_assert_msg(!fd_is_open(r->rd),
                  "the read end of the pipe is still open after the "
                  "generator ended: its cleanup must close(fd)");
}

static void finish(struct run *r)
{
    co_task_unref(r->ct);
    co_task_unref(r->wt);
    grade_expect_all_released(r->loop, "when the test ended");
    co_loop_close(r->loop);
    if (r->wr >= 0)
        close(r->wr);
    if (r->w.fd > 0)
        close(r->w.fd);
    if (fd_is_open(r->rd))
        close(r->rd);
}

/* ---- the tests ---------------------------------------------------------- */

START_TEST(test_yields_the_lines_then_ends)
{
    struct run r;
    setup(&r);
    write_now(&r, "alpha\nbeta\ngamma\n");
    close_now(&r);
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    static const char *const want[] = {"alpha", "beta", "gamma"};
    expect_lines(&r, want, 3);
    ck_assert_msg(co_aiter_ended(&r.c->g.gen.it),
                  "after the last line and EOF the generator should have "
                  "ended (the consumer's StopAsyncIteration)");
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_empty_input_ends_at_once)
{
    struct run r;
    setup(&r);
    close_now(&r);
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    expect_lines(&r, NULL, 0);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_a_line_may_arrive_in_pieces)
{
    static const struct piece pieces[] = {
        {0, "al", 0},     {0, "pha\nbe", 0},           {1, "ta\n", 0},
        {2, "gamma\ndelta\nep", 0}, {4, "silon\n", 0}, {0, NULL, 0}};
    struct run r;
    setup(&r);
    start_writer(&r, pieces, 5);
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    static const char *const want[] = {"alpha", "beta", "gamma", "delta",
                                       "epsilon"};
    expect_lines(&r, want, 5);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_each_line_is_yielded_as_soon_as_it_arrives)
{
    /* Line k+1 is written only after the consumer got line k, and EOF
     * only after it got all three: a generator that waits for more input
     * (or for EOF) before yielding what it has never gets any further. */
    static const struct piece pieces[] = {
        {0, "one\n", 0}, {1, "two\n", 0}, {2, "three\n", 0}, {0, NULL, 0}};
    struct run r;
    setup(&r);
    start_writer(&r, pieces, 3);
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    static const char *const want[] = {"one", "two", "three"};
    expect_lines(&r, want, 3);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_waits_on_the_fd_without_polling)
{
    /* After "one", nothing is written for 200 loop iterations. A
     * generator that waits with CO_AWAIT_READABLE is not stepped in
     * them; one that retries read() at every iteration (CO_YIELD after
     * EAGAIN) is stepped 200 times. */
    static const struct piece pieces[] = {
        {0, "one\n", 0}, {1, "two\n", 200}, {0, NULL, 0}};
    struct run r;
    setup(&r);
    start_writer(&r, pieces, 2);
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    static const char *const want[] = {"one", "two"};
    expect_lines(&r, want, 2);
    ck_assert_msg(r.w.paused_steps < 20,
                  "while nothing arrived on the pipe for 200 loop "
                  "iterations, your generator was stepped %d times: it "
                  "should wait with CO_AWAIT_READABLE(co, self->fd), which "
                  "wakes it only when there is input, not retry read()",
                  r.w.paused_steps);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_the_last_line_may_lack_its_newline)
{
    struct run r;
    setup(&r);
    write_now(&r, "one\n\ntwo");
    close_now(&r);
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    static const char *const want[] = {"one", "", "two"};
    expect_lines(&r, want, 3);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_leaving_early_runs_the_cleanup_once)
{
    /* The write end stays open: the generator is suspended at a yield
     * when the consumer breaks, and only closing it can end it. */
    struct run r;
    setup(&r);
    write_now(&r, "a\nb\nc\nd\n");
    r.c->stop_after = 2;
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    static const char *const want[] = {"a", "b"};
    expect_lines(&r, want, 2);
    grade_expect_int(r.c->cleanups_after_loop, 1,
                     "cleanups already run when the code after the async "
                     "for loop ran (break closes the generator, and its "
                     "CO_FINALLY must run then)");
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_shutdown_asyncgens_closes_a_forgotten_generator)
{
    /* The consumer takes one line and returns without closing; the loop's
     * shutdown_asyncgens (what co_run does at the end) closes it. */
    struct run r;
    setup(&r);
    write_now(&r, "first\nsecond\n");
    r.c->keep_open = 1;
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    static const char *const want[] = {"first"};
    expect_lines(&r, want, 1);
    grade_expect_int(r.c->g.cleanups, 0,
                     "cleanups run while the generator is still suspended "
                     "at its first yield");
    co_future *done = NULL;
    grade_expect_code(co_loop_shutdown_asyncgens(r.loop, &done), 0,
                      "co_loop_shutdown_asyncgens");
    grade_expect_code(grade_run_until_complete(r.loop, done, patience(),
                                               "shutdown_asyncgens"),
                      0, "closing the generator at shutdown");
    co_future_unref(done);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

START_TEST(test_a_too_long_line_fails_and_cleans_up)
{
    char big[LINES_MAX + 8];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct run r;
    setup(&r);
    write_now(&r, "ok\n");
    write_now(&r, big); /* no '\n', and the write end stays open */
    run_consumer(&r);
    grade_expect_code(r.rc, CO_ELIMIT,
                      "how the consumer ended when a line is longer than "
                      "LINES_MAX - 2 characters");
    static const char *const want[] = {"ok"};
    expect_lines(&r, want, 1);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

/* The input ends (EOF) right after a last line too long for `line`, with
 * no '\n': it fails like any long line, and nothing is written past the
 * end of `line` (a read of LINES_MAX - have bytes, handed out at EOF,
 * would). */
START_TEST(test_a_too_long_last_line_fails_at_eof_too)
{
    for (size_t len = LINES_MAX - 1; len <= LINES_MAX; len++) {
        char big[LINES_MAX + 1];
        memset(big, 'x', len);
        big[len] = '\0';
        struct run r;
        setup(&r);
        write_now(&r, big);
        close_now(&r);
        run_consumer(&r);
        grade_expect_code(r.rc, CO_ELIMIT,
                          "how the consumer ended when the input ends with "
                          "a last line of more than LINES_MAX - 2 "
                          "characters and no '\\n'");
        expect_lines(&r, NULL, 0);
        expect_cleaned_up(&r);
        finish(&r);
    }
}
END_TEST

START_TEST(test_the_longest_line_fits)
{
    char longest[LINES_MAX];
    memset(longest, 'y', LINES_MAX - 2);
    longest[LINES_MAX - 2] = '\n';
    longest[LINES_MAX - 1] = '\0';
    struct run r;
    setup(&r);
    write_now(&r, longest);
    write_now(&r, "z\n");
    close_now(&r);
    run_consumer(&r);
    grade_expect_code(r.rc, 0, "how the consumer of lines() ended");
    longest[LINES_MAX - 2] = '\0';
    const char *const want[] = {longest, "z"};
    expect_lines(&r, want, 2);
    expect_cleaned_up(&r);
    finish(&r);
}
END_TEST

Suite *lesson_suite(void)
{
    /* Every loop of the grader (and of the code graded) runs on virtual
     * time, co_loop_set_virtual_time(): sleeps take no real time and end
     * in deadline order however busy the machine is, so the order and the
     * durations checked are exact. COFLOW_CLOCK=monotonic overrides it. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    Suite *s = suite_create("lesson 12: async iterators");
    TCase *tc = grade_tcase("lines");
    tcase_add_test(tc, test_yields_the_lines_then_ends);
    tcase_add_test(tc, test_empty_input_ends_at_once);
    tcase_add_test(tc, test_a_line_may_arrive_in_pieces);
    tcase_add_test(tc, test_each_line_is_yielded_as_soon_as_it_arrives);
    tcase_add_test(tc, test_waits_on_the_fd_without_polling);
    tcase_add_test(tc, test_the_last_line_may_lack_its_newline);
    tcase_add_test(tc, test_a_too_long_last_line_fails_at_eof_too);
    tcase_add_test(tc, test_leaving_early_runs_the_cleanup_once);
    tcase_add_test(tc, test_shutdown_asyncgens_closes_a_forgotten_generator);
    tcase_add_test(tc, test_a_too_long_line_fails_and_cleans_up);
    tcase_add_test(tc, test_the_longest_line_fits);
    suite_add_tcase(s, tc);
    return s;
}
