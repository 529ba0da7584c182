/* SPDX-License-Identifier: MIT */
/* exec.c: a program image in the arena, for the first program and for
   execve. The file comes from the sandbox's own filesystem: an ELF
   program (static, static-PIE or dynamic, whose interpreter is read the
   same way) or a #! script, run through its interpreter as Linux's
   binfmt_script does (at most 4 levels). The arena stays where it is:
   a position-independent program goes to its bottom, a fixed-address one
   must fit inside it (ENOMEM otherwise). The stack is Linux's initial
   stack with the auxv. execve then does what Linux does to the process:
   its other threads end, close-on-exec fds close, handled signals go back
   to SIG_DFL, POSIX timers are deleted, the registers are the new
   program's. */
#include "abi/linux/fcntl.h"
#include "abi/linux/misc.h"
#include "abi/linux/mman.h"
#include "abi/linux/signal.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "host/host.h"
#include "loader/elf.h"
#include "loader/stack.h"
#include "mm/mm.h"
#include "signal/signal.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task.h"

#define MAX_SCRIPT_DEPTH 4
#define SCRIPT_LINE 256 /* Linux's BINPRM_BUF_SIZE */
#define MAX_ARGS 65536
#define MAX_ARG_STRLEN (32 * 4096) /* Linux's, one string of argv or envp */

long exec_read_file(const char *path, void **data, size_t *size, size_t *avail,
                    bool *borrowed, struct inode **inode, char *resolved);

size_t exec_stack_size(void) { return MIN(8UL << 20, kinfo.mem_size / 4); }

/* What the new image is made of, found before anything is torn down. */
struct image {
    void *data;
    size_t size;
    struct elf_image elf;
    void *idata;
    size_t isize;
    struct elf_image interp;
    struct inode *inode;  /* the file run (an ELF), for /proc/self/exe */
    struct inode *iinode; /* its interpreter's */
    char path[LINUX_PATH_MAX];
    const char *execfn; /* AT_EXECFN: the name execve was given */
    /* argv after #! rewriting: kernel copies */
    char **argv;
    int argc;
    const void *given; /* the first program's bytes, already in memory */
    size_t given_size;
    size_t avail;  /* bytes of data read (the file's first ones) */
    bool borrowed; /* data is not ours to free (given, or in place) */
    bool iborrowed;
};

static void image_free(struct image *im)
{
    if (!im->borrowed)
        kfree(im->data);
    if (!im->iborrowed)
        kfree(im->idata);
    vfs_lock();
    inode_put(im->inode);
    inode_put(im->iinode);
    vfs_unlock();
    for (int i = 0; im->argv && i < im->argc; i++)
        kfree(im->argv[i]);
    kfree(im->argv);
}

static char *kstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = kmalloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* "#!interp [arg]": the interpreter and the optional single argument, as
   binfmt_script splits the first line (up to 256 bytes). */
