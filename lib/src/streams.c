/* streams.c - TCP and unix streams over the loop's fd watches: asyncio's
 * selector transport and StreamReader/StreamWriter in one object, plus
 * open_connection and start_server (coflow/streams.h). For lesson 15;
 * docs/streams.md walks through the buffers and the backpressure.
 *
 * The shape is asyncio's. While a stream is open, the loop watches its
 * socket for reading, and each time it is readable one recv() appends to
 * the reading buffer and wakes the reader waiting, if any; once the buffer
 * holds twice the limit, the watch is taken off (pause_reading) until a
 * read brings it under the limit. A write first tries send() at once when
 * nothing is queued; what the socket does not take is queued and the loop
 * watches for writability until the queue is empty. drain waits while the
 * queue is above the high-water mark, until it is down to the low one. */
#define _GNU_SOURCE /* accept4, SOCK_NONBLOCK, memmem, NI_MAXHOST */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <limits.h>

#if defined(IOV_MAX)
#define CO__IOV_MAX IOV_MAX
#else
#define CO__IOV_MAX 1024 /* Linux's, and POSIX's minimum is 16 */
#endif

#include "coflow/executor.h"
#include "coflow/streams.h"
#include "streams_internal.h"
#include "task_internal.h"
#include "threads_internal.h"
#include "waitq.h"

/* ---- the per-loop list ---------------------------------------------------- */

#define S_EOF 0x001      /* no more bytes will arrive (peer closed, lost, closed) */
#define S_CLOSING 0x002  /* close() called: no more writes */
#define S_CLOSED 0x004   /* the socket is closed */
#define S_WREOF 0x008    /* write_eof(): shut down writing once flushed */
#define S_READING 0x010  /* the reader watch is on */
#define S_WRITING 0x020  /* the writer watch is on */
#define S_SERVER 0x040   /* belongs to a server's client record */
#define S_RBUSY 0x080    /* a read op is in progress */
#define S_WBUSY 0x100    /* a drain op is in progress */
#define S_RWANTW 0x200   /* TLS: the last read needs the socket writable */
#define S_WWANTR 0x400   /* TLS: the last write needs the socket readable */
#define S_SHUTWR 0x800   /* the sending half is shut */

/* The three lists of this file (a loop's streams, a loop's servers, a
 * server's clients) are intrusive doubly linked lists whose node is the
 * first member of what they hold, so one pair of functions serves all. */
typedef struct list_node {
    struct list_node *prev, *next;
} list_node;

static void list_push(list_node **head, list_node *n)
{
    n->prev = NULL;
    n->next = *head;
    if (*head)
        (*head)->prev = n;
    *head = n;
}

/* Takes @p n out of the list at @p head (if it is in it). */
static void list_remove(list_node **head, list_node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else if (*head == n)
        *head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    n->prev = n->next = NULL;
}

/* One stream. Invariants: `fd` is -1 exactly when S_CLOSED is set; the
 * reading buffer holds rlen bytes from rbuf + rpos, the writing buffer wlen
 * bytes from wbuf + wpos; S_READING / S_WRITING say which watches are on;
 * `loop` is NULL once the loop closed; the stream is in its loop's list
 * (node) while `loop` is set. */
struct co_stream {
    list_node node;         /* the loop's list; must stay first */
    co_loop *loop;          /* the loop it lives on, or NULL once closed */
    int fd;                 /* the socket, or -1 */
    unsigned flags;         /* S_* */
    int err;                /* the failure that ended the connection, or 0 */
    unsigned char *rbuf;    /* reading buffer */
    size_t rpos, rlen, rcap; /* where the bytes start, how many, its size */
    size_t limit;           /* the reader's limit */
    unsigned char *wbuf;    /* writing buffer */
    size_t wpos, wlen, wcap; /* as for reading */
    size_t high, low;       /* drain's marks */
    co__waitq rwait;        /* the reader waiting (at most one) */
    co__waitq wwait;        /* the drain waiting (at most one) */
    co__waitq cwait;        /* wait_closed */
    co__tls *tls;           /* TLS connection, or NULL */
    struct co__client *client; /* the server's record, with S_SERVER */
    co__resource open_on;   /* debug mode: "left open" at the loop's close */
    char what[72];          /* its name there: "to 127.0.0.1:8080" */
    char why[160];          /* why TLS ended the connection, or "" */
};

typedef struct stream_side {
    co__loop_ext ext;       /* must stay first */
    list_node *streams;     /* every stream on the loop (co_stream) */
    list_node *servers;     /* every server on the loop (co_server) */
} stream_side;

static void side_close(co_loop *loop, co__loop_ext *ext);
static const co__loop_ext side_proto = {.key = &side_proto,
                                        .close = side_close};

static stream_side *side_of(co_loop *loop)
{
    return (stream_side *)(void *)co__loop_ext_get(loop, &side_proto,
                                                   sizeof(stream_side));
}

/* The loop's record if it has one; NULL for a NULL loop. */
static stream_side *side_find(co_loop *loop)
{
    return loop ? (stream_side *)(void *)co__loop_ext_find(loop, &side_proto)
                : NULL;
}

void co_stream_opts_init(co_stream_opts *opts)
{
    if (opts)
        memset(opts, 0, sizeof *opts);
}

/* ---- errors -------------------------------------------------------------- */

/* The code for an errno from connect, send or recv. */
static int code_of_errno(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return CO_ECONNREFUSED;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
        return CO_EUNREACHABLE;
    case ETIMEDOUT:
        return CO_ETIMEDOUT;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
        return CO_ECONNRESET;
    case ENOENT:
        return CO_ENONAME;
    case ENOMEM:
    case ENOBUFS:
        return CO_ENOMEM;
    default:
        return CO_ESYS;
    }
}

/* ---- watches --------------------------------------------------------------- */

static void on_readable(int fd, int status, void *arg);
static void on_writable(int fd, int status, void *arg);

static void watch_read(co_stream *s, bool on)
{
    if (!s->loop || s->fd < 0 || on == ((s->flags & S_READING) != 0))
        return;
    if (on) {
        if (co_loop_add_reader(s->loop, s->fd, on_readable, s) == 0)
            s->flags |= S_READING;
    } else {
        co_loop_remove_reader(s->loop, s->fd);
        s->flags &= ~S_READING;
    }
}

static void watch_write(co_stream *s, bool on)
{
    if (!s->loop || s->fd < 0 || on == ((s->flags & S_WRITING) != 0))
        return;
    if (on) {
        if (co_loop_add_writer(s->loop, s->fd, on_writable, s) == 0)
            s->flags |= S_WRITING;
    } else {
        co_loop_remove_writer(s->loop, s->fd);
        s->flags &= ~S_WRITING;
    }
}

/* A line nobody is in lets go of its spare waiters: an object that is
 * closed will not be waited on again, and a spare holds a future (and so
 * the loop's memory) alive. asyncio's Server drops its waiters at close
 * the same way. */
static void drop_spares(co__waitq *q)
{
    if (q->len == 0)
        co__waitq_clear(q);
}

static void wake_all(co_stream *s)
{
    co__waitq_wake_some(&s->rwait, (size_t)-1);
    co__waitq_wake_some(&s->wwait, (size_t)-1);
}

/* Closes the socket now: watches off, TLS freed, queued bytes dropped. */
static void close_fd(co_stream *s)
{
    if (s->fd >= 0) {
        watch_read(s, false);
        watch_write(s, false);
        close(s->fd);
        s->fd = -1;
    }
    co__tls_conn_free(s->tls);
    s->tls = NULL;
    s->flags |= S_CLOSED | S_EOF | S_CLOSING;
    s->flags &= ~(S_READING | S_WRITING);
    s->wpos = s->wlen = 0;
    wake_all(s);
    co__waitq_wake_some(&s->cwait, (size_t)-1);
}

/* The connection is lost with @p code: everything stops, waiters wake. */
static void lose(co_stream *s, int code)
{
    if (!s->err)
        s->err = code;
    close_fd(s);
}

/* As lose(), for a failure of a TLS call, whose reason is kept so that the
 * read or drain that reports it can say it ("tlsv13 alert certificate
 * required"). */
static void lose_tls(co_stream *s, int code)
{
    if (!s->err)
        snprintf(s->why, sizeof s->why, "%s", co_tls_last_error());
    lose(s, code);
}

