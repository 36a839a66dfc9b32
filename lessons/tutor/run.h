/* run.h - running a command and collecting what it prints, on the coflow
 * loop: the child's output is read with CO_AWAIT_READABLE, and a timer kills
 * it if it runs too long, so the tutor itself can never hang. */
#ifndef TUTOR_RUN_H
#define TUTOR_RUN_H

#include <coflow.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* At most this much of a child's output is kept; the rest is read (so the
 * child never blocks on a full pipe) and counted in dropped. */
#define RUN_OUTPUT_MAX (8u << 20)

/* The frame of the run_command coroutine. Fill in the inputs, then await it
 * with CO_AWAIT_CORO (or call run_capture, which runs it on its own loop). */
typedef struct run_frame {
    co_coro co;                /* header */
    /* inputs */
    char *const *argv;         /* program and arguments (argv[0] is searched in PATH) */
    const char *const *env;    /* extra NAME=value strings, NULL-terminated, or NULL */
    double limit;              /* seconds before the child is killed */
    /* outputs */
    int status;                /* exit code; 128+N if killed by signal N */
    bool timed_out;            /* killed by the time limit */
    char *output;              /* stdout and stderr, NUL-terminated (owned: free it) */
    size_t len;                /* bytes in output */
    size_t dropped;            /* bytes read past RUN_OUTPUT_MAX and not kept */
    /* state across suspensions */
    pid_t pid;                 /* the child, its own process group */
    int fd;                    /* read end of its output pipe, or -1 */
    size_t cap;                /* capacity of output */
    co_timer watchdog;         /* kills the child at the limit */
} run_frame;

/* The coroutine step function. Fails with CO_ESYS if the child cannot be
 * started. */
int run_command(co_coro *co);

/* Runs @p argv to completion on a private loop. Returns 0 or a negative
 * coflow code; the results are in @p frame (free frame->output). */
int run_capture(run_frame *frame, char *const *argv, const char *const *env,
                double limit);

#endif
