/* SPDX-License-Identifier: MIT */
/* signal.c: rt_sigaction, rt_sigprocmask, sigaltstack, kill and tgkill
   (see signal.h for what is and is not delivered yet). */
#include "signal.h"

#include "abi/linux/misc.h"
#include "abi/linux/signal.h"
#include "host/host.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

static void act_on_unblocked(struct task *t);

static bool sig_valid(int sig) { return sig >= 1 && sig <= LINUX_NSIG; }

#define UNBLOCKABLE (LINUX_SIGBIT(LINUX_SIGKILL) | LINUX_SIGBIT(LINUX_SIGSTOP))

/* Signals whose default action is to do nothing (signal(7)); the stop
   signals are treated the same since a sandbox has no job control. */
static bool default_ignored(int sig)
{
    switch (sig) {
    case LINUX_SIGCHLD:
    case LINUX_SIGURG:
    case LINUX_SIGWINCH:
    case LINUX_SIGCONT:
    case LINUX_SIGSTOP:
    case LINUX_SIGTSTP:
    case LINUX_SIGTTIN:
    case LINUX_SIGTTOU: return true;
    }
    return false;
}

void signal_raise_self(int sig)
{
    struct task *t = current();
    struct proc *p = t->proc;
    spin_lock(&p->lock);
    uint64_t handler = p->sigact[sig - 1].handler;
    spin_unlock(&p->lock);
    if (sig != LINUX_SIGKILL && sig != LINUX_SIGSTOP &&
        (t->sigmask & LINUX_SIGBIT(sig)) && handler != LINUX_SIG_IGN) {
        t->pending |= LINUX_SIGBIT(sig); /* blocked: it waits */
        return;
    }
    if (sig == LINUX_SIGKILL || handler == LINUX_SIG_DFL) {
        if (!default_ignored(sig))
            proc_exit_signal(p, sig);
        return;
    }
    if (handler == LINUX_SIG_IGN)
        return;
    t->pending |= LINUX_SIGBIT(sig); /* delivered by the signals issue */
}

