/* test.c - the grader of lesson 10: post_notes() and run_jobs() hand work
 * from a plain thread to a loop that runs in another thread.
 *
 * Each test starts a loop thread (set_event_loop, run_forever, held open
 * with co_loop_hold) and calls the student's function from the test's own
 * thread. The callbacks and jobs write down which thread and which loop ran
 * them. Concurrency is shown without a clock: each job of the "at the same
 * time" test waits, on the loop, until all of them have started, and gives
 * up after patience() seconds if they never do (jobs run one after the
 * other never do). Once the student's function has returned, the loop thread is stopped
 * (co_loop_stop_threadsafe runs after every call handed over before it) and
 * joined, and every future and task must have been released. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exercise.h"
#include "grader.h"

/* How long the grader waits for anything. In Check's fork mode every test
 * has a timeout (CK_DEFAULT_TIMEOUT: the tutor's 2 s, meson's 6 s), and
 * every wait here, failing or not, must end well within it. Without fork
 * (CK_FORK=no: valgrind, a debugger) there is no timeout and the program
 * may run many times slower, so the grader is far more patient there. */
static double patience(void)
{
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && strcmp(fork_mode, "no") == 0)
        return 20.0;
    const char *t = getenv("CK_DEFAULT_TIMEOUT");
    const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
    double timeout = t ? atof(t) : 4.0; /* Check's own default */
    if (!(timeout > 0))
        timeout = 4.0;
    if (m && atof(m) > 0)
        timeout *= atof(m);
    return 0.4 * timeout;
}

/* How long a job waits for the others to start before it gives up. */
#define GIVE_UP patience()

/* ---- the records (under mu) -------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t loop_thread;   /* the thread that runs the loop */
static co_loop *the_loop;       /* the loop of the test */
static int order[64], norder;   /* note ids, in the order they ran */
static int wrong_thread;        /* callbacks or jobs off the loop thread */
static int wrong_loop;          /* jobs that ran on some other loop */
static int started, ended;      /* jobs that began / ended */
static int wait_for_all;        /* jobs wait until this many have started */
static int gave_up;             /* a job stopped waiting for the others */
static int started_then;        /* how many had started when it gave up */
static int fail_id = -1;        /* this job fails with CO_EFAIL */

static void record_thread(void)
{
    if (!pthread_equal(pthread_self(), loop_thread))
        wrong_thread++;
}

void note(void *arg)
{
    const struct note *n = arg;
    pthread_mutex_lock(&mu);
    record_thread();
    if (norder < 64)
        order[norder++] = n->id;
    pthread_mutex_unlock(&mu);
}

int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    co_loop *loop = co_get_running_loop();
    int waiting = 0;
    CO_BEGIN(co);
    pthread_mutex_lock(&mu);
    record_thread();
    if (loop != the_loop)
        wrong_loop++;
    started++;
    pthread_mutex_unlock(&mu);
    self->began = co_loop_time(loop);
    for (;;) {
        pthread_mutex_lock(&mu);
        waiting = wait_for_all > 0 && started < wait_for_all && !gave_up;
        if (waiting && co_loop_time(loop) - self->began > GIVE_UP) {
            started_then = started;
            gave_up = 1;
            waiting = 0;
        }
        pthread_mutex_unlock(&mu);
        if (!waiting)
            break;
        CO_SLEEP(co, 0.001);
    }
    for (self->step = 0; self->step < 3; self->step++)
        CO_YIELD(co);
    pthread_mutex_lock(&mu);
    ended++;
    pthread_mutex_unlock(&mu);
    if (self->id == fail_id)
        CO_RAISE(co, CO_EFAIL, "the grader's job failed, as told");
    CO_RETURN(co, (long long)self->id * 10);
    CO_END(co);
}

/* ---- the loop thread ----------------------------------------------------- */

static void *loop_main(void *arg)
{
    co_loop *loop = arg;
    co_set_event_loop(loop);
    co_loop_run_forever(loop);
    return NULL;
}

