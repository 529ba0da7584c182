/* SPDX-License-Identifier: MIT */
/* signal.c: rt_sigaction, rt_sigprocmask, sigaltstack, kill and tgkill
   (see signal.h for what is and is not delivered yet). */
#include "signal.h"

#include "abi/linux/signal.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

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
    }
    if (oset && copy_out(oset, &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
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
