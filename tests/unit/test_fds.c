/* test_fds.c - the loop's rules for file descriptors, as a hostile or a
 * careless program meets them: descriptors too large or never opened, two
 * tasks waiting for one descriptor, a watch taken away from under a task.
 * Lessons 04 and 16 (every backend must keep these rules). */
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static void never_called(int fd, int status, void *arg)
{
    (void)fd;
    (void)status;
    (void)arg;
    ck_abort_msg("this fd callback must not run");
}

static void make_pipe(int fds[2])
{
    ck_assert_int_eq(pipe(fds), 0);
}

/* ---- descriptors the loop must refuse ----------------------------------- */

/* Bytes the process has taken from malloc, or, where malloc is not glibc's
 * (the sanitizers and valgrind bring their own, and mallinfo2 then says
 * 0), its peak resident size. Either grows by the table's size if the loop
 * grew its fd table up to a huge fd: 128 MiB at 2^24, more above. */
static size_t memory_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    if (mi.arena || mi.hblkhd)
        return mi.uordblks + mi.hblkhd;
    struct rusage ru;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return (size_t)ru.ru_maxrss * 1024;
}

START_TEST(test_huge_fd_is_refused_at_once_and_grows_nothing)
{
    co_loop *loop = unit_loop(NULL);
    /* select refuses any fd at or above FD_SETSIZE; the others find it is
     * not open (docs/backends.md) */
    int refused = strcmp(co_loop_backend_name(loop), "select") == 0
                      ? CO_EFDSETSIZE : CO_EBADF;
    const int huge[] = {1 << 24, 1 << 30, INT_MAX - 1, INT_MAX};
    size_t before = memory_in_use();
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        ck_assert_int_eq(co_loop_add_reader(loop, huge[i], never_called,
                                            NULL), refused);
        ck_assert_int_eq(co_loop_add_writer(loop, huge[i], never_called,
                                            NULL), refused);
        ck_assert_int_eq(co_loop_remove_reader(loop, huge[i]), 0);
    }
    size_t after = memory_in_use();
    ck_assert_msg(after - before < (1u << 20),
                  "refusing huge fds took %zu bytes", after - before);
    /* nothing is watched: the loop has nothing to wait for */
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A descriptor below FD_SETSIZE that is not open in this process. */
static int unopened_fd(void)
{
    for (int fd = FD_SETSIZE - 1; fd > 2; fd--)
        if (fcntl(fd, F_GETFD) < 0)
            return fd;
    ck_abort_msg("every descriptor below FD_SETSIZE is open");
    return -1;
}

START_TEST(test_never_opened_fd_is_ebadf_at_once)
{
    co_loop *loop = unit_loop(NULL);
    int fd = unopened_fd();
    ck_assert_int_eq(co_loop_add_reader(loop, fd, never_called, NULL),
                     CO_EBADF);
    ck_assert_int_eq(co_loop_add_writer(loop, fd, never_called, NULL),
                     CO_EBADF);
    ck_assert_ptr_nonnull(strstr(co_strerror(CO_EBADF), "never opened"));
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* In a child of its own (so the limit stays there, with or without Check's
 * fork): the fd table is cut to 256 entries and fd 300 cannot exist. Only
 * the soft limit moves (valgrind refuses to change the hard one). The exit
 * status says which step went wrong. */
static int add_reader_above_the_fd_table(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || fcntl(300, F_GETFD) >= 0)
        return 1;
    lim.rlim_cur = 256;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
        return 1;
    co_loop *loop = NULL;
    if (co_loop_new(&loop) != 0)
        return 2;
    int rc = co_loop_add_reader(loop, 300, never_called, NULL);
    int wc = co_loop_add_writer(loop, 300, never_called, NULL);
    int run = co_loop_run_forever(loop);
    co_loop_close(loop);
    if (rc != CO_EBADF)
        return 3;
    if (wc != CO_EBADF)
        return 4;
    return run == CO_EDEADLOCK ? 0 : 5;
}

START_TEST(test_fd_above_a_lowered_fd_table_is_ebadf)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(add_reader_above_the_fd_table());
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_msg(WEXITSTATUS(status) == 0, "step %d failed",
                  WEXITSTATUS(status));
}
END_TEST

/* In a child of its own: every descriptor below FD_SETSIZE is taken
 * (the soft limit raised above it if needed), so the loop's wakeup pipe
 * can only get descriptors select() cannot watch. */
