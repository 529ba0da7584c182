/* SPDX-License-Identifier: MIT */
/* sys.c: whole-system questions and per-process settings: uname, sysinfo,
   resource limits, getrandom, umask, getcwd, CPU affinity, sched_yield. */
#include "abi/linux/misc.h"
#include "host/host.h"
#include "mm/mm.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

SYSCALL_DEFINE1(uname, uptr_t, buf)
{
    return copy_out(buf, &kinfo.uts, sizeof(kinfo.uts));
}

SYSCALL_DEFINE1(sysinfo, uptr_t, buf)
{
    struct linux_sysinfo si;
    struct linux_timespec now;
    struct mm *mm = current_proc()->mm;
    memset(&si, 0, sizeof(si));
    host_time_clock_gettime(LINUX_CLOCK_BOOTTIME, &now); /* as /proc/uptime */
    si.uptime = now.tv_sec;
    si.totalram = kinfo.mem_size;
    spin_lock(&mm->lock);
    si.freeram = kinfo.mem_size > mm->mapped ? kinfo.mem_size - mm->mapped : 0;
    spin_unlock(&mm->lock);
    si.procs = 1;
    si.mem_unit = 1;
    return copy_out(buf, &si, sizeof(si));
}

static bool own_process(int pid)
{
    return pid == 0 || pid == current_proc()->pid;
}

/* prlimit64 is the one body; getrlimit/setrlimit call it. */
static long do_prlimit(int pid, unsigned res, uptr_t unew, uptr_t uold)
{
    struct proc *p = current_proc();
    struct linux_rlimit new, old;
    if (res >= LINUX_RLIM_NLIMITS)
        return -EINVAL;
    if (unew) {
        if (copy_in(&new, unew, sizeof(new)) < 0)
            return -EFAULT;
        if (new.rlim_cur > new.rlim_max)
            return -EINVAL;
    }
    if (!own_process(pid))
        return -ESRCH;
    spin_lock(&p->lock);
    old = p->rlim[res];
    long r = 0;
    if (unew) {
        if (new.rlim_max > old.rlim_max && p->euid != 0)
            r = -EPERM;
        else if (res == LINUX_RLIMIT_NOFILE && new.rlim_max > (1 << 20))
            r = -EPERM; /* above Linux's fs.nr_open */
        else
            p->rlim[res] = new;
    }
    spin_unlock(&p->lock);
    if (r == 0 && uold && copy_out(uold, &old, sizeof(old)) < 0)
        r = -EFAULT;
    return r;
}

SYSCALL_DEFINE4(prlimit64, int, pid, unsigned, res, uptr_t, unew, uptr_t, uold)
{
    return do_prlimit(pid, res, unew, uold);
}

SYSCALL_DEFINE2(getrlimit, unsigned, res, uptr_t, uold)
{
    return do_prlimit(0, res, 0, uold);
}

SYSCALL_DEFINE2(setrlimit, unsigned, res, uptr_t, unew)
{
    return do_prlimit(0, res, unew, 0);
}

#define GETRANDOM_CHUNK 256

