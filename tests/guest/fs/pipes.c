/* SPDX-License-Identifier: MIT */
/*
 * pipes.c: pipes and the calls that wait on fds. pipe/pipe2 and their
 * flags, partial reads, FIONREAD, EAGAIN, EPIPE, EOF, the capacity and
 * PIPE_BUF atomicity; poll/ppoll, select/pselect, epoll (level, edge,
 * one-shot, timeouts, epoll_pwait2) and eventfd. One thread: every wait
 * either has data ready or times out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif
#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032
#endif

#define MS 1000000LL

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int open_pipe(int p[2], int flags)
{
    if (pipe2(p, flags) == 0)
        return 1;
    tap_check_(0, __FILE__, __LINE__, "pipe2", "pipe2(%#x) failed: %s",
               (unsigned)flags, tap_errno_name(errno));
    return 0;
}

static void close_pipe(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    p[0] = p[1] = -1;
}

/* revents of one fd polled for "events" with timeout 0 (-1 on error). */
static int poll1(int fd, short events)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int r = poll(&pfd, 1, 0);

    return r < 0 ? -1 : pfd.revents;
}

/* Fill a non-blocking pipe with 4096-byte writes; return the bytes taken. */
static long fill(int wfd)
{
    static char page[4096];
    long total = 0;
    ssize_t r;

    memset(page, 'f', sizeof(page));
    while ((r = write(wfd, page, sizeof(page))) > 0)
        total += r;
    if (errno != EAGAIN)
        return -1;
    return total;
}

static void test_pipe_basic(void)
{
    struct stat st;
    char buf[16];
    int p[2];

    if (!CHECK_SYSCALL(pipe(p), 0))
        return;
    CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1], "fds %d %d", p[0], p[1]);
    CHECK_SYSCALL(write(p[1], "hello", 5), 5);
    memset(buf, 0, sizeof(buf));
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 5);
    CHECK(memcmp(buf, "hello", 5) == 0, "read \"%.5s\"", buf);
    if (CHECK_SYSCALL(fstat(p[0], &st), 0))
        CHECK(S_ISFIFO(st.st_mode), "mode %#o", (unsigned)st.st_mode);
    CHECK_SYSCALL(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_SYSCALL(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_SYSCALL(fcntl(p[0], F_GETFD), 0);
    /* Each end works one way only. */
    CHECK_ERRNO(write(p[0], "x", 1), EBADF);
    CHECK_ERRNO(read(p[1], buf, 1), EBADF);
    /* A zero-length write and read succeed. */
    CHECK_SYSCALL(write(p[1], "", 0), 0);
    CHECK_SYSCALL(write(p[1], "z", 1), 1);
    CHECK_SYSCALL(read(p[0], buf, 0), 0);
    CHECK_SYSCALL(read(p[0], buf, 1), 1);
    close_pipe(p);
}

static void test_pipe2_flags(void)
{
    int p[2];

    if (!open_pipe(p, O_CLOEXEC))
        return;
    CHECK_SYSCALL(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    CHECK_SYSCALL(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK), "O_NONBLOCK without asking");
    close_pipe(p);
    if (!open_pipe(p, O_NONBLOCK))
        return;
    CHECK_SYSCALL(fcntl(p[0], F_GETFD), 0);
    CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "read end blocking");
    CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK, "write end blocking");
    close_pipe(p);
    if (!open_pipe(p, O_NONBLOCK | O_CLOEXEC))
        return;
    CHECK_SYSCALL(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK, "write end blocking");
    close_pipe(p);
    CHECK_ERRNO(syscall(SYS_pipe2, p, O_RDWR), EINVAL);
    CHECK_ERRNO(syscall(SYS_pipe2, p, O_APPEND), EINVAL);
}

static void test_partial_reads(void)
{
    char buf[32];
    int p[2];

    if (!open_pipe(p, 0))
        return;
    CHECK_SYSCALL(write(p[1], "0123456789", 10), 10);
    CHECK_SYSCALL(read(p[0], buf, 4), 4);
    CHECK(memcmp(buf, "0123", 4) == 0, "first read \"%.4s\"", buf);
    /* A read asks for more than there is: it returns what there is. */
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 6);
    CHECK(memcmp(buf, "456789", 6) == 0, "second read \"%.6s\"", buf);
    /* Separate writes are read together. */
    CHECK_SYSCALL(write(p[1], "ab", 2), 2);
    CHECK_SYSCALL(write(p[1], "cd", 2), 2);
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 4);
    CHECK(memcmp(buf, "abcd", 4) == 0, "merged read \"%.4s\"", buf);
    close_pipe(p);
}

