/* SPDX-License-Identifier: MIT */
/* mmap.c: mmap, munmap, mprotect, brk, mremap, madvise over the arena.
   Errors follow mmap(2), mprotect(2), mremap(2), madvise(2) and brk(2). */
#include "abi/linux/mman.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "abi/linux/fcntl.h"
#include "host/host.h"
#include "mm.h"
#include "syscall/syscall.h"
#include "task/task.h"

#define PROT_KNOWN                                                             \
    (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC |                    \
     LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP)
#define PROT_RWX (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC)

static bool in_arena(const struct mm *mm, uintptr_t a, size_t len)
{
    return a >= mm->lo && a <= mm->hi && len <= mm->hi - a;
}

/* Page-round len; 0 when it is 0 or overflows. */
static size_t page_len(size_t len)
{
    size_t p = PAGE_UP(len);
    return p < len ? 0 : p;
}

bool file_is_dev_zero(struct file *f);

/* The file to map (a reference in *out), or NULL for anonymous memory
   (/dev/zero), after mmap(2)'s checks. */
static long file_mapping(int fd, int prot, bool shared, struct file **out)
{
    struct file *f = fdt_get(current_proc()->fdt, fd);
    *out = NULL;
    if (!f)
        return -EBADF;
    unsigned acc = f->flags & LINUX_O_ACCMODE;
    long r = 0;
    if (file_is_dev_zero(f))
        r = 0; /* anonymous memory */
    else if (f->flags & LINUX_O_PATH)
        r = -EBADF;
    else if (!f->inode || !s_isreg(f->inode->mode) || !f->ops->read)
        r = -ENODEV;
    else if (acc == LINUX_O_WRONLY)
        r = -EACCES;
    else if (shared && (prot & LINUX_PROT_WRITE) &&
             (acc != LINUX_O_RDWR || (f->flags & LINUX_O_APPEND)))
        r = -EACCES;
    else {
        *out = f;
        return 0;
    }
    file_put(f);
    return r;
}

/* Map len bytes of f from off at addr: fresh private pages filled from
   the file (zeros past its end), then prot. mm->lock held. */
static long map_file(struct mm *mm, uintptr_t addr, size_t len, int prot,
                     bool shared, struct file *f, uint64_t off)
{
    if (mm->n + 3 > 65530)
        return -ENOMEM;
    mm_writeback(mm, addr, addr + len); /* what it replaces, first */
    long r = -EOPNOTSUPP;
    if (!shared && f->ops->map_private) /* the host pages it in */
        r = f->ops->map_private(f->inode, addr, len, off, prot & PROT_RWX);
    if (r < 0) {
        r = host_mem_map(addr, len, LINUX_PROT_READ | LINUX_PROT_WRITE, 0);
        if (r < 0)
            return -ENOMEM;
        int64_t pos = (int64_t)off;
        for (size_t done = 0; done < len;) {
            long n = f->ops->read(f, (void *)(addr + done), len - done, &pos);
            if (n <= 0)
                break; /* the end of the file (or an error): zeros follow */
            done += (size_t)n;
        }
        if ((prot & PROT_RWX) != (LINUX_PROT_READ | LINUX_PROT_WRITE))
            host_mem_protect(addr, len, prot & PROT_RWX);
    }
    struct vma v = {.start = addr,
                    .end = addr + len,
                    .prot = prot & PROT_RWX,
                    .shared = shared,
                    .kind = VMA_ANON,
                    .file = f,
                    .off = off};
    file_get(f);
    r = mm_record(mm, &v);
    if (r)
        file_put(f);
    return r;
}

/* MADV_DONTNEED: private pages read as zero afterwards (fresh pages
   mapped over them with the same protection, which is what the host's
   madvise would give an anonymous mapping); shared ones keep their data,
   as shared memory does on Linux. (A private file mapping reads as zero
   too: husk's file mappings are copies, not paged from the file.) */
static long discard(struct mm *mm, uintptr_t start, uintptr_t end)
{
    for (int i = mm_vma_index(mm, start); i < mm->n; i++) {
        const struct vma *v = &mm->v[i];
        if (v->start >= end)
            break;
        uintptr_t s = MAX(v->start, start), e = MIN(v->end, end);
        if (v->shared)
            continue;
        long r = host_mem_map(s, e - s, v->prot, 0);
        if (r < 0)
            return r;
    }
    return 0;
}

static uintptr_t pick_address(struct mm *mm, uintptr_t hint, size_t len)
{
    hint = PAGE_UP(hint);
    if (hint && in_arena(mm, hint, len) && mm_range_free(mm, hint, hint + len))
        return hint;
    return mm_find_free(mm, len, PAGE_UP(mm->brk), mm->mmap_top);
}

