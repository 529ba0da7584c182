/* SPDX-License-Identifier: MIT */
/* readdir.c: getdents64 and getdents. Entries are packed into a kernel
   buffer (struct linux_dirent64 / linux_dirent, 8-byte aligned records)
   and copied out once; the file position is the filesystem's cookie of
   the next entry. EINVAL when not even one entry fits, as Linux. */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "vfs.h"

struct fill {
    struct dir_ctx ctx;
    char *buf;
    size_t size, used;
    bool old; /* struct linux_dirent (getdents) */
};

static bool emit(struct dir_ctx *ctx, const char *name, size_t len,
                 uint64_t ino, unsigned type)
{
    struct fill *fl = (struct fill *)ctx;
    /* dirent64: ino 8, off 8, reclen 2, type 1, name; dirent: ino 8,
       off 8, reclen 2, name, pad, type (last byte) */
    size_t reclen = ((fl->old ? 18 + len + 2 : 19 + len + 1) + 7) & ~(size_t)7;
    if (fl->used + reclen > fl->size)
        return false;
    char *rec = fl->buf + fl->used;
    memset(rec, 0, reclen);
    memcpy(rec, &ino, 8);
    int64_t next = ctx->pos + 1; /* refined by the caller's ctx->pos */
    memcpy(rec + 8, &next, 8);
    uint16_t rl = (uint16_t)reclen;
    memcpy(rec + 16, &rl, 2);
    if (fl->old) {
        memcpy(rec + 18, name, len);
        rec[reclen - 1] = (char)type;
    } else {
        rec[18] = (char)type;
        memcpy(rec + 19, name, len);
    }
    fl->used += reclen;
    return true;
}

static long do_getdents(int fd, uptr_t ubuf, unsigned size, bool old)
{
    struct file *f = fdt_get(current_proc()->fdt, fd);
    if (!f)
        return -EBADF;
    long r;
    if (!f->ops->iterate || (f->flags & LINUX_O_PATH)) {
        r = f->inode && !s_isdir(f->inode->mode) ? -ENOTDIR : -EBADF;
        goto out;
    }
    size = MIN(size, 1u << 20);
    struct fill fl = {.ctx = {emit, f->pos}, .size = size, .old = old};
    fl.buf = kmalloc(size ? size : 1);
    r = -ENOMEM;
    if (!fl.buf)
        goto out;
    vfs_lock();
    r = f->ops->iterate(f, &fl.ctx);
    vfs_unlock();
    if (r == 0 && fl.used == 0 && size < 64)
        r = -EINVAL; /* not even one entry fits */
    if (r == 0) {
        f->pos = fl.ctx.pos;
        r = copy_out(ubuf, fl.buf, fl.used) < 0 ? -EFAULT : (long)fl.used;
    }
    kfree(fl.buf);
out:
    file_put(f);
    return r;
}

SYSCALL_DEFINE3(getdents64, int, fd, uptr_t, buf, unsigned, size)
{
    return do_getdents(fd, buf, size, false);
}

SYSCALL_DEFINE3(getdents, int, fd, uptr_t, buf, unsigned, size)
{
    return do_getdents(fd, buf, size, true);
}
