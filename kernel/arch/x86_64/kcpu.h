/* SPDX-License-Identifier: MIT */
/* kcpu.h: the per-thread kernel block at the base of each kernel stack.
   Shared with assembly: keep the offsets in step. */
#ifndef HUSK_KCPU_H
#define HUSK_KCPU_H

#define KSTACK_SIZE (256 * 1024)
#define KCPU_KERNEL_FS 0
#define KCPU_SUD_SELECTOR 24

#ifndef __ASSEMBLER__
#include <stdint.h>

struct task;

/* How a new thread leaves for the program (host_thread_create reads it
   from its own kernel stack, so the parent may move on meanwhile). */
struct thread_start {
    uint64_t frame;    /* a host signal frame's ucontext: registers, mask */
    uint64_t app_fs;   /* the %fs base the program's thread starts with */
    uint64_t ctid;     /* the host clears it when the thread is gone */
    uint64_t selector; /* Syscall User Dispatch selector, or 0 */
};

struct kcpu {
    uint64_t kernel_fs; /* %fs base the kernel runs with (offset 0) */
    struct task *task;  /* the thread this stack belongs to */
    uint64_t canary;    /* to notice a kernel stack overflow */
    /* Syscall User Dispatch selector (offset 24), used only by sanitizer
       builds (HUSK_SUD_SELECTOR): ALLOW while the kernel runs, so that the
       sanitizer runtime may make host syscalls; BLOCK in the program.
       Release builds arm SUD without a selector: everything outside the
       husk_hostcall stub traps, always. */
    uint8_t sud_selector;
    /* Not used by assembly: */
    int32_t host_tid;  /* cleared by the host when the thread is gone */
    struct kcpu *next; /* on the list of stacks to free (clone.c) */
    struct thread_start start;
};

/* The first thread's block (its stack is not the kernel heap's). */
extern struct kcpu *husk_kstack_base;

/* The current thread's block, valid only on a kernel stack. */
static inline struct kcpu *kcpu_self(void)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    return (struct kcpu *)(sp & ~(uintptr_t)(KSTACK_SIZE - 1));
}
#endif

#endif
