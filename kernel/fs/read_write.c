/* SPDX-License-Identifier: MIT */
/* read_write.c: the fd-level system calls: read/write and their vector and
   positional forms, lseek, fstat, ioctl, fcntl, dup*, close. One body per
   direction serves read, readv and pread64 (STYLE.md). */
#include "abi/linux/fcntl.h"
#include "abi/linux/ioctl.h"
#include "file.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

#define BOUNCE_MAX (64 * 1024) /* readv/writev gather through one buffer */
#define RW_MAX 0x7ffff000L     /* Linux's MAX_RW_COUNT */

static struct fdtable *fdt(void) { return current_proc()->fdt; }

static int nofile_limit(void)
{
    uint64_t cur = current_proc()->rlim[LINUX_RLIMIT_NOFILE].rlim_cur;
    return cur > (1 << 20) ? (1 << 20) : (int)cur;
}

static long do_rw(int fd, uptr_t buf, size_t len, bool write)
{
    struct file *f = fdt_get(fdt(), fd);
    long r;
    if (!f)
        return -EBADF;
    unsigned mode = f->flags & LINUX_O_ACCMODE;
    if (write ? mode == LINUX_O_RDONLY : mode == LINUX_O_WRONLY)
        r = -EBADF;
    else if (write ? !f->ops->write : !f->ops->read)
        r = -EINVAL;
    else if (len == 0)
        r = 0;
    else if (!user_range_ok(buf, len))
        r = -EFAULT;
    else if (write)
        r = f->ops->write(f, (const void *)buf, MIN(len, (size_t)RW_MAX));
    else
        r = f->ops->read(f, (void *)buf, MIN(len, (size_t)RW_MAX));
    file_put(f);
    return r;
}

SYSCALL_DEFINE3(read, int, fd, uptr_t, buf, size_t, len)
{
    return do_rw(fd, buf, len, false);
}

SYSCALL_DEFINE3(write, int, fd, uptr_t, buf, size_t, len)
{
    return do_rw(fd, buf, len, true);
}

/* Copy in and check an iovec array; returns the total length. */
static long iov_in(uptr_t uiov, int cnt, struct linux_iovec **out)
{
    if (cnt < 0 || cnt > LINUX_IOV_MAX)
        return -EINVAL;
    struct linux_iovec *iov = kmalloc((cnt ? cnt : 1) * sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    if (copy_in(iov, uiov, cnt * sizeof(*iov)) < 0) {
        kfree(iov);
        return -EFAULT;
    }
    size_t total = 0;
    for (int i = 0; i < cnt; i++) {
        if (iov[i].iov_len > (size_t)0x7fffffffffffffffL - total) {
            kfree(iov);
            return -EINVAL;
        }
        total += iov[i].iov_len;
    }
    *out = iov;
    return (long)total;
}

/* Vector I/O as one read or write of at most BOUNCE_MAX bytes through a
   kernel buffer: one host call, so a terminal read does not block twice
   and small writes stay atomic. Larger totals go iovec by iovec. */
static long do_rwv(int fd, uptr_t uiov, int cnt, bool write)
{
    struct linux_iovec *iov;
    long total = iov_in(uiov, cnt, &iov);
    if (total < 0)
        return total;
    struct file *f = fdt_get(fdt(), fd);
    long r = -EBADF;
    if (!f)
        goto out_iov;
    if (total > BOUNCE_MAX) {
        r = 0;
        for (int i = 0; i < cnt; i++) {
            long n = do_rw(fd, iov[i].iov_base, iov[i].iov_len, write);
            if (n < 0 && r == 0)
                r = n;
            if (n <= 0)
                break;
            r += n;
            if ((size_t)n < iov[i].iov_len)
                break;
        }
        goto out_file;
    }
    char *bounce = kmalloc(total ? total : 1);
    r = -ENOMEM;
    if (!bounce)
        goto out_file;
    size_t at = 0;
    r = 0;
    if (write)
        for (int i = 0; i < cnt && r == 0; at += iov[i].iov_len, i++)
            if (iov[i].iov_len) /* any base will do for an empty one */
                r = copy_in(bounce + at, iov[i].iov_base, iov[i].iov_len);
    if (r == 0) {
        /* the bounce buffer is kernel memory: call the op directly */
        unsigned mode = f->flags & LINUX_O_ACCMODE;
        if (write ? mode == LINUX_O_RDONLY : mode == LINUX_O_WRONLY)
            r = -EBADF;
        else if (total == 0)
            r = 0;
        else
            r = write ? f->ops->write(f, bounce, total)
                      : f->ops->read(f, bounce, total);
    }
    if (!write && r > 0) {
        size_t left = r;
        for (int i = 0; i < cnt && left; i++) {
            size_t n = MIN(left, iov[i].iov_len);
            if (n && copy_out(iov[i].iov_base, bounce + (r - left), n) < 0) {
                r = -EFAULT;
                break;
            }
            left -= n;
        }
    }
    kfree(bounce);
out_file:
    file_put(f);
out_iov:
    kfree(iov);
    return r;
}

SYSCALL_DEFINE3(readv, int, fd, uptr_t, iov, int, cnt)
{
    return do_rwv(fd, iov, cnt, false);
}

SYSCALL_DEFINE3(writev, int, fd, uptr_t, iov, int, cnt)
{
    return do_rwv(fd, iov, cnt, true);
}

/* Positional I/O and seeking: the console is not seekable (ESPIPE), and
   it is the only kind of file until the filesystem issue. */
static long no_seek(int fd)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    file_put(f);
    return -ESPIPE;
}

