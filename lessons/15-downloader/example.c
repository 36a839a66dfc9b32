/* example.c - lesson 15: the notes' downloader, for real, on loopback.
 *
 * A coflow server on 127.0.0.1 (co_start_server) stands in for the
 * internet: it serves four "images", each after its own delay (0.1 to
 * 0.4 s), so that the order of events is the same on every run. Part 1 is
 * the notes' requests.get, a blocking fetch, run in the loop's thread pool
 * and awaited one after the other: the sum of the delays. Part 2 is the
 * notes' exact code: all four blocking fetches handed to the pool at
 * once: the longest delay. Part 3 does it with coflow's HTTP client over
 * streams, no thread at all, at most N at once with a semaphore, saving
 * each body under its URL's last segment. Part 4 shows what goes wrong:
 * a refused connection, a 404 and a timeout. */
#include <coflow.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double t0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double elapsed(void)
{
    return now() - t0;
}

/* ---- the stand-in for the internet -------------------------------------- */

static const char *const names[] = {"cat.jpg", "dog.png", "owl.gif",
                                    "fox.jpg"};
#define NIMAGES 4

static int image_index(const char *name)
{
    for (int i = 0; i < NIMAGES; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* The bytes of image i: made up, but each file its own size. */
static size_t image_body(int i, char *buf, size_t size)
{
    size_t len = 0;
    for (int k = 0; k < 100 * (i + 1) && len + 16 < size; k++)
        buf[len++] = (char)('a' + (k + i) % 26);
    return len;
}

/* One connection: read a request, wait the image's delay, answer, close. */
struct handler {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    int rc;
    char head[2048];
    char path[256];
    char out[1024];
};

static int handler_step(co_coro *co)
{
    struct handler *self = (struct handler *)co;
    int i, len;
    CO_BEGIN(co);
    co_stream_readuntil_op(&self->op, self->s, self->head,
                           sizeof self->head - 1, "\r\n\r\n", 4);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
    if (self->rc || self->op.n == 0)
        CO_RETURN(co, 0);
    self->head[self->op.n] = '\0';
    if (sscanf(self->head, "%*s %255s", self->path) != 1)
        CO_RETURN(co, 0);
    if (strcmp(self->path, "/stall") == 0) {
        /* Never answers: waits until the client gives up and closes. */
        co_stream_read_op(&self->op, self->s, self->head, sizeof self->head);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
        CO_RETURN(co, 0);
    }
    i = strncmp(self->path, "/images/", 8) == 0 ? image_index(self->path + 8)
                                                : -1;
    if (i >= 0)
        CO_SLEEP(co, 0.1 * (i + 1)); /* the network, slow as it is */
    i = strncmp(self->path, "/images/", 8) == 0 ? image_index(self->path + 8)
                                                : -1;
    if (i >= 0) {
        char body[512];
        size_t n = image_body(i, body, sizeof body);
        len = snprintf(self->out, sizeof self->out,
                       "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                       "Connection: close\r\n\r\n%.*s",
                       n, (int)n, body);
    } else {
        len = snprintf(self->out, sizeof self->out,
                       "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n"
                       "Connection: close\r\n\r\nnot found");
    }
    co_stream_write(self->s, self->out, (size_t)len);
    co_stream_drain_op(&self->op, self->s);
    CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
    CO_END(co);
}

static co_coro *handler_factory(co_stream *s, void *arg)
{
    (void)arg;
    struct handler *h = CO_NEW(struct handler, handler_step);
    if (h)
        h->s = s;
    return h ? &h->co : NULL;
}

static int port;       /* the server's */
static char dir[64];   /* where the images are saved */

/* ---- parts 1 and 2: requests.get, a blocking fetch, in the pool --------- */

struct blocking_get {
    const char *name; /* argument: which image */
    size_t len;       /* result: the body's length */
    char body[1024];  /* result: the body */
};

/* requests.get(url): blocks its thread until the whole answer is in. A
 * bare HTTP/1.0 GET with POSIX sockets; returns the status, or a negative
 * code. (A real one would also check the head: coflow's client does.) */
static long long blocking_get(void *arg)
{
    struct blocking_get *g = arg;
    char buf[2048];
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return CO_ESYS;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return CO_ECONNREFUSED;
    }
    int n = snprintf(buf, sizeof buf, "GET /images/%s HTTP/1.0\r\n\r\n",
                     g->name);
    if (write(fd, buf, (size_t)n) != n) {
        close(fd);
        return CO_ESYS;
    }
    for (;;) {
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    const char *body = strstr(buf, "\r\n\r\n");
    int status = 0;
    if (!body || sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return CO_EHTTPPROTO;
    body += 4;
    g->len = got - (size_t)(body - buf);
    memcpy(g->body, body, g->len);
    return status;
}

struct in_pool {
    co_coro co;
    int all_at_once;                  /* argument */
    struct blocking_get gets[NIMAGES];
    co_future *futs[NIMAGES];
    int i;
};

static int in_pool_step(co_coro *co)
{
    struct in_pool *self = (struct in_pool *)co;
    co_loop *loop = co_get_running_loop();
    CO_BEGIN(co);
    for (self->i = 0; self->i < NIMAGES; self->i++) {
        self->gets[self->i].name = names[self->i];
        printf("t=%.2fs start %s\n", elapsed(), names[self->i]);
        /* loop.run_in_executor(None, requests.get, url) */
        int rc = co_loop_run_in_executor(loop, NULL, blocking_get,
                                         &self->gets[self->i],
                                         &self->futs[self->i]);
        if (rc < 0)
            CO_RAISE(co, rc, "could not hand the fetch to the pool");
        if (!self->all_at_once) {
            CO_AWAIT(co, self->futs[self->i]);
            printf("t=%.2fs done  %s: %zu bytes\n", elapsed(),
                   names[self->i], self->gets[self->i].len);
        }
    }
    if (self->all_at_once) {
        for (self->i = 0; self->i < NIMAGES; self->i++) {
            CO_AWAIT(co, self->futs[self->i]);
            printf("t=%.2fs done  %s: %zu bytes\n", elapsed(),
                   names[self->i], self->gets[self->i].len);
        }
    }
    CO_FINALLY(co);
    for (int i = 0; i < NIMAGES; i++)
        co_future_unref(self->futs[i]);
    CO_END(co);
}

/* ---- part 3: the HTTP client, at most `limit` at once ------------------- */

static int downloading; /* downloads holding a place of the semaphore */

struct download {
    co_coro co;
    co_http_client *client;
    co_semaphore *sem;
    const char *name;
    char url[128];
    co_wait_op wait;
    co_http_request req;
    co_http_op op;
    int holding;
    int rc;
};

/* Writes the body to dir/NAME, NAME the URL's last segment. */
static int save(const char *url, const co_http_response *r, char *name,
                size_t size)
{
    co_url u;
    char path[256];
    int rc = co_url_parse(url, &u);
    if (rc < 0)
        return rc;
    rc = co_url_basename(&u, name, size);
    co_url_clear(&u);
    if (rc <= 0 || strchr(name, '/') || strcmp(name, "..") == 0 ||
        strcmp(name, ".") == 0)
        return rc < 0 ? rc : CO_EURL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return CO_ESYS;
    size_t put = fwrite(r->body, 1, r->body_len, f);
    return fclose(f) == 0 && put == r->body_len ? 0 : CO_ESYS;
}

/* async def download(session, sem, url):
 *     async with sem:
 *         resp = await session.get(url)
 *         open(url.rsplit('/')[-1], 'wb').write(await resp.read()) */
static int download_step(co_coro *co)
{
    struct download *self = (struct download *)co;
    CO_BEGIN(co);
    CO_SEMAPHORE_ACQUIRE(co, &self->wait, self->sem);
    self->holding = 1;
    downloading++;
    printf("t=%.2fs start %s (%d downloading)\n", elapsed(), self->name,
           downloading);
    co_http_request_init(&self->req);
    self->req.url = self->url;
    CO_HTTP_FETCH(co, &self->op, self->client, &self->req);
    {
        char name[64];
        int rc = save(self->url, &self->op.resp, name, sizeof name);
        if (rc < 0)
            CO_RAISE(co, rc, "could not save the image");
        printf("t=%.2fs saved %s: %zu bytes\n", elapsed(), name,
               self->op.resp.body_len);
    }
    CO_FINALLY(co);
    co_http_response_clear(&self->op.resp);
    if (self->holding) {
        downloading--;
        co_semaphore_release(self->sem);
    }
    self->holding = 0;
    CO_END(co);
}

struct limited {
    co_coro co;
    co_http_client *client;          /* argument */
    int limit;                       /* argument */
    co_semaphore *sem;
    struct download dls[NIMAGES];
    co_task *tasks[NIMAGES];
    int i;
    int caught;                      /* a failure met while cleaning up */
};

static int limited_step(co_coro *co)
{
    struct limited *self = (struct limited *)co;
    CO_BEGIN(co);
    {
        int rc = co_semaphore_new(&self->sem, self->limit);
        if (rc < 0)
            CO_RAISE(co, rc, "no semaphore");
    }
    for (int i = 0; i < NIMAGES; i++) {
        struct download *d = &self->dls[i];
        co_coro_init(&d->co, download_step);
        d->client = self->client;
        d->sem = self->sem;
        d->name = names[i];
        snprintf(d->url, sizeof d->url, "http://127.0.0.1:%d/images/%s", port,
                 names[i]);
        int rc = co_create_task(co_get_running_loop(), &d->co, NULL,
                                &self->tasks[i]);
        if (rc < 0)
            CO_RAISE(co, rc, "could not start a download");
    }
    for (self->i = 0; self->i < NIMAGES; self->i++)
        CO_AWAIT(co, co_task_future(self->tasks[self->i]));
    CO_FINALLY(co);
    /* Cancelled half-way: no download may outlive the semaphore. */
    for (int i = 0; i < NIMAGES; i++)
        if (self->tasks[i])
            co_task_cancel(self->tasks[i]);
    for (self->i = 0; self->i < NIMAGES; self->i++)
        if (self->tasks[self->i] && !co_task_done(self->tasks[self->i]))
            CO_AWAIT_CATCH(co, co_task_future(self->tasks[self->i]),
                           self->caught);
    for (int i = 0; i < NIMAGES; i++)
        co_task_unref(self->tasks[i]);
    co_semaphore_free(self->sem);
    CO_END(co);
}

/* ---- part 4: what goes wrong -------------------------------------------- */

struct failing {
    co_coro co;
    co_http_client *client;  /* argument */
    const char *what;        /* argument */
    char url[128];           /* argument */
    double timeout;          /* argument */
    co_http_request req;
    co_http_op op;
    int rc;
};

static int failing_step(co_coro *co)
{
    struct failing *self = (struct failing *)co;
    CO_BEGIN(co);
    co_http_request_init(&self->req);
    self->req.url = self->url;
    self->req.timeout = self->timeout;
    CO_HTTP_FETCH_CATCH(co, &self->op, self->client, &self->req, self->rc);
    if (self->rc == CO_ECANCELLED) /* not the fetch's failure: let it go */
        CO_RAISE(co, self->rc, co_caught_message());
    printf("t=%.2fs %s: %s", elapsed(), self->what, co_errname(self->rc));
    if (self->rc == CO_EHTTPSTATUS)
        printf(" (status %d)", self->op.resp.status);
    printf("\n");
    CO_FINALLY(co);
    co_http_response_clear(&self->op.resp);
    CO_END(co);
}

/* Server.wait_closed(): until the server's clients have ended. */
struct closer {
    co_coro co;
    co_server *srv;
    co_server_op op;
};

static int closer_step(co_coro *co)
{
    struct closer *self = (struct closer *)co;
    CO_BEGIN(co);
    CO_SERVER_WAIT_CLOSED(co, &self->op, self->srv);
    CO_END(co);
}

/* ---- main ---------------------------------------------------------------- */

static int run(co_loop *loop, co_coro *co)
{
    co_task *t;
    int rc = co_create_task(loop, co, NULL, &t);
    if (rc < 0)
        return rc;
    t0 = now();
    rc = co_loop_run_until_complete(loop, co_task_future(t));
    co_task_unref(t);
    return rc;
}

int main(void)
{
    co_loop *loop;
    co_server *srv;
    co_http_client *client;
    int rc, failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    strcpy(dir, "/tmp/lesson15-example-XXXXXX");
    if (!mkdtemp(dir) || co_loop_new(&loop) < 0)
        return 1;
    if (co_start_server(loop, "127.0.0.1", 0, handler_factory, NULL, NULL,
                        &srv) < 0 ||
        co_http_client_new(loop, NULL, &client) < 0)
        return 1;
    port = co_server_port(srv);

    printf("-- part 1: requests.get in the pool, awaited one after the "
           "other\n");
    struct in_pool p1 = {.all_at_once = 0};
    co_coro_init(&p1.co, in_pool_step);
    failed |= run(loop, &p1.co) != 0;
    printf("t=%.2fs all four: the sum of 0.1 + 0.2 + 0.3 + 0.4\n", elapsed());

    printf("-- part 2: requests.get in the pool, all handed over at once\n");
    struct in_pool p2 = {.all_at_once = 1};
    co_coro_init(&p2.co, in_pool_step);
    failed |= run(loop, &p2.co) != 0;
    printf("t=%.2fs all four: the longest, 0.4\n", elapsed());

    for (int limit = 2; limit <= 4; limit += 2) {
        printf("-- part 3: the HTTP client, at most %d at once\n", limit);
        struct limited p3;
        memset(&p3, 0, sizeof p3);
        p3.client = client;
        p3.limit = limit;
        co_coro_init(&p3.co, limited_step);
        failed |= run(loop, &p3.co) != 0;
        printf("t=%.2fs all four saved in %s\n", elapsed(),
               limit == 2 ? "0.6: cat+owl on one place, dog+fox on the other"
                          : "0.4: the longest");
    }

    printf("-- part 4: what goes wrong\n");
    {
        /* A port bound but not listening: every connect is refused. */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {0};
        socklen_t len = sizeof sa;
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
            getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
            return 1;
        struct failing f[3];
        memset(f, 0, sizeof f);
        f[0].what = "nobody listens";
        snprintf(f[0].url, sizeof f[0].url, "http://127.0.0.1:%d/images/x.jpg",
                 ntohs(sa.sin_port));
        f[1].what = "no such image ";
        snprintf(f[1].url, sizeof f[1].url,
                 "http://127.0.0.1:%d/images/yak.jpg", port);
        f[2].what = "never answers ";
        snprintf(f[2].url, sizeof f[2].url, "http://127.0.0.1:%d/stall", port);
        f[2].timeout = 0.2;
        for (int i = 0; i < 3; i++) {
            f[i].client = client;
            co_coro_init(&f[i].co, failing_step);
            failed |= run(loop, &f[i].co) != 0;
        }
        close(fd);
    }

    /* Tidy up: the client's idle connections, the server, the images. */
    rc = co_http_client_free(client);
    co_server_close(srv);
    struct closer cl = {.srv = srv};
    co_coro_init(&cl.co, closer_step);
    failed |= run(loop, &cl.co) != 0;
    failed |= rc != 0 || co_server_free(srv) != 0;
    co_loop_close(loop);
    for (int i = 0; i < NIMAGES; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
    return failed;
}
