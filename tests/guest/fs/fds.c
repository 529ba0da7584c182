/* SPDX-License-Identifier: MIT */
/*
 * fds.c: the file descriptor table and what hangs off an open file
 * description: dup/dup2/dup3, fcntl F_DUPFD and the fd/status flags, the
 * lowest free fd, close_range, RLIMIT_NOFILE, the generic ioctls (FIOCLEX,
 * FIONREAD, TCGETS), flock, POSIX and OFD record locks, memfd_create. Files
 * live in a mkdtemp directory under /tmp that the last test removes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

static char tdir[] = "/tmp/husk-fds-XXXXXX";
static int tdir_ok;

/* Full path of "name" in the test directory (a static buffer). */
static const char *tpath(const char *name)
{
    static char buf[PATH_MAX];

    snprintf(buf, sizeof(buf), "%s/%s", tdir, name);
    return buf;
}

/* Create (truncate) "name" in the test directory, open with "flags". */
static int topen(const char *name, int flags)
{
    if (!tdir_ok)
        return -1;
    return open(tpath(name), flags | O_CREAT | O_TRUNC, 0600);
}

/* Open "name" again (a second open file description), no truncation. */
static int treopen(const char *name, int flags)
{
    return open(tpath(name), flags);
}

static int fd_flags(int fd) { return fcntl(fd, F_GETFD); }

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

static void test_mkdtemp(void)
{
    struct stat st;

    if (!CHECK(mkdtemp(tdir) == tdir, "mkdtemp failed: %s",
               tap_errno_name(errno)))
        return;
    tdir_ok = 1;
    if (CHECK_SYSCALL(stat(tdir, &st), 0)) {
        CHECK(S_ISDIR(st.st_mode), "mode %#o", (unsigned)st.st_mode);
        CHECK((st.st_mode & 0777) == 0700, "permissions %#o, want 0700",
              (unsigned)(st.st_mode & 0777));
    }
}

static void test_dup(void)
{
    int fd, d;
    off_t off;

    fd = topen("dup", O_RDWR | O_CLOEXEC);
    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    d = CHECK_OK(dup(fd));
    if (d >= 0) {
        CHECK(d > fd, "dup gave %d, below the original %d", d, fd);
        /* The copy does not inherit FD_CLOEXEC. */
        CHECK(fd_flags(fd) == FD_CLOEXEC, "original lost FD_CLOEXEC");
        CHECK(fd_flags(d) == 0, "dup copy has fd flags %d", fd_flags(d));
        /* Both share one open file description, so one offset. */
        CHECK_SYSCALL(write(fd, "hello", 5), 5);
        off = lseek(d, 0, SEEK_CUR);
        CHECK(off == 5, "offset through the copy is %lld", (long long)off);
        CHECK_SYSCALL(lseek(d, 1, SEEK_SET), 1);
        CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 1);
        CHECK_SYSCALL(close(d), 0);
    }
    /* The original survives closing the copy. */
    CHECK_SYSCALL(write(fd, "E", 1), 1);
    CHECK_ERRNO(dup(d), EBADF);
    CHECK_ERRNO(dup(-1), EBADF);
    CHECK_SYSCALL(close(fd), 0);
    CHECK_ERRNO(close(fd), EBADF);
    CHECK_ERRNO(close(-1), EBADF);
    CHECK_SYSCALL(unlink(tpath("dup")), 0);
}

