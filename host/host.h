/* SPDX-License-Identifier: MIT */
/* host.h: the hypercall interface, the ONLY way husk reaches the host
   kernel once the program runs (DESIGN.md rule 1).

   Every hypercall is a plain C function that issues its host syscalls
   through one stub placed in the `husk_hostcall` section. That section is
   the Syscall User Dispatch exempt range: a `syscall` instruction anywhere
   else (the program's code, libc's code inside husk) traps to the husk
   kernel instead of reaching the host.

   Conventions: results are >= 0 or a negative Linux errno, exactly as the
   host kernel returned them (the host and guest ABIs are both Linux
   x86_64). No hypercall keeps pointers after it returns. None take locks.

   HOST_HYPERCALLS below lists every hypercall with the host syscalls it may
   issue; it is the source the seccomp allowlist is built from (issue 5) and
   `husk policy` prints. Keep it and the functions in step. */
#ifndef HUSK_HOST_H
#define HUSK_HOST_H

#include <stddef.h>
#include <stdint.h>

/* X(group, name, "host syscalls", "pins / notes") */
#define HOST_HYPERCALLS(X)                                                     \
    X(console, read, "read", "fd 0 only")                                      \
    X(console, write, "write", "fd 1 or 2 only")                               \
    X(console, ioctl, "ioctl", "fd 0-2; TCGETS, TIOCGWINSZ only")              \
    X(console, fstat, "fstat", "fd 0-2")                                       \
    X(console, poll, "ppoll", "at most 3 fds, no signal mask")                 \
    X(time, clock_gettime, "clock_gettime", "")                                \
    X(time, nanosleep, "clock_nanosleep", "")                                  \
    X(mem, map, "mmap",                                                        \
      "MAP_FIXED inside the guest arena, never PROT_EXEC "                     \
      "outside it")                                                            \
    X(mem, map_disk, "mmap",                                                   \
      "MAP_FIXED|MAP_PRIVATE of a disk image inside the guest arena")          \
    X(mem, protect, "mprotect", "inside the guest arena")                      \
    X(mem, release, "mmap", "MAP_FIXED PROT_NONE inside the guest arena")      \
    X(mem, move, "mremap", "MREMAP_FIXED inside the guest arena")              \
    X(blk, read, "pread64", "the disk fds; at most 1 MiB")                     \
    X(blk, write, "pwrite64", "the disk fds; a block, never past the end")     \
    X(blk, sync, "fdatasync", "the disk fds")                                  \
    X(net, read, "read", "the tap fds; one frame of at most 64 KiB")           \
    X(net, write, "write", "the tap fds; one frame of at most 64 KiB")         \
    X(net, poll, "ppoll", "at most 4 fds (the taps), no signal mask")          \
    X(cpu, yield, "sched_yield", "")                                           \
    X(cpu, random, "getrandom", "")                                            \
    X(thread, create, "clone prctl rt_sigreturn",                              \
      "clone with the thread flags only; prctl arms Syscall User Dispatch "    \
      "over the stub only")                                                    \
    X(thread, exit, "exit", "")                                                \
    X(futex, op, "futex",                                                      \
      "words inside the guest arena, operations without PI; or the "           \
      "kernel's event word or network lock word, wait and wake")               \
    X(signal, reset, "rt_sigaction", "back to SIG_DFL, for a fatal fault")     \
    X(signal, kick, "tgkill", "to a thread of our own pid")                    \
    X(signal, block_all, "rt_sigprocmask", "the calling thread's own mask")    \
    X(exit, group, "exit_group", "")                                           \
    X(exit, signal, "rt_sigaction rt_sigprocmask tgkill exit_group",           \
      "tgkill only to our own pid")

/* ---- start ---- */

/* A page shared with the supervising parent, so that it can name what
   ended the sandbox: the last host syscall the stub issued, and the signal
   the program was ended with (host_exit_signal), if any. */
struct host_record {
    volatile int last_nr;
    volatile int exit_signal;
};
extern struct host_record *host_record;

/* Before the lock-down: our own host pid (for tgkill). */
void host_init(int pid);

/* ---- the raw stub (host/hostcall_x86_64.S) ---- */

/* host_syscall6: issue host syscall `nr`; returns the raw result (-errno on
   failure). Lives in the exempt section; the only `syscall` instruction husk
   executes after start apart from host_sigreturn. */
long host_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
                   long a6);

/* host_sigreturn: the sa_restorer of every host signal handler husk
   installs; it must sit in the exempt range or rt_sigreturn would trap. */
void host_sigreturn(void);

/* The exempt range [start, end), from the linker. */
extern const char __start_husk_hostcall[];
extern const char __stop_husk_hostcall[];

/* ---- console: the program's stdin/stdout/stderr are the host's ---- */

/* Read up to len bytes from host fd 0. Blocks. -EAGAIN/-EINTR as the host
   says; -EFAULT never (buf is kernel-checked memory). */
