/* SPDX-License-Identifier: MIT */
/* kheap.c: the kernel heap. One region reserved by the tender before the
   program runs (so kernel objects never come from glibc's malloc, which
   would make host syscalls and keep its state in per-process globals).

   Small blocks (<= 32 KiB) come from power-of-two size classes with free
   lists; larger ones are runs of pages from a bump pointer, recycled through
   a first-fit list of freed runs. Every block is preceded by a 16-byte
   header holding its size. One spinlock guards it all. */
#include "kernel.h"

#include "host/host.h"

#define MIN_SHIFT 5  /* 32 bytes */
#define MAX_SHIFT 15 /* 32 KiB */
#define NCLASS (MAX_SHIFT - MIN_SHIFT + 1)
#define HDR 16

struct free_block {
    struct free_block *next;
    size_t size; /* for large runs: bytes including the header */
};

static struct {
    struct spinlock lock;
    char *base, *top, *end;
    struct free_block *free[NCLASS];
    struct free_block *large;
    size_t used;
} heap;

#define HEAP_RESERVE (64ULL << 30)

/* Reserve the region (called with the lock held, before the lock-down). */
static bool heap_reserve(void)
{
    long p = host_syscall6(
        9 /* mmap */, 0, (long)HEAP_RESERVE, 3 /* PROT_READ|PROT_WRITE */,
        0x22 | 0x4000 /* PRIVATE|ANONYMOUS|NORESERVE */, -1, 0);
    if (p < 0 && p > -4096)
        return false;
    heap.base = heap.top = (char *)p;
    heap.end = heap.base + HEAP_RESERVE;
    return true;
}

static int size_class(size_t n)
{
    int c = 0;
    while (((size_t)1 << (c + MIN_SHIFT)) < n)
        c++;
    return c;
}

static void *bump(size_t n)
{
    if (!heap.base && !heap_reserve())
        return NULL;
    if ((size_t)(heap.end - heap.top) < n)
        return NULL;
    void *p = heap.top;
    heap.top += n;
    return p;
}

static void *alloc_large(size_t total)
{
    for (struct free_block **pp = &heap.large; *pp; pp = &(*pp)->next) {
        struct free_block *b = *pp;
        if (b->size < total)
            continue;
        if (b->size - total >= PAGE_SIZE) { /* split off the tail */
            struct free_block *rest = (void *)((char *)b + total);
            rest->size = b->size - total;
            rest->next = b->next;
            *pp = rest;
        } else {
            total = b->size;
            *pp = b->next;
        }
        *(size_t *)b = total;
        return b;
    }
    size_t *p = bump(total);
    if (p)
        *p = total;
    return p;
}

void *kmalloc(size_t n)
{
    size_t *p;
    if (n > ((size_t)1 << MAX_SHIFT) - HDR) {
        if (n > HEAP_RESERVE)
            return NULL;
        size_t total = PAGE_UP(n + HDR);
        spin_lock(&heap.lock);
        p = alloc_large(total);
        if (p)
            heap.used += total;
        spin_unlock(&heap.lock);
        return p ? (char *)p + HDR : NULL;
    }
    int c = size_class(n + HDR);
    size_t bsize = (size_t)1 << (c + MIN_SHIFT);
    spin_lock(&heap.lock);
    p = (size_t *)heap.free[c];
    if (p)
        heap.free[c] = heap.free[c]->next;
    else
        p = bump(bsize);
    if (p) {
        *p = bsize;
        heap.used += bsize;
    }
    spin_unlock(&heap.lock);
    return p ? (char *)p + HDR : NULL;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

/* An aligned block's header: ALIGNED in the size word, then the block
   kmalloc returned. */
#define ALIGNED (~(size_t)0)

void *kmemalign(size_t align, size_t n)
{
    if (align <= HDR)
        return kmalloc(n);
    if (n > HEAP_RESERVE || align > HEAP_RESERVE)
        return NULL;
    char *raw = kmalloc(n + align + HDR);
    if (!raw)
        return NULL;
    uintptr_t p = ((uintptr_t)raw + HDR + align - 1) & ~(uintptr_t)(align - 1);
    size_t *h = (size_t *)(p - HDR);
    h[0] = ALIGNED;
    h[1] = (size_t)raw;
    return (void *)p;
}

/* The block kmalloc returned for p, and its usable size. */
static void *real_block(void *p, size_t *usable)
{
    size_t *h = (size_t *)((char *)p - HDR);
    if (h[0] == ALIGNED) {
        char *raw = (char *)h[1];
        *usable = ((size_t *)(raw - HDR))[0] - HDR - (size_t)((char *)p - raw);
        return raw;
    }
    *usable = h[0] - HDR;
    return p;
}

size_t kmalloc_usable(void *p)
{
    size_t n = 0;
    if (p)
        real_block(p, &n);
    return n;
}

void kfree(void *ptr)
{
    if (!ptr)
        return;
    size_t usable;
    ptr = real_block(ptr, &usable);
    struct free_block *b = (void *)((char *)ptr - HDR);
    size_t size = *(size_t *)b;
    spin_lock(&heap.lock);
    heap.used -= size;
    if (size > ((size_t)1 << MAX_SHIFT)) {
        b->size = size;
        b->next = heap.large;
        heap.large = b;
    } else {
        int c = size_class(size);
        b->next = heap.free[c];
        heap.free[c] = b;
    }
    spin_unlock(&heap.lock);
}

void *krealloc(void *ptr, size_t n)
{
    if (!ptr)
        return kmalloc(n);
    size_t have = kmalloc_usable(ptr);
    if (n <= have)
        return ptr;
    void *q = kmalloc(n);
    if (q) {
        memcpy(q, ptr, have);
        kfree(ptr);
    }
    return q;
}

size_t kheap_used(void) { return heap.used; }
