/* solution.c - lesson 15: the reference fetch_one() and fetch_all(). */
#include "exercise.h"

#include <stdio.h>
#include <string.h>

/* Writes the body to dir/NAME, NAME being url's last segment. */
static int save(const char *dir, const char *url, const co_http_response *r)
{
    co_url u;
    char name[256], path[1024];
    int rc = co_url_parse(url, &u);
    if (rc < 0)
        return rc;
    rc = co_url_basename(&u, name, sizeof name);
    co_url_clear(&u);
    if (rc < 0)
        return rc;
    /* The name comes from outside: no empty name, no "." or "..", no
     * slash or NUL inside it (a "%2F" or "%00" decodes to one). */
    if (rc == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strchr(name, '/') || strlen(name) != (size_t)rc)
        return CO_EURL;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return CO_EINVAL;
    FILE *f = fopen(path, "wb");
    if (!f)
        return CO_ESYS;
    size_t put = fwrite(r->body, 1, r->body_len, f);
    if (fclose(f) != 0 || put != r->body_len) {
        remove(path);
        return CO_ESYS;
    }
    return 0;
}

int fetch_one(co_coro *co)
{
    struct fetch_one *self = (struct fetch_one *)co;
    CO_BEGIN(co);
    CO_SEMAPHORE_ACQUIRE(co, &self->wait, self->sem); /* async with sem: */
    self->holding = 1;
    co_http_request_init(&self->req);
    self->req.url = self->url;
    CO_HTTP_FETCH_CATCH(co, &self->op, self->client, &self->req, self->rc);
    /* `except Exception:` does not catch CancelledError: a cancel that
     * lands during the fetch is not this download's failure but an order
     * to stop, for whoever awaits this task. Let it through. */
    if (self->rc == CO_ECANCELLED)
        CO_RAISE(co, self->rc, co_caught_message());
    if (self->rc == 0)
        self->rc = save(self->dir, self->url, &self->op.resp);
    CO_FINALLY(co);
    co_http_response_clear(&self->op.resp);
    if (self->holding) {
        self->holding = 0;
        co_semaphore_release(self->sem);
    }
    CO_END(co);
}

int fetch_all(co_coro *co)
{
    struct fetch_all *self = (struct fetch_all *)co;
    int saved = 0;
    CO_BEGIN(co);
    if (self->limit < 1 || self->n < 0)
        CO_RAISE(co, CO_EINVAL, "fetch_all: limit must be 1 or more");
    {
        int rc = co_semaphore_new(&self->sem, self->limit);
        if (rc < 0)
            CO_RAISE(co, rc, "fetch_all: no semaphore");
    }
    for (int i = 0; i < self->n; i++) {
        struct fetch_one *one = &self->ones[i];
        co_coro_init(&one->co, fetch_one);
        one->client = self->client;
        one->sem = self->sem;
        one->url = self->urls[i];
        one->dir = self->dir;
        int rc = co_create_task(co_get_running_loop(), &one->co, NULL,
                                &self->tasks[i]);
        if (rc < 0)
            CO_RAISE(co, rc, "fetch_all: could not start a download");
    }
    for (self->i = 0; self->i < self->n; self->i++) {
        CO_AWAIT(co, co_task_future(self->tasks[self->i]));
        self->results[self->i] = self->ones[self->i].rc;
    }
    for (int i = 0; i < self->n; i++)
        saved += self->results[i] == 0;
    CO_RETURN(co, saved);
    CO_FINALLY(co);
    /* Cancelled, or failed half-way: the downloads still running use the
     * semaphore and the frames, so none may outlive fetch_all. Cancel
     * them and wait until each has ended (its own finally gives its place
     * back); only then is the semaphore free of waiters. On a normal end
     * every task is done and this does nothing. */
    for (int i = 0; i < self->n; i++)
        if (self->tasks[i])
            co_task_cancel(self->tasks[i]);
    for (self->i = 0; self->i < self->n; self->i++)
        if (self->tasks[self->i] && !co_task_done(self->tasks[self->i]))
            CO_AWAIT_CATCH(co, co_task_future(self->tasks[self->i]),
                           self->caught);
    for (int i = 0; i < self->n; i++) {
        co_task_unref(self->tasks[i]);
        self->tasks[i] = NULL;
    }
    co_semaphore_free(self->sem);
    self->sem = NULL;
    CO_END(co);
}
