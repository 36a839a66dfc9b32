/* gradebook.c - `coflow grade`: an instructor grades many submissions at
 * once against their own pristine graders.
 *
 *   coflow grade [--out DIR] [--jobs N] [--limit S] [--cpu S] [--mem MIB]
 *                [--procs N] SUBMISSION...
 *
 * A submission is a student's copy: a folder, or a git repository to
 * clone. Of it, only lessons/NN-slug/exercise.c is used. Each is graded in
 * a scratch tree of its own, made from this project as committed (HEAD):
 * the instructor's graders, lesson.meta and tutor, whatever the student
 * changed in theirs. The submissions are graded side by side, as tasks on
 * one coflow loop, each a shell script run by run_command (so a whole run
 * is killed, process group and all, at its time limit), and the judge holds
 * every grader to the CPU, memory, process and output limits. The results:
 * DIR/NAME/report.{json,junit.xml,tap} for each student, and
 * DIR/gradebook.csv and DIR/gradebook.json with one row per student and
 * lesson. Each report.json is read by gradebook_read.c, which refuses any
 * that is not exactly what `coflow report` writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gradebook.h"
#include "tutor.h"

#define MAX_SUBMISSIONS 512

/* What one submission is run as. $1 the instructor's project, $2 the
 * submission, $3 its scratch folder, $4 where its reports go. */
static const char grade_script[] =
    "set -e\n"
    "src=$1 sub=$2 scratch=$3 out=$4\n"
    "unset COFLOW_SOURCE_ROOT COFLOW_BUILD_ROOT LD_LIBRARY_PATH\n"
    "rm -rf \"$scratch\" && mkdir -p \"$scratch/src\" \"$out\"\n"
    "git -C \"$src\" archive --format=tar HEAD | tar -x -C \"$scratch/src\"\n"
    "case $sub in\n"
    "*://* | git@* | *.git) git clone -q --depth 1 -- \"$sub\" \"$scratch/submission\"\n"
    "    sub=$scratch/submission ;;\n"
    "esac\n"
    "[ -d \"$sub/lessons\" ] || { echo \"$sub has no lessons folder\"; exit 3; }\n"
    "for d in \"$scratch\"/src/lessons/[0-9][0-9]-*/; do\n"
    "    l=$(basename \"$d\")\n"
    "    if [ -f \"$sub/lessons/$l/exercise.c\" ]; then\n"
    "        cp -- \"$sub/lessons/$l/exercise.c\" \"$d/exercise.c\"\n"
    "    fi\n"
    "done\n"
    "meson setup \"$scratch/build\" \"$scratch/src\" -Dtests=false >\"$scratch/setup.log\" 2>&1 ||\n"
    "    { tail -n 20 \"$scratch/setup.log\"; exit 4; }\n"
    "ninja -C \"$scratch/build\" coflow lessons/coflow-judge >\"$scratch/build.log\" 2>&1 ||\n"
    "    { tail -n 20 \"$scratch/build.log\"; exit 4; }\n"
    "\"$scratch/build/coflow\" report --out \"$out\" --exit-zero\n";

typedef struct submission {
    const char *where;   /* the folder or repository, as given */
    char name[128];      /* the student's name in the gradebook */
    char scratch[1400];  /* OUT/.scratch/NAME */
    char out[1400];      /* OUT/NAME */
    int status;          /* the script's exit status */
    char *log;           /* what it printed (owned) */
} submission;

typedef struct gradebook {
    tutor *t;
    submission subs[MAX_SUBMISSIONS];
    int n;               /* how many submissions */
    int next;            /* the next one a worker takes */
    double limit;        /* seconds for one submission, build included */
    const char *out;     /* the output folder */
} gradebook;

typedef struct worker_frame {
    co_coro co;          /* header */
    gradebook *book;     /* shared */
    submission *sub;     /* the one being graded */
    char *argv[9];       /* sh -c SCRIPT sh SRC SUB SCRATCH OUT NULL */
    run_frame run;       /* the child running the script */
} worker_frame;

/* Takes submissions until none are left, one at a time. */
static int worker(co_coro *co)
{
    worker_frame *self = (worker_frame *)co;
    int caught;
    CO_BEGIN(co);
    while (self->book->next < self->book->n) {
        self->sub = &self->book->subs[self->book->next++];
        printf("grading %s ...\n", self->sub->name);
        fflush(stdout);
        self->argv[0] = "sh";
        self->argv[1] = "-c";
        self->argv[2] = (char *)grade_script;
        self->argv[3] = "sh";
        self->argv[4] = self->book->t->source_root;
        self->argv[5] = (char *)self->sub->where;
        self->argv[6] = self->sub->scratch;
        self->argv[7] = self->sub->out;
        self->argv[8] = NULL;
        co_coro_init(&self->run.co, run_command);
        self->run.argv = self->argv;
        self->run.env = NULL;
        self->run.limit = self->book->limit;
        CO_AWAIT_CORO_CATCH(co, &self->run.co, caught);
        self->sub->status = caught < 0 ? -1 : self->run.status;
        self->sub->log = self->run.output;
        self->run.output = NULL;
        printf("%s: %s\n", self->sub->name,
               self->sub->status == 0 ? "graded" : "could not be graded");
        fflush(stdout);
    }
    CO_END(co);
}

