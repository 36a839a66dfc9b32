/* process_pool.c - ProcessPoolExecutor on fork(): each worker is a child
 * process talking to the parent over a socketpair. Introduced in lesson 09.
 *
 * Messages are a fixed header and then bytes:
 *   parent -> worker: the function pointer, the argument's length, the
 *                     longest reply the parent accepts, then the argument
 *   worker -> parent: the job's status, the result's length, its bytes
 * A function pointer can cross the socket because fork() copies the whole
 * program: the same code sits at the same address in the child. (With
 * exec() it would not, which is why Python pickles names instead.)
 * The parent never blocks reading: the socket is a loop reader, and a dead
 * worker shows up as end-of-file on it.
 *
 * The parent never trusts what a worker sends. The job runs in the
 * worker's process and may have scribbled over anything there, the
 * worker's own code included, so a reply is checked before a byte of it is
 * believed: a status that is not 0 or negative, a failure followed by
 * bytes, a length over the pool's limit, bytes from a worker that runs no
 * job - each is a CO_EWORKER failure for the job, and the worker is killed
 * and replaced (after one bad header nothing it sends can be framed). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "coflow.h"
#include "threads_internal.h"

typedef struct pjob {
    co_process_fn fn;    /* what the worker runs */
    unsigned char *in;   /* copy of the argument */
    size_t len;          /* its length */
    co_future *f;        /* our reference: the job's loop future */
    struct pjob *next;   /* queue order */
} pjob;

typedef struct prequest {
    co_process_fn fn;    /* what the worker runs */
    uint64_t len;        /* how many argument bytes follow */
    uint64_t max_reply;  /* the longest result the parent will take */
} prequest;

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
    char why[200];       /* what was wrong with a malformed reply */
} pworker;

/* What receive() found. */
enum { RX_OK, RX_DEAD, RX_BAD };

struct co_process_pool {
    co_loop *loop;       /* where results complete futures */
    pworker *w;          /* the workers */
    int n;               /* how many slots in w */
    pjob *head, *tail;   /* jobs waiting for an idle worker */
    bool shutdown;       /* no new jobs, no replacements */
    size_t max_reply;    /* longest reply accepted (co_process_pool_set_max_reply) */
    double shutdown_timeout; /* seconds free(wait) waits; < 0: for ever */
};

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
        prequest q;
        if (!read_all(fd, &q, sizeof q))
            return; /* the parent closed its end: time to go */
        unsigned char *in = malloc(q.len ? q.len : 1);
        if (!in || !read_all(fd, in, q.len))
            return;
        void *out = NULL;
        size_t out_len = 0;
        int status = q.fn(in, q.len, &out, &out_len);
        free(in);
        preply r;
        memset(&r, 0, sizeof r); /* the padding is sent too: no garbage */
        r.status = status < 0 ? status : 0;
        r.len = status < 0 || !out ? 0 : out_len;
        /* A length over the limit is announced as it is, with no bytes
         * after it: the parent is the judge (it has to check every reply
         * anyway), and the worker must not read past the job's buffer. */
        bool too_long = r.len > q.max_reply;
        bool ok = write_all(fd, &r, sizeof r) &&
                  (too_long || write_all(fd, out, r.len));
        free(out);
        if (!ok || too_long)
            return;
    }
}

/* ---- the parent's side --------------------------------------------------- */

static void on_readable(int fd, int status, void *arg);

/* Starts a worker in slot @p w. Returns 0, CO_ESYS, or what the loop's
 * add_reader says of the socket (CO_EFDSETSIZE on select for a descriptor
 * at or above FD_SETSIZE, CO_ENOMEM): the socket is watched before the
 * fork, so that a socket the backend refuses costs no process. */
static int spawn(co_process_pool *pool, pworker *w)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return CO_ESYS;
    /* on_readable runs from the loop, after this returns: w is set up by
     * then. */
    int rc = co_loop_add_reader(pool->loop, sv[0], on_readable, w);
    if (rc < 0) {
        close(sv[0]);
        close(sv[1]);
        return rc;
    }
    fflush(NULL); /* or buffered output would be printed twice */
    pid_t pid = fork();
    if (pid < 0) {
        co_loop_remove_reader(pool->loop, sv[0]);
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
        co__signals_after_fork(); /* Ctrl-C is the parent's to handle */
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
    return 0;
}

