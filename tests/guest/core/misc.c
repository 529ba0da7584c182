/* SPDX-License-Identifier: MIT */
/*
 * misc.c: the small process-wide calls every program makes: identity
 * (uname, ids), clocks and sleeping, randomness, limits, sysinfo, affinity,
 * umask, cwd, signal disposition and mask, the standard fds, writev, and
 * the thread bookkeeping calls libc makes at start-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define NSEC 1000000000LL

static long long ts_ns(const struct timespec *ts)
{
    return ts->tv_sec * NSEC + ts->tv_nsec;
}

static long long now_ns(clockid_t clk)
{
    struct timespec ts;

    if (clock_gettime(clk, &ts) != 0)
        return -1;
    return ts_ns(&ts);
}

static void test_uname(void)
{
    struct utsname u;
    char host[HOST_NAME_MAX + 1];

    if (!CHECK_SYSCALL(uname(&u), 0))
        return;
    CHECK(strcmp(u.sysname, "Linux") == 0, "sysname \"%s\"", u.sysname);
    CHECK(strcmp(u.machine, "x86_64") == 0, "machine \"%s\"", u.machine);
    CHECK(u.nodename[0] != '\0', "empty nodename");
    CHECK(u.release[0] != '\0', "empty release");
    if (CHECK_SYSCALL(gethostname(host, sizeof(host)), 0))
        CHECK(strcmp(host, u.nodename) == 0, "gethostname \"%s\" != \"%s\"",
              host, u.nodename);
    tap_diag("release %s", u.release);
}

static void test_pids(void)
{
    pid_t pid = getpid();

    CHECK(pid > 0, "getpid = %d", (int)pid);
    CHECK(syscall(SYS_gettid) == pid, "main thread tid != pid");
    CHECK(syscall(SYS_getpid) == pid, "raw getpid differs");
    CHECK(getppid() >= 0, "getppid = %d", (int)getppid());
}

static void test_ids(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;

    if (CHECK_SYSCALL(getresuid(&r, &e, &s), 0)) {
        CHECK(r == getuid(), "ruid %u != getuid", (unsigned)r);
        CHECK(e == geteuid(), "euid %u != geteuid", (unsigned)e);
    }
    if (CHECK_SYSCALL(getresgid(&gr, &ge, &gs), 0)) {
        CHECK(gr == getgid(), "rgid %u != getgid", (unsigned)gr);
        CHECK(ge == getegid(), "egid %u != getegid", (unsigned)ge);
    }
}

static void test_monotonic(void)
{
    long long prev = now_ns(CLOCK_MONOTONIC), t;
    int backwards = 0;

    if (!CHECK(prev >= 0, "clock_gettime(CLOCK_MONOTONIC) failed"))
        return;
    for (int i = 0; i < 1000; i++) {
        t = now_ns(CLOCK_MONOTONIC);
        backwards += t < prev;
        prev = t;
    }
    CHECK(backwards == 0, "went backwards %d times in 1000 calls", backwards);
    CHECK(now_ns(CLOCK_BOOTTIME) >= 0, "CLOCK_BOOTTIME failed");
    CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) >= 0,
          "CLOCK_PROCESS_CPUTIME_ID failed");
}

static void test_realtime(void)
{
    const long long y2020 = 1577836800LL * NSEC;
    long long rt = now_ns(CLOCK_REALTIME);
    struct timeval tv;
    time_t t;

    CHECK(rt > y2020, "CLOCK_REALTIME before 2020-01-01");
    if (CHECK_SYSCALL(gettimeofday(&tv, NULL), 0)) {
        long long d = tv.tv_sec * NSEC + tv.tv_usec * 1000LL - rt;

        CHECK(d > -NSEC && d < NSEC, "gettimeofday off by %lld ns", d);
        CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec %ld",
              (long)tv.tv_usec);
    }
    t = time(NULL);
    CHECK(t * NSEC > rt - 2 * NSEC && t * NSEC < rt + 2 * NSEC,
          "time() off by %lld s", t - rt / NSEC);
    CHECK(syscall(SYS_time, NULL) >= t, "raw time() went backwards");
}

static void test_clock_getres(void)
{
    struct timespec ts = {-1, -1};

    if (!CHECK_SYSCALL(clock_getres(CLOCK_MONOTONIC, &ts), 0))
        return;
    CHECK(ts_ns(&ts) > 0 && ts_ns(&ts) <= 1000000, "resolution %lld ns",
          ts_ns(&ts));
    CHECK_SYSCALL(clock_getres(CLOCK_REALTIME, NULL), 0);
}

static void test_nanosleep(void)
{
    struct timespec req = {0, 20 * 1000000L}, rem = {7, 7};
    long long t0 = now_ns(CLOCK_MONOTONIC), dt;

    CHECK_SYSCALL(nanosleep(&req, &rem), 0);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    CHECK(dt >= 20 * 1000000LL, "slept %lld ns", dt);
    tap_diag("nanosleep(20 ms) took %lld us", dt / 1000);
    req.tv_nsec = 0;
    CHECK_SYSCALL(nanosleep(&req, NULL), 0);
}

static void test_clock_nanosleep_abs(void)
{
    struct timespec target;
    long long t;
    int r;

    if (!CHECK_SYSCALL(clock_gettime(CLOCK_MONOTONIC, &target), 0))
        return;
    target.tv_nsec += 15 * 1000000L;
    if (target.tv_nsec >= NSEC) {
        target.tv_sec++;
        target.tv_nsec -= NSEC;
    }
    /* clock_nanosleep returns the error number; it does not set errno. */
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
    t = now_ns(CLOCK_MONOTONIC);
    CHECK(r == 0, "clock_nanosleep = %d (%s)", r, tap_errno_name(r));
    CHECK(t >= ts_ns(&target), "woke %lld ns early", ts_ns(&target) - t);
    /* A deadline in the past returns at once. */
    target.tv_sec -= 10;
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
    CHECK(r == 0, "past deadline: %d (%s)", r, tap_errno_name(r));
}

