/* test_coro.c - the local continuation (coflow/lc.h) and the coroutine
 * macros (coflow/coro.h), driven by hand with co_coro_step: no loop, no
 * task. This is how lesson 03 uses them: a coroutine is a generator. */
#include "unit.h"

/* ---- the bare local continuation ---------------------------------------- */

/* Writes 1, 2, 3 into *out, one per call, resuming after each yield. */
static int lc_counter(co_lc *lc, int *out)
{
    CO_LC_RESUME(*lc)
    *out = 1;
    CO_LC_YIELD(*lc, 1);
    *out = 2;
    CO_LC_YIELD(*lc, 1);
    *out = 3;
    CO_LC_END(*lc)
    return 0;
}

START_TEST(test_lc_resumes_after_each_yield)
{
    co_lc lc = 0;
    int out = 0;
    ck_assert_int_eq(lc_counter(&lc, &out), 1);
    ck_assert_int_eq(out, 1);
    ck_assert_int_ne(lc, 0);
    ck_assert_int_eq(lc_counter(&lc, &out), 1);
    ck_assert_int_eq(out, 2);
    ck_assert_int_eq(lc_counter(&lc, &out), 0);
    ck_assert_int_eq(out, 3);
}
END_TEST

/* ---- frames used by the tests ------------------------------------------- */

/* A coroutine with a trace: each step appends letters to `log`. */
struct traced {
    co_coro co;
    char log[64];  /* what ran, in order */
    int i;         /* a loop counter that must survive suspensions */
    int steps;     /* how many times the body was entered past CO_BEGIN */
    int seen_err;  /* (co)->err as seen inside CO_FINALLY */
    int flag;      /* set by code that must not run */
};

static void trace(struct traced *t, const char *what)
{
    size_t used = strlen(t->log);
    snprintf(t->log + used, sizeof t->log - used, "%s", what);
}

static void traced_init(struct traced *t, co_coro_fn fn)
{
    memset(t, 0, sizeof *t);
    ck_assert_int_eq(co_coro_init(&t->co, fn), 0);
}

/* Yields three times, then returns 42. */
static int yield_three(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    self->steps++;
    CO_BEGIN(co);
    for (self->i = 0; self->i < 3; self->i++) {
        trace(self, "y");
        CO_YIELD(co);
    }
    trace(self, "r");
    CO_RETURN(co, 42);
    CO_END(co);
}

static int return_ptr(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    CO_RETURN_PTR(co, self);
    CO_END(co);
}

static int return_nothing(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    trace(self, "b");
    CO_END(co);
}

static int raise_after_yield(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    char message[32];
    CO_BEGIN(co);
    CO_YIELD(co);
    /* A message on the stack: CO_RAISE must copy it. */
    snprintf(message, sizeof message, "%s", "disk on fire");
    CO_RAISE(co, CO_EUSER - 1, message);
    self->flag = 1; /* never reached */
    CO_END(co);
}

static int finally_after_fallthrough(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    trace(self, "B");
    CO_YIELD(co);
    trace(self, "b");
    CO_FINALLY(co);
    self->seen_err = co->err;
    trace(self, "F");
    CO_END(co);
}

static int finally_after_return(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    trace(self, "B");
    CO_RETURN(co, 7);
    trace(self, "x");
    CO_FINALLY(co);
    self->seen_err = co->err;
    trace(self, "F");
    CO_END(co);
}

static int finally_after_raise(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    trace(self, "B");
    CO_RAISE(co, CO_EFAIL, "body failed");
    trace(self, "x");
    CO_FINALLY(co);
    self->seen_err = co->err;
    trace(self, "F");
    CO_END(co);
}

static int finally_that_suspends(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    trace(self, "B");
    CO_RETURN(co, 9);
    CO_FINALLY(co);
    trace(self, "F");
    CO_YIELD(co);
    trace(self, "G");
    CO_END(co);
}

