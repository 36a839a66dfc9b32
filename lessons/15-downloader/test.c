/* test.c - the grader of lesson 15: fetch_one() and fetch_all() download
 * every file, save it under its name, keep to the limit, and let one
 * failure not stop the others.
 *
 * The grader's server is coflow's own (co_start_server) on a loopback
 * port, on the test's loop. It counts the requests it is serving, and the
 * evidence is those counts, not the clock: each request is held until as
 * many are in flight as the limit allows (the limit, or every request not
 * yet answered if fewer are left), so a correct solution reaches exactly
 * the limit and one that goes one at a time never does; one that ignores
 * the limit goes over it (the server waits SETTLE seconds more before
 * answering, which only lets extra requests show up: a correct solution
 * sends none meanwhile). A request held for patience() seconds makes the
 * server stop holding anything (the test then fails with a sentence).
 *
 * To cancel in the middle of a download, the server itself cancels
 * fetch_all's task the moment a request has arrived, and leaves that
 * request unanswered: the cancel is sure to land while a fetch is in
 * flight, an event and not a moment. */
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exercise.h"
#include "grader.h"

/* How long the grader waits for anything: well within Check's timeout in
 * fork mode, far longer without fork (valgrind), as lesson 09 does. */
static double patience(void)
{
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && strcmp(fork_mode, "no") == 0)
        return 20.0;
    const char *t = getenv("CK_DEFAULT_TIMEOUT");
    const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
    double timeout = t ? atof(t) : 4.0;
    if (!(timeout > 0))
        timeout = 4.0;
    if (m && atof(m) > 0)
        timeout *= atof(m);
    return 0.3 * timeout;
}

/* ---- the server's counts (all on the loop's thread) --------------------- */

/* Seconds a request is held once the limit is reached. */
#define SETTLE 0.05

static int hold;          /* hold a request until this many are in flight */
static int expected;      /* requests the test will make in all */
static int in_flight;     /* requests being served now */
static int max_in_flight; /* the most at once */
static int answered;      /* requests answered */
static int gave_up;       /* a request was held too long: hold no more */
static int received;      /* requests that reached the server */
static co_task *cancel_on_request; /* cancelled by the next request, once */

/* The body of /files/NAME: NAME's own bytes, so a mix-up shows. */
static void body_of(const char *name, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; len + 64 < size && i < 40 + (int)strlen(name) * 7; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s line %d\n", name,
                                i);
}

static int ready(void)
{
    int want = hold < expected - answered ? hold : expected - answered;
    return in_flight >= want;
}

struct handler {
    co_coro co;
    co_stream *s;
    co_stream_op op;
    int rc;
    double until;
    char head[2048];
    char path[256];
    char body[4096];
    char out[4400];
};

static int handler_step(co_coro *co)
{
    struct handler *self = (struct handler *)co;
    CO_BEGIN(co);
    for (;;) {
        co_stream_readuntil_op(&self->op, self->s, self->head,
                               sizeof self->head - 1, "\r\n\r\n", 4);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
        if (self->rc || self->op.n == 0)
            break;
        self->head[self->op.n] = '\0';
        self->path[0] = '\0';
        if (sscanf(self->head, "%*s %255s", self->path) != 1)
            break;
        received++;
        if (cancel_on_request) {
            /* Cancel while this request is in flight, and never answer
             * it: the client closes the connection when it gives up. */
            co_task_cancel(cancel_on_request);
            cancel_on_request = NULL;
            continue;
        }
        in_flight++;
        if (in_flight > max_in_flight)
            max_in_flight = in_flight;
        self->until = co_loop_time(co_get_running_loop()) + patience();
        while (!gave_up && !ready()) {
            if (co_loop_time(co_get_running_loop()) > self->until) {
                gave_up = 1;
                break;
            }
            CO_SLEEP(co, 0.002);
        }
        /* A little longer before answering, so that requests sent beyond
         * the limit are seen arriving (a correct solution sends none: its
         * next request waits for this answer). */
        if (!gave_up)
            CO_SLEEP(co, SETTLE);
        {
            int len;
            if (strncmp(self->path, "/files/", 7) == 0) {
                body_of(self->path + 7, self->body, sizeof self->body);
                len = snprintf(self->out, sizeof self->out,
                               "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                               "\r\n%s",
                               strlen(self->body), self->body);
            } else {
                len = snprintf(self->out, sizeof self->out,
                               "HTTP/1.1 404 Not Found\r\n"
                               "Content-Length: 9\r\n\r\nnot found");
            }
            co_stream_write(self->s, self->out, (size_t)len);
        }
        in_flight--;
        answered++;
        co_stream_drain_op(&self->op, self->s);
        CO_AWAIT_CORO_CATCH(co, &self->op.co, self->rc);
        if (self->rc)
            break;
    }
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

/* ---- the folder the files go to ---------------------------------------- */

/* One folder for all the tests, made and removed by the parent process
 * (an unchecked fixture), so that a test that fails half-way in its forked
 * child leaves nothing behind; each test starts with it empty. */
static char folder[64];

static void empty_dir(void)
{
    DIR *d = folder[0] ? opendir(folder) : NULL;
    struct dirent *de;
    char path[512];
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", folder, de->d_name);
        remove(path);
    }
    if (d)
        closedir(d);
}

