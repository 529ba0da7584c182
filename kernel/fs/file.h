/* SPDX-License-Identifier: MIT */
/* file.h: open file descriptions and the per-process fd table.

   A struct file is what Linux calls an open file description: dup'ed fds
   share it (offset, status flags). It is reference counted; fdt_get takes
   a reference that the caller drops with file_put. The only files today
   are the console (fds 0-2 at start); the filesystem issue adds the VFS
   behind the same ops.

   Locking: fdt->lock guards the fd array; a file's refcount is atomic. */
#ifndef HUSK_FILE_H
#define HUSK_FILE_H

#include "kernel.h"

#include "abi/linux/stat.h"

struct file;
struct inode;
struct mount;
struct dir_ctx;
struct path;

/* readiness, as poll(2) reports it */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLLRDHUP 0x2000

struct file_ops {
    /* Set up a file opened on an inode (devices pick their behaviour). */
    long (*open)(struct inode *inode, struct file *f);
    /* buf is kernel memory or a program range already checked to lie in
       the arena; touch it only through host calls or uaccess_copy, so
       that an unmapped page becomes -EFAULT. pos is the file offset to use
       and advance (&f->pos, or a pread/pwrite offset); unseekable files
       ignore it. */
    long (*read)(struct file *f, void *buf, size_t len, int64_t *pos);
    long (*write)(struct file *f, const void *buf, size_t len, int64_t *pos);
    /* fstat of a file with no inode (the console); inode files use
       inode_stat. */
    long (*stat)(struct file *f, struct linux_stat *st);
    long (*ioctl)(struct file *f, unsigned long req, uptr_t arg);
    /* What poll would report now; NULL means always readable and
       writable (regular files). *seq (if not NULL) gets a number that
       changes whenever the readiness may have changed (edge-triggered
       epoll reports an event once per change). */
    unsigned (*poll)(struct file *f, unsigned long *seq);
    /* Directories: emit entries from f->pos on (readdir.c). */
    long (*iterate)(struct file *f, struct dir_ctx *ctx);
    long (*fsync)(struct file *f);
    /* mmap MAP_PRIVATE without copying: map [addr, addr+len) from the
       file at off (page aligned) with prot, the host paging it in. 0, or
       -EOPNOTSUPP when the caller must copy instead. */
    long (*map_private)(struct inode *inode, uintptr_t addr, size_t len,
                        uint64_t off, int prot);
    /* The whole file's bytes in place, read-only (an image extent in the
       host's page cache), or NULL. vfs_lock held. */
    const void *(*direct)(struct inode *inode);
    void (*release)(struct file *f);
    bool seekable;         /* lseek, pread and pwrite make sense */
    const char *anon_name; /* /proc/self/fd shows anon_inode:NAME */
};

struct file {
    const struct file_ops *ops;
    int refs;
    unsigned flags;      /* O_ACCMODE and status flags, as F_GETFL shows */
    int host_fd;         /* console: the host fd it stands for */
    int64_t pos;         /* the offset, shared by dup'ed fds */
    struct inode *inode; /* a reference, or NULL (console, pipe ends) */
    struct mount *mnt;   /* where inode was found */
    struct path *named;  /* the directory it was opened in (or NULL) */
    char *name;          /* ... and its name there, for /proc/self/fd */
    void *priv;
    unsigned long event_seq; /* see poll: for files without their own */
};

/* A new file description with one reference (the caller's). */
struct file *file_alloc(const struct file_ops *ops, unsigned flags);
void file_get(struct file *f);
void file_put(struct file *f);

struct fdtable {
    struct spinlock lock;
    int size;
    struct file **files;
    uint8_t *cloexec;
};

struct fdtable *fdt_create(void);
/* A reference to the file at fd, or NULL (the caller says -EBADF). */
struct file *fdt_get(struct fdtable *t, int fd);
/* Install f (taking over the caller's reference) at the lowest free fd
   >= minfd and below limit; returns the fd or -EMFILE/-EINVAL. */
int fdt_install(struct fdtable *t, struct file *f, int minfd, int limit,
                bool cloexec);
/* Install at exactly fd, closing what was there (dup2). */
int fdt_install_at(struct fdtable *t, struct file *f, int fd, bool cloexec);
int fdt_close(struct fdtable *t, int fd);
/* execve: close every fd marked close-on-exec. */
void fdt_close_on_exec(struct fdtable *t);
int fdt_get_cloexec(struct fdtable *t, int fd);
int fdt_set_cloexec(struct fdtable *t, int fd, bool on);

/* read_write.c: copy in and check an iovec array of cnt entries (at
   most LINUX_IOV_MAX: -EINVAL); returns the total length (-EINVAL when
   it overflows ssize_t) and a kmalloc'ed copy in *out. */
struct linux_iovec;
long iov_in(uptr_t uiov, int cnt, struct linux_iovec **out);

/* console.c: the file for host fd 0, 1 or 2 */
struct file *console_open(int host_fd);

#endif
