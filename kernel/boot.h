/* SPDX-License-Identifier: MIT */
/* boot.h: what the tender calls to bring the kernel up and leave it for
   the program. Runs before the lock-down, on husk's own stack. */
#ifndef HUSK_BOOT_H
#define HUSK_BOOT_H

#include "abi/linux/types.h"
#include <stddef.h>
#include <stdint.h>

#include "husk/config.h"

struct mm;
struct proc;

/* A disk image: the host fd the tender opened, and the whole image mapped
   read-only and shared (the host's page cache of it), or map NULL. */
struct kdisk {
    int fd; /* -1: none */
    const void *map;
    size_t len;
};

struct kboot {
    const struct husk_config *cfg;
    void *kstack;            /* KSTACK_SIZE bytes, KSTACK_SIZE-aligned */
    const char *exe;         /* absolute path of the program */
    const void *exe_data;    /* its bytes, mapped for the life of the sandbox */
    struct kdisk root;       /* the rootfs image, or fd -1 */
    bool root_ro;            /* mount it read-only */
    struct kdisk disk[4];    /* the cfg->disks images */
    int tap_fd[4];           /* the cfg->nics taps' host fds */
    uint8_t tap_mac[4][6];   /* their guest MACs (given or made up) */
    unsigned tap_offload[4]; /* TUN_F_* the host took (virtio-net header) */
    struct linux_timespec clock_res[12];       /* the host's clock_getres */
    uint64_t hwcap, hwcap2, minsigstksz, vdso; /* the host's auxv */
    size_t exe_size;
    const char *release; /* host uname release, shown to the program */
    const char *version;
    uint64_t cpu_mask;
    const char *cpuinfo; /* the host's /proc/cpuinfo, read at start */
    uint64_t start_ns;
};

/* Create the first process and thread over the reserved arena. Returns the
   process or NULL (out of kernel heap). */
struct proc *kernel_boot(const struct kboot *b);

/* Give the process its address space: the arena [lo, hi), reserved. */
long kernel_set_arena(struct proc *p, uintptr_t lo, uintptr_t hi);

/* Find the program as execvp would (name, or each PATH entry; path_env
   NULL for the default) in the sandbox's own filesystem and read it
   into kernel memory: its first 64 KiB (*data, *size; *file_size is
   all of it); resolved gets its absolute path (LINUX_PATH_MAX). -ENOENT,
   -EACCES, -EISDIR, ... */
long kernel_read_program(const struct kboot *b, const char *name,
                         const char *path_env, char *resolved, void **data,
                         size_t *size, size_t *file_size);

/* Load the program at path inside the sandbox (an ELF, with its loader,
   or a #! script) into the arena and build its stack from cfg's argv and
   envp: entry point and stack pointer, or -errno with err saying what
   (a missing loader, a program too big for --mem, ...). */
long kernel_exec(const struct kboot *b, const char *path, uintptr_t *entry,
                 uintptr_t *sp, char *err, size_t errlen);

/* The network lock's futex word (net/net.h), for the seccomp pin. */
extern uint32_t net_lock_word;

/* After the lock-down, before the program: start what must run beside
   it (the network thread, when there are taps: a thread started before
   the seccomp filter would not be under it). */
void kernel_locked_down(const struct kboot *b);
/* Leave for the program at entry with stack pointer sp; never returns. The
   caller has armed syscall interception. */
_Noreturn void kernel_enter_program(uintptr_t entry, uintptr_t sp);

#endif
