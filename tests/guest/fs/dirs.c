/* SPDX-License-Identifier: MIT */
/*
 * dirs.c: directories and names. mkdir/rmdir, getdents64 (also on 10000
 * entries), unlink, rename in all its forms, hard and symbolic links, path
 * walking and its limits, the cwd and chroot, modes and owners, access,
 * timestamps to the nanosecond, and statfs.
 *
 * Everything happens in a fresh mkdtemp directory that is the cwd while
 * the tests run (so paths are relative; a test that changes directory
 * comes back to it) and that main() removes at the end. Calls that libc
 * may check or rewrite go through syscall(). Only chroot needs root; it
 * skips natively without it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "tmpdir.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* What getdents64 writes: struct linux_dirent64. */
struct dent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static char base[] = "/tmp/husk-XXXXXX";

/* Create (or replace) name holding the string s; 0 or -1. */
static int put_file(const char *name, const char *s)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t w;

    if (fd < 0)
        return -1;
    w = write(fd, s, strlen(s));
    close(fd);
    return w == (ssize_t)strlen(s) ? 0 : -1;
}

/* Read name into buf as a string; the length or -1. */
static ssize_t get_file(const char *name, char *buf, size_t size)
{
    int fd = open(name, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

/* CHECK that name is a file holding the string want. */
#define CHECK_CONTENT(name, want)                                              \
    do {                                                                       \
        char got_[256];                                                        \
        ssize_t n_ = get_file((name), got_, sizeof(got_));                     \
        CHECK(n_ >= 0 && strcmp(got_, (want)) == 0,                            \
              "%s holds \"%s\" (%zd), want \"%s\"", (name), got_, n_, (want)); \
    } while (0)

static ino_t ino_of(const char *name)
{
    struct stat st;

    return lstat(name, &st) == 0 ? st.st_ino : 0;
}

static long nlink_of(const char *name)
{
    struct stat st;

    return lstat(name, &st) == 0 ? (long)st.st_nlink : -1;
}

static unsigned mode_of(const char *name)
{
    struct stat st;

    return lstat(name, &st) == 0 ? (unsigned)st.st_mode : 0;
}

static int exists(const char *name)
{
    struct stat st;

    return lstat(name, &st) == 0;
}

/* chdir back to the test directory. */
static void back_home(void)
{
    if (chdir(base) != 0)
        CHECK(0, "chdir back to the test directory: %s", tap_errno_name(errno));
}

static void test_mkdir(void)
{
    struct stat st;
    int dfd, ffd;

    CHECK_SYSCALL(mkdir("md", 0755), 0);
    if (CHECK_SYSCALL(stat("md", &st), 0))
        CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755, "st_mode %o",
              (unsigned)st.st_mode);
    CHECK_ERRNO(mkdir("md", 0755), EEXIST);
    CHECK_ERRNO(mkdir("md/", 0755), EEXIST);
    CHECK_ERRNO(mkdir("no-parent/md", 0755), ENOENT);
    CHECK_SYSCALL(put_file("mfile", "x"), 0);
    CHECK_ERRNO(mkdir("mfile", 0755), EEXIST);
    CHECK_ERRNO(mkdir("mfile/md", 0755), ENOTDIR);
    CHECK_SYSCALL(mkdir("md/sub/", 0700), 0);
    CHECK(mode_of("md/sub") == (S_IFDIR | 0700), "md/sub mode %o",
          mode_of("md/sub"));
    CHECK_ERRNO(mkdir("", 0755), ENOENT);
    /* Relative to a directory fd. */
    dfd = CHECK_OK(open("md", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(mkdirat(dfd, "at", 0755), 0);
        CHECK(exists("md/at"), "mkdirat made nothing in md");
        CHECK_ERRNO(mkdirat(dfd, "at", 0755), EEXIST);
        CHECK_ERRNO(mkdirat(dfd, "none/at", 0755), ENOENT);
        close(dfd);
    }
    CHECK_SYSCALL(mkdirat(AT_FDCWD, "md/at2", 0755), 0);
    ffd = CHECK_OK(open("mfile", O_RDONLY));
    if (ffd >= 0) {
        CHECK_ERRNO(mkdirat(ffd, "at", 0755), ENOTDIR);
        close(ffd);
    }
    CHECK_ERRNO(mkdirat(-1, "at", 0755), EBADF);
    /* A new directory bumps its parent's link count (where counted). */
    if (CHECK_SYSCALL(stat("md", &st), 0))
        CHECK(st.st_nlink == 5 || st.st_nlink == 1, "md st_nlink %lu",
              (unsigned long)st.st_nlink);
}

static void test_rmdir(void)
{
    CHECK_SYSCALL(mkdir("rd", 0755), 0);
    CHECK_SYSCALL(mkdir("rd/sub", 0755), 0);
    CHECK_SYSCALL(put_file("rd/file", "x"), 0);
    CHECK_ERRNO(rmdir("rd"), ENOTEMPTY);
    CHECK_ERRNO(rmdir("rd/file"), ENOTDIR);
    CHECK_ERRNO(rmdir("rd/file/"), ENOTDIR);
    CHECK_ERRNO(rmdir("rd/sub/."), EINVAL);
    CHECK_ERRNO(rmdir("rd/sub/.."), ENOTEMPTY);
    CHECK_ERRNO(rmdir("rd/none"), ENOENT);
    CHECK_SYSCALL(rmdir("rd/sub/"), 0);
    CHECK(!exists("rd/sub"), "rd/sub still there");
    CHECK_SYSCALL(unlink("rd/file"), 0);
    CHECK_SYSCALL(rmdir("rd"), 0);
    CHECK_ERRNO(rmdir("rd"), ENOENT);
    /* "." as the whole path, from inside a directory. */
    CHECK_SYSCALL(mkdir("rd2", 0755), 0);
    if (CHECK_SYSCALL(chdir("rd2"), 0)) {
        CHECK_ERRNO(rmdir("."), EINVAL);
        back_home();
    }
    CHECK_SYSCALL(rmdir("rd2"), 0);
}

struct seen {
    const char *name;
    unsigned char type;
    int count;    /* times listed */
    int bad_type; /* times listed with another d_type */
};

/* Read all of dir with getdents64 in buffers of bufsize, counting each
 * entry in want[]; returns the number of entries or -1. */
static int list_dir(const char *dir, size_t bufsize, struct seen *want,
                    int nwant, int *unknown)
{
    static char buf[65536];
    int fd = open(dir, O_RDONLY | O_DIRECTORY), total = 0;
    long n;

    *unknown = 0;
    if (fd < 0)
        return -1;
    while ((n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
        for (long pos = 0; pos < n;) {
            struct dent64 *de = (struct dent64 *)(buf + pos);
            int i;

            for (i = 0; i < nwant; i++)
                if (strcmp(want[i].name, de->d_name) == 0)
                    break;
            if (i < nwant) {
                want[i].count++;
                want[i].bad_type += de->d_type != want[i].type;
            } else {
                tap_diag("unexpected entry \"%s\"", de->d_name);
                ++*unknown;
            }
            total++;
            if (de->d_reclen == 0)
                break;
            pos += de->d_reclen;
        }
    }
    close(fd);
    return n < 0 ? -1 : total;
}

static void test_getdents64(void)
{
    struct seen want[] = {
        {".", DT_DIR, 0, 0},        {"..", DT_DIR, 0, 0},
        {"file", DT_REG, 0, 0},     {"dir", DT_DIR, 0, 0},
        {"link", DT_LNK, 0, 0},     {"fifo", DT_FIFO, 0, 0},
        {"dangling", DT_LNK, 0, 0},
    };
    int n = sizeof(want) / sizeof(want[0]), unknown, total, fd;
    char buf[512];
    struct stat st;

    CHECK_SYSCALL(mkdir("gd", 0755), 0);
    CHECK_SYSCALL(put_file("gd/file", "x"), 0);
    CHECK_SYSCALL(mkdir("gd/dir", 0755), 0);
    CHECK_SYSCALL(symlink("file", "gd/link"), 0);
    CHECK_SYSCALL(symlink("none", "gd/dangling"), 0);
    CHECK_SYSCALL(mkfifo("gd/fifo", 0644), 0);
    /* Small buffers: one or two entries per call. */
    total = list_dir("gd", 64, want, n, &unknown);
    CHECK(total == n && unknown == 0, "%d entries, %d unexpected", total,
          unknown);
    for (int i = 0; i < n; i++)
        CHECK(want[i].count == 1 && want[i].bad_type == 0,
              "\"%s\" listed %d times, %d with a d_type other than %u",
              want[i].name, want[i].count, want[i].bad_type, want[i].type);
    fd = CHECK_OK(open("gd", O_RDONLY | O_DIRECTORY));
    if (fd < 0)
        return;
    /* d_ino is the inode number; a rewind lists everything again. */
    CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, 1), EINVAL);
    long r = CHECK_OK(syscall(SYS_getdents64, fd, buf, sizeof(buf)));
    int count = 0;
    for (long pos = 0; pos < r;) {
        struct dent64 *de = (struct dent64 *)(buf + pos);

        if (strcmp(de->d_name, "file") == 0)
            CHECK(de->d_ino == ino_of("gd/file"), "d_ino of file differs");
        if (strcmp(de->d_name, ".") == 0 && stat("gd", &st) == 0)
            CHECK(de->d_ino == st.st_ino, "d_ino of . differs");
        count++;
        pos += de->d_reclen;
    }
    CHECK(count == n, "%d entries in one call", count);
    CHECK_SYSCALL(syscall(SYS_getdents64, fd, buf, sizeof(buf)), 0);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_SET), 0);
    r = CHECK_OK(syscall(SYS_getdents64, fd, buf, sizeof(buf)));
    CHECK(r > 0, "nothing after rewinding");
    close(fd);
    /* Not a directory. */
    fd = CHECK_OK(open("gd/file", O_RDONLY));
    if (fd >= 0) {
        CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
        close(fd);
    }
    CHECK_ERRNO(syscall(SYS_getdents64, -1, buf, sizeof(buf)), EBADF);
}

