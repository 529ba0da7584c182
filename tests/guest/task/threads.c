/* SPDX-License-Identifier: MIT */
/* threads.c: pthreads on clone and futex, after LKL's boot test (mutex,
 * semaphore, join, gettid, many_syscall_threads) and what libc relies on:
 * CLONE_CHILD_CLEARTID waking joiners, robust mutexes of a dead owner,
 * condition variables, a pipe and an eventfd between threads, TLS per
 * thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

static long gettid_raw(void) { return syscall(SYS_gettid); }

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_many(void *arg)
{
    for (long i = 0; i < (long)(intptr_t)arg; i++) {
        pthread_mutex_lock(&mutex);
        counter++;
        pthread_mutex_unlock(&mutex);
    }
    return NULL;
}

static void test_mutex(void)
{
    pthread_t t[8];

    counter = 0;
    for (int i = 0; i < 8; i++)
        CHECK(pthread_create(&t[i], NULL, add_many, (void *)20000) == 0,
              "pthread_create %d", i);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    CHECK(counter == 8 * 20000, "counter %ld, want %d", counter, 8 * 20000);
}

static sem_t sem_a, sem_b;

static void *ping(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        sem_wait(&sem_a);
        sem_post(&sem_b);
    }
    return NULL;
}

static void test_semaphore(void)
{
    pthread_t t;

    sem_init(&sem_a, 0, 0);
    sem_init(&sem_b, 0, 0);
    CHECK(pthread_create(&t, NULL, ping, NULL) == 0, "pthread_create");
    int rounds = 0;
    for (int i = 0; i < 1000; i++) {
        sem_post(&sem_a);
        if (sem_wait(&sem_b) == 0)
            rounds++;
    }
    pthread_join(t, NULL);
    CHECK(rounds == 1000, "%d ping-pong rounds, want 1000", rounds);
}

static __thread int tls_value = 7;

static void *report_tid(void *arg)
{
    long *out = arg;
    out[0] = gettid_raw();
    out[1] = getpid();
    out[2] = tls_value; /* the initial value, not main's change */
    tls_value = 100;
    return (void *)(intptr_t)42;
}

static void test_join_gettid_tls(void)
{
    long got[4][3];
    pthread_t t[4];
    void *ret;

    tls_value = 9;
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&t[i], NULL, report_tid, got[i]) == 0,
              "pthread_create");
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_join(t[i], &ret) == 0, "pthread_join");
        CHECK(ret == (void *)42, "thread %d returned %p", i, ret);
        CHECK(got[i][0] != getpid() && got[i][0] > 0, "thread tid %ld",
              got[i][0]);
        CHECK(got[i][1] == getpid(), "getpid in a thread %ld, want %d",
              got[i][1], getpid());
        CHECK(got[i][2] == 7, "a thread's TLS starts at %ld, want 7",
              got[i][2]);
        for (int j = 0; j < i; j++)
            CHECK(got[i][0] != got[j][0], "two threads share tid %ld",
                  got[i][0]);
    }
    CHECK(gettid_raw() == getpid(), "the main thread's tid is the pid");
    CHECK(tls_value == 9, "main's TLS changed by a thread: %d", tls_value);
}

static void *syscalls(void *arg)
{
    long bad = 0;
    for (int i = 0; i < 10000; i++)
        if (syscall(SYS_getppid) < 0)
            bad++;
    *(long *)arg = bad;
    return NULL;
}

static void test_many_syscall_threads(void)
{
    enum { N = 64 };
    pthread_t t[N];
    long bad[N];
    int made = 0;

    for (int i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, syscalls, &bad[i]) == 0)
            made++;
        else
            break;
    CHECK(made == N, "made %d of %d threads", made, N);
    long total = 0;
    for (int i = 0; i < made; i++) {
        pthread_join(t[i], NULL);
        total += bad[i];
    }
    CHECK(total == 0, "%ld failed syscalls", total);
}

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* ends without unlocking */
}

static void test_robust(void)
{
    pthread_mutexattr_t a;
    pthread_t t;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &a);
    CHECK(pthread_create(&t, NULL, die_holding, NULL) == 0, "pthread_create");
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(&robust);
    CHECK(r == EOWNERDEAD,
          "lock after the owner died: %d (%s), want EOWNERDEAD", r,
          strerror(r));
    if (r == EOWNERDEAD) {
        CHECK(pthread_mutex_consistent(&robust) == 0, "consistent");
        CHECK(pthread_mutex_unlock(&robust) == 0, "unlock");
    }
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready;

static void *signal_later(void *arg)
{
    (void)arg;
    usleep(20000);
    pthread_mutex_lock(&mutex);
    ready = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&mutex);
    return NULL;
}

static void test_cond(void)
{
    pthread_t t;

    ready = 0;
    CHECK(pthread_create(&t, NULL, signal_later, NULL) == 0, "create");
    pthread_mutex_lock(&mutex);
    while (!ready)
        pthread_cond_wait(&cond, &mutex);
    pthread_mutex_unlock(&mutex);
    pthread_join(t, NULL);
    CHECK(ready == 1, "woken by the condition");
}

static int pfd[2];

static void *write_late(void *arg)
{
    (void)arg;
    usleep(20000);
    CHECK(write(pfd[1], "late", 4) == 4, "write");
    close(pfd[1]);
    return NULL;
}

static void test_pipe_between_threads(void)
{
    pthread_t t;
    char buf[16];
    size_t n = 0;
    ssize_t r;

    if (CHECK_OK(pipe(pfd)) != 0)
        return;
    CHECK(pthread_create(&t, NULL, write_late, NULL) == 0, "create");
    /* blocks until the other thread writes, then sees its close */
    while ((r = read(pfd[0], buf + n, sizeof(buf) - n)) > 0)
        n += (size_t)r;
    CHECK(r == 0, "read ended with %zd (%s)", r, strerror(errno));
    CHECK(n == 4 && !memcmp(buf, "late", 4), "read %zu bytes", n);
    pthread_join(t, NULL);
    close(pfd[0]);
}

static void *detached(void *arg)
{
    __atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_detached(void)
{
    pthread_attr_t a;
    pthread_t t;
    int done = 0;

    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 50; i++) {
        done = 0;
        if (pthread_create(&t, &a, detached, &done) != 0)
            break;
        while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE))
            sched_yield();
    }
    CHECK(done == 1, "50 detached threads ran");
}

static void test_clone_errors(void)
{
    /* CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM */
    CHECK_ERRNO(
        syscall(SYS_clone, 0x10000UL /* CLONE_THREAD */, 0L, 0L, 0L, 0L),
        EINVAL);
    CHECK_ERRNO(syscall(SYS_clone, 0x800UL /* CLONE_SIGHAND */, 0L, 0L, 0L, 0L),
                EINVAL);
}

static const struct tap_test tests[] = {
    {"mutex: 8 threads x 20000 increments", test_mutex},
    {"semaphore ping-pong between two threads", test_semaphore},
    {"join, return values, gettid, getpid, TLS per thread",
     test_join_gettid_tls},
    {"many_syscall_threads: 64 threads x 10000 syscalls",
     test_many_syscall_threads},
    {"a robust mutex of a dead thread: EOWNERDEAD", test_robust},
    {"condition variable wakes a waiter", test_cond},
    {"a blocking pipe read woken by another thread", test_pipe_between_threads},
    {"detached threads", test_detached},
    {"clone flag checks", test_clone_errors},
};

TAP_MAIN(tests)
