/* SPDX-License-Identifier: MIT */
/* read_write.c: the fd-level system calls: read and write in all their
   forms (one body: file_io), lseek, fstat, ioctl, fcntl, dup*, close,
   close_range, sendfile, copy_file_range, the sync family, ftruncate and
   fallocate. */
#include "abi/linux/fcntl.h"
#include "abi/linux/ioctl.h"
#include "ext4.h"
#include "file.h"
#include "wait.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "vfs.h"

#define BOUNCE_MAX (64 * 1024) /* readv/writev gather through one buffer */
#define RW_MAX 0x7ffff000L     /* Linux's MAX_RW_COUNT */
#define SSIZE_MAX_ 0x7fffffffffffffffL

static struct fdtable *fdt(void) { return current_proc()->fdt; }

int nofile_limit(void);
int nofile_limit(void)
{
    uint64_t cur = current_proc()->rlim[LINUX_RLIMIT_NOFILE].rlim_cur;
    return cur > (1 << 20) ? (1 << 20) : (int)cur;
}

/* May f be read (write=false) or written? 0 or -EBADF/-EINVAL/-EISDIR. */
static long io_allowed(struct file *f, bool write)
{
    unsigned mode = f->flags & LINUX_O_ACCMODE;
    if ((f->flags & LINUX_O_PATH) ||
        (write ? mode == LINUX_O_RDONLY : mode == LINUX_O_WRONLY))
        return -EBADF;
    if (f->inode && s_isdir(f->inode->mode))
        return -EISDIR;
    if (write ? !f->ops->write : !f->ops->read)
        return -EINVAL;
    return 0;
}

/* One read or write; pos is NULL for the file's own offset. buf is kernel
   memory or an arena range checked by the caller. */
static long file_io(struct file *f, void *buf, size_t len, int64_t *pos,
                    bool write)
{
    long r = io_allowed(f, write);
    if (r)
        return r;
    if (pos && !f->ops->seekable)
        return -ESPIPE;
    len = MIN(len, (size_t)RW_MAX);
    if (!len)
        return 0;
    int64_t *p = pos ? pos : &f->pos;
    if (write && pos && (f->flags & LINUX_O_APPEND) && f->inode) {
        /* pwrite on O_APPEND appends, as Linux does */
        int64_t at = f->inode->size;
        return f->ops->write(f, buf, len, &at);
    }
    return write ? f->ops->write(f, buf, len, p) : f->ops->read(f, buf, len, p);
}

static long do_rw(int fd, uptr_t buf, size_t len, int64_t *pos, bool write)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r = len && !user_range_ok(buf, MIN(len, (size_t)RW_MAX))
                 ? (io_allowed(f, write) ?: -EFAULT)
                 : file_io(f, (void *)buf, len, pos, write);
    file_put(f);
    return r;
}

SYSCALL_DEFINE3(read, int, fd, uptr_t, buf, size_t, len)
{
    return do_rw(fd, buf, len, NULL, false);
}

SYSCALL_DEFINE3(write, int, fd, uptr_t, buf, size_t, len)
{
    return do_rw(fd, buf, len, NULL, true);
}

SYSCALL_DEFINE4(pread64, int, fd, uptr_t, buf, size_t, len, long, off)
{
    if (off < 0)
        return fdt_get_cloexec(fdt(), fd) < 0 ? -EBADF : -EINVAL;
    return do_rw(fd, buf, len, &off, false);
}

SYSCALL_DEFINE4(pwrite64, int, fd, uptr_t, buf, size_t, len, long, off)
{
    if (off < 0)
        return fdt_get_cloexec(fdt(), fd) < 0 ? -EBADF : -EINVAL;
    return do_rw(fd, buf, len, &off, true);
}

long iov_in(uptr_t uiov, int cnt, struct linux_iovec **out)
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
        if (iov[i].iov_len > (size_t)SSIZE_MAX_ - total) {
            kfree(iov);
            return -EINVAL;
        }
        total += iov[i].iov_len;
    }
    *out = iov;
    return (long)total;
}

/* Vector I/O of at most BOUNCE_MAX bytes goes through one kernel buffer:
   one call of the file's op, so a terminal read does not block twice and
   small writes stay atomic. Larger totals go iovec by iovec. */
