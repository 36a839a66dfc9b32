/* streams_reader_rules: StreamReader over a socketpair with limit=8: a
 * line may be the limit plus its newline; readuntil over the limit fails
 * (LimitOverrunError, CO_ELIMIT) and consumes nothing; readline over the
 * limit drops the line and fails; at end of file readexactly fails
 * (IncompleteReadError, CO_EINCOMPLETE) with what arrived, read() gives
 * no bytes and at_eof() is true. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conformance.h"

/* The bytes as Python prints them: b'...' (ASCII with \n escaped). */
static const char *py_bytes(const char *p, size_t n)
{
    static char out[256];
    size_t o = 0;
    out[o++] = 'b';
    out[o++] = '\'';
    for (size_t i = 0; i < n && o < sizeof out - 4; i++) {
        if (p[i] == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            out[o++] = p[i];
        }
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}

struct main_f {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    int caught;
    char buf[64];
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    CO_BEGIN(co);
    {
        int sv[2];
        socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
        co_stream_opts o;
        co_stream_opts_init(&o);
        o.limit = 8;
        co_stream_from_fd(LOOP(), sv[0], &o, &self->s);
        const char *text = "12345678\n123456789\nABCDEFGHIJ;ok\nrest";
        if (write(sv[1], text, strlen(text)) < 0)
            trace("write failed");
        close(sv[1]);
    }
    CO_STREAM_READLINE(co, &self->op, self->s, self->buf, sizeof self->buf);
    trace("readline: %s", py_bytes(self->buf, self->op.n));
    co_stream_readline_op(&self->op, self->s, self->buf, sizeof self->buf);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
    if (self->caught == CO_ELIMIT)
        trace("readline: line too long, dropped");
    co_stream_readuntil_op(&self->op, self->s, self->buf, sizeof self->buf,
                           ";", 1);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
    if (self->caught == CO_ELIMIT)
        trace("readuntil: limit overrun, nothing consumed");
    CO_STREAM_READEXACTLY(co, &self->op, self->s, self->buf, 11);
    trace("readexactly: %s", py_bytes(self->buf, self->op.n));
    CO_STREAM_READLINE(co, &self->op, self->s, self->buf, sizeof self->buf);
    trace("readline: %s", py_bytes(self->buf, self->op.n));
    co_stream_readexactly_op(&self->op, self->s, self->buf, 10);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->caught);
    if (self->caught == CO_EINCOMPLETE)
        trace("readexactly: incomplete, partial %s",
              py_bytes(self->buf, self->op.n));
    CO_STREAM_READ(co, &self->op, self->s, self->buf, 100);
    trace("read: %s at_eof: %s", py_bytes(self->buf, self->op.n),
          co_stream_at_eof(self->s) ? "True" : "False");
    co_stream_close(self->s);
    CO_STREAM_WAIT_CLOSED(co, &self->op, self->s);
    CO_FINALLY(co);
    co_stream_free(self->s);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m;
    memset(&m, 0, sizeof m);
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
