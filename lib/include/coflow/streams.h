/** @file
 * coflow/streams.h - TCP and unix-domain streams: asyncio's open_connection,
 * start_server, StreamReader and StreamWriter. For lesson 15 (the
 * downloader); docs/streams.md explains the buffers and the backpressure.
 *
 * One object, a co_stream, is both the reader and the writer of one
 * connection (asyncio hands out the two halves of the same transport). Its
 * reading side is a buffer the loop fills whenever the socket is readable,
 * up to a limit; its writing side is a buffer the loop empties whenever the
 * socket is writable. Every wait is a small child coroutine whose frame, a
 * co_stream_op (or co_connect_op), lives in YOUR frame, as with the waits of
 * coflow/locks.h:
 *
 *     struct client {
 *         co_coro co;
 *         co_connect_op conn;  // the wait of open_connection
 *         co_stream_op op;     // one read or drain at a time
 *         co_stream *s;
 *         char line[256];
 *     };
 *     ...
 *     CO_OPEN_CONNECTION(co, &self->conn, loop, "example.org", 80, NULL);
 *     self->s = self->conn.stream;                 // reader, writer = ...
 *     co_stream_write(self->s, "GET / HTTP/1.0\r\n\r\n", 18);
 *     CO_STREAM_DRAIN(co, &self->op, self->s);     // await writer.drain()
 *     CO_STREAM_READLINE(co, &self->op, self->s, self->line, sizeof self->line);
 *     ... self->op.n bytes are in self->line ...
 *     co_stream_free(self->s);                     // in a CO_FINALLY
 *
 * Each CO_STREAM_* / CO_OPEN_* macro is one suspension point: one per line,
 * never inside a switch of your own. A failure (a cancellation, a reset
 * connection, a line too long) propagates like any CO_AWAIT; to catch it,
 * start the op yourself and await its frame with CO_AWAIT_CORO_CATCH:
 *
 *     co_stream_readline_op(&self->op, self->s, self->line, sizeof self->line);
 *     CO_AWAIT_CORO_CATCH(co, &self->op.co, self->err);
 *
 * Rules:
 *  - One read (read, readline, readexactly, readuntil) at a time per stream,
 *    and one drain or wait_closed at a time: a second one fails at once
 *    with CO_EFDBUSY, as asyncio's "already waiting for incoming data".
 *  - A read that is cancelled consumes nothing: the bytes stay in the
 *    buffer for the next read. A drain that is cancelled leaves the bytes
 *    queued. So after a cancellation the stream is still usable.
 *  - Ownership: co_open_connection hands you the stream; co_stream_free()
 *    closes it at once if it is still open and frees it (NULL: no-op). A
 *    server's streams are the server's: each one is closed and freed when
 *    the client's coroutine ends. If the loop is closed first, every stream
 *    of that loop is closed (its fd too) and only the memory is left for
 *    co_stream_free.
 *
 * TLS (coflow/tls.h) is an option of the same calls: give opts.tls a
 * context and the stream encrypts; the reader and writer API does not
 * change. */
#ifndef COFLOW_STREAMS_H
#define COFLOW_STREAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "coflow/coro.h"
#include "coflow/error.h"
#include "coflow/future.h"
#include "coflow/loop.h"

/** One connection, both its reader and its writer (asyncio's StreamReader
 *  and StreamWriter); opaque. */
typedef struct co_stream co_stream;
/** A listening server made by co_start_server() (asyncio's Server); opaque. */
typedef struct co_server co_server;
struct co_tls_context;

/** The reading buffer's default limit, 64 KiB (asyncio's _DEFAULT_LIMIT):
 *  the longest line readline and readuntil accept. */
#define CO_STREAM_DEFAULT_LIMIT (64 * 1024)
/** The writing buffer's default high-water mark, 64 KiB (asyncio's): above
 *  it, drain waits. */
#define CO_STREAM_DEFAULT_HIGH_WATER (64 * 1024)
/** The default low-water mark, 16 KiB: a waiting drain returns once the
 *  writing buffer is down to it. */
#define CO_STREAM_DEFAULT_LOW_WATER (16 * 1024)

/** Options of a connection or a server. Zero them, or call
 *  co_stream_opts_init(), then set what you need; every field at 0 means
 *  its default. NULL options are all defaults. */
