/* SPDX-License-Identifier: MIT */
/* namei_ops.c: system calls that act on names: mkdir, mknod, rmdir,
   unlink, rename, link, symlink, readlink, the stat family, access,
   chmod, chown, utimensat, truncate and statfs. Each copies its names in,
   takes vfs_lock, resolves, checks (errors in the order Linux reports
   them where tests can tell), acts through the inode's operations. */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "vfs.h"

long vfs_truncate(struct inode *inode, int64_t size);
long file_stat(struct file *f, struct linux_stat *st);

#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_EACCESS 0x200

/* A name copied from the program, freed with kfree. */
static long name_in(uptr_t u, char **out)
{
    char *n = kmalloc(LINUX_PATH_MAX);
    if (!n)
        return -ENOMEM;
    long r = copy_str_in(n, u, LINUX_PATH_MAX);
    if (r < 0) {
        kfree(n);
        return r;
    }
    *out = n;
    return 0;
}

static bool dot_or_dotdot(const char *s)
{
    return !strcmp(s, ".") || !strcmp(s, "..");
}

/* May the caller add or remove names in dir? */
static long dir_writable(struct path *dir)
{
    long r = inode_permission(dir->inode, 3);
    if (r == 0 && dir->mnt && dir->mnt->rdonly)
        r = -EROFS;
    return r;
}

/* ---- creating names ---- */

static long do_mknod(int dfd, uptr_t uname, uint32_t mode, uint64_t dev,
                     const char *target)
{
    char *name, last[NAME_MAX + 1];
    struct path parent;
    struct inode *child;
    bool slash;
    long r = name_in(uname, &name);
    if (r)
        return r;
    vfs_lock();
    r = path_parent(dfd, name, &parent, last, &slash);
    if (r)
        goto out;
    if (dot_or_dotdot(last))
        r = -EEXIST;
    else if (slash && !s_isdir(mode)) /* "name/" for a non-directory */
        r = parent.inode->iops->lookup(parent.inode, last, &child) == 0
                ? (inode_put(child), -EEXIST)
                : -ENOENT;
    else if (parent.inode->iops->lookup(parent.inode, last, &child) == 0) {
        inode_put(child);
        r = -EEXIST;
    } else if (!(r = dir_writable(&parent))) {
        if (!s_islnk(mode))
            mode =
                (mode & LINUX_S_IFMT) | (mode & 07777 & ~current_proc()->umask);
        r = parent.inode->iops->create
                ? parent.inode->iops->create(parent.inode, last, mode, dev,
                                             target, &child)
                : -EPERM;
        if (r == 0)
            inode_put(child);
    }
    path_put(&parent);
out:
    vfs_unlock();
    kfree(name);
    return r;
}

SYSCALL_DEFINE3(mkdirat, int, dfd, uptr_t, name, unsigned, mode)
{
    return do_mknod(dfd, name, LINUX_S_IFDIR | (mode & 07777), 0, NULL);
}

SYSCALL_DEFINE2(mkdir, uptr_t, name, unsigned, mode)
{
    return do_mknod(LINUX_AT_FDCWD, name, LINUX_S_IFDIR | (mode & 07777), 0,
                    NULL);
}

static long mknod_checks(uint32_t *mode)
{
    switch (*mode & LINUX_S_IFMT) {
    case 0: *mode |= LINUX_S_IFREG; return 0;
    case LINUX_S_IFREG:
    case LINUX_S_IFIFO:
    case LINUX_S_IFSOCK: return 0;
    case LINUX_S_IFCHR:
    case LINUX_S_IFBLK: return current_proc()->euid == 0 ? 0 : -EPERM;
    default: return -EINVAL;
    }
}

SYSCALL_DEFINE4(mknodat, int, dfd, uptr_t, name, unsigned, mode, unsigned, dev)
{
    long r = mknod_checks(&mode);
    return r ? r : do_mknod(dfd, name, mode, dev, NULL);
}

SYSCALL_DEFINE3(mknod, uptr_t, name, unsigned, mode, unsigned, dev)
{
    long r = mknod_checks(&mode);
    return r ? r : do_mknod(LINUX_AT_FDCWD, name, mode, dev, NULL);
}