SYSCALL_DEFINE6(mmap, uptr_t, addr, size_t, len, int, prot, int, flags, int, fd,
                long, off)
{
    struct mm *mm = current_proc()->mm;
    size_t plen = page_len(len);
    int type = flags & LINUX_MAP_TYPE;
    bool fixed = flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE);
    long r;

    if (!len || (off & (PAGE_SIZE - 1)) || (prot & ~PROT_KNOWN))
        return -EINVAL;
    if (type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED &&
        type != LINUX_MAP_SHARED_VALIDATE)
        return -EINVAL;
    if (!plen)
        return -ENOMEM;
    if (fixed && !IS_PAGE_ALIGNED(addr))
        return -EINVAL;
    struct file *file = NULL;
    if (!(flags & LINUX_MAP_ANONYMOUS) &&
        (r = file_mapping(fd, prot, type != LINUX_MAP_PRIVATE, &file)) < 0)
        return r;

    spin_lock(&mm->lock);
    if (fixed) {
        r = -ENOMEM;
        if (!in_arena(mm, addr, plen))
            goto out;
        r = -EEXIST;
        if ((flags & LINUX_MAP_FIXED_NOREPLACE) &&
            !mm_range_free(mm, addr, addr + plen))
            goto out;
    } else {
        addr = pick_address(mm, addr, plen);
        r = -ENOMEM;
        if (!addr)
            goto out;
    }
    if (file)
        r = map_file(mm, addr, plen, prot, type != LINUX_MAP_PRIVATE, file,
                     (uint64_t)off);
    else
        r = mm_map_fixed(mm, addr, plen, prot & PROT_RWX,
                         type != LINUX_MAP_PRIVATE, VMA_ANON);
    if (r == 0)
        r = (long)addr;
out:
    spin_unlock(&mm->lock);
    file_put(file);
    return r;
}

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

SYSCALL_DEFINE3(msync, uptr_t, addr, size_t, len, int, flags)
{
    struct mm *mm = current_proc()->mm;
    if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)) || !IS_PAGE_ALIGNED(addr))
        return -EINVAL;
    size_t plen = PAGE_UP(len);
    if (plen < len)
        return -ENOMEM;
    if (!plen)
        return 0;
    spin_lock(&mm->lock);
    long r = -ENOMEM;
    if (in_arena(mm, addr, plen) && mm_range_mapped(mm, addr, addr + plen)) {
        mm_writeback(mm, addr, addr + plen);
        r = 0;
    }
    spin_unlock(&mm->lock);
    return r;
}

SYSCALL_DEFINE2(munmap, uptr_t, addr, size_t, len)
{
    struct mm *mm = current_proc()->mm;
    size_t plen = page_len(len);
    if (!IS_PAGE_ALIGNED(addr) || !plen)
        return -EINVAL;
    /* Only the arena holds the program's memory; the rest of the address
       space is husk's and is never unmapped on the program's behalf. */
    uintptr_t start = MAX(addr, mm->lo);
    uintptr_t end = addr + plen < addr ? mm->hi : MIN(addr + plen, mm->hi);
    if (start >= end)
        return 0;
    spin_lock(&mm->lock);
    long r = mm_unmap(mm, start, end - start);
    spin_unlock(&mm->lock);
    return r;
}

SYSCALL_DEFINE3(mprotect, uptr_t, addr, size_t, len, int, prot)
{
    struct mm *mm = current_proc()->mm;
    if (!IS_PAGE_ALIGNED(addr) || (prot & ~PROT_KNOWN))
        return -EINVAL;
    if (!len)
        return 0;
    size_t plen = page_len(len);
    if (!plen || !in_arena(mm, addr, plen))
        return -ENOMEM;
    spin_lock(&mm->lock);
    long r = mm_protect(mm, addr, plen, prot & PROT_RWX);
    spin_unlock(&mm->lock);
    return r;
}

SYSCALL_DEFINE1(brk, uptr_t, newbrk)
{
    struct mm *mm = current_proc()->mm;
    spin_lock(&mm->lock);
    uintptr_t old_end = PAGE_UP(mm->brk), new_end = PAGE_UP(newbrk);
    if (newbrk < mm->brk_start || new_end > mm->mmap_top)
        goto out;
    if (new_end > old_end) {
        if (!mm_range_free(mm, old_end, new_end) ||
            mm_map_fixed(mm, old_end, new_end - old_end,
                         LINUX_PROT_READ | LINUX_PROT_WRITE, false,
                         VMA_HEAP) < 0)
            goto out;
    } else if (new_end < old_end) {
        mm_unmap(mm, new_end, old_end - new_end);
    }
    mm->brk = newbrk;
out:;
    long r = (long)mm->brk;
    spin_unlock(&mm->lock);
    return r;
}

