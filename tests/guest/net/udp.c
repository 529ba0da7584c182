/* SPDX-License-Identifier: MIT */
/*
 * udp.c: UDP over loopback. sendto/recvfrom from 0 bytes to the 65507-byte
 * maximum with the source address, message boundaries, connected sockets
 * (filtering, disconnect, ECONNREFUSED from a closed port), truncation and
 * MSG_TRUNC, sendmmsg/recvmmsg, the implicit bind of sendto, FIONREAD,
 * EMSGSIZE, EAGAIN, and the same over ::1 when there is IPv6.
 *
 * One thread: every receive waits with poll and a timeout first, since on
 * loopback a datagram sent is queued at the receiver before sendto returns
 * on Linux, but husk need not be that quick.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

/* The largest UDP payload over IPv4: 65535 - 20 (IP) - 8 (UDP). */
#define UDP_MAX 65507

static uint8_t sbuf[UDP_MAX + 1], rbuf[UDP_MAX + 16];

/* A UDP socket bound to 127.0.0.1 on an ephemeral port; *addr gets the
 * address. Returns the fd or -1. */
static int udp_bound(struct sockaddr_in *addr)
{
    socklen_t len = sizeof(*addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (!CHECK(fd >= 0, "socket: errno %d", errno))
        return -1;
    *addr = loopback4(0);
    if (!CHECK_SYSCALL(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0) ||
        !CHECK_SYSCALL(getsockname(fd, (struct sockaddr *)addr, &len), 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Fill n bytes with a pattern that differs for each size. */
static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + n + (i >> 8));
}

/* Datagrams of 0, 1, 1000, 1472 (one Ethernet frame), 8192 and 65507 (the
 * largest) bytes go through whole; recvfrom reports the sender's address. */
static void test_sizes(void)
{
    static const size_t sizes[] = {0, 1, 1000, 1472, 8192, UDP_MAX};
    struct sockaddr_in aaddr, baddr, from;
    socklen_t len;
    int a = udp_bound(&aaddr), b = udp_bound(&baddr);

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        fill(sbuf, n);
        if (!CHECK_SYSCALL(
                sendto(a, sbuf, n, 0, (struct sockaddr *)&baddr, sizeof(baddr)),
                n) ||
            !wait_in(b))
            break;
        len = sizeof(from);
        memset(&from, 0, sizeof(from));
        memset(rbuf, 0, n);
        CHECK_SYSCALL(
            recvfrom(b, rbuf, sizeof(rbuf), 0, (struct sockaddr *)&from, &len),
            n);
        CHECK(memcmp(rbuf, sbuf, n) == 0, "%zu-byte datagram corrupted", n);
        CHECK(len == sizeof(from) && same_addr4(&from, &aaddr),
              "%zu bytes: source %#x:%d (len %u), want the sender", n,
              ntohl(from.sin_addr.s_addr), ntohs(from.sin_port), (unsigned)len);
    }
    close2(a, b);
}

/* Each send is one datagram: two sends are two receives even into a large
 * buffer, and MSG_PEEK shows the first without taking it. */
static void test_boundaries(void)
{
    struct sockaddr_in aaddr, baddr;
    char buf[64];
    int a = udp_bound(&aaddr), b = udp_bound(&baddr);

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    CHECK_SYSCALL(
        sendto(a, "one", 3, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 3);
    CHECK_SYSCALL(
        sendto(a, "second", 6, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 6);
    if (wait_in(b)) {
        CHECK_SYSCALL(recv(b, buf, sizeof(buf), MSG_PEEK), 3);
        CHECK_SYSCALL(recv(b, buf, sizeof(buf), 0), 3);
        CHECK(memcmp(buf, "one", 3) == 0, "got \"%.3s\"", buf);
    }
    if (wait_in(b)) {
        CHECK_SYSCALL(recv(b, buf, sizeof(buf), 0), 6);
        CHECK(memcmp(buf, "second", 6) == 0, "got \"%.6s\"", buf);
    }
    close2(a, b);
}

/* connect() on UDP sets the default destination (send/write work, sendto
 * without an address fails EDESTADDRREQ before) and filters what arrives:
 * a datagram from a third socket is dropped. connect to AF_UNSPEC
 * dissolves the association. */
static void test_connected(void)
{
    struct sockaddr_in aaddr, baddr, caddr, peer;
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    socklen_t len = sizeof(peer);
    char buf[16];
    int a = udp_bound(&aaddr), b = udp_bound(&baddr), c = udp_bound(&caddr);

    if (a < 0 || b < 0 || c < 0) {
        close2(a, b);
        close2(c, -1);
        return;
    }
    CHECK_ERRNO(send(a, "x", 1, 0), EDESTADDRREQ);
    CHECK_ERRNO(getpeername(a, (struct sockaddr *)&peer, &len), ENOTCONN);
    CHECK_SYSCALL(connect(a, (struct sockaddr *)&baddr, sizeof(baddr)), 0);
    CHECK_SYSCALL(connect(b, (struct sockaddr *)&aaddr, sizeof(aaddr)), 0);
    len = sizeof(peer);
    CHECK_SYSCALL(getpeername(a, (struct sockaddr *)&peer, &len), 0);
    CHECK(same_addr4(&peer, &baddr), "getpeername is not the connected peer");

    CHECK_SYSCALL(send(a, "hello", 5, 0), 5);
    if (wait_in(b)) {
        CHECK_SYSCALL(recv(b, buf, sizeof(buf), 0), 5);
        CHECK(memcmp(buf, "hello", 5) == 0, "got \"%.5s\"", buf);
    }
    CHECK_SYSCALL(write(b, "back", 4), 4);
    if (wait_in(a)) {
        CHECK_SYSCALL(read(a, buf, sizeof(buf)), 4);
        CHECK(memcmp(buf, "back", 4) == 0, "got \"%.4s\"", buf);
    }

    /* A stranger's datagram does not reach a socket connected elsewhere;
     * the peer's, sent after it, does, and is the first thing read. */
    CHECK_SYSCALL(
        sendto(c, "stranger", 8, 0, (struct sockaddr *)&aaddr, sizeof(aaddr)),
        8);
    CHECK_SYSCALL(send(b, "peer", 4, 0), 4);
    if (wait_in(a)) {
        CHECK_SYSCALL(recv(a, buf, sizeof(buf), 0), 4);
        CHECK(memcmp(buf, "peer", 4) == 0, "got \"%.4s\"", buf);
    }
    CHECK_SYSCALL(poll1(a, POLLIN, 50), 0);

    /* Disconnected, it has no default destination again, and sendto with
     * an address works. (Linux also drops the ephemeral port of a socket
     * bound to port 0 here, so receiving is not checked.) */
    CHECK_SYSCALL(connect(a, &unspec, sizeof(unspec)), 0);
    len = sizeof(peer);
    CHECK_ERRNO(getpeername(a, (struct sockaddr *)&peer, &len), ENOTCONN);
    CHECK_ERRNO(send(a, "x", 1, 0), EDESTADDRREQ);
    CHECK_SYSCALL(
        sendto(a, "anyone", 6, 0, (struct sockaddr *)&caddr, sizeof(caddr)), 6);
    if (wait_in(c)) {
        CHECK_SYSCALL(recv(c, buf, sizeof(buf), 0), 6);
        CHECK(memcmp(buf, "anyone", 6) == 0, "got \"%.6s\"", buf);
    }
    close2(a, b);
    close(c);
}

/* A connected UDP socket that sends to a port with no socket learns of it
 * (ICMP port unreachable on Linux): poll shows POLLERR and the next recv
 * fails ECONNREFUSED, once. */
static void test_connected_refused(void)
{
    struct sockaddr_in gone, aaddr;
    char buf[4];
    int g = udp_bound(&gone);

    if (g < 0)
        return;
    close(g); /* nothing is bound to "gone" now */
    int a = udp_bound(&aaddr);
    if (a < 0)
        return;
    CHECK_SYSCALL(connect(a, (struct sockaddr *)&gone, sizeof(gone)), 0);
    CHECK_SYSCALL(send(a, "anyone?", 7, 0), 7);
    int rev = poll1(a, POLLIN, TIMEOUT_MS);
    CHECK(rev & POLLERR, "revents %#x, want POLLERR", rev);
    CHECK_ERRNO(recv(a, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED);
    CHECK_ERRNO(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    close(a);
}

/* A datagram longer than the buffer is cut: recvmsg returns the part that
 * fit and sets MSG_TRUNC in msg_flags, and the rest is gone. With MSG_TRUNC
 * as a flag, recv returns the datagram's real length. */
static void test_truncation(void)
{
    struct sockaddr_in aaddr, baddr;
    char buf[10];
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    int a = udp_bound(&aaddr), b = udp_bound(&baddr);

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    fill(sbuf, 100);
    CHECK_SYSCALL(
        sendto(a, sbuf, 100, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 100);
    if (wait_in(b)) {
        CHECK_SYSCALL(recvmsg(b, &m, 0), 10);
        CHECK(m.msg_flags & MSG_TRUNC, "msg_flags %#x, want MSG_TRUNC",
              m.msg_flags);
        CHECK(memcmp(buf, sbuf, 10) == 0, "the first 10 bytes differ");
    }
    CHECK_ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

    CHECK_SYSCALL(
        sendto(a, sbuf, 100, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 100);
    if (wait_in(b))
        CHECK_SYSCALL(recv(b, buf, sizeof(buf), MSG_TRUNC), 100);
    CHECK_ERRNO(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

    /* A datagram that fits exactly is not MSG_TRUNC. */
    CHECK_SYSCALL(
        sendto(a, sbuf, 10, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 10);
    if (wait_in(b)) {
        m.msg_flags = -1;
        CHECK_SYSCALL(recvmsg(b, &m, 0), 10);
        CHECK(m.msg_flags == 0, "msg_flags %#x, want 0", m.msg_flags);
    }
    close2(a, b);
}

/* sendmmsg sends five datagrams in one call, each message's msg_len set;
 * recvmmsg with MSG_WAITFORONE takes all five, each with its length and
 * source address. */
static void test_mmsg(void)
{
    enum { N = 5, SLOTS = 8 };
    struct sockaddr_in aaddr, baddr, from[SLOTS];
    struct mmsghdr out[N], in[SLOTS];
    struct iovec oiov[N], iiov[SLOTS];
    char data[N][32], got[SLOTS][32];
    int a = udp_bound(&aaddr), b = udp_bound(&baddr);

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    memset(out, 0, sizeof(out));
    for (int i = 0; i < N; i++) {
        memset(data[i], 'a' + i, sizeof(data[i]));
        oiov[i] = (struct iovec){data[i], (size_t)(i + 1) * 5};
        out[i].msg_hdr.msg_name = &baddr;
        out[i].msg_hdr.msg_namelen = sizeof(baddr);
        out[i].msg_hdr.msg_iov = &oiov[i];
        out[i].msg_hdr.msg_iovlen = 1;
    }
    /* Raw: musl's sendmmsg is a loop of sendmsg calls, glibc's is this. */
    CHECK_SYSCALL(syscall(SYS_sendmmsg, a, out, N, 0), N);
    for (int i = 0; i < N; i++)
        CHECK(out[i].msg_len == (unsigned)(i + 1) * 5, "msg_len[%d] = %u", i,
              out[i].msg_len);

    memset(in, 0, sizeof(in));
    for (int i = 0; i < SLOTS; i++) {
        iiov[i] = (struct iovec){got[i], sizeof(got[i])};
        in[i].msg_hdr.msg_name = &from[i];
        in[i].msg_hdr.msg_namelen = sizeof(from[i]);
        in[i].msg_hdr.msg_iov = &iiov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    if (!wait_in(b)) {
        close2(a, b);
        return;
    }
    /* All five are queued once the first is (loopback, one sender), so one
     * call gets them; collect over a few calls in case husk is slower. */
    int total = 0;
    for (int tries = 0; total < N && tries < 100; tries++) {
        if (total > 0 && poll1(b, POLLIN, TIMEOUT_MS) <= 0)
            break;
        int r = recvmmsg(b, in + total, SLOTS - total, MSG_WAITFORONE, NULL);
        if (!CHECK(r > 0, "recvmmsg = %d, errno %d", r, errno))
            break;
        total += r;
    }
    CHECK(total == N, "received %d datagrams, want %d", total, N);
    for (int i = 0; i < total && i < N; i++) {
        size_t n = (size_t)(i + 1) * 5;
        CHECK(in[i].msg_len == n && memcmp(got[i], data[i], n) == 0,
              "datagram %d: %u bytes of '%c', want %zu of '%c'", i,
              in[i].msg_len, got[i][0], n, data[i][0]);
        CHECK(same_addr4(&from[i], &aaddr), "datagram %d: wrong source", i);
    }
    CHECK_ERRNO(recv(b, got[0], 1, MSG_DONTWAIT), EAGAIN);
    close2(a, b);
}

/* sendto from an unbound socket binds it to an ephemeral port first:
 * getsockname shows port 0 before and a real port after (on the wildcard
 * address), and the receiver sees that port as the source. */
static void test_implicit_bind(void)
{
    struct sockaddr_in baddr, mine, from;
    socklen_t len = sizeof(mine);
    char buf[4];
    int b = udp_bound(&baddr);
    int a = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    CHECK_SYSCALL(getsockname(a, (struct sockaddr *)&mine, &len), 0);
    CHECK(mine.sin_family == AF_INET && mine.sin_port == 0 &&
              mine.sin_addr.s_addr == htonl(INADDR_ANY),
          "unbound socket is at %#x:%d", ntohl(mine.sin_addr.s_addr),
          ntohs(mine.sin_port));
    CHECK_SYSCALL(
        sendto(a, "auto", 4, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 4);
    len = sizeof(mine);
    CHECK_SYSCALL(getsockname(a, (struct sockaddr *)&mine, &len), 0);
    CHECK(mine.sin_port != 0, "still port 0 after sendto");
    CHECK(mine.sin_addr.s_addr == htonl(INADDR_ANY),
          "implicitly bound to %#x, want 0.0.0.0", ntohl(mine.sin_addr.s_addr));
    if (wait_in(b)) {
        len = sizeof(from);
        CHECK_SYSCALL(
            recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len),
            4);
        CHECK(from.sin_port == mine.sin_port &&
                  from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
              "source %#x:%d, want 127.0.0.1:%d", ntohl(from.sin_addr.s_addr),
              ntohs(from.sin_port), ntohs(mine.sin_port));
    }
    close2(a, b);
}

/* FIONREAD on UDP is the size of the next datagram, not of all queued:
 * 0 when empty, 100 with 100 and 200 queued, then 200. */
static void test_fionread(void)
{
    struct sockaddr_in aaddr, baddr;
    int a = udp_bound(&aaddr), b = udp_bound(&baddr), n = -1;

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    CHECK_SYSCALL(ioctl(b, FIONREAD, &n), 0);
    CHECK(n == 0, "FIONREAD %d when empty", n);
    fill(sbuf, 200);
    CHECK_SYSCALL(
        sendto(a, sbuf, 100, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 100);
    CHECK_SYSCALL(
        sendto(a, sbuf, 200, 0, (struct sockaddr *)&baddr, sizeof(baddr)), 200);
    if (wait_in(b)) {
        CHECK_SYSCALL(ioctl(b, FIONREAD, &n), 0);
        CHECK(n == 100, "FIONREAD %d, want 100", n);
        CHECK_SYSCALL(recv(b, rbuf, sizeof(rbuf), 0), 100);
    }
    if (wait_in(b)) {
        CHECK_SYSCALL(ioctl(b, FIONREAD, &n), 0);
        CHECK(n == 200, "FIONREAD %d, want 200", n);
        CHECK_SYSCALL(recv(b, rbuf, sizeof(rbuf), 0), 200);
    }
    CHECK_SYSCALL(ioctl(b, FIONREAD, &n), 0);
    CHECK(n == 0, "FIONREAD %d after reading all", n);
    close2(a, b);
}

/* One byte over the IPv4 maximum is EMSGSIZE, for sendto and for a
 * connected send; the maximum itself goes. */
static void test_emsgsize(void)
{
    struct sockaddr_in aaddr, baddr;
    int a = udp_bound(&aaddr), b = udp_bound(&baddr);

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    CHECK_ERRNO(sendto(a, sbuf, UDP_MAX + 1, 0, (struct sockaddr *)&baddr,
                       sizeof(baddr)),
                EMSGSIZE);
    CHECK_SYSCALL(connect(a, (struct sockaddr *)&baddr, sizeof(baddr)), 0);
    CHECK_ERRNO(send(a, sbuf, UDP_MAX + 1, 0), EMSGSIZE);
    CHECK_SYSCALL(send(a, sbuf, UDP_MAX, 0), UDP_MAX);
    close2(a, b);
}

/* Receiving on an empty socket: MSG_DONTWAIT fails EAGAIN on a blocking
 * socket (which stays blocking); on an O_NONBLOCK one recvfrom and read
 * fail EAGAIN too. Poll reports writable, not readable. */
static void test_empty_eagain(void)
{
    struct sockaddr_in addr, from;
    socklen_t len = sizeof(from);
    char buf[8];
    int s = udp_bound(&addr);

    if (s < 0)
        return;
    CHECK_ERRNO(recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
    CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK), "MSG_DONTWAIT set O_NONBLOCK");
    CHECK_SYSCALL(poll1(s, POLLIN | POLLOUT, 0), POLLOUT);
    CHECK_SYSCALL(fcntl(s, F_SETFL, O_NONBLOCK), 0);
    CHECK_ERRNO(
        recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len),
        EAGAIN);
    CHECK_ERRNO(read(s, buf, sizeof(buf)), EAGAIN);
    close(s);
}

/* UDP over ::1: a datagram there and back, the source address right. */
static void test_ipv6(void)
{
    struct sockaddr_in6 aaddr, baddr, from;
    socklen_t len;
    char buf[16];
    int a = socket(AF_INET6, SOCK_DGRAM, 0);

    if (a < 0 && errno == EAFNOSUPPORT)
        SKIP("no IPv6 (socket: EAFNOSUPPORT)");
    if (!CHECK(a >= 0, "socket(AF_INET6): errno %d", errno))
        return;
    int b = CHECK_OK(socket(AF_INET6, SOCK_DGRAM, 0));
    memset(&aaddr, 0, sizeof(aaddr));
    aaddr.sin6_family = AF_INET6;
    aaddr.sin6_addr = in6addr_loopback;
    baddr = aaddr;
    if (bind(a, (struct sockaddr *)&aaddr, sizeof(aaddr)) != 0 &&
        errno == EADDRNOTAVAIL) {
        close2(a, b);
        SKIP("no ::1 (bind: EADDRNOTAVAIL)");
    }
    CHECK_SYSCALL(bind(b, (struct sockaddr *)&baddr, sizeof(baddr)), 0);
    len = sizeof(aaddr);
    CHECK_SYSCALL(getsockname(a, (struct sockaddr *)&aaddr, &len), 0);
    len = sizeof(baddr);
    CHECK_SYSCALL(getsockname(b, (struct sockaddr *)&baddr, &len), 0);
    CHECK_SYSCALL(
        sendto(a, "over six", 8, 0, (struct sockaddr *)&baddr, sizeof(baddr)),
        8);
    if (wait_in(b)) {
        len = sizeof(from);
        CHECK_SYSCALL(
            recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len),
            8);
        CHECK(memcmp(buf, "over six", 8) == 0, "got \"%.8s\"", buf);
        CHECK(len == sizeof(from) && from.sin6_family == AF_INET6 &&
                  from.sin6_port == aaddr.sin6_port &&
                  memcmp(&from.sin6_addr, &in6addr_loopback, 16) == 0,
              "source is not the sender");
    }
    close2(a, b);
}

static const struct tap_test tests[] = {
    {"sendto/recvfrom of 0 to 65507 bytes with the source address", test_sizes},
    {"datagrams keep their boundaries; MSG_PEEK", test_boundaries},
    {"connect on UDP: send/recv, filtering, AF_UNSPEC disconnect",
     test_connected},
    {"connected UDP to a closed port: ECONNREFUSED", test_connected_refused},
    {"a too-small buffer truncates and sets MSG_TRUNC", test_truncation},
    {"sendmmsg and recvmmsg of five datagrams", test_mmsg},
    {"sendto binds an unbound socket to an ephemeral port", test_implicit_bind},
    {"FIONREAD is the size of the next datagram", test_fionread},
    {"more than 65507 bytes is EMSGSIZE", test_emsgsize},
    {"MSG_DONTWAIT and O_NONBLOCK on an empty socket are EAGAIN",
     test_empty_eagain},
    {"UDP over ::1", test_ipv6},
};

TAP_MAIN(tests)
