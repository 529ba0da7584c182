/* SPDX-License-Identifier: MIT */
/* inet.c: AF_INET and AF_INET6 sockets, TCP and UDP, on lwIP's raw API.

   Each socket owns one lwIP pcb; lwIP's callbacks (data, acknowledged
   bytes, errors, new connections) run under net_lock in whichever thread
   fed lwIP (a program's thread sending on loopback, or the network
   thread reading a tap) and only queue and post: the socket calls
   themselves copy bytes between the program and pbufs. Received TCP data
   stays in lwIP's pbufs until read; the window opens as it is read
   (tcp_recved). An AF_INET6 socket is dual-stack unless IPV6_V6ONLY: its
   IPv4 peers appear as ::ffff:a.b.c.d.

   Not done: raw sockets (SOCK_RAW gives EPERM, as without
   CAP_NET_RAW), out-of-band data (MSG_OOB: EOPNOTSUPP), multicast
   options, IP_PKTINFO and the other ancillary data. */
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h" /* tcp_ack_now */
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "abi/linux/fcntl.h"
#include "net.h"
#include "syscall/uaccess.h"

#define IPPROTO_IP 0
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_DEFER_ACCEPT 9
#define TCP_QUICKACK 12
#define TCP_USER_TIMEOUT 18
#define TCP_FASTOPEN 23
#define IP_TOS 1
#define IP_TTL 2
#define IP_RECVERR 11
#define IP_MTU_DISCOVER 10
#define IPV6_V6ONLY 26
#define IPV6_RECVERR 25

#define UDP_QUEUE_MAX (1024 * 1024)

enum { I_NEW, I_LISTEN, I_CONNECTING, I_CONNECTED, I_CLOSED };

struct dgram {
    struct dgram *next;
    struct pbuf *p;
    ip_addr_t addr;
    u16_t port;
};

struct inet_sock {
    struct socket *sock;
    bool v6, v6only;
    struct tcp_pcb *tcp;
    struct udp_pcb *udp;
    int state;
    int err;    /* pending SO_ERROR, a positive errno */
    bool bound; /* bind or listen gave it an address */
    bool shut_rd, shut_wr;
    bool rx_fin;               /* the peer sent FIN */
    bool in_progress;          /* connect said EINPROGRESS: the next says 0 */
    struct pbuf *rx, *rx_tail; /* TCP: received, not yet read */
    size_t rx_bytes;
    struct dgram *dq_head, *dq_tail; /* UDP */
    size_t dq_bytes;
    /* listening */
    struct inet_sock *acc_head, *acc_tail, *acc_next;
    int nacc, backlog;
    /* SO_REUSEPORT: a second listener on a port shares the first one's
       pcb and queue (lwIP allows one listener per port); it holds a
       reference on that socket's file */
    struct inet_sock *alias;
    int keepidle, keepintvl, keepcnt; /* seconds */
    u16_t real_mss; /* TSO: the MSS agreed with the peer (pcb->mss is big) */
    /* the connection's ends, kept for when the pcb is gone (lwIP frees
       it in TIME_WAIT, or after a reset) */
    ip_addr_t lip, rip;
    u16_t lport, rport;
    bool have_ends;
    bool nodelay;
};

static struct inet_sock *is(struct socket *s) { return s->priv; }

static long err_errno(err_t e)
{
    switch (e) {
    case ERR_OK: return 0;
    case ERR_MEM:
    case ERR_BUF: return -ENOBUFS;
    case ERR_TIMEOUT: return -ETIMEDOUT;
    case ERR_RTE: return -ENETUNREACH;
    case ERR_INPROGRESS: return -EINPROGRESS;
    case ERR_VAL: return -EINVAL;
    case ERR_WOULDBLOCK: return -EAGAIN;
    case ERR_USE: return -EADDRINUSE;
    case ERR_ALREADY: return -EALREADY;
    case ERR_ISCONN: return -EISCONN;
    case ERR_CONN: return -ENOTCONN;
    case ERR_IF: return -ENETDOWN;
    case ERR_ABRT: return -ECONNABORTED;
    case ERR_RST: return -ECONNRESET;
    case ERR_CLSD: return -ENOTCONN;
    case ERR_ARG: return -EINVAL;
    default: return -EIO;
    }
}

/* ---- addresses ---- */

struct sockaddr_in_k {
    uint16_t family;
    uint16_t port; /* network order */
    uint32_t addr; /* network order */
    uint8_t zero[8];
};

struct sockaddr_in6_k {
    uint16_t family;
    uint16_t port;
    uint32_t flowinfo;
    uint8_t addr[16];
    uint32_t scope_id;
};

static uint16_t be16(uint16_t v) { return (uint16_t)(v >> 8 | v << 8); }

