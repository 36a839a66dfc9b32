/* wakeup.c - the self-pipe doorbell and the queue of threadsafe calls.
 * Introduced in lesson 10. The ordering below is what keeps a wakeup from
 * being lost: a poster queues its call *before* ringing, and the loop clears
 * the bell *before* taking the queue. Any call the loop did not take was
 * queued after the clear, so its poster rang again and the loop will look. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "base.h"
#include "wakeup.h"

static int nonblocking_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int co__chan_new(co__chan **out)
{
    co__chan *c = calloc(1, sizeof *c);
    if (!c)
        return CO_ENOMEM;
    int fds[2];
    if (pipe(fds) < 0) {
        free(c);
        return CO_ESYS;
    }
    if (nonblocking_cloexec(fds[0]) < 0 || nonblocking_cloexec(fds[1]) < 0 ||
        pthread_mutex_init(&c->lock, NULL) != 0) {
        close(fds[0]);
        close(fds[1]);
        free(c);
        return CO_ESYS;
    }
    c->rfd = fds[0];
    c->wfd = fds[1];
    atomic_init(&c->pending, 0);
    atomic_init(&c->refs, 1);
    *out = c;
    return 0;
}

co__chan *co__chan_ref(co__chan *c)
{
    atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void co__chan_unref(co__chan *c)
{
    if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    /* The pipe closes only now: a late poster may still ring it, and must
     * never write into a descriptor number that was reused meanwhile. */
    close(c->rfd);
    close(c->wfd);
    pthread_mutex_lock(&c->lock); /* after the last poster, for helgrind */
    pthread_mutex_unlock(&c->lock);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

bool co__chan_closed(co__chan *c)
{
    pthread_mutex_lock(&c->lock);
    bool closed = c->closed;
    pthread_mutex_unlock(&c->lock);
    return closed;
}

void co__chan_wake(co__chan *c)
{
    /* Only the first ring since the loop last looked writes a byte. A full
     * pipe (EAGAIN) is fine: the loop has a byte to wake on already. */
    if (atomic_exchange_explicit(&c->pending, 1, memory_order_acq_rel) == 0) {
        ssize_t n = write(c->wfd, "", 1);
        (void)n;
    }
}

int co__chan_post(co__chan *c, co_callback fn, co_callback drop, void *arg)
{
    co__tscall *call = malloc(sizeof *call);
    if (!call)
        return CO_ENOMEM;
    call->fn = fn;
    call->drop = drop;
    call->arg = arg;
    call->next = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->closed) {
        pthread_mutex_unlock(&c->lock);
        free(call);
        return CO_ECLOSED;
    }
    if (c->tail)
        c->tail->next = call;
    else
        c->head = call;
    c->tail = call;
    pthread_mutex_unlock(&c->lock);
    co__chan_wake(c); /* after queueing: see the note at the top */
    return 0;
}

void co__chan_drain(co__chan *c)
{
    char buf[64];
    while (read(c->rfd, buf, sizeof buf) > 0)
        continue;
}

co__tscall *co__chan_take(co__chan *c)
{
    atomic_store_explicit(&c->pending, 0, memory_order_seq_cst);
    pthread_mutex_lock(&c->lock);
    co__tscall *list = c->head;
    c->head = c->tail = NULL;
    pthread_mutex_unlock(&c->lock);
    return list;
}

void co__chan_close(co__chan *c)
{
    pthread_mutex_lock(&c->lock);
    c->closed = true;
    co__tscall *list = c->head;
    c->head = c->tail = NULL;
    pthread_mutex_unlock(&c->lock);
    while (list) {
        co__tscall *next = list->next;
        if (list->drop)
            list->drop(list->arg);
        free(list);
        list = next;
    }
}
