/* test_backend_ops.c - a loop on a program's own backend
 * (co_loop_new_with_ops, coflow/backend.h; lesson 16): what it refuses,
 * what it calls when, and that it does not trust what the backend reports. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include "unit.h"

/* ---- a small backend on poll(2), counting its calls ---------------------- */

#define MAXW 64

struct small {
    struct pollfd pfds[MAXW];
    int n;
};

static int creates, destroys, adds, polls;
static int create_fails;  /* create() returns this when non-zero */
static int add_fails;     /* add() returns this when non-zero */
static int poll_lies;     /* poll() fills cap garbage entries, returns INT_MAX */

static int small_create(void **state)
{
    creates++;
    if (create_fails) {
        *state = (void *)&creates; /* must not be destroyed */
        return create_fails;
    }
    struct small *s = calloc(1, sizeof *s);
    if (!s)
        return CO_ENOMEM;
    *state = s;
    return 0;
}

static void small_destroy(void *state)
{
    destroys++;
    free(state);
}

static int small_add(void *state, int fd, int mask)
{
    struct small *s = state;
    adds++;
    if (add_fails)
        return add_fails;
    if (fcntl(fd, F_GETFD) == -1)
        return CO_EBADF;
    short ev = (short)(((mask & CO_BACKEND_READ) ? POLLIN : 0) |
                       ((mask & CO_BACKEND_WRITE) ? POLLOUT : 0));
    for (int i = 0; i < s->n; i++)
        if (s->pfds[i].fd == fd) {
            s->pfds[i].events |= ev;
            return 0;
        }
    if (s->n == MAXW)
        return CO_ENOMEM;
    s->pfds[s->n++] = (struct pollfd){.fd = fd, .events = ev};
    return 0;
}

static void small_del(void *state, int fd, int mask)
{
    struct small *s = state;
    short ev = (short)(((mask & CO_BACKEND_READ) ? POLLIN : 0) |
                       ((mask & CO_BACKEND_WRITE) ? POLLOUT : 0));
    for (int i = 0; i < s->n; i++)
        if (s->pfds[i].fd == fd) {
            s->pfds[i].events &= (short)~ev;
            if (!s->pfds[i].events)
                s->pfds[i] = s->pfds[--s->n];
            return;
        }
}

static int small_poll(void *state, double timeout, co_backend_fired *fired,
                      int cap)
{
    struct small *s = state;
    polls++;
    if (poll_lies) {
        for (int i = 0; i < cap; i++)
            fired[i] = (co_backend_fired){.fd = i % 2 ? -7 : INT_MAX - i,
                                          .mask = 0xff};
        return INT_MAX;
    }
    int ms = timeout < 0 ? -1 : (int)(timeout * 1e3 + 0.999);
    if (poll(s->pfds, (nfds_t)s->n, ms) < 0)
        return errno == EINTR ? 0 : CO_ESYS;
    int k = 0;
    for (int i = 0; i < s->n && k < cap; i++) {
        short re = s->pfds[i].revents;
        if (!re)
            continue;
        int mask = re & POLLNVAL ? CO_BACKEND_BAD
                                 : ((re & ~POLLOUT) ? CO_BACKEND_READ : 0) |
                                       ((re & ~POLLIN) ? CO_BACKEND_WRITE : 0);
        fired[k++] = (co_backend_fired){.fd = s->pfds[i].fd, .mask = mask};
    }
    return k;
}

static const co_backend small_ops = {
    .name = "small",
    .create = small_create,
    .destroy = small_destroy,
    .add = small_add,
    .del = small_del,
    .poll = small_poll,
};

static void reset(void)
{
    creates = destroys = adds = polls = 0;
    create_fails = add_fails = poll_lies = 0;
}

/* ---- refusals ------------------------------------------------------------ */

START_TEST(test_null_out_or_ops_is_einval)
{
    reset();
    ck_assert_int_eq(co_loop_new_with_ops(NULL, &small_ops), CO_EINVAL);
    co_loop *loop = (co_loop *)&creates;
    ck_assert_int_eq(co_loop_new_with_ops(&loop, NULL), CO_EINVAL);
    ck_assert_ptr_null(loop);
    ck_assert_int_eq(creates, 0);
}
END_TEST

/* _i: which part of the struct is left out (0: the name). */
START_TEST(test_a_missing_part_is_einval_and_nothing_is_called)
{
    reset();
    co_backend ops = small_ops;
    switch (_i) {
    case 0: ops.name = NULL; break;
    case 1: ops.create = NULL; break;
    case 2: ops.destroy = NULL; break;
    case 3: ops.add = NULL; break;
    case 4: ops.del = NULL; break;
    default: ops.poll = NULL; break;
    }
    co_loop *loop = (co_loop *)&creates;
    ck_assert_int_eq(co_loop_new_with_ops(&loop, &ops), CO_EINVAL);
    ck_assert_ptr_null(loop);
    ck_assert_int_eq(creates, 0);
}
END_TEST

