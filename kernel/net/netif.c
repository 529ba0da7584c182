/* SPDX-License-Identifier: MIT */
/* netif.c: lwIP brought up inside husk: the network lock, loopback, the
   tap interfaces and the network kernel thread; the interface ioctls.

   lwIP runs without threads of its own (NO_SYS). Every call into it is
   made under net_lock. Frames from the taps are read by one kernel thread
   (kthread_start), which also runs lwIP's timers; it sleeps in a host
   ppoll on the tap fds (net_poll) for at most the time to the next timer.
   Frames to a tap are written by whichever thread sends. Loopback packets
   are queued by lwIP and delivered when the lock is released, so a
   program's own connection over 127.0.0.1 completes in its own thread.

   lwIP starts the first time an AF_INET/AF_INET6 socket is made, or when
   the program starts if there are taps (so the sandbox answers ARP and
   ping before the program opens a socket). */
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4_frag.h"
#include "lwip/ip6.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/priv/tcp_priv.h" /* tcp_active_pcbs, tcp_ticks */
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include <stdarg.h>

#include "boot.h"
#include "fs/wait.h"
#include "host/host.h"
#include "net.h"
#include "syscall/uaccess.h"
#include "task/task.h"

#define MTU 1500

struct tap {
    struct netif netif;
    int fd;
    unsigned offload; /* TUN_F_* the host accepted */
    uint8_t mac[6];
    const struct husk_nic *cfg;
    struct net_ifstats st; /* rx: the network thread's; tx: net_lock's */
};

static struct {
    bool up;     /* lwIP initialised */
    bool thread; /* the network thread runs */
    struct tap taps[4];
    int ntaps;
    struct netif *lo;         /* lwIP's loopback interface */
    struct net_ifstats lo_st; /* net_lock */
} net;

/* ---- the lock ---- */

uint32_t net_lock_word;

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

/* Drepper's mutex ("Futexes are tricky"): spin a little, then sleep on
   the host futex; a holder sending a big write may keep it a while. */