/* The sentence for a failure of the connection: TLS's reason if it has
 * one, else @p fallback. */
static const char *lost_why(const co_stream *s, const char *fallback)
{
    return s->why[0] ? s->why : fallback;
}

/* ---- reading --------------------------------------------------------------- */

/* Room for @p want more bytes after the @p len bytes at *buf + *pos, a
 * buffer of *cap bytes (the reading or the writing one): the bytes move to
 * the front, and the buffer doubles until they fit. */
static int buf_reserve(unsigned char **buf, size_t *pos, size_t len,
                       size_t *cap, size_t want)
{
    if (*cap - *pos - len >= want)
        return 0;
    if (*pos > 0) {
        memmove(*buf, *buf + *pos, len);
        *pos = 0;
        if (*cap - len >= want)
            return 0;
    }
    size_t c = *cap ? *cap : 4096;
    while (c - len < want) {
        if (c > ((size_t)-1) / 2)
            return CO_ENOMEM;
        c *= 2;
    }
    unsigned char *b = realloc(*buf, c);
    if (!b)
        return CO_ENOMEM;
    *buf = b;
    *cap = c;
    return 0;
}

static int rbuf_reserve(co_stream *s, size_t want)
{
    return buf_reserve(&s->rbuf, &s->rpos, s->rlen, &s->rcap, want);
}

/* How much one readiness event reads at most (asyncio's max_size is
 * 256 KiB; 64 KiB keeps a stream's buffer near its limit). */
#define READ_CHUNK (64 * 1024)

static void try_write(co_stream *s);
static bool tls_read_pending(co_stream *s);

/* One read from the socket into the buffer. */
static void read_some(co_stream *s)
{
    if (s->fd < 0 || (s->flags & S_EOF))
        return;
    size_t chunk = READ_CHUNK;
    if (rbuf_reserve(s, chunk) < 0) {
        lose(s, CO_ENOMEM);
        return;
    }
    unsigned char *at = s->rbuf + s->rpos + s->rlen;
    size_t room = s->rcap - s->rpos - s->rlen;
    ssize_t n;
    if (s->tls) {
        s->flags &= ~S_RWANTW;
        n = co__tls_read(s->tls, at, room);
        if (n == -CO__TLS_WANT_READ)
            return;
        if (n == -CO__TLS_WANT_WRITE) {
            s->flags |= S_RWANTW;
            watch_write(s, true);
            return;
        }
        if (n < 0) {
            lose_tls(s, (int)n);
            return;
        }
    } else {
        n = recv(s->fd, at, room, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            lose(s, code_of_errno(errno));
            return;
        }
    }
    if (n == 0) {
        s->flags |= S_EOF;
        watch_read(s, false);
        /* A peer that closed will never take the rest of a write either
         * after a TLS close; for plain TCP the half-open socket may still
         * send, so only the reading side ends. */
    } else {
        s->rlen += (size_t)n;
        /* pause_reading once the buffer is over twice the limit. */
        if (s->rlen > 2 * s->limit)
            watch_read(s, false);
    }
    co__waitq_wake_next(&s->rwait);
}

static void on_readable(int fd, int status, void *arg)
{
    (void)fd;
    co_stream *s = arg;
    if (status < 0) {
        s->flags &= ~S_READING;
        lose(s, status);
        return;
    }
    read_some(s);
    /* TLS: a write that waited for the socket to be readable. */
    if ((s->flags & S_WWANTR) && s->fd >= 0)
        try_write(s);
    /* TLS can hold decrypted bytes the socket will not signal again. */
    tls_read_pending(s);
}

/* TLS: OpenSSL may hold decrypted bytes that arrived with an earlier
 * record while reading was paused; the socket will not signal them again,
 * so they are read now. True if something happened (bytes, EOF, a loss). */
static bool tls_read_pending(co_stream *s)
{
    bool any = false;
    while (s->tls && s->fd >= 0 && (s->flags & S_READING) &&
           !(s->flags & S_EOF) && co__tls_pending(s->tls) > 0) {
        read_some(s);
        any = true;
    }
    return any;
}

/* Reading may go on again (after a read consumed bytes, or a reader waits). */
static void resume_reading(co_stream *s)
{
    if (!(s->flags & (S_EOF | S_CLOSED)) && s->rlen <= s->limit) {
        watch_read(s, true);
        tls_read_pending(s);
    }
}

static void consume(co_stream *s, size_t n)
{
    s->rpos += n;
    s->rlen -= n;
    if (s->rlen == 0)
        s->rpos = 0;
    if (!(s->flags & S_READING))
        resume_reading(s);
}

/* ---- writing --------------------------------------------------------------- */

static ssize_t send_some(co_stream *s, const void *buf, size_t n)
{
    if (s->tls) {
        s->flags &= ~S_WWANTR;
        ssize_t r = co__tls_write(s->tls, buf, n);
        if (r == -CO__TLS_WANT_READ) {
            s->flags |= S_WWANTR;
            watch_read(s, true);
            return 0;
        }
        if (r == -CO__TLS_WANT_WRITE)
            return 0;
        return r;
    }
    ssize_t r = send(s->fd, buf, n, MSG_NOSIGNAL);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return 0;
        return code_of_errno(errno);
    }
    return r;
}

/* What happens once the queue is empty: a pending close or write_eof. */
static void flushed(co_stream *s)
{
    watch_write(s, false);
    if (s->flags & S_CLOSING) {
        if (s->tls)
            co__tls_shutdown(s->tls);
        close_fd(s);
        return;
    }
    if ((s->flags & S_WREOF) && !(s->flags & S_SHUTWR)) {
        shutdown(s->fd, SHUT_WR);
        s->flags |= S_SHUTWR;
    }
}

/* Sends what is queued; wakes a drain once at or below the low mark. */
static void try_write(co_stream *s)
{
    while (s->wlen > 0 && s->fd >= 0) {
        ssize_t r = send_some(s, s->wbuf + s->wpos, s->wlen);
        if (r < 0) {
            if (s->tls)
                lose_tls(s, (int)r);
            else
                lose(s, (int)r);
            return;
        }
        if (r == 0)
            break;
        s->wpos += (size_t)r;
        s->wlen -= (size_t)r;
    }
    if (s->fd < 0)
        return;
    if (s->wlen == 0) {
        s->wpos = 0;
        flushed(s);
    } else if (!(s->flags & S_WWANTR)) {
        watch_write(s, true);
    } else if (!(s->flags & S_RWANTW)) {
        watch_write(s, false); /* TLS waits to read first: no spinning */
    }
    if (s->wlen <= s->low)
        co__waitq_wake_next(&s->wwait);
}

static void on_writable(int fd, int status, void *arg)
{
    (void)fd;
    co_stream *s = arg;
    if (status < 0) {
        s->flags &= ~S_WRITING;
        lose(s, status);
        return;
    }
    if (s->flags & S_RWANTW) {
        read_some(s);
        if (s->fd < 0)
            return;
        if (s->wlen == 0 && !(s->flags & S_RWANTW))
            watch_write(s, false);
    }
    if (s->wlen > 0)
        try_write(s);
}

static int wbuf_reserve(co_stream *s, size_t len)
{
    return buf_reserve(&s->wbuf, &s->wpos, s->wlen, &s->wcap, len);
}

static int wbuf_append(co_stream *s, const void *data, size_t len)
{
    int rc = wbuf_reserve(s, len);
    if (rc < 0)
        return rc;
    memcpy(s->wbuf + s->wpos + s->wlen, data, len);
    s->wlen += len;
    return 0;
}

static int write_check(const co_stream *s)
{
    if (s->err)
        return s->err;
    if (s->flags & (S_CLOSING | S_WREOF | S_CLOSED))
        return CO_ESTREAMCLOSED;
    return 0;
}

int co_stream_write(co_stream *s, const void *data, size_t len)
{
    if (!s || (!data && len > 0))
        return CO_EINVAL;
    int rc = write_check(s);
    if (rc < 0 || len == 0)
        return rc;
    const unsigned char *p = data;
    if (s->wlen == 0) {
        /* Nothing queued before: try the socket at once (asyncio's write). */
        ssize_t r = send_some(s, p, len);
        if (r < 0) {
            if (s->tls)
                lose_tls(s, (int)r);
            else
                lose(s, (int)r);
            return s->err;
        }
        p += r;
        len -= (size_t)r;
        if (len == 0)
            return 0;
    }
    rc = wbuf_append(s, p, len);
    if (rc < 0)
        return rc;
    if (!(s->flags & S_WWANTR))
        watch_write(s, true);
    return 0;
}