SYSCALL_DEFINE4(pread64, int, fd, uptr_t, buf, size_t, len, long, off)
{
    (void)buf, (void)len;
    return off < 0 ? (fdt_get_cloexec(fdt(), fd) < 0 ? -EBADF : -EINVAL)
                   : no_seek(fd);
}

SYSCALL_DEFINE4(pwrite64, int, fd, uptr_t, buf, size_t, len, long, off)
{
    (void)buf, (void)len;
    return off < 0 ? (fdt_get_cloexec(fdt(), fd) < 0 ? -EBADF : -EINVAL)
                   : no_seek(fd);
}

SYSCALL_DEFINE3(lseek, int, fd, long, off, int, whence)
{
    (void)off, (void)whence;
    return no_seek(fd);
}

static long do_fstat(int fd, uptr_t ust)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    struct linux_stat st;
    memset(&st, 0, sizeof(st));
    long r = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;
    file_put(f);
    if (r == 0)
        r = copy_out(ust, &st, sizeof(st));
    return r;
}

SYSCALL_DEFINE2(fstat, int, fd, uptr_t, st) { return do_fstat(fd, st); }

SYSCALL_DEFINE4(newfstatat, int, dfd, uptr_t, path, uptr_t, st, int, flags)
{
    char name[LINUX_PATH_MAX];
    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
                  LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    long n = copy_str_in(name, path, sizeof(name));
    if (n < 0)
        return n;
    if (n == 0 && (flags & LINUX_AT_EMPTY_PATH) && dfd != LINUX_AT_FDCWD)
        return do_fstat(dfd, st);
    return -ENOENT; /* no filesystem until the filesystem issue */
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned long, req, uptr_t, arg)
{
    switch (req) {
    case LINUX_FIOCLEX: return fdt_set_cloexec(fdt(), fd, true);
    case LINUX_FIONCLEX: return fdt_set_cloexec(fdt(), fd, false);
    }
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r = f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
    file_put(f);
    return r;
}

static long do_dup(int oldfd, int minfd, bool cloexec)
{
    struct file *f = fdt_get(fdt(), oldfd);
    if (!f)
        return -EBADF;
    int r = fdt_install(fdt(), f, minfd, nofile_limit(), cloexec);
    if (r < 0)
        file_put(f);
    return r;
}

#define SETFL_MASK                                                             \
    (LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_ASYNC | LINUX_O_DIRECT |      \
     LINUX_O_NOATIME)

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, unsigned long, arg)
{
    struct file *f;
    switch (cmd) {
    case LINUX_F_DUPFD:
    case LINUX_F_DUPFD_CLOEXEC:
        if ((long)arg < 0 || arg >= (unsigned long)nofile_limit())
            return fdt_get_cloexec(fdt(), fd) < 0 ? -EBADF : -EINVAL;
        return do_dup(fd, (int)arg, cmd == LINUX_F_DUPFD_CLOEXEC);
    case LINUX_F_GETFD: return fdt_get_cloexec(fdt(), fd);
    case LINUX_F_SETFD:
        return fdt_set_cloexec(fdt(), fd, arg & LINUX_FD_CLOEXEC);
    case LINUX_F_GETFL:
    case LINUX_F_SETFL:
        f = fdt_get(fdt(), fd);
        if (!f)
            return -EBADF;
        long r = f->flags;
        if (cmd == LINUX_F_SETFL) {
            f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
            r = 0;
        }
        file_put(f);
        return r;
    default: return fdt_get_cloexec(fdt(), fd) < 0 ? -EBADF : -EINVAL;
    }
}

SYSCALL_DEFINE1(dup, int, fd) { return do_dup(fd, 0, false); }

static long do_dup3(int oldfd, int newfd, bool cloexec)
{
    if (newfd < 0 || newfd >= nofile_limit())
        return -EBADF;
    struct file *f = fdt_get(fdt(), oldfd);
    if (!f)
        return -EBADF;
    return fdt_install_at(fdt(), f, newfd, cloexec);
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
    if (oldfd == newfd)
        return fdt_get_cloexec(fdt(), oldfd) < 0 ? -EBADF : newfd;
    return do_dup3(oldfd, newfd, false);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
    if ((flags & ~LINUX_O_CLOEXEC) || oldfd == newfd)
        return -EINVAL;
    return do_dup3(oldfd, newfd, flags & LINUX_O_CLOEXEC);
}

SYSCALL_DEFINE1(close, int, fd) { return fdt_close(fdt(), fd); }
