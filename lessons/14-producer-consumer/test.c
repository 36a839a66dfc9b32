/* test.c - the grader of lesson 14: consumer() takes jobs from a co_queue,
 * runs them concurrently with the other consumers, marks each done once,
 * and loses none when it is cancelled.
 *
 * The evidence is counts and order first: three consumers that finish jobs
 * of 5, 3 and 1 units in the order 1, 3, 5 ran them at once (one by one
 * they would end 5, 3, 1). The loops run on virtual time, so the jobs
 * take exactly the longest one's time, which is checked; on the real
 * clock (COFLOW_CLOCK=monotonic) only less than their sum, nearly twice
 * the longest, so that a loaded machine does not fail it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "grader.h"

#define UNIT 0.05

static grade_trace trace;

#define close_loop(loop)                                                       \
    do {                                                                       \
        grade_expect_all_released((loop), "when the test ended");              \
        co_loop_close(loop);                                                   \
    } while (0)

static co_loop *new_loop(void)
{
    co_loop *loop = NULL;
    ck_assert_int_eq(co_loop_new(&loop), 0);
    return loop;
}

static co_queue *new_queue(size_t maxsize)
{
    co_queue *q = NULL;
    ck_assert_int_eq(co_queue_new(&q, maxsize), 0);
    return q;
}

/* One loop iteration. */
static void iterate(co_loop *loop)
{
    co_loop_stop(loop);
    int rc = co_loop_run_forever(loop);
    ck_assert_msg(rc == 0 || rc == CO_EDEADLOCK,
                  "running the loop failed: %s", co_errname(rc));
}

static void note_end(co_future *f, void *arg)
{
    (void)f;
    grade_trace_add(&trace, "%s", (const char *)arg);
}

static co_task *start(co_loop *loop, struct consumer *c, co_queue *q,
                      const char *name)
{
    memset(c, 0, sizeof *c);
    co_coro_init(&c->co, consumer);
    c->q = q;
    c->unit = UNIT;
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(loop, &c->co, name, &t), 0);
    ck_assert_int_eq(
        co_future_add_done_callback(co_task_future(t), note_end, (void *)name),
        0);
    return t;
}

static void put(co_queue *q, struct job *j)
{
    ck_assert_int_eq(co_queue_put_nowait(q, j), 0);
}

static void run_to_end(co_loop *loop, co_task *t, const char *what)
{
    grade_run_until_complete(loop, co_task_future(t), 0, what);
}

static void setup(void)
{
    grade_trace_clear(&trace);
}

START_TEST(test_three_jobs_at_once_shortest_first)
{
    co_loop *loop = new_loop();
    co_queue *q = new_queue(0);
    struct job jobs[] = {{1, 5, 0}, {2, 3, 0}, {3, 1, 0}};
    struct job stop[3] = {{0, -1, 0}, {0, -1, 0}, {0, -1, 0}};
    for (int i = 0; i < 3; i++)
        put(q, &jobs[i]);
    for (int i = 0; i < 3; i++)
        put(q, &stop[i]);
    static struct consumer c[3];
    double t0 = co_loop_time(loop);
    co_task *t[3] = {start(loop, &c[0], q, "consumer 1 (job of 5)"),
                     start(loop, &c[1], q, "consumer 2 (job of 3)"),
                     start(loop, &c[2], q, "consumer 3 (job of 1)")};
    run_to_end(loop, t[0], "three consumers, jobs of 5, 3 and 1 units");
    double took = co_loop_time(loop) - t0;
    for (int i = 0; i < 3; i++)
        run_to_end(loop, t[i], "a consumer given a stop mark");
    iterate(loop);
    grade_expect_trace(&trace,
                       "consumer 3 (job of 1)\nconsumer 2 (job of 3)\n"
                       "consumer 1 (job of 5)\n",
                       "the order the consumers ended in (each takes one "
                       "job, then a stop mark: shortest first, if they "
                       "worked at the same time)");
    for (int i = 0; i < 3; i++)
        grade_expect_int(jobs[i].done, 1, "times a job was done");
    /* On virtual time they take the longest job's time exactly; on the
     * real clock only less than their sum is asked, which a loaded machine
     * does not miss. */
    double bound = co_loop_get_virtual_time(loop) ? 5 * UNIT + 1e-6
                                                  : 9 * UNIT;
    ck_assert_msg(took < bound,
                  "the three jobs took %.2f s, more than the longest job "
                  "(%.2f s; all of them one after the other take %.2f s): "
                  "they should work at the same time",
                  took, 5 * UNIT, 9 * UNIT);
    for (int i = 0; i < 3; i++)
        co_task_unref(t[i]);
    grade_expect_int(co_queue_unfinished(q), 0,
                     "items not marked with task_done");
    ck_assert_int_eq(co_queue_free(q), 0);
    close_loop(loop);
}
END_TEST

