/* SPDX-License-Identifier: MIT */
/* tender.c: starting a sandbox. The parent reads and checks the program,
   then forks; the child becomes the sandbox and the parent supervises it
   (supervise.c), so that a program killed by a signal, even SIGKILL, is
   reported the way a shell reports it.

   The child, step by step: reserve the kernel stack and
   the guest arena; boot the kernel; load the ELF; build the initial stack;
   install the host signal handlers on the kernel stack; arm Syscall User
   Dispatch with husk_hostcall as the only exempt range; jump. From then on
   only host/ makes host syscalls. */
#define _GNU_SOURCE
#include "tender.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <sys/random.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux/misc.h"
#include "abi/linux/mman.h"
#include "arch/x86_64/kcpu.h"
#include "boot.h"
#include "fs/wait.h"
#include "signal/signal.h"
#include "host/host.h"
#include "husk/exit.h"
#include "loader/elf.h"
#include "loader/stack.h"
#include "mm/mm.h"
#include "task/task.h"
#include "tender/lockdown.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif

void husk_signal_entry(int, void *, void *);
int supervise(pid_t child, const char *program, const struct host_record *rec);

static _Noreturn void die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static _Noreturn void die(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("husk: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    _exit(status);
}

/* Read the whole program; 0 or an exit status with the message printed. */
static int read_program(const char *path, unsigned char **data, size_t *size)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        fprintf(stderr, "husk: %s: %s\n", path, strerror(e));
        return e == ENOENT || e == ENOTDIR ? HUSK_EXIT_NOENT : HUSK_EXIT_NOEXEC;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "husk: %s: %s\n", path,
                S_ISDIR(st.st_mode) ? "Is a directory" : "not a regular file");
        close(fd);
        return HUSK_EXIT_NOEXEC;
    }
    if (access(path, X_OK) < 0) {
        fprintf(stderr, "husk: %s: Permission denied\n", path);
        close(fd);
        return HUSK_EXIT_NOEXEC;
    }
    *size = (size_t)st.st_size;
    *data = mmap(NULL, *size ? *size : 1, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (*data == MAP_FAILED) {
        fprintf(stderr, "husk: %s: cannot read: %s\n", path, strerror(errno));
        return HUSK_EXIT_NOEXEC;
    }
    return 0;
}

static int check_program(const char *path, const unsigned char *data,
                         size_t size, struct elf_image *img)
{
    char err[256];
    if (size >= 2 && data[0] == '#' && data[1] == '!') {
        size_t n = 2;
        while (n < size && n < 200 && data[n] != '\n')
            n++;
        fprintf(stderr,
                "husk: %s: a script (%.*s): run it from a --rootfs image "
                "that holds its interpreter\n",
                path, (int)(n - 2), data + 2);
        return HUSK_EXIT_NOEXEC;
    }
    if (elf_check(img, data, size, err, sizeof(err)) != 0) {
        fprintf(stderr, "husk: %s: %s\n", path, err);
        return HUSK_EXIT_NOEXEC;
    }
    return 0;
}

/* The guard above the arena matters only to the seccomp pins. */
static uint64_t guard_size(const struct husk_config *cfg)
{
#ifdef HUSK_SUD_SELECTOR
    (void)cfg;
    return 0; /* sanitizer builds install no filter */
#else
    return cfg->seccomp == HUSK_SECCOMP_OFF ? 0 : cfg->mem;
#endif
}

/* Where arenas go: low, so that a program execve'd later at the usual
   fixed address (0x400000) fits in it too. */
#define ARENA_BASE 0x10000UL

/* Reserve the arena: at ARENA_BASE, unless the program wants a fixed
   address outside [ARENA_BASE, ARENA_BASE + --mem): then from there. */
