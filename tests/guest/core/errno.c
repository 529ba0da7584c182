/* SPDX-License-Identifier: MIT */
/*
 * errno.c: error returns of bad calls that need no file system: bad fds,
 * bad pointers, bad flags and sizes, unknown numbers. Mostly raw syscall()
 * so that libc checks nothing before the kernel (or husk) does.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

/* Kernel layout of struct sigaction for rt_sigaction (not libc's). */
struct ksigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

/* An address no user mapping can have (x86_64 user space ends at 2^47),
 * and one that is unmapped in the first page. */
#define BAD_HIGH ((void *)0xffff800000000000UL)
#define BAD_LOW ((void *)1)

static void handler(int sig) { (void)sig; }

static void test_bad_fd(void)
{
    char c = 'x';

    CHECK_ERRNO(close(-1), EBADF);
    CHECK_ERRNO(close(12345), EBADF);
    CHECK_ERRNO(write(-1, &c, 1), EBADF);
    CHECK_ERRNO(syscall(SYS_write, -1, &c, 1), EBADF);
    CHECK_ERRNO(read(999, &c, 1), EBADF);
    CHECK_ERRNO(dup(-1), EBADF);
    CHECK_ERRNO(dup(12345), EBADF);
    CHECK_ERRNO(syscall(SYS_dup2, 12345, 20), EBADF);
    CHECK_ERRNO(syscall(SYS_fcntl, -1, F_GETFD), EBADF);
    CHECK_ERRNO(syscall(SYS_fcntl, 12345, F_GETFL), EBADF);
}

static void test_bad_fd_args(void)
{
    /* dup3 with oldfd == newfd is EINVAL (dup2 would return newfd). */
    CHECK_ERRNO(syscall(SYS_dup3, 1, 1, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_dup3, 1, 20, 0x12345), EINVAL);
    CHECK_ERRNO(syscall(SYS_dup2, 1, -1), EBADF);
    CHECK_ERRNO(syscall(SYS_fcntl, 1, F_DUPFD, -1), EINVAL);
    CHECK_ERRNO(syscall(SYS_fcntl, 1, 12345), EINVAL);
}

static void test_bad_pointer_misc(void)
{
    CHECK_ERRNO(syscall(SYS_uname, NULL), EFAULT);
    CHECK_ERRNO(syscall(SYS_uname, BAD_HIGH), EFAULT);
    CHECK_ERRNO(syscall(SYS_nanosleep, NULL, NULL), EFAULT);
    CHECK_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_LOW), EFAULT);
}

static void test_rt_sigaction(void)
{
    struct ksigaction ka = {.handler = handler};

    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 4), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGKILL, &ka, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGSTOP, &ka, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, 65, &ka, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, 0, &ka, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, BAD_HIGH, NULL, 8), EFAULT);
    /* Querying SIGKILL without changing it is allowed. */
    CHECK_SYSCALL(syscall(SYS_rt_sigaction, SIGKILL, NULL, &ka, 8), 0);
}

static void test_rt_sigprocmask(void)
{
    unsigned long set = 0;

    CHECK_ERRNO(syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD_HIGH, NULL, 8),
                EFAULT);
}

static void test_mmap_args(void)
{
    CHECK_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                EINVAL);
    CHECK_ERRNO(mmap((void *)0x10000123, 4096, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
                EINVAL);
    /* Neither MAP_PRIVATE nor MAP_SHARED. */
    CHECK_ERRNO(syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0),
                EINVAL);
    CHECK_ERRNO(syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, 12345, 0),
                EBADF);
    CHECK_ERRNO(syscall(SYS_munmap, (void *)0x10000123, 4096), EINVAL);
    CHECK_ERRNO(syscall(SYS_munmap, (void *)0x10000000, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_mprotect, (void *)0x10000123, 4096, PROT_READ),
                EINVAL);
}

static void test_arch_prctl(void)
{
    unsigned long v;

    CHECK_ERRNO(syscall(SYS_arch_prctl, 0x9999, &v), EINVAL);
}

static void test_enosys(void)
{
    CHECK_ERRNO(syscall(1000), ENOSYS);
    CHECK_ERRNO(syscall(0xffff, 1, 2, 3), ENOSYS);
}