enum { MANY = 10000 };

static void test_getdents64_many(void)
{
    static char buf[4096], seen[MANY];
    int fd, bad = 0, dots = 0, dup = 0, total = 0, missing = 0;
    char name[32];
    long n;

    if (!CHECK_SYSCALL(mkdir("many", 0755), 0))
        return;
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof(name), "many/entry-%05d", i);
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (!CHECK(fd >= 0, "creating %s: %s", name, tap_errno_name(errno)))
            return;
        close(fd);
    }
    fd = CHECK_OK(open("many", O_RDONLY | O_DIRECTORY));
    if (fd < 0)
        return;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        for (long pos = 0; pos < n;) {
            struct dent64 *de = (struct dent64 *)(buf + pos);
            int i;

            total++;
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                dots++;
            else if (sscanf(de->d_name, "entry-%d", &i) == 1 && i >= 0 &&
                     i < MANY && de->d_type == DT_REG)
                dup += seen[i]++ > 0;
            else
                bad++;
            if (de->d_reclen == 0)
                break;
            pos += de->d_reclen;
        }
    }
    CHECK(n == 0, "getdents64 ended with %ld (%s)", n, tap_errno_name(errno));
    close(fd);
    for (int i = 0; i < MANY; i++)
        missing += !seen[i];
    CHECK(total == MANY + 2 && dots == 2 && bad == 0 && dup == 0 &&
              missing == 0,
          "%d entries: %d dots, %d bad, %d twice, %d missing", total, dots, bad,
          dup, missing);
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof(name), "many/entry-%05d", i);
        if (!CHECK(unlink(name) == 0, "unlink %s: %s", name,
                   tap_errno_name(errno)))
            return;
    }
    CHECK_SYSCALL(rmdir("many"), 0);
}

