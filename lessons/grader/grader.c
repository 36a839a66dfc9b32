/* grader.c - the support every lesson grader links: guarded test cases,
 * budgets for coroutines and loops, trace comparison. See grader.h.
 *
 * The exit guards. Check runs each test in a forked child and records a
 * child that ends with status 0 as a PASS, so a student's exit(0) would
 * pass any test. Every grader is linked with
 *     -Wl,--wrap=exit,--wrap=_exit,--wrap=_Exit,--wrap=quick_exit,--wrap=abort
 * which sends every call to those functions made from the grader's own
 * objects (the student's code, the test, and Check itself, which is a static
 * library here) to the __wrap_ functions below. They act only while a test
 * body runs ("armed", between the fixture's setup and teardown), so Check's
 * own exit(0) after a finished test is left alone. While armed:
 *  - exit, _Exit, quick_exit (any status) and abort are the student's:
 *    the test fails with a sentence;
 *  - _exit(0) is the student's too, but _exit(1) is how Check's child
 *    reports a failed assertion, so a non-zero _exit goes straight through
 *    (it is a failure anyway).
 * An exit that gets past the wrapping (a library calling exit, say) still
 * runs the atexit() handlers, and one of them fails the test while armed.
 *
 * None of that decides the verdict, though: the guards only make the
 * messages good. The student's code runs in this very process, so anything
 * this process says could have been said by the student's code instead
 * (an exit that skips every guard, say, or a fake log file). The verdict is
 * the judge's (judge.c), a process that never runs student code: it counts
 * a test as passed only when this file's trampoline reports, once, that
 * the test's body returned with nothing failed, on a socket and with a random
 * nonce that only the judge and this file know (judge_proto.h). */
#include "grader.h"
#include "judge_proto.h"

#include <elf.h>
#include <math.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The real functions, reached through the linker's --wrap. */
_Noreturn void __real_exit(int status);
_Noreturn void __real__exit(int status);
_Noreturn void __real__Exit(int status);
_Noreturn void __real_quick_exit(int status);
_Noreturn void __real_abort(void);
_Noreturn void __wrap_exit(int status);
_Noreturn void __wrap__exit(int status);
_Noreturn void __wrap__Exit(int status);
_Noreturn void __wrap_quick_exit(int status);
_Noreturn void __wrap_abort(void);

/* Check's own functions, wrapped by the link as well (see the judge's
 * records below). */
void __real__ck_assert_failed(const char *file, int line, const char *expr,
                              const char *msg, ...);
void __wrap__ck_assert_failed(const char *file, int line, const char *expr,
                              const char *msg, ...);
void __real_tcase_fn_start(const char *fname, const char *file, int line);
void __wrap_tcase_fn_start(const char *fname, const char *file, int line);
void __real__tcase_add_test(TCase *tc, const TTest *ttest, int sig,
                            int allowed_exit, int start, int end);
void __wrap__tcase_add_test(TCase *tc, const TTest *ttest, int sig,
                            int allowed_exit, int start, int end);

/* ---- the judge's records (judge_proto.h) -------------------------------- */

/* Nothing on the way from the nonce pipe to the record socket goes through
 * the C library. A function of exercise.c named like one of the library's
 * (write, memcpy, strlen...) takes the place of the library's for every
 * caller in this program, this file included: one called `write` would be
 * handed each record, nonce and all, and could rewrite "fail" into "pass".
 * So the few system calls the records need are made here, and the bytes
 * are copied by loops over volatile pointers, which no compiler turns into
 * a call to memcpy. (Other architectures than these two go through
 * syscall(), which a student could replace: docs/grading.md.) */