START_TEST(test_it_returns_how_many_it_finished)
{
    co_loop *loop = new_loop();
    co_queue *q = new_queue(0);
    struct job jobs[] = {{1, 0, 0}, {2, 1, 0}, {3, 0, 0}, {0, -1, 0}};
    for (int i = 0; i < 4; i++)
        put(q, &jobs[i]);
    static struct consumer c;
    co_task *t = start(loop, &c, q, "consumer");
    run_to_end(loop, t, "one consumer, three short jobs and a stop mark");
    long long n = -1;
    grade_expect_code(co_task_result_int(t, &n), 0,
                      "the consumer's outcome (it should return, with "
                      "CO_RETURN, after the stop mark)");
    grade_expect_int(n, 3, "the consumer's result: jobs it finished");
    for (int i = 0; i < 3; i++)
        grade_expect_int(jobs[i].done, 1, "times a job was done");
    grade_expect_int(co_queue_unfinished(q), 0,
                     "items not marked with task_done (the stop mark "
                     "counts too)");
    co_task_unref(t);
    ck_assert_int_eq(co_queue_free(q), 0);
    close_loop(loop);
}
END_TEST

/* The test's producer: puts n jobs, then one stop mark per consumer, into
 * a bounded queue (waiting for room), then joins it. */
#define MANY 24
#define NCONS 4

struct producer {
    co_coro co;
    co_queue *q;
    struct job *jobs;
    struct job *stops;
    int i;
    int joined;
    co_wait_op op;
};

static int producer(co_coro *co)
{
    struct producer *self = (struct producer *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < MANY; self->i++)
        CO_QUEUE_PUT(co, &self->op, self->q, &self->jobs[self->i]);
    for (self->i = 0; self->i < NCONS; self->i++)
        CO_QUEUE_PUT(co, &self->op, self->q, &self->stops[self->i]);
    CO_QUEUE_JOIN(co, &self->op, self->q);
    self->joined = 1;
    CO_END(co);
}

START_TEST(test_many_jobs_through_a_bounded_queue_each_done_once)
{
    co_loop *loop = new_loop();
    co_queue *q = new_queue(3);
    static struct job jobs[MANY], stops[NCONS];
    for (int i = 0; i < MANY; i++)
        jobs[i] = (struct job){i + 1, i % 3 == 0 ? 1 : 0, 0};
    for (int i = 0; i < NCONS; i++)
        stops[i] = (struct job){0, -1, 0};
    static struct producer p;
    memset(&p, 0, sizeof p);
    co_coro_init(&p.co, producer);
    p.q = q;
    p.jobs = jobs;
    p.stops = stops;
    co_task *pt = NULL;
    ck_assert_int_eq(co_create_task(loop, &p.co, "producer", &pt), 0);
    static struct consumer c[NCONS];
    co_task *t[NCONS];
    static const char *const names[] = {"c1", "c2", "c3", "c4"};
    for (int i = 0; i < NCONS; i++)
        t[i] = start(loop, &c[i], q, names[i]);
    grade_run_until_complete(loop, co_task_future(pt), 0,
                             "a producer of 24 jobs into co_queue(maxsize=3), "
                             "4 consumers, and q.join() (which returns only "
                             "once every get, the stop marks' too, has had "
                             "its co_queue_task_done)");
    long long total = 0;
    for (int i = 0; i < NCONS; i++) {
        run_to_end(loop, t[i], "a consumer given a stop mark");
        long long n = 0;
        grade_expect_code(co_task_result_int(t[i], &n), 0,
                          "a consumer's outcome");
        total += n;
        co_task_unref(t[i]);
    }
    for (int i = 0; i < MANY; i++) {
        char what[64];
        snprintf(what, sizeof what, "times job %d was done", i + 1);
        grade_expect_int(jobs[i].done, 1, what);
    }
    grade_expect_int(total, MANY, "the consumers' results, added up");
    grade_expect_int(p.joined, 1, "q.join() returned");
    co_task_unref(pt);
    ck_assert_int_eq(co_queue_free(q), 0);
    close_loop(loop);
}
END_TEST

