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

        .section .note.GNU-stack, "", @progbits
