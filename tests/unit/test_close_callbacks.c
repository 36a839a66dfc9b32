/* test_close_callbacks.c - the loop closes while a callback of the thread
 * side or of a task group is queued (or about to be), and nothing is left
 * behind: every future and task is freed, and with them the loop. Each
 * test keeps one future of its own (`keep`) so that the closed loop stays
 * alive to be counted (co_loop_live_futures), then lets it go. States are
 * reached by counting loop iterations and by semaphores a worker posts,
 * never by waiting for time to pass. */
#include <pthread.h>
#include <semaphore.h>

#include "unit.h"

static co_future *new_future(co_loop *loop)
{
    co_future *f = NULL;
    ck_assert_int_eq(co_future_new(loop, &f), 0);
    return f;
}

/* Waits on a future nobody finishes. */
struct held {
    co_coro co;
    co_future *gate; /* never finished */
    bool waiting;
};

static int held_fn(co_coro *co)
{
    struct held *self = (struct held *)co;
    CO_BEGIN(co);
    self->waiting = true;
    CO_AWAIT(co, self->gate);
    CO_END(co);
}

/* ---- a task group's callback on its children ------------------------------ */

struct child {
    co_coro co;
    int fail; /* 0: return 7; else fail with this code */
};

static int child_fn(co_coro *co)
{
    struct child *self = (struct child *)co;
    CO_BEGIN(co);
    if (self->fail)
        CO_RAISE(co, self->fail, "child failed");
    CO_RETURN(co, 7);
    CO_END(co);
}

struct parent {
    co_coro co;
    co_taskgroup tg;
    co_future *gate; /* awaited between the tasks' creation and the exit */
    int fail;        /* the child's */
    co_task *child;  /* our reference */
    int caught;
};

/* Opens a group, makes one child, then (with a gate) waits on the gate
 * before the exit, or goes straight to the exit. */
static int parent_fn(co_coro *co)
{
    struct parent *self = (struct parent *)co;
    CO_BEGIN(co);
    ck_assert_int_eq(co_taskgroup_enter(&self->tg), 0);
    struct child *c = CO_NEW(struct child, child_fn);
    ck_assert_ptr_nonnull(c);
    c->fail = self->fail;
    ck_assert_int_eq(
        co_taskgroup_create_task(&self->tg, &c->co, "child", &self->child), 0);
    if (self->gate)
        CO_AWAIT_CATCH(co, self->gate, self->caught);
    CO_TASKGROUP_EXIT_CATCH(co, &self->tg, self->caught, self->caught);
    CO_END(co);
}

/* Runs iterations of @p loop until @p t is done: the iteration in which it
 * finished queued its done-callbacks, which have not run yet. */
static void run_until_done(co_loop *loop, co_task *t)
{
    for (int i = 0; i < 100 && !co_task_done(t); i++)
        ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(co_task_done(t));
}

/* Starts @p p as a task and runs iterations until its child is done, with
 * the group's "a task is done" queued. */
static co_task *start_parent(co_loop *loop, struct parent *p)
{
    co_coro_init(&p->co, parent_fn);
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &p->co, "parent", &t), 0);
    for (int i = 0; i < 100 && !p->child; i++)
        ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert_ptr_nonnull(p->child);
    run_until_done(loop, p->child);
    ck_assert(!co_task_done(t)); /* it has not heard of its child yet */
    return t;
}

/* The group's exit waits for its last child, which has just ended. */
START_TEST(test_taskgroup_child_done_queued_at_close_while_exit_waits)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *keep = new_future(loop);
    struct parent p = {0};
    co_task *t = start_parent(loop, &p);
    co_task_unref(p.child);
    co_task_unref(t);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(r.count, 1); /* the parent was destroyed pending */
    ck_assert_ptr_nonnull(strstr(r.last, "parent"));
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
}
END_TEST

/* A child failed while the body awaits something else: the group would
 * cancel the parent, but the loop closes first. */
START_TEST(test_taskgroup_child_failure_queued_at_close_while_body_runs)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *keep = new_future(loop);
    struct parent p = {.fail = CO_EFAIL};
    p.gate = new_future(loop);
    co_task *t = start_parent(loop, &p);
    co_task_unref(p.child);
    co_task_unref(t);
    co_future_unref(p.gate);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
}
END_TEST

/* A child failed and the group has acted on it: the cancels of the parent
 * and of the other child are queued (their steps), not run, when the loop
 * closes. */