static int new_loop_with_the_low_fds_used_up(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return 1;
    if (lim.rlim_cur < FD_SETSIZE + 16) {
        if (lim.rlim_max < FD_SETSIZE + 16)
            return 2;
        lim.rlim_cur = FD_SETSIZE + 16;
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
            return 3;
    }
    int fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd < FD_SETSIZE)
        continue;
    if (fd < 0)
        return 4;
    close(fd); /* the first one above: free again */
    co_loop *loop = (co_loop *)&fd; /* anything not NULL */
    int rc = co_loop_new_with_backend(&loop, "select"); /* select's limit */
    if (rc != CO_EFDSETSIZE)
        return 5;
    return loop == NULL ? 0 : 6;
}

START_TEST(test_loop_new_with_the_low_fds_used_up_is_efdsetsize)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(new_loop_with_the_low_fds_used_up());
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_msg(WEXITSTATUS(status) == 0, "step %d failed",
                  WEXITSTATUS(status));
}
END_TEST

/* ---- one reader per descriptor, also for tasks -------------------------- */

struct fd_waiter {
    co_coro co;
    int fd;          /* what it waits for */
    int writable;    /* waits to write, not to read */
    int woke;        /* the await returned normally */
    int finally_err; /* what its CO_FINALLY saw */
};

static int wait_for_fd(co_coro *co)
{
    struct fd_waiter *self = (struct fd_waiter *)co;
    CO_BEGIN(co);
    if (self->writable)
        CO_AWAIT_WRITABLE(co, self->fd);
    else
        CO_AWAIT_READABLE(co, self->fd);
    self->woke = 1;
    CO_FINALLY(co);
    self->finally_err = co->err;
    CO_END(co);
}

static co_task *start_waiter(co_loop *loop, struct fd_waiter *w, int fd,
                             int writable)
{
    *w = (struct fd_waiter){.fd = fd, .writable = writable};
    ck_assert_int_eq(co_coro_init(&w->co, wait_for_fd), 0);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &t), 0);
    return t;
}

/* The task's failure code, with its message checked for @p words. */
static int failure_of(co_task *t, const char *words)
{
    const char *msg = NULL;
    int err = co_future_exception(co_task_future(t), &msg);
    if (words) {
        ck_assert_ptr_nonnull(msg);
        ck_assert_msg(strstr(msg, words), "message \"%s\" lacks \"%s\"", msg,
                      words);
    }
    return err;
}

START_TEST(test_second_task_awaiting_one_fd_fails_at_once)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct fd_waiter a, b;
    co_task *ta = start_waiter(loop, &a, fds[0], 0);
    co_task *tb = start_waiter(loop, &b, fds[0], 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    /* the second is refused in the step it asked, with the rule named */
    ck_assert(co_task_done(tb));
    ck_assert_int_eq(failure_of(tb, "already has a reader"), CO_EFDBUSY);
    ck_assert_int_eq(b.woke, 0);
    ck_assert_int_eq(b.finally_err, CO_EFDBUSY);
    /* the first keeps its watch and wakes when data comes */
    ck_assert(!co_task_done(ta));
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(ta)), 0);
    ck_assert_int_eq(a.woke, 1);
    co_task_unref(ta);
    co_task_unref(tb);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_await_on_an_fd_with_a_reader_callback_fails_and_keeps_it)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], never_called, NULL), 0);
    struct fd_waiter a;
    co_task *ta = start_waiter(loop, &a, fds[0], 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(ta)),
                     CO_EFDBUSY);
    ck_assert_int_eq(failure_of(ta, "co_loop_add_reader"), CO_EFDBUSY);
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 1); /* still on */
    co_task_unref(ta);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_a_reader_and_a_writer_task_share_one_fd)
{
    co_loop *loop = unit_loop(NULL);
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct fd_waiter r, w;
    co_task *tr = start_waiter(loop, &r, sv[0], 0);
    co_task *tw = start_waiter(loop, &w, sv[0], 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(tw)), 0);
    ck_assert_int_eq(w.woke, 1);
    ck_assert(!co_task_done(tr));
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(tr)), 0);
    ck_assert_int_eq(r.woke, 1);
    co_task_unref(tr);
    co_task_unref(tw);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(test_remove_reader_under_an_await_fails_the_task)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct fd_waiter a;
    co_task *ta = start_waiter(loop, &a, fds[0], 0);
    ck_assert_int_eq(unit_run_once(loop), 0); /* now waiting on the fd */
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(ta)),
                     CO_EFDBUSY);
    ck_assert_int_eq(failure_of(ta, "stopped being watched"), CO_EFDBUSY);
    ck_assert_int_eq(a.woke, 0);
    ck_assert_int_eq(a.finally_err, CO_EFDBUSY);
    co_task_unref(ta);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0); /* the fd's future too */
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_remove_writer_under_an_await_fails_the_task)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct fd_waiter a;
    co_task *ta = start_waiter(loop, &a, fds[1], 1);
    ck_assert_int_eq(co_loop_remove_writer(loop, fds[1]), 0); /* not yet */
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(co_loop_remove_writer(loop, fds[1]), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(ta)),
                     CO_EFDBUSY);
    ck_assert_int_eq(failure_of(ta, "co_loop_remove_writer"), CO_EFDBUSY);
    co_task_unref(ta);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

