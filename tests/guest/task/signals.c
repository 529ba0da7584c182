/* SPDX-License-Identifier: MIT */
/* signals.c: handlers and their frames: raise/kill/tgkill, SA_SIGINFO
 * fields, masks and pending signals, SA_RESETHAND, SA_NODEFER, sigaltstack
 * with SA_ONSTACK, faults (SIGSEGV with si_addr, SIGFPE, SIGILL with the
 * ucontext changed to skip the instruction), siglongjmp out, FPU state kept
 * across a handler, rt_sigtimedwait, sigsuspend woken by another thread,
 * EINTR vs SA_RESTART on a blocking pipe read. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "tap.h"

static volatile sig_atomic_t hits, last_sig, last_code, nested;
static volatile uintptr_t last_sp;
static volatile pid_t last_pid;

static void count(int sig)
{
    hits++;
    last_sig = sig;
    int x;
    last_sp = (uintptr_t)&x;
}

static void with_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    last_pid = si->si_pid;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void set_action(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(sig, &sa, NULL);
}

static void test_raise_kill(void)
{
    hits = 0;
    set_handler(SIGUSR1, count, 0);
    CHECK_SYSCALL(raise(SIGUSR1), 0);
    CHECK(hits == 1 && last_sig == SIGUSR1, "raise: %d hits", (int)hits);
    CHECK_SYSCALL(kill(getpid(), SIGUSR1), 0);
    CHECK(hits == 2, "kill: %d hits", (int)hits);
    CHECK_SYSCALL(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1),
                  0);
    CHECK(hits == 3, "tgkill: %d hits", (int)hits);
    CHECK_SYSCALL(kill(getpid(), 0), 0);
    CHECK_ERRNO(kill(getpid(), 65), EINVAL);
    CHECK_ERRNO(syscall(SYS_tgkill, getpid(), 99999, SIGUSR1), ESRCH);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_siginfo(void)
{
    hits = 0;
    set_action(SIGUSR2, with_info, 0);
    kill(getpid(), SIGUSR2);
    CHECK(hits == 1, "%d hits", (int)hits);
    CHECK(last_code == SI_USER, "si_code %d, want SI_USER", (int)last_code);
    CHECK(last_pid == getpid(), "si_pid %d", (int)last_pid);
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
    CHECK(last_code == SI_TKILL, "si_code %d, want SI_TKILL", (int)last_code);
    set_handler(SIGUSR2, SIG_DFL, 0);
}

static void test_mask_pending(void)
{
    sigset_t s, old, pend;

    hits = 0;
    set_handler(SIGUSR1, count, 0);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, &old);
    raise(SIGUSR1);
    raise(SIGUSR1); /* standard signals do not queue */
    CHECK(hits == 0, "delivered while blocked");
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGUSR1), "SIGUSR1 not pending");
    sigprocmask(SIG_SETMASK, &old, NULL);
    CHECK(hits == 1, "after unblocking: %d hits, want 1", (int)hits);
    sigpending(&pend);
    CHECK(!sigismember(&pend, SIGUSR1), "still pending");
    /* an ignored signal stays pending while blocked (Linux keeps it for
       a handler set meanwhile), and setting SIG_IGN discards it */
    set_handler(SIGUSR1, SIG_IGN, 0);
    sigprocmask(SIG_BLOCK, &s, &old);
    raise(SIGUSR1);
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGUSR1), "a blocked ignored signal is dropped");
    set_handler(SIGUSR1, SIG_IGN, 0);
    sigpending(&pend);
    CHECK(!sigismember(&pend, SIGUSR1), "SIG_IGN did not discard it");
    sigprocmask(SIG_SETMASK, &old, NULL);
    CHECK(hits == 1, "an ignored signal ran the handler");
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static volatile sig_atomic_t depth;

static void reraise(int sig)
{
    depth++;
    if (depth > nested)
        nested = depth;
    hits++;
    if (hits == 1)
        raise(sig); /* nested only with SA_NODEFER */
    depth--;
}

static void test_flags(void)
{
    struct sigaction now;

    hits = 0;
    set_handler(SIGUSR1, count, SA_RESETHAND);
    raise(SIGUSR1);
    sigaction(SIGUSR1, NULL, &now);
    CHECK(hits == 1 && now.sa_handler == SIG_DFL,
          "SA_RESETHAND: %d hits, handler %p", (int)hits,
          (void *)now.sa_handler);
    hits = nested = depth = 0;
    set_handler(SIGUSR1, reraise, SA_NODEFER);
    raise(SIGUSR1);
    CHECK(hits == 2 && nested == 2, "SA_NODEFER: %d hits", (int)hits);
    hits = nested = depth = 0;
    set_handler(SIGUSR1, reraise, 0);
    raise(SIGUSR1); /* the second waits until the first returns */
    CHECK(hits == 2 && nested == 1, "deferred: %d hits, nested %d", (int)hits,
          (int)nested);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_altstack(void)
{
    static char alt[64 * 1024];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0}, old;

    CHECK_SYSCALL(sigaltstack(&ss, &old), 0);
    hits = 0;
    set_handler(SIGUSR1, count, SA_ONSTACK);
    raise(SIGUSR1);
    CHECK(hits == 1, "not delivered");
    CHECK(last_sp >= (uintptr_t)alt && last_sp < (uintptr_t)alt + sizeof(alt),
          "handler stack %#lx not on the altstack %p", (unsigned long)last_sp,
          (void *)alt);
    set_handler(SIGUSR1, count, 0);
    raise(SIGUSR1);
    CHECK(last_sp < (uintptr_t)alt || last_sp >= (uintptr_t)alt + sizeof(alt),
          "without SA_ONSTACK the handler ran on the altstack");
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static sigjmp_buf jump;
static volatile int *volatile bad_ptr;
static volatile uintptr_t fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last_sig = sig;
    last_code = si->si_code;
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(jump, 1);
}

