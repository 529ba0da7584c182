/* SPDX-License-Identifier: MIT */
/* write1.c: cost of a 1-byte write(1, ...) through libc; run it with stdout
   on /dev/null. Usage: write1 [N]  (default 200000); the figure goes to
   stderr. */
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
    long n = bench_iters(argc, argv, 200000);

    if (write(1, "x", 1) != 1) {
        perror("bench=write1 write");
        return 1;
    }
    BENCH_RUN("write1", n, (void)!write(1, "x", 1));
    return 0;
}