static int raise_inside_finally(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    CO_RAISE(co, CO_EUSER - 1, "first");
    CO_FINALLY(co);
    trace(self, "F");
    CO_RAISE(co, CO_EUSER - 2, "second");
    trace(self, "x");
    CO_END(co);
}

/* Waits until `flag` becomes true, counting the yields in `i`. */
static int wait_for_flag(co_coro *co)
{
    struct traced *self = (struct traced *)co;
    CO_BEGIN(co);
    CO_WAIT_UNTIL(co, self->flag);
    trace(self, "w");
    CO_END(co);
}

/* ---- the coroutine layer by hand ---------------------------------------- */

START_TEST(test_init_runs_nothing)
{
    struct traced t;
    traced_init(&t, yield_three);
    ck_assert_int_eq(t.steps, 0);
    ck_assert(!co_coro_done(&t.co));
    ck_assert_int_eq(co_coro_error(&t.co, NULL), CO_ESTATE);
    long long v = -1;
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), CO_ESTATE);
}
END_TEST

START_TEST(test_init_rejects_null)
{
    struct traced t;
    ck_assert_int_eq(co_coro_init(NULL, yield_three), CO_EINVAL);
    ck_assert_int_eq(co_coro_init(&t.co, NULL), CO_EINVAL);
    ck_assert_int_eq(co_coro_step(NULL), CO_EINVAL);
}
END_TEST

START_TEST(test_yield_suspends_and_resumes_where_it_stopped)
{
    struct traced t;
    traced_init(&t, yield_three);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_str_eq(t.log, "y");
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_str_eq(t.log, "yy");
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_str_eq(t.log, "yyy");
    ck_assert(!co_coro_done(&t.co));
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "yyyr");
    ck_assert(co_coro_done(&t.co));
    ck_assert_int_eq(t.steps, 4);
}
END_TEST

START_TEST(test_return_value_is_read_after_the_end)
{
    struct traced t;
    traced_init(&t, yield_three);
    long long v = 0;
    while (co_coro_step(&t.co) != CO_STATUS_DONE)
        ck_assert_int_eq(co_coro_result_int(&t.co, &v), CO_ESTATE);
    ck_assert_int_eq(co_coro_error(&t.co, NULL), 0);
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), 0);
    ck_assert_int_eq(v, 42);
    void *p = NULL;
    ck_assert_int_eq(co_coro_result_ptr(&t.co, &p), CO_EKIND);
}
END_TEST

START_TEST(test_return_ptr_is_read_as_pointer)
{
    struct traced t;
    traced_init(&t, return_ptr);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    void *p = NULL;
    ck_assert_int_eq(co_coro_result_ptr(&t.co, &p), 0);
    ck_assert_ptr_eq(p, &t);
    long long v;
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), CO_EKIND);
}
END_TEST

START_TEST(test_ending_without_return_reads_as_zero)
{
    struct traced t;
    traced_init(&t, return_nothing);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "b");
    long long v = -1;
    void *p = &t;
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(co_coro_result_ptr(&t.co, &p), 0);
    ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_raise_ends_with_code_and_copied_message)
{
    struct traced t;
    traced_init(&t, raise_after_yield);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert(co_coro_done(&t.co));
    ck_assert_int_eq(t.flag, 0);
    const char *msg = NULL;
    ck_assert_int_eq(co_coro_error(&t.co, &msg), CO_EUSER - 1);
    ck_assert_pstr_eq(msg, "disk on fire");
    long long v;
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), CO_EUSER - 1);
    co_coro_free(&t.co); /* frees the message; the frame is ours */
}
END_TEST

START_TEST(test_finally_runs_when_the_body_falls_off_the_end)
{
    struct traced t;
    traced_init(&t, finally_after_fallthrough);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_str_eq(t.log, "B");
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "BbF");
    ck_assert_int_eq(t.seen_err, 0);
    ck_assert_int_eq(co_coro_error(&t.co, NULL), 0);
}
END_TEST