/* writelines is all or nothing, as one write() of the joined bytes would
 * be: room for every byte is made before any is sent or queued, so the
 * only failure once something went out is the connection's own (and then
 * the queue is gone with it). */
int co_stream_writelines(co_stream *s, const struct iovec *iov, int n)
{
    if (!s || n < 0 || (!iov && n > 0))
        return CO_EINVAL;
    int rc = write_check(s);
    if (rc < 0)
        return rc;
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        if (!iov[i].iov_base && iov[i].iov_len > 0)
            return CO_EINVAL;
        if (iov[i].iov_len > ((size_t)-1) - total)
            return CO_ENOMEM; /* more bytes than memory can hold */
        total += iov[i].iov_len;
    }
    if (total == 0)
        return 0;
    rc = wbuf_reserve(s, total);
    if (rc < 0)
        return rc;
    size_t skip = 0;
    if (s->wlen == 0 && !s->tls) {
        /* One sendmsg for all of them, then queue what is left. */
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = (struct iovec *)(uintptr_t)iov;
        /* sendmsg takes at most IOV_MAX buffers (EMSGSIZE beyond): the
         * ones past it are queued with the rest. */
        mh.msg_iovlen = (size_t)(n < CO__IOV_MAX ? n : CO__IOV_MAX);
        ssize_t r = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                lose(s, code_of_errno(errno));
                return s->err;
            }
            r = 0;
        }
        skip = (size_t)r;
    }
    /* TLS joins the buffers and writes them as one (fewer, fuller
     * records); a plain stream queues what sendmsg did not take. */
    bool was_empty = s->wlen == 0;
    for (int i = 0; i < n; i++) {
        size_t l = iov[i].iov_len;
        if (skip >= l) {
            skip -= l;
            continue;
        }
        memcpy(s->wbuf + s->wpos + s->wlen,
               (const char *)iov[i].iov_base + skip, l - skip);
        s->wlen += l - skip;
        skip = 0;
    }
    if (s->tls && was_empty && s->wlen > 0) {
        try_write(s);
        return s->err;
    }
    if (s->wlen > 0 && !(s->flags & S_WWANTR))
        watch_write(s, true);
    return 0;
}

int co_stream_write_eof(co_stream *s)
{
    if (!s || s->tls)
        return CO_EINVAL;
    if (s->flags & (S_CLOSING | S_CLOSED))
        return CO_ESTREAMCLOSED;
    s->flags |= S_WREOF;
    if (s->wlen == 0)
        flushed(s);
    return 0;
}

void co_stream_close(co_stream *s)
{
    if (!s || (s->flags & S_CLOSING))
        return;
    s->flags |= S_CLOSING | S_EOF;
    watch_read(s, false);
    co__waitq_wake_some(&s->rwait, (size_t)-1);
    if (s->wlen == 0 || s->fd < 0)
        flushed(s);
    co__waitq_wake_some(&s->wwait, (size_t)-1);
}

bool co_stream_is_closing(const co_stream *s)
{
    return !s || (s->flags & (S_CLOSING | S_CLOSED)) != 0;
}

/* ---- making and freeing ---------------------------------------------------- */

static void unlink_stream(co_stream *s)
{
    stream_side *side = side_find(s->loop);
    if (side)
        list_remove(&side->streams, &s->node);
}

static void apply_limits(co_stream *s, const co_stream_opts *opts)
{
    s->limit = opts && opts->limit ? opts->limit : CO_STREAM_DEFAULT_LIMIT;
    co_stream_set_write_buffer_limits(s, opts ? opts->high_water : 0,
                                      opts ? opts->low_water : 0);
}

/* A stream around connected socket @p fd (already non-blocking); the
 * reader watch is started. On failure the fd is still the caller's. */
static int stream_new(co_loop *loop, int fd, const co_stream_opts *opts,
                      co__tls *tls, co_stream **out)
{
    *out = NULL;
    if (co_loop_is_closed(loop))
        return CO_ECLOSED;
    stream_side *side = side_of(loop);
    if (!side)
        return CO_ENOMEM;
    co_stream *s = calloc(1, sizeof *s);
    if (!s)
        return CO_ENOMEM;
    s->loop = loop;
    s->fd = fd;
    s->tls = tls;
    apply_limits(s, opts);
    int rc = co_loop_add_reader(loop, fd, on_readable, s);
    if (rc < 0) {
        free(s);
        return rc;
    }
    s->flags |= S_READING;
    list_push(&side->streams, &s->node);
    if (loop->probe) { /* debug mode: a stream must be freed before its loop */
        char peer[64];
        if (co_stream_peername_str(s, peer, sizeof peer) < 0)
            snprintf(peer, sizeof peer, "?");
        snprintf(s->what, sizeof s->what, "to %s", peer);
        co__resource_open(loop, &s->open_on, "stream", s->what);
    }
    *out = s;
    /* OpenSSL may already hold application data read with the handshake. */
    if (tls && co__tls_pending(tls) > 0)
        read_some(s);
    return 0;
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return CO_ESYS;
    int fdfl = fcntl(fd, F_GETFD);
    if (fdfl >= 0)
        fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC);
    return 0;
}

static void set_nodelay(int fd)
{
    /* As asyncio does for TCP: small writes go out at once. Fails
     * harmlessly on unix sockets. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int co_stream_from_fd(co_loop *loop, int fd, const co_stream_opts *opts,
                      co_stream **out)
{
    if (out)
        *out = NULL;
    if (!loop || fd < 0 || !out || (opts && opts->tls))
        return CO_EINVAL;
    if (fcntl(fd, F_GETFD) < 0)
        return CO_EBADF;
    int rc = set_nonblocking(fd);
    if (rc < 0)
        return rc;
    return stream_new(loop, fd, opts, NULL, out);
}

static bool stream_busy(const co_stream *s)
{
    return s->loop && (co__waitq_busy(&s->rwait) || co__waitq_busy(&s->wwait) ||
                       co__waitq_busy(&s->cwait));
}

/* Frees a stream whatever it belongs to. */
static void stream_destroy(co_stream *s)
{
    co__resource_close(&s->open_on);
    close_fd(s);
    unlink_stream(s);
    co__waitq_clear(&s->rwait);
    co__waitq_clear(&s->wwait);
    co__waitq_clear(&s->cwait);
    free(s->rbuf);
    free(s->wbuf);
    free(s);
}

int co_stream_free(co_stream *s)
{
    if (!s)
        return 0;
    if (s->flags & S_SERVER)
        return CO_EINVAL;
    if (stream_busy(s))
        return CO_EBUSY;
    stream_destroy(s);
    return 0;
}

bool co_stream_at_eof(const co_stream *s)
{
    return !s || ((s->flags & S_EOF) && s->rlen == 0);
}

size_t co_stream_buffered(const co_stream *s)
{
    return s ? s->rlen : 0;
}

size_t co_stream_write_buffer_size(const co_stream *s)
{
    return s ? s->wlen : 0;
}

int co_stream_set_write_buffer_limits(co_stream *s, size_t high, size_t low)
{
    if (!s)
        return CO_EINVAL;
    if (high == 0)
        high = CO_STREAM_DEFAULT_HIGH_WATER;
    if (low == 0)
        low = high / 4 < CO_STREAM_DEFAULT_LOW_WATER ? high / 4
                                                     : CO_STREAM_DEFAULT_LOW_WATER;
    if (low > high)
        return CO_EINVAL;
    s->high = high;
    s->low = low;
    return 0;
}

int co_stream_error(const co_stream *s)
{
    return s ? s->err : CO_EINVAL;
}

int co_stream_fileno(const co_stream *s)
{
    return s ? s->fd : -1;
}

co_loop *co_stream_loop(const co_stream *s)
{
    return s ? s->loop : NULL;
}

bool co_stream_is_tls(const co_stream *s)
{
    return s && s->tls;
}

static int name_of(const co_stream *s, struct sockaddr_storage *addr,
                   socklen_t *len, bool peer)
{
    if (!s || !addr || !len)
        return CO_EINVAL;
    if (s->fd < 0)
        return CO_ESTREAMCLOSED;
    socklen_t l = *len;
    int r = peer ? getpeername(s->fd, (struct sockaddr *)addr, &l)
                 : getsockname(s->fd, (struct sockaddr *)addr, &l);
    if (r < 0)
        return errno == ENOTCONN ? CO_ECONNRESET : CO_ESYS;
    *len = l;
    return 0;
}

int co_stream_peername(const co_stream *s, struct sockaddr_storage *addr,
                       socklen_t *len)
{
    return name_of(s, addr, len, true);
}

int co_stream_sockname(const co_stream *s, struct sockaddr_storage *addr,
                       socklen_t *len)
{
    return name_of(s, addr, len, false);
}

/* "host:port", "[v6]:port" or a unix path, into buf. */
static void format_addr(const struct sockaddr_storage *a, socklen_t len,
                        char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "";
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)a;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
    } else if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)a;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else if (a->ss_family == AF_UNIX) {
        const struct sockaddr_un *un = (const void *)a;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t n = len > off ? len - off : 0;
        if (n > sizeof un->sun_path)
            n = sizeof un->sun_path;
        snprintf(buf, size, "%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
    } else {
        snprintf(buf, size, "?");
    }
}

