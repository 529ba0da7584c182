/* SPDX-License-Identifier: MIT */
/* open.c: opening files (open, openat, openat2, creat, memfd_create), the
   working and root directories (chdir, fchdir, getcwd, chroot) and
   mounting (mount, umount2). Errors as open(2), getcwd(2), mount(2). */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "tmpfs.h"
#include "vfs.h"

int nofile_limit(void);
long vfs_truncate(struct inode *inode, int64_t size);
struct inode *devfs_create(void);
struct inode *procfs_create(void);

static const struct file_ops path_fops; /* O_PATH: no I/O at all */

#define OPEN_KEEP                                                              \
    (LINUX_O_ACCMODE | LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_DSYNC |     \
     LINUX_O_ASYNC | LINUX_O_DIRECT | LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW |   \
     LINUX_O_NOATIME | LINUX_O_PATH | 04010000 /* O_SYNC */)

static int acc_mask(int flags)
{
    switch (flags & LINUX_O_ACCMODE) {
    case LINUX_O_RDONLY: return 4;
    case LINUX_O_WRONLY: return 2;
    default: return 6;
    }
}

/* Create the regular file last in parent (open with O_CREAT). */
static long create_in(struct path *parent, const char *last, uint32_t mode,
                      struct path *out)
{
    struct inode *child;
    long r = inode_permission(parent->inode, 3);
    if (r == 0 && parent->mnt->rdonly)
        r = -EROFS;
    if (r == 0 && !parent->inode->iops->create)
        r = -EACCES;
    uint32_t m = mode & 07777 & ~current_proc()->umask;
    if (r == 0)
        r = parent->inode->iops->create(parent->inode, last, LINUX_S_IFREG | m,
                                        0, NULL, &child);
    if (r == 0) {
        out->mnt = parent->mnt;
        out->inode = child;
    }
    return r;
}

/* The symlink `link` in parent, opened with O_CREAT and without
   O_NOFOLLOW|O_EXCL: what it names, created if missing (open(2): "If
   pathname is a dangling symbolic link, O_CREAT creates its target"). */
static long create_through(struct path *parent, struct inode *link,
                           uint32_t mode, struct path *out, bool *created)
{
    char *target = kmalloc(LINUX_PATH_MAX), last[NAME_MAX + 1];
    struct path dir;
    bool slash;
    if (!target)
        return -ENOMEM;
    long n = link->iops->readlink(link, target, LINUX_PATH_MAX - 1);
    long r = n;
    if (n >= 0) {
        target[n] = 0;
        r = path_lookup_at(parent, target, LOOKUP_FOLLOW, out);
        if (r == -ENOENT &&
            (r = path_parent_at(parent, target, &dir, last, &slash)) == 0) {
            r = slash ? -EISDIR : create_in(&dir, last, mode, out);
            *created = r == 0;
            path_put(&dir);
        }
    }
    kfree(target);
    return r;
}

