/* judge.c - coflow-judge: runs one lesson's grader and decides which of its
 * tests passed, without ever running student code itself.
 *
 *   coflow-judge [--machine] [--limit S] [--output-cap BYTES]
 *                [--cpu SECONDS] [--mem MIB] [--procs N]
 *                --meta lessons/NN-slug/lesson.meta [--lesson NAME]
 *                [--expect-none] -- GRADER [ARGS...]
 *
 * --cpu, --mem and --procs set RLIMIT_CPU, RLIMIT_AS and RLIMIT_NPROC for
 * the grader and all it starts (coflow grade uses them; RLIMIT_NPROC
 * counts every process of the user, and root is not held to it).
 *
 * The grader binary holds the student's code, so nothing it prints, writes
 * or returns can be believed on its own: an exit that skips every guard
 * ends it with status 0, a constructor can write any log file, a message
 * can hold any text. So the judge
 *  - takes the list of tests and their points from lesson.meta (`test =
 *    NAME POINTS`), never from the binary: a grader that does not build,
 *    or reports fewer tests, still has the same maximum;
 *  - hands the grader a random nonce on a pipe that grader.c reads before
 *    any constructor of the program runs, and a socket for records
 *    (judge_proto.h);
 *  - counts a test as passed only when exactly one "pass" record with the
 *    nonce names it, no "fail" record does, and Check's own summary does
 *    not list it as failed (that only ever takes a pass away);
 *  - caps each test's output, ends the whole process tree (new sessions
 *    included: the judge is a child subreaper, so every orphan comes back
 *    to it) when the grader ends or the time limit passes.
 * docs/grading.md has the threat model, and what this does not defend.
 *
 * Exit status: 0 every test passed, 1 some did not, 99 the judge could not
 * do its job (bad arguments, no tests in lesson.meta, no pipes). With
 * --expect-none (a shipped exercise) it is the other way round: 0 when it
 * scores nothing (no test passes but the guards, see lesson.meta), 1 when
 * it scores. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "judge_parse.h"

#define TAIL_KEEP 16384 /* the end of the grader's output, for Check's summary */

/* The tests, their records and the nonce: lesson.meta and the record socket
 * are read by judge_parse.c, into this. */
static judge_tally tally;
static size_t printed_outside; /* output before the first or between tests */
static char tail[TAIL_KEEP];   /* a ring of the last output bytes */
static size_t tail_used;       /* total bytes ever put in the ring */
static size_t output_cap = 1 << 20;
static int sig_pipe[2] = {-1, -1};
static pid_t main_pid;
static long limit_cpu, limit_mem_mib, limit_procs; /* 0: none */
static int main_status = -1;   /* wait status of the grader, once it ended */

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(sig_pipe[1], "c", 1) < 0) {
        /* the pipe is full: a wakeup is already on its way */
    }
    errno = saved;
}

/* ---- lesson.meta ---------------------------------------------------------- */

static int read_meta(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "coflow-judge: cannot read %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    int n = judge_read_meta(&tally, f);
    fclose(f);
    return n;
}

/* ---- output -------------------------------------------------------------- */

static void feed_output(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        tail[(tail_used + i) % TAIL_KEEP] = data[i];
    tail_used += len;
    jtest *t = tally.running;
    if (!t) {
        printed_outside += len;
        return;
    }
    t->printed += len;
    for (size_t i = 0; i < len; i++)
        t->lines += data[i] == '\n';
    if (t->printed > output_cap && !t->stopped && t->pid > 0) {
        t->stopped = true;
        kill(t->pid, SIGKILL); /* Check's child for this test; it moves on */
    }
}

/* The ring's contents in order, NUL-terminated, in @p out. */
static void tail_text(char *out, size_t size)
{
    size_t n = tail_used < TAIL_KEEP ? tail_used : TAIL_KEEP;
    if (n >= size)
        n = size - 1;
    size_t start = tail_used - n;
    for (size_t i = 0; i < n; i++)
        out[i] = tail[(start + i) % TAIL_KEEP];
    out[n] = '\0';
}

/* Check's summary names each failed test: "file:line:E:tcase:NAME:0: why".
 * It comes from the grader, so it can only take a pass away, never give
 * one. */
