/* SPDX-License-Identifier: MIT */
/* locks.c: advisory file locks: fcntl F_SETLK/F_GETLK (POSIX, owned by
   the process), F_OFD_* (owned by the open file description) and flock
   (owned by the open file description, whole file). Records hang off a
   list keyed by inode. A lock conflicts only with another owner's
   overlapping lock where one of them is a write lock. F_SETLKW and
   LOCK_EX without LOCK_NB on a conflict would wait for another owner;
   with one process and one thread nothing could ever release it, so
   they report EDEADLK (as fcntl(2) allows) instead of hanging forever.
   TODO(issue 4): wait for real once threads exist. */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "vfs.h"

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct lock {
    struct lock *next;
    struct inode *inode; /* not a reference: dropped when the file closes */
    const void *owner;   /* struct proc for POSIX, struct file otherwise */
    int kind, type;      /* F_RDLCK or F_WRLCK */
    int64_t start, end;  /* inclusive; end -1 = to the end of the file */
};

static struct lock *locks;

struct linux_flock {
    int16_t l_type, l_whence;
    int64_t l_start, l_len;
    int32_t l_pid;
};

static bool overlap(const struct lock *a, int64_t s, int64_t e)
{
    return (a->end < 0 || s <= a->end) && (e < 0 || a->start <= e);
}

static struct lock *conflict(struct inode *i, const void *owner, int kind,
                             int type, int64_t s, int64_t e)
{
    for (struct lock *l = locks; l; l = l->next)
        if (l->inode == i && l->owner != owner &&
            (l->kind == LK_FLOCK) == (kind == LK_FLOCK) && overlap(l, s, e) &&
            (type == LINUX_F_WRLCK || l->type == LINUX_F_WRLCK))
            return l;
    return NULL;
}

/* Remove owner's locks of kind in [s, e], splitting partial overlaps. */
static long unlock_range(struct inode *i, const void *owner, int kind,
                         int64_t s, int64_t e)
{
    for (struct lock **pp = &locks; *pp;) {
        struct lock *l = *pp;
        if (l->inode != i || l->owner != owner || l->kind != kind ||
            !overlap(l, s, e)) {
            pp = &l->next;
            continue;
        }
        bool left = l->start < s, right = e >= 0 && (l->end < 0 || l->end > e);
        if (left && right) { /* punch a hole: keep both ends */
            struct lock *r = kmalloc(sizeof(*r));
            if (!r)
                return -ENOLCK;
            *r = *l;
            r->start = e + 1;
            l->end = s - 1;
            r->next = l->next;
            l->next = r;
            pp = &r->next;
        } else if (left) {
            l->end = s - 1;
            pp = &l->next;
        } else if (right) {
            l->start = e + 1;
            pp = &l->next;
        } else {
            *pp = l->next;
            kfree(l);
        }
    }
    return 0;
}

static long set_lock(struct inode *i, const void *owner, int kind, int type,
                     int64_t s, int64_t e)
{
    long r = unlock_range(i, owner, kind, s, e);
    if (r || type == LINUX_F_UNLCK)
        return r;
    struct lock *l = kmalloc(sizeof(*l));
    if (!l)
        return -ENOLCK;
    *l = (struct lock){locks, i, owner, kind, type, s, e};
    locks = l;
    return 0;
}

static void drop_where(struct file *f, bool posix)
{
    if (!f->inode)
        return;
    const void *owner = posix ? (const void *)current_proc() : (const void *)f;
    vfs_lock();
    for (struct lock **pp = &locks; *pp;) {
        struct lock *l = *pp;
        if (l->inode == f->inode && l->owner == owner &&
            (l->kind == LK_POSIX) == posix) {
            *pp = l->next;
            kfree(l);
        } else {
            pp = &l->next;
        }
    }
    vfs_unlock();
}

/* close(2): the process's POSIX locks on the file go with any of its fds. */
void locks_on_close(struct file *f);
void locks_on_close(struct file *f) { drop_where(f, true); }

