/* test_queue.c - asyncio.Queue semantics: nowait errors, sizes, waiting
 * get/put served in arrival order, cancellation that never strands an
 * item, task_done/join, LIFO and priority variants, freeing. */
#include "prim.h"

static co_queue *Q; /* the queue of the running test */

/* A getter: logs "g<name>=<item>" once it has an item. */
struct getter {
    co_coro co;
    const char *name;
    co_wait_op op;
    void *item;
};

static int getter_fn(co_coro *co)
{
    struct getter *self = (struct getter *)co;
    CO_BEGIN(co);
    CO_QUEUE_GET(co, &self->op, Q, self->item);
    prim_logf("%s=%d", self->name, ITEM_ID(self->item));
    CO_RETURN(co, ITEM_ID(self->item));
    CO_END(co);
}

static co_task *spawn_getter(co_loop *loop, const char *name)
{
    struct getter *g = CO_NEW(struct getter, getter_fn);
    g->name = name;
    return prim_spawn(loop, &g->co, name);
}

/* A putter: logs "<name>put" once its item is in. */
struct putter {
    co_coro co;
    const char *name;
    int item;
    co_wait_op op;
};

static int putter_fn(co_coro *co)
{
    struct putter *self = (struct putter *)co;
    CO_BEGIN(co);
    CO_QUEUE_PUT(co, &self->op, Q, ITEM(self->item));
    prim_logf("%sput", self->name);
    CO_END(co);
}

static co_task *spawn_putter(co_loop *loop, const char *name, int item)
{
    struct putter *p = CO_NEW(struct putter, putter_fn);
    p->name = name;
    p->item = item;
    return prim_spawn(loop, &p->co, name);
}

START_TEST(test_put_nowait_then_get_nowait_is_fifo)
{
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    for (int i = 1; i <= 5; i++)
        ck_assert_int_eq(co_queue_put_nowait(Q, ITEM(i)), 0);
    for (int i = 1; i <= 5; i++) {
        void *it;
        ck_assert_int_eq(co_queue_get_nowait(Q, &it), 0);
        ck_assert_int_eq(ITEM_ID(it), i);
    }
    ck_assert_int_eq(co_queue_free(Q), 0);
}
END_TEST

START_TEST(test_get_nowait_on_empty_queue_is_equeueempty)
{
    void *it = ITEM(7);
    ck_assert_int_eq(co_queue_new(&Q, 2), 0);
    ck_assert_int_eq(co_queue_get_nowait(Q, &it), CO_EQUEUEEMPTY);
    ck_assert_ptr_null(it);
    ck_assert_str_ne(co_strerror(CO_EQUEUEEMPTY), "unknown error");
    co_queue_free(Q);
}
END_TEST

START_TEST(test_put_nowait_on_full_queue_is_equeuefull_and_keeps_size)
{
    ck_assert_int_eq(co_queue_new(&Q, 2), 0);
    ck_assert_int_eq(co_queue_put_nowait(Q, ITEM(1)), 0);
    ck_assert(!co_queue_full(Q));
    ck_assert_int_eq(co_queue_put_nowait(Q, ITEM(2)), 0);
    ck_assert(co_queue_full(Q));
    ck_assert_int_eq(co_queue_put_nowait(Q, ITEM(3)), CO_EQUEUEFULL);
    ck_assert_uint_eq(co_queue_qsize(Q), 2);
    ck_assert_str_ne(co_strerror(CO_EQUEUEFULL), "unknown error");
    co_queue_free(Q);
}
END_TEST

