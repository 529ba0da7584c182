/* SPDX-License-Identifier: MIT */
/* uaccess.c: string copies from the program (the byte copies are asm). */
#include "uaccess.h"

uintptr_t uaccess_lo, uaccess_hi;

long copy_str_in(char *dst, uptr_t src, size_t size)
{
    if (unlikely(src < uaccess_lo || src >= uaccess_hi))
        return -EFAULT;
    size_t max = MIN(size, uaccess_hi - src);
    long n = uaccess_strncpy(dst, (const char *)src, max);
    if (n < 0)
        return n;
    if ((size_t)n == max) /* no NUL inside the arena or the buffer */
        return max < size ? -EFAULT : -ENAMETOOLONG;
    return n;
}
