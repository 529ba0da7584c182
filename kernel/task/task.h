/* SPDX-License-Identifier: MIT */
/* task.h: processes and threads of the husk kernel.

   struct proc holds what a Linux process shares between its threads (ids,
   memory map, fd table, signal actions, limits, cwd, umask); struct task
   one thread (tid, signal mask, the %fs slot of its current kernel entry).
   Today there is one process with one thread; nothing here assumes that
   (DESIGN.md "Keep the door open for several processes"). Both come from
   the kernel heap. */
#ifndef HUSK_TASK_H
#define HUSK_TASK_H

#include "kernel.h"

#include "abi/linux/misc.h"
#include "abi/linux/signal.h"
#include "abi/linux/ucontext.h"
#include "arch/x86_64/kcpu.h"
#include "fs/vfs.h"

struct mm;
struct fdtable;
struct ktimer;

struct proc {
    int pid, ppid, pgid, sid;
    uint32_t uid, euid, suid, gid, egid, sgid;
    uint32_t umask;
    int nice;             /* setpriority: only ever raised */
    struct spinlock lock; /* guards the fields below */
    struct linux_rlimit rlim[LINUX_RLIM_NLIMITS];
    struct linux_sigaction sigact[LINUX_NSIG];
    struct path root, cwd;    /* see fs/vfs.h */
    char exe[LINUX_PATH_MAX]; /* what /proc/self/exe names */
    struct inode *exe_inode;  /* that file, inside the sandbox */
    char comm[16];
    int dumpable, no_new_privs;
    struct mm *mm;
    struct fdtable *fdt;
    struct task *threads;  /* the live threads, under lock */
    struct ktimer *timers; /* time/timer.c, under lock */
    int next_timer_id;
    bool timer_thread;
    struct task *exec_task; /* in execve: every other thread ends */
    int nthreads;
    int next_tid;
};

struct task {
    int tid;
    struct proc *proc;
    linux_sigset_t sigmask;
    linux_sigset_t pending;    /* under proc->lock */
    linux_sigset_t sigwait;    /* rt_sigtimedwait's set while it waits */
    linux_sigset_t saved_mask; /* rt_sigsuspend's, for the handler frame */
    bool saved_mask_valid;
    int syscall_nr; /* the call being served, -1: none to restart */
    int host_tid;   /* to kick it (signal.h) */
    bool kthread;   /* runs the kernel only (kthread_start) */
    struct linux_siginfo siginfo[LINUX_NSIG]; /* of each pending signal */
    uptr_t clear_child_tid;
    uptr_t robust_list;
    size_t robust_len;
    struct linux_stack altstack;
    /* Set on each kernel entry: the %fs base the program will get back. */
    uint64_t *user_fs;
    struct linux_ucontext *uc;
    struct task *next_thread; /* proc->threads */
    struct kcpu *kcpu;        /* its kernel stack */
};

/* Values the whole sandbox shares, fixed at start. */
struct kernel_info {
    struct linux_utsname uts;
    uint64_t start_ns; /* CLOCK_MONOTONIC at start, for uptime */
    uint64_t mem_size;
    uint64_t cpu_mask;                   /* host CPUs we may run on */
    char *cpuinfo;                       /* shown as /proc/cpuinfo */
    struct linux_timespec clock_res[12]; /* clock_getres of each clock */
    int ncpu;
    uint64_t hwcap, hwcap2, minsigstksz, vdso; /* for the programs' auxv */
};
extern struct kernel_info kinfo;
extern bool kernel_trace;

static inline struct task *current(void) { return kcpu_self()->task; }
static inline struct proc *current_proc(void) { return current()->proc; }

/* The calling thread ends at once (execve ended it), touching nothing of
   the program's. */
_Noreturn void thread_die(void);

/* The image of the first program (path inside the sandbox, argv, envp)
   in the current process's empty arena: entry point and stack pointer,
   or -errno with err saying what failed. */
long exec_first(const char *path, const char *execfn, const void *data,
                size_t size, char **argv, int argc, char **envp, int envc,
                uintptr_t *entry, uintptr_t *sp, char *err, size_t errlen);
size_t exec_stack_size(void);

/* Is tid one of p's threads? */
bool proc_has_thread(struct proc *p, int tid);

/* Start a host thread running fn(arg) in the kernel for good. */
long kthread_start(struct proc *p, void (*fn)(void *), void *arg);

/* End the whole sandbox with `status`, or by signal `sig`. */
_Noreturn void proc_exit(struct proc *p, int status);
_Noreturn void proc_exit_signal(struct proc *p, int sig);

#endif
