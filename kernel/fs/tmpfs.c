/* SPDX-License-Identifier: MIT */
/* tmpfs.c: a filesystem in kernel memory, for /, /tmp, /run, /dev/shm and
   (populated with device nodes) /dev.

   A directory is a list of entries in creation order; each entry has a
   cookie that getdents uses as its position, so that entries added or
   removed between two getdents calls neither repeat nor skip the others.
   Each entry holds a reference on its inode; the inode's nlink counts the
   entries (plus "." and the children's ".." for directories).

   File data lives in chunks of CHUNK bytes (a kernel-heap size class
   less its header) under a three-level radix of FANOUT pointers, so a
   sparse 5 GiB file with one byte costs a few KiB. A missing chunk reads
   as zeros. Memory comes from the kernel heap: ENOSPC when it runs out.

   Callers hold vfs_lock, except for read and write, which take it. */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "syscall/uaccess.h"
#include "tmpfs.h"
#include "vfs.h"

#define CHUNK (4096 - 16)
#define FANOUT ((4096 - 16) / 8)
#define LEVELS 3

struct dirent_t {
    struct dirent_t *next;
    struct inode *inode;
    int64_t cookie;
    char name[];
};

struct tdir {
    struct dirent_t *head;
    struct inode *parent; /* not a reference: a child never outlives it */
    int64_t next_cookie;
};

struct tfile {
    void **root; /* radix of LEVELS levels; leaves are chunks */
};

static const struct inode_ops tmpfs_iops;
static const struct file_ops blob_fops;
static const struct file_ops tmpfs_dir_fops, tmpfs_file_fops;
extern const struct file_ops chrdev_fops, fifo_fops;

/* ---- file data ---- */

/* The chunk for index idx; created (zeroed) when create is set. */
static char *chunk_at(struct tfile *tf, uint64_t idx, bool create)
{
    void ***slot = (void ***)&tf->root;
    for (int level = LEVELS - 1; level >= 0; level--) {
        if (!*slot) {
            if (!create)
                return NULL;
            *slot = kzalloc(level ? FANOUT * sizeof(void *) : CHUNK);
            if (!*slot)
                return NULL;
        }
        if (level == 0)
            break;
        uint64_t span = 1;
        for (int k = 1; k < level; k++)
            span *= FANOUT;
        slot = (void ***)&(*slot)[(idx / span) % FANOUT];
    }
    return (char *)*slot;
}

static void free_tree(void **node, int level)
{
    if (!node)
        return;
    if (level > 0)
        for (int i = 0; i < FANOUT; i++)
            free_tree(node[i], level - 1);
    kfree(node);
}

/* Free the chunks wholly at or beyond `from` (an index), zero the tail of
   the chunk holding byte `size`. */
static void drop_from(struct tfile *tf, struct inode *inode, int64_t size)
{
    uint64_t first = (uint64_t)(size + CHUNK - 1) / CHUNK;
    uint64_t have = (uint64_t)(inode->size + CHUNK - 1) / CHUNK;
    for (uint64_t i = first; i < have; i++) {
        /* walk down to the leaf's parent to free just that chunk */
        void **node = tf->root;
        uint64_t span = (uint64_t)FANOUT * FANOUT;
        for (int level = LEVELS - 1; level > 1 && node; level--) {
            node = node[(i / span) % FANOUT];
            span /= FANOUT;
        }
        if (node && node[i % FANOUT]) {
            kfree(node[i % FANOUT]);
            node[i % FANOUT] = NULL;
            inode->blocks -= 8;
        }
    }
    if (size % CHUNK) {
        char *c = chunk_at(tf, (uint64_t)size / CHUNK, false);
        if (c)
            memset(c + size % CHUNK, 0, CHUNK - size % CHUNK);
    }
}

static long tmpfs_truncate(struct inode *inode, int64_t size)
{
    struct tfile *tf = inode->priv;
    if (size < 0)
        return -EINVAL;
    if (size < inode->size)
        drop_from(tf, inode, size);
    inode->size = size;
    vfs_now(&inode->mtime);
    inode->ctime = inode->mtime;
    return 0;
}

static const char zeros[CHUNK];

