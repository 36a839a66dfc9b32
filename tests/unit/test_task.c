/* test_task.c - co_task: a future that drives one coroutine. Creation runs
 * nothing; the result is the coroutine's; failures travel up the await
 * chain; names, current/all tasks, where a task waits; cancellation as
 * asyncio.Task.cancel() does it (lessons 06 and 11). */
#include "unit.h"

/* One frame for most tests: the fields a coroutine reads are set before
 * the task is created, the ones it writes are checked afterwards. */
struct job {
    co_coro co;
    /* inputs */
    long long value;      /* what to return */
    co_future *wait_on;   /* the future to await */
    co_task *await_task;  /* the task to await */
    double delay;         /* how long to sleep */
    int fail_code;        /* what to raise */
    const char *fail_msg; /* and with which message */
    char *log;            /* a shared trace (may be NULL) */
    const char *tag;      /* this job's letters in the trace */
    /* outputs */
    int started;          /* the body was entered */
    int after;            /* code after a suspension point ran */
    int finally_ran;      /* CO_FINALLY ran (how many times) */
    int finally_err;      /* (co)->err inside CO_FINALLY */
    int caught;           /* what a _CATCH form stored */
    co_task *current;     /* co_current_task(NULL) inside the body */
    int line;             /* the source line of a suspension point */
};

static void job_trace(struct job *j, const char *what)
{
    if (!j->log)
        return;
    strcat(j->log, j->tag);
    strcat(j->log, what);
}

static struct job *new_job(co_coro_fn fn)
{
    struct job *j = CO_NEW(struct job, fn);
    ck_assert_ptr_nonnull(j);
    j->caught = 12345;
    return j;
}

/* Creates a task for @p j, keeping a reference to it. */
static co_task *start(co_loop *loop, struct job *j, const char *name)
{
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &j->co, name, &t), 0);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* ---- coroutines --------------------------------------------------------- */

static int yield_then_return(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    self->started = 1;
    self->current = co_current_task(NULL);
    CO_YIELD(co);
    self->after = 1;
    CO_RETURN(co, self->value);
    CO_END(co);
}

static int return_self_ptr(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_RETURN_PTR(co, self);
    CO_END(co);
}

static int return_nothing(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    self->started = 1;
    CO_END(co);
}

static int yield_then_fail(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    self->started = 1;
    CO_YIELD(co);
    CO_RAISE(co, self->fail_code, self->fail_msg);
    CO_END(co);
}

/* Awaits `wait_on` and returns its integer result plus one. */
static int await_future(co_coro *co)
{
    struct job *self = (struct job *)co;
    long long v = 0;
    CO_BEGIN(co);
    self->started = 1;
    CO_AWAIT(co, self->wait_on);
    self->after = 1;
    ck_assert_int_eq(co_future_result_int(self->wait_on, &v), 0);
    CO_RETURN(co, v + 1);
    CO_FINALLY(co);
    self->finally_ran++;
    self->finally_err = co->err;
    CO_END(co);
}

/* Awaits `await_task` and returns its integer result. */
static int await_task(co_coro *co)
{
    struct job *self = (struct job *)co;
    long long v = 0;
    CO_BEGIN(co);
    CO_AWAIT(co, self->await_task);
    self->after = 1;
    ck_assert_int_eq(co_task_result_int(self->await_task, &v), 0);
    CO_RETURN(co, v);
    CO_FINALLY(co);
    self->finally_ran++;
    self->finally_err = co->err;
    job_trace(self, "F");
    CO_END(co);
}

/* Sleeps `delay` seconds; records its cleanup. */
static int sleep_with_finally(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    self->started = 1;
    CO_SLEEP(co, self->delay);
    self->after = 1;
    CO_FINALLY(co);
    self->finally_ran++;
    self->finally_err = co->err;
    job_trace(self, "F");
    CO_END(co);
}

/* Sleeps; its cleanup itself takes one more loop iteration. */
static int sleep_with_slow_finally(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    CO_FINALLY(co);
    self->finally_ran++;
    CO_YIELD(co);
    self->after = 1;
    CO_END(co);
}

static int sleep_catch_then_return(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_SLEEP_CATCH(co, self->delay, self->caught);
    CO_RETURN(co, 7);
    CO_END(co);
}

static int await_catch_then_return(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_AWAIT_CATCH(co, self->wait_on, self->caught);
    CO_RETURN(co, 8);
    CO_END(co);
}

static int await_itself(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_AWAIT_CATCH(co, co_current_task(NULL), self->caught);
    self->after = 1;
    CO_END(co);
}

