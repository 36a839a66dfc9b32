/* classroom.c - the commands for handing lessons out and taking them in:
 * reset (a pristine exercise back), report (grades for a classroom) and
 * export (a student copy without solutions). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "tutor.h"

/* ---- files -------------------------------------------------------------- */

static int mkdirs(const char *path)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        if (mkdirs(dir) < 0)
            return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static int copy_file(const char *from, const char *to)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        return -1;
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(data, cap);
            if (!grown)
                break;
            data = grown;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    int bad = ferror(f);
    fclose(f);
    int rc = bad || (!data && cap) ? -1 : write_file(to, data ? data : "", len);
    struct stat st;
    if (rc == 0 && stat(from, &st) == 0)
        chmod(to, st.st_mode & 0777); /* keep scripts executable */
    free(data);
    return rc;
}

/* Runs git in the project; returns its output (owned) or NULL. */
static char *git_output(tutor *t, char *const *args, size_t *len)
{
    char *argv[12] = {"git", "-C", t->source_root};
    int n = 3;
    for (; args[n - 3] && n < 11; n++)
        argv[n] = args[n - 3];
    argv[n] = NULL;
    run_frame r;
    if (run_capture(&r, argv, NULL, 60) == 0 && r.status == 0) {
        if (len)
            *len = r.len;
        return r.output;
    }
    free(r.output);
    return NULL;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = malloc(1 << 20);
    *len = data ? fread(data, 1, 1 << 20, f) : 0;
    fclose(f);
    return data;
}

/* The exercise as it was handed out. In a student's copy (no solutions)
 * that is the repository's first commit, which the classroom made from
 * the export: the student's own commits come after it. In the
 * instructor's project it is HEAD. Outside git, the copy the tutor kept
 * when it first saw the lesson. */
static char *pristine_text(tutor *t, const lesson *l, size_t *len)
{
    char spec[256];
    char *text = NULL;
    if (!l->has_solution) {
        char *roots_args[] = {"rev-list", "--max-parents=0", "HEAD", NULL};
        char *roots = git_output(t, roots_args, NULL);
        if (roots) {
            roots[strcspn(roots, "\n")] = '\0';
            snprintf(spec, sizeof spec, "%.60s:lessons/%s/exercise.c", roots,
                     l->dir);
            char *show[] = {"show", spec, NULL};
            text = git_output(t, show, len);
            free(roots);
        }
    }
    if (!text) {
        snprintf(spec, sizeof spec, "HEAD:lessons/%s/exercise.c", l->dir);
        char *show[] = {"show", spec, NULL};
        text = git_output(t, show, len);
    }
    if (!text) {
        char path[2048];
        snprintf(path, sizeof path, "%s/pristine/%s/exercise.c", t->state_dir,
                 l->dir);
        text = slurp(path, len);
    }
    return text;
}

void pristine_remember(tutor *t)
{
    for (int i = 0; i < t->n; i++) {
        const lesson *l = &t->lessons[i];
        char kept[2048], current[2048];
        snprintf(kept, sizeof kept, "%s/pristine/%s/exercise.c", t->state_dir,
                 l->dir);
        snprintf(current, sizeof current, "%s/lessons/%s/exercise.c",
                 t->source_root, l->dir);
        if (l->has_exercise && access(kept, F_OK) != 0)
            copy_file(current, kept);
    }
}

/* Copies the student's exercise to .coflow/backup/NN-slug/exercise.c.K,
 * K one more than the last backup's; returns K, or -1. */
static int back_up(tutor *t, const lesson *l, const char *path, char *out,
                   size_t size)
{
    for (int k = 1; k < 10000; k++) {
        snprintf(out, size, "%s/backup/%s/exercise.c.%d", t->state_dir,
                 l->dir, k);
        if (access(out, F_OK) != 0)
            return copy_file(path, out) == 0 ? k : -1;
    }
    return -1;
}