static long tmpfs_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct inode *inode = f->inode;
    size_t done = 0;
    vfs_lock();
    while (done < len && *pos < inode->size) {
        uint64_t off = (uint64_t)*pos % CHUNK;
        size_t n =
            MIN(MIN(len - done, CHUNK - off), (size_t)(inode->size - *pos));
        const char *c = chunk_at(inode->priv, (uint64_t)*pos / CHUNK, false);
        if (uaccess_copy((char *)buf + done, c ? c + off : zeros, n) < 0)
            break;
        done += n;
        *pos += (int64_t)n;
    }
    vfs_unlock();
    return done || !len ? (long)done : (*pos >= inode->size ? 0 : -EFAULT);
}

static long tmpfs_write(struct file *f, const void *buf, size_t len,
                        int64_t *pos)
{
    struct inode *inode = f->inode;
    size_t done = 0;
    long err = 0;
    vfs_lock();
    if (f->flags & LINUX_O_APPEND)
        *pos = inode->size;
    while (done < len) {
        uint64_t idx = (uint64_t)*pos / CHUNK, off = (uint64_t)*pos % CHUNK;
        size_t n = MIN(len - done, CHUNK - off);
        bool had = chunk_at(inode->priv, idx, false) != NULL;
        char *c = chunk_at(inode->priv, idx, true);
        if (!c) {
            err = -ENOSPC;
            break;
        }
        if (!had)
            inode->blocks += 8;
        if (uaccess_copy(c + off, (const char *)buf + done, n) < 0) {
            err = -EFAULT;
            break;
        }
        done += n;
        *pos += (int64_t)n;
        if (*pos > inode->size)
            inode->size = *pos;
    }
    if (done) {
        vfs_now(&inode->mtime);
        inode->ctime = inode->mtime;
    }
    vfs_unlock();
    return done ? (long)done : err;
}

/* ---- directories ---- */

static struct dirent_t *find(struct tdir *d, const char *name)
{
    for (struct dirent_t *e = d->head; e; e = e->next)
        if (!strcmp(e->name, name))
            return e;
    return NULL;
}

static long tmpfs_lookup(struct inode *dir, const char *name,
                         struct inode **out)
{
    struct tdir *d = dir->priv;
    if (!s_isdir(dir->mode))
        return -ENOTDIR;
    if (!strcmp(name, "..")) {
        *out = inode_get(d->parent ? d->parent : dir);
        return 0;
    }
    if (!strcmp(name, ".")) {
        *out = inode_get(dir);
        return 0;
    }
    struct dirent_t *e = find(d, name);
    if (!e)
        return -ENOENT;
    *out = inode_get(e->inode);
    return 0;
}

static long add_entry(struct inode *dir, const char *name, struct inode *child)
{
    struct tdir *d = dir->priv;
    size_t len = strlen(name);
    struct dirent_t *e = kmalloc(sizeof(*e) + len + 1);
    if (!e)
        return -ENOSPC;
    memcpy(e->name, name, len + 1);
    e->inode = inode_get(child);
    e->cookie = d->next_cookie++;
    e->next = NULL;
    struct dirent_t **pp = &d->head;
    while (*pp)
        pp = &(*pp)->next;
    *pp = e;
    vfs_now(&dir->mtime);
    dir->ctime = dir->mtime;
    dir->size += 1;
    return 0;
}

/* Unhook name's entry and return its inode reference to the caller. */
static struct inode *remove_entry(struct inode *dir, const char *name)
{
    struct tdir *d = dir->priv;
    for (struct dirent_t **pp = &d->head; *pp; pp = &(*pp)->next) {
        struct dirent_t *e = *pp;
        if (strcmp(e->name, name))
            continue;
        *pp = e->next;
        struct inode *child = e->inode;
        kfree(e);
        vfs_now(&dir->mtime);
        dir->ctime = dir->mtime;
        dir->size -= 1;
        return child;
    }
    return NULL;
}

static struct inode *new_inode(struct super *sb, uint32_t mode)
{
    struct inode *i = inode_new(sb, mode);
    if (!i)
        return NULL;
    i->iops = &tmpfs_iops;
    if (s_isdir(mode)) {
        struct tdir *d = kzalloc(sizeof(*d));
        if (!d)
            goto fail;
        d->next_cookie = 2; /* 0 and 1 are "." and ".." */
        i->priv = d;
        i->fops = &tmpfs_dir_fops;
        i->nlink = 2;
    } else if (s_isreg(mode)) {
        if (!(i->priv = kzalloc(sizeof(struct tfile))))
            goto fail;
        i->fops = &tmpfs_file_fops;
    } else if ((mode & LINUX_S_IFMT) == LINUX_S_IFCHR) {
        i->fops = &chrdev_fops;
    } else if ((mode & LINUX_S_IFMT) == LINUX_S_IFIFO) {
        i->fops = &fifo_fops;
    }
    return i;
fail:
    kfree(i);
    return NULL;
}