/* Yields twice, tracing each step. */
static int yield_twice_traced(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    job_trace(self, "1");
    CO_YIELD(co);
    job_trace(self, "2");
    CO_YIELD(co);
    job_trace(self, "3");
    CO_END(co);
}

/* A coroutine running a child coroutine (not a task) inside it. */
struct nest {
    co_coro co;
    struct job child;  /* the awaited child's frame */
    int after;         /* code after the await ran */
    int finally_ran;   /* the outer CO_FINALLY ran */
    int finally_err;   /* (co)->err there */
    char *log;         /* shared trace */
};

static int await_child(co_coro *co)
{
    struct nest *self = (struct nest *)co;
    CO_BEGIN(co);
    CO_AWAIT_CORO(co, &self->child.co);
    self->after = 1;
    CO_FINALLY(co);
    self->finally_ran++;
    self->finally_err = co->err;
    if (self->log)
        strcat(self->log, "P");
    CO_END(co);
}

static struct nest *new_nest(co_coro_fn child_fn)
{
    struct nest *n = CO_NEW(struct nest, await_child);
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(co_coro_init(&n->child.co, child_fn), 0);
    return n;
}

/* Awaits `wait_on`, noting the line of its suspension point. */
static int await_noting_line(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    self->line = __LINE__ + 1;
    CO_AWAIT(co, self->wait_on);
    CO_END(co);
}

static void set_result_cb(void *arg)
{
    ck_assert_int_eq(co_future_set_result_int(arg, 41), 0);
}

/* ---- creation and results ----------------------------------------------- */

START_TEST(test_create_task_runs_nothing_until_the_loop_runs)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_return);
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(j->started, 0);
    ck_assert(!co_task_done(t));
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(j->started, 1); /* first step */
    ck_assert_int_eq(j->after, 0);   /* suspended at the yield */
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(j->after, 1);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_result_is_the_coroutine_return_value)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_return);
    j->value = 42;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert(co_task_done(t));
    ck_assert(!co_task_cancelled(t));
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 42);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_result_ptr_is_the_returned_pointer)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(return_self_ptr);
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    void *p = NULL;
    ck_assert_int_eq(co_task_result_ptr(t, &p), 0);
    ck_assert_ptr_eq(p, j);
    long long v;
    ck_assert_int_eq(co_task_result_int(t, &v), CO_EKIND);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_without_return_reads_as_zero)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(return_nothing);
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    long long v = -1;
    void *p = t;
    const char *s = NULL;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(co_task_result_ptr(t, &p), 0);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(co_future_result_str(co_task_future(t), &s), CO_EKIND);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_failure_is_its_future_failure)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_fail);
    j->fail_code = CO_EUSER - 4;
    j->fail_msg = "bad input";
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_EUSER - 4);
    ck_assert(co_task_done(t));
    ck_assert(!co_task_cancelled(t));
    const char *msg = NULL;
    ck_assert_int_eq(co_future_exception(co_task_future(t), &msg),
                     CO_EUSER - 4);
    ck_assert_pstr_eq(msg, "bad input");
    long long v;
    ck_assert_int_eq(co_task_result_int(t, &v), CO_EUSER - 4);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_unread_task_failure_is_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    struct job *j = new_job(yield_then_fail);
    j->fail_code = CO_EFAIL;
    j->fail_msg = "nobody looked";
    ck_assert_int_eq(co_create_task(loop, &j->co, "careless", NULL), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(r.count, 0);
    ck_assert_int_eq(unit_run_once(loop), 0); /* fails, and is let go */
    ck_assert_int_eq(r.count, 1);
    ck_assert_ptr_nonnull(strstr(r.last, "never retrieved"));
    ck_assert_ptr_nonnull(strstr(r.last, "careless"));
    ck_assert_ptr_nonnull(strstr(r.last, "nobody looked"));
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_resumes_with_the_awaited_future_result)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct job *j = new_job(await_future);
    j->wait_on = f;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_call_later(loop, 0.001, set_result_cb, f, NULL),
                     0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 42);
    co_task_unref(t);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_awaiting_a_done_future_carries_on)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 9), 0);
    struct job *j = new_job(await_future);
    j->wait_on = f;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 10);
    co_task_unref(t);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_failure_propagates_through_child_coroutines_and_tasks)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    /* inner task: a coroutine whose child coroutine fails */
    struct nest *inner = new_nest(yield_then_fail);
    inner->child.fail_code = CO_EUSER - 7;
    inner->child.fail_msg = "deep down";
    co_task *ti = NULL;
    ck_assert_int_eq(co_create_task(loop, &inner->co, "inner", &ti), 0);
    /* outer task: awaits the inner task */
    struct job *outer = new_job(await_task);
    outer->await_task = ti;
    co_task *to = start(loop, outer, "outer");

    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(to)),
                     CO_EUSER - 7);
    ck_assert_int_eq(inner->after, 0);
    ck_assert_int_eq(inner->finally_err, CO_EUSER - 7);
    ck_assert_int_eq(outer->after, 0);
    ck_assert_int_eq(outer->finally_ran, 1);
    ck_assert_int_eq(outer->finally_err, CO_EUSER - 7);
    const char *msg = NULL;
    ck_assert_int_eq(co_future_exception(co_task_future(to), &msg),
                     CO_EUSER - 7);
    ck_assert_pstr_eq(msg, "deep down");
    ck_assert_int_eq(co_future_exception(co_task_future(ti), &msg),
                     CO_EUSER - 7);
    ck_assert_pstr_eq(msg, "deep down");
    co_task_unref(to);
    co_task_unref(ti);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(r.count, 0); /* every failure was read */
}
END_TEST

