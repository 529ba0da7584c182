/* SPDX-License-Identifier: MIT */
/*
 * unix.c: AF_UNIX sockets. socketpair of each type (stream echo, datagram
 * and seqpacket boundaries), named sockets in a temporary directory and
 * abstract ones (bind, listen, connect, accept, the addresses reported),
 * autobind, the errors of bind and connect (EADDRINUSE, ENOENT,
 * ECONNREFUSED, EPROTOTYPE), fd passing with SCM_RIGHTS, SCM_CREDENTIALS,
 * shutdown and peer close (EOF, POLLHUP, EPIPE), named datagram sockets,
 * EAGAIN, SOCK_NONBLOCK/SOCK_CLOEXEC, and 8 MiB through a socketpair.
 * Also what a review found: several connections to one abstract name, a
 * 108-byte path with no NUL, passed fds that must not leak (plain read,
 * MSG_WAITALL), and sends racing their peer's close.
 *
 * Files live in a mkdtemp directory under /tmp, removed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

static char tdir[] = "/tmp/husk-unix-XXXXXX";
static int tdir_ok;

/* socketpair(AF_UNIX, type) into sv; 1 on success. */
static int pair(int type, int sv[2])
{
    sv[0] = sv[1] = -1;
    return CHECK_SYSCALL(socketpair(AF_UNIX, type, 0, sv), 0);
}

/* A socket address for "name" in the test directory (a fresh, unused
 * name each time: name plus a counter); *len gets the address length,
 * which counts sun_path's terminating NUL as Linux's getsockname does. */
static struct sockaddr_un path_addr(const char *name, socklen_t *len)
{
    static int counter;
    struct sockaddr_un a;

    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s%d", tdir, name, counter++);
    *len = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
    return a;
}

/* An abstract address: sun_path[0] is NUL and the name is the rest of the
 * given length, with no terminator. Unique to this process. */
static struct sockaddr_un abstract_addr(const char *name, socklen_t *len)
{
    struct sockaddr_un a;
    int n;

    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "husk-net-%d-%s",
                 (int)getpid(), name);
    *len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
    return a;
}

/* A socket of "type" bound to addr, listening if "listening". -1 on
 * failure. */
