/* SPDX-License-Identifier: MIT */
/* entry_x86_64.S: the way into the husk kernel and out to the program.

   Every host signal husk handles (SIGSYS from Syscall User Dispatch,
   SIGSEGV/SIGBUS for uaccess faults) arrives here on the thread's kernel
   stack, a sigaltstack aligned to KSTACK_SIZE whose lowest bytes hold the
   thread's struct kcpu (kernel/arch/x86_64/kcpu.h). This code touches no
   TLS and has no stack protector: %fs may still be the program's. It saves
   the %fs base it found, loads the kernel's, calls C with a pointer to the
   saved value (arch_prctl(ARCH_SET_FS) changes it there), and restores it
   on the way out. */

#include "kcpu.h"

        .text
/* void husk_signal_entry(int sig, siginfo *info, ucontext *uc) */
        .globl  husk_signal_entry
        .hidden husk_signal_entry
        .type   husk_signal_entry, @function
husk_signal_entry:
        movq    %rsp, %rax
        andq    $-KSTACK_SIZE, %rax     /* struct kcpu */
        rdfsbase %r8
        pushq   %r8                     /* saved %fs; stack now 16-aligned */
        movq    KCPU_KERNEL_FS(%rax), %r8
        wrfsbase %r8
#ifdef HUSK_SUD_SELECTOR
        /* ALLOW while the kernel runs; what it was comes back on the way
           out (BLOCK for the program, ALLOW when this interrupted the
           kernel itself) */
        movzbl  KCPU_SUD_SELECTOR(%rax), %r8d
        pushq   %r8
        subq    $8, %rsp                /* 16-aligned again */
        movb    $0, KCPU_SUD_SELECTOR(%rax)     /* SYSCALL_DISPATCH_FILTER_ALLOW */
        leaq    16(%rsp), %rcx          /* 4th argument: &saved fs */
#else
        movq    %rsp, %rcx              /* 4th argument: &saved fs */
#endif
        call    kentry_signal
#ifdef HUSK_SUD_SELECTOR
        addq    $8, %rsp
        popq    %r8
        movq    %rsp, %rax
        andq    $-KSTACK_SIZE, %rax
        movb    %r8b, KCPU_SUD_SELECTOR(%rax)
#endif
        popq    %r8
        wrfsbase %r8
        ret
        .size   husk_signal_entry, .-husk_signal_entry

/* void husk_enter_program(uintptr_t entry, uintptr_t sp): leave the kernel
   for the first time: %fs 0 as the kernel gives a new program, all
   general registers 0 (%rdx 0 = no atexit function for the program). */
        .globl  husk_enter_program
        .hidden husk_enter_program
        .type   husk_enter_program, @function
husk_enter_program:
#ifdef HUSK_SUD_SELECTOR
        leaq    husk_kstack_base(%rip), %rax
        movq    (%rax), %rax
        movb    $1, KCPU_SUD_SELECTOR(%rax)     /* BLOCK from here on */
#endif
        movq    %rsi, %rsp
        movq    %rdi, %r11
        xorl    %eax, %eax
        wrfsbase %rax
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %esi, %esi
        xorl    %edi, %edi
        xorl    %ebp, %ebp
        xorl    %r8d, %r8d
        xorl    %r9d, %r9d
        xorl    %r10d, %r10d
        xorl    %r12d, %r12d
        xorl    %r13d, %r13d
        xorl    %r14d, %r14d
        xorl    %r15d, %r15d
        jmp     *%r11
        .size   husk_enter_program, .-husk_enter_program

/* long husk_call_on_stack(long (*fn)(void *), void *arg, void *top): run
   fn(arg) on another stack (the kernel stack, for code that needs
   current() before the program runs). */
        .globl  husk_call_on_stack
        .hidden husk_call_on_stack
        .type   husk_call_on_stack, @function
husk_call_on_stack:
        pushq   %rbp
        movq    %rsp, %rbp
        movq    %rdx, %rsp
        movq    %rdi, %rax
        movq    %rsi, %rdi
        call    *%rax
        movq    %rbp, %rsp
        popq    %rbp
        ret
        .size   husk_call_on_stack, .-husk_call_on_stack

        .section .note.GNU-stack, "", @progbits
