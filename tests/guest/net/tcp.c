/* SPDX-License-Identifier: MIT */
/*
 * tcp.c: TCP over loopback. The life of a connection (bind to port 0,
 * listen, connect, accept, the addresses of both ends), bulk transfer
 * checked byte for byte, many connections served by one poll loop, accept4
 * flags, non-blocking accept and connect, half-close, refused connections,
 * port conflicts and SO_REUSEADDR, the data calls (read/write, send/recv,
 * sendmsg/recvmsg, MSG_PEEK, MSG_DONTWAIT, FIONREAD), readiness through
 * poll, select and epoll, EPIPE, and the same over ::1 when there is IPv6.
 * Also what a review found: a connection reset before accept() is still
 * accepted, and an orderly close after both FINs is no error.
 *
 * Servers run in helper threads that block as real servers do; the main
 * thread waits with poll and a timeout, and on a timeout shuts the sockets
 * down so the helpers wake and the test fails instead of hanging.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait up to TIMEOUT_MS until poll reports one of "want" on fd; returns
 * the last revents (0 if it never came). Polls again when other events
 * come first, so that e.g. POLLIN before POLLRDHUP is no failure. */
static int wait_for(int fd, short want)
{
    long long end = now_ms() + TIMEOUT_MS;
    int rev;

    do {
        rev = poll1(fd, want, 100);
        if (rev > 0 && (rev & want))
            return rev;
    } while (now_ms() < end);
    return rev < 0 ? 0 : rev;
}

/* Write all n bytes (blocking); 0 on success, else the errno. */
static int write_all(int fd, const void *buf, size_t n)
{
    while (n > 0) {
        ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? errno : EIO;
        buf = (const char *)buf + r;
        n -= r;
    }
    return 0;
}

/* Bind to 127.0.0.1:0, listen, connect and accept; every address that
 * getsockname, getpeername and accept report agrees with the others. */
static void test_connect_accept_addresses(void)
{
    struct sockaddr_in laddr, caddr, cpeer, saddr, speer, from;
    socklen_t len;
    int lfd = tcp_listener(&laddr, 1);

    if (lfd < 0)
        return;
    CHECK(laddr.sin_family == AF_INET, "family %d", laddr.sin_family);
    CHECK(laddr.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "address %#x",
          ntohl(laddr.sin_addr.s_addr));
    CHECK(laddr.sin_port != 0, "bind to port 0 left port 0");
    tap_diag("listening on port %d", ntohs(laddr.sin_port));

    int c = tcp_connect(&laddr);
    if (c < 0) {
        close(lfd);
        return;
    }
    len = sizeof(from);
    memset(&from, 0xa5, sizeof(from));
    int s = accept_within(lfd, (struct sockaddr *)&from, &len, 0);
    if (s >= 0) {
        CHECK(len == sizeof(struct sockaddr_in), "accept addrlen %u",
              (unsigned)len);
        len = sizeof(caddr);
        CHECK_SYSCALL(getsockname(c, (struct sockaddr *)&caddr, &len), 0);
        len = sizeof(cpeer);
        CHECK_SYSCALL(getpeername(c, (struct sockaddr *)&cpeer, &len), 0);
        len = sizeof(saddr);
        CHECK_SYSCALL(getsockname(s, (struct sockaddr *)&saddr, &len), 0);
        len = sizeof(speer);
        CHECK_SYSCALL(getpeername(s, (struct sockaddr *)&speer, &len), 0);
        CHECK(len == sizeof(struct sockaddr_in), "getpeername addrlen %u",
              (unsigned)len);
        CHECK(caddr.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
              "client bound to %#x", ntohl(caddr.sin_addr.s_addr));
        CHECK(caddr.sin_port != 0 && caddr.sin_port != laddr.sin_port,
              "client port %d", ntohs(caddr.sin_port));
        CHECK(same_addr4(&cpeer, &laddr), "client's peer is not the listener");
        CHECK(same_addr4(&saddr, &laddr),
              "accepted socket's address is not the listener's");
        CHECK(same_addr4(&speer, &caddr),
              "accepted socket's peer is not the client");
        CHECK(same_addr4(&from, &caddr), "accept's address is not the client");
        /* The accepted socket carries data both ways. */
        char buf[8];
        CHECK_SYSCALL(write(c, "hi", 2), 2);
        CHECK(read_exact(s, buf, 2) == 2 && memcmp(buf, "hi", 2) == 0,
              "server did not read \"hi\"");
        CHECK_SYSCALL(write(s, "yo", 2), 2);
        CHECK(read_exact(c, buf, 2) == 2 && memcmp(buf, "yo", 2) == 0,
              "client did not read \"yo\"");
        close(s);
    }
    close(c);
    close(lfd);
}

/* --- bulk echo --- */

#define BULK_TOTAL (64u << 20)
#define BULK_MAX_CHUNK (256u << 10)

/* Byte "off" of the test stream: a splitmix64 hash of its 8-byte word, so
 * any slice can be made or checked on its own. */
static uint8_t pattern_byte(uint64_t off)
{
    uint64_t x = (off >> 3) + 0x9e3779b97f4a7c15ULL;

    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (uint8_t)(x >> ((off & 7) * 8));
}

/* Chunk sizes that vary from 1 byte to BULK_MAX_CHUNK: mostly up to 64 KiB,
 * one in eight tiny, one in eight large. xorshift64 over *state. */
static size_t chunk_size(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    switch (x & 7) {
    case 0: return 1 + (x >> 8) % 16;
    case 1: return 1 + (x >> 8) % BULK_MAX_CHUNK;
    default: return 1 + (x >> 8) % 65536;
    }
}