#if defined(__x86_64__)
static long raw_call(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
static long raw_call(long nr, long a, long b, long c)
{
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
#else
static long raw_call(long nr, long a, long b, long c)
{
    long ret = syscall(nr, a, b, c);
    return ret < 0 ? -errno : ret;
}
#endif

static long raw_read(int fd, void *buf, size_t len)
{
    return raw_call(SYS_read, fd, (long)buf, (long)len);
}

static long raw_write(int fd, const void *buf, size_t len)
{
    return raw_call(SYS_write, fd, (long)buf, (long)len);
}

static long raw_getpid(void)
{
    return raw_call(SYS_getpid, 0, 0, 0);
}

/* The identity of fd JUDGE_RECORD_FD: the socket the judge handed over.
 * Records go only there, never to whatever a student's code has put in its
 * place since (dup2 of a pipe of its own, say, to read a record back). */
static int same_record_socket(void);

static void copy_bytes(char *to, const char *from, size_t n)
{
    volatile char *t = to;
    const volatile char *f = from;
    for (size_t i = 0; i < n; i++)
        t[i] = f[i];
}

static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    for (size_t i = 0; i < n; i++)
        v[i] = 0;
}

static size_t text_len(const char *s)
{
    const volatile char *v = s;
    size_t n = 0;
    while (v[n])
        n++;
    return n;
}

/* Set while a test body runs (between the fixture's setup and teardown). */
static volatile int armed;

/* The nonce, once read from the judge; judged is set only then. */
static char nonce[JUDGE_NONCE_LEN + 1];
static int judged;
static unsigned long long record_dev, record_ino;
/* The test this process runs: Check announces it by calling
 * tcase_fn_start() just before the test's function. */
static char current[128];
static int started;      /* a test body began and has not ended */
static int test_failed;  /* an assertion of that test failed */
/* Functions of a shared library (the C library, libcoflow) that the
 * program itself defines, found before the nonce is read: each test fails
 * with this sentence (see find_replaced below). */
static char replaced[600];

#if defined(__x86_64__) || defined(__aarch64__)
#include <sys/stat.h>
static int same_record_socket(void)
{
    struct stat st;
    if (raw_call(SYS_fstat, JUDGE_RECORD_FD, (long)&st, 0) != 0 ||
        !S_ISSOCK(st.st_mode))
        return 0;
    if (!judged) {
        record_dev = (unsigned long long)st.st_dev;
        record_ino = (unsigned long long)st.st_ino;
        return 1;
    }
    return (unsigned long long)st.st_dev == record_dev &&
           (unsigned long long)st.st_ino == record_ino;
}
#else
#include <sys/stat.h>
static int same_record_socket(void)
{
    struct stat st;
    if (fstat(JUDGE_RECORD_FD, &st) != 0 || !S_ISSOCK(st.st_mode))
        return 0;
    if (!judged) {
        record_dev = (unsigned long long)st.st_dev;
        record_ino = (unsigned long long)st.st_ino;
        return 1;
    }
    return (unsigned long long)st.st_dev == record_dev &&
           (unsigned long long)st.st_ino == record_ino;
}
#endif

/* ---- functions of exercise.c that replace a library's ------------------ */

/* The program's own dynamic symbol table lists every function it defines
 * that has the name of a shared library's function: the linker exports
 * those so that the library's name resolves to them. A grader defines none
 * (its functions are its own or Check's, linked in), so each one found is
 * the student's. Read from memory with loops of this file's own, before
 * any constructor runs. */
#if __SIZEOF_POINTER__ == 8
typedef Elf64_Dyn dyn_t;
typedef Elf64_Sym sym_t;
typedef Elf64_Ehdr ehdr_t;
#define SYM_TYPE(i) ELF64_ST_TYPE(i)
#else
typedef Elf32_Dyn dyn_t;
typedef Elf32_Sym sym_t;
typedef Elf32_Ehdr ehdr_t;
#define SYM_TYPE(i) ELF32_ST_TYPE(i)
#endif
#if __SIZEOF_POINTER__ == 8
typedef Elf64_Phdr phdr_t;
typedef Elf64_auxv_t auxv_t;
#else
typedef Elf32_Phdr phdr_t;
typedef Elf32_auxv_t auxv_t;
#endif


/* What the graders compare and format with (test.c's Check assertions,
 * grade_expect_trace). */
static const struct {
    const char *name;
    void (*fn)(void);
} compared[] = {
#define COMPARED(f) {#f, (void (*)(void))f}
    COMPARED(strcmp),   COMPARED(strncmp), COMPARED(memcmp),
    COMPARED(strstr),   COMPARED(strlen),  COMPARED(strchr),
    COMPARED(memchr),   COMPARED(strcspn), COMPARED(snprintf),
    COMPARED(vsnprintf), COMPARED(memcpy), COMPARED(fabs),
#undef COMPARED
};

static void note_replaced(const char *name, size_t *used, int *count)
{
    static const char head[] = "your exercise.c defines ";
    size_t n = text_len(name);
    for (size_t i = 0; i + n + 2 <= *used; i++) {
        size_t k = 0;
        while (k < n && replaced[i + k] == name[k])
            k++;
        if (k == n && replaced[i + n] == '(' && replaced[i - 1] == ' ')
            return; /* named already */
    }
    if (*count == 0) {
        copy_bytes(replaced, head, sizeof head - 1);
        *used = sizeof head - 1;
    }
    /* Room is kept for the sentence that follows the names. */
    if (*used + n + 4 < sizeof replaced - 300) {
        if (*count > 0) {
            copy_bytes(replaced + *used, ", ", 2);
            *used += 2;
        }
        copy_bytes(replaced + *used, name, n);
        copy_bytes(replaced + *used + n, "()", 2);
        *used += n + 2;
    }
    (*count)++;
}

/* Where the program is loaded and its dynamic section, from the
 * auxiliary vector the kernel put after the environment (not from symbols
 * such as _DYNAMIC or __ehdr_start, which exercise.c could define). */
static bool find_program(char **envp, uintptr_t *from, uintptr_t *to,
                         const dyn_t **dynamic)
{
    char **e = envp;
    while (*e)
        e++;
    const phdr_t *phdr = NULL;
    size_t phnum = 0;
    for (const auxv_t *a = (const auxv_t *)(e + 1); a->a_type != AT_NULL; a++) {
        if (a->a_type == AT_PHDR)
            phdr = (const phdr_t *)a->a_un.a_val;
        else if (a->a_type == AT_PHNUM)
            phnum = (size_t)a->a_un.a_val;
    }
    if (!phdr)
        return false;
    uintptr_t bias = 0;
    bool have_bias = false;
    for (size_t i = 0; i < phnum; i++)
        if (phdr[i].p_type == PT_PHDR) {
            bias = (uintptr_t)phdr - (uintptr_t)phdr[i].p_vaddr;
            have_bias = true;
        }
    if (!have_bias)
        return false;
    *from = UINTPTR_MAX;
    *to = 0;
    *dynamic = NULL;
    for (size_t i = 0; i < phnum; i++) {
        uintptr_t at = bias + (uintptr_t)phdr[i].p_vaddr;
        if (phdr[i].p_type == PT_LOAD) {
            if (at < *from)
                *from = at;
            if (at + (uintptr_t)phdr[i].p_memsz > *to)
                *to = at + (uintptr_t)phdr[i].p_memsz;
        } else if (phdr[i].p_type == PT_DYNAMIC) {
            *dynamic = (const dyn_t *)at;
        }
    }
    return *from < *to;
}

static void find_replaced(char **envp)
{
    uintptr_t base, end;
    const dyn_t *dynamic;
    if (!envp || !find_program(envp, &base, &end, &dynamic))
        return;
    const sym_t *symtab = NULL;
    const char *strtab = NULL;
    const uint32_t *gnu_hash = NULL, *sysv_hash = NULL;
    for (const dyn_t *d = dynamic; d && d->d_tag != DT_NULL; d++) {
        uintptr_t v = (uintptr_t)d->d_un.d_ptr;
        if (v < base)
            v += base; /* not relocated in place by the dynamic linker */
        if (d->d_tag == DT_SYMTAB)
            symtab = (const sym_t *)v;
        else if (d->d_tag == DT_STRTAB)
            strtab = (const char *)v;
        else if (d->d_tag == DT_GNU_HASH)
            gnu_hash = (const uint32_t *)v;
        else if (d->d_tag == DT_HASH)
            sysv_hash = (const uint32_t *)v;
    }
    size_t used = 0;
    int count = 0;
    /* A definition with hidden visibility is not exported, yet the calls
     * in this program bind to it all the same: the functions the graders'
     * checks compare with are looked up by address as well. */
    for (size_t i = 0; i < sizeof compared / sizeof *compared; i++) {
        uintptr_t at = (uintptr_t)compared[i].fn;
        if (at >= base && at < end)
            note_replaced(compared[i].name, &used, &count);
    }
    if (!symtab || !strtab || (!gnu_hash && !sysv_hash))
        goto done;
    size_t nsyms = 0;
    if (sysv_hash) {
        nsyms = sysv_hash[1];
    } else {
        /* The symbol count of a GNU hash table: past the last chain. */
        uint32_t nbuckets = gnu_hash[0], symoffset = gnu_hash[1];
        uint32_t bloom_words = gnu_hash[2];
        const uint32_t *buckets =
            gnu_hash + 4 + bloom_words * (sizeof(uintptr_t) / 4);
        const uint32_t *chains = buckets + nbuckets;
        uint32_t last = 0;
        for (uint32_t b = 0; b < nbuckets; b++)
            if (buckets[b] > last)
                last = buckets[b];
        if (last >= symoffset)
            while ((chains[last - symoffset] & 1) == 0)
                last++;
        nsyms = last >= symoffset ? (size_t)last + 1 : symoffset;
    }
    for (size_t i = 1; i < nsyms; i++) {
        const sym_t *sym = &symtab[i];
        int type = SYM_TYPE(sym->st_info);
        const char *name = strtab + sym->st_name;
        static const char wrap[] = "__wrap_";
        size_t k = 0;
        while (k < sizeof wrap - 1 && name[k] == wrap[k])
            k++;
        /* This file's own wrappers, which a sanitizer's runtime may ask
         * for by name (exercise.c cannot define them: the link refuses). */
        if (k == sizeof wrap - 1)
            continue;
        if (sym->st_shndx == SHN_UNDEF ||
            (type != STT_FUNC && type != STT_GNU_IFUNC))
            continue;
        note_replaced(name, &used, &count);
    }
done:
    if (count == 0)
        return;
    static const char tail[] =
        ": a function of a library the grader uses (the C library or "
        "coflow's) has that name, so every call the grader and its tests "
        "make to it would run your code instead. Rename yours (or make it "
        "static): the grader cannot trust its own checks while they are "
        "there.";
    size_t n = sizeof tail - 1;
    if (used + n >= sizeof replaced)
        n = sizeof replaced - used - 1;
    copy_bytes(replaced + used, tail, n);
    replaced[used + n] = '\0';
}

/* Runs before every constructor of the program, the student's included:
 * entries of .preinit_array run first, in link order, and grader.c is the
 * first object of every grader. What a constructor finds afterwards is a
 * closed descriptor. */
static void take_nonce(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    /* getenv() is not ready yet (the C library's own initialisation runs
     * after this): the environment comes as an argument. */
    static const char want[] = JUDGE_ENV "=1";
    bool asked = false;
    for (char **e = envp; e && *e; e++) {
        size_t k = 0;
        while (k < sizeof want && (*e)[k] == want[k])
            k++;
        asked |= k == sizeof want; /* the final NUL matched too */
    }
    if (!asked)
        return;
    find_replaced(envp);
    char buf[JUDGE_NONCE_LEN];
    size_t got = 0;
    while (got < sizeof buf) {
        long n = raw_read(JUDGE_NONCE_FD, buf + got, sizeof buf - got);
        if (n == -EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    raw_call(SYS_close, JUDGE_NONCE_FD, 0, 0);
    if (got != sizeof buf || !same_record_socket()) {
        wipe(buf, sizeof buf);
        return; /* no records: the judge fails every test, as it should */
    }
    copy_bytes(nonce, buf, sizeof buf);
    wipe(buf, sizeof buf);
    nonce[JUDGE_NONCE_LEN] = '\0';
    judged = 1;
}
__attribute__((section(".preinit_array"), used)) static void (
    *const take_nonce_entry)(int, char **, char **) = take_nonce;

static const char cut_mark[] = " [... cut: the message was too long]";

/* Appends @p s to @p out, escaped as judge_proto.h says, keeping room for
 * the cut mark: if @p s does not fit, the mark says so. */
static size_t escape_into(char *out, size_t used, size_t size, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const size_t room = size - sizeof cut_mark;
    for (; s && *s; s++) {
        if (used + 5 >= room) {
            copy_bytes(out + used, cut_mark, sizeof cut_mark - 1);
            return used + sizeof cut_mark - 1;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '\\') {
            out[used++] = '\\';
            out[used++] = '\\';
        } else if (c == '\n') {
            out[used++] = '\\';
            out[used++] = 'n';
        } else if (c == '\t') {
            out[used++] = '\\';
            out[used++] = 't';
        } else if (c == '\r') {
            out[used++] = '\\';
            out[used++] = 'r';
        } else if (c < 0x20 || c == 0x7f) {
            out[used++] = '\\';
            out[used++] = 'x';
            out[used++] = hex[c >> 4];
            out[used++] = hex[c & 15];
        } else {
            out[used++] = (char)c;
        }
    }
    return used;
}

static void append(char *out, size_t *used, size_t size, const char *s)
{
    size_t n = text_len(s);
    if (*used + n >= size)
        n = size - *used - 1;
    copy_bytes(out + *used, s, n);
    *used += n;
}

/* Writes one record with a single write() on the judge's socket: only
 * async-signal-safe code, since a crash handler writes one too, and none
 * of the C library's (see raw_call). The line is wiped afterwards, so that
 * no copy of the nonce is left on the stack for code called later. */
static void record(const char *kind, const char *message)
{
    if (!judged || !same_record_socket())
        return;
    char line[JUDGE_RECORD_MAX];
    size_t used = 0;
    char pid[24];
    size_t k = sizeof pid;
    pid[--k] = '\0';
    for (long v = raw_getpid(); v > 0 && k > 0; v /= 10)
        pid[--k] = (char)('0' + v % 10);
    append(line, &used, sizeof line, nonce);
    append(line, &used, sizeof line, " ");
    append(line, &used, sizeof line, kind);
    append(line, &used, sizeof line, " ");
    append(line, &used, sizeof line, current[0] ? current : "-");
    append(line, &used, sizeof line, " ");
    append(line, &used, sizeof line, pid + k);
    if (message) {
        append(line, &used, sizeof line, " ");
        used = escape_into(line, used, sizeof line - 1, message);
    }
    line[used++] = '\n';
    long n;
    do
        n = raw_write(JUDGE_RECORD_FD, line, used);
    while (n == -EINTR);
    wipe(line, sizeof line);
}

/* The longest message handed to Check itself, below its limit of 4 KiB
 * for a whole message with its file name (CK_MAX_MSG_SIZE). */
#define CHECK_MESSAGE_ROOM 3000

/* Every failure of a test goes through here: Check's assertions, the
 * grade_expect_ functions, the exit guards. The failure is recorded first, so
 * that whatever _ck_assert_failed turns out to be (a student may define
 * one that returns), the test has failed. */
void __wrap__ck_assert_failed(const char *file, int line, const char *expr,
                              const char *msg, ...)
{
    static char text[GRADE_MESSAGE_MAX];
    int len;
    if (msg) {
        va_list ap;
        va_start(ap, msg);
        len = vsnprintf(text, sizeof text, msg, ap);
        va_end(ap);
    } else {
        len = snprintf(text, sizeof text, "%s", expr ? expr : "failed");
    }
    if (len >= (int)sizeof text) {
        /* Never cut without saying so. */
        char mark[96];
        int m = snprintf(mark, sizeof mark,
                         " [... cut: %d more bytes of this message]",
                         len - (int)(sizeof text - 1));
        if (m > 0 && (size_t)m < sizeof text)
            memcpy(text + sizeof text - 1 - (size_t)m, mark, (size_t)m + 1);
    }
    if (started) {
        test_failed = 1;
        started = 0;
        record("fail", text);
    }
    /* Check itself carries messages of a few kilobytes at most (it ends
     * the program over a longer one): it gets the start of a long one,
     * marked, and the judge's record has all of it. */
    size_t full = strlen(text);
    if (full > CHECK_MESSAGE_ROOM) {
        size_t keep = CHECK_MESSAGE_ROOM - 200;
        while (keep > CHECK_MESSAGE_ROOM / 2 && text[keep - 1] != '\n')
            keep--;
        snprintf(text + keep, sizeof text - keep,
                 "[... cut here for Check: %zu more bytes, which the "
                 "judge's report shows]",
                 full - keep);
    }
    __real__ck_assert_failed(file, line, expr, "%s", text);
    /* A _ck_assert_failed that returns is not Check's: end the child. */
    armed = 0;
    __real__exit(1);
}

/* Check calls this just before each test's function. A second call while
 * a test runs means that something other than Check announced a test:
 * that fails it. */
void __wrap_tcase_fn_start(const char *fname, const char *file, int line)
{
    if (started) {
        _ck_assert_failed(file, line, "Failed",
                          "a second test (%s) was announced while %s was "
                          "running: does your code call Check's functions?",
                          fname, current);
    }
    snprintf(current, sizeof current, "%s", fname ? fname : "?");
    started = 1;
    test_failed = 0;
    record("start", NULL);
    __real_tcase_fn_start(fname, file, line);
    if (replaced[0])
        _ck_assert_failed(file, line, "Failed", "%s", replaced);
}

/* Crashes are recorded before the default action ends the child, so the
 * judge can say "crashed" rather than "never reported". */
static void on_crash(int sig)
{
    const char *what = sig == SIGSEGV   ? "Received signal 11 (Segmentation fault)"
                       : sig == SIGBUS  ? "Received signal 7 (Bus error)"
                       : sig == SIGFPE  ? "Received signal 8 (Floating point exception)"
                       : sig == SIGILL  ? "Received signal 4 (Illegal instruction)"
                                        : "Received signal 6 (Aborted)";
    if (started) {
        started = 0;
        record("fail", what);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The trampolines: Check calls one of these in place of each test's
 * function, and only a body that returns to it passes. A fixed set of
 * functions, because Check passes a test function nothing but the loop
 * index, so each needs its own slot. */
#define GRADE_MAX_TESTS 64
static struct {
    const char *name; /* the test's own name (START_TEST) */
    TFun fn;          /* its body */
    TTest test;       /* what Check is given instead */
} slots[GRADE_MAX_TESTS];
static int nslots;

static void run_slot(int k, int i)
{
    static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t c = 0; c < sizeof crashes / sizeof *crashes; c++)
        signal(crashes[c], on_crash);
    slots[k].fn(i);
    /* The body returned. It passed if it was this test that ran, once,
     * and nothing failed on the way. */
    if (started && !test_failed && strcmp(current, slots[k].name) == 0)
        record("pass", NULL);
    started = 0;
}

#define SLOT(a, b)                                                             \
    static void slot##a##b(int i)                                              \
    {                                                                          \
        run_slot(a * 8 + b, i);                                                \
    }
#define SLOTS8(a)                                                              \
    SLOT(a, 0) SLOT(a, 1) SLOT(a, 2) SLOT(a, 3) SLOT(a, 4) SLOT(a, 5)          \
    SLOT(a, 6) SLOT(a, 7)
SLOTS8(0) SLOTS8(1) SLOTS8(2) SLOTS8(3) SLOTS8(4) SLOTS8(5) SLOTS8(6)
SLOTS8(7)
#define NAMES8(a)                                                              \
    slot##a##0, slot##a##1, slot##a##2, slot##a##3, slot##a##4, slot##a##5,    \
        slot##a##6, slot##a##7
static const TFun slot_fns[GRADE_MAX_TESTS] = {
    NAMES8(0), NAMES8(1), NAMES8(2), NAMES8(3),
    NAMES8(4), NAMES8(5), NAMES8(6), NAMES8(7),
};

void __wrap__tcase_add_test(TCase *tc, const TTest *ttest, int sig,
                            int allowed_exit, int start, int end)
{
    if (nslots == GRADE_MAX_TESTS || sig != 0 || allowed_exit != 0) {
        /* Not gradable: registered as is, it can never report a pass. */
        __real__tcase_add_test(tc, ttest, sig, allowed_exit, start, end);
        return;
    }
    int k = nslots++;
    slots[k].name = ttest->name;
    slots[k].fn = ttest->fn;
    slots[k].test = *ttest;
    slots[k].test.fn = slot_fns[k];
    __real__tcase_add_test(tc, &slots[k].test, sig, allowed_exit, start,
                           end);
}

/* The runner, to ask whether Check forks: without a fork there is no
 * child to end, and failing must not longjmp out of an exit handler. */
static SRunner *runner;

static int forking(void)
{
    return runner == NULL || srunner_fork_status(runner) != CK_NOFORK;
}

/* Fails the running test with @p how (a call that tried to end the
 * program). Disarms first: failing ends the child with Check's own
 * _exit(1), which must not come back here. */
static _Noreturn void fail_exit(const char *how, int status)
{
    armed = 0;
    char msg[512];
    snprintf(msg, sizeof msg,
             "your code called %s(%d) in the middle of the test. A test "
             "must end by returning: remove the %s call (a coroutine ends "
             "at CO_END or with CO_RETURN, a function with return).",
             how, status, how);
    if (!forking()) {
        /* No child to end: say it and stop, never report a pass. */
        fprintf(stderr, "%s\n", msg);
        __real__exit(1);
    }
    _ck_assert_failed(__FILE__, __LINE__, "Failed", "%s", msg);
    __real__exit(1); /* not reached: Check ends the child */
}

_Noreturn void __wrap_exit(int status)
{
    if (armed)
        fail_exit("exit", status);
    __real_exit(status);
}

_Noreturn void __wrap__Exit(int status)
{
    if (armed)
        fail_exit("_Exit", status);
    __real__Exit(status);
}

_Noreturn void __wrap_quick_exit(int status)
{
    if (armed)
        fail_exit("quick_exit", status);
    __real_quick_exit(status);
}

_Noreturn void __wrap__exit(int status)
{
    if (armed && status == 0)
        fail_exit("_exit", status);
    __real__exit(status);
}

_Noreturn void __wrap_abort(void)
{
    if (armed) {
        armed = 0;
        if (forking())
            _ck_assert_failed(__FILE__, __LINE__, "Failed",
                              "your code called abort() in the middle of the "
                              "test (an assert() that failed, perhaps).");
        fprintf(stderr, "your code called abort() in the middle of a test\n");
    }
    __real_abort();
}

/* Runs at exit(); a test body that is still armed did not return. */
static void at_exit_guard(void)
{
    if (!armed)
        return;
    armed = 0;
    const char *msg = "the program ended in the middle of the test, before "
                      "the test returned: something called exit(). A test "
                      "passes only by returning.";
    if (forking())
        _ck_assert_failed(__FILE__, __LINE__, "Failed", "%s", msg);
    fprintf(stderr, "%s\n", msg);
    __real__exit(1);
}

static void arm(void)
{
    armed = 1;
}

static void disarm(void)
{
    armed = 0;
}

TCase *grade_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    /* Checked fixtures run inside the forked child, around each test. */
    tcase_add_checked_fixture(tc, arm, disarm);
    return tc;
}

SRunner *grade_runner(Suite *s)
{
    SRunner *sr = srunner_create(s);
    runner = sr;
    static int registered;
    if (!registered && atexit(at_exit_guard) == 0)
        registered = 1;
    return sr;
}

int grade_main(Suite *s)
{
    SRunner *sr = grade_runner(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    runner = NULL;
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

/* ---- budgets ------------------------------------------------------------ */

int grade__step(const char *file, int line, co_coro *co, const char *what)
{
    int st = co_coro_step(co);
    if (st < 0)
        _ck_assert_failed(file, line, "Failed",
                          "%s: co_coro_step() failed with %s (%s). Is the "
                          "frame set up with co_coro_init()?",
                          what, co_errname(st), co_strerror(st));
    return st;
}

int grade__run_coro(const char *file, int line, co_coro *co, int max_steps,
                    const char *what)
{
    if (max_steps <= 0)
        max_steps = GRADE_STEP_BUDGET;
    for (int steps = 1; steps <= max_steps; steps++) {
        int st = grade__step(file, line, co, what);
        if (st == CO_STATUS_DONE)
            return steps;
    }
    _ck_assert_failed(file, line, "Failed",
                      "your coroutine %s never returned: after %d steps it "
                      "was still suspended. Does it reach CO_END? (A loop "
                      "counter kept in a local variable restarts at every "
                      "resume: keep it in the frame.)",
                      what, max_steps);
    return max_steps; /* not reached */
}

/* The watchdog. It cannot be a timer on the loop: a pending timer keeps the
 * loop from ever seeing that nothing is left to run, and "waits for what
 * nobody will complete" would become a slow "never finished". Nor is it a
 * signal: a process-wide alarm goes to any thread that does not block it,
 * and the lessons with threads (09, 10, 14, 15) have others than the one
 * running the loop, which the alarm then never interrupts; a student's code
 * may block signals as well. So it is a thread of the grader's own, with
 * every signal blocked, that sleeps until the budget is spent and then asks
 * the loop, through co_loop_call_soon_threadsafe (which rings the loop's
 * wakeup pipe), to stop. A generation number keeps a stop that was queued
 * just as the run ended from stopping a later run. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t done; /* the run ended: the watchdog may go */
    pthread_once_t once;
    bool ready;          /* done is initialised */
    clockid_t clock;     /* the clock of done's deadlines */
    co_loop *loop;       /* the loop being watched */
    unsigned gen;        /* which run this is */
    bool running;        /* the run has not ended yet */
    bool spent;          /* the budget ran out during the run */
    bool alive;          /* the watchdog thread has not finished yet */
    pid_t pid;           /* the process it runs in (a fork has none) */
    struct timespec deadline; /* on dog.clock */
} dog = {PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

static void dog_init(void)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return;
    dog.clock = CLOCK_MONOTONIC;
    if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0)
        dog.clock = CLOCK_REALTIME; /* the attribute's default */
    dog.ready = pthread_cond_init(&dog.done, &attr) == 0;
    pthread_condattr_destroy(&attr);
}

/* On the loop's thread: stop, if the run that asked is still the one. */
static void dog_stop(void *arg)
{
    pthread_mutex_lock(&dog.mu);
    if (dog.running && dog.gen == (unsigned)(uintptr_t)arg)
        co_loop_stop(dog.loop);
    pthread_mutex_unlock(&dog.mu);
}

static void *dog_watch(void *arg)
{
    unsigned gen = (unsigned)(uintptr_t)arg;
    pthread_mutex_lock(&dog.mu);
    while (dog.running && dog.gen == gen) {
        int rc = pthread_cond_timedwait(&dog.done, &dog.mu, &dog.deadline);
        if (rc == ETIMEDOUT && dog.running && dog.gen == gen) {
            dog.spent = true;
            co_loop_call_soon_threadsafe(dog.loop, dog_stop, arg);
            break;
        }
    }
    dog.alive = false;
    pthread_cond_broadcast(&dog.done);
    pthread_mutex_unlock(&dog.mu);
    return NULL;
}
/* Starts watching a run of @p loop for @p seconds; false if no thread
 * could be started (then the run has no budget: Check's timeout stays). */
static bool dog_start(co_loop *loop, double seconds)
{
    pthread_once(&dog.once, dog_init);
    if (!dog.ready)
        return false;
    struct timespec now;
    clock_gettime(dog.clock, &now);
    double at = (double)now.tv_sec + (double)now.tv_nsec / 1e9 + seconds;
    pthread_mutex_lock(&dog.mu);
    dog.gen++;
    dog.loop = loop;
    dog.running = true;
    dog.spent = false;
    dog.alive = true;
    dog.pid = getpid();
    dog.deadline.tv_sec = (time_t)at;
    dog.deadline.tv_nsec = (long)((at - (double)(time_t)at) * 1e9);
    unsigned gen = dog.gen;
    pthread_mutex_unlock(&dog.mu);
    /* Detached, and waited for through dog.alive: a test that ends the
     * process in the middle of the run (an exit the guards report) leaves
     * no thread that anyone should have joined. */
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return false;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, dog_watch, (void *)(uintptr_t)gen);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_lock(&dog.mu);
        dog.running = false;
        dog.alive = false;
        pthread_mutex_unlock(&dog.mu);
        return false;
    }
    return true;
}

/* Ends the watch, once the watchdog has gone; returns whether the budget
 * ran out. */
static bool dog_end(void)
{
    pthread_mutex_lock(&dog.mu);
    dog.running = false;
    pthread_cond_broadcast(&dog.done);
    while (dog.alive && dog.pid == getpid())
        pthread_cond_wait(&dog.done, &dog.mu);
    bool spent = dog.spent;
    pthread_mutex_unlock(&dog.mu);
    return spent;
}

/* Where every task of @p loop is stuck (co_loop_dump), for a failure
 * message: "task 'consumer' (waiting for ...) + consumer at queue.c:40".
 * A dump longer than @p size is cut at a line's end, and says how many
 * lines are not shown; "" if nothing could be said. */
static void stuck_tasks(co_loop *loop, char *buf, size_t size)
{
    buf[0] = '\0';
    if (co_all_tasks(loop, NULL, 0) == 0)
        return; /* no task at all: an empty list would only puzzle */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return;
    fputs("\nWhere every task is stuck (tasks nobody waits for first, "
          "under each what it waits for):\n",
          f);
    co_loop_dump(loop, f);
    if (fclose(f) != 0 || !text) {
        free(text);
        return;
    }
    if (len < size) {
        memcpy(buf, text, len + 1);
    } else {
        const size_t room = size - 80;
        size_t keep = room;
        while (keep > 0 && text[keep - 1] != '\n')
            keep--;
        if (keep == 0)
            keep = room;
        long rest = 0;
        for (size_t i = keep; i < len; i++)
            rest += text[i] == '\n';
        memcpy(buf, text, keep);
        snprintf(buf + keep, size - keep,
                 "[... cut: %ld more line%s of the dump not shown]\n", rest,
                 rest == 1 ? "" : "s");
    }
    free(text);
}

int grade__run_until_complete(const char *file, int line, co_loop *loop,
                              co_future *f, double seconds, const char *what)
{
    if (seconds <= 0)
        seconds = GRADE_LOOP_BUDGET;
    bool watched = dog_start(loop, seconds);

    int rc = co_loop_run_until_complete(loop, f);

    bool budget_spent = watched && dog_end();

    char stuck[GRADE_MESSAGE_MAX - 1024];
    if (rc == CO_EDEADLOCK || (budget_spent && rc == CO_ESTOPPED))
        stuck_tasks(loop, stuck, sizeof stuck);
    if (rc == CO_EDEADLOCK)
        _ck_assert_failed(file, line, "Failed",
                          "%s waits for something that nobody will ever "
                          "complete: the loop has no task ready, no timer "
                          "and no file to watch, and it is still not "
                          "finished. Is a task awaited that was never "
                          "created, or a future that nobody sets? (Or does "
                          "a coroutine end with a plain `return` instead of "
                          "CO_RETURN? Returning 2 reads as \"waiting\".)%s",
                          what, stuck);
    if (budget_spent && rc == CO_ESTOPPED && co_all_tasks(loop, NULL, 0) == 0)
        _ck_assert_failed(file, line, "Failed",
                          "%s never completed: after %.1f s the future was "
                          "still pending, and no task was left on the loop. "
                          "Does every path that should complete it call "
                          "co_future_set_result_* (or set an exception)?",
                          what, seconds);
    if (budget_spent && rc == CO_ESTOPPED)
        _ck_assert_failed(file, line, "Failed",
                          "%s never finished: after %.1f s it was still "
                          "running. Does your coroutine reach CO_END, and "
                          "does every loop in it end?%s",
                          what, seconds, stuck);
    return rc;
}

/* ---- traces -------------------------------------------------------------- */

void grade_trace_clear(grade_trace *t)
{
    memset(t, 0, sizeof *t);
}

void grade_trace_add(grade_trace *t, const char *fmt, ...)
{
    if (t->truncated)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t len = strlen(line);
    if (t->len + len + 2 > sizeof t->text) {
        t->truncated = 1;
        return;
    }
    memcpy(t->text + t->len, line, len);
    t->len += len;
    t->text[t->len++] = '\n';
    t->text[t->len] = '\0';
    t->lines++;
}

/* Copies line @p index (0-based) of @p text into @p out, or "(nothing)". */
static void nth_line(const char *text, int index, char *out, size_t size)
{
    const char *p = text;
    for (int i = 0; i < index && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p) {
        snprintf(out, size, "(nothing)");
        return;
    }
    size_t n = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)n, p);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        if (*p == '\n' || p[1] == '\0')
            n++;
    return n;
}