/* A sockaddr from the program into lwIP's form. */
static long addr_from(struct inet_sock *i, const void *sa, int len,
                      ip_addr_t *ip, u16_t *port)
{
    uint16_t family = len >= 2 ? *(const uint16_t *)sa : 0;
    if (!i->v6) {
        if (len < (int)sizeof(struct sockaddr_in_k))
            return -EINVAL;
        if (family != AF_INET)
            return -EAFNOSUPPORT;
        const struct sockaddr_in_k *a = sa;
        ip_addr_set_ip4_u32_val(*ip, a->addr);
        *port = be16(a->port);
        return 0;
    }
    if (len < (int)sizeof(struct sockaddr_in6_k))
        return -EINVAL;
    if (family != AF_INET6)
        return -EAFNOSUPPORT;
    const struct sockaddr_in6_k *a = sa;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(a->addr, mapped, 12)) {
        if (i->v6only)
            return -ENETUNREACH;
        uint32_t v4;
        memcpy(&v4, a->addr + 12, 4);
        ip_addr_set_ip4_u32_val(*ip, v4);
    } else {
        ip_addr_t x;
        memset(&x, 0, sizeof(x));
        IP_SET_TYPE_VAL(x, IPADDR_TYPE_V6);
        memcpy(ip_2_ip6(&x)->addr, a->addr, 16);
        *ip = x;
    }
    *port = be16(a->port);
    return 0;
}

/* lwIP's form into a sockaddr of the socket's family; returns its length. */
static int addr_to(struct inet_sock *i, const ip_addr_t *ip, u16_t port,
                   void *sa)
{
    if (!i->v6) {
        struct sockaddr_in_k a = {AF_INET, be16(port), 0, {0}};
        if (ip && IP_IS_V4(ip))
            a.addr = ip4_addr_get_u32(ip_2_ip4(ip));
        memcpy(sa, &a, sizeof(a));
        return sizeof(a);
    }
    struct sockaddr_in6_k a = {AF_INET6, be16(port), 0, {0}, 0};
    if (ip && IP_IS_V4(ip) && !ip_addr_isany(ip)) {
        uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));
        a.addr[10] = a.addr[11] = 0xff;
        memcpy(a.addr + 12, &v4, 4);
    } else if (ip && IP_IS_V6(ip)) {
        memcpy(a.addr, ip_2_ip6(ip)->addr, 16);
    }
    memcpy(sa, &a, sizeof(a));
    return sizeof(a);
}

/* Is ip one of ours (or any)? bind's EADDRNOTAVAIL otherwise. */
static bool addr_local(const ip_addr_t *ip)
{
    if (ip_addr_isany(ip))
        return true;
    if (IP_IS_V4(ip) && ip4_addr_isloopback(ip_2_ip4(ip)))
        return true;
    struct netif *n;
    NETIF_FOREACH(n)
    {
        if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
            return true;
        if (IP_IS_V6(ip))
            for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; k++)
                if (ip6_addr_isvalid(netif_ip6_addr_state(n, k)) &&
                    !memcmp(ip_2_ip6(ip)->addr, netif_ip6_addr(n, k)->addr, 16))
                    return true;
    }
    return false;
}

/* The address a dual-stack "::" binds: both families, or IPv6 only. */
static const ip_addr_t *any_of(struct inet_sock *i, const ip_addr_t *ip)
{
    if (i->v6 && IP_IS_V6(ip) && ip_addr_isany(ip))
        return i->v6only ? IP6_ADDR_ANY : IP_ANY_TYPE;
    return ip;
}

/* ---- lwIP's callbacks (net_lock held) ---- */

static void keep_ends(struct inet_sock *i, struct tcp_pcb *pcb)
{
    ip_addr_copy(i->lip, pcb->local_ip);
    ip_addr_copy(i->rip, pcb->remote_ip);
    i->lport = pcb->local_port;
    i->rport = pcb->remote_port;
    i->have_ends = true;
}

/* Both sides have sent FIN: lwIP will free the pcb by itself (TIME_WAIT
   ends, LAST_ACK is acknowledged) without a callback, so the socket lets
   go of it now. */
static void detach_closed(struct inet_sock *i)
{
    struct tcp_pcb *pcb = i->tcp;
    if (!pcb)
        return;
    keep_ends(i, pcb);
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    i->tcp = NULL;
}

static void tcp_setup(struct inet_sock *i, struct tcp_pcb *pcb);

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct inet_sock *i = arg;
    (void)err;
    if (!i) { /* closed meanwhile: lwIP's own default */
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (!p) {
        i->rx_fin = true;
        if (i->shut_wr)
            detach_closed(i);
    } else { /* linked by hand: a chain's u16 tot_len would wrap */
        if (i->rx)
            i->rx_tail->next = p;
        else
            i->rx = p;
        i->rx_bytes += p->tot_len;
        while (p->next)
            p = p->next;
        i->rx_tail = p;
    }
    sock_wake(i->sock);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb, (void)len;
    if (arg)
        sock_wake(((struct inet_sock *)arg)->sock);
    return ERR_OK;
}

/* The pcb is gone (lwIP freed it): a reset, an abort, or a refusal. */
static void on_err(void *arg, err_t err)
{
    struct inet_sock *i = arg;
    if (!i)
        return;
    i->tcp = NULL;
    if (err == ERR_CLSD) { /* an orderly close: no error to report */
        sock_wake(i->sock);
        return;
    }
    bool connecting = i->state == I_CONNECTING;
    /* as Linux's tcp_reset: a reset after the peer's FIN is EPIPE */
    i->err = connecting && err == ERR_RST  ? ECONNREFUSED
             : err == ERR_RST && i->rx_fin ? EPIPE
             : err == ERR_RST              ? ECONNRESET
             : err == ERR_ABRT             ? ECONNABORTED
                                           : (int)-err_errno(err);
    i->state = I_CLOSED;
    sock_wake(i->sock);
}

