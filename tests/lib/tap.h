/* SPDX-License-Identifier: MIT */
/*
 * tap.h: header-only TAP producer for guest tests, which run natively and
 * inside husk and must print the same ok/not ok lines in both places.
 *
 * A program lists its tests as { name, fn } and hands the table to tap_run()
 * (or TAP_MAIN). Each fn records failures with the CHECK macros, which print
 * "# " diagnostics at once and let the fn go on; SKIP() ends a fn early and
 * reports "ok N - name # SKIP reason". tap_run() returns the exit status:
 * 0 if nothing failed (skips count as passes), 1 otherwise.
 *
 * All output goes to stdout, line buffered, so that diagnostics and results
 * keep their order in a pipe and survive a test that crashes the program.
 * Diagnostics may carry addresses or times; result lines must not.
 */
#ifndef HUSK_TESTS_TAP_H
#define HUSK_TESTS_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct tap_test {
    const char *name;
    void (*fn)(void);
};

#define TAP_API static __attribute__((unused))
#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* State of the test that is running: set by the CHECK macros and SKIP. */
TAP_API int tap_failed_;
TAP_API int tap_skipped_;
TAP_API char tap_skip_reason_[200];

/* Name of an errno value ("EBADF"), or "E?" for one not in the table. */
TAP_API const char *tap_errno_name(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {
#define TAP_E_(x) {x, #x}
        TAP_E_(EPERM),     TAP_E_(ENOENT),      TAP_E_(ESRCH),
        TAP_E_(EINTR),     TAP_E_(EIO),         TAP_E_(EBADF),
        TAP_E_(EAGAIN),    TAP_E_(ENOMEM),      TAP_E_(EACCES),
        TAP_E_(EFAULT),    TAP_E_(EEXIST),      TAP_E_(ENOTDIR),
        TAP_E_(EISDIR),    TAP_E_(EINVAL),      TAP_E_(EMFILE),
        TAP_E_(ENOTTY),    TAP_E_(ESPIPE),      TAP_E_(EROFS),
        TAP_E_(EPIPE),     TAP_E_(ERANGE),      TAP_E_(ENAMETOOLONG),
        TAP_E_(ENOSYS),    TAP_E_(ENOTEMPTY),   TAP_E_(ELOOP),
        TAP_E_(EOVERFLOW), TAP_E_(EOPNOTSUPP),  TAP_E_(ETIMEDOUT),
        TAP_E_(ENOSPC),    TAP_E_(EBUSY),       TAP_E_(ENXIO),
        TAP_E_(EXDEV),     TAP_E_(EMLINK),      TAP_E_(EFBIG),
        TAP_E_(ENODEV),    TAP_E_(E2BIG),       TAP_E_(ECHILD),
        TAP_E_(EDEADLK),   TAP_E_(ENOLCK),      TAP_E_(ETXTBSY),
        TAP_E_(ENFILE),    TAP_E_(ENODATA),     TAP_E_(EPROTO),
        TAP_E_(EISCONN),   TAP_E_(EADDRINUSE),  TAP_E_(EADDRNOTAVAIL),
        TAP_E_(ENOTCONN),  TAP_E_(ECONNRESET),  TAP_E_(ECONNREFUSED),
        TAP_E_(EALREADY),  TAP_E_(EINPROGRESS), TAP_E_(EDESTADDRREQ),
        TAP_E_(ENOTSOCK),  TAP_E_(EPROTOTYPE),  TAP_E_(EPROTONOSUPPORT),
        TAP_E_(EMSGSIZE),  TAP_E_(ENOPROTOOPT), TAP_E_(ESOCKTNOSUPPORT),
        TAP_E_(ENOBUFS),   TAP_E_(ENETUNREACH), TAP_E_(EAFNOSUPPORT),
#undef TAP_E_
    };
    if (e == 0)
        return "0";
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    return "E?";
}

