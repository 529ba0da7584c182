/* SPDX-License-Identifier: MIT */
/* clone.c: threads. A thread of the program is a host thread of this
   process (DESIGN.md "Threads are host threads"), made with the flag set
   glibc's and musl's pthread_create use, and its end (exit), with
   CLONE_CHILD_CLEARTID and the robust futex list honoured.

   The new host thread needs its own kernel stack: the parent takes one
   from the kernel heap, writes its struct kcpu at the base and, near the
   top, a host signal frame holding the registers the program's thread
   starts with (the parent's at the clone, %rax 0, the new stack pointer).
   The host thread arms Syscall User Dispatch and leaves through
   rt_sigreturn on that frame (host/hostcall_x86_64.S), which also sets
   its sigaltstack to its kernel stack. A stack is freed once the host
   has cleared kcpu->host_tid, i.e. the host thread is gone.

   Processes (fork, vfork, clone without CLONE_VM) are not here yet: they
   give ENOSYS, named once. */
#include "abi/linux/signal.h"
#include "host/host.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task.h"

#define CLONE_VM 0x00000100UL
#define CLONE_FS 0x00000200UL
#define CLONE_FILES 0x00000400UL
#define CLONE_SIGHAND 0x00000800UL
#define CLONE_VFORK 0x00004000UL
#define CLONE_THREAD 0x00010000UL
#define CLONE_SYSVSEM 0x00040000UL
#define CLONE_SETTLS 0x00080000UL
#define CLONE_PARENT_SETTID 0x00100000UL
#define CLONE_CHILD_CLEARTID 0x00200000UL
#define CLONE_DETACHED 0x00400000UL
#define CLONE_CHILD_SETTID 0x01000000UL
#define CSIGNAL 0xffUL

