/* SPDX-License-Identifier: MIT */
/*
 * netlink.c: AF_NETLINK sockets of protocol NETLINK_ROUTE, as getifaddrs,
 * if_nameindex and ip(8) use them. The libc calls over it; the socket calls
 * (bind, autobind on send, port ids, EADDRINUSE); the RTM_GETLINK,
 * RTM_GETADDR and RTM_GETROUTE dumps and how their answers are framed; a
 * RTM_GETLINK for one interface by index and by name; NLMSG_ERROR answers
 * and ACKs with the request echoed; poll, MSG_PEEK|MSG_TRUNC and truncation;
 * and the errors of socket, bind, sendto and recv.
 *
 * The host may have any set of interfaces, husk only "lo" (unless it has a
 * tap), so the tests assert about lo and about the consistency of whatever
 * else is there: between getifaddrs, if_nameindex, the dumps and the
 * SIOCGIF* ioctls. Where Linux answers in a surprising way the test asserts
 * Linux's answer and says so.
 *
 * musl-gcc has no kernel headers, so the netlink ABI the test needs is
 * spelled out below with the kernel's names and values.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

/* --- the netlink ABI (include/uapi/linux/netlink.h, rtnetlink.h) --- */

#define NETLINK_ROUTE 0

struct sockaddr_nl {
    sa_family_t nl_family;
    unsigned short nl_pad;
    uint32_t nl_pid;
    uint32_t nl_groups;
};

struct nlmsghdr {
    uint32_t nlmsg_len;
    uint16_t nlmsg_type;
    uint16_t nlmsg_flags;
    uint32_t nlmsg_seq;
    uint32_t nlmsg_pid;
};

struct nlmsgerr {
    int error;
    struct nlmsghdr msg;
};

struct rtattr {
    unsigned short rta_len;
    unsigned short rta_type;
};

struct ifinfomsg {
    unsigned char ifi_family;
    unsigned char ifi_pad;
    unsigned short ifi_type;
    int ifi_index;
    unsigned ifi_flags;
    unsigned ifi_change;
};

struct ifaddrmsg {
    uint8_t ifa_family;
    uint8_t ifa_prefixlen;
    uint8_t ifa_flags;
    uint8_t ifa_scope;
    uint32_t ifa_index;
};

struct rtmsg {
    unsigned char rtm_family;
    unsigned char rtm_dst_len;
    unsigned char rtm_src_len;
    unsigned char rtm_tos;
    unsigned char rtm_table;
    unsigned char rtm_protocol;
    unsigned char rtm_scope;
    unsigned char rtm_type;
    unsigned rtm_flags;
};

#define NLMSG_ALIGN(len) (((len) + 3u) & ~3u)
#define NLMSG_HDRLEN ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len) ((unsigned)(len) + NLMSG_HDRLEN)
#define NLMSG_DATA(h) ((void *)((char *)(h) + NLMSG_HDRLEN))
#define NLMSG_OK(h, len)                                                       \
    ((len) >= (int)sizeof(struct nlmsghdr) &&                                  \
     (h)->nlmsg_len >= sizeof(struct nlmsghdr) &&                              \
     (h)->nlmsg_len <= (unsigned)(len))
#define NLMSG_NEXT(h, len)                                                     \
    ((len) -= NLMSG_ALIGN((h)->nlmsg_len),                                     \
     (struct nlmsghdr *)((char *)(h) + NLMSG_ALIGN((h)->nlmsg_len)))

#define NLMSG_NOOP 1
#define NLMSG_ERROR 2
#define NLMSG_DONE 3

#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI 0x2
#define NLM_F_ACK 0x4
#define NLM_F_DUMP 0x300
#define NLM_F_CAPPED 0x100 /* on an NLMSG_ERROR: the request was not echoed */

#define RTA_ALIGN(len) (((len) + 3u) & ~3u)
#define RTA_LENGTH(len) (RTA_ALIGN(sizeof(struct rtattr)) + (len))
#define RTA_DATA(a) ((void *)((char *)(a) + RTA_LENGTH(0)))
#define RTA_PAYLOAD(a) ((int)(a)->rta_len - (int)RTA_LENGTH(0))
#define RTA_OK(a, len)                                                         \
    ((len) >= (int)sizeof(struct rtattr) &&                                    \
     (a)->rta_len >= sizeof(struct rtattr) && (a)->rta_len <= (len))
#define RTA_NEXT(a, len)                                                       \
    ((len) -= RTA_ALIGN((a)->rta_len),                                         \
     (struct rtattr *)((char *)(a) + RTA_ALIGN((a)->rta_len)))
#define NLA_TYPE_MASK 0x3fff /* without NLA_F_NESTED, NLA_F_NET_BYTEORDER */

#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26

#define IFLA_ADDRESS 1
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PREFSRC 7
#define RTA_TABLE 15

#define RT_SCOPE_HOST 254
#define RT_TABLE_COMPAT 252

/* --- helpers --- */

/* An address no user mapping has (the first page). */
#define BAD_PTR ((void *)1)

/* glibc and musl read netlink answers 8 KiB at a time (glibc's
 * __netlink_request, musl's __rtnetlink_enumerate), so no datagram of an
 * answer may be larger: it would be truncated. */
#define LIBC_NL_BUF 8192

/* Sequence numbers of the requests: distinct and not small, so that an
 * answer carrying some other request's number, or 0, stands out. */
static uint32_t last_seq = 0x4e4c0000;

static uint32_t new_seq(void) { return ++last_seq; }

/* Room for any one request the tests send. */
union nl_req {
    struct nlmsghdr h;
    char bytes[256];
};

/* Received datagrams: aligned so that headers can be read in place. */
static union {
    struct nlmsghdr h;
    char bytes[65536];
} rbuf;

static const struct sockaddr_nl kernel_addr = {.nl_family = AF_NETLINK};

static int nl_socket(int type)
{
    return CHECK_OK(socket(AF_NETLINK, type | SOCK_CLOEXEC, NETLINK_ROUTE));
}

/* The socket's port id from getsockname (0 while unbound), after checking
 * the shape of the address; -1 after a failed CHECK. */
static int64_t nl_getsockname(int fd)
{
    struct sockaddr_storage ss;
    struct sockaddr_nl a;
    socklen_t len = sizeof(ss);

    memset(&ss, 0xa5, sizeof(ss));
    if (!CHECK_SYSCALL(getsockname(fd, (struct sockaddr *)&ss, &len), 0))
        return -1;
    memcpy(&a, &ss, sizeof(a));
    if (!CHECK(len == sizeof(struct sockaddr_nl) && a.nl_family == AF_NETLINK &&
                   a.nl_groups == 0,
               "getsockname: length %u family %d groups %#x", (unsigned)len,
               a.nl_family, a.nl_groups))
        return -1;
    return a.nl_pid;
}

static int nl_bind(int fd, uint32_t pid)
{
    struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_pid = pid};

    return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

/* A NETLINK_ROUTE socket of this type bound to a port id the kernel picks,
 * which *pid gets; -1 after a failed CHECK. */
