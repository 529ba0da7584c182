/* SPDX-License-Identifier: MIT */
/*
 * escape.c: one attempt to get out of the sandbox, made one of three ways:
 *   libc  through libc's wrapper (or libc's syscall() where none exists)
 *   raw   through a `syscall` instruction in this program
 *   stub  through husk's own hypercall stub (address from HUSK_HOSTCALL,
 *         given by `husk run --expose-hostcall`): a syscall that bypasses
 *         Syscall User Dispatch and meets only seccomp
 * usage: escape MODE ATTEMPT [PID] [MARKER]
 * Prints "blocked ATTEMPT: ERRNO" and exits 0 when the call failed,
 * "ESCAPED ATTEMPT" and exits 99 when it worked. Under the stub the
 * sandbox is expected to kill the program before it prints anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *mode;
static long (*stub)(long, long, long, long, long, long, long);

static long raw6(long nr, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* The same call raw or through the stub; -errno on failure. */
static long call(long nr, long a, long b, long c, long d, long e, long f)
{
    if (!strcmp(mode, "stub"))
        return stub(nr, a, b, c, d, e, f);
    return raw6(nr, a, b, c, d, e, f);
}

#define LIBC(expr) (!strcmp(mode, "libc") ? ((expr) < 0 ? -errno : 0) : 1)

static int pid_arg;
static const char *marker = "/tmp/husk-escape-marker";
static char shadow[] = "/etc/shadow";

extern char **environ;

/* /proc/1 inside the sandbox is the program itself (pid 1): reading its
   environ is no escape if the bytes are exactly our own environment. */
static long own_environ(long fd)
{
    static char got[65536], want[65536];
    size_t n = 0, w = 0;
    long r;
    while (n < sizeof(got) && (r = read((int)fd, got + n, sizeof(got) - n)) > 0)
        n += (size_t)r;
    for (char **e = environ; *e && w < sizeof(want); e++) {
        size_t len = strlen(*e) + 1;
        if (w + len > sizeof(want))
            break;
        memcpy(want + w, *e, len);
        w += len;
    }
    close((int)fd);
    if (n == w && memcmp(got, want, n) == 0) {
        printf("# /proc/1 is this program: its own environment\n");
        return -ENOENT; /* blocked: nothing of the host's was read */
    }
    return fd;
}

