/* SPDX-License-Identifier: MIT */
/* uaccess.h: the only way the kernel touches the program's memory.

   A user range must lie inside the guest arena (so a program can never make
   the kernel read or write husk's own memory), and the copy itself runs in
   a routine whose faults the SIGSEGV/SIGBUS handler turns into -EFAULT (an
   unmapped or write-protected page inside the arena). Copy a struct in
   ONCE and validate the copy: other threads may change the original. */
#ifndef HUSK_UACCESS_H
#define HUSK_UACCESS_H

#include "kernel.h"

/* The arena bounds, set once at start (kernel/mm/mm.c). */
extern uintptr_t uaccess_lo, uaccess_hi;

static inline bool user_range_ok(uptr_t p, size_t n)
{
    return p >= uaccess_lo && p <= uaccess_hi && n <= uaccess_hi - p;
}

/* Assembly (kernel/arch/x86_64/uaccess_x86_64.S): 0 or -EFAULT. */
long uaccess_copy(void *dst, const void *src, size_t n);
/* Copy a NUL-terminated string of at most max bytes including the NUL;
   returns its length, -EFAULT, or max when no NUL was found. */
long uaccess_strncpy(char *dst, const char *src, size_t max);
extern const char uaccess_text_start[], uaccess_text_end[];
extern const char uaccess_fixup[];

/* 0 or -EFAULT */
static inline long copy_in(void *dst, uptr_t src, size_t n)
{
    if (!n) /* nothing to copy: any pointer will do, as in Linux */
        return 0;
    if (unlikely(!user_range_ok(src, n)))
        return -EFAULT;
    return uaccess_copy(dst, (const void *)src, n);
}

static inline long copy_out(uptr_t dst, const void *src, size_t n)
{
    if (!n)
        return 0;
    if (unlikely(!user_range_ok(dst, n)))
        return -EFAULT;
    return uaccess_copy((void *)dst, src, n);
}

/* Compare-and-exchange the program's 32-bit word at uaddr (aligned):
   *old is the value expected, and gets the value found. 0 or -EFAULT
   (outside the arena, unmapped or read-only). */
long uaccess_cmpxchg32(uint32_t *p, uint32_t *old, uint32_t new_value);
static inline long cmpxchg_user32(uptr_t uaddr, uint32_t *old,
                                  uint32_t new_value)
{
    if (unlikely((uaddr & 3) || !user_range_ok(uaddr, 4)))
        return -EFAULT;
    return uaccess_cmpxchg32((uint32_t *)uaddr, old, new_value);
}

/* Copy a string of at most size-1 characters into dst[size]. Returns its
   length, -EFAULT, or -ENAMETOOLONG when it does not fit. */
long copy_str_in(char *dst, uptr_t src, size_t size);

#endif
