/* grade.c - build, run, parse, explain. */
#include "grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds a grader may run in all (each test also has Check's own limit);
 * COFLOW_GRADE_LIMIT overrides it, for the tutor's own tests. */
#define BUILD_LIMIT 300.0

static double grader_limit(void)
{
    const char *s = getenv("COFLOW_GRADE_LIMIT");
    double limit = s ? atof(s) : 0;
    return limit > 0 ? limit : 120.0;
}

static const struct {
    const char *needle;  /* text in the compiler's message */
    const char *meaning; /* what it means for a coflow student */
} explanations[] = {
    {"duplicate case value",
     "Two suspension points are on the same source line. Each CO_YIELD, "
     "CO_AWAIT..., CO_SLEEP... becomes a `case __LINE__:` label, so two on "
     "one line make two identical labels. Put each on a line of its own."},
    {"not within a switch statement",
     "A CO_ macro is used outside a coroutine body. Suspension points only "
     "work between CO_BEGIN(co) and CO_END(co), in the coroutine's own step "
     "function (not in a helper function it calls)."},
    {"co__resume",
     "The coroutine body is not opened and closed once: every step function "
     "needs exactly one CO_BEGIN(co) at the top and one CO_END(co) at the "
     "bottom."},
    {"implicit declaration of function",
     "You call a function the compiler has not seen declared: check the "
     "spelling, and that its header is included (coflow's functions are all "
     "in <coflow.h>)."},
    {"incompatible pointer type",
     "A pointer of one type is passed where another is expected. Coroutine "
     "functions take the co_coro inside your frame: pass &frame->co, and "
     "inside the step function turn it back with (struct your_frame *)co."},
    {"jump into scope",
     "A suspension point jumps over a declaration. Locals declared between "
     "suspension points do not survive them anyway: keep such variables in "
     "the frame struct."},
    {"control reaches end of non-void function",
     "A step function must end with CO_END(co), which returns for you."},
    {"undefined reference to",
     "The code compiles but a function it calls is never defined: an "
     "exercise function still missing, or a name spelt differently where it "
     "is defined."},
    {"expected declaration or statement at end of input",
     "A brace or a CO_END(co) is missing: the compiler reached the end of "
     "the file inside a function."},
    {"unused variable",
     "Warnings count as errors here: remove the variable, or use it."},
    {"may be used uninitialized",
     "A variable may be read before it is given a value. If it is a local "
     "that lives across a suspension point, it has to move into the frame."},
};

/* Check reports a hang or a crash in its own words; say what they usually
 * mean in a student's code. NULL when the message is the grader's own. */
const char *grade_plain_words(const char *message)
{
    if (strstr(message, "Test timeout expired"))
        return "This test never finished: most likely an endless loop (a "
               "loop whose condition never changes, or a coroutine that keeps "
               "running without ever suspending).";
    if (strstr(message, "signal 11"))
        return "Your code crashed (segmentation fault): it used a NULL "
               "pointer, memory already freed, or an index out of bounds.";
    if (strstr(message, "signal 6"))
        return "Your code stopped itself (abort): an assert() failed, or the "
               "C library found memory corrupted (freed twice, say).";
    if (strstr(message, "signal 8"))
        return "Your code crashed on arithmetic: most likely a division by "
               "zero.";
    return NULL;
}

int grade_explain(const char *compiler_output, char *out, size_t size)
{
    int count = 0;
    size_t used = 0;
    if (size)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof explanations / sizeof *explanations; i++) {
        if (!strstr(compiler_output, explanations[i].needle))
            continue;
        int n = snprintf(out + used, size - used, "%s- %s\n", count ? "" : "",
                         explanations[i].meaning);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
        count++;
    }
    return count;
}

/* "ok 3 - file.c:tcase:test_name: message" */
static bool parse_line(const char *line, test_outcome *r)
{
    bool ok;
    if (strncmp(line, "ok ", 3) == 0)
        ok = true;
    else if (strncmp(line, "not ok ", 7) == 0)
        ok = false;
    else
        return false;
    const char *p = strstr(line, " - ");
    if (!p)
        return false;
    p += 3;
    /* Skip "file:" and "tcase:" to reach the test's name. */
    for (int skip = 0; skip < 2 && p; skip++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    if (!p)
        return false;
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    if (n >= sizeof r->name)
        n = sizeof r->name - 1;
    memcpy(r->name, p, n);
    r->name[n] = '\0';
    const char *msg = colon ? colon + 1 : "";
    while (*msg == ' ')
        msg++;
    snprintf(r->message, sizeof r->message, "%s", msg);
    size_t m = strlen(r->message);
    while (m && (r->message[m - 1] == '\n' || r->message[m - 1] == '\r'))
        r->message[--m] = '\0';
    r->ok = ok;
    return true;
}

int grade_parse_tap(const char *text, test_outcome **out)
{
    *out = NULL;
    int n = 0, cap = 0;
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[1024];
        if (len >= sizeof buf)
            len = sizeof buf - 1;
        memcpy(buf, line, len);
        buf[len] = '\0';
        test_outcome r;
        bool is_result = parse_line(buf, &r);
        if (!is_result && n > 0 && strncmp(buf, "1..", 3) != 0) {
            /* A message of several lines: the rest follow its test line. */
            char *msg = (*out)[n - 1].message;
            size_t used = strlen(msg);
            snprintf(msg + used, sizeof (*out)[n - 1].message - used, "\n%s",
                     buf);
        } else if (is_result) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                test_outcome *grown = realloc(*out, (size_t)cap * sizeof *grown);
                if (!grown)
                    break;
                *out = grown;
            }
            (*out)[n++] = r;
        }
        line = end ? end + 1 : NULL;
    }
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(buf, cap);
            if (!grown)
                break;
            buf = grown;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* Sets up the run child for one command. */
