/* exercise.h - lesson 16: a backend of your own, on poll(2).
 *
 * The loop never calls select() itself: it calls a backend, five functions
 * that watch file descriptors and say which are ready (coflow/backend.h).
 * co_loop_new_with_ops(&loop, &lesson_poll_backend) makes a loop on yours;
 * everything above it (timers, tasks, CO_AWAIT_READABLE) stays the same. */
#ifndef LESSON16_EXERCISE_H
#define LESSON16_EXERCISE_H

#include <coflow.h>

/** Your backend, named "poll": create() makes a state holding an array
 *  of struct pollfd, one entry per watched fd; add() refuses an fd that is
 *  not open with CO_EBADF and otherwise adds the directions to the fd's
 *  entry (making one if needed); del() takes directions away and drops an
 *  entry left with none; poll() calls poll(2) with the timeout in whole
 *  milliseconds, rounded up (-1 for a negative timeout), and reports at
 *  most cap ready fds, CO_BACKEND_BAD for POLLNVAL (an fd closed behind the
 *  loop's back), 0 when interrupted (EINTR); destroy() frees it all. */
extern const co_backend lesson_poll_backend;

#endif