static long do_symlink(uptr_t utarget, int dfd, uptr_t uname)
{
    char *target;
    long r = name_in(utarget, &target);
    if (r)
        return r;
    r = *target ? do_mknod(dfd, uname, LINUX_S_IFLNK | 0777, 0, target)
                : -ENOENT;
    kfree(target);
    return r;
}

SYSCALL_DEFINE3(symlinkat, uptr_t, target, int, dfd, uptr_t, name)
{
    return do_symlink(target, dfd, name);
}

SYSCALL_DEFINE2(symlink, uptr_t, target, uptr_t, name)
{
    return do_symlink(target, LINUX_AT_FDCWD, name);
}

static long do_link(int odfd, uptr_t uold, int ndfd, uptr_t unew, int flags)
{
    char *oldn, *newn, last[NAME_MAX + 1];
    struct path src, parent;
    struct inode *child;
    bool slash;
    if (flags & ~(AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = name_in(uold, &oldn);
    if (r)
        return r;
    if ((r = name_in(unew, &newn))) {
        kfree(oldn);
        return r;
    }
    vfs_lock();
    r = path_lookup(odfd, oldn,
                    (flags & AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0) |
                        (flags & LINUX_AT_EMPTY_PATH ? LOOKUP_EMPTY : 0),
                    &src);
    if (r)
        goto out;
    r = path_parent(ndfd, newn, &parent, last, &slash);
    if (r)
        goto out_src;
    if (dot_or_dotdot(last) ||
        parent.inode->iops->lookup(parent.inode, last, &child) == 0) {
        if (!dot_or_dotdot(last))
            inode_put(child);
        r = -EEXIST;
    } else if (s_isdir(src.inode->mode))
        r = -EPERM;
    else if (src.inode->nlink == 0 && !src.inode->linkable)
        r = -ENOENT; /* deleted, as Linux: only an O_TMPFILE comes back */
    else if (src.inode->sb != parent.inode->sb)
        r = -EXDEV;
    else if (!parent.inode->iops->link)
        r = -EPERM;
    else if (!(r = dir_writable(&parent)))
        r = parent.inode->iops->link(parent.inode, last, src.inode);
    if (r == 0)
        src.inode->linkable = false;
    path_put(&parent);
out_src:
    path_put(&src);
out:
    vfs_unlock();
    kfree(oldn);
    kfree(newn);
    return r;
}

SYSCALL_DEFINE5(linkat, int, odfd, uptr_t, oldn, int, ndfd, uptr_t, newn, int,
                flags)
{
    return do_link(odfd, oldn, ndfd, newn, flags);
}

SYSCALL_DEFINE2(link, uptr_t, oldn, uptr_t, newn)
{
    return do_link(LINUX_AT_FDCWD, oldn, LINUX_AT_FDCWD, newn, 0);
}

/* ---- removing names ---- */

static long do_unlink(int dfd, uptr_t uname, bool rmdir)
{
    char *name, last[NAME_MAX + 1];
    struct path parent;
    struct inode *child;
    bool slash;
    long r = name_in(uname, &name);
    if (r)
        return r;
    vfs_lock();
    r = path_parent(dfd, name, &parent, last, &slash);
    if (r)
        goto out;
    if (!strcmp(last, "."))
        r = rmdir ? -EINVAL : -EISDIR;
    else if (!strcmp(last, ".."))
        r = rmdir ? -ENOTEMPTY : -EISDIR;
    else if ((r = parent.inode->iops->lookup(parent.inode, last, &child)) ==
             0) {
        if (mount_at(parent.mnt, child))
            r = -EBUSY;
        else if (!rmdir && slash)
            r = s_isdir(child->mode) ? -EISDIR : -ENOTDIR;
        else if (!parent.inode->iops->unlink)
            r = -EPERM;
        else if (!(r = dir_writable(&parent)))
            r = parent.inode->iops->unlink(parent.inode, last, rmdir);
        inode_put(child);
    }
    path_put(&parent);
out:
    vfs_unlock();
    kfree(name);
    return r;
}

SYSCALL_DEFINE1(unlink, uptr_t, name)
{
    return do_unlink(LINUX_AT_FDCWD, name, false);
}

SYSCALL_DEFINE1(rmdir, uptr_t, name)
{
    return do_unlink(LINUX_AT_FDCWD, name, true);
}

SYSCALL_DEFINE3(unlinkat, int, dfd, uptr_t, name, int, flags)
{
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    return do_unlink(dfd, name, flags & AT_REMOVEDIR);
}

#define RENAME_NOREPLACE 1U
#define RENAME_EXCHANGE 2U
#define RENAME_WHITEOUT 4U

static long do_rename(int odfd, uptr_t uold, int ndfd, uptr_t unew,
                      unsigned flags)
{
    char *oldn, *newn, olast[NAME_MAX + 1], nlast[NAME_MAX + 1];
    struct path op, np;
    bool oslash, nslash;
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) ||
        ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
        return -EINVAL;
    long r = name_in(uold, &oldn);
    if (r)
        return r;
    if ((r = name_in(unew, &newn))) {
        kfree(oldn);
        return r;
    }
    vfs_lock();
    if ((r = path_parent(odfd, oldn, &op, olast, &oslash)))
        goto out;
    if ((r = path_parent(ndfd, newn, &np, nlast, &nslash)))
        goto out_op;
    if (dot_or_dotdot(olast) || dot_or_dotdot(nlast))
        r = -EBUSY;
    else if (op.mnt != np.mnt)
        r = -EXDEV;
    else if (!(r = dir_writable(&op)) && !(r = dir_writable(&np))) {
        struct inode *s;
        if ((r = op.inode->iops->lookup(op.inode, olast, &s)) == 0) {
            if ((oslash || nslash) && !s_isdir(s->mode))
                r = -ENOTDIR;
            else if (mount_at(op.mnt, s))
                r = -EBUSY;
            else if (!op.inode->iops->rename)
                r = -EPERM;
            else
                r = op.inode->iops->rename(op.inode, olast, np.inode, nlast,
                                           flags);
            inode_put(s);
        }
    }
    path_put(&np);
out_op:
    path_put(&op);
out:
    vfs_unlock();
    kfree(oldn);
    kfree(newn);
    return r;
}

SYSCALL_DEFINE5(renameat2, int, odfd, uptr_t, oldn, int, ndfd, uptr_t, newn,
                unsigned, flags)
{
    return do_rename(odfd, oldn, ndfd, newn, flags);
}

SYSCALL_DEFINE4(renameat, int, odfd, uptr_t, oldn, int, ndfd, uptr_t, newn)
{
    return do_rename(odfd, oldn, ndfd, newn, 0);
}

SYSCALL_DEFINE2(rename, uptr_t, oldn, uptr_t, newn)
{
    return do_rename(LINUX_AT_FDCWD, oldn, LINUX_AT_FDCWD, newn, 0);
}

/* ---- reading names ---- */

static long do_readlink(int dfd, uptr_t uname, uptr_t ubuf, int size)
{
    struct path p;
    if (size <= 0)
        return -EINVAL;
    long r = user_path(dfd, uname, LOOKUP_EMPTY, &p);
    if (r)
        return r;
    char *buf = kmalloc(LINUX_PATH_MAX);
    if (!buf) {
        path_put(&p);
        return -ENOMEM;
    }
    vfs_lock();
    r = s_islnk(p.inode->mode) && p.inode->iops->readlink
            ? p.inode->iops->readlink(p.inode, buf, LINUX_PATH_MAX)
            : -EINVAL;
    vfs_unlock();
    path_put(&p);
    if (r >= 0) {
        r = MIN(r, (long)size);
        if (copy_out(ubuf, buf, (size_t)r) < 0)
            r = -EFAULT;
    }
    kfree(buf);
    return r;
}

SYSCALL_DEFINE4(readlinkat, int, dfd, uptr_t, name, uptr_t, buf, int, size)
{
    return do_readlink(dfd, name, buf, size);
}

SYSCALL_DEFINE3(readlink, uptr_t, name, uptr_t, buf, int, size)
{
    return do_readlink(LINUX_AT_FDCWD, name, buf, size);
}

/* Resolve for the stat-like calls: "" with AT_EMPTY_PATH names dfd (which
   may be any open file, not only a directory). *f is set instead of *p
   for a file with no inode (the console, a pipe). */
static long at_target(int dfd, uptr_t uname, int flags, struct path *p,
                      struct file **f)
{
    char *name;
    *f = NULL;
    long r = name_in(uname, &name);
    if (r)
        return r;
    if (!*name && (flags & LINUX_AT_EMPTY_PATH) && dfd != LINUX_AT_FDCWD) {
        kfree(name);
        *f = fdt_get(current_proc()->fdt, dfd);
        return *f ? 0 : -EBADF;
    }
    vfs_lock();
    r = path_lookup(dfd, name,
                    (flags & LINUX_AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
                        (flags & LINUX_AT_EMPTY_PATH ? LOOKUP_EMPTY : 0),
                    p);
    vfs_unlock();
    kfree(name);
    return r;
}

static long stat_at(int dfd, uptr_t uname, int flags, struct linux_stat *st)
{
    struct path p;
    struct file *f;
    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
                  LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = at_target(dfd, uname, flags, &p, &f);
    if (r)
        return r;
    if (f) {
        r = file_stat(f, st);
        file_put(f);
        return r;
    }
    vfs_lock();
    inode_stat(p.inode, st);
    vfs_unlock();
    path_put(&p);
    return 0;
}

static long stat_out(long r, uptr_t ust, const struct linux_stat *st)
{
    return r ? r : copy_out(ust, st, sizeof(*st));
}

SYSCALL_DEFINE4(newfstatat, int, dfd, uptr_t, name, uptr_t, ust, int, flags)
{
    struct linux_stat st;
    return stat_out(stat_at(dfd, name, flags, &st), ust, &st);
}

SYSCALL_DEFINE2(stat, uptr_t, name, uptr_t, ust)
{
    struct linux_stat st;
    return stat_out(stat_at(LINUX_AT_FDCWD, name, 0, &st), ust, &st);
}

SYSCALL_DEFINE2(lstat, uptr_t, name, uptr_t, ust)
{
    struct linux_stat st;
    return stat_out(
        stat_at(LINUX_AT_FDCWD, name, LINUX_AT_SYMLINK_NOFOLLOW, &st), ust,
        &st);
}

struct statx_ts {
    int64_t sec;
    uint32_t nsec;
    int32_t pad;
};

struct statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, pad1;
    uint64_t ino, size, blocks, attributes_mask;
    struct statx_ts atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};

#define STATX_BASIC_STATS 0x7ffU
#define AT_STATX_SYNC_TYPE 0x6000
#define STATX__RESERVED 0x80000000U

SYSCALL_DEFINE5(statx, int, dfd, uptr_t, name, int, flags, unsigned, mask,
                uptr_t, ubuf)
{
    struct linux_stat st;
    struct statx x;
    if (mask & STATX__RESERVED)
        return -EINVAL;
    long r = stat_at(dfd, name, flags & ~AT_STATX_SYNC_TYPE, &st);
    if (r)
        return r;
    memset(&x, 0, sizeof(x));
    x.mask = STATX_BASIC_STATS;
    x.blksize = (uint32_t)st.st_blksize;
    x.nlink = (uint32_t)st.st_nlink;
    x.uid = st.st_uid;
    x.gid = st.st_gid;
    x.mode = (uint16_t)st.st_mode;
    x.ino = st.st_ino;
    x.size = (uint64_t)st.st_size;
    x.blocks = (uint64_t)st.st_blocks;
    x.atime = (struct statx_ts){(int64_t)st.st_atime_sec,
                                (uint32_t)st.st_atime_nsec, 0};
    x.mtime = (struct statx_ts){(int64_t)st.st_mtime_sec,
                                (uint32_t)st.st_mtime_nsec, 0};
    x.ctime = (struct statx_ts){(int64_t)st.st_ctime_sec,
                                (uint32_t)st.st_ctime_nsec, 0};
    x.rdev_major = (uint32_t)(st.st_rdev >> 8) & 0xfff;
    x.rdev_minor = (uint32_t)(st.st_rdev & 0xff);
    x.dev_major = (uint32_t)(st.st_dev >> 8) & 0xfff;
    x.dev_minor = (uint32_t)(st.st_dev & 0xff);
    return copy_out(ubuf, &x, sizeof(x));
}

/* ---- access, chmod, chown, times, truncate ---- */

static long do_access(int dfd, uptr_t uname, int mode, int flags)
{
    struct path p;
    struct file *f;
    if (mode & ~7)
        return -EINVAL;
    if (flags & ~(AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = at_target(dfd, uname, flags, &p, &f);
    if (r)
        return r;
    if (f) {
        p.mnt = f->mnt;
        p.inode = inode_get(f->inode);
        file_put(f);
        if (!p.inode)
            return 0; /* the console and pipes: no mode bits to refuse */
    }
    vfs_lock();
    r = mode ? inode_permission(p.inode, mode) : 0;
    if (r == 0 && (mode & 2) && p.mnt && p.mnt->rdonly &&
        (s_isreg(p.inode->mode) || s_isdir(p.inode->mode)))
        r = -EROFS;
    vfs_unlock();
    path_put(&p);
    return r;
}

SYSCALL_DEFINE2(access, uptr_t, name, int, mode)
{
    return do_access(LINUX_AT_FDCWD, name, mode, 0);
}

SYSCALL_DEFINE3(faccessat, int, dfd, uptr_t, name, int, mode)
{
    return do_access(dfd, name, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, int, dfd, uptr_t, name, int, mode, int, flags)
{
    return do_access(dfd, name, mode, flags);
}

/* Resolve by fd (fd >= 0 and uname 0) or by name, for the attribute
   setters; the result holds a reference. */
static long attr_target(int dfd, uptr_t uname, int flags, bool by_fd,
                        struct path *p)
{
    struct file *f;
    if (!by_fd) {
        long r = at_target(dfd, uname, flags, p, &f);
        if (r || !f)
            return r;
    } else if (!(f = fdt_get(current_proc()->fdt, dfd))) {
        return -EBADF;
    }
    p->mnt = f->mnt;
    p->inode = inode_get(f->inode);
    bool path_only = f->flags & LINUX_O_PATH;
    file_put(f);
    if (!p->inode)
        return -EBADF; /* pipes and the console: nothing to change here */
    if (path_only) {
        path_put(p);
        return -EBADF;
    }
    return 0;
}

/* Attributes changed on the VFS inode reach the filesystem (ext4). */
static long store_attrs(struct inode *i)
{
    return i->sb->ops->write_inode ? i->sb->ops->write_inode(i) : 0;
}

static long owner_or_root(struct inode *i)
{
    uint32_t euid = current_proc()->euid;
    return euid == 0 || euid == i->uid ? 0 : -EPERM;
}

static long set_attr_ro(struct path *p)
{
    return p->mnt && p->mnt->rdonly ? -EROFS : 0;
}

static long do_chmod(int dfd, uptr_t uname, uint32_t mode, int flags,
                     bool by_fd)
{
    struct path p;
    long r = attr_target(dfd, uname, flags, by_fd, &p);
    if (r)
        return r;
    vfs_lock();
    if (!(r = owner_or_root(p.inode)) && !(r = set_attr_ro(&p))) {
        p.inode->mode = (p.inode->mode & LINUX_S_IFMT) | (mode & 07777);
        vfs_now(&p.inode->ctime);
        r = store_attrs(p.inode);
    }
    vfs_unlock();
    path_put(&p);
    return r;
}

SYSCALL_DEFINE2(chmod, uptr_t, name, unsigned, mode)
{
    return do_chmod(LINUX_AT_FDCWD, name, mode, 0, false);
}

SYSCALL_DEFINE2(fchmod, int, fd, unsigned, mode)
{
    return do_chmod(fd, 0, mode, 0, true);
}

SYSCALL_DEFINE3(fchmodat, int, dfd, uptr_t, name, unsigned, mode)
{
    return do_chmod(dfd, name, mode, 0, false);
}

static long do_chown(int dfd, uptr_t uname, uint32_t uid, uint32_t gid,
                     int flags, bool by_fd)
{
    struct path p;
    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = attr_target(dfd, uname, flags, by_fd, &p);
    if (r)
        return r;
    struct proc *pr = current_proc();
    vfs_lock();
    struct inode *i = p.inode;
    bool root = pr->euid == 0, owner = pr->euid == i->uid;
    /* Linux's chown_ok and chgrp_ok: without privilege, the owner may
       only "change" the owner to itself and the group to its own */
    bool uid_ok = uid == (uint32_t)-1 || root || (owner && uid == i->uid);
    bool gid_ok = gid == (uint32_t)-1 || root ||
                  (owner && (gid == i->gid || gid == pr->egid));
    bool change_uid = uid != (uint32_t)-1 && uid != i->uid;
    bool change_gid = gid != (uint32_t)-1 && gid != i->gid;
    if ((r = set_attr_ro(&p)))
        ;
    else if (!uid_ok || !gid_ok)
        r = -EPERM;
    else {
        if (uid != (uint32_t)-1)
            i->uid = uid;
        if (gid != (uint32_t)-1)
            i->gid = gid;
        if ((change_uid || change_gid) && !s_isdir(i->mode))
            i->mode &= ~04000U; /* chown(2): set-user-ID is cleared */
        vfs_now(&i->ctime);
        r = store_attrs(i);
    }
    vfs_unlock();
    path_put(&p);
    return r;
}

SYSCALL_DEFINE3(chown, uptr_t, name, unsigned, uid, unsigned, gid)
{
    return do_chown(LINUX_AT_FDCWD, name, uid, gid, 0, false);
}

SYSCALL_DEFINE3(lchown, uptr_t, name, unsigned, uid, unsigned, gid)
{
    return do_chown(LINUX_AT_FDCWD, name, uid, gid, LINUX_AT_SYMLINK_NOFOLLOW,
                    false);
}

SYSCALL_DEFINE3(fchown, int, fd, unsigned, uid, unsigned, gid)
{
    return do_chown(fd, 0, uid, gid, 0, true);
}

SYSCALL_DEFINE5(fchownat, int, dfd, uptr_t, name, unsigned, uid, unsigned, gid,
                int, flags)
{
    return do_chown(dfd, name, uid, gid, flags, false);
}

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* t[2] in kernel memory, or NULL for "now, now". */
static long set_times(int dfd, uptr_t uname, const struct linux_timespec *t,
                      int flags, bool by_fd)
{
    struct path p;
    struct linux_timespec now, ts[2];
    for (int k = 0; t && k < 2; k++)
        if (t[k].tv_nsec != UTIME_NOW && t[k].tv_nsec != UTIME_OMIT &&
            (t[k].tv_nsec < 0 || t[k].tv_nsec >= 1000000000L))
            return -EINVAL;
    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = attr_target(dfd, uname, flags, by_fd, &p);
    if (r)
        return r;
    vfs_now(&now);
    for (int k = 0; k < 2; k++)
        ts[k] = !t || t[k].tv_nsec == UTIME_NOW ? now : t[k];
    bool explicit_time =
        t && ((t[0].tv_nsec != UTIME_NOW && t[0].tv_nsec != UTIME_OMIT) ||
              (t[1].tv_nsec != UTIME_NOW && t[1].tv_nsec != UTIME_OMIT));
    vfs_lock();
    if ((r = set_attr_ro(&p)))
        ;
    else if (explicit_time)
        r = owner_or_root(p.inode);
    else if (owner_or_root(p.inode))
        r = inode_permission(p.inode, 2);
    if (r == 0) {
        if (!t || t[0].tv_nsec != UTIME_OMIT)
            p.inode->atime = ts[0];
        if (!t || t[1].tv_nsec != UTIME_OMIT)
            p.inode->mtime = ts[1];
        p.inode->ctime = now;
        r = store_attrs(p.inode);
    }
    vfs_unlock();
    path_put(&p);
    return r;
}

SYSCALL_DEFINE4(utimensat, int, dfd, uptr_t, name, uptr_t, utimes, int, flags)
{
    struct linux_timespec t[2];
    if (utimes && copy_in(t, utimes, sizeof(t)) < 0)
        return -EFAULT;
    /* utimensat(fd, NULL, ...) is futimens(fd) */
    return set_times(dfd, name, utimes ? t : NULL, flags, !name);
}

SYSCALL_DEFINE2(utimes, uptr_t, name, uptr_t, utv)
{
    struct linux_timeval tv[2];
    struct linux_timespec t[2];
    if (utv) {
        if (copy_in(tv, utv, sizeof(tv)) < 0)
            return -EFAULT;
        for (int k = 0; k < 2; k++) {
            if (tv[k].tv_usec < 0 || tv[k].tv_usec >= 1000000)
                return -EINVAL;
            t[k] = (struct linux_timespec){tv[k].tv_sec, tv[k].tv_usec * 1000};
        }
    }
    return set_times(LINUX_AT_FDCWD, name, utv ? t : NULL, 0, false);
}

SYSCALL_DEFINE2(utime, uptr_t, name, uptr_t, ubuf)
{
    int64_t b[2]; /* struct utimbuf: actime, modtime */
    struct linux_timespec t[2];
    if (ubuf) {
        if (copy_in(b, ubuf, sizeof(b)) < 0)
            return -EFAULT;
        t[0] = (struct linux_timespec){b[0], 0};
        t[1] = (struct linux_timespec){b[1], 0};
    }
    return set_times(LINUX_AT_FDCWD, name, ubuf ? t : NULL, 0, false);
}

SYSCALL_DEFINE2(truncate, uptr_t, name, long, size)
{
    struct path p;
    long r = user_path(LINUX_AT_FDCWD, name, LOOKUP_FOLLOW, &p);
    if (r)
        return r;
    vfs_lock();
    if (s_isdir(p.inode->mode))
        r = -EISDIR;
    else if (!(r = inode_permission(p.inode, 2)) && !(r = set_attr_ro(&p)))
        r = vfs_truncate(p.inode, size);
    vfs_unlock();
    path_put(&p);
    return r;
}

/* ---- statfs ---- */

struct linux_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

static void fill_statfs(struct inode *i, struct mount *m,
                        struct linux_statfs *s)
{
    size_t heap_free = (size_t)256 << 20; /* memory filesystems: the heap */
    memset(s, 0, sizeof(*s));
    s->f_type = !strcmp(i->sb->type, "proc") ? 0x9fa0 : 0x01021994;
    s->f_bsize = s->f_frsize = 4096;
    s->f_blocks = heap_free / 4096;
    s->f_bfree = s->f_bavail =
        (heap_free - MIN(heap_free, kheap_used())) / 4096;
    s->f_files = 1 << 20;
    s->f_ffree = s->f_files - MIN(s->f_files, i->sb->next_ino);
    s->f_fsid[0] = (int32_t)i->sb->dev;
    s->f_namelen = NAME_MAX;
    s->f_flags = m && m->rdonly ? 1 /* ST_RDONLY */ : 0;
}

SYSCALL_DEFINE2(statfs, uptr_t, name, uptr_t, ubuf)
{
    struct path p;
    struct linux_statfs s;
    long r = user_path(LINUX_AT_FDCWD, name, LOOKUP_FOLLOW, &p);
    if (r)
        return r;
    vfs_lock();
    fill_statfs(p.inode, p.mnt, &s);
    vfs_unlock();
    path_put(&p);
    return copy_out(ubuf, &s, sizeof(s));
}

SYSCALL_DEFINE2(fstatfs, int, fd, uptr_t, ubuf)
{
    struct linux_statfs s;
    struct file *f = fdt_get(current_proc()->fdt, fd);
    if (!f)
        return -EBADF;
    long r = 0;
    if (f->inode) {
        vfs_lock();
        fill_statfs(f->inode, f->mnt, &s);
        vfs_unlock();
    } else { /* pipes and the console live on pipefs / devpts */
        memset(&s, 0, sizeof(s));
        s.f_type = 0x50495045; /* PIPEFS_MAGIC */
        s.f_bsize = s.f_frsize = 4096;
        s.f_namelen = NAME_MAX;
    }
    file_put(f);
    return r ? r : copy_out(ubuf, &s, sizeof(s));
}

/* ---- extended attributes ----

   husk's filesystems keep none yet. After the checks Linux makes first
   (the name is readable and 1 to 255 bytes, the file exists, the fd is
   open), get, set and remove answer EOPNOTSUPP and list answers an empty
   list, as Linux does for a filesystem without xattr handlers: cp -a,
   tar and Python's shutil.copystat take that as nothing to copy. */

#define XATTR_NAME_MAX 255

/* Whose attributes: a path (following a last symlink or not), or an fd. */
enum xwho { X_FOLLOW, X_NOFOLLOW, X_FD };

static long xattr_name(uptr_t uname)
{
    char name[XATTR_NAME_MAX + 1];
    long n = copy_str_in(name, uname, sizeof(name));
    if (n == -ENAMETOOLONG || n == 0)
        return -ERANGE;
    return n < 0 ? n : 0;
}

/* Does the file exist (is the fd open)? 0, or why not. */
static long xattr_target(enum xwho who, int fd, uptr_t upath)
{
    struct path p;
    struct file *f;
    long r;
    if (who == X_FD) {
        f = fdt_get(current_proc()->fdt, fd);
        if (!f)
            return -EBADF;
        r = f->flags & LINUX_O_PATH ? -EBADF : 0;
        file_put(f);
        return r;
    }
    r = at_target(LINUX_AT_FDCWD, upath,
                  who == X_NOFOLLOW ? LINUX_AT_SYMLINK_NOFOLLOW : 0, &p, &f);
    if (r == 0 && f)
        file_put(f);
    else if (r == 0)
        path_put(&p);
    return r;
}

static long xattr_named(enum xwho who, int fd, uptr_t upath, uptr_t uname)
{
    long r = xattr_name(uname);
    if (r == 0)
        r = xattr_target(who, fd, upath);
    return r ? r : -EOPNOTSUPP;
}

static long xattr_set(enum xwho who, int fd, uptr_t upath, uptr_t uname,
                      size_t size, int flags)
{
    if (flags & ~3) /* XATTR_CREATE | XATTR_REPLACE */
        return -EINVAL;
    if (size > 65536)
        return -E2BIG;
    return xattr_named(who, fd, upath, uname);
}

SYSCALL_DEFINE5(setxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t,
                size, int, flags)
{
    (void)value;
    return xattr_set(X_FOLLOW, -1, path, name, size, flags);
}
SYSCALL_DEFINE5(lsetxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t,
                size, int, flags)
{
    (void)value;
    return xattr_set(X_NOFOLLOW, -1, path, name, size, flags);
}
SYSCALL_DEFINE5(fsetxattr, int, fd, uptr_t, name, uptr_t, value, size_t, size,
                int, flags)
{
    (void)value;
    return xattr_set(X_FD, fd, 0, name, size, flags);
}
SYSCALL_DEFINE4(getxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t,
                size)
{
    (void)value, (void)size;
    return xattr_named(X_FOLLOW, -1, path, name);
}
SYSCALL_DEFINE4(lgetxattr, uptr_t, path, uptr_t, name, uptr_t, value, size_t,
                size)
{
    (void)value, (void)size;
    return xattr_named(X_NOFOLLOW, -1, path, name);
}
SYSCALL_DEFINE4(fgetxattr, int, fd, uptr_t, name, uptr_t, value, size_t, size)
{
    (void)value, (void)size;
    return xattr_named(X_FD, fd, 0, name);
}
SYSCALL_DEFINE3(listxattr, uptr_t, path, uptr_t, list, size_t, size)
{
    (void)list, (void)size;
    return xattr_target(X_FOLLOW, -1, path); /* 0: no names */
}
SYSCALL_DEFINE3(llistxattr, uptr_t, path, uptr_t, list, size_t, size)
{
    (void)list, (void)size;
    return xattr_target(X_NOFOLLOW, -1, path);
}
SYSCALL_DEFINE3(flistxattr, int, fd, uptr_t, list, size_t, size)
{
    (void)list, (void)size;
    return xattr_target(X_FD, fd, 0);
}
SYSCALL_DEFINE2(removexattr, uptr_t, path, uptr_t, name)
{
    return xattr_named(X_FOLLOW, -1, path, name);
}
SYSCALL_DEFINE2(lremovexattr, uptr_t, path, uptr_t, name)
{
    return xattr_named(X_NOFOLLOW, -1, path, name);
}
SYSCALL_DEFINE2(fremovexattr, int, fd, uptr_t, name)
{
    return xattr_named(X_FD, fd, 0, name);
}
