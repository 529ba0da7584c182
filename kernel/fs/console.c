/* SPDX-License-Identifier: MIT */
/* console.c: the program's stdin, stdout and stderr are the host's fds 0,
   1 and 2, passed through (DESIGN.md "console"). Data goes straight
   between the program's buffer and the host: the range is checked to lie
   in the arena, and the host answers -EFAULT for unmapped pages in it. */
#include "abi/linux/fcntl.h"
#include "abi/linux/ioctl.h"
#include "abi/linux/signal.h"
#include "file.h"
#include "vfs.h"
#include "host/host.h"
#include "signal/signal.h"
#include "syscall/uaccess.h"

/* A host read or write interrupted by a host signal: restarted, unless a
   signal for the program came (then restarted after its handler under
   SA_RESTART, as Linux does for a terminal or a pipe). */
static long read_console(int fd, void *buf, size_t len)
{
    long r;
    while ((r = host_console_read(fd, buf, len)) == -EINTR)
        if (signal_pending())
            return -ERESTARTSYS;
    return r;
}

static long console_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    (void)pos;
    return read_console(f->host_fd, buf, len);
}

static long console_write(struct file *f, const void *buf, size_t len,
                          int64_t *pos)
{
    (void)pos;
    long r;
    while ((r = host_console_write(f->host_fd, buf, len)) == -EINTR)
        if (signal_pending())
            return -ERESTARTSYS;
    if (r == -EPIPE) /* the host ignores SIGPIPE; the program may not */
        signal_raise_self(LINUX_SIGPIPE);
    return r;
}

static long console_stat(struct file *f, struct linux_stat *st)
{
    return host_console_fstat(f->host_fd, st);
}

static long console_ioctl(struct file *f, unsigned long req, uptr_t arg)
{
    unsigned char reply[64];
    size_t size;

    switch (req) {
    case LINUX_TCGETS: size = LINUX_TERMIOS_SIZE; break;
    case LINUX_TIOCGWINSZ: size = LINUX_WINSIZE_SIZE; break;
    default: return -ENOTTY;
    }
    long r = host_console_ioctl(f->host_fd, req, reply);
    if (r < 0)
        return r;
    return copy_out(arg, reply, size) < 0 ? -EFAULT : r;
}

struct host_pollfd {
    int32_t fd;
    int16_t events, revents;
};

static unsigned console_poll(struct file *f, unsigned long *seq)
{
    struct host_pollfd p = {f->host_fd, POLLIN | POLLOUT, 0};
    struct linux_timespec zero = {0, 0};
    if (seq)
        *seq = 0;
    if (host_console_poll(&p, 1, &zero) < 0)
        return 0;
    return (unsigned)(uint16_t)p.revents;
}

static const struct file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .stat = console_stat,
    .ioctl = console_ioctl,
    .poll = console_poll,
};

/* /dev/tty and /dev/console: the host's terminal, read from host fd 0 and
   written to host fd 1. */
static long tty_open(struct inode *inode, struct file *f)
{
    (void)inode;
    f->host_fd = (f->flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY ? 0 : 1;
    return 0;
}

static long tty_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    (void)f, (void)pos;
    return read_console(0, buf, len);
}

const struct file_ops console_tty_fops = {
    .open = tty_open,
    .read = tty_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .poll = console_poll,
};

/* Is f the console, and on which host fd? (poll.c waits on it) */
bool console_host_fd(struct file *f, int *host_fd);
bool console_host_fd(struct file *f, int *host_fd)
{
    if (f->ops != &console_ops && f->ops != &console_tty_fops)
        return false;
    *host_fd = f->host_fd;
    return true;
}

/* Reopening the console through /proc/self/fd/N: an inode per host fd
   whose open gives a console file on that fd (with no inode of its own,
   so fstat shows the host's file, as fd N does). */
static long reopen(struct inode *inode, struct file *f)
{
    f->host_fd = (int)inode->rdev;
    f->ops = &console_ops;
    inode_put(f->inode);
    f->inode = NULL;
    f->mnt = NULL;
    return 0;
}

static const struct file_ops reopen_fops = {.open = reopen};
static long console_getattr(struct inode *inode, struct linux_stat *st)
{
    return host_console_fstat((int)inode->rdev, st);
}

static const struct inode_ops no_iops = {.getattr = console_getattr};

struct inode *console_inode(int host_fd);
struct inode *console_inode(int host_fd)
{
    static struct super *sb;
    static struct inode *ino[3];
    if (host_fd < 0 || host_fd > 2)
        return NULL;
    if (!sb && !(sb = super_create(&(const struct super_ops){0}, "devpts")))
        return NULL;
    if (!ino[host_fd] && (ino[host_fd] = inode_new(sb, LINUX_S_IFCHR | 0620))) {
        ino[host_fd]->rdev = (uint64_t)host_fd;
        ino[host_fd]->fops = &reopen_fops;
        ino[host_fd]->iops = &no_iops;
    }
    return inode_get(ino[host_fd]);
}

struct file *console_open(int host_fd)
{
    struct file *f = file_alloc(&console_ops,
                                host_fd == 0 ? LINUX_O_RDONLY : LINUX_O_WRONLY);
    if (f)
        f->host_fd = host_fd;
    return f;
}