static void test_fionread(void)
{
    int p[2], n = -1;
    char buf[4];

    if (!open_pipe(p, 0))
        return;
    CHECK_SYSCALL(ioctl(p[0], FIONREAD, &n), 0);
    CHECK(n == 0, "FIONREAD on an empty pipe: %d", n);
    CHECK_SYSCALL(write(p[1], "0123456789", 10), 10);
    CHECK_SYSCALL(ioctl(p[0], FIONREAD, &n), 0);
    CHECK(n == 10, "FIONREAD after 10 bytes: %d", n);
    CHECK_SYSCALL(read(p[0], buf, 3), 3);
    CHECK_SYSCALL(ioctl(p[0], FIONREAD, &n), 0);
    CHECK(n == 7, "FIONREAD after reading 3: %d", n);
    /* The write end answers too. */
    CHECK_SYSCALL(ioctl(p[1], FIONREAD, &n), 0);
    CHECK(n == 7, "FIONREAD on the write end: %d", n);
    close_pipe(p);
}

static void test_nonblock_empty(void)
{
    int p[2];
    char c;

    if (!open_pipe(p, O_NONBLOCK))
        return;
    CHECK_ERRNO(read(p[0], &c, 1), EAGAIN);
    CHECK_SYSCALL(write(p[1], "q", 1), 1);
    CHECK_SYSCALL(read(p[0], &c, 1), 1);
    CHECK_ERRNO(read(p[0], &c, 1), EAGAIN);
    close_pipe(p);
    /* O_NONBLOCK set later through F_SETFL. */
    if (!open_pipe(p, 0))
        return;
    CHECK_SYSCALL(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    CHECK_ERRNO(read(p[0], &c, 1), EAGAIN);
    close_pipe(p);
}

static void test_epipe(void)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    int p[2];

    if (!open_pipe(p, 0))
        return;
    if (!CHECK_SYSCALL(sigaction(SIGPIPE, &ign, &old), 0)) {
        close_pipe(p);
        return;
    }
    close(p[0]);
    p[0] = -1;
    CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
    CHECK_ERRNO(write(p[1], "xyz", 3), EPIPE);
    /* A zero-length write returns 0 before looking for readers. */
    CHECK_SYSCALL(write(p[1], "", 0), 0);
    close_pipe(p);
    CHECK_SYSCALL(sigaction(SIGPIPE, &old, NULL), 0);
}

/* With SIGPIPE blocked, the write fails with EPIPE and SIGPIPE waits. */
static void test_epipe_blocked(void)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    struct timespec zero = {0, 0};
    sigset_t set, oldmask, pending;
    int p[2];

    if (!open_pipe(p, 0))
        return;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    if (!CHECK_SYSCALL(sigprocmask(SIG_BLOCK, &set, &oldmask), 0)) {
        close_pipe(p);
        return;
    }
    close(p[0]);
    p[0] = -1;
    CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
    sigemptyset(&pending);
    CHECK_SYSCALL(sigpending(&pending), 0);
    CHECK(sigismember(&pending, SIGPIPE) == 1, "SIGPIPE not pending");
    CHECK_SYSCALL(sigtimedwait(&set, NULL, &zero), SIGPIPE);
    CHECK_SYSCALL(sigpending(&pending), 0);
    CHECK(sigismember(&pending, SIGPIPE) == 0, "SIGPIPE still pending");
    close_pipe(p);
    /* Ignoring discards a SIGPIPE still pending before the unblock. */
    CHECK_SYSCALL(sigaction(SIGPIPE, &ign, &old), 0);
    CHECK_SYSCALL(sigprocmask(SIG_SETMASK, &oldmask, NULL), 0);
    CHECK_SYSCALL(sigaction(SIGPIPE, &old, NULL), 0);
}

static void test_eof(void)
{
    char buf[8];
    int p[2], d;

    if (!open_pipe(p, 0))
        return;
    CHECK_SYSCALL(write(p[1], "ab", 2), 2);
    CHECK_SYSCALL(close(p[1]), 0);
    p[1] = -1;
    /* Data written before the close is still read, then EOF, again. */
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 2);
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 0);
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 0);
    close_pipe(p);
    /* A write end kept open through a dup keeps the pipe alive. */
    if (!open_pipe(p, O_NONBLOCK))
        return;
    d = CHECK_OK(dup(p[1]));
    close(p[1]);
    p[1] = -1;
    CHECK_ERRNO(read(p[0], buf, sizeof(buf)), EAGAIN);
    close(d);
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 0);
    close_pipe(p);
}

