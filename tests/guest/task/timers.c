/* SPDX-License-Identifier: MIT */
/* timers.c: alarm, setitimer/getitimer ITIMER_REAL, POSIX timers
 * (SIGEV_SIGNAL, SIGEV_THREAD_ID, SIGEV_NONE) and timerfd, with the signal
 * interrupting a sleep (EINTR and the time left). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static volatile sig_atomic_t alarms, last_code, last_value;
static volatile long handler_tid;

static void on_alarm(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    alarms++;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
    handler_tid = syscall(SYS_gettid);
}

static void install(int sig)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_alarm;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_alarm_interrupts_sleep(void)
{
    struct timespec req = {5, 0}, rem = {0, 0};

    alarms = 0;
    install(SIGALRM);
    CHECK(alarm(1) == 0, "no alarm was set");
    CHECK(alarm(1) == 1, "alarm returns the seconds left");
    double t0 = now();
    CHECK_ERRNO(nanosleep(&req, &rem), EINTR);
    double dt = now() - t0;
    CHECK(alarms == 1, "%d alarms", (int)alarms);
    CHECK(dt > 0.9 && dt < 3, "the sleep ended after %.2f s", dt);
    CHECK(rem.tv_sec >= 3 && rem.tv_sec <= 4, "rem %ld s", (long)rem.tv_sec);
    CHECK(alarm(0) == 0, "the alarm is gone once it fired");
    signal(SIGALRM, SIG_DFL);
}

static void test_itimer_periodic(void)
{
    struct itimerval v = {{0, 20000}, {0, 20000}}, got, off = {{0, 0}, {0, 0}};

    alarms = 0;
    install(SIGALRM);
    CHECK_SYSCALL(setitimer(ITIMER_REAL, &v, NULL), 0);
    CHECK_SYSCALL(getitimer(ITIMER_REAL, &got), 0);
    CHECK(got.it_interval.tv_usec == 20000, "interval %ld us",
          (long)got.it_interval.tv_usec);
    CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_usec <= 20000,
          "value %ld.%06ld", (long)got.it_value.tv_sec,
          (long)got.it_value.tv_usec);
    double t0 = now();
    while (alarms < 5 && now() - t0 < 3)
        pause();
    CHECK(alarms >= 5, "%d periodic alarms in 3 s", (int)alarms);
    CHECK_SYSCALL(setitimer(ITIMER_REAL, &off, &got), 0);
    CHECK(got.it_interval.tv_usec == 20000, "old interval %ld",
          (long)got.it_interval.tv_usec);
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    CHECK_ERRNO(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    CHECK_ERRNO(setitimer(99, &v, NULL), EINVAL);
    signal(SIGALRM, SIG_DFL);
}

/* CPU-time itimers fire only while the process computes */
static void test_itimer_cpu(void)
{
    int which[2] = {ITIMER_PROF, ITIMER_VIRTUAL}, sig[2] = {SIGPROF, SIGVTALRM};
    for (int k = 0; k < 2; k++) {
        struct itimerval v = {{0, 0}, {0, 50000}}, got;
        alarms = 0;
        install(sig[k]);
        CHECK_SYSCALL(setitimer(which[k], &v, NULL), 0);
        double t0 = now();
        volatile unsigned long spin = 0;
        while (!alarms && now() - t0 < 5)
            spin++;
        CHECK(alarms == 1, "%s: %d signals after %.2f s of CPU",
              k ? "ITIMER_VIRTUAL" : "ITIMER_PROF", (int)alarms, now() - t0);
        CHECK_SYSCALL(getitimer(which[k], &got), 0);
        CHECK(!got.it_value.tv_sec && !got.it_value.tv_usec,
              "still armed after firing");
        signal(sig[k], SIG_DFL);
    }
}

static void test_posix_timer(void)
{
    struct sigevent ev;
    timer_t t;
    struct itimerspec its = {{0, 0}, {0, 30 * 1000 * 1000}}, cur;

    alarms = 0;
    install(SIGRTMIN);
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN;
    ev.sigev_value.sival_int = 4242;
    CHECK_SYSCALL(timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
    CHECK_SYSCALL(timer_settime(t, 0, &its, NULL), 0);
    CHECK_SYSCALL(timer_gettime(t, &cur), 0);
    CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
              cur.it_value.tv_nsec <= 30 * 1000 * 1000,
          "left %ld ns", cur.it_value.tv_nsec);
    double t0 = now();
    while (!alarms && now() - t0 < 3)
        pause();
    CHECK(alarms == 1, "%d expiries", (int)alarms);
    CHECK(last_code == SI_TIMER, "si_code %d, want SI_TIMER", (int)last_code);
    CHECK(last_value == 4242, "si_value %d", (int)last_value);
    CHECK_SYSCALL(timer_getoverrun(t), 0);
    CHECK_SYSCALL(timer_gettime(t, &cur), 0);
    CHECK(!cur.it_value.tv_sec && !cur.it_value.tv_nsec, "disarmed after");
    CHECK_SYSCALL(timer_delete(t), 0);
    CHECK_ERRNO(syscall(SYS_timer_delete, 12345), EINVAL);
    CHECK_ERRNO(syscall(SYS_timer_create, 99, NULL, &t), EINVAL);
    signal(SIGRTMIN, SIG_DFL);
}

