/* SPDX-License-Identifier: MIT */
/*
 * mem.c: the address space: brk, anonymous mmap/munmap, MAP_FIXED and
 * MAP_FIXED_NOREPLACE, mprotect, mremap, madvise, a large malloc, and
 * mappings too large to exist. Peak use stays under 600 MiB.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE 4096UL
#define MiB (1024UL * 1024UL)

static void *map_anon(void *hint, size_t len, int extra_flags)
{
    return mmap(hint, len, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
}

/* Word stored at the start and end of page i of a region tagged "tag". */
static uint64_t pattern(uint64_t tag, size_t i)
{
    return (tag << 32) ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void fill_pages(char *p, size_t len, uint64_t tag)
{
    for (size_t i = 0; i < len / PAGE; i++) {
        *(uint64_t *)(p + i * PAGE) = pattern(tag, i);
        *(uint64_t *)(p + i * PAGE + PAGE - 8) = ~pattern(tag, i);
    }
}

/* Returns the index of the first page that does not hold its pattern, or
 * len / PAGE if all do. */
static size_t verify_pages(const char *p, size_t len, uint64_t tag)
{
    size_t i;

    for (i = 0; i < len / PAGE; i++) {
        if (*(const uint64_t *)(p + i * PAGE) != pattern(tag, i) ||
            *(const uint64_t *)(p + i * PAGE + PAGE - 8) != ~pattern(tag, i))
            break;
    }
    return i;
}

static int all_zero(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i += 8)
        if (*(const uint64_t *)(p + i) != 0)
            return 0;
    return 1;
}

static uintptr_t raw_brk(uintptr_t addr)
{
    return (uintptr_t)syscall(SYS_brk, addr);
}

static void test_brk_query(void)
{
    uintptr_t cur = raw_brk(0);

    CHECK(cur != 0 && cur != (uintptr_t)-1, "brk(0) = %#lx",
          (unsigned long)cur);
    CHECK((uintptr_t)sbrk(0) == cur, "sbrk(0) %p != brk(0) %#lx", sbrk(0),
          (unsigned long)cur);
    /* A request below the start of the heap fails by returning the
     * unchanged break (brk(2), "Linux notes"). */
    CHECK(raw_brk(PAGE) == cur, "brk(4096) moved the break");
    CHECK(raw_brk(0) == cur, "break moved");
}

static void test_brk_grow_shrink(void)
{
    const size_t step = 64 * 1024, total = MiB;
    uintptr_t start = raw_brk(0), base = (start + PAGE - 1) & ~(PAGE - 1);
    uintptr_t got_bad = 0, end = 0, after_shrink;
    size_t bad_page, filled = 0;

    /* No printing until the break is back: stdio may use the heap. */
    for (size_t n = step; n <= total; n += step) {
        end = raw_brk(start + n);
        if (end != start + n) {
            got_bad = start + n;
            break;
        }
        for (; base + (filled + 1) * PAGE <= end; filled++) {
            *(uint64_t *)(base + filled * PAGE) = pattern(7, filled);
            *(uint64_t *)(base + filled * PAGE + PAGE - 8) =
                ~pattern(7, filled);
        }
    }
    bad_page = verify_pages((char *)base, filled * PAGE, 7);
    after_shrink = raw_brk(start);
    CHECK(got_bad == 0, "brk(%#lx) returned %#lx", (unsigned long)got_bad,
          (unsigned long)end);
    CHECK(filled >= total / PAGE - 1, "only %zu pages written", filled);
    CHECK(bad_page == filled, "brk page %zu lost its contents", bad_page);
    CHECK(after_shrink == start, "shrinking brk returned %#lx, want %#lx",
          (unsigned long)after_shrink, (unsigned long)start);
    CHECK((uintptr_t)sbrk(0) == start, "sbrk(0) disagrees after shrinking");
}

static void test_sbrk(void)
{
    char *old = sbrk(0), *p, *q;

    errno = 0;
    p = sbrk(8 * PAGE);
    /* musl's sbrk refuses any increment (its malloc owns the brk). */
    if (p == (char *)-1 && errno == ENOMEM && sbrk(0) == old)
        SKIP("this libc's sbrk only reports the break");
    if (p != (char *)-1)
        memset(p, 0x5a, 8 * PAGE);
    q = sbrk(-(intptr_t)(8 * PAGE));
    CHECK(p == old, "sbrk(+32 KiB) = %p, break was %p", (void *)p, (void *)old);
    CHECK(q == old + 8 * PAGE, "sbrk(-32 KiB) = %p", (void *)q);
    CHECK(sbrk(0) == old, "break not restored");
}

static void check_anon(size_t len, uint64_t tag)
{
    char *p = map_anon(NULL, len, 0);
    size_t n;

    if (!CHECK(p != MAP_FAILED, "mmap(%zu) failed: %s", len,
               tap_errno_name(errno)))
        return;
    CHECK(((uintptr_t)p & (PAGE - 1)) == 0, "mmap(%zu) not page aligned", len);
    CHECK(all_zero(p, len), "fresh mmap(%zu) not zero", len);
    fill_pages(p, len, tag);
    n = verify_pages(p, len, tag);
    CHECK(n == len / PAGE, "mmap(%zu) page %zu lost its contents", len, n);
    CHECK_SYSCALL(munmap(p, len), 0);
}

