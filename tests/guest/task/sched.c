/* SPDX-License-Identifier: MIT */
/* sched.c: what libc asks of the scheduler calls: policy and priority
 * queries, SCHED_OTHER accepted, priority ranges, affinity, getcpu, yield,
 * and their errors. Real-time policies need CAP_SYS_NICE, which neither a
 * container nor husk's sandbox gives (the test skips that check when run
 * with the privilege natively). musl leaves sched_getscheduler to return
 * ENOSYS, so the calls are made raw. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

static void test_policy(void)
{
    struct sched_param sp = {0};

    CHECK_SYSCALL(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
    CHECK_SYSCALL(syscall(SYS_sched_getparam, 0, &sp), 0);
    CHECK(sp.sched_priority == 0, "priority %d", sp.sched_priority);
    CHECK_SYSCALL(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp), 0);
    CHECK_SYSCALL(syscall(SYS_sched_setparam, 0, &sp), 0);
    CHECK_SYSCALL(syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &sp), 0);
    CHECK_SYSCALL(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp), 0);
    sp.sched_priority = 5;
    CHECK_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp), EINVAL);
    sp.sched_priority = 0;
    CHECK_ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp), EINVAL);
    CHECK_ERRNO(syscall(SYS_sched_setscheduler, 0, 77, &sp), EINVAL);
    CHECK_ERRNO(syscall(SYS_sched_getscheduler, -1), EINVAL);
    CHECK_ERRNO(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
    CHECK_ERRNO(syscall(SYS_sched_getscheduler, 999999), ESRCH);
    sp.sched_priority = 10;
    long r = syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp);
    if (r == 0) { /* natively with CAP_SYS_NICE: put it back */
        sp.sched_priority = 0;
        syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp);
        tap_diag("real-time policies are allowed here (CAP_SYS_NICE)");
    } else {
        CHECK(errno == EPERM, "SCHED_FIFO: errno %d, want EPERM", errno);
    }
}

static void test_priorities(void)
{
    CHECK_SYSCALL(sched_get_priority_max(SCHED_FIFO), 99);
    CHECK_SYSCALL(sched_get_priority_min(SCHED_FIFO), 1);
    CHECK_SYSCALL(sched_get_priority_max(SCHED_RR), 99);
    CHECK_SYSCALL(sched_get_priority_max(SCHED_OTHER), 0);
    CHECK_SYSCALL(sched_get_priority_min(SCHED_OTHER), 0);
    CHECK_ERRNO(sched_get_priority_max(42), EINVAL);
}

static void *other_tid(void *arg)
{
    *(long *)arg = syscall(SYS_gettid);
    return NULL;
}

static void test_thread_ids(void)
{
    /* a thread's tid names it; a gone thread's does not */
    pthread_t t;
    long tid = 0;
    cpu_set_t set;

    CHECK_SYSCALL(syscall(SYS_sched_getscheduler, syscall(SYS_gettid)),
                  SCHED_OTHER);
    pthread_create(&t, NULL, other_tid, &tid);
    pthread_join(t, NULL);
    /* join returns when the tid word is cleared, a moment before the
       thread is gone: give it up to a second */
    int e = 0;
    for (int i = 0; i < 1000; i++) {
        if (sched_getaffinity((pid_t)tid, sizeof(set), &set) < 0 &&
            (e = errno) == ESRCH)
            break;
        usleep(1000);
    }
    CHECK(e == ESRCH, "a joined thread's tid still names it (errno %d)", e);
    CHECK_SYSCALL(sched_getaffinity(0, sizeof(set), &set), 0);
    CHECK(CPU_COUNT(&set) >= 1, "no CPU in the affinity mask");
}

static void test_getcpu(void)
{
    unsigned cpu = 9999, node = 9999;
    cpu_set_t set;

    CHECK_SYSCALL(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
    CHECK(cpu < CPU_SETSIZE && node < 1024, "cpu %u node %u", cpu, node);
    sched_getaffinity(0, sizeof(set), &set);
    CHECK(CPU_ISSET(cpu, &set), "cpu %u is not in our affinity mask", cpu);
    int c = sched_getcpu();
    CHECK(c >= 0 && CPU_ISSET(c, &set), "sched_getcpu %d", c);
    CHECK_ERRNO(syscall(SYS_getcpu, (void *)8, NULL, NULL), EFAULT);
    CHECK_SYSCALL(sched_yield(), 0);
}

static void test_priority(void)
{
    /* the raw call answers 20 - nice; glibc and musl turn it back */
    errno = 0;
    int base = getpriority(PRIO_PROCESS, 0);
    CHECK(errno == 0 && base >= -20 && base <= 19, "nice %d", base);
    CHECK_SYSCALL(syscall(SYS_getpriority, PRIO_PROCESS, 0), 20 - base);
    if (base < 19) {
        CHECK_SYSCALL(setpriority(PRIO_PROCESS, 0, base + 1), 0);
        CHECK(getpriority(PRIO_PROCESS, 0) == base + 1, "nice %d, want %d",
              getpriority(PRIO_PROCESS, getpid()), base + 1);
        /* going back needs CAP_SYS_NICE: allowed natively as root,
           EACCES in a sandbox without it */
        int r = setpriority(PRIO_PROCESS, 0, base);
        CHECK(r == 0 || errno == EACCES, "back to %d: errno %d", base, errno);
    }
    CHECK_SYSCALL(setpriority(PRIO_PROCESS, 0, 100), 0); /* clamped to 19 */
    CHECK(getpriority(PRIO_PROCESS, 0) == 19, "nice 100 not clamped to 19");
    CHECK_ERRNO(getpriority(42, 0), EINVAL);
    CHECK_ERRNO(getpriority(PRIO_PROCESS, 999999), ESRCH);
    CHECK_ERRNO(setpriority(PRIO_PROCESS, 999999, 0), ESRCH);
}

static const struct tap_test tests[] = {
    {"SCHED_OTHER and its errors", test_policy},
    {"priority ranges", test_priorities},
    {"tids name threads; affinity", test_thread_ids},
    {"getcpu, sched_getcpu, sched_yield", test_getcpu},
    {"getpriority/setpriority", test_priority},
};

TAP_MAIN(tests)