static void free_job(pjob *j)
{
    co_future_unref(j->f);
    free(j->in);
    free(j);
}

/* The worker in @p w is gone (or must go): reap it, fail its job with
 * @p why, or with how the worker ended if @p why is NULL. */
static void bury(pworker *w, bool killed_by_us, const char *why)
{
    co_process_pool *pool = w->pool;
    co_loop_remove_reader(pool->loop, w->fd);
    close(w->fd);
    w->fd = -1;
    /* End of file in the middle of a job usually means the worker died,
     * but a job may also have closed the socket and gone on running:
     * waitpid() would then wait for ever. A worker with a job is killed
     * first (a signal to one that is already exiting changes nothing). */
    if (w->job && w->pid > 0)
        kill(w->pid, SIGKILL);
    int st = 0;
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
        continue;
    if (w->job) {
        char msg[200];
        if (why)
            snprintf(msg, sizeof msg, "%s", why);
        else if (WIFSIGNALED(st))
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

/* The worker sent something malformed (w->why says what): it cannot be
 * trusted with another job, so it is killed, and its job fails. */
static void reject(pworker *w)
{
    if (w->pid > 0)
        kill(w->pid, SIGKILL);
    if (!w->job)
        co_loop_report(w->pool->loop, w->why);
    bury(w, true, w->why);
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
        prequest q;
        memset(&q, 0, sizeof q); /* no padding garbage on the wire */
        q.fn = j->fn;
        q.len = j->len;
        q.max_reply = pool->max_reply;
        w->job = j;
        w->got = 0;
        /* The worker is idle, so it is reading: this write will not wait
         * long. A worker found dead here fails the job like a crash. */
        if (!write_all(w->fd, &q, sizeof q) ||
            !write_all(w->fd, j->in, j->len)) {
            bury(w, false, NULL);
            if (!pool->shutdown && spawn(pool, w) < 0)
                co_loop_report(pool->loop, "process pool: a worker could not "
                                           "be replaced");
        }
    }
}

/* A reply's header has just arrived: true if it can be believed. If not,
 * w->why says what is wrong with it. */
static bool header_ok(pworker *w)
{
    const preply *r = &w->hdr;
    long pid = (long)w->pid;
    if (!w->job)
        snprintf(w->why, sizeof w->why, "process pool: worker process %ld "
                 "sent a reply while it had no job; it was replaced", pid);
    else if (r->status > 0)
        snprintf(w->why, sizeof w->why, "worker process %ld sent a malformed "
                 "reply (status %ld; a job returns 0 or a negative code)",
                 pid, (long)r->status);
    else if (r->status < 0 && r->len)
        snprintf(w->why, sizeof w->why, "worker process %ld sent a malformed "
                 "reply (a failure, %ld, followed by %llu bytes)", pid,
                 (long)r->status, (unsigned long long)r->len);
    else if (r->len > w->pool->max_reply)
        snprintf(w->why, sizeof w->why, "worker process %ld announced a "
                 "reply of %llu bytes, over the pool's limit of %zu (did the "
                 "job set *out_len right?)", pid,
                 (unsigned long long)r->len, w->pool->max_reply);
    else
        return true;
    return false;
}

/* Reads what the worker sent: RX_OK while all is well, RX_DEAD when the
 * worker is gone, RX_BAD when what it sent is malformed (see w->why). */
static int receive(pworker *w)
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
            return RX_OK;
        return RX_DEAD; /* end of file or reset: the worker died */
    }
    w->got += (size_t)n;
    if (w->got == hdr && !w->body) {
        if (!header_ok(w))
            return RX_BAD;
        /* header_ok bounded len by max_reply (<= SIZE_MAX / 2): this sum
         * cannot wrap round. */
        w->body = malloc(sizeof *w->body + (size_t)w->hdr.len + 1);
        if (!w->body) {
            snprintf(w->why, sizeof w->why, "out of memory for a reply of "
                     "%llu bytes from worker process %ld",
                     (unsigned long long)w->hdr.len, (long)w->pid);
            return RX_BAD;
        }
        w->body->len = (size_t)w->hdr.len;
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
                co__job_future_set_bytes(j->f, b); /* owned by it now */
            }
        } else {
            free(b); /* cancelled while running: nobody wants it */
        }
        if (j)
            free_job(j);
    }
    return RX_OK;
}

