/* SPDX-License-Identifier: MIT */
/*
 * sockopt.c: socket options, interface ioctls and the error returns of the
 * socket calls. setsockopt/getsockopt round trips (SOL_SOCKET, IPPROTO_TCP,
 * IPV6_V6ONLY) and their errors (ENOPROTOOPT, EOPNOTSUPP, EINVAL, EFAULT);
 * the read-only SO_TYPE/SO_DOMAIN/SO_PROTOCOL/SO_ACCEPTCONN/SO_ERROR; the
 * errors of socket(), bind, connect, listen, accept, send and recv; the
 * SIOCGIF* ioctls on "lo" that if_nametoindex and friends rely on; and
 * getaddrinfo of a numeric address.
 *
 * Where Linux answers a bad call in a surprising way, the test asserts
 * Linux's answer and says so. EFAULT cases use raw syscall() so that libc
 * checks nothing before the kernel (or husk) does.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

/* An address no user mapping has (the first page). */
#define BAD_PTR ((void *)16)

static int tcp_socket(void)
{
    return CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
}

/* getsockopt of an int option: the value, or -1000 after a failed CHECK
 * (the call failed or returned a length other than 4). */
static int get_int(int fd, int level, int name)
{
    int v = -1000;
    socklen_t len = sizeof(v);

    if (!CHECK_SYSCALL(getsockopt(fd, level, name, &v, &len), 0))
        return -1000;
    if (!CHECK(len == sizeof(int), "option %d:%d: optlen %u, want 4", level,
               name, (unsigned)len))
        return -1000;
    return v;
}

static int set_int(int fd, int level, int name, int v)
{
    return CHECK_SYSCALL(setsockopt(fd, level, name, &v, sizeof(v)), 0);
}

/* SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE and TCP_NODELAY start off, read
 * back 1 once set (Linux reports 1 for any non-zero value set) and 0 once
 * cleared. */
