/* grader.c - the support every lesson grader links: guarded test cases,
 * budgets for coroutines and loops, trace comparison. See grader.h.
 *
 * The exit guards. Check runs each test in a forked child and records a
 * child that ends with status 0 as a PASS, so a student's exit(0) would
 * pass any test. Every grader is linked with
 *     -Wl,--wrap=exit,--wrap=_exit,--wrap=_Exit,--wrap=quick_exit,--wrap=abort
 * which sends every call to those functions made from the grader's own
 * objects (the student's code, the test, and Check itself, which is a static
 * library here) to the __wrap_ functions below. They act only while a test
 * body runs ("armed", between the fixture's setup and teardown), so Check's
 * own exit(0) after a finished test is left alone. While armed:
 *  - exit, _Exit, quick_exit (any status) and abort are the student's:
 *    the test fails with a sentence;
 *  - _exit(0) is the student's too, but _exit(1) is how Check's child
 *    reports a failed assertion, so a non-zero _exit goes straight through
 *    (it is a failure anyway).
 * An exit that gets past the wrapping (a library calling exit, say) still
 * runs the atexit() handlers, and one of them fails the test while armed.
 *
 * None of that decides the verdict, though: the guards only make the
 * messages good. The student's code runs in this very process, so anything
 * this process says could have been said by the student's code instead
 * (an exit that skips every guard, say, or a fake log file). The verdict is
 * the judge's (judge.c), a process that never runs student code: it counts
 * a test as passed only when this file's trampoline reports, once, that
 * the test's body returned with nothing failed, on a pipe and with a random
 * nonce that only the judge and this file know (judge_proto.h). */
#include "grader.h"
#include "judge_proto.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* The real functions, reached through the linker's --wrap. */
_Noreturn void __real_exit(int status);
_Noreturn void __real__exit(int status);
_Noreturn void __real__Exit(int status);
_Noreturn void __real_quick_exit(int status);
_Noreturn void __real_abort(void);
_Noreturn void __wrap_exit(int status);
_Noreturn void __wrap__exit(int status);
_Noreturn void __wrap__Exit(int status);
_Noreturn void __wrap_quick_exit(int status);
_Noreturn void __wrap_abort(void);

/* Check's own functions, wrapped by the link as well (see the judge's
 * records below). */
void __real__ck_assert_failed(const char *file, int line, const char *expr,
                              const char *msg, ...);
void __wrap__ck_assert_failed(const char *file, int line, const char *expr,
                              const char *msg, ...);
void __real_tcase_fn_start(const char *fname, const char *file, int line);
void __wrap_tcase_fn_start(const char *fname, const char *file, int line);
void __real__tcase_add_test(TCase *tc, const TTest *ttest, int sig,
                            int allowed_exit, int start, int end);
void __wrap__tcase_add_test(TCase *tc, const TTest *ttest, int sig,
                            int allowed_exit, int start, int end);

/* Set while a test body runs (between the fixture's setup and teardown). */
static volatile int armed;

/* ---- the judge's records (judge_proto.h) -------------------------------- */

/* The nonce, once read from the judge; judged is set only then. */
static char nonce[JUDGE_NONCE_LEN + 1];
static int judged;
/* The test this process runs: Check announces it by calling
 * tcase_fn_start() just before the test's function. */
static char current[128];
static int started;      /* a test body began and has not ended */
static int test_failed;  /* an assertion of that test failed */

/* Runs before every constructor of the program, the student's included:
 * entries of .preinit_array run first, in link order, and grader.c is the
 * first object of every grader. What a constructor finds afterwards is a
 * closed descriptor. */
