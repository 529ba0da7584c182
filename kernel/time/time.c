/* SPDX-License-Identifier: MIT */
/* time.c: clocks and sleeps. Programs normally read the clocks through the
   vDSO (the host's, mapped for them) and never get here; these are the
   syscall forms, answered from the host's clocks. */
#include "abi/linux/misc.h"
#include "host/host.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "signal/signal.h"
#include "task/task.h"

static bool clock_valid(int clk)
{
    return clk >= LINUX_CLOCK_REALTIME && clk <= LINUX_CLOCK_TAI && clk != 10;
}

SYSCALL_DEFINE2(clock_gettime, int, clk, uptr_t, uts)
{
    struct linux_timespec ts;
    if (!clock_valid(clk))
        return -EINVAL;
    long r = host_time_clock_gettime(clk, &ts);
    return r < 0 ? r : copy_out(uts, &ts, sizeof(ts));
}

SYSCALL_DEFINE2(clock_getres, int, clk, uptr_t, uts)
{
    struct linux_timespec ts;
    if (!clock_valid(clk))
        return -EINVAL;
    /* the host's answers, taken at start (they never change) */
    ts = kinfo.clock_res[clk];
    return uts ? copy_out(uts, &ts, sizeof(ts)) : 0;
}

SYSCALL_DEFINE2(gettimeofday, uptr_t, utv, uptr_t, utz)
{
    struct linux_timespec ts;
    if (utv) {
        host_time_clock_gettime(LINUX_CLOCK_REALTIME, &ts);
        struct linux_timeval tv = {ts.tv_sec, ts.tv_nsec / 1000};
        if (copy_out(utv, &tv, sizeof(tv)) < 0)
            return -EFAULT;
    }
    if (utz) { /* struct timezone: UTC, as the kernel keeps it by default */
        int32_t tz[2] = {0, 0};
        if (copy_out(utz, tz, sizeof(tz)) < 0)
            return -EFAULT;
    }
    return 0;
}

SYSCALL_DEFINE1(time, uptr_t, ut)
{
    struct linux_timespec ts;
    host_time_clock_gettime(LINUX_CLOCK_REALTIME, &ts);
    if (ut && copy_out(ut, &ts.tv_sec, 8) < 0)
        return -EFAULT;
    return ts.tv_sec;
}

static long do_sleep(int clk, int flags, uptr_t ureq, uptr_t urem)
{
    struct linux_timespec req, rem;
    if (copy_in(&req, ureq, sizeof(req)) < 0)
        return -EFAULT;
    if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= 1000000000L)
        return -EINVAL;
    long r;
    /* a host signal that brought no signal of the program's (a kick for
       nothing) is no reason to stop */
    while ((r = host_time_nanosleep(clk, flags, &req, &rem)) == -EINTR &&
           !signal_pending())
        if (!(flags & LINUX_TIMER_ABSTIME))
            req = rem;
    if (r == -EINTR && urem && !(flags & LINUX_TIMER_ABSTIME) &&
        copy_out(urem, &rem, sizeof(rem)) < 0)
        return -EFAULT;
    return r;
}

SYSCALL_DEFINE2(nanosleep, uptr_t, req, uptr_t, rem)
{
    return do_sleep(LINUX_CLOCK_MONOTONIC, 0, req, rem);
}

SYSCALL_DEFINE4(clock_nanosleep, int, clk, int, flags, uptr_t, req, uptr_t, rem)
{
    if (clk == LINUX_CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    if (!clock_valid(clk) || (flags & ~LINUX_TIMER_ABSTIME))
        return -EINVAL;
    return do_sleep(clk, flags, req, rem);
}
