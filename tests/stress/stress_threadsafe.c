/* stress_threadsafe.c - call_soon_threadsafe from 8 threads while the loop
 * runs. Each thread posts its calls numbered 0, 1, 2, ...; the loop's
 * thread checks that it sees every thread's calls in that order (calls of
 * different threads may interleave), none lost, none run twice. The
 * threads meet the loop only through the public API, so a run under
 * ThreadSanitizer checks the channel itself. */
#include <pthread.h>
#include <stdatomic.h>

#include "stress.h"

#define NTHREADS 8
#define PER_THREAD 25000 /* below 2^20: the number fits in the argument */

static co_loop *LOOP;
static long next_seq[NTHREADS];  /* loop thread only */
static long ran, out_of_order;   /* loop thread only */
static atomic_long posted, refused;
static pthread_t threads[NTHREADS];
static int ids[NTHREADS];

static void on_call(void *arg)
{
    uintptr_t v = (uintptr_t)arg;
    int t = (int)(v >> 20);
    long seq = (long)(v & ((1u << 20) - 1));
    if (seq != next_seq[t])
        out_of_order++;
    next_seq[t] = seq + 1;
    if (++ran == (long)NTHREADS * PER_THREAD)
        co_loop_stop(LOOP);
}

static void *poster(void *arg)
{
    int t = *(int *)arg;
    for (long i = 0; i < PER_THREAD; i++) {
        void *a = (void *)(((uintptr_t)t << 20) | (uintptr_t)i);
        if (co_loop_call_soon_threadsafe(LOOP, on_call, a) == 0)
            atomic_fetch_add(&posted, 1);
        else
            atomic_fetch_add(&refused, 1);
    }
    return NULL;
}

/* Runs on the loop: the threads start once the loop is running. */
static void start_threads(void *arg)
{
    (void)arg;
    for (int t = 0; t < NTHREADS; t++) {
        ids[t] = t;
        ck_assert_int_eq(pthread_create(&threads[t], NULL, poster, &ids[t]),
                         0);
    }
}

START_TEST(test_threadsafe_calls_from_8_threads_keep_each_threads_order)
{
    stress_seed("call_soon_threadsafe from 8 threads", 40);
    LOOP = stress_loop();
    memset(next_seq, 0, sizeof next_seq);
    ran = out_of_order = 0;
    atomic_store(&posted, 0);
    atomic_store(&refused, 0);
    ck_assert_int_eq(co_loop_hold(LOOP), 0); /* outside work is coming */
    ck_assert_int_eq(co_loop_call_soon(LOOP, start_threads, NULL), 0);
    ck_assert_int_eq(co_loop_run_forever(LOOP), 0);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(threads[t], NULL);
    ck_assert_int_eq(co_loop_release(LOOP), 0);
    long complete = 0;
    for (int t = 0; t < NTHREADS; t++)
        complete += next_seq[t] == PER_THREAD;
    stress_figures("threadsafe calls: %d threads x %d, %ld posted, %ld "
                   "refused, %ld ran, %ld out of order, %ld threads "
                   "complete", NTHREADS, PER_THREAD, atomic_load(&posted),
                   atomic_load(&refused), ran, out_of_order, complete);
    ck_assert_int_eq(atomic_load(&refused), 0);
    ck_assert_int_eq(atomic_load(&posted), (long)NTHREADS * PER_THREAD);
    ck_assert_int_eq(ran, (long)NTHREADS * PER_THREAD);
    ck_assert_int_eq(out_of_order, 0);
    ck_assert_int_eq(complete, NTHREADS);
    ck_assert_int_eq(stress_reports, 0);
    ck_assert_int_eq(co_loop_close(LOOP), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress_threadsafe");
    TCase *tc = tcase_create("threadsafe");
    tcase_add_test(tc, test_threadsafe_calls_from_8_threads_keep_each_threads_order);
    tcase_set_timeout(tc, 280);
    suite_add_tcase(s, tc);
    return stress_main(s);
}