static int nl_open_type(int type, uint32_t *pid)
{
    int fd = nl_socket(type);
    int64_t p;

    if (fd < 0)
        return -1;
    if (!CHECK_SYSCALL(nl_bind(fd, 0), 0) || (p = nl_getsockname(fd)) < 0 ||
        !CHECK(p != 0, "bound with nl_pid 0, getsockname says port 0")) {
        close(fd);
        return -1;
    }
    *pid = (uint32_t)p;
    return fd;
}

static int nl_open(uint32_t *pid) { return nl_open_type(SOCK_RAW, pid); }

/* Lay out a request: header and len bytes of body. Returns its length. */
static size_t nl_build(union nl_req *r, uint16_t type, uint16_t flags,
                       uint32_t seq, const void *body, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->h.nlmsg_len = NLMSG_LENGTH(len);
    r->h.nlmsg_type = type;
    r->h.nlmsg_flags = flags;
    r->h.nlmsg_seq = seq;
    if (len > 0)
        memcpy(r->bytes + NLMSG_HDRLEN, body, len);
    return r->h.nlmsg_len;
}

/* Append an attribute to a request built by nl_build. */
static void nl_add_attr(union nl_req *r, unsigned short type, const void *data,
                        size_t len)
{
    struct rtattr a = {.rta_len = RTA_LENGTH(len), .rta_type = type};
    char *p = r->bytes + NLMSG_ALIGN(r->h.nlmsg_len);

    memcpy(p, &a, sizeof(a));
    memcpy(p + RTA_LENGTH(0), data, len);
    r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a.rta_len);
}

/* Send a request to the kernel (nl_pid 0) as glibc and iproute2 do, with
 * sendto and an address. */
static int nl_send_req(int fd, const union nl_req *r)
{
    return CHECK_SYSCALL(sendto(fd, r, r->h.nlmsg_len, 0,
                                (const struct sockaddr *)&kernel_addr,
                                sizeof(kernel_addr)),
                         r->h.nlmsg_len);
}

static int nl_send(int fd, uint16_t type, uint16_t flags, uint32_t seq,
                   const void *body, size_t len)
{
    union nl_req r;

    nl_build(&r, type, flags, seq, body, len);
    return nl_send_req(fd, &r);
}

/* Receive one datagram into rbuf, reading at most max bytes, waiting up to
 * TIMEOUT_MS: its length, or -1 after a failed CHECK. It must come from the
 * kernel (nl_pid 0, no groups), whole, and hold whole messages. */
static int nl_recv(int fd, size_t max)
{
    struct sockaddr_storage from;
    struct sockaddr_nl nl;
    struct iovec iov = {.iov_base = rbuf.bytes, .iov_len = max};
    struct msghdr mh = {.msg_name = &from,
                        .msg_namelen = sizeof(from),
                        .msg_iov = &iov,
                        .msg_iovlen = 1};

    if (!wait_in(fd))
        return -1;
    memset(&from, 0xa5, sizeof(from));
    int n = CHECK_OK(recvmsg(fd, &mh, MSG_DONTWAIT));
    if (n < 0)
        return -1;
    memcpy(&nl, &from, sizeof(nl));
    CHECK(mh.msg_namelen == sizeof(struct sockaddr_nl) &&
              nl.nl_family == AF_NETLINK && nl.nl_pid == 0 && nl.nl_groups == 0,
          "source: length %u family %d pid %u groups %#x",
          (unsigned)mh.msg_namelen, nl.nl_family, nl.nl_pid, nl.nl_groups);
    if (!CHECK(!(mh.msg_flags & MSG_TRUNC), "a datagram longer than %zu bytes",
               max))
        return -1;
    int left = n;
    for (struct nlmsghdr *h = &rbuf.h; NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left))
        ;
    if (!CHECK(left == 0, "%d bytes of a %d-byte datagram are no message", left,
               n))
        return -1;
    return n;
}

/* Nothing more is queued: Linux answers a request before sendto returns,
 * so what is not there now never comes. */
static void nl_expect_nothing(int fd, const char *after)
{
    errno = 0;
    ssize_t n = recv(fd, rbuf.bytes, sizeof(rbuf.bytes), MSG_DONTWAIT);
    int e = errno;

    if (!CHECK(n == -1 && e == EAGAIN, "after %s: recv = %zd (errno %s)", after,
               n, tap_errno_name(e)) &&
        n >= (ssize_t)sizeof(struct nlmsghdr))
        tap_diag("unexpected message type %u seq %#x", rbuf.h.nlmsg_type,
                 rbuf.h.nlmsg_seq);
}

/* The attributes after a message's fixed body of hdr bytes. */
static const struct rtattr *attrs_of(const struct nlmsghdr *h, size_t hdr,
                                     int *len)
{
    *len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(hdr));
    return (const struct rtattr *)((const char *)NLMSG_DATA(h) +
                                   NLMSG_ALIGN(hdr));
}

/* The attributes must be well formed: each at least a header long, inside
 * the message, and together filling it exactly (Linux pads each one). */
static int attrs_ok(const struct nlmsghdr *h, size_t hdr, const char *what)
{
    int len;
    const struct rtattr *a = attrs_of(h, hdr, &len);

    for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
        ;
    return CHECK(len == 0, "%s: %d bytes of attributes left over", what, len);
}

static const struct rtattr *attr_find(const struct nlmsghdr *h, size_t hdr,
                                      unsigned short type)
{
    int len;
    const struct rtattr *a = attrs_of(h, hdr, &len);

    for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
        if ((a->rta_type & NLA_TYPE_MASK) == type)
            return a;
    return NULL;
}

/* An attribute's payload as a string, or NULL if it is not one (missing,
 * empty or without its NUL). */
static const char *attr_str(const struct rtattr *a)
{
    if (a == NULL || RTA_PAYLOAD(a) < 2 ||
        ((const char *)RTA_DATA(a))[RTA_PAYLOAD(a) - 1] != '\0' ||
        strlen(RTA_DATA(a)) + 1 != (size_t)RTA_PAYLOAD(a))
        return NULL;
    return RTA_DATA(a);
}

/* An attribute's payload as a u32, or def if it is missing or not 4 bytes
 * (a failed CHECK if it is there but the wrong size). */
static uint32_t attr_u32(const struct rtattr *a, uint32_t def, const char *what)
{
    uint32_t v;

    if (a == NULL || !CHECK(RTA_PAYLOAD(a) == 4, "%s: %d-byte payload", what,
                            RTA_PAYLOAD(a)))
        return def;
    memcpy(&v, RTA_DATA(a), 4);
    return v;
}

typedef void (*nl_msg_fn)(const struct nlmsghdr *h, void *ctx);

/* Send a dump request (type, NLM_F_REQUEST|NLM_F_DUMP, body) and hand each
 * answer to fn until NLMSG_DONE, reading as the libcs do. Every answer must
 * be a want_type message at least min_len long, or the NLMSG_DONE that
 * ends the answer; each carries the request's seq, the socket's port id and
 * NLM_F_MULTI. Several messages may share a datagram, but NLMSG_DONE comes
 * alone: Linux can append it to the last messages, yet rtnetlink keeps it
 * apart for the link, address and route dumps on purpose, for user space
 * that expects it so. Returns the number of messages before NLMSG_DONE, or
 * -1 after a failed CHECK. */
