/* SPDX-License-Identifier: MIT */
/* unix.c: AF_UNIX sockets, entirely inside husk: stream, datagram and
   seqpacket; socketpair; names in the filesystem (a socket node made by
   bind, found again by connect) and in the abstract namespace; file
   descriptors passed with SCM_RIGHTS.

   Every unix socket is on one list under unix_lock. A socket's receive
   queue is a list of buffers; a stream reader takes bytes across them, a
   datagram or seqpacket reader one buffer per call. A writer may queue
   while the peer's queue holds less than QUEUE_MAX bytes (Linux's
   default socket buffer is about that size). connect to a listener makes
   the server's socket at once and queues it for accept, as Linux does.

   SCM_CREDENTIALS: a receiver with SO_PASSCRED gets the process's own
   (there is one process); what a sender attaches is not checked.
   Not done: a socket
   passed over itself (an SCM_RIGHTS cycle) is never freed, as there is no
   garbage collector for such cycles. */
#include "abi/linux/fcntl.h"
#include "abi/linux/stat.h"
#include "fs/vfs.h"
#include "fs/wait.h"
#include "net.h"
#include "syscall/uaccess.h"
#include "task/task.h"

#define QUEUE_MAX (256 * 1024)
#define UNIX_PATH_MAX 108
#define ADDR_IN_MAX (2 + UNIX_PATH_MAX) /* what bind and connect take */
#define ADDR_MAX (ADDR_IN_MAX + 1)      /* a 108-byte path and its NUL, kept */

enum { U_UNCONN, U_LISTEN, U_CONNECTED };

struct skb {
    struct skb *next;
    size_t len, off;
    struct file **fds;
    int nfds;
    int fromlen;
    char from[ADDR_MAX];
    char data[];
};

struct unix_sock {
    struct unix_sock *next_all;
    struct socket *sock;
    int state;
    struct unix_sock *peer; /* connected: where sends go */
    bool peer_gone;         /* a connected peer closed */
    bool shut_rd, shut_wr;  /* our own shutdowns */
    bool peer_shut_wr;      /* the peer will send no more */
    struct skb *rq_head, *rq_tail;
    size_t rq_bytes;
    /* listening */
    struct unix_sock *acc_head, *acc_tail;
    struct unix_sock *acc_next; /* in its listener's accept queue */
    int nacc, backlog;
    /* the bound name */
    char addr[ADDR_MAX];
    int addrlen;       /* 0: unbound */
    bool bound;        /* the name is its own (bind), not its listener's */
    uint64_t dev, ino; /* a filesystem name's node */
    uint64_t id;       /* never reused: finds it again after the lock */
};

static struct spinlock unix_lock;
static struct unix_sock *all_socks;
static unsigned autobind_next;
static uint64_t next_id;

static struct unix_sock *us(struct socket *s) { return s->priv; }

/* Readiness changed: with unix_lock held (the socket cannot be freed
   meanwhile), then kevent_post() once the lock is dropped. */
static void touch(struct unix_sock *u)
{
    if (u)
        __atomic_add_fetch(&u->sock->seq, 1, __ATOMIC_RELAXED);
}

/* The socket with this id, if it still exists; unix_lock held. */
static struct unix_sock *by_id(uint64_t id)
{
    struct unix_sock *x = all_socks;
    while (x && x->id != id)
        x = x->next_all;
    return x;
}

static void skb_free(struct skb *b)
{
    for (int i = 0; i < b->nfds; i++)
        file_put(b->fds[i]);
    kfree(b->fds);
    kfree(b);
}

/* ---- names ---- */

/* Check a sockaddr_un; *len becomes the meaningful length (a filesystem
   name ends at its NUL). path gets the filesystem name, or "" for an
   abstract one. */
static long addr_check(const void *addr, int *len, char *path)
{
    const char *a = addr;
    if (*len < 2 || *len > ADDR_IN_MAX)
        return -EINVAL;
    if (*(const uint16_t *)addr != AF_UNIX)
        return -EINVAL;
    path[0] = 0;
    if (*len == 2)
        return 0;
    if (a[2] == 0)
        return 0; /* abstract: all len bytes count */
    size_t n = strnlen(a + 2, (size_t)*len - 2);
    memcpy(path, a + 2, n);
    path[n] = 0;
    *len = 2 + (int)n + 1;
    return 0;
}

/* The socket bound to a filesystem node or an abstract name; unix_lock
   held. */
