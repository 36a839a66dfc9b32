/* selftest_student.c - fake "student code" for the grader's self-test:
 * each function misbehaves in one way a real exercise might (or behaves).
 * It is linked exactly as an exercise is, exit wrapping included. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "selftest.h"

int student_correct(void)
{
    return 42;
}

void student_exit0(void)
{
    exit(0);
}

void student_exit1(void)
{
    exit(1);
}

void student__exit0(void)
{
    _exit(0);
}

void student__Exit0(void)
{
    _Exit(0);
}

void student_quick_exit0(void)
{
    quick_exit(0);
}

/* The real exit(), as a library would reach it: past the wrapping. */
_Noreturn void __real_exit(int status);
void student_unwrapped_exit0(void)
{
    __real_exit(0);
}

void student_abort(void)
{
    abort();
}

void student_spin(void)
{
    volatile int forever = 1;
    while (forever) {
    }
}

void student_crash(void)
{
    volatile int *volatile nowhere = NULL;
    *nowhere = 1;
}

int student_counter(co_coro *co)
{
    struct student_counter *self = (struct student_counter *)co;
    CO_BEGIN(co);
    for (self->i = 0; self->i < 3; self->i++)
        CO_YIELD(co);
    CO_RETURN(co, self->i);
    CO_END(co);
}

int student_forever(co_coro *co)
{
    CO_BEGIN(co);
    for (;;)
        CO_YIELD(co);
    CO_END(co);
}

int student_sleeper(co_coro *co)
{
    CO_BEGIN(co);
    CO_SLEEP(co, 0.001);
    CO_RETURN(co, 7);
    CO_END(co);
}

int student_awaits_nothing(co_coro *co)
{
    struct student_waiter *self = (struct student_waiter *)co;
    CO_BEGIN(co);
    CO_AWAIT(co, self->never_set);
    CO_END(co);
}

int student_exits_in_task(co_coro *co)
{
    CO_BEGIN(co);
    CO_YIELD(co);
    exit(0);
    CO_END(co);
}

static void *wait_for_signals(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

void student_blocks_alarm(void)
{
    /* The new thread starts with this thread's mask, nothing blocked; then
     * this thread blocks SIGALRM. */
    pthread_t t;
    if (pthread_create(&t, NULL, wait_for_signals, NULL) == 0)
        pthread_detach(t);
    sigset_t alarm;
    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &alarm, NULL);
}