static int nl_dump(int fd, uint32_t pid, uint16_t type, const void *body,
                   size_t len, uint16_t want_type, size_t min_len, nl_msg_fn fn,
                   void *ctx)
{
    uint32_t seq = new_seq();
    int messages = 0, datagrams = 0, done = 0;
    char sizes[200] = "";
    size_t used = 0;

    if (!nl_send(fd, type, NLM_F_REQUEST | NLM_F_DUMP, seq, body, len))
        return -1;
    while (!done && datagrams < 100000) {
        int n = nl_recv(fd, LIBC_NL_BUF), left = n;
        if (n < 0)
            return -1;
        datagrams++;
        if (used < sizeof(sizes) - 20)
            used += snprintf(sizes + used, sizeof(sizes) - used, "%s%d",
                             datagrams > 1 ? ", " : "", n);
        for (struct nlmsghdr *h = &rbuf.h; NLMSG_OK(h, left);
             h = NLMSG_NEXT(h, left)) {
            if (!CHECK(h->nlmsg_seq == seq && h->nlmsg_pid == pid,
                       "type %u: seq %#x pid %u, want seq %#x pid %u",
                       h->nlmsg_type, h->nlmsg_seq, h->nlmsg_pid, seq, pid) ||
                !CHECK(h->nlmsg_flags & NLM_F_MULTI,
                       "type %u: flags %#x lack NLM_F_MULTI", h->nlmsg_type,
                       h->nlmsg_flags))
                return -1;
            if (h->nlmsg_type == NLMSG_DONE) {
                /* The payload of NLMSG_DONE is an int: the dump's error. */
                int err = -1;
                if (CHECK(h->nlmsg_len == NLMSG_LENGTH(sizeof(int)),
                          "NLMSG_DONE of %u bytes", h->nlmsg_len))
                    memcpy(&err, NLMSG_DATA(h), sizeof(err));
                CHECK(err == 0, "NLMSG_DONE carries %d", err);
                CHECK(n == (int)NLMSG_LENGTH(sizeof(int)),
                      "NLMSG_DONE shares a %d-byte datagram", n);
                done = 1;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR &&
                h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
                int err;
                memcpy(&err, NLMSG_DATA(h), sizeof(err));
                CHECK(0, "NLMSG_ERROR %d (%s) to a dump", err,
                      tap_errno_name(-err));
                return -1;
            }
            if (!CHECK(h->nlmsg_type == want_type &&
                           h->nlmsg_len >= NLMSG_LENGTH(min_len),
                       "message of type %u, %u bytes: want type %u, at least "
                       "%zu bytes",
                       h->nlmsg_type, h->nlmsg_len, want_type,
                       (size_t)NLMSG_LENGTH(min_len)))
                return -1;
            messages++;
            fn(h, ctx);
        }
    }
    if (!CHECK(done, "no NLMSG_DONE in %d datagrams", datagrams))
        return -1;
    tap_diag("dump of type %u: %d messages in %d datagrams of %s bytes", type,
             messages, datagrams, sizes);
    nl_expect_nothing(fd, "NLMSG_DONE");
    return messages;
}

/* Receive one datagram that must hold exactly one NLMSG_ERROR answering
 * the request r: error -want (0 for an ACK), r's seq and the socket's port
 * id, and r's header echoed. Linux echoes the whole request after an error
 * but only its header in an ACK, which it marks NLM_F_CAPPED. */
static void nl_expect_error(int fd, uint32_t pid, const union nl_req *r,
                            int want)
{
    struct nlmsgerr e;
    int n = nl_recv(fd, sizeof(rbuf.bytes));
    const struct nlmsghdr *h = &rbuf.h;
    uint32_t echo = want ? r->h.nlmsg_len : sizeof(struct nlmsghdr);

    if (n < 0)
        return;
    if (!CHECK(h->nlmsg_type == NLMSG_ERROR &&
                   h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)),
               "answer of type %u, %u bytes, want NLMSG_ERROR", h->nlmsg_type,
               h->nlmsg_len))
        return;
    memcpy(&e, NLMSG_DATA(h), sizeof(e));
    CHECK(e.error == -want, "error %d (%s), want %d (%s)", e.error,
          tap_errno_name(-e.error), -want, tap_errno_name(want));
    CHECK(h->nlmsg_seq == r->h.nlmsg_seq && h->nlmsg_pid == pid,
          "seq %#x pid %u, want seq %#x pid %u", h->nlmsg_seq, h->nlmsg_pid,
          r->h.nlmsg_seq, pid);
    CHECK(memcmp(&e.msg, &r->h, sizeof(e.msg)) == 0,
          "echoed header: len %u type %u flags %#x seq %#x pid %u",
          e.msg.nlmsg_len, e.msg.nlmsg_type, e.msg.nlmsg_flags, e.msg.nlmsg_seq,
          e.msg.nlmsg_pid);
    CHECK(h->nlmsg_flags == (want ? 0 : NLM_F_CAPPED), "flags %#x",
          h->nlmsg_flags);
    if (CHECK(h->nlmsg_len == NLMSG_LENGTH(sizeof(int) + echo) &&
                  n == (int)h->nlmsg_len,
              "NLMSG_ERROR of %u bytes in a %d-byte datagram, want %u",
              h->nlmsg_len, n, NLMSG_LENGTH(sizeof(int) + echo)))
        CHECK(memcmp((char *)NLMSG_DATA(h) + sizeof(int), r, echo) == 0,
              "the request echoed differs");
}

/* if_nametoindex("lo"), or 0 after a failed CHECK. */
static int lo_index(void)
{
    unsigned i = if_nametoindex("lo");

    CHECK(i > 0, "if_nametoindex(\"lo\") = 0 (errno %s)",
          tap_errno_name(errno));
    return (int)i;
}

/* SIOCGIFFLAGS and SIOCGIFMTU of "lo", for comparing with the dumps. */
static int lo_ioctls(unsigned *flags, int *mtu)
{
    struct ifreq r;
    int fd = CHECK_OK(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)), ok;

    if (fd < 0)
        return 0;
    memset(&r, 0, sizeof(r));
    strcpy(r.ifr_name, "lo");
    ok = CHECK_SYSCALL(ioctl(fd, SIOCGIFFLAGS, &r), 0);
    *flags = (unsigned short)r.ifr_flags;
    ok = ok && CHECK_SYSCALL(ioctl(fd, SIOCGIFMTU, &r), 0);
    *mtu = r.ifr_mtu;
    close(fd);
    return ok;
}

#define LO_FLAGS (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)

/* An IPv4 label such as "eth0:1" names an alias of the link "eth0": the
 * length of the link's name in it. */
static size_t link_name_len(const char *name)
{
    const char *colon = strchr(name, ':');

    return colon ? (size_t)(colon - name) : strlen(name);
}

static in_addr_t sin_addr(const struct sockaddr *sa)
{
    struct sockaddr_in in;

    memcpy(&in, sa, sizeof(in));
    return in.sin_addr.s_addr;
}