static void test_bool_options(void)
{
    static const struct {
        int level, name;
        const char *what;
    } opts[] = {
        {SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"},
        {SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"},
        {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},
        {IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"},
    };
    int fd = tcp_socket();

    if (fd < 0)
        return;
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        int lv = opts[i].level, nm = opts[i].name, v;
        v = get_int(fd, lv, nm);
        CHECK(v == 0, "%s starts at %d", opts[i].what, v);
        set_int(fd, lv, nm, 1);
        v = get_int(fd, lv, nm);
        CHECK(v == 1, "%s set to 1 reads %d", opts[i].what, v);
        set_int(fd, lv, nm, 0);
        v = get_int(fd, lv, nm);
        CHECK(v == 0, "%s cleared reads %d", opts[i].what, v);
        set_int(fd, lv, nm, 5);
        v = get_int(fd, lv, nm);
        CHECK(v == 1, "%s set to 5 reads %d", opts[i].what, v);
    }
    close(fd);
}

/* With SO_REUSEPORT on both, two TCP sockets bind and listen on one port. */
static void test_reuseport_shared(void)
{
    struct sockaddr_in addr = loopback4(0);
    socklen_t len = sizeof(addr);
    int a = tcp_socket(), b = tcp_socket();

    if (a < 0 || b < 0) {
        close2(a, b);
        return;
    }
    set_int(a, SOL_SOCKET, SO_REUSEPORT, 1);
    set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
    CHECK_SYSCALL(bind(a, (struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_SYSCALL(listen(a, 4), 0);
    CHECK_SYSCALL(getsockname(a, (struct sockaddr *)&addr, &len), 0);
    CHECK_SYSCALL(bind(b, (struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_SYSCALL(listen(b, 4), 0);
    close2(a, b);
}

/* TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT read back what was set and
 * refuse 0 with EINVAL. */
static void test_tcp_keepalive_tuning(void)
{
    static const struct {
        int name, value;
        const char *what;
    } opts[] = {
        {TCP_KEEPIDLE, 30, "TCP_KEEPIDLE"},
        {TCP_KEEPINTVL, 5, "TCP_KEEPINTVL"},
        {TCP_KEEPCNT, 4, "TCP_KEEPCNT"},
    };
    int fd = tcp_socket(), zero = 0;

    if (fd < 0)
        return;
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        int v = get_int(fd, IPPROTO_TCP, opts[i].name);
        CHECK(v > 0, "%s starts at %d", opts[i].what, v);
        set_int(fd, IPPROTO_TCP, opts[i].name, opts[i].value);
        v = get_int(fd, IPPROTO_TCP, opts[i].name);
        CHECK(v == opts[i].value, "%s reads %d, want %d", opts[i].what, v,
              opts[i].value);
        CHECK_ERRNO(setsockopt(fd, IPPROTO_TCP, opts[i].name, &zero, 4),
                    EINVAL);
    }
    close(fd);
}

/* SO_LINGER takes and gives a struct linger: off by default, {1, 5} back
 * as set; an optlen shorter than the struct is EINVAL. */
static void test_linger(void)
{
    struct linger l = {-1, -1};
    socklen_t len = sizeof(l);
    int fd = tcp_socket();

    if (fd < 0)
        return;
    CHECK_SYSCALL(getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len), 0);
    CHECK(len == sizeof(l) && l.l_onoff == 0 && l.l_linger == 0,
          "default {%d, %d} len %u", l.l_onoff, l.l_linger, (unsigned)len);
    l = (struct linger){1, 5};
    CHECK_SYSCALL(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
    memset(&l, 0, sizeof(l));
    len = sizeof(l);
    CHECK_SYSCALL(getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len), 0);
    CHECK(len == sizeof(l) && l.l_onoff == 1 && l.l_linger == 5,
          "read {%d, %d} len %u, want {1, 5}", l.l_onoff, l.l_linger,
          (unsigned)len);
    CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(int)), EINVAL);
    close(fd);
}

/* SO_RCVBUF and SO_SNDBUF are positive, and still positive after a set
 * (Linux stores double the value asked, so the exact value is not
 * checked). */
static void test_buffer_sizes(void)
{
    int fd = tcp_socket(), v;

    if (fd < 0)
        return;
    v = get_int(fd, SOL_SOCKET, SO_RCVBUF);
    CHECK(v > 0, "SO_RCVBUF %d", v);
    v = get_int(fd, SOL_SOCKET, SO_SNDBUF);
    CHECK(v > 0, "SO_SNDBUF %d", v);
    set_int(fd, SOL_SOCKET, SO_RCVBUF, 65536);
    set_int(fd, SOL_SOCKET, SO_SNDBUF, 65536);
    v = get_int(fd, SOL_SOCKET, SO_RCVBUF);
    CHECK(v > 0, "SO_RCVBUF %d", v);
    tap_diag("SO_RCVBUF after setting 65536: %d", v);
    v = get_int(fd, SOL_SOCKET, SO_SNDBUF);
    CHECK(v > 0, "SO_SNDBUF %d", v);
    close(fd);
}

/* SO_TYPE, SO_DOMAIN and SO_PROTOCOL describe TCP, UDP and unix sockets,
 * and are read-only: setting them is ENOPROTOOPT. */
static void test_type_domain_protocol(void)
{
    static const struct {
        int domain, type, protocol;
    } kinds[] = {
        {AF_INET, SOCK_STREAM, IPPROTO_TCP},
        {AF_INET, SOCK_DGRAM, IPPROTO_UDP},
        {AF_UNIX, SOCK_STREAM, 0},
        {AF_UNIX, SOCK_DGRAM, 0},
    };

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        int fd = CHECK_OK(socket(kinds[i].domain, kinds[i].type, 0)), v;
        if (fd < 0)
            continue;
        v = get_int(fd, SOL_SOCKET, SO_TYPE);
        CHECK(v == kinds[i].type, "socket %zu: SO_TYPE %d", i, v);
        v = get_int(fd, SOL_SOCKET, SO_DOMAIN);
        CHECK(v == kinds[i].domain, "socket %zu: SO_DOMAIN %d", i, v);
        v = get_int(fd, SOL_SOCKET, SO_PROTOCOL);
        CHECK(v == kinds[i].protocol, "socket %zu: SO_PROTOCOL %d", i, v);
        v = SOCK_RAW;
        CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_TYPE, &v, 4), ENOPROTOOPT);
        CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, 4), ENOPROTOOPT);
        CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, 4),
                    ENOPROTOOPT);
        close(fd);
    }
}

