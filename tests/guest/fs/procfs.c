/* SPDX-License-Identifier: MIT */
/*
 * procfs.c: what a program reads in /proc about itself and the machine:
 * the self, thread-self, exe, cwd and root links, cmdline and environ,
 * fd and fdinfo, maps, status, stat, statm, comm, limits, mounts and
 * mountinfo, then meminfo, cpuinfo, loadavg, uptime, stat, version,
 * filesystems and a few /proc/sys files, listing /proc, and the errors.
 *
 * The checks hold on any Linux and under husk alike: they compare /proc
 * with what the system calls say (getpid, getcwd, getrlimit, uname,
 * sigprocmask, mmap ...) and with itself, never with fixed host values.
 * The program runs in a fresh mkdtemp directory under /tmp (tmpdir.h).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "tmpdir.h"

int main(int argc, char **argv, char **envp);

static char base[] = "/tmp/husk-procfs-XXXXXX";
static int g_argc;
static char **g_argv;
static char **g_envp;
/* stat of argv[0] before main() left the starting directory; valid only
 * if argv[0] held a '/' (a path, not a name looked up in $PATH). */
static struct stat g_argv0_st;
static int g_argv0_ok;

/* Read all of path into a fresh NUL-terminated buffer, *len its length
 * (the contents may hold NULs). NULL with errno set if open or read
 * failed. /proc files have st_size 0, so read until EOF. */
static char *slurp(const char *path, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap), *nb;
    int fd, e;

    if (!buf)
        return NULL;
    fd = open(path, O_RDONLY);
    if (fd < 0)
        goto fail;
    for (;;) {
        ssize_t r;

        if (cap - n < 1024) {
            nb = realloc(buf, cap * 2);
            if (!nb) {
                errno = ENOMEM;
                goto fail;
            }
            buf = nb;
            cap *= 2;
        }
        r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto fail;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    free(buf);
    errno = e;
    return NULL;
}

/* slurp() that fails the running test, naming the file, if it cannot. */
static char *read_proc(const char *path, size_t *len)
{
    char *buf = slurp(path, len);

    CHECK(buf != NULL, "reading %s failed: %s", path, tap_errno_name(errno));
    return buf;
}

/* Cut the next line off *p, replacing its '\n' by a NUL; NULL at the end.
 * A last line without a '\n' comes back as it is. */
static char *next_line(char **p)
{
    char *line = *p, *nl;

    if (!*line)
        return NULL;
    nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

/* The text after "key" on the first line of buf that starts with key,
 * up to the end of that line (copied into out); NULL if no line does. */
static const char *field(const char *buf, const char *key, char *out,
                         size_t outsz)
{
    size_t klen = strlen(key);

    for (const char *p = buf; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        if (n >= klen && memcmp(p, key, klen) == 0) {
            n -= klen;
            if (n >= outsz)
                n = outsz - 1;
            memcpy(out, p + klen, n);
            out[n] = '\0';
            return out;
        }
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* readlink into buf, NUL-terminated; its length, or -1 (errno set). */
static ssize_t read_link(const char *path, char *buf, size_t size)
{
    ssize_t n = readlink(path, buf, size - 1);

    if (n >= 0)
        buf[n] = '\0';
    return n;
}

/* readlink(path) must give want exactly. */
static void check_link(const char *path, const char *want)
{
    char buf[PATH_MAX];
    ssize_t n = read_link(path, buf, sizeof(buf));

    if (!CHECK(n >= 0, "readlink(%s) failed: %s", path, tap_errno_name(errno)))
        return;
    CHECK(strcmp(buf, want) == 0, "%s -> \"%s\", want \"%s\"", path, buf, want);
}

static void check_lnk_mode(const char *path)
{
    struct stat st;

    if (CHECK_SYSCALL(lstat(path, &st), 0))
        CHECK(S_ISLNK(st.st_mode), "lstat(%s): mode %#o is not a symlink", path,
              (unsigned)st.st_mode);
}

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* The number of CPUs this program may run on. */
static int affinity_count(void)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    return CPU_COUNT(&set);
}

static void test_self_link(void)
{
    char want[32], path[64];
    struct stat a, b;

    snprintf(want, sizeof(want), "%d", (int)getpid());
    check_link("/proc/self", want);
    check_lnk_mode("/proc/self");
    /* Followed, it is the pid's directory. */
    snprintf(path, sizeof(path), "/proc/%d", (int)getpid());
    if (CHECK_SYSCALL(stat("/proc/self", &a), 0) &&
        CHECK_SYSCALL(stat(path, &b), 0)) {
        CHECK(S_ISDIR(a.st_mode), "/proc/self: mode %#o", (unsigned)a.st_mode);
        CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
              "/proc/self and %s are different directories", path);
        /* A process's directory belongs to its effective ids. */
        CHECK(b.st_uid == geteuid() && b.st_gid == getegid(),
              "%s owned by %u:%u, euid:egid %u:%u", path, (unsigned)b.st_uid,
              (unsigned)b.st_gid, (unsigned)geteuid(), (unsigned)getegid());
    }
}

static void test_thread_self(void)
{
    char want[64];
    struct dirent *de;
    struct stat st;
    int n = 0, mine = 0;
    DIR *d;

    snprintf(want, sizeof(want), "%d/task/%d", (int)getpid(), (int)my_tid());
    check_link("/proc/thread-self", want);
    check_lnk_mode("/proc/thread-self");
    if (CHECK_SYSCALL(stat("/proc/thread-self", &st), 0))
        CHECK(S_ISDIR(st.st_mode), "/proc/thread-self: mode %#o",
              (unsigned)st.st_mode);
    /* One thread: /proc/self/task lists exactly it. */
    d = opendir("/proc/self/task");
    if (!CHECK(d != NULL, "opendir(/proc/self/task) failed: %s",
               tap_errno_name(errno)))
        return;
    snprintf(want, sizeof(want), "%d", (int)my_tid());
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        n++;
        if (strcmp(de->d_name, want) == 0)
            mine++;
        else
            tap_diag("/proc/self/task has \"%s\", tid %s", de->d_name, want);
    }
    closedir(d);
    CHECK(n == 1 && mine == 1, "/proc/self/task: %d entries, tid seen %d", n,
          mine);
}

static void test_exe(void)
{
    char exe[PATH_MAX];
    struct stat a, b;
    ssize_t n;

    n = read_link("/proc/self/exe", exe, sizeof(exe));
    if (!CHECK(n > 0, "readlink(/proc/self/exe) failed: %s",
               tap_errno_name(errno)))
        return;
    tap_diag("/proc/self/exe -> %s", exe);
    CHECK(exe[0] == '/', "/proc/self/exe is not an absolute path");
    check_lnk_mode("/proc/self/exe");
    if (!CHECK_SYSCALL(stat("/proc/self/exe", &a), 0))
        return;
    CHECK(S_ISREG(a.st_mode), "/proc/self/exe: mode %#o", (unsigned)a.st_mode);
    if (CHECK_SYSCALL(stat(exe, &b), 0))
        CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
              "/proc/self/exe is not the file its link names");
    if (g_argv0_ok)
        CHECK(a.st_ino == g_argv0_st.st_ino && a.st_dev == g_argv0_st.st_dev,
              "/proc/self/exe is not the file argv[0] named");
}