static void folder_make(void)
{
    strcpy(folder, "/tmp/lesson15-grade-XXXXXX");
    if (!mkdtemp(folder))
        folder[0] = '\0';
}

static void folder_remove(void)
{
    empty_dir();
    if (folder[0])
        rmdir(folder);
}

/* ---- one test's loop, server, client and folder ------------------------- */

#define MAX_URLS 16

struct env {
    co_loop *loop;
    co_server *srv;
    co_http_client *client;
    int port;
    char dir[64];
    char urls[MAX_URLS][128];
    const char *url_list[MAX_URLS];
    int results[MAX_URLS];
    struct fetch_one ones[MAX_URLS];
    co_task *tasks[MAX_URLS];
    struct fetch_all fa;
    co_task *task;
    int rc;
    long long saved;
};

static void env_open(struct env *e, int limit_to_hold, int requests)
{
    memset(e, 0, sizeof *e);
    hold = limit_to_hold;
    expected = requests;
    in_flight = max_in_flight = answered = gave_up = received = 0;
    cancel_on_request = NULL;
    ck_assert_int_eq(co_loop_new(&e->loop), 0);
    ck_assert_int_eq(co_start_server(e->loop, "127.0.0.1", 0, handler_factory,
                                     NULL, NULL, &e->srv),
                     0);
    e->port = co_server_port(e->srv);
    ck_assert_int_gt(e->port, 0);
    ck_assert_int_eq(co_http_client_new(e->loop, NULL, &e->client), 0);
    ck_assert_msg(folder[0] != '\0', "the grader could not make a folder");
    empty_dir();
    strcpy(e->dir, folder);
    for (int i = 0; i < MAX_URLS; i++)
        e->results[i] = 12345; /* not a code: shows a result never stored */
}

static void add_url(struct env *e, int i, const char *path)
{
    snprintf(e->urls[i], sizeof e->urls[i], "http://127.0.0.1:%d%s", e->port,
             path);
    e->url_list[i] = e->urls[i];
}

/* Makes the task of fetch_all, which has not run yet. */
static void start(struct env *e, int n, int limit)
{
    co_coro_init(&e->fa.co, fetch_all);
    e->fa.client = e->client;
    e->fa.urls = e->url_list;
    e->fa.n = n;
    e->fa.limit = limit;
    e->fa.dir = e->dir;
    e->fa.results = e->results;
    e->fa.ones = e->ones;
    e->fa.tasks = e->tasks;
    ck_assert_int_eq(co_create_task(e->loop, &e->fa.co, "fetch_all", &e->task),
                     0);
}

static void run(struct env *e, int n, int limit)
{
    start(e, n, limit);
    e->rc = grade_run_until_complete(e->loop, co_task_future(e->task),
                                     2.5 * patience(), "fetch_all");
    if (e->rc == 0)
        co_task_result_int(e->task, &e->saved);
}

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

