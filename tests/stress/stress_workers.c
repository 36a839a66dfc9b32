/* stress_workers.c - process-pool workers killed in the middle of jobs.
 * 600 jobs on 4 workers; at random a job kills its own worker (SIGKILL),
 * makes it exit, or fails, and the others return a result computed from
 * their argument. Every job must end exactly as it chose: the right bytes,
 * its own failure code, or CO_EWORKER for a dead worker; the pool must
 * keep its 4 workers through the deaths, and leave no child behind. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress.h"

#define NJOBS 600
#define NWORKERS 4

enum { JOB_OK, JOB_KILLED, JOB_EXITS, JOB_FAILS };

struct job_arg {
    unsigned id;   /* which job */
    unsigned mode; /* JOB_* */
    unsigned size; /* bytes of result */
};

static int job(const void *in, size_t len, void **out, size_t *out_len)
{
    struct job_arg a;
    if (len != sizeof a)
        return CO_EINVAL;
    memcpy(&a, in, sizeof a);
    if (a.mode == JOB_KILLED)
        raise(SIGKILL);
    if (a.mode == JOB_EXITS)
        _exit(7);
    if (a.mode == JOB_FAILS)
        return CO_EUSER - (int)(a.id % 50);
    unsigned char *r = malloc(a.size ? a.size : 1);
    if (!r)
        return CO_ENOMEM;
    for (unsigned i = 0; i < a.size; i++)
        r[i] = (unsigned char)(a.id + i);
    *out = r;
    *out_len = a.size;
    return 0;
}

START_TEST(test_workers_killed_mid_job_fail_only_their_own_jobs)
{
    stress_seed("process-pool workers killed mid-job", 50);
    co_loop *loop = stress_loop();
    co_process_pool *pool;
    ck_assert_int_eq(co_process_pool_new(loop, NWORKERS, &pool), 0);
    static struct job_arg args[NJOBS];
    static co_future *f[NJOBS];
    long chosen[4] = {0};
    for (unsigned i = 0; i < NJOBS; i++) {
        unsigned r = stress_below(100);
        args[i].id = i;
        args[i].mode = r < 70 ? JOB_OK : r < 85 ? JOB_KILLED
                                     : r < 92 ? JOB_EXITS : JOB_FAILS;
        args[i].size = stress_below(5000);
        chosen[args[i].mode]++;
        ck_assert_int_eq(co_process_pool_submit(pool, job, &args[i],
                                                sizeof args[i], &f[i]), 0);
    }
    long right = 0, worker_died = 0, own_failure = 0, wrong = 0;
    for (unsigned i = 0; i < NJOBS; i++) {
        int rc = co_loop_run_until_complete(loop, f[i]);
        const struct job_arg *a = &args[i];
        if (a->mode == JOB_OK && rc == 0) {
            void *p = NULL;
            ck_assert_int_eq(co_future_result_ptr(f[i], &p), 0);
            co_bytes *b = p;
            bool same = b->len == a->size;
            for (unsigned k = 0; same && k < a->size; k++)
                same = b->data[k] == (unsigned char)(a->id + k);
            right += same;
            wrong += !same;
        } else if ((a->mode == JOB_KILLED || a->mode == JOB_EXITS) &&
                   rc == CO_EWORKER) {
            worker_died++;
        } else if (a->mode == JOB_FAILS && rc == CO_EUSER - (int)(a->id % 50)) {
            own_failure++;
        } else {
            wrong++;
        }
        co_future_unref(f[i]);
    }
    int alive = co_process_pool_workers(pool);
    co_process_pool_free(pool, true);
    errno = 0;
    bool no_child = waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
    stress_figures("workers: %d jobs on %d workers; chose %ld ok, %ld killed, "
                   "%ld exiting, %ld failing; got %ld right results, %ld "
                   "CO_EWORKER, %ld own failures, %ld wrong; %d workers alive "
                   "before free, %s child left after", NJOBS, NWORKERS,
                   chosen[JOB_OK], chosen[JOB_KILLED], chosen[JOB_EXITS],
                   chosen[JOB_FAILS], right, worker_died, own_failure, wrong,
                   alive, no_child ? "no" : "a");
    ck_assert_int_eq(wrong, 0);
    ck_assert_int_eq(right, chosen[JOB_OK]);
    ck_assert_int_eq(worker_died, chosen[JOB_KILLED] + chosen[JOB_EXITS]);
    ck_assert_int_eq(own_failure, chosen[JOB_FAILS]);
    ck_assert_int_gt(worker_died, 50);
    ck_assert_int_eq(alive, NWORKERS);
    ck_assert(no_child);
    ck_assert_int_eq(stress_reports, 0);
    ck_assert_int_eq(co_loop_close(loop), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress_workers");
    TCase *tc = tcase_create("workers");
    tcase_add_test(tc, test_workers_killed_mid_job_fail_only_their_own_jobs);
    tcase_set_timeout(tc, 280);
    suite_add_tcase(s, tc);
    return stress_main(s);
}