static void read_check_summary(void)
{
    static char text[TAIL_KEEP + 1];
    tail_text(text, sizeof text);
    for (int i = 0; i < tally.ntests; i++) {
        jtest *t = &tally.tests[i];
        char needle[140];
        snprintf(needle, sizeof needle, ":%.127s:", t->name);
        for (char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) {
            char *q = p + strlen(needle);
            while (isdigit((unsigned char)*q))
                q++;
            if (*q != ':' || q == p + strlen(needle))
                continue;
            q++;
            while (*q == ' ')
                q++;
            size_t len = strcspn(q, "\n");
            snprintf(t->check_says, sizeof t->check_says, "%.*s", (int)len, q);
            break;
        }
    }
}

/* ---- the process tree ------------------------------------------------------ */

static void reaped(pid_t pid, int status)
{
    if (pid == main_pid)
        main_status = status;
}

/* Kills every process whose parent is the judge; returns how many. */
static int kill_children(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int found = 0;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%.40s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *close_paren = strrchr(buf, ')');
        char state;
        long ppid;
        if (!close_paren || sscanf(close_paren + 1, " %c %ld", &state, &ppid) != 2)
            continue;
        if (ppid == (long)self && state != 'Z') {
            pid_t pid = (pid_t)atol(e->d_name);
            kill(pid, SIGKILL);
            found++;
        }
    }
    closedir(d);
    return found;
}

