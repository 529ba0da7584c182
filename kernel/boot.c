/* SPDX-License-Identifier: MIT */
/* boot.c: the first process and thread, and the jump into the program. */
#include "boot.h"

#include "abi/linux/fcntl.h"
#include "arch/x86_64/kcpu.h"
#include "fs/file.h"
#include "kernel.h"
#include "mm/mm.h"
#include "net/net.h"
#include "syscall/uaccess.h"
#include "fs/tmpfs.h"
#include "task/task.h"

void husk_enter_program(uintptr_t entry, uintptr_t sp);
long husk_call_on_stack(long (*fn)(void *), void *arg, void *top);
struct inode *fs_create(const char *type);
#include "fs/ext4.h"

/* The first thread's kernel stack, for husk_enter_program. */
struct kcpu *husk_kstack_base;

static void set_limits(struct proc *p, uint64_t mem)
{
    for (int i = 0; i < LINUX_RLIM_NLIMITS; i++)
        p->rlim[i].rlim_cur = p->rlim[i].rlim_max = LINUX_RLIM_INFINITY;
    p->rlim[LINUX_RLIMIT_STACK].rlim_cur = 8 << 20;
    p->rlim[LINUX_RLIMIT_CORE].rlim_cur = 0;
    p->rlim[LINUX_RLIMIT_NOFILE].rlim_cur = 1024;
    p->rlim[LINUX_RLIMIT_NOFILE].rlim_max = 1 << 20;
    p->rlim[LINUX_RLIMIT_MEMLOCK].rlim_cur = 8 << 20;
    p->rlim[LINUX_RLIMIT_MEMLOCK].rlim_max = 8 << 20;
    p->rlim[LINUX_RLIMIT_NPROC].rlim_cur =
        p->rlim[LINUX_RLIMIT_NPROC].rlim_max = 4096;
    p->rlim[LINUX_RLIMIT_SIGPENDING].rlim_cur = 4096;
    p->rlim[LINUX_RLIMIT_SIGPENDING].rlim_max = 4096;
    p->rlim[LINUX_RLIMIT_MSGQUEUE].rlim_cur = 819200;
    p->rlim[LINUX_RLIMIT_MSGQUEUE].rlim_max = 819200;
    p->rlim[LINUX_RLIMIT_NICE].rlim_cur = p->rlim[LINUX_RLIMIT_NICE].rlim_max =
        0;
    p->rlim[LINUX_RLIMIT_RTPRIO].rlim_cur =
        p->rlim[LINUX_RLIMIT_RTPRIO].rlim_max = 0;
    p->rlim[LINUX_RLIMIT_AS].rlim_cur = p->rlim[LINUX_RLIMIT_AS].rlim_max = mem;
}

static void set_uts(const struct kboot *b)
{
    struct linux_utsname *u = &kinfo.uts;
    memset(u, 0, sizeof(*u));
    strcpy(u->sysname, "Linux");
    strncpy(u->nodename, b->cfg->hostname, sizeof(u->nodename) - 1);
    strncpy(u->release, b->release, sizeof(u->release) - 1);
    strncpy(u->version, b->version, sizeof(u->version) - 1);
    strcpy(u->machine, "x86_64");
    strcpy(u->domainname, "(none)");
}

/* mkdir -p name below the root (at boot; the caller holds vfs_lock). The
   last directory reached is returned as *out. */
static long mkdir_p(const char *name, uint32_t mode, struct path *out)
{
    struct path cur = current_proc()->root;
    inode_get(cur.inode);
    char comp[NAME_MAX + 1];
    for (const char *s = name; *s;) {
        while (*s == '/')
            s++;
        size_t n = strcspn(s, "/");
        if (!n)
            break;
        if (n > NAME_MAX) {
            path_put(&cur);
            return -ENAMETOOLONG;
        }
        memcpy(comp, s, n);
        comp[n] = 0;
        s += n;
        struct inode *next;
        long r = cur.inode->iops->lookup(cur.inode, comp, &next);
        if (r == -ENOENT)
            r = cur.inode->iops->create
                    ? cur.inode->iops->create(
                          cur.inode, comp, LINUX_S_IFDIR | mode, 0, NULL, &next)
                    : -EROFS;
        if (r) {
            path_put(&cur);
            return r;
        }
        inode_put(cur.inode);
        cur.inode = next;
        if (!s_isdir(next->mode)) {
            path_put(&cur);
            return -ENOTDIR;
        }
        struct mount *m;
        while ((m = mount_at(cur.mnt, cur.inode))) {
            inode_put(cur.inode);
            cur.mnt = m;
            cur.inode = inode_get(m->root);
        }
    }
    *out = cur;
    return 0;
}

