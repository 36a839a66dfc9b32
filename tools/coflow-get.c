/* coflow-get.c - the notes' practical case: download many files at once.
 *
 *     coflow-get [-j N] [-o DIR] [--force] URL...
 *
 * The default shape is the notes' aiohttp one: one task per URL, at most N
 * of them downloading at a time (a Semaphore), all on one thread, sharing
 * one client and its keep-alive pool (coflow/http.h). --threads is the
 * notes' second shape, requests in a thread pool: each URL is a blocking
 * fetch (plain blocking sockets, no loop) handed to run_in_executor, with
 * N worker threads. docs/http.md compares the two; docs/performance.md
 * measures them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "coflow.h"

static const char USAGE[] =
    "usage: coflow-get [options] URL...\n"
    "\n"
    "Downloads every URL concurrently into a folder, each into a file named\n"
    "by the last segment of the URL's path (\"index.html\" when it is\n"
    "empty). A name is made safe first: percent-escapes are decoded, then\n"
    "'/', '\\\\' and control characters become '_' and leading dots are\n"
    "dropped, so no URL can write outside the folder or make a hidden\n"
    "file. An existing file is never replaced without --force.\n"
    "\n"
    "options:\n"
    "  -j, --jobs N       at most N downloads at once (default 4, 1-1000)\n"
    "  -o, --output DIR   the folder to write into (default: the current one;\n"
    "                     it must exist)\n"
    "  -f, --force        replace files that exist already\n"
    "  -t, --timeout S    give up on a URL after S seconds in all (default:\n"
    "                     none); connecting alone may take at most 30 s\n"
    "  -m, --max-size B   refuse a body larger than B bytes (suffixes k, M, G;\n"
    "                     default: no limit)\n"
    "  -r, --redirects N  follow at most N redirects (default 10; 0: none)\n"
    "      --cacert FILE  for https, trust the authorities in PEM file FILE\n"
    "                     as well as the system's\n"
    "  -q, --quiet        print failures only\n"
    "      --threads      the thread-pool shape: blocking fetches in N worker\n"
    "                     threads through run_in_executor (http only, one\n"
    "                     connection per URL), to compare with the default\n"
    "      --no-progress  plain lines even on a terminal\n"
    "  -h, --help         this text\n"
    "\n"
    "On a terminal, each download in progress has a bar and the last line\n"
    "counts the whole; elsewhere one line is printed per URL as it ends:\n"
    "  ok URL -> FILE (BYTES bytes)\n"
    "  failed URL: REASON\n"
    "A URL that fails is reported and the others go on. Ctrl-C cancels every\n"
    "download and removes the files they had started.\n"
    "\n"
    "exit status: 0 when every URL was downloaded, 1 when any failed, 2 for\n"
    "a usage error, 130 when interrupted.\n";

enum dl_state { WAITING, ACTIVE, DONE, FAILED };

struct app;

/* One URL: its download task's frame (the default shape) and its job's
 * state (--threads). */
struct dl {
    co_coro co;                 /* the task's frame; must stay first */
    struct app *app;
    const char *url;
    co_url parsed;
    char name[256];             /* the file's name inside the folder */
    int fd;                     /* the file being written, or -1 */
    int created;                /* we made it: remove it unless done */
    _Atomic int state;          /* enum dl_state */
    _Atomic long long received; /* body bytes so far */
    _Atomic long long total;    /* announced length, or -1 */
    int rc;                     /* 0, or the failure */
    char msg[600];              /* its message */
    co_wait_op semop;           /* the wait for a place */
    int have_place;
    co_http_request req;
    co_http_op op;
    co_task *task;
    co_future *job;             /* --threads: the executor's future */
};

struct app {
    co_loop *loop;
    co_http_client *client;
    co_semaphore *sem;
    co_executor *ex;
    struct dl *dls;
    int n;
    int jobs, force, quiet, progress, threads, redirects;
    const char *cacert;
    co_tls_context *tls;
    double timeout;
    long long max_size;
    int dirfd;
    const char *outdir;
    atomic_int interrupted;
    co_timer redraw_timer;
    int drawn;                  /* lines of the progress block on screen */
    int finished, failed;
};

