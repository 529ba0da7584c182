/* SPDX-License-Identifier: MIT */
/* socket.c: the socket system calls and the socket file (net.h).

   Each call copies its arguments in once (addresses, message headers,
   iovecs, control messages), checks them as Linux does, and hands a
   family a kernel-form message. A family never blocks: it answers
   -EAGAIN and the code here waits for the socket's readiness (honouring
   O_NONBLOCK, MSG_DONTWAIT, SO_RCVTIMEO/SO_SNDTIMEO and signals). */
#include "abi/linux/fcntl.h"
#include "abi/linux/ioctl.h"
#include "abi/linux/signal.h"
#include "abi/linux/stat.h"
#include "fs/wait.h"
#include "host/host.h"
#include "net.h"
#include "signal/signal.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

#define SOCK_NONBLOCK LINUX_O_NONBLOCK
#define SOCK_CLOEXEC LINUX_O_CLOEXEC
#define SOCKADDR_MAX 128
#define CMSG_FDS_MAX 253 /* SCM_MAX_FD */

int nofile_limit(void);

static inline struct fdtable *fdt(void) { return current_proc()->fdt; }

struct socket *sock_of(struct file *f)
{
    return f && f->ops == &sock_fops ? f->priv : NULL;
}

void sock_wake(struct socket *s)
{
    __atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED);
    kevent_post();
}

/* ---- moving bytes between messages and kernel memory ---- */

static long kmsg_copy(struct kmsg *m, size_t skip, char *kbuf, const char *ksrc,
                      size_t n)
{
    bool to_msg = ksrc != NULL;
    size_t done = 0;
    for (int i = 0; i < m->iovlen && done < n; i++) {
        size_t len = m->iov[i].iov_len;
        if (skip >= len) {
            skip -= len;
            continue;
        }
        size_t k = MIN(len - skip, n - done);
        void *u = (char *)m->iov[i].iov_base + skip;
        long r = to_msg ? uaccess_copy(u, ksrc + done, k)
                        : uaccess_copy(kbuf + done, u, k);
        if (r)
            return r;
        done += k;
        skip = 0;
    }
    return (long)done;
}

long kmsg_copy_from(struct kmsg *m, size_t skip, void *dst, size_t n)
{
    return kmsg_copy(m, skip, dst, NULL, n);
}

long kmsg_copy_to(struct kmsg *m, size_t skip, const void *src, size_t n)
{
    return kmsg_copy(m, skip, NULL, src, n);
}

static void kmsg_drop_fds(struct kmsg *m);

/* ---- the socket file ---- */

static void sock_release(struct file *f)
{
    struct socket *s = f->priv;
    if (s->ops && s->ops->release)
        s->ops->release(s);
    kfree(s);
}

static unsigned sock_poll(struct file *f, unsigned long *seq)
{
    struct socket *s = f->priv;
    if (seq)
        *seq =
            __atomic_load_n(&s->seq, __ATOMIC_RELAXED) +
            (s->seq_from ? __atomic_load_n(&s->seq_from->seq, __ATOMIC_RELAXED)
                         : 0);
    return s->ops->poll(s);
}

static long sock_stat(struct file *f, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = LINUX_S_IFSOCK | 0777;
    st->st_nlink = 1;
    st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
    st->st_blksize = 4096;
    st->st_dev = 8; /* sockfs */
    st->st_uid = current_proc()->euid;
    st->st_gid = current_proc()->egid;
    return 0;
}

#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCGIFADDR 0x8915
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMTU 0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define SIOCGIFBRDADDR 0x8919

static long sock_ioctl(struct file *f, unsigned long req, uptr_t arg)
{
    struct socket *s = f->priv;
    switch (req) {
    case SIOCGIFNAME:
    case SIOCGIFCONF:
    case SIOCGIFFLAGS:
    case SIOCGIFADDR:
    case SIOCGIFNETMASK:
    case SIOCGIFBRDADDR:
    case SIOCGIFMTU:
    case SIOCGIFHWADDR:
    case SIOCGIFINDEX:
    case 0x8942: /* SIOCGIFTXQLEN */
    case 0x891d: /* SIOCGIFMETRIC */
    case 0x8970: /* SIOCGIFMAP */ return net_ifioctl(req, arg);
    }
    return s->ops->ioctl ? s->ops->ioctl(s, req, arg) : -ENOTTY;
}