START_TEST(test_finally_runs_after_return_and_keeps_the_value)
{
    struct traced t;
    traced_init(&t, finally_after_return);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "BF");
    ck_assert_int_eq(t.seen_err, 0);
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), 0);
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(test_finally_runs_after_raise_and_sees_the_failure)
{
    struct traced t;
    traced_init(&t, finally_after_raise);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "BF");
    ck_assert_int_eq(t.seen_err, CO_EFAIL);
    const char *msg = NULL;
    ck_assert_int_eq(co_coro_error(&t.co, &msg), CO_EFAIL);
    ck_assert_pstr_eq(msg, "body failed");
    co_coro_free(&t.co);
}
END_TEST

START_TEST(test_finally_may_suspend)
{
    struct traced t;
    traced_init(&t, finally_that_suspends);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_str_eq(t.log, "BF");
    ck_assert(!co_coro_done(&t.co));
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "BFG");
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), 0);
    ck_assert_int_eq(v, 9);
}
END_TEST

START_TEST(test_raise_inside_finally_replaces_the_failure)
{
    struct traced t;
    traced_init(&t, raise_inside_finally);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "F");
    const char *msg = NULL;
    ck_assert_int_eq(co_coro_error(&t.co, &msg), CO_EUSER - 2);
    ck_assert_pstr_eq(msg, "second");
    co_coro_free(&t.co);
}
END_TEST

START_TEST(test_finished_coroutine_stays_finished)
{
    struct traced t;
    traced_init(&t, finally_after_return);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "BF");
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "BF"); /* neither the body nor the finally again */
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&t.co, &v), 0);
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(test_wait_until_a_true_condition_does_not_yield)
{
    struct traced t;
    traced_init(&t, wait_for_flag);
    t.flag = 1;
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "w");
}
END_TEST

START_TEST(test_wait_until_yields_while_the_condition_is_false)
{
    struct traced t;
    traced_init(&t, wait_for_flag);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_str_eq(t.log, "");
    t.flag = 1;
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_str_eq(t.log, "w");
}
END_TEST

START_TEST(test_two_frames_of_one_coroutine_are_independent)
{
    struct traced a, b;
    traced_init(&a, yield_three);
    traced_init(&b, yield_three);
    ck_assert_int_eq(co_coro_step(&a.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&a.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&b.co), CO_STATUS_YIELD);
    ck_assert_int_eq(a.i, 1);
    ck_assert_int_eq(b.i, 0);
    ck_assert_str_eq(a.log, "yy");
    ck_assert_str_eq(b.log, "y");
}
END_TEST

/* ---- awaiting child coroutines ------------------------------------------ */

/* A parent holding its child's frame, as a Python caller holds the
 * coroutine object it awaits. */
struct parent {
    co_coro co;
    struct traced child;  /* the awaited coroutine */
    char log[64];         /* the parent's own trace */
    int caught;           /* what a _CATCH form stored */
    char caught_msg[64];  /* co_caught_message(), copied at once */
    long long got;        /* the child's return value */
    int after;            /* set after the await (must not run on failure) */
};

static void parent_trace(struct parent *p, const char *what)
{
    size_t used = strlen(p->log);
    snprintf(p->log + used, sizeof p->log - used, "%s", what);
}

static void parent_init(struct parent *p, co_coro_fn fn, co_coro_fn child_fn)
{
    memset(p, 0, sizeof *p);
    p->caught = 12345;
    ck_assert_int_eq(co_coro_init(&p->co, fn), 0);
    ck_assert_int_eq(co_coro_init(&p->child.co, child_fn), 0);
}

/* Awaits the child, returns twice its value. */
static int await_child(co_coro *co)
{
    struct parent *self = (struct parent *)co;
    CO_BEGIN(co);
    parent_trace(self, "<");
    CO_AWAIT_CORO(co, &self->child.co);
    self->after = 1;
    ck_assert_int_eq(co_coro_result_int(&self->child.co, &self->got), 0);
    parent_trace(self, ">");
    CO_RETURN(co, self->got * 2);
    CO_FINALLY(co);
    parent_trace(self, "F");
    CO_END(co);
}

