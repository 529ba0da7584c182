/* SPDX-License-Identifier: MIT */
/* elf.h: checking and loading an ELF64 x86_64 program (static, static-PIE,
   dynamic) or its interpreter from a buffer holding the whole file. */
#ifndef HUSK_ELF_H
#define HUSK_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm;

struct elf_image {
    const unsigned char *data;
    size_t size;
    const Elf64_Ehdr *eh;
    const Elf64_Phdr *ph;
    int phnum;
    bool pie;             /* ET_DYN: may be placed anywhere */
    uintptr_t lo, hi;     /* page-rounded span of the PT_LOADs, unbiased */
    uintptr_t phdr_vaddr; /* where the phdrs are in memory, 0 if not loaded */
    const char *interp;   /* PT_INTERP's path (inside data), or NULL */
    uintptr_t align;      /* the largest PT_LOAD alignment, at least a page */
    size_t avail;         /* bytes of data present (the file's first ones) */
};

/* Check the file step by step (header, program headers, segments, entry).
   Returns 0, or sets err to a one-line reason and returns non-zero. */
int elf_check(struct elf_image *img, const void *data, size_t size, char *err,
              size_t errlen);

/* Map the segments at bias into mm with their protections. Returns 0 or a
   negative errno (err says which segment). */
long elf_load(const struct elf_image *img, struct mm *mm, uintptr_t bias,
              char *err, size_t errlen);

/* Check from only the file's first avail bytes (size in all): 0, -1 with
   err, or 1 when the headers lie past them (read the whole file). */
int elf_check_head(struct elf_image *img, const void *data, size_t avail,
                   size_t size, char *err, size_t errlen);

/* Where else the file's bytes come from: map(ctx, addr, len, file
   offset) maps whole pages copy-on-write, read-write (0, or an error to
   copy instead); read(ctx, dst, len, off) reads what img->data lacks. */
struct elf_source {
    long (*map)(void *ctx, uintptr_t addr, size_t len, uint64_t off);
    long (*read)(void *ctx, uintptr_t dst, size_t len, uint64_t off);
    void *ctx;
};
/* elf_load, with the file's bytes also from src (NULL: data only). */
long elf_load_from(const struct elf_image *img, struct mm *mm, uintptr_t bias,
                   const struct elf_source *src, char *err, size_t errlen);

#endif