SYSCALL_DEFINE3(getrandom, uptr_t, buf, size_t, len, unsigned, flags)
{
    unsigned char chunk[GETRANDOM_CHUNK];
    size_t done = 0;
    if (flags &
        ~(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
        return -EINVAL;
    if ((flags & LINUX_GRND_RANDOM) && (flags & LINUX_GRND_INSECURE))
        return -EINVAL;
    len = MIN(len, (size_t)0x1ffffff); /* Linux's per-call cap, 32 MiB - 1 */
    if (!user_range_ok(buf, len))
        return -EFAULT;
    while (done < len) {
        size_t n = MIN(len - done, sizeof(chunk));
        long r = host_cpu_random(chunk, n, flags & ~LINUX_GRND_RANDOM);
        if (r < 0)
            return done ? (long)done : r;
        if (copy_out(buf + done, chunk, r) < 0)
            return done ? (long)done : -EFAULT;
        done += r;
    }
    return (long)done;
}

SYSCALL_DEFINE1(umask, unsigned, mask)
{
    struct proc *p = current_proc();
    return __atomic_exchange_n(&p->umask, mask & 0777, __ATOMIC_RELAXED);
}

SYSCALL_DEFINE0(sched_yield) { return host_cpu_yield(); }

/* The affinity mask is 8 bytes wide: husk runs on at most 64 CPUs. */
/* pid names the program or one of its threads (0: the caller). */
static bool own_task(int pid)
{
    return own_process(pid) || proc_has_thread(current_proc(), pid);
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, size_t, len, uptr_t, mask)
{
    if (len < sizeof(uint64_t) || (len & (sizeof(long) - 1)))
        return -EINVAL;
    if (!own_task(pid))
        return -ESRCH;
    return copy_out(mask, &kinfo.cpu_mask, 8) < 0 ? -EFAULT : 8;
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, size_t, len, uptr_t, umask)
{
    uint64_t m = 0;
    if (!own_task(pid))
        return -ESRCH;
    if (copy_in(&m, umask, MIN(len, sizeof(m))) < 0)
        return -EFAULT;
    return (m & kinfo.cpu_mask) ? 0 : -EINVAL;
}

/* ---- scheduling policy: every thread is SCHED_OTHER, as in a container
   without CAP_SYS_NICE; the host schedules the threads. ---- */

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_RESET_ON_FORK 0x40000000

static long prio_max(int policy)
{
    switch (policy) {
    case SCHED_FIFO:
    case SCHED_RR: return 99;
    case SCHED_OTHER:
    case SCHED_BATCH:
    case SCHED_IDLE: return 0;
    }
    return -EINVAL;
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
    return prio_max(policy);
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
    long r = prio_max(policy);
    return r > 0 ? 1 : r;
}

SYSCALL_DEFINE1(sched_getscheduler, int, pid)
{
    if (pid < 0)
        return -EINVAL;
    return own_task(pid) ? SCHED_OTHER : -ESRCH;
}

SYSCALL_DEFINE2(sched_getparam, int, pid, uptr_t, param)
{
    int prio = 0;
    if (!param || pid < 0)
        return -EINVAL;
    if (!own_task(pid))
        return -ESRCH;
    return copy_out(param, &prio, sizeof(prio));
}

/* The normal policies with priority 0 are what every thread has; the
   real-time ones need a privilege the sandbox does not give. */
static long set_policy(int pid, int policy, uptr_t param)
{
    int prio;
    if (!param || pid < 0)
        return -EINVAL;
    if (copy_in(&prio, param, sizeof(prio)) < 0)
        return -EFAULT;
    if (!own_task(pid))
        return -ESRCH;
    long max = prio_max(policy & ~SCHED_RESET_ON_FORK);
    if (max < 0 || prio < 0 || prio > max || (max > 0 && prio < 1))
        return -EINVAL;
    return max > 0 ? -EPERM : 0;
}

SYSCALL_DEFINE3(sched_setscheduler, int, pid, int, policy, uptr_t, param)
{
    return set_policy(pid, policy, param);
}

SYSCALL_DEFINE2(sched_setparam, int, pid, uptr_t, param)
{
    return set_policy(pid, SCHED_OTHER, param);
}

SYSCALL_DEFINE2(sched_rr_get_interval, int, pid, uptr_t, uts)
{
    /* SCHED_OTHER threads: 0, "no fixed slice" (Linux gives CFS's slice;
       nothing portable depends on its value) */
    struct linux_timespec ts = {0, 0};
    if (pid < 0)
        return -EINVAL;
    if (!own_task(pid))
        return -ESRCH;
    return copy_out(uts, &ts, sizeof(ts));
}

/* The CPU and node the thread runs on, as the vDSO reads them: the limit
   of the per-CPU segment descriptor the host kernel sets up. */
SYSCALL_DEFINE3(getcpu, uptr_t, ucpu, uptr_t, unode, uptr_t, cache)
{
    (void)cache;
    unsigned p;
    __asm__ volatile("lsl %1, %0" : "=r"(p) : "r"(15 * 8 + 3));
    unsigned cpu = p & 0xfff, node = p >> 12;
    if (ucpu && copy_out(ucpu, &cpu, sizeof(cpu)) < 0)
        return -EFAULT;
    if (unode && copy_out(unode, &node, sizeof(node)) < 0)
        return -EFAULT;
    return 0;
}

/* ---- nice values: kept per process (PRIO_PROCESS of any of its
   threads, PRIO_PGRP, PRIO_USER name the one process); raising it is
   always allowed, lowering it below where it started needs CAP_SYS_NICE,
   which the sandbox does not give. The host does not see them. ---- */

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

static long prio_target(int which, int who)
{
    struct proc *p = current_proc();
    switch (which) {
    case PRIO_PROCESS: return own_task(who) ? 0 : -ESRCH;
    case PRIO_PGRP: return who == 0 || who == p->pgid ? 0 : -ESRCH;
    case PRIO_USER: return who == 0 || (uint32_t)who == p->uid ? 0 : -ESRCH;
    }
    return -EINVAL;
}

SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
    long r = prio_target(which, who);
    return r < 0 ? r : 20 - current_proc()->nice; /* as the raw call does */
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, nice)
{
    struct proc *p = current_proc();
    long r = prio_target(which, who);
    if (r < 0)
        return r;
    nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
    if (nice < p->nice)
        return -EACCES;
    p->nice = nice;
    return 0;
}
