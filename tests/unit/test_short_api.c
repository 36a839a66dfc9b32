/* test_short_api.c - the short API: CO_ASYNC / CO_CORO, starting a task in
 * one call, the combinators over coroutines, gather's results in one call,
 * returned strings and "returned nothing", co_future_repr, co_sleep; and
 * every misuse of them. */
#include "unit.h"

CO_ASYNC(add, int a; int b; int fail;)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    if (self->fail)
        CO_RAISE(co, CO_EFAIL, "add failed");
    CO_RETURN(co, self->a + self->b);
    CO_END(co);
}

CO_ASYNC(nothing, )
{
    CO_BEGIN(co);
    CO_END(co);
}

CO_ASYNC(words, int n;)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    CO_RETURN_FMT(co, "n=%d", self->n);
    CO_END(co);
}

static int ran_count;

CO_ASYNC(counted, )
{
    CO_BEGIN(co);
    ran_count++;
    CO_END(co);
}

/* Runs @p f's loop until @p f is done. */
static void run_until(co_loop *loop, co_future *f)
{
    co_loop_run_until_complete(loop, f);
}

/* Lets the loop run the callbacks still queued (a combinator's late ones)
 * before it closes, so that nothing is left holding memory. */
static void drain(co_loop *loop)
{
    for (int i = 0; i < 3; i++)
        unit_run_once(loop);
}

/* ---- frames and results -------------------------------------------------- */

START_TEST(test_co_coro_sets_the_fields_and_runs_nothing)
{
    co_coro *c = CO_CORO(add, .a = 2, .b = 3);
    ck_assert_ptr_nonnull(c);
    struct add *f = (struct add *)(void *)c;
    ck_assert_int_eq(f->a, 2);
    ck_assert_int_eq(f->b, 3);
    ck_assert_int_eq(f->fail, 0);
    ck_assert_int_eq(c->lc, 0);
    ck_assert_int_eq(co_coro_step(c), CO_STATUS_YIELD);
    ck_assert_int_eq(co_coro_step(c), CO_STATUS_DONE);
    long long v = 0;
    ck_assert_int_eq(co_coro_result_int(c, &v), 0);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(co_coro_result_kind(c), CO_KIND_INT);
    co_coro_free(c);
}
END_TEST

START_TEST(test_returned_nothing_is_told_from_zero)
{
    co_coro *none = CO_CORO(nothing);
    co_coro *zero = CO_CORO(add);
    ck_assert_int_eq(co_coro_result_kind(none), CO_ESTATE);
    co_coro_step(none);
    co_coro_step(zero);
    co_coro_step(zero);
    ck_assert_int_eq(co_coro_result_kind(none), CO_KIND_NONE);
    ck_assert_int_eq(co_coro_result_kind(zero), CO_KIND_INT);
    ck_assert_int_eq(co_coro_result_kind(NULL), CO_EINVAL);
    co_coro_free(none);
    co_coro_free(zero);

    co_loop *loop = unit_loop(NULL);
    co_task *a, *b;
    ck_assert_int_eq(co_task_start(loop, CO_CORO(nothing), NULL, &a), 0);
    ck_assert_int_eq(co_task_start(loop, CO_CORO(add), NULL, &b), 0);
    ck_assert_int_eq(co_future_result_kind(CO_AS_FUTURE(a)), CO_ESTATE);
    run_until(loop, CO_AS_FUTURE(b));
    ck_assert_int_eq(co_future_result_kind(CO_AS_FUTURE(a)), CO_KIND_NONE);
    ck_assert_int_eq(co_future_result_kind(CO_AS_FUTURE(b)), CO_KIND_INT);
    ck_assert_int_eq(co_future_result_kind(NULL), CO_EINVAL);
    co_task_unref(a);
    co_task_unref(b);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_return_str_by_hand_is_owned_by_the_frame)
{
    co_coro *c = CO_CORO(words, .n = 7);
    co_coro_step(c);
    co_coro_step(c);
    const char *s = NULL;
    ck_assert_int_eq(co_coro_result_str(c, &s), 0);
    ck_assert_str_eq(s, "n=7");
    ck_assert_int_eq(co_coro_result_kind(c), CO_KIND_STR);
    long long v;
    ck_assert_int_eq(co_coro_result_int(c, &v), CO_EKIND);
    co_coro_free(c); /* frees the string too (valgrind checks) */
}
END_TEST

