/* stress_primitives.c - the primitives under random cancellations (fixed
 * seeds, printed).
 *
 * Producers and consumers on a queue of maxsize 1, 8 and unbounded;
 * consumers also take a semaphore and a lock; tasks are cancelled at
 * random moments, including right after a wakeup. Afterwards every item
 * that was put was got exactly once (items put = got + left in the queue),
 * nothing else was got, and the semaphore and the lock are back to their
 * initial state.
 *
 * A Semaphore under cancellation storms: many tasks take and give back
 * its places while batches of them are cancelled at once, woken ones
 * included. Never more holders than its value, and every place comes
 * back. */
#include "stress.h"

#define ITEM(n) ((void *)(intptr_t)(n))
#define ITEM_ID(p) ((int)(intptr_t)(p))

#define NPROD 8
#define NCONS 12
#define NITEMS 600 /* per producer */
#define NROUNDS 12000
#define SEM_PLACES 3

static co_queue *Q;
static co_semaphore *SEM;
static co_lock *LOCK;
static unsigned char put_count[NPROD * NITEMS];
static unsigned char got_count[NPROD * NITEMS];
static int in_sem, max_in_sem, in_lock, max_in_lock;
static int cancels, consumers_made;
static int woken_cancels; /* cancels that hit a waiter already woken */
static unsigned rnd(void)
{
    return stress_rand();
}

struct producer {
    co_coro co;
    int p, i;
    co_wait_op op;
};

static int producer_fn(co_coro *co)
{
    struct producer *self = (struct producer *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < NITEMS; self->i++) {
        CO_QUEUE_PUT(co, &self->op, Q, ITEM(self->p * NITEMS + self->i + 1));
        put_count[self->p * NITEMS + self->i]++;
        CO_YIELD(co); /* producers are slower than consumers */
    }
    CO_END(co);
}

struct consumer {
    co_coro co;
    co_wait_op op;
    void *item;
    int in_sem, in_lock; /* holding the semaphore / the lock */
};

static int consumer_fn(co_coro *co)
{
    struct consumer *self = (struct consumer *)co;
    CO_BEGIN(co);
    for (;;) {
        CO_QUEUE_GET(co, &self->op, Q, self->item);
        /* Recorded in the same step as the get returned: no suspension
         * between them, so a cancellation cannot fall in between. */
        got_count[ITEM_ID(self->item) - 1]++;
        ck_assert_int_eq(co_queue_task_done(Q), 0);
        if (rnd() % 2 == 0) {
            CO_SEMAPHORE_ACQUIRE(co, &self->op, SEM);
            self->in_sem = 1;
            if (++in_sem > max_in_sem)
                max_in_sem = in_sem;
            CO_YIELD(co);
            in_sem--;
            self->in_sem = 0;
            ck_assert_int_eq(co_semaphore_release(SEM), 0);
        }
        if (rnd() % 3 == 0) {
            CO_LOCK_ACQUIRE(co, &self->op, LOCK);
            self->in_lock = 1;
            if (++in_lock > max_in_lock)
                max_in_lock = in_lock;
            CO_YIELD(co);
            in_lock--;
            self->in_lock = 0;
            ck_assert_int_eq(co_lock_release(LOCK), 0);
        }
    }
    CO_FINALLY(co);
    /* Cancelled while holding: give back what is held. */
    if (self->in_sem) {
        in_sem--;
        co_semaphore_release(SEM);
    }
    if (self->in_lock) {
        in_lock--;
        co_lock_release(LOCK);
    }
    CO_END(co);
}

static co_task *new_consumer(void)
{
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(co_get_running_loop(),
                                    &CO_NEW(struct consumer, consumer_fn)->co,
                                    NULL, &t),
                     0);
    consumers_made++;
    return t;
}

struct chaos {
    co_coro co;
    co_task *prod[NPROD];
    co_task *cons[NCONS];
    int round, k;
};

static bool all_done(co_task **ts, int n)
{
    for (int i = 0; i < n; i++)
        if (!co_task_done(ts[i]))
            return false;
    return true;
}

