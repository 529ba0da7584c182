/* SPDX-License-Identifier: MIT */
/* kernel.h: what every part of the husk kernel includes: the ABI, kprintf,
   the kernel heap and small helpers. The kernel never includes glibc's
   type headers (their struct stat, sigset_t, ... differ from the kernel
   ABI's); it uses <string.h> only, whose functions touch no TLS and make no
   system calls. */
#ifndef HUSK_KERNEL_H
#define HUSK_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "abi/linux/errno.h"
#include "abi/linux/types.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define PAGE_SIZE LINUX_PAGE_SIZE
#define PAGE_DOWN(x) ((uintptr_t)(x) & ~(PAGE_SIZE - 1))
#define PAGE_UP(x) (((uintptr_t)(x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define IS_PAGE_ALIGNED(x) (((uintptr_t)(x) & (PAGE_SIZE - 1)) == 0)
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)

/* ---- kprintf.c: formatted output without libc's stdio ----
   Supports %d %i %u %x %X %o %p %s %c %% with l/ll/z, width, '0', '-'. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write to the host's stderr in one write. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "husk: warning: ..." on stderr. */
void kwarn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An internal invariant broke: print and exit with status 125. */
_Noreturn void kpanic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
#define BUG_ON(c)                                                              \
    do {                                                                       \
        if (unlikely(c))                                                       \
            kpanic("BUG at %s:%d: %s", __FILE__, __LINE__, #c);                \
    } while (0)

/* errno name for -e or e ("EBADF"), NULL if unknown; and its text. */
const char *errno_name(long e);
const char *errno_text(long e);

/* ---- kheap.c: the kernel heap (a region reserved at first use) ----
   kmalloc returns 16-byte aligned memory or NULL; kzalloc zeroes it. Safe
   to call from any kernel context (one spinlock). */
void *kmalloc(size_t n);
/* align: a power of two. */
void *kmemalign(size_t align, size_t n);
size_t kmalloc_usable(void *p);
void *kzalloc(size_t n);
void *krealloc(void *p, size_t n);
void kfree(void *p);
/* Bytes handed out now (for sysinfo and tests). */
size_t kheap_used(void);

/* ---- spinlock: kernel data shared between threads ---- */
struct spinlock {
    volatile int locked;
};
static inline void spin_lock(struct spinlock *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}
static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