/* The description's own locks (flock, OFD) go with its last reference. */
void locks_on_release(struct file *f);
void locks_on_release(struct file *f) { drop_where(f, false); }

long fcntl_lock(struct file *f, int cmd, uptr_t arg);
long fcntl_lock(struct file *f, int cmd, uptr_t arg)
{
    struct linux_flock fl;
    if (copy_in(&fl, arg, sizeof(fl)) < 0)
        return -EFAULT;
    if (!f->inode)
        return -EINVAL;
    bool ofd = cmd >= LINUX_F_OFD_GETLK;
    if (ofd && fl.l_pid != 0)
        return -EINVAL;
    int64_t base = fl.l_whence == 0   ? 0
                   : fl.l_whence == 1 ? f->pos
                   : fl.l_whence == 2 ? f->inode->size
                                      : -1;
    if (base < 0 || (fl.l_type != LINUX_F_RDLCK && fl.l_type != LINUX_F_WRLCK &&
                     fl.l_type != LINUX_F_UNLCK))
        return -EINVAL;
    int64_t s = base + fl.l_start, e;
    if (fl.l_len > 0)
        e = s + fl.l_len - 1;
    else if (fl.l_len < 0) {
        e = s - 1;
        s += fl.l_len;
    } else
        e = -1;
    if (s < 0)
        return -EINVAL;
    unsigned acc = f->flags & LINUX_O_ACCMODE;
    if ((fl.l_type == LINUX_F_RDLCK && acc == LINUX_O_WRONLY) ||
        (fl.l_type == LINUX_F_WRLCK && acc == LINUX_O_RDONLY))
        return cmd == LINUX_F_GETLK || cmd == LINUX_F_OFD_GETLK ? 0 : -EBADF;
    const void *owner = ofd ? (const void *)f : (const void *)current_proc();
    int kind = ofd ? LK_OFD : LK_POSIX;
    long r = 0;
    vfs_lock();
    /* POSIX and OFD locks are one family: they conflict with each other */
    struct lock *c = fl.l_type == LINUX_F_UNLCK
                         ? NULL
                         : conflict(f->inode, owner, kind, fl.l_type, s, e);
    if (cmd == LINUX_F_GETLK || cmd == LINUX_F_OFD_GETLK) {
        if (c) {
            fl.l_type = (int16_t)c->type;
            fl.l_whence = 0;
            fl.l_start = c->start;
            fl.l_len = c->end < 0 ? 0 : c->end - c->start + 1;
            fl.l_pid = c->kind == LK_POSIX ? current_proc()->pid : -1;
        } else {
            fl.l_type = LINUX_F_UNLCK;
        }
    } else if (c) {
        r = cmd == LINUX_F_SETLKW || cmd == LINUX_F_OFD_SETLKW ? -EDEADLK
                                                               : -EAGAIN;
    } else {
        r = set_lock(f->inode, owner, kind, fl.l_type, s, e);
    }
    vfs_unlock();
    if (r == 0 && (cmd == LINUX_F_GETLK || cmd == LINUX_F_OFD_GETLK) &&
        copy_out(arg, &fl, sizeof(fl)) < 0)
        r = -EFAULT;
    return r;
}

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

SYSCALL_DEFINE2(flock, int, fd, int, op)
{
    struct file *f = fdt_get(current_proc()->fdt, fd);
    if (!f)
        return -EBADF;
    int kind = op & ~LOCK_NB;
    long r = 0;
    if (!f->inode)
        r = -EINVAL;
    else if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
        r = -EINVAL;
    else {
        int type = kind == LOCK_SH   ? LINUX_F_RDLCK
                   : kind == LOCK_EX ? LINUX_F_WRLCK
                                     : LINUX_F_UNLCK;
        vfs_lock();
        if (type != LINUX_F_UNLCK &&
            conflict(f->inode, f, LK_FLOCK, type, 0, -1))
            r = op & LOCK_NB ? -EWOULDBLOCK : -EDEADLK;
        else
            r = set_lock(f->inode, f, LK_FLOCK, type, 0, -1);
        vfs_unlock();
    }
    file_put(f);
    return r;
}
