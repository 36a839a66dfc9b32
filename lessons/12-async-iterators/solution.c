/* solution.c - lesson 12: the lines generator. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "exercise.h"

/* Moves the first n bytes of buf into line (NUL-terminated), drops them
 * and, if skip, the '\n' after them. */
static void take_line(struct lines *self, size_t n, int skip)
{
    memcpy(self->line, self->buf, n);
    self->line[n] = '\0';
    n += (size_t)skip;
    memmove(self->buf, self->buf + n, self->have - n);
    self->have -= n;
}

int lines(co_coro *co)
{
    struct lines *self = (struct lines *)co;
    char *nl;
    ssize_t n;
    CO_BEGIN(co);
    for (;;) {
        /* Read until buf holds a whole line, or the input is over. */
        while (!(nl = memchr(self->buf, '\n', self->have)) && !self->eof) {
            if (self->have >= LINES_MAX - 1)
                CO_RAISE(co, CO_ELIMIT, "a line is too long");
            CO_AWAIT_READABLE(co, self->fd);
            n = read(self->fd, self->buf + self->have,
                     LINES_MAX - 1 - self->have);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n < 0)
                CO_RAISE(co, CO_ESYS, "reading the pipe failed");
            if (n == 0)
                self->eof = 1;
            self->have += (size_t)n;
        }
        if (nl)
            take_line(self, (size_t)(nl - self->buf), 1);
        else if (self->have > 0)
            take_line(self, self->have, 0); /* the last, without '\n' */
        else
            break; /* EOF and nothing left: the end */
        CO_AGEN_YIELD_PTR(co, self->line);
    }
    CO_FINALLY(co);
    close(self->fd);
    self->cleanups++;
    CO_END(co);
}