static struct unix_sock *find_bound(uint64_t dev, uint64_t ino,
                                    const char *addr, int len)
{
    for (struct unix_sock *u = all_socks; u; u = u->next_all) {
        if (!u->bound)
            continue;
        if (addr ? (u->addrlen == len && !memcmp(u->addr, addr, len) && !u->ino)
                 : (u->ino == ino && u->dev == dev))
            return u;
    }
    return NULL;
}

/* Make the socket node for bind: -EADDRINUSE if the name exists. */
static long make_node(const char *path, uint64_t *dev, uint64_t *ino)
{
    char last[NAME_MAX + 1];
    struct path parent;
    struct inode *child;
    bool slash;
    vfs_lock();
    long r = path_parent(LINUX_AT_FDCWD, path, &parent, last, &slash);
    if (r) {
        vfs_unlock();
        return r;
    }
    if (!strcmp(last, ".") || !strcmp(last, "..") ||
        parent.inode->iops->lookup(parent.inode, last, &child) == 0) {
        if (strcmp(last, ".") && strcmp(last, ".."))
            inode_put(child);
        r = -EADDRINUSE;
    } else if (parent.mnt->rdonly || parent.inode->sb->rdonly) {
        r = -EROFS;
    } else if (!parent.inode->iops->create) {
        r = -EPERM;
    } else {
        uint32_t mode = LINUX_S_IFSOCK | (0777 & ~current_proc()->umask);
        r = inode_permission(parent.inode, 3 /* W_OK|X_OK */);
        if (r == 0)
            r = parent.inode->iops->create(parent.inode, last, mode, 0, NULL,
                                           &child);
        if (r == 0) {
            *dev = child->sb->dev;
            *ino = child->ino;
            inode_put(child);
        }
    }
    path_put(&parent);
    vfs_unlock();
    return r;
}

static long find_node(const char *path, uint64_t *dev, uint64_t *ino)
{
    struct path p;
    vfs_lock();
    long r = path_lookup(LINUX_AT_FDCWD, path, LOOKUP_FOLLOW, &p);
    if (r == 0) {
        if ((p.inode->mode & LINUX_S_IFMT) != LINUX_S_IFSOCK)
            r = -ECONNREFUSED;
        else if ((r = inode_permission(p.inode, 2 /* W_OK */)) == 0) {
            *dev = p.inode->sb->dev;
            *ino = p.inode->ino;
        }
        path_put(&p);
    }
    vfs_unlock();
    return r;
}

/* The socket a name stands for (not yet locked): unix_lock taken on
   success. */
static long lookup_peer(const void *addr, int len, struct unix_sock **out)
{
    char path[UNIX_PATH_MAX + 1];
    long r = addr_check(addr, &len, path);
    if (r)
        return r;
    if (len == 2)
        return -EINVAL;
    uint64_t dev = 0, ino = 0;
    if (path[0]) {
        r = find_node(path, &dev, &ino);
        if (r)
            return r;
    }
    spin_lock(&unix_lock);
    *out = find_bound(dev, ino, path[0] ? NULL : addr, len);
    if (!*out) {
        spin_unlock(&unix_lock);
        return -ECONNREFUSED;
    }
    return 0;
}

static long unix_bind(struct socket *s, const void *addr, int len)
{
    struct unix_sock *u = us(s);
    char path[UNIX_PATH_MAX + 1];
    long r = addr_check(addr, &len, path);
    if (r)
        return r;
    if (u->addrlen)
        return -EINVAL;
    uint64_t dev = 0, ino = 0;
    char name[ADDR_MAX];
    memcpy(name, addr, (size_t)len);
    if (len == 2) { /* autobind: an abstract name of five hex digits */
        spin_lock(&unix_lock);
        unsigned n = autobind_next++ & 0xfffff;
        spin_unlock(&unix_lock);
        name[2] = 0;
        for (int i = 0; i < 5; i++)
            name[3 + i] = "0123456789abcdef"[(n >> (16 - 4 * i)) & 15];
        len = 8;
    } else if (path[0]) {
        r = make_node(path, &dev, &ino);
        if (r)
            return r;
    }
    spin_lock(&unix_lock);
    if (u->addrlen)
        r = -EINVAL;
    else if (!path[0] && find_bound(0, 0, name, len))
        r = -EADDRINUSE;
    else {
        memcpy(u->addr, name, (size_t)len);
        u->addrlen = len;
        u->bound = true;
        u->dev = dev;
        u->ino = ino;
    }
    spin_unlock(&unix_lock);
    return r;
}

