/** @file
 * coflow/error.h - error codes and co_strerror().
 *
 * Every coflow function that can fail returns 0 or one of the negative codes
 * below; co_strerror() turns a code into a sentence a student can act on.
 * A failure inside a coroutine travels like a Python exception: a code plus
 * an optional message (see coflow/coro.h). Introduced in lesson 04. */
#ifndef COFLOW_ERROR_H
#define COFLOW_ERROR_H

/** Marks the library's public functions; everything else stays hidden. */
#if defined(__GNUC__)
#define CO_API __attribute__((visibility("default")))
#else
#define CO_API
#endif

/* HTTP and URLs (coflow/http.h, coflow/url.h): -60 to -69. */
#define CO__ERRORS_HTTP(X)                                                     \
    X(CO_EHTTPPROTO, -60, "the server's reply is not valid HTTP/1.1: a "      \
      "malformed status line, header or chunk, or a framing that cannot be "   \
      "trusted (two different Content-Lengths, an unknown transfer coding)") \
    X(CO_EHTTPLIMIT, -61, "the server's reply has a line, a header section " \
      "or a number of headers above the parser's limits")                     \
    X(CO_EHTTPBODYLIMIT, -62, "the response body is larger than the limit "  \
      "the caller set (co_http_request.max_body)")                            \
    X(CO_EHTTPINCOMPLETE, -63, "the connection closed before the response " \
      "was complete: in the status line, the headers or the body")            \
    X(CO_EHTTPSTATUS, -64, "the server answered with an error status (400 " \
      "or above); the status is in the response")                             \
    X(CO_EURL, -65, "the URL is malformed: it must look like "              \
      "http://host[:port]/path?query, with a host name, an IPv4 address or "  \
      "a bracketed IPv6 address, no user:password@, and a port 1-65535")       \
    X(CO_EURLSCHEME, -66, "the URL's scheme is not supported: only http and " \
      "https (https only when coflow was built with TLS)")                    \
    X(CO_EREDIRECTS, -67, "too many redirects: the server kept answering "  \
      "with 3xx and a Location (the limit is co_http_request.max_redirects)")

/* Streams and TLS (coflow/streams.h, coflow/tls.h): -50 to -59. */
#define CO__ERRORS_STREAMS(X)                                                  \
    X(CO_ECONNREFUSED, -50, "the connection was refused: nothing listens on " \
      "that port of that host (is the server running, on this port?)")        \
    X(CO_EUNREACHABLE, -51, "the network or the host is unreachable: there " \
      "is no route to that address (is the address right, is the network "    \
      "up?)")                                                                  \
    X(CO_ENONAME, -52, "the host name could not be resolved: no such name is " \
      "known (check its spelling), or no such file for a unix socket")        \
    X(CO_EINCOMPLETE, -53, "the stream ended before the expected bytes "      \
      "arrived (IncompleteReadError): what did arrive is in the buffer, its "  \
      "count in the op's n")                                                   \
    X(CO_ELIMIT, -54, "line too long: no separator within the stream's "     \
      "buffer limit (LimitOverrunError); raise opts.limit or read in pieces") \
    X(CO_ECONNRESET, -55, "the connection was reset or broken by the peer: "  \
      "it went away in the middle (ECONNRESET, EPIPE)")                        \
    X(CO_ETLS, -56, "the TLS connection failed: the handshake or the "        \
      "encrypted data was refused (wrong protocol, no shared cipher, or a "    \
      "peer that is not speaking TLS)")                                        \
    X(CO_ECERT, -57, "the peer's TLS certificate was not accepted: it is not " \
      "signed by an authority this side trusts, has expired, or was issued "   \
      "for another host name")                                                 \
    X(CO_ESTREAMCLOSED, -58, "the stream is closed or closing: close() or "   \
      "write_eof() was called, so nothing more can be written or waited for") \
    X(CO_ENOTLS, -59, "this build of coflow has no TLS: it was built without " \
      "OpenSSL (install libssl-dev and build again with -Dtls=enabled)")

