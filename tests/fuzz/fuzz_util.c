/* fuzz_util.c - the helpers of fuzz.h. */
#include "fuzz.h"

#include <string.h>

FILE *fuzz_stream(const uint8_t *data, size_t size)
{
    /* fmemopen refuses a buffer of size 0: an empty input reads as the
     * empty file /dev/null does. */
    FILE *f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
    FUZZ_CHECK(f != NULL);
    return f;
}

int fuzz_terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}
