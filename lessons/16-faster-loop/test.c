/* test.c - the grader of lesson 16: the student's poll backend, first on a
 * loop (co_loop_new_with_ops) through the scenarios every backend of the
 * library passes (docs/backends.md), then called by hand for what a loop
 * never shows: the cap, and level-triggered readiness.
 *
 * Nothing here is timed: every wait has a budget (grade_run_until_complete)
 * and every check counts calls or compares fds. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exercise.h"
#include "grader.h"

static const co_backend *be = &lesson_poll_backend;

static co_loop *new_loop(void)
{
    co_loop *loop = NULL;
    int rc = co_loop_new_with_ops(&loop, be);
    grade_expect_code(rc, 0,
                      "co_loop_new_with_ops(&loop, &lesson_poll_backend) "
                      "(it calls your create(), then your add() for the "
                      "loop's own pipe)");
    return loop;
}

#define close_loop(loop)                                                       \
    do {                                                                       \
        grade_expect_all_released((loop), "when the test ended");              \
        co_loop_close(loop);                                                   \
    } while (0)

static co_future *new_future(co_loop *loop)
{
    co_future *f = NULL;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    return f;
}

/* What a reader or writer callback saw. */
struct seen {
    int calls;      /* how often it was called */
    int status;     /* the status of the last call */
    int fd;         /* the fd of the last call */
    co_future *done; /* completed at the first call, if not NULL */
    int remove;     /* 1: remove the reader at the call, 2: the writer */
    co_loop *loop;
};

static void on_io(int fd, int status, void *arg)
{
    struct seen *s = arg;
    s->calls++;
    s->status = status;
    s->fd = fd;
    if (status == 0 && s->remove == 1) {
        char buf[16];
        if (read(fd, buf, sizeof buf) < 0)
            s->status = CO_ESYS;
        co_loop_remove_reader(s->loop, fd);
    }
    if (status == 0 && s->remove == 2)
        co_loop_remove_writer(s->loop, fd);
    if (s->done && !co_future_done(s->done))
        co_future_set_result_int(s->done, 1);
}

static void complete(void *arg)
{
    co_future *f = arg;
    if (!co_future_done(f))
        co_future_set_result_int(f, 0);
}

/* ---- on a loop ---------------------------------------------------------- */

START_TEST(test_a_loop_on_it_runs_timers)
{
    co_loop *loop = new_loop();
    co_future *f = new_future(loop);
    ck_assert_int_eq(co_loop_call_later(loop, 0.02, complete, f, NULL), 0);
    grade_expect_code(grade_run_until_complete(loop, f, 0,
                                               "a loop with one 0.02 s timer "
                                               "and no fd to watch"),
                      0, "the timer's future");
    grade_expect_code(co_loop_close(loop), 0, "closing the loop");
    co_future_unref(f);
}
END_TEST

START_TEST(test_a_pipe_with_data_wakes_its_reader)
{
    co_loop *loop = new_loop();
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct seen r = {.done = new_future(loop), .remove = 1, .loop = loop};
    grade_expect_code(co_loop_add_reader(loop, fds[0], on_io, &r), 0,
                      "add_reader on a pipe (your add())");
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    grade_run_until_complete(loop, r.done, 0,
                             "the reader of a pipe with a byte in it (does "
                             "your add() watch the fd, and your poll() call "
                             "poll(2) and report it?)");
    grade_expect_int(r.calls, 1, "calls of the reader");
    grade_expect_code(r.status, 0, "the reader's status");
    grade_expect_int(r.fd, fds[0], "the fd the reader was called for");
    co_future_unref(r.done);
    close(fds[0]);
    close(fds[1]);
    close_loop(loop);
}
END_TEST