static int bound(int type, const struct sockaddr_un *addr, socklen_t len,
                 int listening)
{
    int fd = socket(AF_UNIX, type, 0);

    if (!CHECK(fd >= 0, "socket: errno %d", errno))
        return -1;
    if (!CHECK_SYSCALL(bind(fd, (const struct sockaddr *)addr, len), 0) ||
        (listening && !CHECK_SYSCALL(listen(fd, 8), 0))) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A socketpair stream carries data both ways, with read/write and
 * send/recv; both ends are sockets (S_ISSOCK) with an unnamed address. */
static void test_socketpair_stream(void)
{
    struct sockaddr_un a;
    socklen_t len = sizeof(a);
    struct stat st;
    char buf[16];
    int sv[2];

    if (!pair(SOCK_STREAM, sv))
        return;
    CHECK_SYSCALL(write(sv[0], "ping", 4), 4);
    CHECK(read_exact(sv[1], buf, 4) == 4 && memcmp(buf, "ping", 4) == 0,
          "read \"%.4s\"", buf);
    CHECK_SYSCALL(send(sv[1], "pong!", 5, 0), 5);
    if (wait_in(sv[0])) {
        CHECK_SYSCALL(recv(sv[0], buf, sizeof(buf), 0), 5);
        CHECK(memcmp(buf, "pong!", 5) == 0, "recv \"%.5s\"", buf);
    }
    if (CHECK_SYSCALL(fstat(sv[0], &st), 0))
        CHECK(S_ISSOCK(st.st_mode), "mode %#o", (unsigned)st.st_mode);
    CHECK_SYSCALL(getsockname(sv[0], (struct sockaddr *)&a, &len), 0);
    CHECK(len == sizeof(sa_family_t) && a.sun_family == AF_UNIX,
          "getsockname: len %u family %d", (unsigned)len, a.sun_family);
    len = sizeof(a);
    CHECK_SYSCALL(getpeername(sv[0], (struct sockaddr *)&a, &len), 0);
    CHECK(len == sizeof(sa_family_t), "getpeername: len %u", (unsigned)len);
    close2(sv[0], sv[1]);
}

/* Send "a", "bb", "ccc" and receive them as three messages of 1, 2 and 3
 * bytes into a large buffer; then a message longer than the buffer is cut
 * with MSG_TRUNC in msg_flags. Used for SOCK_DGRAM and SOCK_SEQPACKET. */
static void check_boundaries(int type)
{
    char buf[64];
    struct iovec iov = {buf, 4};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    int sv[2];

    if (!pair(type, sv))
        return;
    CHECK_SYSCALL(send(sv[0], "a", 1, 0), 1);
    CHECK_SYSCALL(send(sv[0], "bb", 2, 0), 2);
    CHECK_SYSCALL(write(sv[0], "ccc", 3), 3);
    for (int n = 1; n <= 3; n++) {
        if (!wait_in(sv[1]))
            break;
        CHECK_SYSCALL(recv(sv[1], buf, sizeof(buf), 0), n);
        CHECK(buf[0] == 'a' + n - 1 && buf[n - 1] == 'a' + n - 1,
              "message %d is \"%.*s\"", n, n, buf);
    }
    CHECK_SYSCALL(send(sv[1], "truncated", 9, 0), 9);
    if (wait_in(sv[0])) {
        CHECK_SYSCALL(recvmsg(sv[0], &m, 0), 4);
        CHECK(m.msg_flags & MSG_TRUNC, "msg_flags %#x, want MSG_TRUNC",
              m.msg_flags);
        CHECK(memcmp(buf, "trun", 4) == 0, "got \"%.4s\"", buf);
    }
    CHECK_ERRNO(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    close2(sv[0], sv[1]);
}

static void test_socketpair_dgram(void) { check_boundaries(SOCK_DGRAM); }

/* SOCK_SEQPACKET keeps boundaries too, and its peer's close reads as EOF. */
static void test_socketpair_seqpacket(void)
{
    char c;
    int sv[2];

    check_boundaries(SOCK_SEQPACKET);
    if (!pair(SOCK_SEQPACKET, sv))
        return;
    close(sv[0]);
    if (wait_in(sv[1]))
        CHECK_SYSCALL(read(sv[1], &c, 1), 0);
    close(sv[1]);
}

/* A listener bound to a path: the path is a socket file; connect and
 * accept work; getsockname of the listener and of the accepted socket and
 * getpeername of the client give the path (with its length counting the
 * NUL); the client and accept's address are unnamed (length 2). */
static void test_named_stream(void)
{
    struct sockaddr_un addr, got;
    socklen_t alen, len;
    struct stat st;
    char buf[8];

    if (!tdir_ok)
        SKIP("no test directory");
    addr = path_addr("listen", &alen);
    int lfd = bound(SOCK_STREAM, &addr, alen, 1);
    if (lfd < 0)
        return;
    if (CHECK_SYSCALL(stat(addr.sun_path, &st), 0))
        CHECK(S_ISSOCK(st.st_mode), "bound path mode %#o",
              (unsigned)st.st_mode);
    len = sizeof(got);
    CHECK_SYSCALL(getsockname(lfd, (struct sockaddr *)&got, &len), 0);
    CHECK(len == alen && strcmp(got.sun_path, addr.sun_path) == 0,
          "listener's name \"%s\" (len %u), want len %u", got.sun_path,
          (unsigned)len, (unsigned)alen);

    int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_SYSCALL(connect(c, (struct sockaddr *)&addr, alen), 0);
    len = sizeof(got);
    int s = -1;
    if (CHECK(poll1(lfd, POLLIN, TIMEOUT_MS) == POLLIN, "nothing to accept"))
        s = CHECK_OK(accept(lfd, (struct sockaddr *)&got, &len));
    if (s >= 0) {
        CHECK(len == sizeof(sa_family_t), "accept's addrlen %u", (unsigned)len);
        len = sizeof(got);
        CHECK_SYSCALL(getpeername(c, (struct sockaddr *)&got, &len), 0);
        CHECK(len == alen && strcmp(got.sun_path, addr.sun_path) == 0,
              "client's peer \"%s\"", got.sun_path);
        len = sizeof(got);
        CHECK_SYSCALL(getsockname(s, (struct sockaddr *)&got, &len), 0);
        CHECK(len == alen && strcmp(got.sun_path, addr.sun_path) == 0,
              "accepted socket's name \"%s\"", got.sun_path);
        len = sizeof(got);
        CHECK_SYSCALL(getsockname(c, (struct sockaddr *)&got, &len), 0);
        CHECK(len == sizeof(sa_family_t), "client's name length %u",
              (unsigned)len);
        CHECK_SYSCALL(write(c, "named", 5), 5);
        CHECK(read_exact(s, buf, 5) == 5 && memcmp(buf, "named", 5) == 0,
              "read \"%.5s\"", buf);
        close(s);
    }
    close2(c, lfd);
    /* Closing does not remove the file; unlink does. */
    CHECK_SYSCALL(access(addr.sun_path, F_OK), 0);
    CHECK_SYSCALL(unlink(addr.sun_path), 0);
}

/* An abstract address (sun_path[0] == 0) binds without a file, connects,
 * and getsockname returns exactly the bytes and length bound. */
static void test_abstract(void)
{
    struct sockaddr_un addr, got;
    socklen_t alen, len = sizeof(got);
    char buf[8];

    addr = abstract_addr("abstract", &alen);
    int lfd = bound(SOCK_STREAM, &addr, alen, 1);
    if (lfd < 0)
        return;
    CHECK_SYSCALL(getsockname(lfd, (struct sockaddr *)&got, &len), 0);
    CHECK(len == alen && memcmp(&got, &addr, alen) == 0,
          "getsockname: len %u, want %u, or other bytes", (unsigned)len,
          (unsigned)alen);
    int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_SYSCALL(connect(c, (struct sockaddr *)&addr, alen), 0);
    int s = -1;
    if (CHECK(poll1(lfd, POLLIN, TIMEOUT_MS) == POLLIN, "nothing to accept"))
        s = CHECK_OK(accept(lfd, NULL, NULL));
    if (s >= 0) {
        CHECK_SYSCALL(send(s, "abs", 3, 0), 3);
        CHECK(read_exact(c, buf, 3) == 3 && memcmp(buf, "abs", 3) == 0,
              "read \"%.3s\"", buf);
        close(s);
    }
    /* A second bind of the same name is refused while the first lives. */
    int d = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERRNO(bind(d, (struct sockaddr *)&addr, alen), EADDRINUSE);
    close2(c, d);
    close(lfd);
}

/* An abstract listener keeps its name when it accepts: three clients in
 * turn each connect (an accepted socket shows the name in getsockname but
 * must not answer for it) and each accepted socket is its own client's
 * peer. */
static void test_abstract_many(void)
{
    struct sockaddr_un addr;
    socklen_t alen;
    int c[3] = {-1, -1, -1}, s[3] = {-1, -1, -1};

    addr = abstract_addr("many", &alen);
    int lfd = bound(SOCK_STREAM, &addr, alen, 1);
    if (lfd < 0)
        return;
    for (int i = 0; i < 3; i++) {
        c[i] = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
        if (c[i] < 0 ||
            !CHECK_SYSCALL(connect(c[i], (struct sockaddr *)&addr, alen), 0))
            break;
        if (!CHECK(poll1(lfd, POLLIN, TIMEOUT_MS) == POLLIN,
                   "connection %d: nothing to accept", i))
            break;
        s[i] = CHECK_OK(accept(lfd, NULL, NULL));
    }
    for (int i = 0; i < 3; i++) {
        char want = '0' + i, got = 0;
        if (s[i] < 0)
            continue;
        CHECK_SYSCALL(write(c[i], &want, 1), 1);
        CHECK(read_exact(s[i], &got, 1) == 1 && got == want,
              "connection %d: accepted socket read '%c'", i, got);
    }
    for (int i = 0; i < 3; i++)
        close2(c[i], s[i]);
    close(lfd);
}

/* bind with only the family (addrlen 2) autobinds: Linux picks an abstract
 * name of five hex digits, so getsockname's length is 2 + 1 + 5. */
static void test_autobind(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX}, got;
    socklen_t len = sizeof(got);
    int fd = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));

    if (fd < 0)
        return;
    CHECK_SYSCALL(bind(fd, (struct sockaddr *)&a, sizeof(sa_family_t)), 0);
    CHECK_SYSCALL(getsockname(fd, (struct sockaddr *)&got, &len), 0);
    CHECK(len == offsetof(struct sockaddr_un, sun_path) + 6 &&
              got.sun_path[0] == '\0',
          "autobound name: len %u, first byte %d", (unsigned)len,
          got.sun_path[0]);
    close(fd);
}