static long parse_shebang(const char *data, size_t size, char *interp,
                          char *arg)
{
    char line[SCRIPT_LINE + 1];
    size_t n = MIN(size, (size_t)SCRIPT_LINE);
    memcpy(line, data, n);
    line[n] = 0;
    char *nl = memchr(line, '\n', n);
    if (nl)
        *nl = 0;
    else if (size > SCRIPT_LINE)
        return -ENOEXEC; /* the interpreter name was cut */
    char *p = line + 2;
    while (*p == ' ' || *p == '\t')
        p++;
    char *e = p;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    if (e == p)
        return -ENOEXEC;
    size_t len = (size_t)(e - p);
    memcpy(interp, p, len);
    interp[len] = 0;
    while (*e == ' ' || *e == '\t')
        e++;
    char *end = e + strlen(e);
    while (end > e && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    memcpy(arg, e, (size_t)(end - e));
    arg[end - e] = 0;
    return 0;
}

/* elf_check on the file's first bytes, or, when its headers lie further
   in, on the whole file read again. */
static long check(struct elf_image *e, const char *path, void **data,
                  size_t *size, size_t avail, bool *borrowed, char *err,
                  size_t errlen)
{
    int r = elf_check_head(e, *data, avail, *size, err, errlen);
    if (r == 1) {
        struct inode *ino = NULL;
        char resolved[LINUX_PATH_MAX];
        if (!*borrowed)
            kfree(*data);
        *data = NULL;
        *borrowed = false;
        long rr =
            exec_read_file(path, data, size, NULL, borrowed, &ino, resolved);
        if (rr)
            return rr;
        vfs_lock();
        inode_put(ino);
        vfs_unlock();
        r = elf_check(e, *data, *size, err, errlen);
    }
    return r ? -ENOEXEC : 0;
}

/* Find what path runs: the scripts' interpreters, the ELF and its
   loader, checked. argv (kernel copies) is taken over by im. */
static long resolve(struct image *im, const char *path, char **argv, int argc,
                    char *err, size_t errlen)
{
    char *cur = kstrdup(path);
    im->argv = argv;
    im->argc = argc;
    if (!cur)
        return -ENOMEM;
    for (int depth = 0;; depth++) {
        struct inode *ino = NULL;
        long r;
        if (depth == 0 && im->given) { /* no copy of what is mapped */
            r = exec_read_file(cur, NULL, NULL, NULL, NULL, &ino, im->path);
            im->data = (void *)(uintptr_t)im->given; /* only read */
            im->size = im->avail = im->given_size;
            im->borrowed = true;
        } else {
            r = exec_read_file(cur, &im->data, &im->size, &im->avail,
                               &im->borrowed, &ino, im->path);
        }
        if (r) {
            ksnprintf(err, errlen, "%s", cur);
            kfree(cur);
            return r;
        }
        if (im->size < 2 || memcmp(im->data, "#!", 2) != 0) {
            im->inode = ino;
            break;
        }
        vfs_lock();
        inode_put(ino);
        vfs_unlock();
        if (depth == MAX_SCRIPT_DEPTH) {
            kfree(cur);
            return -ELOOP;
        }
        char interp[SCRIPT_LINE + 1], arg[SCRIPT_LINE + 1];
        r = parse_shebang(im->data, im->size, interp, arg);
        if (!im->borrowed)
            kfree(im->data);
        im->data = NULL;
        im->borrowed = false;
        if (r) {
            kfree(cur);
            return r;
        }
        /* argv: interp [arg] script argv[1..] */
        int extra = 1 + !!arg[0];
        char **nv = kmalloc(sizeof(char *) * (size_t)(im->argc + extra + 1));
        if (!nv) {
            kfree(cur);
            return -ENOMEM;
        }
        nv[0] = kstrdup(interp);
        if (arg[0])
            nv[1] = kstrdup(arg);
        nv[extra] = cur; /* the script's path, as given */
        for (int i = 1; i < im->argc; i++)
            nv[extra + i] = im->argv[i];
        int nc = extra + MAX(im->argc, 1);
        if (im->argc > 0)
            kfree(im->argv[0]);
        kfree(im->argv);
        im->argv = nv;
        im->argc = nc;
        for (int i = 0; i < nc; i++)
            if (!nv[i])
                return -ENOMEM;
        cur = kstrdup(interp);
        if (!cur)
            return -ENOMEM;
    }
    long rc = check(&im->elf, cur, &im->data, &im->size, im->avail,
                    &im->borrowed, err, errlen);
    kfree(cur);
    if (rc)
        return rc;
    if (im->elf.interp) {
        char ipath[LINUX_PATH_MAX], ires[LINUX_PATH_MAX];
        ksnprintf(ipath, sizeof(ipath), "%s", im->elf.interp);
        struct inode *ino = NULL;
        size_t iavail = 0;
        long r = exec_read_file(ipath, &im->idata, &im->isize, &iavail,
                                &im->iborrowed, &ino, ires);
        if (r) {
            ksnprintf(err, errlen, "its interpreter %s", ipath);
            return r;
        }
        im->iinode = ino;
        char why[200];
        if (check(&im->interp, ipath, &im->idata, &im->isize, iavail,
                  &im->iborrowed, why, sizeof(why))) {
            ksnprintf(err, errlen, "its interpreter %s: %s", ipath, why);
            return -ENOEXEC;
        }
        if (im->interp.interp || !im->interp.pie) {
            ksnprintf(err, errlen,
                      "its interpreter %s is not a position-independent "
                      "loader",
                      ipath);
            return -ENOEXEC;
        }
    }
    return 0;
}

/* Would the image fit in mm's arena? (A fixed-address program must.) */
static bool fits(const struct mm *mm, const struct elf_image *e)
{
    uintptr_t room = mm->hi - mm->lo;
    if (e->pie)
        return e->hi - e->lo + exec_stack_size() + (1 << 20) <= room;
    return e->lo >= mm->lo && e->hi + exec_stack_size() + (1 << 20) <= mm->hi;
}

static long build_stack(struct mm *mm, const struct image *im, uintptr_t bias,
                        uintptr_t base, char **envp, int envc, uintptr_t *sp)
{
    struct proc *p = current_proc();
    size_t size = exec_stack_size();
    uintptr_t top = mm->hi, lo = top - size;
    long r = mm_map_fixed(mm, lo, size, LINUX_PROT_READ | LINUX_PROT_WRITE,
                          false, VMA_STACK);
    if (r < 0)
        return r;
    unsigned char rnd[16];
    host_cpu_random(rnd, sizeof(rnd), 0);
    struct stack_args a = {
        .argv = im->argv,
        .argc = im->argc,
        .envp = envp,
        .envc = envc,
        .execfn = im->execfn,
        .random16 = rnd,
    };
    const struct elf_image *e = &im->elf;
    uint64_t aux[][2] = {
        {LINUX_AT_PHDR, e->phdr_vaddr ? bias + e->phdr_vaddr : 0},
        {LINUX_AT_PHENT, sizeof(Elf64_Phdr)},
        {LINUX_AT_PHNUM, (uint64_t)e->phnum},
        {LINUX_AT_PAGESZ, PAGE_SIZE},
        {LINUX_AT_BASE, base},
        {LINUX_AT_FLAGS, 0},
        {LINUX_AT_ENTRY, bias + e->eh->e_entry},
        {LINUX_AT_UID, p->uid},
        {LINUX_AT_EUID, p->euid},
        {LINUX_AT_GID, p->gid},
        {LINUX_AT_EGID, p->egid},
        {LINUX_AT_SECURE, 0},
        {LINUX_AT_HWCAP, kinfo.hwcap},
        {LINUX_AT_HWCAP2, kinfo.hwcap2},
        {LINUX_AT_CLKTCK, 100},
        {LINUX_AT_MINSIGSTKSZ, kinfo.minsigstksz},
        {LINUX_AT_SYSINFO_EHDR, kinfo.vdso},
    };
    int n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(aux); i++) {
        if (aux[i][0] == LINUX_AT_SYSINFO_EHDR && !aux[i][1])
            continue;
        a.auxv[2 * n] = aux[i][0];
        a.auxv[2 * n + 1] = aux[i][1];
        n++;
    }
    a.nauxv = n;
    /* Linux's limit on arguments plus environment: a quarter of the stack */
    *sp = stack_build(top, size / 4, &a);
    if (!*sp)
        return -E2BIG;
    mm->arg_start = a.arg_start;
    mm->arg_end = a.arg_end;
    mm->env_start = a.env_start;
    mm->env_end = a.env_end;
    return 0;
}