START_TEST(test_an_empty_pipe_wakes_nobody)
{
    co_loop *loop = new_loop();
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct seen r = {0};
    grade_expect_code(co_loop_add_reader(loop, fds[0], on_io, &r), 0,
                      "add_reader on a pipe (your add())");
    co_future *f = new_future(loop);
    ck_assert_int_eq(co_loop_call_later(loop, 0.02, complete, f, NULL), 0);
    grade_run_until_complete(loop, f, 0, "a 0.02 s timer beside an empty "
                                         "pipe");
    grade_expect_int(r.calls, 0,
                     "calls of the reader of a pipe nobody wrote to (is "
                     "every entry reported, not only those with revents?)");
    co_future_unref(f);
    co_loop_remove_reader(loop, fds[0]);
    close(fds[0]);
    close(fds[1]);
    close_loop(loop);
}
END_TEST

START_TEST(test_a_pipe_with_room_wakes_its_writer)
{
    co_loop *loop = new_loop();
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct seen w = {.done = new_future(loop), .remove = 2, .loop = loop};
    grade_expect_code(co_loop_add_writer(loop, fds[1], on_io, &w), 0,
                      "add_writer on a pipe (your add(), CO_BACKEND_WRITE "
                      "is POLLOUT)");
    grade_run_until_complete(loop, w.done, 0,
                             "the writer of an empty pipe (POLLOUT in "
                             "revents is CO_BACKEND_WRITE)");
    grade_expect_int(w.calls, 1, "calls of the writer");
    grade_expect_int(w.fd, fds[1], "the fd the writer was called for");
    co_future_unref(w.done);
    close(fds[0]);
    close(fds[1]);
    close_loop(loop);
}
END_TEST

START_TEST(test_one_socket_read_and_written)
{
    co_loop *loop = new_loop();
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    struct seen r = {.remove = 1, .loop = loop};
    struct seen w = {.done = new_future(loop), .remove = 2, .loop = loop};
    grade_expect_code(co_loop_add_reader(loop, sv[0], on_io, &r), 0,
                      "add_reader on a socket");
    grade_expect_code(co_loop_add_writer(loop, sv[0], on_io, &w), 0,
                      "add_writer on the same socket (one entry, POLLIN | "
                      "POLLOUT)");
    grade_run_until_complete(loop, w.done, 0,
                             "a socket watched both ways");
    /* Both are ready from the start, so one poll reports both. */
    struct seen after = {.done = new_future(loop)};
    ck_assert_int_eq(co_loop_call_soon(loop, complete, after.done), 0);
    grade_run_until_complete(loop, after.done, 0, "one more iteration");
    grade_expect_int(r.calls, 1, "calls of the reader (readable from the "
                                 "start)");
    grade_expect_int(w.calls, 1, "calls of the writer (writable from the "
                                 "start)");
    co_future_unref(w.done);
    co_future_unref(after.done);
    close(sv[0]);
    close(sv[1]);
    close_loop(loop);
}
END_TEST

START_TEST(test_a_closed_fd_is_reported_bad)
{
    co_loop *loop = new_loop();
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct seen r = {.done = new_future(loop)};
    grade_expect_code(co_loop_add_reader(loop, fds[0], on_io, &r), 0,
                      "add_reader on a pipe");
    close(fds[0]); /* behind the loop's back */
    grade_run_until_complete(loop, r.done, 0,
                             "the reader of an fd closed while watched "
                             "(poll(2) says POLLNVAL: report CO_BACKEND_BAD)");
    grade_expect_int(r.calls, 1, "calls of the reader of the closed fd");
    grade_expect_code(r.status, CO_EBADF, "the status the loop gave it");
    co_future_unref(r.done);
    close(fds[1]);
    close_loop(loop);
}
END_TEST

START_TEST(test_an_fd_that_is_not_open_is_refused)
{
    /* Called by hand: the loop asks the kernel too, so on a loop a backend
     * that forgets the check would go unnoticed. */
    void *state = NULL;
    grade_expect_code(be->create(&state), 0, "your create()");
    grade_expect_code(be->add(state, 1 << 24, CO_BACKEND_READ), CO_EBADF,
                      "your add(state, 1 << 24, CO_BACKEND_READ), an fd "
                      "nobody opened (ask fcntl(fd, F_GETFD) before adding "
                      "an entry)");
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    close(fds[0]);
    close(fds[1]);
    grade_expect_code(be->add(state, fds[0], CO_BACKEND_READ), CO_EBADF,
                      "your add() on a pipe that was just closed");
    co_backend_fired fired[4];
    grade_expect_int(be->poll(state, 0, fired, 4), 0,
                     "your poll() after add() refused both (nothing may "
                     "have been added)");
    be->destroy(state);
}
END_TEST