/* Awaits the child with the _CATCH form and returns normally. */
static int await_child_catch(co_coro *co)
{
    struct parent *self = (struct parent *)co;
    CO_BEGIN(co);
    CO_AWAIT_CORO_CATCH(co, &self->child.co, self->caught);
    if (co_caught_message())
        snprintf(self->caught_msg, sizeof self->caught_msg, "%s",
                 co_caught_message());
    self->after = 1;
    CO_RETURN(co, 5);
    CO_END(co);
}

START_TEST(test_await_coro_passes_yields_through_and_gets_the_value)
{
    struct parent p;
    parent_init(&p, await_child, yield_three);
    /* The child's three yields are the parent's: no extra step, no loop. */
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_YIELD);
    ck_assert_ptr_eq(p.co.callee, &p.child.co);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_YIELD);
    ck_assert_str_eq(p.child.log, "yyy");
    ck_assert_int_eq(p.after, 0);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_DONE);
    ck_assert_ptr_null(p.co.callee);
    ck_assert_int_eq(p.got, 42);
    ck_assert_str_eq(p.log, "<>F");
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&p.co, &v), 0);
    ck_assert_int_eq(v, 84);
}
END_TEST

START_TEST(test_await_coro_failure_propagates_with_its_message)
{
    struct parent p;
    parent_init(&p, await_child, raise_after_yield);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_DONE);
    ck_assert_int_eq(p.after, 0);
    ck_assert_str_eq(p.log, "<F"); /* the parent's finally ran */
    const char *msg = NULL;
    ck_assert_int_eq(co_coro_error(&p.co, &msg), CO_EUSER - 1);
    ck_assert_pstr_eq(msg, "disk on fire");
    ck_assert_int_eq(co_coro_error(&p.child.co, NULL), CO_EUSER - 1);
    co_coro_free(&p.child.co);
    co_coro_free(&p.co);
}
END_TEST

START_TEST(test_await_coro_catch_stores_the_code_and_carries_on)
{
    struct parent p;
    parent_init(&p, await_child_catch, raise_after_yield);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_DONE);
    ck_assert_int_eq(p.caught, CO_EUSER - 1);
    ck_assert_str_eq(p.caught_msg, "disk on fire");
    ck_assert_int_eq(p.after, 1);
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&p.co, &v), 0);
    ck_assert_int_eq(v, 5);
    co_coro_free(&p.child.co);
}
END_TEST

START_TEST(test_await_coro_catch_of_a_success_stores_zero)
{
    struct parent p;
    parent_init(&p, await_child_catch, return_nothing);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_DONE);
    ck_assert_int_eq(p.caught, 0);
    ck_assert_int_eq(p.after, 1);
}
END_TEST

