/* SPDX-License-Identifier: MIT */
/* trap.c: what the entry path calls with the kernel's %fs loaded. SIGSYS
   from Syscall User Dispatch becomes a system call; a fault inside a
   uaccess routine becomes -EFAULT; a fault in the program ends it with
   that signal (delivery to the program's handlers comes with the signals
   issue); a fault in husk itself is an internal error, reported as such. */
#include "kernel.h"

#include "abi/linux/signal.h"
#include "abi/linux/ucontext.h"
#include "fs/ext4.h"
#include "husk/exit.h"
#include "host/host.h"
#include "kcpu.h"
#include "signal/signal.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

extern const char __executable_start[], etext[];

void kentry_signal(int sig, struct linux_siginfo *info,
                   struct linux_ucontext *uc, uint64_t *saved_fs);

static bool in_husk_text(uint64_t ip)
{
    return (ip >= (uintptr_t)__executable_start && ip < (uintptr_t)etext) ||
           (ip >= (uintptr_t)__start_husk_hostcall &&
            ip < (uintptr_t)__stop_husk_hostcall);
}

#define AUDIT_ARCH_X86_64 0xc000003eU

/* int $0x80 from a 64-bit program is the i386 ABI: other numbers, other
   argument registers. husk implements the x86_64 ABI only. */
static void foreign_abi(struct linux_sigcontext *r)
{
    static bool warned;
    if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
        kwarn("a 32-bit system call (int $0x80) is not supported: "
              "returning ENOSYS\n");
    r->rax = (uint64_t)-ENOSYS;
}

static void do_syscall(struct linux_siginfo *info, struct linux_ucontext *uc,
                       uint64_t *saved_fs)
{
    struct linux_sigcontext *r = &uc->uc_mcontext;
    struct task *t = current();
    if (unlikely(info->u.sys.arch != AUDIT_ARCH_X86_64)) {
        foreign_abi(r);
        return;
    }
    const long a[6] = {(long)r->rdi, (long)r->rsi, (long)r->rdx,
                       (long)r->r10, (long)r->r8,  (long)r->r9};
    int nr = (int)r->rax;
    t->user_fs = saved_fs;
    t->uc = uc;
    t->syscall_nr = nr;
    r->rax = (uint64_t)syscall_dispatch((long)r->rax, a);
    struct task *ex = __atomic_load_n(&t->proc->exec_task, __ATOMIC_RELAXED);
    if (unlikely(ex && ex != t))
        thread_die(); /* another thread is in execve */
    if (unlikely(__atomic_load_n(&t->pending, __ATOMIC_RELAXED) ||
                 (long)r->rax == -ERESTARTSYS || t->saved_mask_valid ||
                 signal_pending()))
        signal_deliver(uc, t->syscall_nr);
}

/* Another thread wants this one to look at its pending signals. In the
   program's code: deliver them now. In the kernel: nothing; the host call
   it was blocked in returns EINTR and the syscall's way out delivers. */
static void do_kick(struct linux_ucontext *uc, uint64_t *saved_fs)
{
    struct linux_sigcontext *r = &uc->uc_mcontext;
    uintptr_t kstack = (uintptr_t)kcpu_self();
    if (in_husk_text(r->rip) ||
        (r->rsp >= kstack && r->rsp < kstack + KSTACK_SIZE))
        return;
    struct task *t = current();
    struct task *ex = __atomic_load_n(&t->proc->exec_task, __ATOMIC_RELAXED);
    if (ex && ex != t)
        thread_die(); /* another thread is in execve */
    t->user_fs = saved_fs;
    t->uc = uc;
    signal_deliver(uc, -1);
}

static void do_fault(int sig, struct linux_siginfo *info,
                     struct linux_ucontext *uc, uint64_t *saved_fs)
{
    struct linux_sigcontext *r = &uc->uc_mcontext;
    uint64_t ip = r->rip;

    if (sig == LINUX_SIGBUS && ext4_in_map((uintptr_t)info->u.fault.addr)) {
        kprintf("husk: a disk image shrank while in use (another program "
                "truncated it); stopping\n");
        host_exit_group(HUSK_EXIT_ERROR);
    }
    if (ip >= (uintptr_t)uaccess_text_start &&
        ip < (uintptr_t)uaccess_text_end) {
        r->rip = (uintptr_t)uaccess_fixup;
        return;
    }
    /* On the kernel stack means the kernel was running, wherever %rip
       points (a call through a NULL pointer lands at 0): a husk bug. */
    uintptr_t kstack = (uintptr_t)kcpu_self();
    bool in_kernel = r->rsp >= kstack && r->rsp < kstack + KSTACK_SIZE;
    if (in_husk_text(ip) || in_kernel)
        kpanic("signal %d in husk at %p (husk+0x%lx), address %p", sig,
               (void *)ip, (unsigned long)(ip - (uintptr_t)__executable_start),
               (void *)info->u.fault.addr);
    struct task *t = current();
    t->user_fs = saved_fs;
    t->uc = uc;
    if (!signal_fault(sig, info, uc))
        proc_exit_signal(current_proc(), sig);
}

void kentry_signal(int sig, struct linux_siginfo *info,
                   struct linux_ucontext *uc, uint64_t *saved_fs)
{
    if (likely(sig == LINUX_SIGSYS &&
               info->si_code == LINUX_SYS_USER_DISPATCH)) {
        do_syscall(info, uc, saved_fs);
        return;
    }
    switch (sig) {
    case LINUX_SIGSEGV:
    case LINUX_SIGBUS:
    case LINUX_SIGFPE:
    case LINUX_SIGILL:
    case LINUX_SIGTRAP: do_fault(sig, info, uc, saved_fs); return;
    case HUSK_SIGNAL_KICK: do_kick(uc, saved_fs); return;
    }
    if (sig <= LINUX_NSIG && (HUSK_OUTSIDE_SIGNALS & LINUX_SIGBIT(sig))) {
        signal_outside(sig);
        do_kick(uc, saved_fs);
        return;
    }
    kpanic("unexpected host signal %d (code %d)", sig, info->si_code);
}
