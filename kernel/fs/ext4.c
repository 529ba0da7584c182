/* SPDX-License-Identifier: MIT */
/* ext4.c: ext4 images through libext2fs (e2fsprogs), read and write.

   Layers: the VFS calls the inode and file ops below; they call
   libext2fs; libext2fs reads and writes blocks through husk_io, which
   uses the blk hypercalls (pread64/pwrite64/fdatasync on the fd the
   tender opened before the lock-down; a write is at most one filesystem
   block and never past the image's end, which the filter enforces too).
   libext2fs is not thread-safe: every call into it is made with vfs_lock.

   Inodes: one VFS inode per ext4 inode number in use (a hash table per
   filesystem), filled from the on-disk inode (owners, modes, nanosecond
   times, device numbers) and refreshed after each change; attribute
   changes from the VFS go back through write_inode.

   Reads: each image is mapped read-only and shared at mount, before the
   lock-down, so the host's page cache is our page cache: libext2fs'
   block reads are a memcpy from it, and a file's data goes from it to the
   program's buffer in one uaccess_copy per extent (read_direct). Writes
   go through pwrite64 to the same page cache, so the mapping never holds
   stale data and nothing is cached twice. Writes pass a kernel bounce
   buffer, which keeps the filter's one-block pin.

   Creating follows e2fsprogs' own create_inode.c (new inode, link, alloc
   stats, an extent header for files); rename rewrites ".." as e2fsck's
   fix_dotdot does; RENAME_EXCHANGE swaps the two entries in place. A name
   unlinked while open keeps its inode until the
   last reference goes (evict), or until exit, which also writes the
   superblock, group descriptors and bitmaps back (ext4_sync_all) so the
   image is e2fsck-clean after every clean exit. fsync does the same and
   waits for the host. Not yet: extended attributes. */
#include <ext2fs/ext2fs.h>

#include "abi/linux/fcntl.h"
#include "abi/linux/mman.h"
#include "boot.h"
#include "file.h"
#include "host/host.h"
#include "syscall/uaccess.h"
#include "ext4.h"
#include "task/task.h"
#include "vfs.h"

#define BUCKETS 1024
#define BOUNCE (64 * 1024)

struct ext4_info {
    struct inode *next; /* hash chain */
};

struct ext4_sb {
    ext2_filsys fs;
    int fd;
    bool ro;
    struct ext4_sb *next; /* every mounted image, for ext4_sync_all */
    struct inode *hash[BUCKETS];
};

static struct ext4_sb *all_sbs;

static const struct inode_ops ext4_iops;
static const struct file_ops ext4_dir_fops, ext4_file_fops;
static const struct super_ops ext4_sops;
extern const struct file_ops chrdev_fops, fifo_fops;

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
    size_t max;      /* a write's most bytes: the filesystem block (the pin) */
    const char *map; /* the image, read-only and shared; or NULL */
    size_t map_len;
};

static struct struct_io_manager husk_io;
/* The disk ext4_mount is opening: io_open only gets a name. */
static const struct kdisk *opening;

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
    bc->max = 1024; /* until the filesystem's block size is known */
    if (opening && opening->fd == fd) {
        bc->map = opening->map;
        bc->map_len = opening->map ? opening->len : 0;
    }
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
    if (bc->map && off <= bc->map_len && len <= bc->map_len - off) {
        memcpy(data, bc->map + off, len); /* the host's page cache */
        return 0;
    }
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
    struct blk_chan *bc = ch->private_data;
    size_t len = count < 0 ? (size_t)-count : (size_t)count * ch->block_size;
    uint64_t off = block * (uint64_t)ch->block_size;
    for (size_t done = 0; done < len;) {
        size_t n = MIN(len - done, bc->max);
        long w =
            host_blk_write(bc->fd, (const char *)data + done, n, off + done);
        if (w <= 0)
            return EXT2_ET_SHORT_WRITE;
        done += (size_t)w;
    }
    return 0;
}

static errcode_t io_write(io_channel ch, unsigned long block, int count,
                          const void *data)
{
    return io_write64(ch, block, count, data);
}

