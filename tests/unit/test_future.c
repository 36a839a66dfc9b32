/* test_future.c - co_future: states, results of each kind, cancellation,
 * done-callbacks (never inline, in registration order) and the report of a
 * failure nobody read. asyncio.Future is the reference (lesson 08). */
#include "unit.h"

/* What done-callbacks saw, in the order they ran. */
struct calls {
    int n;              /* how many callbacks ran */
    int order[16];      /* the tag of each, in order */
    co_future *fut[16]; /* the future each was given */
};

struct tagged {
    struct calls *calls;
    int tag;
};

static void record_call(co_future *f, void *arg)
{
    struct tagged *t = arg;
    struct calls *c = t->calls;
    if (c->n < 16) {
        c->order[c->n] = t->tag;
        c->fut[c->n] = f;
    }
    c->n++;
}

/* ---- states and results ------------------------------------------------- */

START_TEST(test_new_future_is_pending)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert(!co_future_done(f));
    ck_assert(!co_future_cancelled(f));
    ck_assert_ptr_eq(co_future_loop(f), loop);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_new_future_rejects_null)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f = (co_future *)loop; /* anything not NULL */
    ck_assert_int_eq(co_future_new(NULL, &f), CO_EINVAL);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(co_future_new(loop, NULL), CO_EINVAL);
    co_future_unref(NULL); /* a no-op */
    ck_assert_ptr_null(co_future_ref(NULL));
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_new_future_on_a_closed_loop_is_eclosed)
{
    co_loop *loop = unit_loop(NULL);
    co_future *keep, *f;
    ck_assert_int_eq(co_future_new(loop, &keep), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    /* The future keeps the closed loop's memory alive. */
    co_loop *closed = co_future_loop(keep);
    ck_assert(co_loop_is_closed(closed));
    ck_assert_int_eq(co_future_new(closed, &f), CO_ECLOSED);
    co_future_unref(keep);
}
END_TEST

START_TEST(test_future_of_a_closed_loop_cannot_be_completed)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_lt(co_future_set_result_int(f, 1), 0);
    ck_assert(!co_future_done(f));
    long long v;
    ck_assert_int_eq(co_future_result_int(f, &v), CO_ESTATE);
    co_future_unref(f);
}
END_TEST

START_TEST(test_set_result_int_is_read_back)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_int(f, -77), 0);
    ck_assert(co_future_done(f));
    ck_assert(!co_future_cancelled(f));
    long long v = 0;
    ck_assert_int_eq(co_future_result_int(f, &v), 0);
    ck_assert_int_eq(v, -77);
    ck_assert_int_eq(co_future_exception(f, NULL), 0);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_set_result_ptr_is_read_back)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    int target = 5;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_ptr(f, &target), 0);
    void *p = NULL;
    ck_assert_int_eq(co_future_result_ptr(f, &p), 0);
    ck_assert_ptr_eq(p, &target);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_string_result_is_copied)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    char buf[16];
    snprintf(buf, sizeof buf, "%s", "hello");
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_str(f, buf), 0);
    buf[0] = 'J';
    const char *s = NULL;
    ck_assert_int_eq(co_future_result_str(f, &s), 0);
    ck_assert_ptr_ne(s, buf);
    ck_assert_pstr_eq(s, "hello");
    co_future_unref(f); /* frees the copy: valgrind checks */
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_set_result_str_rejects_null)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_str(f, NULL), CO_EINVAL);
    ck_assert_int_eq(co_future_set_result_int(NULL, 1), CO_EINVAL);
    ck_assert(!co_future_done(f));
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_reading_another_kind_is_ekind)
{
    co_loop *loop = unit_loop(NULL);
    co_future *fi, *fs;
    ck_assert_int_eq(co_future_new(loop, &fi), 0);
    ck_assert_int_eq(co_future_new(loop, &fs), 0);
    ck_assert_int_eq(co_future_set_result_int(fi, 3), 0);
    ck_assert_int_eq(co_future_set_result_str(fs, "three"), 0);
    void *p;
    const char *s;
    long long v;
    ck_assert_int_eq(co_future_result_ptr(fi, &p), CO_EKIND);
    ck_assert_int_eq(co_future_result_str(fi, &s), CO_EKIND);
    ck_assert_int_eq(co_future_result_int(fs, &v), CO_EKIND);
    ck_assert_int_eq(co_future_result_ptr(fs, &p), CO_EKIND);
    co_future_unref(fi);
    co_future_unref(fs);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_reading_a_pending_result_is_estate)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    long long v;
    void *p;
    const char *s;
    ck_assert_int_eq(co_future_result_int(f, &v), CO_ESTATE);
    ck_assert_int_eq(co_future_result_ptr(f, &p), CO_ESTATE);
    ck_assert_int_eq(co_future_result_str(f, &s), CO_ESTATE);
    ck_assert_int_eq(co_future_exception(f, NULL), CO_ESTATE);
    ck_assert(!co_future_done(f)); /* reading changed nothing */
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_setting_a_done_future_again_is_estate)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 2), CO_ESTATE);
    ck_assert_int_eq(co_future_set_result_ptr(f, f), CO_ESTATE);
    ck_assert_int_eq(co_future_set_result_str(f, "x"), CO_ESTATE);
    ck_assert_int_eq(co_future_set_exception(f, CO_EFAIL, "late"), CO_ESTATE);
    long long v = 0;
    ck_assert_int_eq(co_future_result_int(f, &v), 0);
    ck_assert_int_eq(v, 1); /* the first result stands */
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_setting_a_cancelled_future_is_estate)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert(co_future_cancel(f));
    ck_assert_int_eq(co_future_set_result_int(f, 2), CO_ESTATE);
    ck_assert_int_eq(co_future_set_exception(f, CO_EFAIL, NULL), CO_ESTATE);
    ck_assert(co_future_cancelled(f));
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_exception_carries_code_and_copied_message)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    char msg[16];
    snprintf(msg, sizeof msg, "%s", "no route");
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_exception(f, CO_EUSER - 3, msg), 0);
    msg[0] = 'X';
    ck_assert(co_future_done(f));
    ck_assert(!co_future_cancelled(f));
    const char *m = NULL;
    ck_assert_int_eq(co_future_exception(f, &m), CO_EUSER - 3);
    ck_assert_pstr_eq(m, "no route");
    long long v;
    ck_assert_int_eq(co_future_result_int(f, &v), CO_EUSER - 3);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_exception_needs_a_negative_code)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_exception(f, 0, "zero"), CO_EINVAL);
    ck_assert_int_eq(co_future_set_exception(f, 3, "positive"), CO_EINVAL);
    ck_assert(!co_future_done(f));
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_exception_ecancelled_is_a_cancel)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_exception(f, CO_ECANCELLED, NULL), 0);
    ck_assert(co_future_cancelled(f));
    ck_assert(!co_future_cancel(f));
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- cancel ------------------------------------------------------------- */