static void test_mmap_small(void) { check_anon(PAGE, 1); }

static void test_mmap_1m(void) { check_anon(MiB, 2); }

static void test_mmap_64m(void) { check_anon(64 * MiB, 3); }

static void test_munmap_unmapped(void)
{
    char *p = map_anon(NULL, 4 * PAGE, 0);

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    CHECK_SYSCALL(munmap(p, 4 * PAGE), 0);
    /* Unmapping a range with nothing in it is not an error. */
    CHECK_SYSCALL(munmap(p, 4 * PAGE), 0);
    /* Partial unmap splits a mapping. */
    p = map_anon(NULL, 4 * PAGE, 0);
    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    fill_pages(p, 4 * PAGE, 4);
    CHECK_SYSCALL(munmap(p + PAGE, PAGE), 0);
    CHECK(verify_pages(p, PAGE, 4) == 1, "page 0 lost after split");
    CHECK(*(uint64_t *)(p + 2 * PAGE) == pattern(4, 2),
          "page 2 lost after split");
    CHECK_SYSCALL(munmap(p, 4 * PAGE), 0);
}

static void test_mmap_hint(void)
{
    void *hint = (void *)0x200000000000UL;
    char *p = map_anon(hint, 2 * PAGE, 0);

    if (!CHECK(p != MAP_FAILED, "mmap with hint failed: %s",
               tap_errno_name(errno)))
        return;
    CHECK(((uintptr_t)p & (PAGE - 1)) == 0, "not page aligned");
    tap_diag("hint %s", p == hint ? "honoured" : "not honoured");
    fill_pages(p, 2 * PAGE, 5);
    CHECK(verify_pages(p, 2 * PAGE, 5) == 2, "hinted mapping not usable");
    CHECK_SYSCALL(munmap(p, 2 * PAGE), 0);
}

static void test_map_fixed(void)
{
    char *p = map_anon(NULL, 4 * PAGE, 0), *q;

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    memset(p, 0xaa, 4 * PAGE);
    q = map_anon(p + PAGE, 2 * PAGE, MAP_FIXED);
    CHECK(q == p + PAGE, "MAP_FIXED returned %p, want %p", (void *)q,
          (void *)(p + PAGE));
    CHECK(all_zero(p + PAGE, 2 * PAGE), "MAP_FIXED range not zero");
    CHECK((unsigned char)p[PAGE - 1] == 0xaa &&
              (unsigned char)p[3 * PAGE] == 0xaa,
          "pages around the MAP_FIXED range changed");
    CHECK_SYSCALL(munmap(p, 4 * PAGE), 0);
}

static void test_map_fixed_noreplace(void)
{
    char *p = map_anon(NULL, 4 * PAGE, 0), *q;

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    p[PAGE] = 1;
    CHECK_ERRNO(map_anon(p + PAGE, PAGE, MAP_FIXED_NOREPLACE), EEXIST);
    /* Overlapping only partly is still EEXIST. */
    CHECK_ERRNO(map_anon(p - PAGE, 2 * PAGE, MAP_FIXED_NOREPLACE), EEXIST);
    CHECK(p[PAGE] == 1, "existing mapping changed");
    CHECK_SYSCALL(munmap(p + 2 * PAGE, 2 * PAGE), 0);
    q = map_anon(p + 2 * PAGE, 2 * PAGE, MAP_FIXED_NOREPLACE);
    CHECK(q == p + 2 * PAGE, "MAP_FIXED_NOREPLACE on a hole returned %p",
          (void *)q);
    CHECK_SYSCALL(munmap(p, 4 * PAGE), 0);
}

static void test_mprotect(void)
{
    char *p = map_anon(NULL, 2 * PAGE, 0);
    volatile char *v = p;

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    p[0] = 'r';
    p[PAGE] = 's';
    CHECK_SYSCALL(mprotect(p, 2 * PAGE, PROT_READ), 0);
    CHECK(v[0] == 'r' && v[PAGE] == 's', "contents changed under PROT_READ");
    CHECK_SYSCALL(mprotect(p, PAGE, PROT_NONE), 0);
    CHECK_SYSCALL(mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE), 0);
    v[0] = 'w';
    v[PAGE] = 'x';
    CHECK(v[0] == 'w' && v[PAGE] == 'x', "not writable after PROT_WRITE");
    CHECK_SYSCALL(munmap(p, 2 * PAGE), 0);
}

