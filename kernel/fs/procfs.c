/* SPDX-License-Identifier: MIT */
/* procfs.c: /proc, generated. Inodes are made fresh by each lookup (and
   freed with their last reference); a file's text is generated when it is
   opened and read from that snapshot, as Linux's seq files do.

   /proc: self -> 1, thread-self -> 1/task/1, 1/ (exe, cwd, root: links;
   fd/: a link per open fd; cmdline), mounts, uptime, version,
   filesystems. The rest of the list in the filesystem issue (maps,
   status, stat, cpuinfo, meminfo, ...) is still to come and gives ENOENT. */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "host/host.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "vfs.h"

enum pk {
    P_ROOT,
    P_SELF,
    P_THREAD_SELF,
    P_PID,
    P_EXE,
    P_CWD,
    P_ROOTLNK,
    P_FDDIR,
    P_FD,
    P_CMDLINE,
    P_MOUNTS,
    P_UPTIME,
    P_VERSION,
    P_FILESYSTEMS,
};

struct pnode {
    enum pk kind;
    int n; /* the fd of P_FD */
};

static const struct inode_ops proc_iops;
static long proc_readlink(struct inode *inode, char *buf, size_t size);
static struct inode *proc_root;
static const struct file_ops proc_dir_fops, proc_file_fops;
static struct super *proc_sb; /* and proc_root: one root for every mount */

static const struct {
    const char *name;
    enum pk kind;
    uint32_t mode;
} root_names[] =
    {
        {"self", P_SELF, LINUX_S_IFLNK | 0777},
        {"thread-self", P_THREAD_SELF, LINUX_S_IFLNK | 0777},
        {"1", P_PID, LINUX_S_IFDIR | 0555},
        {"mounts", P_MOUNTS, LINUX_S_IFREG | 0444},
        {"uptime", P_UPTIME, LINUX_S_IFREG | 0444},
        {"version", P_VERSION, LINUX_S_IFREG | 0444},
        {"filesystems", P_FILESYSTEMS, LINUX_S_IFREG | 0444},
},
  pid_names[] = {
      {"exe", P_EXE, LINUX_S_IFLNK | 0777},
      {"cwd", P_CWD, LINUX_S_IFLNK | 0777},
      {"root", P_ROOTLNK, LINUX_S_IFLNK | 0777},
      {"fd", P_FDDIR, LINUX_S_IFDIR | 0500},
      {"cmdline", P_CMDLINE, LINUX_S_IFREG | 0444},
};

static struct inode *pnew(enum pk kind, int n, uint32_t mode)
{
    struct inode *i = inode_new(proc_sb, mode);
    struct pnode *pn = i ? kmalloc(sizeof(*pn)) : NULL;
    if (!pn) {
        kfree(i);
        return NULL;
    }
    pn->kind = kind;
    pn->n = n;
    i->priv = pn;
    i->ino = ((uint64_t)kind << 32) + (uint64_t)n + 2; /* stable numbers */
    i->iops = &proc_iops;
    i->fops = s_isdir(mode)   ? &proc_dir_fops
              : s_isreg(mode) ? &proc_file_fops
                              : NULL;
    if (s_isdir(mode))
        i->nlink = 2;
    return i;
}

static enum pk kind_of(struct inode *i)
{
    return ((struct pnode *)i->priv)->kind;
}

static struct file *fd_file(int fd) { return fdt_get(current_proc()->fdt, fd); }

