/* base.h - the few helpers every layer of the library may use: thread-local
 * storage that costs a plain load, and a strdup that accepts NULL. The
 * lowest private header: it includes nothing of coflow's but the public
 * error codes. */
#ifndef COFLOW_BASE_H
#define COFLOW_BASE_H

#include <stdlib.h>
#include <string.h>

#include "coflow/error.h"

/* In a shared library the default TLS model costs a call to __tls_get_addr
 * on every access; "initial-exec" is a plain load, and is safe because
 * coflow is linked, not dlopen()ed late. */
#if defined(__GNUC__)
#define CO__TLS _Thread_local __attribute__((tls_model("initial-exec")))
#else
#define CO__TLS _Thread_local
#endif

/* A copy of @p s on the heap, or NULL if @p s is NULL or memory ran out. */
static inline char *co__strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

#endif
