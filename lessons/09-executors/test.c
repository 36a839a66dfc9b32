/* test.c - the grader of lesson 09: in_thread() and download_all() hand
 * blocking work to the default thread pool, and the loop keeps running.
 *
 * The evidence is counted, not timed: no check compares anything with a
 * duration, so a correct solution passes however slow or loaded the
 * machine. A ticker task on the loop counts its ticks, and the grader's
 * blocking jobs wait for events before they return: for ticks, for the
 * other downloads to start, or for them to end. A job that waits for three
 * ticks finishes only if the loop is free while it blocks (a frozen loop
 * never ticks: the job gives up, at once on the loop's own thread, else
 * after patience() seconds, and says so); downloads that wait until all of
 * them have started finish only if they run at the same time; a first
 * download that waits until the others have ended finishes only if they run
 * inside its own time, which is why the batch takes the longest download's
 * time and not the sum. Only a wrong solution ever reaches patience(): a
 * correct one produces every event the jobs wait for, in milliseconds. */
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

/* How long a grader job waits for ticks or for the other downloads before
 * it gives up: far more than a free loop needs (milliseconds), and never
 * reached by a correct solution, which produces every event waited for. */
#define GIVE_UP patience()

/* ---- what the loop and the jobs share (under mu) ----------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed; /* ticks, starts or ends changed */
static int ticks;              /* the ticker's ticks so far */
static int ticks_meanwhile;    /* ticks while a job was blocking */
static int running;            /* jobs blocking right now */
static int started, finished;  /* jobs that began / returned */
static int on_loop_thread;     /* jobs that ran on the loop's thread */
static int gave_up;            /* a job stopped waiting: do not wait more */
static const char *waited_for; /* what the job that gave up waited for */
static int started_then;       /* how many had started when one gave up */
static int finished_then;      /* how many had finished when one gave up */
static pthread_t loop_thread;  /* the test's thread, which runs the loop */

/* What the jobs of a test wait for before they block their time. */
static int wait_ticks;   /* this many ticks of the ticker */
static int wait_started; /* until this many jobs have started */
static const struct download *longest; /* this job waits, besides, until */
static int wait_finished;              /* this many others have finished */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void block_for(double seconds)
{
    struct timespec ts = {(time_t)seconds,
                          (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Waits on `changed` until ready() or GIVE_UP seconds; mu is held. The
 * first job to give up records @p what it waited for, and what had happened
 * by then, for the failure message. A job on the loop's own thread gives up
 * on ticks at once: the ticker runs on that thread, so it cannot tick
 * before the job returns, and waiting would only make a wrong answer slow
 * (20 s a test under valgrind). */
static int wait_until(int (*ready)(int), int target, const char *what)
{
    int in_vain = strcmp(what, "ticks") == 0 &&
                  pthread_equal(pthread_self(), loop_thread);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    double wait = GIVE_UP;
    until.tv_sec += (time_t)wait;
    until.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!in_vain && !ready(target) && !gave_up)
        if (pthread_cond_timedwait(&changed, &mu, &until) != 0)
            break;
    if (ready(target))
        return 1;
    if (!gave_up) {
        waited_for = what;
        started_then = started;
        finished_then = finished;
    }
    gave_up = 1;
    pthread_cond_broadcast(&changed);
    return 0;
}

static int ticks_reached(int target)
{
    return ticks >= target;
}

static int all_started(int target)
{
    return started >= target;
}

static int enough_finished(int target)
{
    return finished >= target;
}

/* What the jobs recorded when one gave up, read under mu: a job of a wrong
 * solution may still be running when the test looks. */
struct given_up {
    int gave_up;
    const char *waited_for;
    int started_then, finished_then;
};

static struct given_up given_up(void)
{
    pthread_mutex_lock(&mu);
    struct given_up g = {gave_up, waited_for, started_then, finished_then};
    pthread_mutex_unlock(&mu);
    return g;
}

/* The blocking job every test uses, through download() or directly. */
static long long blocking_job(const struct download *d)
{
    long long result = d->size;
    pthread_mutex_lock(&mu);
    started++;
    running++;
    if (pthread_equal(pthread_self(), loop_thread))
        on_loop_thread++;
    pthread_cond_broadcast(&changed);
    if (wait_ticks > 0 &&
        !wait_until(ticks_reached, ticks + wait_ticks, "ticks"))
        result = CO_ETIMEDOUT;
    if (wait_started > 0 && !wait_until(all_started, wait_started, "starts"))
        result = CO_ETIMEDOUT;
    if (d == longest && !wait_until(enough_finished, wait_finished, "ends"))
        result = CO_ETIMEDOUT;
    pthread_mutex_unlock(&mu);
    block_for(d->seconds);
    pthread_mutex_lock(&mu);
    running--;
    finished++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&mu);
    return result;
}

long long download(void *arg)
{
    return blocking_job(arg);
}

/* ---- the ticker --------------------------------------------------------- */

static int ticker_stop; /* set by the test, on the loop's thread */

static int ticker(co_coro *co)
{
    CO_BEGIN(co);
    while (!ticker_stop) {
        pthread_mutex_lock(&mu);
        ticks++;
        if (running > 0)
            ticks_meanwhile++;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&mu);
        CO_SLEEP(co, 0.002);
    }
    CO_END(co);
}