static void test_dup2(void)
{
    int fd, other;
    char c = 0;

    fd = topen("dup2", O_RDWR);
    other = topen("dup2-other", O_RDWR);
    if (!CHECK(fd >= 0 && other >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    CHECK_SYSCALL(write(fd, "x", 1), 1);
    CHECK_SYSCALL(fcntl(other, F_SETFD, FD_CLOEXEC), 0);
    /* dup2 onto an open fd closes it silently and clears FD_CLOEXEC. */
    if (CHECK_SYSCALL(dup2(fd, other), other)) {
        CHECK(fd_flags(other) == 0, "target kept fd flags %d", fd_flags(other));
        CHECK_SYSCALL(pread(other, &c, 1, 0), 1);
        CHECK(c == 'x', "target reads '%c', not the file of the source", c);
    }
    /* Same fd: returns it, changes nothing. */
    CHECK_SYSCALL(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    CHECK_SYSCALL(dup2(fd, fd), fd);
    CHECK(fd_flags(fd) == FD_CLOEXEC, "dup2(fd, fd) changed the fd flags");
    /* A far target that was free. */
    CHECK_SYSCALL(dup2(fd, 150), 150);
    CHECK(is_open(150), "fd 150 not open");
    CHECK_SYSCALL(close(150), 0);
    CHECK_ERRNO(dup2(fd, -1), EBADF);
    CHECK_ERRNO(dup2(fd, INT_MAX), EBADF);
    CHECK_ERRNO(dup2(-1, 150), EBADF);
    CHECK(!is_open(150), "a failed dup2 opened fd 150");
    /* dup2 of a closed fd onto itself is EBADF, not success. */
    CHECK_ERRNO(syscall(SYS_dup2, 150, 150), EBADF);
    close(other);
    close(fd);
    CHECK_SYSCALL(unlink(tpath("dup2")), 0);
    CHECK_SYSCALL(unlink(tpath("dup2-other")), 0);
}

static void test_dup3(void)
{
    int fd = topen("dup3", O_RDWR);

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    CHECK_SYSCALL(syscall(SYS_dup3, fd, 151, O_CLOEXEC), 151);
    CHECK(fd_flags(151) == FD_CLOEXEC, "dup3 O_CLOEXEC: fd flags %d",
          fd_flags(151));
    CHECK_SYSCALL(syscall(SYS_dup3, fd, 151, 0), 151);
    CHECK(fd_flags(151) == 0, "dup3 0: fd flags %d", fd_flags(151));
    /* Unlike dup2, the same fd twice is an error, as are unknown flags. */
    CHECK_ERRNO(syscall(SYS_dup3, fd, fd, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_dup3, fd, 152, O_NONBLOCK), EINVAL);
    CHECK(!is_open(152), "a failed dup3 opened fd 152");
    CHECK_ERRNO(syscall(SYS_dup3, -1, 152, 0), EBADF);
    close(151);
    close(fd);
    CHECK_SYSCALL(unlink(tpath("dup3")), 0);
}

static void test_f_dupfd(void)
{
    struct rlimit rl;
    int fd = topen("dupfd", O_RDWR), d;

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    /* The lowest free fd at or above the minimum. */
    CHECK_SYSCALL(fcntl(fd, F_DUPFD, 100), 100);
    CHECK(fd_flags(100) == 0, "F_DUPFD copy has fd flags %d", fd_flags(100));
    CHECK_SYSCALL(fcntl(fd, F_DUPFD, 100), 101);
    CHECK_SYSCALL(fcntl(fd, F_DUPFD_CLOEXEC, 100), 102);
    CHECK(fd_flags(102) == FD_CLOEXEC, "F_DUPFD_CLOEXEC copy: fd flags %d",
          fd_flags(102));
    close(101);
    CHECK_SYSCALL(fcntl(fd, F_DUPFD_CLOEXEC, 100), 101);
    CHECK(fd_flags(101) == FD_CLOEXEC, "reused fd 101 lacks FD_CLOEXEC");
    /* Minimum 0 gives the lowest free fd, like dup. */
    d = CHECK_OK(fcntl(fd, F_DUPFD, 0));
    CHECK(d >= 0 && d < 100, "F_DUPFD 0 gave %d", d);
    if (d >= 0)
        close(d);
    close(100);
    close(101);
    close(102);
    CHECK_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL);
    if (CHECK_SYSCALL(getrlimit(RLIMIT_NOFILE, &rl), 0) &&
        rl.rlim_cur < INT_MAX)
        CHECK_ERRNO(fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL);
    CHECK_ERRNO(fcntl(-1, F_DUPFD, 0), EBADF);
    close(fd);
    CHECK_SYSCALL(unlink(tpath("dupfd")), 0);
}

static void test_fd_flags(void)
{
    int fd = topen("fdflags", O_RDWR | O_CLOEXEC);

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    CHECK_SYSCALL(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_SYSCALL(fcntl(fd, F_SETFD, 0), 0);
    CHECK_SYSCALL(fcntl(fd, F_GETFD), 0);
    CHECK_SYSCALL(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    CHECK_SYSCALL(fcntl(fd, F_GETFD), FD_CLOEXEC);
    close(fd);
    CHECK_ERRNO(fcntl(fd, F_GETFD), EBADF);
    CHECK_ERRNO(fcntl(fd, F_SETFD, 0), EBADF);
    CHECK_SYSCALL(unlink(tpath("fdflags")), 0);
}

static void test_status_flags(void)
{
    struct stat st;
    int fd = topen("flags", O_RDWR), fl;

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    /* The kernel adds O_LARGEFILE on 64-bit; look only at known bits. */
    fl = CHECK_OK(fcntl(fd, F_GETFL));
    CHECK((fl & O_ACCMODE) == O_RDWR, "access mode %#o", fl & O_ACCMODE);
    CHECK(!(fl & (O_APPEND | O_NONBLOCK)), "flags %#o at open", fl);
    /* O_CREAT and O_TRUNC are not kept. */
    CHECK(!(fl & (O_CREAT | O_TRUNC)), "open-time flags kept: %#o", fl);
    CHECK_SYSCALL(write(fd, "abc", 3), 3);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_SET), 0);
    CHECK_SYSCALL(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK), 0);
    fl = CHECK_OK(fcntl(fd, F_GETFL));
    CHECK((fl & (O_APPEND | O_NONBLOCK)) == (O_APPEND | O_NONBLOCK),
          "F_SETFL did not set O_APPEND|O_NONBLOCK: %#o", fl);
    /* O_APPEND: the write goes to the end whatever the offset. */
    CHECK_SYSCALL(write(fd, "d", 1), 1);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 4);
    if (CHECK_SYSCALL(fstat(fd, &st), 0))
        CHECK(st.st_size == 4, "size %lld, want 4", (long long)st.st_size);
    /* The access mode cannot be changed through F_SETFL. */
    CHECK_SYSCALL(fcntl(fd, F_SETFL, O_RDONLY), 0);
    fl = CHECK_OK(fcntl(fd, F_GETFL));
    CHECK((fl & O_ACCMODE) == O_RDWR, "access mode became %#o", fl & O_ACCMODE);
    CHECK(!(fl & (O_APPEND | O_NONBLOCK)), "flags not cleared: %#o", fl);
    CHECK_SYSCALL(write(fd, "e", 1), 1);
    close(fd);
    /* A read-only open reports O_RDONLY. */
    fd = treopen("flags", O_RDONLY);
    if (CHECK(fd >= 0, "reopen failed: %s", tap_errno_name(errno))) {
        fl = CHECK_OK(fcntl(fd, F_GETFL));
        CHECK((fl & O_ACCMODE) == O_RDONLY, "access mode %#o", fl & O_ACCMODE);
        CHECK_ERRNO(write(fd, "x", 1), EBADF);
        close(fd);
    }
    CHECK_SYSCALL(unlink(tpath("flags")), 0);
}