struct bulk_side {
    int fd;
    uint64_t hash;  /* FNV-1a of every byte this side handled */
    uint64_t bytes; /* how many */
    int err;        /* errno of a failed call, or 0 */
};

/* The client's sending half: the pattern in chunks, alternating write and
 * send, then shutdown(SHUT_WR) so the server sees EOF. */
static void *bulk_sender(void *arg)
{
    static uint8_t buf[BULK_MAX_CHUNK];
    struct bulk_side *b = arg;
    uint64_t rng = 0x1234567;
    int turn = 0;

    b->hash = FNV_INIT;
    while (b->bytes < BULK_TOTAL && !b->err) {
        size_t n = chunk_size(&rng);
        if (n > BULK_TOTAL - b->bytes)
            n = BULK_TOTAL - b->bytes;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern_byte(b->bytes + i);
        b->hash = fnv1a(b->hash, buf, n);
        for (size_t done = 0; done < n;) {
            ssize_t r = (turn++ & 1) ? write(b->fd, buf + done, n - done)
                                     : send(b->fd, buf + done, n - done, 0);
            if (r <= 0) {
                b->err = r < 0 ? errno : EIO;
                break;
            }
            done += r;
        }
        b->bytes += n;
    }
    if (shutdown(b->fd, SHUT_WR) != 0 && !b->err)
        b->err = errno;
    return NULL;
}

/* The server: read in chunks of varying size and write each back, until
 * EOF; then close, which ends the client's stream. */
static void *bulk_echo(void *arg)
{
    static uint8_t buf[BULK_MAX_CHUNK];
    struct bulk_side *b = arg;
    uint64_t rng = 0x89abcdef;

    b->hash = FNV_INIT;
    for (;;) {
        ssize_t r = read(b->fd, buf, chunk_size(&rng));
        if (r == 0)
            break;
        if (r < 0) {
            b->err = errno;
            break;
        }
        b->hash = fnv1a(b->hash, buf, r);
        b->bytes += r;
        if ((b->err = write_all(b->fd, buf, r)) != 0)
            break;
    }
    close(b->fd);
    return NULL;
}

/* 64 MiB from client to server and back through an echo thread, in chunks
 * of 1 byte to 256 KiB; the bytes that come back are the bytes sent, in
 * order (checked one by one), and the FNV-1a hashes of the sender, the
 * server and the receiver agree. */
static void test_bulk_echo(void)
{
    static uint8_t buf[BULK_MAX_CHUNK];
    struct bulk_side snd = {0}, srv = {0};
    uint64_t rng = 0x5eed, hash = FNV_INIT, got = 0, bad_at = UINT64_MAX;
    pthread_t ts, te;
    int c, s;

    if (!tcp_pair(&c, &s))
        return;
    snd.fd = c;
    srv.fd = s;
    long long t0 = now_ms();
    if (!CHECK(pthread_create(&te, NULL, bulk_echo, &srv) == 0, "create")) {
        close2(c, s);
        return;
    }
    if (!CHECK(pthread_create(&ts, NULL, bulk_sender, &snd) == 0, "create")) {
        shutdown(c, SHUT_RDWR);
        pthread_join(te, NULL);
        close(c);
        return;
    }
    for (;;) {
        int rev = poll1(c, POLLIN, TIMEOUT_MS);
        if (!CHECK(rev > 0, "no echo for %d ms after %llu bytes (poll %d)",
                   TIMEOUT_MS, (unsigned long long)got, rev))
            break;
        ssize_t r = read(c, buf, chunk_size(&rng));
        if (r == 0)
            break;
        if (!CHECK(r > 0, "read: errno %d", errno))
            break;
        for (ssize_t i = 0; i < r && bad_at == UINT64_MAX; i++)
            if (buf[i] != pattern_byte(got + i))
                bad_at = got + i;
        hash = fnv1a(hash, buf, r);
        got += r;
    }
    /* On failure this wakes the helpers; on success it changes nothing. */
    shutdown(c, SHUT_RDWR);
    pthread_join(ts, NULL);
    pthread_join(te, NULL);
    close(c);
    tap_diag("64 MiB echoed in %lld ms", now_ms() - t0);
    CHECK(snd.err == 0, "sender: errno %d", snd.err);
    CHECK(srv.err == 0, "server: errno %d", srv.err);
    CHECK(snd.bytes == BULK_TOTAL, "sent %llu bytes",
          (unsigned long long)snd.bytes);
    CHECK(srv.bytes == BULK_TOTAL, "server got %llu bytes",
          (unsigned long long)srv.bytes);
    CHECK(got == BULK_TOTAL, "echo gave back %llu bytes",
          (unsigned long long)got);
    CHECK(bad_at == UINT64_MAX, "echoed byte %llu is wrong",
          (unsigned long long)bad_at);
    CHECK(srv.hash == snd.hash, "server's hash differs from the sender's");
    CHECK(hash == snd.hash, "echo's hash differs from the sender's");
}

/* --- many connections --- */

#define NCONN 200

struct many_server {
    int lfd;
    int accepted, echoed, err;
};

/* Accept NCONN connections and echo whatever each sends until it closes,
 * all from one poll loop. */