static bool would_block(struct file *f, int flags)
{
    return (f->flags & LINUX_O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

static int64_t deadline_of(int64_t timeo)
{
    if (!timeo)
        return -1;
    struct linux_timespec ts;
    host_time_clock_gettime(LINUX_CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec + timeo;
}

/* Step the message's iovecs past n bytes (a kmalloc'ed copy is not
   freed: the iovec array is only re-pointed). */
static void kmsg_advance(struct kmsg *m, size_t n)
{
    m->total -= n;
    while (m->iovlen && n >= m->iov->iov_len) {
        n -= m->iov->iov_len;
        m->iov++, m->iovlen--;
    }
    if (m->iovlen) {
        m->iov->iov_base += n;
        m->iov->iov_len -= n;
    }
}

/* Send the message: a datagram whole, a stream as much as there is room
   for when non-blocking, all of it otherwise (unless a signal, a timeout
   or an error comes after some was sent: then what was sent). */
static long do_send(struct file *f, struct kmsg *m, int flags)
{
    struct socket *s = f->priv;
    int64_t deadline = -2;
    size_t sent = 0;
    for (;;) {
        long r = s->ops->sendmsg(s, m, flags);
        if (r > 0 && s->type == SOCK_STREAM && (size_t)r < m->total &&
            !would_block(f, flags)) {
            sent += (size_t)r;
            kmsg_advance(m, (size_t)r);
            kmsg_drop_fds(m); /* they went with the first bytes */
            continue;
        }
        if (r >= 0)
            return (long)sent + r;
        if (sent)
            return (long)sent;
        if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
            signal_raise_self(LINUX_SIGPIPE);
        if (r != -EAGAIN || would_block(f, flags))
            return r;
        if (deadline == -2)
            deadline = deadline_of(s->sndtimeo);
        r = wait_file_until(f, POLLOUT | POLLERR | POLLHUP, deadline);
        if (r == -ETIMEDOUT)
            return sent ? (long)sent : -EAGAIN;
        if (r)
            return sent ? (long)sent : r;
    }
}

static long do_recv(struct file *f, struct kmsg *m, int flags)
{
    struct socket *s = f->priv;
    int64_t deadline = -2;
    size_t got = 0;
    for (;;) {
        long r = s->ops->recvmsg(s, m, flags);
        if (r > 0 && (flags & MSG_WAITALL) && s->type == SOCK_STREAM &&
            !(flags & MSG_PEEK) && (size_t)r < m->total && !m->nfds) {
            got += (size_t)r; /* wait for the rest of the buffer */
            kmsg_advance(m, (size_t)r);
            continue;
        }
        if (r >= 0)
            return (long)got + r;
        if (r != -EAGAIN || would_block(f, flags))
            return got ? (long)got : r;
        if (deadline == -2)
            deadline = deadline_of(s->rcvtimeo);
        long w = wait_file_until(f, POLLIN | POLLERR | POLLHUP | POLLRDHUP,
                                 deadline);
        if (w == -ETIMEDOUT)
            return got ? (long)got : -EAGAIN;
        if (w)
            return got ? (long)got : w;
    }
}

static long sock_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    (void)pos;
    struct linux_iovec iov = {(uptr_t)buf, len};
    struct kmsg m = {.iov = &iov, .iovlen = 1, .total = len};
    long r = do_recv(f, &m, 0);
    kmsg_drop_fds(&m); /* files passed to a plain read are closed */
    return r;
}

static long sock_write(struct file *f, const void *buf, size_t len,
                       int64_t *pos)
{
    (void)pos;
    struct linux_iovec iov = {(uptr_t)buf, len};
    struct kmsg m = {.iov = &iov, .iovlen = 1, .total = len};
    return do_send(f, &m, 0);
}

const struct file_ops sock_fops = {
    .read = sock_read,
    .write = sock_write,
    .stat = sock_stat,
    .ioctl = sock_ioctl,
    .poll = sock_poll,
    .release = sock_release,
    .anon_name = "socket",
};

struct socket *sock_alloc(int family, int type, int protocol)
{
    struct socket *s = kzalloc(sizeof(*s));
    if (!s)
        return NULL;
    struct file *f = file_alloc(&sock_fops, LINUX_O_RDWR);
    if (!f) {
        kfree(s);
        return NULL;
    }
    f->priv = s;
    s->file = f;
    s->family = family;
    s->type = type;
    s->protocol = protocol;
    s->rcvbuf = 131072;
    s->sndbuf = 16384;
    return s;
}

/* Drop a socket that never got an fd. */
static void sock_discard(struct socket *s) { file_put(s->file); }

static long sock_install(struct socket *s, int flags)
{
    if (flags & SOCK_NONBLOCK)
        s->file->flags |= LINUX_O_NONBLOCK;
    int fd = fdt_install(fdt(), s->file, 0, nofile_limit(),
                         (flags & SOCK_CLOEXEC) != 0);
    if (fd < 0)
        sock_discard(s);
    return fd;
}

/* The socket at fd, with a file reference in *fp; -EBADF or -ENOTSOCK. */
static struct socket *sockfd(int fd, struct file **fp, long *err)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f) {
        *err = -EBADF;
        return NULL;
    }
    if (f->ops != &sock_fops) {
        file_put(f);
        *err = -ENOTSOCK;
        return NULL;
    }
    *fp = f;
    return f->priv;
}

