/* servers.h - the real servers the HTTP tests talk to, started as child
 * processes on loopback ports the kernel picks (port 0): Python's
 * http.server and `openssl s_server -WWW`. Each prints its port once it
 * listens; the helpers read that line (with a deadline, so a server that
 * never starts fails the test rather than hanging it) instead of
 * sleeping. Also a throwaway certificate authority made with `openssl`. */
#ifndef COFLOW_HTTP_SERVERS_H
#define COFLOW_HTTP_SERVERS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A child server: its pid and the port it said it listens on. */
struct child_server {
    pid_t pid;
    int port;
    int out;   /* its stdout and stderr */
};

/* Runs @p argv in @p dir (NULL: here) with stdout and stderr on a pipe,
 * then reads its output until a line holds @p marker followed by the port
 * (digits), for at most 20 seconds. Returns 0, or -1 (the child is then
 * gone). */
static int child_start(struct child_server *cs, const char *dir,
                       char *const argv[], const char *marker)
{
    int fds[2];
    memset(cs, 0, sizeof *cs);
    cs->pid = -1;
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
#ifdef __linux__
        /* Dies with the test, even one that failed half-way. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        if (dir && chdir(dir) != 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    cs->pid = pid;
    cs->out = fds[0];
    char text[4096];
    size_t len = 0;
    time_t deadline = time(NULL) + 20;
    while (len < sizeof text - 1) {
        struct pollfd p = {fds[0], POLLIN, 0};
        int left = (int)(deadline - time(NULL));
        if (left <= 0 || poll(&p, 1, left * 1000) <= 0)
            break;
        ssize_t n = read(fds[0], text + len, sizeof text - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        text[len] = '\0';
        const char *m = strstr(text, marker);
        if (m) {
            m += strlen(marker);
            if (*m >= '0' && *m <= '9' && strchr(m, '\n')) {
                cs->port = atoi(m);
                return 0;
            }
        }
    }
    text[len] = '\0';
    fprintf(stderr, "%s did not start: %s\n", argv[0], text);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(fds[0]);
    cs->pid = -1;
    return -1;
}

static void child_stop(struct child_server *cs)
{
    if (cs->pid > 0) {
        kill(cs->pid, SIGTERM);
        waitpid(cs->pid, NULL, 0);
        close(cs->out);
    }
    cs->pid = -1;
}

/* `python3 -m http.server` over @p dir. -u: its "Serving HTTP on ... port
 * N" line is not held in a buffer. */
static int python_server_start(struct child_server *cs, const char *dir)
{
    char *argv[] = {"python3", "-u", "-m", "http.server", "0", "--bind",
                    "127.0.0.1", NULL};
    return child_start(cs, dir, argv, " port ");
}

/* `openssl s_server -WWW` serving files of @p dir over TLS. */
static int openssl_server_start(struct child_server *cs, const char *dir,
                                const char *cert, const char *key)
{
    char *loud[] = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW",
                    "-cert", (char *)cert, "-key", (char *)key, NULL};
    return child_start(cs, dir, loud, "ACCEPT 127.0.0.1:");
}

/* Runs a shell command; 0 if it exited 0. */
static int sh(const char *cmd)
{
    int st = system(cmd);
    return st == 0 ? 0 : -1;
}

/* A fresh temporary folder; @p dir receives its path. */
static int temp_dir(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/http-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (sh(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Writes @p size bytes of a pattern that depends on @p seed to @p path. */
static int write_pattern(const char *path, size_t size, unsigned seed)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    for (size_t i = 0; i < size; i++)
        fputc((int)((i * 31 + seed * 7 + i / 251) & 0xff), f);
    return fclose(f);
}

/* A CA and a certificate for "localhost" signed by it, in @p dir: ca.pem,
 * cert.pem, key.pem. */
static int make_certificates(const char *dir)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && "
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
             "-out ca.pem -days 2 -subj /CN=coflow-test-ca "
             ">/dev/null 2>&1 && "
             "openssl req -newkey rsa:2048 -nodes -keyout key.pem -out "
             "cert.csr -subj /CN=localhost >/dev/null 2>&1 && "
             "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext && "
             "openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca.key "
             "-CAcreateserial -out cert.pem -days 2 -extfile ext "
             ">/dev/null 2>&1",
             dir);
    return sh(cmd);
}

#endif