/* The file at path holds each string of v followed by a NUL. */
static void check_nul_joined(const char *path, char **v)
{
    size_t len, want = 0, off = 0;
    char *buf = read_proc(path, &len);
    int i;

    if (!buf)
        return;
    for (i = 0; v[i]; i++)
        want += strlen(v[i]) + 1;
    CHECK(len == want, "%s: %zu bytes, want %zu", path, len, want);
    for (i = 0; v[i] && off < len; i++) {
        size_t n = strlen(v[i]) + 1;

        if (!CHECK(off + n <= len && memcmp(buf + off, v[i], n) == 0,
                   "%s: string %d differs", path, i))
            break;
        off += n;
    }
    free(buf);
}

static void test_cmdline(void)
{
    CHECK(g_argc >= 1, "argc = %d", g_argc);
    check_nul_joined("/proc/self/cmdline", g_argv);
}

static void test_environ(void)
{
    check_nul_joined("/proc/self/environ", g_envp);
}

static void test_cwd_root(void)
{
    char cwd[PATH_MAX], sub[PATH_MAX + 8];

    if (!CHECK(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd failed: %s",
               tap_errno_name(errno)))
        return;
    check_link("/proc/self/cwd", cwd);
    check_link("/proc/self/root", "/");
    check_lnk_mode("/proc/self/cwd");
    /* The link follows chdir. */
    snprintf(sub, sizeof(sub), "%s/sub", cwd);
    if (CHECK_SYSCALL(mkdir("sub", 0700), 0) &&
        CHECK_SYSCALL(chdir("sub"), 0)) {
        check_link("/proc/self/cwd", sub);
        CHECK_SYSCALL(chdir(".."), 0);
        check_link("/proc/self/cwd", cwd);
    }
    rmdir("sub");
    if (CHECK_SYSCALL(chdir("/"), 0)) {
        check_link("/proc/self/cwd", "/");
        if (!CHECK_SYSCALL(chdir(cwd), 0))
            printf("Bail out! cannot return to %s\n", cwd);
    }
}

#define FD_PROBE 1024

/* List /proc/self/fd into seen[] and check it against the fds open (by
 * fcntl), allowing for the listing's own fd. 0 if the listing failed. */
static int list_fds(unsigned char seen[FD_PROBE])
{
    struct dirent *de;
    int dfd, ok = 1;
    DIR *d;

    memset(seen, 0, FD_PROBE);
    d = opendir("/proc/self/fd");
    if (!CHECK(d != NULL, "opendir(/proc/self/fd) failed: %s",
               tap_errno_name(errno)))
        return 0;
    dfd = dirfd(d);
    while ((de = readdir(d)) != NULL) {
        char *end;
        long fd;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        fd = strtol(de->d_name, &end, 10);
        if (!CHECK(*end == '\0' && end != de->d_name && fd >= 0,
                   "/proc/self/fd has \"%s\"", de->d_name))
            continue;
        ok &= CHECK(de->d_type == DT_LNK || de->d_type == DT_UNKNOWN,
                    "/proc/self/fd/%ld: d_type %d", fd, de->d_type);
        if (fd < FD_PROBE) {
            ok &= CHECK(!seen[fd], "fd %ld listed twice", fd);
            seen[fd] = 1;
        } else {
            ok &= CHECK(fcntl((int)fd, F_GETFD) != -1,
                        "listed fd %ld is not open", fd);
        }
    }
    closedir(d);
    for (int fd = 0; fd < FD_PROBE; fd++) {
        int open_now = fcntl(fd, F_GETFD) != -1;

        if (fd == dfd)
            ok &= CHECK(seen[fd], "the listing's own fd %d not listed", fd);
        else
            ok &= CHECK(seen[fd] == open_now, "fd %d: listed %d, open %d", fd,
                        seen[fd], open_now);
    }
    return ok;
}

static void test_fd_list(void)
{
    unsigned char seen[FD_PROBE];
    char pa[PATH_MAX], pb[PATH_MAX];
    int a, b = -1, t, gone;

    list_fds(seen);
    snprintf(pa, sizeof(pa), "%s/a", base);
    snprintf(pb, sizeof(pb), "%s/b", base);
    a = CHECK_OK(open(pa, O_CREAT | O_RDWR, 0600));
    /* b sits at 100 or above, so that once it is closed the listing's own
     * fd takes a lower number, not b's. */
    t = CHECK_OK(open(pb, O_CREAT | O_RDWR, 0600));
    if (t >= 0) {
        b = CHECK_OK(fcntl(t, F_DUPFD, 100));
        close(t);
    }
    if (a < 0 || b < 0 || a >= FD_PROBE || b >= FD_PROBE)
        goto out;
    if (list_fds(seen))
        CHECK(seen[a] && seen[b], "new fds not listed: %d, %d", seen[a],
              seen[b]);
    gone = b;
    close(b);
    b = -1;
    if (list_fds(seen))
        CHECK(seen[a] && !seen[gone], "after close: a listed %d, b listed %d",
              seen[a], seen[gone]);
out:
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
    unlink(pa);
    unlink(pb);
}

static void test_fd_links(void)
{
    char real[PATH_MAX], want[PATH_MAX + 32], link[64], got[PATH_MAX];
    struct stat st, fst;
    int fd, p[2];

    if (!CHECK(realpath(base, real) != NULL, "realpath(%s) failed: %s", base,
               tap_errno_name(errno)))
        return;
    /* A file opened by its absolute path names it. */
    snprintf(want, sizeof(want), "%s/file", real);
    fd = CHECK_OK(open(want, O_CREAT | O_RDWR, 0600));
    if (fd >= 0) {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        check_link(link, want);
        check_lnk_mode(link);
        if (CHECK_SYSCALL(stat(link, &st), 0) &&
            CHECK_SYSCALL(fstat(fd, &fst), 0))
            CHECK(st.st_ino == fst.st_ino && st.st_dev == fst.st_dev,
                  "stat(%s) is not the fd's file", link);
        /* Opened by a relative name (the cwd is base): still absolute. */
        close(fd);
        fd = CHECK_OK(open("file", O_RDONLY));
        if (fd >= 0) {
            snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
            check_link(link, want);
            /* Unlinked, it says so. */
            CHECK_SYSCALL(unlink("file"), 0);
            strcat(want, " (deleted)");
            check_link(link, want);
            close(fd);
        }
        unlink("file");
    }
    fd = CHECK_OK(open("/dev/null", O_RDONLY));
    if (fd >= 0) {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        check_link(link, "/dev/null");
        close(fd);
    }
    /* A pipe is "pipe:[inode]". */
    if (CHECK_SYSCALL(pipe(p), 0)) {
        if (CHECK_SYSCALL(fstat(p[0], &fst), 0)) {
            snprintf(link, sizeof(link), "/proc/self/fd/%d", p[0]);
            snprintf(want, sizeof(want), "pipe:[%lu]",
                     (unsigned long)fst.st_ino);
            if (CHECK(read_link(link, got, sizeof(got)) > 0,
                      "readlink(%s) failed: %s", link, tap_errno_name(errno)))
                CHECK(strcmp(got, want) == 0, "pipe fd -> \"%s\", want \"%s\"",
                      got, want);
        }
        close(p[0]);
        close(p[1]);
    }
}