/* Move the mapping vma [old, old+old_len) to [to, to+new_len). */
static long move_mapping(struct mm *mm, const struct vma *vma, uintptr_t old,
                         size_t old_len, uintptr_t to, size_t new_len)
{
    long r = host_mem_move(old, old_len, to, new_len);
    if (r < 0)
        return r == -ENOMEM ? -ENOMEM : -EINVAL;
    /* The host unmapped the old range: reserve it again, then record. */
    host_mem_release(old, old_len);
    mm_unmap(mm, old, old_len);
    struct vma moved = *vma;
    moved.start = to;
    moved.end = to + new_len;
    r = mm_record(mm, &moved);
    if (r < 0)
        return r;
    return (long)to;
}

SYSCALL_DEFINE5(mremap, uptr_t, old, size_t, old_len, size_t, new_len, int,
                flags, uptr_t, new_addr)
{
    struct mm *mm = current_proc()->mm;
    bool maymove = flags & LINUX_MREMAP_MAYMOVE,
         fixed = flags & LINUX_MREMAP_FIXED;
    long r;

    if (flags &
        ~(LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED | LINUX_MREMAP_DONTUNMAP))
        return -EINVAL;
    if ((flags & LINUX_MREMAP_DONTUNMAP) || (fixed && !maymove) ||
        !IS_PAGE_ALIGNED(old))
        return -EINVAL;
    old_len = page_len(old_len);
    new_len = page_len(new_len);
    if (!new_len || !old_len)
        return -EINVAL;
    if (fixed && (!IS_PAGE_ALIGNED(new_addr) ||
                  (new_addr < old + old_len && old < new_addr + new_len)))
        return -EINVAL;

    spin_lock(&mm->lock);
    int i = mm_vma_index(mm, old);
    r = -EFAULT;
    if (!in_arena(mm, old, old_len) || i == mm->n || mm->v[i].start > old ||
        mm->v[i].end < old + old_len)
        goto out;
    struct vma vma = mm->v[i];
    if (fixed) {
        r = -ENOMEM;
        if (!in_arena(mm, new_addr, new_len))
            goto out;
        mm_unmap(mm, new_addr, new_len);
        r = move_mapping(mm, &vma, old, old_len, new_addr, new_len);
    } else if (new_len <= old_len) {
        if (new_len < old_len)
            mm_unmap(mm, old + new_len, old_len - new_len);
        r = (long)old;
    } else if (in_arena(mm, old, new_len) &&
               mm_range_free(mm, old + old_len, old + new_len)) {
        r = mm_map_fixed(mm, old + old_len, new_len - old_len, vma.prot,
                         vma.shared, (enum vma_kind)vma.kind);
        if (r == 0)
            r = (long)old;
    } else if (maymove) {
        uintptr_t to =
            mm_find_free(mm, new_len, PAGE_UP(mm->brk), mm->mmap_top);
        r = to ? move_mapping(mm, &vma, old, old_len, to, new_len) : -ENOMEM;
    } else {
        r = -ENOMEM;
    }
out:
    spin_unlock(&mm->lock);
    return r;
}

SYSCALL_DEFINE3(madvise, uptr_t, addr, size_t, len, int, advice)
{
    struct mm *mm = current_proc()->mm;
    if (!IS_PAGE_ALIGNED(addr))
        return -EINVAL;
    size_t plen = PAGE_UP(len);
    if (plen < len)
        return -EINVAL;
    switch (advice) {
    case LINUX_MADV_NORMAL:
    case LINUX_MADV_RANDOM:
    case LINUX_MADV_SEQUENTIAL:
    case LINUX_MADV_WILLNEED:
    case LINUX_MADV_DONTNEED:
    case LINUX_MADV_FREE:
    case LINUX_MADV_DONTFORK:
    case LINUX_MADV_DOFORK:
    case LINUX_MADV_MERGEABLE:
    case LINUX_MADV_UNMERGEABLE:
    case LINUX_MADV_HUGEPAGE:
    case LINUX_MADV_NOHUGEPAGE:
    case LINUX_MADV_DONTDUMP:
    case LINUX_MADV_DODUMP:
    case LINUX_MADV_WIPEONFORK:
    case LINUX_MADV_KEEPONFORK:
    case LINUX_MADV_COLD:
    case LINUX_MADV_PAGEOUT:
    case LINUX_MADV_POPULATE_READ:
    case LINUX_MADV_POPULATE_WRITE: break;
    default: return -EINVAL;
    }
    if (!plen)
        return 0;
    spin_lock(&mm->lock);
    long r = -ENOMEM;
    if (in_arena(mm, addr, plen) && mm_range_mapped(mm, addr, addr + plen)) {
        r = 0;
        if (advice == LINUX_MADV_DONTNEED || advice == LINUX_MADV_FREE)
            r = discard(mm, addr, addr + plen);
    }
    spin_unlock(&mm->lock);
    return r;
}