START_TEST(test_return_str_moves_into_the_task_future)
{
    co_loop *loop = unit_loop(NULL);
    co_task *t;
    ck_assert_int_eq(co_task_start(loop, CO_CORO(words, .n = 3), "w", &t), 0);
    run_until(loop, CO_AS_FUTURE(t));
    const char *s = NULL;
    ck_assert_int_eq(co_task_result_str(t, &s), 0);
    ck_assert_str_eq(s, "n=3");
    ck_assert_int_eq(co_task_result_str(NULL, &s), CO_EINVAL);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

CO_ASYNC(caller, struct words child; char got[32];)
{
    const char *s = NULL;
    CO_BEGIN(co);
    CO_AWAIT_CALL(co, self->child, words, .n = 1);
    co_coro_result_str(&self->child.co, &s);
    snprintf(self->got, sizeof self->got, "%s", s ? s : "(null)");
    CO_AWAIT_CALL(co, self->child, words, .n = 2); /* the frame again */
    co_coro_result_str(&self->child.co, &s);
    snprintf(self->got + strlen(self->got), sizeof self->got - strlen(self->got),
             ",%s", s ? s : "(null)");
    CO_END(co);
}

START_TEST(test_await_call_hands_back_the_child_string)
{
    co_loop *loop = unit_loop(NULL);
    co_coro *c = CO_CORO(caller);
    struct caller *f = (struct caller *)(void *)c;
    co_task *t;
    ck_assert_int_eq(co_task_start(loop, c, NULL, &t), 0);
    run_until(loop, CO_AS_FUTURE(t));
    ck_assert_str_eq(f->got, "n=1,n=2");
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_co_coro_new_init_refuses_bad_input)
{
    struct add init = {.a = 1};
    ck_assert_ptr_null(co_coro_new_init(sizeof init, CO_STEP(add), NULL));
    ck_assert_ptr_null(co_coro_new_init(sizeof init, NULL, &init));
    ck_assert_ptr_null(co_coro_new_init(1, CO_STEP(add), &init));
}
END_TEST

/* ---- starting tasks ------------------------------------------------------- */

START_TEST(test_task_start_and_task_of)
{
    co_loop *loop = unit_loop(NULL);
    co_task *t;
    ck_assert_int_eq(co_task_start(loop, CO_CORO(add, .a = 4, .b = 5), "s",
                                   &t), 0);
    ck_assert_ptr_eq(co_task_of(CO_AS_FUTURE(t)), t);
    co_future *plain;
    co_future_new(loop, &plain);
    ck_assert_ptr_null(co_task_of(plain));
    ck_assert_ptr_null(co_task_of(NULL));
    run_until(loop, CO_AS_FUTURE(t));
    long long v;
    ck_assert_int_eq(co_task_result_int(t, &v), 0);
    ck_assert_int_eq(v, 9);
    co_future_unref(plain);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_task_start_misuse_frees_the_frame)
{
    co_loop *loop = unit_loop(NULL);
    co_task *t = (co_task *)1;
    ck_assert_int_eq(co_task_start(loop, NULL, NULL, &t), CO_ENOTSTARTED);
    ck_assert_ptr_null(t);
    /* No running loop: the frame is freed (valgrind/ASan check no leak). */
    ck_assert_int_eq(co_task_start(NULL, CO_CORO(add), NULL, &t), CO_ENOLOOP);
    /* A frame already driven by a task is left alone. */
    co_coro *c = CO_CORO(add);
    ck_assert_int_eq(co_task_start(loop, c, NULL, &t), 0);
    ck_assert_int_eq(co_task_start(loop, c, NULL, NULL), CO_EINVAL);
    run_until(loop, CO_AS_FUTURE(t));
    ck_assert(co_task_done(t));
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

CO_ASYNC(spawner, co_task *t; int fail_first;)
{
    CO_BEGIN(co);
    CO_SPAWN(co, self->t, self->fail_first ? NULL : CO_CORO(add, .a = 1), "x");
    CO_AWAIT(co, self->t);
    CO_FINALLY(co);
    co_task_unref(self->t);
    CO_END(co);
}

START_TEST(test_spawn_raises_when_it_cannot_start)
{
    co_loop *loop = unit_loop(NULL);
    co_task *ok, *bad;
    ck_assert_int_eq(co_task_start(loop, CO_CORO(spawner), NULL, &ok), 0);
    ck_assert_int_eq(co_task_start(loop, CO_CORO(spawner, .fail_first = 1),
                                   NULL, &bad), 0);
    run_until(loop, CO_AS_FUTURE(ok));
    run_until(loop, CO_AS_FUTURE(bad));
    ck_assert_int_eq(co_future_exception(CO_AS_FUTURE(ok), NULL), 0);
    const char *msg;
    ck_assert_int_eq(co_future_exception(CO_AS_FUTURE(bad), &msg),
                     CO_ENOTSTARTED);
    ck_assert_str_eq(msg, "could not start a task");
    co_task_unref(ok);
    co_task_unref(bad);
    co_loop_close(loop);
}
END_TEST

/* ---- combinators over coroutines; gather's results ------------------------ */

START_TEST(test_gather_coros_results_in_argument_order)
{
    co_loop *loop = unit_loop(NULL);
    co_future *all;
    ck_assert_int_eq(co_gather_coros(loop, (co_coro *[]){
                         CO_CORO(add, .a = 1), CO_CORO(add, .a = 2),
                         CO_CORO(add, .a = 3)}, 3, false, &all), 0);
    long long v[3] = {0};
    ck_assert_int_eq(co_gather_results_int(all, v, 3), CO_ESTATE);
    run_until(loop, all);
    ck_assert_int_eq(co_gather_results_int(all, v, 3), 3);
    ck_assert_int_eq(v[0], 1);
    ck_assert_int_eq(v[1], 2);
    ck_assert_int_eq(v[2], 3);
    ck_assert_int_eq(co_gather_results_int(all, v, 2), CO_ESHORT);
    ck_assert_int_eq(co_gather_results_int(all, NULL, 3), CO_EINVAL);
    ck_assert_int_eq(co_gather_results_int(NULL, v, 3), CO_EINVAL);
    const char *s[3];
    ck_assert_int_eq(co_gather_results_str(all, s, 3), CO_EKIND);
    ck_assert_ptr_nonnull(co_task_of(co_gather_item(all, 2)));
    ck_assert_ptr_null(co_gather_item(all, 3));
    ck_assert_ptr_null(co_gather_item(NULL, 0));
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_results_of_futures_with_repeats_and_strings)
{
    co_loop *loop = unit_loop(NULL);
    co_future *a, *b, *all;
    co_future_new(loop, &a);
    co_future_new(loop, &b);
    ck_assert_int_eq(co_gather(loop, (co_future *[]){a, b, a}, 3, false, &all),
                     0);
    co_future_set_result_str(a, "A");
    co_future_set_result_str(b, "B");
    run_until(loop, all);
    const char *s[3];
    ck_assert_int_eq(co_gather_results_str(all, s, 3), 3);
    ck_assert_str_eq(s[0], "A");
    ck_assert_str_eq(s[1], "B");
    ck_assert_str_eq(s[2], "A");
    /* Not a gather: a plain future, and a wait's outer future. */
    ck_assert_int_eq(co_gather_results_str(a, s, 3), CO_EWRONGFUTURE);
    ck_assert_ptr_null(co_gather_item(a, 0));
    co_future *w;
    co_wait(loop, (co_future *[]){a}, 1, CO_NO_TIMEOUT, CO_ALL_COMPLETED, &w);
    ck_assert_int_eq(co_gather_results_str(w, s, 3), CO_EWRONGFUTURE);
    co_future_unref(w);
    co_future_unref(a);
    co_future_unref(b);
    co_future_unref(all);
    drain(loop);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_of_nothing_has_zero_results)
{
    co_loop *loop = unit_loop(NULL);
    co_future *all;
    ck_assert_int_eq(co_gather_coros(loop, NULL, 0, false, &all), 0);
    ck_assert(co_future_done(all));
    long long v;
    ck_assert_int_eq(co_gather_results_int(all, &v, 0), 0);
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_return_exceptions_reports_the_first_failure)
{
    co_loop *loop = unit_loop(NULL);
    co_future *all;
    ck_assert_int_eq(co_gather_coros(loop, (co_coro *[]){
                         CO_CORO(add, .a = 1), CO_CORO(add, .fail = 1)}, 2,
                         true, &all), 0);
    run_until(loop, all);
    long long v[2] = {9, 9};
    ck_assert_int_eq(co_gather_results_int(all, v, 2), CO_EFAIL);
    ck_assert_int_eq(v[0], 1);
    ck_assert_int_eq(v[1], 0);
    co_future_unref(all);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_gather_coros_that_fail_to_start_run_nothing)
{
    co_loop *loop = unit_loop(NULL);
    ran_count = 0;
    co_future *all = (co_future *)1;
    /* The NULL in the middle stands for a CO_CORO that ran out of memory. */
    ck_assert_int_eq(co_gather_coros(loop, (co_coro *[]){
                         CO_CORO(counted), NULL, CO_CORO(counted)}, 3, false,
                         &all), CO_ENOTSTARTED);
    ck_assert_ptr_null(all);
    co_coro *twice = CO_CORO(counted);
    ck_assert_int_eq(co_gather_coros(loop, (co_coro *[]){twice, twice}, 2,
                                     false, &all), CO_EINVAL);
    ck_assert_int_eq(co_gather_coros(NULL, (co_coro *[]){CO_CORO(counted)}, 1,
                                     false, &all), CO_ENOLOOP);
    ck_assert_int_eq(co_gather_coros(loop, (co_coro *[]){CO_CORO(counted)}, 1,
                                     false, NULL), CO_EINVAL);
    ck_assert_int_eq(co_gather_coros(loop, NULL, 2, false, &all), CO_EINVAL);
    /* The tasks made before a failure were cancelled before they ran. */
    co_future *s;
    co_sleep(loop, 0.001, 0, &s);
    run_until(loop, s);
    co_future_unref(s);
    ck_assert_int_eq(ran_count, 0);
    ck_assert_uint_eq(co_all_tasks(loop, NULL, 0), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_coros_and_sets_of)
{
    co_loop *loop = unit_loop(NULL);
    co_future *w;
    ck_assert_int_eq(co_wait_coros(loop, (co_coro *[]){CO_CORO(add, .a = 1),
                         CO_CORO(words, .n = 1)}, 2, CO_NO_TIMEOUT,
                         CO_FIRST_COMPLETED, &w), 0);
    run_until(loop, w);
    co_future *done[2], *pending[2];
    size_t nd, np;
    ck_assert_int_eq(co_wait_sets_of(w, done, &nd, pending, &np), 0);
    ck_assert_uint_eq(nd + np, 2);
    ck_assert_uint_ge(nd, 1);
    ck_assert_int_eq(co_wait_sets_of(NULL, done, &nd, NULL, NULL), CO_EINVAL);
    co_future *plain;
    co_future_new(loop, &plain);
    ck_assert_int_eq(co_wait_sets_of(plain, done, &nd, NULL, NULL),
                     CO_EWRONGFUTURE);
    co_future *w2;
    ck_assert_int_eq(co_wait_coros(loop, NULL, 0, CO_NO_TIMEOUT,
                                   CO_ALL_COMPLETED, &w2), CO_EEMPTY);
    ck_assert_int_eq(co_wait_coros(loop, (co_coro *[]){CO_CORO(add)}, 1, -1,
                                   (enum co_return_when)42, &w2), CO_EINVAL);
    ck_assert_ptr_null(w2);
    co_future_unref(plain);
    co_future_unref(w);
    drain(loop);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_shield_and_as_completed_over_coros)
{
    co_loop *loop = unit_loop(NULL);
    co_future *wf, *sh;
    ck_assert_int_eq(co_wait_for_coro(loop, CO_CORO(add, .a = 6), 5, &wf), 0);
    ck_assert_int_eq(co_shield_coro(loop, CO_CORO(add, .a = 7), &sh), 0);
    run_until(loop, wf);
    run_until(loop, sh);
    long long v;
    ck_assert_int_eq(co_future_result_int(wf, &v), 0);
    ck_assert_int_eq(v, 6);
    ck_assert_int_eq(co_future_result_int(sh, &v), 0);
    ck_assert_int_eq(v, 7);
    co_future_unref(wf);
    co_future_unref(sh);
    ck_assert_int_eq(co_wait_for_coro(loop, CO_CORO(add), 0.0 / 0.0, &wf),
                     CO_EINVAL);
    ck_assert_int_eq(co_wait_for_coro(loop, NULL, 1, &wf), CO_ENOTSTARTED);
    ck_assert_int_eq(co_shield_coro(loop, CO_CORO(add), NULL), CO_EINVAL);

    co_as_completed *ac;
    ck_assert_int_eq(co_as_completed_coros(loop, (co_coro *[]){
                         CO_CORO(add, .a = 1), CO_CORO(add, .a = 2)}, 2,
                         CO_NO_TIMEOUT, &ac), 0);
    co_future *items[2];
    ck_assert_int_eq(co_as_completed_items(ac, items, 1), CO_ESHORT);
    ck_assert_int_eq(co_as_completed_items(ac, items, 2), 2);
    ck_assert_int_eq(co_as_completed_items(NULL, items, 2), CO_EINVAL);
    co_future *next;
    ck_assert_int_eq(co_as_completed_next(ac, &next), 0);
    run_until(loop, next);
    void *item;
    ck_assert_int_eq(co_future_result_ptr(next, &item), 0);
    ck_assert(item == items[0] || item == items[1]);
    co_future_unref(next);
    co_as_completed_free(ac);
    ck_assert_int_eq(co_as_completed_coros(loop, NULL, 0, -1, &ac),
                     CO_EEMPTY);
    ck_assert_int_eq(co_as_completed_coros(loop, (co_coro *[]){CO_CORO(add)},
                                           1, -1, NULL), CO_EINVAL);
    co_loop_close(loop);
}
END_TEST

/* ---- wait_for with timeout 0 ------------------------------------------------ */

START_TEST(test_wait_for_zero_on_a_done_future_is_done_at_once)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f, *out;
    co_future_new(loop, &f);
    co_future_set_result_int(f, 5);
    ck_assert_int_eq(co_wait_for(loop, f, 0, &out), 0);
    ck_assert(co_future_done(out)); /* no loop iteration needed */
    long long v;
    ck_assert_int_eq(co_future_result_int(out, &v), 0);
    ck_assert_int_eq(v, 5);
    co_future_unref(out);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_wait_for_zero_on_a_pending_future_times_out)
{
    co_loop *loop = unit_loop(NULL);
    co_future *f, *out;
    co_future_new(loop, &f);
    ck_assert_int_eq(co_wait_for(loop, f, 0, &out), 0);
    ck_assert(co_future_cancelled(f)); /* cancelled at once */
    run_until(loop, out);
    ck_assert_int_eq(co_future_exception(out, NULL), CO_ETIMEDOUT);
    co_future_unref(out);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

/* ---- sleep(delay, result) ------------------------------------------------- */

START_TEST(test_sleep_future_finishes_with_its_result)
{
    co_loop *loop = unit_loop(NULL);
    co_future *a, *b;
    ck_assert_int_eq(co_sleep(loop, 0.001, 42, &a), 0);
    ck_assert_int_eq(co_sleep_str(loop, 0, "hi", &b), 0);
    ck_assert(!co_future_done(a));
    run_until(loop, a);
    run_until(loop, b);
    long long v;
    const char *s;
    ck_assert_int_eq(co_future_result_int(a, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(co_future_result_str(b, &s), 0);
    ck_assert_str_eq(s, "hi");
    co_future_unref(a);
    co_future_unref(b);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_sleep_future_cancel_and_misuse)
{
    co_loop *loop = unit_loop(NULL);
    co_future *a;
    ck_assert_int_eq(co_sleep_str(loop, 10, "never", &a), 0);
    ck_assert(co_future_cancel(a));
    ck_assert(co_future_cancelled(a));
    co_future_unref(a); /* the string and the timer go with it */
    ck_assert_int_eq(co_sleep(loop, 0.0 / 0.0, 1, &a), CO_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(co_sleep(loop, 1, 1, NULL), CO_EINVAL);
    ck_assert_int_eq(co_sleep_str(loop, 1, NULL, &a), CO_EINVAL);
    ck_assert_int_eq(co_sleep(NULL, 1, 1, &a), CO_ENOLOOP);
    co_loop_close(loop);
    ck_assert_int_eq(co_sleep(loop = unit_loop(NULL), 1, 1, &a), 0);
    co_future_unref(a);
    co_loop_close(loop);
}
END_TEST

/* ---- repr ------------------------------------------------------------------ */

START_TEST(test_repr_of_futures)
{
    co_loop *loop = unit_loop(NULL);
    char buf[160];
    co_future *f;
    co_future_new(loop, &f);
    ck_assert_int_eq(co_future_repr(f, buf, sizeof buf), 16);
    ck_assert_str_eq(buf, "<Future pending>");
    co_future_set_result_int(f, 3);
    co_future_repr(f, buf, sizeof buf);
    ck_assert_str_eq(buf, "<Future finished result=3>");
    co_future_unref(f);
    co_future_new(loop, &f);
    co_future_set_result_str(f, "it's");
    co_future_repr(f, buf, sizeof buf);
    ck_assert_str_eq(buf, "<Future finished result=\"it's\">");
    co_future_unref(f);
    co_future_new(loop, &f);
    co_future_set_result_str(f, "abcdefghijklmnopqrstuvwxyz0123456789");
    co_future_repr(f, buf, sizeof buf);
    ck_assert_str_eq(buf,
                     "<Future finished result='abcdefghijklm...wxyz0123456789'>");
    co_future_unref(f);
    co_future_new(loop, &f);
    co_future_set_exception(f, CO_EFAIL, "it broke");
    co_future_repr(f, buf, sizeof buf);
    ck_assert_str_eq(buf, "<Future finished exception=CO_EFAIL('it broke')>");
    co_future_exception(f, NULL);
    co_future_unref(f);
    co_future_new(loop, &f);
    co_future_cancel(f);
    co_future_repr(f, buf, sizeof buf);
    ck_assert_str_eq(buf, "<Future cancelled>");
    /* Cut like snprintf; misuse. */
    ck_assert_int_eq(co_future_repr(f, buf, 5), 18);
    ck_assert_str_eq(buf, "<Fut");
    ck_assert_int_eq(co_future_repr(f, NULL, 0), 18);
    ck_assert_int_eq(co_future_repr(f, NULL, 4), CO_EINVAL);
    ck_assert_int_eq(co_future_repr(NULL, buf, sizeof buf), CO_EINVAL);
    co_future_unref(f);
    co_loop_close(loop);
}
END_TEST

static void nop(co_future *f, void *arg)
{
    (void)f;
    (void)arg;
}

START_TEST(test_repr_of_tasks)
{
    co_loop *loop = unit_loop(NULL);
    char buf[256], want[256];
    co_task *t;
    co_task_start(loop, CO_CORO(add, .a = 1), "n1", &t);
    co_future_repr(CO_AS_FUTURE(t), buf, sizeof buf);
    snprintf(want, sizeof want,
             "<Task pending name='n1' coro=<add() running at %s:%d>>",
             __FILE__, 7);
    ck_assert_str_eq(buf, want);
    co_future_add_done_callback(CO_AS_FUTURE(t), nop, NULL);
    unit_run_once(loop); /* suspended at its CO_YIELD */
    co_future_repr(CO_AS_FUTURE(t), buf, sizeof buf);
    snprintf(want, sizeof want,
             "<Task pending name='n1' coro=<add() running at %s:%d> "
             "cb=[callback()]>", __FILE__, 10);
    ck_assert_str_eq(buf, want);
    run_until(loop, CO_AS_FUTURE(t));
    co_future_repr(CO_AS_FUTURE(t), buf, sizeof buf);
    snprintf(want, sizeof want,
             "<Task finished name='n1' coro=<add() done, defined at %s:%d> "
             "result=1>", __FILE__, 7);
    ck_assert_str_eq(buf, want);
    co_task_unref(t);
    co_loop_close(loop);
}
END_TEST

static Suite *short_api_suite(void)
{
    Suite *s = suite_create("short API");
    TCase *frames = tcase_create("frames and results");
    tcase_add_test(frames, test_co_coro_sets_the_fields_and_runs_nothing);
    tcase_add_test(frames, test_returned_nothing_is_told_from_zero);
    tcase_add_test(frames, test_return_str_by_hand_is_owned_by_the_frame);
    tcase_add_test(frames, test_return_str_moves_into_the_task_future);
    tcase_add_test(frames, test_await_call_hands_back_the_child_string);
    tcase_add_test(frames, test_co_coro_new_init_refuses_bad_input);
    unit_add_case(s, frames);
    TCase *start = tcase_create("starting tasks");
    tcase_add_test(start, test_task_start_and_task_of);
    tcase_add_test(start, test_task_start_misuse_frees_the_frame);
    tcase_add_test(start, test_spawn_raises_when_it_cannot_start);
    unit_add_case(s, start);
    TCase *comb = tcase_create("combinators over coroutines");
    tcase_add_test(comb, test_gather_coros_results_in_argument_order);
    tcase_add_test(comb, test_gather_results_of_futures_with_repeats_and_strings);
    tcase_add_test(comb, test_gather_of_nothing_has_zero_results);
    tcase_add_test(comb, test_gather_return_exceptions_reports_the_first_failure);
    tcase_add_test(comb, test_gather_coros_that_fail_to_start_run_nothing);
    tcase_add_test(comb, test_wait_coros_and_sets_of);
    tcase_add_test(comb, test_wait_for_shield_and_as_completed_over_coros);
    tcase_add_test(comb, test_wait_for_zero_on_a_done_future_is_done_at_once);
    tcase_add_test(comb, test_wait_for_zero_on_a_pending_future_times_out);
    tcase_add_test(comb, test_sleep_future_finishes_with_its_result);
    tcase_add_test(comb, test_sleep_future_cancel_and_misuse);
    unit_add_case(s, comb);
    TCase *repr = tcase_create("repr");
    tcase_add_test(repr, test_repr_of_futures);
    tcase_add_test(repr, test_repr_of_tasks);
    unit_add_case(s, repr);
    return s;
}

int main(void)
{
    return unit_main(short_api_suite());
}
