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

/* Would sig be dropped at once (ignored, by action or by default)? */
static bool dropped(struct proc *p, int sig)
{
    uint64_t h = p->sigact[sig - 1].handler;
    return sig != LINUX_SIGKILL &&
           (h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && default_ignored(sig)));
}

long signal_send(struct proc *p, int tid, int sig,
                 const struct linux_siginfo *info)
{
    uint64_t bit = LINUX_SIGBIT(sig);
    struct task *self = current(), *t = NULL;
    spin_lock(&p->lock);
    if (tid) {
        for (struct task *u = p->threads; u && !t; u = u->next_thread)
            if (u->tid == tid)
                t = u;
        if (!t) {
            spin_unlock(&p->lock);
            return -ESRCH;
        }
    }
    if (sig == LINUX_SIGKILL) {
        spin_unlock(&p->lock);
        proc_exit_signal(p, sig);
    }
    if (!t) { /* to the process: a thread that does not block it */
        t = self->proc == p && !self->kthread && !(self->sigmask & bit) ? self
                                                                        : NULL;
        for (struct task *u = p->threads; !t && u; u = u->next_thread)
            if (!(u->sigmask & bit))
                t = u;
        if (!t)
            t = self->proc == p && !self->kthread ? self : p->threads;
    }
    /* an ignored signal is dropped, unless blocked: Linux keeps it pending
       then, for a handler that may be set before it is unblocked */
    if (dropped(p, sig) && !(t->sigmask & bit)) {
        spin_unlock(&p->lock);
        return 0;
    }
    if (!(t->pending & bit)) { /* standard signals do not queue */
        t->pending |= bit;
        t->siginfo[sig - 1] = *info;
    }
    bool kick = t != self && (!(t->sigmask & bit) || (t->sigwait & bit));
    int host_tid = t->host_tid;
    spin_unlock(&p->lock);
    /* the current thread takes it on its way out of this call */
    if (kick)
        host_signal_kick(host_tid);
    return 0;
}

void signal_raise_self(int sig)
{
    struct linux_siginfo si;
    memset(&si, 0, sizeof(si));
    si.si_signo = sig;
    si.si_code = LINUX_SI_USER;
    si.u.kill.pid = current_proc()->pid;
    si.u.kill.uid = current_proc()->uid;
    signal_send(current_proc(), current()->tid, sig, &si);
}

/* Signals from outside not yet sent (signal_outside). One word for the
   sandbox: the host delivers them to whichever thread it likes. */
static uint64_t outside_pending;

void signal_outside(int sig)
{
    __atomic_or_fetch(&outside_pending, LINUX_SIGBIT(sig), __ATOMIC_SEQ_CST);
}

static void take_outside(struct proc *p)
{
    uint64_t set = __atomic_exchange_n(&outside_pending, 0, __ATOMIC_SEQ_CST);
    while (set) {
        int sig = __builtin_ctzll(set) + 1;
        set &= set - 1;
        struct linux_siginfo si;
        memset(&si, 0, sizeof(si));
        si.si_signo = sig;
        si.si_code = LINUX_SI_USER; /* from pid 0: outside the sandbox */
        signal_send(p, 0, sig, &si);
    }
}

bool signal_pending(void)
{
    struct task *t = current();
    struct task *ex = __atomic_load_n(&t->proc->exec_task, __ATOMIC_RELAXED);
    return (__atomic_load_n(&t->pending, __ATOMIC_RELAXED) & ~t->sigmask) ||
           __atomic_load_n(&outside_pending, __ATOMIC_RELAXED) ||
           (ex && ex != t); /* execve in another thread: this one ends */
}

/* ---- frames ---- */

#define UC_FP_XSTATE 0x1
#define FP_XSTATE_MAGIC1 0x46505853U
#define FXSAVE_SIZE 512
#define XSAVE_HDR 512
#define FIX_EFLAGS 0x40dd5UL /* AC OF DF TF SF ZF AF PF CF RF */
#define EFLAGS_TF 0x100UL
#define EFLAGS_DF 0x400UL
#define EFLAGS_RF 0x10000UL