static void *many_serve(void *arg)
{
    static struct pollfd pfd[1 + NCONN];
    struct many_server *m = arg;
    int n = 1, open = 0;
    char buf[256];

    pfd[0] = (struct pollfd){.fd = m->lfd, .events = POLLIN};
    while (m->accepted < NCONN || open > 0) {
        int r = poll(pfd, n, TIMEOUT_MS);
        if (r <= 0) {
            m->err = r < 0 ? errno : ETIMEDOUT;
            break;
        }
        if (pfd[0].revents & POLLIN) {
            int fd = accept(m->lfd, NULL, NULL);
            if (fd < 0) {
                m->err = errno;
                break;
            }
            pfd[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
            open++;
            if (++m->accepted == NCONN)
                pfd[0].fd = -1; /* poll ignores it from now on */
        }
        for (int i = 1; i < n; i++) {
            if (pfd[i].fd < 0 || !pfd[i].revents)
                continue;
            ssize_t k = read(pfd[i].fd, buf, sizeof(buf));
            if (k > 0 && write_all(pfd[i].fd, buf, k) == 0) {
                m->echoed++;
                continue;
            }
            close(pfd[i].fd);
            pfd[i].fd = -1;
            open--;
        }
    }
    for (int i = 1; i < n; i++)
        if (pfd[i].fd >= 0)
            close(pfd[i].fd);
    return NULL;
}

/* 200 connections open at once to a server thread that serves them all
 * with poll; each sends its own message and gets exactly it back. */
static void test_many_connections(void)
{
    struct many_server m = {0};
    struct sockaddr_in addr;
    int fds[NCONN], made = 0, right = 0;
    char want[64], got[64];
    pthread_t t;

    m.lfd = tcp_listener(&addr, 1);
    if (m.lfd < 0)
        return;
    if (!CHECK(pthread_create(&t, NULL, many_serve, &m) == 0, "create")) {
        close(m.lfd);
        return;
    }
    for (; made < NCONN; made++) {
        fds[made] = tcp_connect(&addr);
        if (fds[made] < 0)
            break;
    }
    CHECK(made == NCONN, "connected %d of %d", made, NCONN);
    /* All messages go out before any echo is read. */
    for (int i = 0; i < made; i++) {
        int len = snprintf(want, sizeof(want), "connection %d of %d", i, made);
        CHECK_SYSCALL(send(fds[i], want, len, 0), len);
    }
    for (int i = made - 1; i >= 0; i--) {
        size_t len =
            snprintf(want, sizeof(want), "connection %d of %d", i, made);
        size_t n = read_exact(fds[i], got, len);
        if (n == len && memcmp(got, want, len) == 0)
            right++;
        else if (n < len)
            break; /* a lost echo: do not wait out every other one too */
    }
    CHECK(right == made, "%d of %d echoes right", right, made);
    for (int i = 0; i < made; i++)
        close(fds[i]);
    pthread_join(t, NULL);
    close(m.lfd);
    CHECK(m.err == 0, "server: errno %d", m.err);
    CHECK(m.accepted == made, "server accepted %d", m.accepted);
    CHECK(m.echoed == made, "server echoed %d messages", m.echoed);
}

/* accept4 sets O_NONBLOCK and FD_CLOEXEC on the new fd when asked, plain
 * accept sets neither, and an unknown flag is EINVAL. */
static void test_accept4_flags(void)
{
    struct sockaddr_in addr;
    int lfd = tcp_listener(&addr, 1);

    if (lfd < 0)
        return;
    int c1 = tcp_connect(&addr), c2 = tcp_connect(&addr);
    int s1 = accept_within(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (s1 >= 0) {
        CHECK(fcntl(s1, F_GETFL) & O_NONBLOCK, "no O_NONBLOCK");
        CHECK_SYSCALL(fcntl(s1, F_GETFD), FD_CLOEXEC);
        char c;
        CHECK_ERRNO(read(s1, &c, 1), EAGAIN);
        close(s1);
    }
    /* Raw: musl's accept4 answers EINVAL by retrying as plain accept. */
    CHECK_ERRNO(syscall(SYS_accept4, lfd, NULL, NULL, 0x40000000), EINVAL);
    int s2 = accept_within(lfd, NULL, NULL, 0);
    if (s2 >= 0) {
        CHECK(!(fcntl(s2, F_GETFL) & O_NONBLOCK), "O_NONBLOCK unasked");
        CHECK_SYSCALL(fcntl(s2, F_GETFD), 0);
        close(s2);
    }
    close2(c1, c2);
    close(lfd);
}

/* A non-blocking listener with nothing pending: poll shows no POLLIN and
 * accept fails EAGAIN. After a connect it polls readable and accept works;
 * the accepted socket is blocking (Linux does not pass O_NONBLOCK on). */
static void test_accept_nonblocking(void)
{
    struct sockaddr_in addr;
    int lfd = tcp_listener(&addr, 1);

    if (lfd < 0)
        return;
    CHECK_SYSCALL(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
    CHECK_SYSCALL(poll1(lfd, POLLIN, 0), 0);
    CHECK_ERRNO(accept(lfd, NULL, NULL), EAGAIN);
    int c = tcp_connect(&addr);
    CHECK(wait_for(lfd, POLLIN) & POLLIN, "listener not readable");
    int s = accept_within(lfd, NULL, NULL, 0);
    if (s >= 0) {
        CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK), "inherited O_NONBLOCK");
        close(s);
    }
    CHECK_ERRNO(accept(lfd, NULL, NULL), EAGAIN);
    close2(c, lfd);
}

/* A connection reset (SO_LINGER 0, then close) before the server accepts
 * it is still accepted, as on Linux: accept returns it with the client's
 * address; it polls POLLERR|POLLHUP, SO_ERROR is ECONNRESET, then reads
 * give EOF. A second client connected after the reset (so, over loopback,
 * after the server has seen it) is accepted next. */
static void test_accept_after_reset(void)
{
    struct sockaddr_in addr, caddr, from;
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    socklen_t len = sizeof(caddr);
    int err = -1;
    char ch;
    int lfd = tcp_listener(&addr, 1);

    if (lfd < 0)
        return;
    int c = tcp_connect(&addr);
    if (c < 0) {
        close(lfd);
        return;
    }
    CHECK_SYSCALL(getsockname(c, (struct sockaddr *)&caddr, &len), 0);
    CHECK_SYSCALL(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    close(c); /* a RST, not a FIN */
    int c2 = tcp_connect(&addr);
    len = sizeof(from);
    memset(&from, 0, sizeof(from));
    int s = accept_within(lfd, (struct sockaddr *)&from, &len, 0);
    if (s >= 0) {
        CHECK(len == sizeof(from) && same_addr4(&from, &caddr),
              "accept's address (len %u, port %d) is not the reset client's "
              "(port %d)",
              (unsigned)len, ntohs(from.sin_port), ntohs(caddr.sin_port));
        int rev = poll1(s, POLLIN, TIMEOUT_MS);
        CHECK(rev > 0 && (rev & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP),
              "revents %#x, want POLLERR|POLLHUP", rev);
        len = sizeof(err);
        CHECK_SYSCALL(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len), 0);
        CHECK(err == ECONNRESET, "SO_ERROR %s, want ECONNRESET",
              tap_errno_name(err));
        if (rev > 0)
            CHECK_SYSCALL(read(s, &ch, 1), 0);
        close(s);
    }
    int s2 = c2 < 0 ? -1 : accept_within(lfd, NULL, NULL, 0);
    if (s2 >= 0) {
        ch = 0;
        CHECK_SYSCALL(send(c2, "2", 1, 0), 1);
        CHECK(read_exact(s2, &ch, 1) == 1 && ch == '2',
              "second connection read '%c'", ch);
        close(s2);
    }
    close2(c2, lfd);
}

/* shutdown(SHUT_WR) half-closes: the peer reads the data, then EOF (and
 * poll shows POLLRDHUP), yet can still send back, which the first side
 * reads. Sending after SHUT_WR is EPIPE; a bad "how" is EINVAL. */
static void test_shutdown_half_close(void)
{
    char buf[16];
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    CHECK_SYSCALL(write(a, "ping", 4), 4);
    CHECK_SYSCALL(shutdown(a, SHUT_WR), 0);
    CHECK(read_exact(b, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0,
          "peer did not read \"ping\"");
    CHECK(wait_for(b, POLLRDHUP) & POLLRDHUP, "no POLLRDHUP after SHUT_WR");
    CHECK_SYSCALL(read(b, buf, sizeof(buf)), 0);
    CHECK_SYSCALL(read(b, buf, sizeof(buf)), 0);
    CHECK_SYSCALL(write(b, "pong", 4), 4);
    CHECK(read_exact(a, buf, 4) == 4 && memcmp(buf, "pong", 4) == 0,
          "half-closed side did not read \"pong\"");
    CHECK_ERRNO(send(a, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_ERRNO(shutdown(a, 3), EINVAL);
    close2(a, b);
}

/* Connecting to a port that is bound but not listening is refused. The
 * bound socket stays open so that no one else takes the port meanwhile. */
static void test_connect_refused(void)
{
    struct sockaddr_in addr;
    int bound = tcp_listener(&addr, 0);

    if (bound < 0)
        return;
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)),
                ECONNREFUSED);
    close2(c, bound);
}

/* A non-blocking connect to a listener: EINPROGRESS (or at once 0), then
 * epoll reports EPOLLOUT without EPOLLERR and SO_ERROR is 0. Connect again
 * and Linux reports the finished connect as 0, once; after that EISCONN. */
static void test_connect_nonblocking(void)
{
    struct sockaddr_in addr;
    struct epoll_event ev = {.events = EPOLLOUT}, out;
    int err = -1;
    socklen_t len = sizeof(err);
    int lfd = tcp_listener(&addr, 1);

    if (lfd < 0)
        return;
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    errno = 0;
    int r = connect(c, (struct sockaddr *)&addr, sizeof(addr));
    CHECK(r == 0 || errno == EINPROGRESS, "connect = %d, errno %d", r, errno);
    CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev), 0);
    if (CHECK_SYSCALL(epoll_wait(ep, &out, 1, TIMEOUT_MS), 1)) {
        CHECK(out.events & EPOLLOUT, "events %#x", out.events);
        CHECK(!(out.events & (EPOLLERR | EPOLLHUP)), "events %#x", out.events);
    }
    CHECK_SYSCALL(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    CHECK(err == 0, "SO_ERROR %d", err);
    if (r != 0)
        CHECK_SYSCALL(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)), EISCONN);
    int s = accept_within(lfd, NULL, NULL, 0);
    char ch = 0;
    CHECK_SYSCALL(send(c, "n", 1, 0), 1);
    CHECK(read_exact(s, &ch, 1) == 1 && ch == 'n', "read '%c'", ch);
    close2(s, ep);
    close2(c, lfd);
}

