// SPDX-License-Identifier: MIT
/*
 * tests/host/elf_mutate.c: ELF fuzzer for husk's loader. Writes mutated
 * copies of a valid static binary and runs `husk run FILE` on each; husk may
 * refuse a file or run it (the program may crash: husk then exits 128+N),
 * but the husk process itself must never die by a signal.
 *
 * usage: elf_mutate [-n N] [-s SEED] [-j JOBS] [-t SECS] [-o DIR] [-i ITER]
 *                   HUSK BINARY
 *   -n N     iterations (default 3000)
 *   -s SEED  seed (default: time and pid); printed in the summary
 *   -j JOBS  runs in parallel (default 2)
 *   -t SECS  per-run timeout, then SIGKILL to its process group (default 2)
 *   -o DIR   where files are written (default "."), and the runs' working
 *            directory (a mutant may create files); a file that made husk
 *            die by a signal is kept there as crash-SEED-ITER
 *   -i ITER  only write the file of iteration ITER as DIR/mut-SEED-ITER and
 *            print its path (to replay a crash), do not run anything
 *
 * Iteration ITER's mutations depend only on (SEED, ITER), so a crash is
 * reproduced with -s SEED -i ITER.
 *
 * Output (stdout): one "crash iter=I signal=N (NAME) file=PATH" line per
 * crash, then "summary runs=R exited=E timeouts=T crashes=C seed=S" and a
 * "statuses" histogram line. Exit status: 0 no crash, 1 crashes, 2 setup
 * error, 3 interrupted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 16
#define MAX_KEPT 50              /* crash files kept; all crashes are counted */
#define WINDOW 8192              /* "anywhere" mutations hit the first 8 KiB */
#define PATH_BUF (PATH_MAX + 64) /* a realpath() dir plus a file name */
#define EHDR_SIZE 64
#define PHDR_SIZE 56

struct field {
    unsigned off, size;
};

/* Elf64_Ehdr fields after e_ident, and the e_ident bytes worth hitting. */
static const struct field ehdr_fields[] = {
    {4, 1},  {5, 1},  {6, 1},  {7, 1},  /* class, data, version, osabi */
    {16, 2}, {18, 2}, {20, 4}, {24, 8}, /* type, machine, version, entry */
    {32, 8}, {40, 8}, {48, 4}, {52, 2}, /* phoff, shoff, flags, ehsize */
    {54, 2}, {56, 2}, {58, 2}, {60, 2}, /* phentsize, phnum, shentsize, shnum */
    {62, 2},                            /* shstrndx */
};
static const struct field phdr_fields[] = {
    {0, 4},  {4, 4},  {8, 8},  {16, 8}, /* type, flags, offset, vaddr */
    {24, 8}, {32, 8}, {40, 8}, {48, 8}, /* paddr, filesz, memsz, align */
};
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct slot {
    pid_t pid; /* 0 when free */
    long iter;
    int killed; /* we sent SIGKILL on timeout */
    struct timespec deadline;
    char path[PATH_BUF];
};

static const unsigned char *orig;
static size_t orig_len;
static uint64_t phoff, phnum; /* the original header table, for aiming */

/* splitmix64: small, good enough, and reproducible everywhere. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n) { return n ? rnd(s) % n : 0; }

static uint64_t get_le(const unsigned char *p, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_le(unsigned char *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A value for a field that held `old`: boundaries, near misses, random. */
static uint64_t pick_value(uint64_t *s, uint64_t old)
{
    static const uint64_t special[] = {
        0,
        1,
        2,
        3,
        7,
        0x40,
        0x38,
        0xff,
        0xfff,
        0x1000,
        0x10000,
        0x7fffffff,
        0x80000000,
        0xffffffff,
        0x100000000ULL,
        1ULL << 40,
        1ULL << 47,
        0x7ffffffff000ULL,
        0x800000000000ULL,
        0xffff800000000000ULL,
        0x7fffffffffffffffULL,
        0x8000000000000000ULL,
        0xfffffffffffff000ULL,
        ~0ULL,
    };

    switch (below(s, 6)) {
    case 0:
    case 1: return special[below(s, N_ELEMS(special))];
    case 2: return old + (below(s, 2) ? 1 : -1) * (below(s, 2) ? 1 : 0x1000);
    case 3: return old ^ (1ULL << below(s, 64));
    case 4: return old * 2 + below(s, 2);
    default: return rnd(s);
    }
}

/* Write `size` bytes of a picked value at `off`, if it fits. */
static void set_field(uint64_t *s, unsigned char *buf, size_t len, uint64_t off,
                      unsigned size)
{
    if (off + size > len)
        return;
    put_le(buf + off, size, pick_value(s, get_le(buf + off, size)));
}