/* ---- creating ---- */

static long sock_create(int family, int type, int protocol, struct socket **out)
{
    int kind = type & SOCK_TYPE_MASK;
    if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET &&
        kind != SOCK_RAW && kind != 10 /* SOCK_PACKET */ && kind != 4)
        return -EINVAL;
    switch (family) {
    case AF_UNIX:
    case AF_INET:
    case AF_INET6:
    case AF_NETLINK: break;
    case AF_PACKET:
    default: return -EAFNOSUPPORT;
    }
    struct socket *s = sock_alloc(family, kind, protocol);
    if (!s)
        return -ENOMEM;
    long r = family == AF_UNIX      ? unix_create(s)
             : family == AF_NETLINK ? netlink_create(s)
                                    : inet_create(s);
    if (r) {
        sock_discard(s);
        return r;
    }
    *out = s;
    return 0;
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
    struct socket *s;
    long r = sock_create(family, type, protocol, &s);
    return r ? r : sock_install(s, type);
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, uptr_t, usv)
{
    struct socket *a, *b;
    if (family != AF_UNIX) {
        if (family == AF_INET || family == AF_INET6 || family == AF_NETLINK)
            return -EOPNOTSUPP;
        return -EAFNOSUPPORT;
    }
    long r = sock_create(family, type, protocol, &a);
    if (r)
        return r;
    r = sock_create(family, type, protocol, &b);
    if (r) {
        sock_discard(a);
        return r;
    }
    r = unix_socketpair(a, b);
    if (r) {
        sock_discard(a);
        sock_discard(b);
        return r;
    }
    int sv[2];
    if (!user_range_ok(usv, sizeof(sv))) {
        sock_discard(a);
        sock_discard(b);
        return -EFAULT;
    }
    file_get(b->file); /* kept until both fds are in */
    sv[0] = (int)sock_install(a, type);
    if (sv[0] < 0) {
        file_put(b->file);
        sock_discard(b);
        return sv[0];
    }
    sv[1] = (int)sock_install(b, type);
    if (sv[1] < 0) {
        file_put(b->file);
        fdt_close(fdt(), sv[0]);
        return sv[1];
    }
    file_put(b->file);
    if (copy_out(usv, sv, sizeof(sv)) < 0) {
        fdt_close(fdt(), sv[0]);
        fdt_close(fdt(), sv[1]);
        return -EFAULT;
    }
    return 0;
}

/* ---- addresses ---- */

static long addr_in(uptr_t uaddr, int len, char *buf)
{
    if (len < 0 || len > SOCKADDR_MAX)
        return -EINVAL;
    memset(buf, 0, SOCKADDR_MAX + 1);
    return copy_in(buf, uaddr, (size_t)len);
}

/* Linux's move_addr_to_user: copy at most *ulen bytes, store the full
   length. */
static long addr_out(const void *addr, int len, uptr_t uaddr, uptr_t ulen)
{
    int have;
    if (!uaddr)
        return 0;
    if (copy_in(&have, ulen, sizeof(have)) < 0)
        return -EFAULT;
    if (have < 0)
        return -EINVAL;
    if (copy_out(uaddr, addr, (size_t)MIN(have, len)) < 0)
        return -EFAULT;
    return copy_out(ulen, &len, sizeof(len));
}

SYSCALL_DEFINE3(bind, int, fd, uptr_t, uaddr, int, len)
{
    char addr[SOCKADDR_MAX + 1];
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    r = addr_in(uaddr, len, addr);
    if (r == 0)
        r = s->ops->bind(s, addr, len);
    file_put(f);
    return r;
}