/* A path that exists cannot be bound: not one a socket is bound to (even
 * after that socket closed) and not a regular file. */
static void test_bind_in_use(void)
{
    struct sockaddr_un addr, file;
    socklen_t alen, flen;

    if (!tdir_ok)
        SKIP("no test directory");
    addr = path_addr("inuse", &alen);
    int a = bound(SOCK_STREAM, &addr, alen, 1);
    int b = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERRNO(bind(b, (struct sockaddr *)&addr, alen), EADDRINUSE);
    close2(a, -1);
    CHECK_ERRNO(bind(b, (struct sockaddr *)&addr, alen), EADDRINUSE);
    unlink(addr.sun_path);
    file = path_addr("file", &flen);
    int f = CHECK_OK(open(file.sun_path, O_CREAT | O_WRONLY, 0600));
    close2(f, -1);
    CHECK_ERRNO(bind(b, (struct sockaddr *)&file, flen), EADDRINUSE);
    unlink(file.sun_path);
    close(b);
}

/* connect to a path: missing is ENOENT; a regular file or a stream socket
 * that is bound but not listening is ECONNREFUSED; a socket of another
 * type (datagram) is EPROTOTYPE. A listener closed and unlinked: ENOENT. */
static void test_connect_errors(void)
{
    struct sockaddr_un missing, file, nolisten, dgram;
    socklen_t mlen, flen, nlen, dlen;

    if (!tdir_ok)
        SKIP("no test directory");
    int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    missing = path_addr("missing", &mlen);
    CHECK_ERRNO(connect(c, (struct sockaddr *)&missing, mlen), ENOENT);

    file = path_addr("plain", &flen);
    close2(CHECK_OK(open(file.sun_path, O_CREAT | O_WRONLY, 0600)), -1);
    CHECK_ERRNO(connect(c, (struct sockaddr *)&file, flen), ECONNREFUSED);
    unlink(file.sun_path);

    nolisten = path_addr("nolisten", &nlen);
    int n = bound(SOCK_STREAM, &nolisten, nlen, 0);
    CHECK_ERRNO(connect(c, (struct sockaddr *)&nolisten, nlen), ECONNREFUSED);
    close2(n, -1);
    unlink(nolisten.sun_path);

    dgram = path_addr("dgram", &dlen);
    int d = bound(SOCK_DGRAM, &dgram, dlen, 0);
    CHECK_ERRNO(connect(c, (struct sockaddr *)&dgram, dlen), EPROTOTYPE);
    close2(d, -1);
    unlink(dgram.sun_path);
    CHECK_ERRNO(connect(c, (struct sockaddr *)&dgram, dlen), ENOENT);
    close(c);
}

/* Send one byte of data with "nfds" fds as SCM_RIGHTS on sock. */
static int send_fds(int sock, const int *fds, int nfds)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(8 * sizeof(int))];
    } u;
    struct iovec iov = {"F", 1};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);

    memset(u.buf, 0, sizeof(u.buf));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    return CHECK_SYSCALL(sendmsg(sock, &m, 0), 1);
}

/* Receive the byte and exactly "nfds" fds sent by send_fds into fds;
 * 1 on success. */