/* Raises the soft fd limit to @p need if the hard one allows. */
static int raise_fd_limit(rlim_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return 1;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
        return 0;
    rl.rlim_cur = need;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

#define MANY 300

START_TEST(test_many_fds_and_one_above_fd_setsize)
{
    /* 300 pipes, and one read end moved to 1500 where select cannot go
     * (or as high as this machine's fd limit allows). */
    int high = raise_fd_limit(1600) ? 1500 : -1;
    co_loop *loop = new_loop();
    static int fds[MANY][2];
    static struct seen r[MANY];
    co_future *all = new_future(loop);
    for (int i = 0; i < MANY; i++) {
        ck_assert_int_eq(pipe(fds[i]), 0);
        r[i] = (struct seen){.remove = 1, .loop = loop};
    }
    if (high >= 0) {
        ck_assert_int_eq(dup2(fds[0][0], high), high);
        close(fds[0][0]);
        fds[0][0] = high;
    }
    for (int i = 0; i < MANY; i++) {
        char what[96];
        snprintf(what, sizeof what, "add_reader on pipe %d (fd %d)", i,
                 fds[i][0]);
        grade_expect_code(co_loop_add_reader(loop, fds[i][0], on_io, &r[i]),
                          0, what);
        ck_assert_int_eq(write(fds[i][1], "x", 1), 1);
    }
    r[MANY - 1].done = all; /* the loop is level-triggered: all fire */
    grade_run_until_complete(loop, all, 0, "300 pipes with a byte each");
    co_future *after = new_future(loop);
    ck_assert_int_eq(co_loop_call_soon(loop, complete, after), 0);
    grade_run_until_complete(loop, after, 0, "one more iteration");
    for (int i = 0; i < MANY; i++) {
        char what[96];
        snprintf(what, sizeof what, "calls of the reader of pipe %d (fd %d)",
                 i, fds[i][0]);
        grade_expect_int(r[i].calls, 1, what);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    co_future_unref(all);
    co_future_unref(after);
    close_loop(loop);
}
END_TEST

/* ---- by hand ------------------------------------------------------------ */

static void *make_state(void)
{
    void *state = NULL;
    grade_expect_code(be->create(&state), 0, "your create()");
    return state;
}

START_TEST(test_a_poll_with_nothing_ready_reports_nothing)
{
    void *state = make_state();
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    co_backend_fired fired[4];
    grade_expect_int(be->poll(state, 0, fired, 4), 0,
                     "your poll(state, 0, fired, 4) with nothing watched");
    be->destroy(state);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

#define NPIPES 5

START_TEST(test_level_triggered_and_never_past_the_cap)
{
    void *state = make_state();
    int fds[NPIPES][2];
    for (int i = 0; i < NPIPES; i++) {
        ck_assert_int_eq(pipe(fds[i]), 0);
        ck_assert_int_eq(write(fds[i][1], "x", 1), 1);
        grade_expect_code(be->add(state, fds[i][0], CO_BACKEND_READ), 0,
                          "your add(state, fd, CO_BACKEND_READ) on a pipe");
    }
    co_backend_fired fired[NPIPES + 4];
    /* Not read: a level-triggered backend reports them at every poll. */
    for (int round = 0; round < 2; round++) {
        memset(fired, 0, sizeof fired);
        grade_expect_int(be->poll(state, 0, fired, NPIPES + 4), NPIPES,
                         round ? "a second poll, the bytes still unread "
                                 "(readiness is level-triggered)"
                               : "your poll() with 5 pipes readable");
        for (int i = 0; i < NPIPES; i++)
            grade_expect_int(fired[i].mask, CO_BACKEND_READ,
                             "the mask of a readable pipe");
    }
    /* With a cap of 2: never more than 2, and each read one makes room
     * for those left out, until all five were seen exactly once. */
    int seen[NPIPES] = {0};
    int total = 0;
    for (int round = 0; round < 3; round++) {
        co_backend_fired some[2 + 1];
        some[2].fd = -99; /* what a poll past its cap would overwrite */
        int n = be->poll(state, 0, some, 2);
        ck_assert_msg(n >= 0 && n <= 2,
                      "your poll(state, 0, fired, 2) returned %d: at most "
                      "cap (2) fds may be written",
                      n);
        ck_assert_msg(some[2].fd == -99,
                      "your poll() wrote a third entry into an array of "
                      "cap = 2");
        for (int k = 0; k < n; k++) {
            int which = -1;
            for (int i = 0; i < NPIPES; i++)
                if (fds[i][0] == some[k].fd)
                    which = i;
            ck_assert_msg(which >= 0, "your poll() reported fd %d, which "
                                      "is not watched", some[k].fd);
            ck_assert_msg(!seen[which], "pipe %d (fd %d) was reported "
                          "again after it was read", which, some[k].fd);
            seen[which] = 1;
            total++;
            be->del(state, some[k].fd, CO_BACKEND_READ);
        }
    }
    grade_expect_int(total, NPIPES,
                     "pipes reported over three polls of cap 2, each "
                     "unwatched once reported");
    grade_expect_int(be->poll(state, 0, fired, NPIPES + 4), 0,
                     "a poll once every pipe was unwatched (del)");
    be->destroy(state);
    for (int i = 0; i < NPIPES; i++) {
        close(fds[i][0]);
        close(fds[i][1]);
    }
}
END_TEST

START_TEST(test_del_of_one_direction_keeps_the_other)
{
    void *state = make_state();
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    grade_expect_code(be->add(state, sv[0], CO_BACKEND_READ), 0,
                      "add(state, fd, CO_BACKEND_READ)");
    grade_expect_code(be->add(state, sv[0], CO_BACKEND_WRITE), 0,
                      "add(state, same fd, CO_BACKEND_WRITE)");
    co_backend_fired fired[4];
    grade_expect_int(be->poll(state, 0, fired, 4), 1,
                     "fds reported for one socket watched both ways (one "
                     "entry per fd)");
    grade_expect_int(fired[0].mask, CO_BACKEND_READ | CO_BACKEND_WRITE,
                     "its mask");
    be->del(state, sv[0], CO_BACKEND_READ);
    grade_expect_int(be->poll(state, 0, fired, 4), 1,
                     "fds reported once the reading was unwatched");
    grade_expect_int(fired[0].mask, CO_BACKEND_WRITE,
                     "its mask (readable, but no longer watched for it)");
    be->del(state, sv[0], CO_BACKEND_WRITE);
    grade_expect_int(be->poll(state, 0, fired, 4), 0,
                     "fds reported once both were unwatched");
    be->del(state, sv[0], CO_BACKEND_WRITE); /* not watched: no error */
    be->destroy(state);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 16: a faster loop");
    TCase *tc = grade_tcase("a poll backend");
    tcase_add_test(tc, test_a_loop_on_it_runs_timers);
    tcase_add_test(tc, test_a_pipe_with_data_wakes_its_reader);
    tcase_add_test(tc, test_an_empty_pipe_wakes_nobody);
    tcase_add_test(tc, test_a_pipe_with_room_wakes_its_writer);
    tcase_add_test(tc, test_one_socket_read_and_written);
    tcase_add_test(tc, test_a_closed_fd_is_reported_bad);
    tcase_add_test(tc, test_an_fd_that_is_not_open_is_refused);
    tcase_add_test(tc, test_many_fds_and_one_above_fd_setsize);
    tcase_add_test(tc, test_a_poll_with_nothing_ready_reports_nothing);
    tcase_add_test(tc, test_level_triggered_and_never_past_the_cap);
    tcase_add_test(tc, test_del_of_one_direction_keeps_the_other);
    suite_add_tcase(s, tc);
    return s;
}