long host_console_read(int fd, void *buf, size_t len);
/* Write up to len bytes to host fd 1 or 2. May be short. */
long host_console_write(int fd, const void *buf, size_t len);
/* Host ioctl on fd 0-2 for req TCGETS or TIOCGWINSZ; arg is kernel memory
   big enough for the reply (struct termios: 36 bytes, winsize: 8). */
long host_console_ioctl(int fd, unsigned long req, void *arg);
/* Host fstat of fd 0-2 into a struct linux_stat (abi/linux/stat.h). */
long host_console_fstat(int fd, void *st);
/* ppoll on at most 3 host pollfds (the console's), with a timeout
   (struct timespec, NULL: forever). -EINTR when a host signal came. */
long host_console_poll(void *pfds, int n, const void *timeout);

/* ---- time ---- */
long host_time_clock_gettime(int clk, void *ts);
/* Sleep as clock_nanosleep does; -EINTR if a host signal arrived. */
long host_time_nanosleep(int clk, int flags, const void *req, void *rem);

/* ---- memory: every address lies inside the guest arena ---- */

/* Map fresh zero pages at [addr, addr+len) with prot (MAP_FIXED,
   private or shared anonymous). -ENOMEM when the host refuses. */
long host_mem_map(uintptr_t addr, size_t len, int prot, int shared);
/* Map [addr, addr+len) copy-on-write from disk fd at off (page aligned):
   a file's blocks straight from the image, paged in by the host. */
long host_mem_map_disk(uintptr_t addr, size_t len, int prot, int fd,
                       uint64_t off);
long host_mem_protect(uintptr_t addr, size_t len, int prot);
/* Give the pages back to the host; the range stays reserved (PROT_NONE). */
long host_mem_release(uintptr_t addr, size_t len);
/* Move pages [from, from+old) to [to, to+new) (mremap FIXED|MAYMOVE);
   the caller re-reserves the vacated range with host_mem_release. */
long host_mem_move(uintptr_t from, size_t old_len, uintptr_t to,
                   size_t new_len);

/* ---- block: the disk images the tender opened ---- */

/* Read len bytes at off from disk fd into buf (kernel memory). Returns
   the bytes read (short at the end of the file) or -errno. */
long host_blk_read(int fd, void *buf, size_t len, uint64_t off);
/* Write len bytes (at most the filesystem's block size) at off (at most
   the image's size less that block size: the filter refuses anything that
   could grow the image). */
long host_blk_write(int fd, const void *buf, size_t len, uint64_t off);
/* Make what was written durable (fdatasync). */
long host_blk_sync(int fd);

/* ---- net: the tap devices the tender opened (non-blocking) ---- */

/* Read one frame from tap fd into buf; -EAGAIN when there is none. */
long host_net_read(int fd, void *buf, size_t len);
/* Write one frame (at most 64 KiB) to tap fd. */
long host_net_write(int fd, const void *buf, size_t len);
/* ppoll on at most 4 host pollfds (the taps), with a timeout (struct
   timespec); -EINTR when a host signal came. */
long host_net_poll(void *pfds, int n, const void *timeout);

/* ---- cpu ---- */
long host_cpu_yield(void);
/* Fill buf with len random bytes (getrandom); flags as getrandom's. */
long host_cpu_random(void *buf, size_t len, unsigned flags);

/* ---- threads: host threads of this process ---- */
struct thread_start;
/* Start a host thread that arms Syscall User Dispatch and leaves for the
   program through rt_sigreturn on ts->frame, with %fs ts->app_fs. Returns
   its host tid or -errno; the host clears *ts->ctid when it is gone. */
long host_thread_create(struct thread_start *ts);
/* End the calling host thread only. */
_Noreturn void host_thread_exit(void);

/* ---- futexes: the program's own words, in the arena ---- */
/* futex(2) on uaddr (and uaddr2) inside the arena; op has no PI command
   (the kernel refuses those first). timeout is kernel memory, or the
   count val2 for the requeue and wake-op commands. */
long host_futex_op(uint32_t *uaddr, int op, uint32_t val, const void *timeout,
                   uint32_t *uaddr2, uint32_t val3);

/* ---- signals ---- */
/* Put host signal `sig` back to SIG_DFL (used to die of a program's fault
   with the right status). */
long host_signal_reset(int sig);
/* Block every host signal in the calling thread (a thread about to end,
   whose task is gone: no handler may run on it any more). */
void host_signal_block_all(void);
/* Send the kick signal (kernel/signal/signal.h) to host thread tid of this
   process: it interrupts a blocking hypercall or the program's code. */
long host_signal_kick(int tid);

/* ---- exit: never return ---- */
_Noreturn void host_exit_group(int status);
/* Terminate the whole process by signal `sig` (its default action must be
   to terminate); falls back to exit_group(128+sig). */
_Noreturn void host_exit_signal(int sig);

#endif