static void test_capacity(void)
{
    char buf[4096];
    long size, total;
    int p[2];

    if (!open_pipe(p, O_NONBLOCK))
        return;
    size = CHECK_OK(fcntl(p[1], F_GETPIPE_SZ));
    CHECK(size >= 4096, "F_GETPIPE_SZ %ld", size);
    CHECK_SYSCALL(fcntl(p[0], F_GETPIPE_SZ), size);
    tap_diag("pipe capacity %ld", size);
    total = fill(p[1]);
    CHECK(total == size, "took %ld bytes, F_GETPIPE_SZ %ld", total, size);
    CHECK_ERRNO(write(p[1], "x", 1), EAGAIN);
    /* Reading a page makes room for a page. */
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 4096);
    CHECK_SYSCALL(write(p[1], buf, sizeof(buf)), 4096);
    CHECK_ERRNO(write(p[1], "x", 1), EAGAIN);
    close_pipe(p);
    /* F_SETPIPE_SZ: 8192 is two pages, kept as is. */
    if (!open_pipe(p, O_NONBLOCK))
        return;
    CHECK_SYSCALL(fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
    CHECK_SYSCALL(fcntl(p[0], F_GETPIPE_SZ), 8192);
    CHECK_SYSCALL(fill(p[1]), 8192);
    /* Shrinking below what the pipe holds is EBUSY. */
    CHECK_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
    close_pipe(p);
}

static void test_atomic(void)
{
    static char big[PIPE_BUF + 1];
    char buf[4096];
    long size;
    int p[2];

    if (!open_pipe(p, O_NONBLOCK))
        return;
    size = fcntl(p[1], F_GETPIPE_SZ);
    if (!CHECK(size >= 8192 && size % 4096 == 0, "F_GETPIPE_SZ %ld", size)) {
        close_pipe(p);
        return;
    }
    memset(big, 'b', sizeof(big));
    /* Leave 96 bytes of room. */
    for (long left = size - 4096; left > 0; left -= 4096)
        CHECK_SYSCALL(write(p[1], big, 4096), 4096);
    CHECK_SYSCALL(write(p[1], big, 4000), 4000);
    /* PIPE_BUF bytes do not fit: nothing is written. */
    CHECK_ERRNO(write(p[1], big, PIPE_BUF), EAGAIN);
    CHECK_ERRNO(write(p[1], big, 97), EAGAIN);
    CHECK_SYSCALL(write(p[1], big, 96), 96);
    CHECK_ERRNO(write(p[1], big, 1), EAGAIN);
    /* Free one page; more than PIPE_BUF may be written in part. */
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 4096);
    CHECK_SYSCALL(write(p[1], big, PIPE_BUF + 1), 4096);
    CHECK_ERRNO(write(p[1], big, 1), EAGAIN);
    close_pipe(p);
}