START_TEST(test_await_of_a_started_child_is_ereused)
{
    struct parent p;
    parent_init(&p, await_child_catch, yield_three);
    ck_assert_int_eq(co_coro_step(&p.child.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_DONE);
    ck_assert_int_eq(p.caught, CO_EREUSED);
    ck_assert_str_eq(p.child.log, "y"); /* the child was not stepped */
}
END_TEST

START_TEST(test_await_of_a_finished_child_is_ereused)
{
    struct parent p;
    parent_init(&p, await_child, return_nothing);
    while (co_coro_step(&p.child.co) != CO_STATUS_DONE)
        ;
    ck_assert_int_eq(co_coro_step(&p.co), CO_STATUS_DONE);
    ck_assert_int_eq(p.after, 0);
    ck_assert_int_eq(co_coro_error(&p.co, NULL), CO_EREUSED);
    co_coro_free(&p.co);
}
END_TEST

START_TEST(test_reinitialised_child_can_be_awaited_again)
{
    struct parent p;
    parent_init(&p, await_child, yield_three);
    while (co_coro_step(&p.child.co) != CO_STATUS_DONE)
        ;
    memset(&p.child, 0, sizeof p.child);
    ck_assert_int_eq(co_coro_init(&p.child.co, yield_three), 0);
    int status;
    while ((status = co_coro_step(&p.co)) == CO_STATUS_YIELD)
        ;
    ck_assert_int_eq(status, CO_STATUS_DONE);
    ck_assert_int_eq(co_coro_error(&p.co, NULL), 0);
    ck_assert_int_eq(p.got, 42);
}
END_TEST

/* Three levels: the outer awaits a parent, which awaits a child. */
struct outer {
    co_coro co;
    struct parent mid;
};

static int await_mid(co_coro *co)
{
    struct outer *self = (struct outer *)co;
    long long v = 0;
    CO_BEGIN(co);
    CO_AWAIT_CORO(co, &self->mid.co);
    ck_assert_int_eq(co_coro_result_int(&self->mid.co, &v), 0);
    CO_RETURN(co, v + 1);
    CO_END(co);
}

START_TEST(test_await_coro_nests)
{
    struct outer o;
    memset(&o, 0, sizeof o);
    ck_assert_int_eq(co_coro_init(&o.co, await_mid), 0);
    parent_init(&o.mid, await_child, yield_three);
    int yields = 0, status;
    while ((status = co_coro_step(&o.co)) == CO_STATUS_YIELD) {
        yields++;
        ck_assert_ptr_eq(o.co.callee, &o.mid.co);
        ck_assert_ptr_eq(o.mid.co.callee, &o.mid.child.co);
    }
    ck_assert_int_eq(status, CO_STATUS_DONE);
    ck_assert_int_eq(yields, 3);
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(&o.co, &v), 0);
    ck_assert_int_eq(v, 85);
}
END_TEST

/* ---- frames from the heap ----------------------------------------------- */

struct heap_frame {
    co_coro co;
    int data[8];
};

START_TEST(test_co_new_gives_a_zeroed_fresh_frame)
{
    struct heap_frame *f = CO_NEW(struct heap_frame, return_nothing);
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(f->data[i], 0);
    ck_assert(!co_coro_done(&f->co));
    ck_assert_int_eq(co_coro_error(&f->co, NULL), CO_ESTATE);
    co_coro_free(&f->co);
}
END_TEST

START_TEST(test_co_new_frame_runs_by_hand_and_frees)
{
    struct traced *t = CO_NEW(struct traced, raise_after_yield);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(co_coro_step(&t->co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&t->co), CO_STATUS_DONE);
    ck_assert_int_eq(co_coro_error(&t->co, NULL), CO_EUSER - 1);
    co_coro_free(&t->co); /* frame and message: valgrind sees no leak */
}
END_TEST

START_TEST(test_co_new_rejects_bad_arguments)
{
    ck_assert_ptr_null(co_coro_new(sizeof(co_coro) - 1, return_nothing));
    ck_assert_ptr_null(co_coro_new(sizeof(co_coro), NULL));
    co_coro_free(NULL); /* a no-op */
}
END_TEST

/* A coroutine body written like a plain function: after one yield it
 * "fails" with `return code;` instead of CO_RAISE. */
static int bare_return(co_coro *co)
{
    struct traced *t = (struct traced *)co;
    CO_BEGIN(co);
    CO_YIELD(co);
    return t->flag; /* the mistake under test */
    CO_END(co);
}

START_TEST(test_a_bare_return_of_a_code_ends_the_coroutine_with_it)
{
    struct traced t;
    traced_init(&t, bare_return);
    t.flag = CO_ESTATE;
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert(co_coro_done(&t.co));
    const char *msg;
    ck_assert_int_eq(co_coro_error(&t.co, &msg), CO_ESTATE);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(strstr(msg, "CO_RAISE"), "message: %s", msg);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE); /* stays done */
    co_coro_free(&t.co);
}
END_TEST

START_TEST(test_a_bare_return_of_a_non_status_is_einval)
{
    struct traced t;
    traced_init(&t, bare_return);
    t.flag = 7; /* neither a status nor a failure code */
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&t.co), CO_STATUS_DONE);
    ck_assert_int_eq(co_coro_error(&t.co, NULL), CO_EINVAL);
    co_coro_free(&t.co);
}
END_TEST

