/* watch.c - `coflow watch`: grade again every time the student saves.
 *
 * It is a coflow program itself: one coroutine that awaits the grading
 * coroutine (the compiler's and the grader's output are read through the
 * loop), then awaits a future that either the inotify reader (a file was
 * saved) or the stdin reader (a key was pressed) completes. Where inotify
 * is not available (some network filesystems), a timer compares the file's
 * modification time once a second instead. It never moves on to the next
 * lesson by itself: the student presses n. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tutor.h"

typedef struct watch_frame {
    co_coro co;             /* header */
    tutor *t;               /* the tutor's state */
    lesson *l;              /* the lesson being watched */
    const char *self;       /* how the tutor was invoked, for messages */
    int ifd;                /* inotify descriptor, or -1 when polling */
    struct timespec mtime;  /* polling: last modification time seen */
    co_timer poll;          /* polling: the once-a-second check */
    co_future *wake;        /* completed by a save or a key press */
    bool stdin_open;        /* stdin is still being read */
    bool key_waiting;       /* a key came while grading: act on it next */
    bool passed;            /* the lesson passes as of the last grading */
    char key;               /* the last command key: 'q', 'n' or '\n' */
    grade g;                /* the last grading's results */
    grade_frame grading;    /* the grading child coroutine */
} watch_frame;

/* Nobody may be waiting (a key pressed while grading): then the key is
 * kept, and acted on as soon as the grading is shown. */
static void wake_up(watch_frame *w)
{
    if (w->wake && !co_future_done(w->wake))
        co_future_set_result_int(w->wake, 0);
    else
        w->key_waiting = true;
}

static bool file_changed(watch_frame *w)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/lessons/%s/exercise.c",
             w->t->source_root, w->l->dir);
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    bool changed = st.st_mtim.tv_sec != w->mtime.tv_sec ||
                   st.st_mtim.tv_nsec != w->mtime.tv_nsec;
    w->mtime = st.st_mtim;
    return changed;
}

/* inotify: a save shows up as IN_CLOSE_WRITE, or IN_MOVED_TO for editors
 * that write a new file and rename it over the old one. */
static void on_inotify(int fd, int status, void *arg)
{
    watch_frame *w = arg;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    if (status < 0)
        return;
    ssize_t n;
    bool relevant = false;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)(void *)p;
            if (e->len && strcmp(e->name, "exercise.c") == 0)
                relevant = true;
            p += sizeof *e + e->len;
        }
    }
    if (relevant) {
        w->key = 's';
        wake_up(w);
    }
}

static void on_poll(void *arg)
{
    watch_frame *w = arg;
    if (file_changed(w)) {
        w->key = 's';
        wake_up(w);
    }
    co_loop_call_later(co_get_running_loop(), 1.0, on_poll, w, &w->poll);
}

static void on_stdin(int fd, int status, void *arg)
{
    watch_frame *w = arg;
    char line[64];
    ssize_t n = status < 0 ? 0 : read(fd, line, sizeof line);
    if (n <= 0) {
        /* End of input (or a closed terminal): watch on, keys are gone. */
        co_loop_remove_reader(co_get_running_loop(), fd);
        w->stdin_open = false;
        return;
    }
    /* A save seen while grading must not be overwritten by Enter. */
    char key = line[0] == 'q' || line[0] == 'n' ? line[0] : '\n';
    if (!w->key_waiting || key != '\n')
        w->key = key;
    wake_up(w);
}

static void banner(watch_frame *w)
{
    if (isatty(STDOUT_FILENO))
        fputs("\033[2J\033[H", stdout); /* a clean screen for each run */
    printf("%scoflow watch%s - lesson %d: %s\n", tint(BOLD), tint(RESET),
           w->l->number, w->l->title);
    printf("%sEdit lessons/%s/exercise.c and save: it is graded again.%s\n\n",
           tint(DIM), w->l->dir, tint(RESET));
    fflush(stdout);
}

static void keys(watch_frame *w)
{
    /* Two short lines rather than one that wraps in an 80-column window. */
    printf("\n%s[Enter] grade again   %s[q Enter] quit\n"
           "Stuck? `%s hint %d` in another terminal.%s\n",
           tint(DIM),
           w->passed && tutor_next(w->t) ? "[n Enter] next lesson   " : "",
           w->self, w->l->number, tint(RESET));
    if (w->ifd < 0)
        printf("%s(file notifications are not available here: checking "
               "for changes once a second)%s\n",
               tint(DIM), tint(RESET));
    fflush(stdout);
}