static void test_espipe(void)
{
    char c;
    int p[2];

    if (!open_pipe(p, 0))
        return;
    CHECK_ERRNO(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    CHECK_ERRNO(lseek(p[1], 0, SEEK_SET), ESPIPE);
    CHECK_ERRNO(pread(p[0], &c, 1, 0), ESPIPE);
    CHECK_ERRNO(pwrite(p[1], "x", 1, 0), ESPIPE);
    close_pipe(p);
}

static void test_poll(void)
{
    struct pollfd pfd[4];
    char buf[8];
    int p[2], q[2];

    if (!open_pipe(p, 0))
        return;
    /* Empty: nothing to read, room to write. */
    CHECK(poll1(p[0], POLLIN) == 0, "empty read end: revents %#x",
          poll1(p[0], POLLIN));
    CHECK(poll1(p[1], POLLOUT) == POLLOUT, "write end: revents %#x",
          poll1(p[1], POLLOUT));
    /* Only the events asked for (and the error ones) come back. */
    CHECK(poll1(p[1], POLLIN) == 0, "POLLIN on the write end: %#x",
          poll1(p[1], POLLIN));
    CHECK_SYSCALL(write(p[1], "abc", 3), 3);
    CHECK(poll1(p[0], POLLIN | POLLOUT) == POLLIN, "with data: revents %#x",
          poll1(p[0], POLLIN | POLLOUT));
    /* Both ends at once, plus an ignored -1 and a closed fd. */
    memset(pfd, 0, sizeof(pfd));
    pfd[0] = (struct pollfd){.fd = p[0], .events = POLLIN, .revents = 7};
    pfd[1] = (struct pollfd){.fd = -1, .events = POLLIN, .revents = 7};
    pfd[2] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    CHECK_SYSCALL(poll(pfd, 3, 0), 2);
    CHECK(pfd[0].revents == POLLIN && pfd[1].revents == 0 &&
              pfd[2].revents == POLLOUT,
          "revents %#x %#x %#x", pfd[0].revents, pfd[1].revents,
          pfd[2].revents);
    if (open_pipe(q, 0)) {
        close(q[1]);
        close(q[0]);
        pfd[3] = (struct pollfd){.fd = q[0], .events = POLLIN};
        CHECK_SYSCALL(poll(pfd, 4, 0), 3);
        CHECK(pfd[3].revents == POLLNVAL, "closed fd: revents %#x",
              pfd[3].revents);
    }
    /* Writer gone: POLLIN while data is left, then only POLLHUP. */
    CHECK_SYSCALL(close(p[1]), 0);
    p[1] = -1;
    CHECK(poll1(p[0], POLLIN) == (POLLIN | POLLHUP),
          "data and no writer: revents %#x", poll1(p[0], POLLIN));
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 3);
    CHECK(poll1(p[0], POLLIN) == POLLHUP, "no writer: revents %#x",
          poll1(p[0], POLLIN));
    /* POLLHUP is reported even if not asked for. */
    CHECK(poll1(p[0], 0) == POLLHUP, "events 0: revents %#x", poll1(p[0], 0));
    close_pipe(p);
    /* Reader gone: the write end shows POLLERR. */
    if (open_pipe(p, 0)) {
        close(p[0]);
        p[0] = -1;
        CHECK(poll1(p[1], POLLOUT) & POLLERR, "no reader: revents %#x",
              poll1(p[1], POLLOUT));
        close_pipe(p);
    }
    CHECK_SYSCALL(poll(NULL, 0, 0), 0);
    /* More fds than RLIMIT_NOFILE allows. */
    CHECK_ERRNO(syscall(SYS_poll, pfd, 1u << 30, 0), EINVAL);
}

static void test_poll_timeout(void)
{
    struct pollfd pfd;
    long long t0, dt;
    int p[2];

    if (!open_pipe(p, 0))
        return;
    pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
    t0 = now_ns();
    CHECK_SYSCALL(poll(&pfd, 1, 0), 0);
    dt = now_ns() - t0;
    CHECK(dt < 1000 * MS, "timeout 0 took %lld ms", dt / MS);
    t0 = now_ns();
    CHECK_SYSCALL(poll(&pfd, 1, 30), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 30 * MS, "timeout 30 ms returned after %lld us", dt / 1000);
    tap_diag("poll(30 ms) took %lld us", dt / 1000);
    /* No fds at all: a plain sleep. */
    t0 = now_ns();
    CHECK_SYSCALL(poll(NULL, 0, 20), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 20 * MS, "poll(NULL, 0, 20) returned after %lld us", dt / 1000);
    /* Data ready: an infinite timeout returns at once. */
    CHECK_SYSCALL(write(p[1], "x", 1), 1);
    CHECK_SYSCALL(poll(&pfd, 1, -1), 1);
    close_pipe(p);
}

static void test_ppoll(void)
{
    struct timespec ts = {0, 20 * MS}, zero = {0, 0};
    struct pollfd pfd;
    long long t0, dt;
    sigset_t mask;
    int p[2];

    if (!open_pipe(p, 0))
        return;
    pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    CHECK_SYSCALL(ppoll(&pfd, 1, &zero, NULL), 0);
    t0 = now_ns();
    CHECK_SYSCALL(ppoll(&pfd, 1, &ts, &mask), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 20 * MS, "ppoll 20 ms returned after %lld us", dt / 1000);
    CHECK_SYSCALL(write(p[1], "x", 1), 1);
    CHECK_SYSCALL(ppoll(&pfd, 1, NULL, &mask), 1);
    CHECK(pfd.revents == POLLIN, "revents %#x", pfd.revents);
    /* The raw call: sigsetsize must be 8. */
    CHECK_SYSCALL(syscall(SYS_ppoll, &pfd, 1, &zero, &mask, 8), 1);
    CHECK_ERRNO(syscall(SYS_ppoll, &pfd, 1, &zero, &mask, 4), EINVAL);
    /* A negative timeout is EINVAL. */
    ts = (struct timespec){-1, 0};
    CHECK_ERRNO(syscall(SYS_ppoll, &pfd, 1, &ts, NULL, 8), EINVAL);
    close_pipe(p);
}