static long unix_listen(struct socket *s, int backlog)
{
    struct unix_sock *u = us(s);
    if (s->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    spin_lock(&unix_lock);
    long r = 0;
    if (!u->addrlen || u->state == U_CONNECTED)
        r = -EINVAL;
    else {
        u->state = U_LISTEN;
        u->backlog = backlog < 0 ? 128 : MIN(backlog, 4096);
    }
    spin_unlock(&unix_lock);
    return r;
}

static void connect_pair(struct unix_sock *a, struct unix_sock *b)
{
    a->peer = b;
    b->peer = a;
    a->state = b->state = U_CONNECTED;
}

static long unix_connect(struct socket *s, const void *addr, int len)
{
    struct unix_sock *u = us(s), *l;
    if (!addr)
        return u->state == U_CONNECTED ? 0 : -ENOTCONN;
    if (len >= 2 && *(const uint16_t *)addr == AF_UNSPEC &&
        s->type == SOCK_DGRAM) { /* dissolve a datagram association */
        spin_lock(&unix_lock);
        u->peer = NULL;
        u->peer_gone = false;
        u->state = U_UNCONN;
        spin_unlock(&unix_lock);
        return 0;
    }
    long r = lookup_peer(addr, len, &l); /* unix_lock held if 0 */
    if (r)
        return r == -EINVAL && len >= 2 && *(const uint16_t *)addr != AF_UNIX
                   ? -EINVAL
                   : r;
    if (l->sock->type != s->type) {
        spin_unlock(&unix_lock);
        return -EPROTOTYPE;
    }
    if (s->type == SOCK_DGRAM) {
        u->peer = l;
        u->peer_gone = false;
        u->state = U_CONNECTED;
        spin_unlock(&unix_lock);
        return 0;
    }
    if (u->state == U_CONNECTED) {
        spin_unlock(&unix_lock);
        return -EISCONN;
    }
    if (u->state == U_LISTEN || l->state != U_LISTEN) {
        spin_unlock(&unix_lock);
        return u->state == U_LISTEN ? -EINVAL : -ECONNREFUSED;
    }
    if (l->nacc > l->backlog) { /* as Linux: backlog + 1 wait */
        spin_unlock(&unix_lock);
        return -EAGAIN;
    }
    spin_unlock(&unix_lock);
    /* the server's end, made outside the lock */
    struct socket *ns = sock_alloc(AF_UNIX, s->type, 0);
    if (!ns)
        return -ENOMEM;
    r = unix_create(ns);
    if (r) {
        file_put(ns->file);
        return r;
    }
    struct unix_sock *n = us(ns);
    spin_lock(&unix_lock);
    /* the listener may have gone meanwhile: look again */
    struct unix_sock *x = all_socks;
    while (x && x != l)
        x = x->next_all;
    if (!x || l->state != U_LISTEN || u->state != U_UNCONN) {
        spin_unlock(&unix_lock);
        file_put(ns->file);
        return x ? -EISCONN : -ECONNREFUSED;
    }
    memcpy(n->addr, l->addr, (size_t)l->addrlen);
    n->addrlen = l->addrlen;
    connect_pair(u, n);
    if (l->acc_tail)
        l->acc_tail->acc_next = n;
    else
        l->acc_head = n;
    l->acc_tail = n;
    l->nacc++;
    touch(l);
    touch(u);
    spin_unlock(&unix_lock);
    kevent_post();
    return 0;
}

static long unix_accept(struct socket *s, struct socket **out)
{
    struct unix_sock *u = us(s);
    if (s->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    spin_lock(&unix_lock);
    if (u->state != U_LISTEN) {
        spin_unlock(&unix_lock);
        return -EINVAL;
    }
    struct unix_sock *n = u->acc_head;
    if (!n) {
        spin_unlock(&unix_lock);
        return -EAGAIN;
    }
    u->acc_head = n->acc_next;
    if (!u->acc_head)
        u->acc_tail = NULL;
    n->acc_next = NULL;
    u->nacc--;
    spin_unlock(&unix_lock);
    *out = n->sock;
    return 0;
}

static long unix_getname(struct socket *s, void *addr, int *len, int peer)
{
    struct unix_sock *u = us(s);
    spin_lock(&unix_lock);
    struct unix_sock *w = peer ? u->peer : u;
    long r = 0;
    if (peer && (!w || u->state != U_CONNECTED))
        r = -ENOTCONN;
    else if (w->addrlen) {
        memcpy(addr, w->addr, (size_t)w->addrlen);
        *len = w->addrlen;
    } else {
        *(uint16_t *)addr = AF_UNIX;
        *len = 2;
    }
    spin_unlock(&unix_lock);
    return r;
}

/* Queue a buffer on u's receive queue; unix_lock held. */
static void enqueue(struct unix_sock *u, struct skb *b)
{
    if (u->rq_tail)
        u->rq_tail->next = b;
    else
        u->rq_head = b;
    u->rq_tail = b;
    u->rq_bytes += b->len;
}

static long unix_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
    struct unix_sock *u = us(s), *to = NULL;
    (void)flags;
    bool stream = s->type == SOCK_STREAM;
    if (!stream && m->total > QUEUE_MAX - 512)
        return -EMSGSIZE;
    if (m->name && s->type != SOCK_DGRAM) {
        /* a connected kind: the address is ignored (Linux: EISCONN or
           EOPNOTSUPP); Linux gives EISCONN when connected */
        spin_lock(&unix_lock);
        bool conn = u->state == U_CONNECTED;
        spin_unlock(&unix_lock);
        if (!conn)
            return -EOPNOTSUPP;
    }
    long r = 0;
    if (m->name && s->type == SOCK_DGRAM) {
        r = lookup_peer(m->name, m->namelen, &to); /* locks if 0 */
        if (r)
            return r;
        if (to->sock->type != SOCK_DGRAM) {
            spin_unlock(&unix_lock);
            return -EPROTOTYPE;
        }
    } else {
        spin_lock(&unix_lock);
        to = u->peer;
        if (!to) {
            bool gone = u->peer_gone;
            spin_unlock(&unix_lock);
            if (s->type == SOCK_DGRAM)
                return gone ? -ECONNREFUSED : -EDESTADDRREQ;
            return gone || u->state == U_CONNECTED ? -EPIPE : -ENOTCONN;
        }
    }
    if (u->shut_wr || (to->shut_rd && s->type != SOCK_DGRAM)) {
        spin_unlock(&unix_lock);
        return -EPIPE;
    }
    size_t room = to->rq_bytes < QUEUE_MAX ? QUEUE_MAX - to->rq_bytes : 0;
    size_t n = m->total;
    uint64_t to_id = to->id;
    if (stream)
        n = MIN(n, room);
    if ((stream && !n && m->total) ||
        (!stream && m->total > room && to->rq_bytes)) {
        spin_unlock(&unix_lock);
        return -EAGAIN;
    }
    spin_unlock(&unix_lock);
    n = MIN(n, (size_t)65536 * (stream ? 4 : 1024));
    struct skb *b = kmalloc(sizeof(*b) + (n ? n : 1));
    if (!b)
        return -ENOBUFS;
    memset(b, 0, sizeof(*b));
    b->len = n;
    r = kmsg_copy_from(m, 0, b->data, n);
    if (r < 0) {
        kfree(b);
        return r;
    }
    if (m->nfds) {
        b->fds = kmalloc((size_t)m->nfds * sizeof(struct file *));
        if (!b->fds) {
            kfree(b);
            return -ENOMEM;
        }
        for (int i = 0; i < m->nfds; i++) {
            file_get(m->fds[i]);
            b->fds[i] = m->fds[i];
        }
        b->nfds = m->nfds;
    }
    spin_lock(&unix_lock);
    memcpy(b->from, u->addr, (size_t)u->addrlen);
    b->fromlen = u->addrlen;
    /* the peer may have gone while we copied (and its memory gone to a
       new socket: the id tells), or shut its reading side */
    to = by_id(to_id);
    if (!to || (!m->name && u->peer != to) ||
        (to->shut_rd && s->type != SOCK_DGRAM)) {
        spin_unlock(&unix_lock);
        skb_free(b);
        return s->type == SOCK_DGRAM ? -ECONNREFUSED : -EPIPE;
    }
    enqueue(to, b);
    touch(to);
    spin_unlock(&unix_lock);
    kevent_post();
    return (long)n;
}

static long unix_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
    struct unix_sock *u = us(s);
    bool stream = s->type == SOCK_STREAM;
    spin_lock(&unix_lock);
    if (stream && u->state != U_CONNECTED && !u->peer_gone) {
        spin_unlock(&unix_lock);
        return -EINVAL;
    }
    struct skb *b = u->rq_head;
    if (!b) {
        bool eof = u->shut_rd || (stream || s->type == SOCK_SEQPACKET
                                      ? u->peer_gone || u->peer_shut_wr
                                      : false);
        spin_unlock(&unix_lock);
        if (eof)
            return 0;
        return -EAGAIN;
    }
    long r = 0;
    size_t done = 0;
    m->namelen = 0;
    if (!stream) {
        size_t n = MIN(b->len, m->total);
        r = kmsg_copy_to(m, 0, b->data, n);
        if (r >= 0) {
            done = (flags & MSG_TRUNC) ? b->len : n;
            if (n < b->len)
                m->flags |= MSG_TRUNC;
            if (m->name && b->fromlen) {
                memcpy(m->name, b->from, (size_t)b->fromlen);
                m->namelen = b->fromlen;
            }
            if (!(flags & MSG_PEEK)) {
                u->rq_head = b->next;
                if (!u->rq_head)
                    u->rq_tail = NULL;
                u->rq_bytes -= b->len;
                m->fds = b->fds, m->nfds = b->nfds;
                b->fds = NULL, b->nfds = 0;
                kfree(b);
            }
        }
    } else {
        /* bytes across buffers; one carrying files starts a new read */
        while (b && done < m->total) {
            if (b->nfds && (done || m->nfds))
                break;
            size_t n = MIN(b->len - b->off, m->total - done);
            r = kmsg_copy_to(m, done, b->data + b->off, n);
            if (r < 0)
                break;
            done += n;
            if (flags & MSG_PEEK) {
                if (b->off + n < b->len)
                    break;
                b = b->next;
                continue;
            }
            if (b->nfds) {
                m->fds = b->fds, m->nfds = b->nfds;
                b->fds = NULL, b->nfds = 0;
            }
            b->off += n;
            u->rq_bytes -= n;
            if (b->off < b->len)
                break;
            u->rq_head = b->next;
            if (!u->rq_head)
                u->rq_tail = NULL;
            kfree(b);
            b = u->rq_head;
            if (m->nfds)
                break;
        }
    }
    if (!(flags & MSG_PEEK) && (done || r >= 0)) {
        touch(u);
        touch(u->peer); /* room in our queue: its POLLOUT */
    }
    spin_unlock(&unix_lock);
    kevent_post();
    if (r < 0 && !done)
        return r;
    if (s->passcred) { /* the one process sends everything */
        struct proc *p = current_proc();
        m->has_cred = true;
        m->cred[0] = p->pid;
        m->cred[1] = (int)p->euid;
        m->cred[2] = (int)p->egid;
    }
    return (long)done;
}