/* --- getifaddrs and if_nameindex --- */

/* Both libcs build getifaddrs from a RTM_GETLINK and a RTM_GETADDR dump: an
 * AF_PACKET entry per link (its ifa_addr a sockaddr_ll made from
 * IFLA_ADDRESS, so NULL for a link without one, such as a tun device) and
 * one per address, which takes its link's flags. */
static void test_getifaddrs(void)
{
    struct ifaddrs *list = NULL;
    int lo = lo_index(), lo4 = 0, lo_links = 0, lo6 = 0;
    static const unsigned char zeros[8];

    if (!CHECK_SYSCALL(getifaddrs(&list), 0))
        return;
    for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
        int family = i->ifa_addr ? i->ifa_addr->sa_family : -1;
        if (!CHECK(i->ifa_name != NULL && i->ifa_name[0] != '\0',
                   "an entry of family %d without a name", family))
            continue;
        tap_diag("%s family %d flags %#x", i->ifa_name, family, i->ifa_flags);
        if (strcmp(i->ifa_name, "lo") != 0)
            continue;
        if (family == AF_INET && i->ifa_netmask != NULL &&
            sin_addr(i->ifa_addr) == htonl(INADDR_LOOPBACK)) {
            lo4++;
            CHECK(i->ifa_netmask->sa_family == AF_INET &&
                      sin_addr(i->ifa_netmask) == htonl(0xff000000),
                  "lo's 127.0.0.1 has netmask %#x",
                  ntohl(sin_addr(i->ifa_netmask)));
            CHECK((i->ifa_flags & LO_FLAGS) == LO_FLAGS,
                  "lo's 127.0.0.1 has flags %#x", i->ifa_flags);
        } else if (family == AF_PACKET) {
            struct sockaddr_ll ll;
            memcpy(&ll, i->ifa_addr, sizeof(ll));
            lo_links++;
            CHECK((i->ifa_flags & LO_FLAGS) == LO_FLAGS,
                  "lo's link has flags %#x", i->ifa_flags);
            CHECK(ll.sll_ifindex == lo && ll.sll_hatype == ARPHRD_LOOPBACK,
                  "lo's sockaddr_ll: index %d (want %d) hatype %u",
                  ll.sll_ifindex, lo, ll.sll_hatype);
            CHECK(ll.sll_halen == 6 && memcmp(ll.sll_addr, zeros, 6) == 0,
                  "lo's hardware address: %u bytes, not all zero",
                  ll.sll_halen);
        } else if (family == AF_INET6) {
            static const unsigned char ones[16] = {
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
            struct sockaddr_in6 a, m;
            lo6++;
            memcpy(&a, i->ifa_addr, sizeof(a));
            CHECK(IN6_IS_ADDR_LOOPBACK(&a.sin6_addr), "lo has another IPv6");
            if (CHECK(i->ifa_netmask != NULL, "::1 without a netmask")) {
                memcpy(&m, i->ifa_netmask, sizeof(m));
                CHECK(m.sin6_family == AF_INET6 &&
                          memcmp(&m.sin6_addr, ones, 16) == 0,
                      "::1's netmask is not /128");
            }
        }
    }
    CHECK(lo4 == 1, "%d entries for lo's 127.0.0.1/8", lo4);
    CHECK(lo_links == 1, "%d AF_PACKET entries for lo", lo_links);
    tap_diag("lo has %d IPv6 entries", lo6);

    /* Each address's link is listed, and gave the address its flags. */
    for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
        const struct ifaddrs *link = NULL;
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
            continue;
        size_t n = link_name_len(i->ifa_name);
        for (struct ifaddrs *j = list; j != NULL && !link; j = j->ifa_next)
            if ((j->ifa_addr == NULL || j->ifa_addr->sa_family == AF_PACKET) &&
                strlen(j->ifa_name) == n &&
                strncmp(j->ifa_name, i->ifa_name, n) == 0)
                link = j;
        if (CHECK(link != NULL, "%s has an IPv4 address but no link entry",
                  i->ifa_name))
            CHECK(link->ifa_flags == i->ifa_flags,
                  "%s: address flags %#x, link flags %#x", i->ifa_name,
                  i->ifa_flags, link->ifa_flags);
    }
    freeifaddrs(list);
}

/* if_nameindex lists lo under the index if_nametoindex gives, and every
 * name maps to its index and back. glibc lists the links of a RTM_GETLINK
 * dump; musl adds IPv4 labels ("eth0:1", with its link's index), so only
 * such an alias may share an index. */
static void test_if_nameindex(void)
{
    struct if_nameindex *list = if_nameindex();
    unsigned lo = (unsigned)lo_index();
    char name[IF_NAMESIZE];
    int found = 0;

    if (!CHECK(list != NULL, "if_nameindex: errno %s", tap_errno_name(errno)))
        return;
    for (struct if_nameindex *p = list; p->if_index != 0 || p->if_name; p++) {
        if (!CHECK(p->if_index > 0 && p->if_name != NULL &&
                       p->if_name[0] != '\0',
                   "entry %u \"%s\"", p->if_index,
                   p->if_name ? p->if_name : "(null)"))
            break;
        tap_diag("%u %s", p->if_index, p->if_name);
        if (strcmp(p->if_name, "lo") == 0) {
            found++;
            CHECK(p->if_index == lo, "lo is %u, if_nametoindex says %u",
                  p->if_index, lo);
        }
        if (strchr(p->if_name, ':') == NULL) {
            CHECK(if_nametoindex(p->if_name) == p->if_index,
                  "if_nametoindex(%s) = %u, listed as %u", p->if_name,
                  if_nametoindex(p->if_name), p->if_index);
            CHECK(if_indextoname(p->if_index, name) == name &&
                      strcmp(name, p->if_name) == 0,
                  "if_indextoname(%u) is not %s", p->if_index, p->if_name);
        }
        for (struct if_nameindex *q = list; q != p; q++)
            CHECK(q->if_index != p->if_index ||
                      strchr(q->if_name, ':') != NULL ||
                      strchr(p->if_name, ':') != NULL,
                  "%s and %s share index %u", q->if_name, p->if_name,
                  p->if_index);
    }
    CHECK(found == 1, "lo listed %d times", found);
    CHECK(if_indextoname(lo, name) == name && strcmp(name, "lo") == 0,
          "if_indextoname(%u) is not lo", lo);
    if_freenameindex(list);
}

/* --- the socket calls --- */

/* Both types work. A fresh socket has port 0; bind with nl_pid 0 picks a
 * port no other socket has, and rebinding may only repeat it. A port can
 * be asked for by number, but not one in use. SO_SNDBUF and SO_RCVBUF can
 * be set (iproute2 gives up if they cannot). */