/* The lowest fd not open, by asking fcntl about each. */
static int lowest_free(void)
{
    for (int i = 0; i < 4096; i++)
        if (!is_open(i))
            return i;
    return -1;
}

static void test_lowest_fd(void)
{
    int fd[4], want;

    want = lowest_free();
    fd[0] = topen("low", O_RDONLY);
    if (!CHECK(fd[0] == want, "open gave %d, lowest free was %d", fd[0], want))
        return;
    for (int i = 1; i < 4; i++) {
        want = lowest_free();
        fd[i] = dup(fd[0]);
        CHECK(fd[i] == want, "dup gave %d, lowest free was %d", fd[i], want);
    }
    /* Every fd below fd[3] is now in use: a closed one is the lowest. */
    CHECK_SYSCALL(close(fd[2]), 0);
    CHECK(lowest_free() == fd[2], "lowest free %d, closed %d", lowest_free(),
          fd[2]);
    CHECK_SYSCALL(open(tpath("low"), O_RDONLY), fd[2]);
    /* Two holes: the lower one first. */
    CHECK_SYSCALL(close(fd[1]), 0);
    CHECK_SYSCALL(close(fd[2]), 0);
    CHECK_SYSCALL(fcntl(fd[0], F_DUPFD, 0), fd[1]);
    CHECK_SYSCALL(dup(fd[0]), fd[2]);
    for (int i = 0; i < 4; i++)
        close(fd[i]);
    CHECK_SYSCALL(unlink(tpath("low")), 0);
}

