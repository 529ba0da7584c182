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
};

/* Check the file step by step (header, program headers, segments, entry).
   Returns 0, or sets err to a one-line reason and returns non-zero. */
int elf_check(struct elf_image *img, const void *data, size_t size, char *err,
              size_t errlen);

/* Map the segments at bias into mm with their protections. Returns 0 or a
   negative errno (err says which segment). */
long elf_load(const struct elf_image *img, struct mm *mm, uintptr_t bias,
              char *err, size_t errlen);

/* The same, but whole pages of file data come from map(ctx, addr, len,
   file offset) when it returns 0 (mapped copy-on-write from the file,
   read-write); the rest is copied from img->data. */
typedef long (*elf_map_fn)(void *ctx, uintptr_t addr, size_t len, uint64_t off);
long elf_load_mapped(const struct elf_image *img, struct mm *mm, uintptr_t bias,
                     elf_map_fn map, void *ctx, char *err, size_t errlen);

#endif
