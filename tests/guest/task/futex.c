/* SPDX-License-Identifier: MIT */
/* futex.c: futex(2) commands and their errors as Linux gives them, from a
 * single thread (what one thread can observe: values compared, timeouts,
 * wake counts, WAKE_OP's update, the argument checks). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

/* <linux/futex.h>'s values (musl-gcc has no kernel headers) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffU
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg)                                       \
    ((((op)&0xf) << 28) | (((cmp)&0xf) << 24) | (((oparg)&0xfff) << 12) |      \
     ((cmparg)&0xfff))

static long fx(uint32_t *u, int op, uint32_t val, const void *t, uint32_t *u2,
               uint32_t v3)
{
    return syscall(SYS_futex, u, op, val, t, u2, v3);
}

static double now(int clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_wait_value(void)
{
    uint32_t w = 1;

    /* the word is not the expected value: no sleep at all */
    CHECK_ERRNO(fx(&w, FUTEX_WAIT, 2, NULL, NULL, 0), EAGAIN);
    CHECK_ERRNO(fx(&w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
    CHECK_ERRNO(fx(&w, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 7, NULL, NULL,
                   FUTEX_BITSET_MATCH_ANY),
                EAGAIN);
}

static void test_wait_timeout(void)
{
    uint32_t w = 5;
    struct timespec rel = {0, 30 * 1000 * 1000};
    double t0 = now(CLOCK_MONOTONIC);

    CHECK_ERRNO(fx(&w, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0), ETIMEDOUT);
    double dt = now(CLOCK_MONOTONIC) - t0;
    CHECK(dt >= 0.029 && dt < 2, "relative 30 ms wait took %.3f s", dt);

    /* WAIT_BITSET takes an absolute time, monotonic or realtime */
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 20 * 1000 * 1000;
    if (abs.tv_nsec >= 1000000000L) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000L;
    }
    t0 = now(CLOCK_MONOTONIC);
    CHECK_ERRNO(fx(&w, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs, NULL,
                   FUTEX_BITSET_MATCH_ANY),
                ETIMEDOUT);
    dt = now(CLOCK_MONOTONIC) - t0;
    CHECK(dt >= 0.015 && dt < 2, "absolute 20 ms wait took %.3f s", dt);
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_sec -= 1; /* already past */
    CHECK_ERRNO(fx(&w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5,
                   &abs, NULL, FUTEX_BITSET_MATCH_ANY),
                ETIMEDOUT);
}

static void test_wake(void)
{
    uint32_t w = 0, w2 = 0;

    CHECK_SYSCALL(fx(&w, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
    CHECK_SYSCALL(fx(&w, FUTEX_WAKE_PRIVATE, 100, NULL, NULL, 0), 0);
    CHECK_SYSCALL(fx(&w, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 1, NULL, NULL,
                     FUTEX_BITSET_MATCH_ANY),
                  0);
    CHECK_SYSCALL(fx(&w, FUTEX_REQUEUE_PRIVATE, 1, (void *)1L, &w2, 0), 0);
    CHECK_SYSCALL(fx(&w, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &w2, 0), 0);
    /* CMP_REQUEUE compares val3 with the word first */
    CHECK_ERRNO(fx(&w, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &w2, 9),
                EAGAIN);
}

static void test_wake_op(void)
{
    uint32_t w = 0, w2 = 10;

    /* *w2 += 5, and wake w2's waiters if the old value was > 3 */
    CHECK_SYSCALL(fx(&w, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &w2,
                     FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_GT, 3)),
                  0);
    CHECK(w2 == 15, "WAKE_OP ADD left %u, want 15", w2);
    CHECK_SYSCALL(fx(&w, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &w2,
                     FUTEX_OP(FUTEX_OP_SET, 2, FUTEX_OP_CMP_EQ, 0)),
                  0);
    CHECK(w2 == 2, "WAKE_OP SET left %u, want 2", w2);
}

static void test_errors(void)
{
    uint32_t w[2] = {0, 0};
    char *c = (char *)w;
    struct timespec bad = {0, 1000000000L};

    CHECK_ERRNO(fx((uint32_t *)(c + 1), FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(fx((uint32_t *)(c + 2), FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(fx(w, FUTEX_WAIT, 0, &bad, NULL, 0), EINVAL);
    CHECK_ERRNO(fx(w, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(fx(w, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERRNO(fx(w, 99, 0, NULL, NULL, 0), ENOSYS);
    CHECK_ERRNO(fx(w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0),
                ENOSYS);
    CHECK_ERRNO(fx(w, FUTEX_WAIT, 0, (void *)8, NULL, 0), EFAULT);
    CHECK_ERRNO(fx((uint32_t *)8, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERRNO(fx(w, FUTEX_CMP_REQUEUE, 1, (void *)1L, (uint32_t *)(c + 1), 0),
                EINVAL);
    void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (gone != MAP_FAILED) {
        munmap(gone, 4096);
        CHECK_ERRNO(fx(gone, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    }
}

static const struct tap_test tests[] = {
    {"FUTEX_WAIT returns EAGAIN when the word differs", test_wait_value},
    {"FUTEX_WAIT times out (relative, absolute, realtime)", test_wait_timeout},
    {"WAKE, WAKE_BITSET, REQUEUE, CMP_REQUEUE without waiters", test_wake},
    {"FUTEX_WAKE_OP updates the second word", test_wake_op},
    {"bad alignment, timeouts, commands and addresses", test_errors},
};

TAP_MAIN(tests)