typedef struct co_stream_opts {
    size_t limit;       /**< reading buffer limit (0: CO_STREAM_DEFAULT_LIMIT) */
    size_t high_water;  /**< drain waits above this (0: the default) */
    size_t low_water;   /**< ...until the buffer is down to this (0: the
                             default, or high_water / 4 if that is smaller) */
    double connect_timeout; /**< seconds for the whole connect, name lookup
                             included; 0 or less: no limit of coflow's own
                             (the kernel gives up after a minute or two) */
    int family;         /**< AF_UNSPEC (0: both), AF_INET or AF_INET6 */
    struct co_tls_context *tls; /**< a TLS context (coflow/tls.h), or NULL
                             for a plain connection; borrowed: it must
                             outlive every stream made with it */
    const char *server_hostname; /**< TLS client: the name to send (SNI) and
                             check the certificate against; NULL: the host
                             connected to. Copied. */
    int backlog;        /**< servers: listen() backlog (0: 100, as asyncio) */
} co_stream_opts;

/** Fills @p opts with the defaults (all zero). NULL: no-op.
 *  @param opts the options to fill, or NULL */
CO_API void co_stream_opts_init(co_stream_opts *opts);

/* ---- the waits ---------------------------------------------------------- */

/** The frame of one wait on a stream: a read, a drain or a wait_closed. Put
 *  one in your frame per wait that can be in progress at the same time;
 *  reuse it once the previous wait has ended. After a read, @c n holds how
 *  many bytes were stored in the buffer given; the other fields are the
 *  library's. */
typedef struct co_stream_op {
    co_coro co;          /**< the wait's own coroutine frame; must stay first */
    co_stream *stream;   /**< the stream waited on */
    void *buf;           /**< where a read stores its bytes (the caller's) */
    size_t cap;          /**< read: at most this many; readexactly: exactly */
    const void *sep;     /**< readuntil: the separator (the caller's) */
    size_t seplen;       /**< its length */
    size_t n;            /**< result: bytes stored in @c buf */
    co_future *waiter;   /**< what it sleeps on (borrowed from the stream) */
    int kind;            /**< which wait (internal) */
    int caught;          /**< the failure that ended the sleep, or 0 */
} co_stream_op;

/** Prepares @p op to await reader.read(n): up to @p n bytes into @p buf,
 *  waiting until at least one byte has arrived or the peer closed. After
 *  the wait op->n is the count: 0 means end of file (or @p n was 0). Once
 *  the buffer is empty, a lost connection makes the wait fail with its
 *  failure (CO_ECONNRESET...).
 *  @param op the wait's frame, in the caller's frame
 *  @param s the stream
 *  @param buf where the bytes go (the caller's)
 *  @param n at most this many bytes
 *  @return 0, or CO_EINVAL for a NULL @p op (other bad arguments make the
 *  wait fail: CO_EINVAL for a NULL stream or a NULL @p buf with @p n > 0). */
CO_API int co_stream_read_op(co_stream_op *op, co_stream *s, void *buf,
                             size_t n);

/** Prepares @p op to await reader.readexactly(n): exactly @p n bytes into
 *  @p buf. If the peer closes first, the wait fails with CO_EINCOMPLETE
 *  (IncompleteReadError) and the bytes that did arrive are in @p buf, their
 *  count in op->n.
 *  @param op the wait's frame
 *  @param s the stream
 *  @param buf where the bytes go, @p n bytes at least
 *  @param n exactly this many bytes
 *  @return as co_stream_read_op(). */
CO_API int co_stream_readexactly_op(co_stream_op *op, co_stream *s, void *buf,
                                    size_t n);

/** Prepares @p op to await reader.readuntil(separator): the bytes up to and
 *  including the first @p seplen-byte separator @p sep (which must stay
 *  valid until the wait ends), into @p buf of @p cap bytes; op->n is their
 *  count. If the separator does not start within the stream's limit (as
 *  asyncio counts it: a line may be limit + seplen bytes long), or the
 *  line would not fit in @p cap bytes, the wait fails with CO_ELIMIT
 *  ("line too long") and the bytes stay in the stream (asyncio's
 *  LimitOverrunError). If the peer closes first, it fails
 *  with CO_EINCOMPLETE and the partial data is in @p buf (op->n bytes).
 *  @param op the wait's frame
 *  @param s the stream
 *  @param buf where the bytes go
 *  @param cap the size of @p buf
 *  @param sep the separator (borrowed until the wait ends)
 *  @param seplen its length, at least 1
 *  @return as co_stream_read_op(); the wait fails with CO_EINVAL for an
 *  empty separator. */