/* The namespace: a tmpfs root (until there is a rootfs image) with /tmp,
   /run, /dev (and /dev/shm), /proc and /sys mounted, and the cwd made if
   missing (as runc does). Runs on the kernel stack. */
/* The program's own file, visible inside at its path (so /proc/self/exe
   and the maps name a real file). The caller holds vfs_lock. */
static void place_exe(const struct kboot *b, struct proc *p)
{
    char dir[LINUX_PATH_MAX];
    const char *slash = strrchr(b->exe, '/');
    if (!b->exe_data || !slash || b->exe[0] != '/' ||
        slash - b->exe >= (long)sizeof(dir))
        return;
    memcpy(dir, b->exe, (size_t)(slash - b->exe));
    dir[slash - b->exe] = 0;
    struct path at;
    if (mkdir_p(dir, 0755, &at))
        return;
    struct inode *blob =
        at.inode->iops->link
            ? tmpfs_new_blob(at.inode->sb, b->exe_data, b->exe_size, 0755)
            : NULL;
    if (blob) {
        blob->nlink = 0; /* link adds the one name */
        if (at.inode->iops->link(at.inode, slash + 1, blob) == 0)
            p->exe_inode = inode_get(blob);
        inode_put(blob);
    }
    path_put(&at);
}

static long boot_fs(void *arg)
{
    const struct kboot *b = arg;
    const struct husk_config *cfg = b->cfg;
    struct proc *p = current_proc();
    static const struct {
        const char *at, *type;
    } mounts[] = {
        {"/tmp", "tmpfs"},     {"/run", "tmpfs"}, {"/dev", "devtmpfs"},
        {"/dev/shm", "tmpfs"}, {"/proc", "proc"}, {"/sys", "sysfs"},
    };
    long r = 0;
    vfs_lock();
    struct inode *root = NULL;
    if (b->root.fd >= 0) {
        const char *why = "";
        r = ext4_mount(&b->root, b->root_ro, &root, &why);
        if (r) {
            vfs_unlock();
            kprintf("husk: %s: %s\n", cfg->rootfs, why);
            return r;
        }
    } else {
        root = fs_create("tmpfs");
        if (root)
            root->mode = LINUX_S_IFDIR | 0755;
    }
    if (!root || mount_add(NULL, root->sb, root, root->sb->rdonly)) {
        vfs_unlock();
        return -ENOMEM;
    }
    p->root = (struct path){root_mount, root};
    inode_get(root);
    for (size_t i = 0; i < ARRAY_SIZE(mounts) && r == 0; i++) {
        struct path at;
        r = mkdir_p(mounts[i].at, 0755, &at);
        if (r && r != -ENOMEM) { /* a read-only image without that
                                    directory, or a non-directory there */
            r = 0;
            continue;
        }
        if (r == 0) {
            struct inode *fs = fs_create(mounts[i].type);
            r = fs ? mount_add(&at, fs->sb, fs, false) : -ENOMEM;
            inode_put(fs);
            path_put(&at);
        }
    }
    for (int d = 0; d < cfg->ndisks && r == 0; d++) {
        const struct husk_disk *k = &cfg->disks[d];
        struct path at;
        struct inode *droot;
        const char *why = "";
        r = mkdir_p(k->at, 0755, &at);
        if (r) {
            kprintf("husk: --disk %s: cannot make %s: %s\n", k->path, k->at,
                    errno_text(r));
            break;
        }
        r = ext4_mount(&b->disk[d], k->ro, &droot, &why);
        if (r == 0) {
            r = mount_add(&at, droot->sb, droot, k->ro);
            inode_put(droot);
        } else {
            kprintf("husk: --disk %s: %s\n", k->path, why);
        }
        path_put(&at);
    }
    if (r == 0)
        place_exe(b, p);
    if (r == 0) {
        r = mkdir_p(cfg->cwd, 0755, &p->cwd);
        if (r)
            kprintf("husk: --cwd %s: %s\n", cfg->cwd, errno_text(r));
    }
    inode_put(root);
    vfs_unlock();
    return r;
}

