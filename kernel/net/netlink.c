/* SPDX-License-Identifier: MIT */
/* netlink.c: AF_NETLINK sockets of protocol NETLINK_ROUTE, enough for
   getifaddrs, if_nameindex and `ip addr`/`ip link`/`ip route`: dumps of
   the interfaces (RTM_GETLINK, also one by index or name), of their
   addresses (RTM_GETADDR) and of the routes husk's interfaces imply
   (RTM_GETROUTE). Nothing can be changed: RTM_NEW*, RTM_DEL* and
   RTM_SET* are EPERM, as for a container without CAP_NET_ADMIN.

   Partial, and said so: other protocols (NETLINK_GENERIC, uevents, audit,
   sock_diag) are EPROTONOSUPPORT; other RTM_GET* requests and a
   single-route lookup (`ip route get`) are answered EOPNOTSUPP; multicast
   groups may be joined, but no notification is ever sent (interfaces do
   not change while husk runs). A message to another netlink socket of
   the sandbox is delivered to it, as Linux does.

   A request is answered at once: its replies are queued on the socket as
   datagrams of at most DGRAM_MAX bytes, several messages to one, the last
   followed by NLMSG_DONE (dumps) or NLMSG_ERROR (errors and ACKs). */
#include "fs/wait.h"
#include "net.h"
#include "syscall/uaccess.h"
#include "task/task.h"

#define NETLINK_ROUTE 0
#define SOL_NETLINK 270

#define NLMSG_NOOP 1
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLMSG_MIN_TYPE 0x10
#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI 0x2
#define NLM_F_ACK 0x4
#define NLM_F_DUMP 0x300
#define NLM_F_CAPPED 0x100 /* in an ACK: the request is not echoed */

#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26
#define RTM_MAX 127

#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_STATS 7
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE 17
#define IFLA_STATS64 23
#define IF_OPER_UNKNOWN 0
#define IF_OPER_UP 6

#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define IFA_FLAGS 8
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80

#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PRIORITY 6
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RTN_UNICAST 1
#define RTN_LOCAL 2

#define NETLINK_ADD_MEMBERSHIP 1
#define NETLINK_DROP_MEMBERSHIP 2
#define NETLINK_GET_STRICT_CHK 12

#define DGRAM_MAX 4096         /* Linux's smallest dump datagram */
#define QUEUE_MAX (256 * 1024) /* a reply beyond it: ENOBUFS */
#define SEND_MAX 65536         /* a larger request: EMSGSIZE */

struct nlmsghdr {
    uint32_t len;
    uint16_t type, flags;
    uint32_t seq, pid;
};

struct sockaddr_nl {
    uint16_t family, pad;
    uint32_t pid, groups;
};

struct ifinfomsg {
    uint8_t family, pad;
    uint16_t type;
    int32_t index;
    uint32_t flags, change;
};

struct ifaddrmsg {
    uint8_t family, prefixlen, flags, scope;
    uint32_t index;
};

struct rtmsg {
    uint8_t family, dst_len, src_len, tos, table, protocol, scope, type;
    uint32_t flags;
};

#define ALIGN4(n) (((n) + 3u) & ~3u)

struct dgram {
    struct dgram *next;
    size_t len;
    uint32_t from; /* the sender's port: 0 the kernel */
    uint8_t data[];
};

struct nl_sock {
    struct nl_sock *next;
    struct socket *sock;
    uint32_t port; /* 0: not bound yet */
    uint32_t groups;
    uint32_t dst_port; /* connect */
    unsigned opts;     /* SOL_NETLINK flags set, by bit */
    struct dgram *head, *tail;
    size_t queued;
};

static struct spinlock nl_lock;
static struct nl_sock *all_nl;
static uint32_t rover = (uint32_t)-4096; /* Linux's ports after the pid */

static struct nl_sock *nl(struct socket *s) { return s->priv; }

static struct nl_sock *by_port(uint32_t port)
{
    for (struct nl_sock *n = all_nl; n; n = n->next)
        if (n->port == port)
            return n;
    return NULL;
}