static long tmpfs_create(struct inode *dir, const char *name, uint32_t mode,
                         uint64_t rdev, const char *target, struct inode **out)
{
    struct tdir *d = dir->priv;
    if (find(d, name))
        return -EEXIST;
    struct inode *i = new_inode(dir->sb, mode);
    if (!i)
        return -ENOSPC;
    i->rdev = rdev;
    if (s_islnk(mode)) {
        size_t len = strlen(target);
        if (!(i->priv = kmalloc(len + 1))) {
            inode_put(i);
            return -ENOSPC;
        }
        memcpy(i->priv, target, len + 1);
        i->size = (int64_t)len;
    }
    if (s_isdir(mode)) {
        ((struct tdir *)i->priv)->parent = dir;
        dir->nlink++; /* the child's ".." */
    }
    long r = add_entry(dir, name, i);
    if (r) {
        if (s_isdir(mode))
            dir->nlink--;
        i->nlink = 0;
        inode_put(i);
        return r;
    }
    *out = i;
    return 0;
}

static long tmpfs_link(struct inode *dir, const char *name,
                       struct inode *target)
{
    if (find(dir->priv, name))
        return -EEXIST;
    long r = add_entry(dir, name, target);
    if (r == 0) {
        target->nlink++;
        vfs_now(&target->ctime);
    }
    return r;
}

static bool dir_empty(struct inode *inode)
{
    return !((struct tdir *)inode->priv)->head;
}

/* Drop one name of inode (the entry's reference is the caller's). */
static void unlinked(struct inode *dir, struct inode *inode)
{
    if (s_isdir(inode->mode)) {
        inode->nlink = 0;
        dir->nlink--;
    } else {
        inode->nlink--;
    }
    vfs_now(&inode->ctime);
    inode_put(inode);
}

static long tmpfs_unlink(struct inode *dir, const char *name, bool dir_only)
{
    struct dirent_t *e = find(dir->priv, name);
    if (!e)
        return -ENOENT;
    if (dir_only && !s_isdir(e->inode->mode))
        return -ENOTDIR;
    if (!dir_only && s_isdir(e->inode->mode))
        return -EISDIR;
    if (dir_only && !dir_empty(e->inode))
        return -ENOTEMPTY;
    unlinked(dir, remove_entry(dir, name));
    return 0;
}

/* Is a an ancestor of (or equal to) b? */
static bool is_ancestor(struct inode *a, struct inode *b)
{
    for (struct inode *i = b; i; i = ((struct tdir *)i->priv)->parent)
        if (i == a)
            return true;
    return false;
}

static void reparent(struct inode *child, struct inode *from, struct inode *to)
{
    if (s_isdir(child->mode) && from != to) {
        ((struct tdir *)child->priv)->parent = to;
        from->nlink--;
        to->nlink++;
    }
}

static long tmpfs_rename(struct inode *odir, const char *oname,
                         struct inode *ndir, const char *nname, unsigned flags)
{
    struct dirent_t *src = find(odir->priv, oname);
    struct dirent_t *dst = find(ndir->priv, nname);
    if (!src)
        return -ENOENT;
    struct inode *s = src->inode, *t = dst ? dst->inode : NULL;
    if (s_isdir(s->mode) && is_ancestor(s, ndir))
        return -EINVAL; /* into its own subtree */
    if (flags & 2 /* RENAME_EXCHANGE */) {
        if (!t)
            return -ENOENT;
        if (s_isdir(t->mode) && is_ancestor(t, odir))
            return -EINVAL;
        src->inode = t;
        dst->inode = s;
        reparent(s, odir, ndir);
        reparent(t, ndir, odir);
        return 0;
    }
    if (t == s)
        return 0; /* two names of one inode: nothing happens */
    if (t) {
        if (flags & 1 /* RENAME_NOREPLACE */)
            return -EEXIST;
        if (s_isdir(s->mode) && !s_isdir(t->mode))
            return -ENOTDIR;
        if (!s_isdir(s->mode) && s_isdir(t->mode))
            return -EISDIR;
        if (s_isdir(t->mode) && !dir_empty(t))
            return -ENOTEMPTY;
        unlinked(ndir, remove_entry(ndir, nname));
    }
    struct inode *moved = remove_entry(odir, oname);
    long r = add_entry(ndir, nname, moved);
    inode_put(moved); /* add_entry took its own reference */
    if (r)
        return r;
    reparent(moved, odir, ndir);
    vfs_now(&moved->ctime);
    return 0;
}