START_TEST(test_awaiting_a_task_gives_its_result)
{
    co_loop *loop = unit_loop(NULL);
    struct job *inner = new_job(yield_then_return);
    inner->value = 5;
    co_task *ti = start(loop, inner, NULL);
    struct job *outer = new_job(await_task);
    outer->await_task = ti;
    co_task *to = start(loop, outer, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(to)), 0);
    ck_assert_int_eq(outer->after, 1);
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(to, &v), 0);
    ck_assert_int_eq(v, 5);
    co_task_unref(ti);
    co_task_unref(to);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_is_a_future)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(return_nothing);
    co_task *t = start(loop, j, NULL);
    ck_assert_ptr_eq(CO_AS_FUTURE(t), co_task_future(t));
    ck_assert_ptr_eq(co_future_loop(co_task_future(t)), loop);
    ck_assert_ptr_eq(co_task_get_coro(t), &j->co);
    ck_assert_int_eq(co_loop_run_until_complete(loop, CO_AS_FUTURE(t)), 0);
    ck_assert(co_future_done(co_task_future(t)));
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_yielding_tasks_take_turns)
{
    co_loop *loop = unit_loop(NULL);
    char log[64] = "";
    struct job *a = new_job(yield_twice_traced);
    struct job *b = new_job(yield_twice_traced);
    a->log = b->log = log;
    a->tag = "a";
    b->tag = "b";
    co_task *ta = start(loop, a, NULL);
    co_task *tb = start(loop, b, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(tb)), 0);
    ck_assert_str_eq(log, "a1b1a2b2a3b3");
    ck_assert(co_task_done(ta));
    co_task_unref(ta);
    co_task_unref(tb);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_create_task_rejects_bad_arguments)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_return);
    co_task *t = (co_task *)loop; /* anything not NULL */
    ck_assert_int_eq(co_create_task(NULL, &j->co, NULL, &t), CO_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(co_create_task(loop, NULL, NULL, &t), CO_EINVAL);
    /* a coroutine that has already started cannot become a task */
    ck_assert_int_eq(co_coro_step(&j->co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_create_task(loop, &j->co, NULL, &t), CO_EINVAL);
    ck_assert_int_eq(j->after, 0);
    co_coro_free(&j->co); /* a failed call leaves the frame with us */
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- names, current, all, where ----------------------------------------- */

START_TEST(test_default_names_are_task_n)
{
    co_loop *loop = unit_loop(NULL);
    co_task *t1 = start(loop, new_job(return_nothing), NULL);
    co_task *t2 = start(loop, new_job(return_nothing), NULL);
    unsigned n1 = 0, n2 = 0;
    char rest;
    ck_assert_int_eq(sscanf(co_task_get_name(t1), "Task-%u%c", &n1, &rest), 1);
    ck_assert_int_eq(sscanf(co_task_get_name(t2), "Task-%u%c", &n2, &rest), 1);
    ck_assert_uint_eq(n2, n1 + 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t2)), 0);
    co_task_unref(t1);
    co_task_unref(t2);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_custom_name_is_copied_and_can_be_changed)
{
    co_loop *loop = unit_loop(NULL);
    char name[16];
    snprintf(name, sizeof name, "%s", "fetcher");
    co_task *t = start(loop, new_job(return_nothing), name);
    name[0] = 'X';
    ck_assert_str_eq(co_task_get_name(t), "fetcher");
    snprintf(name, sizeof name, "%s", "parser");
    ck_assert_int_eq(co_task_set_name(t, name), 0);
    name[0] = 'X';
    ck_assert_str_eq(co_task_get_name(t), "parser");
    ck_assert_int_eq(co_task_set_name(t, NULL), CO_EINVAL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_str_eq(co_task_get_name(t), "parser");
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

static void note_current_task(void *arg)
{
    co_task **out = arg;
    *out = co_current_task(NULL);
}

START_TEST(test_current_task_inside_and_outside)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_ptr_null(co_current_task(NULL));
    ck_assert_ptr_null(co_current_task(loop));
    struct job *j = new_job(yield_then_return);
    co_task *t = start(loop, j, NULL);
    co_task *in_callback = t; /* must become NULL */
    ck_assert_int_eq(co_loop_call_soon(loop, note_current_task, &in_callback),
                     0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_ptr_eq(j->current, t);
    ck_assert_ptr_null(in_callback); /* a plain callback is not a task */
    ck_assert_ptr_null(co_current_task(NULL));
    ck_assert_ptr_null(co_current_task(loop));
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_all_tasks_lists_the_pending_ones)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct job *w1 = new_job(await_future), *w2 = new_job(await_future);
    w1->wait_on = w2->wait_on = f;
    co_task *t1 = start(loop, w1, NULL);
    co_task *t2 = start(loop, w2, NULL);
    co_task *t3 = start(loop, new_job(return_nothing), NULL);
    co_task *list[8] = {0};
    ck_assert_uint_eq(co_all_tasks(loop, list, 8), 3);
    int seen = 0;
    for (int i = 0; i < 3; i++)
        seen |= (list[i] == t1 ? 1 : 0) | (list[i] == t2 ? 2 : 0) |
                (list[i] == t3 ? 4 : 0);
    ck_assert_int_eq(seen, 7);
    ck_assert_uint_eq(co_all_tasks(loop, list, 1), 3); /* total, not stored */
    ck_assert_uint_eq(co_all_tasks(loop, NULL, 0), 3);

    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t3)), 0);
    ck_assert_uint_eq(co_all_tasks(loop, list, 8), 2);
    ck_assert(list[0] != t3 && list[1] != t3);

    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t2)), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t1)), 0);
    ck_assert_uint_eq(co_all_tasks(loop, list, 8), 0);
    co_task_unref(t1);
    co_task_unref(t2);
    co_task_unref(t3);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_where_gives_the_innermost_suspension_point)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct nest *n = new_nest(await_noting_line);
    n->child.wait_on = f;
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &n->co, NULL, &t), 0);
    const char *file = "unset";
    int line = -1;
    ck_assert_int_eq(co_task_where(t, &file, &line), CO_ESTATE);

    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(co_task_where(t, &file, &line), 0);
    ck_assert_pstr_eq(file, __FILE__);
    ck_assert_int_gt(n->child.line, 0);
    ck_assert_int_eq(line, n->child.line);
    ck_assert_int_eq(co_task_where(t, NULL, NULL), 0);

    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(co_task_where(t, &file, &line), CO_ESTATE);
    co_task_unref(t);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- misuse of await ---------------------------------------------------- */

