/* SPDX-License-Identifier: MIT */
/* libc_malloc.c: glibc's malloc family, served by the kernel heap. glibc
   allows a static program to replace malloc by defining all of these;
   doing so routes every allocation in husk (its libc's, and libext2fs's
   once the kernel links it) to one heap whose region is reserved before
   the program runs, so none of them ever asks the host for memory after
   the lock-down (DESIGN.md: kernel objects on husk's own heap).
   Sanitizer builds keep the sanitizer's malloc, which it must own. */
#ifndef HUSK_SUD_SELECTOR
#include <errno.h>

#include "kernel.h"

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);
void *memalign(size_t align, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);
size_t malloc_usable_size(void *p);

__attribute__((visibility("default"))) void *malloc(size_t n)
{
    void *p = kmalloc(n ? n : 1);
    if (!p)
        errno = ENOMEM;
    return p;
}

__attribute__((visibility("default"))) void free(void *p) { kfree(p); }

__attribute__((visibility("default"))) void *calloc(size_t a, size_t b)
{
    size_t n;
    if (__builtin_mul_overflow(a, b, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = kzalloc(n ? n : 1);
    if (!p)
        errno = ENOMEM;
    return p;
}

__attribute__((visibility("default"))) void *realloc(void *p, size_t n)
{
    if (p && !n) {
        kfree(p);
        return NULL;
    }
    void *q = krealloc(p, n);
    if (!q)
        errno = ENOMEM;
    return q;
}

static bool pow2(size_t a) { return a && !(a & (a - 1)); }

__attribute__((visibility("default"))) void *memalign(size_t align, size_t n)
{
    if (!pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    void *p = kmemalign(align, n ? n : 1);
    if (!p)
        errno = ENOMEM;
    return p;
}

__attribute__((visibility("default"))) int
posix_memalign(void **out, size_t align, size_t n)
{
    if (!pow2(align) || align % sizeof(void *))
        return EINVAL;
    void *p = kmemalign(align, n ? n : 1);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

__attribute__((visibility("default"))) void *aligned_alloc(size_t align,
                                                           size_t n)
{
    return memalign(align, n);
}

__attribute__((visibility("default"))) void *valloc(size_t n)
{
    return memalign(PAGE_SIZE, n);
}

__attribute__((visibility("default"))) void *pvalloc(size_t n)
{
    return memalign(PAGE_SIZE, PAGE_UP(n));
}

__attribute__((visibility("default"))) size_t malloc_usable_size(void *p)
{
    return kmalloc_usable(p);
}
#endif