START_TEST(test_cancel_pending_future_returns_true)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert(co_future_cancel(f));
    ck_assert(co_future_done(f));
    ck_assert(co_future_cancelled(f));
    long long v;
    ck_assert_int_eq(co_future_result_int(f, &v), CO_ECANCELLED);
    ck_assert_int_eq(co_future_exception(f, NULL), CO_ECANCELLED);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancel_done_future_returns_false)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f, *g;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_new(loop, &g), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 4), 0);
    ck_assert(!co_future_cancel(f));
    ck_assert(!co_future_cancelled(f));
    ck_assert(co_future_cancel(g));
    ck_assert(!co_future_cancel(g)); /* a second cancel finds it done */
    ck_assert(!co_future_cancel(NULL));
    co_future_unref(f);
    co_future_unref(g);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_live_futures_counts_what_is_still_referenced)
{
    co_loop *loop = unit_loop(NULL);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_uint_eq(co_loop_live_futures(NULL), 0);
    co_future *f, *g;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_new(loop, &g), 0);
    ck_assert_uint_eq(co_loop_live_futures(loop), 2);
    co_future_unref(g);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1);
    /* A queued done-callback keeps its future alive until it has run. */
    struct calls c = {0};
    struct tagged t = {&c, 1};
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &t), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    co_future_unref(f);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(c.n, 1);
    ck_assert_uint_eq(co_loop_live_futures(loop), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- done-callbacks ----------------------------------------------------- */

START_TEST(test_done_callback_never_runs_inline)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged t = {&c, 1};
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &t), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(c.n, 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq(c.n, 1);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_done_callbacks_run_in_registration_order)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged t[4] = {{&c, 3}, {&c, 1}, {&c, 4}, {&c, 2}};
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(co_future_add_done_callback(f, record_call, &t[i]),
                         0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq(c.n, 4);
    ck_assert_int_eq(c.order[0], 3);
    ck_assert_int_eq(c.order[1], 1);
    ck_assert_int_eq(c.order[2], 4);
    ck_assert_int_eq(c.order[3], 2);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_done_callback_receives_the_future_and_its_argument)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged t = {&c, 99};
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &t), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq(c.n, 1);
    ck_assert_int_eq(c.order[0], 99);
    ck_assert_ptr_eq(c.fut[0], f);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_callback_added_after_done_is_scheduled_not_run_inline)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged t = {&c, 1};
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &t), 0);
    ck_assert_int_eq(c.n, 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(c.n, 1);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancel_and_failure_schedule_the_callbacks_too)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged t1 = {&c, 1}, t2 = {&c, 2};
    co_future *f, *g;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_new(loop, &g), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &t1), 0);
    ck_assert_int_eq(co_future_add_done_callback(g, record_call, &t2), 0);
    ck_assert(co_future_cancel(f));
    ck_assert_int_eq(co_future_set_exception(g, CO_EFAIL, "g"), 0);
    ck_assert_int_eq(c.n, 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(c.n, 2);
    ck_assert_int_eq(c.order[0], 1);
    ck_assert_int_eq(c.order[1], 2);
    ck_assert_int_eq(co_future_exception(g, NULL), CO_EFAIL);
    co_future_unref(f);
    co_future_unref(g);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_done_callback_runs_once)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged t = {&c, 1};
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &t), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(c.n, 1);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_remove_done_callback_counts_what_it_removed)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged a = {&c, 1}, b = {&c, 2};
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &a), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &b), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &a), 0);
    ck_assert_int_eq(co_future_remove_done_callback(f, record_call, &a), 2);
    ck_assert_int_eq(co_future_remove_done_callback(f, record_call, &a), 0);
    ck_assert_int_eq(co_future_remove_done_callback(f, NULL, &a), CO_EINVAL);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq(c.n, 1); /* only b is left */
    ck_assert_int_eq(c.order[0], 2);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_remove_after_scheduling_removes_nothing)
{
    co_loop *loop = unit_loop(NULL);
    struct calls c = {0};
    struct tagged a = {&c, 1};
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, record_call, &a), 0);
    ck_assert_int_eq(co_future_set_result_int(f, 1), 0);
    ck_assert_int_eq(co_future_remove_done_callback(f, record_call, &a), 0);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(c.n, 1);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_add_done_callback_rejects_null)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, NULL, NULL), CO_EINVAL);
    ck_assert_int_eq(co_future_add_done_callback(NULL, record_call, NULL),
                     CO_EINVAL);
    co_future_unref(f);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* Reads the result inside the callback, after the caller dropped its own
 * reference: the scheduled callback holds one. */
