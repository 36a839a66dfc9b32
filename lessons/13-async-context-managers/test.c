/* test.c - the grader of lesson 13: the connection manager closes what it
 * opened on every path.
 *
 * The evidence is counted: the server counts opens and closes and keeps
 * the code each close was told, and the grader's bodies write down what
 * they saw while they ran. Delays are 0 (CO_SLEEP(co, 0) still yields
 * once), so nothing here depends on the clock. */
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "grader.h"

/* ---- the server --------------------------------------------------------- */

static int wrong_closes; /* server_close calls with a handle not open */

long long server_open(struct server *s)
{
    if (s->refuse)
        return CO_ECONNREFUSED;
    s->opens++;
    s->open_handle = 100 + s->opens; /* 101, 102, ...: not a count */
    return s->open_handle;
}

int server_close(struct server *s, long long handle, int exc)
{
    if (handle == 0 || handle != s->open_handle) {
        wrong_closes++;
        return CO_ESTATE;
    }
    s->closes++;
    s->open_handle = 0;
    s->close_exc = exc;
    return 0;
}

/* ---- the grader's bodies ----------------------------------------------- */

enum body_kind { BODY_RETURNS, BODY_FAILS, BODY_WAITS };

struct body {
    co_coro co;                 /* header */
    enum body_kind kind;        /* what it does */
    int fail_code;              /* BODY_FAILS: with this code */
    struct use_connection *user; /* where the manager is */
    co_future *never;           /* BODY_WAITS: a future nobody sets */
    int ran;                    /* it started */
    int handle_rc;              /* what co_acm_value_int gave */
    long long handle;           /* the handle it was given */
    long long open_then;        /* the server's open handle meanwhile */
    int closes_then;            /* closes before the body ran */
};

static int body_fn(co_coro *co)
{
    struct body *self = (struct body *)co;
    struct server *s = self->user->server;
    CO_BEGIN(co);
    self->ran = 1;
    self->handle_rc = co_acm_value_int(&self->user->conn.cm, &self->handle);
    self->open_then = s->open_handle;
    self->closes_then = s->closes;
    CO_YIELD(co); /* the body awaits something too */
    if (self->kind == BODY_FAILS)
        CO_RAISE(co, self->fail_code, "the query failed");
    if (self->kind == BODY_WAITS)
        CO_AWAIT(co, self->never); /* until it is cancelled */
    CO_RETURN(co, 666);
    CO_END(co);
}

static co_loop *loop;
static struct server srv;
static struct use_connection user;
static struct body body;
static co_task *task;

/* Sets up a server, a body and use_connection's frame, and starts
 * use_connection as a task. */
static void start(enum body_kind kind, int fail_code, int refuse,
                  int suppress)
{
    ck_assert_int_eq(co_loop_new(&loop), 0);
    memset(&srv, 0, sizeof srv);
    memset(&user, 0, sizeof user);
    memset(&body, 0, sizeof body);
    wrong_closes = 0;
    srv.refuse = refuse;
    co_coro_init(&body.co, body_fn);
    body.kind = kind;
    body.fail_code = fail_code;
    body.user = &user;
    if (kind == BODY_WAITS)
        ck_assert_int_eq(co_future_new(loop, &body.never), 0);
    co_coro_init(&user.co, use_connection);
    user.server = &srv;
    user.suppress = suppress;
    user.body = &body.co;
    task = NULL;
    ck_assert_int_eq(co_create_task(loop, &user.co, "use_connection", &task),
                     0);
}

static int finish(void)
{
    return grade_run_until_complete(loop, co_task_future(task), 0,
                                    "use_connection(server, body)");
}

static void stop(void)
{
    co_task_unref(task);
    co_future_unref(body.never);
    co_coro_free(&body.co);
    grade_expect_all_released(loop, "when the test ended");
    co_loop_close(loop);
}

/* One loop iteration: the steps scheduled so far run. */
static void iterate(void)
{
    co_loop_stop(loop);
    int rc = co_loop_run_forever(loop);
    ck_assert_msg(rc == 0 || rc == CO_EDEADLOCK,
                  "running the loop failed: %s", co_errname(rc));
}

