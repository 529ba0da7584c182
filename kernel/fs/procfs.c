/* SPDX-License-Identifier: MIT */
/* procfs.c: /proc, generated. Inodes are made fresh by each lookup (and
   freed with their last reference); a file's text is generated when it is
   opened and read from that snapshot, as Linux's seq files do. One table
   (entries[]) lists every fixed name under its directory; fd/ and
   fdinfo/ follow the fd table.

   /proc: self, thread-self, 1/ (exe cwd root: links; fd/ fdinfo/;
   cmdline environ maps status stat statm limits mounts mountinfo; task/1/
   the same), cpuinfo (the host's), meminfo (the arena's), loadavg,
   uptime, stat, version, filesystems, mounts, sys/kernel/{hostname,
   ostype, osrelease}, sys/vm/overcommit_memory, net/{dev, route,
   if_inet6} (also 1/net). */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "host/host.h"
#include "mm/mm.h"
#include "net/net.h"
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
    P_ENVIRON,
    P_MAPS,
    P_STATUS,
    P_STAT,
    P_STATM,
    P_LIMITS,
    P_MOUNTINFO,
    P_FDINFODIR,
    P_FDINFO,
    P_TASKDIR,
    P_CPUINFO,
    P_MEMINFO,
    P_LOADAVG,
    P_SYSSTAT,
    P_SYS,
    P_SYSKERNEL,
    P_SYSVM,
    P_HOSTNAME,
    P_OSTYPE,
    P_OSRELEASE,
    P_OVERCOMMIT,
    P_COMM,
    P_NETDIR,
    P_NETDEV,
    P_NETROUTE,
    P_NETINET6,
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

#define DIR_ LINUX_S_IFDIR | 0555
#define LNK_ LINUX_S_IFLNK | 0777
#define REG_ LINUX_S_IFREG | 0444

