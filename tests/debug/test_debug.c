/* test_debug.c - debug mode (every report provoked once, and its absence
 * when it should be silent), the await graph (capture, print, dump) and
 * the timeline recorder's switches. No test depends on timing: slowness
 * is tested with a threshold of 0 (every step is slow) against a huge one,
 * or with a clock the test moves by hand. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../unit/unit.h"

/* A clock the test moves by hand. */
static double fake_now;
static double fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

/* Debug mode on, with slowness reported only where a test asks for it: a
 * busy machine or valgrind must not add a report to a count. */
static void debug_on(co_loop *loop)
{
    ck_assert_int_eq(co_loop_set_debug(loop, true), 0);
    ck_assert_int_eq(co_loop_set_slow_callback_duration(loop, 1e9), 0);
}

/* ---- coroutines used below --------------------------------------------- */

struct sleeper {
    co_coro co;
    double delay;
    double busy; /* seconds the fake clock moves during the first step */
};

static int sleeper(co_coro *co)
{
    struct sleeper *self = (struct sleeper *)co;
    CO_BEGIN(co);
    fake_now += self->busy;
    CO_SLEEP(co, self->delay);
    CO_RETURN(co, 7);
    CO_END(co);
}

/* The child of outer: only ever set up with co_coro_init, so debug mode
 * never learns its name. */
static int inner(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.001);
    CO_END(co);
}

/* Awaits a child coroutine that sleeps: a chain of two. */
struct outer {
    co_coro co;
    co_coro child;
};

static int outer(co_coro *co)
{
    struct outer *self = (struct outer *)co;
    CO_BEGIN(co);
    co_coro_init(&self->child, inner);
    CO_AWAIT_CORO(co, &self->child);
    CO_END(co);
}

/* Awaits the task it is given. */
struct awaiter {
    co_coro co;
    co_task *other;
};

static int awaiter(co_coro *co)
{
    struct awaiter *self = (struct awaiter *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->other);
    CO_END(co);
}

/* Awaits a future nobody sets. */
struct stuck {
    co_coro co;
    co_future *f;
};

static int stuck(co_coro *co)
{
    struct stuck *self = (struct stuck *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->f);
    CO_END(co);
}

/* Waits until the fd it is given is readable. */
struct reader {
    co_coro co;
    int fd;
};

static int reader(co_coro *co)
{
    struct reader *self = (struct reader *)co;
    CO_BEGIN(co);
    CO_AWAIT_READABLE(co, self->fd);
    CO_END(co);
}

static void nothing(void *arg)
{
    (void)arg;
}

static void tick(void *arg)
{
    (void)arg;
    fake_now += 0.5;
}

/* The whole of what @p fn prints, as a string (free it). */
static char *printed(int (*fn)(const void *, FILE *), const void *what,
                     int *rc)
{
    char *text = calloc(1, 8192);
    ck_assert_ptr_nonnull(text);
    FILE *f = fmemopen(text, 8191, "w");
    ck_assert_ptr_nonnull(f);
    *rc = fn(what, f);
    fclose(f);
    return text;
}

static int print_stack(const void *t, FILE *f)
{
    return co_task_print_stack(t, f);
}

static int dump(const void *loop, FILE *f)
{
    return co_loop_dump((co_loop *)(uintptr_t)loop, f);
}

/* ---- switches ----------------------------------------------------------- */

