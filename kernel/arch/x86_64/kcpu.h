/* SPDX-License-Identifier: MIT */
/* kcpu.h: the per-thread kernel block at the base of each kernel stack.
   Shared with assembly: keep the offsets in step. */
#ifndef HUSK_KCPU_H
#define HUSK_KCPU_H

#define KSTACK_SIZE (256 * 1024)
#define KCPU_KERNEL_FS 0

#ifndef __ASSEMBLER__
#include <stdint.h>

struct task;

struct kcpu {
    uint64_t kernel_fs; /* %fs base the kernel runs with (offset 0) */
    struct task *task;  /* the thread this stack belongs to */
    uint64_t canary;    /* to notice a kernel stack overflow */
};

/* The current thread's block, valid only on a kernel stack. */
static inline struct kcpu *kcpu_self(void)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    return (struct kcpu *)(sp & ~(uintptr_t)(KSTACK_SIZE - 1));
}
#endif

#endif