CO_API int co_stream_readuntil_op(co_stream_op *op, co_stream *s, void *buf,
                                  size_t cap, const void *sep, size_t seplen);

/** Prepares @p op to await reader.readline(): readuntil("\n"), except that
 *  at end of file the last, unterminated line is returned (op->n bytes, 0
 *  once nothing is left), and that a line too long is dropped from the
 *  stream (up to its newline, if one is buffered) before the wait fails
 *  with CO_ELIMIT, so the next readline starts on a fresh line.
 *  @param op the wait's frame
 *  @param s the stream
 *  @param buf where the line goes, its newline included
 *  @param cap the size of @p buf
 *  @return as co_stream_read_op(). */
CO_API int co_stream_readline_op(co_stream_op *op, co_stream *s, void *buf,
                                 size_t cap);

/** Prepares @p op to await writer.drain(): returns at once while the
 *  writing buffer holds no more than the high-water mark; above it, waits
 *  until the buffer is down to the low-water mark. Fails with the
 *  connection's failure (CO_ECONNRESET...) once the connection is lost,
 *  with CO_EINVAL for a NULL stream, with CO_EFDBUSY while another drain
 *  waits on it.
 *  @param op the wait's frame
 *  @param s the stream
 *  @return 0, or CO_EINVAL for a NULL @p op. */
CO_API int co_stream_drain_op(co_stream_op *op, co_stream *s);

/** Prepares @p op to await writer.wait_closed(): waits until the stream
 *  closed by co_stream_close() has flushed its buffer and closed its
 *  socket (at once if it already has, or if the loop was closed); it
 *  fails with CO_EINVAL for a NULL stream.
 *  @param op the wait's frame
 *  @param s the stream
 *  @return 0, or CO_EINVAL for a NULL @p op. */
CO_API int co_stream_wait_closed_op(co_stream_op *op, co_stream *s);

