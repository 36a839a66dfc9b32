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
    {"undeclared",
     "A name is used that was never declared: a typo, a variable declared "
     "in another function or after its use, or a local that was moved into "
     "the frame (then it is self->name). Names the compiler marks "
     "\"undeclared\" are spelt exactly as it shows them."},
    {"multiple definition of",
     "Something is defined twice: a function of the grader or of coflow "
     "has the same name as one of yours, or a function is defined in a "
     "header. Rename yours, or make a function of your own `static`."},
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
               "running without ever suspending). A loop that waits for "
               "co_loop_time() to move can be one too: most lessons' tests "
               "run on virtual time, whose clock stands still while your "
               "code runs. Wait with CO_SLEEP instead.";
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

/* Undoes judge.c's escaping of @p len bytes into @p out (@p size bytes);
 * a text that does not fit is cut and ends with a mark that says so. */
static void unescape(const char *in, size_t len, char *out, size_t size)
{
    size_t o = 0, i = 0;
    for (; i < len && o + 1 < size; i++) {
        if (in[i] != '\\' || i + 1 == len) {
            out[o++] = in[i];
            continue;
        }
        char c = in[++i];
        if (c == 'n')
            out[o++] = '\n';
        else if (c == 't')
            out[o++] = '\t';
        else if (c == 'r')
            out[o++] = '\r';
        else if (c == 'x' && i + 2 < len) {
            char hex[3] = {in[i + 1], in[i + 2], '\0'};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else
            out[o++] = c;
    }
    out[o] = '\0';
    /* Cut: say so at the end, where there is room for it. */
    static const char mark[] = " [... cut: the message was too long]";
    if (i < len && size > 2 * sizeof mark) {
        if (o > size - sizeof mark)
            o = size - sizeof mark;
        memcpy(out + o, mark, sizeof mark);
    }
}

/* Appends a line of @p len bytes to the owned string *@p notes. */
static void add_note(char **notes, const char *text, size_t len)
{
    size_t old = *notes ? strlen(*notes) : 0;
    char *grown = realloc(*notes, old + len + 2);
    if (!grown)
        return;
    unescape(text, len, grown + old, len + 1);
    strcat(grown, "\n");
    *notes = grown;
}

/* The judge's answer, one record per line, every message escaped so that
 * it stays on its line (judge.c):
 *   test NAME EARNED MAX pass|fail SECONDS MESSAGE
 *   note SENTENCE
 *   log TEXT
 *   summary SCORE MAX PASSED TESTS */
int grade_parse_judge(const char *text, grade *g)
{
    if (strncmp(text, "coflow-judge 1\n", 15) != 0)
        return -1;
    bool summary = false;
    int cap = 0;
    for (const char *line = text + 15; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (strncmp(line, "test ", 5) == 0) {
            test_outcome r;
            memset(&r, 0, sizeof r);
            char status[8], head[256];
            int used = 0;
            /* The fields before the message, on their own. */
            snprintf(head, sizeof head, "%.*s", (int)(len < 255 ? len : 255),
                     line);
            if (sscanf(head, "test %127s %d %d %7s %lf%n", r.name, &r.points,
                       &r.max, status, &r.secs, &used) == 5 &&
                used > 0 && (size_t)used < len && line[used] == ' ') {
                used++;
                r.ok = strcmp(status, "pass") == 0;
                unescape(line + used, len - (size_t)used, r.message,
                         sizeof r.message);
                if (g->ntests == cap) {
                    cap = cap ? cap * 2 : 16;
                    test_outcome *grown =
                        realloc(g->tests, (size_t)cap * sizeof *grown);
                    if (!grown)
                        return -1;
                    g->tests = grown;
                }
                g->tests[g->ntests++] = r;
            }
        } else if (strncmp(line, "note ", 5) == 0) {
            add_note(&g->notes, line + 5, len - 5);
        } else if (strncmp(line, "log ", 4) == 0) {
            free(g->log);
            g->log = malloc(len);
            if (g->log)
                unescape(line + 4, len - 4, g->log, len);
        } else if (strncmp(line, "summary ", 8) == 0) {
            summary = sscanf(line, "summary %d %d", &g->score, &g->max) == 2;
        }
        line = end ? end + 1 : line + len;
    }
    return summary && g->ntests > 0 ? 0 : -1;
}

void grade_all_failed(grade *g, const lesson *l, const char *why)
{
    free(g->tests);
    g->tests = calloc((size_t)(l->ntests ? l->ntests : 1), sizeof *g->tests);
    g->ntests = 0;
    g->score = 0;
    g->max = l->max_score;
    for (int i = 0; g->tests && i < l->ntests; i++) {
        test_outcome *r = &g->tests[g->ntests++];
        snprintf(r->name, sizeof r->name, "%s", l->tests[i].name);
        snprintf(r->message, sizeof r->message, "%s", why);
        r->max = l->tests[i].points;
    }
}

/* The first way @p g's results differ from what lesson.meta promises, in
 * @p why; false if they do not. */
static bool judged_differs(const grade *g, const lesson *l, char *why,
                           size_t size)
{
    if (g->ntests != l->ntests || g->max != l->max_score) {
        snprintf(why, size, "%d tests worth %d points, where lesson.meta "
                 "lists %d worth %d", g->ntests, g->max, l->ntests,
                 l->max_score);
        return true;
    }
    int sum = 0;
    for (int i = 0; i < g->ntests; i++) {
        const test_outcome *r = &g->tests[i];
        int found = -1;
        for (int k = 0; k < l->ntests && found < 0; k++)
            if (strcmp(r->name, l->tests[k].name) == 0)
                found = k;
        for (int j = 0; j < i && found >= 0; j++)
            if (strcmp(r->name, g->tests[j].name) == 0)
                found = -2;
        if (found == -1) {
            snprintf(why, size, "%s, which lesson.meta does not list",
                     r->name);
            return true;
        }
        if (found == -2) {
            snprintf(why, size, "%s twice", r->name);
            return true;
        }
        if (r->max != l->tests[found].points || r->points < 0 ||
            r->points > r->max || (r->ok ? 0 : r->points) != 0) {
            snprintf(why, size, "%s earning %d of %d points, where "
                     "lesson.meta says it is worth %d", r->name, r->points,
                     r->max, l->tests[found].points);
            return true;
        }
        sum += r->points;
    }
    if (sum != g->score) {
        snprintf(why, size, "a score of %d, where its tests add up to %d",
                 g->score, sum);
        return true;
    }
    return false;
}

int grade_check_judged(grade *g, const lesson *l)
{
    char why[320], message[640];
    if (!judged_differs(g, l, why, sizeof why))
        return 0;
    snprintf(message, sizeof message,
             "The grader's results do not match lesson.meta: it reported %s. "
             "Rebuild (meson compile -C build) so that the grader is the "
             "lesson's own; if it still says so, the lesson folder was "
             "changed.", why);
    grade_all_failed(g, l, message);
    return -1;
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
    char *answer = self->run.output;
    self->run.output = NULL;
    if (self->run.timed_out || grade_parse_judge(answer, g) < 0) {
        g->log = answer; /* what there is, for a person */
        g->state = GRADE_NO_RESULTS;
        grade_all_failed(g, self->lesson,
                         self->run.timed_out
                             ? "The grader was stopped: it ran longer than "
                               "the time limit."
                             : "The judge's answer could not be read.");
        return;
    }
    free(answer);
    /* The lesson is worth what lesson.meta says, whatever came back. */
    if (grade_check_judged(g, self->lesson) < 0) {
        g->state = GRADE_NO_RESULTS;
        return;
    }
    g->state = GRADE_PASSED;
    for (int i = 0; i < g->ntests; i++)
        if (!g->tests[i].ok)
            g->state = GRADE_FAILED;
}

int grade_coro(co_coro *co)
{
    grade_frame *self = (grade_frame *)co;
    grade *g = self->out;
    int caught;
    CO_BEGIN(co);
    memset(g, 0, sizeof *g);
    g->max = self->lesson->max_score;
    snprintf(self->target, sizeof self->target, "lessons/lesson-%02d-%s",
             self->lesson->number,
             self->variant == GRADE_EXERCISE ? "exercise" : "solution");
    snprintf(self->exe, sizeof self->exe, "%s/%s", self->build_root,
             self->target);
    snprintf(self->judge, sizeof self->judge, "%s/lessons/coflow-judge",
             self->build_root);
    snprintf(self->meta, sizeof self->meta, "%s/lessons/%s/lesson.meta",
             self->source_root, self->lesson->dir);

    /* 1. Build the grader against the student's file, and the judge. */
    self->argv[0] = "ninja";
    self->argv[1] = "-C";
    self->argv[2] = (char *)self->build_root;
    self->argv[3] = self->target;
    self->argv[4] = "lessons/coflow-judge";
    self->argv[5] = NULL;
    self->env[0] = NULL;
    prepare(self, BUILD_LIMIT);
    CO_AWAIT_CORO_CATCH(co, &self->run.co, caught);
    g->log = self->run.output;
    self->run.output = NULL;
    if (caught < 0 || self->run.status == 127) {
        g->state = GRADE_TOOL_ERROR;
        grade_all_failed(g, self->lesson,
                         "The grader could not be built: ninja did not run.");
        CO_RETURN(co, 0);
    }
    if (self->run.status != 0) {
        g->state = GRADE_BUILD_ERROR;
        grade_all_failed(g, self->lesson,
                         "The exercise does not compile, so this test could "
                         "not run.");
        CO_RETURN(co, 0);
    }
    free(g->log);
    g->log = NULL;

    /* 2. The judge runs the grader and says which tests passed. */
    snprintf(self->limit, sizeof self->limit, "%g", grader_limit());
    self->argv[0] = self->judge;
    self->argv[1] = "--machine";
    self->argv[2] = "--limit";
    self->argv[3] = self->limit;
    self->argv[4] = "--meta";
    self->argv[5] = self->meta;
    self->argv[6] = "--lesson";
    self->argv[7] = (char *)self->lesson->dir;
    int argc = 8;
    /* Limits for the student's code, when an instructor grades many
     * submissions at once (coflow grade sets them). */
    static const char *const limit_env[3] = {"COFLOW_GRADE_CPU",
                                             "COFLOW_GRADE_MEM",
                                             "COFLOW_GRADE_PROCS"};
    static char *const limit_opt[3] = {"--cpu", "--mem", "--procs"};
    for (int k = 0; k < 3; k++) {
        const char *v = getenv(limit_env[k]);
        if (v && atol(v) > 0) {
            snprintf(self->rlimits[k], sizeof self->rlimits[k], "%ld",
                     atol(v));
            self->argv[argc++] = limit_opt[k];
            self->argv[argc++] = self->rlimits[k];
        }
    }
    self->argv[argc++] = "--";
    self->argv[argc++] = self->exe;
    self->argv[argc] = NULL;
    /* A test that hangs costs its whole timeout, and an endless loop in
     * the student's code hangs every test: Check's default of 4 s made six
     * of them a 24-second wait. The graders' tests take milliseconds, and
     * their loop budget (1 s) still fails a runaway loop first, in plain
     * words. An instructor's own CK_DEFAULT_TIMEOUT is left alone. */
    self->env[0] =
        getenv("CK_DEFAULT_TIMEOUT") ? NULL : "CK_DEFAULT_TIMEOUT=2";
    self->env[1] = NULL;
    /* The judge keeps to its limit; this one is only in case it cannot. */
    prepare(self, grader_limit() + 30);
    CO_AWAIT_CORO_CATCH(co, &self->run.co, caught);
    if (caught < 0) {
        g->state = GRADE_TOOL_ERROR;
        grade_all_failed(g, self->lesson, "The judge could not be run.");
        CO_RETURN(co, 0);
    }
    judge(self);
    CO_END(co);
}

void grade_run(const char *source_root, const char *build_root,
               const lesson *l, grade_variant v, grade *g)
{
    grade_frame frame;
    co_coro_init(&frame.co, grade_coro);
    frame.source_root = source_root;
    frame.build_root = build_root;
    frame.lesson = l;
    frame.variant = v;
    frame.out = g;
    frame.run.output = NULL;
    if (co_run(&frame.co) < 0 && !g->log) {
        g->state = GRADE_TOOL_ERROR;
        grade_all_failed(g, l, "The grader could not be run.");
    }
    co_coro_free(&frame.co);
}

void grade_free(grade *g)
{
    free(g->tests);
    free(g->notes);
    free(g->log);
    memset(g, 0, sizeof *g);
}
