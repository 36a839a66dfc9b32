/* executor_returns_object: a job run in the executor can return more than
 * a number: bytes (co_job_return_bytes copies them) and a record it
 * allocated (co_job_return_ptr, with its free function). The loop future
 * owns them: the bytes are read in place (co_job_result_bytes) and freed
 * with it; the record is taken (co_job_take_ptr) and freed by its new
 * owner. */
#include "conformance.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long read_block(void *arg)
{
    unsigned char buf[16];
    size_t n = (size_t)(intptr_t)arg;
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)i;
    return co_job_return_bytes(buf, n);
}

struct record {
    char name[16];
    size_t size;
};

static long long make_record(void *arg)
{
    struct record *r = malloc(sizeof *r);
    if (!r)
        return CO_ENOMEM;
    snprintf(r->name, sizeof r->name, "%s", (const char *)arg);
    r->size = strlen(r->name);
    return co_job_return_ptr(r, free);
}

struct main_f {
    co_coro co;
    co_future *f;
};

static int main_co(co_coro *co)
{
    struct main_f *self = (struct main_f *)co;
    const void *data;
    size_t len;
    void *p;
    CO_BEGIN(co);
    co_loop_run_in_executor(LOOP(), NULL, read_block, (void *)5, &self->f);
    CO_AWAIT(co, self->f);
    co_job_result_bytes(self->f, &data, &len);
    char list[64] = "";
    for (size_t i = 0; i < len; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%u",
                 i ? ", " : "", ((const unsigned char *)data)[i]);
    trace("bytes: %zu [%s]", len, list);
    co_future_unref(self->f); /* the bytes go with it */
    self->f = NULL;
    co_loop_run_in_executor(LOOP(), NULL, make_record, "report", &self->f);
    CO_AWAIT(co, self->f);
    co_job_take_ptr(self->f, &p);
    trace("record: %s %zu", ((struct record *)p)->name,
          ((struct record *)p)->size);
    free(p); /* ours since the take */
    co_future_unref(self->f);
    self->f = NULL;
    co_loop_run_in_executor(LOOP(), NULL, read_block, (void *)0, &self->f);
    CO_AWAIT(co, self->f);
    co_job_result_bytes(self->f, &data, &len);
    trace("empty bytes: %zu", len);
    CO_FINALLY(co);
    co_future_unref(self->f);
    CO_END(co);
}

void scenario(void)
{
    struct main_f m = {0};
    co_coro_init(&m.co, main_co);
    co_run(&m.co);
}