/* A connection through a tap whose host cuts TCP segments (TSO): lwIP
   makes segments of up to 64000 bytes, the host cuts them at the MSS
   agreed with the peer (inet_gso_mss), as a VM's NIC does. */
static void tso_setup(struct inet_sock *i, struct tcp_pcb *pcb)
{
    if (!IP_IS_V4(&pcb->remote_ip) ||
        ip4_addr_isloopback(ip_2_ip4(&pcb->remote_ip)))
        return;
    struct netif *n = ip_route(&pcb->local_ip, &pcb->remote_ip);
    if (!n || n->mtu <= 1500 || !pcb->mss || pcb->mss > 1500)
        return;
    i->real_mss = pcb->mss;
    pcb->mss = 64000;
}

uint16_t inet_gso_mss(const uint8_t *ip, const uint8_t *tcp)
{
    u16_t sport = (u16_t)(tcp[0] << 8 | tcp[1]);
    u16_t dport = (u16_t)(tcp[2] << 8 | tcp[3]);
    uint32_t dst;
    memcpy(&dst, ip + 16, 4);
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
        if (p->local_port != sport || p->remote_port != dport ||
            !IP_IS_V4(&p->remote_ip) ||
            ip4_addr_get_u32(ip_2_ip4(&p->remote_ip)) != dst)
            continue;
        struct inet_sock *i = p->callback_arg;
        if (i && i->real_mss)
            return i->real_mss;
        break;
    }
    return 1460; /* an orphaned connection's: the MTU's */
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct inet_sock *i = arg;
    (void)err;
    if (i) {
        keep_ends(i, pcb);
        tso_setup(i, pcb);
        i->state = I_CONNECTED;
        sock_wake(i->sock);
    }
    return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct inet_sock *l = arg;
    if (!l || err != ERR_OK || !pcb || l->nacc >= l->backlog) {
        if (pcb)
            tcp_abort(pcb);
        return ERR_ABRT;
    }
    struct socket *ns = sock_alloc(l->sock->family, SOCK_STREAM, IPPROTO_TCP);
    struct inet_sock *n = ns ? kzalloc(sizeof(*n)) : NULL;
    if (!n) {
        if (ns)
            net_defer_put(ns->file); /* not under net_lock */
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    ns->ops = l->sock->ops;
    ns->priv = n;
    n->sock = ns;
    n->v6 = l->v6;
    n->v6only = l->v6only;
    n->state = I_CONNECTED;
    n->bound = true;
    n->nodelay = l->nodelay;
    ns->keepalive = l->sock->keepalive;
    tcp_setup(n, pcb);
    keep_ends(n, pcb);
    tso_setup(n, pcb);
    if (l->acc_tail)
        l->acc_tail->acc_next = n;
    else
        l->acc_head = n;
    l->acc_tail = n;
    l->nacc++;
    sock_wake(l->sock);
    return ERR_OK;
}

static void udp_on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                        const ip_addr_t *addr, u16_t port)
{
    struct inet_sock *i = arg;
    (void)pcb;
    struct dgram *d = i && i->dq_bytes + p->tot_len <= UDP_QUEUE_MAX
                          ? kmalloc(sizeof(*d))
                          : NULL;
    if (!d) { /* a full queue drops, as Linux's does */
        pbuf_free(p);
        return;
    }
    d->next = NULL;
    d->p = p;
    ip_addr_copy(d->addr, *addr);
    d->port = port;
    if (i->dq_tail)
        i->dq_tail->next = d;
    else
        i->dq_head = d;
    i->dq_tail = d;
    i->dq_bytes += p->tot_len;
    sock_wake(i->sock);
}

static void tcp_setup(struct inet_sock *i, struct tcp_pcb *pcb)
{
    i->tcp = pcb;
    tcp_arg(pcb, i);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    if (i->nodelay)
        tcp_nagle_disable(pcb);
    if (i->sock->keepalive)
        ip_set_option(pcb, SOF_KEEPALIVE);
    if (i->keepidle)
        pcb->keep_idle = (u32_t)i->keepidle * 1000;
    if (i->keepintvl)
        pcb->keep_intvl = (u32_t)i->keepintvl * 1000;
    if (i->keepcnt)
        pcb->keep_cnt = (u32_t)i->keepcnt;
}

/* ---- the socket calls ---- */

static long inet_bind(struct socket *s, const void *addr, int len)
{
    struct inet_sock *i = is(s);
    ip_addr_t ip;
    u16_t port;
    long r = addr_from(i, addr, len, &ip, &port);
    if (r)
        return r;
    net_lock();
    if (i->bound || (i->state != I_NEW))
        r = -EINVAL;
    else if (!addr_local(&ip))
        r = -EADDRNOTAVAIL;
    else if (i->tcp) {
        if (s->reuseaddr || s->reuseport)
            ip_set_option(i->tcp, SOF_REUSEADDR);
        r = err_errno(tcp_bind(i->tcp, any_of(i, &ip), port));
    } else if (i->udp) {
        if (s->reuseaddr || s->reuseport)
            ip_set_option(i->udp, SOF_REUSEADDR);
        r = err_errno(udp_bind(i->udp, any_of(i, &ip), port));
    }
    if (r == 0)
        i->bound = true;
    net_unlock();
    return r;
}