static void read_in_callback(co_future *f, void *arg)
{
    long long *out = arg;
    ck_assert_int_eq(co_future_result_int(f, out), 0);
}

START_TEST(test_futures_of_a_closed_loop_refuse_with_eclosed)
{
    co_loop *loop = unit_loop(NULL);
    co_future *pending, *done;
    ck_assert_int_eq(co_future_new(loop, &pending), 0);
    ck_assert_int_eq(co_future_new(loop, &done), 0);
    ck_assert_int_eq(co_future_set_result_int(done, 1), 0);
    ck_assert_int_eq(co_loop_close(loop), 0); /* the futures keep it */
    ck_assert_int_eq(co_future_new(loop, &(co_future *){NULL}), CO_ECLOSED);
    /* a pending future can no longer be completed, in any way */
    ck_assert_int_eq(co_future_set_result_int(pending, 2), CO_ECLOSED);
    ck_assert_int_eq(co_future_set_result_str(pending, "x"), CO_ECLOSED);
    ck_assert_int_eq(co_future_set_exception(pending, CO_EFAIL, "no"),
                     CO_ECLOSED);
    ck_assert(!co_future_cancel(pending));
    ck_assert(!co_future_done(pending));
    /* a done one: a result twice is still CO_ESTATE, and a callback could
     * never be scheduled */
    ck_assert_int_eq(co_future_set_result_int(done, 3), CO_ESTATE);
    struct calls calls = {0};
    struct tagged tag = {&calls, 1};
    ck_assert_int_eq(co_future_add_done_callback(done, record_call, &tag),
                     CO_ECLOSED);
    long long v = 0;
    ck_assert_int_eq(co_future_result_int(done, &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(calls.n, 0);
    co_future_unref(pending);
    co_future_unref(done);
}
END_TEST

START_TEST(test_scheduled_callback_keeps_the_future_alive)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f;
    long long got = 0;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_add_done_callback(f, read_in_callback, &got),
                     0);
    ck_assert_int_eq(co_future_set_result_int(f, 31), 0);
    co_future_unref(f);
    ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_int_eq(got, 31);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

/* ---- failures nobody read ----------------------------------------------- */

START_TEST(test_unretrieved_exception_is_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_set_exception(f, CO_EFAIL, "lost failure"), 0);
    ck_assert_int_eq(r.count, 0);
    co_future_unref(f);
    ck_assert_int_eq(r.count, 1);
    ck_assert_ptr_nonnull(strstr(r.last, "never retrieved"));
    ck_assert_ptr_nonnull(strstr(r.last, "lost failure"));
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_retrieved_exception_is_not_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *f, *g;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_new(loop, &g), 0);
    ck_assert_int_eq(co_future_set_exception(f, CO_EFAIL, "read"), 0);
    ck_assert_int_eq(co_future_set_exception(g, CO_EFAIL, "read"), 0);
    ck_assert_int_eq(co_future_exception(f, NULL), CO_EFAIL);
    long long v;
    ck_assert_int_eq(co_future_result_int(g, &v), CO_EFAIL);
    co_future_unref(f);
    co_future_unref(g);
    ck_assert_int_eq(r.count, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_cancelled_or_successful_future_is_not_reported)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *f, *g;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_int_eq(co_future_new(loop, &g), 0);
    ck_assert(co_future_cancel(f));
    ck_assert_int_eq(co_future_set_result_int(g, 1), 0);
    co_future_unref(f);
    co_future_unref(g);
    ck_assert_int_eq(r.count, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

START_TEST(test_report_waits_for_the_last_reference)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *f;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    ck_assert_ptr_eq(co_future_ref(f), f);
    ck_assert_int_eq(co_future_set_exception(f, CO_EFAIL, NULL), 0);
    co_future_unref(f);
    ck_assert_int_eq(r.count, 0);
    co_future_unref(f);
    ck_assert_int_eq(r.count, 1);
    ck_assert_ptr_nonnull(strstr(r.last, "never retrieved"));
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

static Suite *future_suite(void)
{
    Suite *s = suite_create("future");
    TCase *state = tcase_create("states and results");
    tcase_add_test(state, test_new_future_is_pending);
    tcase_add_test(state, test_new_future_rejects_null);
    tcase_add_test(state, test_new_future_on_a_closed_loop_is_eclosed);
    tcase_add_test(state, test_future_of_a_closed_loop_cannot_be_completed);
    tcase_add_test(state, test_set_result_int_is_read_back);
    tcase_add_test(state, test_set_result_ptr_is_read_back);
    tcase_add_test(state, test_string_result_is_copied);
    tcase_add_test(state, test_set_result_str_rejects_null);
    tcase_add_test(state, test_reading_another_kind_is_ekind);
    tcase_add_test(state, test_reading_a_pending_result_is_estate);
    tcase_add_test(state, test_setting_a_done_future_again_is_estate);
    tcase_add_test(state, test_setting_a_cancelled_future_is_estate);
    tcase_add_test(state, test_exception_carries_code_and_copied_message);
    tcase_add_test(state, test_exception_needs_a_negative_code);
    tcase_add_test(state, test_exception_ecancelled_is_a_cancel);
    unit_add_case(s, state);

    TCase *cancel = tcase_create("cancel");
    tcase_add_test(cancel, test_cancel_pending_future_returns_true);
    tcase_add_test(cancel, test_cancel_done_future_returns_false);
    unit_add_case(s, cancel);

    TCase *cb = tcase_create("done-callbacks");
    tcase_add_test(cb, test_live_futures_counts_what_is_still_referenced);
    tcase_add_test(cb, test_done_callback_never_runs_inline);
    tcase_add_test(cb, test_done_callbacks_run_in_registration_order);
    tcase_add_test(cb, test_done_callback_receives_the_future_and_its_argument);
    tcase_add_test(cb,
                   test_callback_added_after_done_is_scheduled_not_run_inline);
    tcase_add_test(cb, test_cancel_and_failure_schedule_the_callbacks_too);
    tcase_add_test(cb, test_done_callback_runs_once);
    tcase_add_test(cb, test_remove_done_callback_counts_what_it_removed);
    tcase_add_test(cb, test_remove_after_scheduling_removes_nothing);
    tcase_add_test(cb, test_add_done_callback_rejects_null);
    tcase_add_test(cb, test_scheduled_callback_keeps_the_future_alive);
    tcase_add_test(cb, test_futures_of_a_closed_loop_refuse_with_eclosed);
    unit_add_case(s, cb);

    TCase *report = tcase_create("never retrieved");
    tcase_add_test(report, test_unretrieved_exception_is_reported);
    tcase_add_test(report, test_retrieved_exception_is_not_reported);
    tcase_add_test(report, test_cancelled_or_successful_future_is_not_reported);
    tcase_add_test(report, test_report_waits_for_the_last_reference);
    unit_add_case(s, report);
    return s;
}

int main(void)
{
    return unit_main(future_suite());
}