static int recv_fds(int sock, int *fds, int nfds, int flags)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(8 * sizeof(int))];
    } u;
    char byte = 0;
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};

    if (!wait_in(sock) || !CHECK_SYSCALL(recvmsg(sock, &m, flags), 1))
        return 0;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (!CHECK(c != NULL, "no control message") ||
        !CHECK(c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS,
               "control message level %d type %d", c->cmsg_level,
               c->cmsg_type) ||
        !CHECK(c->cmsg_len == CMSG_LEN(nfds * sizeof(int)),
               "cmsg_len %zu, want %zu", (size_t)c->cmsg_len,
               (size_t)CMSG_LEN(nfds * sizeof(int))))
        return 0;
    memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
    CHECK(byte == 'F', "data byte '%c'", byte);
    CHECK(!(m.msg_flags & MSG_CTRUNC), "MSG_CTRUNC");
    CHECK(CMSG_NXTHDR(&m, c) == NULL, "a second control message");
    return 1;
}

/* SCM_RIGHTS over a stream socketpair passes a pipe's write end and an
 * open file: the new fds are new numbers for the same open files, so a
 * write through the passed pipe end reads from the pipe and a write
 * through the passed file moves the original's offset. */
static void test_scm_rights(void)
{
    char path[64], buf[8];
    int sv[2], p[2], got[2];

    if (!tdir_ok)
        SKIP("no test directory");
    if (!pair(SOCK_STREAM, sv))
        return;
    snprintf(path, sizeof(path), "%s/passed", tdir);
    int f = CHECK_OK(open(path, O_CREAT | O_RDWR | O_TRUNC, 0600));
    if (f >= 0 && CHECK_SYSCALL(pipe(p), 0)) {
        int fds[2] = {p[1], f};
        if (send_fds(sv[0], fds, 2) && recv_fds(sv[1], got, 2, 0)) {
            CHECK(got[0] != p[1] && got[1] != f && got[0] != got[1],
                  "passed fds %d %d, sent %d %d", got[0], got[1], p[1], f);
            CHECK_SYSCALL(fcntl(got[0], F_GETFD), 0);
            CHECK_SYSCALL(write(got[0], "via", 3), 3);
            CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), 3);
            CHECK(memcmp(buf, "via", 3) == 0, "pipe gave \"%.3s\"", buf);
            CHECK_SYSCALL(write(got[1], "file", 4), 4);
            CHECK_SYSCALL(lseek(f, 0, SEEK_CUR), 4);
            CHECK_SYSCALL(pread(f, buf, 4, 0), 4);
            CHECK(memcmp(buf, "file", 4) == 0, "file has \"%.4s\"", buf);
            close2(got[0], got[1]);
        }
        close2(p[0], p[1]);
    }
    close2(f, -1);
    unlink(path);
    close2(sv[0], sv[1]);
}

/* Three fds in one message (the write ends of three pipes), received with
 * MSG_CMSG_CLOEXEC: each new fd is close-on-exec and writes to its pipe. */
static void test_scm_rights_three(void)
{
    int sv[2], p[3][2], w[3], got[3];
    char c;

    if (!pair(SOCK_STREAM, sv))
        return;
    for (int i = 0; i < 3; i++) {
        if (!CHECK_SYSCALL(pipe(p[i]), 0))
            p[i][0] = p[i][1] = -1;
        w[i] = p[i][1];
    }
    if (send_fds(sv[0], w, 3) && recv_fds(sv[1], got, 3, MSG_CMSG_CLOEXEC)) {
        for (int i = 0; i < 3; i++) {
            CHECK_SYSCALL(fcntl(got[i], F_GETFD), FD_CLOEXEC);
            c = '0' + i;
            CHECK_SYSCALL(write(got[i], &c, 1), 1);
            CHECK_SYSCALL(read(p[i][0], &c, 1), 1);
            CHECK(c == '0' + i, "pipe %d gave '%c'", i, c);
            close(got[i]);
        }
    }
    for (int i = 0; i < 3; i++)
        close2(p[i][0], p[i][1]);
    close2(sv[0], sv[1]);
}

/* The pipe read end rfd has no writer left: it polls readable (waiting
 * at most TIMEOUT_MS for the last write end to go) and reads EOF. */
static int pipe_at_eof(int rfd, const char *what)
{
    char c;
    int rev = poll1(rfd, POLLIN, TIMEOUT_MS);

    if (!CHECK(rev > 0, "%s: a write end is still open (poll %d)", what, rev))
        return 0;
    return CHECK_SYSCALL(read(rfd, &c, 1), 0);
}

/* An fd passed with SCM_RIGHTS but received by a plain read(), which has
 * no room for it, is closed, not kept: once the socketpair is gone the
 * pipe whose only write end went that way reads EOF. Datagram and
 * stream. */
static void test_scm_rights_plain_read(void)
{
    static const int types[] = {SOCK_DGRAM, SOCK_STREAM};

    for (int i = 0; i < 2; i++) {
        const char *what = types[i] == SOCK_DGRAM ? "dgram" : "stream";
        int sv[2], p[2];
        char buf[4];

        if (!pair(types[i], sv))
            continue;
        if (!CHECK_SYSCALL(pipe(p), 0)) {
            close2(sv[0], sv[1]);
            continue;
        }
        int sent = send_fds(sv[0], &p[1], 1);
        close(p[1]);
        if (sent && wait_in(sv[1])) {
            CHECK_SYSCALL(read(sv[1], buf, sizeof(buf)), 1);
            CHECK(buf[0] == 'F', "%s: read '%c'", what, buf[0]);
        }
        close2(sv[0], sv[1]);
        if (sent)
            pipe_at_eof(p[0], what);
        close(p[0]);
    }
}