struct rt_sigframe {
    uint64_t pretcode; /* sa_restorer: the handler returns there */
    struct linux_ucontext uc;
    struct linux_siginfo info;
};

/* The bytes of the FPU state the host saved for this entry, as the
   _fpx_sw_bytes at the end of its legacy area say. */
static size_t fp_size(const uint8_t *fp)
{
    uint32_t magic1, extended;
    memcpy(&magic1, fp + 464, 4);
    memcpy(&extended, fp + 468, 4);
    if (magic1 == FP_XSTATE_MAGIC1 && extended > FXSAVE_SIZE &&
        extended <= 64 * 1024)
        return extended;
    return FXSAVE_SIZE;
}

static bool on_altstack(const struct task *t, uint64_t sp)
{
    return t->altstack.ss_size && sp - t->altstack.ss_sp < t->altstack.ss_size;
}

static long setup_frame(struct task *t, struct linux_ucontext *uc, int sig,
                        const struct linux_siginfo *info,
                        const struct linux_sigaction *act,
                        linux_sigset_t old_mask)
{
    struct linux_sigcontext *r = &uc->uc_mcontext;
    if (!(act->flags & LINUX_SA_RESTORER))
        return -EFAULT; /* x86_64 Linux needs one too */
    bool was_on = on_altstack(t, r->rsp);
    uint64_t sp = r->rsp - 128; /* the red zone */
    if ((act->flags & LINUX_SA_ONSTACK) && t->altstack.ss_size && !was_on)
        sp = t->altstack.ss_sp + t->altstack.ss_size;
    const uint8_t *fp = (const uint8_t *)r->fpstate;
    size_t fpsize = fp ? fp_size(fp) : 0;
    sp = (sp - fpsize) & ~63ULL;
    uint64_t fp_user = fp ? sp : 0;
    sp = ((sp - sizeof(struct rt_sigframe)) & ~15ULL) - 8;

    struct rt_sigframe f;
    memset(&f, 0, sizeof(f));
    f.pretcode = act->restorer;
    f.uc.uc_flags = uc->uc_flags;
    f.uc.uc_stack = t->altstack;
    f.uc.uc_stack.ss_flags = !t->altstack.ss_size ? LINUX_SS_DISABLE
                             : on_altstack(t, sp) ? LINUX_SS_ONSTACK
                                                  : 0;
    f.uc.uc_mcontext = *r;
    f.uc.uc_mcontext.fpstate = fp_user;
    f.uc.uc_sigmask = old_mask;
    f.info = *info;
    if (fp && copy_out(fp_user, fp, fpsize) < 0)
        return -EFAULT;
    if (copy_out(sp, &f, sizeof(f)) < 0)
        return -EFAULT;

    r->rdi = (uint64_t)sig;
    r->rsi = sp + offsetof(struct rt_sigframe, info);
    r->rdx = sp + offsetof(struct rt_sigframe, uc);
    r->rax = 0;
    r->rip = act->handler;
    r->rsp = sp;
    r->eflags &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
    if ((act->flags & LINUX_SA_ONSTACK) &&
        (t->altstack.ss_flags & LINUX_SS_AUTODISARM) && on_altstack(t, sp))
        memset(&t->altstack, 0, sizeof(t->altstack));
    return 0;
}

static void restart(struct linux_sigcontext *r, int nr)
{
    r->rax = (uint64_t)nr;
    r->rip -= 2; /* the syscall instruction again */
}