START_TEST(test_debug_is_off_by_default_and_switches)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert(!co_loop_get_debug(loop));
    ck_assert(co_loop_get_slow_callback_duration(loop) == 0.1);
    ck_assert_int_eq(co_loop_set_debug(loop, true), 0);
    ck_assert(co_loop_get_debug(loop));
    ck_assert_int_eq(co_loop_set_debug(loop, false), 0);
    ck_assert(!co_loop_get_debug(loop));
    ck_assert_int_eq(co_loop_set_slow_callback_duration(loop, 0.25), 0);
    ck_assert(co_loop_get_slow_callback_duration(loop) == 0.25);
    ck_assert_int_eq(co_loop_set_slow_callback_duration(loop, -1), CO_EINVAL);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_bad_arguments_are_refused)
{
    ck_assert_int_eq(co_loop_set_debug(NULL, true), CO_EINVAL);
    ck_assert(!co_loop_get_debug(NULL));
    ck_assert_int_eq(co_loop_set_slow_callback_duration(NULL, 1), CO_EINVAL);
    ck_assert(co_loop_get_slow_callback_duration(NULL) == -1);
    ck_assert_int_eq(co_loop_set_debug_clock(NULL, NULL, NULL), CO_EINVAL);
    ck_assert_int_eq(co_task_print_stack(NULL, stdout), CO_EINVAL);
    ck_assert_int_eq(co_loop_dump(NULL, stdout), CO_EINVAL);
    size_t depth;
    ck_assert_int_eq(co_task_capture_stack(NULL, NULL, 0, &depth), CO_EINVAL);
    ck_assert_int_eq(co_timeline_start(NULL), CO_EINVAL);
    ck_assert_int_eq(co_timeline_stop(NULL), CO_EINVAL);
    ck_assert_int_eq(co_timeline_write_json(NULL, stdout), CO_EINVAL);
    ck_assert_int_eq(co_timeline_write_svg(NULL, stdout), CO_EINVAL);
    ck_assert_ptr_null(co_coro_name(NULL));
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_timeline_stop(loop), CO_ESTATE);
    ck_assert_int_eq(co_timeline_write_json(loop, stdout), CO_ESTATE);
    ck_assert_int_eq(co_loop_set_slow_callback_duration(loop, 0.0 / 0.0),
                     CO_EINVAL);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- slow callbacks and steps ------------------------------------------- */

START_TEST(test_slow_callback_is_reported_at_threshold_zero)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    co_loop_set_slow_callback_duration(loop, 0);
    ck_assert_int_eq(co_loop_call_soon(loop, nothing, NULL), 0);
    unit_run_once(loop);
    ck_assert_int_eq(r.count, 1);
    ck_assert_ptr_nonnull(strstr(r.last, "slow callback"));
    co_loop_close(loop);
}
END_TEST

START_TEST(test_fast_callback_is_not_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    co_loop_set_slow_callback_duration(loop, 1e9);
    ck_assert_int_eq(co_loop_call_soon(loop, nothing, NULL), 0);
    unit_run_once(loop);
    ck_assert_int_eq(r.count, 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_slow_callback_not_reported_with_debug_off)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_loop_set_slow_callback_duration(loop, 0);
    ck_assert_int_eq(co_loop_call_soon(loop, nothing, NULL), 0);
    unit_run_once(loop);
    ck_assert_int_eq(r.count, 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_slow_step_names_task_coroutine_and_line)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    fake_now = 0;
    co_loop_set_debug_clock(loop, fake_clock, NULL);
    co_loop_set_slow_callback_duration(loop, 0.2);
    struct sleeper *s = CO_NEW(struct sleeper, sleeper);
    s->delay = 0.001;
    s->busy = 0.3; /* its first step "takes" 0.3 s of the fake clock */
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &s->co, "cruncher", &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(r.count, 1);
    ck_assert_ptr_nonnull(strstr(r.last, "slow task step"));
    ck_assert_ptr_nonnull(strstr(r.last, "'cruncher'"));
    ck_assert_ptr_nonnull(strstr(r.last, "coroutine sleeper"));
    ck_assert_ptr_nonnull(strstr(r.last, "test_debug.c:"));
    ck_assert_ptr_nonnull(strstr(r.last, "0.300 s"));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

/* ---- never awaited ------------------------------------------------------- */

START_TEST(test_frame_never_awaited_is_reported_at_close)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    int line = __LINE__ + 1;
    struct sleeper *s = CO_NEW(struct sleeper, sleeper);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(r.count, 0);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 1);
    char where[64];
    snprintf(where, sizeof where, "test_debug.c:%d", line);
    ck_assert_ptr_nonnull(strstr(r.last, "coroutine 'sleeper' was never "
                                         "awaited"));
    ck_assert_ptr_nonnull(strstr(r.last, where));
    ck_assert_str_eq(co_coro_name(&s->co), "sleeper");
    co_coro_free(&s->co);
}
END_TEST