/* The file's bytes past what exec read, at dst in the arena. */
static long read_from(void *ctx, uintptr_t dst, size_t len, uint64_t off)
{
    struct inode *inode = ctx;
    if (!inode->fops || !inode->fops->read)
        return -EIO;
    struct file f; /* a reader of the inode, for its read op only */
    memset(&f, 0, sizeof(f));
    f.inode = inode;
    f.ops = inode->fops;
    f.flags = LINUX_O_RDONLY;
    int64_t pos = (int64_t)off;
    for (size_t done = 0; done < len;) {
        long n = inode->fops->read(&f, (void *)(dst + done), len - done, &pos);
        if (n <= 0)
            return n ? n : -EIO;
        done += (size_t)n;
    }
    return 0;
}

/* Whole pages of a segment straight from the file (elf_load_from). */
static long map_from(void *ctx, uintptr_t addr, size_t len, uint64_t off)
{
    struct inode *inode = ctx;
    if (!inode->fops || !inode->fops->map_private)
        return -EOPNOTSUPP;
    return inode->fops->map_private(inode, addr, len, off,
                                    LINUX_PROT_READ | LINUX_PROT_WRITE);
}

/* Put the image in the (empty) arena: program, heap start, loader, stack.
   Returns 0 with the entry point and stack pointer, or -errno. */
static long load(struct mm *mm, const struct image *im, char **envp, int envc,
                 uintptr_t *entry, uintptr_t *sp, char *err, size_t errlen)
{
    const struct elf_image *e = &im->elf;
    uintptr_t bias = 0;
    if (e->pie) {
        uintptr_t at = (mm->lo + e->align - 1) & ~(e->align - 1);
        bias = at - e->lo;
    }
    struct elf_source src = {map_from, read_from, im->inode};
    long r = elf_load_from(e, mm, bias, im->inode ? &src : NULL, err, errlen);
    if (r < 0)
        return r;
    mm_set_layout(mm, bias + e->hi, mm->hi - exec_stack_size());
    uintptr_t base = 0;
    *entry = bias + e->eh->e_entry;
    if (e->interp) {
        const struct elf_image *in = &im->interp;
        size_t span = in->hi - in->lo;
        uintptr_t at = mm_find_free(mm, span + in->align,
                                    PAGE_UP(mm->brk_start), mm->mmap_top);
        if (!at) {
            ksnprintf(err, errlen, "no room for its interpreter (--mem)");
            return -ENOMEM;
        }
        at = (at + in->align - 1) & ~(in->align - 1);
        base = at - in->lo;
        struct elf_source isrc = {map_from, read_from, im->iinode};
        r = elf_load_from(in, mm, base, im->iinode ? &isrc : NULL, err, errlen);
        if (r < 0)
            return r;
        *entry = base + in->eh->e_entry;
    }
    return build_stack(mm, im, bias, base, envp, envc, sp);
}

