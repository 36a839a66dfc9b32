/* exercise.h - lesson 12: an async generator over the lines that arrive
 * on a pipe.
 *
 * `async for line in lines(fd)` hands out one line at a time, as it
 * arrives: the generator waits until the fd is readable (through the
 * loop, so other tasks run meanwhile), reads what is there, and yields
 * every complete line. At the end of the input (EOF) the generator ends,
 * which the consumer sees as StopAsyncIteration. However it ends, also
 * when the consumer leaves early, its cleanup closes the fd, once. */
#ifndef LESSON12_EXERCISE_H
#define LESSON12_EXERCISE_H

#include <coflow.h>
#include <stddef.h>

/** Room for one line, its '\n' and a terminating NUL included: a line has
 *  at most LINES_MAX - 2 characters. */
#define LINES_MAX 64

/** The frame of the lines generator. The caller sets it up with
 *  co_agen_init(&g->gen, lines), sets @c fd (and zeroes the rest), then
 *  consumes it through &g->gen.it. */
struct lines {
    co_agen gen;          /* the generator's header: first member */
    int fd;               /* argument: the read end of a pipe (owned: closed
                             by the cleanup) */
    char buf[LINES_MAX];  /* bytes read but not handed out yet */
    size_t have;          /* how many bytes of buf are in use */
    int eof;              /* read() returned 0: nothing more will come */
    char line[LINES_MAX]; /* the line being yielded, NUL-terminated, no
                             '\n' */
    int cleanups;         /* how many times the cleanup ran: must end at 1 */
};

/** `async def lines(fd)`: yields each line that arrives on @c fd, as a
 *  pointer to @c line (CO_AGEN_YIELD_PTR), without its '\n'.
 *
 *  - It waits for input with CO_AWAIT_READABLE(co, fd), then read()s what
 *    is there into @c buf; a line may arrive in several pieces, and one
 *    read may bring several lines.
 *  - At EOF it hands out what is left as a last line (if anything is
 *    left: input that ends without '\n'), then ends: the consumer's
 *    `async for` stops (StopAsyncIteration).
 *  - A line longer than LINES_MAX - 2 characters fails the generator with
 *    CO_ELIMIT; a read() error other than EINTR / EAGAIN with CO_ESYS.
 *  - Its cleanup (CO_FINALLY) runs however it ends: at EOF, on a failure,
 *    and when the consumer closes it early (break, aclose). It closes
 *    @c fd and adds one to @c cleanups. */
int lines(co_coro *co);

#endif