static void test_segv(void)
{
    set_action(SIGSEGV, on_fault, 0);
    last_sig = 0;
    if (!sigsetjmp(jump, 1))
        bad_ptr = (volatile int *)(uintptr_t)0x18, *bad_ptr = 1;
    CHECK(last_sig == SIGSEGV, "no SIGSEGV handler ran");
    CHECK(fault_addr == 0x18, "si_addr %#lx, want 0x18",
          (unsigned long)fault_addr);
    CHECK(last_code == SEGV_MAPERR, "si_code %d, want SEGV_MAPERR",
          (int)last_code);
    /* the mask came back with siglongjmp: it fires again */
    last_sig = 0;
    if (!sigsetjmp(jump, 1))
        bad_ptr = (volatile int *)(uintptr_t)0x20, *bad_ptr = 1;
    CHECK(last_sig == SIGSEGV, "the second fault was not delivered");
    set_handler(SIGSEGV, SIG_DFL, 0);
}

static void test_fpe(void)
{
    volatile int zero = 0, one = 1;

    set_action(SIGFPE, on_fault, 0);
    last_sig = 0;
    if (!sigsetjmp(jump, 1))
        one = one / zero;
    CHECK(last_sig == SIGFPE, "no SIGFPE handler ran");
    CHECK(last_code == FPE_INTDIV, "si_code %d, want FPE_INTDIV",
          (int)last_code);
    set_handler(SIGFPE, SIG_DFL, 0);
}

static void skip_ud2(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;

    (void)si;
    last_sig = sig;
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* over the ud2 */
    uc->uc_mcontext.gregs[REG_RAX] = 1234;
}

static void test_ill_ucontext(void)
{
    long rax = 0;

    set_action(SIGILL, skip_ud2, 0);
    __asm__ volatile("xorl %%eax, %%eax\n\tud2" : "=a"(rax) : : "memory");
    CHECK(last_sig == SIGILL, "no SIGILL handler ran");
    CHECK(rax == 1234, "the handler's %%rax did not come back: %ld", rax);
    set_handler(SIGILL, SIG_DFL, 0);
}

static void clobber_fp(int sig)
{
    volatile double d = 3.0;

    (void)sig;
    hits++;
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
                     "pxor %%xmm7, %%xmm7" ::
                         : "xmm0", "xmm1", "xmm7");
    d = d * d;
}