/* A non-blocking connect to a port no one listens on: EINPROGRESS (or,
 * when the refusal is already in, ECONNREFUSED at once); poll reports
 * POLLERR, SO_ERROR is ECONNREFUSED and reading SO_ERROR clears it. */
static void test_connect_nonblocking_refused(void)
{
    struct sockaddr_in addr;
    int err = -1;
    socklen_t len = sizeof(err);
    int bound = tcp_listener(&addr, 0);

    if (bound < 0)
        return;
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    errno = 0;
    int r = connect(c, (struct sockaddr *)&addr, sizeof(addr));
    CHECK(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED),
          "connect = %d, errno %d", r, errno);
    if (r == -1 && errno == EINPROGRESS) {
        int rev = wait_for(c, POLLOUT);
        CHECK(rev & POLLERR, "revents %#x, want POLLERR", rev);
        CHECK_SYSCALL(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
        CHECK(err == ECONNREFUSED, "SO_ERROR %d, want ECONNREFUSED", err);
    }
    CHECK_SYSCALL(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    CHECK(err == 0, "SO_ERROR %d after it was read", err);
    close2(c, bound);
}

/* A port held by a listener cannot be bound again: not plainly and not
 * with SO_REUSEADDR on both sockets either (Linux refuses while the first
 * one listens). A merely bound port cannot be bound twice either. */
static void test_bind_in_use(void)
{
    struct sockaddr_in addr, addr2;
    int one = 1;
    int lfd = tcp_listener(&addr, 1);
    int bound = tcp_listener(&addr2, 0);

    if (lfd < 0 || bound < 0) {
        close2(lfd, bound);
        return;
    }
    int b = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERRNO(bind(b, (struct sockaddr *)&addr, sizeof(addr)), EADDRINUSE);
    CHECK_ERRNO(bind(b, (struct sockaddr *)&addr2, sizeof(addr2)), EADDRINUSE);
    close(b);
    CHECK_SYSCALL(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, 4), 0);
    b = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_SYSCALL(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, 4), 0);
    CHECK_ERRNO(bind(b, (struct sockaddr *)&addr, sizeof(addr)), EADDRINUSE);
    close(b);
    close2(lfd, bound);
}