static void test_socket_bind(void)
{
    uint32_t p1 = 0, p2 = 0, wish = 0x4e4c5445;
    int a = nl_open_type(SOCK_RAW, &p1), b = nl_open_type(SOCK_DGRAM, &p2);
    int c = nl_socket(SOCK_RAW), v;
    socklen_t len = sizeof(v);

    if (a < 0 || b < 0 || c < 0)
        goto out;
    CHECK(p1 != p2, "two sockets share port %u", p1);
    CHECK(nl_getsockname(c) == 0, "an unbound socket has a port");
    /* Linux sets the port before it finds it taken, and leaves it set:
     * getsockname now says p1, though c is not bound. Nothing relies on
     * that, so it is not checked. */
    CHECK_ERRNO(nl_bind(c, p1), EADDRINUSE);
    CHECK_SYSCALL(nl_bind(c, wish), 0);
    CHECK(nl_getsockname(c) == wish, "bound to port %u, getsockname differs",
          wish);
    CHECK_SYSCALL(nl_bind(a, p1), 0);
    CHECK_ERRNO(nl_bind(a, 0), EINVAL);
    CHECK_ERRNO(nl_bind(a, wish + 1), EINVAL);

    CHECK_SYSCALL(getsockopt(a, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
    CHECK(v == AF_NETLINK, "SO_DOMAIN %d", v);
    CHECK_SYSCALL(getsockopt(a, SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
    CHECK(v == NETLINK_ROUTE, "SO_PROTOCOL %d", v);
    CHECK_SYSCALL(getsockopt(a, SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK(v == SOCK_RAW, "SO_TYPE %d", v);
    CHECK_SYSCALL(getsockopt(b, SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK(v == SOCK_DGRAM, "SO_TYPE %d", v);
    v = 32768;
    CHECK_SYSCALL(setsockopt(a, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
    v = 1024 * 1024;
    CHECK_SYSCALL(setsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
out:
    close2(a, b);
    close2(c, -1);
}

/* musl never binds: its send() to the default destination (the kernel)
 * binds the socket to a port, and the answer is addressed to that port. */
static void test_autobind(void)
{
    union nl_req r;
    int fd = nl_socket(SOCK_RAW);
    int64_t pid;

    if (fd < 0)
        return;
    CHECK(nl_getsockname(fd) == 0, "an unbound socket has a port");
    nl_build(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, new_seq(), NULL, 0);
    if (CHECK_SYSCALL(send(fd, &r, r.h.nlmsg_len, 0), r.h.nlmsg_len) &&
        (pid = nl_getsockname(fd)) >= 0 &&
        CHECK(pid != 0, "still unbound after send"))
        nl_expect_error(fd, (uint32_t)pid, &r, 0);
    close(fd);
}

/* --- dumps --- */

struct link_dump {
    int lo, lo_seen, mtu;
    unsigned flags;
    int n, index[256];
    char name[256][IF_NAMESIZE];
};

static void on_link(const struct nlmsghdr *h, void *ctx)
{
    struct link_dump *d = ctx;
    struct ifinfomsg ifi;
    const char *name = attr_str(attr_find(h, sizeof(ifi), IFLA_IFNAME));
    const struct rtattr *mtu = attr_find(h, sizeof(ifi), IFLA_MTU);
    const struct rtattr *addr = attr_find(h, sizeof(ifi), IFLA_ADDRESS);
    static const unsigned char zeros[6];

    memcpy(&ifi, NLMSG_DATA(h), sizeof(ifi));
    if (!attrs_ok(h, sizeof(ifi), "RTM_NEWLINK") ||
        !CHECK(name != NULL && strlen(name) < IF_NAMESIZE,
               "link %d without a proper IFLA_IFNAME", ifi.ifi_index))
        return;
    tap_diag("link %d %s type %u flags %#x", ifi.ifi_index, name, ifi.ifi_type,
             ifi.ifi_flags);
    CHECK(ifi.ifi_family == AF_UNSPEC, "%s: family %u", name, ifi.ifi_family);
    CHECK(ifi.ifi_index > 0 && if_nametoindex(name) == (unsigned)ifi.ifi_index,
          "%s: index %d, if_nametoindex says %u", name, ifi.ifi_index,
          if_nametoindex(name));
    uint32_t m = attr_u32(mtu, 0, "IFLA_MTU");
    CHECK(m > 0, "%s: no IFLA_MTU", name);
    if (d->n < 256) {
        d->index[d->n] = ifi.ifi_index;
        strcpy(d->name[d->n++], name);
    }
    if (ifi.ifi_index != d->lo)
        return;
    d->lo_seen++;
    CHECK(strcmp(name, "lo") == 0, "index %d is %s, not lo", d->lo, name);
    CHECK(ifi.ifi_type == ARPHRD_LOOPBACK, "lo: type %u", ifi.ifi_type);
    CHECK((ifi.ifi_flags & LO_FLAGS) == LO_FLAGS, "lo: flags %#x",
          ifi.ifi_flags);
    CHECK((ifi.ifi_flags & 0xffff) == d->flags,
          "lo: flags %#x, SIOCGIFFLAGS %#x", ifi.ifi_flags, d->flags);
    CHECK(m == (uint32_t)d->mtu, "lo: IFLA_MTU %u, SIOCGIFMTU %d", m, d->mtu);
    /* getifaddrs makes lo's AF_PACKET entry from it. */
    CHECK(addr != NULL && RTA_PAYLOAD(addr) == 6 &&
              memcmp(RTA_DATA(addr), zeros, 6) == 0,
          "lo: IFLA_ADDRESS is not 6 zero bytes");
}

/* A RTM_GETLINK dump: a RTM_NEWLINK per link, lo among them with its type,
 * flags and MTU as the ioctls say, each name and index as if_nametoindex
 * says, none twice. */
static void test_getlink_dump(void)
{
    struct link_dump d = {.lo = lo_index()};
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    uint32_t pid;
    int fd = nl_open(&pid);

    if (fd < 0 || !lo_ioctls(&d.flags, &d.mtu)) {
        close2(fd, -1);
        return;
    }
    if (nl_dump(fd, pid, RTM_GETLINK, &ifi, sizeof(ifi), RTM_NEWLINK,
                sizeof(ifi), on_link, &d) >= 0) {
        CHECK(d.lo_seen == 1, "lo appears %d times", d.lo_seen);
        for (int i = 0; i < d.n; i++)
            for (int j = 0; j < i; j++)
                CHECK(d.index[i] != d.index[j] &&
                          strcmp(d.name[i], d.name[j]) != 0,
                      "links %d %s and %d %s", d.index[j], d.name[j],
                      d.index[i], d.name[i]);
    }
    close(fd);
}

struct addr_dump {
    int lo, family, lo4, lo6, inet, inet6;
};

static void on_addr(const struct nlmsghdr *h, void *ctx)
{
    struct addr_dump *d = ctx;
    struct ifaddrmsg ifa;
    const struct rtattr *addr = attr_find(h, sizeof(ifa), IFA_ADDRESS);
    const struct rtattr *local = attr_find(h, sizeof(ifa), IFA_LOCAL);
    const struct rtattr *label = attr_find(h, sizeof(ifa), IFA_LABEL);
    in_addr_t a4 = 0, l4 = 0;

    memcpy(&ifa, NLMSG_DATA(h), sizeof(ifa));
    if (!attrs_ok(h, sizeof(ifa), "RTM_NEWADDR"))
        return;
    CHECK(d->family == AF_UNSPEC || ifa.ifa_family == d->family,
          "family %u in a dump of family %d", ifa.ifa_family, d->family);
    CHECK(ifa.ifa_index > 0, "address on link %u", ifa.ifa_index);
    if (ifa.ifa_family == AF_INET) {
        d->inet++;
        CHECK(ifa.ifa_prefixlen <= 32, "IPv4 /%u", ifa.ifa_prefixlen);
        if (!CHECK(addr != NULL && RTA_PAYLOAD(addr) == 4,
                   "IPv4 address on link %u without a 4-byte IFA_ADDRESS",
                   ifa.ifa_index))
            return;
        memcpy(&a4, RTA_DATA(addr), 4);
        l4 = attr_u32(local, 0, "IFA_LOCAL");
        if (label != NULL)
            CHECK(attr_str(label) != NULL, "IFA_LABEL is not a string");
        if (ifa.ifa_index != (uint32_t)d->lo || l4 != htonl(INADDR_LOOPBACK))
            return;
        d->lo4++;
        CHECK(ifa.ifa_prefixlen == 8 && a4 == l4 &&
                  ifa.ifa_scope == RT_SCOPE_HOST,
              "lo's 127.0.0.1: /%u IFA_ADDRESS %#x scope %u", ifa.ifa_prefixlen,
              ntohl(a4), ifa.ifa_scope);
        CHECK(label != NULL && attr_str(label) != NULL &&
                  strcmp(attr_str(label), "lo") == 0,
              "lo's 127.0.0.1 has no IFA_LABEL \"lo\"");
    } else if (ifa.ifa_family == AF_INET6) {
        struct in6_addr a6;
        d->inet6++;
        CHECK(ifa.ifa_prefixlen <= 128, "IPv6 /%u", ifa.ifa_prefixlen);
        if (!CHECK(addr != NULL && RTA_PAYLOAD(addr) == 16,
                   "IPv6 address on link %u without a 16-byte IFA_ADDRESS",
                   ifa.ifa_index) ||
            ifa.ifa_index != (uint32_t)d->lo)
            return;
        d->lo6++;
        memcpy(&a6, RTA_DATA(addr), 16);
        CHECK(IN6_IS_ADDR_LOOPBACK(&a6) && ifa.ifa_prefixlen == 128 &&
                  ifa.ifa_scope == RT_SCOPE_HOST,
              "lo has an IPv6 address other than ::1/128 (/%u scope %u)",
              ifa.ifa_prefixlen, ifa.ifa_scope);
    }
}

/* A RTM_GETADDR dump of AF_INET: only IPv4 addresses, lo's 127.0.0.1/8 of
 * host scope among them with IFA_LOCAL, IFA_ADDRESS and IFA_LABEL. */
static void test_getaddr_inet(void)
{
    struct addr_dump d = {.lo = lo_index(), .family = AF_INET};
    struct ifaddrmsg ifa = {.ifa_family = AF_INET};
    uint32_t pid;
    int fd = nl_open(&pid);

    if (fd < 0)
        return;
    if (nl_dump(fd, pid, RTM_GETADDR, &ifa, sizeof(ifa), RTM_NEWADDR,
                sizeof(ifa), on_addr, &d) >= 0)
        CHECK(d.lo4 == 1, "lo's 127.0.0.1 appears %d times", d.lo4);
    close(fd);
}

/* A RTM_GETADDR dump of AF_UNSPEC: IPv4 and IPv6 together; lo has
 * 127.0.0.1, and ::1/128 if getifaddrs sees any IPv6 on lo (which IPv6
 * disabled on the host would take away). */
static void test_getaddr_unspec(void)
{
    struct addr_dump d = {.lo = lo_index(), .family = AF_UNSPEC};
    struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC};
    struct ifaddrs *list = NULL;
    int lo6 = 0;
    uint32_t pid;
    int fd = nl_open(&pid);

    if (fd < 0)
        return;
    if (CHECK_SYSCALL(getifaddrs(&list), 0)) {
        for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next)
            lo6 += strcmp(i->ifa_name, "lo") == 0 && i->ifa_addr != NULL &&
                   i->ifa_addr->sa_family == AF_INET6;
        freeifaddrs(list);
    }
    if (nl_dump(fd, pid, RTM_GETADDR, &ifa, sizeof(ifa), RTM_NEWADDR,
                sizeof(ifa), on_addr, &d) >= 0) {
        CHECK(d.lo4 == 1, "lo's 127.0.0.1 appears %d times", d.lo4);
        CHECK(d.lo6 == lo6, "lo has %d IPv6 addresses, getifaddrs says %d",
              d.lo6, lo6);
        tap_diag("%d IPv4 and %d IPv6 addresses", d.inet, d.inet6);
    }
    close(fd);
}

struct route_dump {
    int n;
};

static void on_route(const struct nlmsghdr *h, void *ctx)
{
    struct route_dump *d = ctx;
    struct rtmsg rtm;
    char name[IF_NAMESIZE];

    memcpy(&rtm, NLMSG_DATA(h), sizeof(rtm));
    d->n++;
    if (!attrs_ok(h, sizeof(rtm), "RTM_NEWROUTE") ||
        !CHECK(rtm.rtm_family == AF_INET && rtm.rtm_dst_len <= 32,
               "route of family %u /%u", rtm.rtm_family, rtm.rtm_dst_len))
        return;
    /* The addresses a route names are IPv4 ones. */
    static const unsigned short addrs[] = {RTA_DST, RTA_GATEWAY, RTA_PREFSRC};
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        const struct rtattr *a = attr_find(h, sizeof(rtm), addrs[i]);
        int len = a ? RTA_PAYLOAD(a) : 4;
        CHECK(len == 4, "route attribute %u of %d bytes", addrs[i], len);
    }
    /* A table past 255 only fits RTA_TABLE; rtm_table says RT_TABLE_COMPAT. */
    uint32_t table = attr_u32(attr_find(h, sizeof(rtm), RTA_TABLE),
                              rtm.rtm_table, "RTA_TABLE");
    CHECK(rtm.rtm_table == (table < 256 ? table : RT_TABLE_COMPAT),
          "rtm_table %u, RTA_TABLE %u", rtm.rtm_table, table);
    uint32_t oif = attr_u32(attr_find(h, sizeof(rtm), RTA_OIF), 0, "RTA_OIF");
    CHECK(oif == 0 || if_indextoname(oif, name) == name,
          "route through link %u, which if_indextoname does not know", oif);
}

/* A RTM_GETROUTE dump of AF_INET: which routes there are is the host's
 * business, but each is an IPv4 RTM_NEWROUTE that parses. */
static void test_getroute(void)
{
    struct route_dump d = {0};
    struct rtmsg rtm = {.rtm_family = AF_INET};
    uint32_t pid;
    int fd = nl_open(&pid);

    if (fd < 0)
        return;
    nl_dump(fd, pid, RTM_GETROUTE, &rtm, sizeof(rtm), RTM_NEWROUTE, sizeof(rtm),
            on_route, &d);
    close(fd);
}

/* --- single requests and errors --- */

/* Receive the one RTM_NEWLINK answering a request with seq for the link
 * lo, which is not a dump: no NLM_F_MULTI, and nothing after it. */
static void expect_lo_link(int fd, uint32_t pid, uint32_t seq, int lo)
{
    struct ifinfomsg ifi;
    int n = nl_recv(fd, LIBC_NL_BUF);
    const struct nlmsghdr *h = &rbuf.h;

    if (n < 0 || !CHECK(h->nlmsg_type == RTM_NEWLINK &&
                            h->nlmsg_len >= NLMSG_LENGTH(sizeof(ifi)) &&
                            n == (int)h->nlmsg_len,
                        "answer of type %u, %u bytes in a %d-byte datagram",
                        h->nlmsg_type, h->nlmsg_len, n))
        return;
    memcpy(&ifi, NLMSG_DATA(h), sizeof(ifi));
    const char *name = attr_str(attr_find(h, sizeof(ifi), IFLA_IFNAME));
    CHECK(h->nlmsg_seq == seq && h->nlmsg_pid == pid && h->nlmsg_flags == 0,
          "seq %#x pid %u flags %#x, want seq %#x pid %u flags 0", h->nlmsg_seq,
          h->nlmsg_pid, h->nlmsg_flags, seq, pid);
    attrs_ok(h, sizeof(ifi), "RTM_NEWLINK");
    CHECK(ifi.ifi_index == lo && ifi.ifi_type == ARPHRD_LOOPBACK &&
              name != NULL && strcmp(name, "lo") == 0,
          "link %d type %u name %s, want lo", ifi.ifi_index, ifi.ifi_type,
          name ? name : "(none)");
    nl_expect_nothing(fd, "the RTM_NEWLINK");
}

/* RTM_GETLINK without NLM_F_DUMP asks for one link by ifi_index: lo's is
 * answered with lo alone, one that does not exist with ENODEV. */
static void test_getlink_index(void)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = lo_index()};
    union nl_req r;
    uint32_t pid, seq = new_seq();
    int fd = nl_open(&pid);

    if (fd < 0)
        return;
    if (nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, seq, &ifi, sizeof(ifi)))
        expect_lo_link(fd, pid, seq, ifi.ifi_index);
    ifi.ifi_index = 0x7fffffff;
    nl_build(&r, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi, sizeof(ifi));
    if (nl_send_req(fd, &r))
        nl_expect_error(fd, pid, &r, ENODEV);
    close(fd);
}

/* ip link show dev NAME asks by IFLA_IFNAME with ifi_index 0: "lo" is
 * answered with lo, an unknown name with ENODEV, and neither an index nor
 * a name with EINVAL. */
static void test_getlink_name(void)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    union nl_req r;
    uint32_t pid;
    int fd = nl_open(&pid), lo = lo_index();

    if (fd < 0)
        return;
    nl_build(&r, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi, sizeof(ifi));
    nl_add_attr(&r, IFLA_IFNAME, "lo", 3);
    if (nl_send_req(fd, &r))
        expect_lo_link(fd, pid, r.h.nlmsg_seq, lo);
    nl_build(&r, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi, sizeof(ifi));
    nl_add_attr(&r, IFLA_IFNAME, "nosuch0", 8);
    if (nl_send_req(fd, &r))
        nl_expect_error(fd, pid, &r, ENODEV);
    nl_build(&r, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi, sizeof(ifi));
    if (nl_send_req(fd, &r))
        nl_expect_error(fd, pid, &r, EINVAL);
    close(fd);
}

/* A request of a type rtnetlink does not know (past RTM_MAX) is answered
 * with EOPNOTSUPP; NLMSG_NOOP with NLM_F_ACK with an ACK (error 0). */
static void test_error_answers(void)
{
    union nl_req r;
    uint32_t pid, body = 0;
    int fd = nl_open(&pid);

    if (fd < 0)
        return;
    nl_build(&r, 0x7f0, NLM_F_REQUEST, new_seq(), &body, sizeof(body));
    if (nl_send_req(fd, &r))
        nl_expect_error(fd, pid, &r, EOPNOTSUPP);
    nl_build(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, new_seq(), NULL, 0);
    if (nl_send_req(fd, &r))
        nl_expect_error(fd, pid, &r, 0);
    nl_expect_nothing(fd, "the ACK");
    close(fd);
}

/* What Linux answers with nothing at all: less than a header, and a
 * message without NLM_F_REQUEST (only requests go to the kernel). */
static void test_ignored(void)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = lo_index()};
    union nl_req r;
    uint32_t pid;
    int fd = nl_open(&pid);

    if (fd < 0)
        return;
    nl_build(&r, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi, sizeof(ifi));
    CHECK_SYSCALL(sendto(fd, &r, 8, 0, (const struct sockaddr *)&kernel_addr,
                         sizeof(kernel_addr)),
                  8);
    nl_expect_nothing(fd, "an 8-byte request");
    nl_build(&r, RTM_GETLINK, 0, new_seq(), &ifi, sizeof(ifi));
    if (nl_send_req(fd, &r))
        nl_expect_nothing(fd, "a request without NLM_F_REQUEST");
    close(fd);
}

/* One datagram may carry several requests: each is answered, in order,
 * each in a datagram of its own. */
static void test_two_requests(void)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = lo_index()};
    union nl_req noop, get;
    union {
        struct nlmsghdr h;
        char bytes[2 * sizeof(union nl_req)];
    } m;
    uint32_t pid;
    int fd = nl_open(&pid);
    size_t a, b;

    if (fd < 0)
        return;
    a = nl_build(&noop, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, new_seq(), NULL,
                 0);
    b = nl_build(&get, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi,
                 sizeof(ifi));
    memcpy(m.bytes, &noop, a);
    memcpy(m.bytes + a, &get, b);
    if (CHECK_SYSCALL(sendto(fd, m.bytes, a + b, 0,
                             (const struct sockaddr *)&kernel_addr,
                             sizeof(kernel_addr)),
                      a + b)) {
        nl_expect_error(fd, pid, &noop, 0);
        expect_lo_link(fd, pid, get.h.nlmsg_seq, ifi.ifi_index);
    }
    close(fd);
}