SYSCALL_DEFINE4(rt_sigaction, int, sig, uptr_t, act, uptr_t, oact, size_t,
                sigsetsize)
{
    struct proc *p = current_proc();
    struct linux_sigaction new, old;
    if (sigsetsize != sizeof(linux_sigset_t) || !sig_valid(sig))
        return -EINVAL;
    if (act && copy_in(&new, act, sizeof(new)) < 0)
        return -EFAULT;
    if (act && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP))
        return -EINVAL;
    spin_lock(&p->lock);
    old = p->sigact[sig - 1];
    if (act) {
        new.mask &= ~UNBLOCKABLE;
        p->sigact[sig - 1] = new;
    }
    spin_unlock(&p->lock);
    if (oact && copy_out(oact, &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, uptr_t, set, uptr_t, oset, size_t,
                sigsetsize)
{
    struct task *t = current();
    linux_sigset_t s = 0, old = t->sigmask;
    if (sigsetsize != sizeof(linux_sigset_t))
        return -EINVAL;
    if (set) {
        if (copy_in(&s, set, sizeof(s)) < 0)
            return -EFAULT;
        switch (how) {
        case LINUX_SIG_BLOCK: t->sigmask |= s; break;
        case LINUX_SIG_UNBLOCK: t->sigmask &= ~s; break;
        case LINUX_SIG_SETMASK: t->sigmask = s; break;
        default: return -EINVAL;
        }
        t->sigmask &= ~UNBLOCKABLE;
        act_on_unblocked(t);
    }
    if (oset && copy_out(oset, &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

/* What unblocking the mask would do to signals that became pending while
   blocked: their default action, now that they may act (called when the
   mask shrinks). A handler's signal stays pending (signals issue). */
static void act_on_unblocked(struct task *t)
{
    linux_sigset_t ready = t->pending & ~t->sigmask;
    for (int sig = 1; ready && sig <= LINUX_NSIG; sig++) {
        if (!(ready & LINUX_SIGBIT(sig)))
            continue;
        ready &= ~LINUX_SIGBIT(sig);
        uint64_t h = t->proc->sigact[sig - 1].handler;
        if (h == LINUX_SIG_DFL || h == LINUX_SIG_IGN) {
            t->pending &= ~LINUX_SIGBIT(sig);
            signal_raise_self(sig);
        }
    }
}

SYSCALL_DEFINE2(rt_sigpending, uptr_t, uset, size_t, size)
{
    struct task *t = current();
    if (size > sizeof(linux_sigset_t))
        return -EINVAL;
    linux_sigset_t s = t->pending & t->sigmask;
    return copy_out(uset, &s, size);
}

/* Take a pending signal from set, waiting up to the timeout: with one
   thread and no delivery yet, nothing new can arrive while waiting, so an
   empty set answers EAGAIN after the timeout (or waits forever without
   one, as Linux would). */
SYSCALL_DEFINE4(rt_sigtimedwait, uptr_t, uset, uptr_t, uinfo, uptr_t, uts,
                size_t, size)
{
    struct task *t = current();
    linux_sigset_t set;
    struct linux_timespec ts;
    if (size != sizeof(set))
        return -EINVAL;
    if (copy_in(&set, uset, sizeof(set)) < 0)
        return -EFAULT;
    if (uts && copy_in(&ts, uts, sizeof(ts)) < 0)
        return -EFAULT;
    if (uts && (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L))
        return -EINVAL;
    linux_sigset_t hit = t->pending & set;
    if (hit) {
        int sig = __builtin_ctzll(hit) + 1;
        t->pending &= ~LINUX_SIGBIT(sig);
        if (uinfo) {
            struct linux_siginfo si;
            memset(&si, 0, sizeof(si));
            si.si_signo = sig;
            si.si_code = LINUX_SI_TKILL;
            si.u.kill.pid = t->proc->pid;
            if (copy_out(uinfo, &si, sizeof(si)) < 0)
                return -EFAULT;
        }
        return sig;
    }
    for (;;) {
        struct linux_timespec forever = {3600, 0};
        host_time_nanosleep(LINUX_CLOCK_MONOTONIC, 0, uts ? &ts : &forever,
                            NULL);
        if (uts)
            return -EAGAIN;
    }
}

SYSCALL_DEFINE2(sigaltstack, uptr_t, uss, uptr_t, uoss)
{
    struct task *t = current();
    struct linux_stack ss, old = t->altstack;
    if (!old.ss_size)
        old.ss_flags = LINUX_SS_DISABLE;
    if (uss) {
        if (copy_in(&ss, uss, sizeof(ss)) < 0)
            return -EFAULT;
        unsigned mode = ss.ss_flags & ~LINUX_SS_AUTODISARM;
        if (mode != 0 && mode != LINUX_SS_DISABLE && mode != LINUX_SS_ONSTACK)
            return -EINVAL;
        if (mode == LINUX_SS_DISABLE) {
            memset(&ss, 0, sizeof(ss));
        } else if (ss.ss_size < LINUX_MINSIGSTKSZ) {
            return -ENOMEM;
        }
        ss.ss_flags &= LINUX_SS_AUTODISARM;
        t->altstack = ss;
    }
    if (uoss && copy_out(uoss, &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

/* kill/tkill/tgkill: the program is alone in its sandbox, so only it can
   be named (pid 0, its own pid or pgid; its own tid). */
static long kill_self(int sig)
{
    if (sig < 0 || sig > LINUX_NSIG)
        return -EINVAL;
    if (sig)
        signal_raise_self(sig);
    return 0;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
    struct proc *p = current_proc();
    if (pid == INT32_MIN)
        return -ESRCH;
    if (pid == -1) /* everyone but the caller: nobody else is here */
        return sig_valid(sig) || sig == 0 ? -ESRCH : -EINVAL;
    if (pid != 0 && pid != p->pid && -pid != p->pgid)
        return sig_valid(sig) || sig == 0 ? -ESRCH : -EINVAL;
    return kill_self(sig);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
    if (tid <= 0)
        return -EINVAL;
    if (tid != current()->tid)
        return -ESRCH;
    return kill_self(sig);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    if (tgid != current_proc()->pid || tid != current()->tid)
        return -ESRCH;
    return kill_self(sig);
}
