/* SPDX-License-Identifier: MIT */
/* devfs.c: /dev, a tmpfs holding device nodes, and the character devices
   behind them: null (1,3), zero (1,5), full (1,7), random (1,8), urandom
   (1,9), tty (5,0) and console (5,1). Opening a character device node
   picks the device's file operations by its rdev, as Linux's chrdev_open;
   a node whose device husk does not have gives ENXIO. */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "host/host.h"
#include "syscall/uaccess.h"
#include "tmpfs.h"
#include "vfs.h"

#define MKDEV(ma, mi) (((uint64_t)(ma) << 8) | (mi))

static long null_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    (void)f, (void)buf, (void)len, (void)pos;
    return 0;
}

static long null_write(struct file *f, const void *buf, size_t len,
                       int64_t *pos)
{
    (void)f, (void)buf, (void)pos;
    return (long)len;
}

static long zero_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    static const char zeros[4096];
    size_t done = 0;
    (void)f, (void)pos;
    while (done < len) {
        size_t n = MIN(len - done, sizeof(zeros));
        if (uaccess_copy((char *)buf + done, zeros, n) < 0)
            return done ? (long)done : -EFAULT;
        done += n;
    }
    return (long)done;
}

static long full_write(struct file *f, const void *buf, size_t len,
                       int64_t *pos)
{
    (void)f, (void)buf, (void)len, (void)pos;
    return -ENOSPC;
}

static long random_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    unsigned char chunk[256];
    size_t done = 0;
    (void)f, (void)pos;
    while (done < len) {
        long n = host_cpu_random(chunk, MIN(len - done, sizeof(chunk)), 0);
        if (n <= 0)
            return done ? (long)done : (n ? n : -EIO);
        if (uaccess_copy((char *)buf + done, chunk, (size_t)n) < 0)
            return done ? (long)done : -EFAULT;
        done += (size_t)n;
    }
    return (long)done;
}

static const struct file_ops null_fops = {
    .read = null_read, .write = null_write, .seekable = true};
static const struct file_ops zero_fops = {
    .read = zero_read, .write = null_write, .seekable = true};
static const struct file_ops full_fops = {
    .read = zero_read, .write = full_write, .seekable = true};
static const struct file_ops random_fops = {.read = random_read,
                                            .write = null_write};

extern const struct file_ops console_tty_fops;

static const struct {
    uint64_t rdev;
    const char *name;
    const struct file_ops *fops;
} devices[] = {
    {MKDEV(1, 3), "null", &null_fops},
    {MKDEV(1, 5), "zero", &zero_fops},
    {MKDEV(1, 7), "full", &full_fops},
    {MKDEV(1, 8), "random", &random_fops},
    {MKDEV(1, 9), "urandom", &random_fops},
    {MKDEV(5, 0), "tty", &console_tty_fops},
    {MKDEV(5, 1), "console", &console_tty_fops},
};

/* mmap of /dev/zero is anonymous memory (mmap.c asks). */
bool file_is_dev_zero(struct file *f);
bool file_is_dev_zero(struct file *f) { return f->ops == &zero_fops; }

static long chrdev_open(struct inode *inode, struct file *f)
{
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
        if (devices[i].rdev == inode->rdev) {
            f->ops = devices[i].fops;
            return f->ops->open ? f->ops->open(inode, f) : 0;
        }
    return -ENXIO;
}

const struct file_ops chrdev_fops = {.open = chrdev_open};

/* The /dev tree. The caller holds vfs_lock. */
struct inode *devfs_create(void);
struct inode *devfs_create(void)
{
    struct inode *root = tmpfs_new_root("devtmpfs", 0755), *n;
    if (!root)
        return NULL;
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
        if (root->iops->create(root, devices[i].name, LINUX_S_IFCHR | 0666,
                               devices[i].rdev, NULL, &n) == 0)
            inode_put(n);
    }
    static const char *const links[][2] = {
        {"fd", "/proc/self/fd"},
        {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(links); i++)
        if (root->iops->create(root, links[i][0], LINUX_S_IFLNK | 0777, 0,
                               links[i][1], &n) == 0)
            inode_put(n);
    if (root->iops->create(root, "shm", LINUX_S_IFDIR | 01777, 0, NULL, &n) ==
        0)
        inode_put(n);
    if (root->iops->create(root, "pts", LINUX_S_IFDIR | 0755, 0, NULL, &n) == 0)
        inode_put(n);
    return root;
}