SYSCALL_DEFINE3(connect, int, fd, uptr_t, uaddr, int, len)
{
    char addr[SOCKADDR_MAX + 1];
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    r = addr_in(uaddr, len, addr);
    int64_t deadline = deadline_of(s->sndtimeo);
    for (;;) {
        uint32_t seq = kevent_seq();
        if (r == 0)
            r = s->ops->connect(s, addr, len);
        /* AF_UNIX with the listener's backlog full: a blocking connect
           waits for room, as Linux's does */
        if (r != -EAGAIN || s->family != AF_UNIX ||
            (f->flags & LINUX_O_NONBLOCK))
            break;
        if (signal_pending()) {
            r = -ERESTARTSYS;
            break;
        }
        struct linux_timespec now;
        host_time_clock_gettime(LINUX_CLOCK_MONOTONIC, &now);
        int64_t left =
            deadline < 0 ? 3600LL * 1000000000LL
                         : deadline - (now.tv_sec * 1000000000LL + now.tv_nsec);
        if (left <= 0)
            break; /* SO_SNDTIMEO: EAGAIN */
        kevent_wait(seq, left);
        r = 0;
    }
    /* a connection in progress: wait for it unless non-blocking */
    if (r == -EINPROGRESS && !(f->flags & LINUX_O_NONBLOCK)) {
        for (;;) {
            r = wait_file_until(f, POLLOUT | POLLERR | POLLHUP, deadline);
            if (r == -ETIMEDOUT) {
                r = -EINPROGRESS;
                break;
            }
            if (r) /* a signal: the connection goes on (Linux's EINTR) */
                break;
            r = s->ops->connect(s, NULL, 0); /* its outcome */
            if (r != -EALREADY)
                break;
        }
        if (r == -ERESTARTSYS)
            r = -EINTR;
    }
    file_put(f);
    return r;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    r = s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
    file_put(f);
    return r;
}

static long do_accept(int fd, uptr_t uaddr, uptr_t ulen, int flags)
{
    struct file *f;
    long r = 0;
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    struct socket *s = sockfd(fd, &f, &r), *n = NULL;
    if (!s)
        return r;
    if (!s->ops->accept) {
        file_put(f);
        return -EOPNOTSUPP;
    }
    for (;;) {
        r = s->ops->accept(s, &n);
        if (r != -EAGAIN || (f->flags & LINUX_O_NONBLOCK))
            break;
        r = wait_file_until(f, POLLIN | POLLERR | POLLHUP,
                            deadline_of(s->rcvtimeo));
        if (r == -ETIMEDOUT)
            r = -EAGAIN;
        if (r)
            break;
    }
    file_put(f);
    if (r)
        return r;
    if (uaddr) {
        char addr[SOCKADDR_MAX];
        int len = sizeof(addr);
        r = n->ops->getname(n, addr, &len, 2);
        if (r == 0)
            r = addr_out(addr, len, uaddr, ulen);
        if (r) {
            sock_discard(n);
            return r;
        }
    }
    return sock_install(n, flags);
}

SYSCALL_DEFINE3(accept, int, fd, uptr_t, uaddr, uptr_t, ulen)
{
    return do_accept(fd, uaddr, ulen, 0);
}

SYSCALL_DEFINE4(accept4, int, fd, uptr_t, uaddr, uptr_t, ulen, int, flags)
{
    return do_accept(fd, uaddr, ulen, flags);
}

static long do_getname(int fd, uptr_t uaddr, uptr_t ulen, int peer)
{
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    char addr[SOCKADDR_MAX];
    int len = sizeof(addr);
    r = s->ops->getname(s, addr, &len, peer);
    file_put(f);
    if (r)
        return r;
    if (!uaddr)
        return -EFAULT;
    return addr_out(addr, len, uaddr, ulen);
}

SYSCALL_DEFINE3(getsockname, int, fd, uptr_t, uaddr, uptr_t, ulen)
{
    return do_getname(fd, uaddr, ulen, 0);
}

SYSCALL_DEFINE3(getpeername, int, fd, uptr_t, uaddr, uptr_t, ulen)
{
    return do_getname(fd, uaddr, ulen, 1);
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    r = how < SHUT_RD || how > SHUT_RDWR ? -EINVAL : s->ops->shutdown(s, how);
    file_put(f);
    return r;
}

/* ---- messages ---- */

struct linux_msghdr {
    uptr_t msg_name;
    int msg_namelen;
    int pad0;
    uptr_t msg_iov;
    uint64_t msg_iovlen;
    uptr_t msg_control;
    uint64_t msg_controllen;
    int msg_flags;
    int pad1;
};

struct linux_cmsghdr {
    uint64_t cmsg_len;
    int cmsg_level;
    int cmsg_type;
};

#define CMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)
#define CMSG_HDR sizeof(struct linux_cmsghdr)

struct linux_mmsghdr {
    struct linux_msghdr hdr;
    unsigned msg_len;
    int pad;
};