static void test_getrandom(void)
{
    unsigned char a[64], b[64];

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    CHECK_SYSCALL(syscall(SYS_getrandom, a, sizeof(a), 0), 64);
    CHECK_SYSCALL(syscall(SYS_getrandom, b, sizeof(b), 0), 64);
    CHECK(memcmp(a, b, sizeof(a)) != 0,
          "two getrandom calls gave the same bytes");
    CHECK_SYSCALL(syscall(SYS_getrandom, a, 0, 0), 0);
}

static void test_rlimits(void)
{
    struct rlimit rl, lowered, seen;
    rlim_t want;

    if (!CHECK_SYSCALL(getrlimit(RLIMIT_STACK, &rl), 0))
        return;
    CHECK(rl.rlim_cur > 0, "RLIMIT_STACK cur is 0");
    if (!CHECK_SYSCALL(getrlimit(RLIMIT_NOFILE, &rl), 0))
        return;
    want = rl.rlim_cur > 64 ? rl.rlim_cur - 1 : rl.rlim_cur;
    lowered = (struct rlimit){want, rl.rlim_max};
    CHECK_SYSCALL(setrlimit(RLIMIT_NOFILE, &lowered), 0);
    CHECK_SYSCALL(getrlimit(RLIMIT_NOFILE, &seen), 0);
    CHECK(seen.rlim_cur == want && seen.rlim_max == rl.rlim_max,
          "RLIMIT_NOFILE is %llu/%llu after setting %llu",
          (unsigned long long)seen.rlim_cur, (unsigned long long)seen.rlim_max,
          (unsigned long long)want);
    CHECK_SYSCALL(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &seen), 0);
    CHECK(seen.rlim_cur == want, "prlimit64 sees %llu",
          (unsigned long long)seen.rlim_cur);
    /* Restore through prlimit64, which also returns the old value. */
    CHECK_SYSCALL(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, &seen), 0);
    CHECK(seen.rlim_cur == want, "prlimit64 old value %llu",
          (unsigned long long)seen.rlim_cur);
    CHECK_SYSCALL(getrlimit(RLIMIT_NOFILE, &seen), 0);
    CHECK(seen.rlim_cur == rl.rlim_cur, "RLIMIT_NOFILE not restored");
}

static void test_sysinfo(void)
{
    struct sysinfo si;

    if (!CHECK_SYSCALL(sysinfo(&si), 0))
        return;
    CHECK(si.totalram > 0, "totalram 0");
    CHECK(si.mem_unit >= 1, "mem_unit %u", si.mem_unit);
    /* uptime is long in glibc, unsigned long in musl. */
    CHECK((long)si.uptime >= 0, "uptime %ld", (long)si.uptime);
    CHECK(si.freeram <= si.totalram, "freeram > totalram");
    CHECK(si.procs >= 1, "procs %u", (unsigned)si.procs);
}