/* SO_ACCEPTCONN is 0 on a fresh or bound socket and 1 once it listens. */
static void test_acceptconn(void)
{
    struct sockaddr_in addr = loopback4(0);
    int fd = tcp_socket(), v;

    if (fd < 0)
        return;
    v = get_int(fd, SOL_SOCKET, SO_ACCEPTCONN);
    CHECK(v == 0, "fresh: %d", v);
    CHECK_SYSCALL(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    v = get_int(fd, SOL_SOCKET, SO_ACCEPTCONN);
    CHECK(v == 0, "bound: %d", v);
    CHECK_SYSCALL(listen(fd, 1), 0);
    v = get_int(fd, SOL_SOCKET, SO_ACCEPTCONN);
    CHECK(v == 1, "listening: %d", v);
    v = 0;
    CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, 4), ENOPROTOOPT);
    close(fd);
}

/* SO_ERROR is 0 on fresh TCP, UDP and unix sockets; setting it is
 * ENOPROTOOPT. */
static void test_so_error(void)
{
    static const int kinds[][2] = {
        {AF_INET, SOCK_STREAM}, {AF_INET, SOCK_DGRAM}, {AF_UNIX, SOCK_STREAM}};

    for (size_t i = 0; i < 3; i++) {
        int fd = CHECK_OK(socket(kinds[i][0], kinds[i][1], 0)), v;
        if (fd < 0)
            continue;
        v = get_int(fd, SOL_SOCKET, SO_ERROR);
        CHECK(v == 0, "socket %zu: SO_ERROR %d", i, v);
        CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_ERROR, &v, 4), ENOPROTOOPT);
        close(fd);
    }
}

/* IPV6_V6ONLY on an AF_INET6 socket reads back what was set. On an AF_INET
 * socket the IPv6 level is unknown: Linux's getsockopt says EOPNOTSUPP
 * there, its setsockopt ENOPROTOOPT. */
static void test_ipv6_v6only(void)
{
    int one = 1, v;
    socklen_t len = sizeof(v);
    int t = tcp_socket();

    if (t >= 0) {
        CHECK_ERRNO(getsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len),
                    EOPNOTSUPP);
        CHECK_ERRNO(setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &one, 4),
                    ENOPROTOOPT);
        close(t);
    }
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0 && errno == EAFNOSUPPORT)
        SKIP("no IPv6 (socket: EAFNOSUPPORT)");
    if (!CHECK(fd >= 0, "socket(AF_INET6): errno %d", errno))
        return;
    v = get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY);
    CHECK(v == 0 || v == 1, "IPV6_V6ONLY starts at %d", v);
    set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    v = get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY);
    CHECK(v == 1, "set: %d", v);
    set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
    v = get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY);
    CHECK(v == 0, "cleared: %d", v);
    close(fd);
}

/* Unknown options and levels. An unknown SOL_SOCKET or IPPROTO_TCP option
 * is ENOPROTOOPT both ways. An unknown level is ENOPROTOOPT for setsockopt
 * but EOPNOTSUPP for getsockopt (Linux's IP layer answers so), and a TCP
 * option on a UDP socket is the same: an unknown level to UDP. */
static void test_unknown_options(void)
{
    int t = tcp_socket(), u = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    int v = 1;
    socklen_t len = sizeof(v);

    if (t < 0 || u < 0) {
        close2(t, u);
        return;
    }
    CHECK_ERRNO(setsockopt(t, SOL_SOCKET, 9999, &v, 4), ENOPROTOOPT);
    CHECK_ERRNO(getsockopt(t, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
    CHECK_ERRNO(setsockopt(t, IPPROTO_TCP, 9999, &v, 4), ENOPROTOOPT);
    CHECK_ERRNO(getsockopt(t, IPPROTO_TCP, 9999, &v, &len), ENOPROTOOPT);
    CHECK_ERRNO(setsockopt(t, 9999, 1, &v, 4), ENOPROTOOPT);
    CHECK_ERRNO(getsockopt(t, 9999, 1, &v, &len), EOPNOTSUPP);
    CHECK_ERRNO(setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, 4), ENOPROTOOPT);
    CHECK_ERRNO(getsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, &len), EOPNOTSUPP);
    close2(t, u);
}

