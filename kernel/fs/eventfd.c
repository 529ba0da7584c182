/* SPDX-License-Identifier: MIT */
/* eventfd.c: eventfd(2): a 64-bit counter that writes add to and reads
   take (all of it, or one with EFD_SEMAPHORE). */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "wait.h"

#define EFD_SEMAPHORE 1
#define EFD_MAX 0xfffffffffffffffeULL

int nofile_limit(void);

struct efd {
    struct spinlock lock;
    uint64_t count;
    bool semaphore;
    unsigned long seq;
};

static unsigned efd_poll(struct file *f, unsigned long *seq)
{
    struct efd *e = f->priv;
    spin_lock(&e->lock);
    unsigned m = (e->count ? POLLIN | POLLRDNORM : 0) |
                 (e->count < EFD_MAX ? POLLOUT | POLLWRNORM : 0);
    if (seq)
        *seq = e->seq;
    spin_unlock(&e->lock);
    return m;
}

static long efd_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct efd *e = f->priv;
    (void)pos;
    if (len < 8)
        return -EINVAL;
    for (;;) {
        spin_lock(&e->lock);
        if (e->count) {
            uint64_t v = e->semaphore ? 1 : e->count;
            e->count -= v;
            e->seq++;
            kevent_post();
            spin_unlock(&e->lock);
            if (uaccess_copy(buf, &v, 8) < 0) {
                spin_lock(&e->lock); /* give it back */
                e->count += v;
                spin_unlock(&e->lock);
                return -EFAULT;
            }
            return 8;
        }
        spin_unlock(&e->lock);
        if (f->flags & LINUX_O_NONBLOCK)
            return -EAGAIN;
        long r = wait_file(f, POLLIN);
        if (r)
            return r;
    }
}

static long efd_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
    struct efd *e = f->priv;
    uint64_t v;
    (void)pos;
    if (len < 8)
        return -EINVAL;
    if (uaccess_copy(&v, buf, 8) < 0)
        return -EFAULT;
    if (v == ~0ULL)
        return -EINVAL;
    for (;;) {
        spin_lock(&e->lock);
        if (EFD_MAX - e->count >= v) {
            e->count += v;
            e->seq++;
            kevent_post();
            spin_unlock(&e->lock);
            return 8;
        }
        spin_unlock(&e->lock);
        if (f->flags & LINUX_O_NONBLOCK)
            return -EAGAIN;
        long r = wait_file(f, POLLOUT);
        if (r)
            return r;
    }
}

static void efd_release(struct file *f) { kfree(f->priv); }

static const struct file_ops efd_fops = {
    .read = efd_read,
    .write = efd_write,
    .poll = efd_poll,
    .release = efd_release,
    .anon_name = "[eventfd]",
};

static long do_eventfd(unsigned count, int flags)
{
    if (flags & ~(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | EFD_SEMAPHORE))
        return -EINVAL;
    struct efd *e = kzalloc(sizeof(*e));
    struct file *f =
        e ? file_alloc(&efd_fops, LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK))
          : NULL;
    if (!f) {
        kfree(e);
        return -ENOMEM;
    }
    e->count = count;
    e->semaphore = flags & EFD_SEMAPHORE;
    f->priv = e;
    long r = fdt_install(current_proc()->fdt, f, 0, nofile_limit(),
                         flags & LINUX_O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

SYSCALL_DEFINE2(eventfd2, unsigned, count, int, flags)
{
    return do_eventfd(count, flags);
}

SYSCALL_DEFINE1(eventfd, unsigned, count) { return do_eventfd(count, 0); }
