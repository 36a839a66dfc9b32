/* example.c - lesson 04: the event loop of the notes' pseudocode, over
 * three coroutines, printing the task list at every round. Then the same
 * three as tasks on coflow's real loop, which interleaves them the same
 * way. */
#include <stdio.h>

#include <coflow.h>

/* A job that needs a few turns: each CO_YIELD is "waiting for IO". */
struct job {
    co_coro co;       /* the coroutine header */
    const char *name; /* for the trace */
    int turns;        /* how many times it yields */
    int i;            /* the turn it is at: kept in the frame */
};

static int job(co_coro *co)
{
    struct job *self = (struct job *)co;
    CO_BEGIN(co);
    for (self->i = 1; self->i <= self->turns; self->i++) {
        printf("    %s: turn %d, then waits\n", self->name, self->i);
        CO_YIELD(co);
    }
    printf("    %s: finished\n", self->name);
    CO_END(co);
}

static void make(struct job *j, const char *name, int turns)
{
    co_coro_init(&j->co, job);
    j->name = name;
    j->turns = turns;
}

/* Prints the names of the @p n jobs of @p list. */
static void print_list(const char *label, struct job **list, int n)
{
    printf("%s [", label);
    for (int i = 0; i < n; i++)
        printf(i ? " %s" : "%s", list[i]->name);
    printf("]\n");
}

int main(void)
{
    struct job a, b, c;
    make(&a, "A", 2);
    make(&b, "B", 0);
    make(&c, "C", 1);

    printf("== the loop by hand ==\n");
    struct job *tasks[] = {&a, &b, &c}; /* task list = [A, B, C] */
    int n = 3;
    for (int round = 1; n > 0; round++) { /* while True */
        printf("round %d\n", round);
        print_list("  runnable", tasks, n);
        for (int i = 0; i < n; i++)      /* run each runnable task */
            co_coro_step(&tasks[i]->co);
        struct job *finished[3];
        int kept = 0, nfinished = 0;
        for (int i = 0; i < n; i++) {    /* remove the finished ones */
            if (co_coro_done(&tasks[i]->co))
                finished[nfinished++] = tasks[i];
            else
                tasks[kept++] = tasks[i];
        }
        print_list("  finished", finished, nfinished);
        n = kept;                        /* stop when none is left */
    }
    printf("all finished\n");

    printf("== the same jobs as tasks on coflow's loop ==\n");
    co_loop *loop;
    if (co_loop_new(&loop) < 0)
        return 1;
    make(&a, "A", 2);
    make(&b, "B", 0);
    make(&c, "C", 1);
    co_task *last = NULL;
    co_create_task(loop, &a.co, "A", &last); /* keep A: it ends last */
    co_create_task(loop, &b.co, "B", NULL);
    co_create_task(loop, &c.co, "C", NULL);
    int rc = co_loop_run_until_complete(loop, co_task_future(last));
    co_task_unref(last);
    co_loop_close(loop);
    printf("run_until_complete: %s\n", co_errname(rc));
    return rc == 0 ? 0 : 1;
}
