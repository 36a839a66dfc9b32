/* solution.c - lesson 08: the reference set_after(), note_done(), watch(). */
#include <stdio.h>

#include "exercise.h"

int set_after(co_coro *co)
{
    struct set_after *self = (struct set_after *)co;
    CO_BEGIN(co);
    CO_SLEEP(co, self->delay);
    {
        /* No suspension between setting rc and using it: a local is fine. */
        int rc = co_future_set_result_int(self->fut, self->value);
        if (rc < 0)
            CO_RAISE(co, rc, "set_after: the future was already done");
    }
    CO_END(co);
}

void note_done(co_future *f, void *arg)
{
    struct done_note *note = arg;
    long long v = 0;
    int err = co_future_result_int(f, &v); /* also reads a failure */
    if (err == 0)
        snprintf(note->text, sizeof note->text, "%s=%lld", note->label, v);
    else if (err == CO_ECANCELLED)
        snprintf(note->text, sizeof note->text, "%s cancelled", note->label);
    else
        snprintf(note->text, sizeof note->text, "%s failed: %s", note->label,
                 co_errname(err));
    note->calls++;
}

int watch(co_future *f, struct done_note *note)
{
    if (!f || !note)
        return CO_EINVAL;
    return co_future_add_done_callback(f, note_done, note);
}
