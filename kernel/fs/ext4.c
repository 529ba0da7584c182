/* SPDX-License-Identifier: MIT */
/* ext4.c: ext4 images through libext2fs (e2fsprogs), read-only for now.

   Layers: the VFS calls the inode and file ops below; they call
   libext2fs; libext2fs reads blocks through husk_io_manager, which reads
   the image with the blk_read hypercall (pread64 on the fd the tender
   opened before the lock-down). libext2fs is not thread-safe: every call
   into it is made with vfs_lock held.

   Inodes: one VFS inode per ext4 inode number while it is in use (a small
   hash table per filesystem), filled from the on-disk inode (owners,
   modes, nanosecond times, device numbers). libext2fs copies with plain
   memcpy, so file data goes through a kernel bounce buffer and reaches
   the program only through uaccess_copy: a bad pointer is EFAULT, never a
   fault inside the library.

   Not yet: writing (create, write, unlink, rename, link, symlink,
   truncate, chmod/chown/utimens on the image), a page cache, --disk.
   The filesystem is mounted read-only until then (EROFS). */
#include <ext2fs/ext2fs.h>

#include "abi/linux/fcntl.h"
#include "file.h"
#include "host/host.h"
#include "syscall/uaccess.h"
#include "vfs.h"

#define BUCKETS 1024
#define BOUNCE (64 * 1024)

struct ext4_info {
    struct inode *next; /* hash chain */
};

struct ext4_sb {
    ext2_filsys fs;
    int fd;
    struct inode *hash[BUCKETS];
};

static const struct inode_ops ext4_iops;
static const struct file_ops ext4_dir_fops, ext4_file_fops;
static const struct super_ops ext4_sops;
extern const struct file_ops chrdev_fops;

static long ext_err(errcode_t e)
{
    switch (e) {
    case 0: return 0;
    case EXT2_ET_FILE_NOT_FOUND: return -ENOENT;
    case EXT2_ET_NO_MEMORY: return -ENOMEM;
    case EXT2_ET_RO_FILSYS: return -EROFS;
    case EXT2_ET_DIR_NO_SPACE:
    case EXT2_ET_BLOCK_ALLOC_FAIL:
    case EXT2_ET_INODE_ALLOC_FAIL: return -ENOSPC;
    default: return e > 0 && e < 4096 ? -(long)e : -EIO;
    }
}

/* ---- the io manager: blocks through the blk hypercalls ---- */

struct blk_chan {
    int fd;
};

static struct struct_io_manager husk_io;

static errcode_t io_open(const char *name, int flags, io_channel *out)
{
    (void)flags;
    io_channel ch = calloc(1, sizeof(*ch));
    struct blk_chan *bc = calloc(1, sizeof(*bc));
    if (!ch || !bc) {
        free(ch);
        free(bc);
        return EXT2_ET_NO_MEMORY;
    }
    int fd = 0;
    for (const char *p = name; *p >= '0' && *p <= '9'; p++)
        fd = fd * 10 + (*p - '0');
    bc->fd = fd;
    ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    ch->manager = &husk_io;
    ch->name = strdup(name);
    ch->block_size = 1024;
    ch->refcount = 1;
    ch->private_data = bc;
    *out = ch;
    return 0;
}

static errcode_t io_close(io_channel ch)
{
    if (--ch->refcount > 0)
        return 0;
    free(ch->private_data);
    free(ch->name);
    free(ch);
    return 0;
}

static errcode_t io_set_blksize(io_channel ch, int blksize)
{
    ch->block_size = blksize;
    return 0;
}

static errcode_t io_read64(io_channel ch, unsigned long long block, int count,
                           void *data)
{
    struct blk_chan *bc = ch->private_data;
    size_t len = count < 0 ? (size_t)-count : (size_t)count * ch->block_size;
    uint64_t off = block * (uint64_t)ch->block_size;
    size_t done = 0;
    while (done < len) {
        long n = host_blk_read(bc->fd, (char *)data + done,
                               MIN(len - done, (size_t)1 << 20), off + done);
        if (n < 0)
            return EXT2_ET_SHORT_READ;
        if (n == 0) { /* past the end of the image: zeros, as unix_io */
            memset((char *)data + done, 0, len - done);
            break;
        }
        done += (size_t)n;
    }
    return 0;
}

static errcode_t io_read(io_channel ch, unsigned long block, int count,
                         void *data)
{
    return io_read64(ch, block, count, data);
}

static errcode_t io_write64(io_channel ch, unsigned long long block, int count,
                            const void *data)
{
    (void)ch, (void)block, (void)count, (void)data;
    return EXT2_ET_RO_FILSYS; /* writing comes next (see the top) */
}

static errcode_t io_write(io_channel ch, unsigned long block, int count,
                          const void *data)
{
    return io_write64(ch, block, count, data);
}

static errcode_t io_flush(io_channel ch)
{
    (void)ch;
    return 0;
}

