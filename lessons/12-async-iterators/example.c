/* example.c - lesson 12: async iterators, async for, async generators.
 *
 * Part 1 is the notes' Reader: a hand-written async iterator whose anext
 * awaits a short delay and hands out 1 to 9, then ends with
 * StopAsyncIteration. Part 2 is an async generator that the consumer
 * leaves early with break: its cleanup runs before the code after the
 * loop. Part 3 drives a generator by hand, once with asend and once with
 * athrow. */
#include <coflow.h>
#include <stdio.h>
#include <time.h>

static double t0;

static double elapsed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t0;
}

/* ---- part 1: class Reader, with __aiter__ and __anext__ ---------------- */

/* The iterator: a co_aiter first, then its own state. */
struct reader {
    co_aiter it; /* the async-iterator side: first member */
    int count;   /* self.count, kept across the items */
};

/* async def __anext__(self): val = await self.readline(); None ends it. */
static int reader_anext(co_coro *co)
{
    struct reader *self = (struct reader *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, 0.01); /* readline() waits for each line */
    self->count++;
    if (self->count == 10)
        CO_RAISE(co, CO_ESTOPITERATION, NULL); /* raise StopAsyncIteration */
    CO_RETURN(co, self->count);
    CO_END(co);
}

/* ---- part 2: an async generator, left early ----------------------------- */

/* async def numbers(): try: i = 1; while True: await sleep; yield i ...
 * finally: print("cleanup") */
struct numbers {
    co_agen gen; /* the generator's header: first member */
    int i;       /* the next number */
};

static int numbers(co_coro *co)
{
    struct numbers *self = (struct numbers *)co;
    CO_BEGIN(co);
    for (self->i = 1;; self->i++) {
        CO_SLEEP(co, 0.01);
        CO_AGEN_YIELD(co, self->i);
    }
    CO_FINALLY(co);
    printf("t=%.2fs   numbers: cleanup (%s)\n", elapsed(),
           co->err ? co_errname(co->err) : "ran to the end");
    CO_END(co);
}

/* ---- part 3: x = yield v, driven by asend and athrow -------------------- */

/* async def doubler(): n = 1; while True: try: x = yield n; n = 2 * x
 * except ValueError: n = -1 */
struct doubler {
    co_agen gen; /* header */
    long long n; /* what the next yield hands out */
    int caught;  /* the failure thrown in at the yield, or 0 */
};

static int doubler(co_coro *co)
{
    struct doubler *self = (struct doubler *)co;
    long long x = 0;
    CO_BEGIN(co);
    self->n = 1;
    for (;;) {
        CO_AGEN_YIELD_CATCH(co, self->n, self->caught);
        if (self->caught == CO_EFAIL) { /* except ValueError */
            printf("  doubler: caught \"%s\"\n", co_caught_message());
            self->n = -1;
            continue;
        }
        if (self->caught) /* CO_EGENEXIT (aclose): let it go on */
            CO_RAISE(co, self->caught, NULL);
        co_agen_sent_int(&self->gen, &x); /* x = yield n */
        printf("  doubler: was sent %lld\n", x);
        self->n = 2 * x;
    }
    CO_FINALLY(co);
    printf("  doubler: cleanup\n");
    CO_END(co);
}

/* ---- async def main() --------------------------------------------------- */

struct main_frame {
    co_coro co;          /* header */
    struct reader obj;   /* part 1: obj = Reader() */
    struct numbers nums; /* part 2 */
    struct doubler dbl;  /* part 3 */
    long long item;      /* the latest item, kept across the awaits */
};

static long long item_of(co_aiter *it)
{
    long long v = 0;
    co_aiter_value_int(it, &v);
    return v;
}

static int main_co(co_coro *co)
{
    struct main_frame *self = (struct main_frame *)co;
    CO_BEGIN(co);
    /* Made before anything can fail, so the CO_FINALLY may close them. */
    co_agen_init(&self->nums.gen, numbers);
    co_agen_init(&self->dbl.gen, doubler);
    printf("-- part 1: async for item in Reader()\n");
    t0 = 0;
    t0 = elapsed();
    co_aiter_init(&self->obj.it, reader_anext, NULL);
    CO_ASYNC_FOR(co, &self->obj.it)
        co_aiter_value_int(&self->obj.it, &self->item);
        printf("t=%.2fs item %lld\n", elapsed(), self->item);
    CO_ASYNC_FOR_END(co, &self->obj.it);
    printf("t=%.2fs StopAsyncIteration: the loop is over\n", elapsed());

    printf("-- part 2: break out of an async generator\n");
    t0 = 0;
    t0 = elapsed();
    CO_ASYNC_FOR(co, &self->nums.gen.it)
        co_aiter_value_int(&self->nums.gen.it, &self->item);
        printf("t=%.2fs got %lld\n", elapsed(), self->item);
        if (self->item == 3)
            break; /* CO_ASYNC_FOR_END closes the generator */
    CO_ASYNC_FOR_END(co, &self->nums.gen.it);
    printf("t=%.2fs after the loop\n", elapsed());

    printf("-- part 3: asend and athrow\n");
    CO_ANEXT(co, &self->dbl.gen.it); /* starts it: only anext can */
    printf("anext -> %lld\n", item_of(&self->dbl.gen.it));
    CO_ASEND(co, &self->dbl.gen, 5);
    printf("asend(5) -> %lld\n", item_of(&self->dbl.gen.it));
    CO_ATHROW(co, &self->dbl.gen, CO_EFAIL, "bad value");
    printf("athrow(ValueError) -> %lld\n", item_of(&self->dbl.gen.it));
    CO_ACLOSE(co, &self->dbl.gen.it);
    printf("aclose: done\n");
    CO_FINALLY(co);
    /* A failure may have left a loop early: closing twice is harmless. */
    CO_ACLOSE(co, &self->nums.gen.it);
    CO_ACLOSE(co, &self->dbl.gen.it);
    CO_END(co);
}

int main(void)
{
    struct main_frame m = {0};
    co_coro_init(&m.co, main_co);
    int rc = co_run(&m.co);
    printf("co_run returned %d\n", rc);
    return rc == 0 ? 0 : 1;
}
