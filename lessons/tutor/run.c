/* run.c - spawn a command, read its output through the loop, reap it. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void kill_child(void *arg)
{
    run_frame *self = arg;
    self->timed_out = true;
    kill(-self->pid, SIGKILL); /* the whole group: graders fork */
}

/* Starts the child with stdout and stderr on one pipe. */
static int spawn(run_frame *self)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    self->pid = fork();
    if (self->pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (self->pid == 0) {
        setpgid(0, 0);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        for (const char *const *e = self->env; e && *e; e++)
            putenv((char *)*e);
        execvp(self->argv[0], self->argv);
        fprintf(stderr, "cannot run %s: %s\n", self->argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(self->pid, self->pid); /* both sides, whoever runs first */
    close(fds[1]);
    self->fd = fds[0];
    fcntl(self->fd, F_SETFL, fcntl(self->fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

/* Reads what is there; returns 0 at end of file, 1 for "more later". */
static int drain(run_frame *self)
{
    for (;;) {
        if (self->len >= RUN_OUTPUT_MAX) {
            char sink[65536];
            ssize_t n = read(self->fd, sink, sizeof sink);
            if (n > 0)
                self->dropped += (size_t)n;
            else if (n == 0)
                return 0;
            else
                return errno == EINTR || errno == EAGAIN ? 1 : 0;
            continue;
        }
        if (self->cap - self->len < 4096) {
            size_t cap = self->cap ? self->cap * 2 : 8192;
            char *grown = realloc(self->output, cap);
            if (!grown)
                return 0; /* keep what we have; stop reading */
            self->output = grown;
            self->cap = cap;
            self->output[self->len] = '\0'; /* a child may print nothing */
        }
        size_t room = self->cap - self->len - 1;
        if (room > RUN_OUTPUT_MAX - self->len)
            room = RUN_OUTPUT_MAX - self->len;
        ssize_t n = read(self->fd, self->output + self->len, room);
        if (n > 0) {
            self->len += (size_t)n;
            self->output[self->len] = '\0';
        } else if (n == 0) {
            return 0;
        } else {
            return errno == EINTR ? 1 : (errno == EAGAIN ? 1 : 0);
        }
    }
}

int run_command(co_coro *co)
{
    run_frame *self = (run_frame *)co;
    CO_BEGIN(co);
    self->fd = -1;
    self->output = NULL;
    self->len = self->cap = 0;
    self->dropped = 0;
    self->timed_out = false;
    co_timer_init(&self->watchdog);
    if (spawn(self) < 0)
        CO_RAISE(co, CO_ESYS, "could not start a child process");
    co_loop_call_later(co_get_running_loop(), self->limit, kill_child, self,
                       &self->watchdog);
    while (drain(self)) {
        CO_AWAIT_READABLE(co, self->fd);
    }
    /* End of output; the child may still be exiting. Poll politely. */
    for (;;) {
        int wstatus;
        pid_t r = waitpid(self->pid, &wstatus, WNOHANG);
        if (r == self->pid) {
            self->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                                              : 128 + WTERMSIG(wstatus);
            break;
        }
        if (r < 0 && errno != EINTR)
            break;
        CO_SLEEP(co, 0.005);
    }
    CO_FINALLY(co);
    /* Runs on success, failure and cancellation alike. */
    co_timer_cancel(&self->watchdog);
    if (self->fd >= 0)
        close(self->fd);
    self->fd = -1;
    if (co->err && self->pid > 0) {
        kill(-self->pid, SIGKILL);
        waitpid(self->pid, NULL, 0);
    }
    if (!self->output)
        self->output = calloc(1, 1);
    CO_END(co);
}

int run_capture(run_frame *frame, char *const *argv, const char *const *env,
                double limit)
{
    co_coro_init(&frame->co, run_command);
    frame->argv = argv;
    frame->env = env;
    frame->limit = limit;
    frame->pid = 0;
    frame->output = NULL;
    frame->fd = -1;
    int rc = co_run(&frame->co);
    co_coro_free(&frame->co);
    return rc;
}