/* listen on a port another SO_REUSEPORT socket listens on: become its
   alias (net_lock held). */
static bool reuseport_join(struct inet_sock *i)
{
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l;
         l = l->next) {
        struct inet_sock *o = l->callback_arg;
        if (!o || o->alias || !o->sock->reuseport ||
            l->local_port != i->tcp->local_port ||
            !ip_addr_cmp(&l->local_ip, &i->tcp->local_ip))
            continue;
        /* a reference only while the file lives: its last close may be
           waiting for net_lock to release it */
        int refs = __atomic_load_n(&o->sock->file->refs, __ATOMIC_ACQUIRE);
        while (refs > 0 && !__atomic_compare_exchange_n(
                               &o->sock->file->refs, &refs, refs + 1, false,
                               __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            ;
        if (refs <= 0)
            continue;
        tcp_arg(i->tcp, NULL);
        tcp_close(i->tcp);
        i->tcp = NULL;
        i->alias = o;
        i->state = I_LISTEN;
        i->bound = true;
        i->sock->seq_from = o->sock;
        return true;
    }
    return false;
}

static long inet_listen(struct socket *s, int backlog)
{
    struct inet_sock *i = is(s);
    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    long r = 0;
    net_lock();
    if (i->state == I_LISTEN) {
        i->backlog = backlog < 1 ? 1 : MIN(backlog, 4096);
    } else if (i->state != I_NEW || !i->tcp) {
        r = -EINVAL;
    } else {
        if (!i->bound) {
            if (s->reuseaddr)
                ip_set_option(i->tcp, SOF_REUSEADDR);
            r = err_errno(tcp_bind(
                i->tcp, i->v6 ? any_of(i, IP6_ADDR_ANY) : IP4_ADDR_ANY, 0));
        }
        i->backlog = backlog < 1 ? 1 : MIN(backlog, 4096);
        err_t e = ERR_OK;
        struct tcp_pcb *l = r ? NULL
                              : tcp_listen_with_backlog_and_err(
                                    i->tcp, (u8_t)MIN(i->backlog, 255), &e);
        if (!r && !l)
            r = err_errno(e);
        if (r == -EADDRINUSE && s->reuseport && reuseport_join(i))
            r = 0;
        if (l) {
            i->tcp = l;
            i->bound = true;
            i->state = I_LISTEN;
            tcp_arg(l, i);
            tcp_accept(l, on_accept);
        }
    }
    net_unlock();
    return r;
}

static long inet_connect(struct socket *s, const void *addr, int len)
{
    struct inet_sock *i = is(s);
    long r = 0;
    if (!addr) { /* the outcome of a connection in progress */
        net_lock();
        if (i->state == I_CONNECTED) {
            r = 0;
            i->in_progress = false;
        } else if (i->state == I_CONNECTING)
            r = -EALREADY;
        else if (i->err) {
            r = -i->err;
            i->err = 0;
        } else
            r = -ECONNREFUSED;
        net_unlock();
        return r;
    }
    if (len >= 2 && *(const uint16_t *)addr == AF_UNSPEC) {
        if (s->type != SOCK_DGRAM)
            return 0; /* Linux: a TCP disconnect; not supported, harmless */
        net_lock();
        if (i->udp)
            udp_disconnect(i->udp);
        i->state = I_NEW;
        net_unlock();
        return 0;
    }
    ip_addr_t ip;
    u16_t port;
    r = addr_from(i, addr, len, &ip, &port);
    if (r)
        return r;
    if (s->type == SOCK_DGRAM) {
        net_lock();
        r = i->udp ? err_errno(udp_connect(i->udp, &ip, port)) : -EINVAL;
        if (r == 0) {
            i->state = I_CONNECTED;
            i->bound = true;
        }
        net_unlock();
        return r;
    }
    net_lock();
    if (i->state == I_CONNECTED && i->in_progress) {
        r = 0; /* Linux: once, after a non-blocking connect completed */
        i->in_progress = false;
    } else if (i->state == I_CONNECTED)
        r = -EISCONN;
    else if (i->in_progress && i->err) {
        r = -i->err;
        i->err = 0;
        i->in_progress = false;
    } else if (i->state == I_CONNECTING)
        r = -EALREADY;
    else if (i->state == I_LISTEN)
        r = -EISCONN;
    else if (!i->tcp) {
        r = i->err ? -i->err : -EINVAL;
        i->err = 0;
    } else {
        i->state = I_CONNECTING;
        i->bound = true;
        r = err_errno(tcp_connect(i->tcp, &ip, port, on_connected));
        if (r) {
            i->state = I_NEW;
            if (r == -ENETUNREACH || r == -ENETDOWN)
                r = -ENETUNREACH;
        } else {
            r = -EINPROGRESS;
            i->in_progress = true;
        }
    }
    net_unlock(); /* a loopback peer answers here */
    return r;
}

static long inet_accept(struct socket *s, struct socket **out)
{
    struct inet_sock *i = is(s);
    if (s->type != SOCK_STREAM)
        return -EOPNOTSUPP;
    net_lock();
    if (i->alias)
        i = i->alias;
    if (i->state != I_LISTEN) {
        net_unlock();
        return -EINVAL;
    }
    struct inet_sock *n = i->acc_head;
    if (!n) {
        net_unlock();
        return -EAGAIN;
    }
    i->acc_head = n->acc_next;
    if (!i->acc_head)
        i->acc_tail = NULL;
    n->acc_next = NULL;
    i->nacc--;
    net_unlock();
    *out = n->sock;
    return 0;
}

static long inet_getname(struct socket *s, void *addr, int *len, int peer)
{
    struct inet_sock *i = is(s);
    net_lock();
    long r = 0;
    if (i->alias)
        i = i->alias;
    if (peer) {
        if (i->tcp && i->state == I_CONNECTED)
            *len = addr_to(i, &i->tcp->remote_ip, i->tcp->remote_port, addr);
        else if (i->udp && i->state == I_CONNECTED)
            *len = addr_to(i, &i->udp->remote_ip, i->udp->remote_port, addr);
        else if (i->have_ends && peer == 2) /* accept: the pcb is gone */
            *len = addr_to(i, &i->rip, i->rport, addr);
        else
            r = -ENOTCONN;
    } else if (i->tcp) {
        *len = addr_to(i, &i->tcp->local_ip, i->tcp->local_port, addr);
    } else if (i->have_ends) {
        *len = addr_to(i, &i->lip, i->lport, addr);
    } else if (i->udp) {
        *len = addr_to(i, &i->udp->local_ip, i->udp->local_port, addr);
    } else {
        *len = addr_to(i, NULL, 0, addr);
    }
    net_unlock();
    return r;
}

#define CHUNK 65535 /* tcp_write takes a u16 length */

static long tcp_send(struct inet_sock *i, struct kmsg *m, int flags)
{
    if (i->state == I_CONNECTING)
        return -EAGAIN; /* the caller waits for the connection */
    if (!i->tcp || i->state != I_CONNECTED) {
        if (i->err) {
            long r = -i->err;
            i->err = 0;
            return r;
        }
        return -EPIPE; /* Linux: also on a never-connected socket */
    }
    if (i->shut_wr)
        return -EPIPE;
    size_t room = MIN((size_t)i->tcp->snd_buf, m->total);
    if (tcp_sndqueuelen(i->tcp) >= TCP_SND_QUEUELEN - 8)
        room = 0;
    if (!room)
        return m->total ? -EAGAIN : 0;
    size_t n = MIN(room, (size_t)CHUNK);
    char *buf = kmalloc(n);
    if (!buf)
        return -ENOBUFS;
    long r = kmsg_copy_from(m, 0, buf, n);
    if (r >= 0) {
        u8_t wf = TCP_WRITE_FLAG_COPY;
        if ((flags & MSG_MORE) || n < m->total)
            wf |= TCP_WRITE_FLAG_MORE;
        err_t e = tcp_write(i->tcp, buf, (u16_t)n, wf);
        if (e == ERR_MEM)
            r = -EAGAIN;
        else if (e != ERR_OK)
            r = err_errno(e);
        else {
            r = (long)n;
            tcp_output(i->tcp);
        }
    }
    kfree(buf);
    return r;
}

/* A datagram to a local address where nothing is bound: Linux's ICMP
   port unreachable comes back to a connected socket as ECONNREFUSED.
   lwIP does not pass ICMP errors to UDP pcbs, so husk sees it here (for
   its own addresses only). */
static bool udp_nobody(const ip_addr_t *ip, u16_t port)
{
    if (!addr_local(ip))
        return false;
    for (struct udp_pcb *u = udp_pcbs; u; u = u->next)
        if (u->local_port == port &&
            (ip_addr_isany(&u->local_ip) || ip_addr_cmp(&u->local_ip, ip)))
            return false;
    return true;
}

static long udp_send_one(struct inet_sock *i, struct kmsg *m)
{
    size_t max = i->v6 ? 65527 : 65507;
    if (m->total > max)
        return -EMSGSIZE;
    if (!i->udp)
        return -EBADF;
    ip_addr_t ip;
    u16_t port = 0;
    if (m->name) {
        long r = addr_from(i, m->name, m->namelen, &ip, &port);
        if (r)
            return r;
    } else if (i->state != I_CONNECTED) {
        return -EDESTADDRREQ;
    }
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)m->total, PBUF_RAM);
    if (!p)
        return -ENOBUFS;
    long r = kmsg_copy_from(m, 0, p->payload, m->total);
    if (r >= 0) {
        err_t e =
            m->name ? udp_sendto(i->udp, p, &ip, port) : udp_send(i->udp, p);
        r = e == ERR_OK ? (long)m->total : err_errno(e);
        if (e == ERR_RTE)
            r = -ENETUNREACH;
        if (r >= 0)
            i->bound = true;
        if (r >= 0 && !m->name &&
            udp_nobody(&i->udp->remote_ip, i->udp->remote_port)) {
            i->err = ECONNREFUSED;
            sock_wake(i->sock);
        }
    }
    pbuf_free(p);
    return r;
}

