/* process_pool.c - ProcessPoolExecutor on fork(): each worker is a child
 * process talking to the parent over a socketpair. Introduced in lesson 09.
 *
 * Messages are a fixed header and then bytes:
 *   parent -> worker: the function pointer, the argument's length, its bytes
 *   worker -> parent: the job's status, the result's length, its bytes
 * A function pointer can cross the socket because fork() copies the whole
 * program: the same code sits at the same address in the child. (With
 * exec() it would not, which is why Python pickles names instead.)
 * The parent never blocks reading: the socket is a loop reader, and a dead
 * worker shows up as end-of-file on it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coflow.h"
#include "loop_internal.h"

typedef struct pjob {
    co_process_fn fn;    /* what the worker runs */
    unsigned char *in;   /* copy of the argument */
    size_t len;          /* its length */
    co_future *f;        /* our reference: the job's loop future */
    struct pjob *next;   /* queue order */
} pjob;

typedef struct preply {
    int32_t status;      /* the job's return value */
    uint64_t len;        /* how many result bytes follow */
} preply;

typedef struct pworker {
    co_process_pool *pool; /* back pointer, for the reader callback */
    pid_t pid;           /* the child, or 0 if none */
    int fd;              /* parent's end of the socketpair, or -1 */
    pjob *job;           /* the job it runs, or NULL when idle */
    preply hdr;          /* the reply header being received */
    size_t got;          /* bytes of header + body received so far */
    co_bytes *body;      /* the reply body being received, or NULL */
} pworker;

struct co_process_pool {
    co_loop *loop;       /* where results complete futures */
    pworker *w;          /* the workers */
    int n;               /* how many slots in w */
    pjob *head, *tail;   /* jobs waiting for an idle worker */
    bool shutdown;       /* no new jobs, no replacements */
};

void co_bytes_free(co_bytes *b)
{
    free(b);
}

/* ---- the worker's side (in the child) ----------------------------------- */

static bool read_all(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void worker_main(int fd)
{
    for (;;) {
        co_process_fn fn;
        uint64_t len;
        if (!read_all(fd, &fn, sizeof fn) || !read_all(fd, &len, sizeof len))
            return; /* the parent closed its end: time to go */
        unsigned char *in = malloc(len ? len : 1);
        if (!in || !read_all(fd, in, len))
            return;
        void *out = NULL;
        size_t out_len = 0;
        int status = fn(in, len, &out, &out_len);
        free(in);
        preply r;
        memset(&r, 0, sizeof r); /* the padding is sent too: no garbage */
        r.status = status < 0 ? status : 0;
        r.len = status < 0 || !out ? 0 : out_len;
        bool ok = write_all(fd, &r, sizeof r) && write_all(fd, out, r.len);
        free(out);
        if (!ok)
            return;
    }
}

/* ---- the parent's side --------------------------------------------------- */

static void on_readable(int fd, int status, void *arg);

/* Starts a worker in slot @p w. Returns 0 or CO_ESYS. */
static int spawn(co_process_pool *pool, pworker *w)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return CO_ESYS;
    if (sv[0] >= FD_SETSIZE) {
        close(sv[0]);
        close(sv[1]);
        return CO_EFDSETSIZE;
    }
    fflush(NULL); /* or buffered output would be printed twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return CO_ESYS;
    }
    if (pid == 0) {
        /* The child keeps only its own end: holding a sibling's socket
         * would stop that sibling from ever seeing end-of-file. */
        close(sv[0]);
        for (int i = 0; i < pool->n; i++)
            if (pool->w[i].fd >= 0)
                close(pool->w[i].fd);
        worker_main(sv[1]);
        _exit(0); /* not exit(): the parent's atexit work is not ours */
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFD, FD_CLOEXEC);
    w->pool = pool;
    w->pid = pid;
    w->fd = sv[0];
    w->job = NULL;
    w->got = 0;
    w->body = NULL;
    int rc = co_loop_add_reader(pool->loop, sv[0], on_readable, w);
    if (rc < 0) {
        close(sv[0]);
        w->fd = -1;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        w->pid = 0;
    }
    return rc;
}

static void free_job(pjob *j)
{
    co_future_unref(j->f);
    free(j->in);
    free(j);
}