CO_ASYNC(fetch, int n;)
{
    CO_BEGIN(co);
    CO_RETURN(co, self->n);
    CO_END(co);
}

/* A frame made by CO_CORO (the short API) is noted like CO_NEW's. */
START_TEST(test_co_coro_frame_never_awaited_is_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    int line = __LINE__ + 1;
    co_coro *c = CO_CORO(fetch, .n = 1);
    ck_assert_ptr_nonnull(c);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 1);
    char where[64];
    snprintf(where, sizeof where, "test_debug.c:%d", line);
    ck_assert_ptr_nonnull(strstr(r.last, "coroutine 'fetch' was never "
                                         "awaited"));
    ck_assert_ptr_nonnull(strstr(r.last, where));
    co_coro_free(c);
}
END_TEST

START_TEST(test_frames_run_or_freed_are_not_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    struct sleeper *in_task = CO_NEW(struct sleeper, sleeper);
    in_task->delay = 0.001;
    struct sleeper *freed = CO_NEW(struct sleeper, sleeper);
    co_coro_free(&freed->co);
    struct sleeper *stepped = CO_NEW(struct sleeper, sleeper);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &in_task->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    /* Stepped by hand outside a task: the sleep fails, but it ran. */
    co_coro_step(&stepped->co);
    co_coro_free(&stepped->co);
    co_task_unref(t);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0);
}
END_TEST

START_TEST(test_never_awaited_is_silent_with_debug_off)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    co_loop_set_debug(loop, false);
    struct sleeper *s = CO_NEW(struct sleeper, sleeper);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0);
    co_coro_free(&s->co);
}
END_TEST

/* ---- the wrong thread ---------------------------------------------------- */

struct intruder {
    co_loop *loop;
    int rc_call_soon;
    int rc_call_later;
    int rc_create_task;
    co_future *done; /* set from the loop's thread once the thread is done */
};

static void finish(void *arg)
{
    struct intruder *in = arg;
    co_loop_release(in->loop);
    co_future_set_result_int(in->done, 1);
}

static void *intrude(void *arg)
{
    struct intruder *in = arg;
    in->rc_call_soon = co_loop_call_soon(in->loop, nothing, NULL);
    in->rc_call_later = co_loop_call_later(in->loop, 1, nothing, NULL, NULL);
    struct sleeper s;
    co_coro_init(&s.co, sleeper);
    in->rc_create_task = co_create_task(in->loop, &s.co, NULL, NULL);
    co_loop_call_soon_threadsafe(in->loop, finish, in);
    return NULL;
}

struct starter {
    co_coro co;
    struct intruder *in;
    pthread_t thread;
};

static int starter(co_coro *co)
{
    struct starter *self = (struct starter *)co;
    CO_BEGIN(co);
    co_loop_hold(self->in->loop); /* the thread's post is on its way */
    pthread_create(&self->thread, NULL, intrude, self->in);
    CO_AWAIT(co, self->in->done);
    pthread_join(self->thread, NULL);
    CO_END(co);
}

START_TEST(test_call_from_another_thread_is_refused_and_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    struct intruder in = {.loop = loop};
    ck_assert_int_eq(co_future_new(loop, &in.done), 0);
    struct starter *s = CO_NEW(struct starter, starter);
    s->in = &in;
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &s->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(in.rc_call_soon, CO_EWRONGTHREAD);
    ck_assert_int_eq(in.rc_call_later, CO_EWRONGTHREAD);
    ck_assert_int_eq(in.rc_create_task, CO_EWRONGTHREAD);
    ck_assert_int_eq(r.count, 3);
    ck_assert_ptr_nonnull(strstr(r.last, "another thread"));
    co_task_unref(t);
    co_future_unref(in.done);
    co_loop_close(loop);
}
END_TEST

/* ---- resources left open ------------------------------------------------- */

static long long job_fn(void *arg)
{
    (void)arg;
    return 1;
}