static long rwv_bounce(struct file *f, struct linux_iovec *iov, int cnt,
                       size_t total, int64_t *pos, bool write)
{
    char *bounce = kmalloc(total ? total : 1);
    if (!bounce)
        return -ENOMEM;
    long r = 0;
    size_t at = 0;
    for (int i = 0; write && i < cnt && r == 0; at += iov[i].iov_len, i++)
        if (iov[i].iov_len) /* any base will do for an empty one */
            r = copy_in(bounce + at, iov[i].iov_base, iov[i].iov_len);
    if (r == 0)
        r = file_io(f, bounce, total, pos, write);
    if (!write && r > 0) {
        size_t left = (size_t)r;
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
    return r;
}

static long rwv_each(struct file *f, struct linux_iovec *iov, int cnt,
                     int64_t *pos, bool write)
{
    long done = 0;
    for (int i = 0; i < cnt; i++) {
        if (!iov[i].iov_len)
            continue;
        long n = user_range_ok(iov[i].iov_base, iov[i].iov_len)
                     ? file_io(f, (void *)iov[i].iov_base, iov[i].iov_len, pos,
                               write)
                     : -EFAULT;
        if (n < 0)
            return done ? done : n;
        done += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    return done;
}

static long do_rwv(int fd, uptr_t uiov, int cnt, int64_t *pos, bool write)
{
    struct linux_iovec *iov;
    long total = iov_in(uiov, cnt, &iov);
    if (total < 0)
        return total;
    struct file *f = fdt_get(fdt(), fd);
    long r = -EBADF;
    if (f) {
        r = io_allowed(f, write);
        if (r == 0 && pos && !f->ops->seekable)
            r = -ESPIPE;
        if (r == 0)
            r = total > BOUNCE_MAX
                    ? rwv_each(f, iov, cnt, pos, write)
                    : rwv_bounce(f, iov, cnt, (size_t)total, pos, write);
        file_put(f);
    }
    kfree(iov);
    return r;
}

SYSCALL_DEFINE3(readv, int, fd, uptr_t, iov, int, cnt)
{
    return do_rwv(fd, iov, cnt, NULL, false);
}

SYSCALL_DEFINE3(writev, int, fd, uptr_t, iov, int, cnt)
{
    return do_rwv(fd, iov, cnt, NULL, true);
}

/* preadv/pwritev take the offset split in two registers (pos_l, pos_h);
   on x86_64 pos_l alone is the offset. */
SYSCALL_DEFINE4(preadv, int, fd, uptr_t, iov, int, cnt, long, off)
{
    if (off < 0)
        return -EINVAL;
    return do_rwv(fd, iov, cnt, &off, false);
}

SYSCALL_DEFINE4(pwritev, int, fd, uptr_t, iov, int, cnt, long, off)
{
    if (off < 0)
        return -EINVAL;
    return do_rwv(fd, iov, cnt, &off, true);
}

#define RWF_HIPRI 0x1
#define RWF_DSYNC 0x2
#define RWF_SYNC 0x4
#define RWF_NOWAIT 0x8
#define RWF_APPEND 0x10

/* offset -1 means the file's own offset. RWF_NOWAIT is refused: husk
   cannot promise not to block. */
static long rwv2(int fd, uptr_t iov, int cnt, long off, int flags, bool write)
{
    if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_APPEND))
        return flags & RWF_NOWAIT ? -EOPNOTSUPP : -EINVAL;
    if (off < -1)
        return -EINVAL;
    return do_rwv(fd, iov, cnt, off == -1 ? NULL : &off, write);
}

SYSCALL_DEFINE6(preadv2, int, fd, uptr_t, iov, int, cnt, long, off, long, off_h,
                int, flags)
{
    (void)off_h;
    return rwv2(fd, iov, cnt, off, flags, false);
}

SYSCALL_DEFINE6(pwritev2, int, fd, uptr_t, iov, int, cnt, long, off, long,
                off_h, int, flags)
{
    (void)off_h;
    return rwv2(fd, iov, cnt, off, flags, true);
}

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

