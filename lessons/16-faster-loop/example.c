/* example.c - lesson 16: one program, three loops. The same tasks run on
 * select, poll and epoll (the only line that changes is the one that makes
 * the loop) and print the same trace; then what one poll costs on each as
 * the watched fds grow; then fd 1500, which select cannot watch. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <coflow.h>

/* ---- the program: the same on every backend ----------------------------- */

#define UNIT 0.02 /* seconds */

static char trace[2048]; /* what the program said, to compare across loops */

static void say(const char *line)
{
    size_t used = strlen(trace);
    snprintf(trace + used, sizeof trace - used, "%s\n", line);
}

/* A job of the notes: works for `units`, then says so. The shortest one
 * also rings a pipe, which a reader task is waiting on. */
struct job {
    co_coro co;
    const char *name;
    int units;
    int ring; /* the pipe to write to when done, or -1 */
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    char line[64];
    CO_BEGIN(co);
    snprintf(line, sizeof line, "%s: starts, %d unit%s", self->name,
             self->units, self->units == 1 ? "" : "s");
    say(line);
    CO_SLEEP(co, self->units * UNIT);
    snprintf(line, sizeof line, "%s: done", self->name);
    say(line);
    if (self->ring >= 0 && write(self->ring, "!", 1) == 1)
        say("  and rings the pipe");
    CO_END(co);
}

/* Waits until the pipe is readable: the loop's backend has to say so. */
struct reader {
    co_coro co;
    int fd;
};

