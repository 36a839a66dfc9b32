/* fuzz.h - what the harnesses in tests/fuzz/ share. Each harness defines
 * LLVMFuzzerTestOneInput, which libFuzzer calls with bytes it makes up; the
 * same harness built without libFuzzer gets fuzz_main.c's main, which calls
 * it once on each file of a corpus. An invariant that does not hold aborts,
 * which both count as a failure. */
#ifndef COFLOW_FUZZ_H
#define COFLOW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the run with what did not hold, and where. */
#define FUZZ_CHECK(cond)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* A read-only stream over @p size bytes of @p data, NUL bytes included, for
 * the readers that take a FILE. Never NULL (aborts instead); fclose it. */
FILE *fuzz_stream(const uint8_t *data, size_t size);

/* Whether @p s holds a NUL within its first @p size bytes. */
int fuzz_terminated(const char *s, size_t size);

/* judge_proto.h's escaping of a record's message, written again from its
 * description (an oracle of its own, not the grader's code): @p len bytes
 * of @p s into @p out, which has room for 4 * len + 1. Returns the length
 * written, not counting the terminating NUL. */
size_t fuzz_escape(const char *s, size_t len, char *out);

#endif