START_TEST(test_await_outside_a_task_is_enotask)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct job j;
    memset(&j, 0, sizeof j);
    j.wait_on = f;
    ck_assert_int_eq(co_coro_init(&j.co, await_future), 0);
    ck_assert_int_eq(co_coro_step(&j.co), CO_STATUS_DONE);
    ck_assert_int_eq(j.after, 0);
    ck_assert_int_eq(co_coro_error(&j.co, NULL), CO_ENOTASK);
    ck_assert_int_eq(j.finally_err, CO_ENOTASK);
    co_coro_free(&j.co);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_sleep_outside_a_task_is_enotask)
{
    struct job j;
    memset(&j, 0, sizeof j);
    j.delay = 0.5;
    ck_assert_int_eq(co_coro_init(&j.co, sleep_with_finally), 0);
    ck_assert_int_eq(co_coro_step(&j.co), CO_STATUS_DONE);
    ck_assert_int_eq(j.after, 0);
    ck_assert_int_eq(co_coro_error(&j.co, NULL), CO_ENOTASK);
    co_coro_free(&j.co);
}
END_TEST

/* Steps a coroutine by hand from a plain callback of a running loop. */
static void step_in_callback(void *arg)
{
    struct job *j = arg;
    ck_assert_int_eq(co_coro_step(&j->co), CO_STATUS_DONE);
}

