/* SPDX-License-Identifier: MIT */
/*
 * tls.c: thread-local storage of the main thread: __thread data and bss,
 * errno, and the %fs base as arch_prctl reads and sets it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

#define ARCH_SET_FS_ 0x1002
#define ARCH_GET_FS_ 0x1003

static __thread int tls_int = 42;
static __thread char tls_buf[64] = "tls";
static __thread long tls_zero[32];
static __thread unsigned long long tls_big = 0x1122334455667788ULL;
static int global_int = 42;

/* How far from the thread pointer TLS may sit; both libcs keep the static
 * TLS block and errno within a few KiB of it. */
#define TLS_NEAR (64 * 1024)

/* Raw two-argument syscall that touches neither errno nor the stack
 * protector: safe while %fs points somewhere libc does not expect. */
static inline __attribute__((always_inline)) long raw_syscall2(long nr, long a,
                                                               long b)
{
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(nr), "D"(a), "S"(b)
                     : "rcx", "r11", "memory");
    return ret;
}

static uintptr_t fs_base(void)
{
    unsigned long base = 0;

    if (raw_syscall2(SYS_arch_prctl, ARCH_GET_FS_, (long)&base) != 0)
        return 0;
    return base;
}

static inline __attribute__((always_inline)) uintptr_t fs_word0(void)
{
    uintptr_t v;

    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

static int near_tp(const void *p, uintptr_t tp)
{
    uintptr_t a = (uintptr_t)p;

    return a + TLS_NEAR > tp && a < tp + TLS_NEAR;
}

static void test_initialized(void)
{
    CHECK(tls_int == 42, "tls_int = %d", tls_int);
    CHECK(strcmp(tls_buf, "tls") == 0, "tls_buf = \"%.63s\"", tls_buf);
    CHECK(tls_buf[63] == '\0' && tls_buf[4] == '\0', "tls_buf tail not zero");
    CHECK(tls_big == 0x1122334455667788ULL, "tls_big = %#llx", tls_big);
}

static void test_bss(void)
{
    int nonzero = 0;

    for (size_t i = 0; i < sizeof(tls_zero) / sizeof(tls_zero[0]); i++)
        nonzero |= tls_zero[i] != 0;
    CHECK(!nonzero, "zero-initialized TLS is not zero");
}

static void test_writable(void)
{
    tls_int = 7;
    strcpy(tls_buf, "written");
    for (size_t i = 0; i < sizeof(tls_zero) / sizeof(tls_zero[0]); i++)
        tls_zero[i] = (long)i * 3;
    __asm__ volatile("" ::: "memory");
    CHECK(tls_int == 7, "tls_int = %d", tls_int);
    CHECK(strcmp(tls_buf, "written") == 0, "tls_buf = \"%.63s\"", tls_buf);
    CHECK(tls_zero[31] == 93, "tls_zero[31] = %ld", tls_zero[31]);
    CHECK(global_int == 42, "writing TLS changed a global");
    tls_int = 42;
}

static void test_addresses(void)
{
    uintptr_t tp = fs_base();

    CHECK((void *)&tls_int != (void *)&global_int,
          "TLS and global share an address");
    CHECK(((uintptr_t)&tls_big & 7) == 0, "tls_big misaligned");
    if (!CHECK(tp != 0, "arch_prctl(ARCH_GET_FS) failed"))
        return;
    CHECK(near_tp(&tls_int, tp), "&tls_int %p far from fs base %#lx",
          (void *)&tls_int, (unsigned long)tp);
    CHECK(near_tp(tls_zero, tp), "&tls_zero %p far from fs base %#lx",
          (void *)tls_zero, (unsigned long)tp);
    /* x86_64 is TLS variant II: the static TLS block sits below the TP. */
    CHECK((uintptr_t)&tls_int < tp, "&tls_int above the thread pointer");
}

static void test_errno(void)
{
    uintptr_t tp = fs_base();

    errno = 0;
    CHECK(close(-1) == -1, "close(-1) succeeded");
    CHECK(errno == EBADF, "errno = %d (%s) after close(-1)", errno,
          tap_errno_name(errno));
    errno = 0;
    CHECK(errno == 0, "errno not reset");
    CHECK(getpid() > 0 && errno == 0, "a good call set errno to %d", errno);
    CHECK(near_tp(&errno, tp), "&errno %p far from fs base %#lx",
          (void *)&errno, (unsigned long)tp);
}

static void test_get_fs(void)
{
    unsigned long base = 0;

    CHECK_SYSCALL(syscall(SYS_arch_prctl, ARCH_GET_FS_, &base), 0);
    CHECK(base != 0, "fs base is 0");
    /* Both glibc and musl keep a self pointer at %fs:0 (the TCB). */
    CHECK(fs_word0() == base, "%%fs:0 = %#lx, fs base = %#lx",
          (unsigned long)fs_word0(), base);
}

static void test_set_fs(void)
{
    static uintptr_t buf[64] __attribute__((aligned(64)));
    uintptr_t old = fs_base(), seen = 0, now = 0;
    long set_ret, restore_ret = -1;

    if (!CHECK(old != 0, "arch_prctl(ARCH_GET_FS) failed"))
        return;
    buf[0] = (uintptr_t)buf;
    buf[1] = 0x5a5a5a5a;
    /* No libc from here to the restore: errno and the canary live at %fs. */
    set_ret = raw_syscall2(SYS_arch_prctl, ARCH_SET_FS_, (long)buf);
    if (set_ret == 0) {
        seen = fs_word0();
        raw_syscall2(SYS_arch_prctl, ARCH_GET_FS_, (long)&now);
        restore_ret = raw_syscall2(SYS_arch_prctl, ARCH_SET_FS_, (long)old);
    }
    CHECK(set_ret == 0, "ARCH_SET_FS(buf) = %ld", set_ret);
    CHECK(restore_ret == 0, "ARCH_SET_FS(old) = %ld", restore_ret);
    CHECK(seen == (uintptr_t)buf, "%%fs:0 = %#lx after setting fs to %p",
          (unsigned long)seen, (void *)buf);
    CHECK(now == (uintptr_t)buf, "ARCH_GET_FS = %#lx after setting %p",
          (unsigned long)now, (void *)buf);
    CHECK(fs_base() == old, "fs base not restored");
    CHECK(fs_word0() == old, "%%fs:0 not the self pointer after restore");
    CHECK(tls_int == 42, "TLS unreadable after restore");
}

static const struct tap_test tests[] = {
    {"initialized __thread data", test_initialized},
    {"zero-initialized __thread data", test_bss},
    {"__thread data is writable", test_writable},
    {"__thread addresses sit near the thread pointer", test_addresses},
    {"errno is thread-local and set by a failing call", test_errno},
    {"ARCH_GET_FS returns the thread pointer", test_get_fs},
    {"ARCH_SET_FS to a buffer and back", test_set_fs},
};

TAP_MAIN(tests)