/* socket() refuses a protocol Linux has no netlink family for
 * (EPROTONOSUPPORT) and the types other than SOCK_RAW and SOCK_DGRAM
 * (ESOCKTNOSUPPORT). */
static void test_socket_errors(void)
{
    CHECK_ERRNO(socket(AF_NETLINK, SOCK_RAW, 31), EPROTONOSUPPORT);
    CHECK_ERRNO(socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
    CHECK_ERRNO(socket(AF_NETLINK, SOCK_RAW, 99), EPROTONOSUPPORT);
    CHECK_ERRNO(socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
    CHECK_ERRNO(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE),
                ESOCKTNOSUPPORT);
    CHECK_ERRNO(socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE),
                ESOCKTNOSUPPORT);
}

/* bind with an address shorter than sockaddr_nl or of another family is
 * EINVAL; sendto from a bad buffer EFAULT; recv on an empty socket that
 * must not wait EAGAIN. */
static void test_call_errors(void)
{
    struct sockaddr_nl a = {.nl_family = AF_NETLINK};
    char c;
    int fd = nl_socket(SOCK_RAW);

    if (fd < 0)
        return;
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof(sa_family_t)), EINVAL);
    a.nl_family = AF_INET;
    CHECK_ERRNO(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
    CHECK(nl_getsockname(fd) == 0, "a failed bind left a port");
    CHECK_ERRNO(syscall(SYS_sendto, fd, BAD_PTR, 32, 0, &kernel_addr,
                        sizeof(kernel_addr)),
                EFAULT);
    CHECK_ERRNO(recv(fd, &c, 1, MSG_DONTWAIT), EAGAIN);
    close(fd);
}