void net_lock(void)
{
    uint32_t c = 0;
    for (int i = 0; i < 100; i++) {
        c = 0;
        if (__atomic_compare_exchange_n(&net_lock_word, &c, 1, false,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        __builtin_ia32_pause();
    }
    if (c != 2)
        c = __atomic_exchange_n(&net_lock_word, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        host_futex_op(&net_lock_word, FUTEX_WAIT_PRIVATE, 2, NULL,
                      &net_lock_word, 0);
        c = __atomic_exchange_n(&net_lock_word, 2, __ATOMIC_ACQUIRE);
    }
}

static void net_release(void)
{
    if (__atomic_exchange_n(&net_lock_word, 0, __ATOMIC_RELEASE) == 2)
        host_futex_op(&net_lock_word, FUTEX_WAKE_PRIVATE, 1, NULL,
                      &net_lock_word, 0);
}

static struct file *deferred[16];
static int ndeferred;

void net_defer_put(struct file *f)
{
    if (ndeferred < 16)
        deferred[ndeferred++] = f;
    else
        kwarn("network: a socket could not be freed"); /* out of memory */
}

void net_unlock(void)
{
    if (net.up)
        netif_poll_all(); /* loopback packets, before anyone looks */
    struct file *put[16];
    int n = ndeferred;
    memcpy(put, deferred, sizeof(put[0]) * (size_t)n);
    ndeferred = 0;
    net_release();
    for (int k = 0; k < n; k++)
        file_put(put[k]);
}

bool net_thread_running(void)
{
    return __atomic_load_n(&net.thread, __ATOMIC_RELAXED);
}

/* ---- lwIP's platform hooks ---- */

void *husk_lwip_malloc(size_t n) { return kmalloc(n); }

void *husk_lwip_calloc(size_t n, size_t m)
{
    if (m && n > SIZE_MAX / m)
        return NULL;
    return kzalloc(n * m);
}

void husk_lwip_free(void *p) { kfree(p); }

uint32_t husk_lwip_rand(void)
{
    uint32_t v = 0;
    host_cpu_random(&v, sizeof(v), 0);
    return v;
}

u32_t sys_now(void)
{
    struct linux_timespec ts;
    host_time_clock_gettime(LINUX_CLOCK_MONOTONIC, &ts);
    return (u32_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void husk_lwip_assert(const char *msg, const char *file, int line)
{
    kpanic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Only with LWIP_DEBUG (a debugging build of lwipopts.h). */
void husk_lwip_diag(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("lwip: %s", buf);
}

/* ---- the tap interfaces ---- */

/* The virtio-net header before every frame on a tap (IFF_VNET_HDR). */
struct vnet_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len, gso_size, csum_start, csum_offset;
};
#define VNET_NEEDS_CSUM 1
#define VNET_GSO_TCPV4 1
#define TUN_F_TSO4 0x02
#define VNET 10       /* its size */
#define GSO_MAX 65535 /* an IP packet's largest size */
#define TSO_MSS 64000 /* TCP segments lwIP makes for the host to cut */

static uint16_t get16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

/* The pseudo-header sum of an IPv4 TCP segment (not complemented), as a
   partial checksum for the host to complete. */
static uint16_t pseudo4(const uint8_t *ip, unsigned l4len)
{
    uint32_t sum = get16(ip + 12) + get16(ip + 14) + get16(ip + 16) +
                   get16(ip + 18) + ip[9] + l4len;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* A frame (Ethernet header first) to the tap, behind its virtio header.
   An IPv4 TCP segment larger than the link's MTU (made when the host
   takes TSO) goes as one GSO frame: the host cuts it into segments of the
   connection's real MSS and fills in their checksums. */
static err_t tap_output(struct netif *n, struct pbuf *p)
{
    struct tap *t = n->state;
    static uint8_t buf[VNET + 14 + GSO_MAX]; /* net_lock held */
    uint8_t *f = buf + VNET; /* a pbuf's 16-bit length always fits */
    u16_t len = pbuf_copy_partial(p, f, p->tot_len, 0);
    struct vnet_hdr h = {0, 0, 0, 0, 0, 0};
    if (len > 14 + MTU) {
        uint8_t *ip = f + 14;
        unsigned ihl = (ip[0] & 15) * 4u;
        if (get16(f + 12) != 0x0800 || ip[9] != 6 /* TCP */ ||
            len < 14 + ihl + 20)
            return ERR_BUF; /* only TCP is sent larger than the MTU */
        uint8_t *tcp = ip + ihl;
        unsigned thl = (tcp[12] >> 4) * 4u;
        uint16_t ps = pseudo4(ip, len - 14 - ihl);
        tcp[16] = (uint8_t)(ps >> 8);
        tcp[17] = (uint8_t)ps;
        h.flags = VNET_NEEDS_CSUM;
        h.gso_type = VNET_GSO_TCPV4;
        h.hdr_len = (uint16_t)(14 + ihl + thl);
        h.gso_size = inet_gso_mss(ip, tcp);
        h.csum_start = (uint16_t)(14 + ihl);
        h.csum_offset = 16;
    }
    memcpy(buf, &h, VNET);
    /* a full host queue drops the frame, as a NIC's ring would */
    long r = host_net_write(t->fd, buf, (size_t)len + VNET);
    if (r < 0) {
        t->st.tx_dropped++;
        return ERR_IF;
    }
    t->st.tx_packets++;
    t->st.tx_bytes += len;
    return ERR_OK;
}

/* IPv4 out of a tap whose MTU lwIP sees as 64 KiB (TSO): what is not TCP
   and larger than the real MTU is fragmented here, at the real MTU. */
static err_t tap_output4(struct netif *n, struct pbuf *p, const ip4_addr_t *dst)
{
    if (p->tot_len > MTU && n->mtu > MTU) {
        const uint8_t *ip = p->payload;
        if (p->len < 20 || ip[9] != 6) {
            u16_t mtu = n->mtu;
            n->mtu = MTU;
            err_t e = ip4_frag(p, n, dst);
            n->mtu = mtu;
            return e;
        }
    }
    return etharp_output(n, p, dst);
}

static err_t tap_init(struct netif *n)
{
    struct tap *t = n->state;
    n->name[0] = 'e';
    n->name[1] = 't';
    n->mtu = MTU;
    n->mtu6 = MTU;
    n->hwaddr_len = 6;
    memcpy(n->hwaddr, t->mac, 6);
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
               NETIF_FLAG_LINK_UP | NETIF_FLAG_MLD6;
    n->output = tap_output4;
    if (t->offload & TUN_F_TSO4)
        n->mtu = GSO_MAX; /* lwIP makes big TCP segments; the host cuts */
    n->output_ip6 = ethip6_output;
    n->linkoutput = tap_output;
    return ERR_OK;
}

static void taps_up(void)
{
    for (int k = 0; k < net.ntaps; k++) {
        struct tap *t = &net.taps[k];
        ip4_addr_t ip, mask, gw;
        ip4_addr_set_u32(&ip, t->cfg->ip);
        uint32_t m = t->cfg->masklen ? ~0U << (32 - t->cfg->masklen) : 0;
        ip4_addr_set_u32(&mask, lwip_htonl(m));
        ip4_addr_set_u32(&gw, t->cfg->gateway);
        netif_add(&t->netif, &ip, &mask, &gw, t, tap_init, ethernet_input);
        netif_create_ip6_linklocal_address(&t->netif, 1);
        netif_set_up(&t->netif);
        netif_set_link_up(&t->netif);
        if (t->cfg->gateway && !netif_default)
            netif_set_default(&t->netif);
    }
    if (!netif_default && net.ntaps)
        netif_set_default(&net.taps[0].netif);
}

#define BATCH 32

/* Receive counters are written by the network thread outside net_lock
   and read by anyone: relaxed atomics keep each one whole. */
static void count(uint64_t *c, uint64_t n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* Complete a partial checksum the host left (VNET_NEEDS_CSUM): the field
   holds the pseudo-header sum; the sum over the rest finishes it. */
static bool csum_finish(uint8_t *f, size_t len, const struct vnet_hdr *h)
{
    size_t at = h->csum_start, field = at + h->csum_offset;
    if (at >= len || field + 2 > len || len - at > 0xffff)
        return false;
    u16_t c = inet_chksum(f + at, (u16_t)(len - at));
    memcpy(f + field, &c, 2);
    return true;
}

/* Frames waiting on the taps, read without the lock, at most a batch per
   tap so that timers and senders get their turn; returns how many are
   in rx[]. Frames may be up to 64 KiB (the host coalesces them for us),
   and come behind a virtio header. */
static int taps_read(struct pbuf **rx, int *from)
{
    static uint8_t buf[VNET + 14 + GSO_MAX + 1]; /* the network thread's */
    int n = 0;
    for (int k = 0; k < net.ntaps; k++) {
        struct tap *t = &net.taps[k];
        for (int b = 0; b < BATCH; b++) {
            long r = host_net_read(t->fd, buf, sizeof(buf));
            if (r <= 0)
                break;
            struct vnet_hdr h;
            memcpy(&h, buf, VNET);
            uint8_t *f = buf + VNET;
            size_t len = (size_t)r - VNET;
            /* a runt, a giant, or a checksum the host left unfinished
               that does not lie in the frame: dropped, as a NIC would */
            if (r < VNET + 14 || len > 14 + GSO_MAX ||
                ((h.flags & VNET_NEEDS_CSUM) && !csum_finish(f, len, &h))) {
                count(&t->st.rx_errors, 1);
                continue;
            }
            bool ip4 = get16(f + 12) == 0x0800, ip6 = get16(f + 12) == 0x86dd;
            /* an IP packet of 64 KiB does not fit a pbuf with its
               Ethernet header (16-bit lengths): it goes to IP directly */
            bool strip = len > 0xffff && (ip4 || ip6);
            size_t skip = strip ? 14 : 0;
            if (len - skip > 0xffff) {
                count(&t->st.rx_dropped, 1); /* not IP, too long for a pbuf */
                continue;
            }
            struct pbuf *p =
                pbuf_alloc(PBUF_RAW, (u16_t)(len - skip), PBUF_RAM);
            if (!p) {
                count(&t->st.rx_dropped, 1);
                break;
            }
            count(&t->st.rx_packets, 1);
            count(&t->st.rx_bytes, len);
            memcpy(p->payload, f + skip, len - skip);
            rx[n] = p;
            from[n++] = strip ? (ip4 ? 100 + k : 200 + k) : k;
        }
    }
    return n;
}

struct host_pollfd {
    int32_t fd;
    int16_t events, revents;
};

/* A SYN flood from addresses that never answer fills a listener's
   backlog with half-open connections, which lwIP keeps for 20 s (it has
   no SYN cookies): while a listener is full, drop its half-open
   connections older than about a second (lwIP's slow ticks are 500 ms),
   so that real clients get in again at once. net_lock held. */
static void prune_half_open(void)
{
    bool again = true;
    while (again) {
        again = false;
        for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
            struct tcp_pcb_listen *l = p->listener;
            if (p->state != SYN_RCVD || !l || l->accepts_pending < l->backlog ||
                (u32_t)(tcp_ticks - p->tmr) < 2)
                continue;
            tcp_abort(p); /* gives its backlog slot back */
            again = true;
            break;
        }
    }
}

static void net_main(void *arg)
{
    (void)arg;
    struct host_pollfd pfd[4];
    struct pbuf *rx[4 * BATCH];
    int from[4 * BATCH];
    for (;;) {
        int n = taps_read(rx, from);
        net_lock();
        for (int k = 0; k < n; k++) {
            struct netif *nif = &net.taps[from[k] % 100].netif;
            err_t e = from[k] >= 200   ? ip6_input(rx[k], nif)
                      : from[k] >= 100 ? ip4_input(rx[k], nif)
                                       : nif->input(rx[k], nif);
            if (e != ERR_OK)
                pbuf_free(rx[k]);
        }
        sys_check_timeouts();
        prune_half_open();
        u32_t sleep = sys_timeouts_sleeptime();
        net_unlock();
        /* the TCP timer starts on demand, which a sleeper cannot see:
           look again every 250 ms at least */
        if (sleep > 250)
            sleep = 250;
        struct linux_timespec ts = {0, (long)sleep * 1000000L};
        if (!net.ntaps) {
            host_time_nanosleep(LINUX_CLOCK_MONOTONIC, 0, &ts, NULL);
            continue;
        }
        for (int k = 0; k < net.ntaps; k++)
            pfd[k] = (struct host_pollfd){net.taps[k].fd, 1 /* POLLIN */, 0};
        host_net_poll(pfd, net.ntaps, &ts);
    }
}

/* ---- starting ---- */

void net_boot(const struct kboot *b)
{
    const struct husk_config *cfg = b->cfg;
    for (int k = 0; k < cfg->nnics && k < 4; k++) {
        net.taps[k].fd = b->tap_fd[k];
        net.taps[k].offload = b->tap_offload[k];
        memcpy(net.taps[k].mac, b->tap_mac[k], 6);
        net.taps[k].cfg = &cfg->nics[k];
    }
    net.ntaps = cfg->nnics < 4 ? cfg->nnics : 4;
}

/* lwIP's IP input hook: a packet that came in on lo was also sent on
   it (Linux counts it twice). net_lock held. */
int husk_lwip_ip_input(struct pbuf *p, struct netif *inp)
{
    if (inp == net.lo) {
        net.lo_st.tx_packets++;
        net.lo_st.tx_bytes += p->tot_len;
        net.lo_st.rx_packets++;
        net.lo_st.rx_bytes += p->tot_len;
    }
    return 0;
}

static void lo_up(void)
{
    struct netif *n;
    NETIF_FOREACH(n)
    {
        if (n->name[0] == 'l' && n->name[1] == 'o')
            net.lo = n;
    }
}

long net_start(void)
{
    if (__atomic_load_n(&net.thread, __ATOMIC_ACQUIRE))
        return 0;
    net_lock();
    if (!net.up) {
        lwip_init();
        lo_up();
        taps_up();
        net.up = true;
    }
    bool start = !net.thread;
    net.thread = true;
    net_release();
    if (start) {
        long r = kthread_start(current_proc(), net_main, NULL);
        if (r < 0) {
            __atomic_store_n(&net.thread, false, __ATOMIC_RELEASE);
            return -ENOBUFS;
        }
    }
    return 0;
}

void net_start_if_configured(void)
{
    if (net.ntaps && net_start() < 0)
        kprintf("husk: the network thread could not start\n");
}

/* ---- interface ioctls ---- */

struct linux_ifreq {
    char name[16];
    union {
        struct {
            uint16_t family;
            uint8_t data[14];
        } addr;
        short flags;
        int ivalue;
        int mtu;
        struct {
            uptr_t buf; /* ifconf: len is the ifreq's first int */
        } conf;
        uint8_t pad[24];
    } u;
};

struct linux_ifconf {
    int len;
    int pad;
    uptr_t buf;
};

/* ---- the interfaces as Linux shows them ---- */

int net_ifcount(void) { return 1 + net.ntaps; }

/* Index 1 is lo, 2.. are eth0.. (the taps in their order). net_lock. */
static void ifinfo(int index, struct net_ifinfo *o)
{
    memset(o, 0, sizeof(*o));
    o->index = index;
    struct netif *n;
    if (index == 1) {
        n = net.lo;
        strcpy(o->name, "lo");
        o->type = ARPHRD_LOOPBACK;
        o->flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP;
        o->mtu = 65536;
        o->st = net.lo_st;
    } else {
        struct tap *t = &net.taps[index - 2];
        n = &t->netif;
        ksnprintf(o->name, sizeof(o->name), "eth%d", index - 2);
        o->type = ARPHRD_ETHER;
        o->flags =
            IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;
        o->mtu = MTU;
        memcpy(o->mac, n->hwaddr, 6);
        o->st = t->st;
        o->st.rx_packets = __atomic_load_n(&t->st.rx_packets, __ATOMIC_RELAXED);
        o->st.rx_bytes = __atomic_load_n(&t->st.rx_bytes, __ATOMIC_RELAXED);
        o->st.rx_errors = __atomic_load_n(&t->st.rx_errors, __ATOMIC_RELAXED);
        o->st.rx_dropped = __atomic_load_n(&t->st.rx_dropped, __ATOMIC_RELAXED);
        o->gw4 = ip4_addr_get_u32(netif_ip4_gw(n));
    }
    o->ip4 = ip4_addr_get_u32(netif_ip4_addr(n));
    o->mask4 = ip4_addr_get_u32(netif_ip4_netmask(n));
    for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES && o->nip6 < 3; k++) {
        u8_t state = netif_ip6_addr_state(n, k);
        if (!ip6_addr_isvalid(state) && !ip6_addr_istentative(state))
            continue;
        const ip6_addr_t *a = netif_ip6_addr(n, k);
        memcpy(o->ip6[o->nip6].addr, a->addr, 16);
        o->ip6[o->nip6].tentative = ip6_addr_istentative(state);
        o->ip6[o->nip6].prefix =
            ip6_addr_isloopback(a) ? 128 : 64; /* lwIP keeps no length */
        o->nip6++;
    }
}

long net_ifinfo(int index, struct net_ifinfo *out)
{
    long r = net_start();
    if (r)
        return r;
    if (index < 1 || index > net_ifcount())
        return -ENODEV;
    net_lock();
    ifinfo(index, out);
    net_unlock();
    return 0;
}

/* The interface of that name: its index, or -ENODEV. */
static int if_named(const char *want, struct net_ifinfo *o)
{
    for (int k = 1; k <= net_ifcount(); k++)
        if (net_ifinfo(k, o) == 0 && !strcmp(o->name, want))
            return k;
    return -ENODEV;
}

static void put_addr(struct linux_ifreq *q, uint32_t v4)
{
    memset(&q->u, 0, sizeof(q->u));
    q->u.addr.family = AF_INET;
    memcpy(q->u.addr.data + 2, &v4, 4);
}

long net_ifioctl(unsigned long req, uptr_t arg)
{
    struct linux_ifreq q;
    struct net_ifinfo o;
    long r = net_start();
    if (r)
        return r;
    if (req == 0x8912) { /* SIOCGIFCONF: the interfaces with an address */
        struct linux_ifconf c;
        if (copy_in(&c, arg, sizeof(c)) < 0)
            return -EFAULT;
        int used = 0;
        for (int k = 1; k <= net_ifcount(); k++) {
            if (net_ifinfo(k, &o) || !o.ip4)
                continue;
            if (c.buf) {
                if (used + (int)sizeof(q) > c.len)
                    break;
                memset(&q, 0, sizeof(q));
                strcpy(q.name, o.name);
                put_addr(&q, o.ip4);
                if (copy_out(c.buf + (uptr_t)used, &q, sizeof(q)) < 0)
                    return -EFAULT;
            }
            used += (int)sizeof(q);
        }
        c.len = used;
        return copy_out(arg, &c, sizeof(int));
    }
    if (copy_in(&q, arg, sizeof(q)) < 0)
        return -EFAULT;
    q.name[15] = 0;
    int index;
    if (req == 0x8910) { /* SIOCGIFNAME: by index */
        index = q.u.ivalue;
        if (net_ifinfo(index, &o))
            return -ENODEV;
        strcpy(q.name, o.name);
    } else if ((index = if_named(q.name, &o)) < 0) {
        return -ENODEV;
    }
    bool lo = index == 1;
    switch (req) {
    case 0x8913: /* SIOCGIFFLAGS: the low 16 bits */
        q.u.flags = (short)(o.flags & 0xffff);
        break;
    case 0x8915: /* SIOCGIFADDR */
        if (!o.ip4)
            return -EADDRNOTAVAIL;
        put_addr(&q, o.ip4);
        break;
    case 0x891b: /* SIOCGIFNETMASK */ put_addr(&q, o.mask4); break;
    case 0x8919: /* SIOCGIFBRDADDR */ put_addr(&q, o.ip4 | ~o.mask4); break;
    case 0x8921: /* SIOCGIFMTU */ q.u.mtu = o.mtu; break;
    case 0x8927: /* SIOCGIFHWADDR */
        memset(&q.u, 0, sizeof(q.u));
        q.u.addr.family = (uint16_t)o.type;
        if (!lo)
            memcpy(q.u.addr.data, o.mac, 6);
        break;
    case 0x8933: /* SIOCGIFINDEX */ q.u.ivalue = index; break;
    case 0x8942: /* SIOCGIFTXQLEN */ q.u.ivalue = 1000; break;
    case 0x891d: /* SIOCGIFMETRIC */ q.u.ivalue = 0; break;
    case 0x8970: /* SIOCGIFMAP: a virtual device has none */
        memset(&q.u, 0, sizeof(q.u));
        break;
    case 0x8910: break;
    default: return -ENOTTY;
    }
    return copy_out(arg, &q, sizeof(q));
}