static void test_select(void)
{
    struct timeval tv;
    fd_set rd, wr;
    int p[2], n;

    if (!open_pipe(p, 0))
        return;
    n = (p[0] > p[1] ? p[0] : p[1]) + 1;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &wr);
    tv = (struct timeval){0, 0};
    /* Empty pipe: only the write end is ready. */
    CHECK_SYSCALL(select(n, &rd, &wr, NULL, &tv), 1);
    CHECK(!FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr),
          "sets after select: rd %d wr %d", FD_ISSET(p[0], &rd),
          FD_ISSET(p[1], &wr));
    CHECK_SYSCALL(write(p[1], "x", 1), 1);
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &wr);
    tv = (struct timeval){0, 0};
    CHECK_SYSCALL(select(n, &rd, &wr, NULL, &tv), 2);
    CHECK(FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr), "rd %d wr %d",
          FD_ISSET(p[0], &rd), FD_ISSET(p[1], &wr));
    /* A NULL timeout with something ready returns at once. */
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    CHECK_SYSCALL(select(n, &rd, NULL, NULL, NULL), 1);
    /* nfds leaves out fds at or above it. */
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    tv = (struct timeval){0, 0};
    CHECK_SYSCALL(select(p[0], &rd, NULL, NULL, &tv), 0);
    /* A closed fd in a set is EBADF; a negative nfds EINVAL. */
    close_pipe(p);
    FD_ZERO(&rd);
    FD_SET(n - 1, &rd);
    tv = (struct timeval){0, 0};
    CHECK_ERRNO(select(n, &rd, NULL, NULL, &tv), EBADF);
    CHECK_ERRNO(syscall(SYS_select, -1, NULL, NULL, NULL, &tv), EINVAL);
    tv = (struct timeval){0, -1};
    CHECK_ERRNO(syscall(SYS_select, 0, NULL, NULL, NULL, &tv), EINVAL);
}

static void test_select_timeout(void)
{
    struct timeval tv;
    long long t0, dt;
    fd_set rd;
    int p[2];

    if (!open_pipe(p, 0))
        return;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    tv = (struct timeval){0, 50000};
    t0 = now_ns();
    CHECK_SYSCALL(select(p[0] + 1, &rd, NULL, NULL, &tv), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 50 * MS, "select(50 ms) returned after %lld us", dt / 1000);
    tap_diag("select(50 ms) took %lld us", dt / 1000);
    CHECK(!FD_ISSET(p[0], &rd), "fd still set after a timeout");
    /* No fds: select is a sleep. The raw call writes back the time left
     * (musl's select passes a copy, glibc's copies pselect6's back). */
    tv = (struct timeval){0, 20000};
    t0 = now_ns();
    CHECK_SYSCALL(syscall(SYS_select, 0, NULL, NULL, NULL, &tv), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 20 * MS, "select(0, 20 ms) returned after %lld us", dt / 1000);
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0, "time left %ld.%06ld",
          (long)tv.tv_sec, (long)tv.tv_usec);
    close_pipe(p);
}

static void test_pselect(void)
{
    struct timespec ts = {0, 50 * MS};
    long long t0, dt;
    sigset_t mask;
    fd_set rd, wr;
    int p[2], n;

    if (!open_pipe(p, 0))
        return;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    t0 = now_ns();
    CHECK_SYSCALL(pselect(p[0] + 1, &rd, NULL, NULL, &ts, &mask), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 50 * MS, "pselect(50 ms) returned after %lld us", dt / 1000);
    tap_diag("pselect(50 ms) took %lld us", dt / 1000);
    /* pselect does not change its timeout. */
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 50 * MS, "timeout became %ld.%09ld",
          (long)ts.tv_sec, (long)ts.tv_nsec);
    CHECK_SYSCALL(write(p[1], "x", 1), 1);
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &wr);
    n = (p[0] > p[1] ? p[0] : p[1]) + 1;
    CHECK_SYSCALL(pselect(n, &rd, &wr, NULL, NULL, &mask), 2);
    CHECK(FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr), "rd %d wr %d",
          FD_ISSET(p[0], &rd), FD_ISSET(p[1], &wr));
    close_pipe(p);
}