static int reader(co_coro *co)
{
    struct reader *self = (struct reader *)co;
    char c = '?';
    CO_BEGIN(co);
    say("reader: waits for the pipe");
    CO_AWAIT_READABLE(co, self->fd);
    if (read(self->fd, &c, 1) == 1) {
        char line[64];
        snprintf(line, sizeof line, "reader: got '%c'", c);
        say(line);
    }
    CO_END(co);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the program on @p backend; returns 0 or a negative code. */
static int run_program(const char *backend, double *took)
{
    co_loop *loop;
    int rc = co_loop_new_with_backend(&loop, backend); /* the one line */
    if (rc < 0)
        return rc;
    int fds[2];
    if (pipe(fds) < 0) {
        co_loop_close(loop);
        return CO_ESYS;
    }
    struct job a = {.name = "A", .units = 5, .ring = -1};
    struct job b = {.name = "B", .units = 3, .ring = -1};
    struct job c = {.name = "C", .units = 1, .ring = fds[1]};
    struct reader r = {.fd = fds[0]};
    co_coro_init(&a.co, job);
    co_coro_init(&b.co, job);
    co_coro_init(&c.co, job);
    co_coro_init(&r.co, reader);
    co_task *last = NULL;
    double t0 = now();
    co_create_task(loop, &r.co, "reader", NULL);
    co_create_task(loop, &a.co, "A", &last); /* A ends last */
    co_create_task(loop, &b.co, "B", NULL);
    co_create_task(loop, &c.co, "C", NULL);
    rc = last ? co_loop_run_until_complete(loop, co_task_future(last))
              : CO_ENOMEM;
    *took = now() - t0;
    co_task_unref(last);
    co_loop_close(loop);
    close(fds[0]);
    close(fds[1]);
    return rc;
}

/* ---- what one poll costs ------------------------------------------------- */

#define POLLS 1000

static int polls_left;

/* The reader of a pipe that stays readable: called once per iteration,
 * so once per poll. */
static void count_poll(int fd, int status, void *arg)
{
    (void)fd;
    (void)status;
    if (--polls_left == 0)
        co_loop_stop(arg);
}

/* Seconds for POLLS iterations on @p backend, each polling @p idle fds
 * that are never ready (dups of one empty pipe, the first one moved to
 * @p at if it is not -1) and one that always is. -1 on failure. */
static double cost(const char *backend, int idle, int at)
{
    co_loop *loop;
    if (co_loop_new_with_backend(&loop, backend) < 0)
        return -1;
    int empty[2], full[2], dups[1000];
    if (pipe(empty) < 0 || pipe(full) < 0 || write(full[1], "x", 1) != 1)
        return -1;
    int made = 0, ok = 1;
    for (; made < idle && ok; made++) {
        dups[made] = made == 0 && at >= 0 ? dup2(empty[0], at) : dup(empty[0]);
        ok = dups[made] >= 0 &&
             co_loop_add_reader(loop, dups[made], count_poll, loop) == 0;
    }
    ok = ok && co_loop_add_reader(loop, full[0], count_poll, loop) == 0;
    /* The idle readers are never called: only full[0] counts. */
    polls_left = POLLS;
    double t0 = now();
    if (ok)
        ok = co_loop_run_forever(loop) == 0;
    double took = now() - t0;
    co_loop_close(loop);
    for (int i = 0; i < made; i++)
        if (dups[i] >= 0)
            close(dups[i]);
    close(empty[0]);
    close(empty[1]);
    close(full[0]);
    close(full[1]);
    return ok ? took : -1;
}

/* ---- fd 1500 ------------------------------------------------------------- */

static void got_byte(int fd, int status, void *arg)
{
    char c;
    if (status == 0 && read(fd, &c, 1) == 1)
        printf("  %-6s add_reader(1500): CO_OK, and the byte arrives\n",
               co_loop_backend_name(arg));
    co_loop_stop(arg);
}

static int watch_fd_1500(const char *backend)
{
    co_loop *loop;
    int fds[2];
    if (co_loop_new_with_backend(&loop, backend) < 0 || pipe(fds) < 0)
        return -1;
    int rc = -1;
    if (dup2(fds[0], 1500) == 1500 && write(fds[1], "x", 1) == 1) {
        rc = co_loop_add_reader(loop, 1500, got_byte, loop);
        if (rc == 0)
            rc = co_loop_run_forever(loop);
        else
            printf("  %-6s add_reader(1500): %s (%s)\n", backend,
                   co_errname(rc), co_strerror(rc));
        close(1500);
    }
    co_loop_close(loop);
    close(fds[0]);
    close(fds[1]);
    return rc == 0 || rc == CO_EFDSETSIZE ? 0 : -1;
}

int main(void)
{
    const char *const *names = co_loop_backend_names();

    printf("== one program, every backend ==\n");
    char first[sizeof trace];
    for (int i = 0; names[i]; i++) {
        trace[0] = '\0';
        double took = 0;
        int rc = run_program(names[i], &took);
        if (rc < 0) {
            printf("%s: %s\n", names[i], co_errname(rc));
            return 1;
        }
        if (i == 0) {
            fputs(trace, stdout);
            memcpy(first, trace, sizeof trace);
        }
        int lines = 0;
        for (const char *p = trace; *p; p++)
            lines += *p == '\n';
        printf("%-6s %s, %d lines, all done after t=%.2fs\n", names[i],
               strcmp(trace, first) == 0 ? "the same trace"
                                         : "A DIFFERENT TRACE",
               lines, took);
    }

    /* 1,000 dups and fd 1500 need more than the usual 1,024 files. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < 2048) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= 2048
                          ? 2048
                          : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    printf("== %d polls, one fd ready, the others idle ==\n", POLLS);
    struct {
        const char *label;
        int idle, at;
    } rows[] = {
        {"10 fds", 10, -1},
        {"100 fds", 100, -1},
        {"1000 fds", 1000, -1},
        {"1 fd, numbered 1000", 1, 1000},
    };
    printf("%-20s", "watched");
    for (int i = 0; names[i]; i++)
        printf(names[i + 1] ? " %-9s" : " %s", names[i]);
    printf("\n");
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        printf("%-20s", rows[r].label);
        for (int i = 0; names[i]; i++) {
            double t = cost(names[i], rows[r].idle, rows[r].at);
            if (t < 0) {
                printf(" failed\n");
                return 1;
            }
            printf(" t=%.4fs", t);
        }
        printf("\n");
    }

    printf("== fd 1500, above FD_SETSIZE (%d) ==\n", FD_SETSIZE);
    for (int i = 0; names[i]; i++)
        if (watch_fd_1500(names[i]) < 0) {
            printf("  %s: could not make fd 1500 (fd limit %llu)\n",
                   names[i], (unsigned long long)rl.rlim_cur);
            return 1;
        }
    return 0;
}
