/* SPDX-License-Identifier: MIT */
/* vfs.h: the virtual filesystem: inodes, superblocks, mounts and paths.

   Layers, top down:
     syscalls (open.c, namei_ops.c, read_write.c, readdir.c)
       -> path walk (namei.c): a name into a struct path {mount, inode}
       -> inode_ops / file_ops of one filesystem (tmpfs.c, devfs.c, ...)

   There is no dentry cache: a directory's entries belong to its
   filesystem, and ".." is a lookup like any other name (every filesystem
   answers it; at the root of a mount the walk steps to the mountpoint
   first). getcwd walks up and finds each name by reading the parent.

   References: a struct path holds one reference on its inode; a struct
   file holds one on its inode; a directory entry of tmpfs holds one on its
   child. An inode is freed by its filesystem (super_ops.evict) when the
   last reference goes.

   Locking: vfs_lock (one lock for the namespace: mount table, directory
   contents, inode attributes) is held by every path operation and by
   regular file I/O, and is never held across a blocking wait (pipes and
   the console have locks of their own). Order: vfs_lock, then a pipe's or
   an epoll's lock. */
#ifndef HUSK_VFS_H
#define HUSK_VFS_H

#include "kernel.h"

#include "abi/linux/stat.h"
#include "abi/linux/types.h"

struct inode;
struct file;
struct super;
struct mount;
struct file_ops;
struct path;

#define NAME_MAX 255

struct inode_ops {
    /* Find name in dir (never "." or ".." for lookup's callers, but ".."
       must be answered). Returns a new reference in *out or -ENOENT. */
    long (*lookup)(struct inode *dir, const char *name, struct inode **out);
    /* Create a regular file, directory, device node or symlink (target
       for S_IFLNK) named name in dir; new reference in *out. */
    long (*create)(struct inode *dir, const char *name, uint32_t mode,
                   uint64_t rdev, const char *target, struct inode **out);
    long (*link)(struct inode *dir, const char *name, struct inode *target);
    /* Remove name (a non-directory for unlink, an empty one for rmdir). */
    long (*unlink)(struct inode *dir, const char *name, bool dir_only);
    long (*rename)(struct inode *odir, const char *oname, struct inode *ndir,
                   const char *nname, unsigned flags);
    long (*readlink)(struct inode *inode, char *buf, size_t size);
    /* A "magic" link (/proc/self/fd/N): where following it leads, as a
       path (a new reference), instead of the text readlink shows. */
    long (*get_link)(struct inode *inode, struct path *out);
    /* Attributes kept elsewhere (the console's are the host's): fill st
       instead of the inode's own fields. */
    long (*getattr)(struct inode *inode, struct linux_stat *st);
    /* Change the size (truncate) of a regular file. */
    long (*truncate)(struct inode *inode, int64_t size);
};

struct super_ops {
    void (*evict)(struct inode *inode); /* last reference gone */
    /* The inode's owner, mode or times changed: store them (ext4). */
    long (*write_inode)(struct inode *inode);
    long (*statfs)(struct super *sb, void *kstatfs);
};

struct super {
    const struct super_ops *ops;
    const char *type; /* "tmpfs", "devtmpfs", "proc", "ext4" */
    uint64_t dev;     /* st_dev */
    uint64_t next_ino;
    bool rdonly;
    void *priv;
};

struct inode {
    int refs;
    uint64_t ino;
    uint32_t mode, uid, gid;
    uint32_t nlink;
    int64_t size;
    uint64_t rdev;
    uint64_t blocks;   /* 512-byte units */
    bool linkable;     /* O_TMPFILE without O_EXCL: linkat may name it once */
    struct pipe *fifo; /* a FIFO's pipe while any end is open (pipe.c) */
    struct linux_timespec atime, mtime, ctime;
    struct super *sb;
    const struct inode_ops *iops;
    const struct file_ops *fops; /* how an open of it reads and writes */
    void *priv;
};

