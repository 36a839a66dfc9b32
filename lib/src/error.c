/* error.c - the sentences behind the error codes (coflow/error.h). */
#include "coflow/error.h"

const char *co_strerror(int code)
{
    switch (code) {
    case CO_OK:
        return "success";
#define CO__TEXT(name, value, text)                                            \
    case name:                                                                 \
        return text;
        CO__ERRORS(CO__TEXT)
#undef CO__TEXT
    default:
        return code <= CO_EUSER ? "an application error" : "unknown error";
    }
}

const char *co_errname(int code)
{
    switch (code) {
    case CO_OK:
        return "CO_OK";
#define CO__NAME(name, value, text)                                            \
    case name:                                                                 \
        return #name;
        CO__ERRORS(CO__NAME)
#undef CO__NAME
    default:
        return code <= CO_EUSER ? "CO_EUSER" : "CO_E?";
    }
}