/* ---- one test's loop ---------------------------------------------------- */

struct run {
    co_loop *loop;
    co_coro tick;       /* the ticker's frame */
    co_task *ticker;    /* the ticker task */
    co_task *task;      /* the student's coroutine as a task */
    int rc;             /* how it ended: 0 or its failure */
    long long result;   /* what it returned */
};

static void reset(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&changed, &attr);
    pthread_condattr_destroy(&attr);
    ticks = ticks_meanwhile = running = started = finished = 0;
    on_loop_thread = gave_up = started_then = finished_then = 0;
    waited_for = "";
    wait_ticks = wait_started = wait_finished = 0;
    longest = NULL;
    ticker_stop = 0;
    loop_thread = pthread_self();
}

static void stop_cb(void *arg)
{
    co_loop_stop(arg);
}

/* Runs the loop until every job has returned and every future is gone
 * (the pool delivers a result on the loop's thread a little after the job
 * returns), for at most patience() seconds. */
static void settle(co_loop *loop)
{
    double until = mono() + patience();
    while (co_loop_live_futures(loop) > 0 && mono() < until) {
        co_loop_call_later(loop, 0.002, stop_cb, loop, NULL);
        co_loop_run_forever(loop);
    }
}

/* Runs @p co as a task next to the ticker, until it ends. */
static void run_with_ticker(struct run *r, co_coro *co, const char *what)
{
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(co_loop_new(&r->loop), 0);
    co_coro_init(&r->tick, ticker);
    ck_assert_int_eq(co_create_task(r->loop, &r->tick, "ticker", &r->ticker),
                     0);
    ck_assert_int_eq(co_create_task(r->loop, co, "main", &r->task), 0);
    r->rc = grade_run_until_complete(r->loop, co_task_future(r->task),
                                     1.5 * patience(), what);
    if (r->rc == 0)
        co_task_result_int(r->task, &r->result);
    ticker_stop = 1;
    grade_run_until_complete(r->loop, co_task_future(r->ticker), patience(),
                             "the grader's ticker");
}

static void finish(struct run *r)
{
    co_task_unref(r->task);
    co_task_unref(r->ticker);
    settle(r->loop);
    grade_expect_all_released(r->loop, "when the test ended");
    co_loop_close(r->loop);
    pthread_cond_destroy(&changed);
}

static long long plain_job(void *arg)
{
    return blocking_job(arg);
}

static void run_in_thread(struct run *r, struct in_thread *frame,
                          struct download *d)
{
    memset(frame, 0, sizeof *frame);
    co_coro_init(&frame->co, in_thread);
    frame->fn = plain_job;
    frame->arg = d;
    run_with_ticker(r, &frame->co, "in_thread");
}

/* ---- in_thread ---------------------------------------------------------- */

START_TEST(test_in_thread_gives_the_job_result)
{
    reset();
    static struct in_thread frame;
    static struct download d = {"job", 0.001, 144};
    struct run r;
    run_in_thread(&r, &frame, &d);
    grade_expect_code(r.rc, 0, "how in_thread ended");
    grade_expect_int(r.result, 144, "what in_thread returned for a job "
                                    "that returns 144");
    finish(&r);
}
END_TEST