/* Print one "# " diagnostic line. */
TAP_API TAP_PRINTF(1, 2) void tap_diag(const char *fmt, ...)
{
    va_list ap;

    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

TAP_API TAP_PRINTF(5, 6) int tap_check_(int ok, const char *file, int line,
                                        const char *expr, const char *fmt, ...)
{
    va_list ap;

    if (ok)
        return 1;
    tap_failed_ = 1;
    printf("# %s:%d: CHECK(%s) failed: ", file, line, expr);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    return 0;
}

/* Print "r" as a syscall result: "-1 (errno EBADF, 9)" or the number;
 * e < 0 stands for any errno. */
TAP_API void tap_print_result_(long r, int e)
{
    if (r == -1 && e >= 0)
        printf("-1 (errno %s, %d)", tap_errno_name(e), e);
    else
        printf("%ld", r);
}

TAP_API int tap_check_syscall_(long r, int e, long want, int want_errno,
                               const char *file, int line, const char *call)
{
    if (r == want && (want != -1 || want_errno < 0 || e == want_errno))
        return 1;
    tap_failed_ = 1;
    printf("# %s:%d: %s = ", file, line, call);
    tap_print_result_(r, e);
    printf(", expected ");
    tap_print_result_(want, want_errno);
    fputc('\n', stdout);
    return 0;
}

/* Report the running test as skipped; use SKIP(), which also returns. */
TAP_API TAP_PRINTF(1, 2) void tap_skip_(const char *fmt, ...)
{
    va_list ap;

    tap_skipped_ = 1;
    va_start(ap, fmt);
    vsnprintf(tap_skip_reason_, sizeof(tap_skip_reason_), fmt, ap);
    va_end(ap);
}

/* CHECK(cond, fmt, ...): on false, fail the test and print the message.
 * Evaluates to 1 if cond held, else 0, so a test can stop: if (!CHECK(..))
 * return; */
#define CHECK(cond, ...)                                                       \
    tap_check_(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

/* CHECK_SYSCALL(call, expect): call returns -1 and sets errno on failure
 * (a libc call or syscall()); it must return expect (cast to long, so
 * pointers work). On mismatch prints the call, its result and errno name.
 * Evaluates to 1 on match, else 0. To expect a failure use CHECK_ERRNO. */
#define CHECK_SYSCALL(call, expect)                                            \
    ({                                                                         \
        errno = 0;                                                             \
        long tap_r_ = (long)(call);                                            \
        int tap_e_ = errno;                                                    \
        tap_check_syscall_(tap_r_, tap_e_, (long)(expect), -1, __FILE__,       \
                           __LINE__, #call);                                   \
    })

/* CHECK_ERRNO(call, E): call must fail, returning -1 with errno == E. */
#define CHECK_ERRNO(call, E)                                                   \
    ({                                                                         \
        errno = 0;                                                             \
        long tap_r_ = (long)(call);                                            \
        int tap_e_ = errno;                                                    \
        tap_check_syscall_(tap_r_, tap_e_, -1L, (E), __FILE__, __LINE__,       \
                           #call);                                             \
    })

/* CHECK_OK(call): call must not return -1; evaluates to its result as a
 * long (-1 on failure), e.g. int fd = CHECK_OK(pipe(p)) ... */
#define CHECK_OK(call)                                                         \
    ({                                                                         \
        errno = 0;                                                             \
        long tap_r_ = (long)(call);                                            \
        int tap_e_ = errno;                                                    \
        if (tap_r_ == -1) {                                                    \
            tap_failed_ = 1;                                                   \
            printf("# %s:%d: %s = ", __FILE__, __LINE__, #call);               \
            tap_print_result_(tap_r_, tap_e_);                                 \
            printf(", expected success\n");                                    \
        }                                                                      \
        tap_r_;                                                                \
    })

/* SKIP(fmt, ...): end the running test as skipped with this reason. */
#define SKIP(...)                                                              \
    do {                                                                       \
        tap_skip_(__VA_ARGS__);                                                \
        return;                                                                \
    } while (0)

#define TAP_COUNT(tests) (sizeof(tests) / sizeof((tests)[0]))

/* Run the tests in order, print the plan and a result line for each, and
 * return the exit status. Call it before anything else writes to stdout. */
TAP_API int tap_run(const struct tap_test *tests, size_t n)
{
    int status = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        tap_failed_ = 0;
        tap_skipped_ = 0;
        tap_skip_reason_[0] = '\0';
        tests[i].fn();
        if (tap_failed_) {
            printf("not ok %zu - %s\n", i + 1, tests[i].name);
            status = 1;
        } else if (tap_skipped_) {
            printf("ok %zu - %s # SKIP %s\n", i + 1, tests[i].name,
                   tap_skip_reason_);
        } else {
            printf("ok %zu - %s\n", i + 1, tests[i].name);
        }
    }
    fflush(stdout);
    return status;
}

/* TAP_MAIN(tests): define main() to run a static array of struct tap_test. */
#define TAP_MAIN(tests)                                                        \
    int main(void) { return tap_run((tests), TAP_COUNT(tests)); }

#endif /* HUSK_TESTS_TAP_H */
