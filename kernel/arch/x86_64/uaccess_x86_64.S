/* SPDX-License-Identifier: MIT */
/* uaccess_x86_64.S: copies to and from program memory. A fault with %rip
   in [uaccess_text_start, uaccess_text_end) resumes at uaccess_fixup
   (kernel/arch/x86_64/trap.c), which returns -EFAULT to the caller. The
   routines push nothing, so %rsp at the fault is the caller's. */

        .text
        .balign 16
        .globl  uaccess_text_start
        .hidden uaccess_text_start
uaccess_text_start:

/* long uaccess_copy(void *dst, const void *src, size_t n) */
        .globl  uaccess_copy
        .hidden uaccess_copy
        .type   uaccess_copy, @function
uaccess_copy:
        movq    %rdx, %rcx
        rep movsb
        xorl    %eax, %eax
        ret
        .size   uaccess_copy, .-uaccess_copy

/* long uaccess_strncpy(char *dst, const char *src, size_t max) */
        .globl  uaccess_strncpy
        .hidden uaccess_strncpy
        .type   uaccess_strncpy, @function
uaccess_strncpy:
        xorl    %eax, %eax
1:      cmpq    %rdx, %rax
        je      2f
        movb    (%rsi,%rax), %cl
        movb    %cl, (%rdi,%rax)
        testb   %cl, %cl
        je      2f
        incq    %rax
        jmp     1b
2:      ret
        .size   uaccess_strncpy, .-uaccess_strncpy

/* long uaccess_cmpxchg32(uint32_t *p, uint32_t *old, uint32_t new):
   a locked compare-and-exchange on program memory; *old gets what was
   there. 0 (exchanged or not: compare *old) or -EFAULT. */
        .globl  uaccess_cmpxchg32
        .hidden uaccess_cmpxchg32
        .type   uaccess_cmpxchg32, @function
uaccess_cmpxchg32:
        movl    (%rsi), %eax
        lock cmpxchgl %edx, (%rdi)
        movl    %eax, (%rsi)
        xorl    %eax, %eax
        ret
        .size   uaccess_cmpxchg32, .-uaccess_cmpxchg32

        .globl  uaccess_text_end
        .hidden uaccess_text_end
uaccess_text_end:

        .globl  uaccess_fixup
        .hidden uaccess_fixup
uaccess_fixup:
        movq    $-14, %rax              /* -EFAULT */
        ret

        .section .note.GNU-stack, "", @progbits