void grade__expect_trace(const char *file, int line, const grade_trace *t,
                         const char *expected, const char *what)
{
    size_t elen = strlen(expected);
    int same = !t->truncated &&
               (strcmp(t->text, expected) == 0 ||
                (elen > 0 && expected[elen - 1] != '\n' &&
                 t->len == elen + 1 && strncmp(t->text, expected, elen) == 0));
    if (same)
        return;
    int n = count_lines(expected);
    int m = count_lines(t->text);
    int rows = n > m ? n : m;
    char msg[3000];
    size_t used = (size_t)snprintf(msg, sizeof msg,
                                   "%s: not what was expected (=> marks "
                                   "each line that differs).\n"
                                   "    expected                          | "
                                   "your code did\n",
                                   what);
    /* Check passes on messages of a few kilobytes at most, so a long
     * trace is shown from just before its first difference, and as many
     * whole rows as fit, rather than cut off in the middle of a word. */
    char a[128], b[128];
    int first = 0;
    while (first < rows) {
        nth_line(expected, first, a, sizeof a);
        nth_line(t->text, first, b, sizeof b);
        if (strcmp(a, b) != 0)
            break;
        first++;
    }
    int from = first > 3 ? first - 3 : 0;
    if (from > 0)
        used += (size_t)snprintf(msg + used, sizeof msg - used,
                                 "    (the first %d line%s the same)\n",
                                 from, from == 1 ? " is" : "s are");
    const size_t reserve = 160; /* for the closing remarks below */
    int i = from;
    for (; i < rows; i++) {
        char row[300];
        nth_line(expected, i, a, sizeof a);
        nth_line(t->text, i, b, sizeof b);
        size_t len = (size_t)snprintf(row, sizeof row, " %s %-33s | %s\n",
                                      strcmp(a, b) ? "=>" : "  ", a, b);
        if (len >= sizeof row || used + len + reserve >= sizeof msg)
            break;
        memcpy(msg + used, row, len + 1);
        used += len;
    }
    if (i < rows)
        used += (size_t)snprintf(msg + used, sizeof msg - used,
                                 "    (%d more lines not shown)\n",
                                 rows - i);
    if (t->truncated)
        snprintf(msg + used, sizeof msg - used,
                 "    (and more: your code recorded too many events - an "
                 "endless loop?)\n");
    _ck_assert_failed(file, line, "Failed", "%s", msg);
}