static void run_one_job(co_loop *loop, co_executor *ex)
{
    co_future *f;
    ck_assert_int_eq(co_loop_run_in_executor(loop, ex, job_fn, NULL, &f), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    co_future_unref(f);
}

START_TEST(test_executor_left_open_is_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 1), 0);
    run_one_job(loop, ex);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 1);
    ck_assert_ptr_nonnull(strstr(r.last, "executor left open"));
    co_executor_free(ex);
}
END_TEST

START_TEST(test_executor_shut_down_in_time_is_not_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 1), 0);
    run_one_job(loop, ex);
    run_one_job(loop, NULL); /* the default pool: the loop's to close */
    ck_assert_int_eq(co_executor_shutdown(ex, true, false), 0);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0);
    co_executor_free(ex);
}
END_TEST

/* A TCP connection to a listener on 127.0.0.1 (not yet accepted: the
 * kernel completes it in the backlog): the connected fd, and the
 * listener's port in *port. *listener must be closed by the caller. */
static int connect_local(int *listener, int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    *listener = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(*listener, 0);
    ck_assert_int_eq(bind(*listener, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(*listener, 4), 0);
    ck_assert_int_eq(getsockname(*listener, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static co_coro *no_client(co_stream *s, void *arg)
{
    (void)s;
    (void)arg;
    return NULL;
}

START_TEST(test_stream_left_open_is_reported_with_its_peer)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    int listener, port;
    int fd = connect_local(&listener, &port);
    co_stream *st;
    ck_assert_int_eq(co_stream_from_fd(loop, fd, NULL, &st), 0);
    co_loop_close(loop);
    char want[64];
    snprintf(want, sizeof want, "stream to 127.0.0.1:%d left open", port);
    ck_assert_int_eq(r.count, 1);
    ck_assert_msg(strstr(r.last, want), "%s", r.last);
    ck_assert_int_eq(co_stream_free(st), 0); /* after its loop: still fine */
    close(listener);
}
END_TEST

START_TEST(test_stream_freed_in_time_is_not_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    int listener, port;
    int fd = connect_local(&listener, &port);
    co_stream *st;
    ck_assert_int_eq(co_stream_from_fd(loop, fd, NULL, &st), 0);
    co_stream_close(st);
    ck_assert_int_eq(co_stream_free(st), 0);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0);
    close(listener);
}
END_TEST

START_TEST(test_server_left_open_is_reported_with_its_port)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, no_client, NULL,
                                     NULL, &srv),
                     0);
    int port = co_server_port(srv);
    ck_assert_int_gt(port, 0);
    co_loop_close(loop);
    char want[64];
    snprintf(want, sizeof want, "server on port %d left open", port);
    ck_assert_int_eq(r.count, 1);
    ck_assert_msg(strstr(r.last, want), "%s", r.last);
    ck_assert_int_eq(co_server_free(srv), 0);
}
END_TEST

START_TEST(test_server_freed_in_time_is_not_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    debug_on(loop);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, no_client, NULL,
                                     NULL, &srv),
                     0);
    co_server_close(srv);
    ck_assert_int_eq(co_server_free(srv), 0);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0);
}
END_TEST

START_TEST(test_streams_left_open_are_silent_with_debug_off)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    int listener, port;
    int fd = connect_local(&listener, &port);
    co_stream *st;
    ck_assert_int_eq(co_stream_from_fd(loop, fd, NULL, &st), 0);
    co_server *srv;
    ck_assert_int_eq(co_start_server(loop, "127.0.0.1", 0, no_client, NULL,
                                     NULL, &srv),
                     0);
    co_loop_close(loop);
    ck_assert_int_eq(r.count, 0);
    ck_assert_int_eq(co_stream_free(st), 0);
    ck_assert_int_eq(co_server_free(srv), 0);
    close(listener);
}
END_TEST

/* ---- the await graph ----------------------------------------------------- */