static void test_close_range(void)
{
    int fd = topen("range", O_RDWR);
    struct rlimit rl;
    long r;

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    for (int i = 200; i <= 204; i++)
        CHECK_SYSCALL(dup2(fd, i), i);
    r = syscall(SYS_close_range, 201, 203, 0);
    if (r == -1 && errno == ENOSYS) {
        for (int i = 200; i <= 204; i++)
            close(i);
        close(fd);
        unlink(tpath("range"));
        SKIP("close_range: ENOSYS (kernel before 5.9)");
    }
    CHECK(r == 0, "close_range(201, 203) = %ld (%s)", r, tap_errno_name(errno));
    CHECK(is_open(200) && is_open(204), "neighbours of the range closed");
    CHECK(!is_open(201) && !is_open(202) && !is_open(203),
          "fds in the range still open");
    /* CLOSE_RANGE_CLOEXEC marks instead of closing; holes are fine. */
    CHECK_SYSCALL(syscall(SYS_close_range, 200, 210, CLOSE_RANGE_CLOEXEC), 0);
    CHECK(fd_flags(200) == FD_CLOEXEC && fd_flags(204) == FD_CLOEXEC,
          "CLOSE_RANGE_CLOEXEC: fd flags %d %d", fd_flags(200), fd_flags(204));
    CHECK(fd_flags(fd) == 0, "fd below the range got FD_CLOEXEC");
    CHECK(!is_open(201), "CLOSE_RANGE_CLOEXEC opened a hole");
    CHECK_SYSCALL(syscall(SYS_close_range, 204, 204, CLOSE_RANGE_UNSHARE), 0);
    CHECK(!is_open(204) && is_open(200), "CLOSE_RANGE_UNSHARE: wrong fds");
    /* Open-ended: the highest fd the limit allows (nothing can be above
     * it, so no inherited fd is closed), up to ~0U. */
    if (CHECK_SYSCALL(getrlimit(RLIMIT_NOFILE, &rl), 0) &&
        rl.rlim_cur <= 65536) {
        int top = (int)rl.rlim_cur - 1;

        CHECK_SYSCALL(dup2(fd, top), top);
        CHECK_SYSCALL(syscall(SYS_close_range, top, ~0U, 0), 0);
        CHECK(!is_open(top), "open-ended close_range left the top fd");
    }
    CHECK_ERRNO(syscall(SYS_close_range, 205, 204, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_close_range, 200, 200, 0x80), EINVAL);
    CHECK(is_open(200), "a failed close_range closed fd 200");
    CHECK_SYSCALL(syscall(SYS_close_range, 200, 200, 0), 0);
    CHECK(!is_open(200), "fd 200 still open");
    close(fd);
    CHECK_SYSCALL(unlink(tpath("range")), 0);
}

static void test_rlimit_nofile(void)
{
    struct rlimit old, low;
    int fds[32], p[2], n = 0, fd, e, full = 1;

    if (!tdir_ok || !CHECK_SYSCALL(getrlimit(RLIMIT_NOFILE, &old), 0))
        return;
    fd = topen("nofile", O_RDONLY);
    if (!CHECK(fd >= 0 && fd < 20, "open gave %d", fd))
        return;
    low = (struct rlimit){20, old.rlim_max};
    if (!CHECK_SYSCALL(setrlimit(RLIMIT_NOFILE, &low), 0)) {
        close(fd);
        return;
    }
    /* Fill fds 0-19, whatever the program started with. */
    for (;;) {
        errno = 0;
        int f = open(tpath("nofile"), O_RDONLY);
        e = errno;
        if (f < 0 || n == 32) {
            if (f >= 0)
                close(f);
            break;
        }
        fds[n++] = f;
        CHECK(f < 20, "open gave fd %d above the limit", f);
    }
    CHECK(e == EMFILE, "open at the limit: errno %s, want EMFILE",
          tap_errno_name(e));
    for (int i = 0; i < 20; i++)
        full &= is_open(i);
    CHECK(full, "open failed before fds 0-19 were all used");
    CHECK_ERRNO(dup(fd), EMFILE);
    CHECK_ERRNO(fcntl(fd, F_DUPFD, 0), EMFILE);
    CHECK_ERRNO(fcntl(fd, F_DUPFD, 20), EINVAL);
    CHECK_ERRNO(dup2(fd, 20), EBADF);
    CHECK_ERRNO(pipe(p), EMFILE);
    /* One free slot: the next open gets it, the one after fails. */
    if (n > 0) {
        int freed = fds[--n];

        close(freed);
        CHECK_SYSCALL(open(tpath("nofile"), O_RDONLY), freed);
        CHECK_ERRNO(open(tpath("nofile"), O_RDONLY), EMFILE);
        close(freed);
    }
    while (n > 0)
        close(fds[--n]);
    CHECK_SYSCALL(setrlimit(RLIMIT_NOFILE, &old), 0);
    close(fd);
    CHECK_SYSCALL(unlink(tpath("nofile")), 0);
}