static void test_affinity(void)
{
    cpu_set_t set;
    long r;

    CPU_ZERO(&set);
    if (!CHECK_SYSCALL(sched_getaffinity(0, sizeof(set), &set), 0))
        return;
    CHECK(CPU_COUNT(&set) >= 1, "no CPU in the affinity mask");
    /* The raw call returns the bytes it wrote: a multiple of 8. */
    r = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
    CHECK(r >= 8 && r <= (long)sizeof(set) && r % 8 == 0,
          "raw sched_getaffinity = %ld", r);
    CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1, "_SC_NPROCESSORS_ONLN < 1");
}

static void test_sched_yield(void) { CHECK_SYSCALL(sched_yield(), 0); }

static void test_umask(void)
{
    mode_t old = umask(027);

    CHECK(umask(027) == 027, "umask did not return 027");
    CHECK(umask(old) == 027, "umask did not return 027");
    CHECK(umask(old) == old, "umask not restored");
}

static void test_getcwd(void)
{
    char buf[PATH_MAX];

    if (!CHECK(getcwd(buf, sizeof(buf)) == buf, "getcwd failed: %s",
               tap_errno_name(errno)))
        return;
    CHECK(buf[0] == '/', "cwd \"%s\" is not absolute", buf);
    /* The raw call returns the length; libc's returns the buffer. */
    CHECK_SYSCALL(syscall(SYS_getcwd, buf, sizeof(buf)), (long)strlen(buf) + 1);
    CHECK_ERRNO(syscall(SYS_getcwd, buf, 1), ERANGE);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig) { got_usr1 = sig; }

static void test_sigaction(void)
{
    struct sigaction sa, old, seen;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    if (!CHECK_SYSCALL(sigaction(SIGUSR1, &sa, &old), 0))
        return;
    CHECK_SYSCALL(sigaction(SIGUSR1, NULL, &seen), 0);
    CHECK(seen.sa_handler == on_usr1, "handler not kept");
    /* libc adds SA_RESTORER; only the bits we set are compared. */
    CHECK(seen.sa_flags & SA_RESTART, "SA_RESTART lost");
    CHECK(!(seen.sa_flags & (SA_SIGINFO | SA_NODEFER | SA_RESETHAND)),
          "unexpected flags %#x", (unsigned)seen.sa_flags);
    CHECK(sigismember(&seen.sa_mask, SIGUSR2) == 1, "sa_mask lost SIGUSR2");
    CHECK(sigismember(&seen.sa_mask, SIGINT) == 0, "sa_mask gained SIGINT");
    CHECK_SYSCALL(sigaction(SIGUSR1, &old, NULL), 0);
}