START_TEST(test_capture_stack_follows_child_coroutines)
{
    co_loop *loop = unit_loop(NULL);
    debug_on(loop);
    struct outer *o = CO_NEW(struct outer, outer);
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &o->co, "chain", &t), 0);
    unit_run_once(loop); /* suspended in the child's sleep */
    co_stack_entry e[4];
    size_t depth = 0;
    ck_assert_int_eq(co_task_capture_stack(t, e, 4, &depth), 0);
    ck_assert_uint_eq(depth, 2);
    ck_assert_str_eq(e[0].coro, "outer");
    ck_assert_str_eq(e[1].coro, "coroutine"); /* co_coro_init: no name */
    ck_assert_ptr_nonnull(strstr(e[1].file, "test_debug.c"));
    ck_assert_int_gt(e[0].line, 0);
    ck_assert_int_gt(e[1].line, 0);
    ck_assert_int_ne(e[0].line, e[1].line);
    /* Only the length when there is no room. */
    ck_assert_int_eq(co_task_capture_stack(t, NULL, 0, &depth), 0);
    ck_assert_uint_eq(depth, 2);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_print_stack_says_what_and_who_awaits)
{
    co_loop *loop = unit_loop(NULL);
    debug_on(loop);
    struct sleeper *s = CO_NEW(struct sleeper, sleeper);
    s->delay = 0.001;
    co_task *inner, *outer_t;
    ck_assert_int_eq(co_create_task(loop, &s->co, "consumer", &inner), 0);
    struct awaiter *a = CO_NEW(struct awaiter, awaiter);
    a->other = inner;
    ck_assert_int_eq(co_create_task(loop, &a->co, "main", &outer_t), 0);
    unit_run_once(loop);
    int rc;
    char *text = printed(print_stack, inner, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(text, "task 'consumer' (waiting for sleep"));
    ck_assert_ptr_nonnull(strstr(text, "+ sleeper at "));
    ck_assert_ptr_nonnull(strstr(text, "awaited by:\n    task 'main' at "));
    free(text);
    text = printed(print_stack, outer_t, &rc);
    ck_assert_ptr_nonnull(strstr(text, "waiting for task 'consumer'"));
    ck_assert_ptr_nonnull(strstr(text, "awaited by: no task"));
    free(text);
    ck_assert_int_eq(co_loop_run_until_complete(loop,
                                                co_task_future(outer_t)), 0);
    co_task_unref(inner);
    co_task_unref(outer_t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_print_stack_names_the_fd_waited_for)
{
    co_loop *loop = unit_loop(NULL);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct reader *rd = CO_NEW(struct reader, reader);
    rd->fd = fds[0];
    co_task *t;
    ck_assert_int_eq(co_create_task(loop, &rd->co, "r", &t), 0);
    unit_run_once(loop);
    int rc;
    char *text = printed(print_stack, t, &rc);
    char want[64];
    snprintf(want, sizeof want, "(waiting for fd %d readable)", fds[0]);
    ck_assert_msg(strstr(text, want), "%s", text);
    free(text);
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    co_task_unref(t);
    co_loop_close(loop);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_dump_is_a_tree_through_gather)
{
    co_loop *loop = unit_loop(NULL);
    co_future *never;
    ck_assert_int_eq(co_future_new(loop, &never), 0);
    co_task *kids[2];
    for (int i = 0; i < 2; i++) {
        struct stuck *k = CO_NEW(struct stuck, stuck);
        k->f = never;
        ck_assert_int_eq(co_create_task(loop, &k->co, i ? "b" : "a",
                                        &kids[i]), 0);
    }
    co_future *items[2] = {co_task_future(kids[0]), co_task_future(kids[1])};
    co_future *g;
    ck_assert_int_eq(co_gather(loop, items, 2, false, &g), 0);
    struct stuck *m = CO_NEW(struct stuck, stuck);
    m->f = g;
    co_task *main_t;
    ck_assert_int_eq(co_create_task(loop, &m->co, "main", &main_t), 0);
    unit_run_once(loop);
    int rc;
    char *text = printed(dump, loop, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(text, "3 pending tasks"));
    char *root = strstr(text, "* task 'main' (waiting for gather");
    ck_assert_ptr_nonnull(root);
    char *a = strstr(text, "    * task 'a' (waiting for a future)");
    char *b = strstr(text, "    * task 'b' (waiting for a future)");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert(root < a && a < b);
    free(text);
    co_future_set_result_int(never, 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, g), 0);
    for (int i = 0; i < 2; i++)
        co_task_unref(kids[i]);
    co_future_unref(g);
    co_future_unref(never);
    ck_assert_int_eq(co_loop_run_until_complete(loop,
                                                co_task_future(main_t)), 0);
    co_task_unref(main_t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_dump_names_tasks_awaiting_each_other)
{
    co_loop *loop = unit_loop(NULL);
    struct awaiter *x = CO_NEW(struct awaiter, awaiter);
    struct awaiter *y = CO_NEW(struct awaiter, awaiter);
    co_task *tx, *ty;
    ck_assert_int_eq(co_create_task(loop, &x->co, "x", &tx), 0);
    ck_assert_int_eq(co_create_task(loop, &y->co, "y", &ty), 0);
    x->other = ty;
    y->other = tx;
    ck_assert_int_eq(co_loop_run_forever(loop), CO_EDEADLOCK);
    int rc;
    char *text = printed(dump, loop, &rc);
    ck_assert_ptr_nonnull(strstr(text, "a deadlock"));
    ck_assert_ptr_nonnull(strstr(text, "wait for each other"));
    free(text);
    co_task_unref(tx);
    co_task_unref(ty);
    co_loop_close(loop); /* reports both as destroyed while pending */
}
END_TEST

/* ---- the timeline's switches --------------------------------------------- */

START_TEST(test_timeline_records_only_while_on)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert(!co_timeline_recording(loop));
    ck_assert_int_eq(co_loop_call_soon(loop, nothing, NULL), 0);
    unit_run_once(loop);
    ck_assert_uint_eq(co_timeline_count(loop), 0);
    ck_assert_int_eq(co_timeline_start(loop), 0);
    ck_assert(co_timeline_recording(loop));
    ck_assert_int_eq(co_loop_call_soon(loop, nothing, NULL), 0);
    unit_run_once(loop);
    size_t n = co_timeline_count(loop);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(co_timeline_stop(loop), 0);
    ck_assert_int_eq(co_loop_call_soon(loop, nothing, NULL), 0);
    unit_run_once(loop);
    ck_assert_uint_eq(co_timeline_count(loop), n);
    co_loop_close(loop);
}
END_TEST

