/* SPDX-License-Identifier: MIT */
/*
 * net.h: header-only helpers shared by the guest socket tests
 * (tests/guest/net): loopback addresses, poll with a timeout, reading a
 * known amount, a connected TCP pair over 127.0.0.1, closing two fds.
 *
 * Define _GNU_SOURCE before including it (accept4 needs it). Helpers that fail
 * a test do so with tap.h's CHECK macros, so their diagnostics name this file.
 * Every wait is bounded by TIMEOUT_MS, so a lost wakeup fails the test instead
 * of hanging it.
 */
#ifndef HUSK_TESTS_NET_H
#define HUSK_TESTS_NET_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define NET_API static __attribute__((unused))

/* The longest any one wait may take before a test gives up. */
#define TIMEOUT_MS 10000

NET_API void sleep_ms(int ms)
{
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&d, NULL);
}

/* Close a and b, each unless it is negative. */
NET_API void close2(int a, int b)
{
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
}

/* Poll one fd: its revents, 0 on timeout, -1 on error. */
NET_API int poll1(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int r = poll(&pfd, 1, timeout_ms);

    return r < 0 ? -1 : r == 0 ? 0 : pfd.revents;
}

/* Wait up to TIMEOUT_MS until fd is readable (data, a datagram, EOF or an
 * error); a CHECK that fails the test if it never is. */
NET_API int wait_in(int fd)
{
    int rev = poll1(fd, POLLIN, TIMEOUT_MS);

    return CHECK(rev > 0, "nothing to read within %d ms (poll %d)", TIMEOUT_MS,
                 rev);
}

/* Read exactly n bytes, waiting at most TIMEOUT_MS for each piece.
 * Returns the bytes read: n, or fewer on EOF, error or timeout. */
NET_API size_t read_exact(int fd, void *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        if (poll1(fd, POLLIN, TIMEOUT_MS) <= 0)
            break;
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0)
            break;
        got += r;
    }
    return got;
}

/* FNV-1a, continued from h (FNV_INIT to start) over n bytes. */
#define FNV_INIT 0xcbf29ce484222325ULL

NET_API uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* --- IPv4 over loopback --- */

/* 127.0.0.1 with a port in network order. */
NET_API struct sockaddr_in loopback4(in_port_t port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = port;
    return a;
}

NET_API int same_addr4(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
    return a->sin_family == b->sin_family && a->sin_port == b->sin_port &&
           a->sin_addr.s_addr == b->sin_addr.s_addr;
}

/* A TCP socket bound to 127.0.0.1 on an ephemeral port, listening if
 * "listening"; *addr gets the address. Returns the fd or -1. */
NET_API int tcp_listener(struct sockaddr_in *addr, int listening)
{
    socklen_t len = sizeof(*addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (!CHECK(fd >= 0, "socket: errno %d", errno))
        return -1;
    *addr = loopback4(0);
    if (!CHECK_SYSCALL(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0) ||
        (listening && !CHECK_SYSCALL(listen(fd, 256), 0)) ||
        !CHECK_SYSCALL(getsockname(fd, (struct sockaddr *)addr, &len), 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A TCP socket connected (blocking) to addr, or -1. */
NET_API int tcp_connect(const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (!CHECK(fd >= 0, "socket: errno %d", errno))
        return -1;
    if (!CHECK_SYSCALL(
            connect(fd, (const struct sockaddr *)addr, sizeof(*addr)), 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* accept (or accept4 with flags) once poll says a connection is waiting, so
 * that a lost one fails the test instead of hanging it. The new fd, or -1. */
NET_API int accept_within(int lfd, struct sockaddr *addr, socklen_t *len,
                          int flags)
{
    struct pollfd pfd = {.fd = lfd, .events = POLLIN};

    if (!CHECK(poll(&pfd, 1, TIMEOUT_MS) == 1,
               "no connection to accept within %d ms", TIMEOUT_MS))
        return -1;
    if (flags == 0)
        return CHECK_OK(accept(lfd, addr, len));
    return CHECK_OK(accept4(lfd, addr, len, flags));
}

/* A connected pair over 127.0.0.1: *c from connect, *s from accept (both
 * blocking). Returns 1 on success; on failure both are -1. */
NET_API int tcp_pair(int *c, int *s)
{
    struct sockaddr_in addr;
    int lfd = tcp_listener(&addr, 1);

    *c = *s = -1;
    if (lfd < 0)
        return 0;
    *c = tcp_connect(&addr);
    if (*c >= 0)
        *s = accept_within(lfd, NULL, NULL, 0);
    close(lfd);
    if (*s < 0 && *c >= 0) {
        close(*c);
        *c = -1;
    }
    return *s >= 0;
}

#endif /* HUSK_TESTS_NET_H */