/* The SCM_RIGHTS fds of a received message, into fds (at most max), and
 * how many there were. */
static int msg_fds(struct msghdr *m, int *fds, int max)
{
    int n = 0;

    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (int i = 0; i < k; i++, n++)
            if (n < max)
                memcpy(&fds[n], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
    return n;
}

/* Two messages of one byte, each with an fd (a pipe's write end). recvmsg
 * with MSG_WAITALL and room for both bytes stops after the first, as on
 * Linux (a message with fds ends a read), with its fd; the next recvmsg
 * gets the second byte and fd. No fd is lost in between: once they and
 * the socketpair are closed, both pipes read EOF. */
static void test_scm_rights_waitall(void)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(8 * sizeof(int))];
    } u;
    char buf[2];
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    int sv[2], p[2][2], got[8], sent = 0;

    if (!pair(SOCK_STREAM, sv))
        return;
    if (!CHECK_SYSCALL(pipe(p[0]), 0)) {
        close2(sv[0], sv[1]);
        return;
    }
    if (!CHECK_SYSCALL(pipe(p[1]), 0)) {
        close2(p[0][0], p[0][1]);
        close2(sv[0], sv[1]);
        return;
    }
    sent += send_fds(sv[0], &p[0][1], 1);
    sent += send_fds(sv[0], &p[1][1], 1);
    close2(p[0][1], p[1][1]);
    for (int i = 0; i < sent; i++) {
        if (!wait_in(sv[1]))
            break;
        memset(u.buf, 0, sizeof(u.buf));
        m.msg_control = u.buf;
        m.msg_controllen = sizeof(u.buf);
        buf[0] = buf[1] = 0;
        CHECK_SYSCALL(recvmsg(sv[1], &m, i == 0 ? MSG_WAITALL : 0), 1);
        CHECK(buf[0] == 'F', "message %d: read '%c'", i + 1, buf[0]);
        int n = msg_fds(&m, got, 8);
        CHECK(n == 1, "message %d: %d fds, want 1", i + 1, n);
        for (int k = 0; k < n && k < 8; k++)
            close(got[k]);
    }
    close2(sv[0], sv[1]);
    if (sent == 2) {
        pipe_at_eof(p[0][0], "first pipe");
        pipe_at_eof(p[1][0], "second pipe");
    }
    close2(p[0][0], p[1][0]);
}

/* With SO_PASSCRED on the receiver, each message carries the sender's
 * pid, uid and gid as SCM_CREDENTIALS, even when the sender attached none. */
static void test_scm_credentials(void)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(struct ucred))];
    } u;
    struct ucred cred;
    char byte;
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
    int sv[2], one = 1;

    if (!pair(SOCK_DGRAM, sv))
        return;
    if (!CHECK_SYSCALL(
            setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0))
        goto out;
    CHECK_SYSCALL(send(sv[0], "c", 1, 0), 1);
    if (!wait_in(sv[1]) || !CHECK_SYSCALL(recvmsg(sv[1], &m, 0), 1))
        goto out;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (!CHECK(c && c->cmsg_level == SOL_SOCKET &&
                   c->cmsg_type == SCM_CREDENTIALS &&
                   c->cmsg_len == CMSG_LEN(sizeof(cred)),
               "no SCM_CREDENTIALS message"))
        goto out;
    memcpy(&cred, CMSG_DATA(c), sizeof(cred));
    CHECK(cred.pid == getpid() && cred.uid == getuid() && cred.gid == getgid(),
          "credentials pid %d uid %u gid %u", (int)cred.pid, (unsigned)cred.uid,
          (unsigned)cred.gid);
out:
    close2(sv[0], sv[1]);
}

/* shutdown(SHUT_WR) on a unix stream: the peer reads the data, then EOF,
 * and can still send back. */
static void test_shutdown(void)
{
    char buf[8];
    int sv[2];

    if (!pair(SOCK_STREAM, sv))
        return;
    CHECK_SYSCALL(write(sv[0], "bye", 3), 3);
    CHECK_SYSCALL(shutdown(sv[0], SHUT_WR), 0);
    CHECK(read_exact(sv[1], buf, 3) == 3, "data before EOF lost");
    if (wait_in(sv[1]))
        CHECK_SYSCALL(read(sv[1], buf, sizeof(buf)), 0);
    CHECK_SYSCALL(write(sv[1], "ok", 2), 2);
    CHECK(read_exact(sv[0], buf, 2) == 2 && memcmp(buf, "ok", 2) == 0,
          "reply \"%.2s\"", buf);
    CHECK_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    close2(sv[0], sv[1]);
}

/* When the peer closes, poll reports POLLIN|POLLHUP (a unix stream is shut
 * both ways at once), read returns 0, and writing fails EPIPE: with
 * MSG_NOSIGNAL and, SIGPIPE being ignored, with write. */
static void test_peer_close(void)
{
    char buf[4];
    int sv[2];

    if (!pair(SOCK_STREAM, sv))
        return;
    close(sv[1]);
    int rev = poll1(sv[0], POLLIN | POLLRDHUP, TIMEOUT_MS);
    CHECK(rev == (POLLIN | POLLHUP | POLLRDHUP),
          "revents %#x, want POLLIN|POLLHUP|POLLRDHUP", rev);
    CHECK_SYSCALL(read(sv[0], buf, sizeof(buf)), 0);
    CHECK_ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_ERRNO(write(sv[0], "x", 1), EPIPE);
    close(sv[0]);
}