void signal_deliver(struct linux_ucontext *uc, int nr)
{
    struct task *t = current();
    struct proc *p = t->proc;
    struct linux_sigcontext *r = &uc->uc_mcontext;
    bool restartable = nr >= 0 && (long)r->rax == -ERESTARTSYS;
    if (__atomic_load_n(&outside_pending, __ATOMIC_RELAXED))
        take_outside(p);
    for (;;) {
        spin_lock(&p->lock);
        linux_sigset_t ready = t->pending & ~t->sigmask;
        if (!ready) {
            spin_unlock(&p->lock);
            break;
        }
        int sig = __builtin_ctzll(ready) + 1;
        t->pending &= ~LINUX_SIGBIT(sig);
        struct linux_siginfo info = t->siginfo[sig - 1];
        struct linux_sigaction act = p->sigact[sig - 1];
        if (act.handler == LINUX_SIG_DFL || act.handler == LINUX_SIG_IGN) {
            spin_unlock(&p->lock);
            if (act.handler == LINUX_SIG_DFL && !default_ignored(sig))
                proc_exit_signal(p, sig);
            continue;
        }
        if (act.flags & LINUX_SA_RESETHAND)
            p->sigact[sig - 1].handler = LINUX_SIG_DFL;
        spin_unlock(&p->lock);
        if (restartable) {
            if (act.flags & LINUX_SA_RESTART)
                restart(r, nr);
            else
                r->rax = (uint64_t)-EINTR;
            restartable = false;
        }
        linux_sigset_t old = t->saved_mask_valid ? t->saved_mask : t->sigmask;
        t->saved_mask_valid = false;
        if (setup_frame(t, uc, sig, &info, &act, old) < 0)
            proc_exit_signal(p, LINUX_SIGSEGV); /* as force_sigsegv */
        linux_sigset_t add = act.mask;
        if (!(act.flags & LINUX_SA_NODEFER))
            add |= LINUX_SIGBIT(sig);
        t->sigmask = (t->sigmask | add) & ~UNBLOCKABLE;
    }
    if (restartable)
        restart(r, nr);        /* nothing ran: as if the call never stopped */
    if (t->saved_mask_valid) { /* rt_sigsuspend without a handler run */
        t->sigmask = t->saved_mask;
        t->saved_mask_valid = false;
    }
}

bool signal_fault(int sig, const struct linux_siginfo *hinfo,
                  struct linux_ucontext *uc)
{
    struct task *t = current();
    struct proc *p = t->proc;
    uint64_t bit = LINUX_SIGBIT(sig);
    spin_lock(&p->lock);
    uint64_t h = p->sigact[sig - 1].handler;
    bool take = h != LINUX_SIG_DFL && h != LINUX_SIG_IGN && !(t->sigmask & bit);
    spin_unlock(&p->lock);
    if (!take) /* as force_sig: blocked or ignored faults kill */
        return false;
    struct linux_siginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = hinfo->si_code;
    info.u.fault.addr = hinfo->u.fault.addr;
    spin_lock(&p->lock);
    t->pending |= bit;
    t->siginfo[sig - 1] = info;
    spin_unlock(&p->lock);
    signal_deliver(uc, -1);
    return true;
}