SYSCALL_DEFINE3(lseek, int, fd, long, off, int, whence)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long err = 0;
    int64_t np = 0, size = f->inode ? f->inode->size : 0;
    bool dir = f->inode && s_isdir(f->inode->mode);
    if (!f->ops->seekable)
        err = -ESPIPE;
    else if (whence == SEEK_SET)
        np = off;
    else if (whence == SEEK_CUR)
        err = __builtin_add_overflow(f->pos, off, &np) ? -EINVAL : 0;
    else if (whence == SEEK_END && !dir)
        err = __builtin_add_overflow(size, off, &np) ? -EINVAL : 0;
    else if ((whence == SEEK_DATA || whence == SEEK_HOLE) && !dir)
        err = off < 0 || off >= size ? -ENXIO : 0,
        np = whence == SEEK_DATA ? off : size;
    else
        err = -EINVAL;
    if (!err && np < 0)
        err = -EINVAL;
    if (!err)
        f->pos = np;
    file_put(f);
    return err ? err : np;
}

long file_stat(struct file *f, struct linux_stat *st);
long file_stat(struct file *f, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    if (f->inode) {
        vfs_lock();
        inode_stat(f->inode, st);
        vfs_unlock();
        return 0;
    }
    return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
}

SYSCALL_DEFINE2(fstat, int, fd, uptr_t, ust)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    struct linux_stat st;
    long r = file_stat(f, &st);
    file_put(f);
    return r ? r : copy_out(ust, &st, sizeof(st));
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned long, req, uptr_t, arg)
{
    int v;
    switch (req) {
    case LINUX_FIOCLEX: return fdt_set_cloexec(fdt(), fd, true);
    case LINUX_FIONCLEX: return fdt_set_cloexec(fdt(), fd, false);
    }
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r;
    if (req == LINUX_FIONBIO) {
        r = copy_in(&v, arg, sizeof(v));
        if (r == 0)
            f->flags =
                v ? f->flags | LINUX_O_NONBLOCK : f->flags & ~LINUX_O_NONBLOCK;
    } else if (req == LINUX_FIONREAD && f->inode && s_isreg(f->inode->mode)) {
        v = (int)MAX(0, MIN(f->inode->size - f->pos, (int64_t)INT32_MAX));
        r = copy_out(arg, &v, sizeof(v));
    } else {
        r = f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
    }
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

long fcntl_lock(struct file *f, int cmd, uptr_t arg); /* locks.c */

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, unsigned long, arg)
{
    struct file *f;
    long r;
    switch (cmd) {
    case LINUX_F_DUPFD:
    case LINUX_F_DUPFD_CLOEXEC:
        if ((long)arg < 0 || arg >= (unsigned long)nofile_limit())
            return fdt_get_cloexec(fdt(), fd) < 0 ? -EBADF : -EINVAL;
        return do_dup(fd, (int)arg, cmd == LINUX_F_DUPFD_CLOEXEC);
    case LINUX_F_GETFD: return fdt_get_cloexec(fdt(), fd);
    case LINUX_F_SETFD:
        return fdt_set_cloexec(fdt(), fd, arg & LINUX_FD_CLOEXEC);
    }
    f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    switch (cmd) {
    case LINUX_F_GETFL: r = f->flags; break;
    case LINUX_F_SETFL:
        f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        f->event_seq++;
        kevent_post();
        r = 0;
        break;
    case LINUX_F_GETLK:
    case LINUX_F_SETLK:
    case LINUX_F_SETLKW:
    case LINUX_F_OFD_GETLK:
    case LINUX_F_OFD_SETLK:
    case LINUX_F_OFD_SETLKW: r = fcntl_lock(f, cmd, arg); break;
    case LINUX_F_GETPIPE_SZ:
    case LINUX_F_SETPIPE_SZ:
        r = f->ops->ioctl ? f->ops->ioctl(f, (unsigned long)cmd, arg) : -EBADF;
        if (r == -ENOTTY)
            r = -EBADF;
        break;
    default: r = -EINVAL;
    }
    file_put(f);
    return r;
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

#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

SYSCALL_DEFINE3(close_range, unsigned, first, unsigned, last, unsigned, flags)
{
    if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) || first > last)
        return -EINVAL;
    struct fdtable *t = fdt();
    unsigned end = MIN(last, (unsigned)t->size - 1);
    for (unsigned fd = first; t->size && fd <= end; fd++) {
        if (flags & CLOSE_RANGE_CLOEXEC)
            fdt_set_cloexec(t, (int)fd, true);
        else
            fdt_close(t, (int)fd);
    }
    return 0;
}