int co_stream_peername_str(const co_stream *s, char *buf, size_t size)
{
    if (!buf || size == 0)
        return CO_EINVAL;
    buf[0] = '\0';
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    int rc = co_stream_peername(s, &a, &len);
    if (rc == 0)
        format_addr(&a, len, buf, size);
    return rc;
}

/* ---- the read and drain waits ---------------------------------------------- */

enum { OP_READ = 1, OP_EXACTLY, OP_UNTIL, OP_LINE, OP_DRAIN, OP_CLOSED };

/* Tries to finish a read op with what is buffered. Returns 1 when done
 * (op->n set), 0 when it must wait, or a negative failure. */
static int read_try(co_stream_op *op, const char **why)
{
    co_stream *s = op->stream;
    *why = NULL;
    switch (op->kind) {
    case OP_READ:
        if (op->cap == 0)
            return 1;
        if (s->rlen > 0) {
            size_t n = s->rlen < op->cap ? s->rlen : op->cap;
            memcpy(op->buf, s->rbuf + s->rpos, n);
            op->n = n;
            consume(s, n);
            return 1;
        }
        if (s->flags & S_EOF) {
            *why = lost_why(s, NULL);
            return s->err && s->err != CO_ESTREAMCLOSED ? s->err : 1;
        }
        return 0;
    case OP_EXACTLY:
        if (s->rlen >= op->cap) {
            memcpy(op->buf, s->rbuf + s->rpos, op->cap);
            op->n = op->cap;
            consume(s, op->cap);
            return 1;
        }
        if (s->flags & S_EOF) {
            memcpy(op->buf, s->rbuf + s->rpos, s->rlen);
            op->n = s->rlen;
            consume(s, s->rlen);
            *why = s->err ? lost_why(s, NULL)
                          : "readexactly: the stream ended before the bytes "
                            "asked for arrived";
            return s->err ? s->err : CO_EINCOMPLETE;
        }
        return 0;
    default: { /* OP_UNTIL, OP_LINE */
        /* asyncio's rule: the separator may start at most `limit` bytes
         * in (so a line is up to limit + seplen bytes), and a buffer with
         * no separator fails once the separator could no longer start
         * within the limit. The caller's buffer bounds it too. */
        const unsigned char *b = s->rbuf + s->rpos;
        const unsigned char *hit =
            s->rlen >= op->seplen ? memmem(b, s->rlen, op->sep, op->seplen)
                                  : NULL;
        if (hit) {
            size_t n = (size_t)(hit - b) + op->seplen;
            if ((size_t)(hit - b) > s->limit || n > op->cap) {
                if (op->kind == OP_LINE)
                    consume(s, n);
                *why = "line too long: the separator was found, but beyond "
                       "the limit";
                return CO_ELIMIT;
            }
            memcpy(op->buf, b, n);
            op->n = n;
            consume(s, n);
            return 1;
        }
        if (s->rlen + 1 > s->limit + op->seplen || s->rlen >= op->cap) {
            if (op->kind == OP_LINE)
                consume(s, s->rlen);
            *why = "line too long: no separator found within the limit";
            return CO_ELIMIT;
        }
        if (s->flags & S_EOF) {
            memcpy(op->buf, b, s->rlen);
            op->n = s->rlen;
            consume(s, s->rlen);
            if (op->kind == OP_LINE) {
                *why = lost_why(s, NULL);
                return s->err && op->n == 0 ? s->err : 1;
            }
            *why = s->err ? lost_why(s, NULL)
                          : "readuntil: the stream ended before the separator "
                            "arrived";
            return s->err ? s->err : CO_EINCOMPLETE;
        }
        return 0;
    }
    }
}

static int read_step(co_coro *co)
{
    co_stream_op *op = (co_stream_op *)co;
    co_stream *s = op->stream;
    const char *why;
    int rc;
    CO_BEGIN(co);
    if (!s || (!op->buf && op->cap > 0))
        CO_RAISE(co, CO_EINVAL, "stream read: NULL stream or buffer");
    if ((op->kind == OP_UNTIL || op->kind == OP_LINE) &&
        (!op->sep || op->seplen == 0))
        CO_RAISE(co, CO_EINVAL, "readuntil: empty separator");
    if (s->flags & S_RBUSY)
        CO_RAISE(co, CO_EFDBUSY, "another read is already waiting on this "
                                 "stream: one read at a time");
    for (;;) {
        rc = read_try(op, &why);
        if (rc == 1)
            CO_RETURN(co, (long long)op->n);
        if (rc < 0)
            CO_RAISE(co, rc, why);
        if (!s->loop)
            CO_RAISE(co, CO_ECLOSED, NULL);
        /* A reader waits: reading goes on, beyond the limit if it must
         * (readexactly of more than twice the limit). */
        if (!(s->flags & (S_EOF | S_CLOSED)))
            watch_read(s, true);
        if (tls_read_pending(s))
            continue;
        rc = co__waitq_wait(&s->rwait, &op->waiter);
        if (rc < 0)
            CO_RAISE(co, rc, NULL);
        s->flags |= S_RBUSY;
        CO_AWAIT_CATCH(co, op->waiter, op->caught);
        s = op->stream;
        s->flags &= ~S_RBUSY;
        co__waitq_remove(&s->rwait, op->waiter);
        op->waiter = NULL;
        if (op->caught)
            CO_RAISE(co, op->caught, co_caught_message());
    }
    CO_END(co);
}

static int drain_step(co_coro *co)
{
    co_stream_op *op = (co_stream_op *)co;
    co_stream *s = op->stream;
    int rc;
    CO_BEGIN(co);
    if (!s)
        CO_RAISE(co, CO_EINVAL, "drain: NULL stream");
    if (s->flags & S_WBUSY)
        CO_RAISE(co, CO_EFDBUSY, "another drain is already waiting on this "
                                 "stream: one drain at a time");
    if (s->err)
        CO_RAISE(co, s->err, lost_why(s, "drain: the connection is lost"));
    if (s->wlen <= s->high || s->fd < 0)
        CO_RETURN(co, 0);
    for (;;) {
        if (!s->loop)
            CO_RAISE(co, CO_ECLOSED, NULL);
        rc = co__waitq_wait(&s->wwait, &op->waiter);
        if (rc < 0)
            CO_RAISE(co, rc, NULL);
        s->flags |= S_WBUSY;
        CO_AWAIT_CATCH(co, op->waiter, op->caught);
        s = op->stream;
        s->flags &= ~S_WBUSY;
        co__waitq_remove(&s->wwait, op->waiter);
        op->waiter = NULL;
        if (op->caught)
            CO_RAISE(co, op->caught, co_caught_message());
        if (s->err)
            CO_RAISE(co, s->err, lost_why(s, "drain: the connection is lost"));
        if (s->wlen <= s->low || s->fd < 0)
            CO_RETURN(co, 0);
    }
    CO_END(co);
}