static long proc_lookup(struct inode *dir, const char *name, struct inode **out)
{
    enum pk k = kind_of(dir);
    struct inode *i = NULL;
    if (!strcmp(name, ".") || !strcmp(name, "..")) {
        /* ".." of a subdirectory: one level up, regenerated */
        if (!strcmp(name, ".") || k == P_ROOT)
            i = inode_get(dir);
        else
            i = k == P_FDDIR ? pnew(P_PID, 0, LINUX_S_IFDIR | 0555)
                             : inode_get(proc_root);
    } else if (k == P_ROOT || k == P_PID) {
        const __typeof__(root_names[0]) *t =
            k == P_ROOT ? root_names : pid_names;
        size_t n = k == P_ROOT ? ARRAY_SIZE(root_names) : ARRAY_SIZE(pid_names);
        for (size_t j = 0; j < n && !i; j++)
            if (!strcmp(t[j].name, name))
                i = pnew(t[j].kind, 0, t[j].mode);
        if (!i && k == P_ROOT)
            return -ENOENT;
    } else if (k == P_FDDIR) {
        const char *end;
        long fd = 0;
        for (end = name; *end >= '0' && *end <= '9'; end++)
            fd = fd * 10 + (*end - '0');
        struct file *f =
            *end || end == name || fd > (1 << 20) ? NULL : fd_file((int)fd);
        if (!f)
            return -ENOENT;
        uint32_t mode =
            LINUX_S_IFLNK |
            ((f->flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY   ? 0500
             : (f->flags & LINUX_O_ACCMODE) == LINUX_O_WRONLY ? 0300
                                                              : 0700);
        file_put(f);
        i = pnew(P_FD, (int)fd, mode);
    } else {
        return -ENOTDIR;
    }
    if (!i)
        return -ENOENT;
    *out = i;
    return 0;
}

/* The text of a link. */
struct inode *console_inode(int host_fd);

/* /proc/self/fd/N leads to the open file itself: its path, or for the
   console an inode that reopens the same host fd. Other files with no
   name (pipes, eventfd, epoll) cannot be reopened yet: ENXIO. */
static long proc_get_link(struct inode *inode, struct path *out)
{
    struct pnode *pn = inode->priv;
    if (pn->kind != P_FD) {
        char *tmp = kmalloc(LINUX_PATH_MAX);
        if (!tmp)
            return -ENOMEM;
        long n = proc_readlink(inode, tmp, LINUX_PATH_MAX - 1);
        long r = n;
        if (n >= 0) {
            tmp[n] = 0;
            struct path here = {root_mount, inode_get(proc_root)};
            for (struct mount *m = root_mount; m; m = m->next)
                if (m->root == proc_root)
                    here.mnt = m;
            r = path_lookup_at(pn->kind == P_SELF || pn->kind == P_THREAD_SELF
                                   ? &here
                                   : &current_proc()->root,
                               tmp, LOOKUP_FOLLOW, out);
            path_put(&here);
        }
        kfree(tmp);
        return r;
    }
    struct file *f = fd_file(pn->n);
    if (!f)
        return -ENOENT;
    long r = 0;
    int hfd;
    bool console_host_fd(struct file * f, int *host_fd);
    if (f->inode && f->mnt) {
        out->mnt = f->mnt;
        out->inode = inode_get(f->inode);
    } else if (console_host_fd(f, &hfd) && (out->inode = console_inode(hfd))) {
        out->mnt = root_mount;
    } else {
        r = -ENXIO;
    }
    file_put(f);
    return r;
}

static long proc_readlink(struct inode *inode, char *buf, size_t size)
{
    struct pnode *pn = inode->priv;
    struct proc *p = current_proc();
    char *tmp = kmalloc(LINUX_PATH_MAX);
    long n;
    if (!tmp)
        return -ENOMEM;
    switch (pn->kind) {
    case P_SELF: n = ksnprintf(tmp, LINUX_PATH_MAX, "%d", p->pid); break;
    case P_THREAD_SELF:
        n = ksnprintf(tmp, LINUX_PATH_MAX, "%d/task/%d", p->pid,
                      current()->tid);
        break;
    case P_EXE: n = ksnprintf(tmp, LINUX_PATH_MAX, "%s", p->exe); break;
    case P_CWD: n = path_name(&p->cwd, tmp, LINUX_PATH_MAX) - 1; break;
    case P_ROOTLNK: n = path_name(&p->root, tmp, LINUX_PATH_MAX) - 1; break;
    case P_FD: {
        struct file *f = fd_file(pn->n);
        if (!f) {
            n = -ENOENT;
        } else if (f->inode && f->mnt) {
            struct path fp = {f->mnt, f->inode};
            n = path_name(&fp, tmp, LINUX_PATH_MAX) - 1;
        } else if (f->inode) {
            n = ksnprintf(tmp, LINUX_PATH_MAX, "/memfd: (deleted)");
        } else if (f->host_fd >= 0) {
            n = ksnprintf(tmp, LINUX_PATH_MAX, "/dev/console");
        } else {
            n = ksnprintf(tmp, LINUX_PATH_MAX, "anon_inode:[%s]",
                          f->ops->poll ? "eventpoll" : "pipe");
        }
        file_put(f);
        break;
    }
    default: n = -EINVAL;
    }
    if (n >= 0) {
        n = MIN(n, (long)size);
        memcpy(buf, tmp, (size_t)n);
    }
    kfree(tmp);
    return n;
}

/* ---- generated files ---- */

struct text {
    char *buf;
    size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = kvsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        char *nb = krealloc(t->buf, t->cap * 2 + (size_t)n);
        if (!nb)
            return;
        t->buf = nb;
        t->cap = t->cap * 2 + (size_t)n;
    }
}