/* Copy up to len bytes from in (at *in_pos, or its offset) to out (at
 *out_pos, or its offset) through a kernel buffer. */
static long splice_files(struct file *in, int64_t *in_pos, struct file *out,
                         int64_t *out_pos, size_t len)
{
    size_t chunk = MIN(len, (size_t)BOUNCE_MAX);
    char *buf = kmalloc(chunk ? chunk : 1);
    long done = 0;
    if (!buf)
        return -ENOMEM;
    while ((size_t)done < len) {
        long n = file_io(in, buf, MIN(chunk, len - done), in_pos, false);
        if (n <= 0) {
            if (n < 0 && !done)
                done = n;
            break;
        }
        long w = file_io(out, buf, (size_t)n, out_pos, true);
        if (w < 0) {
            if (!done)
                done = w;
            break;
        }
        done += w;
        if (w < n)
            break;
    }
    kfree(buf);
    return done;
}

static long get_off(uptr_t u, int64_t *v)
{
    if (!u)
        return 0;
    if (copy_in(v, u, sizeof(*v)) < 0)
        return -EFAULT;
    return *v < 0 ? -EINVAL : 1;
}

SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, uptr_t, uoff, size_t, count)
{
    int64_t off = 0;
    long has = get_off(uoff, &off);
    if (has < 0)
        return has;
    struct file *in = fdt_get(fdt(), in_fd), *out = fdt_get(fdt(), out_fd);
    long r = -EBADF;
    if (in && out) {
        if (out->flags & LINUX_O_APPEND)
            r = -EINVAL; /* sendfile(2) */
        else
            r = has && !in->ops->seekable
                    ? -ESPIPE
                    : splice_files(in, has ? &off : NULL, out, NULL, count);
        if (r >= 0 && has && copy_out(uoff, &off, sizeof(off)) < 0)
            r = -EFAULT;
    }
    file_put(in);
    file_put(out);
    return r;
}

SYSCALL_DEFINE6(copy_file_range, int, fd_in, uptr_t, uoff_in, int, fd_out,
                uptr_t, uoff_out, size_t, len, unsigned, flags)
{
    int64_t off_in = 0, off_out = 0;
    long hin = get_off(uoff_in, &off_in), hout = get_off(uoff_out, &off_out);
    if (flags)
        return -EINVAL;
    if (hin < 0 || hout < 0)
        return hin < 0 ? hin : hout;
    struct file *in = fdt_get(fdt(), fd_in), *out = fdt_get(fdt(), fd_out);
    long r = -EBADF;
    if (in && out) {
        if (!in->inode || !out->inode || !s_isreg(in->inode->mode) ||
            !s_isreg(out->inode->mode))
            r = in->inode && s_isdir(in->inode->mode) ? -EISDIR : -EINVAL;
        else if ((out->flags & LINUX_O_APPEND) || io_allowed(in, false) ||
                 io_allowed(out, true))
            r = -EBADF;
        else if (in->inode == out->inode &&
                 (hin ? off_in : in->pos) <
                     (hout ? off_out : out->pos) + (int64_t)len &&
                 (hout ? off_out : out->pos) <
                     (hin ? off_in : in->pos) + (int64_t)len)
            r = -EINVAL; /* overlapping ranges of one file */
        else
            r = splice_files(in, hin ? &off_in : NULL, out,
                             hout ? &off_out : NULL, len);
        if (r >= 0 && ((hin && copy_out(uoff_in, &off_in, 8) < 0) ||
                       (hout && copy_out(uoff_out, &off_out, 8) < 0)))
            r = -EFAULT;
    }
    file_put(in);
    file_put(out);
    return r;
}