static void env_close(struct env *e)
{
    cancel_on_request = NULL; /* the task goes now; no request may use it */
    co_task_unref(e->task);
    grade_expect_int(co_http_client_free(e->client), 0,
                     "freeing the client once fetch_all ended (CO_EBUSY: a "
                     "request of yours was still in progress)");
    co_server_close(e->srv);
    struct closer cl = {.srv = e->srv};
    co_coro_init(&cl.co, closer_step);
    co_task *t;
    ck_assert_int_eq(co_create_task(e->loop, &cl.co, NULL, &t), 0);
    grade_run_until_complete(e->loop, co_task_future(t), patience(),
                             "the grader's server closing");
    co_task_unref(t);
    grade_expect_int(co_server_free(e->srv), 0, "freeing the grader's server");
    grade_expect_all_released(e->loop, "when the test ended");
    co_loop_close(e->loop);
    empty_dir();
}

/* Fails unless dir/NAME holds /files/NAME's body. */
static void expect_file(const struct env *e, const char *name)
{
    char path[256], want[4096], got[4097];
    snprintf(path, sizeof path, "%s/%s", e->dir, name);
    body_of(name, want, sizeof want);
    FILE *f = fopen(path, "rb");
    if (!f)
        ck_abort_msg("no file %s: fetch_one should save each download under "
                     "its URL's last segment, in dir", path);
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = '\0';
    if (n != strlen(want) || memcmp(got, want, n) != 0)
        ck_abort_msg("%s holds %zu bytes, not the %zu the server sent (the "
                     "body, body_len bytes, and nothing else)",
                     path, n, strlen(want));
}

static int file_exists(const struct env *e, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", e->dir, name);
    return stat(path, &st) == 0;
}

static const char *names[] = {"cat.jpg", "dog.png", "owl.gif", "fox.jpg",
                              "bee.png", "elk.gif", "ant.jpg"};

/* URLs 0..n-1 of the test are /files/NAME, in the order of names[]. */
static void add_files(struct env *e, int n)
{
    for (int i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof p, "/files/%s", names[i]);
        add_url(e, i, p);
    }
}

/* After a cancelled fetch_all: download i, if it was started, is over. */
static void expect_download_over(const struct env *e, int i)
{
    if (e->tasks[i] && !co_task_done(e->tasks[i]))
        ck_abort_msg("download %d is still running after fetch_all ended: "
                     "in CO_FINALLY, cancel the tasks and await each "
                     "(CO_AWAIT_CATCH) before freeing the semaphore", i);
}

/* ---- the tests ---------------------------------------------------------- */

START_TEST(test_saves_every_file_under_its_name)
{
    struct env e;
    env_open(&e, 1, 3);
    add_files(&e, 3);
    run(&e, 3, 2);
    grade_expect_code(e.rc, 0, "fetch_all of three good URLs");
    for (int i = 0; i < 3; i++)
        expect_file(&e, names[i]);
    env_close(&e);
}
END_TEST

START_TEST(test_returns_how_many_were_saved)
{
    struct env e;
    env_open(&e, 1, 4);
    add_files(&e, 4);
    run(&e, 4, 4);
    grade_expect_code(e.rc, 0, "fetch_all of four good URLs");
    grade_expect_int(e.saved, 4, "what fetch_all returned (files saved)");
    for (int i = 0; i < 4; i++) {
        grade_expect_code(e.results[i], 0, "results[i] of a saved file");
        expect_file(&e, names[i]);
    }
    env_close(&e);
}
END_TEST

START_TEST(test_never_more_than_the_limit_at_once)
{
    struct env e;
    env_open(&e, 3, 7);
    add_files(&e, 7);
    run(&e, 7, 3);
    grade_expect_code(e.rc, 0, "fetch_all of seven URLs, limit 3");
    if (max_in_flight > 3)
        ck_abort_msg("the server saw %d requests at once with a limit of 3: "
                     "does every fetch_one hold a place of the semaphore "
                     "while it fetches?", max_in_flight);
    env_close(&e);
}
END_TEST