static long attempt(const char *a)
{
    long r;
    char buf[64];
    struct iovec lv = {buf, sizeof(buf)}, rv = {(void *)0x400000, 16};
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons(9),
                              .sin_addr.s_addr = htonl(0x7f000001)};

    if (!strcmp(a, "open-shadow")) {
        if ((r = LIBC(open(shadow, O_RDONLY))) != 1)
            return r;
        return call(SYS_openat, AT_FDCWD, (long)shadow, O_RDONLY, 0, 0, 0);
    }
    if (!strcmp(a, "open-proc1-environ")) {
        if (!strcmp(mode, "libc")) {
            int fd = open("/proc/1/environ", O_RDONLY);
            return fd < 0 ? -errno : own_environ(fd);
        }
        r = call(SYS_openat, AT_FDCWD, (long)"/proc/1/environ", O_RDONLY, 0, 0,
                 0);
        return r < 0 ? r : own_environ(r);
    }
    if (!strcmp(a, "open-dotdot")) {
        const char *p = "../../../../../../../../etc/passwd";
        if ((r = LIBC(open(p, O_RDONLY))) != 1)
            return r;
        return call(SYS_openat, AT_FDCWD, (long)p, O_RDONLY, 0, 0, 0);
    }
    if (!strcmp(a, "open-proc-root")) {
        const char *p = "/proc/self/root/../../etc/passwd";
        if ((r = LIBC(open(p, O_RDONLY))) != 1)
            return r;
        return call(SYS_openat, AT_FDCWD, (long)p, O_RDONLY, 0, 0, 0);
    }
    if (!strcmp(a, "create-marker")) { /* a write to the host's /tmp */
        if ((r = LIBC(open(marker, O_CREAT | O_WRONLY, 0644))) != 1)
            return r;
        return call(SYS_openat, AT_FDCWD, (long)marker, O_CREAT | O_WRONLY,
                    0644, 0, 0);
    }
    if (!strcmp(a, "symlink-root")) {
        if ((r = LIBC(symlink("/", marker))) != 1)
            return r;
        return call(SYS_symlinkat, (long)"/", AT_FDCWD, (long)marker, 0, 0, 0);
    }
    if (!strcmp(a, "execve")) { /* /bin/touch MARKER, if it ran */
        char *argv[] = {"/bin/touch", (char *)marker, NULL};
        if ((r = LIBC(execve("/bin/touch", argv, NULL))) != 1)
            return r;
        return call(SYS_execve, (long)"/bin/touch", (long)argv, 0, 0, 0, 0);
    }
    if (!strcmp(a, "ptrace")) {
        if ((r = LIBC(ptrace(PTRACE_ATTACH, pid_arg, 0, 0))) != 1)
            return r;
        return call(SYS_ptrace, PTRACE_ATTACH, pid_arg, 0, 0, 0, 0);
    }
    if (!strcmp(a, "process-vm-readv")) {
        if ((r = LIBC(process_vm_readv(pid_arg, &lv, 1, &rv, 1, 0))) != 1)
            return r;
        return call(SYS_process_vm_readv, pid_arg, (long)&lv, 1, (long)&rv, 1,
                    0);
    }
    if (!strcmp(a, "host-tcp")) {
        /* a socket is the sandbox's own; reaching a server on the host's
           loopback (ESCAPE_PORT, started by escape.t) would be an escape */
        const char *port = getenv("ESCAPE_PORT");
        sin.sin_port = htons(port ? (uint16_t)atoi(port) : 9);
        long fd = !strcmp(mode, "libc")
                      ? socket(AF_INET, SOCK_STREAM, 0)
                      : call(SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0, 0);
        if (fd < 0)
            return !strcmp(mode, "libc") ? -errno : fd;
        if ((r = LIBC(
                 connect((int)fd, (struct sockaddr *)&sin, sizeof(sin)))) != 1)
            return r;
        return call(SYS_connect, fd, (long)&sin, sizeof(sin), 0, 0, 0);
    }
    if (!strcmp(a, "connect")) { /* on fd 1: a connect that must never reach */
        if ((r = LIBC(connect(1, (struct sockaddr *)&sin, sizeof(sin)))) != 1)
            return r;
        return call(SYS_connect, 1, (long)&sin, sizeof(sin), 0, 0, 0);
    }
    if (!strcmp(a, "kill-pid")) { /* a host process outside the sandbox */
        if ((r = LIBC(kill(pid_arg, SIGKILL))) != 1)
            return r;
        return call(SYS_kill, pid_arg, SIGKILL, 0, 0, 0, 0);
    }
    if (!strcmp(a, "tgkill-pid")) {
        if ((r = LIBC(syscall(SYS_tgkill, pid_arg, pid_arg, SIGKILL))) != 1)
            return r;
        return call(SYS_tgkill, pid_arg, pid_arg, SIGKILL, 0, 0, 0);
    }
    if (!strcmp(a, "seccomp-loosen")) { /* a second filter, or strict mode */
        if ((r = LIBC(syscall(SYS_seccomp, 0 /* STRICT */, 0, 0))) != 1)
            return r;
        return call(SYS_seccomp, 0, 0, 0, 0, 0, 0);
    }
    if (!strcmp(a, "prctl-dumpable")) {
        if ((r = LIBC(prctl(PR_SET_PTRACER, -1UL /* ANY */, 0, 0, 0))) != 1)
            return r;
        return call(SYS_prctl, PR_SET_PTRACER, -1L, 0, 0, 0, 0);
    }
    if (!strcmp(a, "mmap-page0")) {
        void *p;
        if (!strcmp(mode, "libc")) {
            p = mmap(0, 4096, PROT_READ | PROT_WRITE,
                     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            return p == MAP_FAILED ? -errno : 0;
        }
        return call(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
                    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (!strcmp(a, "mprotect-husk-text")) { /* the stub's own page */
        long page = (long)stub & ~4095L;
        if ((r = LIBC(mprotect((void *)page, 4096,
                               PROT_READ | PROT_WRITE | PROT_EXEC))) != 1)
            return r;
        return call(SYS_mprotect, page, 4096,
                    PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0);
    }
    if (!strcmp(a, "mmap-exec-outside")) { /* just below the 47-bit line */
        long at = 0x7ff000000000L;
        if (!strcmp(mode, "libc")) {
            void *p =
                mmap((void *)at, 4096, PROT_READ | PROT_EXEC,
                     MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            return p == MAP_FAILED ? -errno : 0;
        }
        return call(SYS_mmap, at, 4096, PROT_READ | PROT_EXEC,
                    MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (!strcmp(a, "io-uring")) {
        long p[15]; /* struct io_uring_params, 120 bytes */
        memset(p, 0, sizeof(p));
        if ((r = LIBC(syscall(SYS_io_uring_setup, 4, p))) != 1)
            return r;
        return call(SYS_io_uring_setup, 4, (long)p, 0, 0, 0, 0);
    }
    if (!strcmp(a, "userfaultfd")) {
        if ((r = LIBC(syscall(SYS_userfaultfd, 0))) != 1)
            return r;
        return call(SYS_userfaultfd, 0, 0, 0, 0, 0, 0);
    }
    if (!strcmp(a, "unshare")) {
        if ((r = LIBC(unshare(CLONE_NEWUSER | CLONE_NEWNS))) != 1)
            return r;
        return call(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS, 0, 0, 0, 0, 0);
    }
    if (!strcmp(a, "setns")) {
        if ((r = LIBC(setns(0, 0))) != 1)
            return r;
        return call(SYS_setns, 0, 0, 0, 0, 0, 0);
    }
    if (!strcmp(a, "mount")) {
        if ((r = LIBC(mount("none", "/tmp", "tmpfs", 0, NULL))) != 1)
            return r;
        return call(SYS_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0,
                    0);
    }
    if (!strcmp(a, "fork")) { /* a host process of our own outside husk */
        if ((r = LIBC(syscall(SYS_fork))) != 1)
            return r;
        return call(SYS_fork, 0, 0, 0, 0, 0, 0);
    }
    fprintf(stderr, "escape: unknown attempt %s\n", a);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: escape libc|raw|stub ATTEMPT [PID] [MARKER]\n");
        return 2;
    }
    mode = argv[1];
    pid_arg = argc > 3 ? atoi(argv[3]) : 1;
    if (argc > 4)
        marker = argv[4];
    const char *s = getenv("HUSK_HOSTCALL");
    if (s)
        stub = (void *)strtoul(s, NULL, 16);
    if (!strcmp(mode, "stub") && !stub) {
        fprintf(stderr,
                "escape: no HUSK_HOSTCALL (run with --expose-hostcall)\n");
        return 2;
    }
    long r = attempt(argv[2]);
    if (r >= 0) {
        printf("ESCAPED %s (%s): %ld\n", argv[2], mode, r);
        return 99;
    }
    printf("blocked %s (%s): errno %ld (%s)\n", argv[2], mode, -r,
           strerror((int)-r));
    return 0;
}
