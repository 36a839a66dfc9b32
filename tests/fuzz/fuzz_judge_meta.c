/* fuzz_judge_meta.c - the judge's reader of lesson.meta (judge_read_meta
 * in lessons/grader/judge_parse.c) on any bytes: a student's copy holds
 * lesson.meta, so it is outside bytes too. It checks that at most
 * JUDGE_MAX_TESTS tests are kept, each with a non-empty name of
 * [A-Za-z0-9_] that fits its field and 0 <= points <= JUDGE_MAX_POINTS,
 * the points adding up to what an int holds (judge.c sums them into one),
 * every other field zero, and that reading the same bytes twice lists the
 * same tests. */
#include "fuzz.h"

#include <limits.h>
#include <string.h>

#include "judge_parse.h"

static judge_tally first, again;

static int read_all(judge_tally *j, const uint8_t *data, size_t size)
{
    memset(j, 0, sizeof *j);
    FILE *f = fuzz_stream(data, size);
    int n = judge_read_meta(j, f);
    fclose(f);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int n = read_all(&first, data, size);
    FUZZ_CHECK(n == first.ntests);
    FUZZ_CHECK(n >= 0 && n <= JUDGE_MAX_TESTS);
    long long sum = 0;
    for (int i = 0; i < n; i++) {
        const jtest *t = &first.tests[i];
        FUZZ_CHECK(fuzz_terminated(t->name, sizeof t->name));
        size_t len = strlen(t->name);
        FUZZ_CHECK(len > 0 && len <= 127);
        FUZZ_CHECK(strspn(t->name, "abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                   len);
        FUZZ_CHECK(t->points >= 0 && t->points <= JUDGE_MAX_POINTS);
        sum += t->points;
        FUZZ_CHECK(t->starts == 0 && t->passes == 0 && t->fails == 0 &&
                   t->pid == 0 && t->msg[0] == '\0' &&
                   t->check_says[0] == '\0' && t->printed == 0 &&
                   t->lines == 0 && !t->stopped);
    }
    FUZZ_CHECK(sum <= INT_MAX);
    /* Nothing but tests: the reader leaves the records' part alone. */
    FUZZ_CHECK(first.nunknown == 0 && first.forged == 0 &&
               first.running == NULL && first.recused == 0);

    FUZZ_CHECK(read_all(&again, data, size) == n);
    for (int i = 0; i < n; i++) {
        FUZZ_CHECK(strcmp(first.tests[i].name, again.tests[i].name) == 0);
        FUZZ_CHECK(first.tests[i].points == again.tests[i].points);
        FUZZ_CHECK(first.tests[i].guard == again.tests[i].guard);
    }
    return 0;
}