int tutor_reset(tutor *t, const char *arg, bool yes)
{
    if (!arg) {
        fprintf(stderr, "coflow: say which lesson to reset, e.g. `%s "
                        "reset 3`.\n",
                tutor_self);
        return 2;
    }
    lesson *l = tutor_lesson_arg(t, arg);
    if (!l)
        return 2;
    if (!l->has_exercise) {
        printf("Lesson %d has no exercise to reset.\n", l->number);
        return 0;
    }
    char path[2048];
    snprintf(path, sizeof path, "%s/lessons/%s/exercise.c", t->source_root,
             l->dir);
    if (!yes) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "coflow: reset asks for confirmation; add --yes "
                            "when there is no terminal to ask.\n");
            return 2;
        }
        printf("Put %s back as it was handed out? A copy of your version is "
               "kept in %s/backup/. [y/N] ",
               path, t->state_dir);
        fflush(stdout);
        char answer[16] = "";
        if (!fgets(answer, sizeof answer, stdin) ||
            (answer[0] != 'y' && answer[0] != 'Y')) {
            printf("Nothing changed.\n");
            return 1;
        }
    }
    size_t len = 0;
    char *text = pristine_text(t, l, &len);
    if (!text) {
        fprintf(stderr, "coflow: no copy of lesson %d's exercise as handed "
                        "out is known (not a git checkout, and the tutor "
                        "never saw it unchanged), so nothing was changed.\n",
                l->number);
        return 1;
    }
    char backup[2400];
    if (back_up(t, l, path, backup, sizeof backup) < 0) {
        fprintf(stderr, "coflow: could not keep a copy of your exercise in "
                        "%s/backup/, so nothing was changed.\n",
                t->state_dir);
        free(text);
        return 1;
    }
    int rc = write_file(path, text, len);
    free(text);
    if (rc < 0) {
        fprintf(stderr, "coflow: cannot write %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    t->progress.done[l->number] = false;
    tutor_save_progress(t);
    printf("Lesson %d's exercise is as it was handed out. Your version is "
           "in %s.\n",
           l->number, backup);
    return 0;
}

/* ---- report ------------------------------------------------------------- */

/* Appends "result=<report.json in base64>" to @p path: a step output in
 * the form GitHub Classroom's grading reporter reads, from the variable
 * <STEP_ID>_RESULTS. */
static int github_output(const char *dir, const char *path)
{
    char json[2048];
    snprintf(json, sizeof json, "%s/report.json", dir);
    size_t len = 0;
    FILE *in = fopen(json, "rb");
    if (!in)
        return -1;
    char *data = NULL;
    size_t cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(data, cap);
            if (!grown) {
                free(data);
                fclose(in);
                return -1;
            }
            data = grown;
        }
        size_t n = fread(data + len, 1, cap - len, in);
        if (n == 0)
            break;
        len += n;
    }
    fclose(in);
    FILE *out = fopen(path, "a");
    if (!out) {
        free(data);
        return -1;
    }
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fputs("result=", out);
    const unsigned char *u = (const unsigned char *)data;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)u[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)u[i + 1] << 8;
        if (i + 2 < len)
            v |= u[i + 2];
        fputc(b64[(v >> 18) & 63], out);
        fputc(b64[(v >> 12) & 63], out);
        fputc(i + 1 < len ? b64[(v >> 6) & 63] : '=', out);
        fputc(i + 2 < len ? b64[v & 63] : '=', out);
    }
    fputc('\n', out);
    free(data);
    return fclose(out) == 0 ? 0 : -1;
}