START_TEST(test_taskgroup_cancels_queued_at_close)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *keep = new_future(loop);
    struct parent p = {.fail = CO_EFAIL};
    p.gate = new_future(loop);
    co_task *t = start_parent(loop, &p);
    ck_assert_int_eq(unit_run_once(loop), 0); /* the group hears of it */
    ck_assert(!co_task_done(t));
    co_task_unref(p.child);
    co_task_unref(t);
    co_future_unref(p.gate);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
}
END_TEST

struct nest {
    co_coro co;
    co_taskgroup outer, inner;
    co_future *gate;
    co_task *done, *waiting; /* our references on one child of each */
};

/* Two groups open in one CO_NEW frame, which the task owns, each with a
 * child: one ended (its group's callback queued), one waiting. The loop
 * closes: the frame goes with the task, and neither group reaches into
 * it afterwards. Run twice: the groups let go before the tasks are
 * abandoned, and (the thread side made last, so closed first) after. */
static int nest_fn(co_coro *co)
{
    struct nest *self = (struct nest *)co;
    CO_BEGIN(co);
    ck_assert_int_eq(co_taskgroup_enter(&self->outer), 0);
    struct held *w = CO_NEW(struct held, held_fn);
    w->gate = self->gate;
    ck_assert_int_eq(co_taskgroup_create_task(&self->outer, &w->co, NULL,
                                              &self->waiting),
                     0);
    ck_assert_int_eq(co_taskgroup_enter(&self->inner), 0);
    ck_assert_int_eq(co_taskgroup_create_task(&self->inner,
                                              &CO_NEW(struct child,
                                                      child_fn)->co,
                                              NULL, &self->done),
                     0);
    CO_TASKGROUP_EXIT(co, &self->inner, 0);
    CO_TASKGROUP_EXIT(co, &self->outer, 0);
    CO_END(co);
}

START_TEST(test_taskgroup_nested_in_a_task_frame_let_go_at_close)
{
    int thread_side_last = _i;
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *keep = new_future(loop);
    co_future *gate = new_future(loop);
    struct nest *n = CO_NEW(struct nest, nest_fn);
    n->gate = gate;
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &n->co, "nest", &t), 0);
    for (int i = 0; i < 100 && !n->done; i++)
        ck_assert_int_eq(unit_run_once(loop), 0);
    co_task *done = n->done, *waiting = n->waiting;
    run_until_done(loop, done);
    ck_assert(!co_task_done(waiting));
    if (thread_side_last)
        ck_assert_int_eq(co_set_event_loop(loop), 0);
    co_task_unref(done);
    co_task_unref(waiting);
    co_task_unref(t); /* the frame, groups and all, is the task's now */
    co_future_unref(gate);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(r.count, 2); /* the parent and the waiting child */
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
}
END_TEST

/* ---- run_coroutine_threadsafe --------------------------------------------- */

struct answer {
    co_coro co;
    bool ran;
};

static int answer_fn(co_coro *co)
{
    struct answer *self = (struct answer *)co;
    CO_BEGIN(co);
    self->ran = true;
    CO_RETURN(co, 42);
    CO_END(co);
}

/* The coroutine ended on the loop, whose "tell the other thread" callback
 * is queued when the loop closes: the concurrent future still learns the
 * coroutine's result, and nothing of the bridge is left. */
START_TEST(test_rct_task_done_queued_at_close_delivers_the_result)
{
    co_loop *loop = unit_loop(NULL);
    co_future *keep = new_future(loop);
    struct answer a = {0};
    co_coro_init(&a.co, answer_fn);
    co_cfuture *cf = NULL;
    ck_assert_int_eq(co_run_coroutine_threadsafe(&a.co, loop, &cf), 0);
    for (int i = 0; i < 100 && !a.ran; i++)
        ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(a.ran);          /* the task finished in that iteration */
    ck_assert(!co_cfuture_done(cf)); /* ... and has not told cf yet */
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert(co_cfuture_done(cf));
    long long v = 0;
    ck_assert_int_eq(co_cfuture_result_int(cf, 0, &v), 0);
    ck_assert_int_eq(v, 42);
    co_cfuture_unref(cf);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
}
END_TEST

/* The waiting side cancels the concurrent future while the task waits:
 * the cancel call it posts to the loop is still queued when the loop
 * closes. The task is let go (reported), the bridge with it. */
START_TEST(test_rct_cancel_queued_at_close)
{
    struct unit_reports r = {0};
    co_loop *loop = unit_loop(&r);
    co_future *keep = new_future(loop);
    struct held h = {.gate = new_future(loop)};
    co_coro_init(&h.co, held_fn);
    co_cfuture *cf = NULL;
    ck_assert_int_eq(co_run_coroutine_threadsafe(&h.co, loop, &cf), 0);
    for (int i = 0; i < 100 && !h.waiting; i++)
        ck_assert_int_eq(unit_run_once(loop), 0);
    ck_assert(h.waiting);
    ck_assert(co_cfuture_cancel(cf)); /* posts the cancel to the loop */
    co_future_unref(h.gate);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_int_eq(r.count, 1); /* the task was destroyed pending */
    ck_assert(co_cfuture_cancelled(cf));
    co_cfuture_unref(cf);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
}
END_TEST