static int closed_step(co_coro *co)
{
    co_stream_op *op = (co_stream_op *)co;
    co_stream *s = op->stream;
    int rc;
    CO_BEGIN(co);
    if (!s)
        CO_RAISE(co, CO_EINVAL, "wait_closed: NULL stream");
    while (!(s->flags & S_CLOSED)) {
        if (!s->loop)
            CO_RETURN(co, 0);
        rc = co__waitq_wait(&s->cwait, &op->waiter);
        if (rc < 0)
            CO_RAISE(co, rc, NULL);
        CO_AWAIT_CATCH(co, op->waiter, op->caught);
        s = op->stream;
        co__waitq_remove(&s->cwait, op->waiter);
        op->waiter = NULL;
        if (op->caught)
            CO_RAISE(co, op->caught, co_caught_message());
    }
    drop_spares(&s->rwait);
    drop_spares(&s->wwait);
    drop_spares(&s->cwait);
    CO_RETURN(co, 0);
    CO_END(co);
}

static int op_start(co_stream_op *op, co_coro_fn fn, int kind, co_stream *s,
                    void *buf, size_t cap, const void *sep, size_t seplen)
{
    if (!op)
        return CO_EINVAL;
    co_coro_init(&op->co, fn);
    op->stream = s;
    op->buf = buf;
    op->cap = cap;
    op->sep = sep;
    op->seplen = seplen;
    op->n = 0;
    op->waiter = NULL;
    op->kind = kind;
    op->caught = 0;
    return 0;
}

int co_stream_read_op(co_stream_op *op, co_stream *s, void *buf, size_t n)
{
    return op_start(op, read_step, OP_READ, s, buf, n, NULL, 0);
}

int co_stream_readexactly_op(co_stream_op *op, co_stream *s, void *buf,
                             size_t n)
{
    return op_start(op, read_step, OP_EXACTLY, s, buf, n, NULL, 0);
}

int co_stream_readuntil_op(co_stream_op *op, co_stream *s, void *buf,
                           size_t cap, const void *sep, size_t seplen)
{
    return op_start(op, read_step, OP_UNTIL, s, buf, cap, sep, seplen);
}

int co_stream_readline_op(co_stream_op *op, co_stream *s, void *buf,
                          size_t cap)
{
    return op_start(op, read_step, OP_LINE, s, buf, cap, "\n", 1);
}

int co_stream_drain_op(co_stream_op *op, co_stream *s)
{
    return op_start(op, drain_step, OP_DRAIN, s, NULL, 0, NULL, 0);
}

int co_stream_wait_closed_op(co_stream_op *op, co_stream *s)
{
    return op_start(op, closed_step, OP_CLOSED, s, NULL, 0, NULL, 0);
}

/* ---- open_connection --------------------------------------------------------- */

/* A name lookup on a worker thread. Both the job and the connect hold a
 * reference: a connect cancelled while the lookup runs lets go of its
 * own, and the job's is dropped once the job has ended or was cancelled
 * before it started (a done-callback of its concurrent future), so the
 * thread never finds its memory gone and nothing is left behind. */
typedef struct resolve_req {
    atomic_int refs;         /* 2 while both hold it */
    char *host;              /* the name */
    char port[8];            /* the port, as text */
    int family;              /* AF_UNSPEC, AF_INET, AF_INET6 */
    struct addrinfo *res;    /* the addresses found */
    int gai;                 /* getaddrinfo's result */
} resolve_req;

static void resolve_unref(resolve_req *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
        if (r->res)
            freeaddrinfo(r->res);
        free(r->host);
        free(r);
    }
}

static long long resolve_job(void *arg)
{
    resolve_req *r = arg;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = r->family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_ADDRCONFIG;
    r->gai = getaddrinfo(r->host, r->port, &hints, &r->res);
    return 0;
}

/* The job has ended, or will never start: its reference goes. */
static void resolve_job_over(co_cfuture *cf, void *arg)
{
    (void)cf;
    resolve_unref(arg);
}

/* run_in_executor(None, resolve_job, r), but with the job's reference
 * dropped by a done-callback of the concurrent future, which runs whether
 * the job ran or was cancelled while queued (the loop future alone cannot
 * tell which). */
static int resolve_submit(co_loop *loop, resolve_req *r, co_future **out)
{
    co_executor **slot = co__default_executor(loop);
    if (!slot)
        return CO_ENOMEM;
    if (!*slot) {
        co_executor *ex;
        int rc = co_executor_new(&ex, 0);
        if (rc < 0)
            return rc;
        rc = co_loop_set_default_executor(loop, ex);
        if (rc < 0) {
            co_executor_free(ex);
            return rc;
        }
    }
    co_cfuture *cf;
    int rc = co_executor_submit(*slot, resolve_job, r, &cf);
    if (rc < 0)
        return rc;
    atomic_fetch_add(&r->refs, 1); /* the job's */
    if (co_cfuture_add_done_callback(cf, resolve_job_over, r) < 0) {
        /* Out of memory: wait for the job here (a lookup is short) so the
         * reference is not left to nobody. */
        long long ignored;
        co_cfuture_cancel(cf);
        co_cfuture_result_int(cf, -1, &ignored);
        resolve_unref(r);
        co_cfuture_unref(cf);
        return CO_ENOMEM;
    }
    rc = co_wrap_future(loop, cf, out);
    if (rc < 0)
        co_cfuture_cancel(cf);
    co_cfuture_unref(cf);
    return rc;
}

/* The state of one connect. */
struct co__connect {
    co_loop *loop;           /* where */
    char *host;              /* the host name (NULL: unix) */
    char *path;              /* the unix socket path */
    int port;                /* the port */
    co_stream_opts opts;     /* copied; server_hostname points at sni */
    char *sni;               /* owned copy of the TLS name */
    resolve_req *req;        /* the lookup (a reference) */
    co_future *lookup;       /* its run_in_executor future */
    struct addrinfo *addrs;  /* the addresses to try (from a numeric lookup) */
    struct addrinfo *cur;    /* the one being tried */
    int fd;                  /* the socket being connected, or -1 */
    co__tls *tls;            /* its TLS, during the handshake */
    co_task *task;           /* the task running the connect (for timeouts) */
    co_timer timer;          /* the connect timeout */
    bool timed_out;          /* the timer fired */
    int err;                 /* the last failure */
    char msg[512];           /* its sentence */
};

static void connect_timeout(void *arg)
{
    struct co__connect *st = arg;
    st->timed_out = true;
    /* As asyncio.timeout() does: cancel the task at its await, and turn
     * the cancellation into a timeout when it arrives. */
    if (st->task)
        co_task_cancel(st->task);
}

static void connect_free(struct co__connect *st)
{
    if (!st)
        return;
    co_timer_cancel(&st->timer);
    if (st->lookup) {
        co_future_cancel(st->lookup);
        co_future_unref(st->lookup);
    }
    resolve_unref(st->req);
    if (st->addrs)
        freeaddrinfo(st->addrs);
    co__tls_conn_free(st->tls);
    if (st->fd >= 0)
        close(st->fd);
    if (st->task)
        co_task_unref(st->task);
    free(st->host);
    free(st->path);
    free(st->sni);
    free(st);
}

static const char *where_of(struct co__connect *st, char *buf, size_t size)
{
    if (st->path)
        snprintf(buf, size, "unix socket %s", st->path);
    else
        snprintf(buf, size, "%s port %d", st->host, st->port);
    return buf;
}

static void fail_with(struct co__connect *st, int code, const char *cause)
{
    char w[300];
    st->err = code;
    snprintf(st->msg, sizeof st->msg, "cannot connect to %s: %s",
             where_of(st, w, sizeof w), cause);
}

/* Starts a non-blocking connect to st->cur. 1: connected at once, 0: in
 * progress (wait for writable), or a negative failure (st->msg set). */
static int connect_start(struct co__connect *st, const struct sockaddr *sa,
                         socklen_t len, int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail_with(st, code_of_errno(errno), strerror(errno));
        return st->err;
    }
    if (family != AF_UNIX)
        set_nodelay(fd);
    st->fd = fd;
    if (connect(fd, sa, len) == 0)
        return 1;
    if (errno == EINPROGRESS || errno == EAGAIN)
        return 0;
    int e = errno;
    close(fd);
    st->fd = -1;
    fail_with(st, code_of_errno(e), strerror(e));
    return st->err;
}

