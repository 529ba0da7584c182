/* SPDX-License-Identifier: MIT */
/* console.c: the program's stdin, stdout and stderr are the host's fds 0,
   1 and 2, passed through (DESIGN.md "console"). Data goes straight
   between the program's buffer and the host: the range is checked to lie
   in the arena, and the host answers -EFAULT for unmapped pages in it. */
#include "abi/linux/fcntl.h"
#include "abi/linux/ioctl.h"
#include "abi/linux/signal.h"
#include "file.h"
#include "host/host.h"
#include "signal/signal.h"
#include "syscall/uaccess.h"

static long console_read(struct file *f, void *buf, size_t len)
{
    return host_console_read(f->host_fd, buf, len);
}

static long console_write(struct file *f, const void *buf, size_t len)
{
    long r = host_console_write(f->host_fd, buf, len);
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

static const struct file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .stat = console_stat,
    .ioctl = console_ioctl,
};

struct file *console_open(int host_fd)
{
    struct file *f = file_alloc(&console_ops,
                                host_fd == 0 ? LINUX_O_RDONLY : LINUX_O_WRONLY);
    if (f)
        f->host_fd = host_fd;
    return f;
}
