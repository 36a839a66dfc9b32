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

/* The exercise as it was handed out: git's copy at HEAD if the project is
 * a git checkout, else the copy the tutor kept when it first saw it. */
static char *pristine_text(tutor *t, const lesson *l, size_t *len)
{
    char spec[256];
    snprintf(spec, sizeof spec, "HEAD:lessons/%s/exercise.c", l->dir);
    char *argv[] = {"git", "-C", t->source_root, "show", spec, NULL};
    run_frame r;
    if (run_capture(&r, argv, NULL, 30) == 0 && r.status == 0) {
        *len = r.len;
        return r.output;
    }
    free(r.output);
    char path[2048];
    snprintf(path, sizeof path, "%s/.coflow-pristine/%s/exercise.c",
             t->build_root, l->dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = malloc(1 << 20);
    *len = data ? fread(data, 1, 1 << 20, f) : 0;
    fclose(f);
    return data;
}

void pristine_remember(tutor *t)
{
    for (int i = 0; i < t->n; i++) {
        const lesson *l = &t->lessons[i];
        char kept[2048], current[2048];
        snprintf(kept, sizeof kept, "%s/.coflow-pristine/%s/exercise.c",
                 t->build_root, l->dir);
        snprintf(current, sizeof current, "%s/lessons/%s/exercise.c",
                 t->source_root, l->dir);
        if (l->has_exercise && access(kept, F_OK) != 0)
            copy_file(current, kept);
    }
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
        printf("Put %s back as it was handed out? Your changes to it will "
               "be lost. [y/N] ",
               path);
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
        fprintf(stderr, "coflow: no pristine copy of lesson %d's exercise "
                        "is known (not a git checkout, and the tutor never "
                        "saw it unchanged).\n",
                l->number);
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
    progress_save(t->build_root, &t->progress);
    printf("Lesson %d's exercise is as it was handed out.\n", l->number);
    return 0;
}

/* ---- report ------------------------------------------------------------- */

int tutor_report(tutor *t, int argc, char **argv)
{
    const char *out = t->build_root;
    bool exit_zero = false;
    grade_variant variant = GRADE_EXERCISE;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--exit-zero") == 0)
            exit_zero = true;
        else if (strcmp(argv[i], "--solutions") == 0)
            variant = GRADE_SOLUTION; /* for instructors: grade the keys */
        else {
            fprintf(stderr, "coflow: report takes --out DIR, --exit-zero "
                            "and --solutions, not \"%s\".\n",
                    argv[i]);
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
    int n = 0, passed = 0;
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
        printf("%s\n", ok ? "pass" : "FAIL");
        n++;
    }
    int rc = graded && grades ? report_write(out, graded, grades, n) : -1;
    for (int i = 0; i < n; i++)
        grade_free(&grades[i]);
    free(grades);
    free(graded); /* shallow copies: the hints belong to t->lessons */
    if (rc < 0)
        return 2;
    printf("%d of %d lessons pass. Reports: %s/report.json, "
           "report.junit.xml, report.tap\n",
           passed, n, out);
    return exit_zero || passed == n ? 0 : 1;
}

/* ---- export ------------------------------------------------------------- */

static const char workflow[] =
    "# Grades every push: builds coflow and runs its tutor's report.\n"
    "name: Autograding\n"
    "on: [push, workflow_dispatch]\n"
    "permissions:\n"
    "  contents: read\n"
    "jobs:\n"
    "  grade:\n"
    "    runs-on: ubuntu-latest\n"
    "    timeout-minutes: 20\n"
    "    steps:\n"
    "      - uses: actions/checkout@v4\n"
    "      - name: Install the tools\n"
    "        run: sudo apt-get update && sudo apt-get install -y meson "
    "ninja-build pkg-config check gcc\n"
    "      - name: Configure\n"
    "        run: meson setup build\n"
    "      - name: Grade\n"
    "        run: build/coflow report --out grades\n"
    "      - name: Keep the reports\n"
    "        if: always()\n"
    "        uses: actions/upload-artifact@v4\n"
    "        with:\n"
    "          name: grades\n"
    "          path: grades/\n";

static bool is_solution(const char *rel)
{
    const char *base = strrchr(rel, '/');
    return strncmp(rel, "lessons/", 8) == 0 && base &&
           strcmp(base, "/solution.c") == 0;
}

/* The project's own CI script checks the grading contract against the
 * solutions; a student copy is graded by its workflow instead. */
static bool is_left_out(const char *rel)
{
    return is_solution(rel) || strncmp(rel, ".ci/", 4) == 0;
}

/* Every file git tracks, or, outside git, every file but build output. */
static int list_files(tutor *t, char ***out)
{
    char *argv[] = {"git", "-C", t->source_root, "ls-files", NULL};
    run_frame r;
    *out = NULL;
    if (run_capture(&r, argv, NULL, 60) < 0 || r.status != 0) {
        free(r.output);
        fprintf(stderr, "coflow: export needs the project as a git checkout "
                        "(it copies the files git tracks).\n");
        return -1;
    }
    int n = 0, cap = 0;
    for (char *line = strtok(r.output, "\n"); line; line = strtok(NULL, "\n")) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **grown = realloc(*out, (size_t)cap * sizeof *grown);
            if (!grown)
                break;
            *out = grown;
        }
        (*out)[n] = malloc(strlen(line) + 1);
        if ((*out)[n])
            strcpy((*out)[n++], line);
    }
    free(r.output);
    return n;
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
    char **files;
    int n = list_files(t, &files);
    if (n < 0)
        return 1;
    int copied = 0, skipped = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        if (is_left_out(files[i])) {
            skipped += is_solution(files[i]);
        } else {
            char from[2048], to[2048];
            snprintf(from, sizeof from, "%s/%s", t->source_root, files[i]);
            snprintf(to, sizeof to, "%s/%s", dir, files[i]);
            if (copy_file(from, to) < 0) {
                fprintf(stderr, "coflow: cannot copy %s\n", files[i]);
                failed++;
            } else {
                copied++;
            }
        }
        free(files[i]);
    }
    free(files);
    char path[2048];
    snprintf(path, sizeof path, "%s/.github/workflows/classroom.yml", dir);
    if (write_file(path, workflow, sizeof workflow - 1) < 0)
        failed++;
    if (failed)
        return 1;
    printf("Wrote a student copy to %s: %d files, %d solutions left out, and "
           ".github/workflows/classroom.yml to grade each push.\n",
           dir, copied, skipped);
    return 0;
}