static void test_sigprocmask(void)
{
    sigset_t set, old, seen;

    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (!CHECK_SYSCALL(sigprocmask(SIG_BLOCK, &set, &old), 0))
        return;
    CHECK(sigismember(&old, SIGUSR1) == 0, "SIGUSR1 blocked at start");
    CHECK_SYSCALL(sigprocmask(SIG_BLOCK, NULL, &seen), 0);
    CHECK(sigismember(&seen, SIGUSR1) == 1, "SIGUSR1 not blocked");
    CHECK_SYSCALL(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
    CHECK_SYSCALL(sigprocmask(SIG_SETMASK, NULL, &seen), 0);
    CHECK(sigismember(&seen, SIGUSR1) == 0, "SIGUSR1 still blocked");
    /* SIGKILL and SIGSTOP cannot be blocked; asking is silently ignored. */
    sigaddset(&set, SIGKILL);
    CHECK_SYSCALL(sigprocmask(SIG_BLOCK, &set, NULL), 0);
    CHECK_SYSCALL(sigprocmask(SIG_BLOCK, NULL, &seen), 0);
    CHECK(sigismember(&seen, SIGKILL) == 0, "SIGKILL shows as blocked");
    CHECK_SYSCALL(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void test_tty(void)
{
    struct termios t;
    struct winsize ws;
    int fd = isatty(1) ? 1 : isatty(2) ? 2 : -1;

    if (fd < 0) {
        /* Not a tty: the ioctl must say so. */
        CHECK_ERRNO(ioctl(1, TCGETS, &t), ENOTTY);
        SKIP("neither stdout nor stderr is a terminal");
    }
    CHECK_SYSCALL(ioctl(fd, TCGETS, &t), 0);
    CHECK_SYSCALL(ioctl(fd, TIOCGWINSZ, &ws), 0);
    tap_diag("fd %d is a %ux%u terminal", fd, ws.ws_col, ws.ws_row);
}

static void test_fstat_stdout(void)
{
    struct stat st, st2;
    mode_t m;

    if (!CHECK_SYSCALL(fstat(1, &st), 0))
        return;
    m = st.st_mode;
    CHECK(S_ISCHR(m) || S_ISFIFO(m) || S_ISREG(m) || S_ISSOCK(m),
          "fd 1 has mode %#o", (unsigned)m);
    /* Raw newfstatat: libc may turn fstatat(fd, "") into fstat. struct
     * stat is the kernel's layout on x86_64 in both glibc and musl. */
    if (CHECK_SYSCALL(syscall(SYS_newfstatat, 1, "", &st2, AT_EMPTY_PATH), 0)) {
        CHECK(st2.st_mode == st.st_mode, "modes differ: %#o vs %#o",
              (unsigned)st2.st_mode, (unsigned)st.st_mode);
        CHECK(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev,
              "dev/ino differ");
    }
    CHECK_ERRNO(syscall(SYS_newfstatat, 1, "", &st2, 0), ENOENT);
    CHECK_ERRNO(fstat(-1, &st), EBADF);
}

static void test_writev(void)
{
    char a[] = "# writev: ", b[] = "three iovecs", c[] = "\n";
    struct iovec iov[3] = {
        {a, sizeof(a) - 1}, {b, sizeof(b) - 1}, {c, sizeof(c) - 1}};
    size_t total = sizeof(a) + sizeof(b) + sizeof(c) - 3;
    ssize_t r;

    fflush(stdout);
    r = writev(1, iov, 3);
    CHECK(r == (ssize_t)total, "writev = %zd, want %zu (%s)", r, total,
          tap_errno_name(errno));
    tap_diag("writev returned %zd", r);
    CHECK_SYSCALL(writev(1, iov, 0), 0);
    CHECK_ERRNO(syscall(SYS_writev, 1, iov, -1), EINVAL);
}

static void test_set_tid_address(void)
{
    /* Static: the kernel writes 0 here when the thread exits. */
    static int clear_tid;

    CHECK(syscall(SYS_set_tid_address, &clear_tid) == syscall(SYS_gettid),
          "set_tid_address did not return the tid");
}

static void test_set_robust_list(void)
{
    /* struct robust_list_head: list.next, futex_offset, list_op_pending.
     * An empty list points at itself; static, as it stays registered. */
    static struct {
        void *next;
        long futex_offset;
        void *pending;
    } head = {&head, 0, NULL};

    CHECK_SYSCALL(syscall(SYS_set_robust_list, &head, sizeof(head)), 0);
    CHECK_ERRNO(syscall(SYS_set_robust_list, &head, sizeof(head) + 1), EINVAL);
    CHECK_ERRNO(syscall(SYS_set_robust_list, &head, 0), EINVAL);
}

static const struct tap_test tests[] = {
    {"uname: Linux x86_64, nodename is the hostname", test_uname},
    {"getpid is the main thread's tid, getppid", test_pids},
    {"uid/gid calls agree with getresuid/getresgid", test_ids},
    {"CLOCK_MONOTONIC never goes backwards", test_monotonic},
    {"CLOCK_REALTIME, gettimeofday and time agree", test_realtime},
    {"clock_getres(CLOCK_MONOTONIC) is at most 1 ms", test_clock_getres},
    {"nanosleep(20 ms) sleeps at least 20 ms", test_nanosleep},
    {"clock_nanosleep with TIMER_ABSTIME", test_clock_nanosleep_abs},
    {"getrandom gives different bytes each time", test_getrandom},
    {"getrlimit, setrlimit and prlimit64", test_rlimits},
    {"sysinfo", test_sysinfo},
    {"sched_getaffinity has at least one CPU", test_affinity},
    {"sched_yield", test_sched_yield},
    {"umask returns the previous mask", test_umask},
    {"getcwd is absolute", test_getcwd},
    {"sigaction set then get for SIGUSR1", test_sigaction},
    {"sigprocmask blocks and unblocks SIGUSR1", test_sigprocmask},
    {"terminal ioctls on stdout or stderr", test_tty},
    {"fstat(1) and newfstatat(1, \"\", AT_EMPTY_PATH) agree",
     test_fstat_stdout},
    {"writev of 3 iovecs to stdout", test_writev},
    {"set_tid_address returns the tid", test_set_tid_address},
    {"set_robust_list checks the size", test_set_robust_list},
};

TAP_MAIN(tests)