START_TEST(test_sizes_empty_full_and_unbounded)
{
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    ck_assert(co_queue_empty(Q));
    ck_assert_uint_eq(co_queue_maxsize(Q), 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(co_queue_put_nowait(Q, ITEM(i)), 0);
    ck_assert(!co_queue_full(Q)); /* maxsize 0: never full */
    ck_assert(!co_queue_empty(Q));
    ck_assert_uint_eq(co_queue_qsize(Q), 1000);
    co_queue_free(Q);
}
END_TEST

START_TEST(test_null_arguments_are_einval_not_crashes)
{
    void *it;
    ck_assert_int_eq(co_queue_new(NULL, 1), CO_EINVAL);
    ck_assert_int_eq(co_queue_put_nowait(NULL, ITEM(1)), CO_EINVAL);
    ck_assert_int_eq(co_queue_get_nowait(NULL, &it), CO_EINVAL);
    ck_assert_int_eq(co_queue_task_done(NULL), CO_EINVAL);
    ck_assert_int_eq(co_queue_get_op(NULL, NULL), CO_EINVAL);
    ck_assert_int_eq(co_priority_queue_new(&Q, 0, NULL), CO_EINVAL);
    ck_assert_int_eq(co_queue_free(NULL), 0);
    ck_assert(co_queue_empty(NULL));
}
END_TEST

START_TEST(test_get_waits_until_an_item_is_put)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_task *g = spawn_getter(loop, "g");
    prim_run_once(loop);
    prim_run_once(loop);
    ck_assert(!co_task_done(g));
    ck_assert_str_eq(prim_log, "");
    co_queue_put_nowait(Q, ITEM(42));
    prim_run_until(loop, g, 10);
    ck_assert_str_eq(prim_log, "g=42");
    ck_assert(co_queue_empty(Q));
    co_task_unref(g);
    ck_assert_int_eq(co_queue_free(Q), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_put_waits_while_full)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 1), 0);
    co_queue_put_nowait(Q, ITEM(1));
    co_task *p = spawn_putter(loop, "p", 2);
    prim_run_once(loop);
    prim_run_once(loop);
    ck_assert(!co_task_done(p));
    void *it;
    ck_assert_int_eq(co_queue_get_nowait(Q, &it), 0);
    ck_assert_int_eq(ITEM_ID(it), 1);
    prim_run_until(loop, p, 10);
    ck_assert_str_eq(prim_log, "pput");
    ck_assert_int_eq(co_queue_get_nowait(Q, &it), 0);
    ck_assert_int_eq(ITEM_ID(it), 2);
    co_task_unref(p);
    co_queue_free(Q);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_waiting_getters_are_served_in_arrival_order)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_task *a = spawn_getter(loop, "a");
    co_task *b = spawn_getter(loop, "b");
    co_task *c = spawn_getter(loop, "c");
    prim_run_once(loop); /* all three now wait, in order a b c */
    co_queue_put_nowait(Q, ITEM(1));
    co_queue_put_nowait(Q, ITEM(2));
    co_queue_put_nowait(Q, ITEM(3));
    prim_run_idle(loop, 20);
    ck_assert_str_eq(prim_log, "a=1 b=2 c=3");
    co_task_unref(a);
    co_task_unref(b);
    co_task_unref(c);
    co_queue_free(Q);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_waiting_putters_are_served_in_arrival_order)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 1), 0);
    co_queue_put_nowait(Q, ITEM(0));
    co_task *a = spawn_putter(loop, "a", 1);
    co_task *b = spawn_putter(loop, "b", 2);
    prim_run_once(loop);
    for (int want = 0; want <= 2; want++) {
        void *it = NULL;
        prim_run_once(loop);
        prim_run_once(loop);
        ck_assert_int_eq(co_queue_get_nowait(Q, &it), 0);
        ck_assert_int_eq(ITEM_ID(it), want);
    }
    prim_run_idle(loop, 20);
    ck_assert_str_eq(prim_log, "aput bput");
    co_task_unref(a);
    co_task_unref(b);
    co_queue_free(Q);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelled_waiting_get_takes_nothing_and_leaves_the_line)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_task *a = spawn_getter(loop, "a");
    co_task *b = spawn_getter(loop, "b");
    prim_run_once(loop);
    ck_assert(co_task_cancel(a));
    prim_run_until(loop, a, 10);
    ck_assert(co_task_cancelled(a));
    co_queue_put_nowait(Q, ITEM(5));
    prim_run_until(loop, b, 10);
    ck_assert_str_eq(prim_log, "b=5");
    ck_assert(co_queue_empty(Q));
    co_task_unref(a);
    co_task_unref(b);
    ck_assert_int_eq(co_queue_free(Q), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_getter_cancelled_after_wakeup_passes_the_item_on)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_task *a = spawn_getter(loop, "a");
    co_task *b = spawn_getter(loop, "b");
    prim_run_once(loop);
    co_queue_put_nowait(Q, ITEM(9)); /* wakes a ... */
    ck_assert(co_task_cancel(a));   /* ... which is cancelled before it runs */
    prim_run_idle(loop, 20);        /* b must not be left waiting */
    ck_assert(co_task_cancelled(a));
    ck_assert_str_eq(prim_log, "b=9");
    ck_assert(co_queue_empty(Q));
    co_task_unref(a);
    co_task_unref(b);
    co_queue_free(Q);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_cancelled_waiting_put_leaves_the_item_with_the_putter)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 1), 0);
    co_queue_put_nowait(Q, ITEM(1));
    co_task *p = spawn_putter(loop, "p", 2);
    prim_run_once(loop);
    ck_assert(co_task_cancel(p));
    prim_run_until(loop, p, 10);
    ck_assert(co_task_cancelled(p));
    ck_assert_uint_eq(co_queue_qsize(Q), 1);
    ck_assert_uint_eq(co_queue_unfinished(Q), 1);
    void *it;
    co_queue_get_nowait(Q, &it);
    ck_assert_int_eq(ITEM_ID(it), 1);
    ck_assert(co_queue_empty(Q));
    ck_assert_str_eq(prim_log, "");
    co_task_unref(p);
    ck_assert_int_eq(co_queue_free(Q), 0);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_putter_cancelled_after_wakeup_passes_the_room_on)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 1), 0);
    co_queue_put_nowait(Q, ITEM(1));
    co_task *a = spawn_putter(loop, "a", 2);
    co_task *b = spawn_putter(loop, "b", 3);
    prim_run_once(loop);
    void *it;
    co_queue_get_nowait(Q, &it); /* room: wakes a ... */
    co_task_cancel(a);           /* ... which is cancelled before it runs */
    prim_run_idle(loop, 20);
    ck_assert(co_task_cancelled(a));
    ck_assert_str_eq(prim_log, "bput");
    co_queue_get_nowait(Q, &it);
    ck_assert_int_eq(ITEM_ID(it), 3);
    co_task_unref(a);
    co_task_unref(b);
    co_queue_free(Q);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_task_done_more_than_put_is_etaskdone)
{
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    ck_assert_int_eq(co_queue_task_done(Q), CO_ETASKDONE);
    co_queue_put_nowait(Q, ITEM(1));
    ck_assert_int_eq(co_queue_task_done(Q), 0);
    ck_assert_int_eq(co_queue_task_done(Q), CO_ETASKDONE);
    ck_assert_str_ne(co_strerror(CO_ETASKDONE), "unknown error");
    co_queue_free(Q);
}
END_TEST