static void reserve_arena(const struct husk_config *cfg,
                          const struct elf_image *img, bool script,
                          uintptr_t *lo, uintptr_t *hi)
{
    size_t need = script ? 0 : img->hi - img->lo;
    if (need + exec_stack_size() + (1 << 20) > cfg->mem)
        die(HUSK_EXIT_NOEXEC,
            "%s: the program (%zu MiB) does not fit in the "
            "guest memory (--mem %llu MiB)",
            cfg->program, need >> 20, (unsigned long long)(cfg->mem >> 20));
    bool fixed = !script && !img->pie;
    uintptr_t want = ARENA_BASE;
    if (fixed &&
        (img->lo < ARENA_BASE ||
         img->hi + exec_stack_size() + (1 << 20) > ARENA_BASE + cfg->mem))
        want = img->lo;
    if (want + cfg->mem + guard_size(cfg) > 1ULL << 47)
        die(HUSK_EXIT_NOEXEC,
            "%s: program address 0x%lx plus --mem leaves "
            "the address space",
            cfg->program, (unsigned long)want);
    /* The arena and, above it, a guard of the same size that nothing
       ever maps: the seccomp pins can check an address and a length but
       not their sum, so a length up to the arena's size from any address
       inside it must not reach husk's own memory. */
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *p = mmap((void *)want, cfg->mem + guard_size(cfg), PROT_NONE,
                   flags | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED && !fixed) /* something lives there: anywhere */
        p = mmap(NULL, cfg->mem + guard_size(cfg), PROT_NONE, flags, -1, 0);
    if (p == MAP_FAILED || (fixed && p != (void *)want))
        die(HUSK_EXIT_ERROR, "cannot reserve %llu MiB of guest memory%s: %s",
            (unsigned long long)(cfg->mem >> 20),
            fixed ? " at the program's fixed address" : "",
            strerror(p == MAP_FAILED ? errno : EEXIST));
    *lo = (uintptr_t)p;
    *hi = *lo + cfg->mem;
}

static void *reserve(size_t size, size_t align, const char *what)
{
    void *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        die(HUSK_EXIT_ERROR, "cannot reserve the %s: %s", what,
            strerror(errno));
    uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
    return (void *)a;
}

static void note_vdso(struct mm *mm, uintptr_t vdso)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)vdso;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(vdso + eh->e_phoff);
    uintptr_t end = vdso;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD)
            end = MAX(end, PAGE_UP(vdso + ph[i].p_vaddr + ph[i].p_memsz));
    mm_note_outside(mm, vdso, end, LINUX_PROT_READ | LINUX_PROT_EXEC, VMA_VDSO);
}

static void install_handlers(void *kstack)
{
    /* the entry path loads the kernel's %fs from here: valid from now */
    ((struct kcpu *)kstack)->kernel_fs = __builtin_ia32_rdfsbase64();
    stack_t ss = {.ss_sp = kstack, .ss_size = KSTACK_SIZE, .ss_flags = 0};
    /* the kcpu block sits at the base; the handler frames above it */
    ss.ss_sp = (char *)kstack + 4096;
    ss.ss_size = KSTACK_SIZE - 4096;
    if (sigaltstack(&ss, NULL) < 0)
        die(HUSK_EXIT_ERROR, "sigaltstack: %s", strerror(errno));
    /* Raw rt_sigaction: glibc's would force its own restorer, whose
       rt_sigreturn would then trap under Syscall User Dispatch. */
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } sa = {
        .handler = (void *)husk_signal_entry,
        .flags = SA_SIGINFO | SA_ONSTACK | 0x04000000 /* SA_RESTORER */,
        .restorer = (void *)host_sigreturn,
        /* Other host signals wait while the kernel runs. Faults cannot,
           and the kick and the signals from outside (the program's now)
           must interrupt a blocking hypercall: their handlers only take
           note when they interrupt the kernel (no SA_RESTART either). */
        .mask = ~((1UL << (SIGSEGV - 1)) | (1UL << (SIGBUS - 1)) |
                  (1UL << (SIGFPE - 1)) | (1UL << (SIGILL - 1)) |
                  (1UL << (SIGTRAP - 1)) | (1UL << (SIGKILL - 1)) |
                  (1UL << (SIGSTOP - 1)) | (1UL << (HUSK_SIGNAL_KICK - 1)) |
                  HUSK_OUTSIDE_SIGNALS),
    };
    for (int s = 1; s <= 64; s++) {
        bool ours = s == SIGSYS || s == SIGSEGV || s == SIGBUS || s == SIGFPE ||
                    s == SIGILL || s == SIGTRAP || s == HUSK_SIGNAL_KICK ||
                    (HUSK_OUTSIDE_SIGNALS & (1ULL << (s - 1)));
        if (ours && syscall(SYS_rt_sigaction, s, &sa, NULL, 8) < 0)
            die(HUSK_EXIT_ERROR, "rt_sigaction: %s", strerror(errno));
    }
    /* A write to a closed pipe must come back as EPIPE: the kernel decides
       what SIGPIPE does to the program. */
    signal(SIGPIPE, SIG_IGN);
}

