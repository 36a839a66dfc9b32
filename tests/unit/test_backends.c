/* test_backends.c - the file-descriptor rules that every backend keeps
 * (select, poll, epoll: lesson 16, docs/backends.md), and how a backend is
 * chosen. Each fd test runs once per backend of the build, by name, so all
 * three are tested whatever COFLOW_BACKEND says. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "unit.h"

/* The backend of loop test @p i (Check's _i), in co_loop_backend_names()
 * order. */
static const char *backend_at(int i)
{
    return co_loop_backend_names()[i];
}

static int n_backends(void)
{
    int n = 0;
    while (co_loop_backend_names()[n])
        n++;
    return n;
}

static co_loop *loop_on(const char *backend)
{
    co_loop *loop = NULL;
    ck_assert_msg(co_loop_new_with_backend(&loop, backend) == 0,
                  "no loop on %s", backend);
    static struct unit_reports ignored;
    co_loop_set_exception_handler(loop, unit_record_report, &ignored);
    return loop;
}

static bool is_select(const char *backend)
{
    return strcmp(backend, "select") == 0;
}

/* Raises the soft RLIMIT_NOFILE to at least @p need; false if the hard
 * limit does not allow it. */
static bool raise_fd_limit(rlim_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return false;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
        return true;
    if (rl.rlim_cur == RLIM_INFINITY)
        return true;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
        return false;
    rl.rlim_cur = need;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

/* Bytes of heap in use, or 0 where that cannot be seen (no glibc, or a
 * sanitizer or valgrind replaced malloc). */
static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

static void never_called(int fd, int status, void *arg)
{
    (void)status;
    (void)arg;
    ck_abort_msg("callback of fd %d called", fd);
}

static void stop_loop(void *arg)
{
    co_loop_stop(arg);
}

/* Reads one byte when readable, counts, stops watching; records status. */
struct counter {
    co_loop *loop;
    int calls;     /* callbacks run */
    int bad;       /* of which with status CO_EBADF */
    int want;      /* stop the loop when calls reaches this */
};

static void read_and_stop_watching(int fd, int status, void *arg)
{
    struct counter *c = arg;
    c->calls++;
    if (status == CO_EBADF) {
        c->bad++;
    } else {
        char byte;
        ck_assert_int_eq(status, 0);
        ck_assert_int_eq(read(fd, &byte, 1), 1);
        ck_assert_int_eq(co_loop_remove_reader(c->loop, fd), 1);
    }
    if (c->calls == c->want)
        co_loop_stop(c->loop);
}

/* A task that awaits readability of `fd` and reads the byte. */
struct waiter {
    co_coro co;
    int fd;         /* what to wait on */
    int woken;      /* the await returned without failing */
};

static int await_readable(co_coro *co)
{
    struct waiter *self = (struct waiter *)co;
    char byte;
    CO_BEGIN(co);
    CO_AWAIT_READABLE(co, self->fd);
    self->woken = 1;
    ck_assert_int_eq(read(self->fd, &byte, 1), 1);
    CO_RETURN(co, byte);
    CO_END(co);
}

static co_task *start_waiter(co_loop *loop, int fd, struct waiter **out)
{
    struct waiter *w = CO_NEW(struct waiter, await_readable);
    ck_assert_ptr_nonnull(w);
    w->fd = fd;
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &w->co, NULL, &t), 0);
    *out = w;
    return t;
}

/* ---- fds at or above FD_SETSIZE ------------------------------------------ */