struct joiner {
    co_coro co;
    co_wait_op op;
};

static int joiner_fn(co_coro *co)
{
    struct joiner *self = (struct joiner *)co;
    CO_BEGIN(co);
    CO_QUEUE_JOIN(co, &self->op, Q);
    prim_logf("joined");
    CO_END(co);
}

START_TEST(test_join_waits_until_every_item_is_task_done)
{
    co_loop *loop = prim_loop();
    void *it;
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_queue_put_nowait(Q, ITEM(1));
    co_queue_put_nowait(Q, ITEM(2));
    co_task *j = prim_spawn(loop, &CO_NEW(struct joiner, joiner_fn)->co, "j");
    prim_run_once(loop);
    co_queue_get_nowait(Q, &it);
    co_queue_get_nowait(Q, &it);
    co_queue_task_done(Q);
    prim_run_once(loop);
    prim_run_once(loop);
    ck_assert(!co_task_done(j)); /* one item is still not done */
    co_queue_task_done(Q);
    prim_run_until(loop, j, 10);
    ck_assert_str_eq(prim_log, "joined");
    co_task_unref(j);
    co_queue_free(Q);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_join_on_a_fresh_queue_returns_at_once)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_task *j = prim_spawn(loop, &CO_NEW(struct joiner, joiner_fn)->co, "j");
    prim_run_once(loop);
    ck_assert(co_task_done(j));
    ck_assert_str_eq(prim_log, "joined");
    co_task_unref(j);
    co_queue_free(Q);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_lifo_queue_gives_the_newest_first)
{
    void *it;
    ck_assert_int_eq(co_lifo_queue_new(&Q, 0), 0);
    for (int i = 1; i <= 20; i++)
        co_queue_put_nowait(Q, ITEM(i));
    for (int i = 20; i >= 1; i--) {
        ck_assert_int_eq(co_queue_get_nowait(Q, &it), 0);
        ck_assert_int_eq(ITEM_ID(it), i);
    }
    co_queue_free(Q);
}
END_TEST

static int by_tens(const void *a, const void *b)
{
    return ITEM_ID(a) / 10 - ITEM_ID(b) / 10;
}

START_TEST(test_priority_queue_gives_smallest_first_and_ties_fifo)
{
    static const int in[] = {31, 12, 35, 10, 20, 11, 33, 21, 5};
    static const int out[] = {5, 12, 10, 11, 20, 21, 31, 35, 33};
    void *it;
    ck_assert_int_eq(co_priority_queue_new(&Q, 0, by_tens), 0);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        co_queue_put_nowait(Q, ITEM(in[i]));
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        ck_assert_int_eq(co_queue_get_nowait(Q, &it), 0);
        ck_assert_int_eq(ITEM_ID(it), out[i]);
    }
    co_queue_free(Q);
}
END_TEST

