/* SPDX-License-Identifier: MIT */
/*
 * devfs.c: the device files every program may open: /dev/null, zero, full,
 * random, urandom (contents, errors, device numbers), /dev/tty's numbers,
 * /dev/fd/N and /dev/stdout, and listing /dev.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"

static int all_bytes(const unsigned char *p, size_t n, unsigned char c)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

static void test_null(void)
{
    char buf[4096];
    int fd = CHECK_OK(open("/dev/null", O_RDWR));

    if (fd < 0)
        return;
    memset(buf, 'x', sizeof(buf));
    CHECK_SYSCALL(read(fd, buf, sizeof(buf)), 0);
    CHECK(buf[0] == 'x', "read of 0 bytes changed the buffer");
    CHECK_SYSCALL(write(fd, buf, sizeof(buf)), 4096);
    CHECK_SYSCALL(write(fd, buf, 1), 1);
    CHECK_SYSCALL(pread(fd, buf, 10, 100), 0);
    CHECK_SYSCALL(pwrite(fd, buf, 10, 100), 10);
    /* Seeking works and goes nowhere. */
    CHECK_SYSCALL(lseek(fd, 0, SEEK_SET), 0);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_END), 0);
    /* Not a tty: isatty(open("/dev/null")) is a common probe. */
    errno = 0;
    CHECK(isatty(fd) == 0, "isatty(/dev/null) is true");
    CHECK(errno == ENOTTY, "isatty errno %s", tap_errno_name(errno));
    close(fd);
    /* A read-only open refuses writes. */
    fd = CHECK_OK(open("/dev/null", O_RDONLY));
    if (fd >= 0) {
        CHECK_ERRNO(write(fd, "x", 1), EBADF);
        close(fd);
    }
    CHECK_ERRNO(open("/dev/null", O_RDONLY | O_DIRECTORY), ENOTDIR);
}

static void test_zero(void)
{
    unsigned char buf[8192];
    int fd = CHECK_OK(open("/dev/zero", O_RDWR));

    if (fd < 0)
        return;
    memset(buf, 0xaa, sizeof(buf));
    CHECK_SYSCALL(read(fd, buf, sizeof(buf)), 8192);
    CHECK(all_bytes(buf, sizeof(buf), 0), "/dev/zero gave a non-zero byte");
    memset(buf, 0xaa, sizeof(buf));
    CHECK_SYSCALL(read(fd, buf + 1, 3), 3);
    CHECK(buf[0] == 0xaa && buf[4] == 0xaa && all_bytes(buf + 1, 3, 0),
          "short read wrote outside its 3 bytes");
    CHECK_SYSCALL(write(fd, buf, sizeof(buf)), 8192);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_SET), 0);
    close(fd);
}

/* A private mapping of /dev/zero is zeroed, writable memory. */
static void test_zero_mmap(void)
{
    unsigned char *p;
    int fd = CHECK_OK(open("/dev/zero", O_RDWR));

    if (fd < 0)
        return;
    p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (CHECK(p != MAP_FAILED, "mmap(/dev/zero) failed: %s",
              tap_errno_name(errno))) {
        CHECK(all_bytes(p, 8192, 0), "mapping not zero");
        p[0] = 1;
        p[8191] = 2;
        CHECK(p[0] == 1 && p[8191] == 2, "mapping not writable");
        CHECK_SYSCALL(munmap(p, 8192), 0);
    }
    close(fd);
}

static void test_full(void)
{
    unsigned char buf[256];
    int fd = CHECK_OK(open("/dev/full", O_RDWR));

    if (fd < 0)
        return;
    CHECK_ERRNO(write(fd, "x", 1), ENOSPC);
    CHECK_ERRNO(write(fd, buf, sizeof(buf)), ENOSPC);
    memset(buf, 0x55, sizeof(buf));
    CHECK_SYSCALL(read(fd, buf, sizeof(buf)), 256);
    CHECK(all_bytes(buf, sizeof(buf), 0), "/dev/full read non-zero bytes");
    close(fd);
    /* Through stdio the error shows at the flush. */
    FILE *f = fopen("/dev/full", "w");
    if (CHECK(f != NULL, "fopen(/dev/full) failed: %s",
              tap_errno_name(errno))) {
        fputs("lost", f);
        errno = 0;
        CHECK(fflush(f) == EOF && errno == ENOSPC,
              "fflush did not fail with ENOSPC (%s)", tap_errno_name(errno));
        fclose(f);
    }
}

