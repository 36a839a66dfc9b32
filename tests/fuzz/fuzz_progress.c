/* fuzz_progress.c - the tutor's reader of its progress file (progress_read,
 * which progress_load calls, in lessons/tutor/lesson.c) on any bytes: the
 * file sits in the student's .coflow/ and anyone may edit it. It checks
 * that the reader clears what it fills, that every hint count is >= 0, and
 * that what progress_save writes from the result progress_load reads back
 * the same. */
#include "fuzz.h"

#include <string.h>
#include <unistd.h>

#include "lesson.h"
#include "lesson_read.h"

static progress p, back;
static char dir[200], path[256]; /* a file in a folder of our own */

static void clean_up(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/coflow-fuzz-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/progress", dir);
        atexit(clean_up);
    }

    memset(&p, 0xA5, sizeof p); /* progress_read must clear it all */
    FILE *f = fuzz_stream(data, size);
    progress_read(f, &p);
    fclose(f);
    for (int i = 0; i <= TUTOR_MAX_LESSONS; i++) {
        FUZZ_CHECK(p.done[i] == true || p.done[i] == false);
        FUZZ_CHECK(p.hints[i] >= 0);
    }

    FUZZ_CHECK(progress_save(path, &p) == 0);
    FUZZ_CHECK(progress_load(path, &back));
    FUZZ_CHECK(memcmp(p.done, back.done, sizeof p.done) == 0);
    FUZZ_CHECK(memcmp(p.hints, back.hints, sizeof p.hints) == 0);
    return 0;
}