static int watch_coro(co_coro *co)
{
    watch_frame *w = (watch_frame *)co;
    co_loop *loop = co_get_running_loop();
    int caught;
    CO_BEGIN(co);
    w->ifd = -1;
    w->wake = NULL;
    w->key_waiting = false;
    co_timer_init(&w->poll);
    memset(&w->g, 0, sizeof w->g);
    w->stdin_open = co_loop_add_reader(loop, STDIN_FILENO, on_stdin, w) == 0;

    for (;;) {
        /* (Re)start watching the lesson's folder. */
        if (w->ifd >= 0) {
            co_loop_remove_reader(loop, w->ifd);
            close(w->ifd);
        }
        co_timer_cancel(&w->poll);
        w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->ifd >= 0) {
            char dir[2048];
            snprintf(dir, sizeof dir, "%s/lessons/%s", w->t->source_root,
                     w->l->dir);
            if (inotify_add_watch(w->ifd, dir,
                                  IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) <
                    0 ||
                co_loop_add_reader(loop, w->ifd, on_inotify, w) < 0) {
                close(w->ifd);
                w->ifd = -1;
            }
        }
        if (w->ifd < 0) {
            file_changed(w);
            co_loop_call_later(loop, 1.0, on_poll, w, &w->poll);
        }

        /* Grade, show, wait for a save or a key, repeat. */
        for (;;) {
            banner(w);
            printf("%sGrading lesson %d...%s\n", tint(DIM), w->l->number,
                   tint(RESET));
            fflush(stdout);
            grade_free(&w->g);
            co_coro_init(&w->grading.co, grade_coro);
            w->grading.source_root = w->t->source_root;
            w->grading.build_root = w->t->build_root;
            w->grading.lesson = w->l;
            w->grading.variant = GRADE_EXERCISE;
            w->grading.out = &w->g;
            CO_AWAIT_CORO(co, &w->grading.co);
            w->passed = tutor_show_grade(w->t, w->l, &w->g, true);
            if (w->passed && !w->t->progress.done[w->l->number]) {
                w->t->progress.done[w->l->number] = true;
                tutor_save_progress(w->t);
            }
            if (w->passed) {
                lesson *next = tutor_next(w->t);
                if (next)
                    printf("\nWhen you are ready, press n and Enter for "
                           "lesson %d: %s.\n",
                           next->number, next->title);
                else
                    printf("\nThat was the last lesson. Well done!\n");
            }
            keys(w);

            if (w->key_waiting) {
                w->key_waiting = false; /* pressed or saved while grading */
                caught = 0;
            } else {
                if (co_future_new(loop, &w->wake) < 0)
                    CO_RAISE(co, CO_ENOMEM, NULL);
                CO_AWAIT_CATCH(co, w->wake, caught);
                co_future_unref(w->wake);
                w->wake = NULL;
            }
            if (caught < 0 || w->key == 'q')
                CO_RETURN(co, 0);
            if (w->key == 'n' && w->passed && tutor_next(w->t)) {
                w->l = tutor_next(w->t);
                break; /* watch the next lesson's folder */
            }
            /* Editors often write a file in several steps: let them finish,
             * then drop the notifications they caused. */
            CO_SLEEP(co, 0.2);
            if (w->ifd >= 0) {
                char key = w->key;
                bool waiting = w->key_waiting; /* a key in the meantime */
                on_inotify(w->ifd, 0, w);
                w->key = key;
                w->key_waiting = waiting;
            }
        }
    }
    CO_FINALLY(co);
    if (w->ifd >= 0) {
        co_loop_remove_reader(loop, w->ifd);
        close(w->ifd);
    }
    if (w->stdin_open)
        co_loop_remove_reader(loop, STDIN_FILENO);
    co_timer_cancel(&w->poll);
    co_future_unref(w->wake);
    grade_free(&w->g);
    CO_END(co);
}

int tutor_watch(tutor *t, const char *arg, const char *self)
{
    lesson *l = tutor_lesson_arg(t, arg);
    if (!l)
        return arg ? 2 : 0;
    if (!l->has_exercise) {
        printf("Lesson %d has no exercise to watch.\n", l->number);
        return 0;
    }
    static watch_frame w; /* large (grading results): not on the stack */
    co_coro_init(&w.co, watch_coro);
    w.t = t;
    w.l = l;
    w.self = self;
    int rc = co_run(&w.co);
    co_coro_free(&w.co);
    return rc < 0 ? 1 : 0;
}