/* The worker in @p w is gone (or must go): reap it, fail its job. */
static void bury(pworker *w, bool killed_by_us)
{
    co_process_pool *pool = w->pool;
    co_loop_remove_reader(pool->loop, w->fd);
    close(w->fd);
    w->fd = -1;
    int st = 0;
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
        continue;
    if (w->job) {
        char msg[160];
        if (WIFSIGNALED(st))
            snprintf(msg, sizeof msg, "worker process %ld was killed by "
                     "signal %d (%s)%s", (long)w->pid, WTERMSIG(st),
                     strsignal(WTERMSIG(st)),
                     killed_by_us ? ", as the pool shut down" : "");
        else
            snprintf(msg, sizeof msg, "worker process %ld exited with status "
                     "%d in the middle of the job", (long)w->pid,
                     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        if (!co_future_done(w->job->f))
            co_future_set_exception(w->job->f, CO_EWORKER, msg);
        free_job(w->job);
        w->job = NULL;
    }
    free(w->body);
    w->body = NULL;
    w->pid = 0;
}

/* Hands queued jobs to idle workers. */
static void dispatch(co_process_pool *pool)
{
    for (int i = 0; i < pool->n && pool->head; i++) {
        pworker *w = &pool->w[i];
        if (w->fd < 0 || w->job)
            continue;
        pjob *j = pool->head;
        pool->head = j->next;
        if (!pool->head)
            pool->tail = NULL;
        if (co_future_done(j->f)) { /* cancelled while queued */
            free_job(j);
            i--;
            continue;
        }
        uint64_t len = j->len;
        w->job = j;
        w->got = 0;
        /* The worker is idle, so it is reading: this write will not wait
         * long. A worker found dead here fails the job like a crash. */
        if (!write_all(w->fd, &j->fn, sizeof j->fn) ||
            !write_all(w->fd, &len, sizeof len) ||
            !write_all(w->fd, j->in, j->len)) {
            bury(w, false);
            if (!pool->shutdown && spawn(pool, w) < 0)
                co_loop_report(pool->loop, "process pool: a worker could not "
                                           "be replaced");
        }
    }
}

/* Reads what the worker sent; true while it is alive. */
static bool receive(pworker *w)
{
    size_t hdr = sizeof w->hdr;
    unsigned char *dst;
    size_t room;
    if (w->got < hdr) {
        dst = (unsigned char *)&w->hdr + w->got;
        room = hdr - w->got;
    } else {
        dst = w->body->data + (w->got - hdr);
        room = w->body->len - (w->got - hdr);
    }
    ssize_t n = room ? recv(w->fd, dst, room, 0) : 0;
    if (room && n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return true;
        return false; /* end of file or reset: the worker died */
    }
    w->got += (size_t)n;
    if (w->got == hdr && !w->body) {
        w->body = malloc(sizeof *w->body + w->hdr.len + 1);
        if (!w->body)
            return false; /* treat as lost: the reply cannot be kept */
        w->body->len = w->hdr.len;
    }
    if (w->body && w->got == hdr + w->body->len) {
        pjob *j = w->job;
        co_bytes *b = w->body;
        b->data[b->len] = 0;
        w->body = NULL;
        w->job = NULL;
        w->got = 0;
        if (j && !co_future_done(j->f)) {
            if (w->hdr.status < 0) {
                co_future_set_exception(j->f, w->hdr.status, NULL);
                free(b);
            } else {
                co_future_set_result_ptr(j->f, b);
            }
        } else {
            free(b); /* cancelled while running: nobody wants it */
        }
        if (j)
            free_job(j);
    }
    return true;
}

static void on_readable(int fd, int status, void *arg)
{
    (void)fd;
    pworker *w = arg;
    co_process_pool *pool = w->pool;
    if (status == 0 && receive(w)) {
        dispatch(pool);
        return;
    }
    bury(w, false);
    if (!pool->shutdown && spawn(pool, w) < 0)
        co_loop_report(pool->loop, "process pool: a worker could not be "
                                   "replaced");
    dispatch(pool);
}

int co_process_pool_new(co_loop *loop, int workers, co_process_pool **out)
{
    if (out)
        *out = NULL;
    if (!loop || !out || workers < 0)
        return CO_EINVAL;
    if (loop->closed)
        return CO_ECLOSED;
    if (workers == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        workers = cpus > 0 ? (int)cpus : 1;
    }
    co_process_pool *pool = calloc(1, sizeof *pool);
    pworker *w = calloc((size_t)workers, sizeof *w);
    if (!pool || !w) {
        free(pool);
        free(w);
        return CO_ENOMEM;
    }
    pool->loop = loop;
    pool->w = w;
    pool->n = workers;
    for (int i = 0; i < workers; i++)
        w[i].fd = -1;
    for (int i = 0; i < workers; i++) {
        int rc = spawn(pool, &w[i]);
        if (rc < 0) {
            co_process_pool_free(pool, false);
            return rc;
        }
    }
    *out = pool;
    return 0;
}

int co_process_pool_submit(co_process_pool *pool, co_process_fn fn,
                           const void *in, size_t len, co_future **out)
{
    if (out)
        *out = NULL;
    if (!pool || !fn || !out || (!in && len))
        return CO_EINVAL;
    if (pool->shutdown)
        return CO_ESHUTDOWN;
    pjob *j = calloc(1, sizeof *j);
    if (!j || !(j->in = malloc(len ? len : 1))) {
        free(j);
        return CO_ENOMEM;
    }
    int rc = co_future_new(pool->loop, &j->f);
    if (rc < 0) {
        free(j->in);
        free(j);
        return rc;
    }
    if (len)
        memcpy(j->in, in, len);
    j->len = len;
    j->fn = fn;
    if (pool->tail)
        pool->tail->next = j;
    else
        pool->head = j;
    pool->tail = j;
    *out = co_future_ref(j->f);
    dispatch(pool);
    return 0;
}

int co_process_pool_workers(const co_process_pool *pool)
{
    int alive = 0;
    for (int i = 0; pool && i < pool->n; i++)
        alive += pool->w[i].pid > 0;
    return alive;
}

void co_process_pool_free(co_process_pool *pool, bool wait)
{
    if (!pool)
        return;
    pool->shutdown = true;
    while (pool->head) {
        pjob *j = pool->head;
        pool->head = j->next;
        co_future_cancel(j->f);
        free_job(j);
    }
    pool->tail = NULL;
    for (int i = 0; i < pool->n; i++) {
        pworker *w = &pool->w[i];
        if (w->fd < 0)
            continue;
        /* Waiting: read the running job's reply here (blocking), so its
         * future gets its result. Not waiting: kill the worker. */
        while (wait && w->job && receive(w))
            continue;
        if (!wait && w->pid > 0)
            kill(w->pid, SIGKILL);
        bury(w, !wait); /* closing our end tells an idle worker to exit */
    }
    free(pool->w);
    free(pool);
}