/* The fixed names: {directory, name, kind, mode}. */
static const struct pentry {
    enum pk dir;
    const char *name;
    enum pk kind;
    uint32_t mode;
} entries[] = {
    {P_ROOT, "self", P_SELF, LNK_},
    {P_ROOT, "thread-self", P_THREAD_SELF, LNK_},
    {P_ROOT, "1", P_PID, DIR_},
    {P_ROOT, "cpuinfo", P_CPUINFO, REG_},
    {P_ROOT, "meminfo", P_MEMINFO, REG_},
    {P_ROOT, "loadavg", P_LOADAVG, REG_},
    {P_ROOT, "stat", P_SYSSTAT, REG_},
    {P_ROOT, "mounts", P_MOUNTS, REG_},
    {P_ROOT, "uptime", P_UPTIME, REG_},
    {P_ROOT, "version", P_VERSION, REG_},
    {P_ROOT, "filesystems", P_FILESYSTEMS, REG_},
    {P_ROOT, "sys", P_SYS, DIR_},
    {P_SYS, "kernel", P_SYSKERNEL, DIR_},
    {P_SYS, "vm", P_SYSVM, DIR_},
    {P_SYSKERNEL, "hostname", P_HOSTNAME, LINUX_S_IFREG | 0644},
    {P_SYSKERNEL, "ostype", P_OSTYPE, REG_},
    {P_SYSKERNEL, "osrelease", P_OSRELEASE, REG_},
    {P_SYSVM, "overcommit_memory", P_OVERCOMMIT, LINUX_S_IFREG | 0644},
    {P_ROOT, "net", P_NETDIR, DIR_},
    {P_NETDIR, "dev", P_NETDEV, REG_},
    {P_NETDIR, "route", P_NETROUTE, REG_},
    {P_NETDIR, "if_inet6", P_NETINET6, REG_},
    {P_PID, "exe", P_EXE, LNK_},
    {P_PID, "cwd", P_CWD, LNK_},
    {P_PID, "root", P_ROOTLNK, LNK_},
    {P_PID, "fd", P_FDDIR, LINUX_S_IFDIR | 0500},
    {P_PID, "fdinfo", P_FDINFODIR, LINUX_S_IFDIR | 0500},
    {P_PID, "task", P_TASKDIR, DIR_},
    {P_PID, "cmdline", P_CMDLINE, REG_},
    {P_PID, "comm", P_COMM, LINUX_S_IFREG | 0644},
    {P_PID, "environ", P_ENVIRON, LINUX_S_IFREG | 0400},
    {P_PID, "maps", P_MAPS, REG_},
    {P_PID, "status", P_STATUS, REG_},
    {P_PID, "stat", P_STAT, REG_},
    {P_PID, "statm", P_STATM, REG_},
    {P_PID, "limits", P_LIMITS, REG_},
    {P_PID, "mounts", P_MOUNTS, REG_},
    {P_PID, "mountinfo", P_MOUNTINFO, REG_},
    {P_PID, "net", P_NETDIR, DIR_},
    {P_TASKDIR, "1", P_PID, DIR_},
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

static long parse_fd(const char *name)
{
    long fd = 0;
    const char *e = name;
    for (; *e >= '0' && *e <= '9' && fd <= (1 << 20); e++)
        fd = fd * 10 + (*e - '0');
    return *e || e == name || fd > (1 << 20) ? -1 : fd;
}

/* The directory above a generated one (for ".."). */
static struct inode *parent_of(enum pk k)
{
    for (size_t j = 0; j < ARRAY_SIZE(entries); j++)
        if (entries[j].kind == k && entries[j].dir != P_TASKDIR)
            return entries[j].dir == P_ROOT ? inode_get(proc_root)
                                            : pnew(entries[j].dir, 0, DIR_);
    return inode_get(proc_root);
}

static long proc_lookup(struct inode *dir, const char *name, struct inode **out)
{
    enum pk k = kind_of(dir);
    struct inode *i = NULL;
    if (!strcmp(name, "."))
        i = inode_get(dir);
    else if (!strcmp(name, ".."))
        i = k == P_ROOT ? inode_get(dir) : parent_of(k);
    else if (k == P_FDDIR || k == P_FDINFODIR) {
        long fd = parse_fd(name);
        struct file *f = fd >= 0 ? fd_file((int)fd) : NULL;
        if (!f)
            return -ENOENT;
        unsigned acc = f->flags & LINUX_O_ACCMODE;
        file_put(f);
        i = k == P_FDINFODIR
                ? pnew(P_FDINFO, (int)fd, REG_)
                : pnew(P_FD, (int)fd,
                       LINUX_S_IFLNK | (acc == LINUX_O_RDONLY   ? 0500
                                        : acc == LINUX_O_WRONLY ? 0300
                                                                : 0700));
    } else {
        for (size_t j = 0; j < ARRAY_SIZE(entries) && !i; j++)
            if (entries[j].dir == k && !strcmp(entries[j].name, name))
                i = pnew(entries[j].kind, 0, entries[j].mode);
        if (!i)
            return s_isdir(dir->mode) ? -ENOENT : -ENOTDIR;
    }
    if (!i)
        return -ENOMEM;
    *out = i;
    return 0;
}

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

/* The name of path as a link shows it: "(deleted)" once it has none. */
static long link_text(const struct path *path, char *tmp)
{
    long n = path_name(path, tmp, LINUX_PATH_MAX);
    if (n == -ENOENT)
        n = ksnprintf(tmp, LINUX_PATH_MAX, "/ (deleted)") + 1;
    return n < 0 ? n : n - 1; /* path_name counts the NUL */
}

/* A file opened by name: its directory's name, then its own, if that
   name still leads to it; else " (deleted)" as Linux shows. */
static long file_link_text(struct file *f, char *tmp)
{
    long n = path_name(f->named, tmp, LINUX_PATH_MAX);
    if (n < 0)
        return link_text(f->named, tmp);
    struct inode *now;
    bool same =
        f->named->inode->iops->lookup(f->named->inode, f->name, &now) == 0 &&
        (inode_put(now), now == f->inode);
    n = ksnprintf(tmp + n - 1, LINUX_PATH_MAX - (size_t)n, "%s%s%s",
                  tmp[n - 2] == '/' ? "" : "/", f->name,
                  same ? "" : " (deleted)") +
        n - 1;
    return MIN(n, LINUX_PATH_MAX - 1);
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
    case P_CWD: n = link_text(&p->cwd, tmp); break;
    case P_ROOTLNK: n = link_text(&p->root, tmp); break;
    case P_FD: {
        struct file *f = fd_file(pn->n);
        if (!f) {
            n = -ENOENT;
        } else if (f->named && f->name) {
            n = file_link_text(f, tmp);
        } else if (f->inode && f->mnt) {
            struct path fp = {f->mnt, f->inode};
            n = link_text(&fp, tmp);
        } else if (f->inode) {
            n = ksnprintf(tmp, LINUX_PATH_MAX, "/memfd: (deleted)");
        } else if (f->host_fd >= 0) {
            n = ksnprintf(tmp, LINUX_PATH_MAX, "/dev/console");
        } else {
            struct linux_stat st;
            if (f->ops->stat && f->ops->stat(f, &st) == 0 &&
                (st.st_mode & LINUX_S_IFMT) == LINUX_S_IFIFO)
                n = ksnprintf(tmp, LINUX_PATH_MAX, "pipe:[%lu]",
                              (unsigned long)st.st_ino);
            else
                n = ksnprintf(tmp, LINUX_PATH_MAX, "anon_inode:%s",
                              f->ops->anon_name ? f->ops->anon_name
                                                : "[unknown]");
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

/* Program memory [a, b) as text (cmdline, environ), read like Linux's
   get_mm_cmdline: what the program's memory says now. */
static void put_user_range(struct text *t, uintptr_t a, uintptr_t b)
{
    size_t n = b > a ? MIN(b - a, (size_t)(1 << 20)) : 0;
    if (!n || t->len + n >= t->cap) {
        char *nb = n ? krealloc(t->buf, t->len + n + 1) : NULL;
        if (!nb)
            return;
        t->buf = nb;
        t->cap = t->len + n + 1;
    }
    if (copy_in(t->buf + t->len, a, n) == 0)
        t->len += n;
}

static void gen_maps(struct text *t)
{
    struct proc *p = current_proc();
    struct mm *mm = p->mm;
    struct inode *exe = p->exe_inode;
    spin_lock(&mm->lock);
    for (int i = 0; i < mm->n; i++) {
        const struct vma *v = &mm->v[i];
        bool image = v->kind == VMA_IMAGE;
        const char *name = v->kind == VMA_HEAP    ? "[heap]"
                           : v->kind == VMA_STACK ? "[stack]"
                           : v->kind == VMA_VDSO  ? "[vdso]"
                           : image                ? p->exe
                                                  : "";
        put(t, "%012lx-%012lx %c%c%c%c 00000000 00:%02lx %-10lu %*s%s\n",
            (unsigned long)v->start, (unsigned long)v->end,
            v->prot & 1 ? 'r' : '-', v->prot & 2 ? 'w' : '-',
            v->prot & 4 ? 'x' : '-', v->shared ? 's' : 'p',
            image && exe ? (unsigned long)exe->sb->dev : 0UL,
            image && exe ? (unsigned long)exe->ino : 0UL, *name ? 9 : 0, "",
            name);
    }
    spin_unlock(&mm->lock);
}

static void gen_status(struct text *t)
{
    struct proc *p = current_proc();
    struct task *tk = current();
    linux_sigset_t ign = 0, cgt = 0;
    for (int s = 1; s <= LINUX_NSIG; s++) {
        uint64_t h = p->sigact[s - 1].handler;
        if (h == LINUX_SIG_IGN)
            ign |= LINUX_SIGBIT(s);
        else if (h != LINUX_SIG_DFL)
            cgt |= LINUX_SIGBIT(s);
    }
    unsigned long kb = (unsigned long)(p->mm->mapped >> 10);
    put(t,
        "Name:\t%s\nUmask:\t%04o\nState:\tR (running)\nTgid:\t%d\n"
        "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
        "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\n"
        "Groups:\t\nVmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmRSS:\t%8lu kB\n"
        "Threads:\t1\nSigQ:\t0/%lu\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
        "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n"
        "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\n"
        "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n"
        "CapAmb:\t0000000000000000\nNoNewPrivs:\t%d\nSeccomp:\t0\n"
        "Cpus_allowed:\t%lx\nvoluntary_ctxt_switches:\t0\n"
        "nonvoluntary_ctxt_switches:\t0\n",
        p->comm, p->umask, p->pid, p->pid, p->ppid, p->uid, p->euid, p->suid,
        p->euid, p->gid, p->egid, p->sgid, p->egid, p->fdt->size, kb, kb, kb,
        (unsigned long)p->rlim[LINUX_RLIMIT_SIGPENDING].rlim_cur,
        (unsigned long)(tk->pending & ~tk->sigmask), 0UL,
        (unsigned long)tk->sigmask, (unsigned long)ign, (unsigned long)cgt,
        p->no_new_privs, (unsigned long)kinfo.cpu_mask);
}

static void gen_stat(struct text *t)
{
    struct proc *p = current_proc();
    struct mm *mm = p->mm;
    /* the 52 fields of proc(5); times are not accounted: 0 */
    put(t,
        "%d (%s) R %d %d %d 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 0 %lu "
        "%lu %lu %lu %lu %lu 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 %lu %lu %lu "
        "%lu %lu %lu %lu 0\n",
        p->pid, p->comm, p->ppid, p->pgid, p->sid, (unsigned long)mm->mapped,
        (unsigned long)(mm->mapped >> 12),
        (unsigned long)p->rlim[LINUX_RLIMIT_RSS].rlim_cur,
        (unsigned long)mm->lo, (unsigned long)mm->brk_start,
        (unsigned long)mm->stack_lo, (unsigned long)mm->brk_start,
        (unsigned long)mm->brk, (unsigned long)mm->arg_start,
        (unsigned long)mm->arg_end, (unsigned long)mm->env_start,
        (unsigned long)mm->env_end, 0UL);
}

static void gen_limits(struct text *t)
{
    static const struct {
        const char *name, *unit;
    } names[LINUX_RLIM_NLIMITS] = {
        {"Max cpu time", "seconds"},     {"Max file size", "bytes"},
        {"Max data size", "bytes"},      {"Max stack size", "bytes"},
        {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
        {"Max processes", "processes"},  {"Max open files", "files"},
        {"Max locked memory", "bytes"},  {"Max address space", "bytes"},
        {"Max file locks", "locks"},     {"Max pending signals", "signals"},
        {"Max msgqueue size", "bytes"},  {"Max nice priority", ""},
        {"Max realtime priority", ""},   {"Max realtime timeout", "us"},
    };
    struct proc *p = current_proc();
    put(t, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit",
        "Units");
    for (int i = 0; i < LINUX_RLIM_NLIMITS; i++) {
        char soft[24], hard[24];
        uint64_t c = p->rlim[i].rlim_cur, m = p->rlim[i].rlim_max;
        ksnprintf(soft, sizeof(soft),
                  c == LINUX_RLIM_INFINITY ? "unlimited" : "%lu",
                  (unsigned long)c);
        ksnprintf(hard, sizeof(hard),
                  m == LINUX_RLIM_INFINITY ? "unlimited" : "%lu",
                  (unsigned long)m);
        put(t, "%-25s %-20s %-20s %-10s\n", names[i].name, soft, hard,
            names[i].unit);
    }
}

static void gen_mounts(struct text *t, bool info)
{
    int id = 1;
    char *name = kmalloc(LINUX_PATH_MAX);
    if (!name)
        return;
    for (struct mount *m = root_mount; m; m = m->next, id++) {
        struct path at = {m, m->root};
        if (path_name(&at, name, LINUX_PATH_MAX) < 0)
            strcpy(name, "?");
        int parent = 1;
        int k = 1;
        for (struct mount *q = root_mount; q; q = q->next, k++)
            if (q == m->parent)
                parent = k;
        if (info)
            put(t, "%d %d 0:%lu / %s %s - %s %s %s\n", id,
                m->parent ? parent : id, (unsigned long)m->sb->dev, name,
                m->rdonly ? "ro" : "rw", m->sb->type, m->sb->type,
                m->rdonly ? "ro" : "rw");
        else
            put(t, "%s %s %s %s 0 0\n", m->sb->type, name, m->sb->type,
                m->rdonly ? "ro" : "rw");
    }
    kfree(name);
}

/* /proc/net/dev, route and if_inet6, in Linux's layouts (the columns
   are what net-tools and busybox parse). */
static void gen_net(enum pk kind, struct text *t)
{
    struct net_ifinfo o;
    if (kind == P_NETDEV)
        put(t, "Inter-|   Receive                            "
               "                    |  Transmit\n"
               " face |bytes    packets errs drop fifo frame "
               "compressed multicast|bytes    packets errs drop fifo colls "
               "carrier compressed\n");
    if (kind == P_NETROUTE)
        put(t, "%-127s\n",
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\t"
            "Mask\t\tMTU\tWindow\tIRTT");
    for (int k = 1; k <= net_ifcount(); k++) {
        if (net_ifinfo(k, &o))
            break;
        const struct net_ifstats *st = &o.st;
        char line[160];
        switch (kind) {
        case P_NETDEV:
            put(t,
                "%6s: %7lu %7lu %4lu %4lu    0     0          0         0 "
                "%8lu %7lu %4lu %4lu    0     0       0          0\n",
                o.name, (unsigned long)st->rx_bytes,
                (unsigned long)st->rx_packets, (unsigned long)st->rx_errors,
                (unsigned long)st->rx_dropped, (unsigned long)st->tx_bytes,
                (unsigned long)st->tx_packets, (unsigned long)st->tx_errors,
                (unsigned long)st->tx_dropped);
            break;
        case P_NETROUTE: /* the main table's IPv4 routes */
            if (o.type == ARPHRD_LOOPBACK || !o.ip4)
                break;
            if (o.gw4) {
                ksnprintf(line, sizeof(line),
                          "%s\t%08X\t%08X\t%04X\t0\t0\t0\t%08X\t0\t0\t0",
                          o.name, 0u, o.gw4, 3u /* RTF_UP|RTF_GATEWAY */, 0u);
                put(t, "%-127s\n", line);
            }
            ksnprintf(line, sizeof(line),
                      "%s\t%08X\t%08X\t%04X\t0\t0\t0\t%08X\t0\t0\t0", o.name,
                      o.ip4 & o.mask4, 0u, 1u /* RTF_UP */, o.mask4);
            put(t, "%-127s\n", line);
            break;
        default: /* P_NETINET6 */
            for (int i = 0; i < o.nip6; i++) {
                const uint8_t *a = o.ip6[i].addr;
                for (int b = 0; b < 16; b++)
                    put(t, "%02x", a[b]);
                int scope = o.type == ARPHRD_LOOPBACK               ? 0x10
                            : a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? 0x20
                                                                    : 0;
                put(t, " %02x %02x %02x %02x %8s\n", k, o.ip6[i].prefix, scope,
                    0x80 | (o.ip6[i].tentative ? 0x40 : 0), o.name);
            }
            break;
        }
    }
}

static void gen(struct inode *inode, struct text *t)
{
    struct pnode *pn = inode->priv;
    struct proc *p = current_proc();
    struct mm *mm = p->mm;
    struct linux_timespec now;
    uint64_t up;
    switch (pn->kind) {
    case P_CMDLINE: put_user_range(t, mm->arg_start, mm->arg_end); break;
    case P_ENVIRON: put_user_range(t, mm->env_start, mm->env_end); break;
    case P_MAPS: gen_maps(t); break;
    case P_STATUS: gen_status(t); break;
    case P_STAT: gen_stat(t); break;
    case P_STATM:
        put(t, "%lu %lu 0 0 0 %lu 0\n", (unsigned long)(mm->mapped >> 12),
            (unsigned long)(mm->mapped >> 12),
            (unsigned long)(mm->mapped >> 12));
        break;
    case P_LIMITS: gen_limits(t); break;
    case P_MOUNTS: gen_mounts(t, false); break;
    case P_MOUNTINFO: gen_mounts(t, true); break;
    case P_FDINFO: {
        struct file *f = fd_file(pn->n);
        if (f) {
            put(t, "pos:\t%ld\nflags:\t0%o\nmnt_id:\t1\nino:\t%lu\n",
                (long)f->pos,
                f->flags |
                    (fdt_get_cloexec(p->fdt, pn->n) > 0 ? LINUX_O_CLOEXEC : 0),
                (unsigned long)(f->inode ? f->inode->ino : 0));
            file_put(f);
        }
        break;
    }
    case P_CPUINFO:
        if (kinfo.cpuinfo)
            put(t, "%s", kinfo.cpuinfo);
        break;
    case P_MEMINFO: {
        unsigned long total = (unsigned long)(kinfo.mem_size >> 10);
        unsigned long used = (unsigned long)(mm->mapped >> 10);
        unsigned long fr = total > used ? total - used : 0;
        put(t,
            "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n"
            "MemAvailable:   %8lu kB\nBuffers:               0 kB\n"
            "Cached:                0 kB\nSwapCached:            0 kB\n"
            "SwapTotal:             0 kB\nSwapFree:              0 kB\n"
            "Shmem:                 0 kB\n",
            total, fr, fr);
        break;
    }
    case P_LOADAVG: put(t, "0.00 0.00 0.00 1/1 1\n"); break;
    case P_UPTIME:
    case P_SYSSTAT:
        /* the machine's uptime (CLOCK_BOOTTIME), as a container sees it */
        host_time_clock_gettime(7 /* BOOTTIME */, &now);
        up = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
        if (pn->kind == P_UPTIME) {
            put(t, "%lu.%02lu 0.00\n", (unsigned long)(up / 1000000000ULL),
                (unsigned long)(up / 10000000ULL % 100));
        } else {
            host_time_clock_gettime(0 /* REALTIME */, &now);
            put(t, "cpu  0 0 0 0 0 0 0 0 0 0\n");
            for (int c = 0; c < 64; c++)
                if (kinfo.cpu_mask & (1ULL << c))
                    put(t, "cpu%d 0 0 0 0 0 0 0 0 0 0\n", c);
            put(t,
                "intr 0\nctxt 0\nbtime %lu\nprocesses 1\n"
                "procs_running 1\nprocs_blocked 0\nsoftirq 0\n",
                (unsigned long)(now.tv_sec - (int64_t)(up / 1000000000ULL)));
        }
        break;
    case P_VERSION:
        put(t, "%s version %s (husk) %s\n", kinfo.uts.sysname,
            kinfo.uts.release, kinfo.uts.version);
        break;
    case P_FILESYSTEMS:
        put(t, "nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tsysfs\n");
        break;
    case P_HOSTNAME: put(t, "%s\n", kinfo.uts.nodename); break;
    case P_COMM: put(t, "%s\n", p->comm); break;
    case P_OSTYPE: put(t, "%s\n", kinfo.uts.sysname); break;
    case P_OSRELEASE: put(t, "%s\n", kinfo.uts.release); break;
    case P_OVERCOMMIT: put(t, "0\n"); break;
    case P_NETDEV:
    case P_NETROUTE:
    case P_NETINET6: gen_net(pn->kind, t); break;
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
    if ((f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY) {
        kfree(t->buf);
        kfree(t);
        return -EACCES; /* generated files are read-only here */
    }
    vfs_lock();
    gen(inode, t);
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
    if (k == P_FDDIR || k == P_FDINFODIR) {
        struct fdtable *fdt = current_proc()->fdt;
        for (; i - 2 < fdt->size; i++) {
            int fd = (int)(i - 2);
            struct file *fl = fd_file(fd);
            if (!fl)
                continue;
            file_put(fl);
            char name[16];
            int len = ksnprintf(name, sizeof(name), "%d", fd);
            enum pk kind = k == P_FDDIR ? P_FD : P_FDINFO;
            if (!ctx->emit(ctx, name, (size_t)len,
                           ((uint64_t)kind << 32) + (uint64_t)fd + 2,
                           k == P_FDDIR ? DT_LNK : DT_REG))
                return 0;
            ctx->pos = i + 1;
        }
        return 0;
    }
    /* fixed names: position i is the (i-2)th entry of this directory */
    int64_t seen = 0;
    for (size_t j = 0; j < ARRAY_SIZE(entries); j++) {
        if (entries[j].dir != k)
            continue;
        if (seen++ < i - 2)
            continue;
        const char *name = entries[j].name;
        if (!ctx->emit(ctx, name, strlen(name),
                       ((uint64_t)entries[j].kind << 32) + 2,
                       dt_type(entries[j].mode)))
            return 0;
        ctx->pos = ++i;
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