/* After writability: did the connect work? 1 yes, or a negative failure. */
static int connect_result(struct co__connect *st)
{
    int e = 0;
    socklen_t l = sizeof e;
    if (getsockopt(st->fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
        e = errno;
    if (e == 0)
        return 1;
    close(st->fd);
    st->fd = -1;
    fail_with(st, code_of_errno(e), strerror(e));
    return st->err;
}

static int connect_step(co_coro *co)
{
    co_connect_op *op = (co_connect_op *)co;
    struct co__connect *st = op->st;
    int rc;
    long long ignored;
    co_stream *s;
    CO_BEGIN(co);
    if (!st)
        CO_RAISE(co, op->caught ? op->caught : CO_ENOMEM,
                 op->caught == CO_EINVAL ? "open_connection: NULL loop or "
                                           "host, or a port outside 0..65535"
                                         : NULL);
    if (co_loop_is_closed(st->loop))
        CO_RAISE(co, CO_ECLOSED, NULL);
    st->task = co_current_task(st->loop);
    if (!st->task)
        CO_RAISE(co, CO_ENOTASK, NULL);
    co_task_ref(st->task);
    if (st->opts.tls && !co_tls_available())
        CO_RAISE(co, CO_ENOTLS, NULL);
    if (st->opts.connect_timeout > 0)
        co_loop_call_later(st->loop, st->opts.connect_timeout,
                           connect_timeout, st, &st->timer);

    if (st->path) {
        struct sockaddr_un un;
        memset(&un, 0, sizeof un);
        un.sun_family = AF_UNIX;
        if (strlen(st->path) >= sizeof un.sun_path)
            CO_RAISE(co, CO_EINVAL, "open_unix_connection: the path is too "
                                    "long for a unix socket address");
        memcpy(un.sun_path, st->path, strlen(st->path) + 1);
        rc = connect_start(st, (struct sockaddr *)&un, sizeof un, AF_UNIX);
        if (rc < 0)
            goto failed;
        if (rc == 0) {
            CO_AWAIT_WRITABLE(co, st->fd);
            rc = connect_result(st);
            if (rc < 0)
                goto failed;
        }
        goto connected;
    }

    /* A numeric address needs no lookup (asyncio skips getaddrinfo for
     * those too); a name goes to a worker thread. */
    {
        struct addrinfo hints;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = st->opts.family;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_protocol = IPPROTO_TCP;
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        char port[8];
        snprintf(port, sizeof port, "%d", st->port);
        if (getaddrinfo(st->host, port, &hints, &st->addrs) != 0)
            st->addrs = NULL;
    }
    if (!st->addrs) {
        st->req = calloc(1, sizeof *st->req);
        if (!st->req || !(st->req->host = co__strdup(st->host)))
            CO_RAISE(co, CO_ENOMEM, NULL);
        atomic_init(&st->req->refs, 1);
        snprintf(st->req->port, sizeof st->req->port, "%d", st->port);
        st->req->family = st->opts.family;
        rc = resolve_submit(st->loop, st->req, &st->lookup);
        if (rc < 0)
            CO_RAISE(co, rc, "open_connection: the name lookup could not "
                             "be started");
        CO_AWAIT(co, st->lookup);
        (void)co_future_result_int(st->lookup, &ignored);
        co_future_unref(st->lookup);
        st->lookup = NULL;
        if (st->req->gai != 0) {
            int gai = st->req->gai;
            fail_with(st,
                      gai == EAI_MEMORY ? CO_ENOMEM
                      : gai == EAI_SYSTEM ? CO_ESYS
                                          : CO_ENONAME,
                      gai_strerror(gai));
            goto failed;
        }
        st->addrs = st->req->res; /* moved over */
        st->req->res = NULL;
    }

    for (st->cur = st->addrs; st->cur; st->cur = st->cur->ai_next) {
        rc = connect_start(st, st->cur->ai_addr, st->cur->ai_addrlen,
                           st->cur->ai_family);
        if (rc < 0)
            continue;
        if (rc == 0) {
            CO_AWAIT_WRITABLE(co, st->fd);
            rc = connect_result(st);
            if (rc < 0)
                continue;
        }
        break;
    }
    if (!st->cur)
        goto failed;

connected:
    if (st->opts.tls) {
        rc = co__tls_conn_new(st->opts.tls, st->fd, false,
                              st->sni ? st->sni : st->host, &st->tls);
        if (rc < 0) {
            fail_with(st, rc, co_tls_last_error());
            goto failed;
        }
        for (;;) {
            rc = co__tls_handshake(st->tls, st->msg, sizeof st->msg);
            if (rc == CO__TLS_DONE)
                break;
            if (rc < 0) {
                char m[sizeof st->msg];
                memcpy(m, st->msg, sizeof m);
                fail_with(st, rc, m);
                goto failed;
            }
            if (rc == CO__TLS_WANT_READ)
                CO_AWAIT_READABLE(co, st->fd);
            else
                CO_AWAIT_WRITABLE(co, st->fd);
        }
    }
    co_timer_cancel(&st->timer);
    rc = stream_new(st->loop, st->fd, &st->opts, st->tls, &s);
    if (rc < 0)
        CO_RAISE(co, rc, "open_connection: the stream could not be made");
    st->fd = -1;
    st->tls = NULL;
    op->stream = s;
    CO_RETURN_PTR(co, s);

failed:
    CO_RAISE(co, st->err ? st->err : CO_ESYS, st->msg);

    CO_FINALLY(co);
    st = op->st;
    op->st = NULL;
    if (st && co->err == CO_ECANCELLED && st->timed_out) {
        char w[300], m[400];
        snprintf(m, sizeof m, "cannot connect to %s: no connection within %g s",
                 where_of(st, w, sizeof w), st->opts.connect_timeout);
        connect_free(st);
        CO_RAISE(co, CO_ETIMEDOUT, m);
    }
    connect_free(st);
    CO_END(co);
}

static int connect_prepare(co_connect_op *op, co_loop *loop, const char *host,
                           const char *path, int port,
                           const co_stream_opts *opts)
{
    if (!op)
        return CO_EINVAL;
    co_coro_init(&op->co, connect_step);
    op->stream = NULL;
    op->st = NULL;
    op->caught = 0;
    if (!loop || (!host && !path) || port < 0 || port > 65535 ||
        (opts && opts->family != AF_UNSPEC && opts->family != AF_INET &&
         opts->family != AF_INET6)) {
        op->caught = CO_EINVAL;
        return 0;
    }
    struct co__connect *st = calloc(1, sizeof *st);
    if (!st) {
        op->caught = CO_ENOMEM;
        return 0;
    }
    st->loop = loop;
    st->fd = -1;
    st->port = port;
    if (opts)
        st->opts = *opts;
    st->opts.server_hostname = NULL;
    if ((host && !(st->host = co__strdup(host))) ||
        (path && !(st->path = co__strdup(path))) ||
        (opts && opts->server_hostname &&
         !(st->sni = co__strdup(opts->server_hostname)))) {
        connect_free(st);
        op->caught = CO_ENOMEM;
        return 0;
    }
    op->st = st;
    return 0;
}

int co_open_connection_op(co_connect_op *op, co_loop *loop, const char *host,
                          int port, const co_stream_opts *opts)
{
    return connect_prepare(op, loop, host ? host : NULL, NULL, port, opts);
}

int co_open_unix_connection_op(co_connect_op *op, co_loop *loop,
                               const char *path, const co_stream_opts *opts)
{
    if (op && !path) {
        co_coro_init(&op->co, connect_step);
        op->stream = NULL;
        op->st = NULL;
        op->caught = CO_EINVAL;
        return 0;
    }
    return connect_prepare(op, loop, NULL, path, 0, opts);
}

/* ---- start_server ------------------------------------------------------------ */

#define MAX_LISTEN 16 /* listening sockets per server (one per address) */

/* One client being served. Until its TLS handshake is done it has only an
 * fd; then a stream. Invariant: in its server's list while the server
 * lives; `task` is a reference to the task serving it. */
typedef struct co__client {
    list_node node;           /* the server's list; must stay first */
    co_server *srv;           /* the server */
    int fd;                   /* the socket until the stream takes it, or -1 */
    co_stream *s;             /* the stream, or NULL before it exists */
    co__tls *tls;             /* its TLS during the handshake, or NULL */
    co_coro *user;            /* the factory's frame, or NULL */
    co_task *task;            /* the task serving it (a reference) */
} co__client;

struct co_server {
    list_node node;           /* the loop's list; must stay first */
    co_loop *loop;            /* NULL once the loop closed */
    int fds[MAX_LISTEN];      /* listening sockets */
    int nfds;                 /* how many (0 once closed) */
    int port;                 /* the port of the first, or -1 (unix) */
    bool closed;              /* close() was called */
    char *unix_path;          /* a unix server's socket file */
    co_client_factory factory; /* makes each client's coroutine */
    void *arg;                /* its argument */
    co_stream_opts opts;      /* for every stream */
    list_node *clients;       /* clients being served (co__client) */
    size_t nclients;          /* how many */
    co__waitq waiters;        /* serve_forever and wait_closed */
    co_timer retry;           /* accepting again after EMFILE */
    co__resource open_on;     /* debug mode: "left open" at the loop's close */
    char what[40];            /* its name there: "on port 8080" */
};

static void accept_again(void *arg);

/* accept() failed for want of descriptors or memory: a listening socket
 * stays readable, so watching it would spin. Stop for a second, as
 * asyncio's accept loop does, and try again. */
static void accept_pause(co_server *srv)
{
    for (int i = 0; i < srv->nfds; i++)
        co_loop_remove_reader(srv->loop, srv->fds[i]);
    co_loop_call_later(srv->loop, 1.0, accept_again, srv, &srv->retry);
    co_loop_report(srv->loop, "start_server: accept() failed for want of "
                              "file descriptors or memory; accepting again "
                              "in 1 second");
}

static void client_free(co__client *c)
{
    co_server *srv = c->srv;
    list_remove(&srv->clients, &c->node);
    srv->nclients--;
    if (c->s) {
        c->s->flags &= ~S_SERVER;
        stream_destroy(c->s);
    }
    co__tls_conn_free(c->tls);
    if (c->fd >= 0)
        close(c->fd);
    co_coro_free(c->user);
    if (c->task)
        co_task_unref(c->task);
    free(c);
    if (srv->closed && srv->nclients == 0)
        co__waitq_wake_some(&srv->waiters, (size_t)-1);
}

/* The task of one client: the TLS handshake if any, then the factory's
 * coroutine, then the stream is closed and freed. */
typedef struct client_main {
    co_coro co;
    co__client *c;           /* the record (which holds all it owns) */
    co_stream_op op;         /* the final close's wait */
    int caught;              /* how the client's coroutine ended */
} client_main;

static int client_step(co_coro *co)
{
    client_main *m = (client_main *)co;
    co__client *c = m->c;
    int rc;
    char msg[512];
    CO_BEGIN(co);
    if (c->srv->opts.tls) {
        rc = co__tls_conn_new(c->srv->opts.tls, c->fd, true, NULL, &c->tls);
        if (rc < 0)
            CO_RETURN(co, rc);
        for (;;) {
            rc = co__tls_handshake(c->tls, msg, sizeof msg);
            if (rc < 0)
                CO_RETURN(co, rc); /* the client went away or spoke no TLS */
            if (rc == CO__TLS_DONE)
                break;
            if (rc == CO__TLS_WANT_READ)
                CO_AWAIT_READABLE(co, c->fd);
            else
                CO_AWAIT_WRITABLE(co, c->fd);
            c = m->c;
        }
    }
    rc = stream_new(c->srv->loop, c->fd, &c->srv->opts, c->tls, &c->s);
    if (rc < 0)
        CO_RETURN(co, rc);
    c->tls = NULL;
    c->fd = -1;
    c->s->flags |= S_SERVER;
    c->s->client = c;
    c->user = c->srv->factory(c->s, c->srv->arg);
    if (!c->user)
        CO_RETURN(co, CO_ENOMEM);
    CO_AWAIT_CORO_CATCH(co, c->user, m->caught);
    c = m->c;
    if (m->caught && m->caught != CO_ECANCELLED) {
        const char *why = NULL;
        co_coro_error(c->user, &why);
        snprintf(msg, sizeof msg, "a server's client coroutine failed: %s%s%s",
                 co_strerror(m->caught), why ? ": " : "", why ? why : "");
        co_loop_report(c->srv->loop, msg);
    }
    /* What the client's coroutine wrote and did not drain still goes out
     * before the socket closes, as asyncio's transport keeps sending after
     * the handler returns. A cancellation here cuts it short. */
    if (m->caught != CO_ECANCELLED) {
        co_stream_close(c->s);
        co_stream_wait_closed_op(&m->op, c->s);
        CO_AWAIT_CORO_CATCH(co, &m->op.co, m->caught);
    }
    CO_FINALLY(co);
    client_free(m->c);
    CO_END(co);
}

static void on_accept(int fd, int status, void *arg)
{
    co_server *srv = arg;
    if (status < 0)
        return;
    for (int i = 0; i < 64 && srv->loop; i++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM)
                accept_pause(srv);
            return; /* EAGAIN, or a client that left already */
        }
        if (!srv->unix_path)
            set_nodelay(cfd);
        co__client *c = calloc(1, sizeof *c);
        client_main *m = c ? CO_NEW(client_main, client_step) : NULL;
        if (!m) {
            free(c);
            close(cfd);
            return;
        }
        c->srv = srv;
        c->fd = cfd;
        m->c = c;
        if (co_create_task(srv->loop, &m->co, NULL, &c->task) < 0) {
            co_coro_free(&m->co);
            free(c);
            close(cfd);
            return;
        }
        list_push(&srv->clients, &c->node);
        srv->nclients++;
    }
}