/* A message's iovecs: as readv's (fs/file.h), and each range inside the
   arena, since the families copy from them later. */
static long msg_iov_in(uptr_t uiov, uint64_t cnt, struct linux_iovec **out,
                       size_t *total)
{
    if (cnt > LINUX_IOV_MAX)
        return -EMSGSIZE;
    long sum = iov_in(uiov, (int)cnt, out);
    if (sum < 0)
        return sum;
    for (uint64_t i = 0; i < cnt; i++)
        if ((*out)[i].iov_len &&
            !user_range_ok((*out)[i].iov_base, (*out)[i].iov_len)) {
            kfree(*out);
            return -EFAULT;
        }
    *total = (size_t)sum;
    return 0;
}

static void kmsg_drop_fds(struct kmsg *m)
{
    for (int i = 0; i < m->nfds; i++)
        if (m->fds[i])
            file_put(m->fds[i]);
    kfree(m->fds);
    m->fds = NULL;
    m->nfds = 0;
}

/* sendmsg's control messages: SCM_RIGHTS gives files (references in
   m->fds); SCM_CREDENTIALS is accepted (the sender is always the one
   process). */
static long control_in(struct kmsg *m, uptr_t uctl, uint64_t len)
{
    if (!len)
        return 0;
    if (len > 65536)
        return -ENOBUFS;
    char *buf = kmalloc(len);
    if (!buf)
        return -ENOMEM;
    long r = copy_in(buf, uctl, len);
    for (uint64_t at = 0; r == 0 && at + CMSG_HDR <= len;) {
        struct linux_cmsghdr *c = (struct linux_cmsghdr *)(buf + at);
        if (c->cmsg_len < CMSG_HDR || c->cmsg_len > len - at) {
            r = -EINVAL;
            break;
        }
        size_t data = c->cmsg_len - CMSG_HDR;
        if (c->cmsg_level != SOL_SOCKET) {
            /* IP_PKTINFO and the like: accepted and not applied on IP
               sockets (lwIP has no such options) */
            if (m->family_unix)
                r = -EINVAL;
        } else if (c->cmsg_type == SCM_RIGHTS) {
            int n = (int)(data / sizeof(int));
            if (!m->family_unix || m->nfds + n > CMSG_FDS_MAX) {
                r = -EINVAL;
                break;
            }
            struct file **fds =
                krealloc(m->fds, (size_t)(m->nfds + n + 1) * sizeof(*fds));
            if (!fds) {
                r = -ENOMEM;
                break;
            }
            m->fds = fds;
            const int *v = (const int *)(c + 1);
            for (int i = 0; i < n; i++) {
                struct file *f = fdt_get(fdt(), v[i]);
                if (!f) {
                    r = -EBADF;
                    break;
                }
                m->fds[m->nfds++] = f;
            }
        } else if (c->cmsg_type != SCM_CREDENTIALS)
            r = -EINVAL;
        at += CMSG_ALIGN(c->cmsg_len);
    }
    kfree(buf);
    if (r)
        kmsg_drop_fds(m);
    return r;
}

/* recvmsg's control messages: the files received become fds (as many as
   fit: MSG_CTRUNC for the rest, which are closed). Returns the control
   length used. */
static long control_out(struct kmsg *m, uptr_t uctl, uint64_t len, int flags)
{
    long used = 0;
    if (m->has_cred) { /* first, as Linux's scm_recv */
        struct linux_cmsghdr c = {CMSG_HDR + sizeof(m->cred), SOL_SOCKET,
                                  SCM_CREDENTIALS};
        if (len < CMSG_HDR + sizeof(m->cred)) {
            m->flags |= MSG_CTRUNC;
        } else {
            if (copy_out(uctl, &c, sizeof(c)) < 0 ||
                copy_out(uctl + CMSG_HDR, m->cred, sizeof(m->cred)) < 0) {
                kmsg_drop_fds(m);
                return -EFAULT;
            }
            used = (long)MIN(len, CMSG_ALIGN(c.cmsg_len));
            uctl += (uptr_t)used;
            len -= (uint64_t)used;
        }
    }
    if (!m->nfds)
        return used;
    size_t room = len >= CMSG_HDR ? (len - CMSG_HDR) / sizeof(int) : 0;
    int n = (int)MIN(room, (size_t)m->nfds);
    if (n < m->nfds)
        m->flags |= MSG_CTRUNC;
    if (n > 0) {
        int *fds = kmalloc((size_t)n * sizeof(int));
        if (!fds) {
            kmsg_drop_fds(m);
            return -ENOMEM;
        }
        int got = 0;
        for (; got < n; got++) {
            file_get(m->fds[got]);
            int fd = fdt_install(fdt(), m->fds[got], 0, nofile_limit(),
                                 (flags & MSG_CMSG_CLOEXEC) != 0);
            if (fd < 0) {
                file_put(m->fds[got]);
                m->flags |= MSG_CTRUNC;
                break;
            }
            fds[got] = fd;
        }
        struct linux_cmsghdr c = {CMSG_HDR + (size_t)got * sizeof(int),
                                  SOL_SOCKET, SCM_RIGHTS};
        if (got &&
            (copy_out(uctl, &c, sizeof(c)) < 0 ||
             copy_out(uctl + CMSG_HDR, fds, (size_t)got * sizeof(int)) < 0)) {
            for (int i = 0; i < got; i++)
                fdt_close(fdt(), fds[i]);
            got = 0;
            used = -EFAULT;
        } else if (got) {
            used += (long)MIN(len, CMSG_ALIGN(c.cmsg_len));
        }
        kfree(fds);
    }
    kmsg_drop_fds(m);
    return used;
}