static void test_fioclex(void)
{
    int fd = topen("fioclex", O_RDWR);

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    CHECK_SYSCALL(ioctl(fd, FIOCLEX), 0);
    CHECK(fd_flags(fd) == FD_CLOEXEC, "FIOCLEX: fd flags %d", fd_flags(fd));
    CHECK_SYSCALL(ioctl(fd, FIONCLEX), 0);
    CHECK(fd_flags(fd) == 0, "FIONCLEX: fd flags %d", fd_flags(fd));
    close(fd);
    CHECK_ERRNO(ioctl(fd, FIOCLEX), EBADF);
    CHECK_SYSCALL(unlink(tpath("fioclex")), 0);
}

static void test_fionread(void)
{
    char buf[100];
    int fd = topen("fionread", O_RDWR), n = -1;

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    memset(buf, 'r', sizeof(buf));
    CHECK_SYSCALL(write(fd, buf, sizeof(buf)), 100);
    CHECK_SYSCALL(ioctl(fd, FIONREAD, &n), 0);
    CHECK(n == 0, "FIONREAD at the end: %d", n);
    CHECK_SYSCALL(lseek(fd, 30, SEEK_SET), 30);
    CHECK_SYSCALL(ioctl(fd, FIONREAD, &n), 0);
    CHECK(n == 70, "FIONREAD at 30 of 100: %d", n);
    CHECK_SYSCALL(read(fd, buf, 20), 20);
    CHECK_SYSCALL(ioctl(fd, FIONREAD, &n), 0);
    CHECK(n == 50, "FIONREAD at 50 of 100: %d", n);
    close(fd);
    CHECK_SYSCALL(unlink(tpath("fionread")), 0);
}