static void take_nonce(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    /* getenv() is not ready yet (the C library's own initialisation runs
     * after this): the environment comes as an argument. */
    bool asked = false;
    for (char **e = envp; e && *e; e++)
        asked |= strcmp(*e, JUDGE_ENV "=1") == 0;
    if (!asked)
        return;
    char buf[JUDGE_NONCE_LEN];
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = read(JUDGE_NONCE_FD, buf + got, sizeof buf - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(JUDGE_NONCE_FD);
    if (got != sizeof buf)
        return; /* no records: the judge fails every test, as it should */
    memcpy(nonce, buf, sizeof buf);
    nonce[JUDGE_NONCE_LEN] = '\0';
    judged = 1;
}
__attribute__((section(".preinit_array"), used)) static void (
    *const take_nonce_entry)(int, char **, char **) = take_nonce;

/* Appends @p s to @p out, escaped as judge_proto.h says. */
static size_t escape_into(char *out, size_t used, size_t size, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (; s && *s && used + 5 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\') {
            out[used++] = '\\';
            out[used++] = '\\';
        } else if (c == '\n') {
            out[used++] = '\\';
            out[used++] = 'n';
        } else if (c == '\t') {
            out[used++] = '\\';
            out[used++] = 't';
        } else if (c == '\r') {
            out[used++] = '\\';
            out[used++] = 'r';
        } else if (c < 0x20 || c == 0x7f) {
            out[used++] = '\\';
            out[used++] = 'x';
            out[used++] = hex[c >> 4];
            out[used++] = hex[c & 15];
        } else {
            out[used++] = (char)c;
        }
    }
    return used;
}

static void append(char *out, size_t *used, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (*used + n >= size)
        n = size - *used - 1;
    memcpy(out + *used, s, n);
    *used += n;
}

/* Writes one record with a single write(): only async-signal-safe calls,
 * since a crash handler writes one too. */