static long inet_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
    struct inet_sock *i = is(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    net_lock();
    long r =
        s->type == SOCK_STREAM ? tcp_send(i, m, flags) : udp_send_one(i, m);
    net_unlock();
    return r;
}

/* Copy n bytes of a pbuf chain from offset off into the message. */
static long pbuf_to_msg(struct kmsg *m, size_t at, struct pbuf *p, size_t off,
                        size_t n)
{
    size_t done = 0;
    for (; p && done < n; p = p->next) {
        if (off >= p->len) {
            off -= p->len;
            continue;
        }
        size_t k = MIN((size_t)p->len - off, n - done);
        long r = kmsg_copy_to(m, at + done, (char *)p->payload + off, k);
        if (r < 0)
            return r;
        done += k;
        off = 0;
    }
    return (long)done;
}

static long tcp_recv_msg(struct inet_sock *i, struct kmsg *m, int flags)
{
    if (i->state == I_LISTEN || i->state == I_NEW || i->state == I_CONNECTING)
        return i->state == I_CONNECTING ? -EAGAIN : -ENOTCONN;
    if (!i->rx) {
        if (i->shut_rd || i->rx_fin)
            return 0;
        if (i->err) {
            long r = -i->err;
            i->err = 0;
            return r;
        }
        if (i->state == I_CLOSED)
            return 0;
        return -EAGAIN;
    }
    if (i->shut_rd)
        return 0;
    size_t n = MIN(i->rx_bytes, m->total);
    long r = pbuf_to_msg(m, 0, i->rx, 0, n);
    if (r < 0)
        return r;
    if (!(flags & MSG_PEEK)) {
        i->rx_bytes -= n;
        for (size_t left = n; left;) {
            struct pbuf *p = i->rx;
            if (left < p->len) {
                pbuf_remove_header(p, (u16_t)left);
                break;
            }
            left -= p->len;
            i->rx = p->next;
            p->next = NULL; /* free this one only */
            pbuf_free(p);
        }
        if (!i->rx)
            i->rx_tail = NULL;
        for (size_t left = n; left;) {
            u16_t k = (u16_t)MIN(left, (size_t)0xffff);
            if (i->tcp)
                tcp_recved(i->tcp, k);
            left -= k;
        }
        /* as Linux's tcp_cleanup_rbuf: a delayed ACK goes out when the
           program reads, not a timer tick later (a sender's Nagle waits
           for it) */
        if (i->tcp && (i->tcp->flags & TF_ACK_DELAY)) {
            tcp_ack_now(i->tcp);
            tcp_output(i->tcp);
        }
    }
    return (long)n;
}