int tutor_report(tutor *t, int argc, char **argv)
{
    const char *out = t->build_root;
    const char *gh_output = NULL;
    bool exit_zero = false;
    grade_variant variant = GRADE_EXERCISE;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--github-output") == 0 && i + 1 < argc)
            gh_output = argv[++i];
        else if (strcmp(argv[i], "--exit-zero") == 0)
            exit_zero = true;
        else if (strcmp(argv[i], "--solutions") == 0)
            variant = GRADE_SOLUTION; /* for instructors: grade the keys */
        else {
            fprintf(stderr, "coflow: report takes --out DIR, --exit-zero, "
                            "--github-output FILE and --solutions, not "
                            "\"%s\".\n",
                    argv[i]);
            return 2;
        }
    }
    if (variant == GRADE_SOLUTION) {
        int solutions = 0;
        for (int i = 0; i < t->n; i++)
            solutions += t->lessons[i].has_solution;
        if (solutions == 0) {
            fprintf(stderr, "coflow: this copy has no reference solutions "
                            "(a student copy), so report --solutions has "
                            "nothing to grade. Run it in the instructor's "
                            "project.\n");
            return 2;
        }
    }
    if (mkdirs(out) < 0) {
        fprintf(stderr, "coflow: cannot create %s: %s\n", out,
                strerror(errno));
        return 2;
    }
    lesson *graded = calloc((size_t)t->n, sizeof *graded);
    grade *grades = calloc((size_t)t->n, sizeof *grades);
    int n = 0, passed = 0, score = 0, max = 0;
    for (int i = 0; graded && grades && i < t->n; i++) {
        if (!t->lessons[i].has_exercise ||
            (variant == GRADE_SOLUTION && !t->lessons[i].has_solution))
            continue;
        printf("grading lesson %02d ... ", t->lessons[i].number);
        fflush(stdout);
        graded[n] = t->lessons[i];
        grade_run(t->source_root, t->build_root, &t->lessons[i], variant,
                  &grades[n]);
        bool ok = grades[n].state == GRADE_PASSED;
        passed += ok;
        score += grades[n].score;
        max += grades[n].max;
        printf("%s, %d of %d points\n", ok ? "pass" : "FAIL", grades[n].score,
               grades[n].max);
        n++;
    }
    int rc = graded && grades ? report_write(out, graded, grades, n) : -1;
    for (int i = 0; i < n; i++)
        grade_free(&grades[i]);
    free(grades);
    free(graded); /* shallow copies: the hints belong to t->lessons */
    if (rc < 0)
        return 2;
    if (gh_output && github_output(out, gh_output) < 0) {
        fprintf(stderr, "coflow: cannot append the result to %s: %s\n",
                gh_output, strerror(errno));
        return 2;
    }
    printf("%d of %d lessons pass, %d of %d points. Reports: %s/report.json, "
           "report.junit.xml, report.tap\n",
           passed, n, score, max, out);
    return exit_zero || passed == n ? 0 : 1;
}

/* ---- export ------------------------------------------------------------- */

/* The student copy's workflow: builds, grades, and hands the points to
 * GitHub Classroom the way its grading reporter reads them (a step output
 * "result" holding the report in base64, read from <STEP_ID>_RESULTS; the
 * reporter needs checks: write to post them). It runs in Debian 12, the
 * system the project's own CI builds and tests on, so the compiler that
 * judges -Werror is the tested one. */
static const char workflow[] =
    "# Grades every push and reports the points to GitHub Classroom.\n"
    "name: Autograding\n"
    "on: [push, workflow_dispatch, repository_dispatch]\n"
    "permissions:\n"
    "  checks: write\n"
    "  actions: read\n"
    "  contents: read\n"
    "jobs:\n"
    "  grade:\n"
    "    # The classroom's own first commit of a new repository is not graded.\n"
    "    if: github.actor != 'github-classroom[bot]'\n"
    "    runs-on: ubuntu-latest\n"
    "    container: debian:12\n"
    "    timeout-minutes: 20\n"
    "    steps:\n"
    "      - uses: actions/checkout@v4\n"
    "      - name: Install the tools\n"
    "        run: apt-get update && apt-get install -y --no-install-recommends "
    "meson ninja-build gcc libc6-dev pkg-config check python3 git\n"
    "      - name: Build\n"
    "        run: meson setup build -Dtests=false && meson compile -C build\n"
    "      - name: Grade\n"
    "        id: grade\n"
    "        run: build/coflow report --out grades --exit-zero "
    "--github-output \"$GITHUB_OUTPUT\"\n"
    "      - name: Report the points to GitHub Classroom\n"
    "        uses: classroom-resources/autograding-grading-reporter@v1\n"
    "        env:\n"
    "          GRADE_RESULTS: ${{ steps.grade.outputs.result }}\n"
    "        with:\n"
    "          runners: grade\n"
    "      - name: Keep the reports\n"
    "        if: always()\n"
    "        uses: actions/upload-artifact@v4\n"
    "        with:\n"
    "          name: grades\n"
    "          path: grades/\n";