/* Ends the grader and everything it started, then reaps them all. */
static void kill_tree(void)
{
    kill(-main_pid, SIGKILL);
    for (;;) {
        int found = kill_children();
        int status;
        pid_t r = waitpid(-1, &status, found ? 0 : WNOHANG);
        if (r > 0) {
            reaped(r, status);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break; /* ECHILD: nobody is left */
        kill(-main_pid, SIGKILL);
    }
}

/* ---- running it ---------------------------------------------------------- */

static int make_nonce(void)
{
    unsigned char raw[JUDGE_NONCE_LEN / 2];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(tally.nonce + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static void child(char **argv, int out_w, int rec_w, int nonce_r)
{
    /* Out of the way of 0-4 first, then into place. */
    int o = fcntl(out_w, F_DUPFD_CLOEXEC, 10);
    int r = fcntl(rec_w, F_DUPFD_CLOEXEC, 10);
    int n = fcntl(nonce_r, F_DUPFD_CLOEXEC, 10);
    int devnull = open("/dev/null", O_RDONLY);
    if (o < 0 || r < 0 || n < 0 || devnull < 0)
        _exit(127);
    dup2(devnull, STDIN_FILENO);
    dup2(o, STDOUT_FILENO);
    dup2(o, STDERR_FILENO);
    dup2(r, JUDGE_RECORD_FD);
    dup2(n, JUDGE_NONCE_FD);
#ifdef SYS_close_range
    syscall(SYS_close_range, JUDGE_NONCE_FD + 1, ~0U, 0);
#else
    for (int fd = JUDGE_NONCE_FD + 1; fd < 4096; fd++)
        close(fd);
#endif
    setpgid(0, 0);
    if (limit_cpu > 0) {
        struct rlimit rl = {(rlim_t)limit_cpu, (rlim_t)limit_cpu + 1};
        setrlimit(RLIMIT_CPU, &rl);
    }
    if (limit_mem_mib > 0) {
        rlim_t bytes = (rlim_t)limit_mem_mib << 20;
        struct rlimit rl = {bytes, bytes};
        setrlimit(RLIMIT_AS, &rl);
    }
    if (limit_procs > 0) {
        struct rlimit rl = {(rlim_t)limit_procs, (rlim_t)limit_procs};
        setrlimit(RLIMIT_NPROC, &rl);
    }
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    setenv(JUDGE_ENV, "1", 1);
    setenv("CK_VERBOSITY", "normal", 1);
    static const char *const drop[] = {
        "CK_RUN_SUITE", "CK_RUN_CASE", "CK_INCLUDE_TAGS", "CK_EXCLUDE_TAGS",
        "CK_TAP_LOG_FILE_NAME", "CK_XML_LOG_FILE_NAME", "CK_LOG_FILE_NAME",
        "CK_SUBUNIT_LOG_FILE_NAME",
    };
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++)
        unsetenv(drop[i]);
    execv(argv[0], argv);
    dprintf(STDERR_FILENO, "coflow-judge: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
}

/* One message from the record socket is one record, whole: one that does
 * not end its line (bytes a student's code wrote there) is ended here, so
 * that it cannot swallow the grader's next record. */
static void feed_message(const char *data, size_t len)
{
    judge_feed_records(&tally, data, len);
    if (data[len - 1] != '\n')
        judge_feed_records(&tally, "\n", 1);
}

/* Runs the grader; returns 0, or -1 if it could not be started. */
static int run(char **argv, double limit, bool *timed_out)
{
    int out[2], rec[2], np[2];
    /* The records come on a socket (judge_proto.h): rec[1] is the
     * grader's, and it may only write; rec[0] is the judge's, only read. */
    if (pipe2(out, O_CLOEXEC) < 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rec) < 0 ||
        shutdown(rec[0], SHUT_WR) < 0 || shutdown(rec[1], SHUT_RD) < 0 ||
        pipe2(np, O_CLOEXEC) < 0 || pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    main_pid = fork();
    if (main_pid < 0)
        return -1;
    if (main_pid == 0)
        child(argv, out[1], rec[1], np[0]);
    setpgid(main_pid, main_pid);
    close(out[1]);
    close(rec[1]);
    close(np[0]);
    if (write(np[1], tally.nonce, JUDGE_NONCE_LEN) != JUDGE_NONCE_LEN) {
        /* the grader is gone already: it gets no nonce and passes nothing */
    }
    close(np[1]);

    double deadline = judge_now() + limit;
    bool out_open = true, rec_open = true;
    *timed_out = false;
    static char buf[4 * JUDGE_RECORD_MAX];
    while (main_status == -1) {
        struct pollfd fds[3] = {
            {out_open ? out[0] : -1, POLLIN, 0},
            {rec_open ? rec[0] : -1, POLLIN, 0},
            {sig_pipe[0], POLLIN, 0},
        };
        double left = deadline - judge_now();
        if (left <= 0) {
            *timed_out = true;
            break;
        }
        int ms = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
        int ready = poll(fds, 3, ms);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue;
        /* Records first: output read after a record belongs to what the
         * record announced. */
        if (fds[1].revents) {
            ssize_t n = read(rec[0], buf, sizeof buf);
            if (n > 0)
                feed_message(buf, (size_t)n);
            else if (n == 0 || errno != EINTR)
                rec_open = false;
        }
        if (fds[0].revents) {
            ssize_t n = read(out[0], buf, sizeof buf);
            if (n > 0)
                feed_output(buf, (size_t)n);
            else if (n == 0 || errno != EINTR)
                out_open = false;
        }
        if (fds[2].revents) {
            while (read(sig_pipe[0], buf, sizeof buf) > 0) {
            }
            int status;
            pid_t r;
            while ((r = waitpid(-1, &status, WNOHANG)) > 0)
                reaped(r, status);
        }
    }
    /* The grader ended (or ran out of time): nothing it started may stay
     * behind, nor hold the pipes open. Then read what is left: every
     * writer is gone, so both pipes end. */
    kill_tree();
    if (tally.running)
        tally.running->secs = judge_now() - tally.running->t0;
    for (;;) {
        ssize_t n = read(rec[0], buf, sizeof buf);
        if (n > 0)
            feed_message(buf, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    for (;;) {
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n > 0)
            feed_output(buf, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(out[0]);
    close(rec[0]);
    return 0;
}

/* ---- the verdict --------------------------------------------------------- */

static bool passed(const jtest *t)
{
    return t->passes == 1 && t->fails == 0 && t->starts == 1 &&
           !t->check_says[0] && !t->stopped;
}

static void ended_how(char *out, size_t size)
{
    if (main_status == -1)
        snprintf(out, size, "it was stopped at the time limit");
    else if (WIFSIGNALED(main_status))
        snprintf(out, size, "it was ended by signal %d",
                 WTERMSIG(main_status));
    else
        snprintf(out, size, "it ended with exit status %d",
                 WEXITSTATUS(main_status));
}

/* Why @p t did not pass, in words a student can act on. */
static void why_failed(const jtest *t, bool timed_out, double limit,
                       char *out, size_t size)
{
    char how[96];
    ended_how(how, sizeof how);
    if (t->stopped)
        snprintf(out, size,
                 "This test printed more than %zu bytes (%zu bytes, %ld "
                 "lines, when it was stopped), so it was stopped: a loop "
                 "that prints without end? Only the end of what it printed "
                 "is kept.",
                 output_cap, t->printed, t->lines);
    else if (t->fails > 0)
        snprintf(out, size, "%s", t->msg);
    else if (t->passes > 1 || t->starts > 1)
        snprintf(out, size,
                 "This test reported its end %d times, but it runs once: "
                 "does your code fork() a copy of the process that goes on "
                 "running the test?",
                 t->passes > t->starts ? t->passes : t->starts);
    else if (t->passes == 1 && t->check_says[0])
        snprintf(out, size, "Check, which runs the test, says: %s",
                 t->check_says);
    else if (t->starts == 0 && timed_out)
        snprintf(out, size,
                 "This test never ran: the grader was stopped after %.0f "
                 "seconds, before it got there.",
                 limit);
    else if (t->starts == 0)
        snprintf(out, size,
                 "This test never ran: the grader ended before it got "
                 "there (%s). Code that runs before main(), or that ends "
                 "the program, does that.",
                 how);
    else if (t->check_says[0])
        snprintf(out, size, "%s", t->check_says);
    else if (timed_out)
        snprintf(out, size,
                 "This test never finished: the grader was stopped after "
                 "%.0f seconds.",
                 limit);
    else
        snprintf(out, size,
                 "This test started but never reported its end: the "
                 "process running it was ended from outside the test, by "
                 "an exit that skipped the grader (such as _exit(), "
                 "__real__exit() or a raw exit system call) or by a "
                 "signal. A test passes only by returning.");
}

/* Writes @p s with every byte sequence that is not UTF-8 replaced by
 * U+FFFD, escaped as judge_proto.h says when @p escape is set. */
static void put_text(FILE *f, const char *s, bool escape)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                                 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0;
        for (int i = 1; ok && i < len; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok && len == 2 && c < 0xC2)
            ok = false; /* overlong */
        if (ok && len == 3) {
            unsigned cp = ((c & 15u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned cp = ((c & 7u) << 18) | ((p[1] & 63u) << 12) |
                          ((p[2] & 63u) << 6) | (p[3] & 63u);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok) {
            fputs("\xEF\xBF\xBD", f);
            p++;
            continue;
        }
        if (escape && c == '\\')
            fputs("\\\\", f);
        else if (escape && c == '\n')
            fputs("\\n", f);
        else if (escape && c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 && c != '\n' && c != '\t')
            fprintf(f, "\\x%02x", c);
        else if (c == 0x7f)
            fputs("\\x7f", f);
        else
            fwrite(p, 1, (size_t)len, f);
        p += len;
    }
}

static void usage(void)
{
    fprintf(stderr,
            "usage: coflow-judge [--machine] [--limit SECONDS] "
            "[--output-cap BYTES] [--expect-none]\n"
            "                    [--cpu SECONDS] [--mem MIB] [--procs N]\n"
            "                    --meta LESSON.META [--lesson NAME] -- "
            "GRADER [ARGS...]\n");
}

int main(int argc, char **argv)
{
    const char *meta = NULL, *lesson = NULL;
    bool machine = false, expect_none = false;
    double limit = 120;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "--machine") == 0) {
            machine = true;
        } else if (strcmp(argv[i], "--expect-none") == 0) {
            expect_none = true;
        } else if (strcmp(argv[i], "--meta") == 0 && i + 1 < argc) {
            meta = argv[++i];
        } else if (strcmp(argv[i], "--lesson") == 0 && i + 1 < argc) {
            lesson = argv[++i];
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            limit = atof(argv[++i]);
        } else if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc) {
            limit_cpu = atol(argv[++i]);
        } else if (strcmp(argv[i], "--mem") == 0 && i + 1 < argc) {
            limit_mem_mib = atol(argv[++i]);
        } else if (strcmp(argv[i], "--procs") == 0 && i + 1 < argc) {
            limit_procs = atol(argv[++i]);
        } else if (strcmp(argv[i], "--output-cap") == 0 && i + 1 < argc) {
            output_cap = (size_t)atol(argv[++i]);
        } else {
            usage();
            return 99;
        }
    }
    if (!meta || i >= argc || limit <= 0 || output_cap == 0) {
        usage();
        return 99;
    }
    if (read_meta(meta) <= 0) {
        fprintf(stderr, "coflow-judge: %s lists no tests (`test = NAME "
                        "POINTS` lines).\n",
                meta);
        return 99;
    }
    if (!lesson)
        lesson = meta;
    /* Nobody may read the nonce out of this process: not through
     * /proc/PID/mem, nor ptrace, nor by opening its descriptors through
     * /proc/PID/fd, all of which a process of the same user may otherwise
     * do (a grader's code included). The grader gets its own setting back
     * when it is executed. */
    prctl(PR_SET_DUMPABLE, 0);
    if (make_nonce() < 0) {
        fprintf(stderr, "coflow-judge: no random numbers: %s\n",
                strerror(errno));
        return 99;
    }
    bool timed_out = false;
    if (run(argv + i, limit, &timed_out) < 0) {
        fprintf(stderr, "coflow-judge: cannot start %s: %s\n", argv[i],
                strerror(errno));
        return 99;
    }
    read_check_summary();

    /* A guard passes on the exercise as handed out: it earns its points
     * only once a test that the handed-out exercise fails passes. */
    int score = 0, max = 0, npassed = 0, real_passed = 0;
    for (int k = 0; k < tally.ntests; k++)
        real_passed += !tally.tests[k].guard && passed(&tally.tests[k]);
    for (int k = 0; k < tally.ntests; k++) {
        max += tally.tests[k].points;
        if (passed(&tally.tests[k])) {
            npassed++;
            if (!tally.tests[k].guard || real_passed)
                score += tally.tests[k].points;
        }
    }
    /* Lesson-level remarks: they never add points. */
    char notes[4][600];
    int nnotes = 0;
    for (int k = 0; k < tally.nunknown && nnotes < 2; k++)
        snprintf(notes[nnotes++], sizeof notes[0],
                 "The grader reported a test that lesson.meta does not list "
                 "(%.127s): it earns nothing. Are the graders the ones that were "
                 "handed out?",
                 tally.unknown[k]);
    if (tally.forged && nnotes < 4)
        snprintf(notes[nnotes++], sizeof notes[0],
                 "%ld line%s on the grader's result channel did not come "
                 "from the grader; they were ignored.",
                 tally.forged, tally.forged == 1 ? "" : "s");
    if (printed_outside > output_cap && nnotes < 4)
        snprintf(notes[nnotes++], sizeof notes[0],
                 "Outside the tests, the grader printed %zu bytes.",
                 printed_outside);

    static const char guard_note[] =
        "Passes, but earns its points only once one of the lesson's other "
        "tests passes: the exercise as handed out passes it already.";
    FILE *o = stdout;
    if (machine) {
        fprintf(o, "coflow-judge 1\n");
        for (int k = 0; k < tally.ntests; k++) {
            jtest *t = &tally.tests[k];
            bool ok = passed(t);
            static char why[JUDGE_MESSAGE_MAX + 1024];
            why[0] = '\0';
            if (!ok)
                why_failed(t, timed_out, limit, why, sizeof why);
            if (ok && t->guard && !real_passed)
                snprintf(why, sizeof why, "%s", guard_note);
            fprintf(o, "test %s %d %d %s %.3f ", t->name,
                    ok && (!t->guard || real_passed) ? t->points : 0,
                    t->points, ok ? "pass" : "fail", t->secs);
            put_text(o, why, true);
            fputc('\n', o);
        }
        for (int k = 0; k < nnotes; k++) {
            fputs("note ", o);
            put_text(o, notes[k], true);
            fputc('\n', o);
        }
        /* The last 4 KiB of what the grader printed, for a person. */
        static char text[TAIL_KEEP + 1];
        tail_text(text, sizeof text);
        size_t len = strlen(text);
        fputs("log ", o);
        put_text(o, len > 4096 ? text + len - 4096 : text, true);
        fputc('\n', o);
        fprintf(o, "summary %d %d %d %d\n", score, max, npassed, tally.ntests);
    } else {
        fprintf(o, "coflow-judge: %s: %d of %d tests pass, %d of %d points\n",
                lesson, npassed, tally.ntests, score, max);
        for (int k = 0; k < tally.ntests; k++) {
            jtest *t = &tally.tests[k];
            bool ok = passed(t);
            fprintf(o, "  %s %s (%.3f s)\n", ok ? "PASS" : "FAIL", t->name,
                    t->secs);
            if (ok && t->guard && !real_passed)
                fprintf(o, "       %s\n", guard_note);
            if (!ok) {
                static char why[JUDGE_MESSAGE_MAX + 1024];
                why_failed(t, timed_out, limit, why, sizeof why);
                /* Every line indented under the test's name, all of it. */
                fputs("       ", o);
                for (char *line = why; line;) {
                    char *end = strchr(line, '\n');
                    if (end)
                        *end = '\0';
                    put_text(o, line, false);
                    if (end)
                        fputs("\n       ", o);
                    line = end ? end + 1 : NULL;
                }
                fputc('\n', o);
            }
        }
        for (int k = 0; k < nnotes; k++)
            fprintf(o, "  note: %s\n", notes[k]);
    }
    fflush(o);
    if (expect_none)
        return real_passed == 0 && score == 0 ? 0 : 1;
    return npassed == tally.ntests && tally.nunknown == 0 ? 0 : 1;
}
