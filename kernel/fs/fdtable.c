/* SPDX-License-Identifier: MIT */
/* fdtable.c: file descriptions and the fd table (see file.h). */
#include "file.h"
#include "vfs.h"

void locks_on_close(struct file *f);
void locks_on_release(struct file *f);
void epoll_forget(struct file *f);

struct file *file_alloc(const struct file_ops *ops, unsigned flags)
{
    struct file *f = kzalloc(sizeof(*f));
    if (f) {
        f->ops = ops;
        f->refs = 1;
        f->flags = flags;
        f->host_fd = -1;
    }
    return f;
}

void file_get(struct file *f)
{
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
    if (f && __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        epoll_forget(f);
        locks_on_release(f);
        if (f->ops->release)
            f->ops->release(f);
        inode_put(f->inode);
        if (f->named) {
            path_put(f->named);
            kfree(f->named);
        }
        kfree(f->name);
        kfree(f);
    }
}

struct fdtable *fdt_create(void) { return kzalloc(sizeof(struct fdtable)); }

/* Make room for fd; called with the lock held. */
static int fdt_grow_locked(struct fdtable *t, int fd)
{
    if (fd < t->size)
        return 0;
    int size = MAX(64, t->size);
    while (size <= fd)
        size *= 2;
    struct file **files = krealloc(t->files, size * sizeof(*files));
    if (!files)
        return -ENOMEM;
    t->files = files;
    uint8_t *ce = krealloc(t->cloexec, size);
    if (!ce)
        return -ENOMEM;
    t->cloexec = ce;
    memset(files + t->size, 0, (size - t->size) * sizeof(*files));
    memset(ce + t->size, 0, size - t->size);
    t->size = size;
    return 0;
}

struct file *fdt_get(struct fdtable *t, int fd)
{
    struct file *f = NULL;
    spin_lock(&t->lock);
    if (fd >= 0 && fd < t->size && (f = t->files[fd]))
        file_get(f);
    spin_unlock(&t->lock);
    return f;
}

int fdt_install(struct fdtable *t, struct file *f, int minfd, int limit,
                bool cloexec)
{
    if (minfd < 0 || minfd >= limit)
        return -EINVAL;
    spin_lock(&t->lock);
    int fd = minfd;
    while (fd < t->size && t->files[fd])
        fd++;
    int r = fd >= limit ? -EMFILE : fdt_grow_locked(t, fd);
    if (r == 0) {
        t->files[fd] = f;
        t->cloexec[fd] = cloexec;
        r = fd;
    }
    spin_unlock(&t->lock);
    return r;
}

int fdt_install_at(struct fdtable *t, struct file *f, int fd, bool cloexec)
{
    spin_lock(&t->lock);
    int r = fdt_grow_locked(t, fd);
    struct file *old = NULL;
    if (r == 0) {
        old = t->files[fd];
        t->files[fd] = f;
        t->cloexec[fd] = cloexec;
        r = fd;
    }
    spin_unlock(&t->lock);
    if (old)
        locks_on_close(old);
    file_put(old);
    return r;
}

int fdt_close(struct fdtable *t, int fd)
{
    struct file *f = NULL;
    spin_lock(&t->lock);
    if (fd >= 0 && fd < t->size) {
        f = t->files[fd];
        t->files[fd] = NULL;
    }
    spin_unlock(&t->lock);
    if (!f)
        return -EBADF;
    locks_on_close(f);
    file_put(f);
    return 0;
}

int fdt_get_cloexec(struct fdtable *t, int fd)
{
    spin_lock(&t->lock);
    int r = fd >= 0 && fd < t->size && t->files[fd] ? t->cloexec[fd] : -EBADF;
    spin_unlock(&t->lock);
    return r;
}

int fdt_set_cloexec(struct fdtable *t, int fd, bool on)
{
    spin_lock(&t->lock);
    int r = -EBADF;
    if (fd >= 0 && fd < t->size && t->files[fd]) {
        t->cloexec[fd] = on;
        r = 0;
    }
    spin_unlock(&t->lock);
    return r;
}

void fdt_close_on_exec(struct fdtable *t)
{
    for (int fd = 0;; fd++) {
        spin_lock(&t->lock);
        if (fd >= t->size) {
            spin_unlock(&t->lock);
            return;
        }
        bool close = t->files[fd] && t->cloexec[fd];
        spin_unlock(&t->lock);
        if (close)
            fdt_close(t, fd);
    }
}