static errcode_t io_flush(io_channel ch)
{
    struct blk_chan *bc = ch->private_data;
    return host_blk_sync(bc->fd) < 0 ? EXT2_ET_SHORT_WRITE : 0;
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
              : mt == LINUX_S_IFIFO ? &fifo_fops
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

/* ---- the on-disk inode ---- */

static long disk_read(struct ext4_sb *es, ext2_ino_t ino,
                      struct ext2_inode_large *d)
{
    memset(d, 0, sizeof(*d));
    return ext_err(ext2fs_read_inode_full(es->fs, ino, (struct ext2_inode *)d,
                                          sizeof(*d)));
}

static long disk_write(struct ext4_sb *es, ext2_ino_t ino,
                       struct ext2_inode_large *d)
{
    return ext_err(ext2fs_write_inode_full(es->fs, ino, (struct ext2_inode *)d,
                                           sizeof(*d)));
}

static void put_time(uint32_t *sec, uint32_t *extra, bool has_extra,
                     const struct linux_timespec *t)
{
    *sec = (uint32_t)t->tv_sec;
    /* ext4_encode_extra_time: the epoch bits count from the low 32 bits
       taken as signed */
    if (has_extra)
        *extra =
            (uint32_t)(((t->tv_sec - (int64_t)(int32_t)t->tv_sec) >> 32) & 3) |
            (uint32_t)(t->tv_nsec << 2);
}

/* The VFS inode's owner, mode and times into d. */
static void attrs_to_disk(const struct inode *i, struct ext2_inode_large *d)
{
    bool extra = d->i_extra_isize >= 24;
    d->i_mode = (uint16_t)i->mode;
    d->i_uid = (uint16_t)i->uid;
    d->osd2.linux2.l_i_uid_high = (uint16_t)(i->uid >> 16);
    d->i_gid = (uint16_t)i->gid;
    d->osd2.linux2.l_i_gid_high = (uint16_t)(i->gid >> 16);
    put_time(&d->i_atime, &d->i_atime_extra, extra, &i->atime);
    put_time(&d->i_mtime, &d->i_mtime_extra, extra, &i->mtime);
    put_time(&d->i_ctime, &d->i_ctime_extra, extra, &i->ctime);
}

/* Read ino back into its cached VFS inode, if there is one. */
static void refresh(struct ext4_sb *es, ext2_ino_t ino)
{
    for (struct inode *i = es->hash[ino % BUCKETS]; i;
         i = ((struct ext4_info *)i->priv)->next)
        if (i->ino == ino) {
            struct ext2_inode_large d;
            if (disk_read(es, ino, &d) == 0)
                fill(i, &d);
            return;
        }
}

/* super_ops.write_inode: chmod, chown, utimens made on the VFS inode. */
static long ext4_write_inode(struct inode *i)
{
    struct ext4_sb *es = esb(i);
    struct ext2_inode_large d;
    if (es->ro)
        return -EROFS;
    long r = disk_read(es, (ext2_ino_t)i->ino, &d);
    if (r == 0) {
        attrs_to_disk(i, &d);
        r = disk_write(es, (ext2_ino_t)i->ino, &d);
    }
    return r;
}

/* Times now on ino (what: 1 mtime+ctime, 2 ctime only). */
static void touch(struct ext4_sb *es, ext2_ino_t ino, int what)
{
    struct ext2_inode_large d;
    struct linux_timespec now;
    if (disk_read(es, ino, &d))
        return;
    vfs_now(&now);
    bool extra = d.i_extra_isize >= 24;
    if (what == 1)
        put_time(&d.i_mtime, &d.i_mtime_extra, extra, &now);
    put_time(&d.i_ctime, &d.i_ctime_extra, extra, &now);
    disk_write(es, ino, &d);
    refresh(es, ino);
}

/* Give an inode with no names back: its blocks, then the inode itself.
   From evict (the last reference) or at exit. */
static void release(struct ext4_sb *es, ext2_ino_t ino)
{
    struct ext2_inode_large d;
    struct linux_timespec now;
    if (es->ro || disk_read(es, ino, &d) || d.i_links_count)
        return;
    int dir = LINUX_S_ISDIR(d.i_mode);
    if (ext2fs_inode_has_valid_blocks2(es->fs, (struct ext2_inode *)&d))
        ext2fs_punch(es->fs, ino, (struct ext2_inode *)&d, NULL, 0, ~0ULL);
    vfs_now(&now);
    d.i_dtime = (uint32_t)now.tv_sec;
    disk_write(es, ino, &d);
    ext2fs_inode_alloc_stats2(es->fs, ino, -1, dir);
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
    if (inode->nlink == 0) /* unlinked while in use: now it can go */
        release(es, (ext2_ino_t)inode->ino);
}

/* ---- names ---- */

static int ft_of(uint32_t mode)
{
    switch (mode & LINUX_S_IFMT) {
    case LINUX_S_IFREG: return EXT2_FT_REG_FILE;
    case LINUX_S_IFDIR: return EXT2_FT_DIR;
    case LINUX_S_IFCHR: return EXT2_FT_CHRDEV;
    case LINUX_S_IFBLK: return EXT2_FT_BLKDEV;
    case LINUX_S_IFIFO: return EXT2_FT_FIFO;
    case LINUX_S_IFSOCK: return EXT2_FT_SOCK;
    case LINUX_S_IFLNK: return EXT2_FT_SYMLINK;
    default: return EXT2_FT_UNKNOWN;
    }
}

/* ext2fs_link, growing the directory when it is full. */
static errcode_t link_in(ext2_filsys fs, ext2_ino_t dir, const char *name,
                         ext2_ino_t ino, int ft)
{
    errcode_t e = ext2fs_link(fs, dir, name, ino, ft);
    if (e == EXT2_ET_DIR_NO_SPACE && !(e = ext2fs_expand_dir(fs, dir)))
        e = ext2fs_link(fs, dir, name, ino, ft);
    return e;
}

/* A new regular file, device or special node (create_inode.c's way). */
static long new_node(struct ext4_sb *es, ext2_ino_t dir, const char *name,
                     uint32_t mode, uint64_t rdev, ext2_ino_t *out)
{
    ext2_filsys fs = es->fs;
    ext2_ino_t ino;
    errcode_t e = ext2fs_new_inode(fs, dir, (int)mode, NULL, &ino);
    if (!e)
        e = link_in(fs, dir, name, ino, ft_of(mode));
    if (e)
        return ext_err(e);
    ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
    struct ext2_inode_large d;
    memset(&d, 0, sizeof(d));
    d.i_mode = (uint16_t)mode;
    d.i_links_count = 1;
    uint32_t major = (uint32_t)(rdev >> 8), minor = (uint32_t)(rdev & 0xff);
    if (LINUX_S_ISCHR(mode) || LINUX_S_ISBLK(mode)) {
        if (major < 256 && minor < 256)
            d.i_block[0] = major * 256 + minor;
        else
            d.i_block[1] =
                (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
    }
    if (LINUX_S_ISREG(mode) && ext2fs_has_feature_extents(fs->super)) {
        ext2_extent_handle_t h;
        if (!ext2fs_extent_open2(fs, ino, (struct ext2_inode *)&d, &h))
            ext2fs_extent_free(h);
    }
    e = ext2fs_write_new_inode(fs, ino, (struct ext2_inode *)&d);
    *out = ino;
    return ext_err(e);
}

static long ext4_create(struct inode *dir, const char *name, uint32_t mode,
                        uint64_t rdev, const char *target, struct inode **out)
{
    struct ext4_sb *es = esb(dir);
    ext2_filsys fs = es->fs;
    ext2_ino_t ino, pino = (ext2_ino_t)dir->ino;
    errcode_t e;
    long r = 0;
    if (es->ro)
        return -EROFS;
    if (ext2fs_lookup(fs, pino, name, (int)strlen(name), NULL, &ino) == 0)
        return -EEXIST;
    if (s_isdir(mode)) {
        e = ext2fs_mkdir(fs, pino, 0, name);
        if (e == EXT2_ET_DIR_NO_SPACE && !(e = ext2fs_expand_dir(fs, pino)))
            e = ext2fs_mkdir(fs, pino, 0, name);
        r = ext_err(e);
    } else if (s_islnk(mode)) {
        e = ext2fs_symlink(fs, pino, 0, name, target);
        if (e == EXT2_ET_DIR_NO_SPACE && !(e = ext2fs_expand_dir(fs, pino)))
            e = ext2fs_symlink(fs, pino, 0, name, target);
        r = ext_err(e);
    } else {
        r = new_node(es, pino, name, mode, rdev, &ino);
    }
    if (r == 0 && (s_isdir(mode) || s_islnk(mode)))
        r = ext_err(
            ext2fs_lookup(fs, pino, name, (int)strlen(name), NULL, &ino));
    if (r)
        return r;
    /* owner, mode and times as the caller's */
    struct ext2_inode_large d;
    struct inode tmp = {
        .mode = mode, .uid = current_proc()->euid, .gid = current_proc()->egid};
    vfs_now(&tmp.mtime);
    tmp.atime = tmp.ctime = tmp.mtime;
    if ((r = disk_read(es, ino, &d)) == 0) {
        attrs_to_disk(&tmp, &d);
        r = disk_write(es, ino, &d);
    }
    touch(es, pino, 1);
    return r ? r : iget(dir->sb, ino, out);
}

static long ext4_link(struct inode *dir, const char *name, struct inode *target)
{
    struct ext4_sb *es = esb(dir);
    struct ext2_inode_large d;
    ext2_ino_t ino;
    if (es->ro)
        return -EROFS;
    if (ext2fs_lookup(es->fs, (ext2_ino_t)dir->ino, name, (int)strlen(name),
                      NULL, &ino) == 0)
        return -EEXIST;
    long r = disk_read(es, (ext2_ino_t)target->ino, &d);
    if (r == 0 && d.i_links_count >= 65000)
        r = -EMLINK;
    if (r == 0)
        r = ext_err(link_in(es->fs, (ext2_ino_t)dir->ino, name,
                            (ext2_ino_t)target->ino, ft_of(d.i_mode)));
    if (r == 0) {
        d.i_links_count++;
        r = disk_write(es, (ext2_ino_t)target->ino, &d);
        touch(es, (ext2_ino_t)target->ino, 2);
        touch(es, (ext2_ino_t)dir->ino, 1);
    }
    return r;
}

struct count {
    int n;
};

static int count_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
                    int offset, int blocksize, char *buf, void *priv)
{
    (void)dir, (void)de, (void)offset, (void)blocksize, (void)buf;
    if (entry != DIRENT_DOT_FILE && entry != DIRENT_DOT_DOT_FILE)
        ((struct count *)priv)->n++;
    return 0;
}

static bool dir_empty(ext2_filsys fs, ext2_ino_t ino)
{
    struct count c = {0};
    ext2fs_dir_iterate2(fs, ino, 0, NULL, count_cb, &c);
    return c.n == 0;
}

/* Drop the name `name` (inode ino, d) from dir and its link counts. */
static long drop_name(struct ext4_sb *es, ext2_ino_t dir, const char *name,
                      ext2_ino_t ino, struct ext2_inode_large *d)
{
    long r = ext_err(ext2fs_unlink(es->fs, dir, name, ino, 0));
    if (r)
        return r;
    if (LINUX_S_ISDIR(d->i_mode)) {
        d->i_links_count = 0;
        struct ext2_inode_large p;
        if (disk_read(es, dir, &p) == 0 && p.i_links_count > 1) {
            p.i_links_count--; /* the child's ".." */
            disk_write(es, dir, &p);
        }
    } else if (d->i_links_count) {
        d->i_links_count--;
    }
    r = disk_write(es, ino, d);
    touch(es, ino, 2);
    touch(es, dir, 1);
    return r;
}

static long ext4_unlink(struct inode *dir, const char *name, bool dir_only)
{
    struct ext4_sb *es = esb(dir);
    struct ext2_inode_large d;
    ext2_ino_t ino;
    if (es->ro)
        return -EROFS;
    long r = ext_err(ext2fs_lookup(es->fs, (ext2_ino_t)dir->ino, name,
                                   (int)strlen(name), NULL, &ino));
    if (r || (r = disk_read(es, ino, &d)))
        return r;
    bool isdir = LINUX_S_ISDIR(d.i_mode);
    if (dir_only && !isdir)
        return -ENOTDIR;
    if (!dir_only && isdir)
        return -EISDIR;
    if (isdir && !dir_empty(es->fs, ino))
        return -ENOTEMPTY;
    r = drop_name(es, (ext2_ino_t)dir->ino, name, ino, &d);
    /* no names left: the inode goes with its last user (evict) */
    struct inode *i;
    if (r == 0 && d.i_links_count == 0 && iget(dir->sb, ino, &i) == 0)
        inode_put(i); /* unused here: evict releases it now */
    return r;
}

/* Is a (an ext4 directory) an ancestor of, or, b? */
static bool ancestor(ext2_filsys fs, ext2_ino_t a, ext2_ino_t b)
{
    for (int depth = 0; depth < 4096; depth++) {
        if (b == a)
            return true;
        if (b == EXT2_ROOT_INO)
            return false;
        ext2_ino_t up;
        if (ext2fs_lookup(fs, b, "..", 2, NULL, &up) || up == b)
            return false;
        b = up;
    }
    return true;
}

struct dotdot {
    ext2_ino_t to;
};

static int dotdot_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
                     int offset, int blocksize, char *buf, void *priv)
{
    (void)dir, (void)offset, (void)blocksize, (void)buf;
    if (entry != DIRENT_DOT_DOT_FILE)
        return 0;
    de->inode = ((struct dotdot *)priv)->to;
    return DIRENT_CHANGED | DIRENT_ABORT;
}