static void test_not_a_tty(void)
{
    struct termios t;
    struct winsize ws;
    int fd = topen("notty", O_RDWR);

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    CHECK_ERRNO(ioctl(fd, TCGETS, &t), ENOTTY);
    CHECK_ERRNO(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
    errno = 0;
    CHECK(isatty(fd) == 0, "isatty on a regular file");
    CHECK(errno == ENOTTY, "isatty errno %s", tap_errno_name(errno));
    close(fd);
    CHECK_SYSCALL(unlink(tpath("notty")), 0);
}

static void test_flock(void)
{
    int fd = topen("flock", O_RDWR), d, other;

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    other = treopen("flock", O_RDONLY);
    if (!CHECK(other >= 0, "second open failed: %s", tap_errno_name(errno))) {
        close(fd);
        return;
    }
    CHECK_SYSCALL(flock(fd, LOCK_EX), 0);
    /* Locked again through the same open file description: fine. */
    CHECK_SYSCALL(flock(fd, LOCK_EX | LOCK_NB), 0);
    d = CHECK_OK(dup(fd));
    CHECK_SYSCALL(flock(d, LOCK_EX | LOCK_NB), 0);
    /* A second open file description conflicts, even in one process. */
    CHECK_ERRNO(flock(other, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_ERRNO(flock(other, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    /* Closing one fd of the description keeps the lock. */
    CHECK_SYSCALL(close(d), 0);
    CHECK_ERRNO(flock(other, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    /* Shared locks share. */
    CHECK_SYSCALL(flock(fd, LOCK_SH), 0);
    CHECK_SYSCALL(flock(other, LOCK_SH | LOCK_NB), 0);
    CHECK_ERRNO(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_SYSCALL(flock(other, LOCK_UN), 0);
    CHECK_SYSCALL(flock(fd, LOCK_EX | LOCK_NB), 0);
    CHECK_SYSCALL(flock(fd, LOCK_UN), 0);
    CHECK_SYSCALL(flock(other, LOCK_EX | LOCK_NB), 0);
    CHECK_SYSCALL(flock(other, LOCK_UN), 0);
    /* Unlocking what is not locked is fine; the last close unlocks. */
    CHECK_SYSCALL(flock(other, LOCK_UN), 0);
    CHECK_SYSCALL(flock(fd, LOCK_EX | LOCK_NB), 0);
    CHECK_SYSCALL(close(fd), 0);
    CHECK_SYSCALL(flock(other, LOCK_EX | LOCK_NB), 0);
    CHECK_ERRNO(flock(other, 0), EINVAL);
    CHECK_ERRNO(flock(-1, LOCK_EX), EBADF);
    close(other);
    CHECK_SYSCALL(unlink(tpath("flock")), 0);
}

static struct flock lk(short type, off_t start, off_t len)
{
    struct flock l;

    memset(&l, 0, sizeof(l));
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = start;
    l.l_len = len;
    return l;
}

static void test_posix_locks(void)
{
    int fd = topen("posix", O_RDWR), ro;
    struct flock l;

    if (!CHECK(fd >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(fd, F_SETLK, &l), 0);
    /* One's own lock never conflicts: F_GETLK says F_UNLCK. */
    l = lk(F_WRLCK, 0, 100);
    CHECK_SYSCALL(fcntl(fd, F_GETLK, &l), 0);
    CHECK(l.l_type == F_UNLCK, "F_GETLK on own lock: type %d", l.l_type);
    /* Another description, same process: same owner, no conflict. */
    ro = treopen("posix", O_RDWR);
    if (CHECK(ro >= 0, "second open failed: %s", tap_errno_name(errno))) {
        l = lk(F_RDLCK, 5, 10);
        CHECK_SYSCALL(fcntl(ro, F_SETLK, &l), 0);
        l = lk(F_WRLCK, 0, 0);
        CHECK_SYSCALL(fcntl(ro, F_GETLK, &l), 0);
        CHECK(l.l_type == F_UNLCK, "F_GETLK via 2nd open: type %d", l.l_type);
        close(ro);
    }
    /* Unlock, including a range that was never locked. */
    l = lk(F_UNLCK, 0, 0);
    CHECK_SYSCALL(fcntl(fd, F_SETLK, &l), 0);
    CHECK_SYSCALL(fcntl(fd, F_SETLK, &l), 0);
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(fd, F_SETLKW, &l), 0);
    l = lk(42, 0, 10);
    CHECK_ERRNO(fcntl(fd, F_SETLK, &l), EINVAL);
    l = lk(F_WRLCK, -5, 10);
    CHECK_ERRNO(fcntl(fd, F_SETLK, &l), EINVAL);
    close(fd);
    /* A write lock needs a writable fd. */
    ro = treopen("posix", O_RDONLY);
    if (CHECK(ro >= 0, "read-only open failed: %s", tap_errno_name(errno))) {
        l = lk(F_WRLCK, 0, 1);
        CHECK_ERRNO(fcntl(ro, F_SETLK, &l), EBADF);
        l = lk(F_RDLCK, 0, 1);
        CHECK_SYSCALL(fcntl(ro, F_SETLK, &l), 0);
        close(ro);
    }
    CHECK_SYSCALL(unlink(tpath("posix")), 0);
}

static void test_ofd_locks(void)
{
    int a = topen("ofd", O_RDWR), b;
    struct flock l;

    if (!CHECK(a >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    b = treopen("ofd", O_RDWR);
    if (!CHECK(b >= 0, "second open failed: %s", tap_errno_name(errno))) {
        close(a);
        return;
    }
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(a, F_OFD_SETLK, &l), 0);
    /* Own lock: no conflict through the same description. */
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(a, F_OFD_GETLK, &l), 0);
    CHECK(l.l_type == F_UNLCK, "F_OFD_GETLK on own lock: type %d", l.l_type);
    /* A second open file description conflicts. */
    l = lk(F_WRLCK, 5, 10);
    CHECK_ERRNO(fcntl(b, F_OFD_SETLK, &l), EAGAIN);
    l = lk(F_RDLCK, 9, 1);
    CHECK_ERRNO(fcntl(b, F_OFD_SETLK, &l), EAGAIN);
    l = lk(F_RDLCK, 5, 10);
    CHECK_SYSCALL(fcntl(b, F_OFD_GETLK, &l), 0);
    CHECK(l.l_type == F_WRLCK && l.l_start == 0 && l.l_len == 10 &&
              l.l_pid == -1,
          "F_OFD_GETLK: type %d start %lld len %lld pid %d", l.l_type,
          (long long)l.l_start, (long long)l.l_len, (int)l.l_pid);
    /* Beyond the lock: fine. */
    l = lk(F_WRLCK, 10, 5);
    CHECK_SYSCALL(fcntl(b, F_OFD_SETLK, &l), 0);
    /* l_pid must be 0 for OFD locks. */
    l = lk(F_WRLCK, 20, 5);
    l.l_pid = 1;
    CHECK_ERRNO(fcntl(b, F_OFD_SETLK, &l), EINVAL);
    /* Unlock through a, and b may take it. */
    l = lk(F_UNLCK, 0, 10);
    CHECK_SYSCALL(fcntl(a, F_OFD_SETLK, &l), 0);
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(b, F_OFD_SETLK, &l), 0);
    /* The last close of b's description drops its locks. */
    CHECK_SYSCALL(close(b), 0);
    l = lk(F_WRLCK, 0, 0);
    CHECK_SYSCALL(fcntl(a, F_OFD_SETLK, &l), 0);
    close(a);
    CHECK_SYSCALL(unlink(tpath("ofd")), 0);
}

/* POSIX locks belong to the process, OFD locks to the description: they
 * conflict, and closing any fd of the file drops all the POSIX locks. */
static void test_posix_vs_ofd(void)
{
    int a = topen("mixed", O_RDWR), b, c;
    struct flock l;

    if (!CHECK(a >= 0, "open failed: %s", tap_errno_name(errno)))
        return;
    b = treopen("mixed", O_RDWR);
    c = treopen("mixed", O_RDONLY);
    if (!CHECK(b >= 0 && c >= 0, "reopen failed: %s", tap_errno_name(errno)))
        return;
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(a, F_SETLK, &l), 0);
    l = lk(F_WRLCK, 0, 10);
    CHECK_ERRNO(fcntl(b, F_OFD_SETLK, &l), EAGAIN);
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(b, F_OFD_GETLK, &l), 0);
    CHECK(l.l_type == F_WRLCK && l.l_pid == getpid(),
          "POSIX lock seen by F_OFD_GETLK: type %d, pid is ours %d", l.l_type,
          l.l_pid == getpid());
    /* Closing c, which never locked anything, drops a's POSIX lock. */
    CHECK_SYSCALL(close(c), 0);
    l = lk(F_WRLCK, 0, 10);
    CHECK_SYSCALL(fcntl(b, F_OFD_SETLK, &l), 0);
    l = lk(F_WRLCK, 0, 10);
    CHECK_ERRNO(fcntl(a, F_SETLK, &l), EAGAIN);
    l = lk(F_RDLCK, 0, 10);
    CHECK_SYSCALL(fcntl(a, F_GETLK, &l), 0);
    CHECK(l.l_type == F_WRLCK && l.l_pid == -1,
          "OFD lock seen by F_GETLK: type %d pid %d", l.l_type, (int)l.l_pid);
    close(b);
    close(a);
    CHECK_SYSCALL(unlink(tpath("mixed")), 0);
}

static void test_memfd(void)
{
    char buf[5000], back[5000];
    struct stat st;
    int fd, ok = 1;

    fd = syscall(SYS_memfd_create, "husk-test", MFD_CLOEXEC);
    if (fd < 0 && errno == ENOSYS)
        SKIP("memfd_create: ENOSYS");
    if (!CHECK(fd >= 0, "memfd_create failed: %s", tap_errno_name(errno)))
        return;
    CHECK(fd_flags(fd) == FD_CLOEXEC, "MFD_CLOEXEC: fd flags %d", fd_flags(fd));
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 7);
    CHECK_SYSCALL(write(fd, buf, sizeof(buf)), 5000);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 5000);
    memset(back, 0, sizeof(back));
    CHECK_SYSCALL(pread(fd, back, sizeof(back), 0), 5000);
    CHECK(memcmp(buf, back, sizeof(buf)) == 0, "read back differs");
    if (CHECK_SYSCALL(fstat(fd, &st), 0)) {
        CHECK(S_ISREG(st.st_mode), "mode %#o", (unsigned)st.st_mode);
        CHECK(st.st_size == 5000, "size %lld", (long long)st.st_size);
    }
    CHECK_SYSCALL(ftruncate(fd, 10), 0);
    if (CHECK_SYSCALL(fstat(fd, &st), 0))
        CHECK(st.st_size == 10, "size %lld after ftruncate",
              (long long)st.st_size);
    CHECK_SYSCALL(ftruncate(fd, 8192), 0);
    CHECK_SYSCALL(pread(fd, back, 100, 8000), 100);
    for (int i = 0; i < 100; i++)
        ok &= back[i] == 0;
    CHECK(ok, "the grown part is not zero");
    /* ftruncate leaves the offset alone. */
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 5000);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_END), 8192);
    CHECK_SYSCALL(read(fd, back, 10), 0);
    close(fd);
    CHECK_ERRNO(syscall(SYS_memfd_create, "bad", 0x80000000U), EINVAL);
    CHECK_ERRNO(syscall(SYS_memfd_create, NULL, 0), EFAULT);
}