START_TEST(test_await_in_a_plain_callback_is_enotask)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct job j;
    memset(&j, 0, sizeof j);
    j.wait_on = f;
    ck_assert_int_eq(co_coro_init(&j.co, await_future), 0);
    ck_assert_int_eq(co_loop_call_soon(loop, step_in_callback, &j), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(co_coro_error(&j.co, NULL), CO_ENOTASK);
    co_coro_free(&j.co);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_task_awaiting_itself_is_eawaitself)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(await_itself);
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(j->caught, CO_EAWAITSELF);
    ck_assert_int_eq(j->after, 1);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* `return code;` in a coroutine body, as in a plain function: the task
 * fails with that code and a message saying to use CO_RAISE, instead of
 * being taken for a task that waits (which ended as CO_EDEADLOCK). */
static int returns_a_bare_code(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    self->started = 1;
    CO_YIELD(co);
    return self->fail_code;
    CO_END(co);
}

START_TEST(test_a_bare_return_in_a_task_fails_the_task)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(returns_a_bare_code);
    j->fail_code = CO_ESTATE;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ESTATE);
    const char *msg = NULL;
    ck_assert_int_eq(co_future_exception(co_task_future(t), &msg), CO_ESTATE);
    ck_assert_msg(msg && strstr(msg, "CO_RAISE"), "message: %s",
                  msg ? msg : "(none)");
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A task's outcome is its coroutine's: setting it from outside is refused
 * (asyncio: RuntimeError), and the task runs on to its own result. */
START_TEST(test_a_task_refuses_set_result_and_set_exception)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_return);
    j->value = 5;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0); /* suspended in its yield */
    co_future *f = CO_AS_FUTURE(t);
    ck_assert_int_eq(co_future_set_result_int(f, 1), CO_ETASKRESULT);
    ck_assert_int_eq(co_future_set_result_ptr(f, f), CO_ETASKRESULT);
    ck_assert_int_eq(co_future_set_result_str(f, "x"), CO_ETASKRESULT);
    ck_assert_int_eq(co_future_set_exception(f, CO_EFAIL, "x"),
                     CO_ETASKRESULT);
    ck_assert(!co_future_done(f));
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 5);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* A coroutine that drives a sleeping child by hand instead of awaiting it:
 * the child's sleep registers a wakeup for the task, which never waits. The
 * task fails with a message, and the wakeup is given back. */
struct hand_stepper {
    co_coro co;
    struct job child;
};

static int sleep_then_return(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.05);
    CO_RETURN(co, 1);
    CO_END(co);
}

static int steps_child_by_hand(co_coro *co)
{
    struct hand_stepper *self = (struct hand_stepper *)co;
    CO_BEGIN(co);
    co_coro_init(&self->child.co, sleep_then_return);
    while (!co_coro_done(&self->child.co))
        co_coro_step(&self->child.co); /* the mistake under test */
    CO_END(co);
}

START_TEST(test_a_child_stepped_by_hand_that_awaits_fails_the_task)
{
    co_loop *loop = unit_loop(NULL);
    struct hand_stepper *h = CO_NEW(struct hand_stepper, steps_child_by_hand);
    ck_assert_ptr_nonnull(h);
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &h->co, NULL, &t), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_EINVAL);
    const char *msg = NULL;
    co_future_exception(co_task_future(t), &msg);
    ck_assert_msg(msg && strstr(msg, "CO_AWAIT_CORO"), "message: %s",
                  msg ? msg : "(none)");
    co_task_unref(t);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- cancellation ------------------------------------------------------- */

START_TEST(test_cancel_pending_task_returns_true)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(sleep_with_finally);
    j->delay = 30;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(j->started, 1);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(t));
    ck_assert_int_eq(j->after, 0);
    long long v;
    ck_assert_int_eq(co_task_result_int(t, &v), CO_ECANCELLED);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancel_done_task_returns_false)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_return);
    j->value = 3;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert(!co_task_cancel(t));
    ck_assert(!co_future_cancel(co_task_future(t)));
    ck_assert(!co_task_cancelled(t));
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 3);
    ck_assert(!co_task_cancel(NULL));
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancel_twice_returns_true_both_times)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(sleep_with_finally);
    j->delay = 30;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(t));
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert_int_eq(j->finally_ran, 1);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancelled_only_after_the_coroutine_ended)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(sleep_with_slow_finally);
    j->delay = 30;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(t));
    ck_assert(!co_task_cancelled(t)); /* asked, not yet delivered */
    ck_assert(!co_task_done(t));
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(j->finally_ran, 1); /* cleanup started, and yielded */
    ck_assert(!co_task_cancelled(t));
    ck_assert(!co_task_done(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert_int_eq(j->after, 1);
    ck_assert(co_task_cancelled(t));
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancel_before_the_first_step_runs_nothing)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_return);
    co_task *t = start(loop, j, NULL);
    ck_assert(co_task_cancel(t));
    /* asyncio throws CancelledError into a coroutine that never started:
     * its body does not run at all, and the task ends cancelled. */
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert_int_eq(j->started, 0);
    ck_assert(co_task_cancelled(t));
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancel_before_the_first_step_is_not_lost)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(return_nothing); /* never suspends */
    co_task *t = start(loop, j, NULL);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(t));
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_catching_cancellation_in_sleep_leaves_task_not_cancelled)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(sleep_catch_then_return);
    j->delay = 30;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(j->caught, CO_ECANCELLED);
    ck_assert(co_task_done(t));
    ck_assert(!co_task_cancelled(t));
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 7);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