/* An empty socket polls writable but not readable, and readable once a
 * dump's answer is queued. */
static void test_poll(void)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    uint32_t pid;
    int fd = nl_open(&pid), rev;

    if (fd < 0)
        return;
    rev = poll1(fd, POLLIN | POLLOUT, 0);
    CHECK(rev == POLLOUT, "empty: revents %#x", rev);
    if (nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, new_seq(), &ifi,
                sizeof(ifi))) {
        rev = poll1(fd, POLLIN | POLLOUT, TIMEOUT_MS);
        CHECK(rev == (POLLIN | POLLOUT), "answer queued: revents %#x", rev);
    }
    close(fd);
}

/* recv with MSG_PEEK|MSG_TRUNC into 1 byte gives the next datagram's full
 * length and leaves it queued; a plain recv into too small a buffer gives
 * what fits, sets MSG_TRUNC in msg_flags and drops the rest. */
static void test_peek_trunc(void)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = lo_index()};
    char c;
    uint32_t pid;
    int fd = nl_open(&pid);

    if (fd < 0)
        return;
    if (nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi, sizeof(ifi)) &&
        wait_in(fd)) {
        ssize_t full = recv(fd, &c, 1, MSG_PEEK | MSG_TRUNC);
        CHECK(full > (ssize_t)NLMSG_LENGTH(sizeof(ifi)),
              "MSG_PEEK|MSG_TRUNC: %zd (errno %s)", full,
              tap_errno_name(errno));
        CHECK_SYSCALL(recv(fd, &c, 1, MSG_PEEK | MSG_TRUNC), full);
        CHECK_SYSCALL(recv(fd, rbuf.bytes, sizeof(rbuf.bytes), 0), full);
        CHECK(rbuf.h.nlmsg_len == full && rbuf.h.nlmsg_type == RTM_NEWLINK,
              "type %u, %u bytes", rbuf.h.nlmsg_type, rbuf.h.nlmsg_len);
        nl_expect_nothing(fd, "the RTM_NEWLINK");
    }
    if (nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, new_seq(), &ifi, sizeof(ifi)) &&
        wait_in(fd)) {
        struct iovec iov = {.iov_base = rbuf.bytes, .iov_len = 16};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        CHECK_SYSCALL(recvmsg(fd, &mh, 0), 16);
        CHECK(mh.msg_flags & MSG_TRUNC, "msg_flags %#x", mh.msg_flags);
        CHECK(rbuf.h.nlmsg_type == RTM_NEWLINK, "type %u", rbuf.h.nlmsg_type);
        nl_expect_nothing(fd, "a truncated RTM_NEWLINK");
    }
    close(fd);
}