static errcode_t io_set_option(io_channel ch, const char *opt, const char *arg)
{
    (void)ch, (void)opt, (void)arg;
    return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager husk_io = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "husk blk",
    .open = io_open,
    .close = io_close,
    .set_blksize = io_set_blksize,
    .read_blk = io_read,
    .write_blk = io_write,
    .flush = io_flush,
    .set_option = io_set_option,
    .read_blk64 = io_read64,
    .write_blk64 = io_write64,
};

/* ---- inodes ---- */

static struct ext4_sb *esb(struct inode *i) { return i->sb->priv; }

static void set_time(struct linux_timespec *t, uint32_t sec, uint32_t extra,
                     bool has_extra)
{
    t->tv_sec = (int64_t)(int32_t)sec;
    t->tv_nsec = 0;
    if (has_extra) {
        t->tv_sec += (int64_t)(extra & 3) << 32;
        t->tv_nsec = extra >> 2;
    }
}

static void fill(struct inode *i, const struct ext2_inode_large *d)
{
    bool extra = d->i_extra_isize >= 24; /* the *_extra time fields */
    i->mode = d->i_mode;
    i->uid = d->i_uid | ((uint32_t)d->osd2.linux2.l_i_uid_high << 16);
    i->gid = d->i_gid | ((uint32_t)d->osd2.linux2.l_i_gid_high << 16);
    i->nlink = d->i_links_count;
    i->size = (int64_t)EXT2_I_SIZE(d);
    i->blocks = d->i_blocks | ((uint64_t)d->osd2.linux2.l_i_blocks_hi << 32);
    set_time(&i->atime, d->i_atime, d->i_atime_extra, extra);
    set_time(&i->mtime, d->i_mtime, d->i_mtime_extra, extra);
    set_time(&i->ctime, d->i_ctime, d->i_ctime_extra, extra);
    uint32_t mt = d->i_mode & LINUX_S_IFMT;
    if (mt == LINUX_S_IFCHR || mt == LINUX_S_IFBLK) {
        uint32_t dev = d->i_block[0] ? d->i_block[0] : d->i_block[1];
        uint32_t major =
            d->i_block[0] ? (dev >> 8) & 0xff : (dev & 0xfff00) >> 8;
        uint32_t minor =
            d->i_block[0] ? dev & 0xff : (dev & 0xff) | ((dev >> 12) & 0xfff00);
        i->rdev = ((uint64_t)major << 8) | minor;
    }
    i->iops = &ext4_iops;
    i->fops = s_isdir(i->mode)      ? &ext4_dir_fops
              : s_isreg(i->mode)    ? &ext4_file_fops
              : mt == LINUX_S_IFCHR ? &chrdev_fops
                                    : NULL;
}

/* The VFS inode for ino (a new reference). vfs_lock held. */
static long iget(struct super *sb, ext2_ino_t ino, struct inode **out)
{
    struct ext4_sb *es = sb->priv;
    for (struct inode *i = es->hash[ino % BUCKETS]; i;
         i = ((struct ext4_info *)i->priv)->next)
        if (i->ino == ino) {
            *out = inode_get(i);
            return 0;
        }
    struct ext2_inode_large d;
    memset(&d, 0, sizeof(d));
    errcode_t e =
        ext2fs_read_inode_full(es->fs, ino, (struct ext2_inode *)&d, sizeof(d));
    if (e)
        return ext_err(e);
    struct inode *i = kzalloc(sizeof(*i));
    struct ext4_info *info = kzalloc(sizeof(*info));
    if (!i || !info) {
        kfree(i);
        kfree(info);
        return -ENOMEM;
    }
    i->refs = 1;
    i->ino = ino;
    i->sb = sb;
    i->priv = info;
    fill(i, &d);
    info->next = es->hash[ino % BUCKETS];
    es->hash[ino % BUCKETS] = i;
    *out = i;
    return 0;
}

static void ext4_evict(struct inode *inode)
{
    struct ext4_sb *es = esb(inode);
    for (struct inode **pp = &es->hash[inode->ino % BUCKETS]; *pp;
         pp = &((struct ext4_info *)(*pp)->priv)->next)
        if (*pp == inode) {
            *pp = ((struct ext4_info *)inode->priv)->next;
            break;
        }
    kfree(inode->priv);
}

static long ext4_lookup(struct inode *dir, const char *name, struct inode **out)
{
    ext2_ino_t ino;
    if (!s_isdir(dir->mode))
        return -ENOTDIR;
    errcode_t e = ext2fs_lookup(esb(dir)->fs, (ext2_ino_t)dir->ino, name,
                                (int)strlen(name), NULL, &ino);
    return e ? ext_err(e) : iget(dir->sb, ino, out);
}

static long ext4_readlink(struct inode *inode, char *buf, size_t size)
{
    struct ext4_sb *es = esb(inode);
    struct ext2_inode_large d;
    memset(&d, 0, sizeof(d));
    errcode_t e = ext2fs_read_inode_full(es->fs, (ext2_ino_t)inode->ino,
                                         (struct ext2_inode *)&d, sizeof(d));
    if (e)
        return ext_err(e);
    size_t n = MIN((size_t)EXT2_I_SIZE(&d), size);
    if (ext2fs_is_fast_symlink((struct ext2_inode *)&d)) {
        memcpy(buf, (const char *)d.i_block, n);
        return (long)n;
    }
    ext2_file_t file;
    unsigned got = 0;
    e = ext2fs_file_open(es->fs, (ext2_ino_t)inode->ino, 0, &file);
    if (e)
        return ext_err(e);
    e = ext2fs_file_read(file, buf, (unsigned)n, &got);
    ext2fs_file_close(file);
    return e ? ext_err(e) : (long)got;
}