static void expect_counts(int opens, int closes, const char *what)
{
    ck_assert_msg(wrong_closes == 0,
                  "%s: server_close was called %d time(s) with a handle "
                  "that was not open: pass the handle enter returned "
                  "(co_acm_value_int(&self->cm, &handle)), and keep no "
                  "handle in a local variable across a CO_SLEEP (locals "
                  "do not survive an await)",
                  what, wrong_closes);
    ck_assert_msg(srv.opens == opens && srv.closes == closes,
                  "%s: the server should have seen %d open(s) and %d "
                  "close(s); your code made %d open(s) and %d close(s)",
                  what, opens, closes, srv.opens, srv.closes);
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(test_the_body_result_comes_back)
{
    start(BODY_RETURNS, 0, 0, 0);
    grade_expect_code(finish(), 0, "use_connection with a body that returns");
    ck_assert_msg(body.ran, "the body never ran: await it");
    long long v = 0;
    co_task_result_int(task, &v);
    grade_expect_int(v, 666, "what use_connection returned (the body's "
                             "result)");
    stop();
}
END_TEST

START_TEST(test_a_normal_body_opens_and_closes_once)
{
    start(BODY_RETURNS, 0, 0, 0);
    grade_expect_code(finish(), 0, "use_connection with a body that returns");
    expect_counts(1, 1, "a body that returned");
    grade_expect_code(srv.close_exc, 0,
                      "what exit told server_close (cm.exc after a body "
                      "that returned)");
    stop();
}
END_TEST

START_TEST(test_the_body_runs_on_an_open_connection)
{
    start(BODY_RETURNS, 0, 0, 0);
    grade_expect_code(finish(), 0, "use_connection with a body that returns");
    ck_assert_msg(body.ran, "the body never ran: await it");
    ck_assert_msg(body.open_then != 0,
                  "while the body ran no connection was open: enter must "
                  "open it before the body runs");
    grade_expect_int(body.closes_then, 0,
                     "closes made before the body ran");
    grade_expect_code(body.handle_rc, 0,
                      "co_acm_value_int(&conn.cm, ...) in the body (did "
                      "enter CO_RETURN the handle?)");
    grade_expect_int(body.handle, body.open_then,
                     "the handle the body got from `as handle` (it should "
                     "be the one server_open gave)");
    stop();
}
END_TEST

START_TEST(test_connect_awaits_before_opening)
{
    start(BODY_RETURNS, 0, 0, 0);
    iterate(); /* use_connection's first step */
    grade_expect_int(srv.opens, 0,
                     "opens after use_connection's first step (enter must "
                     "CO_SLEEP(co, server->delay) before server_open: "
                     "connecting takes a while)");
    finish();
    expect_counts(1, 1, "a body that returned");
    stop();
}
END_TEST

START_TEST(test_close_runs_when_the_body_fails)
{
    start(BODY_FAILS, CO_EUSER, 0, 0);
    grade_expect_code(finish(), CO_EUSER,
                      "use_connection with a body that fails with CO_EUSER "
                      "(the failure must go on)");
    expect_counts(1, 1, "a body that failed");
    grade_expect_code(srv.close_exc, CO_EUSER,
                      "what exit told server_close (cm.exc)");
    stop();
}
END_TEST

START_TEST(test_close_runs_when_the_body_is_cancelled)
{
    start(BODY_WAITS, 0, 0, 0);
    for (int i = 0; i < 50 && !body.ran; i++)
        iterate();
    ck_assert_msg(body.ran, "the body never started: enter, then the body");
    iterate(); /* now it waits */
    co_task_cancel(task);
    finish();
    ck_assert_msg(co_task_cancelled(task),
                  "use_connection was cancelled while the body waited, so "
                  "it should end cancelled; it did not");
    expect_counts(1, 1, "a body that was cancelled");
    grade_expect_code(srv.close_exc, CO_ECANCELLED,
                      "what exit told server_close (cm.exc after a "
                      "cancellation)");
    stop();
}
END_TEST

START_TEST(test_a_refused_connect_closes_nothing)
{
    start(BODY_RETURNS, 0, 1, 0);
    grade_expect_code(finish(), CO_ECONNREFUSED,
                      "use_connection when the server refuses (enter must "
                      "fail with server_open's code)");
    ck_assert_msg(!body.ran,
                  "the body ran although the connect was refused");
    expect_counts(0, 0, "a refused connect");
    stop();
}
END_TEST

START_TEST(test_exit_swallows_the_failure_it_is_told_to)
{
    start(BODY_FAILS, CO_ETIMEDOUT, 0, CO_ETIMEDOUT);
    grade_expect_code(finish(), 0,
                      "use_connection whose body fails with CO_ETIMEDOUT, "
                      "suppress = CO_ETIMEDOUT (exit returns 1)");
    expect_counts(1, 1, "a failure that exit swallowed");
    long long v = -1;
    co_task_result_int(task, &v);
    grade_expect_int(v, 0, "what use_connection returned after exit "
                           "swallowed the failure");
    stop();
}
END_TEST

START_TEST(test_exit_lets_other_failures_go_on)
{
    start(BODY_FAILS, CO_EUSER, 0, CO_ETIMEDOUT);
    grade_expect_code(finish(), CO_EUSER,
                      "use_connection whose body fails with CO_EUSER, "
                      "suppress = CO_ETIMEDOUT (exit returns 0)");
    expect_counts(1, 1, "a failure that exit let go on");
    stop();
}
END_TEST

START_TEST(test_connection_init_rejects_null)
{
    struct server s = {0};
    struct connection c;
    grade_expect_code(connection_init(NULL, &s, 0), CO_EINVAL,
                      "connection_init(NULL, server, 0)");
    grade_expect_code(connection_init(&c, NULL, 0), CO_EINVAL,
                      "connection_init(c, NULL, 0)");
    grade_expect_code(connection_init(&c, &s, CO_EUSER), 0,
                      "connection_init(c, server, CO_EUSER)");
    ck_assert_msg(c.server == &s && c.suppress == CO_EUSER,
                  "connection_init should set server and suppress");
}
END_TEST

Suite *lesson_suite(void)
{
    /* Every loop of the grader (and of the code graded) runs on virtual
     * time, co_loop_set_virtual_time(): sleeps take no real time and end
     * in deadline order however busy the machine is, so the order and the
     * durations checked are exact. COFLOW_CLOCK=monotonic overrides it. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    Suite *s = suite_create("lesson 13: async context managers");
    TCase *tc = grade_tcase("connection");
    tcase_add_test(tc, test_the_body_result_comes_back);
    tcase_add_test(tc, test_a_normal_body_opens_and_closes_once);
    tcase_add_test(tc, test_the_body_runs_on_an_open_connection);
    tcase_add_test(tc, test_connect_awaits_before_opening);
    tcase_add_test(tc, test_close_runs_when_the_body_fails);
    tcase_add_test(tc, test_close_runs_when_the_body_is_cancelled);
    tcase_add_test(tc, test_a_refused_connect_closes_nothing);
    tcase_add_test(tc, test_exit_swallows_the_failure_it_is_told_to);
    tcase_add_test(tc, test_exit_lets_other_failures_go_on);
    tcase_add_test(tc, test_connection_init_rejects_null);
    suite_add_tcase(s, tc);
    return s;
}