/* ---- file names ---------------------------------------------------------- */

/* Makes the URL's last segment a safe file name in @p out. */
static void safe_name(const co_url *u, char *out, size_t size)
{
    char raw[256];
    co_url_basename(u, raw, sizeof raw);
    size_t n = 0;
    const char *s = raw;
    while (*s == '.')
        s++; /* no ".", "..", nor hidden files */
    for (; *s && n + 1 < size && n < 200; s++) {
        unsigned char c = (unsigned char)*s;
        out[n++] = (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
                       ? '_' : (char)c;
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, size, "index.html");
}

/* Opens the output file: a new one, or (--force) any regular file, never
 * through a symbolic link. */
static int open_output(struct dl *d)
{
    int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
                (d->app->force ? O_TRUNC : O_EXCL);
    d->fd = openat(d->app->dirfd, d->name, flags, 0644);
    if (d->fd < 0) {
        int e = errno;
        snprintf(d->msg, sizeof d->msg, "%s/%s: %s%s", d->app->outdir,
                 d->name, strerror(e),
                 e == EEXIST ? " (use --force to replace it)" : "");
        return CO_ESYS;
    }
    d->created = 1;
    return 0;
}

/* Closes the file; removes it unless the download succeeded. */
static void close_output(struct dl *d, int ok)
{
    if (d->fd >= 0) {
        if (close(d->fd) != 0 && ok) {
            snprintf(d->msg, sizeof d->msg, "%s/%s: %s", d->app->outdir,
                     d->name, strerror(errno));
            d->rc = CO_ESYS;
            ok = 0;
        }
        d->fd = -1;
    }
    if (!ok && d->created) {
        unlinkat(d->app->dirfd, d->name, 0);
        d->created = 0;
    }
}

/* ---- what the user sees -------------------------------------------------- */

static void human(long long n, char *buf, size_t size)
{
    if (n < 1024)
        snprintf(buf, size, "%lld B", n);
    else if (n < 1024 * 1024)
        snprintf(buf, size, "%.1f KiB", n / 1024.0);
    else if (n < 1024LL * 1024 * 1024)
        snprintf(buf, size, "%.1f MiB", n / (1024.0 * 1024));
    else
        snprintf(buf, size, "%.2f GiB", n / (1024.0 * 1024 * 1024));
}

/* Erases the progress block (terminal only). */
static void erase_block(struct app *a)
{
    if (a->drawn > 0)
        fprintf(stderr, "\r\x1b[%dA\x1b[J", a->drawn);
    a->drawn = 0;
}

/* Draws a bar per active download and the total line. */
static void draw_block(struct app *a)
{
    if (!a->progress)
        return;
    erase_block(a);
    long long bytes = 0;
    int active = 0;
    for (int i = 0; i < a->n; i++) {
        struct dl *d = &a->dls[i];
        long long got = atomic_load(&d->received);
        bytes += got;
        if (atomic_load(&d->state) != ACTIVE)
            continue;
        long long total = atomic_load(&d->total);
        char g[32], t[32], bar[31];
        human(got, g, sizeof g);
        int fill = total > 0 ? (int)(got * 30 / total) : 0;
        for (int k = 0; k < 30; k++)
            bar[k] = k < fill ? '#' : '-';
        bar[30] = '\0';
        if (total > 0) {
            human(total, t, sizeof t);
            fprintf(stderr, "%-28.28s [%s] %3d%% %s / %s\n", d->name, bar,
                    (int)(got * 100 / total), g, t);
        } else {
            fprintf(stderr, "%-28.28s [%s]      %s\n", d->name,
                    "  (size not announced)      ", g);
        }
        active++;
    }
    char b[32];
    human(bytes, b, sizeof b);
    fprintf(stderr, "total: %d of %d done, %d failed, %d active, %s\n",
            a->finished - a->failed, a->n, a->failed, active, b);
    a->drawn = active + 1;
    fflush(stderr);
}

/* A download ended: one permanent line, then the block again. */
static void report_end(struct app *a, struct dl *d)
{
    a->finished++;
    if (d->rc)
        a->failed++;
    erase_block(a);
    if (d->rc == CO_ECANCELLED && atomic_load(&a->interrupted)) {
        /* Ctrl-C: the summary says so, once, not a line per URL. */
    } else if (d->rc) {
        fprintf(stderr, "failed %s: %s\n", d->url, d->msg);
    } else if (!a->quiet) {
        fprintf(a->progress ? stderr : stdout, "ok %s -> %s/%s (%lld bytes)\n",
                d->url, a->outdir, d->name, atomic_load(&d->received));
        fflush(stdout);
    }
    draw_block(a);
}

static void on_progress(void *arg, long long received, long long total)
{
    struct dl *d = arg;
    atomic_store(&d->received, received);
    atomic_store(&d->total, total);
}

/* Redraws ten times a second while downloads run (terminal only). */
static void on_redraw(void *arg)
{
    struct app *a = arg;
    draw_block(a);
    if (a->finished < a->n)
        co_loop_call_later(a->loop, 0.1, on_redraw, a, &a->redraw_timer);
}

/* ---- the default shape: a task per URL ----------------------------------- */

static int download_step(co_coro *co)
{
    struct dl *d = (struct dl *)co;
    CO_BEGIN(co);
    co_semaphore_acquire_op(&d->semop, d->app->sem);
    CO_AWAIT_CORO_CATCH(co, co__wait_frame(&d->semop), d->rc);
    if (d->rc) {
        snprintf(d->msg, sizeof d->msg, "%s", co_strerror(d->rc));
        CO_RETURN(co, d->rc);
    }
    d->have_place = 1;
    d->rc = open_output(d);
    if (d->rc)
        CO_RETURN(co, d->rc);
    atomic_store(&d->state, ACTIVE);
    co_http_request_init(&d->req);
    d->req.url = d->url;
    d->req.fd = d->fd;
    d->req.timeout = d->app->timeout;
    d->req.max_body = d->app->max_size;
    d->req.max_redirects = d->app->redirects;
    d->req.on_progress = on_progress;
    d->req.progress_arg = d;
    CO_HTTP_FETCH_CATCH(co, &d->op, d->app->client, &d->req, d->rc);
    if (d->rc) {
        /* The client's message starts with the URL, which our line shows
         * already. */
        const char *m = co_caught_message() ? co_caught_message()
                                            : co_strerror(d->rc);
        size_t ul = strlen(d->url);
        if (strncmp(m, d->url, ul) == 0 && strncmp(m + ul, ": ", 2) == 0)
            m += ul + 2;
        snprintf(d->msg, sizeof d->msg, "%s", m);
    }
    atomic_store(&d->received, d->op.resp.received);
    CO_FINALLY(co);
    if (co->err == CO_ECANCELLED && !d->rc) {
        d->rc = CO_ECANCELLED;
        snprintf(d->msg, sizeof d->msg, "cancelled");
    }
    close_output(d, d->rc == 0);
    co_http_response_clear(&d->op.resp);
    if (d->have_place) {
        co_semaphore_release(d->app->sem);
        d->have_place = 0;
    }
    atomic_store(&d->state, d->rc ? FAILED : DONE);
    report_end(d->app, d);
    CO_END(co);
}

/* ---- the thread-pool shape: a blocking fetch per URL --------------------- */

/* One blocking GET of @p u into d->fd; on a redirect, *next receives the
 * Location (to free) and 1 is returned. Runs on a worker thread: it
 * touches only @p d and reads app's settings. */
static int blocking_get(struct dl *d, const co_url *u, char **next,
                        double deadline)
{
    struct app *a = d->app;
    char port[8];
    snprintf(port, sizeof port, "%d", u->port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(u->host, port, &hints, &res);
    if (gai != 0) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", u->host, gai_strerror(gai));
        return CO_ENONAME;
    }
    int fd = -1, rc = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        /* Blocking calls that come back every 0.2 s, to see Ctrl-C and
         * the deadline. */
        struct timeval tv = {0, 200000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int c;
        do
            c = connect(fd, ai->ai_addr, ai->ai_addrlen);
        while (c < 0 && errno == EINTR);
        if (c == 0)
            break;
        rc = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(d->msg, sizeof d->msg, "connecting to %s:%d: %s", u->host,
                 u->port, strerror(rc));
        return rc == ECONNREFUSED ? CO_ECONNREFUSED : CO_ESYS;
    }
    char req[CO_URL_MAX + 512];
    int len = snprintf(req, sizeof req,
                       "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: "
                       "coflow-get\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                       u->target, u->authority);
    rc = 0;
    for (int off = 0; off < len && !rc;) {
        ssize_t w = send(fd, req + off, (size_t)(len - off), MSG_NOSIGNAL);
        if (w > 0)
            off += (int)w;
        else if (errno != EINTR && errno != EAGAIN)
            rc = CO_ESYS;
    }
    co_http_parser *p = co_http_parser_new(NULL);
    char *buf = malloc(65536);
    if (!p || !buf)
        rc = CO_ENOMEM;
    int redirect = 0;
    long long got = 0;
    while (!rc) {
        if (atomic_load(&a->interrupted)) {
            rc = CO_ECANCELLED;
            snprintf(d->msg, sizeof d->msg, "cancelled");
            break;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (deadline > 0 && now.tv_sec + now.tv_nsec / 1e9 > deadline) {
            rc = CO_ETIMEDOUT;
            snprintf(d->msg, sizeof d->msg, "timed out");
            break;
        }
        ssize_t n = recv(fd, buf, 65536, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        int ev = CO_HTTP_NEED_MORE;
        size_t off = 0;
        if (n <= 0) {
            ev = co_http_parser_eof(p);
        }
        while (n > 0) {
            size_t used;
            const char *chunk;
            size_t clen;
            ev = co_http_parser_feed(p, buf + off, (size_t)n - off, &used,
                                     &chunk, &clen);
            off += used;
            if (ev == CO_HTTP_HEAD) {
                int st = co_http_parser_status(p);
                const char *loc = co_http_parser_header(p, "location");
                atomic_store(&d->total, co_http_parser_content_length(p));
                if (st >= 300 && st < 400 && st != 304 && st != 300 && loc) {
                    *next = strdup(loc);
                    redirect = 1;
                    ev = CO_HTTP_DONE;
                    break;
                }
                if (st >= 400) {
                    snprintf(d->msg, sizeof d->msg, "%d %s", st,
                             co_http_parser_reason(p));
                    ev = CO_EHTTPSTATUS;
                    break;
                }
                continue;
            }
            if (ev == CO_HTTP_BODY) {
                if (a->max_size > 0 && got + (long long)clen > a->max_size) {
                    ev = CO_EHTTPBODYLIMIT;
                    snprintf(d->msg, sizeof d->msg,
                             "the body is larger than %lld bytes",
                             a->max_size);
                    break;
                }
                for (size_t k = 0; k < clen;) {
                    ssize_t w = write(d->fd, chunk + k, clen - k);
                    if (w <= 0 && errno != EINTR) {
                        ev = CO_ESYS;
                        snprintf(d->msg, sizeof d->msg, "%s", strerror(errno));
                        break;
                    }
                    if (w > 0)
                        k += (size_t)w;
                }
                if (ev < 0)
                    break;
                got += (long long)clen;
                atomic_store(&d->received, got);
                continue;
            }
            break; /* NEED_MORE, DONE or a failure */
        }
        if (ev < 0) {
            rc = ev;
            if (!d->msg[0])
                snprintf(d->msg, sizeof d->msg, "%s%s%s", co_strerror(ev),
                         co_http_parser_why(p)[0] ? ": " : "",
                         co_http_parser_why(p));
        } else if (ev == CO_HTTP_DONE) {
            break;
        }
    }
    free(buf);
    co_http_parser_free(p);
    close(fd);
    if (!rc && redirect && !*next)
        rc = CO_ENOMEM;
    return rc ? rc : redirect;
}

/* The job: the whole download of one URL, redirects included. */
static long long download_job(void *arg)
{
    struct dl *d = arg;
    struct app *a = d->app;
    if (d->parsed.is_https) {
        snprintf(d->msg, sizeof d->msg,
                 "https is not supported with --threads");
        return CO_EURLSCHEME;
    }
    double deadline = 0;
    if (a->timeout > 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        deadline = now.tv_sec + now.tv_nsec / 1e9 + a->timeout;
    }
    if (atomic_load(&a->interrupted)) {
        snprintf(d->msg, sizeof d->msg, "cancelled");
        return CO_ECANCELLED;
    }
    co_url u, nu = {0};
    if (co_url_parse(d->url, &u) != 0)
        return CO_EURL;
    /* The file is opened, written and (unless all went well) removed by
     * this thread alone; the loop reads d only once the job is done. */
    int rc = open_output(d);
    if (rc) {
        co_url_clear(&u);
        return rc;
    }
    atomic_store(&d->state, ACTIVE);
    for (int hops = 0;; hops++) {
        char *next = NULL;
        rc = blocking_get(d, &u, &next, deadline);
        if (rc != 1)
            break;
        rc = hops >= a->redirects ? CO_EREDIRECTS
                                  : co_url_resolve(&u, next, &nu);
        if (rc == CO_EREDIRECTS)
            snprintf(d->msg, sizeof d->msg, "more than %d redirects",
                     a->redirects);
        else if (rc == 0 && nu.is_https)
            rc = CO_EURLSCHEME;
        if (rc && !d->msg[0])
            snprintf(d->msg, sizeof d->msg, "redirected to \"%.200s\": %s",
                     next, co_strerror(rc));
        free(next);
        if (rc) {
            co_url_clear(&nu); /* cleared already, or the https one */
            break;
        }
        co_url_clear(&u);
        u = nu;
        /* Start the file again: the redirect's body was not written. */
        if (ftruncate(d->fd, 0) != 0 || lseek(d->fd, 0, SEEK_SET) != 0) {
            rc = CO_ESYS;
            break;
        }
    }
    co_url_clear(&u);
    close_output(d, rc == 0);
    return rc ? rc : d->rc; /* closing may have failed */
}

/* ---- the program --------------------------------------------------------- */

/* Awaits every download (either shape), then reports. */
struct main_frame {
    co_coro co;
    struct app *a;
    int i;
    int rc;
};

static int main_step(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    struct app *a = self->a;
    struct dl *d; /* a local: set again after every suspension */
    CO_BEGIN(co);
    for (self->i = 0; self->i < a->n; self->i++) {
        d = &a->dls[self->i];
        if (atomic_load(&d->state) == FAILED)
            continue;
        if (a->threads) {
            /* A job that fails returns its negative code: the future
             * fails with it. */
            CO_AWAIT_CATCH(co, a->dls[self->i].job, self->rc);
            d = &a->dls[self->i];
            d->rc = self->rc;
            if (d->rc && !d->msg[0])
                snprintf(d->msg, sizeof d->msg, "%s", co_strerror(d->rc));
            atomic_store(&d->state, d->rc ? FAILED : DONE);
            report_end(a, d);
        } else {
            CO_AWAIT_CATCH(co, a->dls[self->i].task, self->rc);
        }
    }
    CO_END(co);
}

/* Ctrl-C: every download is cancelled; their cleanup removes their files.
 * A job on a worker thread cannot be cancelled from outside (a thread
 * cannot be stopped safely): it sees the flag within 0.2 s and stops. */
static void on_sigint(void *arg)
{
    struct app *a = arg;
    atomic_store(&a->interrupted, 1);
    for (int i = 0; i < a->n; i++)
        if (a->dls[i].task)
            co_task_cancel(a->dls[i].task);
}

static long long parse_size(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || v < 0 || end == s)
        return -1;
    long long mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1024, end++;
    else if (*end == 'M')
        mult = 1024 * 1024, end++;
    else if (*end == 'G')
        mult = 1024LL * 1024 * 1024, end++;
    if (*end || v > (1LL << 50) / mult)
        return -1;
    return v * mult;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "coflow-get: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(coflow-get --help for the options)\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct app a = {.jobs = 4, .outdir = ".", .redirects = 10, .dirfd = -1};
    int no_progress = 0;
    const char **urls = calloc((size_t)argc, sizeof *urls);
    int n = 0;
    if (!urls)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            fputs(USAGE, stdout);
            free(urls);
            return 0;
        } else if (!strcmp(o, "-j") || !strcmp(o, "--jobs")) {
            char *end;
            long v = val ? strtol(val, &end, 10) : 0;
            if (!val || *end || v < 1 || v > 1000)
                return free(urls), usage_error("-j wants a number 1-1000, not "
                                               "\"%s\"", val ? val : "");
            a.jobs = (int)v;
            i++;
        } else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
            if (!val)
                return free(urls), usage_error("%s wants a folder", o);
            a.outdir = val;
            i++;
        } else if (!strcmp(o, "-t") || !strcmp(o, "--timeout")) {
            char *end;
            double v = val ? strtod(val, &end) : 0;
            if (!val || *end || !(v > 0) || v > 1e6)
                return free(urls), usage_error("-t wants seconds, not \"%s\"",
                                               val ? val : "");
            a.timeout = v;
            i++;
        } else if (!strcmp(o, "-m") || !strcmp(o, "--max-size")) {
            a.max_size = val ? parse_size(val) : -1;
            if (a.max_size <= 0)
                return free(urls), usage_error("-m wants a size such as 10M, "
                                               "not \"%s\"", val ? val : "");
            i++;
        } else if (!strcmp(o, "-r") || !strcmp(o, "--redirects")) {
            char *end;
            long v = val ? strtol(val, &end, 10) : -1;
            if (!val || *end || v < 0 || v > 100)
                return free(urls), usage_error("-r wants a number 0-100, not "
                                               "\"%s\"", val ? val : "");
            a.redirects = (int)v;
            i++;
        } else if (!strcmp(o, "--cacert")) {
            if (!val)
                return free(urls), usage_error("%s wants a file", o);
            a.cacert = val;
            i++;
        } else if (!strcmp(o, "-f") || !strcmp(o, "--force")) {
            a.force = 1;
        } else if (!strcmp(o, "-q") || !strcmp(o, "--quiet")) {
            a.quiet = 1;
        } else if (!strcmp(o, "--threads")) {
            a.threads = 1;
        } else if (!strcmp(o, "--no-progress")) {
            no_progress = 1;
        } else if (!strcmp(o, "--")) {
            for (i++; i < argc; i++)
                urls[n++] = argv[i];
        } else if (o[0] == '-' && o[1]) {
            return free(urls), usage_error("unknown option \"%s\"", o);
        } else {
            urls[n++] = o;
        }
    }
    if (n == 0)
        return free(urls), usage_error("%s", "no URL given");
    a.dirfd = open(a.outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (a.dirfd < 0) {
        fprintf(stderr, "coflow-get: %s: %s\n", a.outdir, strerror(errno));
        free(urls);
        return 2;
    }
    a.progress = !no_progress && !a.quiet && isatty(2);
    signal(SIGPIPE, SIG_IGN);

    int rc = co_loop_new(&a.loop);
    co_http_client_opts copts = {.max_connections = (size_t)a.jobs,
                                 .max_idle_per_host = (size_t)a.jobs,
                                 .connect_timeout = 30};
    if (rc == 0 && a.cacert) {
        rc = co_tls_client_context_new(&a.tls);
        if (rc == 0)
            rc = co_tls_context_load_verify_file(a.tls, a.cacert);
        if (rc) {
            fprintf(stderr, "coflow-get: --cacert %s: %s\n", a.cacert,
                    co_strerror(rc));
            co_tls_context_free(a.tls);
            co_loop_close(a.loop);
            close(a.dirfd);
            free(urls);
            return 2;
        }
        copts.tls = a.tls;
    }
    if (rc == 0)
        rc = co_http_client_new(a.loop, &copts, &a.client);
    if (rc == 0)
        rc = co_semaphore_new(&a.sem, a.jobs);
    if (rc == 0 && a.threads)
        rc = co_executor_new(&a.ex, a.jobs);
    a.dls = calloc((size_t)n, sizeof *a.dls);
    if (rc || !a.dls) {
        fprintf(stderr, "coflow-get: %s\n", co_strerror(rc ? rc : CO_ENOMEM));
        return 1;
    }
    a.n = n;
    co_loop_add_signal_handler(a.loop, SIGINT, on_sigint, &a);
    co_loop_add_signal_handler(a.loop, SIGTERM, on_sigint, &a);

    for (int i = 0; i < n; i++) {
        struct dl *d = &a.dls[i];
        d->app = &a;
        d->url = urls[i];
        d->fd = -1;
        atomic_store(&d->total, -1);
        int urc = co_url_parse(d->url, &d->parsed);
        if (urc) {
            d->rc = urc;
            snprintf(d->msg, sizeof d->msg, "%s", co_strerror(urc));
            atomic_store(&d->state, FAILED);
            report_end(&a, d);
            continue;
        }
        safe_name(&d->parsed, d->name, sizeof d->name);
        if (a.threads) {
            urc = co_loop_run_in_executor(a.loop, a.ex, download_job, d,
                                          &d->job);
            if (urc) {
                d->rc = urc;
                snprintf(d->msg, sizeof d->msg, "%s", co_strerror(urc));
                atomic_store(&d->state, FAILED);
                report_end(&a, d);
            }
        } else {
            co_coro_init(&d->co, download_step);
            if (co_create_task(a.loop, &d->co, d->name, &d->task) != 0) {
                d->rc = CO_ENOMEM;
                snprintf(d->msg, sizeof d->msg, "out of memory");
                atomic_store(&d->state, FAILED);
                report_end(&a, d);
            }
        }
    }
    if (a.progress)
        co_loop_call_later(a.loop, 0.1, on_redraw, &a, &a.redraw_timer);

    struct main_frame mf = {.a = &a};
    co_coro_init(&mf.co, main_step);
    co_task *mt;
    if (co_create_task(a.loop, &mf.co, "main", &mt) == 0) {
        co_loop_run_until_complete(a.loop, co_task_future(mt));
        co_task_unref(mt);
    }
    co_timer_cancel(&a.redraw_timer);
    erase_block(&a);
    int interrupted = atomic_load(&a.interrupted);
    if (!a.quiet || a.failed)
        fprintf(stderr, "%d of %d downloaded%s%s\n", a.n - a.failed, a.n,
                a.failed ? ", some failed" : "",
                interrupted ? " (interrupted: partial files removed)" : "");

    for (int i = 0; i < n; i++) {
        struct dl *d = &a.dls[i];
        if (d->task)
            co_task_unref(d->task);
        if (d->job)
            co_future_unref(d->job);
        co_url_clear(&d->parsed);
    }
    co_http_client_free(a.client);
    co_semaphore_free(a.sem);
    co_loop_close(a.loop);
    co_tls_context_free(a.tls);
    if (a.ex)
        co_executor_free(a.ex);
    close(a.dirfd);
    free(a.dls);
    free(urls);
    if (interrupted)
        return 130;
    return a.failed ? 1 : 0;
}