/* Records three tasks on the fake clock: each first step moves it by
 * hand, so every time in the picture is exact. */
static char *record_svg(void)
{
    co_loop *loop = unit_loop(NULL);
    fake_now = 100;
    co_loop_set_debug_clock(loop, fake_clock, NULL);
    co_timeline_start(loop);
    co_task *t[3];
    for (int i = 0; i < 3; i++) {
        struct sleeper *s = CO_NEW(struct sleeper, sleeper);
        s->delay = 0; /* a yield: real timers would make the order of
                       * events (not their fake times) vary */
        s->busy = 0.25;
        co_create_task(loop, &s->co, NULL, &t[i]);
    }
    co_loop_call_soon(loop, tick, NULL);
    co_loop_run_until_complete(loop, co_task_future(t[2]));
    co_timeline_stop(loop);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(co_timeline_write_svg(loop, f), 0);
    fclose(f);
    for (int i = 0; i < 3; i++)
        co_task_unref(t[i]);
    co_loop_close(loop);
    return text;
}

START_TEST(test_timeline_on_a_fake_clock_draws_the_same_twice)
{
    char *one = record_svg();
    char *two = record_svg();
    ck_assert_str_eq(one, two);
    /* 3 steps of 0.25 s and one callback of 0.5 s: 1250 ms in all, so
     * the scale goes in steps of 200 ms up to 1200. */
    ck_assert_ptr_nonnull(strstr(one, "running 250.000 ms"));
    ck_assert_ptr_nonnull(strstr(one, "callback 500.000 ms"));
    ck_assert_ptr_nonnull(strstr(one, "returned 7"));
    ck_assert_ptr_nonnull(strstr(one, ">1200</text>"));
    ck_assert_ptr_null(strstr(one, ">1400</text>"));
    free(one);
    free(two);
}
END_TEST

