/* SPDX-License-Identifier: MIT */
/* clock.c: cost of clock_gettime(CLOCK_MONOTONIC) through libc, which
   should take the vDSO and never enter a kernel (husk's or the host's).
   Usage: clock [N]  (default 1000000); the figure goes to stderr. */
#include "bench.h"

int main(int argc, char **argv)
{
    long n = bench_iters(argc, argv, 1000000);
    struct timespec ts;
    unsigned long sink = 0;

    /* Sum the results so the calls cannot be dropped. */
    BENCH_RUN("clock_gettime", n,
              (clock_gettime(CLOCK_MONOTONIC, &ts), sink += ts.tv_nsec));
    return sink == 1 ? 2 : 0;
}