static long udp_recv_one(struct inet_sock *i, struct kmsg *m, int flags)
{
    struct dgram *d = i->dq_head;
    if (i->err) { /* once, as Linux's sock_error */
        long r = -i->err;
        i->err = 0;
        return r;
    }
    if (!d)
        return i->shut_rd ? 0 : -EAGAIN;
    size_t len = d->p->tot_len, n = MIN(len, m->total);
    long r = pbuf_to_msg(m, 0, d->p, 0, n);
    if (r < 0)
        return r;
    if (n < len)
        m->flags |= MSG_TRUNC;
    if (m->name)
        m->namelen = addr_to(i, &d->addr, d->port, m->name);
    if (!(flags & MSG_PEEK)) {
        i->dq_head = d->next;
        if (!i->dq_head)
            i->dq_tail = NULL;
        i->dq_bytes -= len;
        pbuf_free(d->p);
        kfree(d);
    }
    return (flags & MSG_TRUNC) ? (long)len : (long)n;
}

static long inet_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
    struct inet_sock *i = is(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    net_lock();
    long r = s->type == SOCK_STREAM ? tcp_recv_msg(i, m, flags)
                                    : udp_recv_one(i, m, flags);
    net_unlock();
    return r;
}

static long inet_shutdown(struct socket *s, int how)
{
    struct inet_sock *i = is(s);
    long r = 0;
    net_lock();
    if (s->type == SOCK_STREAM && i->state != I_CONNECTED &&
        i->state != I_LISTEN)
        r = -ENOTCONN;
    else {
        if (how != SHUT_WR)
            i->shut_rd = true;
        if (how != SHUT_RD && !i->shut_wr) {
            i->shut_wr = true;
            if (i->tcp && i->state == I_CONNECTED) {
                tcp_shutdown(i->tcp, 0, 1);
                if (i->rx_fin)
                    detach_closed(i);
            }
        }
        if (i->state == I_LISTEN && how != SHUT_WR)
            sock_wake(s);
    }
    sock_wake(s);
    net_unlock();
    return r;
}

static unsigned inet_poll(struct socket *s)
{
    struct inet_sock *i = is(s);
    unsigned m = 0;
    net_lock();
    if (s->type == SOCK_DGRAM) {
        if (i->dq_head || i->shut_rd)
            m |= POLLIN | POLLRDNORM;
        m |= POLLOUT | POLLWRNORM;
        if (i->err)
            m |= POLLERR;
        net_unlock();
        return m;
    }
    switch (i->state) {
    case I_LISTEN:
        if ((i->alias ? i->alias : i)->acc_head)
            m |= POLLIN | POLLRDNORM;
        break;
    case I_NEW: m |= POLLOUT | POLLWRNORM | POLLHUP; break;
    case I_CONNECTING: break;
    case I_CONNECTED:
        if (i->rx || i->rx_fin || i->shut_rd)
            m |= POLLIN | POLLRDNORM;
        if (i->rx_fin)
            m |= POLLRDHUP;
        if (i->shut_wr && (i->rx_fin || i->shut_rd))
            m |= POLLHUP;
        if (!i->shut_wr && i->tcp && i->tcp->snd_buf > TCP_SNDLOWAT &&
            tcp_sndqueuelen(i->tcp) < TCP_SNDQUEUELOWAT)
            m |= POLLOUT | POLLWRNORM;
        else if (i->shut_wr)
            m |= POLLOUT | POLLWRNORM;
        break;
    case I_CLOSED:
        m |= POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP | POLLRDHUP;
        break;
    }
    if (i->err)
        m |= POLLERR;
    net_unlock();
    return m;
}

