/* SPDX-License-Identifier: MIT */
/* elf.c: paranoid ELF validation and loading (after Solo5's elf_load).
   Every field is checked before it is used and every sum for overflow;
   the file is never trusted to be consistent. */
#include "elf.h"

#include <stdio.h>
#include <string.h>

#include "abi/linux/mman.h"
#include "kernel.h"
#include "mm/mm.h"

#define USER_TOP (1ULL << 47)
#define MAX_PHNUM 1024

static int fail(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return -1;
}

static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_386: return "i386";
    case EM_ARM: return "arm";
    case EM_AARCH64: return "aarch64";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    default: return NULL;
    }
}

static int check_header(struct elf_image *img, char *err, size_t errlen)
{
    const Elf64_Ehdr *eh = img->eh;
    if (img->size < 4 || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return fail(err, errlen, "not an ELF executable (exec format error)");
    if (img->size < sizeof(*eh))
        return fail(err, errlen, "truncated ELF header");
    if (eh->e_ident[EI_CLASS] == ELFCLASS32)
        return fail(err, errlen, "32-bit ELF: only x86_64 programs can run");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return fail(err, errlen, "invalid ELF class");
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen,
                    "big-endian ELF: only x86_64 programs can run");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return fail(err, errlen, "unknown ELF version");
    if (eh->e_machine != EM_X86_64) {
        const char *m = machine_name(eh->e_machine);
        snprintf(err, errlen,
                 "ELF for another machine (%s%s): only x86_64 "
                 "programs can run",
                 m ? m : "e_machine ", m ? "" : "unknown");
        return -1;
    }
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return fail(err, errlen, "not an executable ELF (wrong e_type)");
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return fail(err, errlen, "bad ELF program header size");
    if (eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
        return fail(err, errlen, "bad number of ELF program headers");
    if (eh->e_phoff > img->size ||
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > img->size - eh->e_phoff)
        return fail(err, errlen, "ELF program headers lie outside the file");
    if (eh->e_phoff % 8)
        return fail(err, errlen, "misaligned ELF program headers");
    img->pie = eh->e_type == ET_DYN;
    img->ph = (const Elf64_Phdr *)(img->data + eh->e_phoff);
    img->phnum = eh->e_phnum;
    return 0;
}

static int check_load(const struct elf_image *img, const Elf64_Phdr *p,
                      uint64_t prev_end, char *err, size_t errlen)
{
    char what[64];
    snprintf(what, sizeof(what), "segment at 0x%llx",
             (unsigned long long)p->p_vaddr);
    if (p->p_filesz > p->p_memsz) {
        snprintf(err, errlen, "ELF %s: file size larger than memory size",
                 what);
        return -1;
    }
    if (p->p_offset > img->size || p->p_filesz > img->size - p->p_offset) {
        snprintf(err, errlen,
                 "ELF %s: data beyond the end of the file (truncated?)", what);
        return -1;
    }
    if (p->p_vaddr >= USER_TOP || p->p_memsz > USER_TOP - p->p_vaddr) {
        snprintf(err, errlen, "ELF %s: outside the user address space", what);
        return -1;
    }
    if (p->p_align > 1 && (p->p_align & (p->p_align - 1))) {
        snprintf(err, errlen, "ELF %s: alignment not a power of two", what);
        return -1;
    }
    if ((p->p_vaddr - p->p_offset) % PAGE_SIZE) {
        snprintf(err, errlen,
                 "ELF %s: address and file offset disagree modulo "
                 "the page size",
                 what);
        return -1;
    }
    if (p->p_vaddr < prev_end) {
        snprintf(err, errlen,
                 "ELF %s: overlaps or precedes the previous "
                 "segment",
                 what);
        return -1;
    }
    return 0;
}

/* PT_INTERP names the dynamic loader: one NUL-terminated absolute path
   inside the file, as Linux's load_elf_binary wants it. */
static int check_interp(struct elf_image *img, const Elf64_Phdr *p, char *err,
                        size_t errlen)
{
    if (img->interp)
        return fail(err, errlen, "ELF has two PT_INTERP headers");
    if (p->p_offset > img->size || p->p_filesz > img->size - p->p_offset)
        return fail(err, errlen, "ELF interpreter name lies outside the file");
    if (p->p_filesz < 2 || p->p_filesz > 4096)
        return fail(err, errlen, "ELF interpreter name has a bad length");
    if (p->p_offset + p->p_filesz > img->avail)
        return 1; /* in the file, past what the caller read */
    const char *name = (const char *)img->data + p->p_offset;
    if (name[p->p_filesz - 1] != 0 || strlen(name) != p->p_filesz - 1)
        return fail(err, errlen,
                    "ELF interpreter name is not one terminated string");
    img->interp = name;
    return 0;
}

int elf_check(struct elf_image *img, const void *data, size_t size, char *err,
              size_t errlen)
{
    return elf_check_head(img, data, size, size, err, errlen);
}

int elf_check_head(struct elf_image *img, const void *data, size_t avail,
                   size_t size, char *err, size_t errlen)
{
    memset(img, 0, sizeof(*img));
    img->data = data;
    img->size = size;
    img->avail = MIN(avail, size);
    img->eh = data;
    if (img->avail < img->size && img->avail < sizeof(Elf64_Ehdr))
        return 1;
    if (check_header(img, err, errlen))
        return -1;
    if (img->eh->e_phoff + (uint64_t)img->phnum * sizeof(Elf64_Phdr) >
        img->avail)
        return 1; /* the program headers are past what was read */

    img->align = PAGE_SIZE;
    uint64_t prev_end = 0, entry = img->eh->e_entry;
    bool have_load = false, entry_ok = false;
    for (int i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *p = &img->ph[i];
        if (p->p_type == PT_INTERP) {
            int r = check_interp(img, p, err, errlen);
            if (r)
                return r;
            continue;
        }
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        if (check_load(img, p, prev_end, err, errlen))
            return -1;
        if (!have_load)
            img->lo = PAGE_DOWN(p->p_vaddr);
        have_load = true;
        prev_end = p->p_vaddr + p->p_memsz;
        img->hi = PAGE_UP(prev_end);
        if (p->p_align > img->align && p->p_align <= (1UL << 30))
            img->align = p->p_align;
        if ((p->p_flags & PF_X) && entry >= p->p_vaddr && entry < prev_end)
            entry_ok = true;
        /* the program headers' address, for AT_PHDR */
        if (img->eh->e_phoff >= p->p_offset &&
            img->eh->e_phoff - p->p_offset < p->p_filesz &&
            img->phnum * sizeof(Elf64_Phdr) <=
                p->p_filesz - (img->eh->e_phoff - p->p_offset))
            img->phdr_vaddr = p->p_vaddr + (img->eh->e_phoff - p->p_offset);
    }
    if (!have_load)
        return fail(err, errlen, "ELF has no loadable segment");
    if (!entry_ok)
        return fail(err, errlen,
                    "ELF entry point is outside its executable "
                    "segments");
    if (!img->pie && img->lo < 0x10000)
        return fail(err, errlen, "ELF wants to be loaded below 64 KiB");
    return 0;
}

static int prot_of(uint32_t flags)
{
    return (flags & PF_R ? LINUX_PROT_READ : 0) |
           (flags & PF_W ? LINUX_PROT_WRITE : 0) |
           (flags & PF_X ? LINUX_PROT_EXEC : 0);
}

long elf_load(const struct elf_image *img, struct mm *mm, uintptr_t bias,
              char *err, size_t errlen)
{
    return elf_load_from(img, mm, bias, NULL, err, errlen);
}

/* n bytes of the file at off to dst: from what was read, or the source */
static long load_bytes(const struct elf_image *img,
                       const struct elf_source *src, uintptr_t dst, size_t n,
                       uint64_t off)
{
    if (!n)
        return 0;
    if (off <= img->avail && n <= img->avail - off) {
        memcpy((void *)dst, img->data + off, n);
        return 0;
    }
    return src && src->read ? src->read(src->ctx, dst, n, off) : -EIO;
}

long elf_load_from(const struct elf_image *img, struct mm *mm, uintptr_t bias,
                   const struct elf_source *src, char *err, size_t errlen)
{
    uintptr_t lo = bias + img->lo, hi = bias + img->hi;
    long r = mm_map_fixed(mm, lo, hi - lo, LINUX_PROT_READ | LINUX_PROT_WRITE,
                          false, VMA_IMAGE);
    if (r < 0) {
        snprintf(err, errlen, "cannot map the program at 0x%lx (%ld MiB)",
                 (unsigned long)lo, (long)((hi - lo) >> 20));
        return r;
    }
    /* The file data: whole pages mapped from the file when map can,
       the rest copied; bss and the page tails stay zero. */
    for (int i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *p = &img->ph[i];
        if (p->p_type != PT_LOAD || !p->p_memsz)
            continue;
        uintptr_t va = bias + p->p_vaddr, end = va + p->p_filesz;
        uint64_t off = p->p_offset;
        long r2 = 0;
        if (src && src->map && (va % PAGE_SIZE) == (off % PAGE_SIZE)) {
            uintptr_t s = PAGE_UP(va), e = PAGE_DOWN(end);
            if (e > s && src->map(src->ctx, s, e - s, off + (s - va)) == 0) {
                r2 = load_bytes(img, src, va, s - va, off);
                if (r2 == 0)
                    r2 = load_bytes(img, src, e, end - e, off + (e - va));
                if (r2 == 0)
                    continue;
            }
        }
        r2 = load_bytes(img, src, va, p->p_filesz, off);
        if (r2 < 0) {
            snprintf(err, errlen, "cannot read ELF segment at 0x%lx",
                     (unsigned long)p->p_vaddr);
            return r2;
        }
    }
    /* Final protections: a page shared by two segments gets both; the
       gaps between segments are given back. */
    uintptr_t prev_end = lo;
    int prev_prot = 0;
    for (int i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *p = &img->ph[i];
        if (p->p_type != PT_LOAD || !p->p_memsz)
            continue;
        uintptr_t s = PAGE_DOWN(bias + p->p_vaddr);
        uintptr_t e = PAGE_UP(bias + p->p_vaddr + p->p_memsz);
        int prot = prot_of(p->p_flags);
        if (s > prev_end)
            r = mm_unmap(mm, prev_end, s - prev_end);
        if (r == 0)
            r = mm_protect(mm, s, e - s, prot);
        if (r == 0 && s < prev_end) /* shares its first page */
            r = mm_protect(mm, s, PAGE_SIZE, prot | prev_prot);
        if (r < 0) {
            snprintf(err, errlen, "cannot protect ELF segment at 0x%lx",
                     (unsigned long)p->p_vaddr);
            return r;
        }
        prev_end = e;
        prev_prot = prot;
    }
    return 0;
}
