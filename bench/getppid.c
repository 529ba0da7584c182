/* SPDX-License-Identifier: MIT */
/* getppid.c: cost of one trapping syscall. Issues getppid with its own
   `syscall` instruction, not through libc, so that every call is a real
   syscall (under husk: a SIGSYS round trip, or a patched site).
   Usage: getppid [N]  (default 200000); the figure goes to stderr. */
#include <sys/syscall.h>

#include "bench.h"

/* `mov $nr,%eax; syscall` in one asm statement: the 7-byte sequence libc
   wrappers emit, which is what husk's fast path recognises and patches. The
   kernel clobbers rcx and r11. */
static inline long raw_getppid(void)
{
    long ret;

    __asm__ volatile("mov %1, %%eax\n\tsyscall"
                     : "=a"(ret)
                     : "i"(SYS_getppid)
                     : "rcx", "r11", "memory");
    return ret;
}

int main(int argc, char **argv)
{
    long n = bench_iters(argc, argv, 200000);
    long ret = raw_getppid();

    if (ret < 0) {
        fprintf(stderr, "bench=getppid error=%ld\n", ret);
        return 1;
    }
    BENCH_RUN("getppid", n, raw_getppid());
    return 0;
}