START_TEST(test_a_failing_create_is_returned_and_not_destroyed)
{
    reset();
    create_fails = CO_ESYS;
    co_loop *loop = (co_loop *)&creates;
    ck_assert_int_eq(co_loop_new_with_ops(&loop, &small_ops), CO_ESYS);
    ck_assert_ptr_null(loop);
    ck_assert_int_eq(creates, 1);
    ck_assert_int_eq(destroys, 0);
}
END_TEST

START_TEST(test_a_doorbell_refused_by_add_is_returned_and_destroyed)
{
    reset();
    add_fails = CO_EFDSETSIZE;
    co_loop *loop = (co_loop *)&creates;
    ck_assert_int_eq(co_loop_new_with_ops(&loop, &small_ops), CO_EFDSETSIZE);
    ck_assert_ptr_null(loop);
    ck_assert_int_eq(destroys, 1);
}
END_TEST

/* ---- a loop on it -------------------------------------------------------- */

static int read_calls;
static int read_status;

static void on_readable(int fd, int status, void *arg)
{
    char byte;
    read_calls++;
    read_status = status;
    if (status == 0 && read(fd, &byte, 1) != 1)
        read_status = CO_ESYS;
    co_loop_stop(arg);
}

START_TEST(test_the_loop_runs_on_it_and_destroys_it_at_close)
{
    reset();
    read_calls = 0;
    co_loop *loop;
    ck_assert_int_eq(co_loop_new_with_ops(&loop, &small_ops), 0);
    ck_assert_str_eq(co_loop_backend_name(loop), "small");
    ck_assert_int_eq(creates, 1);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], on_readable, loop), 0);
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(read_calls, 1);
    ck_assert_int_eq(read_status, 0);
    ck_assert_int_gt(polls, 0);
    /* An fd the backend refuses is the caller's error, as it said. */
    ck_assert_int_eq(co_loop_add_reader(loop, 1 << 24, on_readable, loop),
                     CO_EBADF);
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 1);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(destroys, 1);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_a_closed_fd_reported_bad_ends_the_watch_with_ebadf)
{
    reset();
    read_calls = 0;
    co_loop *loop;
    ck_assert_int_eq(co_loop_new_with_ops(&loop, &small_ops), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], on_readable, loop), 0);
    close(fds[0]);
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_eq(read_calls, 1);
    ck_assert_int_eq(read_status, CO_EBADF);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[1]);
}
END_TEST

static void stop_it(void *arg)
{
    co_loop_stop(arg);
}

START_TEST(test_a_lying_poll_is_cut_to_its_cap_and_ignored)
{
    reset();
    co_loop *loop;
    ck_assert_int_eq(co_loop_new_with_ops(&loop, &small_ops), 0);
    /* A watched fd, so that every iteration polls (the loop's own pipe is
     * not counted), and the stop timer too, however late it is run. */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(co_loop_add_reader(loop, fds[0], on_readable, loop), 0);
    read_calls = 0;
    poll_lies = 1;
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, stop_it, loop, NULL), 0);
    /* Under ASan a read past fired[cap] is a crash; the garbage fds are
     * watched by nobody, so nothing is called. */
    ck_assert_int_eq(co_loop_run_forever(loop), 0);
    ck_assert_int_gt(polls, 0);
    ck_assert_int_eq(read_calls, 0);
    poll_lies = 0;
    ck_assert_int_eq(co_loop_remove_reader(loop, fds[0]), 1);
    ck_assert_int_eq(co_loop_close(loop), 0);
    close(fds[0]);
    close(fds[1]);
    ck_assert_int_eq(destroys, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("backend ops");
    TCase *tc = tcase_create("co_loop_new_with_ops");
    tcase_add_test(tc, test_null_out_or_ops_is_einval);
    tcase_add_loop_test(tc, test_a_missing_part_is_einval_and_nothing_is_called,
                        0, 6);
    tcase_add_test(tc, test_a_failing_create_is_returned_and_not_destroyed);
    tcase_add_test(tc, test_a_doorbell_refused_by_add_is_returned_and_destroyed);
    tcase_add_test(tc, test_the_loop_runs_on_it_and_destroys_it_at_close);
    tcase_add_test(tc, test_a_closed_fd_reported_bad_ends_the_watch_with_ebadf);
    tcase_add_test(tc, test_a_lying_poll_is_cut_to_its_cap_and_ignored);
    unit_add_case(s, tc);
    return unit_main(s);
}
