/* judge_parse.c - coflow-judge's readers of lesson.meta and of the
 * grader's records (judge_parse.h has the contract, judge_proto.h the
 * format). Every byte here comes from outside the judge. */
#include "judge_parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double judge_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- lesson.meta ---------------------------------------------------------- */

int judge_read_meta(judge_tally *j, FILE *f)
{
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (strncmp(s, "test", 4) != 0)
            continue;
        s += 4;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s != '=')
            continue;
        s++;
        char name[128], word[16] = "";
        int points = 1;
        int got = sscanf(s, " %127[A-Za-z0-9_] %d %15s", name, &points, word);
        if (got < 1 || points < 0 || points > JUDGE_MAX_POINTS ||
            j->ntests == JUDGE_MAX_TESTS)
            continue;
        jtest *t = &j->tests[j->ntests++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", name);
        t->points = got >= 2 ? points : 1;
        t->guard = strcmp(word, "guard") == 0;
    }
    return j->ntests;
}

static jtest *find(judge_tally *j, const char *name)
{
    for (int i = 0; i < j->ntests; i++)
        if (strcmp(j->tests[i].name, name) == 0)
            return &j->tests[i];
    return NULL;
}

/* ---- records ----------------------------------------------------------- */

/* Ends @p out (@p size bytes, @p o used) with the cut mark, if it fits. */
static void mark_cut(char *out, size_t size, size_t o)
{
    static const char mark[] = JUDGE_CUT_MARK;
    if (size < sizeof mark + 1)
        return;
    if (o > size - sizeof mark)
        o = size - sizeof mark;
    memcpy(out + o, mark, sizeof mark);
}

bool judge_unescape(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (; *in && o + 1 < size; in++) {
        if (*in != '\\' || !in[1]) {
            out[o++] = *in;
            continue;
        }
        in++;
        switch (*in) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'x':
            /* Every escape gives one byte, so text left over always means
             * a cut: a forged \x without two hex digits stays an 'x', and
             * \x00 (no message holds a NUL) a '?'. */
            if (isxdigit((unsigned char)in[1]) && isxdigit((unsigned char)in[2])) {
                char hex[3] = {in[1], in[2], 0};
                char c = (char)strtol(hex, NULL, 16);
                out[o++] = c ? c : '?';
                in += 2;
            } else {
                out[o++] = 'x';
            }
            break;
        default: out[o++] = *in; break;
        }
    }
    out[o] = '\0';
    if (!*in)
        return true;
    mark_cut(out, size, o);
    return false;
}

/* A name is kept cut to its field, so a long one is compared as it was
 * kept: otherwise each record naming it would add it again. */
static void note_unknown(judge_tally *j, const char *name)
{
    for (int i = 0; i < j->nunknown; i++)
        if (strncmp(j->unknown[i], name, sizeof j->unknown[i] - 1) == 0)
            return;
    if (j->nunknown < JUDGE_MAX_UNKNOWN)
        snprintf(j->unknown[j->nunknown++], sizeof j->unknown[0], "%s", name);
}

static void parse_record(judge_tally *j, char *line)
{
    /* <nonce> <kind> <name> <pid>[ <message>] */
    char *fields[5] = {0};
    int n = 0;
    char *p = line;
    while (n < 4 && p) {
        fields[n++] = p;
        p = strchr(p, ' ');
        if (p)
            *p++ = '\0';
    }
    fields[4] = p;
    if (n < 4 || strcmp(fields[0], j->nonce) != 0) {
        j->forged++;
        return;
    }
    const char *kind = fields[1], *name = fields[2];
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_') {
            j->forged++;
            return;
        }
    jtest *t = find(j, name);
    if (!t) {
        note_unknown(j, name);
        return;
    }
    double at = judge_now();
    if (strcmp(kind, "start") == 0) {
        /* One that never reported its end ran until this one began. */
        if (j->running && j->running != t)
            j->running->secs = at - j->running->t0;
        t->starts++;
        t->pid = (pid_t)atol(fields[3]);
        t->t0 = at;
        j->running = t;
    } else if (strcmp(kind, "pass") == 0) {
        t->passes++;
        t->secs = at - t->t0;
        if (j->running == t)
            j->running = NULL;
    } else if (strcmp(kind, "fail") == 0) {
        if (t->fails++ == 0 &&
            judge_unescape(fields[4] ? fields[4] : "", t->msg,
                           sizeof t->msg) &&
            j->reccut)
            mark_cut(t->msg, sizeof t->msg, strlen(t->msg));
        t->secs = at - t->t0;
        if (j->running == t)
            j->running = NULL;
    } else {
        j->forged++;
    }
}

/* Lines may arrive in pieces: keep the unfinished end for the next read. */
void judge_feed_records(judge_tally *j, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') {
            j->recbuf[j->recused] = '\0';
            parse_record(j, j->recbuf);
            j->recused = 0;
            j->reccut = false;
        } else if (j->recused + 1 < sizeof j->recbuf) {
            j->recbuf[j->recused++] = data[i];
        } else {
            j->reccut = true;
        }
    }
}