static long unix_shutdown(struct socket *s, int how)
{
    struct unix_sock *u = us(s);
    spin_lock(&unix_lock);
    if (u->state != U_CONNECTED && s->type != SOCK_DGRAM) {
        spin_unlock(&unix_lock);
        return -ENOTCONN;
    }
    if (how != SHUT_WR)
        u->shut_rd = true;
    if (how != SHUT_RD) {
        u->shut_wr = true;
        if (u->peer)
            u->peer->peer_shut_wr = true;
    }
    touch(u);
    touch(u->peer);
    spin_unlock(&unix_lock);
    kevent_post();
    return 0;
}

static unsigned unix_poll(struct socket *s)
{
    struct unix_sock *u = us(s);
    unsigned m = 0;
    spin_lock(&unix_lock);
    if (u->state == U_LISTEN) {
        if (u->acc_head)
            m |= POLLIN | POLLRDNORM;
        spin_unlock(&unix_lock);
        return m;
    }
    if (u->rq_head)
        m |= POLLIN | POLLRDNORM;
    bool conn = s->type != SOCK_DGRAM; /* a datagram peer's close: no EOF */
    bool rd_shut = u->shut_rd || (conn && (u->peer_gone || u->peer_shut_wr));
    if (rd_shut)
        m |= POLLIN | POLLRDNORM | POLLRDHUP;
    if ((u->shut_rd && u->shut_wr) || (conn && u->peer_gone) ||
        (u->peer_shut_wr && u->shut_wr))
        m |= POLLHUP;
    if (s->type != SOCK_DGRAM && u->state == U_UNCONN && !u->peer_gone)
        m |= POLLHUP;
    struct unix_sock *to = u->peer;
    if (s->type == SOCK_DGRAM && !to)
        m |= POLLOUT | POLLWRNORM;
    else if (to && !u->shut_wr && to->rq_bytes < QUEUE_MAX)
        m |= POLLOUT | POLLWRNORM;
    else if (u->peer_gone)
        m |= POLLOUT | POLLWRNORM; /* a write fails at once (EPIPE) */
    spin_unlock(&unix_lock);
    return m;
}