/* X(name, value, sentence). One table feeds the enum and co_strerror(). */
#define CO__ERRORS(X)                                                          \
    X(CO_EINVAL, -1, "an argument is invalid (a NULL pointer, a negative "     \
      "file descriptor or a value out of range)")                              \
    X(CO_ENOMEM, -2, "out of memory")                                          \
    X(CO_ESTATE, -3, "the future is in the wrong state for this call: its "   \
      "result was read while still pending, or it was given a result twice")   \
    X(CO_ECANCELLED, -4, "the operation was cancelled")                        \
    X(CO_ETIMEDOUT, -5, "the operation timed out")                             \
    X(CO_ERUNNING, -6, "the event loop is already running: a loop cannot be " \
      "run again from inside one of its own callbacks or coroutines")          \
    X(CO_ECLOSED, -7, "the event loop is closed")                              \
    X(CO_ENOTASK, -8, "there is no current task: CO_AWAIT and CO_SLEEP only " \
      "work inside a coroutine that a task is running (use co_run or "         \
      "co_create_task)")                                                       \
    X(CO_EFDSETSIZE, -9, "the file descriptor is too large for select(), "     \
      "which only handles descriptors below FD_SETSIZE (1024)")                \
    X(CO_EBADF, -10, "the file descriptor is not open: it was never opened, " \
      "or it was closed while the loop was still watching it")                 \
    X(CO_EDEADLOCK, -11, "the loop has nothing left to run, no timer and no " \
      "file to watch, yet the future it waits for is still pending: some "     \
      "task awaits a future that nobody will ever complete")                   \
    X(CO_ESTOPPED, -12, "the loop was stopped before the future completed")    \
    X(CO_EAWAITSELF, -13, "a task cannot await itself")                        \
    X(CO_EWRONGLOOP, -14, "the future belongs to a different event loop")      \
    X(CO_ESYS, -15, "a system call failed (see errno)")                        \
    X(CO_EKIND, -16, "the result has another type: it was set as an "          \
      "integer, a pointer or a string and must be read the same way")          \
    X(CO_EFAIL, -17, "the coroutine failed")                                   \
    X(CO_EREUSED, -18, "this coroutine object was already started: a "       \
      "coroutine runs once, so set it up again with co_coro_init() before "    \
      "awaiting it a second time")                                            \
    X(CO_EEMPTY, -19, "there is nothing to wait for: asyncio's wait and "     \
      "as_completed need at least one future, and as_completed has already "   \
      "handed out one future per item")                                      \
    X(CO_EQUEUEFULL, -20, "the queue is full: put_nowait() cannot add an "   \
      "item until a consumer takes one (CO_QUEUE_PUT waits for room)")        \
    X(CO_EQUEUEEMPTY, -21, "the queue is empty: get_nowait() has nothing to " \
      "take (CO_QUEUE_GET waits for an item)")                                \
    X(CO_ETASKDONE, -22, "task_done() was called more times than items were " \
      "put in the queue")                                                     \
    X(CO_ENOTLOCKED, -23, "the lock is not held: release() needs a locked "   \
      "lock, and a Condition's wait() and notify() need its lock acquired")   \
    X(CO_EOVERRELEASE, -24, "the bounded semaphore was released more times "  \
      "than it was acquired")                                                 \
    X(CO_EBUSY, -25, "coroutines are still waiting on this object: free it "  \
      "only once they have finished (or their loop is closed)")               \
    X(CO_ESTOPITERATION, -26, "the async iterator has no more items "          \
      "(StopAsyncIteration): the normal end of an async for, not a failure")  \
    X(CO_EGENEXIT, -27, "the async generator is being closed (GeneratorExit):" \
      " it must run its cleanup and end without yielding again")              \
    X(CO_EAGENRUNNING, -28, "the async generator is busy: an anext or aclose " \
      "is still in progress, or it yielded a value while being closed")        \
    X(CO_ENOLOOP, -29, "there is no current event loop in this thread: "      \
      "make one with co_new_event_loop() and co_set_event_loop()")             \
    X(CO_ESHUTDOWN, -30, "the executor or pool has been shut down: it takes " \
      "no new jobs")                                                           \
    X(CO_EWORKER, -31, "the worker process died while running the job (it "   \
      "crashed, or was killed, also at shutdown after the pool's timeout), "   \
      "or sent a reply that cannot be trusted (too long or malformed); a "     \
      "pool that is not shutting down starts a new worker in its place")       \
    X(CO_ETASKRESULT, -32, "a task's result is what its coroutine returns: "  \
      "set_result and set_exception are not for tasks (cancel one instead)")   \
    X(CO_EOVERFLOW, -33, "the counter is already at its largest value: a "    \
      "semaphore holds at most LONG_MAX free places, so this release was "     \
      "refused (it would have overflowed)")                                    \
    X(CO_EFDBUSY, -34, "someone else is watching this file descriptor: as in " \
      "asyncio, a descriptor has one reader and one writer at a time, so a "   \
      "second task may not wait for it, and a wait whose watch was removed "   \
      "or replaced (co_loop_remove_reader, co_loop_add_reader) ends here")    \
    X(CO_EGROUP, -35, "one or more tasks of the task group failed (or its "   \
      "body did): the failure is an ExceptionGroup that keeps each one's "     \
      "code and message, in order (co_taskgroup_error_count, "                 \
      "co_taskgroup_error)")                                                   \
    X(CO_EGROUPCLOSED, -36, "the task group is not open: it was never "        \
      "entered, or it has already finished, so it takes no new tasks (make "   \
      "tasks inside its async with)")                                          \
    X(CO_EGROUPABORTING, -37, "the task group is shutting down: one of its "   \
      "tasks failed or it was cancelled, so it takes no new tasks")            \
    X(CO_ESCOPE, -38, "the scope is used out of order: it was entered while "  \
      "already active, left twice or without being entered, or rescheduled "  \
      "when not active (after it expired or ended)")                           \
    X(CO_ECLOCKBUSY, -39, "timers are armed on the loop's clock: switch "    \
      "between real and virtual time before arming any (a deadline means "     \
      "nothing on the other clock)")                                           \
    X(CO_EINTERRUPTED, -40, "the program was interrupted (Ctrl-C, SIGINT): "   \
      "co_run cancelled the main coroutine, let its cleanup run and shut "     \
      "down, as asyncio.run does before raising KeyboardInterrupt")            \
    X(CO_EAGENFRESH, -41, "a value was sent to an async generator that has "   \
      "not started yet: its first step can only be an anext (asend of "        \
      "nothing), as there is no yield waiting to receive the value")          \
    X(CO_EAGENCM, -42, "a context manager written as an async generator must " \
      "yield exactly once: it ended without yielding (nothing to enter), or "  \
      "yielded again after the body (it did not stop)")                        \
    X(CO_ETAKEN, -43, "the job's object was already taken: a pointer result "  \
      "has one owner, so co_job_take_ptr gives it out once (the future frees " \
      "it if nobody takes it)")                                                \
    X(CO_ENOTJOB, -44, "co_job_return_ptr and co_job_return_bytes only work "  \
      "inside a thread-pool job, on the worker thread that runs it")           \
    /* -45..-49: the short API (coroutines as tasks, gather's results) */     \
    X(CO_EWRONGFUTURE, -45, "this future is not the kind this call reads: "  \
      "gather's results come from co_gather()'s outer future, wait's done "   \
      "and pending sets from co_wait()'s")                                    \
    X(CO_ESHORT, -46, "the array is too small: gather has more results than " \
      "the array has room for (pass as many slots as items were gathered)")   \
    X(CO_ENOTSTARTED, -47, "the coroutine could not be started: it was NULL " \
      "(CO_CORO ran out of memory) or a task could not be made for it; its "  \
      "frame has been freed")                                                 \
    CO__ERRORS_STREAMS(X)                                                      \
    CO__ERRORS_HTTP(X)                                                         \
    /* -70..-74: debug mode and the timeline */                              \
    X(CO_EWRONGTHREAD, -70, "a loop-thread-only function (call_soon, "        \
      "create_task, call_later, add_reader...) was called from another "     \
      "thread while the loop runs: from other threads use "                  \
      "co_loop_call_soon_threadsafe (debug mode refused the call)")         \
    X(CO_EWRITE, -71, "writing the report failed: the file said no (is the " \
      "disk full, or the file closed?)")

/** Error codes: 0 is success, every error is negative. Codes from
 *  CO_EUSER downwards are free for applications to use as their own
 *  failure codes (co_strerror() calls them "an application error"). */
enum co_error {
    CO_OK = 0,
#define CO__ENUM(name, value, text) name = value,
    CO__ERRORS(CO__ENUM)
#undef CO__ENUM
    CO_EUSER = -1000
};

/** @var CO_OK
 *  0: success. Every function that can fail returns it when it did not. */
/** @var CO_EUSER
 *  -1000: the first code free for applications; codes at or below it are
 *  yours (a job's or a coroutine's own failures). */

/** A sentence explaining @p code, for people. Never NULL; the string is
 *  static. Unknown codes at or below CO_EUSER get "an application error".
 *  @param code 0, a CO_E... code, or an application's code (CO_EUSER and
 *      below)
 *  @return the sentence, a static string */
CO_API const char *co_strerror(int code);

/** The code's name ("CO_EINVAL"), for logs and test messages. Never NULL.
 *  @param code 0 or a CO_E... code
 *  @return the name, a static string: "CO_EUSER" for any application
 *      code, "CO_E?" for a code coflow does not have */
CO_API const char *co_errname(int code);

#endif