static void record(const char *kind, const char *message)
{
    if (!judged)
        return;
    char line[JUDGE_RECORD_MAX];
    size_t used = 0;
    char pid[24];
    size_t k = sizeof pid;
    pid[--k] = '\0';
    for (long v = (long)getpid(); v > 0 && k > 0; v /= 10)
        pid[--k] = (char)('0' + v % 10);
    append(line, &used, sizeof line, nonce);
    append(line, &used, sizeof line, " ");
    append(line, &used, sizeof line, kind);
    append(line, &used, sizeof line, " ");
    append(line, &used, sizeof line, current[0] ? current : "-");
    append(line, &used, sizeof line, " ");
    append(line, &used, sizeof line, pid + k);
    if (message) {
        append(line, &used, sizeof line, " ");
        used = escape_into(line, used, sizeof line - 1, message);
    }
    line[used++] = '\n';
    for (size_t off = 0; off < used;) {
        ssize_t n = write(JUDGE_RECORD_FD, line + off, used - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        off += (size_t)n;
    }
}

/* Every failure of a test goes through here: Check's assertions, the
 * grade_expect_ functions, the exit guards. The failure is recorded first, so
 * that whatever _ck_assert_failed turns out to be (a student may define
 * one that returns), the test has failed. */
void __wrap__ck_assert_failed(const char *file, int line, const char *expr,
                              const char *msg, ...)
{
    char text[3000];
    if (msg) {
        va_list ap;
        va_start(ap, msg);
        vsnprintf(text, sizeof text, msg, ap);
        va_end(ap);
    } else {
        snprintf(text, sizeof text, "%s", expr ? expr : "failed");
    }
    if (started) {
        test_failed = 1;
        started = 0;
        record("fail", text);
    }
    __real__ck_assert_failed(file, line, expr, "%s", text);
    /* A _ck_assert_failed that returns is not Check's: end the child. */
    armed = 0;
    __real__exit(1);
}

/* Check calls this just before each test's function. A second call while
 * a test runs means that something other than Check announced a test:
 * that fails it. */
void __wrap_tcase_fn_start(const char *fname, const char *file, int line)
{
    if (started) {
        _ck_assert_failed(file, line, "Failed",
                          "a second test (%s) was announced while %s was "
                          "running: does your code call Check's functions?",
                          fname, current);
    }
    snprintf(current, sizeof current, "%s", fname ? fname : "?");
    started = 1;
    test_failed = 0;
    record("start", NULL);
    __real_tcase_fn_start(fname, file, line);
}

/* Crashes are recorded before the default action ends the child, so the
 * judge can say "crashed" rather than "never reported". */
static void on_crash(int sig)
{
    const char *what = sig == SIGSEGV   ? "Received signal 11 (Segmentation fault)"
                       : sig == SIGBUS  ? "Received signal 7 (Bus error)"
                       : sig == SIGFPE  ? "Received signal 8 (Floating point exception)"
                       : sig == SIGILL  ? "Received signal 4 (Illegal instruction)"
                                        : "Received signal 6 (Aborted)";
    if (started) {
        started = 0;
        record("fail", what);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The trampolines: Check calls one of these in place of each test's
 * function, and only a body that returns to it passes. A fixed set of
 * functions, because Check passes a test function nothing but the loop
 * index, so each needs its own slot. */
#define GRADE_MAX_TESTS 64
static struct {
    const char *name; /* the test's own name (START_TEST) */
    TFun fn;          /* its body */
    TTest test;       /* what Check is given instead */
} slots[GRADE_MAX_TESTS];
static int nslots;

static void run_slot(int k, int i)
{
    static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t c = 0; c < sizeof crashes / sizeof *crashes; c++)
        signal(crashes[c], on_crash);
    slots[k].fn(i);
    /* The body returned. It passed if it was this test that ran, once,
     * and nothing failed on the way. */
    if (started && !test_failed && strcmp(current, slots[k].name) == 0)
        record("pass", NULL);
    started = 0;
}

#define SLOT(a, b)                                                             \
    static void slot##a##b(int i)                                              \
    {                                                                          \
        run_slot(a * 8 + b, i);                                                \
    }
#define SLOTS8(a)                                                              \
    SLOT(a, 0) SLOT(a, 1) SLOT(a, 2) SLOT(a, 3) SLOT(a, 4) SLOT(a, 5)          \
    SLOT(a, 6) SLOT(a, 7)
SLOTS8(0) SLOTS8(1) SLOTS8(2) SLOTS8(3) SLOTS8(4) SLOTS8(5) SLOTS8(6)
SLOTS8(7)
#define NAMES8(a)                                                              \
    slot##a##0, slot##a##1, slot##a##2, slot##a##3, slot##a##4, slot##a##5,    \
        slot##a##6, slot##a##7
static const TFun slot_fns[GRADE_MAX_TESTS] = {
    NAMES8(0), NAMES8(1), NAMES8(2), NAMES8(3),
    NAMES8(4), NAMES8(5), NAMES8(6), NAMES8(7),
};

void __wrap__tcase_add_test(TCase *tc, const TTest *ttest, int sig,
                            int allowed_exit, int start, int end)
{
    if (nslots == GRADE_MAX_TESTS || sig != 0 || allowed_exit != 0) {
        /* Not gradable: registered as is, it can never report a pass. */
        __real__tcase_add_test(tc, ttest, sig, allowed_exit, start, end);
        return;
    }
    int k = nslots++;
    slots[k].name = ttest->name;
    slots[k].fn = ttest->fn;
    slots[k].test = *ttest;
    slots[k].test.fn = slot_fns[k];
    __real__tcase_add_test(tc, &slots[k].test, sig, allowed_exit, start,
                           end);
}

/* The runner, to ask whether Check forks: without a fork there is no
 * child to end, and failing must not longjmp out of an exit handler. */
static SRunner *runner;

static int forking(void)
{
    return runner == NULL || srunner_fork_status(runner) != CK_NOFORK;
}

/* Fails the running test with @p how (a call that tried to end the
 * program). Disarms first: failing ends the child with Check's own
 * _exit(1), which must not come back here. */
static _Noreturn void fail_exit(const char *how, int status)
{
    armed = 0;
    char msg[512];
    snprintf(msg, sizeof msg,
             "your code called %s(%d) in the middle of the test. A test "
             "must end by returning: remove the %s call (a coroutine ends "
             "at CO_END or with CO_RETURN, a function with return).",
             how, status, how);
    if (!forking()) {
        /* No child to end: say it and stop, never report a pass. */
        fprintf(stderr, "%s\n", msg);
        __real__exit(1);
    }
    _ck_assert_failed(__FILE__, __LINE__, "Failed", "%s", msg);
    __real__exit(1); /* not reached: Check ends the child */
}

_Noreturn void __wrap_exit(int status)
{
    if (armed)
        fail_exit("exit", status);
    __real_exit(status);
}

_Noreturn void __wrap__Exit(int status)
{
    if (armed)
        fail_exit("_Exit", status);
    __real__Exit(status);
}

_Noreturn void __wrap_quick_exit(int status)
{
    if (armed)
        fail_exit("quick_exit", status);
    __real_quick_exit(status);
}

_Noreturn void __wrap__exit(int status)
{
    if (armed && status == 0)
        fail_exit("_exit", status);
    __real__exit(status);
}

_Noreturn void __wrap_abort(void)
{
    if (armed) {
        armed = 0;
        if (forking())
            _ck_assert_failed(__FILE__, __LINE__, "Failed",
                              "your code called abort() in the middle of the "
                              "test (an assert() that failed, perhaps).");
        fprintf(stderr, "your code called abort() in the middle of a test\n");
    }
    __real_abort();
}

/* Runs at exit(); a test body that is still armed did not return. */
static void at_exit_guard(void)
{
    if (!armed)
        return;
    armed = 0;
    const char *msg = "the program ended in the middle of the test, before "
                      "the test returned: something called exit(). A test "
                      "passes only by returning.";
    if (forking())
        _ck_assert_failed(__FILE__, __LINE__, "Failed", "%s", msg);
    fprintf(stderr, "%s\n", msg);
    __real__exit(1);
}

static void arm(void)
{
    armed = 1;
}

static void disarm(void)
{
    armed = 0;
}

TCase *grade_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    /* Checked fixtures run inside the forked child, around each test. */
    tcase_add_checked_fixture(tc, arm, disarm);
    return tc;
}

SRunner *grade_runner(Suite *s)
{
    SRunner *sr = srunner_create(s);
    runner = sr;
    static int registered;
    if (!registered && atexit(at_exit_guard) == 0)
        registered = 1;
    return sr;
}

int grade_main(Suite *s)
{
    SRunner *sr = grade_runner(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    runner = NULL;
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

/* ---- budgets ------------------------------------------------------------ */

int grade__step(const char *file, int line, co_coro *co, const char *what)
{
    int st = co_coro_step(co);
    if (st < 0)
        _ck_assert_failed(file, line, "Failed",
                          "%s: co_coro_step() failed with %s (%s). Is the "
                          "frame set up with co_coro_init()?",
                          what, co_errname(st), co_strerror(st));
    return st;
}

int grade__run_coro(const char *file, int line, co_coro *co, int max_steps,
                    const char *what)
{
    if (max_steps <= 0)
        max_steps = GRADE_STEP_BUDGET;
    for (int steps = 1; steps <= max_steps; steps++) {
        int st = grade__step(file, line, co, what);
        if (st == CO_STATUS_DONE)
            return steps;
    }
    _ck_assert_failed(file, line, "Failed",
                      "your coroutine %s never returned: after %d steps it "
                      "was still suspended. Does it reach CO_END? (A loop "
                      "counter kept in a local variable restarts at every "
                      "resume: keep it in the frame.)",
                      what, max_steps);
    return max_steps; /* not reached */
}

/* The watchdog. It cannot be a timer on the loop: a pending timer keeps the
 * loop from ever seeing that nothing is left to run, and "waits for what
 * nobody will complete" would become a slow "never finished". So it is a
 * real-time alarm (SIGALRM) whose handler only asks the loop to stop, as
 * setting one flag; the loop notices at its next iteration, or when the
 * signal interrupts its select(). */
static co_loop *volatile watched_loop;
static volatile sig_atomic_t budget_spent;

static void on_alarm(int sig)
{
    (void)sig;
    budget_spent = 1;
    if (watched_loop)
        co_loop_stop(watched_loop);
}

/* Where every task of @p loop is stuck (co_loop_dump), for a failure
 * message: "task 'consumer' (waiting for ...) + consumer at queue.c:40".
 * Cut to fit in a message; "" if nothing could be said. */
static void stuck_tasks(co_loop *loop, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fmemopen(buf, size - 1, "w");
    if (!f)
        return;
    fputs("\nWhere every task is stuck (tasks nobody waits for first, "
          "under each what it waits for):\n",
          f);
    co_loop_dump(loop, f);
    fclose(f);
    buf[size - 1] = '\0';
}

int grade__run_until_complete(const char *file, int line, co_loop *loop,
                              co_future *f, double seconds, const char *what)
{
    if (seconds <= 0)
        seconds = GRADE_LOOP_BUDGET;
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    struct itimerval budget, old_budget;
    memset(&budget, 0, sizeof budget);
    budget.it_value.tv_sec = (time_t)seconds;
    budget.it_value.tv_usec =
        (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
    budget_spent = 0;
    watched_loop = loop;
    sigaction(SIGALRM, &sa, &old_sa);
    setitimer(ITIMER_REAL, &budget, &old_budget);

    int rc = co_loop_run_until_complete(loop, f);

    struct itimerval off;
    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old_sa, NULL);
    watched_loop = NULL;

    char stuck[1800];
    if (rc == CO_EDEADLOCK || (budget_spent && rc == CO_ESTOPPED))
        stuck_tasks(loop, stuck, sizeof stuck);
    if (rc == CO_EDEADLOCK)
        _ck_assert_failed(file, line, "Failed",
                          "%s waits for something that nobody will ever "
                          "complete: the loop has no task ready, no timer "
                          "and no file to watch, and it is still not "
                          "finished. Is a task awaited that was never "
                          "created, or a future that nobody sets? (Or does "
                          "a coroutine end with a plain `return` instead of "
                          "CO_RETURN? Returning 2 reads as \"waiting\".)%s",
                          what, stuck);
    if (budget_spent && rc == CO_ESTOPPED)
        _ck_assert_failed(file, line, "Failed",
                          "%s never finished: after %.1f s it was still "
                          "running. Does your coroutine reach CO_END, and "
                          "does every loop in it end?%s",
                          what, seconds, stuck);
    return rc;
}

/* ---- traces -------------------------------------------------------------- */

void grade_trace_clear(grade_trace *t)
{
    memset(t, 0, sizeof *t);
}

void grade_trace_add(grade_trace *t, const char *fmt, ...)
{
    if (t->truncated)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t len = strlen(line);
    if (t->len + len + 2 > sizeof t->text) {
        t->truncated = 1;
        return;
    }
    memcpy(t->text + t->len, line, len);
    t->len += len;
    t->text[t->len++] = '\n';
    t->text[t->len] = '\0';
    t->lines++;
}

/* Copies line @p index (0-based) of @p text into @p out, or "(nothing)". */
static void nth_line(const char *text, int index, char *out, size_t size)
{
    const char *p = text;
    for (int i = 0; i < index && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p) {
        snprintf(out, size, "(nothing)");
        return;
    }
    size_t n = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)n, p);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        if (*p == '\n' || p[1] == '\0')
            n++;
    return n;
}

void grade__expect_trace(const char *file, int line, const grade_trace *t,
                         const char *expected, const char *what)
{
    size_t elen = strlen(expected);
    int same = !t->truncated &&
               (strcmp(t->text, expected) == 0 ||
                (elen > 0 && expected[elen - 1] != '\n' &&
                 t->len == elen + 1 && strncmp(t->text, expected, elen) == 0));
    if (same)
        return;
    int n = count_lines(expected);
    int m = count_lines(t->text);
    int rows = n > m ? n : m;
    char msg[3000];
    size_t used = (size_t)snprintf(msg, sizeof msg,
                                   "%s: not what was expected (=> marks "
                                   "each line that differs).\n"
                                   "    expected                          | "
                                   "your code did\n",
                                   what);
    /* Check passes on messages of a few kilobytes at most, so a long
     * trace is shown from just before its first difference, and as many
     * whole rows as fit, rather than cut off in the middle of a word. */
    char a[128], b[128];
    int first = 0;
    while (first < rows) {
        nth_line(expected, first, a, sizeof a);
        nth_line(t->text, first, b, sizeof b);
        if (strcmp(a, b) != 0)
            break;
        first++;
    }
    int from = first > 3 ? first - 3 : 0;
    if (from > 0)
        used += (size_t)snprintf(msg + used, sizeof msg - used,
                                 "    (the first %d line%s the same)\n",
                                 from, from == 1 ? " is" : "s are");
    const size_t reserve = 160; /* for the closing remarks below */
    int i = from;
    for (; i < rows; i++) {
        char row[300];
        nth_line(expected, i, a, sizeof a);
        nth_line(t->text, i, b, sizeof b);
        size_t len = (size_t)snprintf(row, sizeof row, " %s %-33s | %s\n",
                                      strcmp(a, b) ? "=>" : "  ", a, b);
        if (len >= sizeof row || used + len + reserve >= sizeof msg)
            break;
        memcpy(msg + used, row, len + 1);
        used += len;
    }
    if (i < rows)
        used += (size_t)snprintf(msg + used, sizeof msg - used,
                                 "    (%d more lines not shown)\n",
                                 rows - i);
    if (t->truncated)
        snprintf(msg + used, sizeof msg - used,
                 "    (and more: your code recorded too many events - an "
                 "endless loop?)\n");
    _ck_assert_failed(file, line, "Failed", "%s", msg);
}

void grade__expect_int(const char *file, int line, long long actual,
                       long long expected, const char *what)
{
    if (actual == expected) {
        _mark_point(file, line);
        return;
    }
    _ck_assert_failed(file, line, "Failed",
                      "%s: expected %lld, your code gave %lld", what,
                      expected, actual);
}

void grade__expect_code(const char *file, int line, int actual, int expected,
                        const char *what)
{
    if (actual == expected) {
        _mark_point(file, line);
        return;
    }
    if (actual > 0)
        _ck_assert_failed(file, line, "Failed",
                          "%s: expected %s, your code gave %d", what,
                          co_errname(expected), actual);
    _ck_assert_failed(file, line, "Failed",
                      "%s: expected %s, your code gave %s (%s)", what,
                      co_errname(expected), co_errname(actual),
                      co_strerror(actual));
}

void grade__expect_all_released(const char *file, int line, co_loop *loop,
                                const char *what)
{
    /* A few single iterations (stop, then run: asyncio's way to run one)
     * let queued done-callbacks run and drop the references they hold. */
    for (int i = 0; i < 4; i++) {
        co_loop_stop(loop);
        co_loop_run_forever(loop);
    }
    size_t alive = co_loop_live_futures(loop);
    if (alive == 0) {
        _mark_point(file, line);
        return;
    }
    _ck_assert_failed(file, line, "Failed",
                      "%s: %zu future or task reference%s never dropped "
                      "(a memory leak). co_create_task(..., &task) and "
                      "co_future_new() each give you a reference: drop it "
                      "with co_task_unref() or co_future_unref() once you "
                      "are done with it.",
                      what, alive, alive == 1 ? " was" : "s were");
}