static void accept_again(void *arg)
{
    co_server *srv = arg;
    for (int i = 0; i < srv->nfds && srv->loop; i++)
        co_loop_add_reader(srv->loop, srv->fds[i], on_accept, srv);
}

static void close_listeners(co_server *srv)
{
    co_timer_cancel(&srv->retry);
    for (int i = 0; i < srv->nfds; i++) {
        if (srv->loop)
            co_loop_remove_reader(srv->loop, srv->fds[i]);
        close(srv->fds[i]);
    }
    srv->nfds = 0;
    if (srv->unix_path) {
        unlink(srv->unix_path);
        free(srv->unix_path);
        srv->unix_path = NULL;
    }
}

static void server_unlink(co_server *srv)
{
    stream_side *side = side_find(srv->loop);
    if (side)
        list_remove(&side->servers, &srv->node);
}

/* Listens on @p fd (bound already) and adds it to the server. */
static int listen_on(co_server *srv, int fd, char *why, size_t size)
{
    int backlog = srv->opts.backlog > 0 ? srv->opts.backlog : 100;
    if (listen(fd, backlog) < 0) {
        snprintf(why, size, "listen: %s", strerror(errno));
        return CO_ESYS;
    }
    int rc = co_loop_add_reader(srv->loop, fd, on_accept, srv);
    if (rc < 0) {
        snprintf(why, size, "the loop cannot watch the socket");
        return rc;
    }
    srv->fds[srv->nfds++] = fd;
    return 0;
}

static int server_new(co_loop *loop, co_client_factory factory, void *arg,
                      const co_stream_opts *opts, co_server **out)
{
    if (co_loop_is_closed(loop))
        return CO_ECLOSED;
    if (opts && opts->tls && !co_tls_available())
        return CO_ENOTLS;
    co_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return CO_ENOMEM;
    srv->loop = loop;
    srv->port = -1;
    srv->factory = factory;
    srv->arg = arg;
    if (opts)
        srv->opts = *opts;
    srv->opts.server_hostname = NULL;
    *out = srv;
    return 0;
}

static void server_link(co_server *srv, stream_side *side)
{
    if (srv->loop->probe) { /* debug mode: "server on port N left open" */
        if (srv->port >= 0)
            snprintf(srv->what, sizeof srv->what, "on port %d", srv->port);
        else
            snprintf(srv->what, sizeof srv->what, "on %s", srv->unix_path);
        co__resource_open(srv->loop, &srv->open_on, "server", srv->what);
    }
    list_push(&side->servers, &srv->node);
}

static void server_report(co_loop *loop, const char *what, const char *why)
{
    char msg[600];
    snprintf(msg, sizeof msg, "start_server on %s: %s", what, why);
    co_loop_report(loop, msg);
}

