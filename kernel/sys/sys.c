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
SYSCALL_DEFINE3(sched_getaffinity, int, pid, size_t, len, uptr_t, mask)
{
    if (len < sizeof(uint64_t) || (len & (sizeof(long) - 1)))
        return -EINVAL;
    if (!own_process(pid) && pid != current()->tid)
        return -ESRCH;
    return copy_out(mask, &kinfo.cpu_mask, 8) < 0 ? -EFAULT : 8;
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, size_t, len, uptr_t, umask)
{
    uint64_t m = 0;
    if (!own_process(pid) && pid != current()->tid)
        return -ESRCH;
    if (copy_in(&m, umask, MIN(len, sizeof(m))) < 0)
        return -EFAULT;
    return (m & kinfo.cpu_mask) ? 0 : -EINVAL;
}