/* ---- directories ---- */

struct iter {
    struct dir_ctx *ctx;
    int64_t index; /* entries seen so far: the position cookie */
};

static unsigned ft_to_dt(int ft)
{
    static const unsigned char map[] = {DT_UNKNOWN, DT_REG,  DT_DIR,  DT_CHR,
                                        DT_BLK,     DT_FIFO, DT_SOCK, DT_LNK};
    return ft >= 0 && ft < (int)sizeof(map) ? map[ft] : DT_UNKNOWN;
}

static int iter_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
                   int offset, int blocksize, char *buf, void *priv)
{
    struct iter *it = priv;
    (void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
    int64_t i = it->index++;
    if (i < it->ctx->pos)
        return 0;
    size_t len = (size_t)ext2fs_dirent_name_len(de);
    if (!it->ctx->emit(it->ctx, de->name, len, de->inode,
                       ft_to_dt(ext2fs_dirent_file_type(de))))
        return DIRENT_ABORT;
    it->ctx->pos = i + 1;
    return 0;
}

static long ext4_iterate(struct file *f, struct dir_ctx *ctx)
{
    struct iter it = {ctx, 0};
    errcode_t e = ext2fs_dir_iterate2(
        esb(f->inode)->fs, (ext2_ino_t)f->inode->ino, 0, NULL, iter_cb, &it);
    return ext_err(e);
}

/* ---- regular files ---- */

static long ext4_open(struct inode *inode, struct file *f)
{
    (void)inode;
    if ((f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
        return -EROFS;
    return 0;
}

static long ext4_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct inode *inode = f->inode;
    char *bounce = kmalloc(MIN(len, (size_t)BOUNCE));
    size_t done = 0;
    long err = 0;
    if (!bounce)
        return -ENOMEM;
    vfs_lock();
    ext2_file_t file;
    errcode_t e =
        ext2fs_file_open(esb(inode)->fs, (ext2_ino_t)inode->ino, 0, &file);
    if (e)
        err = ext_err(e);
    while (!err && done < len && *pos < inode->size) {
        unsigned got = 0;
        size_t want =
            MIN(MIN(len - done, (size_t)BOUNCE), (size_t)(inode->size - *pos));
        e = ext2fs_file_llseek(file, (uint64_t)*pos, EXT2_SEEK_SET, NULL);
        if (!e)
            e = ext2fs_file_read(file, bounce, (unsigned)want, &got);
        if (e) {
            err = ext_err(e);
            break;
        }
        if (!got)
            break;
        if (uaccess_copy((char *)buf + done, bounce, got) < 0) {
            err = -EFAULT;
            break;
        }
        done += got;
        *pos += got;
    }
    if (file && !ext_err(e))
        ext2fs_file_close(file);
    vfs_unlock();
    kfree(bounce);
    return done ? (long)done : err;
}

static const struct inode_ops ext4_iops = {
    .lookup = ext4_lookup,
    .readlink = ext4_readlink,
};
static const struct file_ops ext4_dir_fops = {.iterate = ext4_iterate,
                                              .seekable = true};
static const struct file_ops ext4_file_fops = {
    .open = ext4_open,
    .read = ext4_read,
    .seekable = true,
};
static const struct super_ops ext4_sops = {.evict = ext4_evict};

/* Mount the image on host fd `fd`: its root inode (a new reference) in
 *root, or an error with a reason in why. vfs_lock held. */
long ext4_mount(int fd, struct inode **root, const char **why);
long ext4_mount(int fd, struct inode **root, const char **why)
{
    char name[16];
    ext2_filsys fs;
    ksnprintf(name, sizeof(name), "%d", fd);
    errcode_t e =
        ext2fs_open2(name, NULL, EXT2_FLAG_64BITS, 0, 0, &husk_io, &fs);
    if (e) {
        *why = "not an ext2/3/4 filesystem, or a damaged one";
        return -EINVAL;
    }
    struct super *sb = super_create(&ext4_sops, "ext4");
    struct ext4_sb *es = kzalloc(sizeof(*es));
    if (!sb || !es) {
        ext2fs_close_free(&fs);
        kfree(es);
        *why = "out of kernel memory";
        return -ENOMEM;
    }
    es->fs = fs;
    es->fd = fd;
    sb->priv = es;
    sb->rdonly = true;
    long r = iget(sb, EXT2_ROOT_INO, root);
    if (r == 0 && !s_isdir((*root)->mode)) {
        inode_put(*root);
        r = -ENOTDIR;
    }
    if (r)
        *why = "its root is not a readable directory";
    return r;
}
