/* SPDX-License-Identifier: MIT */
/* pipe.c: pipes, after pipe(7). A ring buffer of `size` bytes (64 KiB by
   default, F_SETPIPE_SZ from 4 KiB to 1 MiB); writes of at most PIPE_BUF
   bytes are atomic; read with no writers is EOF; write with no readers is
   EPIPE and SIGPIPE. Each end is a struct file with its own status flags
   (O_NONBLOCK); the pipe counts the ends. pipe->lock guards it; it is
   never held across a wait.

   FIFOs (mkfifo, on tmpfs or ext4) are the same pipe, hung on the inode
   while any end is open, as fifo(7): O_RDWR opens at once; O_NONBLOCK
   opens for reading at once and for writing only if there is a reader
   (ENXIO otherwise); a blocking open waits for the other end. The data
   goes when the last end closes; nothing of it reaches the disk. */
#include "abi/linux/fcntl.h"
#include "abi/linux/ioctl.h"
#include "abi/linux/signal.h"
#include "file.h"
#include "signal/signal.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "wait.h"

#define PIPE_BUF 4096
#define PIPE_DEFAULT (64 * 1024)
#define PIPE_MAX (1024 * 1024)

int nofile_limit(void);

/* Guards inode->fifo: which pipe a FIFO's opens join. */
static struct spinlock fifo_lock;

struct pipe {
    struct spinlock lock;
    char *buf;
    size_t size, head, count; /* data is [head, head+count) mod size */
    int readers, writers;
    unsigned long seq; /* bumped on every change */
};

static struct pipe *pipe_of(struct file *f) { return f->priv; }

/* An end reads unless it is O_WRONLY, writes unless O_RDONLY (a FIFO
   opened O_RDWR does both). */
static bool reads(const struct file *f)
{
    return (f->flags & LINUX_O_ACCMODE) != LINUX_O_WRONLY;
}

static bool writes(const struct file *f)
{
    return (f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
}

static unsigned pipe_poll(struct file *f, unsigned long *seq)
{
    struct pipe *p = pipe_of(f);
    unsigned m = 0;
    spin_lock(&p->lock);
    if (reads(f)) {
        if (p->count)
            m |= POLLIN | POLLRDNORM;
        if (!p->writers)
            m |= POLLHUP;
    }
    if (writes(f)) {
        if (p->size - p->count >= MIN((size_t)PIPE_BUF, p->size))
            m |= POLLOUT | POLLWRNORM;
        if (!p->readers)
            m |= POLLERR;
    }
    if (seq)
        *seq = p->seq;
    spin_unlock(&p->lock);
    return m;
}

static long pipe_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct pipe *p = pipe_of(f);
    (void)pos;
    for (;;) {
        spin_lock(&p->lock);
        if (p->count) {
            size_t n = MIN(len, p->count), done = 0;
            long r = 0;
            while (done < n && r == 0) {
                size_t at = (p->head + done) % p->size;
                size_t k = MIN(n - done, p->size - at);
                r = uaccess_copy((char *)buf + done, p->buf + at, k);
                if (r == 0)
                    done += k;
            }
            p->head = (p->head + done) % p->size;
            p->count -= done;
            if (done)
                p->seq++;
            kevent_post();
            spin_unlock(&p->lock);
            return done ? (long)done : -EFAULT;
        }
        bool eof = !p->writers;
        spin_unlock(&p->lock);
        if (eof)
            return 0;
        if (f->flags & LINUX_O_NONBLOCK)
            return -EAGAIN;
        long r = wait_file(f, POLLIN | POLLHUP);
        if (r)
            return r;
    }
}