static int freed_items;
static void free_item(void *p)
{
    freed_items++;
    free(p);
}

START_TEST(test_free_refuses_while_a_getter_waits_and_frees_items_after)
{
    co_loop *loop = prim_loop();
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_queue_set_item_destructor(Q, free_item);
    co_task *g = spawn_getter(loop, "g");
    prim_run_once(loop);
    ck_assert_int_eq(co_queue_free(Q), CO_EBUSY);
    co_task_cancel(g);
    prim_run_until(loop, g, 10);
    freed_items = 0;
    co_queue_put_nowait(Q, malloc(16));
    co_queue_put_nowait(Q, malloc(16));
    ck_assert_int_eq(co_queue_free(Q), 0);
    ck_assert_int_eq(freed_items, 2);
    co_task_unref(g);
    co_loop_close(loop);
}
END_TEST

START_TEST(test_get_outside_a_task_fails_with_enotask)
{
    struct getter g = {0};
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    co_coro_init(&g.co, getter_fn);
    ck_assert_int_eq(co_coro_step(&g.co), CO_STATUS_DONE);
    ck_assert_int_eq(co_coro_error(&g.co, NULL), CO_ENOTASK);
    co_coro_free(&g.co);
    ck_assert_int_eq(co_queue_free(Q), 0);
}
END_TEST

/* A line keeps used waiters for reuse; one kept from a loop that has since
 * closed must be let go, not handed to a getter of the next loop. */
START_TEST(test_queue_serves_getters_of_a_new_loop_after_the_old_one_closed)
{
    ck_assert_int_eq(co_queue_new(&Q, 0), 0);
    for (int round = 0; round < 2; round++) {
        co_loop *loop = prim_loop();
        for (int i = 0; i < 3; i++) {
            co_task *g = spawn_getter(loop, "g");
            prim_run_once(loop);
            ck_assert(!co_task_done(g)); /* it waits on the empty queue */
            co_queue_put_nowait(Q, ITEM(round * 10 + i));
            prim_run_until(loop, g, 10);
            co_task_unref(g);
        }
        co_loop_close(loop);
    }
    ck_assert_str_eq(prim_log, "g=10 g=11 g=12");
    ck_assert_int_eq(co_queue_free(Q), 0);
}
END_TEST

static Suite *queue_suite(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("nowait");
    tcase_add_test(tc, test_put_nowait_then_get_nowait_is_fifo);
    tcase_add_test(tc, test_get_nowait_on_empty_queue_is_equeueempty);
    tcase_add_test(tc, test_put_nowait_on_full_queue_is_equeuefull_and_keeps_size);
    tcase_add_test(tc, test_sizes_empty_full_and_unbounded);
    tcase_add_test(tc, test_null_arguments_are_einval_not_crashes);
    tcase_add_test(tc, test_task_done_more_than_put_is_etaskdone);
    tcase_add_test(tc, test_lifo_queue_gives_the_newest_first);
    tcase_add_test(tc, test_priority_queue_gives_smallest_first_and_ties_fifo);
    prim_add_case(s, tc);
    tc = tcase_create("waiting");
    tcase_add_test(tc, test_get_waits_until_an_item_is_put);
    tcase_add_test(tc, test_put_waits_while_full);
    tcase_add_test(tc, test_waiting_getters_are_served_in_arrival_order);
    tcase_add_test(tc, test_waiting_putters_are_served_in_arrival_order);
    tcase_add_test(tc, test_join_waits_until_every_item_is_task_done);
    tcase_add_test(tc, test_join_on_a_fresh_queue_returns_at_once);
    tcase_add_test(tc, test_get_outside_a_task_fails_with_enotask);
    tcase_add_test(tc, test_free_refuses_while_a_getter_waits_and_frees_items_after);
    tcase_add_test(tc, test_queue_serves_getters_of_a_new_loop_after_the_old_one_closed);
    prim_add_case(s, tc);
    tc = tcase_create("cancellation");
    tcase_add_test(tc, test_cancelled_waiting_get_takes_nothing_and_leaves_the_line);
    tcase_add_test(tc, test_getter_cancelled_after_wakeup_passes_the_item_on);
    tcase_add_test(tc, test_cancelled_waiting_put_leaves_the_item_with_the_putter);
    tcase_add_test(tc, test_putter_cancelled_after_wakeup_passes_the_room_on);
    prim_add_case(s, tc);
    return s;
}

int main(void)
{
    return prim_main(queue_suite());
}