static long tmpfs_readlink(struct inode *inode, char *buf, size_t size)
{
    size_t n = MIN((size_t)inode->size, size);
    memcpy(buf, inode->priv, n);
    return (long)n;
}

static long tmpfs_iterate(struct file *f, struct dir_ctx *ctx)
{
    struct inode *dir = f->inode;
    struct tdir *d = dir->priv;
    if (ctx->pos == 0) {
        if (!ctx->emit(ctx, ".", 1, dir->ino, DT_DIR))
            goto out;
        ctx->pos = 1;
    }
    if (ctx->pos == 1) {
        struct inode *up = d->parent ? d->parent : dir;
        if (!ctx->emit(ctx, "..", 2, up->ino, DT_DIR))
            goto out;
        ctx->pos = 2;
    }
    for (struct dirent_t *e = d->head; e; e = e->next) {
        if (e->cookie < ctx->pos)
            continue;
        if (!ctx->emit(ctx, e->name, strlen(e->name), e->inode->ino,
                       dt_type(e->inode->mode)))
            break;
        ctx->pos = e->cookie + 1;
    }
out:
    return 0;
}

static void tmpfs_evict(struct inode *inode)
{
    if (inode->fops == &blob_fops) {
        kfree(inode->priv);
    } else if (s_isreg(inode->mode) && inode->priv) {
        free_tree(((struct tfile *)inode->priv)->root, LEVELS - 1);
        kfree(inode->priv);
    } else if (s_isdir(inode->mode)) {
        struct tdir *d = inode->priv;
        while (d && d->head) {
            struct dirent_t *e = d->head;
            d->head = e->next;
            inode_put(e->inode);
            kfree(e);
        }
        kfree(d);
    } else if (s_islnk(inode->mode)) {
        kfree(inode->priv);
    }
}

static const struct inode_ops tmpfs_iops = {
    .lookup = tmpfs_lookup,
    .create = tmpfs_create,
    .link = tmpfs_link,
    .unlink = tmpfs_unlink,
    .rename = tmpfs_rename,
    .readlink = tmpfs_readlink,
    .truncate = tmpfs_truncate,
};

static const struct file_ops tmpfs_dir_fops = {
    .iterate = tmpfs_iterate,
    .seekable = true,
};

static const struct file_ops tmpfs_file_fops = {
    .read = tmpfs_read,
    .write = tmpfs_write,
    .seekable = true,
};

static const struct super_ops tmpfs_sops = {
    .evict = tmpfs_evict,
};

struct inode *tmpfs_new_root(const char *type, uint32_t mode)
{
    struct super *sb = super_create(&tmpfs_sops, type);
    if (!sb)
        return NULL;
    return new_inode(sb, LINUX_S_IFDIR | mode);
}

/* ---- blobs: read-only files whose bytes are kernel memory ---- */

struct blob {
    const char *data;
};

static long blob_open(struct inode *inode, struct file *f)
{
    (void)inode;
    /* the running program's file: writing it is ETXTBSY, as in Linux */
    return (f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY ? -ETXTBSY : 0;
}

static long blob_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct inode *i = f->inode;
    if (*pos >= i->size)
        return 0;
    size_t n = MIN(len, (size_t)(i->size - *pos));
    if (uaccess_copy(buf, ((struct blob *)i->priv)->data + *pos, n) < 0)
        return -EFAULT;
    *pos += (int64_t)n;
    return (long)n;
}

static const struct file_ops blob_fops = {
    .open = blob_open,
    .read = blob_read,
    .seekable = true,
};
static const struct inode_ops blob_iops;

struct inode *tmpfs_new_blob(struct super *sb, const void *data, size_t size,
                             uint32_t mode)
{
    struct inode *i = inode_new(sb, LINUX_S_IFREG | mode);
    struct blob *b = i ? kmalloc(sizeof(*b)) : NULL;
    if (!b) {
        kfree(i);
        return NULL;
    }
    b->data = data;
    i->priv = b;
    i->size = (int64_t)size;
    i->blocks = (size + 511) / 512;
    i->iops = &blob_iops;
    i->fops = &blob_fops;
    return i;
}

struct inode *tmpfs_new_file(struct super *sb, uint32_t mode)
{
    return new_inode(sb, LINUX_S_IFREG | mode);
}