static long unix_ioctl(struct socket *s, unsigned long req, uptr_t arg)
{
    struct unix_sock *u = us(s);
    if (req != 0x541b /* FIONREAD */ && req != 0x5411 /* TIOCOUTQ */)
        return -ENOTTY;
    spin_lock(&unix_lock);
    int v = 0;
    if (req == 0x5411)
        v = u->peer ? (int)u->peer->rq_bytes : 0;
    else if (s->type == SOCK_STREAM)
        v = (int)u->rq_bytes;
    else if (u->rq_head)
        v = (int)u->rq_head->len;
    spin_unlock(&unix_lock);
    return copy_out(arg, &v, sizeof(v));
}

static long unix_getsockopt(struct socket *s, int level, int name, void *val,
                            int *len)
{
    struct unix_sock *u = us(s);
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    if (name == SO_ACCEPTCONN) {
        int v = u->state == U_LISTEN;
        memcpy(val, &v, sizeof(v));
        *len = sizeof(v);
        return 0;
    }
    if (name == SO_PEERCRED) {
        struct proc *p = current_proc();
        int cred[3] = {u->state == U_CONNECTED ? p->pid : 0, (int)p->euid,
                       (int)p->egid};
        if (u->state != U_CONNECTED)
            cred[1] = cred[2] = -1;
        memcpy(val, cred, sizeof(cred));
        *len = sizeof(cred);
        return 0;
    }
    return -ENOPROTOOPT;
}