static int chaos_fn(co_coro *co)
{
    struct chaos *self = (struct chaos *)co;
    CO_BEGIN(co);
    for (int i = 0; i < NPROD; i++) {
        struct producer *p = CO_NEW(struct producer, producer_fn);
        p->p = i;
        ck_assert_int_eq(co_create_task(co_get_running_loop(), &p->co, NULL,
                                        &self->prod[i]),
                         0);
    }
    for (int i = 0; i < NCONS; i++)
        self->cons[i] = new_consumer();
    for (self->round = 0; self->round < NROUNDS; self->round++) {
        CO_YIELD(co);
        if (rnd() % 4 == 0) {
            /* The hard case on purpose: a consumer woken (an item is
             * waiting for it, or a semaphore place or the lock was handed
             * to it) but not yet run is cancelled now. */
            for (self->k = 0; self->k < NCONS; self->k++) {
                struct consumer *c =
                    (struct consumer *)co_task_get_coro(self->cons[self->k]);
                if (co_task_done(self->cons[self->k]) || !c->op.waiter ||
                    !co_future_done(c->op.waiter))
                    continue;
                woken_cancels++;
                if (co_task_cancel(self->cons[self->k]))
                    cancels++;
                co_task_unref(self->cons[self->k]);
                self->cons[self->k] = new_consumer();
                break;
            }
        }
        if (rnd() % 8 != 0)
            continue;
        /* Producers are cancelled rarely, so that most items get put. */
        self->k = (int)(rnd() % (NPROD * 4 + NCONS));
        if (self->k < NPROD * 4) {
            if (self->k % 8 == 0 && co_task_cancel(self->prod[self->k / 4]))
                cancels++;
        } else {
            self->k -= NPROD * 4;
            struct consumer *c =
                (struct consumer *)co_task_get_coro(self->cons[self->k]);
            if (!co_task_done(self->cons[self->k]) && c->op.waiter &&
                co_future_done(c->op.waiter))
                woken_cancels++;
            if (co_task_cancel(self->cons[self->k]))
                cancels++;
            /* Replace it at once: waiters stay in line behind it. */
            co_task_unref(self->cons[self->k]);
            self->cons[self->k] = new_consumer();
        }
    }
    while (!all_done(self->prod, NPROD))
        CO_YIELD(co);
    while (!co_queue_empty(Q))
        CO_YIELD(co);
    for (int i = 0; i < NCONS; i++)
        co_task_cancel(self->cons[i]);
    while (!all_done(self->cons, NCONS))
        CO_YIELD(co);
    CO_FINALLY(co);
    for (int i = 0; i < NPROD; i++)
        co_task_unref(self->prod[i]);
    for (int i = 0; i < NCONS; i++)
        co_task_unref(self->cons[i]);
    CO_END(co);
}

/* The queue's maxsize in each run of the loop test: 0 is unbounded. */
static const size_t maxsizes[] = {1, 8, 0};

START_TEST(test_random_cancellations_lose_and_duplicate_no_item)
{
    size_t maxsize = maxsizes[_i % 3];
    char name[64];
    snprintf(name, sizeof name, "queue maxsize %zu, run %d", maxsize, _i / 3);
    stress_seed(name, 10 + (unsigned)_i);
    memset(put_count, 0, sizeof put_count);
    memset(got_count, 0, sizeof got_count);
    in_sem = max_in_sem = in_lock = max_in_lock = 0;
    cancels = consumers_made = woken_cancels = 0;
    ck_assert_int_eq(co_queue_new(&Q, maxsize), 0);
    ck_assert_int_eq(co_semaphore_new(&SEM, SEM_PLACES), 0);
    ck_assert_int_eq(co_lock_new(&LOCK), 0);

    struct chaos main_frame;
    memset(&main_frame, 0, sizeof main_frame);
    co_coro_init(&main_frame.co, chaos_fn);
    ck_assert_int_eq(co_run(&main_frame.co), 0);

    /* What is still queued (its getters were all cancelled) counts too. */
    int got_by_consumers = 0, left = 0;
    for (int id = 0; id < NPROD * NITEMS; id++)
        got_by_consumers += got_count[id];
    void *item;
    while (co_queue_get_nowait(Q, &item) == 0) {
        got_count[ITEM_ID(item) - 1]++;
        left++;
        co_queue_task_done(Q);
    }
    int put = 0, got = 0;
    for (int id = 0; id < NPROD * NITEMS; id++) {
        ck_assert_msg(put_count[id] <= 1, "item %d put twice", id);
        ck_assert_msg(got_count[id] == put_count[id],
                      "item %d: put %d times, got %d times", id,
                      put_count[id], got_count[id]);
        put += put_count[id];
        got += got_count[id];
    }
    stress_figures("queue maxsize %zu: %d items put = %d got + %d left; "
                   "%d cancellations (%d of woken waiters), %d consumers "
                   "made; at most %d in the semaphore (%d places), %d in the "
                   "lock", maxsize, put, got_by_consumers, left, cancels,
                   woken_cancels, consumers_made, max_in_sem, SEM_PLACES,
                   max_in_lock);
    ck_assert_int_eq(put, got);
    ck_assert_int_eq(put, got_by_consumers + left);
    ck_assert_int_gt(put, NPROD * NITEMS / 4); /* the test did real work */
    ck_assert_int_gt(cancels, 50);             /* ... under real chaos */
    ck_assert_int_gt(woken_cancels, 0);        /* ... including the hard case */
    ck_assert_int_le(max_in_sem, SEM_PLACES);
    ck_assert_int_eq(max_in_lock, 1);
    ck_assert_int_eq(in_sem, 0);
    ck_assert_int_eq(co_semaphore_value(SEM), SEM_PLACES);
    ck_assert(!co_lock_locked(LOCK));
    ck_assert_uint_eq(co_queue_unfinished(Q), 0);
    ck_assert_int_eq(co_queue_free(Q), 0);
    ck_assert_int_eq(co_semaphore_free(SEM), 0);
    ck_assert_int_eq(co_lock_free(LOCK), 0);
}
END_TEST