START_TEST(test_fd_above_fd_setsize_refused_only_by_select)
{
    const char *be = backend_at(_i);
    if (!raise_fd_limit(FD_SETSIZE + 64)) {
        printf("%s: skipped, the fd limit is below %d\n", __func__,
               FD_SETSIZE + 64);
        return;
    }
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    int high = dup2(sv[0], FD_SETSIZE + 10);
    ck_assert_int_eq(high, FD_SETSIZE + 10);
    co_loop *loop = loop_on(be);
    struct counter c = {.loop = loop, .want = 1};
    int rc = co_loop_add_reader(loop, high, read_and_stop_watching, &c);
    if (is_select(be)) {
        ck_assert_msg(rc == CO_EFDSETSIZE, "select: %s", co_strerror(rc));
        ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    } else {
        ck_assert_msg(rc == 0, "%s: %s", be, co_strerror(rc));
        ck_assert_int_eq(write(sv[1], "x", 1), 1);
        ck_assert_int_eq(co_loop_run_forever(loop), 0);
        ck_assert_int_eq(c.calls, 1);
    }
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(high);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* 5,000 socketpairs, every end watched for reading and made readable: each
 * backend takes the fds it promises (select those below FD_SETSIZE, the
 * others all 10,000) and calls every one it took. */
START_TEST(test_ten_thousand_fds_on_poll_and_epoll)
{
    enum { PAIRS = 5000, FDS = 2 * PAIRS };
    const char *be = backend_at(_i);
    if (!raise_fd_limit(FDS + 64)) {
        printf("%s: skipped on %s: the hard fd limit is below %d\n",
               __func__, be, FDS + 64);
        return;
    }
    /* The loop first: its own doorbell must get an fd select can take. */
    co_loop *loop = loop_on(be);
    int *fds = malloc(FDS * sizeof *fds);
    ck_assert_ptr_nonnull(fds);
    for (int i = 0; i < PAIRS; i++)
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds + 2 * i), 0);
    struct counter c = {.loop = loop};
    int taken = 0, refused = 0, below = 0;
    for (int i = 0; i < FDS; i++) {
        below += fds[i] < FD_SETSIZE;
        int rc = co_loop_add_reader(loop, fds[i], read_and_stop_watching, &c);
        if (rc == 0) {
            taken++;
        } else {
            ck_assert_msg(is_select(be) && rc == CO_EFDSETSIZE &&
                              fds[i] >= FD_SETSIZE,
                          "%s refused fd %d: %s", be, fds[i],
                          co_strerror(rc));
            refused++;
        }
        ck_assert_int_eq(write(fds[i ^ 1], "x", 1), 1);
    }
    ck_assert_int_eq(taken, is_select(be) ? below : FDS);
    ck_assert_int_eq(taken + refused, FDS);
    c.want = taken;
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(c.calls, taken);
    ck_assert_int_eq(c.bad, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    for (int i = 0; i < FDS; i++)
        close(fds[i]);
    free(fds);
}
END_TEST

/* ---- fds that are not open ----------------------------------------------- */

/* 2^24, INT_MAX and the first fd above the process's limit that is not
 * open: refused before anything grows (a table sized by the fd would take
 * 1 GiB for 2^24). */
START_TEST(test_huge_fd_refused_at_once_without_growth)
{
    const char *be = backend_at(_i);
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    int above_limit = rl.rlim_cur < (rlim_t)INT_MAX - 100 ? (int)rl.rlim_cur
                                                          : INT_MAX - 100;
    /* valgrind keeps its own fds just above the limit it gives us */
    while (fcntl(above_limit, F_GETFD) != -1)
        above_limit++;
    int huge[] = {1 << 24, INT_MAX, above_limit};
    co_loop *loop = loop_on(be);
    size_t before = heap_in_use();
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        int expect = is_select(be) && huge[i] >= FD_SETSIZE ? CO_EFDSETSIZE
                                                            : CO_EBADF;
        int rc = co_loop_add_reader(loop, huge[i], never_called, NULL);
        ck_assert_msg(rc == expect, "%s, reader of fd %d: %s", be, huge[i],
                      co_strerror(rc));
        rc = co_loop_add_writer(loop, huge[i], never_called, NULL);
        ck_assert_msg(rc == expect, "%s, writer of fd %d: %s", be, huge[i],
                      co_strerror(rc));
        ck_assert_int_eq(co_loop_remove_reader(loop, huge[i]), 0);
    }
    size_t after = heap_in_use();
    if (before && after)
        ck_assert_msg(after < before + 64 * 1024,
                      "%s: the heap grew by %zu bytes", be, after - before);
    /* A task awaiting one fails with the same code, at its first step. */
    struct waiter *w;
    co_task *t = start_waiter(loop, INT_MAX, &w);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     is_select(be) ? CO_EFDSETSIZE : CO_EBADF);
    ck_assert_int_eq(w->woken, 0);
    co_task_unref(t);
    /* nothing is left watched */
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A number that is surely not open: one that was, just now. */
static int closed_fd(void)
{
    int fd = dup(0);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_lt(fd, FD_SETSIZE);
    return fd;
}