/* Two datagram sockets bound to paths: sendto from one reaches the other,
 * and recvfrom names the sender's path; from an unbound sender the address
 * comes back empty (length 0). */
static void test_named_dgram(void)
{
    struct sockaddr_un aaddr, baddr, from;
    socklen_t alen, blen, len;
    char buf[16];

    if (!tdir_ok)
        SKIP("no test directory");
    aaddr = path_addr("dgram-a", &alen);
    baddr = path_addr("dgram-b", &blen);
    int a = bound(SOCK_DGRAM, &aaddr, alen, 0);
    int b = bound(SOCK_DGRAM, &baddr, blen, 0);
    int u = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    if (a < 0 || b < 0 || u < 0)
        goto out;
    CHECK_SYSCALL(sendto(a, "from a", 6, 0, (struct sockaddr *)&baddr, blen),
                  6);
    if (wait_in(b)) {
        len = sizeof(from);
        memset(&from, 0, sizeof(from));
        CHECK_SYSCALL(
            recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len),
            6);
        CHECK(memcmp(buf, "from a", 6) == 0, "got \"%.6s\"", buf);
        CHECK(len == alen && strcmp(from.sun_path, aaddr.sun_path) == 0,
              "sender \"%s\" (len %u), want \"%s\" (len %u)", from.sun_path,
              (unsigned)len, aaddr.sun_path, (unsigned)alen);
    }
    CHECK_SYSCALL(sendto(u, "anon", 4, 0, (struct sockaddr *)&baddr, blen), 4);
    if (wait_in(b)) {
        len = sizeof(from);
        CHECK_SYSCALL(
            recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len),
            4);
        CHECK(len == 0, "unbound sender's address length %u", (unsigned)len);
    }
out:
    close2(a, b);
    close2(u, -1);
    unlink(aaddr.sun_path);
    unlink(baddr.sun_path);
}

/* A path of 108 bytes fills sun_path with no NUL. bind takes it (with
 * the whole struct's length), makes the file, and getsockname gives it
 * back with a NUL (length 2 + 109); a datagram sent to it arrives, and one
 * sent from it names it as the sender in full. */
static void test_path_108(void)
{
    char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1], buf[16];
    struct sockaddr_un addr, peer;
    struct sockaddr_storage got;
    const struct sockaddr_un *gotu = (const struct sockaddr_un *)&got;
    const socklen_t want_len = offsetof(struct sockaddr_un, sun_path) + 109;
    socklen_t plen, len;

    if (!tdir_ok)
        SKIP("no test directory");
    int n = snprintf(path, sizeof(path), "%s/long", tdir);
    memset(path + n, 'x', sizeof(path) - 1 - n);
    path[sizeof(path) - 1] = '\0';
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, sizeof(addr.sun_path));
    peer = path_addr("short", &plen);
    int s = bound(SOCK_DGRAM, &addr, sizeof(addr), 0);
    int p = bound(SOCK_DGRAM, &peer, plen, 0);
    int u = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    if (s < 0 || p < 0 || u < 0)
        goto out;
    CHECK_SYSCALL(access(path, F_OK), 0);
    len = sizeof(got);
    memset(&got, 0xa5, sizeof(got));
    CHECK_SYSCALL(getsockname(s, (struct sockaddr *)&got, &len), 0);
    CHECK(len == want_len && memcmp(gotu->sun_path, path, 109) == 0,
          "getsockname: len %u, want %u, or other bytes", (unsigned)len,
          (unsigned)want_len);

    CHECK_SYSCALL(
        sendto(u, "to long", 7, 0, (struct sockaddr *)&addr, sizeof(addr)), 7);
    if (wait_in(s)) {
        memset(buf, 0, sizeof(buf));
        CHECK_SYSCALL(recv(s, buf, sizeof(buf), 0), 7);
        CHECK(memcmp(buf, "to long", 7) == 0, "got \"%.7s\"", buf);
    }
    CHECK_SYSCALL(sendto(s, "from long", 9, 0, (struct sockaddr *)&peer, plen),
                  9);
    if (wait_in(p)) {
        memset(buf, 0, sizeof(buf));
        memset(&got, 0xa5, sizeof(got));
        len = sizeof(got);
        CHECK_SYSCALL(
            recvfrom(p, buf, sizeof(buf), 0, (struct sockaddr *)&got, &len), 9);
        CHECK(memcmp(buf, "from long", 9) == 0, "got \"%.9s\"", buf);
        CHECK(len == want_len && memcmp(gotu->sun_path, path, 109) == 0,
              "sender: len %u, want %u, or other bytes", (unsigned)len,
              (unsigned)want_len);
    }
out:
    close2(s, p);
    close2(u, -1);
    unlink(path);
    unlink(peer.sun_path);
}

/* Reading an empty socket without blocking is EAGAIN: a SOCK_NONBLOCK
 * stream pair with read, a blocking datagram pair with MSG_DONTWAIT. */
