/* SPDX-License-Identifier: MIT */
/* ucontext.h: signal frame pieces as the x86_64 kernel lays them out
   (struct sigcontext, ucontext, siginfo). Used both for host signals that
   enter husk and, later, for the frames husk builds for the program. */
#ifndef ABI_LINUX_UCONTEXT_H
#define ABI_LINUX_UCONTEXT_H

#include <stdint.h>

#include "signal.h"

struct linux_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved1[8];
};

struct linux_ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct linux_stack uc_stack;
    struct linux_sigcontext uc_mcontext;
    linux_sigset_t uc_sigmask;
};

struct linux_siginfo {
    int32_t si_signo;
    int32_t si_errno;
    int32_t si_code;
    int32_t pad;
    union {
        struct { /* SIGSEGV, SIGBUS, SIGILL, SIGFPE */
            uint64_t addr;
        } fault;
        struct { /* SIGSYS from seccomp or syscall user dispatch */
            uint64_t call_addr;
            int32_t syscall;
            uint32_t arch;
        } sys;
        struct { /* kill, tgkill */
            int32_t pid;
            uint32_t uid;
        } kill;
        char pad[112];
    } u;
};

#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_TKILL (-6)
#define LINUX_SYS_USER_DISPATCH 2 /* si_code of a dispatched syscall */
#define LINUX_SEGV_MAPERR 1
#define LINUX_SEGV_ACCERR 2

#endif