static int open_console(struct proc *p)
{
    for (int fd = 0; fd < 3; fd++) {
        struct file *f = console_open(fd);
        if (!f || fdt_install_at(p->fdt, f, fd, false) != fd)
            return -1;
    }
    return 0;
}

struct proc *kernel_boot(const struct kboot *b)
{
    const struct husk_config *cfg = b->cfg;
    kernel_trace = cfg->trace;
    kinfo.start_ns = b->start_ns;
    kinfo.mem_size = cfg->mem;
    kinfo.cpu_mask = b->cpu_mask ? b->cpu_mask : 1;
    kinfo.ncpu = __builtin_popcountll(kinfo.cpu_mask);
    memcpy(kinfo.clock_res, b->clock_res, sizeof(kinfo.clock_res));
    kinfo.hwcap = b->hwcap;
    kinfo.hwcap2 = b->hwcap2;
    kinfo.minsigstksz = b->minsigstksz;
    kinfo.vdso = b->vdso;
    if (b->cpuinfo && (kinfo.cpuinfo = kmalloc(strlen(b->cpuinfo) + 1)))
        strcpy(kinfo.cpuinfo, b->cpuinfo);
    set_uts(b);
    net_boot(b);

    struct proc *p = kzalloc(sizeof(*p));
    struct task *t = kzalloc(sizeof(*t));
    if (!p || !t)
        return NULL;
    p->pid = p->pgid = p->sid = 1;
    p->ppid = 0;
    p->uid = p->euid = p->suid = cfg->uid;
    p->gid = p->egid = p->sgid = cfg->gid;
    p->umask = 022;
    p->dumpable = 1;
    strncpy(p->exe, b->exe, sizeof(p->exe) - 1);
    const char *base = strrchr(cfg->argv[0], '/');
    strncpy(p->comm, base ? base + 1 : cfg->argv[0], sizeof(p->comm) - 1);
    set_limits(p, cfg->mem);
    for (int k = 0; k < cfg->nrlimits; k++) {
        const struct husk_rlimit *l = &cfg->rlimits[k];
        if (l->resource >= 0 && l->resource < LINUX_RLIM_NLIMITS &&
            l->resource != LINUX_RLIMIT_AS) { /* AS is --mem's */
            p->rlim[l->resource].rlim_cur = l->cur;
            p->rlim[l->resource].rlim_max = l->max;
        }
    }
    p->fdt = fdt_create();
    if (!p->fdt || open_console(p) < 0)
        return NULL;
    t->tid = 1;
    t->proc = p;
    p->threads = t;
    p->nthreads = 1;
    p->next_tid = 2;

    struct kcpu *k = b->kstack;
    husk_kstack_base = k;
    k->kernel_fs = __builtin_ia32_rdfsbase64();
    k->task = t;
    t->kcpu = k;
    k->canary = 0x6875736b6b637075ULL;
    if (husk_call_on_stack(boot_fs, (void *)(uintptr_t)b,
                           (char *)b->kstack + KSTACK_SIZE))
        return NULL;
    return p;
}

long kernel_set_arena(struct proc *p, uintptr_t lo, uintptr_t hi)
{
    p->mm = mm_create(lo, hi);
    if (!p->mm)
        return -ENOMEM;
    uaccess_lo = lo;
    uaccess_hi = hi;
    return 0;
}

