/* SPDX-License-Identifier: MIT */
/* mount.c: the mount table. Few mounts, so a list. */
#include "vfs.h"

struct mount *root_mount;
static struct mount *mounts;

struct mount *mount_at(struct mount *mnt, struct inode *inode)
{
    struct mount *found = NULL;
    for (struct mount *m = mounts; m; m = m->next)
        if (m->parent == mnt && m->mountpoint == inode)
            found = m; /* the newest: mounts stack */
    return found;
}

long mount_add(struct path *at, struct super *sb, struct inode *root,
               bool rdonly)
{
    struct mount *m = kzalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->sb = sb;
    m->root = inode_get(root);
    m->rdonly = rdonly || sb->rdonly;
    if (at) {
        m->parent = at->mnt;
        m->mountpoint = inode_get(at->inode);
    } else {
        root_mount = m;
    }
    /* append: mount_at prefers the last match, the newest mount */
    struct mount **pp = &mounts;
    while (*pp)
        pp = &(*pp)->next;
    *pp = m;
    return 0;
}

/* Unmount the mount whose root p is: -EINVAL if p is not a mount's root,
   -EBUSY if something is mounted below it or it is the process's root or
   cwd. The caller holds vfs_lock. */
long mount_remove(struct path *p);
long mount_remove(struct path *p)
{
    struct mount *m = p->mnt;
    if (!m || p->inode != m->root || !m->parent)
        return -EINVAL;
    for (struct mount *c = mounts; c; c = c->next)
        if (c->parent == m)
            return -EBUSY;
    for (struct mount **pp = &mounts; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            /* m and its references stay: open files and cwds may still
               point at it (Linux's lazy detach, without the accounting) */
            m->parent = NULL;
            return 0;
        }
    return -EINVAL;
}