static void test_mremap_grow(void)
{
    const size_t old_len = 16 * PAGE, new_len = 4 * MiB;
    char *p = map_anon(NULL, old_len, 0), *q;
    size_t n;

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    fill_pages(p, old_len, 8);
    q = mremap(p, old_len, new_len, MREMAP_MAYMOVE);
    if (!CHECK(q != MAP_FAILED, "mremap grow failed: %s",
               tap_errno_name(errno))) {
        munmap(p, old_len);
        return;
    }
    n = verify_pages(q, old_len, 8);
    CHECK(n == old_len / PAGE, "page %zu lost in mremap", n);
    CHECK(all_zero(q + old_len, new_len - old_len), "grown part not zero");
    fill_pages(q, new_len, 9);
    CHECK(verify_pages(q, new_len, 9) == new_len / PAGE,
          "grown mapping not usable");
    CHECK_SYSCALL(munmap(q, new_len), 0);
}

static void test_mremap_shrink(void)
{
    char *p = map_anon(NULL, 8 * PAGE, 0), *q;

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    fill_pages(p, 8 * PAGE, 10);
    q = mremap(p, 8 * PAGE, 2 * PAGE, 0);
    CHECK(q == p, "mremap shrink moved or failed: %p", (void *)q);
    CHECK(verify_pages(p, 2 * PAGE, 10) == 2, "kept pages lost");
    /* The released tail is free again. */
    q = map_anon(p + 2 * PAGE, 6 * PAGE, MAP_FIXED_NOREPLACE);
    CHECK(q == p + 2 * PAGE, "tail not released: %p", (void *)q);
    CHECK(q == MAP_FAILED || all_zero(q, 6 * PAGE), "tail not zero");
    CHECK_SYSCALL(munmap(p, 8 * PAGE), 0);
}

static void test_madvise_dontneed(void)
{
    const size_t len = 64 * PAGE;
    char *p = map_anon(NULL, len, 0);

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    memset(p, 0x77, len);
    CHECK_SYSCALL(madvise(p + 8 * PAGE, 16 * PAGE, MADV_DONTNEED), 0);
    CHECK(all_zero(p + 8 * PAGE, 16 * PAGE), "MADV_DONTNEED pages not zero");
    CHECK(p[8 * PAGE - 1] == 0x77 && p[24 * PAGE] == 0x77,
          "pages outside the range changed");
    CHECK_SYSCALL(madvise(p, len, MADV_NORMAL), 0);
    CHECK_SYSCALL(munmap(p, len), 0);
}

static void test_big_malloc(void)
{
    const size_t len = 256 * MiB;
    char *p = malloc(len);
    size_t n;

    if (!CHECK(p != NULL, "malloc(256 MiB) failed"))
        return;
    /* malloc's own header may leave p unaligned: pattern page-sized
     * chunks from p, not the pages of the mapping. */
    fill_pages(p, len, 11);
    n = verify_pages(p, len, 11);
    CHECK(n == len / PAGE, "chunk %zu lost its contents", n);
    free(p);
}

static void test_absurd_sizes(void)
{
    char *p = map_anon(NULL, PAGE, 0);

    if (!CHECK(p != MAP_FAILED, "mmap failed"))
        return;
    /* 128 TiB cannot fit below the 47-bit user limit whatever the
     * overcommit policy; SIZE_MAX overflows when rounded to a page. */
    CHECK_ERRNO(map_anon(NULL, 1ULL << 47, 0), ENOMEM);
    CHECK_ERRNO(map_anon(NULL, SIZE_MAX, 0), ENOMEM);
    CHECK_ERRNO(map_anon(NULL, SIZE_MAX - 2 * PAGE, 0), ENOMEM);
    CHECK_SYSCALL(munmap(p, PAGE), 0);
    /* Nothing is mapped there any more. (Growing to 2^47 is EINVAL or
     * ENOMEM depending on the kernel version, so it is not tested.) */
    CHECK_ERRNO(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
}

static const struct tap_test tests[] = {
    {"brk(0) reports the break, sbrk(0) agrees", test_brk_query},
    {"brk grows by 1 MiB in steps and shrinks back", test_brk_grow_shrink},
    {"sbrk grows and shrinks", test_sbrk},
    {"mmap 4 KiB", test_mmap_small},
    {"mmap 1 MiB", test_mmap_1m},
    {"mmap 64 MiB", test_mmap_64m},
    {"munmap of a hole succeeds, partial munmap splits", test_munmap_unmapped},
    {"mmap with a hint address", test_mmap_hint},
    {"MAP_FIXED replaces a mapping with zeros", test_map_fixed},
    {"MAP_FIXED_NOREPLACE over a mapping gives EEXIST",
     test_map_fixed_noreplace},
    {"mprotect read-only and back", test_mprotect},
    {"mremap grow with MREMAP_MAYMOVE keeps contents", test_mremap_grow},
    {"mremap shrink releases the tail", test_mremap_shrink},
    {"madvise(MADV_DONTNEED) zeroes private anonymous pages",
     test_madvise_dontneed},
    {"256 MiB malloc written and verified", test_big_malloc},
    {"impossible sizes give ENOMEM, mremap of a hole EFAULT",
     test_absurd_sizes},
};

TAP_MAIN(tests)