static long msg_send(struct file *f, const struct linux_msghdr *h, int flags)
{
    struct socket *s = f->priv;
    char addr[SOCKADDR_MAX + 1];
    struct kmsg m = {0};
    long r;
    if (h->msg_name && h->msg_namelen) {
        r = addr_in(h->msg_name, h->msg_namelen, addr);
        if (r)
            return r;
        m.name = addr;
        m.namelen = h->msg_namelen;
    }
    r = msg_iov_in(h->msg_iov, h->msg_iovlen, &m.iov, &m.total);
    if (r)
        return r;
    m.iovlen = (int)h->msg_iovlen;
    m.family_unix = s->family == AF_UNIX;
    struct linux_iovec *iov0 = m.iov;
    r = control_in(&m, h->msg_control, h->msg_controllen);
    if (r == 0)
        r = do_send(f, &m, flags);
    kmsg_drop_fds(&m);
    kfree(iov0);
    return r;
}

/* recvmsg into the header at uh (its msg_namelen, msg_controllen and
   msg_flags are written back). */
static long msg_recv(struct file *f, struct linux_msghdr *h, uptr_t uh,
                     int flags)
{
    char addr[SOCKADDR_MAX];
    struct kmsg m = {0};
    long r = msg_iov_in(h->msg_iov, h->msg_iovlen, &m.iov, &m.total);
    if (r)
        return r;
    m.iovlen = (int)h->msg_iovlen;
    struct linux_iovec *iov0 = m.iov;
    m.name = addr;
    m.namelen = 0;
    r = do_recv(f, &m, flags);
    kfree(iov0);
    if (r < 0) {
        kmsg_drop_fds(&m);
        return r;
    }
    int namelen = 0;
    if (h->msg_name && m.namelen > 0) {
        namelen = m.namelen;
        if (h->msg_namelen < 0 ||
            copy_out(h->msg_name, addr, (size_t)MIN(h->msg_namelen, namelen)) <
                0) {
            kmsg_drop_fds(&m);
            return -EFAULT;
        }
    }
    long ctl = control_out(&m, h->msg_control, h->msg_controllen, flags);
    if (ctl < 0)
        return ctl;
    struct linux_msghdr out = *h;
    out.msg_namelen = namelen;
    out.msg_controllen = (uint64_t)ctl;
    out.msg_flags = m.flags;
    if (copy_out(uh + offsetof(struct linux_msghdr, msg_namelen),
                 &out.msg_namelen, sizeof(int)) < 0 ||
        copy_out(uh + offsetof(struct linux_msghdr, msg_controllen),
                 &out.msg_controllen, sizeof(uint64_t)) < 0 ||
        copy_out(uh + offsetof(struct linux_msghdr, msg_flags), &out.msg_flags,
                 sizeof(int)) < 0)
        return -EFAULT;
    return r;
}

SYSCALL_DEFINE6(sendto, int, fd, uptr_t, buf, size_t, len, int, flags, uptr_t,
                uaddr, int, alen)
{
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    struct linux_iovec iov = {buf, MIN(len, (size_t)0x7ffff000)};
    char addr[SOCKADDR_MAX + 1];
    struct kmsg m = {.iov = &iov, .iovlen = 1, .total = iov.iov_len};
    if (iov.iov_len && !user_range_ok(buf, iov.iov_len))
        r = -EFAULT;
    if (r == 0 && uaddr && alen) {
        r = addr_in(uaddr, alen, addr);
        m.name = addr;
        m.namelen = alen;
    }
    if (r == 0)
        r = do_send(f, &m, flags);
    file_put(f);
    return r;
}