/* A server that closes first leaves its side in TIME_WAIT on the listening
 * port. After the listener closes, a new socket cannot bind the port
 * without SO_REUSEADDR (EADDRINUSE), but can and may listen with it. */
static void test_reuseaddr_time_wait(void)
{
    struct sockaddr_in addr = loopback4(0);
    socklen_t len = sizeof(addr);
    int one = 1;
    char c;

    int lfd = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_SYSCALL(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, 4), 0);
    if (!CHECK_SYSCALL(bind(lfd, (struct sockaddr *)&addr, len), 0) ||
        !CHECK_SYSCALL(listen(lfd, 4), 0) ||
        !CHECK_SYSCALL(getsockname(lfd, (struct sockaddr *)&addr, &len), 0)) {
        close(lfd);
        return;
    }
    int cl = tcp_connect(&addr);
    int s = accept_within(lfd, NULL, NULL, 0);
    close(s); /* the server closes first... */
    CHECK(wait_for(cl, POLLIN) & POLLIN, "client saw no FIN");
    CHECK_SYSCALL(read(cl, &c, 1), 0);
    close(cl); /* ...and the client answers with its FIN */
    close(lfd);

    int n1 = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERRNO(bind(n1, (struct sockaddr *)&addr, sizeof(addr)), EADDRINUSE);
    int n2 = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_SYSCALL(setsockopt(n2, SOL_SOCKET, SO_REUSEADDR, &one, 4), 0);
    CHECK_SYSCALL(bind(n2, (struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_SYSCALL(listen(n2, 4), 0);
    close2(n1, n2);
}

/* read/write/readv/writev work on sockets as send/recv do, and the calls
 * mix freely in one stream. */
static void test_read_write(void)
{
    char buf[32], x[4], y[8];
    struct iovec out[2] = {{"abc", 3}, {"defgh", 5}};
    struct iovec in[2] = {{x, 4}, {y, 4}};
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    CHECK_SYSCALL(write(a, "written", 7), 7);
    memset(buf, 0, sizeof(buf));
    CHECK(wait_for(b, POLLIN) & POLLIN, "no data");
    CHECK_SYSCALL(recv(b, buf, sizeof(buf), 0), 7);
    CHECK(memcmp(buf, "written", 7) == 0, "got \"%.7s\"", buf);
    CHECK_SYSCALL(send(b, "sent", 4, 0), 4);
    CHECK(read_exact(a, buf, 4) == 4 && memcmp(buf, "sent", 4) == 0,
          "read \"%.4s\"", buf);
    CHECK_SYSCALL(writev(a, out, 2), 8);
    CHECK(wait_for(b, POLLIN) & POLLIN, "no data");
    CHECK_SYSCALL(readv(b, in, 2), 8);
    CHECK(memcmp(x, "abcd", 4) == 0 && memcmp(y, "efgh", 4) == 0,
          "readv got \"%.4s\" \"%.4s\"", x, y);
    close2(a, b);
}

/* sendmsg gathers from three buffers, recvmsg scatters into three others of
 * different sizes; a stream reports no peer address (msg_namelen 0). */
static void test_sendmsg_recvmsg_iov(void)
{
    char p[4], q[4], r[4];
    struct sockaddr_in from;
    struct iovec out[3] = {{"abc", 3}, {"defgh", 5}, {"ij", 2}};
    struct iovec in[3] = {{p, 4}, {q, 4}, {r, 2}};
    struct msghdr m = {.msg_iov = out, .msg_iovlen = 3};
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    CHECK_SYSCALL(sendmsg(a, &m, 0), 10);
    CHECK(wait_for(b, POLLIN) & POLLIN, "no data");
    memset(&m, 0, sizeof(m));
    m.msg_iov = in;
    m.msg_iovlen = 3;
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    CHECK_SYSCALL(recvmsg(b, &m, MSG_WAITALL), 10);
    CHECK(memcmp(p, "abcd", 4) == 0 && memcmp(q, "efgh", 4) == 0 &&
              memcmp(r, "ij", 2) == 0,
          "got \"%.4s\" \"%.4s\" \"%.2s\"", p, q, r);
    CHECK(m.msg_flags == 0, "msg_flags %#x", m.msg_flags);
    CHECK(m.msg_namelen == 0, "msg_namelen %u", (unsigned)m.msg_namelen);
    close2(a, b);
}

/* MSG_PEEK returns data without consuming it: a short peek, a full peek,
 * then a real read gets all of it, and the socket is empty afterwards. */
static void test_msg_peek(void)
{
    char buf[16];
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    CHECK_SYSCALL(send(a, "peekaboo", 8, 0), 8);
    CHECK(wait_for(b, POLLIN) & POLLIN, "no data");
    CHECK_SYSCALL(recv(b, buf, 4, MSG_PEEK), 4);
    CHECK(memcmp(buf, "peek", 4) == 0, "peeked \"%.4s\"", buf);
    CHECK_SYSCALL(recv(b, buf, sizeof(buf), MSG_PEEK), 8);
    CHECK_SYSCALL(recv(b, buf, sizeof(buf), 0), 8);
    CHECK(memcmp(buf, "peekaboo", 8) == 0, "read \"%.8s\"", buf);
    CHECK_ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT | MSG_PEEK), EAGAIN);
    close2(a, b);
}