int co_start_server(co_loop *loop, const char *host, int port,
                    co_client_factory factory, void *arg,
                    const co_stream_opts *opts, co_server **out)
{
    if (out)
        *out = NULL;
    if (!loop || !factory || !out || port < 0 || port > 65535)
        return CO_EINVAL;
    stream_side *side = side_of(loop);
    if (!side)
        return CO_ENOMEM;
    co_server *srv;
    int rc = server_new(loop, factory, arg, opts, &srv);
    if (rc < 0)
        return rc;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = opts ? opts->family : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", port);
    int gai = getaddrinfo(host && *host ? host : NULL, portstr, &hints, &res);
    if (gai != 0) {
        server_report(loop, host ? host : "*", gai_strerror(gai));
        free(srv);
        return gai == EAI_MEMORY ? CO_ENOMEM : CO_ENONAME;
    }
    char why[300] = "no address to listen on";
    rc = CO_ENONAME;
    for (struct addrinfo *ai = res; ai && srv->nfds < MAX_LISTEN;
         ai = ai->ai_next) {
        int fd = socket(ai->ai_family,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            /* A family this host cannot open (IPv6 without IPv6): skipped,
             * as asyncio does, once another address listens. */
            if (srv->nfds == 0)
                rc = code_of_errno(errno);
            snprintf(why, sizeof why, "socket: %s", strerror(errno));
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            rc = CO_ESYS;
            snprintf(why, sizeof why, "bind: %s", strerror(errno));
            close(fd);
            break; /* asyncio gives up at the first address it cannot bind */
        }
        rc = listen_on(srv, fd, why, sizeof why);
        if (rc < 0) {
            close(fd);
            break;
        }
    }
    freeaddrinfo(res);
    if (rc < 0) {
        char what[300];
        snprintf(what, sizeof what, "%s port %d", host ? host : "*", port);
        server_report(loop, what, why);
        close_listeners(srv);
        free(srv);
        return rc;
    }
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getsockname(srv->fds[0], (struct sockaddr *)&a, &len) == 0)
        srv->port = a.ss_family == AF_INET6
                        ? ntohs(((struct sockaddr_in6 *)&a)->sin6_port)
                        : ntohs(((struct sockaddr_in *)&a)->sin_port);
    server_link(srv, side);
    *out = srv;
    return 0;
}

int co_start_unix_server(co_loop *loop, const char *path,
                         co_client_factory factory, void *arg,
                         const co_stream_opts *opts, co_server **out)
{
    if (out)
        *out = NULL;
    struct sockaddr_un un;
    if (!loop || !path || !factory || !out ||
        strlen(path) >= sizeof un.sun_path || !*path)
        return CO_EINVAL;
    stream_side *side = side_of(loop);
    if (!side)
        return CO_ENOMEM;
    co_server *srv;
    int rc = server_new(loop, factory, arg, opts, &srv);
    if (rc < 0)
        return rc;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    memcpy(un.sun_path, path, strlen(path) + 1);
    /* A socket file left by an earlier server would make bind fail. */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    char why[300] = "";
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rc = code_of_errno(errno);
        snprintf(why, sizeof why, "socket: %s", strerror(errno));
    } else if (bind(fd, (struct sockaddr *)&un, sizeof un) < 0) {
        rc = errno == ENOENT ? CO_ENONAME : CO_ESYS;
        snprintf(why, sizeof why, "bind: %s", strerror(errno));
        close(fd);
    } else if (!(srv->unix_path = co__strdup(path))) {
        rc = CO_ENOMEM;
        close(fd);
        unlink(path);
    } else {
        rc = listen_on(srv, fd, why, sizeof why);
        if (rc < 0)
            close(fd);
    }
    if (rc < 0) {
        server_report(loop, path, why);
        close_listeners(srv);
        free(srv);
        return rc;
    }
    server_link(srv, side);
    *out = srv;
    return 0;
}

int co_server_port(const co_server *srv)
{
    return srv ? srv->port : -1;
}

int co_server_sockets(const co_server *srv)
{
    return srv ? srv->nfds : 0;
}

int co_server_sockname(const co_server *srv, int i,
                       struct sockaddr_storage *addr, socklen_t *len)
{
    if (!srv || !addr || !len || i < 0)
        return CO_EINVAL;
    if (i >= srv->nfds)
        return srv->nfds ? CO_EINVAL : CO_ESTREAMCLOSED;
    socklen_t l = *len;
    if (getsockname(srv->fds[i], (struct sockaddr *)addr, &l) < 0)
        return CO_ESYS;
    *len = l;
    return 0;
}

size_t co_server_clients(const co_server *srv)
{
    return srv ? srv->nclients : 0;
}

bool co_server_is_serving(const co_server *srv)
{
    return srv && !srv->closed && srv->nfds > 0;
}

void co_server_close(co_server *srv)
{
    if (!srv || srv->closed)
        return;
    srv->closed = true;
    close_listeners(srv);
    co__waitq_wake_some(&srv->waiters, (size_t)-1);
}

int co_server_free(co_server *srv)
{
    if (!srv)
        return 0;
    if (srv->loop && (srv->nclients > 0 || co__waitq_busy(&srv->waiters)))
        return CO_EBUSY;
    co__resource_close(&srv->open_on);
    co_server_close(srv);
    /* Left only when the loop closed under them: their tasks were
     * abandoned, so nothing else will free them. */
    while (srv->clients)
        client_free((co__client *)(void *)srv->clients);
    server_unlink(srv);
    co__waitq_clear(&srv->waiters);
    free(srv);
    return 0;
}

static int server_wait_step(co_coro *co)
{
    co_server_op *op = (co_server_op *)co;
    co_server *srv = op->server;
    int rc;
    CO_BEGIN(co);
    if (!srv)
        CO_RAISE(co, CO_EINVAL, "server wait: NULL server");
    for (;;) {
        if (op->kind == 1 ? srv->closed
                          : srv->closed && srv->nclients == 0) {
            drop_spares(&srv->waiters);
            CO_RETURN(co, 0);
        }
        if (!srv->loop)
            CO_RAISE(co, CO_ECLOSED, NULL);
        rc = co__waitq_wait(&srv->waiters, &op->waiter);
        if (rc < 0)
            CO_RAISE(co, rc, NULL);
        CO_AWAIT_CATCH(co, op->waiter, op->caught);
        srv = op->server;
        co__waitq_remove(&srv->waiters, op->waiter);
        op->waiter = NULL;
        if (op->caught) {
            /* serve_forever cancelled: the server closes, as asyncio's. */
            if (op->kind == 1 && op->caught == CO_ECANCELLED)
                co_server_close(srv);
            if (srv->closed)
                drop_spares(&srv->waiters);
            CO_RAISE(co, op->caught, co_caught_message());
        }
    }
    CO_END(co);
}

static int server_op(co_server_op *op, co_server *srv, int kind)
{
    if (!op)
        return CO_EINVAL;
    co_coro_init(&op->co, server_wait_step);
    op->server = srv;
    op->waiter = NULL;
    op->kind = kind;
    op->caught = 0;
    return 0;
}

int co_server_serve_forever_op(co_server_op *op, co_server *srv)
{
    return server_op(op, srv, 1);
}

int co_server_wait_closed_op(co_server_op *op, co_server *srv)
{
    return server_op(op, srv, 2);
}

/* ---- when the loop closes ---------------------------------------------------- */

/* Every socket of the loop is closed while the loop still works; the
 * structs stay for co_stream_free / co_server_free, detached. */
static void side_close(co_loop *loop, co__loop_ext *ext)
{
    (void)loop;
    stream_side *side = (stream_side *)(void *)ext;
    while (side->streams) {
        co_stream *s = (co_stream *)(void *)side->streams;
        list_remove(&side->streams, &s->node);
        close_fd(s);
        co__waitq_clear(&s->rwait);
        co__waitq_clear(&s->wwait);
        co__waitq_clear(&s->cwait);
        s->loop = NULL;
    }
    while (side->servers) {
        co_server *srv = (co_server *)(void *)side->servers;
        list_remove(&side->servers, &srv->node);
        close_listeners(srv);
        srv->closed = true;
        co__waitq_clear(&srv->waiters);
        srv->loop = NULL;
    }
}