SYSCALL_DEFINE0(rt_sigreturn)
{
    struct task *t = current();
    struct linux_ucontext *uc = t->uc;
    struct linux_sigcontext *r = &uc->uc_mcontext;
    struct linux_ucontext g;
    t->syscall_nr = -1; /* never restarted, whatever %rax holds */
    if (copy_in(&g, r->rsp, sizeof(g)) < 0) /* the frame, past pretcode */
        proc_exit_signal(t->proc, LINUX_SIGSEGV);
    struct linux_sigcontext *s = &g.uc_mcontext;
    uint8_t *fp = (uint8_t *)r->fpstate;
    if (fp && s->fpstate) {
        size_t n = fp_size(fp);
        uint8_t *buf = kmalloc(n);
        if (!buf || copy_in(buf, s->fpstate, n) < 0) {
            kfree(buf);
            proc_exit_signal(t->proc, LINUX_SIGSEGV);
        }
        /* what the host would refuse: reserved MXCSR bits, features it did
           not save; its own sizes and header stay */
        uint32_t mxcsr, mask;
        memcpy(&mxcsr, buf + 24, 4);
        memcpy(&mask, fp + 28, 4);
        mxcsr &= mask ? mask : 0xffbf;
        memcpy(buf + 24, &mxcsr, 4);
        memcpy(buf + 28, fp + 28, 4);
        memcpy(buf + 464, fp + 464, FXSAVE_SIZE - 464);
        if (n > FXSAVE_SIZE + 64) {
            uint64_t bv, host_bv;
            memcpy(&bv, buf + XSAVE_HDR, 8);
            memcpy(&host_bv, fp + 464 + 8, 8); /* sw bytes: xfeatures */
            memcpy(buf + XSAVE_HDR, fp + XSAVE_HDR, 64);
            bv &= host_bv;
            memcpy(buf + XSAVE_HDR, &bv, 8);
        }
        memcpy(fp, buf, n);
        kfree(buf);
    }
    uint64_t eflags = (r->eflags & ~FIX_EFLAGS) | (s->eflags & FIX_EFLAGS);
    uint16_t cs = r->cs, gs = r->gs, fs = r->fs, ss = r->ss;
    uint64_t host_fp = r->fpstate;
    *r = *s;
    r->eflags = eflags;
    r->cs = cs, r->gs = gs, r->fs = fs, r->ss = ss;
    r->fpstate = host_fp;
    t->sigmask = g.uc_sigmask & ~UNBLOCKABLE;
    /* the altstack as it was, if it is valid (errors ignored, as Linux) */
    struct linux_stack st = g.uc_stack;
    if (!(st.ss_flags & LINUX_SS_DISABLE) && st.ss_size >= LINUX_MINSIGSTKSZ &&
        !on_altstack(t, r->rsp)) {
        st.ss_flags &= LINUX_SS_AUTODISARM;
        t->altstack = st;
    }
    return (long)r->rax;
}

SYSCALL_DEFINE0(pause)
{
    while (!signal_pending()) {
        struct linux_timespec ts = {3600, 0};
        host_time_nanosleep(LINUX_CLOCK_MONOTONIC, 0, &ts, NULL);
    }
    return -EINTR;
}

SYSCALL_DEFINE2(rt_sigsuspend, uptr_t, uset, size_t, size)
{
    struct task *t = current();
    linux_sigset_t set;
    if (size != sizeof(set))
        return -EINVAL;
    if (copy_in(&set, uset, sizeof(set)) < 0)
        return -EFAULT;
    t->saved_mask = t->sigmask;
    t->saved_mask_valid = true;
    t->sigmask = set & ~UNBLOCKABLE;
    while (!signal_pending()) {
        struct linux_timespec ts = {3600, 0};
        host_time_nanosleep(LINUX_CLOCK_MONOTONIC, 0, &ts, NULL);
    }
    return -EINTR; /* the old mask comes back after the handler */
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
        if (dropped(p, sig)) /* now ignored: discarded where pending */
            for (struct task *u = p->threads; u; u = u->next_thread)
                u->pending &= ~LINUX_SIGBIT(sig);
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
        t->sigmask &= ~UNBLOCKABLE; /* what it unblocked comes on exit */
    }
    if (oset && copy_out(oset, &old, sizeof(old)) < 0)
        return -EFAULT;
    return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uptr_t, uset, size_t, size)
{
    struct task *t = current();
    if (size > sizeof(linux_sigset_t))
        return -EINVAL;
    linux_sigset_t s = t->pending & t->sigmask;
    return copy_out(uset, &s, size);
}

/* Take a pending signal from set, waiting up to the timeout; a signal
   in set sent meanwhile by another thread kicks this one (t->sigwait). */