/* The start call itself is queued when the loop closes: the coroutine
 * never runs and the other thread hears why. */
START_TEST(test_rct_start_queued_at_close)
{
    co_loop *loop = unit_loop(NULL);
    co_future *keep = new_future(loop);
    struct answer a = {0};
    co_coro_init(&a.co, answer_fn);
    co_cfuture *cf = NULL;
    ck_assert_int_eq(co_run_coroutine_threadsafe(&a.co, loop, &cf), 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert(!a.ran);
    const char *msg = NULL;
    ck_assert_int_eq(co_cfuture_exception(cf, 0, &msg), CO_ECLOSED);
    ck_assert_ptr_nonnull(strstr(msg, "before the coroutine started"));
    co_cfuture_unref(cf);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
}
END_TEST

/* ---- a loop future bridged to another thread ------------------------------ */

struct finisher {
    co_cfuture *cf;
    sem_t done; /* posted once cf is finished (its callbacks have run) */
};

static void *finish_it(void *arg)
{
    struct finisher *fin = arg;
    co_cfuture_set_result_int(fin->cf, 5);
    sem_post(&fin->done);
    return NULL;
}

/* Another thread finished the concurrent future, which posted "deliver"
 * to the loop; the loop closes before that call runs. */
START_TEST(test_wrapped_future_delivery_queued_at_close)
{
    co_loop *loop = unit_loop(NULL);
    co_future *keep = new_future(loop);
    struct finisher fin;
    ck_assert_int_eq(sem_init(&fin.done, 0, 0), 0);
    ck_assert_int_eq(co_cfuture_new(&fin.cf), 0);
    co_future *lf = NULL;
    ck_assert_int_eq(co_wrap_future(loop, fin.cf, &lf), 0);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, finish_it, &fin), 0);
    while (sem_wait(&fin.done) != 0)
        ;
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert(!co_future_done(lf)); /* delivered only when the loop runs */
    co_future_unref(lf);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
    co_cfuture_unref(fin.cf);
    sem_destroy(&fin.done);
}
END_TEST

struct gated_job {
    sem_t started, go;
};

static long long gated(void *arg)
{
    struct gated_job *j = arg;
    sem_post(&j->started);
    while (sem_wait(&j->go) != 0)
        ;
    return 9;
}

/* run_in_executor's job is running when the loop closes: the close waits
 * for it (the default pool is shut down), and its result, delivered or
 * not, is released with the job's future. */
START_TEST(test_executor_job_ends_during_close)
{
    co_loop *loop = unit_loop(NULL);
    co_future *keep = new_future(loop);
    struct gated_job j;
    ck_assert_int_eq(sem_init(&j.started, 0, 0), 0);
    ck_assert_int_eq(sem_init(&j.go, 0, 0), 0);
    co_future *f = NULL;
    ck_assert_int_eq(co_loop_run_in_executor(loop, NULL, gated, &j, &f), 0);
    while (sem_wait(&j.started) != 0)
        ;
    co_future_unref(f);
    sem_post(&j.go);
    ck_assert_int_eq(co_loop_close(loop), 0);
    ck_assert_uint_eq(co_loop_live_futures(loop), 1); /* only `keep` */
    co_future_unref(keep);
    sem_destroy(&j.started);
    sem_destroy(&j.go);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("close_callbacks");
    TCase *tc = tcase_create("taskgroup");
    tcase_add_test(tc, test_taskgroup_child_done_queued_at_close_while_exit_waits);
    tcase_add_test(tc, test_taskgroup_child_failure_queued_at_close_while_body_runs);
    tcase_add_test(tc, test_taskgroup_cancels_queued_at_close);
    tcase_add_loop_test(tc, test_taskgroup_nested_in_a_task_frame_let_go_at_close,
                        0, 2);
    unit_add_case(s, tc);
    tc = tcase_create("threads");
    tcase_add_test(tc, test_rct_task_done_queued_at_close_delivers_the_result);
    tcase_add_test(tc, test_rct_cancel_queued_at_close);
    tcase_add_test(tc, test_rct_start_queued_at_close);
    tcase_add_test(tc, test_wrapped_future_delivery_queued_at_close);
    tcase_add_test(tc, test_executor_job_ends_during_close);
    unit_add_case(s, tc);
    return unit_main(s);
}