/* ---- a Semaphore under cancellation storms ----------------------------- */

#define STORM_TASKS 48
#define STORM_VALUE 5
#define STORM_ROUNDS 6000

static co_semaphore *STORM;
static int holders, max_holders;
static long acquired, storm_cancels, storm_woken_cancels;

struct holder {
    co_coro co;
    co_wait_op op;
    int hold;    /* sleep(0)s to keep the place */
    int holding; /* has a place now */
};

static int holder_fn(co_coro *co)
{
    struct holder *self = (struct holder *)co;
    CO_BEGIN(co);
    for (;;) {
        CO_SEMAPHORE_ACQUIRE(co, &self->op, STORM);
        self->holding = 1;
        acquired++;
        if (++holders > max_holders)
            max_holders = holders;
        for (self->hold = (int)stress_below(3); self->hold > 0; self->hold--)
            CO_YIELD(co);
        holders--;
        self->holding = 0;
        ck_assert_int_eq(co_semaphore_release(STORM), 0);
        CO_YIELD(co);
    }
    CO_FINALLY(co);
    if (self->holding) {
        holders--;
        co_semaphore_release(STORM);
    }
    CO_END(co);
}

static co_task *new_holder(void)
{
    co_task *t = NULL;
    ck_assert_int_eq(co_create_task(co_get_running_loop(),
                                    &CO_NEW(struct holder, holder_fn)->co,
                                    NULL, &t),
                     0);
    return t;
}

struct storm {
    co_coro co;
    co_task *t[STORM_TASKS];
    int round, k, batch;
};

static int storm_fn(co_coro *co)
{
    struct storm *self = (struct storm *)co;
    CO_BEGIN(co);
    for (int i = 0; i < STORM_TASKS; i++)
        self->t[i] = new_holder();
    for (self->round = 0; self->round < STORM_ROUNDS; self->round++) {
        CO_YIELD(co);
        if (stress_below(3) != 0)
            continue;
        /* A storm: a batch cancelled in one go, then replaced. */
        for (self->batch = 1 + (int)stress_below(12); self->batch > 0;
             self->batch--) {
            self->k = (int)stress_below(STORM_TASKS);
            struct holder *h =
                (struct holder *)co_task_get_coro(self->t[self->k]);
            if (!co_task_done(self->t[self->k]) && h->op.waiter &&
                co_future_done(h->op.waiter))
                storm_woken_cancels++; /* handed a place, not yet resumed */
            if (co_task_cancel(self->t[self->k]))
                storm_cancels++;
            co_task_unref(self->t[self->k]);
            self->t[self->k] = new_holder();
        }
    }
    for (int i = 0; i < STORM_TASKS; i++)
        co_task_cancel(self->t[i]);
    while (!all_done(self->t, STORM_TASKS))
        CO_YIELD(co);
    CO_FINALLY(co);
    for (int i = 0; i < STORM_TASKS; i++)
        co_task_unref(self->t[i]);
    CO_END(co);
}

START_TEST(test_semaphore_under_cancellation_storms_never_has_too_many_holders)
{
    stress_seed("semaphore storms", 20);
    holders = max_holders = 0;
    acquired = storm_cancels = storm_woken_cancels = 0;
    ck_assert_int_eq(co_semaphore_new(&STORM, STORM_VALUE), 0);
    struct storm main_frame;
    memset(&main_frame, 0, sizeof main_frame);
    co_coro_init(&main_frame.co, storm_fn);
    ck_assert_int_eq(co_run(&main_frame.co), 0);
    stress_figures("semaphore of %d: %ld acquisitions, %ld cancellations (%ld "
                   "of waiters already handed a place), at most %d holders, "
                   "%d left holding, value %ld after", STORM_VALUE, acquired,
                   storm_cancels, storm_woken_cancels, max_holders, holders,
                   co_semaphore_value(STORM));
    ck_assert_int_le(max_holders, STORM_VALUE);
    ck_assert_int_eq(max_holders, STORM_VALUE); /* it was really contended */
    ck_assert_int_eq(holders, 0);
    ck_assert_int_eq(co_semaphore_value(STORM), STORM_VALUE);
    ck_assert_int_gt(acquired, 10000);
    ck_assert_int_gt(storm_cancels, 1000);
    ck_assert_int_gt(storm_woken_cancels, 0);
    ck_assert_int_eq(co_semaphore_free(STORM), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress_primitives");
    TCase *tc = tcase_create("producer_consumer");
    tcase_add_loop_test(tc, test_random_cancellations_lose_and_duplicate_no_item,
                        0, 6);
    tcase_set_timeout(tc, 280);
    suite_add_tcase(s, tc);
    tc = tcase_create("semaphore");
    tcase_add_test(tc, test_semaphore_under_cancellation_storms_never_has_too_many_holders);
    tcase_set_timeout(tc, 280);
    suite_add_tcase(s, tc);
    return stress_main(s);
}