SYSCALL_DEFINE6(recvfrom, int, fd, uptr_t, buf, size_t, len, int, flags, uptr_t,
                uaddr, uptr_t, ulen)
{
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    char addr[SOCKADDR_MAX];
    struct linux_iovec iov = {buf, MIN(len, (size_t)0x7ffff000)};
    struct kmsg m = {
        .iov = &iov, .iovlen = 1, .total = iov.iov_len, .name = addr};
    r = iov.iov_len && !user_range_ok(buf, iov.iov_len) ? -EFAULT
                                                        : do_recv(f, &m, flags);
    kmsg_drop_fds(&m);
    file_put(f);
    if (r >= 0 && uaddr && m.namelen > 0) {
        long e = addr_out(addr, m.namelen, uaddr, ulen);
        if (e)
            return e;
    } else if (r >= 0 && uaddr && ulen) {
        int zero = 0; /* a connected stream: no address */
        if (copy_out(ulen, &zero, sizeof(zero)) < 0)
            return -EFAULT;
    }
    return r;
}

/* One message header at u, sent or received. */
static long one_msg(struct file *f, uptr_t u, int flags, bool send)
{
    struct linux_msghdr h;
    if (copy_in(&h, u, sizeof(h)) < 0)
        return -EFAULT;
    return send ? msg_send(f, &h, flags) : msg_recv(f, &h, u, flags);
}

static long do_msg(int fd, uptr_t umsg, int flags, bool send)
{
    struct file *f;
    long r = 0;
    if (!sockfd(fd, &f, &r))
        return r;
    r = one_msg(f, umsg, flags, send);
    file_put(f);
    return r;
}

SYSCALL_DEFINE3(sendmsg, int, fd, uptr_t, umsg, int, flags)
{
    return do_msg(fd, umsg, flags, true);
}

SYSCALL_DEFINE3(recvmsg, int, fd, uptr_t, umsg, int, flags)
{
    return do_msg(fd, umsg, flags, false);
}

/* sendmmsg and recvmmsg: messages one by one, each one's length stored;
   how many were done, or the first one's error. */
static long do_mmsg(struct file *f, uptr_t uvec, unsigned vlen, int flags,
                    bool send, int64_t deadline)
{
    long r = 0;
    unsigned i = 0;
    vlen = MIN(vlen, 1024U);
    while (i < vlen) {
        uptr_t u = uvec + i * sizeof(struct linux_mmsghdr);
        r = one_msg(f, u, flags, send);
        if (r < 0)
            break;
        unsigned len = (unsigned)r;
        if (copy_out(u + offsetof(struct linux_mmsghdr, msg_len), &len,
                     sizeof(len)) < 0) {
            r = -EFAULT;
            break;
        }
        i++;
        if (!send && (flags & MSG_WAITFORONE))
            flags |= MSG_DONTWAIT;
        if (deadline >= 0 && deadline_of(1) > deadline)
            break;
    }
    return i ? (long)i : r;
}

SYSCALL_DEFINE4(sendmmsg, int, fd, uptr_t, uvec, unsigned, vlen, int, flags)
{
    struct file *f;
    long r = 0;
    if (!sockfd(fd, &f, &r))
        return r;
    r = do_mmsg(f, uvec, vlen, flags, true, -1);
    file_put(f);
    return r;
}

SYSCALL_DEFINE5(recvmmsg, int, fd, uptr_t, uvec, unsigned, vlen, int, flags,
                uptr_t, utimeout)
{
    int64_t deadline = -1;
    if (utimeout) {
        struct linux_timespec ts;
        if (copy_in(&ts, utimeout, sizeof(ts)) < 0)
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000LL)
            return -EINVAL;
        deadline = deadline_of(ts.tv_sec * 1000000000LL + ts.tv_nsec);
    }
    struct file *f;
    long r = 0;
    if (!sockfd(fd, &f, &r))
        return r;
    r = do_mmsg(f, uvec, vlen, flags, false, deadline);
    file_put(f);
    return r;
}

/* ---- options ---- */