/* Mutate buf (a copy of orig) for one iteration; returns the new length. */
static size_t mutate(uint64_t *s, unsigned char *buf, size_t len)
{
    size_t win = len < WINDOW ? len : WINDOW;
    uint64_t hdr_end = phoff + phnum * PHDR_SIZE;
    unsigned n = 1 + (below(s, 10) < 4 ? 0 : below(s, 4));

    if (hdr_end > len || hdr_end < phoff)
        hdr_end = EHDR_SIZE;
    for (unsigned k = 0; k < n; k++) {
        uint64_t r = below(s, 100), off;
        const struct field *f;

        if (r < 25) { /* an ELF header field */
            f = &ehdr_fields[below(s, N_ELEMS(ehdr_fields))];
            set_field(s, buf, len, f->off, f->size);
        } else if (r < 55 && phnum) { /* a program header field */
            f = &phdr_fields[below(s, N_ELEMS(phdr_fields))];
            off = phoff + below(s, phnum) * PHDR_SIZE + f->off;
            set_field(s, buf, len, off, f->size);
        } else if (r < 70) { /* any byte of the headers */
            off = below(s, hdr_end);
            if (off >= len)
                continue;
            if (below(s, 2))
                buf[off] = (unsigned char)rnd(s);
            else
                buf[off] ^= (unsigned char)(1u << below(s, 8));
        } else if (r < 95) { /* anywhere in the first 8 KiB */
            static const unsigned sizes[] = {1, 2, 4, 8};
            unsigned size = sizes[below(s, 4)];

            off = below(s, win);
            if (off >= len)
                continue;
            if (size == 1)
                buf[off] = (unsigned char)rnd(s);
            else
                set_field(s, buf, len, off, size);
        } else { /* truncate, mostly in the headers */
            size_t to = below(s, 2) ? below(s, hdr_end + 1) : below(s, len);
            if (to < len)
                len = to;
        }
    }
    return len;
}

static uint64_t iter_seed(uint64_t seed, long iter)
{
    uint64_t s = seed ^ ((uint64_t)iter * 0xd1b54a32d192ed03ULL);

    rnd(&s);
    return s;
}

