/* coro.c - what the coroutine macros of coflow/coro.h call: returning,
 * failing, unwinding into CO_FINALLY, and awaiting a child coroutine.
 * Introduced in lesson 03 (by hand) and lesson 05 (await). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coro_internal.h"

CO__TLS co__thread co__this_thread; /* see coro_internal.h */
const co__coro_watch *_Atomic co__coro_watcher; /* see coro_internal.h */

void co__throw(co_coro *co, int code, char *msg)
{
    free(co__this_thread.caught_msg);
    co__this_thread.caught_msg = msg;
    co->thrown = code;
}

void co__clear_caught_slow(void)
{
    free(co__this_thread.caught_msg);
    co__this_thread.caught_msg = NULL;
    free(co__this_thread.child_str);
    co__this_thread.child_str = NULL;
}

void co__free_outcome(co_coro *co)
{
    if (co->err) {
        free(co->out.msg);
        co->out.msg = NULL;
    } else if (co->flags & CO__F_STR) {
        free(co->out.p);
        co->out.p = NULL;
        co->flags &= (unsigned char)~CO__F_STR;
    }
}

void co__drop_outcome(co_coro *co)
{
    co__free_outcome(co);
    co->out.i = 0;
    co->err = 0;
    co->kind = CO_KIND_NONE;
}

const char *co_caught_message(void)
{
    return co__this_thread.caught_msg;
}

int co_coro_init(co_coro *co, co_coro_fn fn)
{
    if (!co || !fn)
        return CO_EINVAL;
    /* The header may be uninitialised memory: trust nothing in it. */
    co__coro_taken(co); /* debug mode forgets what was here */
    memset(co, 0, sizeof *co);
    co->fn = fn;
    return 0;
}

_Atomic int co__coro_naming; /* set with co__coro_watcher (coro.h) */

void co__coro_made(co_coro *co, const char *name, const char *file, int line)
{
    const co__coro_watch *w =
        atomic_load_explicit(&co__coro_watcher, memory_order_relaxed);
    if (w)
        w->made(co, name, file, line);
}

co_coro *co_coro_new(size_t size, co_coro_fn fn)
{
    if (size < sizeof(co_coro) || !fn || size > ((size_t)-1) / 2)
        return NULL;
    /* Room for a task in front: one allocation for task and frame. */
    char *block = calloc(1, CO__CORO_ROOM + size);
    if (!block)
        return NULL;
    co_coro *co = (co_coro *)(void *)(block + CO__CORO_ROOM);
    co->fn = fn;
    co->flags = CO__F_OWNED;
    return co;
}

co_coro *co_coro_new_init(size_t size, co_coro_fn fn, const void *init)
{
    co_coro *co = init ? co_coro_new(size, fn) : NULL;
    if (!co)
        return NULL;
    memcpy((char *)co + sizeof *co, (const char *)init + sizeof *co,
           size - sizeof *co);
    /* CO_CORO marks the frame of a CO_ASYNC coroutine (co_future_repr may
     * then ask its step function for its name); nothing else is taken. */
    co->flags |= ((const co_coro *)init)->flags & CO__F_ASYNC;
    return co;
}

void co_coro_free(co_coro *co)
{
    if (!co)
        return;
    co__coro_taken(co);
    co__drop_outcome(co);
    if ((co->flags & CO__F_OWNED) && !(co->flags & CO__F_INTASK))
        free((char *)co - CO__CORO_ROOM);
}

/* A step function may only return a CO_STATUS_ value (co__settle checks).
 * Anything else is almost always a `return rc;` written in a coroutine
 * body, as one would in a plain function: the coroutine is then ended with
 * that failure (or CO_EINVAL for a value that is no failure code) and a
 * message saying what to write instead, rather than being taken for
 * suspended for ever. */
int co__bad_status(co_coro *co, int status)
{
    char msg[320];
    snprintf(msg, sizeof msg,
             "the coroutine returned %d%s%s%s from its body, which is not a "
             "CO_STATUS_ value: a coroutine fails with CO_RAISE(co, code, "
             "message) and ends with CO_RETURN or CO_END, never with a bare "
             "return",
             status, status < 0 ? " (" : "",
             status < 0 ? co_errname(status) : "", status < 0 ? ")" : "");
    co__drop_outcome(co);
    co->err = status < 0 ? status : CO_EINVAL;
    co->out.msg = co__strdup(msg);
    return co__finish(co);
}

int co_coro_step(co_coro *co)
{
    if (!co || !co->fn)
        return CO_EINVAL;
    co__coro_taken(co);
    int status = co__settle(co, co->fn(co));
    co__clear_caught();
    return status;
}

int co_coro_done(const co_coro *co)
{
    return co && co->lc == CO__LC_DONE;
}

int co_coro_error(const co_coro *co, const char **message)
{
    if (message)
        *message = NULL;
    if (!co)
        return CO_EINVAL;
    if (co->lc != CO__LC_DONE)
        return CO_ESTATE;
    if (message && co->err)
        *message = co->out.msg;
    return co->err;
}

static int result_check(const co_coro *co, int kind)
{
    if (!co)
        return CO_EINVAL;
    if (co->lc != CO__LC_DONE)
        return CO_ESTATE;
    if (co->err)
        return co->err;
    if (co->kind != CO_KIND_NONE && co->kind != kind)
        return CO_EKIND;
    return 0;
}