/* optlen: setsockopt with fewer bytes than an int is EINVAL (SOL_SOCKET
 * and TCP alike), getsockopt with a negative optlen is EINVAL, and
 * getsockopt with a short one succeeds, truncating (Linux copies out only
 * optlen bytes and reports that length). */
static void test_optlen(void)
{
    int fd = tcp_socket(), v = 1;
    socklen_t len;

    if (fd < 0)
        return;
    CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
    CHECK_ERRNO(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, 0), EINVAL);
    CHECK_ERRNO(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, 2), EINVAL);
    len = (socklen_t)-1;
    CHECK_ERRNO(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len), EINVAL);
    len = (socklen_t)-1;
    CHECK_ERRNO(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), EINVAL);
    len = 2;
    CHECK_SYSCALL(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK(len == 2, "optlen %u after asking for 2", (unsigned)len);
    len = 100;
    CHECK_SYSCALL(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK(len == sizeof(int), "optlen %u after asking for 100", (unsigned)len);
    close(fd);
}

/* A bad optval or optlen pointer is EFAULT, for getsockopt and setsockopt. */
static void test_option_efault(void)
{
    int fd = tcp_socket(), v = 1;
    socklen_t len = sizeof(v);

    if (fd < 0)
        return;
    CHECK_ERRNO(
        syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, BAD_PTR, 4),
        EFAULT);
    CHECK_ERRNO(
        syscall(SYS_setsockopt, fd, IPPROTO_TCP, TCP_NODELAY, BAD_PTR, 4),
        EFAULT);
    CHECK_ERRNO(
        syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_REUSEADDR, BAD_PTR, &len),
        EFAULT);
    CHECK_ERRNO(
        syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &v, BAD_PTR),
        EFAULT);
    close(fd);
}

/* socket() refuses a bad domain (EAFNOSUPPORT), a bad type or unknown type
 * flags (EINVAL), a type the domain lacks (ESOCKTNOSUPPORT) and a protocol
 * that does not fit the type (EPROTONOSUPPORT); the right explicit protocol
 * is accepted. */