static void on_readable(int fd, int status, void *arg)
{
    (void)fd;
    pworker *w = arg;
    co_process_pool *pool = w->pool;
    int rx = status == 0 ? receive(w) : RX_DEAD;
    if (rx == RX_OK) {
        dispatch(pool);
        return;
    }
    if (rx == RX_BAD)
        reject(w);
    else
        bury(w, false, NULL);
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
    pool->max_reply = CO_PROCESS_POOL_MAX_REPLY;
    pool->shutdown_timeout = CO_PROCESS_POOL_SHUTDOWN_TIMEOUT;
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
    int rc = co__job_future_new(pool->loop, &j->f);
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

int co_process_pool_set_max_reply(co_process_pool *pool, size_t bytes)
{
    if (!pool || bytes > SIZE_MAX / 2)
        return CO_EINVAL;
    pool->max_reply = bytes;
    return 0;
}

int co_process_pool_set_shutdown_timeout(co_process_pool *pool, double seconds)
{
    if (!pool || isnan(seconds))
        return CO_EINVAL;
    pool->shutdown_timeout = seconds;
    return 0;
}

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* co_process_pool_free(wait): lets the running jobs finish, for at most the
 * shutdown timeout, reading their replies as they come (poll(), not the
 * loop: the caller may not be running it). */
static void drain(co_process_pool *pool)
{
    struct pollfd *fds = calloc((size_t)pool->n, sizeof *fds);
    int *who = calloc((size_t)pool->n, sizeof *who);
    double timeout = pool->shutdown_timeout;
    double deadline = monotonic_now() + (timeout > 0 ? timeout : 0);
    while (fds && who) {
        nfds_t k = 0;
        for (int i = 0; i < pool->n; i++) {
            if (pool->w[i].fd >= 0 && pool->w[i].job) {
                fds[k].fd = pool->w[i].fd;
                fds[k].events = POLLIN;
                fds[k].revents = 0;
                who[k++] = i;
            }
        }
        if (k == 0)
            break;
        int ms = -1;
        if (timeout >= 0) {
            double left = deadline - monotonic_now();
            if (left <= 0)
                break;
            ms = left * 1000 >= INT_MAX ? INT_MAX : (int)ceil(left * 1000);
        }
        int n = poll(fds, k, ms);
        if (n < 0 && errno != EINTR)
            break;
        for (nfds_t i = 0; n > 0 && i < k; i++) {
            if (!fds[i].revents)
                continue;
            pworker *w = &pool->w[who[i]];
            int rx = receive(w);
            if (rx == RX_BAD)
                reject(w);
            else if (rx == RX_DEAD)
                bury(w, false, NULL);
        }
    }
    free(fds);
    free(who);
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
    if (wait)
        drain(pool);
    for (int i = 0; i < pool->n; i++) {
        pworker *w = &pool->w[i];
        if (w->fd < 0)
            continue;
        /* A job still running now is wedged (or we do not wait): its
         * worker is killed, and bury() reaps it, so no zombie is left. */
        if (w->job || !wait) {
            if (wait && w->job) {
                char msg[200];
                snprintf(msg, sizeof msg, "process pool: a job was still "
                         "running %g s after the pool began to shut down; "
                         "its worker process %ld is killed",
                         pool->shutdown_timeout, (long)w->pid);
                co_loop_report(pool->loop, msg);
            }
            if (w->pid > 0)
                kill(w->pid, SIGKILL);
            bury(w, true, NULL);
        } else {
            bury(w, false, NULL); /* closing our end makes an idle one exit */
        }
    }
    free(pool->w);
    free(pool);
}