static void test_nonblocking_empty(void)
{
    char buf[4];
    int sv[2];

    if (pair(SOCK_STREAM | SOCK_NONBLOCK, sv)) {
        CHECK_ERRNO(read(sv[0], buf, sizeof(buf)), EAGAIN);
        CHECK_ERRNO(recv(sv[1], buf, sizeof(buf), 0), EAGAIN);
        close2(sv[0], sv[1]);
    }
    if (pair(SOCK_DGRAM, sv)) {
        CHECK_ERRNO(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
        close2(sv[0], sv[1]);
    }
}

/* --- 8 MiB through a socketpair --- */

#define BIG_TOTAL (8u << 20)

/* Byte "off" of the test stream. */
static uint8_t pattern_byte(uint32_t off)
{
    uint32_t x = (off >> 2) * 2654435761u;

    x ^= x >> 15;
    return (uint8_t)(x >> ((off & 3) * 8));
}

struct big_writer {
    int fd;
    uint64_t hash;
    int err;
};

/* Write the pattern in chunks of 1 to ~100 KiB, then close. */
static void *big_write(void *arg)
{
    static uint8_t buf[100003];
    struct big_writer *w = arg;
    uint32_t off = 0, step = 1;

    w->hash = FNV_INIT;
    while (off < BIG_TOTAL) {
        size_t n = step % sizeof(buf) + 1;
        if (n > BIG_TOTAL - off)
            n = BIG_TOTAL - off;
        step = step * 7 + 13;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern_byte(off + i);
        w->hash = fnv1a(w->hash, buf, n);
        for (size_t done = 0; done < n;) {
            ssize_t r = write(w->fd, buf + done, n - done);
            if (r <= 0) {
                w->err = r < 0 ? errno : EIO;
                goto out;
            }
            done += r;
        }
        off += n;
    }
out:
    close(w->fd);
    return NULL;
}

/* A thread writes 8 MiB into one end in uneven chunks and closes it; the
 * main thread reads to EOF, checking every byte and the FNV-1a hash. */
static void test_big_transfer(void)
{
    static uint8_t buf[65536];
    struct big_writer w = {0};
    uint64_t hash = FNV_INIT;
    uint32_t got = 0, bad_at = UINT32_MAX;
    pthread_t t;
    int sv[2];

    if (!pair(SOCK_STREAM, sv))
        return;
    w.fd = sv[0];
    if (!CHECK(pthread_create(&t, NULL, big_write, &w) == 0, "create")) {
        close2(sv[0], sv[1]);
        return;
    }
    for (size_t n = 1;; n = n * 3 % sizeof(buf) + 1) {
        if (!CHECK(poll1(sv[1], POLLIN, TIMEOUT_MS) > 0,
                   "nothing for %d ms after %u bytes", TIMEOUT_MS, got))
            break;
        ssize_t r = read(sv[1], buf, n);
        if (r == 0)
            break;
        if (!CHECK(r > 0, "read: errno %d", errno))
            break;
        for (ssize_t i = 0; i < r && bad_at == UINT32_MAX; i++)
            if (buf[i] != pattern_byte(got + i))
                bad_at = got + i;
        hash = fnv1a(hash, buf, r);
        got += r;
    }
    /* On failure this wakes the writer; on success it changes nothing. */
    shutdown(sv[1], SHUT_RDWR);
    pthread_join(t, NULL);
    close(sv[1]);
    CHECK(w.err == 0, "writer: errno %d", w.err);
    CHECK(got == BIG_TOTAL, "read %u bytes", got);
    CHECK(bad_at == UINT32_MAX, "byte %u is wrong", bad_at);
    CHECK(hash == w.hash, "hashes differ");
}

/* --- a send racing its peer's close --- */

#define ABA_ROUNDS 1000
#define ABA_BYTES (200 * 1024)

struct aba {
    int fd;    /* where the next round sends */
    char *buf; /* what it sends: fresh pages, so copying them is slow */
    int begun; /* rounds begun (the main thread counts) */
    int sent;  /* rounds whose send returned (the sender counts) */
    int stop;
};

/* Spin until *counter reaches v: a tight loop keeps the two threads' steps
 * close together; a yield now and then lets them take turns on one CPU.
 * 0 if *stop (when given) is set, or after TIMEOUT_MS. */
static int aba_until(const int *counter, int v, const int *stop)
{
    struct timespec t0 = {0, 0}, t;

    for (unsigned long i = 1; __atomic_load_n(counter, __ATOMIC_ACQUIRE) < v;
         i++) {
        if (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE))
            return 0;
        if (i % 65536)
            continue;
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (i == 65536)
            t0 = t;
        else if ((t.tv_sec - t0.tv_sec) * 1000 +
                     (t.tv_nsec - t0.tv_nsec) / 1000000 >
                 TIMEOUT_MS)
            return 0;
    }
    return 1;
}