static void test_unlink(void)
{
    int dfd;

    CHECK_SYSCALL(put_file("ul", "x"), 0);
    CHECK_SYSCALL(unlink("ul"), 0);
    CHECK(!exists("ul"), "ul still there");
    CHECK_ERRNO(unlink("ul"), ENOENT);
    CHECK_SYSCALL(mkdir("ud", 0755), 0);
    CHECK_ERRNO(unlink("ud"), EISDIR);
    CHECK_SYSCALL(put_file("ud/f", "x"), 0);
    CHECK_ERRNO(unlink("ud/f/"), ENOTDIR);
    CHECK_ERRNO(unlink("ud/f/x"), ENOTDIR);
    /* unlink removes a symlink, not its target. */
    CHECK_SYSCALL(symlink("f", "ud/l"), 0);
    CHECK_SYSCALL(unlink("ud/l"), 0);
    CHECK(exists("ud/f") && !exists("ud/l"), "unlink of a symlink");
    dfd = CHECK_OK(open("ud", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(mkdir("ud/sub", 0755), 0);
        CHECK_ERRNO(unlinkat(dfd, "sub", 0), EISDIR);
        CHECK_ERRNO(unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR);
        CHECK_ERRNO(unlinkat(dfd, "f", 0x1000), EINVAL);
        CHECK_SYSCALL(unlinkat(dfd, "sub", AT_REMOVEDIR), 0);
        CHECK_SYSCALL(unlinkat(dfd, "f", 0), 0);
        CHECK_ERRNO(unlinkat(dfd, "f", 0), ENOENT);
        close(dfd);
    }
    CHECK_ERRNO(unlinkat(AT_FDCWD, "ud/.", AT_REMOVEDIR), EINVAL);
    CHECK_SYSCALL(unlinkat(AT_FDCWD, "ud", AT_REMOVEDIR), 0);
    CHECK(!exists("ud"), "ud still there");
}

static void test_rename(void)
{
    ino_t ino;
    int d1, d2;

    /* A file to a new name keeps its inode. */
    CHECK_SYSCALL(put_file("ra", "A"), 0);
    ino = ino_of("ra");
    CHECK_SYSCALL(rename("ra", "rb"), 0);
    CHECK(!exists("ra") && ino_of("rb") == ino, "ra -> rb");
    CHECK_ERRNO(rename("ra", "rc"), ENOENT);
    /* Over an existing file, which goes away. */
    CHECK_SYSCALL(put_file("rc", "C"), 0);
    CHECK_SYSCALL(rename("rb", "rc"), 0);
    CHECK(!exists("rb") && ino_of("rc") == ino, "rb over rc");
    CHECK_CONTENT("rc", "A");
    /* To itself, and between two links of one file: nothing happens. */
    CHECK_SYSCALL(rename("rc", "rc"), 0);
    CHECK_SYSCALL(link("rc", "rc2"), 0);
    CHECK_SYSCALL(rename("rc", "rc2"), 0);
    CHECK(exists("rc") && exists("rc2"), "rename between links removed one");
    CHECK_SYSCALL(unlink("rc2"), 0);
    /* A directory with its contents. */
    CHECK_SYSCALL(mkdir("rd1", 0755), 0);
    CHECK_SYSCALL(put_file("rd1/in", "in"), 0);
    CHECK_SYSCALL(rename("rd1", "rd2"), 0);
    CHECK(!exists("rd1"), "rd1 still there");
    CHECK_CONTENT("rd2/in", "in");
    /* Into its own subdirectory. */
    CHECK_SYSCALL(mkdir("rd2/sub", 0755), 0);
    CHECK_ERRNO(rename("rd2", "rd2/sub/x"), EINVAL);
    CHECK_ERRNO(rename("rd2", "rd2/x"), EINVAL);
    /* Over a non-empty directory, over an empty one. */
    CHECK_SYSCALL(mkdir("rd3", 0755), 0);
    CHECK_SYSCALL(put_file("rd3/keep", "k"), 0);
    CHECK_ERRNO(rename("rd2", "rd3"), ENOTEMPTY);
    CHECK_SYSCALL(mkdir("rd4", 0755), 0);
    CHECK_SYSCALL(rename("rd2", "rd4"), 0);
    CHECK_CONTENT("rd4/in", "in");
    /* Directory over a file and file over a directory. */
    CHECK_ERRNO(rename("rd4", "rc"), ENOTDIR);
    CHECK_ERRNO(rename("rc", "rd4"), EISDIR);
    CHECK_ERRNO(rename("rc", "rc/x"), ENOTDIR);
    CHECK_ERRNO(rename("rc", "none/x"), ENOENT);
    /* renameat between two directory fds. */
    d1 = CHECK_OK(open("rd3", O_RDONLY | O_DIRECTORY));
    d2 = CHECK_OK(open("rd4", O_RDONLY | O_DIRECTORY));
    if (d1 >= 0 && d2 >= 0) {
        CHECK_SYSCALL(renameat(d1, "keep", d2, "kept"), 0);
        CHECK(!exists("rd3/keep"), "rd3/keep still there");
        CHECK_CONTENT("rd4/kept", "k");
        CHECK_SYSCALL(renameat(d2, "kept", AT_FDCWD, "rkept"), 0);
        CHECK_CONTENT("rkept", "k");
    }
    if (d1 >= 0)
        close(d1);
    if (d2 >= 0)
        close(d2);
}

static void test_renameat2(void)
{
    struct stat st;

    CHECK_SYSCALL(put_file("x1", "one"), 0);
    CHECK_SYSCALL(put_file("x2", "two"), 0);
    errno = 0;
    if (syscall(SYS_renameat2, AT_FDCWD, "x1", AT_FDCWD, "x2",
                RENAME_NOREPLACE) == 0) {
        CHECK(0, "RENAME_NOREPLACE replaced a file");
        return;
    }
    if (errno == ENOSYS)
        SKIP("no renameat2 (ENOSYS)");
    CHECK(errno == EEXIST, "RENAME_NOREPLACE: %s, want EEXIST",
          tap_errno_name(errno));
    CHECK_CONTENT("x2", "two");
    CHECK_SYSCALL(syscall(SYS_renameat2, AT_FDCWD, "x1", AT_FDCWD, "x3",
                          RENAME_NOREPLACE),
                  0);
    CHECK(!exists("x1"), "x1 still there");
    CHECK_CONTENT("x3", "one");
    /* Exchange two files, then a file and a directory. */
    CHECK_SYSCALL(
        syscall(SYS_renameat2, AT_FDCWD, "x2", AT_FDCWD, "x3", RENAME_EXCHANGE),
        0);
    CHECK_CONTENT("x2", "one");
    CHECK_CONTENT("x3", "two");
    CHECK_SYSCALL(mkdir("xd", 0755), 0);
    CHECK_SYSCALL(
        syscall(SYS_renameat2, AT_FDCWD, "xd", AT_FDCWD, "x2", RENAME_EXCHANGE),
        0);
    CHECK(stat("x2", &st) == 0 && S_ISDIR(st.st_mode), "x2 is not a dir");
    CHECK_CONTENT("xd", "one");
    CHECK_ERRNO(
        syscall(SYS_renameat2, AT_FDCWD, "x3", AT_FDCWD, "x4", RENAME_EXCHANGE),
        ENOENT);
    CHECK_ERRNO(syscall(SYS_renameat2, AT_FDCWD, "x3", AT_FDCWD, "xd",
                        RENAME_EXCHANGE | RENAME_NOREPLACE),
                EINVAL);
    CHECK_ERRNO(syscall(SYS_renameat2, AT_FDCWD, "x3", AT_FDCWD, "x5", 0x100),
                EINVAL);
    /* Flags 0 is plain renameat. */
    CHECK_SYSCALL(syscall(SYS_renameat2, AT_FDCWD, "x3", AT_FDCWD, "xd", 0), 0);
    CHECK_CONTENT("xd", "two");
}

static void test_link(void)
{
    struct stat st;

    CHECK_SYSCALL(put_file("lk", "L"), 0);
    CHECK(nlink_of("lk") == 1, "st_nlink %ld", nlink_of("lk"));
    CHECK_SYSCALL(link("lk", "lk2"), 0);
    CHECK(nlink_of("lk") == 2 && nlink_of("lk2") == 2, "st_nlink %ld %ld",
          nlink_of("lk"), nlink_of("lk2"));
    CHECK(ino_of("lk") == ino_of("lk2"), "links have different inodes");
    /* A write through one name shows through the other. */
    CHECK_SYSCALL(put_file("lk2", "changed"), 0);
    CHECK_CONTENT("lk", "changed");
    CHECK_ERRNO(link("lk", "lk2"), EEXIST);
    CHECK_ERRNO(link("none", "lk3"), ENOENT);
    CHECK_ERRNO(link("lk", "none/lk3"), ENOENT);
    CHECK_SYSCALL(mkdir("lkd", 0755), 0);
    CHECK_ERRNO(link("lkd", "lkd2"), EPERM);
    CHECK_SYSCALL(unlink("lk2"), 0);
    CHECK(nlink_of("lk") == 1, "st_nlink %ld after unlink", nlink_of("lk"));
    /* linkat of a symlink: the link itself, or with AT_SYMLINK_FOLLOW its
     * target. */
    CHECK_SYSCALL(symlink("lk", "lks"), 0);
    CHECK_SYSCALL(linkat(AT_FDCWD, "lks", AT_FDCWD, "lks2", 0), 0);
    CHECK(S_ISLNK(mode_of("lks2")) && nlink_of("lks") == 2, "lks2 mode %o",
          mode_of("lks2"));
    CHECK_SYSCALL(linkat(AT_FDCWD, "lks", AT_FDCWD, "lk3", AT_SYMLINK_FOLLOW),
                  0);
    CHECK(S_ISREG(mode_of("lk3")) && nlink_of("lk") == 2, "lk3 mode %o",
          mode_of("lk3"));
    CHECK_ERRNO(linkat(AT_FDCWD, "lk", AT_FDCWD, "lk4", 0x1), EINVAL);
    if (CHECK_SYSCALL(stat("lk", &st), 0))
        CHECK(st.st_nlink == 2, "st_nlink %lu", (unsigned long)st.st_nlink);
}

static void test_symlink(void)
{
    char buf[64];
    int dfd;

    CHECK_SYSCALL(put_file("target", "T"), 0);
    CHECK_SYSCALL(symlink("target", "sl"), 0);
    CHECK_CONTENT("sl", "T");
    CHECK_ERRNO(symlink("target", "sl"), EEXIST);
    CHECK_ERRNO(symlink("target", "none/sl"), ENOENT);
    CHECK_ERRNO(symlink("", "sl-empty"), ENOENT);
    memset(buf, 0, sizeof(buf));
    if (CHECK_SYSCALL(readlink("sl", buf, sizeof(buf)), 6))
        CHECK(strcmp(buf, "target") == 0, "readlink \"%s\"", buf);
    /* Truncated to the buffer, with no NUL. */
    memset(buf, 'x', sizeof(buf));
    if (CHECK_SYSCALL(readlink("sl", buf, 3), 3))
        CHECK(memcmp(buf, "tarx", 4) == 0, "readlink \"%.4s\"", buf);
    CHECK_ERRNO(syscall(SYS_readlink, "sl", buf, 0), EINVAL);
    CHECK_ERRNO(readlink("target", buf, sizeof(buf)), EINVAL);
    CHECK_ERRNO(readlink(".", buf, sizeof(buf)), EINVAL);
    CHECK_ERRNO(readlink("none", buf, sizeof(buf)), ENOENT);
    /* A relative target is relative to the link's directory. */
    CHECK_SYSCALL(mkdir("sd", 0755), 0);
    CHECK_SYSCALL(symlink("../target", "sd/up"), 0);
    CHECK_CONTENT("sd/up", "T");
    CHECK_SYSCALL(symlink("sd", "sdl"), 0);
    CHECK_CONTENT("sdl/up", "T");
    dfd = CHECK_OK(open("sd", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(symlinkat("up", dfd, "up2"), 0);
        CHECK_CONTENT("sd/up2", "T");
        memset(buf, 0, sizeof(buf));
        if (CHECK_SYSCALL(readlinkat(dfd, "up", buf, sizeof(buf)), 9))
            CHECK(strcmp(buf, "../target") == 0, "readlinkat \"%s\"", buf);
        close(dfd);
    }
    /* A dangling link. */
    CHECK_SYSCALL(symlink("nowhere", "dang"), 0);
    CHECK_ERRNO(open("dang", O_RDONLY), ENOENT);
    CHECK(S_ISLNK(mode_of("dang")), "lstat of a dangling link");
    /* Loops. */
    CHECK_SYSCALL(symlink("loop-b", "loop-a"), 0);
    CHECK_SYSCALL(symlink("loop-a", "loop-b"), 0);
    CHECK_SYSCALL(symlink("self", "self"), 0);
    CHECK_ERRNO(open("loop-a", O_RDONLY), ELOOP);
    CHECK_ERRNO(access("loop-b", F_OK), ELOOP);
    CHECK_ERRNO(open("self", O_RDONLY), ELOOP);
    CHECK_ERRNO(open("self/x", O_RDONLY), ELOOP);
    CHECK_ERRNO(mkdir("self/x", 0755), ELOOP);
    CHECK(S_ISLNK(mode_of("self")), "lstat of a loop");
}

/* Make name-1 -> name-2 -> ... -> name-n -> target; 0 or -1. */
static int make_chain(const char *name, int n, const char *target)
{
    char from[64], to[64];

    for (int i = 1; i <= n; i++) {
        snprintf(from, sizeof(from), "%s-%d", name, i);
        if (i < n)
            snprintf(to, sizeof(to), "%s-%d", name, i + 1);
        else
            snprintf(to, sizeof(to), "%s", target);
        if (symlink(to, from) != 0)
            return -1;
    }
    return 0;
}

static void test_symlink_chain(void)
{
    CHECK_SYSCALL(put_file("chained", "C"), 0);
    CHECK_SYSCALL(make_chain("c8", 8, "chained"), 0);
    CHECK_CONTENT("c8-1", "C");
    /* Linux follows at most 40 links in one lookup. */
    CHECK_SYSCALL(make_chain("c40", 40, "chained"), 0);
    CHECK_CONTENT("c40-1", "C");
    CHECK_SYSCALL(make_chain("c41", 41, "chained"), 0);
    CHECK_ERRNO(open("c41-1", O_RDONLY), ELOOP);
    CHECK_CONTENT("c41-2", "C");
}

/* Write into buf a path of exactly len bytes naming pw/a/c: "./" repeated,
 * then "pw/a/c" or "pw//a/c"; returns strlen(buf). */
static size_t long_path(char *buf, size_t len)
{
    const char *tail = len % 2 ? "pw//a/c" : "pw/a/c";
    size_t n = 0;

    while (n + strlen(tail) < len) {
        memcpy(buf + n, "./", 2);
        n += 2;
    }
    strcpy(buf + n, tail);
    return strlen(buf);
}

static void test_path_walk(void)
{
    static char path[8192];
    char name[301];
    struct stat a, b;
    int fd;
    size_t len;

    CHECK_SYSCALL(mkdir("pw", 0755), 0);
    CHECK_SYSCALL(mkdir("pw/a", 0755), 0);
    CHECK_SYSCALL(mkdir("pw/a/b", 0755), 0);
    CHECK_SYSCALL(put_file("pw/a/c", "c"), 0);
    CHECK_CONTENT("pw/a/./b/../c", "c");
    CHECK_CONTENT("pw//a///c", "c");
    CHECK_CONTENT("./pw/a/b/../../a/c", "c");
    if (CHECK_SYSCALL(stat(".", &a), 0) && CHECK_SYSCALL(stat("pw/..", &b), 0))
        CHECK(a.st_ino == b.st_ino, "pw/.. is not .");
    if (CHECK_SYSCALL(stat("/", &a), 0) && CHECK_SYSCALL(stat("/..", &b), 0))
        CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "/.. is not /");
    CHECK_SYSCALL(stat("pw/a/", &a), 0);
    CHECK_SYSCALL(stat("pw/a/.", &a), 0);
    /* Trailing slash or a file as a component. */
    CHECK_ERRNO(stat("pw/a/c/", &a), ENOTDIR);
    CHECK_ERRNO(open("pw/a/c/", O_RDONLY), ENOTDIR);
    CHECK_ERRNO(stat("pw/a/c/.", &a), ENOTDIR);
    CHECK_ERRNO(stat("pw/a/c/..", &a), ENOTDIR);
    CHECK_ERRNO(open("pw/a/c/", O_WRONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERRNO(open("pw/a/new/", O_WRONLY | O_CREAT, 0644), EISDIR);
    CHECK_ERRNO(stat("pw/a/missing/..", &a), ENOENT);
    CHECK_ERRNO(stat("", &a), ENOENT);
    CHECK_ERRNO(open("", O_RDONLY), ENOENT);
    /* Name length: 255 is fine, 300 is too long. */
    memset(name, 'n', 255);
    name[255] = '\0';
    fd = CHECK_OK(open(name, O_WRONLY | O_CREAT, 0644));
    if (fd >= 0) {
        close(fd);
        CHECK_SYSCALL(unlink(name), 0);
    }
    memset(name, 'n', 300);
    name[300] = '\0';
    CHECK_ERRNO(open(name, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
    CHECK_ERRNO(stat(name, &a), ENAMETOOLONG);
    CHECK_ERRNO(mkdir(name, 0755), ENAMETOOLONG);
    /* Path length: 4095 bytes and the NUL fit in PATH_MAX, 4096 do not. */
    len = long_path(path, 4095);
    if (CHECK(len == 4095, "length %zu", len))
        CHECK_CONTENT(path, "c");
    len = long_path(path, 4096);
    if (CHECK(len == 4096, "length %zu", len)) {
        CHECK_ERRNO(stat(path, &a), ENAMETOOLONG);
        CHECK_ERRNO(open(path, O_RDONLY), ENAMETOOLONG);
    }
    len = long_path(path, 6000);
    CHECK_ERRNO(mkdir(path, 0755), ENAMETOOLONG);
}

static void test_cwd(void)
{
    char home[PATH_MAX], buf[PATH_MAX], want[PATH_MAX + 8];
    int dfd, ffd;

    if (!CHECK(getcwd(home, sizeof(home)) == home, "getcwd: %s",
               tap_errno_name(errno)))
        return;
    CHECK_SYSCALL(mkdir("cw", 0755), 0);
    CHECK_SYSCALL(mkdir("cw/sub", 0755), 0);
    if (CHECK_SYSCALL(chdir("cw/sub"), 0)) {
        snprintf(want, sizeof(want), "%s/cw/sub", home);
        if (CHECK(getcwd(buf, sizeof(buf)) == buf, "getcwd: %s",
                  tap_errno_name(errno)))
            CHECK(strcmp(buf, want) == 0, "cwd is not <home>/cw/sub");
        CHECK_SYSCALL(chdir(".."), 0);
        CHECK_SYSCALL(chdir(".."), 0);
        if (CHECK(getcwd(buf, sizeof(buf)) == buf, "getcwd: %s",
                  tap_errno_name(errno)))
            CHECK(strcmp(buf, home) == 0, "not back home after ../..");
    }
    back_home();
    /* Relative paths follow the cwd. */
    CHECK_SYSCALL(put_file("cw/sub/f", "f"), 0);
    dfd = CHECK_OK(open("cw", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        if (CHECK_SYSCALL(fchdir(dfd), 0)) {
            CHECK_CONTENT("sub/f", "f");
            snprintf(want, sizeof(want), "%s/cw", home);
            if (CHECK(getcwd(buf, sizeof(buf)) == buf, "getcwd: %s",
                      tap_errno_name(errno)))
                CHECK(strcmp(buf, want) == 0, "cwd is not <home>/cw");
        }
        close(dfd);
        back_home();
    }
    /* The raw call returns the length with the NUL; too small: ERANGE. */
    CHECK_SYSCALL(syscall(SYS_getcwd, buf, sizeof(buf)), strlen(home) + 1);
    CHECK_ERRNO(syscall(SYS_getcwd, buf, strlen(home)), ERANGE);
    CHECK_ERRNO(chdir("cw/sub/f"), ENOTDIR);
    CHECK_ERRNO(chdir("cw/none"), ENOENT);
    CHECK_ERRNO(chdir(""), ENOENT);
    ffd = CHECK_OK(open("cw/sub/f", O_RDONLY));
    if (ffd >= 0) {
        CHECK_ERRNO(fchdir(ffd), ENOTDIR);
        close(ffd);
    }
    CHECK_ERRNO(fchdir(-1), EBADF);
    if (CHECK(getcwd(buf, sizeof(buf)) == buf, "getcwd: %s",
              tap_errno_name(errno)))
        CHECK(strcmp(buf, home) == 0, "failed chdirs moved the cwd");
}

static void test_chroot(void)
{
    char buf[PATH_MAX];
    struct stat a, b;
    int old_root;

    CHECK_SYSCALL(mkdir("jail", 0755), 0);
    CHECK_SYSCALL(mkdir("jail/d", 0755), 0);
    CHECK_SYSCALL(put_file("jail/marker", "m"), 0);
    CHECK_ERRNO(chroot("jail/marker"), ENOTDIR);
    CHECK_ERRNO(chroot("jail/none"), ENOENT);
    old_root = CHECK_OK(open("/", O_RDONLY | O_DIRECTORY));
    if (old_root < 0)
        return;
    errno = 0;
    if (chroot("jail") != 0) {
        int e = errno;

        close(old_root);
        if (e == EPERM)
            SKIP("chroot needs CAP_SYS_CHROOT (EPERM)");
        CHECK(0, "chroot(\"jail\"): %s", tap_errno_name(e));
        return;
    }
    if (CHECK_SYSCALL(chdir("/"), 0)) {
        CHECK_CONTENT("/marker", "m");
        CHECK_CONTENT("/d/../marker", "m");
        if (CHECK(getcwd(buf, sizeof(buf)) == buf, "getcwd: %s",
                  tap_errno_name(errno)))
            CHECK(strcmp(buf, "/") == 0, "cwd in the jail is \"%s\"", buf);
        /* ".." of the new root is itself. */
        if (CHECK_SYSCALL(stat("/", &a), 0) &&
            CHECK_SYSCALL(stat("/..", &b), 0))
            CHECK(a.st_ino == b.st_ino, "/.. leaves the jail");
        CHECK_CONTENT("/../../marker", "m");
        CHECK_ERRNO(stat("/tmp", &a), ENOENT);
    }
    /* Out again through the saved fd. */
    CHECK_SYSCALL(fchdir(old_root), 0);
    CHECK_SYSCALL(chroot("."), 0);
    close(old_root);
    back_home();
    CHECK_CONTENT("jail/marker", "m");
}

static void test_chmod(void)
{
    int fd, dfd;

    CHECK_SYSCALL(put_file("cm", "x"), 0);
    CHECK_SYSCALL(chmod("cm", 0600), 0);
    CHECK(mode_of("cm") == (S_IFREG | 0600), "mode %o", mode_of("cm"));
    /* No umask, and the type bits are ignored. */
    CHECK_SYSCALL(chmod("cm", 0777), 0);
    CHECK(mode_of("cm") == (S_IFREG | 0777), "mode %o", mode_of("cm"));
    CHECK_SYSCALL(chmod("cm", S_IFDIR | 0640), 0);
    CHECK(mode_of("cm") == (S_IFREG | 0640), "mode %o", mode_of("cm"));
    fd = CHECK_OK(open("cm", O_RDONLY));
    if (fd >= 0) {
        CHECK_SYSCALL(fchmod(fd, 0751), 0);
        CHECK(mode_of("cm") == (S_IFREG | 0751), "mode %o", mode_of("cm"));
        close(fd);
    }
    /* The raw fchmodat has no flags argument. */
    CHECK_SYSCALL(syscall(SYS_fchmodat, AT_FDCWD, "cm", 0444), 0);
    CHECK(mode_of("cm") == (S_IFREG | 0444), "mode %o", mode_of("cm"));
    CHECK_SYSCALL(mkdir("cmd", 0755), 0);
    CHECK_SYSCALL(put_file("cmd/f", "x"), 0);
    dfd = CHECK_OK(open("cmd", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(syscall(SYS_fchmodat, dfd, "f", 0604), 0);
        CHECK(mode_of("cmd/f") == (S_IFREG | 0604), "mode %o",
              mode_of("cmd/f"));
        CHECK_SYSCALL(fchmod(dfd, 01777), 0);
        CHECK(mode_of("cmd") == (S_IFDIR | 01777), "dir mode %o",
              mode_of("cmd"));
        close(dfd);
    }
    /* chmod follows a symlink to its target. */
    CHECK_SYSCALL(symlink("cm", "cml"), 0);
    CHECK_SYSCALL(chmod("cml", 0700), 0);
    CHECK(mode_of("cm") == (S_IFREG | 0700), "target mode %o", mode_of("cm"));
    CHECK(S_ISLNK(mode_of("cml")), "the link changed");
    CHECK_ERRNO(chmod("none", 0644), ENOENT);
    CHECK_ERRNO(fchmod(-1, 0644), EBADF);
}

static void test_chown(void)
{
    struct stat st, lst, after;
    int fd, dfd;

    CHECK_SYSCALL(put_file("co", "x"), 0);
    CHECK_SYSCALL(symlink("co", "col"), 0);
    if (!CHECK_SYSCALL(stat("co", &st), 0) ||
        !CHECK_SYSCALL(lstat("col", &lst), 0))
        return;
    CHECK(st.st_uid == geteuid(), "st_uid %u", (unsigned)st.st_uid);
    /* To the owner and group it has: allowed to anyone who owns it. */
    CHECK_SYSCALL(chown("co", st.st_uid, st.st_gid), 0);
    CHECK_SYSCALL(chown("co", -1, -1), 0);
    CHECK_SYSCALL(lchown("col", lst.st_uid, lst.st_gid), 0);
    CHECK_SYSCALL(
        fchownat(AT_FDCWD, "col", lst.st_uid, lst.st_gid, AT_SYMLINK_NOFOLLOW),
        0);
    CHECK_SYSCALL(fchownat(AT_FDCWD, "col", st.st_uid, st.st_gid, 0), 0);
    fd = CHECK_OK(open("co", O_RDONLY));
    if (fd >= 0) {
        CHECK_SYSCALL(fchown(fd, st.st_uid, st.st_gid), 0);
        CHECK_SYSCALL(fchownat(fd, "", -1, st.st_gid, AT_EMPTY_PATH), 0);
        close(fd);
    }
    dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(fchownat(dfd, "co", st.st_uid, -1, 0), 0);
        close(dfd);
    }
    if (CHECK_SYSCALL(stat("co", &after), 0))
        CHECK(after.st_uid == st.st_uid && after.st_gid == st.st_gid &&
                  after.st_mode == st.st_mode,
              "owner or mode changed");
    CHECK_ERRNO(chown("none", st.st_uid, st.st_gid), ENOENT);
    CHECK_ERRNO(fchown(-1, st.st_uid, st.st_gid), EBADF);
    CHECK_ERRNO(fchownat(AT_FDCWD, "co", -1, -1, 0x1), EINVAL);
}

static void test_access(void)
{
    int dfd;

    CHECK_SYSCALL(put_file("ac", "x"), 0);
    CHECK_SYSCALL(chmod("ac", 0644), 0);
    CHECK_SYSCALL(access("ac", F_OK), 0);
    CHECK_SYSCALL(access("ac", R_OK | W_OK), 0);
    /* No x bit anywhere: even root may not execute it. */
    CHECK_ERRNO(access("ac", X_OK), EACCES);
    CHECK_ERRNO(access("none", F_OK), ENOENT);
    CHECK_ERRNO(access("ac/x", F_OK), ENOTDIR);
    CHECK_ERRNO(access("ac", 8), EINVAL);
    CHECK_SYSCALL(access(".", R_OK | W_OK | X_OK), 0);
    /* Read-only: only root may write. */
    CHECK_SYSCALL(put_file("acro", "x"), 0);
    CHECK_SYSCALL(chmod("acro", 0444), 0);
    if (geteuid() == 0)
        CHECK_SYSCALL(access("acro", W_OK), 0);
    else
        CHECK_ERRNO(access("acro", W_OK), EACCES);
    /* The raw faccessat has no flags argument. */
    dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(syscall(SYS_faccessat, dfd, "ac", R_OK), 0);
        CHECK_ERRNO(syscall(SYS_faccessat, dfd, "none", F_OK), ENOENT);
        close(dfd);
    }
    CHECK_SYSCALL(syscall(SYS_faccessat, AT_FDCWD, "ac", W_OK), 0);
    CHECK_ERRNO(syscall(SYS_faccessat, -1, "ac", F_OK), EBADF);
}

static void test_faccessat2(void)
{
    int fd;

    CHECK_SYSCALL(put_file("fa", "x"), 0);
    CHECK_SYSCALL(chmod("fa", 0600), 0);
    CHECK_SYSCALL(symlink("nowhere", "fa-dangling"), 0);
    errno = 0;
    if (syscall(SYS_faccessat2, AT_FDCWD, "fa", R_OK | W_OK, 0) != 0) {
        if (errno == ENOSYS)
            SKIP("no faccessat2 (ENOSYS)");
        CHECK(0, "faccessat2: %s", tap_errno_name(errno));
        return;
    }
    CHECK_SYSCALL(syscall(SYS_faccessat2, AT_FDCWD, "fa", R_OK, AT_EACCESS), 0);
    CHECK_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "fa", X_OK, AT_EACCESS),
                EACCES);
    /* The link itself exists; what it points to does not. */
    CHECK_SYSCALL(syscall(SYS_faccessat2, AT_FDCWD, "fa-dangling", F_OK,
                          AT_SYMLINK_NOFOLLOW),
                  0);
    CHECK_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "fa-dangling", F_OK, 0),
                ENOENT);
    fd = CHECK_OK(open("fa", O_RDONLY));
    if (fd >= 0) {
        CHECK_SYSCALL(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH), 0);
        close(fd);
    }
    CHECK_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "fa", F_OK, 0x1), EINVAL);
    CHECK_ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "none", F_OK, 0), ENOENT);
}