/* ---- reading the program from the sandbox's filesystem ---- */

struct load_req {
    const char *name, *path_env;
    char *resolved; /* LINUX_PATH_MAX */
    void *data;
    size_t size;
    struct inode *inode; /* the program's file */
    bool no_data;        /* the checks and the inode only */
    bool want_direct;    /* the file's bytes in place, if the fs can */
    const void *direct;  /* out: they are here (not to be freed) */
    size_t max;          /* read at most this much (0: all) */
    size_t file_size;    /* out */
};

long do_open(int dfd, const char *name, int flags, uint32_t mode);

/* Read one candidate file whole; 0, or -ENOENT to try the next. */
static long read_candidate(const char *cand, struct load_req *q)
{
    struct path p;
    vfs_lock();
    long r = path_lookup(LINUX_AT_FDCWD, cand, LOOKUP_FOLLOW, &p);
    if (r == 0) {
        r = s_isdir(p.inode->mode)    ? -EISDIR
            : !s_isreg(p.inode->mode) ? -EACCES
                                      : inode_permission(p.inode, 1);
        path_put(&p);
    }
    vfs_unlock();
    if (r)
        return r;
    long fd =
        do_open(LINUX_AT_FDCWD, cand, LINUX_O_RDONLY | LINUX_O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    struct fdtable *t = current_proc()->fdt;
    struct file *f = fdt_get(t, (int)fd);
    size_t cap = f->inode && !q->no_data ? (size_t)f->inode->size : 0;
    q->file_size = f->inode ? (size_t)f->inode->size : 0;
    if (q->max && cap > q->max)
        cap = q->max;
    if (cap && q->want_direct && f->inode->fops && f->inode->fops->direct) {
        vfs_lock();
        q->direct = f->inode->fops->direct(f->inode);
        vfs_unlock();
        if (q->direct) {
            q->size = q->file_size; /* all of it, in place */
            cap = 0;                /* nothing to read */
        }
    }
    char *buf = kmalloc(cap ? cap : 1);
    int64_t pos = 0;
    r = buf ? 0 : -ENOMEM;
    while (r == 0 && (size_t)pos < cap) {
        long n = f->ops->read(f, buf + pos, cap - (size_t)pos, &pos);
        if (n <= 0)
            r = n ? n : -EIO;
    }
    if (r == 0) {
        q->inode = inode_get(f->inode);
        /* the file's own name, symlinks followed (what exe shows) */
        q->resolved[0] = 0;
        if (f->named && f->name) {
            vfs_lock();
            long n = path_name(f->named, q->resolved, LINUX_PATH_MAX);
            vfs_unlock();
            if (n > 0 && (size_t)n + strlen(f->name) + 1 < LINUX_PATH_MAX)
                ksnprintf(q->resolved + n - 1, LINUX_PATH_MAX - (size_t)n,
                          "%s%s", n > 2 ? "/" : "", f->name);
            else
                q->resolved[0] = 0;
        }
    }
    file_put(f);
    fdt_close(t, (int)fd);
    if (r) {
        kfree(buf);
        return r;
    }
    q->data = buf;
    if (!q->direct)
        q->size = cap;
    if (!q->resolved[0] && cand[0] == '/')
        strcpy(q->resolved, cand);
    else if (!q->resolved[0])
        ksnprintf(q->resolved, LINUX_PATH_MAX, "/%s", cand);
    return 0;
}

/* execvp's search: a name with a slash is a path; otherwise each PATH
   entry in turn, remembering EACCES over ENOENT. */
static long load_program(void *arg)
{
    struct load_req *q = arg;
    if (strchr(q->name, '/'))
        return read_candidate(q->name, q);
    const char *path = q->path_env ? q->path_env
                                   : "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                     "/usr/bin:/sbin:/bin";
    long err = -ENOENT;
    char *cand = kmalloc(LINUX_PATH_MAX);
    if (!cand)
        return -ENOMEM;
    for (const char *s = path;; s++) {
        const char *e = strchr(s, ':');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        size_t len = strlen(q->name);
        if (n + 1 + len < LINUX_PATH_MAX) {
            memcpy(cand, s, n);
            cand[n] = '/';
            memcpy(cand + n + 1, q->name, len + 1);
            long r = read_candidate(n ? cand : q->name, q);
            if (r == 0) {
                kfree(cand);
                return 0;
            }
            if (r != -ENOENT && r != -ENOTDIR)
                err = r;
        }
        if (!e)
            break;
        s = e;
    }
    kfree(cand);
    return err;
}

/* For exec.c: read the file at path (relative to the cwd) whole, if it
   may be executed; *inode gets a reference, resolved its absolute name. */
long exec_read_file(const char *path, void **data, size_t *size, size_t *avail,
                    bool *borrowed, struct inode **inode, char *resolved);
long exec_read_file(const char *path, void **data, size_t *size, size_t *avail,
                    bool *borrowed, struct inode **inode, char *resolved)
{
    struct load_req q = {path,  NULL,  resolved, NULL, 0, NULL,
                         false, false, NULL,     0,    0};
    q.no_data = !data;
    q.want_direct = borrowed != NULL;
    q.max = avail ? 64 * 1024 : 0; /* the headers; the rest on demand */
    long r = read_candidate(path, &q);
    if (r == 0) {
        if (data && q.direct) { /* only read: the cast keeps it so */
            kfree(q.data);
            *data = (void *)(uintptr_t)q.direct;
            *borrowed = true;
        } else if (data) {
            *data = q.data;
        } else {
            kfree(q.data);
        }
        if (size)
            *size = q.direct ? q.size : q.file_size;
        if (avail)
            *avail = q.size;
        *inode = q.inode;
    }
    return r == -EISDIR ? -EACCES : r; /* execve's answer for a directory */
}

long kernel_read_program(const struct kboot *b, const char *name,
                         const char *path_env, char *resolved, void **data,
                         size_t *size, size_t *file_size)
{
    struct load_req q = {name,  path_env, resolved, NULL, 0, NULL,
                         false, false,    NULL,     0,    0};
    q.max = 64 * 1024; /* enough to tell what it is and check its headers */
    long r =
        husk_call_on_stack(load_program, &q, (char *)b->kstack + KSTACK_SIZE);
    if (r == 0) {
        *data = q.data;
        *size = q.size;
        *file_size = q.file_size;
        struct proc *p = ((struct kcpu *)b->kstack)->task->proc;
        strncpy(p->exe, resolved, sizeof(p->exe) - 1);
        p->exe_inode = q.inode;
    }
    return r;
}

struct exec_req {
    const char *path, *execfn;
    const void *data; /* the program's bytes when already in memory */
    size_t size;
    const struct husk_config *cfg;
    uintptr_t entry, sp;
    char *err;
    size_t errlen;
};

static long exec_on_stack(void *arg)
{
    struct exec_req *x = arg;
    return exec_first(x->path, x->execfn, x->data, x->size, x->cfg->argv,
                      x->cfg->argc, x->cfg->envp, x->cfg->envc, &x->entry,
                      &x->sp, x->err, x->errlen);
}

long kernel_exec(const struct kboot *b, const char *path, uintptr_t *entry,
                 uintptr_t *sp, char *err, size_t errlen)
{
    struct exec_req x = {
        path, b->cfg->program, b->exe_data, b->exe_size, b->cfg, 0, 0,
        err,  errlen};
    long r =
        husk_call_on_stack(exec_on_stack, &x, (char *)b->kstack + KSTACK_SIZE);
    *entry = x.entry;
    *sp = x.sp;
    return r;
}

static long start_net(void *arg)
{
    (void)arg;
    net_start_if_configured();
    return 0;
}

void kernel_locked_down(const struct kboot *b)
{
    husk_call_on_stack(start_net, NULL, (char *)b->kstack + KSTACK_SIZE);
}

_Noreturn void kernel_enter_program(uintptr_t entry, uintptr_t sp)
{
    husk_enter_program(entry, sp);
    __builtin_unreachable();
}
