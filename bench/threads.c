/* SPDX-License-Identifier: MIT */
/* threads.c: costs of threads, futexes and signals, one figure each:
   - futex_pingpong: a round trip between two threads that hand a token back
     and forth on two words with raw FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE
     (ns per round trip: two wakes, and usually two sleeps);
   - thread_create: pthread_create + pthread_join of a thread that returns
     at once (ns per pair);
   - signal_raise: raise(SIGUSR1) with a sigaction handler that counts
     (ns per raise + handler + sigreturn).
   Usage: threads [N_FUTEX [N_CREATE [N_SIGNAL]]]  (defaults 50000 10000
   80000); the figures go to stderr, one bench= line each. Build with
   -pthread. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

/* ---- futex ping-pong ---------------------------------------------------- */

static atomic_int ping, pong, stop;

static long futex(atomic_int *word, int op, int val)
{
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* Sleep while *word is 0; EAGAIN (it changed first) and EINTR just retry. */
static void wait_for(atomic_int *word)
{
    while (atomic_load(word) == 0)
        futex(word, FUTEX_WAIT_PRIVATE, 0);
}

static void post(atomic_int *word)
{
    atomic_store(word, 1);
    futex(word, FUTEX_WAKE_PRIVATE, 1);
}

/* The partner: answer every ping with a pong until told to stop. */
static void *partner(void *arg)
{
    (void)arg;
    for (;;) {
        wait_for(&ping);
        atomic_store(&ping, 0);
        if (atomic_load(&stop))
            return NULL;
        post(&pong);
    }
}

static inline void round_trip(void)
{
    post(&ping);
    wait_for(&pong);
    atomic_store(&pong, 0);
}

static int bench_futex(long n)
{
    pthread_t t;
    int err;

    if (futex(&ping, FUTEX_WAKE_PRIVATE, 1) < 0) {
        fprintf(stderr, "bench=futex_pingpong error=%s\n", strerror(errno));
        return 1;
    }
    err = pthread_create(&t, NULL, partner, NULL);
    if (err) {
        fprintf(stderr, "bench=futex_pingpong error=%s\n", strerror(err));
        return 1;
    }
    BENCH_RUN("futex_pingpong", n, round_trip());
    atomic_store(&stop, 1);
    post(&ping);
    pthread_join(t, NULL);
    return 0;
}

/* ---- pthread_create + pthread_join -------------------------------------- */

static void *nothing(void *arg) { return arg; }

static int create_err;

static inline void create_join(void)
{
    pthread_t t;
    int err = pthread_create(&t, NULL, nothing, NULL);

    if (err == 0)
        err = pthread_join(t, NULL);
    if (err && !create_err)
        create_err = err;
}

static int bench_create(long n)
{
    create_join();
    if (create_err) {
        fprintf(stderr, "bench=thread_create error=%s\n", strerror(create_err));
        return 1;
    }
    BENCH_RUN("thread_create", n, create_join());
    if (create_err) {
        fprintf(stderr, "bench=thread_create error=%s\n", strerror(create_err));
        return 1;
    }
    return 0;
}

/* ---- signal delivery ---------------------------------------------------- */

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled = handled + 1;
}

static int bench_signal(long n)
{
    struct sigaction sa;
    long before;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0) {
        fprintf(stderr, "bench=signal_raise error=%s\n", strerror(errno));
        return 1;
    }
    raise(SIGUSR1);
    if (handled != 1) {
        fprintf(stderr, "bench=signal_raise error=handler not run\n");
        return 1;
    }
    before = handled;
    BENCH_RUN("signal_raise", n, raise(SIGUSR1));
    /* Every raise must have run the handler once: warm-up + timed. */
    if (handled - before < n / BENCH_ROUNDS * BENCH_ROUNDS) {
        fprintf(stderr, "bench=signal_raise error=%ld of %ld handled\n",
                (long)(handled - before), n);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long n_futex = bench_iters(argc, argv, 50000);
    long n_create = bench_iters(argc - 1, argv + 1, 10000);
    long n_signal = bench_iters(argc - 2, argv + 2, 80000);
    int rc = 0;

    /* Each part runs even when another fails, so one gap does not hide the
       other figures. */
    rc |= bench_futex(n_futex);
    rc |= bench_create(n_create);
    rc |= bench_signal(n_signal);
    return rc;
}
