/* SPDX-License-Identifier: MIT */
/* boot.h: what the tender calls to bring the kernel up and leave it for
   the program. Runs before the lock-down, on husk's own stack. */
#ifndef HUSK_BOOT_H
#define HUSK_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "husk/config.h"

struct mm;
struct proc;

struct kboot {
    const struct husk_config *cfg;
    void *kstack; /* KSTACK_SIZE bytes, KSTACK_SIZE-aligned */
    uintptr_t arena_lo, arena_hi;
    const char *exe;      /* absolute path of the program */
    const void *exe_data; /* its bytes, mapped for the life of the sandbox */
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

/* Leave for the program at entry with stack pointer sp; never returns. The
   caller has armed syscall interception. */
_Noreturn void kernel_enter_program(uintptr_t entry, uintptr_t sp);

#endif