typedef struct main_frame {
    co_coro co;              /* header */
    gradebook *book;         /* shared */
    int jobs;                /* how many workers */
    worker_frame *workers;   /* their frames (owned by tutor_grade) */
    co_future **futures;     /* their tasks' futures */
    co_future *all;          /* gather of them */
} main_frame;

static int run_all(co_coro *co)
{
    main_frame *self = (main_frame *)co;
    co_loop *loop = co_get_running_loop();
    int caught;
    CO_BEGIN(co);
    for (int i = 0; i < self->jobs; i++) {
        co_coro_init(&self->workers[i].co, worker);
        self->workers[i].book = self->book;
        co_task *task;
        if (co_create_task(loop, &self->workers[i].co, "worker", &task) < 0)
            CO_RAISE(co, CO_ENOMEM, "could not start a worker");
        self->futures[i] = co_future_ref(co_task_future(task));
        co_task_unref(task);
    }
    if (co_gather(loop, self->futures, (size_t)self->jobs, true, &self->all) <
        0)
        CO_RAISE(co, CO_ENOMEM, "could not wait for the workers");
    CO_AWAIT_CATCH(co, self->all, caught);
    (void)caught;
    CO_FINALLY(co);
    co_future_unref(self->all);
    self->all = NULL;
    for (int i = 0; i < self->jobs; i++) {
        co_future_unref(self->futures[i]);
        self->futures[i] = NULL;
    }
    CO_END(co);
}

static void json_name(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

/* A CSV field: quoted, a quote inside doubled (RFC 4180). */
static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Writes gradebook.csv and gradebook.json. A submission whose report.json
 * cannot be used (gradebook_read_report says why, on stderr) is listed as
 * not graded. Returns how many such reports there were, or -1 if the
 * gradebook could not be written. */
static int write_gradebook(gradebook *b)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/gradebook.csv", b->out);
    FILE *csv = fopen(path, "w");
    snprintf(path, sizeof path, "%s/gradebook.json", b->out);
    FILE *json = fopen(path, "w");
    if (!csv || !json) {
        if (csv)
            fclose(csv);
        if (json)
            fclose(json);
        return -1;
    }
    fputs("student,lesson,points,max,graded\n", csv);
    fputs("[", json);
    bool comma = false;
    int unusable = 0;
    for (int i = 0; i < b->n; i++) {
        submission *s = &b->subs[i];
        static gradebook_row rows[TUTOR_MAX_LESSONS];
        int n = -1;
        if (s->status == 0) {
            char why[600];
            snprintf(path, sizeof path, "%s/report.json", s->out);
            n = gradebook_read_report(path, rows, TUTOR_MAX_LESSONS, why,
                                      sizeof why);
            if (n < 0) {
                fprintf(stderr, "coflow: %s could not be graded: %s\n",
                        s->where, why);
                unusable++;
            }
        }
        bool graded = n >= 0;
        if (!graded) {
            /* Nothing came back: every lesson scores 0 of its points. */
            n = 0;
            for (int k = 0; k < b->t->n; k++) {
                if (!b->t->lessons[k].has_exercise)
                    continue;
                snprintf(rows[n].lesson, sizeof rows[n].lesson, "%s",
                         b->t->lessons[k].dir);
                rows[n].points = 0;
                rows[n].max = b->t->lessons[k].max_score;
                n++;
            }
        }
        for (int k = 0; k < n; k++) {
            /* Both names are folder names: a comma or a quote in either
             * is quoted away. */
            csv_field(csv, s->name);
            fputc(',', csv);
            csv_field(csv, rows[k].lesson);
            fprintf(csv, ",%d,%d,%s\n", rows[k].points, rows[k].max,
                    graded ? "yes" : "no");
            fprintf(json, "%s\n  {\"student\": ", comma ? "," : "");
            json_name(json, s->name);
            fputs(", \"lesson\": ", json);
            json_name(json, rows[k].lesson);
            fprintf(json, ", \"points\": %d, \"max\": %d, \"graded\": %s}",
                    rows[k].points, rows[k].max, graded ? "true" : "false");
            comma = true;
        }
    }
    fputs("\n]\n", json);
    int rc = fclose(csv);
    rc |= fclose(json);
    return rc ? -1 : unusable;
}