static long pipe_write(struct file *f, const void *buf, size_t len,
                       int64_t *pos)
{
    struct pipe *p = pipe_of(f);
    size_t done = 0;
    (void)pos;
    while (done < len) {
        spin_lock(&p->lock);
        if (!p->readers) {
            spin_unlock(&p->lock);
            signal_raise_self(LINUX_SIGPIPE);
            return done ? (long)done : -EPIPE;
        }
        size_t space = p->size - p->count, want = len - done;
        /* up to PIPE_BUF bytes go in whole or not at all */
        bool fits = len <= PIPE_BUF ? space >= want : space > 0;
        if (fits) {
            size_t n = MIN(want, space), put = 0;
            long r = 0;
            while (put < n && r == 0) {
                size_t at = (p->head + p->count + put) % p->size;
                size_t k = MIN(n - put, p->size - at);
                r = uaccess_copy(p->buf + at, (const char *)buf + done + put,
                                 k);
                if (r == 0)
                    put += k;
            }
            p->count += put;
            p->seq++;
            kevent_post();
            done += put;
            spin_unlock(&p->lock);
            if (r)
                return done ? (long)done : -EFAULT;
            continue;
        }
        spin_unlock(&p->lock);
        if (f->flags & LINUX_O_NONBLOCK)
            return done ? (long)done : -EAGAIN;
        long r = wait_file(f, POLLOUT | POLLERR);
        if (r)
            return done ? (long)done : r;
    }
    return (long)done;
}

static long pipe_ioctl(struct file *f, unsigned long req, uptr_t arg)
{
    struct pipe *p = pipe_of(f);
    long r;
    int v;
    switch (req) {
    case LINUX_FIONREAD:
        spin_lock(&p->lock);
        v = (int)p->count;
        spin_unlock(&p->lock);
        return copy_out(arg, &v, sizeof(v));
    case LINUX_F_GETPIPE_SZ: return (long)p->size;
    case LINUX_F_SETPIPE_SZ: {
        size_t size = PAGE_UP(MAX((size_t)arg, (size_t)4096));
        if (arg > PIPE_MAX)
            return current_proc()->euid == 0 && arg <= (1UL << 30) ? -ENOMEM
                                                                   : -EPERM;
        char *nb = kmalloc(size);
        if (!nb)
            return -ENOMEM;
        spin_lock(&p->lock);
        r = (long)size;
        if (p->count > size) {
            r = -EBUSY;
        } else {
            for (size_t i = 0; i < p->count; i++)
                nb[i] = p->buf[(p->head + i) % p->size];
            char *old = p->buf;
            p->buf = nb;
            nb = old;
            p->head = 0;
            p->size = size;
            p->seq++;
            kevent_post();
        }
        spin_unlock(&p->lock);
        kfree(nb);
        return r;
    }
    default: return -ENOTTY;
    }
}

static void pipe_release(struct file *f)
{
    struct pipe *p = pipe_of(f);
    spin_lock(&fifo_lock);
    spin_lock(&p->lock);
    if (reads(f))
        p->readers--;
    if (writes(f))
        p->writers--;
    p->seq++;
    kevent_post();
    bool last = !p->readers && !p->writers;
    spin_unlock(&p->lock);
    if (last && f->inode && f->inode->fifo == p)
        f->inode->fifo = NULL; /* a FIFO: the next open starts afresh */
    spin_unlock(&fifo_lock);
    if (last) {
        kfree(p->buf);
        kfree(p);
    }
}

static long pipe_stat(struct file *f, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = LINUX_S_IFIFO | 0600;
    st->st_nlink = 1;
    st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
    st->st_blksize = 4096;
    st->st_uid = current_proc()->euid;
    st->st_gid = current_proc()->egid;
    return 0;
}

static const struct file_ops pipe_fops = {
    .read = pipe_read,
    .write = pipe_write,
    .stat = pipe_stat,
    .ioctl = pipe_ioctl,
    .poll = pipe_poll,
    .release = pipe_release,
};

/* A FIFO's end: a pipe end whose attributes are the inode's. */
static const struct file_ops fifo_end_fops = {
    .read = pipe_read,
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .poll = pipe_poll,
    .release = pipe_release,
};

/* While a blocking open waits for the other end: ready when it came. */
static unsigned fifo_peer_poll(struct file *f, unsigned long *seq)
{
    struct pipe *p = pipe_of(f);
    spin_lock(&p->lock);
    bool peer = reads(f) ? p->writers > 0 : p->readers > 0;
    if (seq)
        *seq = p->seq;
    spin_unlock(&p->lock);
    return peer ? POLLIN : 0;
}

