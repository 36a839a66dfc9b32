/* fuzz_gradebook_report.c - the gradebook's reader of report.json
 * (gradebook_parse_report, lessons/tutor/gradebook_read.c) on any bytes:
 * the file is written where a student's code could have reached it. It
 * checks that a refusal is one sentence naming the file, that what is
 * accepted holds together (lessons named NN-slug, each once, points within
 * 0..max), that fewer rows to fill change nothing but a refusal, and that
 * an accepted report stops being one when cut before its closing brace or
 * followed by anything but whitespace. */
#include "fuzz.h"

#include <string.h>

#include "gradebook.h"
#include "lesson.h"

static gradebook_row rows[TUTOR_MAX_LESSONS], few[3];
static char why[600];

static int parse(const uint8_t *data, size_t size, gradebook_row *out,
                 int max)
{
    memset(why, 0xA5, sizeof why); /* the sentence must be written whole */
    int n = gradebook_parse_report("r.json", (const char *)data, size, out,
                                   max, why, sizeof why);
    FUZZ_CHECK(n >= -1 && n <= max);
    if (n < 0) {
        FUZZ_CHECK(fuzz_terminated(why, sizeof why));
        size_t len = strlen(why);
        FUZZ_CHECK(strncmp(why, "r.json is not a report the tutor wrote: "
                                "at line ",
                           48) == 0);
        FUZZ_CHECK(why[len - 1] == '.' || len == sizeof why - 1);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int n = parse(data, size, rows, TUTOR_MAX_LESSONS);
    if (n < 0)
        return 0;

    long long max = 0;
    for (int k = 0; k < n; k++) {
        const gradebook_row *r = &rows[k];
        FUZZ_CHECK(fuzz_terminated(r->lesson, sizeof r->lesson));
        FUZZ_CHECK(r->lesson[0] >= '0' && r->lesson[0] <= '9' &&
                   r->lesson[1] >= '0' && r->lesson[1] <= '9' &&
                   r->lesson[2] == '-' && r->lesson[3] != '\0');
        FUZZ_CHECK(strpbrk(r->lesson, "\",\\: ") == NULL);
        FUZZ_CHECK(r->points >= 0 && r->points <= r->max);
        for (int j = 0; j < k; j++)
            FUZZ_CHECK(strcmp(rows[j].lesson, r->lesson) != 0);
        max += r->max;
    }
    FUZZ_CHECK(n > 0 && max > 0);

    /* Room for three rows: the same rows if they fit, else a refusal. */
    int m = parse(data, size, few, 3);
    FUZZ_CHECK(m == (n <= 3 ? n : -1));
    for (int k = 0; k < m; k++)
        FUZZ_CHECK(strcmp(few[k].lesson, rows[k].lesson) == 0 &&
                   few[k].points == rows[k].points &&
                   few[k].max == rows[k].max);

    /* Cut before the closing brace: refused. */
    size_t end = size;
    while (end > 0 && strchr(" \t\r\n", data[end - 1]) && data[end - 1])
        end--;
    FUZZ_CHECK(end > 0 && data[end - 1] == '}');
    FUZZ_CHECK(parse(data, end - 1, rows, TUTOR_MAX_LESSONS) == -1);

    /* Followed by whitespace: the same; by anything else: refused. */
    uint8_t *more = malloc(size + 1);
    FUZZ_CHECK(more != NULL);
    memcpy(more, data, size);
    more[size] = '\n';
    FUZZ_CHECK(parse(more, size + 1, few, 3) == m);
    more[size] = size % 2 ? '\0' : ',';
    FUZZ_CHECK(parse(more, size + 1, few, 3) == -1);
    free(more);
    return 0;
}