/* lo's counters in /proc/net/dev: 16 numbers after "lo:"; out[0] is
 * received bytes, out[1] packets, out[8] sent bytes, out[9] packets. */
static int lo_counters(unsigned long long out[16])
{
    FILE *f = fopen("/proc/net/dev", "r");
    char line[512];
    int found = 0;

    if (!CHECK(f != NULL, "open /proc/net/dev: errno %d", errno))
        return 0;
    while (fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':'), *name = line;
        if (!colon)
            continue;
        *colon = 0;
        while (*name == ' ')
            name++;
        if (strcmp(name, "lo") != 0)
            continue;
        int n = sscanf(colon + 1,
                       "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
                       "%llu %llu %llu %llu %llu %llu",
                       &out[0], &out[1], &out[2], &out[3], &out[4], &out[5],
                       &out[6], &out[7], &out[8], &out[9], &out[10], &out[11],
                       &out[12], &out[13], &out[14], &out[15]);
        found = CHECK(n == 16, "lo's line has %d numbers", n);
    }
    fclose(f);
    CHECK(found, "no lo line in /proc/net/dev");
    return found;
}

/* Datagrams over 127.0.0.1 are counted on lo, sent and received, in
 * /proc/net/dev (natively other traffic may add to them: at least). */
static void test_lo_counters(void)
{
    unsigned long long before[16], after[16];
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t len = sizeof(addr);
    char buf[100] = {0};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (!CHECK(fd >= 0, "socket: errno %d", errno))
        return;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_SYSCALL(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_SYSCALL(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    if (!lo_counters(before)) {
        close(fd);
        return;
    }
    for (int i = 0; i < 10; i++) {
        CHECK_SYSCALL(sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&addr,
                             sizeof(addr)),
                      (long)sizeof(buf));
        if (wait_in(fd))
            CHECK_SYSCALL(recv(fd, buf, sizeof(buf), 0), (long)sizeof(buf));
    }
    close(fd);
    if (!lo_counters(after))
        return;
    /* each is 100 bytes behind a UDP and an IP header at least */
    CHECK(after[1] - before[1] >= 10 && after[9] - before[9] >= 10,
          "packets: received %llu, sent %llu more, want 10",
          after[1] - before[1], after[9] - before[9]);
    CHECK(after[0] - before[0] >= 1280 && after[8] - before[8] >= 1280,
          "bytes: received %llu, sent %llu more, want 1280",
          after[0] - before[0], after[8] - before[8]);
}

static const struct tap_test tests[] = {
    {"getifaddrs: lo's link and addresses, each address's link",
     test_getifaddrs},
    {"if_nameindex: lo, names and indexes agree", test_if_nameindex},
    {"socket, bind, port ids, EADDRINUSE, SO_* options", test_socket_bind},
    {"send on an unbound socket binds it", test_autobind},
    {"RTM_GETLINK dump", test_getlink_dump},
    {"RTM_GETADDR dump of AF_INET", test_getaddr_inet},
    {"RTM_GETADDR dump of AF_UNSPEC", test_getaddr_unspec},
    {"RTM_GETROUTE dump of AF_INET", test_getroute},
    {"RTM_GETLINK by index: lo, and ENODEV", test_getlink_index},
    {"RTM_GETLINK by IFLA_IFNAME: lo, ENODEV, EINVAL", test_getlink_name},
    {"an unknown type is EOPNOTSUPP, NLM_F_ACK is ACKed", test_error_answers},
    {"short messages and non-requests get no answer", test_ignored},
    {"two requests in one datagram", test_two_requests},
    {"socket() with a bad protocol or type", test_socket_errors},
    {"bind, sendto, recv errors", test_call_errors},
    {"poll: POLLOUT when empty, POLLIN once answered", test_poll},
    {"MSG_PEEK|MSG_TRUNC and truncation", test_peek_trunc},
    {"lo counts datagrams over 127.0.0.1 in /proc/net/dev", test_lo_counters},
};

TAP_MAIN(tests)