static long inet_ioctl(struct socket *s, unsigned long req, uptr_t arg)
{
    struct inet_sock *i = is(s);
    int v = 0;
    net_lock();
    if (req == 0x541b) { /* FIONREAD */
        if (s->type == SOCK_STREAM)
            v = (int)MIN(i->rx_bytes, (size_t)INT32_MAX);
        else
            v = i->dq_head ? i->dq_head->p->tot_len : 0;
    } else if (req == 0x5411) { /* TIOCOUTQ */
        v = i->tcp && i->state == I_CONNECTED
                ? (int)(TCP_SND_BUF - i->tcp->snd_buf)
                : 0;
    } else if (req == 0x8905) { /* SIOCATMARK */
        v = 0;
    } else {
        net_unlock();
        return -ENOTTY;
    }
    net_unlock();
    return copy_out(arg, &v, sizeof(v));
}

static int int_of(const void *val)
{
    int v;
    memcpy(&v, val, sizeof(v));
    return v;
}

static long inet_setsockopt(struct socket *s, int level, int name,
                            const void *val, int len)
{
    struct inet_sock *i = is(s);
    if (level == SOL_SOCKET) {
        long r = sock_setsockopt_common(s, name, val, len);
        if (r == 0 && name == SO_KEEPALIVE) {
            net_lock();
            if (i->tcp && i->state != I_LISTEN) {
                if (s->keepalive)
                    ip_set_option(i->tcp, SOF_KEEPALIVE);
                else
                    ip_reset_option(i->tcp, SOF_KEEPALIVE);
            }
            net_unlock();
        }
        return r;
    }
    if (len < (int)sizeof(int))
        return -EINVAL;
    int v = int_of(val);
    if (level == IPPROTO_TCP) {
        if (s->type != SOCK_STREAM)
            return -ENOPROTOOPT; /* Linux: getsockopt says EOPNOTSUPP */
        switch (name) {
        case TCP_NODELAY:
            net_lock();
            i->nodelay = v != 0;
            if (i->tcp && i->state != I_LISTEN) {
                if (v)
                    tcp_nagle_disable(i->tcp);
                else
                    tcp_nagle_enable(i->tcp);
            }
            net_unlock();
            return 0;
        case TCP_KEEPIDLE:
        case TCP_KEEPINTVL:
        case TCP_KEEPCNT:
            if (v < 1 || v > (name == TCP_KEEPCNT ? 127 : 32767))
                return -EINVAL;
            net_lock();
            if (name == TCP_KEEPIDLE)
                i->keepidle = v;
            else if (name == TCP_KEEPINTVL)
                i->keepintvl = v;
            else
                i->keepcnt = v;
            if (i->tcp && i->state != I_LISTEN) {
                if (name == TCP_KEEPIDLE)
                    i->tcp->keep_idle = (u32_t)v * 1000;
                else if (name == TCP_KEEPINTVL)
                    i->tcp->keep_intvl = (u32_t)v * 1000;
                else
                    i->tcp->keep_cnt = (u32_t)v;
            }
            net_unlock();
            return 0;
        case TCP_MAXSEG:
        case TCP_CORK:
        case TCP_DEFER_ACCEPT:
        case TCP_QUICKACK:
        case TCP_USER_TIMEOUT:
        case TCP_FASTOPEN: return 0; /* accepted; lwIP decides these */
        }
        return -ENOPROTOOPT;
    }
    if (level == IPPROTO_IP) {
        switch (name) {
        case IP_TOS:
        case IP_TTL:
        case IP_RECVERR:
        case IP_MTU_DISCOVER: return 0; /* accepted, not kept */
        }
        return -ENOPROTOOPT;
    }
    if (level == IPPROTO_IPV6) {
        if (!i->v6)
            return -ENOPROTOOPT;
        if (name == IPV6_V6ONLY) {
            net_lock();
            long r = i->bound ? -EINVAL : 0;
            if (!r)
                i->v6only = v != 0;
            net_unlock();
            return r;
        }
        if (name == IPV6_RECVERR)
            return 0;
        return -ENOPROTOOPT;
    }
    return -ENOPROTOOPT;
}