struct swap {
    const char *name;
    ext2_ino_t ino;
    int ft;
};

static int swap_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
                   int offset, int blocksize, char *buf, void *priv)
{
    struct swap *sw = priv;
    (void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
    size_t len = (size_t)ext2fs_dirent_name_len(de);
    if (!de->inode || len != strlen(sw->name) ||
        memcmp(de->name, sw->name, len))
        return 0;
    de->inode = sw->ino;
    ext2fs_dirent_set_file_type(de, sw->ft);
    return DIRENT_CHANGED | DIRENT_ABORT;
}

/* Point dir's entry `name` at ino (of type ft). */
static long repoint(ext2_filsys fs, ext2_ino_t dir, const char *name,
                    ext2_ino_t ino, int ft)
{
    struct swap sw = {name, ino, ft};
    return ext_err(ext2fs_dir_iterate2(fs, dir, 0, NULL, swap_cb, &sw));
}

static void move_dotdot(struct ext4_sb *es, ext2_ino_t child, ext2_ino_t from,
                        ext2_ino_t to)
{
    struct dotdot dd = {to};
    struct ext2_inode_large p;
    ext2fs_dir_iterate2(es->fs, child, DIRENT_FLAG_INCLUDE_EMPTY, NULL,
                        dotdot_cb, &dd);
    if (disk_read(es, from, &p) == 0 && p.i_links_count > 1) {
        p.i_links_count--;
        disk_write(es, from, &p);
    }
    if (disk_read(es, to, &p) == 0) {
        p.i_links_count++;
        disk_write(es, to, &p);
    }
}

/* RENAME_EXCHANGE: the two entries trade inodes in place. */
static long exchange(struct ext4_sb *es, ext2_ino_t o, const char *oname,
                     ext2_ino_t n, const char *nname)
{
    ext2_filsys fs = es->fs;
    ext2_ino_t a, b;
    struct ext2_inode_large ad, bd;
    long r = ext_err(ext2fs_lookup(fs, o, oname, (int)strlen(oname), NULL, &a));
    if (r || (r = ext_err(
                  ext2fs_lookup(fs, n, nname, (int)strlen(nname), NULL, &b))))
        return r;
    if ((r = disk_read(es, a, &ad)) || (r = disk_read(es, b, &bd)))
        return r;
    if (a == b)
        return 0;
    if ((LINUX_S_ISDIR(ad.i_mode) && ancestor(fs, a, n)) ||
        (LINUX_S_ISDIR(bd.i_mode) && ancestor(fs, b, o)))
        return -EINVAL;
    if ((r = repoint(fs, o, oname, b, ft_of(bd.i_mode))) ||
        (r = repoint(fs, n, nname, a, ft_of(ad.i_mode))))
        return r;
    if (o != n && LINUX_S_ISDIR(ad.i_mode))
        move_dotdot(es, a, o, n);
    if (o != n && LINUX_S_ISDIR(bd.i_mode))
        move_dotdot(es, b, n, o);
    touch(es, a, 2);
    touch(es, b, 2);
    touch(es, o, 1);
    touch(es, n, 1);
    return 0;
}

static long ext4_rename(struct inode *odir, const char *oname,
                        struct inode *ndir, const char *nname, unsigned flags)
{
    struct ext4_sb *es = esb(odir);
    ext2_filsys fs = es->fs;
    ext2_ino_t o = (ext2_ino_t)odir->ino, n = (ext2_ino_t)ndir->ino, src, dst;
    struct ext2_inode_large sd, dd;
    if (es->ro)
        return -EROFS;
    if (flags & 2)
        return exchange(es, o, oname, n, nname);
    long r =
        ext_err(ext2fs_lookup(fs, o, oname, (int)strlen(oname), NULL, &src));
    if (r || (r = disk_read(es, src, &sd)))
        return r;
    bool sdir = LINUX_S_ISDIR(sd.i_mode);
    if (sdir && ancestor(fs, src, n))
        return -EINVAL;
    if (ext2fs_lookup(fs, n, nname, (int)strlen(nname), NULL, &dst) == 0) {
        if (dst == src)
            return 0;
        if (flags & 1)
            return -EEXIST;
        if ((r = disk_read(es, dst, &dd)))
            return r;
        bool ddir = LINUX_S_ISDIR(dd.i_mode);
        if (sdir && !ddir)
            return -ENOTDIR;
        if (!sdir && ddir)
            return -EISDIR;
        if (ddir && !dir_empty(fs, dst))
            return -ENOTEMPTY;
        if ((r = drop_name(es, n, nname, dst, &dd)))
            return r;
        struct inode *i;
        if (dd.i_links_count == 0 && iget(odir->sb, dst, &i) == 0)
            inode_put(i);
    }
    r = ext_err(link_in(fs, n, nname, src, ft_of(sd.i_mode)));
    if (r == 0)
        r = ext_err(ext2fs_unlink(fs, o, oname, src, 0));
    if (r == 0 && sdir && o != n)
        move_dotdot(es, src, o, n);
    touch(es, src, 2);
    touch(es, o, 1);
    touch(es, n, 1);
    return r;
}

static long ext4_truncate(struct inode *inode, int64_t size)
{
    struct ext4_sb *es = esb(inode);
    ext2_file_t file;
    if (es->ro)
        return -EROFS;
    errcode_t e = ext2fs_file_open(es->fs, (ext2_ino_t)inode->ino,
                                   EXT2_FILE_WRITE, &file);
    if (e)
        return ext_err(e);
    e = ext2fs_file_set_size2(file, (uint64_t)size);
    errcode_t c = ext2fs_file_close(file);
    touch(es, (ext2_ino_t)inode->ino, 1);
    return ext_err(e ? e : c);
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

/* getdents positions are byte offsets in the directory (block number *
   block size + offset), as Linux's: removing an entry moves no other, so
   a program that deletes while it reads (nftw) sees every entry once.
   Blocks are counted by their first entry, always at offset 0, which
   DIRENT_FLAG_INCLUDE_EMPTY reports even when it is unused. */
struct iter {
    struct dir_ctx *ctx;
    int64_t block;
    int last_offset;
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
    (void)dir, (void)entry, (void)buf;
    if (offset == 0 && it->last_offset >= 0)
        it->block++;
    it->last_offset = offset;
    int64_t cookie = it->block * blocksize + offset;
    if (!de->inode || cookie < it->ctx->pos)
        return 0;
    size_t len = (size_t)ext2fs_dirent_name_len(de);
    if (!it->ctx->emit(it->ctx, de->name, len, de->inode,
                       ft_to_dt(ext2fs_dirent_file_type(de))))
        return DIRENT_ABORT;
    it->ctx->pos = cookie + 1;
    return 0;
}

static long ext4_iterate(struct file *f, struct dir_ctx *ctx)
{
    struct iter it = {ctx, 0, -1};
    errcode_t e =
        ext2fs_dir_iterate2(esb(f->inode)->fs, (ext2_ino_t)f->inode->ino,
                            DIRENT_FLAG_INCLUDE_EMPTY, NULL, iter_cb, &it);
    return ext_err(e);
}

/* ---- regular files ---- */

static long ext4_open(struct inode *inode, struct file *f)
{
    if ((f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY && esb(inode)->ro)
        return -EROFS;
    return 0;
}

static long ext4_write(struct file *f, const void *buf, size_t len,
                       int64_t *pos)
{
    struct inode *inode = f->inode;
    struct ext4_sb *es = esb(inode);
    char *bounce = kmalloc(MIN(len, (size_t)BOUNCE));
    size_t done = 0;
    long err = 0;
    if (!bounce)
        return -ENOMEM;
    vfs_lock();
    ext2_file_t file = NULL;
    errcode_t e = ext2fs_file_open(es->fs, (ext2_ino_t)inode->ino,
                                   EXT2_FILE_WRITE, &file);
    if (e)
        err = ext_err(e);
    if (!err && (f->flags & LINUX_O_APPEND))
        *pos = inode->size;
    while (!err && done < len) {
        size_t n = MIN(len - done, (size_t)BOUNCE);
        unsigned wrote = 0;
        if (uaccess_copy(bounce, (const char *)buf + done, n) < 0) {
            err = -EFAULT;
            break;
        }
        e = ext2fs_file_llseek(file, (uint64_t)*pos, EXT2_SEEK_SET, NULL);
        if (!e)
            e = ext2fs_file_write(file, bounce, (unsigned)n, &wrote);
        done += wrote;
        *pos += wrote;
        if (e || wrote < n)
            err = e ? ext_err(e) : -ENOSPC;
    }
    if (file) {
        e = ext2fs_file_close(file); /* writes the data and the size */
        if (e && !err)
            err = ext_err(e);
    }
    if (done)
        touch(es, (ext2_ino_t)inode->ino, 1);
    vfs_unlock();
    kfree(bounce);
    return done ? (long)done : err;
}

/* Everything of this image to the host's disk: metadata, then fdatasync. */
static long sync_fs(struct ext4_sb *es)
{
    if (es->ro)
        return 0;
    errcode_t e = ext2fs_flush(es->fs); /* super, descriptors, bitmaps */
    if (!e)
        e = io_channel_flush(es->fs->io); /* and the host's fdatasync */
    return ext_err(e);
}

static long ext4_fsync(struct file *f)
{
    vfs_lock();
    long r = sync_fs(esb(f->inode));
    vfs_unlock();
    return r;
}

void ext4_sync_all(void)
{
    for (struct ext4_sb *es = all_sbs; es; es = es->next) {
        if (es->ro)
            continue;
        /* names unlinked while still open: nobody can use them after exit */
        for (int b = 0; b < BUCKETS; b++)
            for (struct inode *i = es->hash[b]; i;
                 i = ((struct ext4_info *)i->priv)->next)
                if (i->nlink == 0)
                    release(es, (ext2_ino_t)i->ino);
        sync_fs(es);
    }
}

/* Copy n zero bytes to dst (a hole or an unwritten extent). */
static long copy_zeros(char *dst, size_t n)
{
    static const char zeros[4096];
    for (size_t done = 0; done < n;) {
        size_t k = MIN(n - done, sizeof(zeros));
        if (uaccess_copy(dst + done, zeros, k) < 0)
            return -EFAULT;
        done += k;
    }
    return 0;
}

/* Read an extent-mapped file straight from the mapped image (the host's
   page cache) into the program's buffer: one extent lookup per extent,
   no bounce buffer, no hypercall. Returns the bytes copied, or -errno
   with nothing copied; *slow when the file needs libext2fs' own path
   (inline data, block maps, an image that could not be mapped). */
/* The extent handle of a file whose blocks can be used from the image's
   mapping: the image is mapped, and the file is extent-mapped, not inline
   data. false otherwise (the caller goes through libext2fs). The handle
   keeps pointing at *d, which must outlive it. */
static bool mapped_extents(struct ext4_sb *es, struct inode *inode,
                           struct ext2_inode_large *d, ext2_extent_handle_t *h)
{
    struct blk_chan *bc = es->fs->io->private_data;
    ext2_ino_t ino = (ext2_ino_t)inode->ino;
    return bc->map && !disk_read(es, ino, d) &&
           (d->i_flags & EXT4_EXTENTS_FL) &&
           !(d->i_flags & EXT4_INLINE_DATA_FL) &&
           !ext2fs_extent_open2(es->fs, ino, (struct ext2_inode *)d, h);
}

static long read_direct(struct inode *inode, char *buf, size_t len,
                        int64_t *pos, bool *slow)
{
    struct ext4_sb *es = esb(inode);
    struct blk_chan *bc = es->fs->io->private_data;
    struct ext2_inode_large d;
    ext2_extent_handle_t h;
    *slow = true;
    if (!mapped_extents(es, inode, &d, &h))
        return 0;
    *slow = false;
    uint64_t bs = es->fs->blocksize;
    size_t done = 0;
    long err = 0;
    while (done < len && *pos < inode->size) {
        uint64_t lblk = (uint64_t)*pos / bs, in = (uint64_t)*pos % bs;
        size_t want = MIN(len - done, (size_t)(inode->size - *pos)), n = 0;
        struct ext2fs_extent ex;
        errcode_t e = ext2fs_extent_goto(h, lblk);
        if (e == EXT2_ET_EXTENT_NOT_FOUND) { /* a hole: a block of zeros */
            n = MIN(want, (size_t)(bs - in));
            err = copy_zeros(buf + done, n);
        } else if (e || (e = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex))) {
            err = ext_err(e);
        } else {
            uint64_t left = (ex.e_lblk + ex.e_len - lblk) * bs - in;
            uint64_t at = (ex.e_pblk + (lblk - ex.e_lblk)) * bs + in;
            n = (size_t)MIN((uint64_t)want, left);
            if (ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT)
                err = copy_zeros(buf + done, n);
            else if (at > bc->map_len || n > bc->map_len - at)
                err = -EIO; /* an extent past the image's end */
            else if (uaccess_copy(buf + done, bc->map + at, n) < 0)
                err = -EFAULT;
        }
        if (err)
            break;
        done += n;
        *pos += (int64_t)n;
    }
    ext2fs_extent_free(h);
    return done ? (long)done : err;
}

static long ext4_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct inode *inode = f->inode;
    bool slow;
    vfs_lock();
    long r = read_direct(inode, buf, len, pos, &slow);
    vfs_unlock();
    if (!slow)
        return r;
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
    .create = ext4_create,
    .link = ext4_link,
    .unlink = ext4_unlink,
    .rename = ext4_rename,
    .readlink = ext4_readlink,
    .truncate = ext4_truncate,
};
static const struct file_ops ext4_dir_fops = {.iterate = ext4_iterate,
                                              .seekable = true};
/* mmap MAP_PRIVATE of a file: its blocks mapped copy-on-write straight
   from the image, so the host pages them in on demand and shares them
   between mappings (libraries cost no copy and no memory until touched).
   Holes, unwritten extents, pages past the end of the file and a last
   partial page are fresh pages (the last one filled from the file), as
   is everything when the blocks are not page-sized. */
static long ext4_map_private(struct inode *inode, uintptr_t addr, size_t len,
                             uint64_t off, int prot)
{
    vfs_lock();
    struct ext4_sb *es = esb(inode);
    struct blk_chan *bc = es->fs->io->private_data;
    struct ext2_inode_large d;
    ext2_extent_handle_t h;
    if (es->fs->blocksize != PAGE_SIZE || (off % PAGE_SIZE) ||
        !mapped_extents(es, inode, &d, &h)) {
        vfs_unlock();
        return -EOPNOTSUPP;
    }
    uint64_t size = (uint64_t)inode->size, npages = len / PAGE_SIZE;
    long err = 0;
    for (uint64_t i = 0; i < npages && !err;) {
        uint64_t at = off + i * PAGE_SIZE, lblk = at / PAGE_SIZE, run = 1;
        uintptr_t va = addr + i * PAGE_SIZE;
        struct ext2fs_extent ex;
        errcode_t e = at + PAGE_SIZE <= size ? ext2fs_extent_goto(h, lblk)
                                             : EXT2_ET_EXTENT_NOT_FOUND;
        if (!e && !ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex) &&
            !(ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT)) {
            uint64_t full = (size - at) / PAGE_SIZE; /* whole pages left */
            run = MIN(MIN(npages - i, ex.e_lblk + ex.e_len - lblk), full);
            uint64_t phys = (ex.e_pblk + (lblk - ex.e_lblk)) * PAGE_SIZE;
            if (phys > bc->map_len || run * PAGE_SIZE > bc->map_len - phys)
                err = -EIO; /* an extent past the image's end */
            else
                err =
                    host_mem_map_disk(va, run * PAGE_SIZE, prot, bc->fd, phys);
        } else if (e && e != EXT2_ET_EXTENT_NOT_FOUND) {
            err = ext_err(e);
        } else { /* a fresh page; the file's bytes in it, if any */
            err = host_mem_map(va, PAGE_SIZE,
                               LINUX_PROT_READ | LINUX_PROT_WRITE, 0);
            if (!err && at < size && at + PAGE_SIZE > size) {
                int64_t pos = (int64_t)at;
                bool slow;
                long n = read_direct(inode, (char *)va, size - at, &pos, &slow);
                err = slow || n < 0 ? -EIO : 0;
            }
            if (!err && prot != (LINUX_PROT_READ | LINUX_PROT_WRITE))
                err = host_mem_protect(va, PAGE_SIZE, prot);
        }
        i += run;
    }
    ext2fs_extent_free(h);
    vfs_unlock();
    return err ? -EOPNOTSUPP : 0;
}

