/* gradebook.h - the gradebook's reader of a student's report.json, the file
 * `coflow report` writes (report.c's write_json) and `coflow grade` sums
 * into one row per lesson. The file sits in a folder the student's code
 * could have reached, so the reader believes nothing it does not check:
 * gradebook_read.c parses exactly the shape report.c writes and refuses
 * anything else with one sentence. */
#ifndef TUTOR_GRADEBOOK_H
#define TUTOR_GRADEBOOK_H

#include <stddef.h>

/* The largest report.json the gradebook reads: a bigger file is refused
 * (not read past this) with a sentence saying so. A test's entry takes at
 * most about 111 KiB (a message of up to 18 KiB, each byte escaped to at
 * most six, "\u001b"), so this holds some 600 tests at their worst; the
 * lessons have fewer than 200. */
#define GRADEBOOK_REPORT_MAX (64u << 20)

/* What one lesson of a report adds up to. */
typedef struct gradebook_row {
    char lesson[64]; /* the lesson's folder, "03-protothreads" */
    int points;      /* the sum of its tests' "score" */
    int max;         /* the sum of their "max_score" */
} gradebook_row;

/* Reads the @p len bytes at @p text (NUL bytes included, no terminator
 * needed) as a report.json and sums its tests into @p rows, one per
 * lesson in the order the report lists them, at most @p max_rows.
 * Returns how many rows, or -1 with one sentence in @p why (of @p
 * why_size bytes, NUL-terminated) that names @p name, where in the text
 * it went wrong and what is wrong there. Nothing is allocated. */
int gradebook_parse_report(const char *name, const char *text, size_t len,
                           gradebook_row *rows, int max_rows, char *why,
                           size_t why_size);

/* Reads the file @p path (a regular file of at most GRADEBOOK_REPORT_MAX
 * bytes; a FIFO or device is refused, not opened for long) and parses it
 * as gradebook_parse_report does. Returns how many rows, or -1 with the
 * sentence in @p why. */
int gradebook_read_report(const char *path, gradebook_row *rows, int max_rows,
                          char *why, size_t why_size);

#endif
