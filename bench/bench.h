/* SPDX-License-Identifier: MIT */
/* bench.h: timing and reporting shared by the bench/ guest programs, which
   run natively and under husk. Each prints one key=value line on stderr, so
   stdout may go to /dev/null; bench/run.sh greps the line for its keys. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Timed rounds per run: the iterations are split over them and the median
   round is reported, so one preemption does not skew the figure. */
#define BENCH_ROUNDS 5

static inline long long bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The iteration count from argv[1], or def when absent or not a positive
   number. */
static inline long bench_iters(int argc, char **argv, long def)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : def;

    return n > 0 ? n : def;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Print "bench=NAME n=N ns_per_call=MEDIAN min_ns=MIN" from per-round
   figures (ns per call); sorts ns[] in place. */
static inline void bench_report(const char *name, long n, double *ns,
                                int rounds)
{
    qsort(ns, rounds, sizeof(*ns), bench_cmp_double);
    fprintf(stderr, "bench=%s n=%ld ns_per_call=%.1f min_ns=%.1f\n", name, n,
            ns[rounds / 2], ns[0]);
}

/* Run body() for a warm-up of n/10 calls (at least 1000), then n calls in
   BENCH_ROUNDS timed rounds, and report. A macro so that body is inlined
   and the loop measures the call, not an indirect call around it. */
#define BENCH_RUN(name, n, body)                                               \
    do {                                                                       \
        double ns_[BENCH_ROUNDS];                                              \
        long per_ = (n) / BENCH_ROUNDS > 0 ? (n) / BENCH_ROUNDS : 1;           \
        long warm_ = (n) / 10 > 1000 ? (n) / 10 : 1000;                        \
        for (long i_ = 0; i_ < warm_; i_++)                                    \
            body;                                                              \
        for (int r_ = 0; r_ < BENCH_ROUNDS; r_++) {                            \
            long long t0_ = bench_now_ns();                                    \
            for (long i_ = 0; i_ < per_; i_++)                                 \
                body;                                                          \
            ns_[r_] = (double)(bench_now_ns() - t0_) / per_;                   \
        }                                                                      \
        long done_ = per_ * BENCH_ROUNDS;                                      \
        bench_report((name), done_, ns_, BENCH_ROUNDS);                        \
    } while (0)

#endif