START_TEST(test_uses_the_whole_limit)
{
    struct env e;
    env_open(&e, 3, 7);
    add_files(&e, 7);
    run(&e, 7, 3);
    grade_expect_code(e.rc, 0, "fetch_all of seven URLs, limit 3");
    if (gave_up || max_in_flight < 3)
        ck_abort_msg("with a limit of 3 the server never saw 3 requests at "
                     "once (at most %d): are all the tasks started before "
                     "fetch_all awaits any?", max_in_flight);
    grade_expect_int(max_in_flight, 3, "the most requests at once, limit 3");
    for (int i = 0; i < 7; i++)
        expect_file(&e, names[i]);
    env_close(&e);
}
END_TEST

START_TEST(test_one_404_does_not_stop_the_others)
{
    struct env e;
    env_open(&e, 2, 4);
    add_url(&e, 0, "/files/cat.jpg");
    add_url(&e, 1, "/missing/gone.jpg");
    add_url(&e, 2, "/files/dog.png");
    add_url(&e, 3, "/files/owl.gif");
    run(&e, 4, 2);
    grade_expect_code(e.rc, 0, "fetch_all with one 404 among four URLs");
    if (gave_up)
        ck_abort_msg("with a 404 among four URLs and a limit of 2, the server "
                     "did not see 2 requests at once while 2 were left: are "
                     "all the downloads started before fetch_all awaits any, "
                     "and does fetch_one give its place back when the fetch "
                     "fails?");
    grade_expect_int(e.saved, 3, "what fetch_all returned (files saved)");
    grade_expect_code(e.results[1], CO_EHTTPSTATUS, "results[1], a 404");
    grade_expect_code(e.results[0], 0, "results[0]");
    grade_expect_code(e.results[2], 0, "results[2]");
    grade_expect_code(e.results[3], 0, "results[3]");
    if (file_exists(&e, "gone.jpg"))
        ck_abort_msg("a 404 made a file gone.jpg: save only what came "
                     "with a success");
    expect_file(&e, "cat.jpg");
    expect_file(&e, "dog.png");
    expect_file(&e, "owl.gif");
    env_close(&e);
}
END_TEST

START_TEST(test_a_refused_connection_is_recorded)
{
    /* A socket bound to a port but not listening: a connect is refused. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    struct env e;
    env_open(&e, 1, 1);
    add_url(&e, 0, "/files/cat.jpg");
    snprintf(e.urls[1], sizeof e.urls[1], "http://127.0.0.1:%d/files/x.jpg",
             ntohs(sa.sin_port));
    e.url_list[1] = e.urls[1];
    run(&e, 2, 2);
    grade_expect_code(e.rc, 0, "fetch_all with one refused URL");
    grade_expect_code(e.results[1], CO_ECONNREFUSED,
                      "results[1], a port nobody listens on");
    grade_expect_code(e.results[0], 0, "results[0]");
    grade_expect_int(e.saved, 1, "what fetch_all returned (files saved)");
    expect_file(&e, "cat.jpg");
    env_close(&e);
    close(fd);
}
END_TEST

START_TEST(test_no_urls_is_nothing)
{
    struct env e;
    env_open(&e, 1, 0);
    run(&e, 0, 2);
    grade_expect_code(e.rc, 0, "fetch_all of no URLs");
    grade_expect_int(e.saved, 0, "what fetch_all of no URLs returned");
    env_close(&e);
}
END_TEST

START_TEST(test_a_limit_below_one_is_refused)
{
    struct env e;
    env_open(&e, 1, 1);
    add_url(&e, 0, "/files/cat.jpg");
    run(&e, 1, 0);
    grade_expect_code(e.rc, CO_EINVAL, "fetch_all with a limit of 0");
    grade_expect_int(answered, 0, "requests made with a limit of 0");
    env_close(&e);
}
END_TEST

START_TEST(test_cancelling_fetch_all_releases_everything)
{
    /* fetch_all cancelled once it has started its downloads (three, one
     * place: the others wait for it) must not end before they have: a
     * download left running would use the semaphore after it is freed,
     * or keep it from being freed at all. */
    struct env e;
    env_open(&e, 1, 3);
    add_files(&e, 3);
    start(&e, 3, 1);
    /* Its first step: every task made, none run yet (a bounded number of
     * loop iterations, each of which has work to do). */
    for (int i = 0; i < 100 && !e.tasks[2] && !co_task_done(e.task); i++) {
        co_loop_stop(e.loop);
        co_loop_run_forever(e.loop);
    }
    if (!e.tasks[2])
        ck_abort_msg("fetch_all did not start its three downloads as tasks "
                     "before awaiting any (co_create_task with "
                     "&self->tasks[i])");
    co_task_cancel(e.task);
    e.rc = grade_run_until_complete(e.loop, co_task_future(e.task),
                                    2.5 * patience(), "fetch_all, cancelled");
    grade_expect_code(e.rc, CO_ECANCELLED,
                      "fetch_all cancelled while its downloads run");
    for (int i = 0; i < 3; i++)
        expect_download_over(&e, i);
    /* env_close: no request in progress, the semaphore and every task
     * released. */
    env_close(&e);
}
END_TEST