/* MSG_DONTWAIT on an empty blocking socket fails EAGAIN at once and leaves
 * the socket blocking; an O_NONBLOCK socket fails read and recv the same
 * way. */
static void test_msg_dontwait(void)
{
    char buf[4];
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    CHECK_ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    CHECK(!(fcntl(b, F_GETFL) & O_NONBLOCK), "MSG_DONTWAIT set O_NONBLOCK");
    CHECK_SYSCALL(fcntl(b, F_SETFL, O_NONBLOCK), 0);
    CHECK_ERRNO(read(b, buf, sizeof(buf)), EAGAIN);
    CHECK_ERRNO(recv(b, buf, sizeof(buf), 0), EAGAIN);
    close2(a, b);
}

/* FIONREAD (SIOCINQ) counts the bytes waiting to be read. */
static void test_fionread(void)
{
    static char big[1000];
    char buf[300];
    int a, b, n = -1;

    if (!tcp_pair(&a, &b))
        return;
    CHECK_SYSCALL(ioctl(b, FIONREAD, &n), 0);
    CHECK(n == 0, "FIONREAD %d on an empty socket", n);
    CHECK_SYSCALL(send(a, big, sizeof(big), 0), 1000);
    CHECK(wait_for(b, POLLIN) & POLLIN, "no data");
    long long end = now_ms() + TIMEOUT_MS;
    do {
        CHECK_SYSCALL(ioctl(b, FIONREAD, &n), 0);
    } while (n < 1000 && n >= 0 && now_ms() < end);
    CHECK(n == 1000, "FIONREAD %d, want 1000", n);
    CHECK_SYSCALL(read(b, buf, sizeof(buf)), 300);
    CHECK_SYSCALL(ioctl(b, FIONREAD, &n), 0);
    CHECK(n == 700, "FIONREAD %d after reading 300, want 700", n);
    close2(a, b);
}

/* poll and select on a connected socket: writable but not readable while
 * empty, readable once data is in. */