static void check_random(const char *path)
{
    unsigned char a[64], b[64];
    int fd = open(path, O_RDONLY);

    if (!CHECK(fd >= 0, "open(%s) failed: %s", path, tap_errno_name(errno)))
        return;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    CHECK_SYSCALL(read(fd, a, sizeof(a)), 64);
    CHECK_SYSCALL(read(fd, b, sizeof(b)), 64);
    CHECK(!all_bytes(a, sizeof(a), 0), "%s gave 64 zero bytes", path);
    CHECK(memcmp(a, b, sizeof(a)) != 0, "%s: two reads gave the same bytes",
          path);
    close(fd);
}

static void test_random(void)
{
    int fd;

    check_random("/dev/random");
    check_random("/dev/urandom");
    /* Writing adds to the pool; anyone may. */
    fd = CHECK_OK(open("/dev/urandom", O_WRONLY));
    if (fd >= 0) {
        CHECK_SYSCALL(write(fd, "seed", 4), 4);
        close(fd);
    }
}

struct devnum {
    const char *path;
    unsigned maj, min;
};

static const struct devnum devnums[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9},
};

static void test_stat_devices(void)
{
    struct stat st, fst;

    for (size_t i = 0; i < sizeof(devnums) / sizeof(devnums[0]); i++) {
        const struct devnum *d = &devnums[i];
        int fd;

        if (!CHECK_SYSCALL(stat(d->path, &st), 0))
            continue;
        CHECK(S_ISCHR(st.st_mode), "%s: mode %#o", d->path,
              (unsigned)st.st_mode);
        CHECK((st.st_mode & 0666) == 0666, "%s: permissions %#o", d->path,
              (unsigned)(st.st_mode & 07777));
        CHECK(major(st.st_rdev) == d->maj && minor(st.st_rdev) == d->min,
              "%s: device %u,%u, want %u,%u", d->path, major(st.st_rdev),
              minor(st.st_rdev), d->maj, d->min);
        /* fstat of an open fd agrees with stat of the path. */
        fd = open(d->path, O_RDONLY);
        if (CHECK(fd >= 0, "open(%s): %s", d->path, tap_errno_name(errno))) {
            if (CHECK_SYSCALL(fstat(fd, &fst), 0))
                CHECK(fst.st_rdev == st.st_rdev && fst.st_ino == st.st_ino &&
                          fst.st_mode == st.st_mode,
                      "%s: fstat differs from stat", d->path);
            close(fd);
        }
    }
}

static void test_stat_tty(void)
{
    struct stat st;

    if (stat("/dev/tty", &st) != 0 && errno == ENOENT)
        SKIP("no /dev/tty here");
    if (!CHECK_SYSCALL(stat("/dev/tty", &st), 0))
        return;
    CHECK(S_ISCHR(st.st_mode), "mode %#o", (unsigned)st.st_mode);
    CHECK(major(st.st_rdev) == 5 && minor(st.st_rdev) == 0,
          "/dev/tty is %u,%u, want 5,0", major(st.st_rdev), minor(st.st_rdev));
}

/* Write a "# " line through path; 0 if the open failed, else 1. */
static int write_through(const char *path)
{
    struct stat st;
    char line[80];
    int fd, n;

    fflush(stdout);
    /* O_APPEND: if stdout is a regular file, a fresh open of it would
     * otherwise write at offset 0, over the earlier output. */
    fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0)
        return 0;
    n = snprintf(line, sizeof(line), "# written through %s\n", path);
    CHECK_SYSCALL(write(fd, line, n), n);
    close(fd);
    /* fd 1's own offset did not move: catch up, or it overwrites. */
    if (fstat(1, &st) == 0 && S_ISREG(st.st_mode))
        lseek(1, 0, SEEK_END);
    return 1;
}