static const struct file_ops fifo_opening_fops = {
    .poll = fifo_peer_poll,
    .release = pipe_release,
};

static long fifo_open(struct inode *inode, struct file *f)
{
    struct pipe *fresh = NULL;
    spin_lock(&fifo_lock);
    struct pipe *p = inode->fifo;
    if (!p) {
        spin_unlock(
            &fifo_lock); /* allocate without the lock, then look again */
        fresh = kzalloc(sizeof(*fresh));
        if (!fresh || !(fresh->buf = kmalloc(PIPE_DEFAULT))) {
            kfree(fresh);
            return -ENOMEM;
        }
        fresh->size = PIPE_DEFAULT;
        spin_lock(&fifo_lock);
        if (!(p = inode->fifo))
            p = inode->fifo = fresh, fresh = NULL;
    }
    spin_lock(&p->lock);
    bool nonblock = f->flags & LINUX_O_NONBLOCK;
    long r = 0;
    if (!reads(f) && nonblock && !p->readers)
        r = -ENXIO;
    else {
        p->readers += reads(f);
        p->writers += writes(f);
        p->seq++;
        kevent_post();
    }
    bool wait = !r && !nonblock && !(reads(f) && writes(f)) &&
                !(reads(f) ? p->writers : p->readers);
    bool unused = r && !p->readers && !p->writers;
    if (unused)
        inode->fifo = NULL;
    spin_unlock(&p->lock);
    spin_unlock(&fifo_lock);
    if (fresh) {
        kfree(fresh->buf);
        kfree(fresh);
    }
    if (unused) {
        kfree(p->buf);
        kfree(p);
    }
    if (r)
        return r;
    f->priv = p;
    if (wait) { /* nothing but another thread or process can end this */
        f->ops = &fifo_opening_fops;
        wait_file(f, POLLIN);
    }
    f->ops = &fifo_end_fops;
    return 0;
}

const struct file_ops fifo_fops = {.open = fifo_open};

static long do_pipe2(uptr_t ufds, int flags)
{
    if (flags & ~(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | LINUX_O_DIRECT))
        return -EINVAL;
    struct pipe *p = kzalloc(sizeof(*p));
    struct file *rf = NULL, *wf = NULL;
    long r = -ENFILE;
    if (!p || !(p->buf = kmalloc(PIPE_DEFAULT)))
        goto fail;
    p->size = PIPE_DEFAULT;
    unsigned st = (unsigned)flags & LINUX_O_NONBLOCK;
    rf = file_alloc(&pipe_fops, LINUX_O_RDONLY | st);
    wf = file_alloc(&pipe_fops, LINUX_O_WRONLY | st);
    if (!rf || !wf)
        goto fail;
    rf->priv = wf->priv = p;
    p->readers = p->writers = 1;
    struct fdtable *t = current_proc()->fdt;
    bool ce = flags & LINUX_O_CLOEXEC;
    int fds[2];
    fds[0] = fdt_install(t, rf, 0, nofile_limit(), ce);
    if (fds[0] < 0) {
        file_put(rf);
        file_put(wf);
        return fds[0];
    }
    fds[1] = fdt_install(t, wf, 0, nofile_limit(), ce);
    if (fds[1] < 0) {
        fdt_close(t, fds[0]);
        file_put(wf);
        return fds[1];
    }
    if (copy_out(ufds, fds, sizeof(fds)) < 0) {
        fdt_close(t, fds[0]);
        fdt_close(t, fds[1]);
        return -EFAULT;
    }
    return 0;
fail:
    kfree(rf);
    kfree(wf);
    if (p)
        kfree(p->buf);
    kfree(p);
    return r;
}

SYSCALL_DEFINE2(pipe2, uptr_t, fds, int, flags) { return do_pipe2(fds, flags); }
SYSCALL_DEFINE1(pipe, uptr_t, fds) { return do_pipe2(fds, 0); }