struct mount {
    struct super *sb;
    struct inode *root;
    struct mount *parent;     /* NULL for the root mount */
    struct inode *mountpoint; /* in parent */
    struct mount *next;       /* the mount table */
    bool rdonly;
};

struct path {
    struct mount *mnt;
    struct inode *inode;
};

/* getdents64 and getcwd read directories through this: iterate calls emit
   for each entry from ctx->pos on, and sets ctx->pos past each entry that
   emit accepted; emit returns false when it wants no more. */
struct dir_ctx {
    bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len,
                 uint64_t ino, unsigned type);
    int64_t pos;
};
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
static inline unsigned dt_type(uint32_t mode) { return (mode >> 12) & 15; }

/* ---- inode.c ---- */
extern struct spinlock vfs_spin;
static inline void vfs_lock(void) { spin_lock(&vfs_spin); }
static inline void vfs_unlock(void) { spin_unlock(&vfs_spin); }

struct super *super_create(const struct super_ops *ops, const char *type);
/* A new inode of sb with mode, owned by the caller's fsuid/fsgid, times
   now, one reference. NULL when out of kernel memory. */
struct inode *inode_new(struct super *sb, uint32_t mode);
struct inode *inode_get(struct inode *inode);
void inode_put(struct inode *inode);
void path_get(struct path *p);
void path_put(struct path *p);
/* May the caller (by euid and the inode's mode) access it for mask
   (4 read, 2 write, 1 exec/search)? 0 or -EACCES. */
long inode_permission(struct inode *inode, int mask);
void inode_stat(struct inode *inode, struct linux_stat *st);
void vfs_now(struct linux_timespec *ts);
static inline bool s_isdir(uint32_t m)
{
    return (m & LINUX_S_IFMT) == LINUX_S_IFDIR;
}
static inline bool s_isreg(uint32_t m)
{
    return (m & LINUX_S_IFMT) == LINUX_S_IFREG;
}
static inline bool s_islnk(uint32_t m)
{
    return (m & LINUX_S_IFMT) == LINUX_S_IFLNK;
}

/* ---- mount.c ---- */
/* The mount whose mountpoint is (mnt, inode), or NULL. */
struct mount *mount_at(struct mount *mnt, struct inode *inode);
long mount_add(struct path *at, struct super *sb, struct inode *root,
               bool rdonly);
/* The root mount of the namespace (/). */
extern struct mount *root_mount;

/* ---- namei.c ---- */
#define LOOKUP_FOLLOW 1    /* follow a symlink in the last component */
#define LOOKUP_DIRECTORY 2 /* the result must be a directory */
#define LOOKUP_EMPTY 4     /* "" names dfd itself (AT_EMPTY_PATH) */

/* Resolve name (kernel string) relative to dfd into *out (a new
   reference). Errors as path_resolution(7). */
long path_lookup(int dfd, const char *name, unsigned flags, struct path *out);
/* The same, also giving where the last name was looked up (*dir, a new
   reference, and the name in last[NAME_MAX+1]); dir->inode is NULL when
   the name ended in "." or "..". */
long path_lookup_named(int dfd, const char *name, unsigned flags,
                       struct path *out, struct path *dir, char *last);
/* Resolve all but the last component: *parent (a new reference), and the
   last component copied into last[NAME_MAX+1]. *trailing_slash tells
   whether name ended in '/'. "." and ".." are returned as last. */
long path_parent(int dfd, const char *name, struct path *parent, char *last,
                 bool *trailing_slash);
/* The same, starting from the directory base rather than a dfd. */
long path_lookup_at(const struct path *base, const char *name, unsigned flags,
                    struct path *out);
long path_parent_at(const struct path *base, const char *name,
                    struct path *parent, char *last, bool *trailing_slash);
/* Copy a path from the program and resolve it (the usual syscall case). */
long user_path(int dfd, uptr_t uname, unsigned flags, struct path *out);
/* The absolute name of p as seen from the process root, into buf. */
long path_name(const struct path *p, char *buf, size_t size);

#endif
