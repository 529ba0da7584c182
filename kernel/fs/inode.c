/* SPDX-License-Identifier: MIT */
/* inode.c: superblocks, inode lifetime, permission checks and stat. */
#include "host/host.h"
#include "task/task.h"
#include "vfs.h"

struct spinlock vfs_spin;

struct super *super_create(const struct super_ops *ops, const char *type)
{
    static uint64_t next_dev = 1;
    struct super *sb = kzalloc(sizeof(*sb));
    if (!sb)
        return NULL;
    sb->ops = ops;
    sb->type = type;
    sb->dev = next_dev++; /* major 0, as Linux's anonymous devices */
    sb->next_ino = 1;
    return sb;
}

void vfs_now(struct linux_timespec *ts)
{
    host_time_clock_gettime(0 /* CLOCK_REALTIME */, ts);
}

struct inode *inode_new(struct super *sb, uint32_t mode)
{
    struct inode *i = kzalloc(sizeof(*i));
    if (!i)
        return NULL;
    i->refs = 1;
    i->ino = sb->next_ino++;
    i->mode = mode;
    i->nlink = 1;
    i->sb = sb;
    struct proc *p = current_proc();
    i->uid = p->euid;
    i->gid = p->egid;
    vfs_now(&i->mtime);
    i->atime = i->ctime = i->mtime;
    return i;
}

struct inode *inode_get(struct inode *inode)
{
    if (inode)
        __atomic_add_fetch(&inode->refs, 1, __ATOMIC_RELAXED);
    return inode;
}

void inode_put(struct inode *inode)
{
    if (inode && __atomic_sub_fetch(&inode->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        if (inode->sb->ops->evict)
            inode->sb->ops->evict(inode);
        kfree(inode);
    }
}

void path_get(struct path *p) { inode_get(p->inode); }

void path_put(struct path *p)
{
    inode_put(p->inode);
    p->inode = NULL;
}

long inode_permission(struct inode *inode, int mask)
{
    struct proc *p = current_proc();
    uint32_t m = inode->mode;
    if (p->euid == 0) /* root: everything but executing a non-executable */
        return (mask & 1) && !s_isdir(m) && !(m & 0111) ? -EACCES : 0;
    int bits = p->euid == inode->uid   ? (m >> 6) & 7
               : p->egid == inode->gid ? (m >> 3) & 7
                                       : m & 7;
    return (bits & mask) == mask ? 0 : -EACCES;
}

void inode_stat(struct inode *i, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    if (i->iops && i->iops->getattr && i->iops->getattr(i, st) == 0)
        return;
    st->st_dev = i->sb->dev;
    st->st_ino = i->ino;
    st->st_nlink = i->nlink;
    st->st_mode = i->mode;
    st->st_uid = i->uid;
    st->st_gid = i->gid;
    st->st_rdev = i->rdev;
    st->st_size = i->size;
    st->st_blksize = 4096;
    st->st_blocks = i->blocks;
    st->st_atime_sec = i->atime.tv_sec;
    st->st_atime_nsec = i->atime.tv_nsec;
    st->st_mtime_sec = i->mtime.tv_sec;
    st->st_mtime_nsec = i->mtime.tv_nsec;
    st->st_ctime_sec = i->ctime.tv_sec;
    st->st_ctime_nsec = i->ctime.tv_nsec;
}
