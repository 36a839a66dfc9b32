/* conformance.c - the runner every C scenario is linked with.
 *
 *     scenario_NAME                 prints the trace
 *     scenario_NAME NAME.expected   prints it and compares it with the file;
 *                                   exit 0 if equal, 1 with a diff if not
 *
 * The diff is a longest-common-subsequence one, so a single event in the
 * wrong place shows as one line removed and one added, not as everything
 * after it differing. */
#include "conformance.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The collected trace: a growing array of owned lines. */
static struct {
    pthread_mutex_t mu; /* trace() may be called from several threads */
    char **lines;       /* each event, without its newline */
    size_t n, cap;      /* how many, and room for how many */
} tr = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

void trace(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&tr.mu);
    if (tr.n == tr.cap) {
        size_t cap = tr.cap ? tr.cap * 2 : 64;
        char **grown = realloc(tr.lines, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&tr.mu);
            fprintf(stderr, "conformance: out of memory\n");
            exit(2);
        }
        tr.lines = grown;
        tr.cap = cap;
    }
    tr.lines[tr.n++] = strdup(buf);
    pthread_mutex_unlock(&tr.mu);
}

co_task *spawn(co_coro *coro, const char *name)
{
    co_task *t = NULL;
    int rc = co_create_task(LOOP(), coro, name, &t);
    if (rc < 0)
        trace("co_create_task failed: %s", co_errname(rc));
    return t;
}

void spawn_detached(co_coro *coro, const char *name)
{
    co_task_unref(spawn(coro, name));
}

const char *outcome(co_future *f)
{
    static _Thread_local char buf[64];
    if (!co_future_done(f))
        return "pending";
    if (co_future_cancelled(f))
        return "cancelled";
    int err = co_future_exception(f, NULL);
    if (err)
        return co_errname(err);
    long long v = 0;
    co_future_result_int(f, &v);
    snprintf(buf, sizeof buf, "%lld", v);
    return buf;
}

/* Reads @p path into an array of lines (the trailing newline optional). */
static char **read_lines(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    char **lines = NULL;
    size_t cap = 0;
    *n = 0;
    char buf[1024];
    while (fgets(buf, sizeof buf, fp)) {
        buf[strcspn(buf, "\n")] = '\0';
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(lines, cap * sizeof *grown);
            if (!grown)
                break;
            lines = grown;
        }
        lines[(*n)++] = strdup(buf);
    }
    fclose(fp);
    return lines;
}

/* Prints a line diff of @p a (expected) against @p b (actual). */
static void print_diff(char **a, size_t na, char **b, size_t nb)
{
    /* lcs[i][j]: longest common subsequence of a[i..] and b[j..]. */
    size_t w = nb + 1;
    unsigned *lcs = calloc((na + 1) * w, sizeof *lcs);
    if (!lcs)
        return;
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            lcs[i * w + j] = strcmp(a[i], b[j]) == 0
                                 ? lcs[(i + 1) * w + j + 1] + 1
                                 : (lcs[(i + 1) * w + j] > lcs[i * w + j + 1]
                                        ? lcs[(i + 1) * w + j]
                                        : lcs[i * w + j + 1]);
    printf("--- expected (CPython)\n+++ actual (coflow)\n");
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
            printf("  %s\n", a[i]);
            i++, j++;
        } else if (j < nb &&
                   (i == na || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) {
            printf("+ %s\n", b[j++]);
        } else {
            printf("- %s\n", a[i++]);
        }
    }
    free(lcs);
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

int main(int argc, char **argv)
{
    /* Output order must not depend on buffering if a scenario crashes. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    scenario();
    int rc = 0;
    if (argc > 1) {
        size_t n_exp = 0;
        char **exp = read_lines(argv[1], &n_exp);
        if (!exp && n_exp == 0) {
            fprintf(stderr, "conformance: cannot read %s\n", argv[1]);
            rc = 2;
        } else {
            bool same = n_exp == tr.n;
            for (size_t i = 0; same && i < n_exp; i++)
                same = strcmp(exp[i], tr.lines[i]) == 0;
            if (same) {
                printf("%zu events, in CPython's order\n", tr.n);
            } else {
                printf("the trace differs from CPython's (%s):\n", argv[1]);
                print_diff(exp, n_exp, tr.lines, tr.n);
                rc = 1;
            }
            free_lines(exp, n_exp);
        }
    } else {
        for (size_t i = 0; i < tr.n; i++)
            printf("%s\n", tr.lines[i]);
    }
    free_lines(tr.lines, tr.n);
    return rc;
}

static struct {
    pthread_mutex_t mu;   /* guards the rest */
    pthread_cond_t cv;    /* signalled by each put */
    const char *items[16]; /* the messages, oldest at head */
    int head, tail;       /* next to get, next free slot */
} handoff = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0};

void handoff_put(const char *msg)
{
    pthread_mutex_lock(&handoff.mu);
    if (handoff.tail < 16)
        handoff.items[handoff.tail++] = msg;
    pthread_cond_signal(&handoff.cv);
    pthread_mutex_unlock(&handoff.mu);
}

const char *handoff_get(void)
{
    pthread_mutex_lock(&handoff.mu);
    while (handoff.head == handoff.tail)
        pthread_cond_wait(&handoff.cv, &handoff.mu);
    const char *msg = handoff.items[handoff.head++];
    pthread_mutex_unlock(&handoff.mu);
    return msg;
}