START_TEST(test_never_opened_fd_is_ebadf_at_once)
{
    const char *be = backend_at(_i);
    co_loop *loop = loop_on(be);
    int fd = closed_fd();
    int rc = co_loop_add_reader(loop, fd, never_called, NULL);
    ck_assert_msg(rc == CO_EBADF, "%s: %s", be, co_strerror(rc));
    rc = co_loop_add_writer(loop, fd, never_called, NULL);
    ck_assert_msg(rc == CO_EBADF, "%s: %s", be, co_strerror(rc));
    /* a task awaiting it has failed by the end of its first step */
    struct waiter *w;
    co_task *t = start_waiter(loop, fd, &w);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_done(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_EBADF);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- fds closed while a task awaits them --------------------------------- */

START_TEST(test_fd_closed_while_awaited_is_ebadf)
{
    const char *be = backend_at(_i);
    co_loop *loop = loop_on(be);
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct waiter *w;
    co_task *t = start_waiter(loop, sv[0], &w);
    ck_assert_int_eq(unit_run_once(loop), 0); /* now waiting on sv[0] */
    ck_assert(!co_task_done(t));
    close(sv[0]); /* its only descriptor: the file is gone */
    int rc = co_loop_run_until_complete(loop, co_task_future(t));
    ck_assert_msg(rc == CO_EBADF, "%s: %s", be, co_strerror(rc));
    ck_assert_int_eq(w->woken, 0);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(sv[1]);
}
END_TEST

/* The fd is closed but its file lives on in a dup: epoll keeps reporting
 * it under the old number and cannot be told to stop (the fd is gone);
 * the waiter still gets CO_EBADF, and other watches keep working. */
START_TEST(test_fd_closed_while_awaited_with_a_dup_alive_is_ebadf)
{
    const char *be = backend_at(_i);
    co_loop *loop = loop_on(be);
    int sv[2], other[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, other), 0);
    struct counter c = {.loop = loop, .want = 1};
    ck_assert_int_eq(co_loop_add_reader(loop, other[0],
                                        read_and_stop_watching, &c), 0);
    struct waiter *w;
    co_task *t = start_waiter(loop, sv[0], &w);
    ck_assert_int_eq(unit_run_once(loop), 0);
    int alive = dup(sv[0]);
    ck_assert_int_ge(alive, 0);
    close(sv[0]);
    int rc = co_loop_run_until_complete(loop, co_task_future(t));
    ck_assert_msg(rc == CO_EBADF, "%s: %s", be, co_strerror(rc));
    ck_assert_int_eq(w->woken, 0);
    /* The old file becomes readable: nobody is called for it... */
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_call_later(loop, 0.01, stop_loop, loop, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(c.calls, 0);
    /* ...and the other watch still works. */
    ck_assert_int_eq(write(other[1], "y", 1), 1);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(c.calls, 1);
    ck_assert_int_eq(c.bad, 0);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(alive);
    close(sv[1]);
    close(other[0]);
    close(other[1]);
}
END_TEST

/* The fd is closed and its number given to another file, with data. select
 * and poll watch numbers, so they see the new file readable and wake the
 * waiter; epoll watched the old file and says it is gone. Either way the
 * waiter is woken, never left waiting. */
START_TEST(test_fd_closed_and_reused_while_awaited_wakes_the_waiter)
{
    const char *be = backend_at(_i);
    co_loop *loop = loop_on(be);
    int sv[2], fresh[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fresh), 0);
    struct waiter *w;
    co_task *t = start_waiter(loop, sv[0], &w);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(write(fresh[1], "z", 1), 1);
    ck_assert_int_eq(dup2(fresh[0], sv[0]), sv[0]); /* closes the old one */
    int rc = co_loop_run_until_complete(loop, co_task_future(t));
    if (strcmp(be, "epoll") == 0) {
        ck_assert_msg(rc == CO_EBADF, "epoll: %s", co_strerror(rc));
    } else {
        ck_assert_msg(rc == 0, "%s: %s", be, co_strerror(rc));
        ck_assert_int_eq(w->woken, 1);
    }
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(sv[0]);
    close(sv[1]);
    close(fresh[0]);
    close(fresh[1]);
}
END_TEST