/* Give an unbound socket a port: the process's pid first, as Linux does,
   then numbers counting down from -4096. nl_lock held. */
static void autobind(struct nl_sock *n)
{
    if (n->port)
        return;
    uint32_t want = (uint32_t)current_proc()->pid;
    while (by_port(want))
        want = rover--;
    n->port = want;
}

/* ---- building replies ---- */

/* The replies to one request, in datagrams. */
struct reply {
    struct dgram *head, *tail;
    size_t total;
    bool nomem;
    bool fresh; /* the next message starts a datagram */
    uint32_t seq, port;
};

/* Room for a message of n bytes: in the last datagram if it fits, or a
   new one. Returns where it goes (zeroed), or NULL (out of memory). */
static void *reply_room(struct reply *r, size_t n)
{
    n = ALIGN4(n);
    struct dgram *d = r->tail;
    if (!d || r->fresh || d->len + n > DGRAM_MAX) {
        r->fresh = false;
        d = kzalloc(sizeof(*d) + MAX((size_t)DGRAM_MAX, n));
        if (!d) {
            r->nomem = true;
            return NULL;
        }
        if (r->tail)
            r->tail->next = d;
        else
            r->head = d;
        r->tail = d;
    }
    void *at = d->data + d->len;
    d->len += n;
    r->total += n;
    return at;
}

/* A message being built in a flat buffer, then copied into the reply. */
struct msg {
    uint8_t buf[1024];
    size_t len;
};

static void *msg_start(struct msg *m, struct reply *r, uint16_t type,
                       uint16_t flags, size_t body)
{
    memset(m->buf, 0, sizeof(struct nlmsghdr) + body);
    struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
    h->type = type;
    h->flags = flags;
    h->seq = r->seq;
    h->pid = r->port;
    m->len = sizeof(*h) + ALIGN4(body);
    return m->buf + sizeof(*h);
}

static void attr(struct msg *m, uint16_t type, const void *data, size_t n)
{
    uint16_t hdr[2] = {(uint16_t)(4 + n), type};
    if (m->len + ALIGN4(4 + n) > sizeof(m->buf))
        return; /* cannot happen: the largest message is about 500 bytes */
    memcpy(m->buf + m->len, hdr, 4);
    memcpy(m->buf + m->len + 4, data, n);
    memset(m->buf + m->len + 4 + n, 0, ALIGN4(4 + n) - 4 - n);
    m->len += ALIGN4(4 + n);
}

static void attr32(struct msg *m, uint16_t type, uint32_t v)
{
    attr(m, type, &v, 4);
}

static void attr8(struct msg *m, uint16_t type, uint8_t v)
{
    attr(m, type, &v, 1);
}

static void msg_end(struct msg *m, struct reply *r)
{
    ((struct nlmsghdr *)m->buf)->len = (uint32_t)m->len;
    void *at = reply_room(r, m->len);
    if (at)
        memcpy(at, m->buf, m->len);
}

static void link_msg(struct reply *r, const struct net_ifinfo *o,
                     uint16_t flags)
{
    struct msg m;
    struct ifinfomsg *i = msg_start(&m, r, RTM_NEWLINK, flags, sizeof(*i));
    i->type = (uint16_t)o->type;
    i->index = o->index;
    i->flags = o->flags;
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    bool lo = o->type == ARPHRD_LOOPBACK;
    attr(&m, IFLA_IFNAME, o->name, strlen(o->name) + 1);
    attr32(&m, IFLA_TXQLEN, 1000);
    attr8(&m, IFLA_OPERSTATE, lo ? IF_OPER_UNKNOWN : IF_OPER_UP);
    attr8(&m, IFLA_LINKMODE, 0);
    attr32(&m, IFLA_MTU, (uint32_t)o->mtu);
    attr(&m, IFLA_ADDRESS, o->mac, 6);
    attr(&m, IFLA_BROADCAST, lo ? o->mac : bcast, 6); /* lo's: zeros */
    /* struct rtnl_link_stats64, then rtnl_link_stats: the same counters */
    uint64_t s64[24] = {o->st.rx_packets, o->st.tx_packets, o->st.rx_bytes,
                        o->st.tx_bytes,   o->st.rx_errors,  o->st.tx_errors,
                        o->st.rx_dropped, o->st.tx_dropped};
    uint32_t s32[24];
    for (int k = 0; k < 24; k++)
        s32[k] = (uint32_t)s64[k];
    attr(&m, IFLA_STATS64, s64, sizeof(s64));
    attr(&m, IFLA_STATS, s32, sizeof(s32));
    msg_end(&m, r);
}