static void test_fp_kept(void)
{
    double x = 1.5;

    hits = 0;
    set_handler(SIGUSR1, clobber_fp, 0);
    for (int i = 0; i < 4; i++) {
        __asm__ volatile("" : "+x"(x));
        raise(SIGUSR1);
        x *= 1.5;
        __asm__ volatile("" : "+x"(x));
    }
    CHECK(hits == 4, "%d hits", (int)hits);
    CHECK(x > 7.59 && x < 7.60, "x = %f after handlers, want 7.59375", x);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_sigtimedwait(void)
{
    sigset_t s, old;
    siginfo_t si;
    struct timespec ts = {0, 20 * 1000 * 1000};

    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, &old);
    raise(SIGUSR2);
    CHECK_SYSCALL(sigtimedwait(&s, &si, &ts), SIGUSR2);
    CHECK(si.si_signo == SIGUSR2, "si_signo %d", si.si_signo);
    CHECK_ERRNO(sigtimedwait(&s, &si, &ts), EAGAIN);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static pthread_t main_thread;

static void *kick_later(void *arg)
{
    usleep(20000);
    pthread_kill(main_thread, (int)(intptr_t)arg);
    return NULL;
}

static void test_sigsuspend_thread(void)
{
    sigset_t s, old, wait_set;
    pthread_t t;

    hits = 0;
    set_handler(SIGUSR1, count, 0);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, &old);
    main_thread = pthread_self();
    pthread_create(&t, NULL, kick_later, (void *)(intptr_t)SIGUSR1);
    sigemptyset(&wait_set);
    CHECK_ERRNO(sigsuspend(&wait_set), EINTR);
    CHECK(hits == 1, "sigsuspend: %d hits", (int)hits);
    pthread_join(t, NULL);
    /* the mask blocked before sigsuspend is back */
    sigset_t now;
    sigprocmask(SIG_SETMASK, &old, &now);
    CHECK(sigismember(&now, SIGUSR1), "mask not restored after sigsuspend");
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static void *write_after_kick(void *arg)
{
    struct timespec d = {0, 60 * 1000 * 1000};

    nanosleep(&d, NULL);
    return (void *)(intptr_t)write(*(int *)arg, "r", 1);
}

static void test_pipe_eintr_restart(void)
{
    int p[2];
    pthread_t t;
    char c;

    if (CHECK_OK(pipe(p)) != 0)
        return;
    main_thread = pthread_self();
    hits = 0;
    set_handler(SIGUSR1, count, 0); /* no SA_RESTART */
    pthread_create(&t, NULL, kick_later, (void *)(intptr_t)SIGUSR1);
    CHECK_ERRNO(read(p[0], &c, 1), EINTR);
    pthread_join(t, NULL);
    CHECK(hits == 1, "%d hits", (int)hits);

    /* with SA_RESTART the read goes on and gets the byte written later */
    set_handler(SIGUSR1, count, SA_RESTART);
    pthread_create(&t, NULL, kick_later, (void *)(intptr_t)SIGUSR1);
    /* a second helper writes after the signal */
    pthread_t w;
    pthread_create(&w, NULL, write_after_kick, &p[1]);
    CHECK_SYSCALL(read(p[0], &c, 1), 1);
    CHECK(c == 'r' && hits == 2, "read '%c', %d hits", c, (int)hits);
    pthread_join(t, NULL);
    pthread_join(w, NULL);
    close(p[0]);
    close(p[1]);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static volatile int queued_value;

static void on_queued(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last_sig = sig;
    last_code = si->si_code;
    queued_value = si->si_value.sival_int;
}

static void test_sigqueue(void)
{
    union sigval v = {.sival_int = 31337};

    set_action(SIGUSR2, on_queued, 0);
    last_sig = 0;
    CHECK_SYSCALL(sigqueue(getpid(), SIGUSR2, v), 0);
    CHECK(last_sig == SIGUSR2, "no handler ran");
    CHECK(last_code == SI_QUEUE, "si_code %d, want SI_QUEUE", (int)last_code);
    CHECK(queued_value == 31337, "si_value %d", queued_value);
    CHECK_ERRNO(sigqueue(getpid(), 99, v), EINVAL);
    /* to one thread, with rt_tgsigqueueinfo and tkill */
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    si.si_signo = SIGUSR2;
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 4711;
    last_sig = 0;
    CHECK_SYSCALL(syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid),
                          SIGUSR2, &si),
                  0);
    CHECK(last_sig == SIGUSR2 && queued_value == 4711,
          "rt_tgsigqueueinfo: signal %d value %d", (int)last_sig, queued_value);
    CHECK_ERRNO(syscall(SYS_rt_tgsigqueueinfo, getpid(), 99999, SIGUSR2, &si),
                ESRCH);
    CHECK_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, (void *)8),
                EFAULT);
    last_sig = 0;
    CHECK_SYSCALL(syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR2), 0);
    CHECK(last_sig == SIGUSR2 && last_code == SI_TKILL, "tkill: code %d",
          (int)last_code);
    CHECK_ERRNO(syscall(SYS_tkill, 0, SIGUSR2), EINVAL);
    set_handler(SIGUSR2, SIG_DFL, 0);
}

static void on_trap(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;

    last_sig = sig;
    last_code = si->si_code;
    fault_addr = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
}

static void test_sigtrap(void)
{
    set_action(SIGTRAP, on_trap, 0);
    last_sig = 0;
    __asm__ volatile("int3\n\t.globl after_int3\nafter_int3:" ::: "memory");
    extern char after_int3[];
    CHECK(last_sig == SIGTRAP, "no SIGTRAP handler ran");
    CHECK(fault_addr == (uintptr_t)after_int3,
          "resumes after int3: rip %#lx, want %p", (unsigned long)fault_addr,
          (void *)after_int3);
    set_handler(SIGTRAP, SIG_DFL, 0);
}

static const struct tap_test tests[] = {
    {"raise, kill and tgkill reach a handler", test_raise_kill},
    {"SA_SIGINFO: si_code and si_pid", test_siginfo},
    {"a blocked signal waits, then is delivered once", test_mask_pending},
    {"SA_RESETHAND, SA_NODEFER, deferral while handling", test_flags},
    {"sigaltstack and SA_ONSTACK", test_altstack},
    {"SIGSEGV: si_addr, si_code, siglongjmp out", test_segv},
    {"SIGFPE on integer division by zero", test_fpe},
    {"SIGILL: the handler changes the ucontext", test_ill_ucontext},
    {"FPU registers kept across handlers", test_fp_kept},
    {"sigtimedwait takes a blocked pending signal", test_sigtimedwait},
    {"sigsuspend woken by another thread's pthread_kill",
     test_sigsuspend_thread},
    {"pipe read: EINTR, and restarted under SA_RESTART",
     test_pipe_eintr_restart},
    {"sigqueue, rt_tgsigqueueinfo, tkill", test_sigqueue},
    {"int3: SIGTRAP, resuming after it", test_sigtrap},
};

TAP_MAIN(tests)
