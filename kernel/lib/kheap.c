/* SPDX-License-Identifier: MIT */
/* kheap.c: the kernel heap. One region reserved by the tender before the
   program runs (so kernel objects never come from glibc's malloc, which
   would make host syscalls and keep its state in per-process globals).

   Small blocks (<= 32 KiB) come from power-of-two size classes with free
   lists; larger ones are runs of pages from a bump pointer, recycled through
   a first-fit list of freed runs. Every block is preceded by a 16-byte
   header holding its size. One spinlock guards it all. */
#include "kernel.h"

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

int kheap_init(void *base, size_t size)
{
    heap.base = heap.top = base;
    heap.end = (char *)base + size;
    return 0;
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
        if (n > (size_t)(heap.end - heap.base))
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

void kfree(void *ptr)
{
    if (!ptr)
        return;
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
    size_t have = *(size_t *)((char *)ptr - HDR) - HDR;
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
