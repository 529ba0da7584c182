/* SPDX-License-Identifier: MIT */
/* net.h: sockets (socket.c), their families (unix.c: AF_UNIX inside husk;
   inet.c: AF_INET and AF_INET6 over lwIP) and the interfaces (netif.c:
   loopback, the taps, the network kernel thread).

   A socket is a file (its ops are sock_fops), so read, write, close, dup,
   fcntl and the poll family work on it as on any fd. Blocking calls wait
   with wait_file_until (fs/wait.h): a family posts a kernel event whenever
   a socket's readiness may have changed.

   Locking: AF_UNIX sockets share unix_lock (a spinlock); every lwIP call
   is made under net_lock, which releases lwIP's loopback queue before it
   unlocks (so a packet to 127.0.0.1 arrives before the sender returns). */
#ifndef HUSK_NET_H
#define HUSK_NET_H

#include "kernel.h"

#include "abi/linux/types.h"
#include "fs/file.h"

struct socket;
struct kboot;

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf

#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_WAITFORONE 0x10000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SOL_SOCKET 1
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PROTOCOL 38
#define SO_DOMAIN 39

#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

/* A message in kernel form: the iovecs are checked to lie in the arena
   (or are kernel memory) and are touched only with uaccess_copy. */
struct kmsg {
    void *name; /* sockaddr, kernel memory (NULL: none) */
    int namelen;
    struct linux_iovec *iov;
    int iovlen;
    /* control: sendmsg: the files to pass (SCM_RIGHTS), references;
       recvmsg: filled by the family */
    struct file **fds;
    int nfds;
    int flags;        /* recvmsg: MSG_TRUNC, MSG_CTRUNC out */
    bool family_unix; /* sendmsg: SCM_RIGHTS allowed */
    bool has_cred;    /* recvmsg: SCM_CREDENTIALS to give (pid uid gid) */
    int cred[3];
    size_t total;
};

struct sock_ops {
    long (*bind)(struct socket *s, const void *addr, int len);
    long (*connect)(struct socket *s, const void *addr, int len);
    long (*listen)(struct socket *s, int backlog);
    /* a new socket for the next connection, or -EAGAIN */
    long (*accept)(struct socket *s, struct socket **out);
    /* peer: 0 our own name, 1 the peer's (getpeername), 2 the peer's
       for accept (Linux gives it even when the connection already
       ended) */
    long (*getname)(struct socket *s, void *addr, int *len, int peer);
    /* -EAGAIN when it would block (the caller waits and retries) */
    long (*sendmsg)(struct socket *s, struct kmsg *m, int flags);
    long (*recvmsg)(struct socket *s, struct kmsg *m, int flags);
    long (*shutdown)(struct socket *s, int how);
    long (*setsockopt)(struct socket *s, int level, int name, const void *val,
                       int len);
    long (*getsockopt)(struct socket *s, int level, int name, void *val,
                       int *len);
    unsigned (*poll)(struct socket *s);
    long (*ioctl)(struct socket *s, unsigned long req, uptr_t arg);
    void (*release)(struct socket *s);
    /* what makes a connect in progress done (POLLOUT) */
    bool connect_waits;
};

struct socket {
    const struct sock_ops *ops;
    int family, type, protocol;
    struct file *file;          /* the file it is (no reference) */
    unsigned long seq;          /* moves when its readiness may have changed */
    int64_t rcvtimeo, sndtimeo; /* ns; 0: none */
    int rcvbuf, sndbuf;
    bool reuseaddr, reuseport, keepalive, passcred;
    int linger_on, linger_secs;
    struct socket *seq_from; /* its readiness is another's too (an alias) */
    void *priv;
};

extern const struct file_ops sock_fops;

/* The socket a file is, or NULL. */
struct socket *sock_of(struct file *f);
/* A new socket and its file (flags: O_NONBLOCK, O_CLOEXEC bits of the
   type argument are the caller's); NULL: -ENOMEM. */
struct socket *sock_alloc(int family, int type, int protocol);
/* Readiness changed: bump the socket's sequence and post a kernel event. */
void sock_wake(struct socket *s);
/* Copy between a kmsg's iovecs and kernel memory, from byte `skip` on. */
long kmsg_copy_from(struct kmsg *m, size_t skip, void *dst, size_t n);
long kmsg_copy_to(struct kmsg *m, size_t skip, const void *src, size_t n);
/* The generic SOL_SOCKET options a family does not handle itself. */
long sock_setsockopt_common(struct socket *s, int name, const void *val,
                            int len);
long sock_getsockopt_common(struct socket *s, int name, void *val, int *len);

/* families */
long unix_create(struct socket *s);
long unix_socketpair(struct socket *a, struct socket *b);
long inet_create(struct socket *s);

/* inet.c: the MSS the host should cut a TSO segment of this IPv4 TCP
   connection into (ip and tcp point at the headers of a frame) */
uint16_t inet_gso_mss(const uint8_t *ip, const uint8_t *tcp);

/* netif.c */
/* The network lock: a futex word (0 free, 1 held, 2 held with sleepers),
   its address pinned in the seccomp filter as the event word's is. */
extern uint32_t net_lock_word;
void net_lock(void);
void net_unlock(void);
/* lwIP up (once), the network thread running: 0 or -errno. */
long net_start(void);
/* at boot: the taps the tender opened */
void net_boot(const struct kboot *b);
/* after the lock-down: start the network thread if there are taps */
void net_start_if_configured(void);
bool net_thread_running(void);
/* Drop a file reference once net_lock is released (lwIP's callbacks run
   under it, and a release may take locks that must come first). */
void net_defer_put(struct file *f);
/* interface ioctls (SIOCGIF*) on any socket */
long net_ifioctl(unsigned long req, uptr_t arg);

/* The interfaces: index 1 is lo, 2.. are eth0.. (the taps, in order). */
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define IFF_LOWER_UP 0x10000
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

struct net_ifstats {
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
    uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

struct net_ifinfo {
    char name[16];
    int index, type, mtu; /* type: ARPHRD_* */
    unsigned flags;       /* IFF_* */
    uint8_t mac[6];
    uint32_t ip4, mask4, gw4; /* network order; ip4 0: none */
    int nip6;
    struct {
        uint8_t addr[16];
        int prefix;
        bool tentative; /* duplicate address detection not done yet */
    } ip6[3];
    struct net_ifstats st;
};

int net_ifcount(void);
/* A snapshot of interface `index` (starting the stack if need be): 0, or
   -ENODEV, or net_start's error. */
long net_ifinfo(int index, struct net_ifinfo *out);

/* netlink.c: AF_NETLINK, NETLINK_ROUTE */
long netlink_create(struct socket *s);

#endif