static void gen(enum pk kind, struct text *t)
{
    struct proc *p = current_proc();
    struct linux_timespec now;
    switch (kind) {
    case P_CMDLINE: /* argv as given, NUL-separated: the tender kept it */
        put(t, "%s", p->comm);
        t->len++; /* the NUL */
        break;
    case P_MOUNTS:
        for (struct mount *m = root_mount; m; m = m->next) {
            struct path at = {m, m->root};
            char *name = kmalloc(LINUX_PATH_MAX);
            if (!name)
                return;
            if (path_name(&at, name, LINUX_PATH_MAX) < 0)
                strcpy(name, "?");
            put(t, "%s %s %s %s 0 0\n", m->sb->type, name, m->sb->type,
                m->rdonly ? "ro" : "rw");
            kfree(name);
        }
        break;
    case P_UPTIME:
        host_time_clock_gettime(1 /* MONOTONIC */, &now);
        {
            uint64_t ns = (uint64_t)now.tv_sec * 1000000000ULL +
                          (uint64_t)now.tv_nsec - kinfo.start_ns;
            put(t, "%lu.%02lu 0.00\n", (unsigned long)(ns / 1000000000ULL),
                (unsigned long)(ns / 10000000ULL % 100));
        }
        break;
    case P_VERSION:
        put(t, "%s version %s (husk) %s\n", kinfo.uts.sysname,
            kinfo.uts.release, kinfo.uts.version);
        break;
    case P_FILESYSTEMS:
        put(t, "nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tsysfs\n");
        break;
    default: break;
    }
}

static long proc_open(struct inode *inode, struct file *f)
{
    struct text *t = kzalloc(sizeof(*t));
    if (!t || !(t->buf = kmalloc(t->cap = 1024))) {
        kfree(t);
        return -ENOMEM;
    }
    vfs_lock();
    gen(kind_of(inode), t);
    vfs_unlock();
    f->priv = t;
    return 0;
}

static long proc_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct text *t = f->priv;
    if (*pos >= (int64_t)t->len)
        return 0;
    size_t n = MIN(len, t->len - (size_t)*pos);
    if (uaccess_copy(buf, t->buf + *pos, n) < 0)
        return -EFAULT;
    *pos += (int64_t)n;
    return (long)n;
}

static void proc_release(struct file *f)
{
    struct text *t = f->priv;
    if (t)
        kfree(t->buf);
    kfree(t);
}

/* ---- directories ---- */

static long proc_iterate(struct file *f, struct dir_ctx *ctx)
{
    enum pk k = kind_of(f->inode);
    int64_t i = ctx->pos;
    if (i == 0) {
        if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR))
            return 0;
        ctx->pos = ++i;
    }
    if (i == 1) {
        if (!ctx->emit(ctx, "..", 2, 1, DT_DIR))
            return 0;
        ctx->pos = ++i;
    }
    if (k == P_ROOT || k == P_PID) {
        const __typeof__(root_names[0]) *t =
            k == P_ROOT ? root_names : pid_names;
        size_t n = k == P_ROOT ? ARRAY_SIZE(root_names) : ARRAY_SIZE(pid_names);
        for (; (size_t)(i - 2) < n; i++) {
            const char *name = t[i - 2].name;
            if (!ctx->emit(ctx, name, strlen(name),
                           ((uint64_t)t[i - 2].kind << 32) + 2,
                           dt_type(t[i - 2].mode)))
                return 0;
            ctx->pos = i + 1;
        }
    } else if (k == P_FDDIR) {
        struct fdtable *fdt = current_proc()->fdt;
        for (; i - 2 < fdt->size; i++) {
            int fd = (int)(i - 2);
            struct file *fl = fd_file(fd);
            if (!fl)
                continue;
            file_put(fl);
            char name[16];
            int len = ksnprintf(name, sizeof(name), "%d", fd);
            if (!ctx->emit(ctx, name, (size_t)len,
                           ((uint64_t)P_FD << 32) + (uint64_t)fd + 2, DT_LNK))
                return 0;
            ctx->pos = i + 1;
        }
    }
    return 0;
}

static void proc_evict(struct inode *inode) { kfree(inode->priv); }

static const struct inode_ops proc_iops = {
    .lookup = proc_lookup,
    .readlink = proc_readlink,
    .get_link = proc_get_link,
};
static const struct file_ops proc_dir_fops = {.iterate = proc_iterate,
                                              .seekable = true};
static const struct file_ops proc_file_fops = {
    .open = proc_open,
    .read = proc_read,
    .release = proc_release,
    .seekable = true,
};
static const struct super_ops proc_sops = {.evict = proc_evict};

/* A /proc instance (they all show the same process). */
struct inode *procfs_create(void);
struct inode *procfs_create(void)
{
    if (!proc_sb) {
        proc_sb = super_create(&proc_sops, "proc");
        if (!proc_sb)
            return NULL;
        proc_root = pnew(P_ROOT, 0, LINUX_S_IFDIR | 0555);
        if (!proc_root)
            return NULL;
        proc_root->ino = 1;
    }
    return inode_get(proc_root);
}