static void test_socket_errors(void)
{
    CHECK_ERRNO(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERRNO(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERRNO(socket(AF_INET, 11, 0), EINVAL);
    CHECK_ERRNO(socket(AF_INET, SOCK_STREAM | 0x1000000, 0), EINVAL);
    CHECK_ERRNO(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
    CHECK_ERRNO(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERRNO(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    CHECK_ERRNO(socket(AF_UNIX, SOCK_STREAM, 5), EPROTONOSUPPORT);
    close2(CHECK_OK(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)),
           CHECK_OK(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)));
}

/* --- interface ioctls --- */

/* An AF_INET datagram socket, as ifconfig-like programs use for SIOCGIF*. */
static int ioctl_socket(void)
{
    return CHECK_OK(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

static struct ifreq ifreq_named(const char *name)
{
    struct ifreq r;

    memset(&r, 0, sizeof(r));
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    return r;
}

static in_addr_t sin_addr_of(const struct sockaddr *sa)
{
    struct sockaddr_in in;

    memcpy(&in, sa, sizeof(in));
    return in.sin_addr.s_addr;
}

/* SIOCGIFCONF: with no buffer it reports the size needed; with one it
 * lists the interfaces with IPv4 addresses, among them "lo" at 127.0.0.1. */
static void test_siocgifconf(void)
{
    struct ifreq reqs[32];
    struct ifconf ifc = {.ifc_len = 0, .ifc_buf = NULL};
    int fd = ioctl_socket(), found = 0;

    if (fd < 0)
        return;
    CHECK_SYSCALL(ioctl(fd, SIOCGIFCONF, &ifc), 0);
    CHECK(ifc.ifc_len > 0 && ifc.ifc_len % sizeof(struct ifreq) == 0,
          "size needed %d", ifc.ifc_len);
    ifc.ifc_len = sizeof(reqs);
    ifc.ifc_req = reqs;
    if (!CHECK_SYSCALL(ioctl(fd, SIOCGIFCONF, &ifc), 0)) {
        close(fd);
        return;
    }
    CHECK(ifc.ifc_len > 0 && ifc.ifc_len % sizeof(struct ifreq) == 0,
          "ifc_len %d", ifc.ifc_len);
    for (size_t i = 0; i < ifc.ifc_len / sizeof(struct ifreq); i++) {
        tap_diag("interface %.*s", IFNAMSIZ, reqs[i].ifr_name);
        if (strcmp(reqs[i].ifr_name, "lo") == 0 &&
            reqs[i].ifr_addr.sa_family == AF_INET &&
            sin_addr_of(&reqs[i].ifr_addr) == htonl(INADDR_LOOPBACK))
            found = 1;
    }
    CHECK(found, "no \"lo\" with 127.0.0.1 in SIOCGIFCONF");
    close(fd);
}

/* SIOCGIFADDR on "lo" is 127.0.0.1 and SIOCGIFNETMASK 255.0.0.0. */
static void test_siocgifaddr(void)
{
    struct ifreq r = ifreq_named("lo");
    int fd = ioctl_socket();

    if (fd < 0)
        return;
    if (CHECK_SYSCALL(ioctl(fd, SIOCGIFADDR, &r), 0))
        CHECK(r.ifr_addr.sa_family == AF_INET &&
                  sin_addr_of(&r.ifr_addr) == htonl(INADDR_LOOPBACK),
              "family %d address %#x", r.ifr_addr.sa_family,
              ntohl(sin_addr_of(&r.ifr_addr)));
    r = ifreq_named("lo");
    if (CHECK_SYSCALL(ioctl(fd, SIOCGIFNETMASK, &r), 0))
        CHECK(sin_addr_of(&r.ifr_netmask) == htonl(0xff000000), "netmask %#x",
              ntohl(sin_addr_of(&r.ifr_netmask)));
    close(fd);
}

/* SIOCGIFFLAGS on "lo" has IFF_UP and IFF_LOOPBACK; SIOCGIFMTU is
 * positive. */
static void test_siocgifflags(void)
{
    struct ifreq r = ifreq_named("lo");
    int fd = ioctl_socket();

    if (fd < 0)
        return;
    if (CHECK_SYSCALL(ioctl(fd, SIOCGIFFLAGS, &r), 0))
        CHECK((r.ifr_flags & (IFF_UP | IFF_LOOPBACK)) ==
                  (IFF_UP | IFF_LOOPBACK),
              "flags %#x", (unsigned)r.ifr_flags);
    r = ifreq_named("lo");
    if (CHECK_SYSCALL(ioctl(fd, SIOCGIFMTU, &r), 0))
        CHECK(r.ifr_mtu > 0, "mtu %d", r.ifr_mtu);
    close(fd);
}

/* SIOCGIFHWADDR on "lo": hardware type ARPHRD_LOOPBACK (772), address all
 * zeros. */
static void test_siocgifhwaddr(void)
{
    static const char zeros[6];
    struct ifreq r = ifreq_named("lo");
    int fd = ioctl_socket();

    if (fd < 0)
        return;
    if (CHECK_SYSCALL(ioctl(fd, SIOCGIFHWADDR, &r), 0)) {
        CHECK(r.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK, "hardware type %d",
              r.ifr_hwaddr.sa_family);
        CHECK(memcmp(r.ifr_hwaddr.sa_data, zeros, 6) == 0,
              "lo has a hardware address");
    }
    close(fd);
}

/* SIOCGIFINDEX of "lo" is positive, the same on an AF_UNIX datagram socket
 * (which is what glibc and musl open for if_nametoindex), and matches
 * if_nametoindex; SIOCGIFNAME and if_indextoname map it back to "lo". */
static void test_ifindex(void)
{
    struct ifreq r = ifreq_named("lo");
    char name[IF_NAMESIZE];
    int fd = ioctl_socket(), index = -1;

    if (fd < 0)
        return;
    if (CHECK_SYSCALL(ioctl(fd, SIOCGIFINDEX, &r), 0))
        index = r.ifr_ifindex;
    CHECK(index > 0, "SIOCGIFINDEX %d", index);
    int u = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    r = ifreq_named("lo");
    if (u >= 0 && CHECK_SYSCALL(ioctl(u, SIOCGIFINDEX, &r), 0))
        CHECK(r.ifr_ifindex == index, "on AF_UNIX: %d", r.ifr_ifindex);
    close2(u, -1);
    unsigned n = if_nametoindex("lo");
    CHECK(n == (unsigned)index, "if_nametoindex %u, SIOCGIFINDEX %d", n, index);
    memset(&r, 0, sizeof(r));
    r.ifr_ifindex = index;
    if (CHECK_SYSCALL(ioctl(fd, SIOCGIFNAME, &r), 0))
        CHECK(strcmp(r.ifr_name, "lo") == 0, "SIOCGIFNAME \"%s\"", r.ifr_name);
    CHECK(if_indextoname(index, name) == name && strcmp(name, "lo") == 0,
          "if_indextoname failed");
    close(fd);
}

/* An interface that does not exist is ENODEV to every SIOCGIF*, and
 * if_nametoindex returns 0 for it. */
static void test_no_such_interface(void)
{
    static const unsigned long reqs[] = {
        SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFADDR, SIOCGIFHWADDR, SIOCGIFMTU};
    int fd = ioctl_socket();

    if (fd < 0)
        return;
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        struct ifreq r = ifreq_named("nosuch0");
        CHECK_ERRNO(ioctl(fd, reqs[i], &r), ENODEV);
    }
    CHECK(if_nametoindex("nosuch0") == 0, "if_nametoindex found nosuch0");
    close(fd);
}

/* glibc's static getaddrinfo draws a link-time warning (it may load NSS
 * modules), so static glibc builds refer to it weakly and skip the test
 * when it is not linked in. */
#ifdef __GLIBC__
extern __typeof__(getaddrinfo) getaddrinfo __attribute__((weak));
extern __typeof__(freeaddrinfo) freeaddrinfo __attribute__((weak));
#define HAVE_GETADDRINFO (getaddrinfo != NULL)
#else
#define HAVE_GETADDRINFO 1
#endif

/* getaddrinfo of "127.0.0.1", "80" with AI_NUMERICHOST|AI_NUMERICSERV and
 * SOCK_STREAM needs no DNS: one result, an AF_INET TCP address with port
 * 80. */
static void test_getaddrinfo_numeric(void)
{
    struct addrinfo hints, *res = NULL;

    if (!HAVE_GETADDRINFO)
        SKIP("getaddrinfo not linked into static glibc");
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    int r = getaddrinfo("127.0.0.1", "80", &hints, &res);
    if (!CHECK(r == 0 && res != NULL, "getaddrinfo = %d", r))
        return;
    CHECK(res->ai_family == AF_INET && res->ai_socktype == SOCK_STREAM &&
              res->ai_protocol == IPPROTO_TCP,
          "family %d socktype %d protocol %d", res->ai_family, res->ai_socktype,
          res->ai_protocol);
    if (CHECK(res->ai_addrlen == sizeof(struct sockaddr_in), "addrlen %u",
              (unsigned)res->ai_addrlen)) {
        struct sockaddr_in a;
        memcpy(&a, res->ai_addr, sizeof(a));
        CHECK(a.sin_port == htons(80) &&
                  a.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
              "address %#x port %d", ntohl(a.sin_addr.s_addr),
              ntohs(a.sin_port));
    }
    CHECK(res->ai_next == NULL, "more than one result");
    freeaddrinfo(res);
}

/* --- errors of the socket calls --- */

/* The socket calls on a pipe are ENOTSOCK; on a closed fd EBADF. */
static void test_not_a_socket(void)
{
    struct sockaddr_in a = loopback4(0);
    socklen_t len = sizeof(a);
    int p[2], v;
    char c;

    if (!CHECK_SYSCALL(pipe(p), 0))
        return;
    CHECK_ERRNO(getsockname(p[0], (struct sockaddr *)&a, &len), ENOTSOCK);
    CHECK_ERRNO(getpeername(p[0], (struct sockaddr *)&a, &len), ENOTSOCK);
    CHECK_ERRNO(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
    CHECK_ERRNO(setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &v, 4), ENOTSOCK);
    CHECK_ERRNO(bind(p[0], (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
    CHECK_ERRNO(connect(p[0], (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
    CHECK_ERRNO(listen(p[0], 1), ENOTSOCK);
    CHECK_ERRNO(accept(p[0], NULL, NULL), ENOTSOCK);
    CHECK_ERRNO(shutdown(p[0], SHUT_RD), ENOTSOCK);
    CHECK_ERRNO(send(p[1], "x", 1, 0), ENOTSOCK);
    CHECK_ERRNO(recv(p[0], &c, 1, 0), ENOTSOCK);
    close2(p[0], p[1]);
    CHECK_ERRNO(getsockname(p[0], (struct sockaddr *)&a, &len), EBADF);
    CHECK_ERRNO(send(p[1], "x", 1, 0), EBADF);
}

/* An unconnected TCP socket: getpeername, shutdown and recv are ENOTCONN,
 * while send and write are EPIPE (Linux's choice for a stream that never
 * connected; SIGPIPE is ignored here). */
static void test_unconnected_tcp(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    char c;
    int fd = tcp_socket();

    if (fd < 0)
        return;
    CHECK_ERRNO(getpeername(fd, (struct sockaddr *)&a, &len), ENOTCONN);
    CHECK_ERRNO(recv(fd, &c, 1, 0), ENOTCONN);
    CHECK_ERRNO(read(fd, &c, 1), ENOTCONN);
    /* Last: Linux marks the socket shut down even as it fails ENOTCONN,
     * and a recv after that returns 0. */
    CHECK_ERRNO(shutdown(fd, SHUT_RDWR), ENOTCONN);
    CHECK_ERRNO(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_ERRNO(write(fd, "x", 1), EPIPE);
    close(fd);
}

/* listen and accept make no sense for UDP: EOPNOTSUPP. */
static void test_udp_listen_accept(void)
{
    int fd = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));

    if (fd < 0)
        return;
    CHECK_ERRNO(listen(fd, 1), EOPNOTSUPP);
    CHECK_ERRNO(accept(fd, NULL, NULL), EOPNOTSUPP);
    close(fd);
}

/* bind: an addrlen shorter than sockaddr_in (or 0, or more than a
 * sockaddr_storage) is EINVAL, another family EAFNOSUPPORT, an address
 * not on this host EADDRNOTAVAIL, and a second bind EINVAL. connect with a
 * short addrlen is EINVAL too. */
static void test_bind_errors(void)
{
    struct sockaddr_storage big;
    struct sockaddr_in a = loopback4(0), foreign = loopback4(0);
    struct sockaddr_in6 a6;
    int fd = tcp_socket();

    if (fd < 0)
        return;
    memset(&big, 0, sizeof(big));
    memcpy(&big, &a, sizeof(a));
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&a, 8), EINVAL);
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&a, 0), EINVAL);
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&big, sizeof(big) + 1), EINVAL);
    CHECK_ERRNO(connect(fd, (struct sockaddr *)&a, 8), EINVAL);
    memset(&a6, 0, sizeof(a6));
    a6.sin6_family = AF_INET6;
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&a6, sizeof(a6)), EAFNOSUPPORT);
    foreign.sin_addr.s_addr = htonl(0xc0000201); /* 192.0.2.1, TEST-NET-1 */
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&foreign, sizeof(foreign)),
                EADDRNOTAVAIL);
    CHECK_SYSCALL(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
    close(fd);
}