static void addr_msg(struct reply *r, const struct net_ifinfo *o, int family,
                     const void *a, int prefix, bool tentative)
{
    struct msg m;
    struct ifaddrmsg *i =
        msg_start(&m, r, RTM_NEWADDR, NLM_F_MULTI, sizeof(*i));
    bool lo = o->type == ARPHRD_LOOPBACK;
    i->family = (uint8_t)family;
    i->prefixlen = (uint8_t)prefix;
    uint32_t flags = IFA_F_PERMANENT | (tentative ? IFA_F_TENTATIVE : 0);
    i->flags = (uint8_t)flags;
    i->index = (uint32_t)o->index;
    size_t n = family == AF_INET ? 4 : 16;
    const uint8_t *b = a;
    if (lo)
        i->scope = RT_SCOPE_HOST;
    else if (family == AF_INET6 && b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        i->scope = RT_SCOPE_LINK;
    attr(&m, IFA_ADDRESS, a, n);
    if (family == AF_INET) {
        attr(&m, IFA_LOCAL, a, n);
        if (!lo) {
            uint32_t bc = o->ip4 | ~o->mask4;
            attr(&m, IFA_BROADCAST, &bc, 4);
        }
        attr(&m, IFA_LABEL, o->name, strlen(o->name) + 1);
    }
    attr32(&m, IFA_FLAGS, flags);
    uint32_t cache[4] = {0xffffffff, 0xffffffff, 0, 0}; /* forever */
    attr(&m, IFA_CACHEINFO, cache, sizeof(cache));
    msg_end(&m, r);
}

static void route_msg(struct reply *r, int family, int table, int type,
                      int proto, int scope, const void *dst, int dst_len,
                      const void *gw, const void *src, int oif, bool metric)
{
    struct msg m;
    struct rtmsg *t = msg_start(&m, r, RTM_NEWROUTE, NLM_F_MULTI, sizeof(*t));
    size_t n = family == AF_INET ? 4 : 16;
    t->family = (uint8_t)family;
    t->dst_len = (uint8_t)dst_len;
    t->table = (uint8_t)table;
    t->protocol = (uint8_t)proto;
    t->scope = (uint8_t)scope;
    t->type = (uint8_t)type;
    attr32(&m, RTA_TABLE, (uint32_t)table);
    if (dst_len)
        attr(&m, RTA_DST, dst, n);
    if (metric)
        attr32(&m, RTA_PRIORITY, 256); /* IPv6's kernel routes */
    if (src)
        attr(&m, RTA_PREFSRC, src, n);
    if (gw)
        attr(&m, RTA_GATEWAY, gw, n);
    attr32(&m, RTA_OIF, (uint32_t)oif);
    msg_end(&m, r);
}

/* The routes Linux would hold for these interfaces: in the main table
   each IPv4 subnet and the default route, in the local table each
   address (and lo's 127.0.0.0/8); for IPv6 ::1 and the fe80::/64 of each
   tap. */
static void routes(struct reply *r, int family, const struct net_ifinfo *o)
{
    bool lo = o->type == ARPHRD_LOOPBACK;
    if ((family == AF_UNSPEC || family == AF_INET) && o->ip4) {
        uint32_t net4 = o->ip4 & o->mask4;
        int len = __builtin_popcount(o->mask4);
        if (!lo) {
            if (o->gw4)
                route_msg(r, AF_INET, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_BOOT,
                          RT_SCOPE_UNIVERSE, NULL, 0, &o->gw4, NULL, o->index,
                          false);
            route_msg(r, AF_INET, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_KERNEL,
                      RT_SCOPE_LINK, &net4, len, NULL, &o->ip4, o->index,
                      false);
        } else {
            route_msg(r, AF_INET, RT_TABLE_LOCAL, RTN_LOCAL, RTPROT_KERNEL,
                      RT_SCOPE_HOST, &net4, len, NULL, &o->ip4, o->index,
                      false);
        }
        route_msg(r, AF_INET, RT_TABLE_LOCAL, RTN_LOCAL, RTPROT_KERNEL,
                  RT_SCOPE_HOST, &o->ip4, 32, NULL, &o->ip4, o->index, false);
    }
    if (family == AF_UNSPEC || family == AF_INET6) {
        for (int k = 0; k < o->nip6; k++) {
            const uint8_t *a = o->ip6[k].addr;
            if (lo) {
                route_msg(r, AF_INET6, RT_TABLE_MAIN, RTN_UNICAST,
                          RTPROT_KERNEL, RT_SCOPE_UNIVERSE, a, 128, NULL, NULL,
                          o->index, true);
            } else if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
                uint8_t fe80[16] = {0xfe, 0x80};
                route_msg(r, AF_INET6, RT_TABLE_MAIN, RTN_UNICAST,
                          RTPROT_KERNEL, RT_SCOPE_UNIVERSE, fe80, 64, NULL,
                          NULL, o->index, true);
            }
        }
    }
}