static long inet_getsockopt(struct socket *s, int level, int name, void *val,
                            int *len)
{
    struct inet_sock *i = is(s);
    int v;
    if (level == SOL_SOCKET) {
        if (name == SO_ERROR) {
            net_lock();
            v = i->err;
            i->err = 0;
            net_unlock();
        } else if (name == SO_ACCEPTCONN) {
            v = i->state == I_LISTEN;
        } else {
            return sock_getsockopt_common(s, name, val, len);
        }
    } else if (level == IPPROTO_TCP) {
        if (s->type != SOCK_STREAM)
            return -EOPNOTSUPP; /* as Linux: setsockopt says ENOPROTOOPT */
        switch (name) {
        case TCP_NODELAY: v = i->nodelay; break;
        case TCP_KEEPIDLE: v = i->keepidle ? i->keepidle : 7200; break;
        case TCP_KEEPINTVL: v = i->keepintvl ? i->keepintvl : 75; break;
        case TCP_KEEPCNT: v = i->keepcnt ? i->keepcnt : 9; break;
        case TCP_MAXSEG: v = TCP_MSS; break;
        case TCP_CORK:
        case TCP_DEFER_ACCEPT:
        case TCP_USER_TIMEOUT:
        case TCP_FASTOPEN: v = 0; break;
        case TCP_QUICKACK: v = 1; break;
        default: return -ENOPROTOOPT;
        }
    } else if (level == IPPROTO_IP) {
        if (name == IP_TOS)
            v = 0;
        else if (name == IP_TTL)
            v = 64;
        else
            return -ENOPROTOOPT;
    } else if (level == IPPROTO_IPV6 && i->v6) {
        if (name != IPV6_V6ONLY)
            return -ENOPROTOOPT;
        v = i->v6only;
    } else {
        return -EOPNOTSUPP; /* a level this socket's protocols lack */
    }
    memcpy(val, &v, sizeof(v));
    *len = sizeof(v);
    return 0;
}

static void inet_release(struct socket *s)
{
    struct inet_sock *i = is(s);
    net_lock();
    struct inet_sock *pending = i->acc_head;
    i->acc_head = i->acc_tail = NULL;
    if (i->tcp) {
        struct tcp_pcb *pcb = i->tcp;
        tcp_arg(pcb, NULL);
        i->tcp = NULL;
        if (i->state == I_LISTEN) {
            tcp_accept(pcb, NULL);
            tcp_close(pcb);
        } else {
            tcp_recv(pcb, NULL);
            tcp_sent(pcb, NULL);
            tcp_err(pcb, NULL);
            if ((s->linger_on && s->linger_secs == 0) ||
                tcp_close(pcb) != ERR_OK)
                tcp_abort(pcb);
        }
    }
    if (i->udp) {
        udp_remove(i->udp);
        i->udp = NULL;
    }
    while (i->rx) { /* one by one: see on_recv */
        struct pbuf *p = i->rx;
        i->rx = p->next;
        p->next = NULL;
        pbuf_free(p);
    }
    while (i->dq_head) {
        struct dgram *d = i->dq_head;
        i->dq_head = d->next;
        pbuf_free(d->p);
        kfree(d);
    }
    struct inet_sock *alias = i->alias;
    net_unlock();
    if (alias)
        file_put(alias->sock->file);
    while (pending) { /* connections never accepted: reset */
        struct inet_sock *next = pending->acc_next;
        pending->sock->linger_on = 1;
        pending->sock->linger_secs = 0;
        file_put(pending->sock->file);
        pending = next;
    }
    kfree(i);
}

static const struct sock_ops inet_ops = {
    .bind = inet_bind,
    .connect = inet_connect,
    .listen = inet_listen,
    .accept = inet_accept,
    .getname = inet_getname,
    .sendmsg = inet_sendmsg,
    .recvmsg = inet_recvmsg,
    .shutdown = inet_shutdown,
    .setsockopt = inet_setsockopt,
    .getsockopt = inet_getsockopt,
    .poll = inet_poll,
    .ioctl = inet_ioctl,
    .release = inet_release,
};

long inet_create(struct socket *s)
{
    if (s->type == SOCK_STREAM) {
        if (s->protocol != 0 && s->protocol != IPPROTO_TCP)
            return -EPROTONOSUPPORT;
        s->protocol = IPPROTO_TCP;
    } else if (s->type == SOCK_DGRAM) {
        if (s->protocol != 0 && s->protocol != IPPROTO_UDP)
            return -EPROTONOSUPPORT;
        s->protocol = IPPROTO_UDP;
    } else if (s->type == SOCK_RAW) {
        return -EPERM; /* as Linux without CAP_NET_RAW */
    } else {
        return -ESOCKTNOSUPPORT;
    }
    long r = net_start();
    if (r)
        return r;
    struct inet_sock *i = kzalloc(sizeof(*i));
    if (!i)
        return -ENOMEM;
    i->sock = s;
    i->v6 = s->family == AF_INET6;
    s->priv = i;
    s->ops = &inet_ops;
    s->rcvbuf = 131072;
    s->sndbuf = 16384;
    u8_t type = i->v6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4;
    net_lock();
    if (s->type == SOCK_STREAM) {
        struct tcp_pcb *pcb = tcp_new_ip_type(type);
        if (pcb)
            tcp_setup(i, pcb);
    } else {
        i->udp = udp_new_ip_type(type);
        if (i->udp)
            udp_recv(i->udp, udp_on_recv, i);
    }
    bool ok = i->tcp || i->udp;
    net_unlock();
    if (!ok) {
        s->priv = NULL;
        s->ops = NULL;
        kfree(i);
        return -ENOBUFS;
    }
    return 0;
}
