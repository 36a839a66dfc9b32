/* fuzz_lesson_meta.c - the tutor's reader of lesson.meta (lesson_read_meta
 * in lessons/tutor/lesson.c) on any bytes. It checks that title and notes
 * stay terminated inside their fields, that at most TUTOR_MAX_TESTS tests
 * and TUTOR_MAX_HINTS hints are kept, each test with a non-empty name of
 * [A-Za-z0-9_] that fits and 0 <= points <= TUTOR_MAX_POINTS, max_score
 * their sum, and each hint a string that came from one line of the input;
 * lessons_free frees the hints (LeakSanitizer sees one it missed). */
#include "fuzz.h"

#include <string.h>

#include "lesson.h"
#include "lesson_read.h"

static lesson l;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&l, 0, sizeof l);
    FILE *f = fuzz_stream(data, size);
    lesson_read_meta(f, &l);
    fclose(f);

    FUZZ_CHECK(fuzz_terminated(l.title, sizeof l.title));
    FUZZ_CHECK(fuzz_terminated(l.notes, sizeof l.notes));
    FUZZ_CHECK(l.ntests >= 0 && l.ntests <= TUTOR_MAX_TESTS);
    FUZZ_CHECK(l.nhints >= 0 && l.nhints <= TUTOR_MAX_HINTS);
    long long sum = 0;
    for (int i = 0; i < l.ntests; i++) {
        const lesson_test *t = &l.tests[i];
        FUZZ_CHECK(fuzz_terminated(t->name, sizeof t->name));
        size_t len = strlen(t->name);
        FUZZ_CHECK(len > 0);
        FUZZ_CHECK(strspn(t->name, "abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                   len);
        FUZZ_CHECK(t->points >= 0 && t->points <= TUTOR_MAX_POINTS);
        sum += t->points;
    }
    FUZZ_CHECK(sum == l.max_score);
    for (int h = 0; h < l.nhints; h++) {
        const char *hint = l.hints[h];
        FUZZ_CHECK(hint != NULL);
        /* One line of the input, trimmed: no newline in it, and no longer
         * than the input. */
        FUZZ_CHECK(strchr(hint, '\n') == NULL && strlen(hint) <= size);
    }
    lessons_free(&l, 1);
    return 0;
}
