/* SPDX-License-Identifier: MIT */
/* mm.c: the mapping bookkeeping of the arena (see mm.h for the picture).
   The vma array is sorted by address, non-overlapping, and neighbours with
   equal attributes are merged, so its size tracks what the program did,
   not how many calls it made. */
#include "mm.h"

#include "abi/linux/mman.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "host/host.h"

#define MAX_VMAS 65530 /* Linux's default vm.max_map_count */

struct mm *mm_create(uintptr_t lo, uintptr_t hi)
{
    struct mm *mm = kzalloc(sizeof(*mm));
    if (!mm)
        return NULL;
    mm->lo = lo;
    mm->hi = hi;
    mm->brk_start = mm->brk = lo;
    mm->mmap_top = mm->stack_lo = hi;
    mm->cap = 64;
    mm->v = kmalloc(mm->cap * sizeof(*mm->v));
    if (!mm->v) {
        kfree(mm);
        return NULL;
    }
    return mm;
}

/* Index of the first vma ending above addr (n if none). */
int mm_vma_index(const struct mm *mm, uintptr_t addr)
{
    int lo = 0, hi = mm->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (mm->v[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int grow(struct mm *mm, int extra)
{
    if (mm->n + extra <= mm->cap)
        return 0;
    if (mm->n + extra > MAX_VMAS)
        return -ENOMEM;
    int cap = mm->cap * 2;
    struct vma *v = krealloc(mm->v, cap * sizeof(*v));
    if (!v)
        return -ENOMEM;
    mm->v = v;
    mm->cap = cap;
    return 0;
}

static void insert_at(struct mm *mm, int i, const struct vma *vma)
{
    memmove(&mm->v[i + 1], &mm->v[i], (mm->n - i) * sizeof(*vma));
    mm->v[i] = *vma;
    mm->n++;
}

static void remove_at(struct mm *mm, int i, int count)
{
    memmove(&mm->v[i], &mm->v[i + count], (mm->n - i - count) * sizeof(*mm->v));
    mm->n -= count;
}

/* Split so that no vma straddles addr. Needs one free slot. */
static void split_at(struct mm *mm, uintptr_t addr)
{
    int i = mm_vma_index(mm, addr);
    if (i < mm->n && mm->v[i].start < addr) {
        struct vma right = mm->v[i];
        right.start = addr;
        if (right.file) { /* both halves hold the file */
            right.off += addr - mm->v[i].start;
            file_get(right.file);
        }
        mm->v[i].end = addr;
        insert_at(mm, i + 1, &right);
    }
}

static bool same_attrs(const struct vma *a, const struct vma *b)
{
    return a->end == b->start && a->prot == b->prot && a->shared == b->shared &&
           a->kind == b->kind && a->file == b->file &&
           (!a->file || a->off + (a->end - a->start) == b->off);
}

/* Merge vma i with its neighbours where they line up. */
static void merge_around(struct mm *mm, int i)
{
    if (i + 1 < mm->n && same_attrs(&mm->v[i], &mm->v[i + 1])) {
        mm->v[i].end = mm->v[i + 1].end;
        file_put(mm->v[i + 1].file); /* one of the two references */
        remove_at(mm, i + 1, 1);
    }
    if (i > 0 && same_attrs(&mm->v[i - 1], &mm->v[i])) {
        mm->v[i - 1].end = mm->v[i].end;
        file_put(mm->v[i].file);
        remove_at(mm, i, 1);
    }
}

/* Remove [start, end) from the bookkeeping. Needs two free slots. */
static void punch(struct mm *mm, uintptr_t start, uintptr_t end)
{
    split_at(mm, start);
    split_at(mm, end);
    int i = mm_vma_index(mm, start), j = i;
    while (j < mm->n && mm->v[j].end <= end) {
        mm->mapped -= mm->v[j].end - mm->v[j].start;
        file_put(mm->v[j].file);
        j++;
    }
    remove_at(mm, i, j - i);
}

bool mm_range_free(const struct mm *mm, uintptr_t start, uintptr_t end)
{
    int i = mm_vma_index(mm, start);
    return i == mm->n || mm->v[i].start >= end;
}

bool mm_range_mapped(const struct mm *mm, uintptr_t start, uintptr_t end)
{
    int i = mm_vma_index(mm, start);
    uintptr_t at = start;
    for (; i < mm->n && at < end; i++) {
        if (mm->v[i].start > at)
            return false;
        at = mm->v[i].end;
    }
    return at >= end;
}

long mm_record(struct mm *mm, const struct vma *vma)
{
    if (grow(mm, 3) < 0)
        return -ENOMEM;
    punch(mm, vma->start, vma->end);
    int i = mm_vma_index(mm, vma->start);
    insert_at(mm, i, vma);
    mm->mapped += vma->end - vma->start;
    merge_around(mm, i);
    return 0;
}

void mm_writeback(struct mm *mm, uintptr_t start, uintptr_t end)
{
    for (int i = mm_vma_index(mm, start); i < mm->n && mm->v[i].start < end;
         i++) {
        struct vma *v = &mm->v[i];
        struct file *f = v->file;
        if (!f || !v->shared || !(v->prot & 2) || !(v->prot & 1) ||
            !f->ops->write || !f->inode)
            continue;
        uintptr_t s = MAX(start, v->start), e = MIN(end, v->end);
        int64_t pos = (int64_t)(v->off + (s - v->start));
        /* never past the file's end: a mapping does not grow its file */
        if (pos >= f->inode->size)
            continue;
        size_t n = (size_t)MIN((int64_t)(e - s), f->inode->size - pos);
        unsigned flags = f->flags;
        f->flags &= ~0x400U; /* O_APPEND would move it to the end */
        f->ops->write(f, (const void *)s, n, &pos);
        f->flags = flags;
    }
}

long mm_map_fixed(struct mm *mm, uintptr_t start, size_t len, int prot,
                  bool shared, enum vma_kind kind)
{
    if (grow(mm, 3) < 0) /* before the host maps anything */
        return -ENOMEM;
    mm_writeback(mm, start, start + len); /* what it replaces, first */
    long r = host_mem_map(start, len, prot, shared);
    if (r < 0)
        return r == -ENOMEM ? -ENOMEM : -EINVAL;
    struct vma vma = {.start = start,
                      .end = start + len,
                      .prot = prot,
                      .shared = shared,
                      .kind = (unsigned char)kind};
    return mm_record(mm, &vma);
}

long mm_unmap(struct mm *mm, uintptr_t start, size_t len)
{
    if (grow(mm, 2) < 0)
        return -ENOMEM;
    mm_writeback(mm, start, start + len);
    long r = host_mem_release(start, len);
    if (r < 0)
        return r;
    punch(mm, start, start + len);
    return 0;
}

long mm_protect(struct mm *mm, uintptr_t start, size_t len, int prot)
{
    uintptr_t end = start + len;
    if (!mm_range_mapped(mm, start, end))
        return -ENOMEM;
    if (grow(mm, 2) < 0)
        return -ENOMEM;
    long r = host_mem_protect(start, len, prot);
    if (r < 0)
        return r;
    split_at(mm, start);
    split_at(mm, end);
    int first = mm_vma_index(mm, start), i = first;
    for (; i < mm->n && mm->v[i].start < end; i++)
        mm->v[i].prot = prot;
    for (i--; i >= first; i--) /* merge from the top, indices stay valid */
        merge_around(mm, i);
    return 0;
}

void mm_note_outside(struct mm *mm, uintptr_t start, uintptr_t end, int prot,
                     enum vma_kind kind)
{
    if (grow(mm, 1) < 0)
        return;
    struct vma vma = {
        .start = start, .end = end, .prot = prot, .kind = (unsigned char)kind};
    insert_at(mm, mm_vma_index(mm, start), &vma);
}

void mm_set_layout(struct mm *mm, uintptr_t brk_start, uintptr_t stack_lo)
{
    mm->brk_start = mm->brk = brk_start;
    mm->stack_lo = stack_lo;
    /* a guard gap of 1 MiB (at most an eighth of the room) below the stack */
    uintptr_t room = stack_lo - brk_start;
    mm->mmap_top = stack_lo - PAGE_DOWN(MIN((uintptr_t)1 << 20, room / 8));
}

/* Highest free range of len bytes in [floor, top), or 0. */
uintptr_t mm_find_free(const struct mm *mm, size_t len, uintptr_t floor,
                       uintptr_t top)
{
    if (top < floor || top - floor < len)
        return 0;
    uintptr_t gap_end = top;
    int i = mm_vma_index(mm, top);
    if (i < mm->n && mm->v[i].start < top) /* straddles top */
        gap_end = mm->v[i].start;
    for (i--;; i--) {
        uintptr_t gap_start = i >= 0 ? MAX(mm->v[i].end, floor) : floor;
        if (gap_end >= gap_start && gap_end - gap_start >= len)
            return gap_end - len;
        if (i < 0)
            return 0;
        gap_end = mm->v[i].start;
        if (gap_end <= floor)
            return 0;
    }
}