/* Write iteration `iter`'s file at path (a new inode, mode 0755). */
static int write_case(const char *path, uint64_t seed, long iter,
                      unsigned char *buf)
{
    uint64_t s = iter_seed(seed, iter);
    size_t len, done = 0;
    int fd;

    memcpy(buf, orig, orig_len);
    len = mutate(&s, buf, orig_len);
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (fd < 0) {
        fprintf(stderr, "elf_mutate: open %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (done < len) {
        ssize_t w = write(fd, buf + done, len - done);

        if (w < 0) {
            fprintf(stderr, "elf_mutate: write %s: %s\n", path,
                    strerror(errno));
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    fchmod(fd, 0755);
    close(fd);
    return 0;
}

static pid_t launch(const char *husk, const char *path, const char *dir,
                    const sigset_t *old)
{
    pid_t pid = fork();

    if (pid != 0)
        return pid; /* parent, or -1 */
    /* child: own process group (killed as a whole on timeout), no core
     * files, quiet stdio, the signal mask the parent had. */
    struct rlimit nocore = {0, 0};
    int null = open("/dev/null", O_RDWR);

    setpgid(0, 0);
    setrlimit(RLIMIT_CORE, &nocore);
    if (chdir(dir) < 0)
        _exit(127);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    sigprocmask(SIG_SETMASK, old, NULL);
    execl(husk, husk, "run", path, (char *)NULL);
    _exit(127);
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec ||
           (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int load_orig(const char *path)
{
    struct stat st;
    unsigned char *b;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < EHDR_SIZE) {
        fprintf(stderr, "elf_mutate: %s: cannot read or too small\n", path);
        return -1;
    }
    b = malloc((size_t)st.st_size);
    if (!b || read(fd, b, (size_t)st.st_size) != st.st_size) {
        fprintf(stderr, "elf_mutate: read %s failed\n", path);
        return -1;
    }
    close(fd);
    if (memcmp(b, "\177ELF", 4) != 0 || b[4] != 2) {
        fprintf(stderr, "elf_mutate: %s: not a 64-bit ELF\n", path);
        return -1;
    }
    orig = b;
    orig_len = (size_t)st.st_size;
    phoff = get_le(b + 32, 8);
    phnum = get_le(b + 56, 2);
    if (phoff > orig_len || phnum * PHDR_SIZE > orig_len - phoff)
        phoff = phnum = 0;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: elf_mutate [-n N] [-s SEED] [-j JOBS] [-t SECS] "
                    "[-o DIR] [-i ITER] HUSK BINARY\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long n = 3000, only = -1, timeout = 2, next = 0, runs = 0;
    long exited = 0, timeouts = 0, crashes = 0, kept = 0, sigs[65] = {0};
    long statuses[256] = {0};
    int jobs = 2, opt, interrupted = 0;
    uint64_t seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
    const char *dir = ".";
    struct slot slots[MAX_JOBS] = {{0}};
    sigset_t mask, old;
    unsigned char *buf;

    while ((opt = getopt(argc, argv, "n:s:j:t:o:i:")) != -1) {
        switch (opt) {
        case 'n': n = atol(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 0); break;
        case 'j': jobs = atoi(optarg); break;
        case 't': timeout = atol(optarg); break;
        case 'o': dir = optarg; break;
        case 'i': only = atol(optarg); break;
        default: usage();
        }
    }
    if (argc - optind != 2 || jobs < 1 || jobs > MAX_JOBS || timeout < 1 ||
        n < 0)
        usage();
    char husk[PATH_MAX], dirbuf[PATH_MAX];
    const char *bin = argv[optind + 1];

    /* Absolute paths: the runs happen in dir. */
    if (!realpath(argv[optind], husk) || !realpath(dir, dirbuf)) {
        fprintf(stderr, "elf_mutate: %s or %s: %s\n", argv[optind], dir,
                strerror(errno));
        return 2;
    }
    dir = dirbuf;

    if (load_orig(bin) < 0)
        return 2;
    buf = malloc(orig_len);
    if (!buf)
        return 2;

    if (only >= 0) { /* replay one iteration */
        char path[PATH_BUF];

        snprintf(path, sizeof(path), "%s/mut-%" PRIu64 "-%ld", dir, seed, only);
        if (write_case(path, seed, only, buf) < 0)
            return 2;
        printf("%s\n", path);
        return 0;
    }

    /* SIGCHLD and the stop signals are taken with sigtimedwait only. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, &old);
    for (int j = 0; j < jobs; j++)
        snprintf(slots[j].path, sizeof(slots[j].path), "%s/slot%d", dir, j);

    for (;;) {
        struct timespec now, wait = {0, 100 * 1000 * 1000};
        int busy = 0, status;
        pid_t pid;

        /* Reap what has ended. */
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            struct slot *sl = NULL;

            for (int j = 0; j < jobs; j++)
                if (slots[j].pid == pid)
                    sl = &slots[j];
            if (!sl)
                continue;
            kill(-pid, SIGKILL); /* stragglers in its group */
            runs++;
            if (WIFEXITED(status)) {
                exited++;
                statuses[WEXITSTATUS(status)]++;
            } else if (WIFSIGNALED(status) && sl->killed &&
                       WTERMSIG(status) == SIGKILL) {
                timeouts++;
            } else if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                char keep[PATH_BUF];

                crashes++;
                sigs[sig < 65 ? sig : 64]++;
                snprintf(keep, sizeof(keep), "%s/crash-%" PRIu64 "-%ld", dir,
                         seed, sl->iter);
                if (kept < MAX_KEPT && rename(sl->path, keep) == 0)
                    kept++;
                else
                    snprintf(keep, sizeof(keep),
                             "(not kept; "
                             "replay with -s %" PRIu64 " -i %ld)",
                             seed, sl->iter);
                printf("crash iter=%ld signal=%d (%s) file=%s\n", sl->iter, sig,
                       strsignal(sig), keep);
                fflush(stdout);
            }
            sl->pid = 0;
        }

        /* Kill what has run too long; start new runs in free slots. */
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (int j = 0; j < jobs; j++) {
            struct slot *sl = &slots[j];

            if (sl->pid && !sl->killed && !ts_before(&now, &sl->deadline)) {
                kill(-sl->pid, SIGKILL);
                kill(sl->pid, SIGKILL);
                sl->killed = 1;
            }
            if (!sl->pid && next < n && !interrupted) {
                if (write_case(sl->path, seed, next, buf) < 0)
                    return 2;
                sl->pid = launch(husk, sl->path, dir, &old);
                if (sl->pid < 0) {
                    perror("elf_mutate: fork");
                    return 2;
                }
                sl->iter = next++;
                sl->killed = 0;
                sl->deadline = now;
                sl->deadline.tv_sec += timeout;
            }
            busy += sl->pid != 0;
        }
        if (!busy)
            break;

        /* Sleep until a child ends, a signal comes or 100 ms pass. */
        siginfo_t si;
        int sig = sigtimedwait(&mask, &si, &wait);

        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            interrupted = 1;
            for (int j = 0; j < jobs; j++)
                if (slots[j].pid && !slots[j].killed) {
                    kill(-slots[j].pid, SIGKILL);
                    kill(slots[j].pid, SIGKILL);
                    slots[j].killed = 1;
                }
        }
    }

    for (int j = 0; j < jobs; j++)
        unlink(slots[j].path);
    printf("summary runs=%ld exited=%ld timeouts=%ld crashes=%ld seed=%" PRIu64
           "\n",
           runs, exited, timeouts, crashes, seed);
    printf("statuses");
    for (int i = 0; i < 256; i++)
        if (statuses[i])
            printf(" %d:%ld", i, statuses[i]);
    for (int i = 1; i < 65; i++)
        if (sigs[i])
            printf(" SIG%d:%ld", i, sigs[i]);
    printf("\n");
    if (interrupted)
        return 3;
    return crashes ? 1 : 0;
}