static void test_epoll_ctl(void)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42}, out[4];
    int ep, p[2];

    ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    if (ep < 0)
        return;
    CHECK_SYSCALL(fcntl(ep, F_GETFD), FD_CLOEXEC);
    if (!open_pipe(p, 0)) {
        close(ep);
        return;
    }
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev), ENOENT);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), EBADF);
    CHECK_ERRNO(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
    CHECK_ERRNO(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
    CHECK_SYSCALL(epoll_wait(ep, out, 4, 0), 0);
    CHECK_SYSCALL(write(p[1], "x", 1), 1);
    if (CHECK_SYSCALL(epoll_wait(ep, out, 4, 0), 1))
        CHECK(out[0].events == EPOLLIN && out[0].data.u64 == 42,
              "events %#x data %llu", out[0].events,
              (unsigned long long)out[0].data.u64);
    /* MOD changes the events and the data. */
    ev = (struct epoll_event){.events = EPOLLOUT, .data.u64 = 7};
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    CHECK_SYSCALL(epoll_wait(ep, out, 4, 0), 0);
    ev = (struct epoll_event){.events = EPOLLOUT, .data.u64 = 8};
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), 0);
    if (CHECK_SYSCALL(epoll_wait(ep, out, 4, 0), 1))
        CHECK(out[0].events == EPOLLOUT && out[0].data.u64 == 8,
              "events %#x data %llu", out[0].events,
              (unsigned long long)out[0].data.u64);
    /* DEL: gone, and a second DEL is ENOENT; NULL event is fine. */
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), 0);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
    CHECK_SYSCALL(epoll_wait(ep, out, 4, 0), 0);
    CHECK_ERRNO(epoll_wait(ep, out, 0, 0), EINVAL);
    CHECK_ERRNO(epoll_wait(p[0], out, 4, 0), EINVAL);
    CHECK_ERRNO(epoll_create1(0x1234), EINVAL);
    CHECK_ERRNO(syscall(SYS_epoll_create, 0), EINVAL);
    close_pipe(p);
    close(ep);
}

/* Closing the last fd of a watched file removes it from the set. */
static void test_epoll_close(void)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1}, out[2];
    int ep, p[2];

    ep = CHECK_OK(epoll_create1(0));
    if (ep < 0 || !open_pipe(p, 0))
        return;
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_SYSCALL(write(p[1], "x", 1), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1);
    close(p[0]);
    p[0] = -1;
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    /* Writer end gone too: EPOLLHUP is reported without asking. */
    if (open_pipe(p, 0)) {
        ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 2};
        CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
        close(p[1]);
        p[1] = -1;
        if (CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1))
            CHECK(out[0].events == EPOLLHUP && out[0].data.u64 == 2,
                  "events %#x data %llu", out[0].events,
                  (unsigned long long)out[0].data.u64);
    }
    close_pipe(p);
    close(ep);
}

static void test_epoll_level(void)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = -1}, out[2];
    int ep, p[2];
    char c;

    ep = CHECK_OK(epoll_create1(0));
    if (ep < 0 || !open_pipe(p, 0))
        return;
    ev.data.fd = p[0];
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_SYSCALL(write(p[1], "ab", 2), 2);
    /* Level triggered: reported as long as data is there. */
    for (int i = 0; i < 3; i++)
        if (CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1))
            CHECK(out[0].data.fd == p[0], "data.fd %d", out[0].data.fd);
    CHECK_SYSCALL(read(p[0], &c, 1), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1);
    CHECK_SYSCALL(read(p[0], &c, 1), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    close_pipe(p);
    close(ep);
}

static void test_epoll_edge(void)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET}, out[2];
    int ep, p[2];
    char buf[8];

    ep = CHECK_OK(epoll_create1(0));
    if (ep < 0 || !open_pipe(p, 0))
        return;
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    CHECK_SYSCALL(write(p[1], "a", 1), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1);
    /* Data still there, but no new edge. */
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    CHECK_SYSCALL(write(p[1], "b", 1), 1);
    if (CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1))
        CHECK(out[0].events == EPOLLIN, "events %#x", out[0].events);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 2);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    /* MOD re-arms: ready data is reported once more. */
    CHECK_SYSCALL(write(p[1], "c", 1), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1);
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    close_pipe(p);
    close(ep);
}

static void test_epoll_oneshot(void)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT}, out[2];
    int ep, p[2];
    char buf[8];

    ep = CHECK_OK(epoll_create1(0));
    if (ep < 0 || !open_pipe(p, 0))
        return;
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_SYSCALL(write(p[1], "a", 1), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1);
    /* Disarmed: neither the data left nor new data is reported. */
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    CHECK_SYSCALL(write(p[1], "b", 1), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    /* Still registered: ADD is EEXIST, MOD re-arms. */
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 1);
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 2);
    close_pipe(p);
    close(ep);
}