/* The name a submission goes by: its folder's or repository's last part. */
static void name_of(const char *where, char *out, size_t size)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", where);
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    if (len > 4 && strcmp(copy + len - 4, ".git") == 0)
        copy[len -= 4] = '\0';
    const char *base = strrchr(copy, '/');
    base = base ? base + 1 : copy;
    const char *colon = strrchr(base, ':'); /* git@host:student */
    base = colon ? colon + 1 : base;
    size_t o = 0;
    for (const char *c = base; *c && o + 1 < size; c++)
        out[o++] = (*c == '/' || *c == '.' || (unsigned char)*c < 0x20) &&
                           c == base
                       ? '_'
                       : *c;
    out[o] = '\0';
    if (!out[0])
        snprintf(out, size, "student");
}

int tutor_grade(tutor *t, int argc, char **argv)
{
    static gradebook book;
    memset(&book, 0, sizeof book);
    book.t = t;
    book.out = "grades";
    book.limit = 900;
    int jobs = 2;
    static const char *const limits[3][2] = {
        {"--cpu", "COFLOW_GRADE_CPU"},
        {"--mem", "COFLOW_GRADE_MEM"},
        {"--procs", "COFLOW_GRADE_PROCS"},
    };
    /* Per submission, the student's code gets at most these unless told. */
    setenv("COFLOW_GRADE_CPU", "60", 0);
    setenv("COFLOW_GRADE_MEM", "1024", 0);
    for (int i = 1; i < argc; i++) {
        bool known = false;
        for (int k = 0; k < 3; k++)
            if (strcmp(argv[i], limits[k][0]) == 0 && i + 1 < argc) {
                setenv(limits[k][1], argv[++i], 1);
                known = true;
            }
        if (known)
            continue;
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            book.out = argv[++i];
        } else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
            jobs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            book.limit = atof(argv[++i]);
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "coflow: grade takes --out DIR, --jobs N, "
                            "--limit SECONDS, --cpu SECONDS, --mem MIB and "
                            "--procs N, then the submissions, not \"%s\".\n",
                    argv[i]);
            return 2;
        } else if (book.n < MAX_SUBMISSIONS) {
            submission *s = &book.subs[book.n++];
            s->where = argv[i];
            name_of(argv[i], s->name, sizeof s->name);
            for (int k = 0; k < book.n - 1; k++)
                if (strcmp(book.subs[k].name, s->name) == 0) {
                    size_t len = strlen(s->name);
                    snprintf(s->name + (len < 100 ? len : 100), 28, "-%d",
                             book.n);
                }
        }
    }
    if (book.n == 0) {
        fprintf(stderr, "coflow: say which submissions to grade, e.g. `%s "
                        "grade --out grades ../submissions/*`.\n",
                tutor_self);
        return 2;
    }
    if (jobs < 1 || book.limit <= 0) {
        fprintf(stderr, "coflow: --jobs and --limit take numbers above 0.\n");
        return 2;
    }
    if (jobs > book.n)
        jobs = book.n;
    char *mk[] = {"mkdir", "-p", (char *)book.out, NULL};
    if (tutor_exec_wait(mk) != 0)
        return 2;
    for (int i = 0; i < book.n; i++) {
        snprintf(book.subs[i].scratch, sizeof book.subs[i].scratch,
                 "%s/.scratch/%s", book.out, book.subs[i].name);
        snprintf(book.subs[i].out, sizeof book.subs[i].out, "%s/%s",
                 book.out, book.subs[i].name);
    }
    main_frame m;
    memset(&m, 0, sizeof m);
    co_coro_init(&m.co, run_all);
    m.book = &book;
    m.jobs = jobs;
    m.workers = calloc((size_t)jobs, sizeof *m.workers);
    m.futures = calloc((size_t)jobs, sizeof *m.futures);
    int rc = m.workers && m.futures ? co_run(&m.co) : CO_ENOMEM;
    co_coro_free(&m.co);
    for (int i = 0; m.workers && i < jobs; i++)
        co_coro_free(&m.workers[i].co);
    free(m.workers);
    free(m.futures);
    int failed = 0;
    for (int i = 0; i < book.n; i++) {
        if (book.subs[i].status != 0) {
            failed++;
            fprintf(stderr, "coflow: %s could not be graded:\n%s\n",
                    book.subs[i].where,
                    book.subs[i].log ? book.subs[i].log : "");
        }
        free(book.subs[i].log);
    }
    int unusable = rc < 0 ? -1 : write_gradebook(&book);
    if (unusable < 0) {
        fprintf(stderr, "coflow: the gradebook could not be written in %s.\n",
                book.out);
        return 2;
    }
    failed += unusable;
    printf("Graded %d submission%s (%d could not be): %s/gradebook.csv, "
           "%s/gradebook.json, and each student's reports in %s/NAME/.\n",
           book.n, book.n == 1 ? "" : "s", failed, book.out, book.out,
           book.out);
    return failed ? 1 : 0;
}