/* A file that is one written extent is one run of the image: its bytes,
   in place (exec reads a program's headers without copying the file). */
static const void *ext4_direct(struct inode *inode)
{
    struct ext4_sb *es = esb(inode);
    struct blk_chan *bc = es->fs->io->private_data;
    struct ext2_inode_large d;
    ext2_extent_handle_t h;
    struct ext2fs_extent ex;
    const void *at = NULL;
    if (!mapped_extents(es, inode, &d, &h))
        return NULL;
    uint64_t bs = es->fs->blocksize, size = (uint64_t)inode->size;
    if (!ext2fs_extent_goto(h, 0) &&
        !ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex) && ex.e_lblk == 0 &&
        !(ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT) && ex.e_len * bs >= size &&
        ex.e_pblk * bs <= bc->map_len && size <= bc->map_len - ex.e_pblk * bs)
        at = bc->map + ex.e_pblk * bs;
    ext2fs_extent_free(h);
    return at;
}

static const struct file_ops ext4_file_fops = {
    .open = ext4_open,
    .read = ext4_read,
    .map_private = ext4_map_private,
    .direct = ext4_direct,
    .write = ext4_write,
    .fsync = ext4_fsync,
    .seekable = true,
};
static const struct super_ops ext4_sops = {.evict = ext4_evict,
                                           .write_inode = ext4_write_inode};