static void set_identity(struct proc *p, struct image *im, const char *name)
{
    strncpy(p->exe, im->path, sizeof(p->exe) - 1);
    p->exe[sizeof(p->exe) - 1] = 0;
    vfs_lock();
    inode_put(p->exe_inode);
    vfs_unlock();
    p->exe_inode = im->inode;
    im->inode = NULL;
    if (!name)
        return; /* the first program keeps the name boot gave it */
    const char *b = strrchr(name, '/');
    memset(p->comm, 0, sizeof(p->comm));
    strncpy(p->comm, b ? b + 1 : name, sizeof(p->comm) - 1);
}

long exec_first(const char *path, const char *execfn, const void *data,
                size_t size, char **argv, int argc, char **envp, int envc,
                uintptr_t *entry, uintptr_t *sp, char *err, size_t errlen)
{
    struct proc *p = current_proc();
    struct image im;
    memset(&im, 0, sizeof(im));
    im.execfn = execfn;
    im.given = data;
    im.given_size = size;
    char **av = kmalloc(sizeof(char *) * (size_t)(argc + 1));
    if (!av)
        return -ENOMEM;
    for (int i = 0; i < argc; i++)
        av[i] = kstrdup(argv[i]);
    long r = resolve(&im, path, av, argc, err, errlen);
    if (r == 0 && !fits(p->mm, &im.elf)) {
        ksnprintf(err, errlen,
                  "the program does not fit in the guest "
                  "memory (--mem)");
        r = -ENOMEM;
    }
    if (r == 0) {
        r = load(p->mm, &im, envp, envc, entry, sp, err, errlen);
        if (r == 0)
            set_identity(p, &im, p->comm[0] ? NULL : path);
    }
    image_free(&im);
    return r;
}

/* ---- execve ---- */

/* Copy a NULL-terminated array of strings from the program; *total adds
   up their sizes for the E2BIG check. */
static long copy_strings(uptr_t uv, char ***out, int *count, size_t *total)
{
    *out = NULL;
    *count = 0;
    if (!uv)
        return 0;
    int cap = 16, n = 0;
    char **v = kmalloc(sizeof(char *) * (size_t)cap);
    /* one string at most as Linux allows (MAX_ARG_STRLEN), then its copy */
    char *s = kmalloc(MAX_ARG_STRLEN);
    if (!v || !s) {
        kfree(v);
        kfree(s);
        return -ENOMEM;
    }
    for (;; n++) {
        uint64_t ptr;
        if (copy_in(&ptr, uv + (uptr_t)n * 8, 8) < 0)
            goto fault;
        if (!ptr)
            break;
        if (n >= MAX_ARGS)
            goto big;
        if (n + 1 >= cap) {
            char **nv = krealloc(v, sizeof(char *) * (size_t)(cap *= 2));
            if (!nv)
                goto nomem;
            v = nv;
        }
        long len = copy_str_in(s, ptr, MAX_ARG_STRLEN);
        if (len == -EFAULT)
            goto fault;
        if (len < 0)
            goto big;
        if (!(v[n] = kmalloc((size_t)len + 1)))
            goto nomem;
        memcpy(v[n], s, (size_t)len + 1);
        *total += (size_t)len + 1 + 8;
    }
    kfree(s);
    v[n] = NULL;
    *out = v;
    *count = n;
    return 0;
    long r;
fault:
    r = -EFAULT;
    goto out;
big:
    r = -E2BIG;
    goto out;
nomem:
    r = -ENOMEM;
out:
    for (int i = 0; i < n; i++)
        kfree(v[i]);
    kfree(v);
    kfree(s);
    return r;
}

static void free_strings(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        kfree(v[i]);
    kfree(v);
}

/* The other threads end (each at its next way out of the kernel, kicked
   out of a wait); the caller goes on alone. */