static void cancel_task_cb(void *arg)
{
    co_task_cancel(arg);
}

/* A sleep lives inside its task. Cancelled by a timer that comes due with
 * it (earlier in the heap, so its handle runs first), the sleep's own
 * queued handle must not wake the task a second time, and the task sees
 * CO_ECANCELLED in its sleep, as when the sleep was still armed. */
START_TEST(test_cancel_from_a_timer_due_with_the_sleep)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(sleep_with_finally);
    j->delay = 1e-9; /* due at the next look at the clock */
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0); /* it sleeps */
    ck_assert_int_eq(j->started, 1);
    ck_assert_int_eq(co_loop_call_at(loop, 0.0, cancel_task_cb, t, NULL), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(t));
    ck_assert_int_eq(j->after, 0);
    ck_assert_int_eq(j->finally_ran, 1);
    ck_assert_int_eq(j->finally_err, CO_ECANCELLED);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* Many sleeps, some cancelled, out of deadline order: the others still
 * wake in deadline order, so the heap stays a heap when entries leave
 * from its middle. Each sleep starts at its task's first step, a little
 * later than the one before, so only this is certain, however slowly the
 * steps run: a task created before another, with a sleep no longer than
 * the other's, wakes first. */
static int sleep_then_log(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    job_trace(self, "");
    CO_END(co);
}

START_TEST(test_sleeps_cancelled_in_the_middle_keep_deadline_order)
{
    co_loop *loop = unit_loop(NULL);
    enum { N = 40 };
    static const char tags[N + 1] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";
    char log[N + 1] = "";
    char tag_text[N][2];
    int step[N]; /* task i sleeps step[i] tenths of a millisecond */
    co_task *t[N];
    for (int i = 0; i < N; i++) {
        struct job *j = new_job(sleep_then_log);
        step[i] = (i * 17) % N; /* a shuffle of 0 .. N-1 */
        j->delay = 1e-4 * (double)step[i];
        tag_text[i][0] = tags[i];
        tag_text[i][1] = '\0';
        j->log = log;
        j->tag = tag_text[i];
        t[i] = start(loop, j, NULL);
    }
    ck_assert_int_eq(unit_run_once(loop), 0); /* all of them sleep */
    for (int i = 0; i < N; i += 3)
        ck_assert(co_task_cancel(t[i]));
    for (int i = 0; i < N; i++)
        co_loop_run_until_complete(loop, co_task_future(t[i]));
    int at[N]; /* where task i's tag is in the log, or -1 */
    for (int i = 0; i < N; i++) {
        const char *p = strchr(log, tags[i]);
        at[i] = p ? (int)(p - log) : -1;
        ck_assert_int_eq(at[i] < 0, i % 3 == 0); /* kept ones woke */
        ck_assert(co_task_cancelled(t[i]) == (i % 3 == 0));
    }
    ck_assert_uint_eq(strlen(log), N - (N + 2) / 3); /* each once */
    for (int i = 0; i < N; i++)
        for (int k = i + 1; k < N; k++)
            if (at[i] >= 0 && at[k] >= 0 && step[i] <= step[k])
                ck_assert_int_lt(at[i], at[k]);
    for (int i = 0; i < N; i++)
        co_task_unref(t[i]);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_catching_cancellation_in_await_leaves_task_not_cancelled)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    struct job *j = new_job(await_catch_then_return);
    j->wait_on = f;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(t));
    ck_assert(co_future_cancelled(f)); /* the awaited future is cancelled */
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(j->caught, CO_ECANCELLED);
    ck_assert(!co_task_cancelled(t));
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 8);
    co_task_unref(t);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_finally_runs_on_cancellation)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(sleep_with_finally);
    j->delay = 30;
    co_task *t = start(loop, j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(j->finally_ran, 0);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert_int_eq(j->finally_ran, 1);
    ck_assert_int_eq(j->finally_err, CO_ECANCELLED);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancel_reaches_the_innermost_child_coroutine)
{
    co_loop *loop = unit_loop(NULL);
    char log[32] = "";
    struct nest *n = new_nest(sleep_with_finally);
    n->child.delay = 30;
    n->child.log = n->log = log;
    n->child.tag = "c";
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &n->co, NULL, &t), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(t));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_ECANCELLED);
    ck_assert_str_eq(log, "cFP"); /* the child's cleanup, then the parent's */
    ck_assert_int_eq(n->child.finally_err, CO_ECANCELLED);
    ck_assert_int_eq(n->finally_err, CO_ECANCELLED);
    ck_assert_int_eq(n->after, 0);
    ck_assert(co_task_cancelled(t));
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancelling_an_awaiting_task_cancels_the_awaited_one)
{
    co_loop *loop = unit_loop(NULL);
    char log[32] = "";
    struct job *inner = new_job(sleep_with_finally);
    inner->delay = 30;
    inner->log = log;
    inner->tag = "i";
    co_task *ti = start(loop, inner, NULL);
    struct job *outer = new_job(await_task);
    outer->await_task = ti;
    outer->log = log;
    outer->tag = "o";
    co_task *to = start(loop, outer, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_cancel(to));
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(to)),
                     CO_ECANCELLED);
    ck_assert(co_task_cancelled(ti));
    ck_assert(co_task_cancelled(to));
    ck_assert_str_eq(log, "iFoF");
    co_task_unref(ti);
    co_task_unref(to);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- one frame, one task ------------------------------------------------ */