int co_coro_result_int(const co_coro *co, long long *out)
{
    int rc = result_check(co, CO_KIND_INT);
    if (rc == 0 && out)
        *out = co->kind == CO_KIND_INT ? co->out.i : 0;
    return rc;
}

int co_coro_result_ptr(const co_coro *co, void **out)
{
    int rc = result_check(co, CO_KIND_PTR);
    if (rc == 0 && out)
        *out = co->kind == CO_KIND_PTR ? co->out.p : NULL;
    return rc;
}

int co_coro_result_str(const co_coro *co, const char **out)
{
    int rc = result_check(co, CO_KIND_STR);
    if (rc == 0 && out)
        *out = co->kind == CO_KIND_STR ? co->out.p : NULL;
    return rc;
}

int co_coro_result_kind(const co_coro *co)
{
    int rc = result_check(co, co ? co->kind : 0);
    return rc < 0 ? rc : co->kind;
}

/* ---- the macros' helpers ------------------------------------------------ */

/* Leaves the body: into CO_FINALLY if there is one and it has not started
 * yet, otherwise straight to CO_END (its `default:` label catches both). */
static void unwind(co_coro *co)
{
    co->callee = NULL;
    co->lc = (co->flags & CO__F_FINALLY) ? CO__LC_EXIT : CO__LC_FINALLY;
}

int co__finish(co_coro *co)
{
    co->lc = CO__LC_DONE;
    co->flags &= (unsigned char)~CO__F_FINALLY;
    co->callee = NULL;
    co->thrown = 0;
    return CO_STATUS_DONE;
}

static void fail(co_coro *co, int code, char *msg)
{
    co__drop_outcome(co);
    co->err = code;
    co->out.msg = msg;
    unwind(co);
}

void co__raise_thrown(co_coro *co)
{
    int code = co->thrown;
    co->thrown = 0;
    char *msg = co__this_thread.caught_msg;
    co__this_thread.caught_msg = NULL;
    fail(co, code, msg);
}

int co__catch_thrown(co_coro *co)
{
    int code = co->thrown;
    co->thrown = 0;
    return code;
}

/* Returning from inside CO_FINALLY drops the failure on its way out, as a
 * `return` in Python's `finally:` does. */
void co__return_int(co_coro *co, long long v)
{
    co__drop_outcome(co);
    co->kind = CO_KIND_INT;
    co->out.i = v;
    unwind(co);
}

void co__return_ptr(co_coro *co, void *p)
{
    co__drop_outcome(co);
    co->kind = CO_KIND_PTR;
    co->out.p = p;
    unwind(co);
}

void co__return_str(co_coro *co, const char *s)
{
    char *copy = s ? co__strdup(s) : NULL;
    if (s && !copy) {
        fail(co, CO_ENOMEM,
             co__strdup("CO_RETURN_STR could not copy the string"));
        return;
    }
    co__drop_outcome(co);
    if (copy) {
        co->kind = CO_KIND_STR;
        co->out.p = copy;
        co->flags |= CO__F_STR;
    }
    unwind(co);
}

void co__return_fmt(co_coro *co, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fail(co, CO_EINVAL,
             co__strdup("CO_RETURN_FMT could not format its string"));
        return;
    }
    if ((size_t)n < sizeof small) {
        co__return_str(co, small);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        fail(co, CO_ENOMEM, co__strdup("CO_RETURN_FMT ran out of memory"));
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    co__return_str(co, big);
    free(big);
}

/* CO_ASYNC's step function, asked who it is (CO__F_QUERY): the answer goes
 * into the question's header, which is no coroutine and is never run. */
int co__answer(co_coro *query, const char *name, const char *file, int line)
{
    query->out.p = (void *)(uintptr_t)name;
    query->file = file;
    query->lc = line;
    return CO_STATUS_DONE;
}

void co__raise(co_coro *co, int code, const char *message)
{
    if (code >= 0) {
        fail(co, CO_EINVAL,
             co__strdup("CO_RAISE was given a code that is not negative: "
                        "failures are negative codes (CO_EFAIL, or your own "
                        "at or below CO_EUSER)"));
        return;
    }
    fail(co, code, co__strdup(message));
}

void co__call_start(co_coro *co, co_coro *child)
{
    co->callee = NULL;
    if (!child || !child->fn || child == co)
        co__throw(co, CO_EINVAL, NULL);
    else if (child->lc != 0)
        co__throw(co, CO_EREUSED, NULL);
    else
        co->callee = child;
    if (co->callee)
        co__coro_taken(child);
}

int co__call_step(co_coro *co, co_coro *child)
{
    if (co->callee != child)
        return CO_STATUS_DONE; /* co__call_start refused it: thrown is set */
    int status = co__settle(child, child->fn(child));
    if (status != CO_STATUS_DONE)
        return status;
    co->callee = NULL;
    if (child->flags & CO__F_STR) {
        /* Its string now lives until the end of this step (see
         * co_coro_result_str); the child frame keeps only a view of it. */
        free(co__this_thread.child_str);
        co__this_thread.child_str = child->out.p;
        child->flags &= (unsigned char)~CO__F_STR;
    }
    if (child->err) {
        /* The child's failure moves up: its frame keeps no message. */
        char *msg = child->out.msg;
        child->out.msg = NULL;
        co__throw(co, child->err, msg);
    }
    return CO_STATUS_DONE;
}