/* An NLMSG_ERROR: error 0 is an ACK. The request is echoed whole with
   an error, only its header with an ACK (NLM_F_CAPPED), as Linux does. */
static void error_msg(struct reply *r, const struct nlmsghdr *req, int error)
{
    r->fresh = true;
    size_t echo = error ? req->len : sizeof(*req);
    size_t len = sizeof(struct nlmsghdr) + 4 + echo;
    struct nlmsghdr *h = reply_room(r, len);
    if (!h)
        return;
    h->len = (uint32_t)len;
    h->type = NLMSG_ERROR;
    h->flags = error ? 0 : NLM_F_CAPPED;
    h->seq = req->seq;
    h->pid = r->port;
    memcpy((uint8_t *)(h + 1), &error, 4);
    memcpy((uint8_t *)(h + 1) + 4, req, echo);
}

static void done_msg(struct reply *r)
{
    struct msg m;
    r->fresh = true; /* NLMSG_DONE comes alone, as Linux sends it */
    msg_start(&m, r, NLMSG_DONE, NLM_F_MULTI, 4); /* an int: 0 */
    msg_end(&m, r);
}

/* The attribute `type` in the attributes after a fixed body: its data
   and length, or NULL. */
static const uint8_t *find_attr(const struct nlmsghdr *h, size_t body,
                                uint16_t type, size_t *n)
{
    size_t at = sizeof(*h) + ALIGN4(body);
    const uint8_t *b = (const uint8_t *)h;
    while (at + 4 <= h->len) {
        uint16_t hdr[2];
        memcpy(hdr, b + at, 4);
        if (hdr[0] < 4 || at + hdr[0] > h->len)
            break;
        if ((hdr[1] & 0x3fff) == type) {
            *n = hdr[0] - 4u;
            return b + at + 4;
        }
        at += ALIGN4(hdr[0]);
    }
    return NULL;
}

/* One request; its answer goes to r. Returns 0 (answered, and an ACK if
   asked), 1 (a dump: answered and done), or -errno. */