static uint64_t host_cpus(void)
{
    cpu_set_t set;
    uint64_t mask = 0;
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        for (int i = 0; i < 64; i++)
            if (CPU_ISSET(i, &set))
                mask |= 1ULL << i;
    return mask;
}

/* The host's /proc/cpuinfo, to show as the sandbox's (NULL if unreadable). */
static char *host_cpuinfo(void)
{
    static char buf[256 * 1024];
    int fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t n = 0;
    ssize_t r;
    while (n < sizeof(buf) - 1 &&
           (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
        n += (size_t)r;
    close(fd);
    buf[n] = 0;
    return n ? buf : NULL;
}

/* The images, as fds 3, 4, ... (the rootfs first): what the seccomp pins
   and the kernel need to know of them. */
static struct policy_disk disks[1 + HUSK_MAX_DISKS];
static struct kdisk kdisks[1 + HUSK_MAX_DISKS];
static int ndisks;

#define DISK_FD 3 /* the rootfs image, kept across the lock-down */

/* The taps, as the fds after the disks. */
static int tap_fds[HUSK_MAX_NICS];
static uint8_t tap_macs[HUSK_MAX_NICS][6];
static unsigned tap_offloads[HUSK_MAX_NICS];
static int ntaps;

/* Open an existing tap device for a --net interface, non-blocking, as the
   next fd after the disks. husk does not create taps: scripts/net.sh or
   the OCI front end does, where the network is the host's business. */
static int open_tap(const struct husk_nic *nic)
{
    int want = DISK_FD + ndisks + ntaps;
    const char *why = NULL;
    if (!if_nametoindex(nic->tap)) {
        fprintf(stderr,
                "husk: --net tap:%s: no such network interface (create the "
                "tap first, e.g. with scripts/net.sh)\n",
                nic->tap);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", nic->tap);
    /* with a virtio-net header: the host may hand us coalesced frames of
       up to 64 KiB and cut our big TCP segments itself (TSO), as for a
       VM's NIC */
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (fd < 0)
        why = strerror(errno);
    else if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        why = errno == EBUSY    ? "in use by another program"
              : errno == EINVAL ? "not a tap device"
              : errno == EPERM  ? "not allowed to attach to it (a tap owned "
                                  "by another user, or no CAP_NET_ADMIN)"
                                : strerror(errno);
    else if (fd != want && dup3(fd, want, O_CLOEXEC) < 0)
        why = strerror(errno);
    if (fd >= 0 && fd != want)
        close(fd);
    if (why) {
        fprintf(stderr, "husk: --net tap:%s: %s\n", nic->tap, why);
        return -1;
    }
    int hdr = 10; /* struct virtio_net_hdr */
    unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
    if (ioctl(want, TUNSETVNETHDRSZ, &hdr) < 0) {
        fprintf(stderr, "husk: --net tap:%s: %s\n", nic->tap, strerror(errno));
        close(want);
        return -1;
    }
    if (ioctl(want, TUNSETOFFLOAD, off) < 0 &&
        ioctl(want, TUNSETOFFLOAD, off = 0) < 0)
        off = 0;
    tap_offloads[ntaps] = off;
    if (nic->has_mac) {
        memcpy(tap_macs[ntaps], nic->mac, 6);
    } else { /* locally administered, unicast */
        if (getrandom(tap_macs[ntaps], 6, 0) != 6)
            memcpy(tap_macs[ntaps], "\x02husk", 6);
        tap_macs[ntaps][0] = (uint8_t)((tap_macs[ntaps][0] & 0xfc) | 0x02);
    }
    tap_fds[ntaps++] = want;
    return 0;
}

/* With --rootfs the program lives in the image: read it through the
   kernel's VFS (the kernel is up, the arena not yet), then check it. */
static const char *program_from_image(const struct husk_config *cfg,
                                      const struct kboot *b,
                                      struct elf_image *img, bool *script)
{
    const char *path_env = NULL;
    for (int i = 0; i < cfg->envc; i++)
        if (!strncmp(cfg->envp[i], "PATH=", 5))
            path_env = cfg->envp[i] + 5;
    static char resolved[4096];
    void *data;
    size_t size, file_size;
    long r = kernel_read_program(b, cfg->program, path_env, resolved, &data,
                                 &size, &file_size);
    if (r == -ENOENT || r == -ENOTDIR)
        die(HUSK_EXIT_NOENT, "%s: not found in %s", cfg->program, cfg->rootfs);
    if (r)
        die(HUSK_EXIT_NOEXEC, "%s: %s", cfg->program,
            r == -EISDIR ? "Is a directory" : strerror((int)-r));
    /* a script's interpreter is the kernel's to find (kernel_exec); an
       ELF is checked from its first bytes (where the arena goes depends
       on it), and whole by kernel_exec */
    *script = size >= 2 && !memcmp(data, "#!", 2);
    char err[256];
    int st = *script
                 ? 0
                 : elf_check_head(img, data, size, file_size, err, sizeof(err));
    if (st < 0)
        die(HUSK_EXIT_NOEXEC, "%s: %s", resolved, err);
    if (st > 0) /* headers further in: placed as a script would be */
        *script = true;
    return resolved;
}

static _Noreturn void start_child(const struct husk_config *cfg,
                                  struct elf_image *img)
{
    struct timespec now;
    struct utsname uts;
    char exe[PATH_MAX];
    if (!cfg->rootfs && !realpath(cfg->program, exe))
        snprintf(exe, sizeof(exe), "%s", cfg->program);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    clock_gettime(CLOCK_MONOTONIC, &now);
    uname(&uts);
    int pid = getpid(); /* now: once SUD is armed, getpid() is the guest's */
    host_init(pid);

    /* the fault handlers first: a husk bug while booting is reported as
       one, not as the program's crash */
    void *kstack = reserve(KSTACK_SIZE, KSTACK_SIZE, "kernel stack");
    install_handlers(kstack);
    struct kboot b = {
        .cfg = cfg,
        .kstack = kstack,
        .exe = cfg->rootfs ? "" : exe,
        .exe_data = cfg->rootfs ? NULL : img->data, /* stays mapped here */
        .exe_size = cfg->rootfs ? 0 : img->size,
        .root = cfg->rootfs ? kdisks[0] : (struct kdisk){.fd = -1},
        .root_ro = cfg->rootfs_ro,
        .release = uts.release,
        .version = "#1 SMP husk",
        .cpu_mask = host_cpus(),
        .cpuinfo = host_cpuinfo(),
        .start_ns = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec,
        .hwcap = getauxval(AT_HWCAP),
        .hwcap2 = getauxval(AT_HWCAP2),
        .minsigstksz = getauxval(AT_MINSIGSTKSZ),
        .vdso = getauxval(AT_SYSINFO_EHDR),
    };
    for (int d = 0; d < cfg->ndisks; d++)
        b.disk[d] = kdisks[!!cfg->rootfs + d];
    for (int t = 0; t < ntaps; t++) {
        b.tap_fd[t] = tap_fds[t];
        b.tap_offload[t] = tap_offloads[t];
        memcpy(b.tap_mac[t], tap_macs[t], 6);
    }
    for (int c = 0; c < 12; c++) {
        struct timespec res = {0, 0};
        clock_getres(c, &res);
        b.clock_res[c] = (struct linux_timespec){res.tv_sec, res.tv_nsec};
    }
    struct proc *p = kernel_boot(&b);
    if (!p)
        _exit(HUSK_EXIT_ERROR); /* it said why */
    p->threads->host_tid = pid; /* the first thread is the host's leader */
    bool script = false;
    const char *path = exe;
    if (cfg->rootfs)
        path = program_from_image(cfg, &b, img, &script);

    uintptr_t lo, hi;
    reserve_arena(cfg, img, script, &lo, &hi);
    if (kernel_set_arena(p, lo, hi) < 0)
        die(HUSK_EXIT_ERROR, "out of kernel memory at start");
    char err[256] = "";
    uintptr_t entry, sp;
    long r = kernel_exec(&b, path, &entry, &sp, err, sizeof(err));
    if (r)
        die(r == -ENOENT || r == -ENOTDIR ? HUSK_EXIT_NOENT : HUSK_EXIT_NOEXEC,
            "%s: %s%s%s", cfg->program, err, err[0] ? ": " : "",
            r == -E2BIG ? "Argument list too long" : strerror((int)-r));
    if (b.vdso)
        note_vdso(p->mm, b.vdso);
#ifndef HUSK_SUD_SELECTOR /* sanitizer builds debug the kernel, not sandbox */
    lockdown_process(DISK_FD + ndisks + ntaps);
#endif

    fflush(NULL);
    unsigned long selector = 0;
#ifdef HUSK_SUD_SELECTOR
    struct kcpu *k = b.kstack;
    k->sud_selector = 0; /* ALLOW until husk_enter_program blocks it */
    selector = (unsigned long)&k->sud_selector;
#endif
    if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON,
              (unsigned long)__start_husk_hostcall,
              (unsigned long)(__stop_husk_hostcall - __start_husk_hostcall),
              selector) < 0)
        die(HUSK_EXIT_ERROR,
            "cannot enable Syscall User Dispatch (Linux >= "
            "5.11 needed): %s",
            strerror(errno));
        /* From here on, no host syscall outside host/. */
#ifndef HUSK_SUD_SELECTOR /* sanitizer runtimes make their own host calls */
    struct policy_params pp = {.arena_lo = lo,
                               .arena_hi = hi,
                               .pid = pid,
                               .kevent = (uint64_t)&kevent_word,
                               .netlock = (uint64_t)&net_lock_word};
    pp.ndisks = ndisks;
    memcpy(pp.disks, disks, sizeof(disks));
    pp.ntaps = ntaps;
    memcpy(pp.taps, tap_fds, sizeof(tap_fds));
    lockdown_seccomp(&pp, cfg->seccomp);
#endif
    kernel_locked_down(&b);
    kernel_enter_program(entry, sp);
}

/* Open an image as the next disk fd: read-write with an exclusive lock
   (no other husk may use it meanwhile), or read-only and shared. Its
   superblock gives the block size the write pin is built on. */
static int open_disk(const char *opt, const char *path, bool ro)
{
    int want = DISK_FD + ndisks;
    int fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "husk: %s %s: %s\n", opt, path, strerror(errno));
        return -1;
    }
    struct stat st;
    unsigned char sb[1024];
    const char *why = NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        why = "not an image file (a directory needs husk image build first)";
    else if (pread(fd, sb, sizeof(sb), 1024) != (ssize_t)sizeof(sb) ||
             sb[56] != 0x53 || sb[57] != 0xef)
        why = "not an ext2/3/4 filesystem";
    else if (flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
        why = ro ? "in use read-write by another husk"
                 : "in use by another husk (add :ro to share it read-only)";
    uint32_t log =
        why ? 0 : sb[24] | sb[25] << 8 | sb[26] << 16 | (uint32_t)sb[27] << 24;
    if (!why && (log > 6 || (uint64_t)st.st_size < (1024U << log)))
        why = "damaged superblock (block size)";
    if (!why && fd != want && dup3(fd, want, O_CLOEXEC) < 0)
        why = strerror(errno);
    if (fd != want)
        close(fd);
    if (why) {
        fprintf(stderr, "husk: %s %s: %s\n", opt, path, why);
        return -1;
    }
    /* Reads come from this mapping (the host's page cache, no copy, no
       hypercall); writes go through pwrite64 into the same cache. */
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, want, 0);
    kdisks[ndisks] = (struct kdisk){want, map == MAP_FAILED ? NULL : map,
                                    (size_t)st.st_size};
    disks[ndisks++] =
        (struct policy_disk){want, (uint64_t)st.st_size, 1024U << log, !ro};
    return 0;
}