/* Read fd's pos: and flags: from /proc/self/fdinfo; 0 if either is
 * missing or malformed. */
static int fdinfo(int fd, long long *pos, unsigned long *flags)
{
    char path[64], val[64], *end;
    char *buf;
    int ok = 1;

    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    buf = read_proc(path, NULL);
    if (!buf)
        return 0;
    if (CHECK(field(buf, "pos:", val, sizeof(val)), "%s: no pos: line", path)) {
        *pos = strtoll(val, &end, 10);
        ok &= CHECK(end != val && *end == '\0', "%s: pos:%s", path, val);
    } else {
        ok = 0;
    }
    if (CHECK(field(buf, "flags:", val, sizeof(val)), "%s: no flags: line",
              path)) {
        *flags = strtoul(val, &end, 8);
        ok &= CHECK(end != val && *end == '\0', "%s: flags:%s", path, val);
    } else {
        ok = 0;
    }
    free(buf);
    return ok;
}

static void test_fdinfo(void)
{
    unsigned long flags = 0;
    long long pos = -1;
    int fd, fd2;

    fd = CHECK_OK(open("info", O_CREAT | O_RDWR, 0600));
    if (fd < 0)
        return;
    if (fdinfo(fd, &pos, &flags)) {
        CHECK(pos == 0, "pos %lld after open", pos);
        CHECK((flags & O_ACCMODE) == O_RDWR, "O_RDWR fd: flags %#lo", flags);
        CHECK(!(flags & O_CLOEXEC), "flags %#lo has O_CLOEXEC", flags);
    }
    CHECK_SYSCALL(lseek(fd, 123, SEEK_SET), 123);
    if (fdinfo(fd, &pos, &flags))
        CHECK(pos == 123, "pos %lld after lseek to 123", pos);
    CHECK_SYSCALL(write(fd, "0123456789", 10), 10);
    if (fdinfo(fd, &pos, &flags))
        CHECK(pos == 133, "pos %lld after writing 10 bytes at 123", pos);
    /* Close-on-exec shows as O_CLOEXEC. */
    CHECK_SYSCALL(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    if (fdinfo(fd, &pos, &flags))
        CHECK(flags & O_CLOEXEC, "FD_CLOEXEC fd: flags %#lo", flags);
    close(fd);
    fd = CHECK_OK(open("info", O_RDONLY | O_CLOEXEC));
    fd2 = CHECK_OK(open("info", O_WRONLY | O_APPEND));
    if (fd >= 0 && fdinfo(fd, &pos, &flags)) {
        CHECK((flags & O_ACCMODE) == O_RDONLY, "O_RDONLY fd: flags %#lo",
              flags);
        CHECK(flags & O_CLOEXEC, "O_CLOEXEC fd: flags %#lo", flags);
    }
    if (fd2 >= 0 && fdinfo(fd2, &pos, &flags)) {
        CHECK((flags & O_ACCMODE) == O_WRONLY, "O_WRONLY fd: flags %#lo",
              flags);
        CHECK(flags & O_APPEND, "O_APPEND fd: flags %#lo", flags);
    }
    if (fd >= 0)
        close(fd);
    if (fd2 >= 0)
        close(fd2);
    unlink("info");
}

/* ---- /proc/self/maps ---- */

struct mapping {
    unsigned long start, end, off, ino;
    unsigned maj, min;
    char perms[8];
    char path[PATH_MAX];
};

/* A static buffer: reading maps must not allocate, or a malloc could
 * land in the range being checked. */
static char maps_buf[1 << 20];

/* Read /proc/self/maps into maps_buf; 0 (test failed) if it cannot. */
static int read_maps(void)
{
    size_t n = 0;
    int fd = open("/proc/self/maps", O_RDONLY);

    if (!CHECK(fd >= 0, "open(/proc/self/maps) failed: %s",
               tap_errno_name(errno)))
        return 0;
    for (;;) {
        ssize_t r = read(fd, maps_buf + n, sizeof(maps_buf) - 1 - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (!CHECK(r >= 0, "read(/proc/self/maps) failed: %s",
                   tap_errno_name(errno))) {
            close(fd);
            return 0;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (!CHECK(n < sizeof(maps_buf) - 1, "/proc/self/maps over %zu bytes",
                   sizeof(maps_buf))) {
            close(fd);
            return 0;
        }
    }
    close(fd);
    maps_buf[n] = '\0';
    return 1;
}

/* Parse one maps line; 0 if it does not have the form
 * "start-end perms offset maj:min inode [path]". */
static int parse_mapping(const char *line, struct mapping *m)
{
    const char *p;
    int n = -1;

    if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu%n", &m->start, &m->end,
               m->perms, &m->off, &m->maj, &m->min, &m->ino, &n) != 7 ||
        n < 0)
        return 0;
    p = line + n;
    if (*p && *p != ' ')
        return 0;
    while (*p == ' ')
        p++;
    snprintf(m->path, sizeof(m->path), "%s", p);
    return 1;
}

/* Find the mapping holding addr in maps_buf (which it leaves intact);
 * 1 if found. */
static int find_mapping(unsigned long addr, struct mapping *out)
{
    const char *p = maps_buf;

    while (*p) {
        const char *nl = strchr(p, '\n');
        char line[PATH_MAX + 128];
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        if (n >= sizeof(line))
            n = sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        if (parse_mapping(line, out) && out->start <= addr && addr < out->end)
            return 1;
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

/* Number of mappings in maps_buf that overlap [start, end). */
static int count_overlaps(unsigned long start, unsigned long end)
{
    const char *p = maps_buf;
    struct mapping m;
    int count = 0;

    while (*p) {
        const char *nl = strchr(p, '\n');
        char line[PATH_MAX + 128];
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        if (n >= sizeof(line))
            n = sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        if (parse_mapping(line, &m) && m.start < end && start < m.end)
            count++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return count;
}

static void test_maps_format(void)
{
    unsigned long prev_end = 0, page = (unsigned long)sysconf(_SC_PAGESIZE);
    static struct mapping m;
    char *p, *line;
    int lines = 0;

    if (!read_maps())
        return;
    CHECK(maps_buf[0] && maps_buf[strlen(maps_buf) - 1] == '\n',
          "maps is empty or does not end in a newline");
    p = maps_buf;
    while ((line = next_line(&p)) != NULL) {
        lines++;
        if (!CHECK(parse_mapping(line, &m), "line %d does not parse: %s", lines,
                   line))
            continue;
        CHECK(strlen(m.perms) == 4 && strchr("r-", m.perms[0]) &&
                  strchr("w-", m.perms[1]) && strchr("x-", m.perms[2]) &&
                  strchr("ps", m.perms[3]),
              "line %d: perms \"%s\"", lines, m.perms);
        CHECK(m.start < m.end, "line %d: start %#lx >= end %#lx", lines,
              m.start, m.end);
        CHECK(m.start % page == 0 && m.end % page == 0,
              "line %d: %#lx-%#lx not page aligned", lines, m.start, m.end);
        CHECK(m.start >= prev_end, "line %d: %#lx starts before %#lx", lines,
              m.start, prev_end);
        prev_end = m.end;
    }
    CHECK(lines >= 3, "only %d mappings", lines);
}

static void test_maps_stack(void)
{
    volatile int local = 1;
    struct mapping m;

    if (!read_maps())
        return;
    if (!CHECK(find_mapping((unsigned long)&local, &m),
               "no mapping holds the local variable at %p", (void *)&local))
        return;
    CHECK(strcmp(m.path, "[stack]") == 0,
          "the stack's mapping is \"%s\" (%s), not [stack]", m.path, m.perms);
    CHECK(m.perms[0] == 'r' && m.perms[1] == 'w', "stack perms %s", m.perms);
}

static void test_maps_main(void)
{
    unsigned long addr = (unsigned long)(uintptr_t)&main;
    char exe[PATH_MAX];
    struct mapping m;
    struct stat st;

    if (!read_maps())
        return;
    if (!CHECK(find_mapping(addr, &m), "no mapping holds main at %#lx", addr))
        return;
    CHECK(m.perms[0] == 'r' && m.perms[2] == 'x', "main's mapping is %s",
          m.perms);
    /* It is the program's file. */
    if (read_link("/proc/self/exe", exe, sizeof(exe)) > 0)
        CHECK(strcmp(m.path, exe) == 0, "main's mapping is \"%s\", exe \"%s\"",
              m.path, exe);
    if (CHECK_SYSCALL(stat("/proc/self/exe", &st), 0))
        CHECK(m.ino == (unsigned long)st.st_ino,
              "main's mapping has inode %lu, exe %lu", m.ino,
              (unsigned long)st.st_ino);
}

static void test_maps_mmap(void)
{
    unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE), start;
    struct mapping m;
    char *r, *p;

    /* PROT_NONE pages on either side keep the region from merging with a
     * neighbour of the same kind. */
    r = mmap(NULL, 5 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(r != MAP_FAILED, "mmap failed: %s", tap_errno_name(errno)))
        return;
    p = mmap(r + page, 3 * page, PROT_READ,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (!CHECK(p == r + page, "mmap(MAP_FIXED) gave %p, want %p (%s)",
               (void *)p, (void *)(r + page), tap_errno_name(errno))) {
        munmap(r, 5 * page);
        return;
    }
    start = (unsigned long)(uintptr_t)p;
    if (read_maps() &&
        CHECK(find_mapping(start, &m), "no mapping holds %#lx", start)) {
        CHECK(m.start == start && m.end == start + 3 * page,
              "mapping %#lx-%#lx, want %#lx-%#lx", m.start, m.end, start,
              start + 3 * page);
        CHECK(strcmp(m.perms, "r--p") == 0, "perms %s, want r--p", m.perms);
        CHECK(m.off == 0 && m.ino == 0 && m.maj == 0 && m.min == 0 &&
                  m.path[0] == '\0',
              "anonymous mapping has offset %#lx dev %x:%x inode %lu "
              "path \"%s\"",
              m.off, m.maj, m.min, m.ino, m.path);
        if (CHECK(find_mapping(start - page, &m), "guard page not mapped"))
            CHECK(strcmp(m.perms, "---p") == 0, "guard perms %s", m.perms);
    }
    CHECK_SYSCALL(munmap(r, 5 * page), 0);
    if (read_maps())
        CHECK(count_overlaps(start - page, start + 4 * page) == 0,
              "the unmapped range is still in maps");
}

/* ---- status, stat, statm, comm ---- */

/* The value after key in /proc/self/status, or NULL (test failed). */
static const char *status_field(const char *buf, const char *key, char *out,
                                size_t outsz)
{
    const char *v = field(buf, key, out, outsz);

    CHECK(v != NULL, "/proc/self/status has no %s line", key);
    return v;
}

/* The line key in buf must be exactly want. */
static void check_line(const char *buf, const char *key, const char *want)
{
    char val[256];

    if (status_field(buf, key, val, sizeof(val)))
        CHECK(strcmp(val, want) == 0, "\"%s%s\", want \"%s%s\"", key, val, key,
              want);
}

static void test_status(void)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    char val[256], want[128];
    unsigned long kb;
    char *buf = read_proc("/proc/self/status", NULL);

    if (!buf)
        return;
    if (status_field(buf, "Name:", val, sizeof(val)))
        CHECK(val[0] == '\t' && val[1], "Name:%s", val);
    if (status_field(buf, "State:", val, sizeof(val)))
        CHECK(val[0] == '\t' && strchr("RSDTtZXIPKW", val[1]) && val[1],
              "State:%s", val);
    snprintf(want, sizeof(want), "\t%d", (int)getpid());
    check_line(buf, "Pid:", want);
    check_line(buf, "Tgid:", want);
    snprintf(want, sizeof(want), "\t%d", (int)getppid());
    check_line(buf, "PPid:", want);
    /* Real, effective, saved and file-system ids. */
    if (CHECK_SYSCALL(getresuid(&ru, &eu, &su), 0)) {
        snprintf(want, sizeof(want), "\t%u\t%u\t%u\t%u", (unsigned)ru,
                 (unsigned)eu, (unsigned)su, (unsigned)eu);
        check_line(buf, "Uid:", want);
    }
    if (CHECK_SYSCALL(getresgid(&rg, &eg, &sg), 0)) {
        snprintf(want, sizeof(want), "\t%u\t%u\t%u\t%u", (unsigned)rg,
                 (unsigned)eg, (unsigned)sg, (unsigned)eg);
        check_line(buf, "Gid:", want);
    }
    check_line(buf, "Threads:", "\t1");
    if (status_field(buf, "VmSize:", val, sizeof(val)))
        CHECK(sscanf(val, "%lu kB", &kb) == 1 && kb > 0 &&
                  strstr(val, " kB") != NULL,
              "VmSize:%s", val);
    free(buf);
}

/* SigBlk/SigIgn/SigCgt of /proc/self/status as a number; 0 and the test
 * failed if the line is missing or not 16 hex digits. */
static unsigned long long sig_field(const char *key)
{
    char val[64], *end;
    unsigned long long v = 0;
    char *buf = read_proc("/proc/self/status", NULL);

    if (!buf)
        return 0;
    if (status_field(buf, key, val, sizeof(val))) {
        v = strtoull(val, &end, 16);
        CHECK(val[0] == '\t' && strlen(val) == 17 && *end == '\0' &&
                  strspn(val + 1, "0123456789abcdef") == 16,
              "%s%s is not 16 hex digits", key, val);
    }
    free(buf);
    return v;
}

static void test_sigblk(void)
{
    sigset_t one, old;
    uint64_t raw = 0;
    unsigned long long v;

    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    if (!CHECK_SYSCALL(sigprocmask(SIG_UNBLOCK, &one, &old), 0))
        return;
    v = sig_field("SigBlk:");
    CHECK(!(v & 0x200), "SigBlk %016llx has SIGUSR1 unblocked", v);
    CHECK_SYSCALL(sigprocmask(SIG_BLOCK, &one, NULL), 0);
    v = sig_field("SigBlk:");
    CHECK(v & 0x200, "SigBlk %016llx lacks the blocked SIGUSR1", v);
    sigaddset(&one, SIGUSR2);
    CHECK_SYSCALL(sigprocmask(SIG_BLOCK, &one, NULL), 0);
    v = sig_field("SigBlk:");
    CHECK((v & 0xa00) == 0xa00, "SigBlk %016llx lacks SIGUSR1/SIGUSR2", v);
    /* The whole mask is the kernel's. */
    if (CHECK_SYSCALL(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &raw, 8), 0))
        CHECK(v == raw, "SigBlk %016llx, rt_sigprocmask %016llx", v,
              (unsigned long long)raw);
    CHECK_SYSCALL(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void on_signal(int sig) { (void)sig; }

static void test_sigign_sigcgt(void)
{
    struct sigaction sa, old1, old2;
    unsigned long long v;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    if (!CHECK_SYSCALL(sigaction(SIGUSR2, &sa, &old2), 0))
        return;
    sa.sa_handler = on_signal;
    if (CHECK_SYSCALL(sigaction(SIGUSR1, &sa, &old1), 0)) {
        v = sig_field("SigIgn:");
        CHECK((v & 0x800) && !(v & 0x200), "SigIgn %016llx", v);
        v = sig_field("SigCgt:");
        CHECK((v & 0x200) && !(v & 0x800), "SigCgt %016llx", v);
        sigaction(SIGUSR1, &old1, NULL);
    }
    sigaction(SIGUSR2, &old2, NULL);
    if (old2.sa_handler == SIG_DFL) {
        v = sig_field("SigIgn:");
        CHECK(!(v & 0x800), "SigIgn %016llx after SIG_DFL", v);
    }
}

static void test_stat(void)
{
    long long f[64];
    char *buf, *open_p, *close_p, *p, *end;
    int n = 0;

    buf = read_proc("/proc/self/stat", NULL);
    if (!buf)
        return;
    open_p = strchr(buf, '(');
    close_p = strrchr(buf, ')');
    if (!CHECK(open_p && close_p && close_p > open_p,
               "no (comm) in /proc/self/stat"))
        goto out;
    /* 1: pid, 2: (comm). */
    CHECK(strtol(buf, &end, 10) == getpid() && end == open_p - 1 && *end == ' ',
          "field 1 is not the pid");
    CHECK(close_p - open_p - 1 >= 1 && close_p - open_p - 1 <= 15,
          "comm is %d characters", (int)(close_p - open_p - 1));
    /* 3: one state letter. */
    p = close_p + 1;
    if (!CHECK(p[0] == ' ' && p[1] && strchr("RSDTtZXxKWPI", p[1]) &&
                   p[2] == ' ',
               "field 3 is not a state letter: \"%.8s\"", p))
        goto out;
    /* 4 on: numbers, separated by one space, ending in a newline. */
    p += 3;
    while (*p && *p != '\n' && n < 64) {
        f[n] = strtoll(p, &end, 10);
        if (!CHECK(end != p && (*end == ' ' || *end == '\n'),
                   "field %d is not a number", n + 4))
            goto out;
        n++;
        p = *end == ' ' ? end + 1 : end;
    }
    CHECK(*p == '\n' && p[1] == '\0', "stat does not end in one newline");
    CHECK(n + 3 >= 44, "%d fields", n + 3);
    if (n + 3 >= 20) {
        CHECK(f[0] == getppid(), "field 4 (ppid) %lld, getppid %d", f[0],
              (int)getppid());
        CHECK(f[1] == getpgrp(), "field 5 (pgrp) %lld, getpgrp %d", f[1],
              (int)getpgrp());
        CHECK(f[2] == getsid(0), "field 6 (session) %lld, getsid %d", f[2],
              (int)getsid(0));
        CHECK(f[16] == 1, "field 20 (num_threads) %lld", f[16]);
    }
out:
    free(buf);
}

static void test_comm(void)
{
    char *stat, *status, *comm, name[64], val[256];
    size_t len;
    int n;

    stat = read_proc("/proc/self/stat", NULL);
    status = read_proc("/proc/self/status", NULL);
    comm = read_proc("/proc/self/comm", &len);
    if (!stat || !status || !comm)
        goto out;
    if (!CHECK(len >= 2 && comm[len - 1] == '\n' && len - 1 <= 15,
               "/proc/self/comm is %zu bytes", len))
        goto out;
    comm[len - 1] = '\0';
    n = snprintf(name, sizeof(name), "(%s) ", comm);
    CHECK(strstr(stat, name) != NULL && strstr(stat, name) - stat < 12 &&
              (size_t)n < sizeof(name),
          "/proc/self/stat does not hold (%s)", comm);
    if (status_field(status, "Name:", val, sizeof(val)))
        CHECK(val[0] == '\t' && strcmp(val + 1, comm) == 0, "Name:%s, comm %s",
              val, comm);
out:
    free(stat);
    free(status);
    free(comm);
}

static void test_statm(void)
{
    unsigned long v[7];
    char *buf = read_proc("/proc/self/statm", NULL);
    int n = -1;

    if (!buf)
        return;
    if (CHECK(sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu%n", &v[0], &v[1], &v[2],
                     &v[3], &v[4], &v[5], &v[6], &n) == 7 &&
                  n > 0,
              "statm does not hold 7 numbers: %s", buf)) {
        CHECK(strcmp(buf + n, "\n") == 0, "statm has more: \"%s\"", buf + n);
        CHECK(v[0] > 0 && v[1] <= v[0], "size %lu, resident %lu", v[0], v[1]);
        CHECK(v[2] <= v[1], "shared %lu > resident %lu", v[2], v[1]);
    }
    free(buf);
}

/* ---- limits ---- */

/* "unlimited" or the number, as getrlimit would give it. */
static int limit_matches(const char *s, size_t n, rlim_t want)
{
    char tmp[32];

    if (n == 9 && memcmp(s, "unlimited", 9) == 0)
        return want == RLIM_INFINITY;
    if (n == 0 || n >= sizeof(tmp) || want == RLIM_INFINITY)
        return 0;
    snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)want);
    return strlen(tmp) == n && memcmp(s, tmp, n) == 0;
}

/* The soft and hard values of the limits line name must be rl's. */
static void check_limit(const char *buf, const char *name, int res)
{
    struct rlimit rl;
    const char *p, *soft, *hard;
    size_t ns, nh;
    char line[256];

    if (!CHECK_SYSCALL(getrlimit(res, &rl), 0))
        return;
    p = field(buf, name, line, sizeof(line));
    if (!CHECK(p && line[0] == ' ', "no \"%s\" line in limits", name))
        return;
    p = line + strspn(line, " ");
    soft = p;
    ns = strcspn(p, " ");
    p += ns;
    p += strspn(p, " ");
    hard = p;
    nh = strcspn(p, " ");
    CHECK(limit_matches(soft, ns, rl.rlim_cur) &&
              limit_matches(hard, nh, rl.rlim_max),
          "%s:%s; getrlimit %llu %llu", name, line,
          (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
}

static void test_limits(void)
{
    static const struct {
        const char *name;
        int res;
    } lims[] = {
        {"Max cpu time", RLIMIT_CPU},        {"Max file size", RLIMIT_FSIZE},
        {"Max data size", RLIMIT_DATA},      {"Max stack size", RLIMIT_STACK},
        {"Max core file size", RLIMIT_CORE}, {"Max open files", RLIMIT_NOFILE},
        {"Max address space", RLIMIT_AS},
    };
    struct rlimit rl, low;
    char *buf = read_proc("/proc/self/limits", NULL);

    if (!buf)
        return;
    CHECK(strncmp(buf, "Limit ", 6) == 0, "limits does not start \"Limit\"");
    for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++)
        check_limit(buf, lims[i].name, lims[i].res);
    free(buf);
    /* A lowered soft limit shows. */
    if (!CHECK_SYSCALL(getrlimit(RLIMIT_NOFILE, &rl), 0) || rl.rlim_cur < 64)
        return;
    low = rl;
    low.rlim_cur = rl.rlim_cur - 1;
    if (CHECK_SYSCALL(setrlimit(RLIMIT_NOFILE, &low), 0)) {
        buf = read_proc("/proc/self/limits", NULL);
        if (buf)
            check_limit(buf, "Max open files", RLIMIT_NOFILE);
        free(buf);
        CHECK_SYSCALL(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
}

/* ---- mounts ---- */

/* Split line at spaces into at most max fields; the number found. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *save = NULL;

    for (char *t = strtok_r(line, " ", &save); t && n < max;
         t = strtok_r(NULL, " ", &save))
        f[n++] = t;
    return n;
}

static void check_mounts(const char *path)
{
    char *buf = read_proc(path, NULL), *p, *line, *f[8];
    int root = 0, proc = 0, lines = 0;

    if (!buf)
        return;
    p = buf;
    while ((line = next_line(&p)) != NULL) {
        lines++;
        if (!CHECK(split(line, f, 8) == 6 && strcmp(f[4], "0") == 0 &&
                       strcmp(f[5], "0") == 0,
                   "%s: line %d is not \"dev dir type opts 0 0\"", path, lines))
            continue;
        if (strcmp(f[1], "/") == 0)
            root++;
        if (strcmp(f[1], "/proc") == 0 && strcmp(f[2], "proc") == 0)
            proc++;
    }
    CHECK(root >= 1, "%s: no line for /", path);
    CHECK(proc >= 1, "%s: no proc line for /proc", path);
    free(buf);
}

static void test_mounts(void)
{
    char *a, *b;

    check_mounts("/proc/self/mounts");
    check_mounts("/proc/mounts");
    a = read_proc("/proc/self/mounts", NULL);
    b = read_proc("/proc/mounts", NULL);
    if (a && b)
        CHECK(strcmp(a, b) == 0, "/proc/mounts differs from /proc/self/mounts");
    free(a);
    free(b);
}

static void test_mountinfo(void)
{
    char *buf = read_proc("/proc/self/mountinfo", NULL), *p, *line, *f[32];
    int root = 0, proc = 0, lines = 0, ids[4096], nids = 0;

    if (!buf)
        return;
    p = buf;
    while ((line = next_line(&p)) != NULL) {
        unsigned maj, min;
        int n, sep = -1, id;

        lines++;
        n = split(line, f, 32);
        for (int i = 6; i < n; i++) {
            if (strcmp(f[i], "-") == 0) {
                sep = i;
                break;
            }
        }
        /* id parent maj:min root mountpoint opts [opt...] - type src sopts;
           the root is a path, or for an nsfs mount (ip netns) a name such
           as net:[4026532246] */
        if (!CHECK(n >= 10 && sep >= 6 && n - sep == 4 &&
                       sscanf(f[2], "%u:%u", &maj, &min) == 2 &&
                       sscanf(f[0], "%d", &id) == 1 &&
                       (f[3][0] == '/' || strchr(f[3], ':')) && f[4][0] == '/',
                   "line %d does not parse", lines))
            continue;
        for (int i = 0; i < nids; i++)
            CHECK(ids[i] != id, "mount id %d twice", id);
        if (nids < 4096)
            ids[nids++] = id;
        if (strcmp(f[4], "/") == 0)
            root++;
        if (strcmp(f[4], "/proc") == 0 && strcmp(f[sep + 1], "proc") == 0)
            proc++;
    }
    CHECK(root >= 1, "no line for /");
    CHECK(proc >= 1, "no proc line for /proc");
    free(buf);
}

/* ---- the machine ---- */

/* "Key:   N kB" from meminfo as a number; -1 (test failed) if missing. */
static long long meminfo_kb(const char *buf, const char *key)
{
    char val[128], *end;
    long long v;

    if (!CHECK(field(buf, key, val, sizeof(val)), "no %s line", key))
        return -1;
    v = strtoll(val, &end, 10);
    CHECK(end != val && strcmp(end, " kB") == 0, "%s%s", key, val);
    return v;
}

static void test_meminfo(void)
{
    char *buf = read_proc("/proc/meminfo", NULL), *p, *line;
    long long total, free_kb;
    struct sysinfo si;
    int lines = 0;

    if (!buf)
        return;
    total = meminfo_kb(buf, "MemTotal:");
    free_kb = meminfo_kb(buf, "MemFree:");
    CHECK(total > 0, "MemTotal %lld kB", total);
    CHECK(free_kb >= 0 && free_kb <= total, "MemFree %lld kB, MemTotal %lld",
          free_kb, total);
    /* sysinfo counts the same memory. */
    if (CHECK_SYSCALL(sysinfo(&si), 0))
        CHECK((unsigned long long)si.totalram * si.mem_unit / 1024 ==
                  (unsigned long long)total,
              "sysinfo totalram %llu kB, MemTotal %lld kB",
              (unsigned long long)si.totalram * si.mem_unit / 1024, total);
    /* Every line is "Key: number [kB]". */
    p = buf;
    while ((line = next_line(&p)) != NULL) {
        char *colon = strchr(line, ':'), *end;

        lines++;
        if (!CHECK(colon && colon > line, "line %d has no key", lines))
            continue;
        strtoull(colon + 1, &end, 10);
        CHECK(end != colon + 1 && (*end == '\0' || strcmp(end, " kB") == 0),
              "line %d: %s", lines, line);
    }
    free(buf);
}

static void test_cpuinfo(void)
{
    char *buf = read_proc("/proc/cpuinfo", NULL), *p, *line;
    int procs = 0, cpus = affinity_count();

    if (!buf)
        return;
    p = buf;
    while ((line = next_line(&p)) != NULL) {
        if (strncmp(line, "processor", 9) == 0) {
            const char *v = line + 9 + strspn(line + 9, " \t");
            int num;

            procs++;
            CHECK(v[0] == ':' && sscanf(v + 1, "%d", &num) == 1 && num >= 0,
                  "bad line: %s", line);
        }
    }
    CHECK(procs >= 1, "no processor lines");
    CHECK(procs >= cpus, "%d processor lines, affinity has %d CPUs", procs,
          cpus);
    free(buf);
}

static void test_loadavg(void)
{
    char *buf = read_proc("/proc/loadavg", NULL);
    float l1, l5, l15;
    int running, total, last, n = -1;

    if (!buf)
        return;
    if (CHECK(sscanf(buf, "%f %f %f %d/%d %d%n", &l1, &l5, &l15, &running,
                     &total, &last, &n) == 6 &&
                  n > 0,
              "loadavg does not parse: %s", buf)) {
        CHECK(strcmp(buf + n, "\n") == 0, "loadavg has more: %s", buf + n);
        CHECK(l1 >= 0 && l5 >= 0 && l15 >= 0, "negative load: %s", buf);
        /* This program is running as it reads. */
        CHECK(running >= 1 && total >= running && last >= 0, "%s", buf);
    }
    free(buf);
}

static double ts_sec(const struct timespec *t)
{
    return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

static void test_uptime(void)
{
    struct timespec before, after;
    double up, idle;
    char *buf;
    int n = -1;

    clock_gettime(CLOCK_BOOTTIME, &before);
    buf = read_proc("/proc/uptime", NULL);
    clock_gettime(CLOCK_BOOTTIME, &after);
    if (!buf)
        return;
    if (CHECK(sscanf(buf, "%lf %lf%n", &up, &idle, &n) == 2 && n > 0,
              "uptime does not parse: %s", buf)) {
        CHECK(strcmp(buf + n, "\n") == 0, "uptime has more: %s", buf + n);
        CHECK(up >= 0 && idle >= 0, "uptime %s", buf);
        /* Uptime is CLOCK_BOOTTIME, to the hundredth. */
        CHECK(up >= ts_sec(&before) - 1 && up <= ts_sec(&after) + 1,
              "uptime %.2f, CLOCK_BOOTTIME %.2f..%.2f", up, ts_sec(&before),
              ts_sec(&after));
    }
    free(buf);
}

static void test_proc_stat(void)
{
    char *buf = read_proc("/proc/stat", NULL), *p, *line;
    int cpu = 0, cpun = 0, btime = 0;
    long long bt = 0;
    struct timespec real, boot;

    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    if (!buf)
        return;
    p = buf;
    while ((line = next_line(&p)) != NULL) {
        unsigned long long v[4];

        if (strncmp(line, "cpu ", 4) == 0) {
            cpu++;
            CHECK(sscanf(line + 4, "%llu %llu %llu %llu", &v[0], &v[1], &v[2],
                         &v[3]) == 4,
                  "bad line: %s", line);
        } else if (strncmp(line, "cpu", 3) == 0 && isdigit(line[3])) {
            cpun++;
        } else if (strncmp(line, "btime ", 6) == 0) {
            btime++;
            CHECK(sscanf(line + 6, "%lld", &bt) == 1 && bt > 0, "bad line: %s",
                  line);
        }
    }
    CHECK(cpu == 1, "%d \"cpu \" lines", cpu);
    CHECK(btime == 1, "%d btime lines", btime);
    CHECK(cpun >= affinity_count(), "%d cpuN lines, affinity has %d CPUs", cpun,
          affinity_count());
    /* The boot time is now less the time since boot. */
    if (btime == 1)
        CHECK(bt >= real.tv_sec - boot.tv_sec - 2 &&
                  bt <= real.tv_sec - boot.tv_sec + 2,
              "btime %lld, realtime - boottime %lld", bt,
              (long long)(real.tv_sec - boot.tv_sec));
    free(buf);
}

static void test_version(void)
{
    struct utsname u;
    char *buf = read_proc("/proc/version", NULL), want[512];
    size_t len, vlen;

    if (!buf || !CHECK_SYSCALL(uname(&u), 0))
        goto out;
    CHECK(strncmp(buf, "Linux version ", 14) == 0, "/proc/version is: %s", buf);
    /* "Linux version <release> (...) <version>\n" */
    snprintf(want, sizeof(want), "Linux version %s ", u.release);
    CHECK(strncmp(buf, want, strlen(want)) == 0,
          "release is not uname's %s: %s", u.release, buf);
    len = strlen(buf);
    vlen = strlen(u.version);
    CHECK(len > vlen + 1 && buf[len - 1] == '\n' &&
              memcmp(buf + len - 1 - vlen, u.version, vlen) == 0 &&
              buf[len - 2 - vlen] == ' ',
          "does not end in uname's version %s: %s", u.version, buf);
    CHECK(strchr(buf, '\n') == buf + len - 1, "more than one line");
out:
    free(buf);
}

static void test_filesystems(void)
{
    char *buf = read_proc("/proc/filesystems", NULL), *p, *line;
    int proc = 0, tmpfs = 0, lines = 0;

    if (!buf)
        return;
    p = buf;
    while ((line = next_line(&p)) != NULL) {
        char *tab = strchr(line, '\t');

        lines++;
        if (!CHECK(tab &&
                       (tab == line ||
                        (tab - line == 5 && strncmp(line, "nodev", 5) == 0)) &&
                       tab[1] && !strchr(tab + 1, '\t'),
                   "line %d: \"%s\"", lines, line))
            continue;
        if (strcmp(line, "nodev\tproc") == 0)
            proc++;
        if (strcmp(line, "nodev\ttmpfs") == 0)
            tmpfs++;
    }
    CHECK(proc == 1, "nodev proc listed %d times", proc);
    CHECK(tmpfs == 1, "nodev tmpfs listed %d times", tmpfs);
    free(buf);
}

/* The file at path holds exactly want. */
static void check_contents(const char *path, const char *want)
{
    size_t len;
    char *buf = read_proc(path, &len);

    if (!buf)
        return;
    CHECK(len == strlen(want) && memcmp(buf, want, len) == 0,
          "%s is \"%s\", want \"%s\"", path, buf, want);
    free(buf);
}

static void test_sys_kernel(void)
{
    struct utsname u;
    char want[512];

    if (!CHECK_SYSCALL(uname(&u), 0))
        return;
    snprintf(want, sizeof(want), "%s\n", u.nodename);
    check_contents("/proc/sys/kernel/hostname", want);
    check_contents("/proc/sys/kernel/ostype", "Linux\n");
    snprintf(want, sizeof(want), "%s\n", u.release);
    check_contents("/proc/sys/kernel/osrelease", want);
}

static void test_overcommit(void)
{
    size_t len;
    char *buf = read_proc("/proc/sys/vm/overcommit_memory", &len);

    if (!buf)
        return;
    CHECK(len == 2 && buf[0] >= '0' && buf[0] <= '2' && buf[1] == '\n',
          "overcommit_memory is \"%s\"", buf);
    free(buf);
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void test_getdents_proc(void)
{
    char buf[256], pid[32];
    int fd, dot = 0, dotdot = 0, self = 0, tself = 0, mine = 0, calls = 0;
    long n;

    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    fd = CHECK_OK(open("/proc", O_RDONLY | O_DIRECTORY));
    if (fd < 0)
        return;
    /* A small buffer: the listing takes many calls. */
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        calls++;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);

            if (!CHECK(de->d_reclen > 0 && off + de->d_reclen <= n &&
                           memchr(de->d_name, '\0',
                                  de->d_reclen - offsetof(struct linux_dirent64,
                                                          d_name)) != NULL,
                       "bad record at %ld", off))
                goto out;
            off += de->d_reclen;
            if (strcmp(de->d_name, ".") == 0)
                dot++;
            else if (strcmp(de->d_name, "..") == 0)
                dotdot++;
            else if (strcmp(de->d_name, "self") == 0) {
                self++;
                CHECK(de->d_type == DT_LNK || de->d_type == DT_UNKNOWN,
                      "self: d_type %d", de->d_type);
            } else if (strcmp(de->d_name, "thread-self") == 0) {
                tself++;
            } else if (strcmp(de->d_name, pid) == 0) {
                mine++;
                CHECK(de->d_type == DT_DIR || de->d_type == DT_UNKNOWN,
                      "pid directory: d_type %d", de->d_type);
            }
        }
    }
    CHECK(n == 0, "getdents64 = %ld (%s)", n, tap_errno_name(errno));
    CHECK(calls > 1, "listing fit in %d call of %zu bytes", calls, sizeof(buf));
    CHECK(dot == 1 && dotdot == 1, ". %d times, .. %d times", dot, dotdot);
    CHECK(self == 1, "self listed %d times", self);
    CHECK(tself == 1, "thread-self listed %d times", tself);
    CHECK(mine == 1, "the pid's directory listed %d times", mine);
out:
    close(fd);
}

static void test_read_pieces(void)
{
    char *whole, piece[4096], c;
    size_t len, n = 0;
    int fd;

    whole = read_proc("/proc/version", &len);
    if (!whole)
        return;
    fd = CHECK_OK(open("/proc/version", O_RDONLY));
    if (fd < 0)
        goto out;
    /* One byte at a time gives the same text. */
    while (n < sizeof(piece) && read(fd, &c, 1) == 1)
        piece[n++] = c;
    CHECK(n == len && memcmp(piece, whole, len) == 0,
          "byte-wise read gave %zu bytes, want %zu", n, len);
    /* From the start again, and at an offset. */
    CHECK_SYSCALL(lseek(fd, 0, SEEK_SET), 0);
    if (CHECK_SYSCALL(read(fd, piece, sizeof(piece)), (long)len))
        CHECK(memcmp(piece, whole, len) == 0, "reread differs");
    if (CHECK_SYSCALL(pread(fd, piece, 8, 6), 8))
        CHECK(memcmp(piece, "version ", 8) == 0, "pread at 6: \"%.8s\"", piece);
    CHECK_SYSCALL(read(fd, piece, sizeof(piece)), 0);
    close(fd);
out:
    free(whole);
}

static void test_errors(void)
{
    char buf[64];
    struct stat st;
    int fd;

    CHECK_ERRNO(open("/proc/self/nonexistent", O_RDONLY), ENOENT);
    CHECK_ERRNO(stat("/proc/self/nonexistent", &st), ENOENT);
    CHECK_ERRNO(open("/proc/self/fd/9999", O_RDONLY), ENOENT);
    CHECK_ERRNO(open("/proc/999999999/status", O_RDONLY), ENOENT);
    CHECK_ERRNO(readlink("/proc/version", buf, sizeof(buf)), EINVAL);
    CHECK_ERRNO(open("/proc/version/x", O_RDONLY), ENOTDIR);
    /* status is read-only: the open fails, or (for root, whom the
     * permission bits do not stop) the write does. */
    errno = 0;
    fd = open("/proc/self/status", O_WRONLY);
    if (fd < 0) {
        CHECK(errno == EACCES || errno == EPERM || errno == EROFS,
              "open(O_WRONLY) failed with %s", tap_errno_name(errno));
    } else {
        tap_diag("open(/proc/self/status, O_WRONLY) succeeded (privileged)");
        CHECK(write(fd, "x", 1) == -1, "write to /proc/self/status worked");
        close(fd);
    }
    fd = CHECK_OK(open("/proc/self/status", O_RDONLY));
    if (fd >= 0) {
        CHECK_ERRNO(write(fd, "x", 1), EBADF);
        close(fd);
    }
    /* No new names in /proc. */
    CHECK(mkdir("/proc/husk-test", 0700) == -1, "mkdir in /proc worked");
    CHECK(open("/proc/husk-test", O_CREAT | O_WRONLY, 0600) == -1,
          "creating a file in /proc worked");
    CHECK(unlink("/proc/version") == -1, "unlink(/proc/version) worked");
}

static const struct tap_test tests[] = {
    {"/proc/self links to the pid's directory", test_self_link},
    {"/proc/thread-self links to <pid>/task/<tid>", test_thread_self},
    {"/proc/self/exe is the program's file", test_exe},
    {"/proc/self/cmdline is argv joined with NULs", test_cmdline},
    {"/proc/self/environ is the environment joined with NULs", test_environ},
    {"/proc/self/cwd follows chdir, /proc/self/root is /", test_cwd_root},
    {"/proc/self/fd lists exactly the open fds", test_fd_list},
    {"/proc/self/fd links: files, deleted files, /dev/null, pipes",
     test_fd_links},
    {"/proc/self/fdinfo: pos and flags", test_fdinfo},
    {"/proc/self/maps: lines parse, sorted, not overlapping", test_maps_format},
    {"/proc/self/maps: a local variable is in [stack]", test_maps_stack},
    {"/proc/self/maps: main is in an executable mapping of the program",
     test_maps_main},
    {"/proc/self/maps: an mmap shows as r--p and goes with munmap",
     test_maps_mmap},
    {"/proc/self/status: Pid, PPid, Uid, Gid, Threads, VmSize", test_status},
    {"/proc/self/status: SigBlk follows sigprocmask", test_sigblk},
    {"/proc/self/status: SigIgn and SigCgt follow sigaction",
     test_sigign_sigcgt},
    {"/proc/self/stat: pid, (comm), state, ppid, pgrp, session, threads",
     test_stat},
    {"comm agrees in /proc/self/comm, stat and status", test_comm},
    {"/proc/self/statm has 7 numbers", test_statm},
    {"/proc/self/limits matches getrlimit", test_limits},
    {"/proc/self/mounts and /proc/mounts have / and /proc", test_mounts},
    {"/proc/self/mountinfo has / and /proc", test_mountinfo},
    {"/proc/meminfo: MemTotal, MemFree, line format", test_meminfo},
    {"/proc/cpuinfo covers the CPUs we may run on", test_cpuinfo},
    {"/proc/loadavg parses", test_loadavg},
    {"/proc/uptime parses and matches CLOCK_BOOTTIME", test_uptime},
    {"/proc/stat: cpu lines and btime", test_proc_stat},
    {"/proc/version matches uname", test_version},
    {"/proc/filesystems lists proc and tmpfs", test_filesystems},
    {"/proc/sys/kernel hostname, ostype, osrelease match uname",
     test_sys_kernel},
    {"/proc/sys/vm/overcommit_memory is 0, 1 or 2", test_overcommit},
    {"getdents64 on /proc lists self, thread-self and the pid",
     test_getdents_proc},
    {"/proc/version reads the same in pieces and at offsets", test_read_pieces},
    {"errors: missing names, read-only files, no creation", test_errors},
};

int main(int argc, char **argv, char **envp)
{
    g_argc = argc;
    g_argv = argv;
    g_envp = envp;
    if (argc > 0 && strchr(argv[0], '/'))
        g_argv0_ok = stat(argv[0], &g_argv0_st) == 0;
    return tap_run_in_tmpdir(tests, TAP_COUNT(tests), base);
}