static int request(struct reply *r, const struct nlmsghdr *h)
{
    uint16_t type = h->type;
    size_t body = h->len - sizeof(*h);
    if (type > RTM_MAX)
        return -EOPNOTSUPP;
    if ((type & 3) != 2) /* RTM_NEW*, RTM_DEL*, RTM_SET* */
        return -EPERM;
    int family = body >= 1 ? *(const uint8_t *)(h + 1) : AF_UNSPEC;
    bool dump = (h->flags & NLM_F_DUMP) == NLM_F_DUMP;
    struct net_ifinfo o;
    if (type == RTM_GETLINK && !dump) {
        struct ifinfomsg want = {0};
        memcpy(&want, h + 1, MIN(body, sizeof(want)));
        size_t n = 0;
        const uint8_t *name = body >= sizeof(want)
                                  ? find_attr(h, sizeof(want), IFLA_IFNAME, &n)
                                  : NULL;
        if (!want.index && !name)
            return -EINVAL;
        for (int k = 1; k <= net_ifcount(); k++) {
            if (net_ifinfo(k, &o))
                continue;
            bool match = want.index ? want.index == k
                                    : n && strnlen((const char *)name, n) < n &&
                                          !strcmp((const char *)name, o.name);
            if (match) {
                link_msg(r, &o, 0);
                return 0;
            }
        }
        return -ENODEV;
    }
    if (!dump)
        return -EOPNOTSUPP;
    if (type != RTM_GETLINK && type != RTM_GETADDR && type != RTM_GETROUTE)
        return -EOPNOTSUPP;
    for (int k = 1; k <= net_ifcount(); k++) {
        if (net_ifinfo(k, &o))
            continue;
        if (type == RTM_GETLINK) {
            link_msg(r, &o, NLM_F_MULTI);
        } else if (type == RTM_GETADDR) {
            if ((family == AF_UNSPEC || family == AF_INET) && o.ip4)
                addr_msg(r, &o, AF_INET, &o.ip4, __builtin_popcount(o.mask4),
                         false);
            if (family == AF_UNSPEC || family == AF_INET6)
                for (int i = 0; i < o.nip6; i++)
                    addr_msg(r, &o, AF_INET6, o.ip6[i].addr, o.ip6[i].prefix,
                             o.ip6[i].tentative);
        } else {
            routes(r, family, &o);
        }
    }
    done_msg(r);
    return 1;
}

static void dgrams_free(struct dgram *d)
{
    while (d) {
        struct dgram *next = d->next;
        kfree(d);
        d = next;
    }
}

/* Queue datagrams on a socket: false (and nothing queued) when they
   would overflow its queue. nl_lock held. */
static bool deliver(struct nl_sock *to, struct dgram *head, size_t total)
{
    if (!head)
        return true;
    if (to->queued + total > QUEUE_MAX)
        return false;
    struct dgram *last = head;
    while (last->next)
        last = last->next;
    if (to->tail)
        to->tail->next = head;
    else
        to->head = head;
    to->tail = last;
    to->queued += total;
    __atomic_add_fetch(&to->sock->seq, 1, __ATOMIC_RELAXED);
    return true;
}

/* ---- the socket ---- */

static long nl_bind(struct socket *s, const void *addr, int len)
{
    struct sockaddr_nl a;
    if (len < (int)sizeof(a))
        return -EINVAL;
    memcpy(&a, addr, sizeof(a));
    if (a.family != AF_NETLINK)
        return -EINVAL;
    struct nl_sock *n = nl(s);
    long r = 0;
    spin_lock(&nl_lock);
    if (n->port && n->port != a.pid) {
        r = -EINVAL; /* bound (also by a send): only its own port again */
    } else if (a.pid && !n->port) {
        if (by_port(a.pid))
            r = -EADDRINUSE;
        else
            n->port = a.pid;
    } else {
        autobind(n);
    }
    if (!r)
        n->groups = a.groups;
    spin_unlock(&nl_lock);
    return r;
}

static long nl_connect(struct socket *s, const void *addr, int len)
{
    struct sockaddr_nl a = {0};
    struct nl_sock *n = nl(s);
    if (len < (int)sizeof(a.family))
        return -EINVAL;
    memcpy(&a, addr, MIN((size_t)len, sizeof(a)));
    if (a.family == AF_UNSPEC) {
        n->dst_port = 0;
        return 0;
    }
    if (len < (int)sizeof(a) || a.family != AF_NETLINK)
        return -EINVAL;
    spin_lock(&nl_lock);
    autobind(n);
    n->dst_port = a.pid;
    spin_unlock(&nl_lock);
    return 0;
}