/* ---- executor jobs on the timeline ---------------------------------------- */

static sem_t gate; /* a gated job waits here until the test opens it */

static long long gated(void *arg)
{
    (void)arg;
    sem_wait(&gate);
    return 7;
}

/* The recording of @p loop as JSON text (to be freed). */
static char *json_of(co_loop *loop)
{
    /* Static: the stream writes through their addresses, and gcc 12 at -O3
     * takes pointers into the text for pointers into a dead local. */
    static char *text;
    static size_t len;
    text = NULL;
    len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(co_timeline_write_json(loop, f), 0);
    fclose(f);
    return text;
}

/* The "ts" of the event that starts at @p at. */
static double ts_of(const char *at)
{
    const char *ts = strstr(at, "\"ts\":");
    ck_assert_ptr_nonnull(ts);
    return strtod(ts + 5, NULL);
}

START_TEST(test_timeline_draws_jobs_that_ran_not_ones_cancelled_first)
{
    co_loop *loop = unit_loop(NULL);
    co_executor *ex;
    ck_assert_int_eq(co_executor_new(&ex, 1), 0);
    ck_assert_int_eq(sem_init(&gate, 0, 0), 0);
    ck_assert_int_eq(co_timeline_start(loop), 0);
    co_future *a, *b;
    ck_assert_int_eq(co_loop_run_in_executor(loop, ex, gated, NULL, &a), 0);
    ck_assert_int_eq(co_loop_run_in_executor(loop, ex, job_fn, NULL, &b), 0);
    /* The only worker is held by the first job: the second is still
     * queued when its cancellation reaches the pool. */
    ck_assert(co_future_cancel(b));
    unit_run_once(loop);
    sem_post(&gate);
    ck_assert_int_eq(co_loop_run_until_complete(loop, a), 0);
    ck_assert_int_eq(co_timeline_stop(loop), 0);
    char *json = json_of(loop);
    const char *job = strstr(json, "{\"name\":\"job 1\",\"cat\":\"executor\","
                                   "\"ph\":\"B\"");
    ck_assert_msg(job, "%s", json);
    ck_assert_ptr_null(strstr(json, "job 2"));
    ck_assert_ptr_null(strstr(json, "still running"));
    ck_assert_ptr_nonnull(strstr(json, "(thread 1)"));
    const char *end = strstr(job, "{\"ph\":\"E\"");
    ck_assert_ptr_nonnull(end);
    ck_assert(ts_of(job) >= 0);
    ck_assert(ts_of(job) <= ts_of(end));
    free(json);
    co_future_unref(a);
    co_future_unref(b);
    ck_assert_int_eq(co_executor_shutdown(ex, true, false), 0);
    co_executor_free(ex);
    sem_destroy(&gate);
    co_loop_close(loop);
}
END_TEST

/* A worker reads the real clock, which virtual time does not follow: its
 * job is left out rather than drawn in the wrong place. */
START_TEST(test_timeline_on_virtual_time_leaves_jobs_out)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(co_loop_set_virtual_time(loop, true), 0);
    ck_assert_int_eq(co_timeline_start(loop), 0);
    co_future *a;
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, job_fn, NULL, &a), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, a), 0);
    ck_assert_int_eq(co_timeline_stop(loop), 0);
    char *json = json_of(loop);
    ck_assert_msg(!strstr(json, "\"cat\":\"executor\""), "%s", json);
    free(json);
    co_future_unref(a);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_timeline_draws_a_job_running_at_its_stop_to_the_end)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_int_eq(sem_init(&gate, 0, 0), 0);
    ck_assert_int_eq(co_timeline_start(loop), 0);
    co_future *a;
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, gated, NULL, &a), 0);
    /* The worker may or may not have begun it yet: a job that has not is
     * not drawn, one that has is drawn to the end, marked so. */
    ck_assert_int_eq(co_timeline_stop(loop), 0);
    char *json = json_of(loop);
    const char *job = strstr(json, "\"name\":\"job 1 (still running)\"");
    if (job) {
        ck_assert_ptr_nonnull(strstr(json, "default executor (thread 1)"));
        ck_assert_ptr_nonnull(strstr(job, "{\"ph\":\"E\""));
    } else {
        ck_assert_ptr_null(strstr(json, "job 1"));
    }
    free(json);
    sem_post(&gate);
    ck_assert_int_eq(co_loop_run_until_complete(loop, a), 0);
    co_future_unref(a);
    /* Stopped before it ended: it ended after the recording, not in it. */
    json = json_of(loop);
    ck_assert_ptr_null(strstr(json, "\"name\":\"job 1\""));
    free(json);
    sem_destroy(&gate);
    co_loop_close(loop);
}
END_TEST