START_TEST(test_in_thread_runs_the_job_on_another_thread)
{
    reset();
    static struct in_thread frame;
    static struct download d = {"job", 0.001, 1};
    struct run r;
    run_in_thread(&r, &frame, &d);
    grade_expect_int(started, 1, "how many times the job ran");
    ck_assert_msg(on_loop_thread == 0,
                  "the job ran on the loop's own thread: while it blocks, "
                  "nothing else on the loop can run. Hand it to the pool "
                  "with co_loop_run_in_executor(loop, NULL, fn, arg, &fut) "
                  "and CO_AWAIT the future");
    grade_expect_code(r.rc, 0, "how in_thread ended");
    finish(&r);
}
END_TEST

START_TEST(test_the_ticker_ticks_while_in_thread_waits)
{
    reset();
    wait_ticks = 3; /* the job blocks until the ticker has ticked 3 times */
    static struct in_thread frame;
    static struct download d = {"job", 0.001, 5};
    struct run r;
    run_in_thread(&r, &frame, &d);
    ck_assert_msg(!gave_up && ticks_meanwhile >= 3,
                  "the ticker task ticked %d times while the job was "
                  "blocking, and the job waited for 3 ticks in vain: the "
                  "loop was frozen by the blocking call. Run it on the "
                  "pool, not on the loop's thread",
                  ticks_meanwhile);
    grade_expect_code(r.rc, 0, "how in_thread ended");
    grade_expect_int(r.result, 5, "what in_thread returned");
    finish(&r);
}
END_TEST

static long long failing_job(void *arg)
{
    (void)arg;
    return CO_EUSER;
}

START_TEST(test_in_thread_fails_like_the_job)
{
    reset();
    static struct in_thread frame;
    memset(&frame, 0, sizeof frame);
    co_coro_init(&frame.co, in_thread);
    frame.fn = failing_job;
    struct run r;
    run_with_ticker(&r, &frame.co, "in_thread with a job that fails");
    grade_expect_code(r.rc, CO_EUSER,
                      "how in_thread ended when its job returned the "
                      "failure CO_EUSER (a job fails by returning a "
                      "negative code; the pool's future then fails with "
                      "it, and so must in_thread)");
    finish(&r);
}
END_TEST

/* ---- download_all ------------------------------------------------------- */

#define MAX_JOBS 8

struct batch {
    struct download jobs[MAX_JOBS];
    long long sizes[MAX_JOBS];
    co_future *futures[MAX_JOBS];
    struct download_all frame;
};

static void run_batch(struct run *r, struct batch *b, int n,
                      const double *seconds, const long long *sizes)
{
    static const char *const urls[MAX_JOBS] = {"a.jpg", "b.jpg", "c.jpg",
                                               "d.jpg", "e.jpg", "f.jpg",
                                               "g.jpg", "h.jpg"};
    memset(b, 0, sizeof *b);
    for (int i = 0; i < n; i++) {
        b->jobs[i].url = urls[i];
        b->jobs[i].seconds = seconds[i];
        b->jobs[i].size = sizes[i];
        b->sizes[i] = -1;
    }
    co_coro_init(&b->frame.co, download_all);
    b->frame.jobs = b->jobs;
    b->frame.n = n;
    b->frame.sizes = b->sizes;
    b->frame.futures = b->futures;
    run_with_ticker(r, &b->frame.co, "download_all");
}

START_TEST(test_download_all_returns_the_total)
{
    reset();
    static struct batch b;
    static const double secs[3] = {0.001, 0.001, 0.001};
    static const long long sizes[3] = {100, 20, 3};
    struct run r;
    run_batch(&r, &b, 3, secs, sizes);
    grade_expect_code(r.rc, 0, "how download_all ended");
    grade_expect_int(r.result, 123, "what download_all returned for "
                                    "sizes 100, 20 and 3");
    finish(&r);
}
END_TEST

START_TEST(test_download_all_keeps_argument_order)
{
    reset();
    static struct batch b;
    /* The first ends last: the sizes must still be in argument order. */
    static const double secs[3] = {0.03, 0.02, 0.001};
    static const long long sizes[3] = {7, 8, 9};
    struct run r;
    run_batch(&r, &b, 3, secs, sizes);
    grade_expect_code(r.rc, 0, "how download_all ended");
    for (int i = 0; i < 3; i++)
        grade_expect_int(b.sizes[i], sizes[i],
                         "sizes[i] (argument order, whatever order the "
                         "downloads end in)");
    finish(&r);
}
END_TEST