struct reading {
    co_loop *loop;
    co_future *done; /* completed with the byte read */
};

static void read_and_finish(int fd, int status, void *arg)
{
    struct reading *r = arg;
    char byte = 0;
    ck_assert_int_eq(status, 0);
    ck_assert_int_eq(read(fd, &byte, 1), 1);
    ck_assert_int_eq(co_loop_remove_reader(r->loop, fd), 1);
    ck_assert_int_eq(co_future_set_result_int(r->done, byte), 0);
}

START_TEST(test_add_reader_over_an_await_replaces_it_and_fails_the_task)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct fd_waiter a;
    co_task *ta = start_waiter(loop, &a, fds[0], 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    struct reading r = {.loop = loop};
    ck_assert_int_eq(co_future_new(loop, &r.done), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], read_and_finish, &r),
                     0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(ta)),
                     CO_EFDBUSY);
    ck_assert_int_eq(failure_of(ta, "replaced or removed"), CO_EFDBUSY);
    /* the new reader is the fd's reader now */
    ck_assert_int_eq(write(fds[1], "y", 1), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, r.done), 0);
    long long byte = 0;
    ck_assert_int_eq(co_future_result_int(r.done, &byte), 0);
    ck_assert_int_eq(byte, 'y');
    co_future_unref(r.done);
    co_task_unref(ta);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_the_fd_is_free_again_once_an_await_ended)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    make_pipe(fds);
    struct fd_waiter a, b;
    co_task *ta = start_waiter(loop, &a, fds[0], 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(ta));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(ta)),
                     CO_ECANCELLED);
    /* the cancelled await let go of the fd: a new one may wait for it */
    co_task *tb = start_waiter(loop, &b, fds[0], 0);
    ck_assert_int_eq(write(fds[1], "z", 1), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(tb)), 0);
    ck_assert_int_eq(b.woke, 1);
    co_task_unref(ta);
    co_task_unref(tb);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_closing_the_loop_under_an_await_leaks_nothing)
{
    struct unit_reports reports = {0};
    co_loop *loop = unit_loop(&reports);
    int fds[2];
    make_pipe(fds);
    struct fd_waiter a;
    co_task *ta = start_waiter(loop, &a, fds[0], 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    /* the task is reported and let go, the fd's future with it (valgrind
     * sees the rest); our reference still reads a pending task */
    ck_assert_ptr_nonnull(strstr(reports.all, "destroyed but it is pending"));
    ck_assert(!co_task_done(ta));
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* ours */
    co_task_unref(ta);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

static Suite *fds_suite(void)
{
    Suite *s = suite_create("fds");

    TCase *refused = tcase_create("descriptors refused");
    tcase_add_test(refused, test_huge_fd_is_refused_at_once_and_grows_nothing);
    tcase_add_test(refused, test_never_opened_fd_is_ebadf_at_once);
    tcase_add_test(refused, test_fd_above_a_lowered_fd_table_is_ebadf);
    tcase_add_test(refused,
                   test_loop_new_with_the_low_fds_used_up_is_efdsetsize);
    unit_add_case(s, refused);

    TCase *one = tcase_create("one reader per fd");
    tcase_add_test(one, test_second_task_awaiting_one_fd_fails_at_once);
    tcase_add_test(one,
                   test_await_on_an_fd_with_a_reader_callback_fails_and_keeps_it);
    tcase_add_test(one, test_a_reader_and_a_writer_task_share_one_fd);
    tcase_add_test(one, test_remove_reader_under_an_await_fails_the_task);
    tcase_add_test(one, test_remove_writer_under_an_await_fails_the_task);
    tcase_add_test(one,
                   test_add_reader_over_an_await_replaces_it_and_fails_the_task);
    tcase_add_test(one, test_the_fd_is_free_again_once_an_await_ended);
    tcase_add_test(one, test_closing_the_loop_under_an_await_leaks_nothing);
    unit_add_case(s, one);
    return s;
}

int main(void)
{
    return unit_main(fds_suite());
}