static void test_getrandom(void)
{
    char buf[8];

    CHECK_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf), 0x100), EINVAL);
    CHECK_ERRNO(syscall(SYS_getrandom, BAD_HIGH, 8, 0), EFAULT);
}

static void test_clocks(void)
{
    struct timespec ts;

    CHECK_ERRNO(syscall(SYS_clock_gettime, 12345, &ts), EINVAL);
    CHECK_ERRNO(syscall(SYS_clock_getres, 12345, &ts), EINVAL);
    /* libc's clock_gettime may go through the vDSO first. */
    CHECK_ERRNO(clock_gettime(12345, &ts), EINVAL);
}

static void test_nanosleep(void)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 2000000000L};

    CHECK_ERRNO(syscall(SYS_nanosleep, &ts, NULL), EINVAL);
    ts.tv_nsec = -1;
    CHECK_ERRNO(syscall(SYS_nanosleep, &ts, NULL), EINVAL);
    ts.tv_sec = -1;
    ts.tv_nsec = 0;
    CHECK_ERRNO(syscall(SYS_nanosleep, &ts, NULL), EINVAL);
    ts.tv_sec = 0;
    ts.tv_nsec = 1000000000L;
    CHECK_ERRNO(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL),
                EINVAL);
}

static void test_rlimits(void)
{
    struct rlimit rl;

    CHECK_ERRNO(syscall(SYS_prlimit64, 0, 999, NULL, &rl), EINVAL);
    CHECK_ERRNO(syscall(SYS_getrlimit, 999, &rl), EINVAL);
    if (!CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0, "getrlimit failed"))
        return;
    rl.rlim_cur =
        rl.rlim_max == RLIM_INFINITY ? RLIM_INFINITY : rl.rlim_max + 1;
    rl.rlim_max = rl.rlim_cur == RLIM_INFINITY ? 1024 : rl.rlim_max;
    CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
    CHECK_ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL), EINVAL);
}

static void test_sched_getaffinity(void)
{
    unsigned long mask[16];

    CHECK_ERRNO(syscall(SYS_sched_getaffinity, 0, 1, mask), EINVAL);
    CHECK_ERRNO(syscall(SYS_sched_getaffinity, 0, 0, mask), EINVAL);
}

static void test_kill_nonexistent(void)
{
    CHECK_ERRNO(kill(0x3ffffff0, 0), ESRCH);
    CHECK_ERRNO(syscall(SYS_kill, getpid(), 65), EINVAL);
}

/* No children: every wait is ECHILD; bad options are EINVAL first. */
static void test_wait(void)
{
    siginfo_t si;
    CHECK_ERRNO(syscall(SYS_wait4, -1, NULL, 0, NULL), ECHILD);
    CHECK_ERRNO(syscall(SYS_wait4, -1, NULL, WNOHANG, NULL), ECHILD);
    CHECK_ERRNO(syscall(SYS_wait4, -1, NULL, 0x1000, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_waitid, P_ALL, 0, &si, WEXITED, NULL), ECHILD);
    CHECK_ERRNO(syscall(SYS_waitid, P_ALL, 0, &si, 0, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_waitid, 99, 0, &si, WEXITED, NULL), EINVAL);
}

static const struct tap_test tests[] = {
    {"wait4 and waitid without children", test_wait},
    {"bad fds give EBADF", test_bad_fd},
    {"bad dup3/dup2/fcntl arguments", test_bad_fd_args},
    {"bad pointers elsewhere give EFAULT", test_bad_pointer_misc},
    {"rt_sigaction rejects bad size, SIGKILL, SIGSTOP, 0, 65",
     test_rt_sigaction},
    {"rt_sigprocmask rejects bad how and size", test_rt_sigprocmask},
    {"mmap/munmap/mprotect reject bad arguments", test_mmap_args},
    {"arch_prctl rejects an unknown code", test_arch_prctl},
    {"unknown syscall numbers give ENOSYS", test_enosys},
    {"getrandom rejects bad flags and buffers", test_getrandom},
    {"unknown clock ids give EINVAL", test_clocks},
    {"nanosleep rejects bad timespecs", test_nanosleep},
    {"rlimits reject bad resources and cur > max", test_rlimits},
    {"sched_getaffinity rejects a short mask", test_sched_getaffinity},
    {"kill of a nonexistent pid or bad signal", test_kill_nonexistent},
};

TAP_MAIN(tests)
