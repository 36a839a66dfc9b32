/* lesson.c - finding lessons, reading lesson.meta, keeping progress. */
#include "lesson.h"
#include "lesson_read.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static void copy_field(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* `key = value` lines; `#` comments; unknown keys are ignored so that
 * lessons can grow new metadata without breaking older tutors. */
void lesson_read_meta(FILE *f, lesson *l)
{
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line);
        char *eq = strchr(s, '=');
        if (*s == '#' || !eq)
            continue;
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (strcmp(key, "title") == 0)
            copy_field(l->title, sizeof l->title, value);
        else if (strcmp(key, "notes") == 0)
            copy_field(l->notes, sizeof l->notes, value);
        else if (strcmp(key, "test") == 0 && l->ntests < TUTOR_MAX_TESTS) {
            lesson_test *t = &l->tests[l->ntests];
            char word[16] = "";
            int points = 1;
            int got = sscanf(value, "%95[A-Za-z0-9_] %d %15s", t->name,
                             &points, word);
            if (got >= 1 && points >= 0 && points <= TUTOR_MAX_POINTS) {
                t->points = got >= 2 ? points : 1;
                t->guard = strcmp(word, "guard") == 0;
                l->max_score += t->points;
                l->ntests++;
            }
        } else if (strcmp(key, "hint") == 0 && l->nhints < TUTOR_MAX_HINTS) {
            char *copy = malloc(strlen(value) + 1);
            if (copy) {
                strcpy(copy, value);
                l->hints[l->nhints++] = copy;
            }
        }
    }
}

static void read_meta(const char *path, lesson *l)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    lesson_read_meta(f, l);
    fclose(f);
}

static bool exists(const char *root, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lessons/%s/%s", root, dir, name);
    return access(path, F_OK) == 0;
}

static int by_number(const void *a, const void *b)
{
    return ((const lesson *)a)->number - ((const lesson *)b)->number;
}

int lessons_load(const char *source_root, lesson *out, int max)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lessons", source_root);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        const char *name = e->d_name;
        if (!isdigit((unsigned char)name[0]) ||
            !isdigit((unsigned char)name[1]) || name[2] != '-' ||
            strlen(name) >= sizeof out[n].dir)
            continue;
        lesson *l = &out[n];
        memset(l, 0, sizeof *l);
        l->number = (name[0] - '0') * 10 + (name[1] - '0');
        copy_field(l->dir, sizeof l->dir, name);
        copy_field(l->title, sizeof l->title, name + 3);
        l->has_exercise = exists(source_root, name, "exercise.c");
        l->has_solution = exists(source_root, name, "solution.c");
        snprintf(path, sizeof path, "%s/lessons/%s/lesson.meta", source_root,
                 name);
        read_meta(path, l);
        n++;
    }
    closedir(d);
    qsort(out, (size_t)n, sizeof *out, by_number);
    return n;
}

void lessons_free(lesson *ls, int n)
{
    for (int i = 0; i < n; i++)
        for (int h = 0; h < ls[i].nhints; h++)
            free(ls[i].hints[h]);
}

lesson *lessons_find(lesson *ls, int n, int number)
{
    for (int i = 0; i < n; i++)
        if (ls[i].number == number)
            return &ls[i];
    return NULL;
}

void progress_read(FILE *f, progress *p)
{
    memset(p, 0, sizeof *p);
    char line[128], word[32];
    int number, count;
    while (fgets(line, sizeof line, f)) {
        int fields = sscanf(line, "%31s %d %d", word, &number, &count);
        if (fields < 2 || number < 0 || number > TUTOR_MAX_LESSONS)
            continue; /* comments and damaged lines are skipped */
        if (strcmp(word, "done") == 0)
            p->done[number] = true;
        else if (strcmp(word, "hints") == 0 && fields == 3)
            p->hints[number] = count < 0 ? 0 : count;
    }
}

bool progress_load(const char *path, progress *p)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    progress_read(f, p);
    fclose(f);
    return true;
}

int progress_save(const char *path, const progress *p)
{
    char dir[1024], tmp[1100];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir(dir, 0777); /* the folder may well exist already */
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "# coflow tutor progress: lessons passed, hints shown\n");
    for (int i = 0; i <= TUTOR_MAX_LESSONS; i++) {
        if (p->done[i])
            fprintf(f, "done %d\n", i);
        if (p->hints[i])
            fprintf(f, "hints %d %d\n", i, p->hints[i]);
    }
    /* Written aside and renamed, so a crash never leaves half a file. */
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return -1;
    return 0;
}