/* A bad address pointer is EFAULT: to bind, connect, getsockname (for the
 * address or its length) and accept. */
static void test_address_efault(void)
{
    struct sockaddr_in a = loopback4(0);
    socklen_t len = sizeof(a);
    int fd = tcp_socket();

    if (fd < 0)
        return;
    CHECK_ERRNO(syscall(SYS_bind, fd, BAD_PTR, sizeof(a)), EFAULT);
    CHECK_ERRNO(syscall(SYS_connect, fd, BAD_PTR, sizeof(a)), EFAULT);
    CHECK_ERRNO(syscall(SYS_getsockname, fd, BAD_PTR, &len), EFAULT);
    CHECK_ERRNO(syscall(SYS_getsockname, fd, &a, BAD_PTR), EFAULT);
    close(fd);
}

/* connect on a TCP socket that is already connected is EISCONN. */
static void test_connect_twice(void)
{
    struct sockaddr_in addr = loopback4(0);
    socklen_t len = sizeof(addr);
    int lfd = tcp_socket(), c = tcp_socket();

    if (lfd < 0 || c < 0) {
        close2(lfd, c);
        return;
    }
    if (CHECK_SYSCALL(bind(lfd, (struct sockaddr *)&addr, len), 0) &&
        CHECK_SYSCALL(listen(lfd, 4), 0) &&
        CHECK_SYSCALL(getsockname(lfd, (struct sockaddr *)&addr, &len), 0) &&
        CHECK_SYSCALL(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0))
        CHECK_ERRNO(connect(c, (struct sockaddr *)&addr, sizeof(addr)),
                    EISCONN);
    close2(lfd, c);
}