long sock_setsockopt_common(struct socket *s, int name, const void *val,
                            int len)
{
    int v = 0;
    if (name == SO_LINGER) {
        if (len < 8)
            return -EINVAL;
        const int *l = val;
        s->linger_on = l[0] != 0;
        s->linger_secs = l[1];
        return 0;
    }
    if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
        if (len < 16)
            return -EINVAL;
        const int64_t *tv = val;
        if (tv[1] < 0 || tv[1] >= 1000000)
            return -EDOM;
        int64_t ns = tv[0] < 0 ? 0 : tv[0] * 1000000000LL + tv[1] * 1000;
        if (name == SO_RCVTIMEO)
            s->rcvtimeo = ns;
        else
            s->sndtimeo = ns;
        return 0;
    }
    if (len < (int)sizeof(int))
        return -EINVAL;
    memcpy(&v, val, sizeof(v));
    switch (name) {
    case SO_REUSEADDR: s->reuseaddr = v != 0; return 0;
    case SO_REUSEPORT: s->reuseport = v != 0; return 0;
    case SO_KEEPALIVE: s->keepalive = v != 0; return 0;
    case SO_PASSCRED: s->passcred = v != 0; return 0;
    case SO_SNDBUF:
    case SO_SNDBUFFORCE: s->sndbuf = MAX(4608, MIN(v, 1 << 22) * 2); return 0;
    case SO_RCVBUF:
    case SO_RCVBUFFORCE: s->rcvbuf = MAX(2304, MIN(v, 1 << 22) * 2); return 0;
    case SO_DEBUG:
    case SO_DONTROUTE:
    case SO_BROADCAST:
    case SO_OOBINLINE:
    case SO_RCVLOWAT:
    case SO_SNDLOWAT: return 0; /* accepted; husk has no use for them */
    }
    return -ENOPROTOOPT;
}

long sock_getsockopt_common(struct socket *s, int name, void *val, int *len)
{
    int v;
    switch (name) {
    case SO_LINGER: {
        int l[2] = {s->linger_on, s->linger_secs};
        memcpy(val, l, sizeof(l));
        *len = sizeof(l);
        return 0;
    }
    case SO_RCVTIMEO:
    case SO_SNDTIMEO: {
        int64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo;
        int64_t tv[2] = {ns / 1000000000LL, ns % 1000000000LL / 1000};
        memcpy(val, tv, sizeof(tv));
        *len = sizeof(tv);
        return 0;
    }
    case SO_TYPE: v = s->type; break;
    case SO_DOMAIN: v = s->family; break;
    case SO_PROTOCOL: v = s->protocol; break;
    case SO_REUSEADDR: v = s->reuseaddr; break;
    case SO_REUSEPORT: v = s->reuseport; break;
    case SO_KEEPALIVE: v = s->keepalive; break;
    case SO_PASSCRED: v = s->passcred; break;
    case SO_SNDBUF: v = s->sndbuf; break;
    case SO_RCVBUF: v = s->rcvbuf; break;
    case SO_ERROR: v = 0; break;
    case SO_ACCEPTCONN: v = 0; break;
    case SO_DEBUG:
    case SO_DONTROUTE:
    case SO_BROADCAST:
    case SO_OOBINLINE: v = 0; break;
    case SO_RCVLOWAT:
    case SO_SNDLOWAT: v = 1; break;
    default: return -ENOPROTOOPT;
    }
    memcpy(val, &v, sizeof(v));
    *len = sizeof(v);
    return 0;
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, name, uptr_t, uval, int,
                len)
{
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    char val[256];
    if (len < 0)
        r = -EINVAL;
    else
        r = copy_in(val, uval, (size_t)MIN(len, (int)sizeof(val)));
    if (r == 0) {
        r = s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, len)
                               : -ENOPROTOOPT;
        if (r == -ENOPROTOOPT && level == SOL_SOCKET)
            r = sock_setsockopt_common(s, name, val, len);
    }
    file_put(f);
    return r;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, name, uptr_t, uval,
                uptr_t, ulen)
{
    struct file *f;
    long r = 0;
    struct socket *s = sockfd(fd, &f, &r);
    if (!s)
        return r;
    int have, len = 0;
    char val[256];
    memset(val, 0, sizeof(val));
    r = copy_in(&have, ulen, sizeof(have));
    if (r == 0 && have < 0)
        r = -EINVAL;
    if (r == 0) {
        r = s->ops->getsockopt ? s->ops->getsockopt(s, level, name, val, &len)
                               : -ENOPROTOOPT;
        if (r == -ENOPROTOOPT && level == SOL_SOCKET)
            r = sock_getsockopt_common(s, name, val, &len);
    }
    file_put(f);
    if (r)
        return r;
    len = MIN(len, have);
    if (copy_out(uval, val, (size_t)len) < 0 ||
        copy_out(ulen, &len, sizeof(len)) < 0)
        return -EFAULT;
    return 0;
}