static long unix_setsockopt(struct socket *s, int level, int name,
                            const void *val, int len)
{
    (void)s, (void)name, (void)val, (void)len;
    return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
}

static void unix_release(struct socket *s)
{
    struct unix_sock *u = us(s), *pending;
    spin_lock(&unix_lock);
    struct unix_sock **pp = &all_socks;
    while (*pp && *pp != u)
        pp = &(*pp)->next_all;
    if (*pp)
        *pp = u->next_all;
    /* datagram sockets sending to us, and our connected peer, lose us */
    for (struct unix_sock *x = all_socks; x; x = x->next_all)
        if (x->peer == u) {
            x->peer = NULL;
            x->peer_gone = true;
            touch(x);
        }
    pending = u->acc_head;
    u->acc_head = u->acc_tail = NULL;
    struct skb *b = u->rq_head;
    u->rq_head = u->rq_tail = NULL;
    spin_unlock(&unix_lock);
    kevent_post();
    while (b) {
        struct skb *next = b->next;
        skb_free(b);
        b = next;
    }
    while (pending) { /* connections never accepted */
        struct unix_sock *next = pending->acc_next;
        file_put(pending->sock->file);
        pending = next;
    }
    kfree(u);
}

static const struct sock_ops unix_ops = {
    .bind = unix_bind,
    .connect = unix_connect,
    .listen = unix_listen,
    .accept = unix_accept,
    .getname = unix_getname,
    .sendmsg = unix_sendmsg,
    .recvmsg = unix_recvmsg,
    .shutdown = unix_shutdown,
    .setsockopt = unix_setsockopt,
    .getsockopt = unix_getsockopt,
    .poll = unix_poll,
    .ioctl = unix_ioctl,
    .release = unix_release,
};

long unix_create(struct socket *s)
{
    if (s->type != SOCK_STREAM && s->type != SOCK_DGRAM &&
        s->type != SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    if (s->protocol != 0)
        return -EPROTONOSUPPORT;
    struct unix_sock *u = kzalloc(sizeof(*u));
    if (!u)
        return -ENOMEM;
    u->sock = s;
    s->priv = u;
    s->ops = &unix_ops;
    s->sndbuf = s->rcvbuf = 212992;
    spin_lock(&unix_lock);
    u->id = ++next_id;
    u->next_all = all_socks;
    all_socks = u;
    spin_unlock(&unix_lock);
    return 0;
}

long unix_socketpair(struct socket *a, struct socket *b)
{
    spin_lock(&unix_lock);
    connect_pair(us(a), us(b));
    spin_unlock(&unix_lock);
    return 0;
}