int tender_run(const struct husk_config *cfg)
{
    unsigned char *data = NULL;
    size_t size = 0;
    struct elf_image img;
    int r;
    if (cfg->rootfs && open_disk("--rootfs", cfg->rootfs, cfg->rootfs_ro) < 0)
        return HUSK_EXIT_ERROR;
    for (int d = 0; d < cfg->ndisks; d++)
        if (open_disk("--disk", cfg->disks[d].path, cfg->disks[d].ro) < 0)
            return HUSK_EXIT_ERROR;
    for (int t = 0; t < cfg->nnics; t++)
        if (open_tap(&cfg->nics[t]) < 0)
            return HUSK_EXIT_ERROR;
    if (!cfg->rootfs) {
        r = read_program(cfg->program, &data, &size);
        if (r)
            return r;
        r = check_program(cfg->program, data, size, &img);
        if (r)
            return r;
        if (img.interp) {
            fprintf(stderr,
                    "husk: %s: a dynamic program (it needs %s and its "
                    "libraries): run it from a --rootfs image that holds "
                    "them (scripts/rootfs-from-host.sh makes one)\n",
                    cfg->program, img.interp);
            return HUSK_EXIT_NOEXEC;
        }
    }
    if (!(getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */)) {
        fprintf(stderr, "husk: this CPU or kernel lacks FSGSBASE (Linux >= "
                        "5.9 on a CPU with it is needed)\n");
        return HUSK_EXIT_ERROR;
    }
    if (cfg->seccomp == HUSK_SECCOMP_OFF)
        fprintf(stderr,
                "husk: WARNING: --seccomp=off: the program is NOT "
                "sandboxed; it can make any host system call husk can\n");
    else if (cfg->seccomp == HUSK_SECCOMP_LOG)
        fprintf(stderr,
                "husk: WARNING: --seccomp=log: host system calls "
                "outside the allowlist are let through (and logged by the "
                "host kernel), not killed\n");
    struct host_record *rec = mmap(NULL, sizeof(*rec), PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (rec == MAP_FAILED) {
        fprintf(stderr, "husk: mmap: %s\n", strerror(errno));
        return HUSK_EXIT_ERROR;
    }
    rec->last_nr = -1;
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "husk: fork: %s\n", strerror(errno));
        return HUSK_EXIT_ERROR;
    }
    if (child == 0) {
        host_record = rec;
        start_child(cfg, &img);
    }
    if (data)
        munmap(data, size ? size : 1);
    return supervise(child, cfg->program, rec);
}