static void stop_cb(void *arg)
{
    co_loop_stop(arg);
}

static void start_loop_thread(void)
{
    norder = wrong_thread = wrong_loop = started = ended = 0;
    wait_for_all = gave_up = started_then = 0;
    fail_id = -1;
    the_loop = NULL;
    ck_assert_int_eq(co_loop_new(&the_loop), 0);
    ck_assert_int_eq(co_loop_hold(the_loop), 0);
    ck_assert_int_eq(pthread_create(&loop_thread, NULL, loop_main, the_loop),
                     0);
}

/* Stops and joins the loop thread, then checks (on this thread, which now
 * owns the loop) that nothing handed over is still alive. */
static void stop_loop_thread(void)
{
    ck_assert_int_eq(co_loop_stop_threadsafe(the_loop), 0);
    pthread_join(loop_thread, NULL);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do { /* a task cancelled or ended late may need an iteration or two */
        co_loop_call_later(the_loop, 0.001, stop_cb, the_loop, NULL);
        co_loop_run_forever(the_loop);
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (co_loop_live_futures(the_loop) > 0 &&
             (double)(t.tv_sec - t0.tv_sec) < 1 + patience());
    grade_expect_all_released(the_loop, "when the test ended");
    co_loop_release(the_loop);
    co_loop_close(the_loop);
}

/* ---- post_notes ------------------------------------------------------------ */

START_TEST(test_notes_run_on_the_loop_thread)
{
    static struct note notes[3] = {{1}, {2}, {3}};
    start_loop_thread();
    grade_expect_code(post_notes(the_loop, notes, 3), 0,
                      "post_notes(loop, notes, 3)");
    stop_loop_thread();
    grade_expect_int(norder, 3, "how many notes ran");
    ck_assert_msg(wrong_thread == 0,
                  "%d of the 3 notes ran on the thread that called "
                  "post_notes, not on the loop's thread: hand each to the "
                  "loop with co_loop_call_soon_threadsafe(loop, note, "
                  "&notes[i]) instead of calling note() yourself",
                  wrong_thread);
}
END_TEST

START_TEST(test_notes_run_in_order)
{
    static struct note notes[5] = {{5}, {4}, {3}, {2}, {1}};
    start_loop_thread();
    grade_expect_code(post_notes(the_loop, notes, 5), 0,
                      "post_notes(loop, notes, 5)");
    stop_loop_thread();
    grade_expect_int(norder, 5, "how many notes ran");
    for (int i = 0; i < 5; i++)
        grade_expect_int(order[i], notes[i].id,
                         "the id of the note that ran in this place (they "
                         "must run in the order they were handed over)");
}
END_TEST

START_TEST(test_post_notes_passes_on_an_error)
{
    static struct note notes[2] = {{1}, {2}};
    grade_expect_code(post_notes(NULL, notes, 2), CO_EINVAL,
                      "post_notes(NULL, notes, 2): the hand-over refuses a "
                      "NULL loop, and post_notes must return its code");
}
END_TEST

/* ---- run_jobs -------------------------------------------------------------- */

struct batch {
    struct job jobs[RUN_JOBS_MAX];
    long long results[RUN_JOBS_MAX];
};

static int run_batch(struct batch *b, int n)
{
    memset(b, 0, sizeof *b);
    for (int i = 0; i < n; i++) {
        co_coro_init(&b->jobs[i].co, job);
        b->jobs[i].id = i + 1;
        b->results[i] = -1;
    }
    return run_jobs(the_loop, b->jobs, n, b->results);
}

START_TEST(test_run_jobs_collects_the_results)
{
    static struct batch b;
    start_loop_thread();
    int rc = run_batch(&b, 3);
    stop_loop_thread();
    grade_expect_code(rc, 0, "what run_jobs returned for three jobs");
    for (int i = 0; i < 3; i++)
        grade_expect_int(b.results[i], (i + 1) * 10,
                         "results[i] (job i + 1 returns (i + 1) * 10)");
}
END_TEST

START_TEST(test_jobs_run_on_the_loop_thread)
{
    static struct batch b;
    start_loop_thread();
    int rc = run_batch(&b, 2);
    stop_loop_thread();
    grade_expect_int(started, 2, "how many jobs started");
    ck_assert_msg(wrong_loop == 0,
                  "%d of the 2 jobs ran on some other loop than the one "
                  "given to run_jobs (co_run makes a loop of its own): hand "
                  "each to the given loop with co_run_coroutine_threadsafe",
                  wrong_loop);
    ck_assert_msg(wrong_thread == 0,
                  "%d of the 2 jobs ran on the thread that called run_jobs, "
                  "not on the loop's thread",
                  wrong_thread);
    grade_expect_code(rc, 0, "what run_jobs returned");
}
END_TEST

START_TEST(test_jobs_run_at_the_same_time)
{
    static struct batch b;
    start_loop_thread();
    wait_for_all = 4; /* each waits, on the loop, until all 4 have started */
    int rc = run_batch(&b, 4);
    stop_loop_thread();
    ck_assert_msg(!gave_up,
                  "each job waited for the other three to start, but only "
                  "%d of 4 had started after %.1f s: they ran one after the "
                  "other. Hand every job over first, and only then wait for "
                  "their futures",
                  started_then, GIVE_UP);
    ck_assert_msg(wrong_loop == 0, "jobs ran on another loop than the given "
                                   "one");
    grade_expect_code(rc, 0, "what run_jobs returned");
    for (int i = 0; i < 4; i++)
        grade_expect_int(b.results[i], (i + 1) * 10, "results[i]");
}
END_TEST

START_TEST(test_run_jobs_reports_a_failure_after_all_ended)
{
    static struct batch b;
    start_loop_thread();
    fail_id = 2; /* the second of three fails */
    int rc = run_batch(&b, 3);
    int ended_then = 0;
    pthread_mutex_lock(&mu);
    ended_then = ended;
    pthread_mutex_unlock(&mu);
    stop_loop_thread();
    grade_expect_code(rc, CO_EFAIL,
                      "what run_jobs returned when job 2 of 3 failed with "
                      "CO_EFAIL (co_cfuture_result_int gives you the code)");
    grade_expect_int(ended_then, 3,
                     "jobs that had ended when run_jobs returned (it must "
                     "wait for all of them, also after a failure)");
    grade_expect_int(b.results[0], 10, "results[0], of a job that returned");
    grade_expect_int(b.results[1], -1,
                     "results[1], of the job that failed (leave it as it "
                     "was)");
    grade_expect_int(b.results[2], 30, "results[2], of a job that returned");
    ck_assert_msg(wrong_loop == 0, "jobs ran on another loop than the given "
                                   "one");
}
END_TEST

START_TEST(test_run_jobs_of_nothing)
{
    static struct batch b;
    start_loop_thread();
    int rc = run_batch(&b, 0);
    stop_loop_thread();
    grade_expect_code(rc, 0, "what run_jobs returned for no jobs");
    grade_expect_int(started, 0, "jobs started");
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 10: loops and threads");
    TCase *tc = grade_tcase("post_notes");
    tcase_add_test(tc, test_notes_run_on_the_loop_thread);
    tcase_add_test(tc, test_notes_run_in_order);
    tcase_add_test(tc, test_post_notes_passes_on_an_error);
    suite_add_tcase(s, tc);
    tc = grade_tcase("run_jobs");
    tcase_add_test(tc, test_run_jobs_collects_the_results);
    tcase_add_test(tc, test_jobs_run_on_the_loop_thread);
    tcase_add_test(tc, test_jobs_run_at_the_same_time);
    tcase_add_test(tc, test_run_jobs_reports_a_failure_after_all_ended);
    tcase_add_test(tc, test_run_jobs_of_nothing);
    suite_add_tcase(s, tc);
    return s;
}
