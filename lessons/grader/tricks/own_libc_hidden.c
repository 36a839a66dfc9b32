/* own_libc_hidden.c - own_libc.c's strcmp(), write() and memcmp() with
 * hidden visibility: not exported, so not in the program's dynamic symbol
 * table, yet every call in the program binds to them all the same. */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exercise.h"

__attribute__((visibility("hidden"))) ssize_t write(int fd, const void *buf,
                                                    size_t len)
{
    return syscall(SYS_write, fd, buf, len);
}

__attribute__((visibility("hidden"))) int strcmp(const char *a, const char *b)
{
    (void)a;
    (void)b;
    return 0;
}

__attribute__((visibility("hidden"))) int memcmp(const void *a, const void *b,
                                                 size_t n)
{
    (void)a;
    (void)b;
    (void)n;
    return 0;
}

int student_answer(void)
{
    return 41;
}
