/* grade.h - building a lesson's grader against the student's exercise,
 * running it, and turning what comes out into results a person can read. */
#ifndef TUTOR_GRADE_H
#define TUTOR_GRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"
#include "run.h"

typedef struct test_outcome {
    char name[128];     /* test_... as written in the grader */
    /* Why it failed (may span lines); "" when it passed. Room for all of
     * the judge's longest message (JUDGE_MESSAGE_MAX, lessons/grader/
     * judge_parse.h) and its sentence around it; a longer one is cut and
     * ends with " [... cut: the message was too long]". */
    char message[18432];
    bool ok;            /* passed */
    int points;         /* what it earned */
    int max;            /* what it is worth (lesson.meta) */
    double secs;        /* how long it ran */
} test_outcome;

typedef enum grade_state {
    GRADE_PASSED,       /* built, and every test passed */
    GRADE_FAILED,       /* built, and some test failed */
    GRADE_BUILD_ERROR,  /* the exercise does not compile */
    GRADE_NO_RESULTS,   /* the judge's answer could not be read */
    GRADE_TOOL_ERROR    /* ninja or the judge could not be run at all */
} grade_state;

/* Whatever the state, tests holds every test lesson.meta lists (those that
 * could not run have failed with a sentence), so score and max are always
 * the lesson's: a grader that does not build is worth as much as one that
 * does. */
typedef struct grade {
    grade_state state;  /* the verdict */
    test_outcome *tests; /* per-test results (owned) */
    int ntests;         /* how many */
    int score;          /* points earned */
    int max;            /* points the lesson is worth */
    char *notes;        /* the judge's remarks on the whole run, or NULL (owned) */
    char *log;          /* compiler or grader output (owned) */
} grade;

/* Which variant of a lesson to grade. */
typedef enum { GRADE_EXERCISE, GRADE_SOLUTION } grade_variant;

/* The frame of the grading coroutine: builds the grader and the judge with
 * ninja, has the judge run the grader, reads the judge's verdict. Await it
 * with CO_AWAIT_CORO inside a loop (the watcher does), or call grade_run
 * to do it on a loop of its own. */
typedef struct grade_frame {
    co_coro co;                  /* header */
    const char *build_root;      /* input: the meson build directory */
    const lesson *lesson;        /* input: which lesson */
    grade_variant variant;       /* input: exercise or solution */
    grade *out;                  /* input: where the results go */
    const char *source_root;     /* input: the project (lesson.meta) */
    char target[128];            /* ninja target of the grader */
    char exe[1024];              /* its path */
    char judge[1100];            /* the judge's path */
    char meta[1200];             /* the lesson's lesson.meta */
    char limit[32];              /* the judge's time limit, in seconds */
    char rlimits[3][24];         /* COFLOW_GRADE_CPU, _MEM, _PROCS, if set */
    char *argv[20];              /* the command being run */
    const char *env[4];          /* its extra environment */
    run_frame run;               /* the child coroutine running it */
} grade_frame;

int grade_coro(co_coro *co);

/* Builds and runs the grader of lesson @p l. Results go to @p g (free with
 * grade_free). @p build_root is the meson build directory. */
void grade_run(const char *source_root, const char *build_root,
               const lesson *l, grade_variant v, grade *g);
void grade_free(grade *g);

/* Fills @p g with every test of @p l, failed with @p why (a grader that
 * did not build or could not run). */
void grade_all_failed(grade *g, const lesson *l, const char *why);

/* Checks the judge's results in @p g against what lesson.meta says of
 * @p l: the same tests (by name, each once), each worth its points, none
 * earning more, a failed one earning nothing, and a score that is their
 * sum. Returns 0, or -1 after failing every test (grade_all_failed) with
 * a sentence that names the first difference: a lesson is never worth
 * more than lesson.meta says, whatever the judge answered. */
int grade_check_judged(grade *g, const lesson *l);

/* Reads the judge's --machine answer (lessons/grader/judge.c) into @p g's
 * tests, score and max. Returns 0, or -1 if the text is not a complete
 * answer. Exposed for the tutor's own tests. */
int grade_parse_judge(const char *text, grade *g);

/* Explanations in plain words for the compiler messages students meet
 * most; writes them to @p out (one paragraph each, at most one per kind).
 * Returns how many were written. */
int grade_explain(const char *compiler_output, char *out, size_t size);

/* What Check's own failure messages (a test that timed out, a signal)
 * usually mean in a student's code, in plain words; NULL for any other
 * message (the grader's own, already in plain words). */
const char *grade_plain_words(const char *message);

#endif