START_TEST(test_create_task_twice_on_one_caller_frame_is_einval)
{
    co_loop *loop = unit_loop(NULL);
    struct job j = {.value = 5};
    ck_assert_int_eq(co_coro_init(&j.co, yield_then_return), 0);
    co_task *t = start(loop, &j, NULL);
    co_task *second = (co_task *)loop; /* anything not NULL */
    /* not started yet (lc is still 0): the frame is taken all the same */
    ck_assert_int_eq(co_create_task(loop, &j.co, NULL, &second), CO_EINVAL);
    ck_assert_ptr_null(second);
    ck_assert_uint_eq(co_all_tasks(loop, NULL, 0), 1);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 5);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_create_task_twice_on_a_co_new_frame_is_einval)
{
    co_loop *loop = unit_loop(NULL);
    struct job *j = new_job(yield_then_return);
    co_task *t = start(loop, j, NULL);
    co_task *second = (co_task *)loop;
    ck_assert_int_eq(co_create_task(loop, &j->co, NULL, &second), CO_EINVAL);
    ck_assert_ptr_null(second);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    ck_assert_int_eq(j->after, 1);
    co_task_unref(t); /* frees the frame with the task: valgrind checks */
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* co_coro_init on the frame of a suspended task: the task notices at its
 * next step that its frame was set up again, and fails instead of running
 * the body again from the top. @p fn suspends with an await or a yield. */
static void reinit_while_suspended(co_coro_fn fn)
{
    co_loop *loop = unit_loop(NULL);
    struct job j = {0};
    ck_assert_int_eq(co_future_new(loop, &j.wait_on), 0);
    ck_assert_int_eq(co_coro_init(&j.co, fn), 0);
    co_task *t = start(loop, &j, NULL);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(j.started, 1);
    ck_assert(!co_task_done(t));
    ck_assert_int_eq(co_coro_init(&j.co, fn), 0); /* the mistake */
    j.started = 0;
    ck_assert_int_eq(co_future_set_result_int(j.wait_on, 1), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)),
                     CO_EINVAL);
    const char *msg = NULL;
    ck_assert_int_eq(co_future_exception(co_task_future(t), &msg), CO_EINVAL);
    ck_assert_ptr_nonnull(msg);
    ck_assert_ptr_nonnull(strstr(msg, "co_coro_init"));
    ck_assert_int_eq(j.started, 0); /* the body did not restart */
    ck_assert_int_eq(j.after, 0);
    co_task_unref(t);
    co_future_unref(j.wait_on);
    ck_assert_int_eq(co_loop_close(loop), 0);
}

START_TEST(test_reinit_of_an_awaiting_task_frame_fails_the_task)
{
    reinit_while_suspended(await_future);
}
END_TEST

START_TEST(test_reinit_of_a_yielding_task_frame_fails_the_task)
{
    reinit_while_suspended(yield_then_return);
}
END_TEST