static long do_fsync(int fd)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r = f->ops->fsync ? f->ops->fsync(f) : f->inode ? 0 : -EINVAL;
    file_put(f);
    return r;
}

SYSCALL_DEFINE1(fsync, int, fd) { return do_fsync(fd); }
SYSCALL_DEFINE1(fdatasync, int, fd) { return do_fsync(fd); }
SYSCALL_DEFINE0(sync)
{
    vfs_lock();
    ext4_sync_all();
    vfs_unlock();
    return 0;
}

SYSCALL_DEFINE4(sync_file_range, int, fd, long, off, long, n, unsigned, flags)
{
    if ((flags & ~7U) || off < 0 || n < 0)
        return -EINVAL;
    return do_fsync(fd);
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    file_put(f);
    vfs_lock();
    ext4_sync_all(); /* the images are few: all of them */
    vfs_unlock();
    return 0;
}

/* Truncate inode to size: the caller holds vfs_lock. */
long vfs_truncate(struct inode *inode, int64_t size);
long vfs_truncate(struct inode *inode, int64_t size)
{
    if (size < 0)
        return -EINVAL;
    if (s_isdir(inode->mode))
        return -EISDIR;
    if (!s_isreg(inode->mode) || !inode->iops->truncate)
        return -EINVAL;
    if ((uint64_t)size > current_proc()->rlim[LINUX_RLIMIT_FSIZE].rlim_cur)
        return -EFBIG;
    return inode->iops->truncate(inode, size);
}

SYSCALL_DEFINE2(ftruncate, int, fd, long, size)
{
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r;
    if (!f->inode)
        r = -EINVAL;
    else if ((f->flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY)
        r = -EINVAL; /* do_sys_ftruncate: not open for writing */
    else if (f->mnt && f->mnt->rdonly)
        r = -EROFS;
    else {
        vfs_lock();
        r = vfs_truncate(f->inode, size);
        vfs_unlock();
    }
    file_put(f);
    return r;
}

#define FALLOC_FL_KEEP_SIZE 1

/* Mode 0 extends the size; KEEP_SIZE is accepted without reserving memory
   (tmpfs allocates on write, so a later write may still find ENOSPC);
   punching, collapsing and zeroing ranges give EOPNOTSUPP. */
SYSCALL_DEFINE4(fallocate, int, fd, int, mode, long, off, long, len)
{
    if (off < 0 || len <= 0)
        return -EINVAL;
    if (mode & ~FALLOC_FL_KEEP_SIZE)
        return -EOPNOTSUPP;
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r;
    if ((f->flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY)
        r = -EBADF;
    else if (!f->inode || !s_isreg(f->inode->mode))
        r = f->inode && s_isdir(f->inode->mode) ? -EISDIR : -ENODEV;
    else if (off > SSIZE_MAX_ - len)
        r = -EFBIG;
    else {
        vfs_lock();
        r = !mode && off + len > f->inode->size
                ? vfs_truncate(f->inode, off + len)
                : 0;
        vfs_unlock();
    }
    file_put(f);
    return r;
}

/* fadvise64 and readahead are hints. husk keeps no page cache of its own
   (reads come from the host's, which does its own read-ahead), so after
   Linux's checks there is nothing to do. */
SYSCALL_DEFINE4(fadvise64, int, fd, long, off, long, len, int, advice)
{
    (void)off;
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r = 0;
    if (f->flags & LINUX_O_PATH)
        r = -EBADF;
    else if (!f->ops->seekable)
        r = -ESPIPE;
    else if (len < 0 || advice < 0 || advice > 5 /* POSIX_FADV_NOREUSE */)
        r = -EINVAL;
    file_put(f);
    return r;
}

SYSCALL_DEFINE3(readahead, int, fd, long, off, size_t, count)
{
    (void)off, (void)count;
    struct file *f = fdt_get(fdt(), fd);
    if (!f)
        return -EBADF;
    long r = 0;
    if ((f->flags & LINUX_O_PATH) ||
        (f->flags & LINUX_O_ACCMODE) == LINUX_O_WRONLY)
        r = -EBADF;
    else if (!f->inode || !s_isreg(f->inode->mode))
        r = -EINVAL;
    file_put(f);
    return r;
}