bool ext4_in_map(uintptr_t addr)
{
    for (struct ext4_sb *es = all_sbs; es; es = es->next) {
        const struct blk_chan *bc = es->fs->io->private_data;
        if (bc->map && addr - (uintptr_t)bc->map < bc->map_len)
            return true;
    }
    return false;
}

/* Mount the image on disk: its root inode (a new reference) in *root, or
   an error with a reason in why. vfs_lock held. */
long ext4_mount(const struct kdisk *disk, bool ro, struct inode **root,
                const char **why)
{
    char name[16];
    ext2_filsys fs;
    int fd = disk->fd;
    ksnprintf(name, sizeof(name), "%d", fd);
    int flags = EXT2_FLAG_64BITS | (ro ? 0 : EXT2_FLAG_RW);
    opening = disk;
    errcode_t e = ext2fs_open2(name, NULL, flags, 0, 0, &husk_io, &fs);
    opening = NULL;
    if (e) {
        *why = "not an ext2/3/4 filesystem, or a damaged one";
        return -EINVAL;
    }
    if (!ro && ext2fs_has_feature_journal_needs_recovery(fs->super)) {
        ext2fs_close_free(&fs);
        *why = "its journal needs recovery (run e2fsck on it first)";
        return -EINVAL;
    }
    if (!ro && (e = ext2fs_read_bitmaps(fs))) {
        ext2fs_close_free(&fs);
        *why = "damaged allocation bitmaps (run e2fsck on it)";
        return -EINVAL;
    }
    ((struct blk_chan *)fs->io->private_data)->max = fs->blocksize;
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
    es->ro = ro;
    es->next = all_sbs;
    all_sbs = es;
    sb->priv = es;
    sb->rdonly = ro;
    long r = iget(sb, EXT2_ROOT_INO, root);
    if (r == 0 && !s_isdir((*root)->mode)) {
        inode_put(*root);
        r = -ENOTDIR;
    }
    if (r)
        *why = "its root is not a readable directory";
    return r;
}