void grade__expect_int(const char *file, int line, long long actual,
                       long long expected, const char *what)
{
    if (actual == expected) {
        _mark_point(file, line);
        return;
    }
    _ck_assert_failed(file, line, "Failed",
                      "%s: expected %lld, your code gave %lld", what,
                      expected, actual);
}

void grade__expect_code(const char *file, int line, int actual, int expected,
                        const char *what)
{
    if (actual == expected) {
        _mark_point(file, line);
        return;
    }
    if (actual > 0)
        _ck_assert_failed(file, line, "Failed",
                          "%s: expected %s, your code gave %d", what,
                          co_errname(expected), actual);
    _ck_assert_failed(file, line, "Failed",
                      "%s: expected %s, your code gave %s (%s)", what,
                      co_errname(expected), co_errname(actual),
                      co_strerror(actual));
}

void grade__expect_all_released(const char *file, int line, co_loop *loop,
                                const char *what)
{
    /* A few single iterations (stop, then run: asyncio's way to run one)
     * let queued done-callbacks run and drop the references they hold. */
    for (int i = 0; i < 4; i++) {
        co_loop_stop(loop);
        co_loop_run_forever(loop);
    }
    size_t alive = co_loop_live_futures(loop);
    if (alive == 0) {
        _mark_point(file, line);
        return;
    }
    _ck_assert_failed(file, line, "Failed",
                      "%s: %zu future or task reference%s never dropped "
                      "(a memory leak). co_create_task(..., &task) and "
                      "co_future_new() each give you a reference: drop it "
                      "with co_task_unref() or co_future_unref() once you "
                      "are done with it.",
                      what, alive, alive == 1 ? " was" : "s were");
}