static void test_poll_select_ready(void)
{
    struct timeval tv = {0, 0};
    fd_set rd, wr;
    char buf[8];
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    int rev = poll1(b, POLLIN | POLLOUT, 0);
    CHECK(rev == POLLOUT, "revents %#x on an empty socket, want POLLOUT", rev);
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(b, &rd);
    FD_SET(b, &wr);
    CHECK_SYSCALL(select(b + 1, &rd, &wr, NULL, &tv), 1);
    CHECK(!FD_ISSET(b, &rd) && FD_ISSET(b, &wr), "select: read %d, write %d",
          FD_ISSET(b, &rd), FD_ISSET(b, &wr));

    CHECK_SYSCALL(send(a, "data", 4, 0), 4);
    CHECK(wait_for(b, POLLIN) & POLLIN, "no POLLIN after data");
    rev = poll1(b, POLLIN | POLLOUT, 0);
    CHECK(rev == (POLLIN | POLLOUT), "revents %#x, want POLLIN|POLLOUT", rev);
    FD_ZERO(&rd);
    FD_SET(b, &rd);
    tv.tv_sec = TIMEOUT_MS / 1000;
    CHECK_SYSCALL(select(b + 1, &rd, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(b, &rd), "select: not readable");
    CHECK_SYSCALL(read(b, buf, sizeof(buf)), 4);
    CHECK_SYSCALL(poll1(b, POLLIN, 0), 0);
    close2(a, b);
}

/* After the peer closes: POLLIN|POLLRDHUP, the data still there is read,
 * then read returns 0, again and again. POLLHUP is not set while only the
 * receiving side is shut (Linux sets it once both directions are), so a
 * program that treats POLLHUP as "gone" can still reply; after our own
 * shutdown(SHUT_WR) it is set. */
static void test_peer_close(void)
{
    char buf[8];
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    CHECK_SYSCALL(write(b, "last", 4), 4);
    close(b);
    CHECK(wait_for(a, POLLRDHUP) & POLLRDHUP, "no POLLRDHUP");
    int rev = poll1(a, POLLIN | POLLOUT | POLLRDHUP, 0);
    CHECK(rev & POLLRDHUP, "revents %#x, want POLLRDHUP", rev);
    CHECK(rev & POLLIN, "revents %#x, want POLLIN", rev);
    CHECK(!(rev & POLLHUP), "revents %#x: POLLHUP on a half-close", rev);
    CHECK_SYSCALL(read(a, buf, sizeof(buf)), 4);
    CHECK_SYSCALL(read(a, buf, sizeof(buf)), 0);
    CHECK_SYSCALL(read(a, buf, sizeof(buf)), 0);
    CHECK_SYSCALL(shutdown(a, SHUT_WR), 0);
    rev = wait_for(a, POLLHUP);
    CHECK(rev & POLLHUP, "revents %#x after both sides shut, want POLLHUP",
          rev);
    close(a);
}

/* The peer closes, we read its EOF and shutdown(SHUT_WR): our FIN is
 * acknowledged and the connection is over, in order, which is no error.
 * Through the next 100 ms poll never shows POLLERR and ends at
 * POLLIN|POLLOUT|POLLHUP; SO_ERROR is 0; read gives EOF, send EPIPE. */
static void test_orderly_close_no_error(void)
{
    char buf[4];
    int a, b, rev = 0, err = -1;
    socklen_t len = sizeof(err);

    if (!tcp_pair(&a, &b))
        return;
    close(b);
    CHECK(wait_for(a, POLLRDHUP) & POLLRDHUP, "no FIN from the peer");
    CHECK_SYSCALL(read(a, buf, sizeof(buf)), 0);
    CHECK_SYSCALL(shutdown(a, SHUT_WR), 0);
    for (int ms = 10; ms <= 100; ms += 10) {
        sleep_ms(10); /* time for our FIN and the peer's ACK of it */
        rev = poll1(a, POLLIN | POLLOUT, 0);
        if (!CHECK(!(rev & POLLERR), "revents %#x after %d ms: POLLERR", rev,
                   ms))
            break;
    }
    CHECK(rev == (POLLIN | POLLOUT | POLLHUP),
          "revents %#x, want POLLIN|POLLOUT|POLLHUP", rev);
    CHECK_SYSCALL(getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    CHECK(err == 0, "SO_ERROR %s, want 0", tap_errno_name(err));
    CHECK_SYSCALL(read(a, buf, sizeof(buf)), 0);
    CHECK_ERRNO(send(a, "x", 1, MSG_NOSIGNAL), EPIPE);
    close(a);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

/* Writing to a connection the peer closed: the first write may still go
 * out (the peer answers with a reset), then writes fail EPIPE. With
 * MSG_NOSIGNAL no SIGPIPE comes; a plain write raises one. */
static void test_write_after_peer_close(void)
{
    struct sigaction sa, old;
    ssize_t r = 0;
    int a, b, tries = 0;

    if (!tcp_pair(&a, &b))
        return;
    close(b);
    CHECK(wait_for(a, POLLRDHUP) & POLLRDHUP, "no FIN from the peer");
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, &old);
    sigpipes = 0;
    for (; tries < 100; tries++) {
        r = send(a, "x", 1, MSG_NOSIGNAL);
        if (r < 0)
            break;
        sleep_ms(10);
    }
    tap_diag("the send after %d that went out failed", tries);
    CHECK(r == -1 && errno == EPIPE, "send = %zd, errno %d, want EPIPE", r,
          errno);
    CHECK(sigpipes == 0, "SIGPIPE despite MSG_NOSIGNAL");
    CHECK_ERRNO(write(a, "x", 1), EPIPE);
    CHECK(sigpipes == 1, "%d SIGPIPEs from write, want 1", (int)sigpipes);
    sigaction(SIGPIPE, &old, NULL);
    close(a);
}

struct late_send {
    int fd, delay_ms;
};

static void *send_later(void *arg)
{
    struct late_send *l = arg;

    sleep_ms(l->delay_ms);
    return (void *)(intptr_t)send(l->fd, "late", 4, 0);
}

/* A receive with a timeout, done with poll: on an empty socket poll times
 * out after about the time asked (0, no events); when a thread sends
 * 50 ms later a long poll wakes with POLLIN and recv gets the data. */
static void test_recv_timeout_poll(void)
{
    struct late_send l;
    pthread_t t;
    char buf[8];
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    long long t0 = now_ms();
    CHECK_SYSCALL(poll1(b, POLLIN, 100), 0);
    long long took = now_ms() - t0;
    CHECK(took >= 90, "poll(100 ms) returned after %lld ms", took);
    tap_diag("poll(100 ms) took %lld ms", took);

    l = (struct late_send){.fd = a, .delay_ms = 50};
    if (!CHECK(pthread_create(&t, NULL, send_later, &l) == 0, "create")) {
        close2(a, b);
        return;
    }
    CHECK(poll1(b, POLLIN, TIMEOUT_MS) == POLLIN, "no POLLIN");
    CHECK_SYSCALL(recv(b, buf, sizeof(buf), 0), 4);
    CHECK(memcmp(buf, "late", 4) == 0, "got \"%.4s\"", buf);
    pthread_join(t, NULL);
    close2(a, b);
}

/* --- IPv6 --- */

/* An AF_INET6 TCP socket, or -1 with the test skipped when the system has
 * no IPv6 (socket: EAFNOSUPPORT). */
static int socket6(int *skip)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);

    *skip = fd < 0 && errno == EAFNOSUPPORT;
    if (fd < 0 && !*skip)
        CHECK(0, "socket(AF_INET6): errno %d", errno);
    return fd;
}

/* TCP over ::1: the same connect/accept/addresses/echo as over 127.0.0.1. */
static void test_ipv6_loopback(void)
{
    struct sockaddr_in6 addr, caddr, speer, cpeer;
    socklen_t len = sizeof(addr);
    char buf[8];
    int skip;
    int lfd = socket6(&skip);

    if (skip)
        SKIP("no IPv6 (socket: EAFNOSUPPORT)");
    if (lfd < 0)
        return;
    memset(&addr, 0, sizeof(addr));
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 &&
        errno == EADDRNOTAVAIL) {
        close(lfd);
        SKIP("no ::1 (bind: EADDRNOTAVAIL)");
    }
    if (!CHECK_SYSCALL(listen(lfd, 4), 0) ||
        !CHECK_SYSCALL(getsockname(lfd, (struct sockaddr *)&addr, &len), 0)) {
        close(lfd);
        return;
    }
    CHECK(len == sizeof(addr), "addrlen %u", (unsigned)len);
    CHECK(addr.sin6_family == AF_INET6 && addr.sin6_port != 0 &&
              memcmp(&addr.sin6_addr, &in6addr_loopback, 16) == 0,
          "listener address wrong");
    int c = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_SYSCALL(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
    len = sizeof(speer);
    int s = accept_within(lfd, (struct sockaddr *)&speer, &len, 0);
    if (s >= 0) {
        len = sizeof(caddr);
        CHECK_SYSCALL(getsockname(c, (struct sockaddr *)&caddr, &len), 0);
        len = sizeof(cpeer);
        CHECK_SYSCALL(getpeername(c, (struct sockaddr *)&cpeer, &len), 0);
        CHECK(speer.sin6_port == caddr.sin6_port &&
                  memcmp(&speer.sin6_addr, &in6addr_loopback, 16) == 0,
              "accept's address is not the client");
        CHECK(cpeer.sin6_port == addr.sin6_port &&
                  memcmp(&cpeer.sin6_addr, &in6addr_loopback, 16) == 0,
              "client's peer is not the listener");
        CHECK_SYSCALL(send(c, "six", 3, 0), 3);
        CHECK(read_exact(s, buf, 3) == 3 && memcmp(buf, "six", 3) == 0,
              "server did not read \"six\"");
        CHECK_SYSCALL(send(s, "back", 4, 0), 4);
        CHECK(read_exact(c, buf, 4) == 4 && memcmp(buf, "back", 4) == 0,
              "client did not read \"back\"");
        close(s);
    }
    close2(c, lfd);
}

