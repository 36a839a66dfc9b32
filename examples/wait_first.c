/* wait_first.c - asyncio.wait with FIRST_COMPLETED: it returns as soon as
 * one task is done; the others are still pending, and main cancels them. */
#include <coflow.h>
#include <stdio.h>

CO_ASYNC(worker, const char *name; double seconds;)
{
    CO_BEGIN(co);
    CO_SLEEP(co, self->seconds);
    CO_RETURN_STR(co, self->name);
    CO_FINALLY(co);
    printf("%s ends\n", self->name);
    CO_END(co);
}

CO_ASYNC(amain, co_future *w, *rest;)
{
    co_future *done[3], *pending[3];
    size_t ndone, npending;
    const char *r;
    char line[200];
    CO_BEGIN(co);
    CO_WAIT(co, self->w, CO_NO_TIMEOUT, CO_FIRST_COMPLETED,
            CO_CORO(worker, .name = "slow", .seconds = 0.05),
            CO_CORO(worker, .name = "fast", .seconds = 0.01),
            CO_CORO(worker, .name = "late", .seconds = 0.08));
    co_wait_sets_of(self->w, done, &ndone, pending, &npending);
    for (size_t i = 0; i < ndone; i++) {
        co_future_result_str(done[i], &r);
        printf("done: %s %s\n", co_task_get_name(co_task_of(done[i])), r);
    }
    for (size_t i = 0; i < npending; i++)
        printf("pending: %s cancel() -> %s\n",
               co_task_get_name(co_task_of(pending[i])),
               co_future_cancel(pending[i]) ? "True" : "False");
    co_wait(co_get_running_loop(), pending, npending, CO_NO_TIMEOUT,
            CO_ALL_COMPLETED, &self->rest);
    CO_AWAIT(co, self->rest);
    co_wait_sets_of(self->w, done, NULL, NULL, NULL); /* all done now */
    co_future_repr(done[0], line, sizeof line);
    printf("%s\n", line);
    CO_FINALLY(co);
    co_future_unref(self->rest);
    co_future_unref(self->w);
    CO_END(co);
}

int main(void)
{
    return co_run_and_free(CO_CORO(amain)) ? 1 : 0;
}