/* Each round, one send of ABA_BYTES without waiting, as soon as begun. */
static void *aba_send(void *arg)
{
    struct aba *a = arg;

    for (int round = 1; aba_until(&a->begun, round, &a->stop); round++) {
        send(a->fd, a->buf, ABA_BYTES, MSG_DONTWAIT | MSG_NOSIGNAL);
        __atomic_store_n(&a->sent, round, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* While a thread sends 200 KiB on one end of a socketpair, the main thread
 * closes the other end (after a delay that varies from round to round) and
 * makes a new socketpair, which may take the closed socket's memory. The
 * send must fail or go to the peer it was given, never into the new,
 * unrelated pair: after 1000 rounds no new pair has had a byte queued. */
static void test_send_racing_close(void)
{
    static struct aba a; /* the sender may outlive a failed test */
    int misdelivered = 0, round = 0;
    pthread_t t;

    memset(&a, 0, sizeof(a));
    if (!CHECK(pthread_create(&t, NULL, aba_send, &a) == 0, "create"))
        return;
    for (round = 1; round <= ABA_ROUNDS; round++) {
        int sv[2], nv[2], q0 = 0, q1 = 0;
        if (!pair(SOCK_STREAM, sv))
            break;
        a.buf = mmap(NULL, ABA_BYTES, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (!CHECK(a.buf != MAP_FAILED, "mmap: errno %d", errno)) {
            close2(sv[0], sv[1]);
            break;
        }
        a.fd = sv[0];
        __atomic_store_n(&a.begun, round, __ATOMIC_RELEASE);
        for (volatile int k = 0; k < (round % 50) * 20; k++)
            ;
        close(sv[1]);
        int made = pair(SOCK_STREAM, nv);
        if (!CHECK(aba_until(&a.sent, round, NULL),
                   "round %d: send did not return", round)) {
            __atomic_store_n(&a.stop, 1, __ATOMIC_RELEASE);
            pthread_detach(t);
            return; /* the sender still has sv[0] and a.buf */
        }
        if (made) {
            CHECK_SYSCALL(ioctl(nv[0], FIONREAD, &q0), 0);
            CHECK_SYSCALL(ioctl(nv[1], FIONREAD, &q1), 0);
            if (q0 || q1) {
                if (++misdelivered <= 3)
                    tap_diag("round %d: %d and %d bytes in a new socketpair",
                             round, q0, q1);
            }
            close2(nv[0], nv[1]);
        }
        close(sv[0]);
        munmap(a.buf, ABA_BYTES);
        if (!made)
            break;
    }
    __atomic_store_n(&a.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    CHECK(round > ABA_ROUNDS, "stopped at round %d", round);
    CHECK(misdelivered == 0, "%d of %d sends landed in an unrelated socket",
          misdelivered, round - 1);
}

/* SOCK_CLOEXEC and SOCK_NONBLOCK in the type set FD_CLOEXEC and
 * O_NONBLOCK, on socket() and on both ends of socketpair(); without them
 * neither is set. */
static void test_type_flags(void)
{
    int sv[2];
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));

    CHECK_SYSCALL(fcntl(s, F_GETFD), FD_CLOEXEC);
    CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK), "O_NONBLOCK unasked");
    close2(s, -1);
    s = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    CHECK_SYSCALL(fcntl(s, F_GETFD), 0);
    CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "no O_NONBLOCK");
    close2(s, -1);
    if (pair(SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, sv)) {
        for (int i = 0; i < 2; i++) {
            CHECK_SYSCALL(fcntl(sv[i], F_GETFD), FD_CLOEXEC);
            CHECK(fcntl(sv[i], F_GETFL) & O_NONBLOCK, "end %d blocking", i);
        }
        close2(sv[0], sv[1]);
    }
    if (pair(SOCK_SEQPACKET, sv)) {
        for (int i = 0; i < 2; i++) {
            CHECK_SYSCALL(fcntl(sv[i], F_GETFD), 0);
            CHECK(!(fcntl(sv[i], F_GETFL) & O_NONBLOCK), "end %d O_NONBLOCK",
                  i);
        }
        close2(sv[0], sv[1]);
    }
}

static const struct tap_test tests[] = {
    {"socketpair SOCK_STREAM echo", test_socketpair_stream},
    {"socketpair SOCK_DGRAM keeps message boundaries", test_socketpair_dgram},
    {"socketpair SOCK_SEQPACKET keeps message boundaries",
     test_socketpair_seqpacket},
    {"named stream socket: bind, listen, connect, accept, addresses",
     test_named_stream},
    {"abstract socket name", test_abstract},
    {"abstract listener: connections after the first still reach it",
     test_abstract_many},
    {"bind with only the family autobinds an abstract name", test_autobind},
    {"bind to an existing path is EADDRINUSE", test_bind_in_use},
    {"connect: ENOENT, ECONNREFUSED, EPROTOTYPE", test_connect_errors},
    {"SCM_RIGHTS passes a pipe end and an open file", test_scm_rights},
    {"SCM_RIGHTS passes three fds at once, MSG_CMSG_CLOEXEC",
     test_scm_rights_three},
    {"SCM_RIGHTS read with plain read() closes the fd, no leak",
     test_scm_rights_plain_read},
    {"SCM_RIGHTS with MSG_WAITALL: each message's fds, none lost",
     test_scm_rights_waitall},
    {"SCM_CREDENTIALS with SO_PASSCRED", test_scm_credentials},
    {"shutdown(SHUT_WR): the peer sees EOF and can reply", test_shutdown},
    {"peer close: POLLHUP, read 0, write EPIPE", test_peer_close},
    {"named datagram sockets: recvfrom reports the sender's path",
     test_named_dgram},
    {"108-byte path without a NUL: bind, getsockname, send to and from",
     test_path_108},
    {"non-blocking read on an empty socket is EAGAIN", test_nonblocking_empty},
    {"8 MiB through a socketpair, checksummed", test_big_transfer},
    {"a send racing its peer's close never lands in a new socket",
     test_send_racing_close},
    {"SOCK_CLOEXEC and SOCK_NONBLOCK on socket and socketpair",
     test_type_flags},
};

int main(void)
{
    int status;

    /* A socket bug must fail a test, not kill the program with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    tdir_ok = mkdtemp(tdir) != NULL;
    status = tap_run(tests, TAP_COUNT(tests));
    if (tdir_ok && rmdir(tdir) != 0) {
        printf("# rmdir %s: errno %d (a test left a file)\n", tdir, errno);
        status = 1;
    }
    return status;
}