/** `await reader.read(n)`. */
#define CO_STREAM_READ(co, op, s, buf, n)                                      \
    do {                                                                       \
        co_stream_read_op((op), (s), (buf), (n));                              \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** `await reader.readexactly(n)`. */
#define CO_STREAM_READEXACTLY(co, op, s, buf, n)                               \
    do {                                                                       \
        co_stream_readexactly_op((op), (s), (buf), (n));                       \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** `await reader.readuntil(sep)`. */
#define CO_STREAM_READUNTIL(co, op, s, buf, cap, sep, seplen)                  \
    do {                                                                       \
        co_stream_readuntil_op((op), (s), (buf), (cap), (sep), (seplen));      \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** `await reader.readline()`. */
#define CO_STREAM_READLINE(co, op, s, buf, cap)                                \
    do {                                                                       \
        co_stream_readline_op((op), (s), (buf), (cap));                        \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** `await writer.drain()`. */
#define CO_STREAM_DRAIN(co, op, s)                                             \
    do {                                                                       \
        co_stream_drain_op((op), (s));                                         \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** `await writer.wait_closed()`. */
#define CO_STREAM_WAIT_CLOSED(co, op, s)                                       \
    do {                                                                       \
        co_stream_wait_closed_op((op), (s));                                   \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/* ---- open_connection ----------------------------------------------------- */

/** The frame of one open_connection. After the wait, @c stream is the new
 *  stream (yours: free it with co_stream_free); NULL if it failed. The
 *  other fields are the library's. An op that was prepared must be awaited:
 *  the wait is what lets go of what preparing it allocated. */
typedef struct co_connect_op {
    co_coro co;              /**< the wait's own frame; must stay first */
    co_stream *stream;       /**< result: the connected stream, or NULL */
    struct co__connect *st;  /**< the connect in progress (internal) */
    int caught;              /**< internal */
} co_connect_op;

/** Prepares @p op to await asyncio.open_connection(host, port): the name
 *  is resolved with getaddrinfo on the loop's default executor (a worker
 *  thread, so the loop goes on meanwhile), then each address found is
 *  tried in turn, IPv4 and IPv6 alike, until one connects. @p host and
 *  @p opts are copied. The wait fails with: CO_ENONAME (no such host),
 *  CO_ECONNREFUSED (nothing listens there), CO_EUNREACHABLE (no route to
 *  it), CO_ETIMEDOUT (opts->connect_timeout passed, or the kernel gave
 *  up), CO_ETLS / CO_ECERT (the TLS handshake failed / the certificate is
 *  untrusted or for another name), CO_ENOTLS (opts->tls in a build
 *  without TLS), CO_EINVAL (NULL loop or host, port outside 0..65535),
 *  CO_ENOMEM, CO_ESYS; each with a message naming the host, port and
 *  cause. When several addresses fail, the last failure is the one
 *  reported. A cancelled connect closes whatever it had opened.
 *  @param op the wait's frame; op->stream is the result
 *  @param loop the loop the stream will live on
 *  @param host a host name or a numeric address (copied)
 *  @param port the port, 0..65535
 *  @param opts the options (copied), or NULL for the defaults
 *  @return 0, or CO_EINVAL for a NULL @p op. */
CO_API int co_open_connection_op(co_connect_op *op, co_loop *loop,
                                 const char *host, int port,
                                 const co_stream_opts *opts);

/** Prepares @p op to await asyncio.open_unix_connection(path). The wait
 *  fails with CO_ECONNREFUSED (nobody listens on @p path), CO_ENONAME (no
 *  such file), CO_EINVAL (NULL loop or path, or a path too long for
 *  sockaddr_un), CO_ESYS...
 *  @param op the wait's frame; op->stream is the result
 *  @param loop the loop the stream will live on
 *  @param path the socket's file name (copied)
 *  @param opts the options (copied), or NULL for the defaults
 *  @return 0, or CO_EINVAL for a NULL @p op. */
CO_API int co_open_unix_connection_op(co_connect_op *op, co_loop *loop,
                                      const char *path,
                                      const co_stream_opts *opts);

/** `op->stream = await asyncio.open_connection(host, port)`. */
#define CO_OPEN_CONNECTION(co, op, loop, host, port, opts)                     \
    do {                                                                       \
        co_open_connection_op((op), (loop), (host), (port), (opts));           \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** `op->stream = await asyncio.open_unix_connection(path)`. */
#define CO_OPEN_UNIX_CONNECTION(co, op, loop, path, opts)                      \
    do {                                                                       \
        co_open_unix_connection_op((op), (loop), (path), (opts));              \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/* ---- the stream ---------------------------------------------------------- */

/** Wraps an already connected socket @p fd (any stream socket; it is made
 *  non-blocking and becomes the stream's, closed with it) as a stream on
 *  @p loop. It is for plain sockets only (a socketpair in a test): no
 *  TLS handshake is made, and opts->tls is refused.
 *  @param loop the loop the stream will live on
 *  @param fd the connected socket; the stream's once this succeeds
 *  @param opts the options (limits only), or NULL for the defaults
 *  @param out receives the stream (NULL on failure)
 *  @return 0 and *out; CO_EINVAL (NULL, fd < 0, opts->tls set);
 *  CO_EBADF (@p fd is not open); CO_ESYS (it cannot be made
 *  non-blocking); CO_ECLOSED (loop closed); CO_ENOMEM; CO_EFDSETSIZE (the
 *  loop cannot watch @p fd). On failure the fd is still the caller's. */
CO_API int co_stream_from_fd(co_loop *loop, int fd, const co_stream_opts *opts,
                             co_stream **out);

/** writer.write(data): queues @p len bytes (copied) to be sent; sends at
 *  once what the socket takes when nothing is queued before them. Never
 *  waits: follow it with CO_STREAM_DRAIN to let a slow peer slow you down.
 *  @return 0; CO_ESTREAMCLOSED (co_stream_close or write_eof was called:
 *  nothing is queued); the connection's failure if it is lost
 *  (CO_ECONNRESET...); CO_EINVAL (NULL @p s, NULL @p data with @p len > 0);
 *  CO_ENOMEM.
 *  @param s the stream
 *  @param data the bytes (copied)
 *  @param len their count; 0 only checks that the stream can be written */
CO_API int co_stream_write(co_stream *s, const void *data, size_t len);

/** writer.writelines(): co_stream_write of the @p n buffers joined, in
 *  order; a plain stream with nothing queued sends them with one
 *  sendmsg, a TLS stream as one write. All or nothing: when the bytes
 *  cannot all be queued (CO_ENOMEM), none is.
 *  @param s the stream
 *  @param iov the buffers (copied)
 *  @param n how many, 0 or more
 *  @return as co_stream_write(); CO_EINVAL also for @p n < 0 or a NULL
 *  buffer with a length above 0. */
CO_API int co_stream_writelines(co_stream *s, const struct iovec *iov, int n);

/** writer.write_eof(): once the queued bytes are sent, shuts the sending
 *  half (the peer reads end of file); reading goes on. @return 0;
 *  CO_ESTREAMCLOSED; CO_EINVAL for NULL or for a TLS stream (TLS cannot
 *  half-close a connection, as asyncio's SSL transport cannot either).
 *  @param s the stream */
CO_API int co_stream_write_eof(co_stream *s);

/** writer.close(): no more writes and no more reading; the queued bytes
 *  are still sent, then the socket is closed (a TLS stream sends its
 *  close_notify first). Reads see end of file after the bytes already
 *  buffered (a read waiting meanwhile returns 0 bytes, readexactly fails
 *  with CO_EINCOMPLETE); a drain waiting meanwhile returns once the queue
 *  is down to the low-water mark. Closing a closed stream does nothing.
 *  Follow with CO_STREAM_WAIT_CLOSED, then co_stream_free. NULL: no-op.
 *  @param s the stream, or NULL */
CO_API void co_stream_close(co_stream *s);

/** writer.is_closing(): true once co_stream_close was called or the
 *  connection was lost.
 *  @param s the stream, or NULL
 *  @return true once closing or closed; true for NULL */
CO_API bool co_stream_is_closing(const co_stream *s);

/** Closes @p s at once (queued bytes that were not sent are dropped, as
 *  transport.abort()) if it is still open, and frees it. A wait still in
 *  progress on it is a bug: then nothing is freed and CO_EBUSY is returned.
 *  A server's stream is freed by the server: this returns CO_EINVAL for it.
 *  @param s the stream, or NULL
 *  @return 0, CO_EBUSY, CO_EINVAL. NULL is a no-op returning 0. */
CO_API int co_stream_free(co_stream *s);

/** reader.at_eof(): true when the peer has closed (or the connection was
 *  lost) and every byte it sent has been read.
 *  @param s the stream, or NULL
 *  @return true at end of file; true for NULL */
CO_API bool co_stream_at_eof(const co_stream *s);

/** How many received bytes are buffered, not yet read.
 *  @param s the stream, or NULL
 *  @return the count; 0 for NULL */
CO_API size_t co_stream_buffered(const co_stream *s);

/** transport.get_write_buffer_size(): bytes queued, not yet sent.
 *  @param s the stream, or NULL
 *  @return the count; 0 for NULL */
CO_API size_t co_stream_write_buffer_size(const co_stream *s);

/** transport.set_write_buffer_limits(high, low): sets the marks drain
 *  works with. @p high 0: the default; @p low 0: min(default, high/4).
 *  @param s the stream
 *  @param high the high-water mark, in bytes
 *  @param low the low-water mark, in bytes
 *  @return 0; CO_EINVAL (NULL, or @p low above @p high). */
CO_API int co_stream_set_write_buffer_limits(co_stream *s, size_t high,
                                             size_t low);

/** The failure that ended the connection (CO_ECONNRESET...), or 0 while it
 *  is healthy or ended normally.
 *  @param s the stream
 *  @return the failure's code, 0, or CO_EINVAL for NULL */
CO_API int co_stream_error(const co_stream *s);

/** The stream's socket (get_extra_info("socket")), -1 once closed or for
 *  NULL. Do not read, write or close it behind the stream's back.
 *  @param s the stream, or NULL
 *  @return the file descriptor, or -1 */
CO_API int co_stream_fileno(const co_stream *s);

/** get_extra_info("peername"): the peer's address into @p addr.
 *  @param s the stream
 *  @param addr receives the address
 *  @param len in: the size of @p addr; out: the address's length
 *  @return 0; CO_EINVAL (NULL argument); CO_ESTREAMCLOSED (its socket is
 *  closed); CO_ECONNRESET (the peer is gone); CO_ESYS. */
CO_API int co_stream_peername(const co_stream *s, struct sockaddr_storage *addr,
                              socklen_t *len);

/** get_extra_info("sockname"): the stream's own address into @p addr.
 *  @param s the stream
 *  @param addr receives the address
 *  @param len in: the size of @p addr; out: the address's length
 *  @return as co_stream_peername(). */
CO_API int co_stream_sockname(const co_stream *s, struct sockaddr_storage *addr,
                              socklen_t *len);

/** The peer's address as text, "127.0.0.1:8080", "[::1]:443" or a unix
 *  socket's path ("" when unnamed), into @p buf of @p size bytes
 *  (truncated, always terminated; "" on failure).
 *  @param s the stream
 *  @param buf receives the text
 *  @param size the size of @p buf, at least 1
 *  @return 0 or as co_stream_peername(); CO_EINVAL also for a NULL @p buf
 *  or a @p size of 0. */
CO_API int co_stream_peername_str(const co_stream *s, char *buf, size_t size);

/** The loop the stream lives on.
 *  @param s the stream, or NULL
 *  @return the loop; NULL once that loop was closed, or for NULL */
CO_API co_loop *co_stream_loop(const co_stream *s);

/** Whether the stream encrypts (it was made with opts.tls).
 *  @param s the stream, or NULL
 *  @return true for a TLS stream; false for a plain one or NULL */
CO_API bool co_stream_is_tls(const co_stream *s);

/* ---- start_server -------------------------------------------------------- */

/** Makes the coroutine that serves one client, the client_connected_cb of
 *  asyncio.start_server. It returns a new frame (CO_NEW: the task frees it)
 *  that the server runs as a task; the frame's coroutine reads and writes
 *  @p s, which belongs to the server and is closed and freed when that
 *  task ends, however it ends. @p arg is the one given to co_start_server.
 *  Returning NULL (out of memory) closes the connection. */
typedef co_coro *(*co_client_factory)(co_stream *s, void *arg);

/** asyncio.start_server(client_connected_cb, host, port): listens on every
 *  address @p host resolves to (NULL or "": all interfaces, IPv4 and IPv6;
 *  the name is resolved on this thread with getaddrinfo, which is quick for
 *  the numeric or local names a server binds to) and starts serving at
 *  once. @p port 0 picks a free port: read it with co_server_port. Each
 *  accepted connection gets a stream (with @p opts' limits, and a TLS
 *  handshake first if opts->tls is a server context) and a task from
 *  @p factory. SO_REUSEADDR is set, as asyncio does.
 *  @param loop the loop to serve on
 *  @param host the name or address to listen on; NULL or "": all
 *  @param port the port, 0..65535 (0: a free one)
 *  @param factory makes each client's coroutine
 *  @param arg given to @p factory
 *  @param opts the options (copied), or NULL for the defaults
 *  @param out receives the server (NULL on failure)
 *  @return 0 and *out; CO_EINVAL (NULL, port outside 0..65535); CO_ENONAME;
 *  CO_ESYS (bind or listen failed: the port is taken...); CO_ENOTLS;
 *  CO_ECLOSED; CO_ENOMEM. A failed call leaves nothing open. */
CO_API int co_start_server(co_loop *loop, const char *host, int port,
                           co_client_factory factory, void *arg,
                           const co_stream_opts *opts, co_server **out);

/** asyncio.start_unix_server(): as co_start_server, on the unix-domain
 *  socket @p path (created; an existing socket file there is replaced, as
 *  asyncio does).
 *  @param loop the loop to serve on
 *  @param path the socket's file name, not empty (copied)
 *  @param factory makes each client's coroutine
 *  @param arg given to @p factory
 *  @param opts the options (copied), or NULL for the defaults
 *  @param out receives the server (NULL on failure)
 *  @return as co_start_server(); CO_EINVAL also for a path too long for
 *  sockaddr_un; CO_ENONAME when its directory does not exist. */
CO_API int co_start_unix_server(co_loop *loop, const char *path,
                                co_client_factory factory, void *arg,
                                const co_stream_opts *opts, co_server **out);

/** The port the server listens on (its first socket's).
 *  @param srv the server, or NULL
 *  @return the port, or -1 for NULL or a unix server */
CO_API int co_server_port(const co_server *srv);

/** How many sockets the server listens on (one per address).
 *  @param srv the server, or NULL
 *  @return the count; 0 once closed, or for NULL */
CO_API int co_server_sockets(const co_server *srv);

/** The address of the server's @p i-th socket, as co_stream_sockname().
 *  @param srv the server
 *  @param i the socket's index, 0 to co_server_sockets() - 1
 *  @param addr receives the address
 *  @param len in: the size of @p addr; out: the address's length
 *  @return 0; CO_EINVAL (NULL argument, @p i out of range);
 *  CO_ESTREAMCLOSED (the server is closed); CO_ESYS. */
CO_API int co_server_sockname(const co_server *srv, int i,
                              struct sockaddr_storage *addr, socklen_t *len);

/** How many clients are being served now (tasks not yet ended).
 *  @param srv the server, or NULL
 *  @return the count; 0 for NULL */
CO_API size_t co_server_clients(const co_server *srv);

/** Server.is_serving(): whether the server is listening.
 *  @param srv the server, or NULL
 *  @return true while it listens; false once closed, or for NULL */
CO_API bool co_server_is_serving(const co_server *srv);

/** Server.close(): stops listening and closes the listening sockets (a
 *  unix server's socket file is removed). Clients being served go on.
 *  Once the waits on it have returned, the server holds no future of the
 *  loop's. NULL: no-op.
 *  @param srv the server, or NULL */
CO_API void co_server_close(co_server *srv);

/** Frees a closed server (closing it first if needed). Refuses with
 *  CO_EBUSY while clients are still being served or a wait on the server
 *  is in progress (cancel them, or wait_closed, first) unless the loop was
 *  closed: then what is left is freed.
 *  @param srv the server, or NULL
 *  @return 0, CO_EBUSY. NULL: 0. */
CO_API int co_server_free(co_server *srv);

/** The frame of a wait on a server (serve_forever, wait_closed). */
typedef struct co_server_op {
    co_coro co;          /**< the wait's own frame; must stay first */
    co_server *server;   /**< the server waited on */
    co_future *waiter;   /**< what it sleeps on (internal) */
    int kind;            /**< internal */
    int caught;          /**< internal */
} co_server_op;

/** Prepares @p op to await Server.serve_forever(): waits until the server
 *  is closed; if the wait is cancelled, the server is closed (as asyncio
 *  does) and the wait fails with CO_ECANCELLED. The wait fails with
 *  CO_EINVAL for a NULL server, CO_ECLOSED if the loop is closed first.
 *  @param op the wait's frame, in the caller's frame
 *  @param srv the server
 *  @return 0, or CO_EINVAL for a NULL @p op. */
CO_API int co_server_serve_forever_op(co_server_op *op, co_server *srv);

/** Prepares @p op to await Server.wait_closed(): waits until the server is
 *  closed and every client's task has ended; it fails as
 *  co_server_serve_forever_op()'s does.
 *  @param op the wait's frame, in the caller's frame
 *  @param srv the server
 *  @return 0, or CO_EINVAL for a NULL @p op. */
CO_API int co_server_wait_closed_op(co_server_op *op, co_server *srv);

/** `await server.serve_forever()`. */
#define CO_SERVER_SERVE_FOREVER(co, op, srv)                                   \
    do {                                                                       \
        co_server_serve_forever_op((op), (srv));                               \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

/** `await server.wait_closed()`. */
#define CO_SERVER_WAIT_CLOSED(co, op, srv)                                     \
    do {                                                                       \
        co_server_wait_closed_op((op), (srv));                                 \
        CO_AWAIT_CORO(co, &(op)->co);                                          \
    } while (0)

#endif