#define THREAD_FLAGS                                                           \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_OPTIONS                                                         \
    (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |                      \
     CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

/* Kernel stacks of threads that exited, freed once the host is done. */
static struct spinlock stacks_lock;
static struct kcpu *dead_stacks;

static void reap_stacks(void)
{
    spin_lock(&stacks_lock);
    for (struct kcpu **pp = &dead_stacks; *pp;) {
        struct kcpu *k = *pp;
        if (__atomic_load_n(&k->host_tid, __ATOMIC_ACQUIRE) == 0) {
            *pp = k->next;
            kfree(k);
        } else {
            pp = &k->next;
        }
    }
    spin_unlock(&stacks_lock);
}

static void unlink_thread(struct proc *p, struct task *t)
{
    for (struct task **pp = &p->threads; *pp; pp = &(*pp)->next_thread)
        if (*pp == t) {
            *pp = t->next_thread;
            p->nthreads--;
            return;
        }
}

bool proc_has_thread(struct proc *p, int tid)
{
    bool found = false;
    spin_lock(&p->lock);
    for (struct task *u = p->threads; u && !found; u = u->next_thread)
        found = u->tid == tid;
    spin_unlock(&p->lock);
    return found;
}

/* A task of p on a kernel stack of its own, with the kcpu at its base;
   NULL when the kernel heap is exhausted. */
static struct task *task_with_stack(struct proc *p)
{
    reap_stacks();
    struct kcpu *k = kmemalign(KSTACK_SIZE, KSTACK_SIZE);
    struct task *t = kzalloc(sizeof(*t));
    if (!k || !t) {
        kfree(k);
        kfree(t);
        return NULL;
    }
    struct kcpu *self = kcpu_self();
    memset(k, 0, sizeof(*k));
    k->kernel_fs = self->kernel_fs; /* the kernel's TLS is shared */
    k->canary = self->canary;
    k->task = t;
    k->host_tid = -1; /* until the host clears it */
    t->kcpu = k;
    t->proc = p;
    return t;
}

static long new_thread(unsigned long flags, uptr_t newsp, uptr_t ptid,
                       uptr_t ctid, uint64_t tls)
{
    struct task *parent = current();
    struct proc *p = parent->proc;
    if ((flags & CLONE_SETTLS) && tls >= (1ULL << 47))
        return -EPERM; /* as ARCH_SET_FS */
    struct task *t = task_with_stack(p);
    if (!t)
        return -ENOMEM;
    struct kcpu *k = t->kcpu;
    t->sigmask = parent->sigmask; /* the altstack is not inherited */
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = ctid;

    /* The registers the thread starts with, as a host signal frame. */
    const struct linux_ucontext *puc = parent->uc;
    uintptr_t top = (uintptr_t)k + KSTACK_SIZE;
    struct linux_ucontext *uc =
        (struct linux_ucontext *)((top - sizeof(*uc) - 64) & ~(uintptr_t)63);
    memset(uc, 0, sizeof(*uc));
    uc->uc_flags = puc->uc_flags & (UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
    uc->uc_stack.ss_sp = (uint64_t)k + 4096;
    uc->uc_stack.ss_size = KSTACK_SIZE - 4096;
    uc->uc_mcontext = puc->uc_mcontext;
    uc->uc_mcontext.rax = 0;
    if (newsp)
        uc->uc_mcontext.rsp = newsp;
    uc->uc_mcontext.fpstate = 0;      /* a fresh FPU state (see the note) */
    uc->uc_sigmask = puc->uc_sigmask; /* the host mask the program runs with */

    spin_lock(&p->lock);
    t->tid = p->next_tid++;
    t->next_thread = p->threads;
    p->threads = t;
    p->nthreads++;
    spin_unlock(&p->lock);
    int tid = t->tid;
    /* As Linux, a bad address here is not an error of clone. */
    if (flags & CLONE_PARENT_SETTID)
        (void)copy_out(ptid, &tid, sizeof(tid));
    if (flags & CLONE_CHILD_SETTID)
        (void)copy_out(ctid, &tid, sizeof(tid));

    k->start.frame = (uint64_t)uc;
    k->start.app_fs = (flags & CLONE_SETTLS) ? tls : *parent->user_fs;
    k->start.ctid = (uint64_t)&k->host_tid;
#ifdef HUSK_SUD_SELECTOR
    k->sud_selector = 1; /* BLOCK: the thread starts in the program */
    k->start.selector = (uint64_t)&k->sud_selector;
#endif
    long r = host_thread_create(&k->start);
    if (r > 0)
        __atomic_store_n(&t->host_tid, (int)r, __ATOMIC_RELEASE);
    if (r < 0) {
        spin_lock(&p->lock);
        unlink_thread(p, t);
        spin_unlock(&p->lock);
        kfree(t);
        kfree(k);
        return r == -ENOMEM ? -ENOMEM : -EAGAIN;
    }
    return tid;
}

/* A host thread that runs fn(arg) in the kernel for good (the timers'):
   a task of p that is not one of its threads, with every host signal but
   the faults blocked. It leaves through the same rt_sigreturn as a
   program's thread, onto a frame that calls fn on its own kernel stack
   with the kernel's %fs. */
long kthread_start(struct proc *p, void (*fn)(void *), void *arg)
{
    struct task *t = task_with_stack(p);
    if (!t)
        return -ENOMEM;
    struct kcpu *k = t->kcpu, *self = kcpu_self();
    t->kthread = true;
    t->sigmask = ~0ULL;
    t->tid = -1;

    uintptr_t top = (uintptr_t)k + KSTACK_SIZE;
    struct linux_ucontext *uc =
        (struct linux_ucontext *)((top - sizeof(*uc) - 64) & ~(uintptr_t)63);
    memset(uc, 0, sizeof(*uc));
    const struct linux_ucontext *puc = current()->uc;
    struct linux_ucontext boot; /* no signal frame yet: at start */
    if (!puc) {
        uint16_t cs, ss;
        __asm__("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
        memset(&boot, 0, sizeof(boot));
        boot.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
        boot.uc_mcontext.cs = cs;
        boot.uc_mcontext.ss = ss;
        puc = &boot;
    }
    uc->uc_flags = puc->uc_flags & (UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
    uc->uc_stack.ss_sp = (uint64_t)k + 4096;
    uc->uc_stack.ss_size = KSTACK_SIZE - 4096;
    uc->uc_mcontext.cs = puc->uc_mcontext.cs;
    uc->uc_mcontext.ss = puc->uc_mcontext.ss;
    uc->uc_mcontext.eflags = 0x202; /* IF, as any user thread has */
    uc->uc_mcontext.rip = (uint64_t)fn;
    uc->uc_mcontext.rdi = (uint64_t)arg;
    /* below the frame, 16-aligned, with a zero return address */
    uint64_t sp = (((uint64_t)uc - 256) & ~15ULL) - 8;
    *(uint64_t *)sp = 0;
    uc->uc_mcontext.rsp = sp;
    uc->uc_sigmask =
        ~(LINUX_SIGBIT(LINUX_SIGSEGV) | LINUX_SIGBIT(LINUX_SIGBUS) |
          LINUX_SIGBIT(LINUX_SIGFPE) | LINUX_SIGBIT(LINUX_SIGILL) |
          LINUX_SIGBIT(LINUX_SIGTRAP));
    k->start.frame = (uint64_t)uc;
    k->start.app_fs = self->kernel_fs;
    k->start.ctid = (uint64_t)&k->host_tid;
#ifdef HUSK_SUD_SELECTOR
    k->sud_selector = 0; /* ALLOW: it runs the kernel */
    k->start.selector = (uint64_t)&k->sud_selector;
#endif
    long r = host_thread_create(&k->start);
    if (r < 0) {
        kfree(t);
        kfree(k);
        return r;
    }
    t->host_tid = (int)r;
    return 0;
}

SYSCALL_DEFINE5(clone, unsigned long, flags, uptr_t, newsp, uptr_t, ptid,
                uptr_t, ctid, uint64_t, tls)
{
    /* Linux's own consistency checks (copy_process) */
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return -EINVAL;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL;
    if ((flags & THREAD_FLAGS) == THREAD_FLAGS &&
        !(flags & ~(THREAD_FLAGS | THREAD_OPTIONS | CSIGNAL)))
        return new_thread(flags, newsp, ptid, ctid, tls);
    static bool warned;
    if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
        kwarn("clone with flags 0x%lx: only threads can be made (new "
              "processes come with the processes issue): returning "
              "ENOSYS\n",
              flags);
    return -ENOSYS;
}

/* ---- the end of a thread ---- */

#define FUTEX_WAKE 1
#define FUTEX_WAITERS 0x80000000U
#define FUTEX_OWNER_DIED 0x40000000U
#define FUTEX_TID_MASK 0x3fffffffU
#define ROBUST_LIST_LIMIT 2048

/* A lock the dying thread holds: mark its owner dead, wake a waiter. */
static void robust_release(uptr_t word, int tid)
{
    uint32_t v;
    if (word & 3 || copy_in(&v, word, 4) < 0 ||
        (v & FUTEX_TID_MASK) != (uint32_t)tid)
        return;
    uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED, seen = v;
    /* the program's own word: it may change, or go, under us (a CAS that
       faults is -EFAULT, never a husk crash) */
    if (cmpxchg_user32(word, &seen, nv) < 0 || seen != v)
        return;
    if (nv & FUTEX_WAITERS)
        host_futex_op((uint32_t *)word, FUTEX_WAKE, 1, NULL, (uint32_t *)word,
                      0);
}

/* Walk the thread's robust list (set_robust_list) as Linux's
   exit_robust_list does: entries, then the pending one. */
static void robust_exit(struct task *t)
{
    struct {
        uint64_t next;
        int64_t offset;
        uint64_t pending;
    } head;
    if (!t->robust_list || copy_in(&head, t->robust_list, sizeof(head)) < 0)
        return;
    uint64_t e = head.next;
    for (int n = 0; e != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
        uint64_t next;
        if (copy_in(&next, e & ~1ULL, 8) < 0)
            return;
        if ((e & ~1ULL) != (head.pending & ~1ULL))
            robust_release((e & ~1ULL) + (uint64_t)head.offset, t->tid);
        e = next;
    }
    if (head.pending)
        robust_release((head.pending & ~1ULL) + (uint64_t)head.offset, t->tid);
}

static void free_stack_later(struct kcpu *k)
{
    if (k == husk_kstack_base) /* the first stack is not the heap's */
        return;
    spin_lock(&stacks_lock);
    k->next = dead_stacks;
    dead_stacks = k;
    spin_unlock(&stacks_lock);
}

_Noreturn void thread_die(void)
{
    struct task *t = current();
    struct proc *p = t->proc;
    host_signal_block_all(); /* no kick may find the task freed */
    spin_lock(&p->lock);
    unlink_thread(p, t);
    spin_unlock(&p->lock);
    free_stack_later(t->kcpu);
    kfree(t);
    host_thread_exit();
}

/* The last thread's exit ends the process with its status; any other
   thread goes alone. */
SYSCALL_DEFINE1(exit, int, status)
{
    struct task *t = current();
    struct proc *p = t->proc;
    spin_lock(&p->lock);
    bool last = p->nthreads == 1;
    if (!last)
        unlink_thread(p, t);
    spin_unlock(&p->lock);
    if (last)
        proc_exit(p, status);
    robust_exit(t);
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (!(t->clear_child_tid & 3) &&
            copy_out(t->clear_child_tid, &zero, 4) == 0)
            host_futex_op((uint32_t *)t->clear_child_tid, FUTEX_WAKE, 1, NULL,
                          (uint32_t *)t->clear_child_tid, 0);
    }
    host_signal_block_all();
    free_stack_later(t->kcpu);
    kfree(t);
    host_thread_exit();
}