START_TEST(test_downloads_run_at_the_same_time)
{
    reset();
    wait_started = 3; /* each waits until all three have started */
    static struct batch b;
    static const double secs[3] = {0.001, 0.001, 0.001};
    static const long long sizes[3] = {1, 2, 3};
    struct run r;
    run_batch(&r, &b, 3, secs, sizes);
    ck_assert_msg(!gave_up,
                  "each download waited for the other two to start, but "
                  "only %d of 3 had started after %.1f s: they ran one "
                  "after the other. Hand all three to the pool first, then "
                  "await them",
                  started_then, GIVE_UP);
    ck_assert_msg(on_loop_thread == 0,
                  "%d download(s) ran on the loop's own thread: use the pool",
                  on_loop_thread);
    grade_expect_code(r.rc, 0, "how download_all ended");
    grade_expect_int(r.result, 6, "what download_all returned");
    finish(&r);
}
END_TEST

/* "The longest, not the sum", without a clock: the first download (the one
 * sequential code runs first) waits until the other two have ended before it
 * ends itself, so the batch can finish only if the shorter downloads run
 * inside the longest one's time. And every download waits for three ticks
 * of the ticker, so none of them may block the loop. */
START_TEST(test_the_others_end_while_the_longest_download_runs)
{
    reset();
    wait_ticks = 3;
    static struct batch b;
    static const double secs[3] = {0.003, 0.001, 0.002};
    static const long long sizes[3] = {1, 2, 3};
    longest = &b.jobs[0];
    wait_finished = 2;
    struct run r;
    run_batch(&r, &b, 3, secs, sizes);
    struct given_up g = given_up();
    ck_assert_msg(strcmp(g.waited_for, "ticks") != 0,
                  "each download waited for three ticks of the ticker task "
                  "while it blocked, but one waited in vain (ticks while "
                  "downloads blocked: %d): a download ran on the loop's own "
                  "thread and froze the loop. Hand every download to the "
                  "pool with co_loop_run_in_executor",
                  ticks_meanwhile);
    ck_assert_msg(strcmp(g.waited_for, "ends") != 0,
                  "the first download waited for the other two to end, but "
                  "after %.1f s only %d of 3 downloads had started and %d "
                  "ended: they ran one after the other, so the batch takes "
                  "the sum of their times, not the longest one's. Start "
                  "them all before awaiting any",
                  GIVE_UP, g.started_then, g.finished_then);
    ck_assert_msg(!g.gave_up, "a download gave up waiting for %s",
                  g.waited_for);
    ck_assert_msg(on_loop_thread == 0,
                  "%d download(s) ran on the loop's own thread: use the pool",
                  on_loop_thread);
    grade_expect_code(r.rc, 0, "how download_all ended");
    grade_expect_int(r.result, 6, "what download_all returned");
    finish(&r);
}
END_TEST

START_TEST(test_download_all_of_nothing)
{
    reset();
    static struct batch b;
    struct run r;
    run_batch(&r, &b, 0, NULL, NULL);
    grade_expect_code(r.rc, 0, "how download_all of no downloads ended");
    grade_expect_int(r.result, 0, "what download_all of nothing returned");
    grade_expect_int(started, 0, "downloads started");
    finish(&r);
}
END_TEST

START_TEST(test_download_all_fails_like_a_download)
{
    reset();
    static struct batch b;
    static const double secs[3] = {0.001, 0.001, 0.001};
    static const long long sizes[3] = {1, CO_EFAIL, 3};
    struct run r;
    run_batch(&r, &b, 3, secs, sizes);
    grade_expect_code(r.rc, CO_EFAIL,
                      "how download_all ended when its second download "
                      "failed with CO_EFAIL");
    finish(&r); /* and every future must have been released */
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 09: executors");
    TCase *tc = grade_tcase("in_thread");
    tcase_add_test(tc, test_in_thread_gives_the_job_result);
    tcase_add_test(tc, test_in_thread_runs_the_job_on_another_thread);
    tcase_add_test(tc, test_the_ticker_ticks_while_in_thread_waits);
    tcase_add_test(tc, test_in_thread_fails_like_the_job);
    suite_add_tcase(s, tc);
    tc = grade_tcase("download_all");
    tcase_add_test(tc, test_download_all_returns_the_total);
    tcase_add_test(tc, test_download_all_keeps_argument_order);
    tcase_add_test(tc, test_downloads_run_at_the_same_time);
    tcase_add_test(tc, test_the_others_end_while_the_longest_download_runs);
    tcase_add_test(tc, test_download_all_of_nothing);
    tcase_add_test(tc, test_download_all_fails_like_a_download);
    suite_add_tcase(s, tc);
    return s;
}
