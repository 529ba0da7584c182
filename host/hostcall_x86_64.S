/* SPDX-License-Identifier: MIT */
/* hostcall_x86_64.S: the husk_hostcall section, the Syscall User Dispatch
   exempt range. It holds the only `syscall` instructions husk executes
   after start, so a seccomp filter can also pin the instruction pointer. */

        .section husk_hostcall, "ax", @progbits
        .balign 64

/* long host_syscall6(long nr, long a1, ..., long a6) */
        .globl  host_syscall6
        .hidden host_syscall6
        .type   host_syscall6, @function
host_syscall6:
        movq    host_record(%rip), %r11 /* note the call for the supervisor */
        testq   %r11, %r11
        jz      1f
        movl    %edi, (%r11)
1:      movq    %rdi, %rax
        movq    %rsi, %rdi
        movq    %rdx, %rsi
        movq    %rcx, %rdx
        movq    %r8, %r10
        movq    %r9, %r8
        movq    8(%rsp), %r9
        syscall
        ret
        .size   host_syscall6, .-host_syscall6

/* void host_sigreturn(void): sa_restorer of husk's host handlers */
        .globl  host_sigreturn
        .hidden host_sigreturn
        .type   host_sigreturn, @function
host_sigreturn:
        movl    $15, %eax               /* __NR_rt_sigreturn */
        syscall
        hlt
        .size   host_sigreturn, .-host_sigreturn

/* long host_thread_create(struct thread_start *ts): clone a host thread
   (CLONE_VM FS FILES SIGHAND THREAD SYSVSEM CHILD_CLEARTID) whose stack is
   the signal frame ts->frame. The child touches no memory of the parent's
   stack: it arms Syscall User Dispatch over this section, loads the
   program's %fs and returns to the program with rt_sigreturn. ts lives on
   the child's kernel stack (kcpu.h), so the parent may return at once. */
        .globl  host_thread_create
        .hidden host_thread_create
        .type   host_thread_create, @function
host_thread_create:
        movq    host_record(%rip), %r11
        testq   %r11, %r11
        jz      1f
        movl    $56, (%r11)
1:      movq    %rdi, %r9               /* kept by the child too */
        movl    $0x250f00, %edi         /* the flags the filter pins */
        movq    0(%r9), %rsi            /* child stack: the frame */
        xorl    %edx, %edx              /* no parent_tid */
        movq    16(%r9), %r10           /* child_tid */
        xorl    %r8d, %r8d              /* no tls */
        movl    $56, %eax               /* __NR_clone */
        syscall
        testq   %rax, %rax
        jz      2f
        ret                             /* parent: the tid, or -errno */
2:      movl    $157, %eax              /* __NR_prctl */
        movl    $59, %edi               /* PR_SET_SYSCALL_USER_DISPATCH */
        movl    $1, %esi                /* PR_SYS_DISPATCH_ON */
        leaq    __start_husk_hostcall(%rip), %rdx
        leaq    __stop_husk_hostcall(%rip), %r10
        subq    %rdx, %r10
        movq    24(%r9), %r8            /* selector */
        syscall
        testq   %rax, %rax
        jnz     3f
        movq    8(%r9), %rax
        wrfsbase %rax
        movl    $15, %eax               /* __NR_rt_sigreturn */
        syscall
3:      movl    $231, %eax              /* __NR_exit_group: no dispatch */
        movl    $125, %edi
        syscall
        hlt
        .size   host_thread_create, .-host_thread_create

        .section .note.GNU-stack, "", @progbits