static void test_epoll_timeouts(void)
{
    struct epoll_event ev = {.events = EPOLLIN}, out[2];
    struct timespec ts;
    long long t0, dt;
    sigset_t mask;
    int ep, p[2];
    long r;

    ep = CHECK_OK(epoll_create1(0));
    if (ep < 0 || !open_pipe(p, 0))
        return;
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    t0 = now_ns();
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 0), 0);
    CHECK(now_ns() - t0 < 1000 * MS, "timeout 0 took %lld ms",
          (now_ns() - t0) / MS);
    t0 = now_ns();
    CHECK_SYSCALL(epoll_wait(ep, out, 2, 30), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 30 * MS, "epoll_wait(30 ms) returned after %lld us", dt / 1000);
    tap_diag("epoll_wait(30 ms) took %lld us", dt / 1000);
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    t0 = now_ns();
    CHECK_SYSCALL(epoll_pwait(ep, out, 2, 20, &mask), 0);
    dt = now_ns() - t0;
    CHECK(dt >= 20 * MS, "epoll_pwait(20 ms) returned after %lld us",
          dt / 1000);
    CHECK_ERRNO(syscall(SYS_epoll_pwait, ep, out, 2, 0, &mask, 4), EINVAL);
    /* epoll_pwait2 takes a timespec. */
    ts = (struct timespec){0, 20 * MS};
    t0 = now_ns();
    errno = 0;
    r = syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8);
    dt = now_ns() - t0;
    if (r == -1 && errno == ENOSYS) {
        close_pipe(p);
        close(ep);
        SKIP("epoll_pwait2: ENOSYS (kernel before 5.11)");
    }
    CHECK(r == 0, "epoll_pwait2 = %ld (%s)", r, tap_errno_name(errno));
    CHECK(dt >= 20 * MS, "epoll_pwait2(20 ms) returned after %lld us",
          dt / 1000);
    CHECK_SYSCALL(write(p[1], "x", 1), 1);
    CHECK_SYSCALL(epoll_pwait(ep, out, 2, -1, &mask), 1);
    /* NULL timespec: wait forever, but data is ready. */
    CHECK_SYSCALL(syscall(SYS_epoll_pwait2, ep, out, 2, NULL, &mask, 8), 1);
    ts = (struct timespec){0, 0};
    CHECK_SYSCALL(syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8), 1);
    ts = (struct timespec){0, -1};
    CHECK_ERRNO(syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8), EINVAL);
    close_pipe(p);
    close(ep);
}

static void test_eventfd(void)
{
    uint64_t v;
    int fd;

    fd = CHECK_OK(syscall(SYS_eventfd2, 5, EFD_NONBLOCK | EFD_CLOEXEC));
    if (fd < 0)
        return;
    CHECK_SYSCALL(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "EFD_NONBLOCK not in F_GETFL");
    /* The initial value, then writes add up; a read takes all. */
    v = 3;
    CHECK_SYSCALL(write(fd, &v, 8), 8);
    v = 4;
    CHECK_SYSCALL(write(fd, &v, 8), 8);
    v = 0;
    CHECK_SYSCALL(read(fd, &v, 8), 8);
    CHECK(v == 12, "counter %llu, want 12", (unsigned long long)v);
    CHECK_ERRNO(read(fd, &v, 8), EAGAIN);
    /* Writing 0 is allowed and changes nothing. */
    v = 0;
    CHECK_SYSCALL(write(fd, &v, 8), 8);
    CHECK_ERRNO(read(fd, &v, 8), EAGAIN);
    /* Short buffers and the value 2^64-1 are EINVAL. */
    CHECK_ERRNO(read(fd, &v, 4), EINVAL);
    CHECK_ERRNO(write(fd, &v, 4), EINVAL);
    v = UINT64_MAX;
    CHECK_ERRNO(write(fd, &v, 8), EINVAL);
    /* The counter stops at 2^64-2: one more is EAGAIN when non-blocking. */
    v = UINT64_MAX - 1;
    CHECK_SYSCALL(write(fd, &v, 8), 8);
    v = 1;
    CHECK_ERRNO(write(fd, &v, 8), EAGAIN);
    CHECK_SYSCALL(read(fd, &v, 8), 8);
    CHECK(v == UINT64_MAX - 1, "counter %#llx", (unsigned long long)v);
    close(fd);
    CHECK_ERRNO(syscall(SYS_eventfd2, 0, 0x1234), EINVAL);
}

