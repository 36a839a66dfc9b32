/* jobsource.h - lesson 14's job source: a Redis list, for real, or a pipe
 * standing in for it where redis-server or hiredis is missing.
 *
 * Both behave as the notes' list does for its consumers: a push adds a job
 * (a small integer); a pop blocks until there is one and takes it, and each
 * job goes to exactly one popper, however many threads or processes pop.
 * With Redis the list is "jobs" on a redis-server this file starts on a
 * free loopback port, with a temporary config, and stops afterwards; the
 * pipe's records are 4 bytes, which a read takes whole (PIPE_BUF). */
#ifndef LESSON14_JOBSOURCE_H
#define LESSON14_JOBSOURCE_H

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(LESSON_HAVE_HIREDIS)
#include <hiredis/hiredis.h>
#endif

struct jobsource {
    int redis;            /* 1: a redis-server of ours; 0: the pipe */
    int port;             /* the server's port */
    pid_t server;         /* its process */
    char dir[64];         /* its temporary directory */
    int pipe_fds[2];      /* the pipe, when there is no Redis */
};

/* One user's connection: a thread or a process each needs its own. */
struct jobconn {
    struct jobsource *js;
#if defined(LESSON_HAVE_HIREDIS)
    redisContext *c;
#endif
};

#if defined(LESSON_HAVE_HIREDIS)
/* Where redis-server is, or NULL. */
static const char *js_find_redis_server(void)
{
    static const char *const places[] = {"/usr/bin/redis-server",
                                         "/usr/local/bin/redis-server",
                                         "/usr/sbin/redis-server"};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (access(places[i], X_OK) == 0)
            return places[i];
    return NULL;
}
#endif

/* Why Redis cannot be used here, or NULL if it can. */
static const char *js_redis_missing(void)
{
#if !defined(LESSON_HAVE_HIREDIS)
    return "this build has no hiredis (apt-get install libhiredis-dev, then "
           "meson setup --reconfigure build)";
#else
    if (!js_find_redis_server())
        return "redis-server is not installed (apt-get install redis-server)";
    return NULL;
#endif
}

#if defined(LESSON_HAVE_HIREDIS)
/* A loopback port nobody listens on now (the kernel's choice). */
static int js_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(s);
    return port;
}

/* PING until PONG: the server is ready once it answers, and not before.
 * Between tries, poll() waits 10 ms on nothing; at most 10 s in all, and
 * never once the server has exited. */
static int js_wait_ready(struct jobsource *js)
{
    for (int tries = 0; tries < 1000; tries++) {
        int status;
        if (waitpid(js->server, &status, WNOHANG) == js->server) {
            js->server = -1;
            return -1;
        }
        redisContext *c = redisConnect("127.0.0.1", js->port);
        if (c && !c->err) {
            redisReply *r = redisCommand(c, "PING");
            int pong = r && r->type == REDIS_REPLY_STATUS &&
                       strcmp(r->str, "PONG") == 0;
            if (r)
                freeReplyObject(r);
            redisFree(c);
            if (pong)
                return 0;
        } else if (c) {
            redisFree(c);
        }
        poll(NULL, 0, 10);
    }
    return -1;
}

static int js_start_redis(struct jobsource *js)
{
    snprintf(js->dir, sizeof js->dir, "/tmp/lesson14-redis-XXXXXX");
    if (!mkdtemp(js->dir))
        return -1;
    char conf[128];
    snprintf(conf, sizeof conf, "%s/redis.conf", js->dir);
    FILE *f = fopen(conf, "w");
    js->port = js_free_port();
    if (!f || js->port < 0) {
        if (f)
            fclose(f);
        rmdir(js->dir);
        return -1;
    }
    /* Loopback only, nothing saved, nothing logged but to a file. */
    fprintf(f, "bind 127.0.0.1\nport %d\ndir %s\nsave \"\"\n"
               "appendonly no\nlogfile %s/redis.log\ndaemonize no\n",
            js->port, js->dir, js->dir);
    fclose(f);
    js->server = fork();
    if (js->server == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        execl(js_find_redis_server(), "redis-server", conf, (char *)NULL);
        _exit(127);
    }
    if (js->server < 0 || js_wait_ready(js) < 0) {
        if (js->server > 0) {
            kill(js->server, SIGKILL);
            waitpid(js->server, NULL, 0);
        }
        js->server = -1;
        return -1;
    }
    return 0;
}