START_TEST(test_a_frame_can_be_set_up_again_once_its_task_ended)
{
    co_loop *loop = unit_loop(NULL);
    struct job j = {.value = 3};
    ck_assert_int_eq(co_coro_init(&j.co, yield_then_return), 0);
    co_task *t = start(loop, &j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    co_task_unref(t);
    j.value = 4;
    ck_assert_int_eq(co_coro_init(&j.co, yield_then_return), 0);
    t = start(loop, &j, NULL);
    ck_assert_int_eq(co_loop_run_until_complete(loop, co_task_future(t)), 0);
    long long v = 0;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 4);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

static Suite *task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *basic = tcase_create("creation and results");
    tcase_add_test(basic, test_create_task_runs_nothing_until_the_loop_runs);
    tcase_add_test(basic, test_task_result_is_the_coroutine_return_value);
    tcase_add_test(basic, test_task_result_ptr_is_the_returned_pointer);
    tcase_add_test(basic, test_task_without_return_reads_as_zero);
    tcase_add_test(basic, test_task_failure_is_its_future_failure);
    tcase_add_test(basic, test_unread_task_failure_is_reported);
    tcase_add_test(basic, test_task_resumes_with_the_awaited_future_result);
    tcase_add_test(basic, test_awaiting_a_done_future_carries_on);
    tcase_add_test(basic, test_awaiting_a_task_gives_its_result);
    tcase_add_test(basic,
                   test_failure_propagates_through_child_coroutines_and_tasks);
    tcase_add_test(basic, test_task_is_a_future);
    tcase_add_test(basic, test_yielding_tasks_take_turns);
    tcase_add_test(basic, test_create_task_rejects_bad_arguments);
    unit_add_case(s, basic);

    TCase *intro = tcase_create("names, current, all, where");
    tcase_add_test(intro, test_default_names_are_task_n);
    tcase_add_test(intro, test_custom_name_is_copied_and_can_be_changed);
    tcase_add_test(intro, test_current_task_inside_and_outside);
    tcase_add_test(intro, test_all_tasks_lists_the_pending_ones);
    tcase_add_test(intro, test_task_where_gives_the_innermost_suspension_point);
    unit_add_case(s, intro);

    TCase *misuse = tcase_create("misuse of await");
    tcase_add_test(misuse, test_await_outside_a_task_is_enotask);
    tcase_add_test(misuse, test_sleep_outside_a_task_is_enotask);
    tcase_add_test(misuse, test_await_in_a_plain_callback_is_enotask);
    tcase_add_test(misuse, test_task_awaiting_itself_is_eawaitself);
    tcase_add_test(misuse, test_a_bare_return_in_a_task_fails_the_task);
    tcase_add_test(misuse, test_a_task_refuses_set_result_and_set_exception);
    tcase_add_test(misuse,
                   test_a_child_stepped_by_hand_that_awaits_fails_the_task);
    unit_add_case(s, misuse);

    TCase *cancel = tcase_create("cancellation");
    tcase_add_test(cancel, test_cancel_pending_task_returns_true);
    tcase_add_test(cancel, test_cancel_from_a_timer_due_with_the_sleep);
    tcase_add_test(cancel,
                   test_sleeps_cancelled_in_the_middle_keep_deadline_order);
    tcase_add_test(cancel, test_cancel_done_task_returns_false);
    tcase_add_test(cancel, test_cancel_twice_returns_true_both_times);
    tcase_add_test(cancel, test_cancelled_only_after_the_coroutine_ended);
    tcase_add_test(cancel, test_cancel_before_the_first_step_runs_nothing);
    tcase_add_test(cancel, test_cancel_before_the_first_step_is_not_lost);
    tcase_add_test(cancel,
                   test_catching_cancellation_in_sleep_leaves_task_not_cancelled);
    tcase_add_test(cancel,
                   test_catching_cancellation_in_await_leaves_task_not_cancelled);
    tcase_add_test(cancel, test_finally_runs_on_cancellation);
    tcase_add_test(cancel, test_cancel_reaches_the_innermost_child_coroutine);
    tcase_add_test(cancel,
                   test_cancelling_an_awaiting_task_cancels_the_awaited_one);
    unit_add_case(s, cancel);

    TCase *frames = tcase_create("one frame, one task");
    tcase_add_test(frames, test_create_task_twice_on_one_caller_frame_is_einval);
    tcase_add_test(frames, test_create_task_twice_on_a_co_new_frame_is_einval);
    tcase_add_test(frames, test_reinit_of_an_awaiting_task_frame_fails_the_task);
    tcase_add_test(frames, test_reinit_of_a_yielding_task_frame_fails_the_task);
    tcase_add_test(frames, test_a_frame_can_be_set_up_again_once_its_task_ended);
    unit_add_case(s, frames);
    return s;
}

int main(void)
{
    return unit_main(task_suite());
}
