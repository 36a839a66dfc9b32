/* exercise.h - lesson 15: download many files, at most `limit` at once.
 *
 * The grader gives you an HTTP client (coflow/http.h) on a loop, a list of
 * URLs on its own loopback server and a folder. You write two coroutines:
 * fetch_one downloads one URL while holding a place of a semaphore and
 * saves the body in the folder under the URL's last segment; fetch_all
 * starts one fetch_one task per URL, all sharing one semaphore of `limit`
 * places, and waits for them all. As shipped, fetch_one fetches without
 * the semaphore and saves nothing, and fetch_all awaits one URL after the
 * other. */
#ifndef LESSON15_EXERCISE_H
#define LESSON15_EXERCISE_H

#include <coflow.h>

/* ---- yours: 1. one download --------------------------------------------- */

/** The frame of fetch_one. */
struct fetch_one {
    co_coro co;              /* the coroutine header: first member */
    co_http_client *client;  /* argument: the client to fetch with */
    co_semaphore *sem;       /* argument: the places to share */
    const char *url;         /* argument: what to fetch */
    const char *dir;         /* argument: the folder to save into */
    int rc;                  /* result: 0 if saved, else the failure's code */
    co_wait_op wait;         /* for you: the semaphore's wait */
    co_http_op op;           /* for you: the request's frame */
    co_http_request req;     /* for you: the request */
    int holding;             /* for you: 1 while you hold a place */
};

/** `async def fetch_one(session, sem, url, dir)`: `async with sem:` fetch
 *  url, then write the body to the file dir/NAME, NAME being the URL's
 *  last path segment (co_url_basename). A download's failure does not
 *  fail it: it stores 0 in rc once the file is written, or the failure's
 *  code (CO_EHTTPSTATUS for a 404, CO_ECONNREFUSED, CO_ETIMEDOUT, CO_EURL,
 *  CO_ESYS when the file cannot be written...), and then no file is made.
 *  A cancellation is not such a failure: cancelled, even in the middle of
 *  the fetch, fetch_one ends cancelled (CO_ECANCELLED reaches its
 *  awaiter), as `except Exception:` does not catch CancelledError. It
 *  always gives its place back, and always clears the response. */
int fetch_one(co_coro *co);

/* ---- yours: 2. all of them, `limit` at a time --------------------------- */

/** The frame of fetch_all. */
struct fetch_all {
    co_coro co;              /* the coroutine header: first member */
    co_http_client *client;  /* argument: the client to fetch with */
    const char *const *urls; /* argument: n URLs */
    int n;                   /* argument: how many (0 or more) */
    int limit;               /* argument: downloads at once (1 or more) */
    const char *dir;         /* argument: the folder to save into */
    int *results;            /* argument: results[i] gets urls[i]'s rc */
    struct fetch_one *ones;  /* argument: room for n frames, zeroed */
    co_task **tasks;         /* argument: room for n tasks, all NULL, yours */
    co_semaphore *sem;       /* for you: the shared semaphore */
    int i;                   /* a loop counter that survives awaits */
    int caught;              /* for you: a failure caught while cleaning up */
};

/** `async def fetch_all(session, urls, limit, dir)`: makes a semaphore of
 *  `limit` places, starts one fetch_one task per URL before awaiting any,
 *  awaits them all, stores each one's rc in results[i] (URL order) and
 *  returns (CO_RETURN) how many files were saved. One failed URL does not
 *  stop the others. Fails with CO_EINVAL for a limit below 1 or n below
 *  0. Releases every task and the semaphore, however it ends: cancelled
 *  (or failing) half-way, it first cancels the downloads still running
 *  and waits until they have ended, and then ends cancelled (failing)
 *  itself. */
int fetch_all(co_coro *co);

#endif