static const char student_readme[] =
    "# coflow: the lessons\n"
    "\n"
    "This is your copy of the coflow lessons. They rebuild Python's asyncio in\n"
    "C, one idea at a time: generators, coroutines made of `switch` and\n"
    "`case`, an event loop, tasks, `gather` and `wait`, futures. Each lesson\n"
    "has a README to read, an example to run, and an exercise for you to\n"
    "finish.\n"
    "\n"
    "## Getting started\n"
    "\n"
    "On Debian 12 or Ubuntu, in this folder (as root, leave out `sudo`):\n"
    "\n"
    "```sh\n"
    "sudo apt-get update && sudo apt-get install -y meson ninja-build pkg-config gcc check\n"
    "meson setup build && meson compile -C build && build/coflow\n"
    "```\n"
    "\n"
    "`build/coflow` shows the lessons, which ones you have done, and what to\n"
    "type next.\n"
    "\n"
    "## Every day\n"
    "\n"
    "| command | what it does |\n"
    "|---|---|\n"
    "| `build/coflow` | where you are, and what to type next |\n"
    "| `build/coflow run N` | builds and runs lesson N's example |\n"
    "| `build/coflow check N` | grades your exercise, and explains compiler errors in plain words |\n"
    "| `build/coflow watch N` | grades it again each time you save |\n"
    "| `build/coflow hint N` | the next hint, from a nudge to nearly the answer |\n"
    "| `build/coflow reset N` | puts the exercise back as it was handed out (your version is kept in `.coflow/backup/`) |\n"
    "\n"
    "You work in `lessons/NN-slug/exercise.c`. The lesson's README ends with\n"
    "what the exercise asks for.\n"
    "\n"
    "## Handing in\n"
    "\n"
    "Commit your work and push it. Every push is graded on GitHub: the\n"
    "Actions tab shows the points of each lesson, and your instructor sees\n"
    "them too. `build/coflow report --out grades` grades everything on your\n"
    "own machine in the same way.\n"
    "\n"
    "Change only the exercises. Your instructor grades with their own\n"
    "copies of the graders (`test.c`, `lesson.meta`, `lessons/grader/`) and\n"
    "of the workflow in `.github/`, so changes to those count for nothing.\n"
    "\n"
    "Your progress (lessons passed, hints seen) is kept in `.coflow/`, which\n"
    "is not committed.\n";

static const char student_gitignore[] = "/build*/\n/grades/\n/.coflow/\n";

static int remove_tree(const char *path)
{
    char *argv[] = {"rm", "-rf", (char *)path, NULL};
    run_frame r;
    int rc = run_capture(&r, argv, NULL, 60) == 0 && r.status == 0 ? 0 : -1;
    free(r.output);
    return rc;
}

