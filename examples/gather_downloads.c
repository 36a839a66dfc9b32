/* gather_downloads.c - the notes' three image downloads, done at the same
 * time (each "download" is a sleep): gather gives the results in argument
 * order, although the last one started finishes first. */
#include <coflow.h>
#include <stdio.h>
#include <string.h>

CO_ASYNC(download, const char *url; double seconds;)
{
    CO_BEGIN(co);
    printf("start %s\n", self->url);
    CO_SLEEP(co, self->seconds);
    printf("done %s\n", self->url);
    CO_RETURN_FMT(co, "%s: %zu bytes", self->url, strlen(self->url) * 100);
    CO_END(co);
}

CO_ASYNC(amain, co_future *all;)
{
    const char *results[3];
    CO_BEGIN(co);
    CO_GATHER(co, self->all, CO_CORO(download, .url = "a.jpg", .seconds = 0.03),
              CO_CORO(download, .url = "bb.jpg", .seconds = 0.02),
              CO_CORO(download, .url = "ccc.jpg", .seconds = 0.01));
    co_gather_results_str(self->all, results, 3);
    for (int i = 0; i < 3; i++)
        printf("%s\n", results[i]);
    CO_FINALLY(co);
    co_future_unref(self->all);
    CO_END(co);
}

int main(void)
{
    return co_run_and_free(CO_CORO(amain)) ? 1 : 0;
}