static void js_stop_redis(struct jobsource *js)
{
    if (js->server > 0) {
        kill(js->server, SIGTERM);
        waitpid(js->server, NULL, 0);
        js->server = -1;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/redis.conf", js->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/redis.log", js->dir);
    unlink(path);
    rmdir(js->dir);
}
#endif

/* Opens the job source: Redis if @p want is 1 or 2 and it can be had, the
 * pipe otherwise (or, with @p want 2, an error: returns 77). */
static int js_open(struct jobsource *js, int want)
{
    memset(js, 0, sizeof *js);
    js->server = -1;
    js->pipe_fds[0] = js->pipe_fds[1] = -1;
    const char *missing = want ? js_redis_missing() : "not asked for";
#if defined(LESSON_HAVE_HIREDIS)
    if (!missing) {
        if (js_start_redis(js) == 0) {
            js->redis = 1;
            return 0;
        }
        missing = "redis-server would not start";
    }
#endif
    if (want == 2) {
        fprintf(stderr, "SKIP: %s\n", missing);
        return 77;
    }
    if (want)
        fprintf(stderr, "job source: a pipe, since %s\n", missing);
    return pipe(js->pipe_fds) == 0 ? 0 : -1;
}

static void js_close(struct jobsource *js)
{
#if defined(LESSON_HAVE_HIREDIS)
    if (js->redis)
        js_stop_redis(js);
#endif
    if (js->pipe_fds[0] >= 0) {
        close(js->pipe_fds[0]);
        close(js->pipe_fds[1]);
    }
}

static int js_connect(struct jobsource *js, struct jobconn *jc)
{
    jc->js = js;
#if defined(LESSON_HAVE_HIREDIS)
    jc->c = NULL;
    if (js->redis) {
        jc->c = redisConnect("127.0.0.1", js->port);
        if (!jc->c || jc->c->err) {
            if (jc->c)
                redisFree(jc->c);
            jc->c = NULL;
            return -1;
        }
    }
#endif
    return 0;
}

static void js_disconnect(struct jobconn *jc)
{
#if defined(LESSON_HAVE_HIREDIS)
    if (jc->c)
        redisFree(jc->c);
    jc->c = NULL;
#else
    (void)jc;
#endif
}

/* LPUSH jobs value. */
static int js_push(struct jobconn *jc, int value)
{
#if defined(LESSON_HAVE_HIREDIS)
    if (jc->c) {
        redisReply *r = redisCommand(jc->c, "LPUSH jobs %d", value);
        int ok = r && r->type == REDIS_REPLY_INTEGER;
        if (r)
            freeReplyObject(r);
        return ok ? 0 : -1;
    }
#endif
    return write(jc->js->pipe_fds[1], &value, sizeof value) == sizeof value
               ? 0
               : -1;
}

/* BRPOP jobs 0: blocks until a job is there and takes it. The reply is
 * not trusted: anything but a two-element array whose second element is a
 * number is an error. */
static int js_pop(struct jobconn *jc, int *value)
{
#if defined(LESSON_HAVE_HIREDIS)
    if (jc->c) {
        redisReply *r = redisCommand(jc->c, "BRPOP jobs 0");
        int ok = 0;
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
            r->element[1]->type == REDIS_REPLY_STRING) {
            char *end;
            long v = strtol(r->element[1]->str, &end, 10);
            ok = *end == '\0' && end != r->element[1]->str && v > -1000 &&
                 v < 1000;
            *value = (int)v;
        }
        if (r)
            freeReplyObject(r);
        return ok ? 0 : -1;
    }
#endif
    for (;;) {
        ssize_t n = read(jc->js->pipe_fds[0], value, sizeof *value);
        if (n == (ssize_t)sizeof *value)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

/* How many clients wait in BRPOP: 0 for the pipe, which cannot say. */
static int js_blocked_clients(struct jobconn *jc)
{
#if defined(LESSON_HAVE_HIREDIS)
    if (jc->c) {
        redisReply *r = redisCommand(jc->c, "INFO clients");
        int n = -1;
        if (r && r->type == REDIS_REPLY_STRING) {
            const char *p = strstr(r->str, "blocked_clients:");
            if (p)
                n = atoi(p + strlen("blocked_clients:"));
        }
        if (r)
            freeReplyObject(r);
        return n;
    }
#endif
    (void)jc;
    return 0;
}

#endif