START_TEST(test_a_cancel_during_a_download_reaches_the_caller)
{
    /* asyncio's `except Exception:` does not catch CancelledError: a
     * downloader that records each file's failure must still let a
     * cancellation through. Three URLs, one place: the server cancels
     * fetch_all the moment the first request arrives, and never answers
     * it. */
    struct env e;
    env_open(&e, 1, 3);
    add_files(&e, 3);
    start(&e, 3, 1);
    cancel_on_request = e.task;
    e.rc = grade_run_until_complete(e.loop, co_task_future(e.task),
                                    2.5 * patience(),
                                    "fetch_all, cancelled during a download");
    if (cancel_on_request)
        ck_abort_msg("no request reached the server: fetch_all should fetch "
                     "its URLs (rc %s)", co_errname(e.rc));
    if (e.rc != CO_ECANCELLED)
        ck_abort_msg("fetch_all was cancelled while a download was in "
                     "flight, and ended with %s, not CO_ECANCELLED: "
                     "fetch_one recorded the cancellation as its own "
                     "failure. `except Exception` does not catch "
                     "CancelledError: after CO_HTTP_FETCH_CATCH, raise "
                     "CO_ECANCELLED again (CO_RAISE) instead of keeping it "
                     "in rc (the server received %d requests)",
                     co_errname(e.rc), received);
    ck_assert_msg(co_task_cancelled(e.task),
                  "fetch_all's task should end cancelled");
    grade_expect_int(answered, 0,
                     "requests answered: after the cancel, no other "
                     "download may go on");
    for (int i = 0; i < 3; i++) {
        if (e.results[i] == 0)
            ck_abort_msg("results[%d] is 0 (saved), but no download was "
                         "answered", i);
        expect_download_over(&e, i);
        if (file_exists(&e, names[i]))
            ck_abort_msg("a cancelled fetch_all left a file %s", names[i]);
        /* A download cancelled ends cancelled, not with a result: the
         * rule is fetch_one's, not only fetch_all's. */
        if (co_coro_error(&e.ones[i].co, NULL) == 0)
            ck_abort_msg("download %d ended normally although it was "
                         "cancelled: fetch_one should raise CO_ECANCELLED "
                         "again, not keep it in rc", i);
    }
    /* env_close: no request in progress, the semaphore and every task
     * released. */
    env_close(&e);
}
END_TEST

Suite *lesson_suite(void)
{
    Suite *s = suite_create("lesson 15: a downloader");
    TCase *tc = grade_tcase("fetch_all");
    tcase_add_unchecked_fixture(tc, folder_make, folder_remove);
    tcase_add_test(tc, test_saves_every_file_under_its_name);
    tcase_add_test(tc, test_returns_how_many_were_saved);
    tcase_add_test(tc, test_never_more_than_the_limit_at_once);
    tcase_add_test(tc, test_uses_the_whole_limit);
    tcase_add_test(tc, test_one_404_does_not_stop_the_others);
    tcase_add_test(tc, test_a_refused_connection_is_recorded);
    tcase_add_test(tc, test_no_urls_is_nothing);
    tcase_add_test(tc, test_a_limit_below_one_is_refused);
    tcase_add_test(tc, test_cancelling_fetch_all_releases_everything);
    tcase_add_test(tc, test_a_cancel_during_a_download_reaches_the_caller);
    suite_add_tcase(s, tc);
    return s;
}