START_TEST(test_cancelled_in_a_job_puts_it_back)
{
    co_loop *loop = new_loop();
    co_queue *q = new_queue(0);
    struct job job = {7, 5, 0};
    put(q, &job);
    static struct consumer a;
    co_task *ta = start(loop, &a, q, "A");
    for (int i = 0; i < 5 && !a.job; i++)
        iterate(loop);
    ck_assert_msg(a.job == &job, "after a few iterations the consumer "
                                 "should hold job 7 in self->job");
    co_task_cancel(ta);
    run_to_end(loop, ta, "the consumer, cancelled in the middle of a job");
    grade_expect_int(co_task_cancelled(ta), 1,
                     "the consumer ended cancelled (CO_RAISE with "
                     "CO_ECANCELLED after putting the job back)");
    grade_expect_int(job.done, 0, "times job 7 was done (it was cancelled)");
    grade_expect_int(co_queue_qsize(q), 1,
                     "jobs in the queue: job 7 should be back in it");
    grade_expect_int(co_queue_unfinished(q), 1,
                     "items not marked with task_done (job 7, put back: "
                     "the get that took it must be marked done)");
    /* Another consumer finishes it. */
    struct job stop = {0, -1, 0};
    put(q, &stop);
    static struct consumer b;
    co_task *tb = start(loop, &b, q, "B");
    run_to_end(loop, tb, "a second consumer, after the first was cancelled");
    grade_expect_int(job.done, 1, "times job 7 was done in the end");
    grade_expect_int(co_queue_unfinished(q), 0,
                     "items not marked with task_done");
    co_task_unref(ta);
    co_task_unref(tb);
    ck_assert_int_eq(co_queue_free(q), 0);
    close_loop(loop);
}
END_TEST

START_TEST(test_cancelled_while_waiting_holds_nothing)
{
    co_loop *loop = new_loop();
    co_queue *q = new_queue(0);
    static struct consumer a;
    co_task *ta = start(loop, &a, q, "A");
    iterate(loop);
    iterate(loop);
    co_task_cancel(ta);
    run_to_end(loop, ta, "a consumer waiting on an empty queue, cancelled");
    grade_expect_int(co_task_cancelled(ta), 1, "the consumer ended cancelled");
    grade_expect_int(co_queue_qsize(q), 0, "items in the queue");
    grade_expect_int(co_queue_unfinished(q), 0,
                     "items not marked with task_done (it got none: "
                     "task_done must not be called)");
    /* The queue still works for the next one. */
    struct job job = {1, 0, 0}, stop = {0, -1, 0};
    put(q, &job);
    put(q, &stop);
    static struct consumer b;
    co_task *tb = start(loop, &b, q, "B");
    run_to_end(loop, tb, "a second consumer");
    grade_expect_int(job.done, 1, "times the job was done");
    co_task_unref(ta);
    co_task_unref(tb);
    ck_assert_int_eq(co_queue_free(q), 0);
    close_loop(loop);
}
END_TEST

START_TEST(test_cancelling_one_of_several_loses_no_job)
{
    co_loop *loop = new_loop();
    co_queue *q = new_queue(0);
    static struct job jobs[6];
    for (int i = 0; i < 6; i++) {
        jobs[i] = (struct job){i + 1, 2, 0};
        put(q, &jobs[i]);
    }
    static struct job stops[2] = {{0, -1, 0}, {0, -1, 0}};
    static struct consumer c[3];
    co_task *t[3] = {start(loop, &c[0], q, "c1"), start(loop, &c[1], q, "c2"),
                     start(loop, &c[2], q, "c3")};
    for (int i = 0; i < 5 && !c[1].job; i++)
        iterate(loop);
    ck_assert_msg(c[1].job != NULL, "the second consumer should hold a job");
    co_task_cancel(t[1]); /* in the middle of its first job */
    run_to_end(loop, t[1], "the cancelled consumer");
    put(q, &stops[0]);
    put(q, &stops[1]);
    run_to_end(loop, t[0], "a consumer that was not cancelled");
    run_to_end(loop, t[2], "a consumer that was not cancelled");
    for (int i = 0; i < 6; i++) {
        char what[64];
        snprintf(what, sizeof what, "times job %d was done", i + 1);
        grade_expect_int(jobs[i].done, 1, what);
    }
    grade_expect_int(co_queue_unfinished(q), 0,
                     "items not marked with task_done");
    for (int i = 0; i < 3; i++)
        co_task_unref(t[i]);
    ck_assert_int_eq(co_queue_free(q), 0);
    close_loop(loop);
}
END_TEST

Suite *lesson_suite(void)
{
    /* Every loop of the grader (and of the code graded) runs on virtual
     * time, co_loop_set_virtual_time(): sleeps take no real time and end
     * in deadline order however busy the machine is, so the order and the
     * durations checked are exact. COFLOW_CLOCK=monotonic overrides it. */
    setenv("COFLOW_CLOCK", "virtual", 0);
    Suite *s = suite_create("lesson 14: producer and consumer");
    TCase *tc = grade_tcase("consumer");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_three_jobs_at_once_shortest_first);
    tcase_add_test(tc, test_it_returns_how_many_it_finished);
    tcase_add_test(tc, test_many_jobs_through_a_bounded_queue_each_done_once);
    tcase_add_test(tc, test_cancelled_in_a_job_puts_it_back);
    tcase_add_test(tc, test_cancelled_while_waiting_holds_nothing);
    tcase_add_test(tc, test_cancelling_one_of_several_loses_no_job);
    suite_add_tcase(s, tc);
    return s;
}