/* An AF_INET6 socket reaches an IPv4 listener at ::ffff:127.0.0.1, and the
 * IPv4 side sees an ordinary 127.0.0.1 peer (dual-stack clients do this). */
static void test_ipv4_mapped(void)
{
    struct sockaddr_in laddr, speer;
    struct sockaddr_in6 to, cpeer;
    socklen_t len;
    int skip;
    int c = socket6(&skip);

    if (skip)
        SKIP("no IPv6 (socket: EAFNOSUPPORT)");
    if (c < 0)
        return;
    int lfd = tcp_listener(&laddr, 1);
    if (lfd < 0) {
        close(c);
        return;
    }
    memset(&to, 0, sizeof(to));
    to.sin6_family = AF_INET6;
    to.sin6_port = laddr.sin_port;
    to.sin6_addr.s6_addr[10] = 0xff;
    to.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&to.sin6_addr.s6_addr[12], &laddr.sin_addr, 4);
    CHECK_SYSCALL(connect(c, (struct sockaddr *)&to, sizeof(to)), 0);
    len = sizeof(speer);
    int s = accept_within(lfd, (struct sockaddr *)&speer, &len, 0);
    if (s >= 0) {
        CHECK(len == sizeof(speer) && speer.sin_family == AF_INET &&
                  speer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
              "IPv4 side sees family %d address %#x", speer.sin_family,
              ntohl(speer.sin_addr.s_addr));
        len = sizeof(cpeer);
        CHECK_SYSCALL(getpeername(c, (struct sockaddr *)&cpeer, &len), 0);
        CHECK(cpeer.sin6_family == AF_INET6 &&
                  memcmp(&cpeer.sin6_addr, &to.sin6_addr, 16) == 0 &&
                  cpeer.sin6_port == to.sin6_port,
              "IPv6 side's peer is not ::ffff:127.0.0.1");
        char ch = 0;
        CHECK_SYSCALL(send(c, "m", 1, 0), 1);
        CHECK(read_exact(s, &ch, 1) == 1 && ch == 'm', "read '%c'", ch);
        close(s);
    }
    close2(c, lfd);
}

static const struct tap_test tests[] = {
    {"listen, connect, accept and the addresses of both ends",
     test_connect_accept_addresses},
    {"64 MiB echoed in chunks of varying size, checksummed", test_bulk_echo},
    {"200 connections at once served by one poll loop", test_many_connections},
    {"accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC", test_accept4_flags},
    {"accept on a non-blocking listener with nothing pending is EAGAIN",
     test_accept_nonblocking},
    {"a connection reset before accept() is still accepted",
     test_accept_after_reset},
    {"shutdown(SHUT_WR) half-close: EOF to the peer, which still replies",
     test_shutdown_half_close},
    {"connect to a bound port with no listener is ECONNREFUSED",
     test_connect_refused},
    {"non-blocking connect: EINPROGRESS, EPOLLOUT, SO_ERROR 0, EISCONN",
     test_connect_nonblocking},
    {"non-blocking connect refused: POLLERR and SO_ERROR ECONNREFUSED",
     test_connect_nonblocking_refused},
    {"binding a port in use is EADDRINUSE", test_bind_in_use},
    {"SO_REUSEADDR binds a port left in TIME_WAIT", test_reuseaddr_time_wait},
    {"read, write, readv and writev on sockets", test_read_write},
    {"sendmsg and recvmsg with three-part iovecs", test_sendmsg_recvmsg_iov},
    {"MSG_PEEK leaves the data in place", test_msg_peek},
    {"MSG_DONTWAIT and O_NONBLOCK on an empty socket are EAGAIN",
     test_msg_dontwait},
    {"FIONREAD counts the bytes waiting", test_fionread},
    {"poll and select report readiness", test_poll_select_ready},
    {"peer close: POLLRDHUP, data, then EOF; POLLHUP after both shut",
     test_peer_close},
    {"orderly close after both FINs: no POLLERR, SO_ERROR 0",
     test_orderly_close_no_error},
    {"write after the peer closed is EPIPE, SIGPIPE unless MSG_NOSIGNAL",
     test_write_after_peer_close},
    {"recv with a timeout through poll", test_recv_timeout_poll},
    {"TCP over ::1", test_ipv6_loopback},
    {"IPv6 socket to an IPv4 listener via ::ffff:127.0.0.1", test_ipv4_mapped},
};

int main(void)
{
    /* A socket bug must fail a test, not kill the program with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    return tap_run(tests, TAP_COUNT(tests));
}