SYSCALL_DEFINE4(rt_sigtimedwait, uptr_t, uset, uptr_t, uinfo, uptr_t, uts,
                size_t, size)
{
    struct task *t = current();
    struct proc *p = t->proc;
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
    set &= ~UNBLOCKABLE;
    struct linux_timespec now;
    host_time_clock_gettime(LINUX_CLOCK_MONOTONIC, &now);
    int64_t deadline = uts ? now.tv_sec * 1000000000LL + now.tv_nsec +
                                 ts.tv_sec * 1000000000LL + ts.tv_nsec
                           : INT64_MAX;
    for (;;) {
        spin_lock(&p->lock);
        linux_sigset_t hit = t->pending & set;
        t->sigwait = hit ? 0 : set;
        int sig = hit ? __builtin_ctzll(hit) + 1 : 0;
        struct linux_siginfo si;
        if (sig) {
            t->pending &= ~LINUX_SIGBIT(sig);
            si = t->siginfo[sig - 1];
        }
        spin_unlock(&p->lock);
        if (sig) {
            if (uinfo && copy_out(uinfo, &si, sizeof(si)) < 0)
                return -EFAULT;
            return sig;
        }
        if (signal_pending()) {
            t->sigwait = 0;
            return -EINTR; /* a handler's signal came first */
        }
        host_time_clock_gettime(LINUX_CLOCK_MONOTONIC, &now);
        int64_t left = deadline - (now.tv_sec * 1000000000LL + now.tv_nsec);
        if (left <= 0) {
            t->sigwait = 0;
            return -EAGAIN;
        }
        if (left > 3600LL * 1000000000LL)
            left = 3600LL * 1000000000LL;
        struct linux_timespec nap = {left / 1000000000LL, left % 1000000000LL};
        host_time_nanosleep(LINUX_CLOCK_MONOTONIC, 0, &nap, NULL);
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
   be named (pid 0, its own pid or pgid; its threads' tids). */
static long send_user(int tid, int sig, int code)
{
    struct proc *p = current_proc();
    if (sig < 0 || sig > LINUX_NSIG)
        return -EINVAL;
    if (!sig)
        return 0;
    struct linux_siginfo si;
    memset(&si, 0, sizeof(si));
    si.si_signo = sig;
    si.si_code = code;
    si.u.kill.pid = p->pid;
    si.u.kill.uid = p->uid;
    return signal_send(p, tid, sig, &si);
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
    return send_user(0, sig, LINUX_SI_USER);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
    if (tid <= 0)
        return -EINVAL;
    return send_user(tid, sig, LINUX_SI_TKILL);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    if (tgid != current_proc()->pid)
        return -ESRCH;
    return send_user(tid, sig, LINUX_SI_TKILL);
}

/* rt_sigqueueinfo, rt_tgsigqueueinfo: a signal with the caller's own
   siginfo. As Linux, a program may not pose as the kernel or kill(2):
   si_code must be negative (SI_QUEUE and the like) unless it signals
   itself. */
static long queue_info(int tgid, int tid, int sig, uptr_t uinfo)
{
    struct proc *p = current_proc();
    struct linux_siginfo si;
    if (copy_in(&si, uinfo, sizeof(si)) < 0)
        return -EFAULT;
    if (sig < 0 || sig > LINUX_NSIG)
        return -EINVAL;
    if (tgid != p->pid && tgid != 0)
        return -ESRCH;
    if ((si.si_code >= 0 || si.si_code == LINUX_SI_TKILL) && tgid != p->pid)
        return -EPERM;
    if (!sig)
        return 0;
    si.si_signo = sig;
    return signal_send(p, tid, sig, &si);
}

SYSCALL_DEFINE3(rt_sigqueueinfo, int, pid, int, sig, uptr_t, uinfo)
{
    if (pid <= 0)
        return pid == 0 ? -ESRCH : -EINVAL;
    return queue_info(pid, 0, sig, uinfo);
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, int, tgid, int, tid, int, sig, uptr_t, uinfo)
{
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    return queue_info(tgid, tid, sig, uinfo);
}