/* A plain reader of a closed fd is called once with CO_EBADF, and the
 * loop stops watching it (test_loop.c has the same on the default
 * backend). */
START_TEST(test_reader_of_a_closed_fd_is_called_once_with_ebadf)
{
    const char *be = backend_at(_i);
    co_loop *loop = loop_on(be);
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct counter c = {.loop = loop, .want = 1};
    ck_assert_int_eq(co_loop_add_reader(loop, sv[0], read_and_stop_watching,
                                        &c), 0);
    close(sv[0]);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(c.calls, 1);
    ck_assert_int_eq(c.bad, 1);
    ck_assert_int_eq(co_loop_remove_reader(loop, sv[0]), 0);
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(sv[1]);
}
END_TEST

/* ---- same readiness everywhere ------------------------------------------- */

/* select and poll say a regular file is always ready; epoll refuses such
 * files (EPERM), and its backend reports them ready itself. */
START_TEST(test_regular_file_is_always_ready)
{
    const char *be = backend_at(_i);
    co_loop *loop = loop_on(be);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs("data", f), 0);
    ck_assert_int_eq(fflush(f), 0);
    rewind(f);
    struct counter c = {.loop = loop, .want = 1};
    int rc = co_loop_add_reader(loop, fileno(f), read_and_stop_watching, &c);
    ck_assert_msg(rc == 0, "%s: %s", be, co_strerror(rc));
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(c.calls, 1);
    ck_assert_int_eq(c.bad, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    fclose(f);
}
END_TEST

/* ---- choosing a backend -------------------------------------------------- */

START_TEST(test_every_backend_is_known_by_its_name)
{
    const char *be = backend_at(_i);
    co_loop *loop = loop_on(be);
    ck_assert_str_eq(co_loop_backend_name(loop), be);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_backend_names_list_select_first)
{
    const char *const *names = co_loop_backend_names();
    ck_assert_str_eq(names[0], "select");
    ck_assert_str_eq(names[1], "poll");
#if defined(__linux__)
    ck_assert_str_eq(names[2], "epoll");
    ck_assert_ptr_null(names[3]);
#endif
    co_loop *loop = (co_loop *)&names; /* anything not NULL */
    ck_assert_int_eq(co_loop_new_with_backend(&loop, "kqueue"), CO_EINVAL);
    ck_assert_ptr_null(loop);
    ck_assert_int_eq(co_loop_new_with_backend(&loop, "EPOLL"), CO_EINVAL);
    ck_assert_int_eq(co_loop_new_with_backend(&loop, ""), CO_EINVAL);
    ck_assert_int_eq(co_loop_new_with_backend(NULL, "poll"), CO_EINVAL);
    ck_assert_ptr_null(co_loop_backend_name(NULL));
}
END_TEST

/* Sets COFLOW_BACKEND (NULL: unsets it) for one test and puts it back
 * after, as without fork (CK_FORK=no) the tests share one environment. */
static char saved_env[64];
static bool had_env;

static void save_env(void)
{
    const char *v = getenv("COFLOW_BACKEND");
    had_env = v != NULL;
    snprintf(saved_env, sizeof saved_env, "%s", v ? v : "");
}

static void restore_env(void)
{
    if (had_env)
        setenv("COFLOW_BACKEND", saved_env, 1);
    else
        unsetenv("COFLOW_BACKEND");
}

static void set_env(const char *value)
{
    if (value)
        ck_assert_int_eq(setenv("COFLOW_BACKEND", value, 1), 0);
    else
        ck_assert_int_eq(unsetenv("COFLOW_BACKEND"), 0);
}

static const char *default_backend_with(const char *value)
{
    set_env(value);
    co_loop *loop;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    const char *name = co_loop_backend_name(loop);
    co_loop_close(loop);
    return name;
}