/* accept on a TCP socket that is not listening (fresh or bound) is EINVAL. */
static void test_accept_not_listening(void)
{
    struct sockaddr_in addr = loopback4(0);
    int fd = tcp_socket();

    if (fd < 0)
        return;
    CHECK_ERRNO(accept(fd, NULL, NULL), EINVAL);
    CHECK_SYSCALL(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_ERRNO(accept(fd, NULL, NULL), EINVAL);
    close(fd);
}

static const struct tap_test tests[] = {
    {"SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, TCP_NODELAY round trips",
     test_bool_options},
    {"SO_REUSEPORT lets two sockets listen on one port", test_reuseport_shared},
    {"TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT round trips",
     test_tcp_keepalive_tuning},
    {"SO_LINGER round trip", test_linger},
    {"SO_RCVBUF and SO_SNDBUF", test_buffer_sizes},
    {"SO_TYPE, SO_DOMAIN, SO_PROTOCOL", test_type_domain_protocol},
    {"SO_ACCEPTCONN is 1 only after listen", test_acceptconn},
    {"SO_ERROR is 0 on a fresh socket", test_so_error},
    {"IPV6_V6ONLY round trip", test_ipv6_v6only},
    {"unknown options and levels: ENOPROTOOPT, EOPNOTSUPP",
     test_unknown_options},
    {"optlen too small or negative", test_optlen},
    {"bad optval or optlen pointer is EFAULT", test_option_efault},
    {"socket() with a bad domain, type or protocol", test_socket_errors},
    {"SIOCGIFCONF lists lo with 127.0.0.1", test_siocgifconf},
    {"SIOCGIFADDR and SIOCGIFNETMASK on lo", test_siocgifaddr},
    {"SIOCGIFFLAGS on lo has IFF_UP|IFF_LOOPBACK", test_siocgifflags},
    {"SIOCGIFHWADDR on lo is ARPHRD_LOOPBACK", test_siocgifhwaddr},
    {"SIOCGIFINDEX, SIOCGIFNAME, if_nametoindex, if_indextoname", test_ifindex},
    {"an unknown interface name is ENODEV", test_no_such_interface},
    {"getaddrinfo of a numeric address", test_getaddrinfo_numeric},
    {"socket calls on a pipe are ENOTSOCK", test_not_a_socket},
    {"unconnected TCP: ENOTCONN, and EPIPE to send", test_unconnected_tcp},
    {"listen and accept on UDP are EOPNOTSUPP", test_udp_listen_accept},
    {"bind and connect with bad lengths, families, addresses",
     test_bind_errors},
    {"bad address pointers are EFAULT", test_address_efault},
    {"connect twice is EISCONN", test_connect_twice},
    {"accept on a socket that is not listening is EINVAL",
     test_accept_not_listening},
};

int main(void)
{
    /* A socket bug must fail a test, not kill the program with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    return tap_run(tests, TAP_COUNT(tests));
}