/* Find or create (O_CREAT) what name names; *created tells which. */
static long open_path(int dfd, const char *name, int flags, uint32_t mode,
                      struct path *out, bool *created, struct path *dir,
                      char *dname)
{
    struct path parent;
    char last[NAME_MAX + 1];
    bool slash;
    struct inode *child;
    *created = false;
    dir->inode = NULL;
    if (!(flags & LINUX_O_CREAT))
        return path_lookup_named(
            dfd, name,
            (flags & LINUX_O_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
                (flags & LINUX_O_DIRECTORY ? LOOKUP_DIRECTORY : 0),
            out, dir, dname);
    long r = path_parent(dfd, name, &parent, last, &slash);
    if (r)
        return r;
    if (slash || !strcmp(last, ".") || !strcmp(last, "..")) {
        r = -EISDIR;
    } else if ((r = parent.inode->iops->lookup(parent.inode, last, &child)) ==
               0) {
        if (flags & LINUX_O_EXCL)
            r = -EEXIST;
        else if (s_islnk(child->mode) && !(flags & LINUX_O_NOFOLLOW))
            r = create_through(&parent, child, mode, out, created);
        else {
            out->mnt = parent.mnt;
            out->inode = inode_get(child);
            struct mount *m = mount_at(out->mnt, out->inode);
            if (m) {
                inode_put(out->inode);
                out->mnt = m;
                out->inode = inode_get(m->root);
            }
        }
        inode_put(child);
    } else if (r == -ENOENT) {
        r = create_in(&parent, last, mode, out);
        *created = r == 0;
    }
    if (r == 0 && !*created && out->inode != parent.inode) {
        /* found or created right here: remember where (not through a
           symlink, whose target lies elsewhere) */
        if (!s_islnk(out->inode->mode) && out->mnt == parent.mnt) {
            *dir = parent;
            strcpy(dname, last);
            return 0;
        }
    } else if (r == 0 && *created) {
        *dir = parent;
        strcpy(dname, last);
        return 0;
    }
    path_put(&parent);
    return r;
}

/* Checks once the inode is known (open(2) ERRORS). */
static long open_checks(struct path *p, int flags, bool created)
{
    struct inode *i = p->inode;
    bool dir = s_isdir(i->mode), writing = (flags & LINUX_O_ACCMODE) != 0;
    if (flags & LINUX_O_PATH)
        return 0;
    if (s_islnk(i->mode))
        return -ELOOP; /* O_NOFOLLOW on a symlink */
    if ((flags & LINUX_O_DIRECTORY) && !dir)
        return -ENOTDIR;
    if (dir && (writing || (flags & LINUX_O_CREAT)))
        return -EISDIR;
    if (!created) {
        long r = inode_permission(i, acc_mask(flags) |
                                         (flags & LINUX_O_TRUNC ? 2 : 0));
        if (r)
            return r;
    }
    if ((writing || (flags & LINUX_O_TRUNC)) && p->mnt->rdonly &&
        (dir || s_isreg(i->mode)))
        return -EROFS;
    if ((flags & LINUX_O_TRUNC) && s_isreg(i->mode) && writing && i->size)
        return vfs_truncate(i, 0);
    return 0;
}

/* A file description for p (takes over p's reference). */
static long open_file(struct path *p, int flags, struct file **out)
{
    const struct file_ops *ops = flags & LINUX_O_PATH ? &path_fops
                                 : p->inode->fops     ? p->inode->fops
                                                      : &path_fops;
    struct file *f = file_alloc(ops, (flags & OPEN_KEEP) | LINUX_O_LARGEFILE);
    if (!f) {
        path_put(p);
        return -ENOMEM;
    }
    f->inode = p->inode;
    f->mnt = p->mnt;
    long r = !(flags & LINUX_O_PATH) && ops->open ? ops->open(p->inode, f) : 0;
    if (r) {
        file_put(f);
        return r;
    }
    *out = f;
    return 0;
}

/* O_TMPFILE: an unnamed regular file in the directory name names. It is
   created under a name no program can see (vfs_lock is held from the
   create to the unlink) and lives, as any unlinked file that is open,
   until its last close; without O_EXCL, linkat may give it a name. */
static long open_tmpfile(int dfd, const char *name, int flags, uint32_t mode,
                         struct file **out)
{
    static unsigned long seq;
    struct path dir, p;
    char tmp[40];
    int acc = flags & LINUX_O_ACCMODE;
    if ((flags & LINUX_O_CREAT) || (flags & LINUX_O_PATH) ||
        (acc != LINUX_O_WRONLY && acc != LINUX_O_RDWR))
        return -EINVAL;
    vfs_lock();
    long r = path_lookup(dfd, name, LOOKUP_FOLLOW, &dir);
    if (r) {
        vfs_unlock();
        return r;
    }
    if (!s_isdir(dir.inode->mode))
        r = -ENOTDIR;
    else if (!dir.inode->iops->create || !dir.inode->iops->unlink)
        r = -EOPNOTSUPP; /* /proc, /dev: no files of their own */
    else {
        ksnprintf(tmp, sizeof(tmp), ".husk-tmpfile-%lu", ++seq);
        r = create_in(&dir, tmp, mode, &p);
    }
    if (r == 0) {
        r = dir.inode->iops->unlink(dir.inode, tmp, false);
        p.inode->linkable = !(flags & LINUX_O_EXCL);
        if (r)
            path_put(&p);
    }
    path_put(&dir);
    vfs_unlock();
    return r ? r
             : open_file(&p, flags & ~(LINUX_O_TMPFILE | LINUX_O_EXCL), out);
}

long do_open(int dfd, const char *name, int flags, uint32_t mode);
long do_open(int dfd, const char *name, int flags, uint32_t mode)
{
    struct path p;
    struct file *f;
    bool created;
    if ((flags & LINUX_O_TMPFILE) == (LINUX_O_TMPFILE & ~LINUX_O_DIRECTORY))
        return -EINVAL; /* __O_TMPFILE without O_DIRECTORY */
    if ((flags & LINUX_O_TMPFILE) == LINUX_O_TMPFILE) {
        long r = open_tmpfile(dfd, name, flags, mode, &f);
        if (r == 0 &&
            (r = fdt_install(current_proc()->fdt, f, 0, nofile_limit(),
                             flags & LINUX_O_CLOEXEC)) < 0)
            file_put(f);
        return r;
    }
    if ((flags & LINUX_O_ACCMODE) == 3 && !(flags & LINUX_O_PATH))
        return -EINVAL;
    if (flags & LINUX_O_PATH)
        flags &= LINUX_O_PATH | LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW |
                 LINUX_O_CLOEXEC;
    struct path dir;
    char dname[NAME_MAX + 1];
    vfs_lock();
    long r = open_path(dfd, name, flags, mode, &p, &created, &dir, dname);
    if (r == 0) {
        r = open_checks(&p, flags, created);
        if (r)
            path_put(&p);
    }
    vfs_unlock();
    if (r == 0)
        r = open_file(&p, flags, &f);
    if (r == 0 && dir.inode && f->inode && !s_isdir(f->inode->mode)) {
        /* keep where it was opened, for /proc/self/fd (vfs.h: no dentries) */
        f->named = kmalloc(sizeof(*f->named));
        f->name = kmalloc(strlen(dname) + 1);
        if (f->named && f->name) {
            *f->named = dir;
            strcpy(f->name, dname);
            dir.inode = NULL;
        } else {
            kfree(f->named);
            kfree(f->name);
            f->named = NULL;
            f->name = NULL;
        }
    }
    if (dir.inode)
        path_put(&dir);
    if (r)
        return r;
    r = fdt_install(current_proc()->fdt, f, 0, nofile_limit(),
                    flags & LINUX_O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

static long user_open(int dfd, uptr_t uname, int flags, uint32_t mode)
{
    char *name = kmalloc(LINUX_PATH_MAX);
    if (!name)
        return -ENOMEM;
    long r = copy_str_in(name, uname, LINUX_PATH_MAX);
    if (r >= 0)
        r = do_open(dfd, name, flags, mode);
    kfree(name);
    return r;
}

SYSCALL_DEFINE3(open, uptr_t, name, int, flags, unsigned, mode)
{
    return user_open(LINUX_AT_FDCWD, name, flags, mode);
}

SYSCALL_DEFINE4(openat, int, dfd, uptr_t, name, int, flags, unsigned, mode)
{
    return user_open(dfd, name, flags, mode);
}

SYSCALL_DEFINE2(creat, uptr_t, name, unsigned, mode)
{
    return user_open(LINUX_AT_FDCWD, name,
                     LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, mode);
}

struct open_how {
    uint64_t flags, mode, resolve;
};

SYSCALL_DEFINE4(openat2, int, dfd, uptr_t, name, uptr_t, uhow, size_t, size)
{
    struct open_how how;
    if (size < sizeof(how))
        return -EINVAL;
    if (size > 4096)
        return -E2BIG;
    if (copy_in(&how, uhow, sizeof(how)) < 0)
        return -EFAULT;
    /* openat2 refuses what it does not know; husk does not do the RESOLVE_
       restrictions yet, and does not pretend to */
    if (how.resolve)
        return -EINVAL;
    if ((how.flags >> 32) || (how.mode & ~07777ULL) ||
        (how.mode && !(how.flags & LINUX_O_CREAT)))
        return -EINVAL;
    return user_open(dfd, name, (int)how.flags, (uint32_t)how.mode);
}

#define MFD_CLOEXEC 1U
#define MFD_ALLOW_SEALING 2U

SYSCALL_DEFINE2(memfd_create, uptr_t, uname, unsigned, flags)
{
    static struct super *memfd_sb;
    char name[256];
    long r = copy_str_in(name, uname, sizeof(name));
    if (r < 0)
        return r == -ENAMETOOLONG ? -EINVAL : r;
    if (r > 249 || (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING)))
        return -EINVAL;
    vfs_lock();
    if (!memfd_sb) {
        struct inode *root = tmpfs_new_root("tmpfs", 01777);
        memfd_sb = root ? root->sb : NULL; /* the root stays: sb lives on */
    }
    struct inode *i = memfd_sb ? tmpfs_new_file(memfd_sb, 0777) : NULL;
    vfs_unlock();
    if (!i)
        return -ENOMEM;
    i->nlink = 0;
    struct path p = {root_mount, i};
    struct file *f;
    if ((r = open_file(&p, LINUX_O_RDWR, &f)))
        return r;
    f->mnt = NULL; /* not on any mount: never read-only */
    r = fdt_install(current_proc()->fdt, f, 0, nofile_limit(),
                    flags & MFD_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

/* ---- working and root directory ---- */

static long set_dir(struct path *slot, struct path *p)
{
    long r = s_isdir(p->inode->mode) ? inode_permission(p->inode, 1) : -ENOTDIR;
    if (r) {
        path_put(p);
        return r;
    }
    vfs_lock();
    struct path old = *slot;
    *slot = *p;
    vfs_unlock();
    path_put(&old);
    return 0;
}

SYSCALL_DEFINE1(chdir, uptr_t, name)
{
    struct path p;
    long r =
        user_path(LINUX_AT_FDCWD, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
    return r ? r : set_dir(&current_proc()->cwd, &p);
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
    struct file *f = fdt_get(current_proc()->fdt, fd);
    if (!f)
        return -EBADF;
    struct path p = {f->mnt, inode_get(f->inode)};
    file_put(f);
    if (!p.inode)
        return -ENOTDIR;
    return set_dir(&current_proc()->cwd, &p);
}

SYSCALL_DEFINE1(chroot, uptr_t, name)
{
    if (current_proc()->euid != 0)
        return -EPERM;
    struct path p;
    long r =
        user_path(LINUX_AT_FDCWD, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
    return r ? r : set_dir(&current_proc()->root, &p);
}

SYSCALL_DEFINE2(getcwd, uptr_t, buf, size_t, size)
{
    char *name = kmalloc(LINUX_PATH_MAX);
    if (!name)
        return -ENOMEM;
    vfs_lock();
    long n = path_name(&current_proc()->cwd, name, LINUX_PATH_MAX);
    vfs_unlock();
    if (n == -ENOENT) { /* removed, or outside the root: getcwd(3) says so */
        strcpy(name, "(unreachable)/");
        n = (long)strlen(name) + 1;
    }
    if (n >= 0 && (size_t)n > size)
        n = -ERANGE;
    if (n >= 0 && copy_out(buf, name, (size_t)n) < 0)
        n = -EFAULT;
    kfree(name);
    return n;
}

/* ---- mount ---- */

#define MS_RDONLY 1UL
#define MS_REMOUNT 32UL
#define MS_BIND 4096UL
#define MS_MOVE 8192UL

/* A new filesystem of type; the caller holds vfs_lock. */
struct inode *fs_create(const char *type);
struct inode *fs_create(const char *type)
{
    if (!strcmp(type, "tmpfs"))
        return tmpfs_new_root("tmpfs", 01777);
    if (!strcmp(type, "proc"))
        return procfs_create();
    if (!strcmp(type, "devtmpfs"))
        return devfs_create();
    if (!strcmp(type, "sysfs")) { /* empty and read-only: nothing to show */
        struct inode *root = tmpfs_new_root("sysfs", 0555);
        if (root)
            root->sb->rdonly = true;
        return root;
    }
    return NULL;
}

SYSCALL_DEFINE5(mount, uptr_t, usrc, uptr_t, utarget, uptr_t, utype,
                unsigned long, flags, uptr_t, data)
{
    char type[64];
    struct path at;
    (void)usrc, (void)data;
    if (current_proc()->euid != 0)
        return -EPERM;
    if (flags & (MS_REMOUNT | MS_BIND | MS_MOVE))
        return -EINVAL; /* only new tmpfs, proc, devtmpfs and sysfs mounts */
    long r = copy_str_in(type, utype, sizeof(type));
    if (r < 0)
        return r == -ENAMETOOLONG ? -ENODEV : r;
    r = user_path(LINUX_AT_FDCWD, utarget, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
                  &at);
    if (r)
        return r;
    vfs_lock();
    struct inode *root = fs_create(type);
    r = root ? mount_add(&at, root->sb, root, flags & MS_RDONLY) : -ENODEV;
    vfs_unlock();
    inode_put(root);
    path_put(&at);
    return r;
}

long mount_remove(struct path *root); /* mount.c */

SYSCALL_DEFINE2(umount2, uptr_t, utarget, int, flags)
{
    struct path p;
    if (current_proc()->euid != 0)
        return -EPERM;
    if (flags & ~0xf)
        return -EINVAL;
    long r = user_path(LINUX_AT_FDCWD, utarget,
                       flags & 8 /* UMOUNT_NOFOLLOW */ ? 0 : LOOKUP_FOLLOW, &p);
    if (r)
        return r;
    vfs_lock();
    r = mount_remove(&p);
    vfs_unlock();
    path_put(&p);
    return r;
}