/* Last: every test removed its files; remove any left over and the dir. */
static void test_cleanup(void)
{
    struct dirent *de;
    DIR *d;
    int left = 0;

    if (!tdir_ok)
        SKIP("no test directory");
    d = opendir(tdir);
    if (!CHECK(d != NULL, "opendir failed: %s", tap_errno_name(errno)))
        return;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        tap_diag("left over: %s", de->d_name);
        unlink(tpath(de->d_name));
        left++;
    }
    closedir(d);
    CHECK(left == 0, "%d files left over", left);
    CHECK_SYSCALL(rmdir(tdir), 0);
    CHECK_ERRNO(access(tdir, F_OK), ENOENT);
}

static const struct tap_test tests[] = {
    {"mkdtemp makes a private directory under /tmp", test_mkdtemp},
    {"dup: lowest fd, shared offset, no FD_CLOEXEC", test_dup},
    {"dup2: replaces an open target, same fd, bad fds", test_dup2},
    {"dup3: O_CLOEXEC, same fd and bad flags give EINVAL", test_dup3},
    {"fcntl F_DUPFD and F_DUPFD_CLOEXEC honour the minimum", test_f_dupfd},
    {"fcntl F_GETFD and F_SETFD", test_fd_flags},
    {"fcntl F_GETFL and F_SETFL O_APPEND|O_NONBLOCK", test_status_flags},
    {"the lowest free fd is reused", test_lowest_fd},
    {"close_range closes a range; CLOSE_RANGE_CLOEXEC marks it",
     test_close_range},
    {"RLIMIT_NOFILE 20: the 21st fd gives EMFILE", test_rlimit_nofile},
    {"ioctl FIOCLEX and FIONCLEX", test_fioclex},
    {"ioctl FIONREAD on a regular file: bytes left", test_fionread},
    {"TCGETS and TIOCGWINSZ on a regular file give ENOTTY", test_not_a_tty},
    {"flock: per open file description, LOCK_NB, LOCK_SH", test_flock},
    {"fcntl POSIX locks: own locks never conflict", test_posix_locks},
    {"fcntl OFD locks conflict between descriptions", test_ofd_locks},
    {"POSIX and OFD locks conflict; close drops POSIX locks",
     test_posix_vs_ofd},
    {"memfd_create: write, read back, fstat, ftruncate", test_memfd},
    {"the test directory is empty and removed", test_cleanup},
};

TAP_MAIN(tests)
