/* SPDX-License-Identifier: MIT */
/* host.c: the hypercalls of host.h, each a thin wrapper over the stub. */
#include "host.h"

#include <asm/unistd.h>
#include <linux/mman.h>
#include <linux/signal.h>

#define SC(nr, a, b, c, d, e, f)                                               \
    host_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
                  (long)(f))

/* Set by the tender before the program runs (host_init). */
static int host_pid;
struct host_record *host_record;

void host_init(int pid) { host_pid = pid; }

long host_console_read(int fd, void *buf, size_t len)
{
    return SC(__NR_read, fd, buf, len, 0, 0, 0);
}

long host_console_write(int fd, const void *buf, size_t len)
{
    return SC(__NR_write, fd, buf, len, 0, 0, 0);
}

long host_console_ioctl(int fd, unsigned long req, void *arg)
{
    return SC(__NR_ioctl, fd, req, arg, 0, 0, 0);
}

long host_console_fstat(int fd, void *st)
{
    return SC(__NR_fstat, fd, st, 0, 0, 0, 0);
}

long host_console_poll(void *pfds, int n, const void *timeout)
{
    return SC(__NR_ppoll, pfds, n, timeout, 0, 8, 0);
}

long host_time_clock_gettime(int clk, void *ts)
{
    return SC(__NR_clock_gettime, clk, ts, 0, 0, 0, 0);
}

long host_time_nanosleep(int clk, int flags, const void *req, void *rem)
{
    return SC(__NR_clock_nanosleep, clk, flags, req, rem, 0, 0);
}

long host_mem_map(uintptr_t addr, size_t len, int prot, int shared)
{
    int flags = MAP_FIXED | MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    long r = SC(__NR_mmap, addr, len, prot, flags, -1, 0);
    return r < 0 ? r : 0;
}

long host_mem_map_disk(uintptr_t addr, size_t len, int prot, int fd,
                       uint64_t off)
{
    long r = SC(__NR_mmap, addr, len, prot, MAP_FIXED | MAP_PRIVATE, fd, off);
    return r < 0 ? r : 0;
}

long host_mem_protect(uintptr_t addr, size_t len, int prot)
{
    return SC(__NR_mprotect, addr, len, prot, 0, 0, 0);
}

long host_mem_release(uintptr_t addr, size_t len)
{
    long r = SC(__NR_mmap, addr, len, PROT_NONE,
                MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return r < 0 ? r : 0;
}

long host_mem_move(uintptr_t from, size_t old_len, uintptr_t to, size_t new_len)
{
    long r = SC(__NR_mremap, from, old_len, new_len,
                MREMAP_MAYMOVE | MREMAP_FIXED, to, 0);
    return r < 0 ? r : 0;
}

long host_net_read(int fd, void *buf, size_t len)
{
    return SC(__NR_read, fd, buf, len, 0, 0, 0);
}

long host_net_write(int fd, const void *buf, size_t len)
{
    return SC(__NR_write, fd, buf, len, 0, 0, 0);
}

long host_net_poll(void *pfds, int n, const void *timeout)
{
    return SC(__NR_ppoll, pfds, n, timeout, 0, 8, 0);
}

long host_blk_read(int fd, void *buf, size_t len, uint64_t off)
{
    return SC(__NR_pread64, fd, buf, len, off, 0, 0);
}

long host_blk_write(int fd, const void *buf, size_t len, uint64_t off)
{
    return SC(__NR_pwrite64, fd, buf, len, off, 0, 0);
}

long host_blk_sync(int fd) { return SC(__NR_fdatasync, fd, 0, 0, 0, 0, 0); }

long host_futex_op(uint32_t *uaddr, int op, uint32_t val, const void *timeout,
                   uint32_t *uaddr2, uint32_t val3)
{
    return SC(__NR_futex, uaddr, op, val, timeout, uaddr2, val3);
}

_Noreturn void host_thread_exit(void)
{
    for (;;)
        SC(__NR_exit, 0, 0, 0, 0, 0, 0);
}

long host_cpu_yield(void) { return SC(__NR_sched_yield, 0, 0, 0, 0, 0, 0); }

long host_cpu_random(void *buf, size_t len, unsigned flags)
{
    return SC(__NR_getrandom, buf, len, flags, 0, 0, 0);
}

/* The kernel's struct sigaction layout (not glibc's). */
struct host_ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

void host_signal_block_all(void)
{
    uint64_t all = ~0ULL;
    SC(__NR_rt_sigprocmask, SIG_BLOCK, &all, 0, 8, 0, 0);
}

long host_signal_kick(int tid)
{
    return SC(__NR_tgkill, host_pid, tid, 40 /* HUSK_SIGNAL_KICK */, 0, 0, 0);
}

long host_signal_reset(int sig)
{
    struct host_ksigaction sa = {.handler = SIG_DFL};
    return SC(__NR_rt_sigaction, sig, &sa, 0, 8, 0, 0);
}

_Noreturn void host_exit_group(int status)
{
    for (;;)
        SC(__NR_exit_group, status, 0, 0, 0, 0, 0);
}

_Noreturn void host_exit_signal(int sig)
{
    unsigned long set = 1UL << (sig - 1);
    if (host_record)
        host_record->exit_signal = sig;
    host_signal_reset(sig);
    SC(__NR_rt_sigprocmask, SIG_UNBLOCK, &set, 0, 8, 0, 0);
    SC(__NR_tgkill, host_pid, host_pid, sig, 0, 0, 0);
    host_exit_group(128 + sig);
}