START_TEST(test_coflow_backend_picks_the_default)
{
    co_loop *loop;
    save_env();
    ck_assert_str_eq(default_backend_with(NULL), "select");
    ck_assert_str_eq(default_backend_with(""), "select");
    ck_assert_str_eq(default_backend_with("poll"), "poll");
    ck_assert_str_eq(default_backend_with("select"), "select");
#if defined(__linux__)
    ck_assert_str_eq(default_backend_with("epoll"), "epoll");
    /* co_new_event_loop() makes its loop the same way */
    ck_assert_int_eq(co_new_event_loop(&loop), 0);
    ck_assert_str_eq(co_loop_backend_name(loop), "epoll");
    co_loop_close(loop);
#endif
    /* a name given to co_loop_new_with_backend wins */
    set_env("poll");
    ck_assert_int_eq(co_loop_new_with_backend(&loop, "select"), 0);
    ck_assert_str_eq(co_loop_backend_name(loop), "select");
    co_loop_close(loop);
    restore_env();
}
END_TEST

static int returns_seven(co_coro *co)
{
    CO_BEGIN(co);
    CO_RETURN(co, 7);
    CO_END(co);
}

/* An unknown COFLOW_BACKEND makes no loop, and says why on stderr: a run
 * on another backend than asked for would be a silent lie. */
START_TEST(test_unknown_coflow_backend_is_einval_with_a_message)
{
    save_env();
    set_env("kqueue");
    /* stderr into a file for the length of the calls */
    fflush(stderr);
    FILE *cap = tmpfile();
    ck_assert_ptr_nonnull(cap);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fileno(cap), STDERR_FILENO), 0);
    co_loop *loop = (co_loop *)&cap;
    int rc_new = co_loop_new(&loop);
    co_loop *after_new = loop;
    co_loop *ev = (co_loop *)&cap;
    int rc_ev = co_new_event_loop(&ev);
    co_coro main;
    ck_assert_int_eq(co_coro_init(&main, returns_seven), 0);
    int rc_run = co_run(&main);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    restore_env();
    ck_assert_int_eq(rc_new, CO_EINVAL);
    ck_assert_ptr_null(after_new);
    ck_assert_int_eq(rc_ev, CO_EINVAL);
    ck_assert_ptr_null(ev);
    ck_assert_int_eq(rc_run, CO_EINVAL);
    char text[1024] = "";
    rewind(cap);
    size_t got = fread(text, 1, sizeof text - 1, cap);
    text[got] = '\0';
    fclose(cap);
    ck_assert_msg(strstr(text, "COFLOW_BACKEND=\"kqueue\"") != NULL,
                  "stderr said: %s", text);
    ck_assert_msg(strstr(text, "select, poll") != NULL, "stderr said: %s",
                  text);
}
END_TEST

int main(void)
{
    /* A peer that went away must not kill the test with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("backends");
    int n = n_backends();

    TCase *rules = tcase_create("fd rules, on every backend");
    tcase_add_loop_test(rules, test_fd_above_fd_setsize_refused_only_by_select,
                        0, n);
    tcase_add_loop_test(rules, test_ten_thousand_fds_on_poll_and_epoll, 0, n);
    tcase_add_loop_test(rules, test_huge_fd_refused_at_once_without_growth, 0,
                        n);
    tcase_add_loop_test(rules, test_never_opened_fd_is_ebadf_at_once, 0, n);
    tcase_add_loop_test(rules, test_fd_closed_while_awaited_is_ebadf, 0, n);
    tcase_add_loop_test(rules,
                        test_fd_closed_while_awaited_with_a_dup_alive_is_ebadf,
                        0, n);
    tcase_add_loop_test(
        rules, test_fd_closed_and_reused_while_awaited_wakes_the_waiter, 0, n);
    tcase_add_loop_test(rules,
                        test_reader_of_a_closed_fd_is_called_once_with_ebadf,
                        0, n);
    tcase_add_loop_test(rules, test_regular_file_is_always_ready, 0, n);
    unit_add_case(s, rules);

    TCase *choice = tcase_create("choosing a backend");
    tcase_add_loop_test(choice, test_every_backend_is_known_by_its_name, 0, n);
    tcase_add_test(choice, test_backend_names_list_select_first);
    tcase_add_test(choice, test_coflow_backend_picks_the_default);
    tcase_add_test(choice, test_unknown_coflow_backend_is_einval_with_a_message);
    unit_add_case(s, choice);

    return unit_main(s);
}
