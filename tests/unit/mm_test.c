/* SPDX-License-Identifier: MIT */
/* mm_test.c: kernel/mm/mm.c against a fake host, under ASan and UBSan.
   Random map/unmap/protect operations are applied both to the kernel's
   vma array and to a per-page model; after each one the array must be
   sorted, non-overlapping, merged where it can be, agree with the model
   page by page, and count the mapped bytes right. mm_find_free's answers
   must be free, inside the window, and the highest such range. Prints
   TAP. */
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "kernel.h"
#include "fs/file.h"
#include "mm/mm.h"

/* ---- the fake host: memory calls succeed, nothing else is used ---- */
long host_mem_map(uintptr_t a, size_t l, int p, int s)
{
    (void)a, (void)l, (void)p, (void)s;
    return 0;
}
long host_mem_protect(uintptr_t a, size_t l, int p)
{
    (void)a, (void)l, (void)p;
    return 0;
}
long host_mem_release(uintptr_t a, size_t l)
{
    (void)a, (void)l;
    return 0;
}
long host_console_write(int fd, const void *b, size_t n)
{
    return (long)fwrite(b, 1, n, fd == 1 ? stdout : stderr);
}
_Noreturn void host_exit_group(int s) { exit(s); }

/* The kernel heap reserves its region through the stub; only mmap. */
long host_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
                   long a6)
{
    if (nr != 9)
        abort();
    void *p = mmap((void *)a1, (size_t)a2, (int)a3, (int)a4, (int)a5, a6);
    return p == MAP_FAILED ? -12 : (long)p;
}

/* mm.c's file mappings: the test makes none, so these are never used. */
void file_get(struct file *f) { (void)f; }
void file_put(struct file *f) { (void)f; }

#define PAGES 512
#define LO 0x10000000UL
#define HI (LO + PAGES * PAGE_SIZE)

static int model[PAGES]; /* -1 unmapped, else prot */
static int failures, checks;

static void check(bool ok, const char *what, int step)
{
    checks++;
    if (!ok && failures++ < 10)
        printf("# step %d: %s\n", step, what);
}

static void verify(struct mm *mm, int step)
{
    size_t mapped = 0;
    for (int i = 0; i < mm->n; i++) {
        const struct vma *v = &mm->v[i];
        check(v->start < v->end, "empty or inverted vma", step);
        check(IS_PAGE_ALIGNED(v->start) && IS_PAGE_ALIGNED(v->end),
              "unaligned vma", step);
        if (i) {
            check(mm->v[i - 1].end <= v->start, "overlap or disorder", step);
            check(!(mm->v[i - 1].end == v->start &&
                    mm->v[i - 1].prot == v->prot &&
                    mm->v[i - 1].kind == v->kind &&
                    mm->v[i - 1].shared == v->shared),
                  "mergeable neighbours left apart", step);
        }
        mapped += v->end - v->start;
    }
    check(mapped == mm->mapped, "mapped byte count wrong", step);
    for (int p = 0; p < PAGES; p++) {
        uintptr_t a = LO + p * PAGE_SIZE;
        int i = mm_vma_index(mm, a);
        int prot = i < mm->n && mm->v[i].start <= a ? mm->v[i].prot : -1;
        if (prot != model[p]) {
            check(false, "vma array disagrees with the model", step);
            return;
        }
    }
}

static void set_model(int first, int n, int prot)
{
    for (int p = first; p < first + n; p++)
        model[p] = prot;
}

static bool model_mapped(int first, int n)
{
    for (int p = first; p < first + n; p++)
        if (model[p] < 0)
            return false;
    return true;
}

int main(void)
{
    struct mm *mm = mm_create(LO, HI);
    srand(12345);
    for (int p = 0; p < PAGES; p++)
        model[p] = -1;

    printf("1..3\n");
    for (int step = 0; step < 20000; step++) {
        int first = rand() % PAGES, n = 1 + rand() % 24;
        if (first + n > PAGES)
            n = PAGES - first;
        uintptr_t a = LO + first * PAGE_SIZE;
        size_t len = n * PAGE_SIZE;
        int prot = rand() % 4, op = rand() % 3;
        if (op == 0) {
            check(mm_map_fixed(mm, a, len, prot, false, VMA_ANON) == 0,
                  "map failed", step);
            set_model(first, n, prot);
        } else if (op == 1) {
            check(mm_unmap(mm, a, len) == 0, "unmap failed", step);
            set_model(first, n, -1);
        } else {
            long r = mm_protect(mm, a, len, prot);
            if (model_mapped(first, n)) {
                check(r == 0, "protect of a mapped range failed", step);
                set_model(first, n, prot);
            } else {
                check(r == -ENOMEM, "protect over a hole is not ENOMEM", step);
            }
        }
        verify(mm, step);
    }
    printf("%s 1 - 20000 random map/unmap/protect steps keep the vma array "
           "right\n",
           failures ? "not ok" : "ok");

    int f0 = failures;
    for (int step = 0; step < 2000; step++) {
        size_t n = 1 + rand() % 40;
        uintptr_t floor = LO + (rand() % 64) * PAGE_SIZE;
        uintptr_t top = HI - (rand() % 64) * PAGE_SIZE;
        uintptr_t a = mm_find_free(mm, n * PAGE_SIZE, floor, top);
        /* the model's answer: the highest free run of n pages in the window */
        uintptr_t want = 0;
        for (uintptr_t s = top - n * PAGE_SIZE; s >= floor && s < top;
             s -= PAGE_SIZE) {
            int p = (int)((s - LO) / PAGE_SIZE);
            bool free = true;
            for (size_t k = 0; k < n && free; k++)
                free = model[p + k] < 0;
            if (free) {
                want = s;
                break;
            }
            if (s == floor)
                break;
        }
        check(a == want, "mm_find_free is not the highest free range", step);
    }
    printf("%s 2 - mm_find_free finds the highest free range in the window\n",
           failures > f0 ? "not ok" : "ok");

    f0 = failures;
    check(mm_protect(mm, HI - PAGE_SIZE, 2 * PAGE_SIZE, 1) == -ENOMEM,
          "protect past the arena", 0);
    check(mm_range_free(mm, HI, HI + PAGE_SIZE), "above the arena is free", 0);
    printf("%s 3 - edges of the arena\n", failures > f0 ? "not ok" : "ok");
    printf("# %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