static long nl_getname(struct socket *s, void *addr, int *len, int peer)
{
    struct nl_sock *n = nl(s);
    struct sockaddr_nl a = {AF_NETLINK, 0, 0, 0};
    spin_lock(&nl_lock);
    if (peer) {
        a.pid = n->dst_port;
    } else {
        a.pid = n->port;
        a.groups = n->groups;
    }
    spin_unlock(&nl_lock);
    memcpy(addr, &a, sizeof(a));
    *len = sizeof(a);
    return 0;
}

static long nl_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
    (void)flags;
    struct nl_sock *n = nl(s);
    uint32_t dst = n->dst_port;
    if (m->name) {
        struct sockaddr_nl a;
        if (m->namelen < (int)sizeof(a))
            return -EINVAL;
        memcpy(&a, m->name, sizeof(a));
        if (a.family != AF_NETLINK)
            return -EINVAL;
        dst = a.pid;
    }
    if (m->total > SEND_MAX)
        return -EMSGSIZE;
    /* the message as a datagram: delivered as it is to another socket,
       read as requests by the kernel */
    struct dgram *d = kmalloc(sizeof(*d) + m->total);
    if (!d)
        return -ENOBUFS;
    long got = kmsg_copy_from(m, 0, d->data, m->total);
    if (got < 0) {
        kfree(d);
        return got;
    }
    spin_lock(&nl_lock);
    autobind(n);
    uint32_t port = n->port;
    long ret = (long)m->total;
    if (dst) {
        d->next = NULL;
        d->len = m->total;
        d->from = port;
        struct nl_sock *to = by_port(dst);
        if (!to)
            ret = -ECONNREFUSED;
        else if (!deliver(to, d, d->len))
            ret = -ENOBUFS;
    }
    spin_unlock(&nl_lock);
    if (dst) {
        if (ret < 0)
            kfree(d);
        else
            kevent_post();
        return ret;
    }

    const uint8_t *buf = d->data;
    struct reply r = {.port = port};
    /* to the kernel: each request in turn; a malformed length ends the
       batch silently, as Linux's netlink_rcv_skb does */
    size_t at = 0;
    while (at + sizeof(struct nlmsghdr) <= (size_t)got) {
        struct nlmsghdr h;
        memcpy(&h, buf + at, sizeof(h));
        if (h.len < sizeof(h) || h.len > (size_t)got - at)
            break;
        const struct nlmsghdr *req = (const void *)(buf + at);
        r.seq = h.seq;
        r.fresh = true; /* each answer in datagrams of its own */
        if (h.flags & NLM_F_REQUEST) {
            int e = h.type < NLMSG_MIN_TYPE ? 0 : request(&r, req);
            if (e < 0 || (e == 0 && (h.flags & NLM_F_ACK)))
                error_msg(&r, req, e);
        }
        at += ALIGN4(h.len);
    }
    kfree(d);
    if (r.nomem) {
        dgrams_free(r.head);
        return -ENOBUFS;
    }
    spin_lock(&nl_lock); /* replies come from the kernel: port 0 (kzalloc) */
    bool ok = deliver(n, r.head, r.total);
    spin_unlock(&nl_lock);
    if (!ok) {
        dgrams_free(r.head);
        return -ENOBUFS;
    }
    kevent_post();
    return ret;
}

static long nl_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
    struct nl_sock *n = nl(s);
    spin_lock(&nl_lock);
    struct dgram *d = n->head;
    if (!d) {
        spin_unlock(&nl_lock);
        return -EAGAIN;
    }
    size_t k = MIN(d->len, m->total);
    long r = kmsg_copy_to(m, 0, d->data, k);
    if (r < 0) {
        spin_unlock(&nl_lock);
        return r;
    }
    if (k < d->len)
        m->flags |= MSG_TRUNC;
    if (m->name) {
        struct sockaddr_nl a = {AF_NETLINK, 0, d->from, 0};
        memcpy(m->name, &a, sizeof(a));
        m->namelen = sizeof(a);
    }
    long ret = (long)((flags & MSG_TRUNC) ? d->len : k);
    if (!(flags & MSG_PEEK)) {
        n->head = d->next;
        if (!n->head)
            n->tail = NULL;
        n->queued -= d->len;
        kfree(d);
        __atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED);
    }
    spin_unlock(&nl_lock);
    return ret;
}