struct awaits_bare {
    co_coro co;
    struct traced child;
};

static int await_bare_child(co_coro *co)
{
    struct awaits_bare *self = (struct awaits_bare *)co;
    CO_BEGIN(co);
    CO_AWAIT_CORO(co, &self->child.co);
    CO_END(co);
}

START_TEST(test_a_bare_return_in_an_awaited_child_fails_the_parent)
{
    struct awaits_bare a;
    memset(&a, 0, sizeof a);
    co_coro_init(&a.co, await_bare_child);
    traced_init(&a.child, bare_return);
    a.child.flag = CO_EFAIL;
    ck_assert_int_eq(co_coro_step(&a.co), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(&a.co), CO_STATUS_DONE);
    const char *msg;
    ck_assert_int_eq(co_coro_error(&a.co, &msg), CO_EFAIL);
    ck_assert_msg(msg && strstr(msg, "CO_RAISE"), "message: %s",
                  msg ? msg : "(none)");
    co_coro_free(&a.co);
    co_coro_free(&a.child.co);
}
END_TEST

static Suite *coro_suite(void)
{
    Suite *s = suite_create("coro");
    TCase *lc = tcase_create("local continuation");
    tcase_add_test(lc, test_lc_resumes_after_each_yield);
    unit_add_case(s, lc);

    TCase *body = tcase_create("body macros");
    tcase_add_test(body, test_init_runs_nothing);
    tcase_add_test(body, test_init_rejects_null);
    tcase_add_test(body, test_yield_suspends_and_resumes_where_it_stopped);
    tcase_add_test(body, test_return_value_is_read_after_the_end);
    tcase_add_test(body, test_return_ptr_is_read_as_pointer);
    tcase_add_test(body, test_ending_without_return_reads_as_zero);
    tcase_add_test(body, test_raise_ends_with_code_and_copied_message);
    tcase_add_test(body, test_finally_runs_when_the_body_falls_off_the_end);
    tcase_add_test(body, test_finally_runs_after_return_and_keeps_the_value);
    tcase_add_test(body, test_finally_runs_after_raise_and_sees_the_failure);
    tcase_add_test(body, test_finally_may_suspend);
    tcase_add_test(body, test_raise_inside_finally_replaces_the_failure);
    tcase_add_test(body, test_finished_coroutine_stays_finished);
    tcase_add_test(body, test_wait_until_a_true_condition_does_not_yield);
    tcase_add_test(body, test_wait_until_yields_while_the_condition_is_false);
    tcase_add_test(body, test_two_frames_of_one_coroutine_are_independent);
    tcase_add_test(body, test_a_bare_return_of_a_code_ends_the_coroutine_with_it);
    tcase_add_test(body, test_a_bare_return_of_a_non_status_is_einval);
    tcase_add_test(body, test_a_bare_return_in_an_awaited_child_fails_the_parent);
    unit_add_case(s, body);

    TCase *await = tcase_create("await child coroutine");
    tcase_add_test(await,
                   test_await_coro_passes_yields_through_and_gets_the_value);
    tcase_add_test(await, test_await_coro_failure_propagates_with_its_message);
    tcase_add_test(await, test_await_coro_catch_stores_the_code_and_carries_on);
    tcase_add_test(await, test_await_coro_catch_of_a_success_stores_zero);
    tcase_add_test(await, test_await_of_a_started_child_is_ereused);
    tcase_add_test(await, test_await_of_a_finished_child_is_ereused);
    tcase_add_test(await, test_reinitialised_child_can_be_awaited_again);
    tcase_add_test(await, test_await_coro_nests);
    unit_add_case(s, await);

    TCase *heap = tcase_create("heap frames");
    tcase_add_test(heap, test_co_new_gives_a_zeroed_fresh_frame);
    tcase_add_test(heap, test_co_new_frame_runs_by_hand_and_frees);
    tcase_add_test(heap, test_co_new_rejects_bad_arguments);
    unit_add_case(s, heap);
    return s;
}

int main(void)
{
    return unit_main(coro_suite());
}