/* Run twice by meson: alone, and with COFLOW_DEBUG=1 (only this case). */
START_TEST(test_coflow_debug_env_switches_every_new_loop_on)
{
    const char *env = getenv("COFLOW_DEBUG");
    bool want = env && strcmp(env, "1") == 0;
    co_loop *loop = unit_loop(NULL);
    ck_assert(co_loop_get_debug(loop) == want);
    co_loop_close(loop);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("debug");
    TCase *tc = tcase_create("debug");
    tcase_set_timeout(tc, UNIT_TEST_TIMEOUT);
    tcase_add_test(tc, test_debug_is_off_by_default_and_switches);
    tcase_add_test(tc, test_bad_arguments_are_refused);
    tcase_add_test(tc, test_slow_callback_is_reported_at_threshold_zero);
    tcase_add_test(tc, test_fast_callback_is_not_reported);
    tcase_add_test(tc, test_slow_callback_not_reported_with_debug_off);
    tcase_add_test(tc, test_slow_step_names_task_coroutine_and_line);
    tcase_add_test(tc, test_frame_never_awaited_is_reported_at_close);
    tcase_add_test(tc, test_co_coro_frame_never_awaited_is_reported);
    tcase_add_test(tc, test_frames_run_or_freed_are_not_reported);
    tcase_add_test(tc, test_never_awaited_is_silent_with_debug_off);
    tcase_add_test(tc, test_call_from_another_thread_is_refused_and_reported);
    tcase_add_test(tc, test_executor_left_open_is_reported);
    tcase_add_test(tc, test_executor_shut_down_in_time_is_not_reported);
    tcase_add_test(tc, test_stream_left_open_is_reported_with_its_peer);
    tcase_add_test(tc, test_stream_freed_in_time_is_not_reported);
    tcase_add_test(tc, test_server_left_open_is_reported_with_its_port);
    tcase_add_test(tc, test_server_freed_in_time_is_not_reported);
    tcase_add_test(tc, test_streams_left_open_are_silent_with_debug_off);
    tcase_add_test(tc, test_capture_stack_follows_child_coroutines);
    tcase_add_test(tc, test_print_stack_says_what_and_who_awaits);
    tcase_add_test(tc, test_print_stack_names_the_fd_waited_for);
    tcase_add_test(tc, test_dump_is_a_tree_through_gather);
    tcase_add_test(tc, test_dump_names_tasks_awaiting_each_other);
    tcase_add_test(tc, test_timeline_records_only_while_on);
    tcase_add_test(tc, test_timeline_on_a_fake_clock_draws_the_same_twice);
    tcase_add_test(tc,
                   test_timeline_draws_jobs_that_ran_not_ones_cancelled_first);
    tcase_add_test(tc, test_timeline_on_virtual_time_leaves_jobs_out);
    tcase_add_test(tc,
                   test_timeline_draws_a_job_running_at_its_stop_to_the_end);
    suite_add_tcase(s, tc);
    TCase *env = tcase_create("env");
    tcase_add_test(env, test_coflow_debug_env_switches_every_new_loop_on);
    suite_add_tcase(s, env);
    /* The real clock, which unit_main would otherwise make virtual: the
     * timeline draws executor jobs by their workers' monotonic clock
     * against the loop's, and slow-callback reports need time to pass. */
    setenv("COFLOW_CLOCK", "monotonic", 0);
    return unit_main(s);
}