static long nl_shutdown(struct socket *s, int how)
{
    (void)s, (void)how;
    return -EOPNOTSUPP;
}

static unsigned nl_poll(struct socket *s)
{
    struct nl_sock *n = nl(s);
    unsigned m = POLLOUT | POLLWRNORM;
    spin_lock(&nl_lock);
    if (n->head)
        m |= POLLIN | POLLRDNORM;
    spin_unlock(&nl_lock);
    return m;
}

static long nl_setsockopt(struct socket *s, int level, int name,
                          const void *val, int len)
{
    struct nl_sock *n = nl(s);
    if (level != SOL_NETLINK)
        return -ENOPROTOOPT; /* SOL_SOCKET: the common ones */
    if (len < (int)sizeof(int))
        return -EINVAL;
    int v;
    memcpy(&v, val, sizeof(v));
    switch (name) {
    case NETLINK_ADD_MEMBERSHIP:
    case NETLINK_DROP_MEMBERSHIP:
        /* groups exist, but no notification ever comes */
        if (v < 0 || v > 32)
            return -EINVAL;
        return 0;
    case 3:  /* NETLINK_PKTINFO */
    case 4:  /* NETLINK_BROADCAST_ERROR */
    case 5:  /* NETLINK_NO_ENOBUFS */
    case 8:  /* NETLINK_LISTEN_ALL_NSID */
    case 10: /* NETLINK_CAP_ACK */
    case 11: /* NETLINK_EXT_ACK */
    case NETLINK_GET_STRICT_CHK:
        if (v)
            n->opts |= 1u << name;
        else
            n->opts &= ~(1u << name);
        return 0;
    }
    return -ENOPROTOOPT;
}

static long nl_getsockopt(struct socket *s, int level, int name, void *val,
                          int *len)
{
    struct nl_sock *n = nl(s);
    if (level != SOL_NETLINK)
        return -ENOPROTOOPT;
    switch (name) {
    case 3:
    case 4:
    case 5:
    case 8:
    case 10:
    case 11:
    case NETLINK_GET_STRICT_CHK: {
        int v = (n->opts >> name) & 1;
        memcpy(val, &v, sizeof(v));
        *len = sizeof(v);
        return 0;
    }
    }
    return -ENOPROTOOPT;
}

static void nl_release(struct socket *s)
{
    struct nl_sock *n = nl(s);
    spin_lock(&nl_lock);
    struct nl_sock **pp = &all_nl;
    while (*pp && *pp != n)
        pp = &(*pp)->next;
    if (*pp)
        *pp = n->next;
    spin_unlock(&nl_lock);
    dgrams_free(n->head);
    kfree(n);
}

static const struct sock_ops nl_ops = {
    .bind = nl_bind,
    .connect = nl_connect,
    .getname = nl_getname,
    .sendmsg = nl_sendmsg,
    .recvmsg = nl_recvmsg,
    .shutdown = nl_shutdown,
    .setsockopt = nl_setsockopt,
    .getsockopt = nl_getsockopt,
    .poll = nl_poll,
    .release = nl_release,
};

long netlink_create(struct socket *s)
{
    if (s->type != SOCK_RAW && s->type != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (s->protocol != NETLINK_ROUTE)
        return -EPROTONOSUPPORT;
    struct nl_sock *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->sock = s;
    s->priv = n;
    s->ops = &nl_ops;
    s->rcvbuf = s->sndbuf = 212992;
    spin_lock(&nl_lock);
    n->next = all_nl;
    all_nl = n;
    spin_unlock(&nl_lock);
    return 0;
}