static int ts_eq(const struct timespec *a, long long sec, long nsec)
{
    return a->tv_sec == sec && a->tv_nsec == nsec;
}

static void test_times(void)
{
    struct timespec ts[2], t0, t1;
    struct timeval tv[2];
    struct stat st, lst;
    long long now0, now1, m;
    int fd;

    CHECK_SYSCALL(put_file("tm", "x"), 0);
    CHECK_SYSCALL(symlink("tm", "tml"), 0);
    /* Nanoseconds, and a time past 2038. */
    ts[0] = (struct timespec){1000000000, 123456789};
    ts[1] = (struct timespec){4102444800LL, 987654321};
    CHECK_SYSCALL(utimensat(AT_FDCWD, "tm", ts, 0), 0);
    if (CHECK_SYSCALL(stat("tm", &st), 0)) {
        CHECK(ts_eq(&st.st_atim, 1000000000, 123456789), "atime %lld.%09ld",
              (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
        CHECK(ts_eq(&st.st_mtim, 4102444800LL, 987654321), "mtime %lld.%09ld",
              (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    }
    /* futimens on an fd. */
    fd = CHECK_OK(open("tm", O_RDONLY));
    if (fd >= 0) {
        ts[0] = (struct timespec){1234567890, 1};
        ts[1] = (struct timespec){1234567891, 999999999};
        CHECK_SYSCALL(futimens(fd, ts), 0);
        if (CHECK_SYSCALL(fstat(fd, &st), 0)) {
            CHECK(ts_eq(&st.st_atim, 1234567890, 1), "atime %lld.%09ld",
                  (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
            CHECK(ts_eq(&st.st_mtim, 1234567891, 999999999), "mtime %lld.%09ld",
                  (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        }
        close(fd);
    }
    /* utimes: microseconds. */
    tv[0] = (struct timeval){1500000000, 250000};
    tv[1] = (struct timeval){1500000001, 750001};
    CHECK_SYSCALL(utimes("tm", tv), 0);
    if (CHECK_SYSCALL(stat("tm", &st), 0)) {
        CHECK(ts_eq(&st.st_atim, 1500000000, 250000000), "atime %lld.%09ld",
              (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
        CHECK(ts_eq(&st.st_mtim, 1500000001, 750001000), "mtime %lld.%09ld",
              (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    }
    /* UTIME_OMIT keeps atime, UTIME_NOW sets mtime to about now. */
    ts[0] = (struct timespec){0, UTIME_OMIT};
    ts[1] = (struct timespec){0, UTIME_NOW};
    clock_gettime(CLOCK_REALTIME, &t0);
    CHECK_SYSCALL(utimensat(AT_FDCWD, "tm", ts, 0), 0);
    clock_gettime(CLOCK_REALTIME, &t1);
    if (CHECK_SYSCALL(stat("tm", &st), 0)) {
        CHECK(ts_eq(&st.st_atim, 1500000000, 250000000),
              "UTIME_OMIT changed atime to %lld.%09ld",
              (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
        now0 = t0.tv_sec * 1000000000LL + t0.tv_nsec;
        now1 = t1.tv_sec * 1000000000LL + t1.tv_nsec;
        m = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        /* The kernel stamps with a coarse clock: allow a second. */
        CHECK(m >= now0 - 1000000000LL && m <= now1 + 1000000000LL,
              "UTIME_NOW mtime is %lld ns off", m - now0);
    }
    /* A NULL times means now for both. */
    CHECK_SYSCALL(utimensat(AT_FDCWD, "tm", NULL, 0), 0);
    if (CHECK_SYSCALL(stat("tm", &st), 0))
        CHECK(st.st_atim.tv_sec >= t0.tv_sec - 1, "NULL times: atime old");
    /* AT_SYMLINK_NOFOLLOW stamps the link, not the target. */
    ts[0] = (struct timespec){1111111111, 111};
    ts[1] = (struct timespec){1222222222, 222};
    CHECK_SYSCALL(utimensat(AT_FDCWD, "tml", ts, AT_SYMLINK_NOFOLLOW), 0);
    if (CHECK_SYSCALL(lstat("tml", &lst), 0) &&
        CHECK_SYSCALL(stat("tm", &st), 0)) {
        CHECK(ts_eq(&lst.st_mtim, 1222222222, 222), "link mtime %lld.%09ld",
              (long long)lst.st_mtim.tv_sec, lst.st_mtim.tv_nsec);
        CHECK(!ts_eq(&st.st_mtim, 1222222222, 222), "target mtime changed");
    }
    ts[1] = (struct timespec){0, 1000000000};
    CHECK_ERRNO(utimensat(AT_FDCWD, "tm", ts, 0), EINVAL);
    ts[1] = (struct timespec){0, -1};
    CHECK_ERRNO(utimensat(AT_FDCWD, "tm", ts, 0), EINVAL);
    CHECK_ERRNO(utimensat(AT_FDCWD, "none", NULL, 0), ENOENT);
    CHECK_ERRNO(futimens(-1, NULL), EBADF);
}

static void test_statfs(void)
{
    struct statfs a, b;
    int fd;

    if (!CHECK_SYSCALL(statfs(".", &a), 0))
        return;
    CHECK(a.f_bsize > 0, "f_bsize %ld", (long)a.f_bsize);
    CHECK(a.f_bfree <= a.f_blocks && a.f_bavail <= a.f_blocks,
          "f_bfree %llu f_bavail %llu f_blocks %llu",
          (unsigned long long)a.f_bfree, (unsigned long long)a.f_bavail,
          (unsigned long long)a.f_blocks);
    CHECK(a.f_namelen >= 255, "f_namelen %ld", (long)a.f_namelen);
    tap_diag("f_type %#lx f_bsize %ld", (unsigned long)a.f_type,
             (long)a.f_bsize);
    CHECK_SYSCALL(put_file("sf", "x"), 0);
    fd = CHECK_OK(open("sf", O_RDONLY));
    if (fd >= 0) {
        if (CHECK_SYSCALL(fstatfs(fd, &b), 0))
            CHECK(b.f_bsize == a.f_bsize && b.f_type == a.f_type,
                  "fstatfs and statfs differ");
        close(fd);
    }
    CHECK_ERRNO(statfs("none", &b), ENOENT);
    CHECK_ERRNO(fstatfs(-1, &b), EBADF);
}

static const struct tap_test tests[] = {
    {"mkdir/mkdirat: EEXIST, ENOENT, ENOTDIR", test_mkdir},
    {"rmdir: ENOTEMPTY, ENOTDIR, EINVAL for .", test_rmdir},
    {"getdents64 lists exactly the entries with their d_type", test_getdents64},
    {"getdents64 lists all of 10000 entries once", test_getdents64_many},
    {"unlink/unlinkat with and without AT_REMOVEDIR", test_unlink},
    {"rename/renameat of files and directories", test_rename},
    {"renameat2 RENAME_NOREPLACE and RENAME_EXCHANGE", test_renameat2},
    {"link/linkat: st_nlink 2, EPERM for a directory", test_link},
    {"symlink/readlink: EINVAL, truncation, ELOOP", test_symlink},
    {"a chain of 8 symlinks resolves, 41 is ELOOP", test_symlink_chain},
    {"path walk: . .. slashes, ENOTDIR, ENAMETOOLONG, ENOENT", test_path_walk},
    {"chdir/fchdir/getcwd", test_cwd},
    {"chroot and back out", test_chroot},
    {"chmod/fchmod/fchmodat", test_chmod},
    {"chown/fchown/lchown/fchownat to the same owner", test_chown},
    {"access/faccessat", test_access},
    {"faccessat2 with AT_EACCESS and AT_SYMLINK_NOFOLLOW", test_faccessat2},
    {"utimensat/futimens/utimes to the nanosecond, UTIME_NOW/OMIT", test_times},
    {"statfs/fstatfs", test_statfs},
};

int main(void)
{
    mode_t mask = umask(022);
    int status = tap_run_in_tmpdir(tests, TAP_COUNT(tests), base);
    umask(mask);
    return status;
}