int tutor_export(tutor *t, const char *dir)
{
    if (!dir || dir[0] == '-') {
        fprintf(stderr, "coflow: say where to, e.g. `%s export "
                        "../coflow-student`%s.\n",
                tutor_self, dir ? " (a folder, not an option)" : "");
        return 2;
    }
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        int entries = 0;
        while ((e = readdir(d)))
            entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        closedir(d);
        if (entries) {
            fprintf(stderr, "coflow: %s is not empty; export writes into a "
                            "new or empty folder only.\n",
                    dir);
            return 2;
        }
    }
    if (mkdirs(dir) < 0) {
        fprintf(stderr, "coflow: cannot create %s: %s\n", dir,
                strerror(errno));
        return 2;
    }
    /* The project as committed at HEAD, never the working tree: an
     * instructor who solved the exercises there would hand out solutions. */
    char *argv[] = {"sh", "-c",
                    "git -C \"$1\" archive --format=tar HEAD | tar -x -C \"$2\"",
                    "sh", t->source_root, (char *)dir, NULL};
    run_frame r;
    if (run_capture(&r, argv, NULL, 120) < 0 || r.status != 0) {
        fprintf(stderr, "coflow: export copies the project as committed in "
                        "git (HEAD), and git could not give it:\n%s",
                r.output ? r.output : "");
        free(r.output);
        return 1;
    }
    free(r.output);
    char *status_args[] = {"status", "--porcelain", "--untracked-files=no",
                           NULL};
    char *status = git_output(t, status_args, NULL);
    int changed = 0;
    for (char *c = status; c && *c; c++)
        changed += *c == '\n';
    free(status);

    int left_out = 0, failed = 0;
    char path[2048];
    for (int i = 0; i < t->n; i++) {
        const lesson *l = &t->lessons[i];
        snprintf(path, sizeof path, "%s/lessons/%s/solution.c", dir, l->dir);
        size_t slen = 0, elen = 0;
        char *sol = slurp(path, &slen);
        if (!sol)
            continue;
        snprintf(path, sizeof path, "%s/lessons/%s/exercise.c", dir, l->dir);
        char *ex = slurp(path, &elen);
        bool same = ex && elen == slen && memcmp(ex, sol, slen) == 0;
        free(sol);
        free(ex);
        if (same) {
            fprintf(stderr, "coflow: lesson %d's exercise.c is committed "
                            "solved (it is its solution.c): commit it as it "
                            "is meant to be handed out, then export again.\n",
                    l->number);
            failed++;
        }
        snprintf(path, sizeof path, "%s/lessons/%s/solution.c", dir, l->dir);
        if (remove(path) == 0)
            left_out++;
    }
    /* The project's own CI script checks the grading contract against the
     * solutions; a student copy is graded by its workflow instead. */
    snprintf(path, sizeof path, "%s/.ci", dir);
    if (remove_tree(path) < 0)
        failed++;
    snprintf(path, sizeof path, "%s/README.md", dir);
    failed += write_file(path, student_readme, sizeof student_readme - 1) < 0;
    /* The taste of the API the project's README shows, the same way: the
     * examples' test checks that the block is examples/taste.c. */
    snprintf(path, sizeof path, "%s/examples/taste.c", dir);
    size_t tlen = 0;
    char *taste = slurp(path, &tlen);
    if (taste) {
        snprintf(path, sizeof path, "%s/README.md", dir);
        FILE *f = fopen(path, "a");
        if (f) {
            fputs("\n## Where the lessons lead\n\n"
                  "The library the lessons rebuild runs code like this: a "
                  "coroutine that\ncounts down, sleeping a tenth of a "
                  "second between numbers, run as\n`asyncio.run()` would "
                  "run it.\n\n"
                  "<!-- snippet: examples/taste.c -->\n```c\n",
                  f);
            fwrite(taste, 1, tlen, f);
            fputs("```\n", f);
            failed += fclose(f) != 0;
        } else {
            failed++;
        }
        free(taste);
    }
    snprintf(path, sizeof path, "%s/.gitignore", dir);
    failed += write_file(path, student_gitignore,
                         sizeof student_gitignore - 1) < 0;
    snprintf(path, sizeof path, "%s/.github/workflows/classroom.yml", dir);
    failed += write_file(path, workflow, sizeof workflow - 1) < 0;
    if (failed) {
        fprintf(stderr, "coflow: the student copy in %s is not complete: "
                        "remove it and export again once the problems above "
                        "are fixed.\n",
                dir);
        return 1;
    }
    printf("Wrote a student copy to %s: the project as committed at HEAD, "
           "%d solutions left out, a README for students, and "
           ".github/workflows/classroom.yml to grade each push.\n",
           dir, left_out);
    if (changed)
        printf("Note: %d file%s changed since the last commit; the copy has "
               "them as committed.\n",
               changed, changed == 1 ? " is" : "s are");
    return 0;
}
