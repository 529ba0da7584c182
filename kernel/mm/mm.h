/* SPDX-License-Identifier: MIT */
/* mm.h: the program's address space.

   All program memory lives in one arena reserved at start (--mem): the
   ELF image, brk heap, mmap area and stack. The host keeps the arena
   reserved PROT_NONE; the kernel maps and unmaps pages inside it through
   the mem hypercalls and keeps a sorted array of mappings (struct vma),
   the bookkeeping /proc/self/maps will print. Exhaustion of the arena is
   -ENOMEM to the program, never a host OOM kill.

   Layout:  lo [ ELF image | brk heap ->      <- mmap area | guard | stack ] hi

   Locking: mm->lock guards the vma array, brk and the host mappings of the
   arena; taken by every operation below, never held across a blocking
   hypercall. */
#ifndef HUSK_MM_H
#define HUSK_MM_H

#include "kernel.h"

enum vma_kind { VMA_ANON, VMA_IMAGE, VMA_HEAP, VMA_STACK, VMA_VDSO };

struct file;

struct vma {
    uintptr_t start, end;
    int prot; /* LINUX_PROT_* */
    bool shared;
    unsigned char kind; /* enum vma_kind */
    /* A file mapping: the file (a reference) and the offset of start in
       it. husk copies the file in at mmap (MAP_PRIVATE and MAP_SHARED
       alike); a shared writable mapping is written back on msync, munmap,
       a MAP_FIXED over it, and exit. */
    struct file *file;
    uint64_t off;
};

struct mm {
    struct spinlock lock;
    uintptr_t lo, hi;         /* the arena */
    uintptr_t brk_start, brk; /* brk is the program's value, unaligned */
    uintptr_t stack_lo;       /* lowest address of the stack mapping */
    uintptr_t mmap_top;       /* top-down mmap allocations start below */
    struct vma *v;
    int n, cap;
    size_t mapped; /* bytes mapped in the arena */
    uintptr_t arg_start, arg_end, env_start, env_end; /* for /proc */
};

/* Take over the reserved range [lo, hi) (already PROT_NONE on the host).
   Returns NULL when the kernel heap is exhausted. */
struct mm *mm_create(uintptr_t lo, uintptr_t hi);

/* Map [start, start+len) with prot at a fixed address inside the arena,
   replacing what was there (loader and mmap(MAP_FIXED)). */
long mm_map_fixed(struct mm *mm, uintptr_t start, size_t len, int prot,
                  bool shared, enum vma_kind kind);
/* Record vma in the bookkeeping only (the host side is done), replacing
   what was recorded there. */
long mm_record(struct mm *mm, const struct vma *vma);
/* Change protection of [start, start+len); -ENOMEM if not all mapped. */
long mm_protect(struct mm *mm, uintptr_t start, size_t len, int prot);
/* Record a mapping outside the arena (the vDSO) for /proc/self/maps. */
void mm_note_outside(struct mm *mm, uintptr_t start, uintptr_t end, int prot,
                     enum vma_kind kind);

/* Unmap [start, start+len): the pages go back to the host, the range
   stays reserved. Unmapped holes inside are fine (as munmap). */
long mm_unmap(struct mm *mm, uintptr_t start, size_t len);
/* Index of the first vma ending above addr (mm->n if none). */
int mm_vma_index(const struct mm *mm, uintptr_t addr);
bool mm_range_free(const struct mm *mm, uintptr_t start, uintptr_t end);
bool mm_range_mapped(const struct mm *mm, uintptr_t start, uintptr_t end);
/* Highest free range of len bytes inside [floor, top), or 0. */
uintptr_t mm_find_free(const struct mm *mm, size_t len, uintptr_t floor,
                       uintptr_t top);

/* Write shared file mappings in [start, end) back to their files
   (msync, and before anything replaces them). mm->lock held. */
void mm_writeback(struct mm *mm, uintptr_t start, uintptr_t end);

/* Set the heap start (end of the image) and the stack bottom. */
void mm_set_layout(struct mm *mm, uintptr_t brk_start, uintptr_t stack_lo);

#endif