static void test_dev_fd(void)
{
    struct stat a, b;

    if (!CHECK_SYSCALL(fstat(1, &a), 0))
        return;
    /* Opening /dev/fd/1 opens fd 1's file anew, with a permission check:
     * a pipe or file made by another user (root running the harness
     * under setpriv) refuses. */
    if (!write_through("/dev/fd/1")) {
        if (errno == EACCES && a.st_uid != geteuid())
            SKIP("stdout belongs to another user");
        CHECK(0, "open(/dev/fd/1) failed: %s", tap_errno_name(errno));
    }
    CHECK(write_through("/dev/stdout"), "open(/dev/stdout) failed: %s",
          tap_errno_name(errno));
    /* The path names the same file as the fd. */
    if (CHECK_SYSCALL(stat("/dev/fd/1", &b), 0))
        CHECK(a.st_dev == b.st_dev && a.st_ino == b.st_ino,
              "/dev/fd/1 is not fd 1's file");
    CHECK_ERRNO(open("/dev/fd/9999", O_RDONLY), ENOENT);
}

static void test_readlink_stdin(void)
{
    char buf[PATH_MAX];
    ssize_t n;
    struct stat st;

    n = readlink("/dev/stdin", buf, sizeof(buf) - 1);
    if (!CHECK(n > 0, "readlink(/dev/stdin) = %zd (%s)", n,
               tap_errno_name(errno)))
        return;
    buf[n] = '\0';
    tap_diag("/dev/stdin -> %s", buf);
    if (CHECK_SYSCALL(lstat("/dev/stdin", &st), 0))
        CHECK(S_ISLNK(st.st_mode), "lstat(/dev/stdin): mode %#o",
              (unsigned)st.st_mode);
    CHECK(readlink("/dev/stdout", buf, sizeof(buf)) > 0,
          "readlink(/dev/stdout) failed: %s", tap_errno_name(errno));
    CHECK(readlink("/dev/stderr", buf, sizeof(buf)) > 0,
          "readlink(/dev/stderr) failed: %s", tap_errno_name(errno));
    /* A device is not a symlink. */
    CHECK_ERRNO(readlink("/dev/null", buf, sizeof(buf)), EINVAL);
}

static void test_list_dev(void)
{
    static const char *const want[] = {"null", "zero", "full", "random",
                                       "urandom"};
    int seen[5] = {0}, dots = 0;
    struct dirent *de;
    struct stat st;
    DIR *d;

    if (CHECK_SYSCALL(stat("/dev", &st), 0))
        CHECK(S_ISDIR(st.st_mode), "/dev: mode %#o", (unsigned)st.st_mode);
    d = opendir("/dev");
    if (!CHECK(d != NULL, "opendir(/dev) failed: %s", tap_errno_name(errno)))
        return;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            dots++;
        for (int i = 0; i < 5; i++) {
            if (strcmp(de->d_name, want[i]) == 0) {
                seen[i]++;
                /* d_type, where given, says character device. */
                CHECK(de->d_type == DT_CHR || de->d_type == DT_UNKNOWN,
                      "%s: d_type %d", want[i], de->d_type);
            }
        }
    }
    closedir(d);
    CHECK(dots == 2, "saw %d of . and ..", dots);
    for (int i = 0; i < 5; i++)
        CHECK(seen[i] == 1, "/dev/%s listed %d times", want[i], seen[i]);
}

static void test_enoent(void)
{
    struct stat st;

    CHECK_ERRNO(open("/dev/nonexistent", O_RDONLY), ENOENT);
    CHECK_ERRNO(stat("/dev/nonexistent", &st), ENOENT);
    CHECK_ERRNO(open("/dev/null/x", O_RDONLY), ENOTDIR);
}

static const struct tap_test tests[] = {
    {"/dev/null: reads nothing, swallows writes", test_null},
    {"/dev/zero: reads zeros, accepts writes", test_zero},
    {"/dev/zero: a private mapping is zeroed memory", test_zero_mmap},
    {"/dev/full: writes give ENOSPC, reads zeros", test_full},
    {"/dev/random and /dev/urandom give varying bytes", test_random},
    {"stat: null, zero, full, random, urandom numbers", test_stat_devices},
    {"stat: /dev/tty is 5,0", test_stat_tty},
    {"/dev/fd/1 and /dev/stdout write to stdout", test_dev_fd},
    {"readlink /dev/stdin, /dev/stdout, /dev/stderr", test_readlink_stdin},
    {"opendir /dev lists the standard devices", test_list_dev},
    {"open /dev/nonexistent gives ENOENT", test_enoent},
};

TAP_MAIN(tests)