static volatile int stop_spinner;

static void *spinner(void *arg)
{
    *(long *)arg = syscall(SYS_gettid);
    while (!stop_spinner)
        usleep(1000);
    return NULL;
}

static void test_thread_id(void)
{
    struct sigevent ev;
    timer_t t;
    pthread_t th;
    long tid = 0;
    struct itimerspec its = {{0, 0}, {0, 20 * 1000 * 1000}};

    alarms = 0;
    handler_tid = 0;
    install(SIGUSR1);
    stop_spinner = 0;
    pthread_create(&th, NULL, spinner, &tid);
    while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
        usleep(1000);
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR1;
#ifdef sigev_notify_thread_id
    ev.sigev_notify_thread_id = (pid_t)tid;
#else
    ev._sigev_un._tid = (pid_t)tid;
#endif
    CHECK_SYSCALL(timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
    CHECK_SYSCALL(timer_settime(t, 0, &its, NULL), 0);
    double t0 = now();
    while (!alarms && now() - t0 < 3)
        usleep(1000);
    CHECK(alarms == 1, "%d expiries", (int)alarms);
    CHECK(handler_tid == tid, "ran on tid %ld, want %ld", (long)handler_tid,
          tid);
    stop_spinner = 1;
    pthread_join(th, NULL);
    timer_delete(t);
    signal(SIGUSR1, SIG_DFL);
}

static void test_timerfd(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    struct itimerspec its = {{0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000}};
    struct itimerspec cur;
    uint64_t n = 0, total = 0;

    if (CHECK_OK(fd) < 0)
        return;
    CHECK_SYSCALL(timerfd_settime(fd, 0, &its, NULL), 0);
    CHECK_SYSCALL(timerfd_gettime(fd, &cur), 0);
    CHECK(cur.it_interval.tv_nsec == 10 * 1000 * 1000, "interval %ld",
          cur.it_interval.tv_nsec);
    for (int i = 0; i < 3; i++) {
        CHECK_SYSCALL(read(fd, &n, sizeof(n)), 8);
        total += n;
    }
    CHECK(total >= 3, "%llu expiries in three reads",
          (unsigned long long)total);
    struct pollfd p = {fd, POLLIN, 0};
    CHECK_SYSCALL(poll(&p, 1, 2000), 1);
    CHECK(p.revents & POLLIN, "not readable after an expiry");
    CHECK_ERRNO(read(fd, &n, 4), EINVAL);
    struct itimerspec off = {{0, 0}, {0, 0}};
    CHECK_SYSCALL(timerfd_settime(fd, 0, &off, NULL), 0);
    int nb = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    if (CHECK_OK(nb) >= 0) {
        CHECK_ERRNO(read(nb, &n, 8), EAGAIN);
        /* absolute: already in the past, so at once */
        struct itimerspec abs = {{0, 0}, {1, 0}};
        CHECK_SYSCALL(timerfd_settime(nb, TFD_TIMER_ABSTIME, &abs, NULL), 0);
        struct pollfd q = {nb, POLLIN, 0};
        CHECK_SYSCALL(poll(&q, 1, 2000), 1);
        CHECK_SYSCALL(read(nb, &n, 8), 8);
        close(nb);
    }
    close(fd);
    CHECK_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x1234), EINVAL);
    CHECK_ERRNO(timerfd_gettime(0, &cur), EINVAL);
    CHECK_ERRNO(timerfd_gettime(-1, &cur), EBADF);
}

static const struct tap_test tests[] = {
    {"alarm interrupts nanosleep with EINTR and the time left",
     test_alarm_interrupts_sleep},
    {"setitimer ITIMER_REAL, periodic; getitimer", test_itimer_periodic},
    {"ITIMER_PROF and ITIMER_VIRTUAL on CPU time", test_itimer_cpu},
    {"timer_create SIGEV_SIGNAL: si_code, si_value, gettime", test_posix_timer},
    {"SIGEV_THREAD_ID reaches the named thread", test_thread_id},
    {"timerfd: periodic reads, poll, nonblocking, absolute, errors",
     test_timerfd},
};

TAP_MAIN(tests)