static void end_other_threads(struct proc *p, struct task *self)
{
    spin_lock(&p->lock);
    p->exec_task = self;
    int tids[64], n = 0;
    for (struct task *u = p->threads; u; u = u->next_thread)
        if (u != self && n < 64)
            tids[n++] = u->host_tid;
    spin_unlock(&p->lock);
    for (;;) {
        for (int i = 0; i < n; i++)
            host_signal_kick(tids[i]);
        if (__atomic_load_n(&p->nthreads, __ATOMIC_ACQUIRE) == 1)
            break;
        struct linux_timespec ts = {0, 1000000};
        host_time_nanosleep(LINUX_CLOCK_MONOTONIC, 0, &ts, NULL);
        spin_lock(&p->lock);
        n = 0;
        for (struct task *u = p->threads; u; u = u->next_thread)
            if (u != self && n < 64)
                tids[n++] = u->host_tid;
        spin_unlock(&p->lock);
    }
    p->exec_task = NULL;
}

void timers_exec(struct proc *p);

static long do_execve(uptr_t ufile, uptr_t uargv, uptr_t uenvp)
{
    struct task *t = current();
    struct proc *p = t->proc;
    char *path = kmalloc(LINUX_PATH_MAX);
    if (!path)
        return -ENOMEM;
    long r = copy_str_in(path, ufile, LINUX_PATH_MAX);
    if (r < 0 || r >= LINUX_PATH_MAX) {
        kfree(path);
        return r < 0 ? r : -ENAMETOOLONG;
    }
    if (!path[0]) {
        kfree(path);
        return -ENOENT;
    }
    char **argv = NULL, **envp = NULL;
    int argc = 0, envc = 0;
    size_t total = 0;
    r = copy_strings(uargv, &argv, &argc, &total);
    if (r == 0)
        r = copy_strings(uenvp, &envp, &envc, &total);
    if (r == 0 && total > exec_stack_size() / 4)
        r = -E2BIG;
    if (r) {
        free_strings(argv, argc);
        free_strings(envp, envc);
        kfree(path);
        return r;
    }
    if (!argv) { /* Linux runs it with an empty argv; so do we */
        argv = kzalloc(sizeof(char *));
        argc = 0;
    }
    struct image im;
    memset(&im, 0, sizeof(im));
    im.execfn = path;
    char err[256];
    r = argv ? resolve(&im, path, argv, argc, err, sizeof(err)) : -ENOMEM;
    if (r == 0 && !fits(p->mm, &im.elf))
        r = -ENOMEM;
    if (r) {
        if (!im.argv)
            free_strings(argv, argc);
        image_free(&im);
        free_strings(envp, envc);
        kfree(path);
        return r;
    }

    /* No way back from here: what fails now ends the process. */
    if (__atomic_load_n(&p->nthreads, __ATOMIC_ACQUIRE) > 1)
        end_other_threads(p, t);
    struct mm *mm = p->mm;
    spin_lock(&mm->lock);
    r = mm_unmap(mm, mm->lo, mm->hi - mm->lo);
    spin_unlock(&mm->lock);
    uintptr_t entry = 0, sp = 0;
    if (r == 0)
        r = load(mm, &im, envp, envc, &entry, &sp, err, sizeof(err));
    if (r) {
        kwarn("execve %s: %s: the program cannot go on\n", path, err);
        proc_exit_signal(p, LINUX_SIGSEGV);
    }
    set_identity(p, &im, path);
    image_free(&im);
    free_strings(envp, envc);
    kfree(path);

    fdt_close_on_exec(p->fdt);
    spin_lock(&p->lock);
    for (int s = 0; s < LINUX_NSIG; s++) {
        uint64_t h = p->sigact[s].handler;
        if (h != LINUX_SIG_DFL && h != LINUX_SIG_IGN)
            memset(&p->sigact[s], 0, sizeof(p->sigact[s]));
    }
    spin_unlock(&p->lock);
    timers_exec(p);
    memset(&t->altstack, 0, sizeof(t->altstack));
    t->clear_child_tid = 0;
    t->robust_list = 0;
    t->robust_len = 0;

    /* the new program's registers: all zero but these */
    struct linux_sigcontext *reg = &t->uc->uc_mcontext;
    uint16_t cs = reg->cs, ss = reg->ss;
    uint64_t fp = reg->fpstate;
    memset(reg, 0, sizeof(*reg));
    reg->cs = cs;
    reg->ss = ss;
    reg->fpstate = fp;
    reg->rip = entry;
    reg->rsp = sp;
    reg->eflags = 0x202;
    *t->user_fs = 0;
    t->syscall_nr = -1;
    return 0;
}

SYSCALL_DEFINE3(execve, uptr_t, file, uptr_t, argv, uptr_t, envp)
{
    return do_execve(file, argv, envp);
}