static void test_eventfd_semaphore(void)
{
    uint64_t v;
    int fd;

    fd = CHECK_OK(eventfd(3, EFD_NONBLOCK | EFD_SEMAPHORE));
    if (fd < 0)
        return;
    for (int i = 0; i < 3; i++) {
        v = 0;
        CHECK_SYSCALL(read(fd, &v, 8), 8);
        CHECK(v == 1, "semaphore read %d gave %llu", i, (unsigned long long)v);
    }
    CHECK_ERRNO(read(fd, &v, 8), EAGAIN);
    v = 2;
    CHECK_SYSCALL(write(fd, &v, 8), 8);
    CHECK_SYSCALL(read(fd, &v, 8), 8);
    CHECK_SYSCALL(read(fd, &v, 8), 8);
    CHECK_ERRNO(read(fd, &v, 8), EAGAIN);
    close(fd);
}

static void test_eventfd_poll(void)
{
    struct epoll_event ev = {.events = EPOLLIN}, out[1];
    uint64_t v;
    int fd, ep;

    fd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    if (fd < 0)
        return;
    /* Zero: writable, not readable. */
    CHECK(poll1(fd, POLLIN | POLLOUT) == POLLOUT, "zero: revents %#x",
          poll1(fd, POLLIN | POLLOUT));
    v = 1;
    CHECK_SYSCALL(write(fd, &v, 8), 8);
    CHECK(poll1(fd, POLLIN | POLLOUT) == (POLLIN | POLLOUT),
          "non-zero: revents %#x", poll1(fd, POLLIN | POLLOUT));
    ep = CHECK_OK(epoll_create1(0));
    if (ep >= 0) {
        CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
        CHECK_SYSCALL(epoll_wait(ep, out, 1, 0), 1);
        CHECK_SYSCALL(read(fd, &v, 8), 8);
        CHECK_SYSCALL(epoll_wait(ep, out, 1, 0), 0);
        close(ep);
    }
    CHECK(poll1(fd, POLLIN) == 0, "read back to zero: revents %#x",
          poll1(fd, POLLIN));
    close(fd);
}

static const struct tap_test tests[] = {
    {"pipe: write then read, ends one way only", test_pipe_basic},
    {"pipe2: O_CLOEXEC and O_NONBLOCK, bad flags", test_pipe2_flags},
    {"pipe: partial reads and merged writes", test_partial_reads},
    {"pipe: FIONREAD counts unread bytes", test_fionread},
    {"pipe: O_NONBLOCK read of an empty pipe gives EAGAIN",
     test_nonblock_empty},
    {"pipe: write with no reader gives EPIPE (SIGPIPE ignored)", test_epipe},
    {"pipe: EPIPE with SIGPIPE blocked leaves SIGPIPE pending",
     test_epipe_blocked},
    {"pipe: read with no writer gives EOF", test_eof},
    {"pipe: capacity is F_GETPIPE_SZ; F_SETPIPE_SZ", test_capacity},
    {"pipe: PIPE_BUF writes are all or nothing", test_atomic},
    {"pipe: lseek, pread and pwrite give ESPIPE", test_espipe},
    {"poll: POLLIN, POLLOUT, POLLHUP, POLLERR, POLLNVAL, fd -1", test_poll},
    {"poll: timeouts 0 and 30 ms", test_poll_timeout},
    {"ppoll: timespec timeout and sigmask", test_ppoll},
    {"select: read and write sets, bad fds", test_select},
    {"select: a 50 ms timeout waits 50 ms", test_select_timeout},
    {"pselect: timeout kept, sigmask", test_pselect},
    {"epoll_ctl: ADD, MOD, DEL, EEXIST, ENOENT", test_epoll_ctl},
    {"epoll: closing the fd removes it; EPOLLHUP", test_epoll_close},
    {"epoll: level triggered reports again", test_epoll_level},
    {"epoll: EPOLLET reports once per new data", test_epoll_edge},
    {"epoll: EPOLLONESHOT disarms until MOD", test_epoll_oneshot},
    {"epoll_wait, epoll_pwait, epoll_pwait2 timeouts", test_epoll_timeouts},
    {"eventfd: counter adds up, read resets, EAGAIN", test_eventfd},
    {"eventfd: EFD_SEMAPHORE reads one at a time", test_eventfd_semaphore},
    {"eventfd: poll and epoll see a non-zero counter", test_eventfd_poll},
};

TAP_MAIN(tests)