static void prepare(grade_frame *self, double limit)
{
    co_coro_init(&self->run.co, run_command);
    self->run.argv = self->argv;
    self->run.env = self->env;
    self->run.limit = limit;
}

static void judge(grade_frame *self)
{
    grade *g = self->out;
    char *text = slurp(self->tap);
    g->ntests = text ? grade_parse_tap(text, &g->tests) : 0;
    free(text);
    if (g->ntests == 0 || self->run.timed_out) {
        g->state = GRADE_NO_RESULTS;
        return;
    }
    g->state = GRADE_PASSED;
    for (int i = 0; i < g->ntests; i++)
        if (!g->tests[i].ok)
            g->state = GRADE_FAILED;
    /* A grader that exits non-zero with every test green still failed:
     * trust the exit status over the log. */
    if (g->state == GRADE_PASSED && self->run.status != 0)
        g->state = GRADE_NO_RESULTS;
}

int grade_coro(co_coro *co)
{
    grade_frame *self = (grade_frame *)co;
    grade *g = self->out;
    int caught;
    CO_BEGIN(co);
    memset(g, 0, sizeof *g);
    snprintf(self->target, sizeof self->target, "lessons/lesson-%02d-%s",
             self->lesson->number,
             self->variant == GRADE_EXERCISE ? "exercise" : "solution");
    snprintf(self->exe, sizeof self->exe, "%s/%s", self->build_root,
             self->target);
    snprintf(self->tap, sizeof self->tap, "%s.tap", self->exe);
    snprintf(self->tap_env, sizeof self->tap_env, "CK_TAP_LOG_FILE_NAME=%s",
             self->tap);

    /* 1. Build the grader against the student's file. */
    self->argv[0] = "ninja";
    self->argv[1] = "-C";
    self->argv[2] = (char *)self->build_root;
    self->argv[3] = self->target;
    self->argv[4] = NULL;
    self->env[0] = NULL;
    prepare(self, BUILD_LIMIT);
    CO_AWAIT_CORO_CATCH(co, &self->run.co, caught);
    g->log = self->run.output;
    self->run.output = NULL;
    if (caught < 0 || self->run.status == 127) {
        g->state = GRADE_TOOL_ERROR;
        CO_RETURN(co, 0);
    }
    if (self->run.status != 0) {
        g->state = GRADE_BUILD_ERROR;
        CO_RETURN(co, 0);
    }
    free(g->log);
    g->log = NULL;

    /* 2. Run it; Check writes one TAP line per test. */
    remove(self->tap);
    self->argv[0] = self->exe;
    self->argv[1] = NULL;
    self->env[0] = self->tap_env;
    self->env[1] = "CK_VERBOSITY=silent";
    /* A test that hangs costs its whole timeout, and an endless loop in
     * the student's code hangs every test: Check's default of 4 s made six
     * of them a 24-second wait. The graders' tests take milliseconds, and
     * their loop budget (1 s) still fails a runaway loop first, in plain
     * words. An instructor's own CK_DEFAULT_TIMEOUT is left alone. */
    self->env[2] =
        getenv("CK_DEFAULT_TIMEOUT") ? NULL : "CK_DEFAULT_TIMEOUT=2";
    self->env[3] = NULL;
    prepare(self, grader_limit());
    CO_AWAIT_CORO_CATCH(co, &self->run.co, caught);
    g->log = self->run.output;
    self->run.output = NULL;
    if (caught < 0) {
        g->state = GRADE_TOOL_ERROR;
        CO_RETURN(co, 0);
    }
    judge(self);
    CO_END(co);
}

void grade_run(const char *build_root, const lesson *l, grade_variant v,
               grade *g)
{
    grade_frame frame;
    co_coro_init(&frame.co, grade_coro);
    frame.build_root = build_root;
    frame.lesson = l;
    frame.variant = v;
    frame.out = g;
    frame.run.output = NULL;
    if (co_run(&frame.co) < 0 && !g->log)
        g->state = GRADE_TOOL_ERROR;
    co_coro_free(&frame.co);
}

void grade_free(grade *g)
{
    free(g->tests);
    free(g->log);
    memset(g, 0, sizeof *g);
}
