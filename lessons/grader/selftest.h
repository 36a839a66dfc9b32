/* selftest.h - the fake student functions of the grader's self-test. */
#ifndef COFLOW_GRADER_SELFTEST_H
#define COFLOW_GRADER_SELFTEST_H

#include <coflow.h>

int student_correct(void);
void student_exit0(void);
void student_exit1(void);
void student__exit0(void);
void student__Exit0(void);
void student_quick_exit0(void);
void student_unwrapped_exit0(void);
void student_abort(void);
void student_spin(void);
void student_crash(void);

/* Yields three times, then returns 3. */
struct student_counter {
    co_coro co; /* the coroutine header */
    int i;      /* the loop counter, kept in the frame */
};
int student_counter(co_coro *co);

/* Yields forever: never reaches CO_END. */
int student_forever(co_coro *co);

/* Sleeps a millisecond on the loop, then returns 7. */
int student_sleeper(co_coro *co);

/* Awaits a future that nobody ever sets. */
struct student_waiter {
    co_coro co;          /* the coroutine header */
    co_future *never_set; /* pending for ever */
};
int student_awaits_nothing(co_coro *co);

/* Blocks SIGALRM in the calling thread and starts a thread of its own that
 * waits for signals for ever (the way a lesson with threads may leave its
 * signals to one thread): a process-wide alarm would go there. */
void student_blocks_alarm(void);

/* Calls exit(0) from inside a task running on a loop. */
int student_exits_in_task(co_coro *co);

#endif
