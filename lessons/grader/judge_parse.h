/* judge_parse.h - the two things coflow-judge reads that it did not write:
 * a lesson's lesson.meta, and the records the grader writes on fd
 * JUDGE_RECORD_FD (judge_proto.h). Both are parsed here, apart from the
 * rest of judge.c, so that the fuzzers in tests/fuzz/ run this very code on
 * hostile bytes. Nothing here runs a process or reads a file by name. */
#ifndef COFLOW_JUDGE_PARSE_H
#define COFLOW_JUDGE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "judge_proto.h"

#define JUDGE_MAX_TESTS 64  /* test lines of lesson.meta kept; more are ignored */
#define JUDGE_MAX_UNKNOWN 8 /* names of unknown tests kept, for the notes */
/* The longest failure message kept for a test, with its NUL: what a
 * record can carry (JUDGE_RECORD_MAX), unescaped. A longer one is cut and
 * ends with JUDGE_CUT_MARK, never silently. */
#define JUDGE_MESSAGE_MAX JUDGE_RECORD_MAX
#define JUDGE_CUT_MARK " [... cut: the message was too long]"
/* The most a test may be worth. A test line with more is ignored, as one
 * with fewer than 0 is, so that the lesson's sum fits an int with room to
 * spare (the tutor's reader, lesson_read.h, holds to the same number). */
#define JUDGE_MAX_POINTS 1000

typedef struct jtest {
    char name[128];     /* as in lesson.meta and START_TEST */
    int points;         /* what passing it is worth */
    bool guard;         /* passes as handed out: counts once another does */
    int starts, passes, fails; /* records seen */
    pid_t pid;          /* the process that announced it */
    double t0, secs;    /* when it started; how long it took */
    char msg[JUDGE_MESSAGE_MAX]; /* the first failure's message; cut with
                                  * JUDGE_CUT_MARK at its end if longer */
    char check_says[512]; /* Check's summary line for it, if any */
    size_t printed;     /* bytes of output while it ran */
    long lines;         /* lines of output while it ran */
    bool stopped;       /* killed for printing too much */
} jtest;

/* What one run of the judge has learnt: the tests lesson.meta lists, and
 * what the grader's records said about them. Start from all zeroes, then
 * set the nonce. However hostile the bytes fed in:
 *  - ntests <= JUDGE_MAX_TESTS, and every name is a NUL-terminated run of
 *    [A-Za-z0-9_], at most 127 bytes, with 0 <= points <= JUDGE_MAX_POINTS;
 *  - a record changes a test only if it carries the nonce and names a
 *    listed test; one that names another test adds the name to unknown
 *    (nunknown <= JUDGE_MAX_UNKNOWN), one without the nonce, or with a
 *    name or kind that cannot be, counts in forged;
 *  - running is NULL or one of tests[0..ntests);
 *  - recused < sizeof recbuf: a line longer than the buffer is cut, its
 *    end dropped, never written past it; a test's message then ends with
 *    JUDGE_CUT_MARK. */
typedef struct judge_tally {
    jtest tests[JUDGE_MAX_TESTS];   /* in lesson.meta's order */
    int ntests;                     /* how many */
    char unknown[JUDGE_MAX_UNKNOWN][128]; /* names no test of lesson.meta has */
    int nunknown;                   /* how many */
    long forged;                    /* lines without the nonce, or malformed */
    char nonce[JUDGE_NONCE_LEN + 1]; /* this run's, NUL-terminated */
    jtest *running;                 /* the test whose output is being read */
    char recbuf[2 * JUDGE_RECORD_MAX]; /* a record line not finished yet */
    size_t recused;                 /* bytes of it */
    bool reccut;                    /* its end did not fit and was dropped */
} judge_tally;

/* Seconds on the monotonic clock: when a record arrived. */
double judge_now(void);

/* Reads lesson.meta from @p f, adding a test to @p j for each `test = NAME
 * [POINTS [guard]]` line (POINTS 1 when left out; one below 0 or above
 * JUDGE_MAX_POINTS skips the line). Every other line is ignored. Returns j->ntests. Does not close
 * @p f. */
int judge_read_meta(judge_tally *j, FILE *f);

/* Feeds @p len bytes read from the record socket to @p j. A record is a
 * line; one may arrive in pieces over several calls, and is parsed when
 * its newline arrives. @p data need not be NUL-terminated. */
void judge_feed_records(judge_tally *j, const char *data, size_t len);

/* Undoes the escaping of judge_proto.h: copies @p in to @p out (@p size
 * bytes, at least 1), turning \\ \n \t \r \xHH back into their bytes
 * (each escape into exactly one: a malformed \x into 'x', \x00 into '?').
 * Always NUL-terminates. When @p out is too small the text is cut and, if
 * @p size leaves room for it, ends with JUDGE_CUT_MARK. Returns whether
 * all of it fitted. */
bool judge_unescape(const char *in, char *out, size_t size);

#endif
