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

struct file_ops {
    /* buf is kernel memory or a program range already checked to lie in
       the arena; touch it only through host calls or uaccess_copy, so
       that an unmapped page becomes -EFAULT. */
    long (*read)(struct file *f, void *buf, size_t len);
    long (*write)(struct file *f, const void *buf, size_t len);
    long (*stat)(struct file *f, struct linux_stat *st);
    long (*ioctl)(struct file *f, unsigned long req, uptr_t arg);
    void (*release)(struct file *f);
};

struct file {
    const struct file_ops *ops;
    int refs;
    unsigned flags; /* O_ACCMODE and status flags, as F_GETFL shows them */
    int host_fd;    /* console: the host fd it stands for */
};

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
int fdt_get_cloexec(struct fdtable *t, int fd);
int fdt_set_cloexec(struct fdtable *t, int fd, bool on);

/* console.c: the file for host fd 0, 1 or 2 */
struct file *console_open(int host_fd);

#endif
