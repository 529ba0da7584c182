/* SPDX-License-Identifier: MIT */
/*
 * files.c: regular files. Open flags, read/write and their positioned and
 * vectored forms, lseek (with SEEK_DATA/SEEK_HOLE), a sparse file past
 * 4 GiB, truncate and fallocate, the stat family and statx, offsets shared
 * by dup'ed fds, close-on-exec, the sync calls, copy_file_range and
 * sendfile, a file unlinked while open, 2 MiB written in odd chunks, a
 * patchwork of writes and holes checked against a model, O_TMPFILE,
 * FIFO nodes and extended attributes.
 *
 * Everything happens in a fresh mkdtemp directory that is the cwd while
 * the tests run (so paths are relative) and that main() removes at the end.
 * Calls that libc may check or rewrite (negative offsets, statx, bad
 * counts) go through syscall() so that the kernel (or husk) answers.
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
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tap.h"
#include "tmpdir.h"

#define GIB (1024LL * 1024 * 1024)

/* struct statx and its mask bits, which musl 1.2.3 lacks. */
struct kstatx_ts {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};

struct kstatx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t pad0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct kstatx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor;
    uint32_t stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};

#define K_STATX_TYPE 0x1U
#define K_STATX_MODE 0x2U
#define K_STATX_NLINK 0x4U
#define K_STATX_INO 0x100U
#define K_STATX_SIZE 0x200U
#define K_STATX_BASIC_STATS 0x7ffU
#define K_STATX__RESERVED 0x80000000U

static char base[] = "/tmp/husk-XXXXXX";

/* Create (or replace) name holding len bytes of data; 0 or -1. */
static int put_file(const char *name, const void *data, size_t len)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t w;

    if (fd < 0)
        return -1;
    w = write(fd, data, len);
    close(fd);
    return w == (ssize_t)len ? 0 : -1;
}

/* Read up to size bytes of name into buf; the count or -1. */
static ssize_t get_file(const char *name, void *buf, size_t size)
{
    int fd = open(name, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size);
    close(fd);
    return n;
}

static long long size_of(const char *name)
{
    struct stat st;

    return stat(name, &st) == 0 ? (long long)st.st_size : -1;
}

static int all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* CHECK that name holds exactly the len bytes of want. */
#define CHECK_CONTENT(name, want, len)                                         \
    do {                                                                       \
        char got_[256];                                                        \
        ssize_t n_ = get_file((name), got_, sizeof(got_));                     \
        CHECK(n_ == (ssize_t)(len) && memcmp(got_, (want), (len)) == 0,        \
              "%s holds %zd bytes \"%.*s\"", (name), n_,                       \
              (int)(n_ > 0 ? n_ : 0), got_);                                   \
    } while (0)

static void test_open_excl(void)
{
    int fd = CHECK_OK(open("excl", O_CREAT | O_EXCL | O_RDWR, 0644));

    if (fd >= 0)
        close(fd);
    CHECK_ERRNO(open("excl", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
    /* Without O_EXCL the existing file is opened. */
    fd = CHECK_OK(open("excl", O_CREAT | O_RDWR, 0644));
    if (fd >= 0)
        close(fd);
    /* O_EXCL never follows a symlink, even a dangling one; without it,
     * O_CREAT through a dangling symlink creates the target. */
    CHECK_SYSCALL(symlink("excl-target", "excl-link"), 0);
    CHECK_ERRNO(open("excl-link", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    CHECK_ERRNO(open("excl-target", O_RDONLY), ENOENT);
    fd = CHECK_OK(open("excl-link", O_CREAT | O_WRONLY, 0644));
    if (fd >= 0)
        close(fd);
    CHECK_SYSCALL(access("excl-target", F_OK), 0);
    CHECK_ERRNO(open("no-dir/excl", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK_ERRNO(open("excl/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
}

static void test_open_trunc(void)
{
    int fd;

    if (!CHECK_SYSCALL(put_file("trunc", "hello", 5), 0))
        return;
    fd = CHECK_OK(open("trunc", O_WRONLY | O_TRUNC));
    if (fd < 0)
        return;
    CHECK(size_of("trunc") == 0, "size %lld after O_TRUNC", size_of("trunc"));
    CHECK_SYSCALL(write(fd, "ab", 2), 2);
    close(fd);
    CHECK_CONTENT("trunc", "ab", 2);
}

static void test_open_append(void)
{
    int fd;

    if (!CHECK_SYSCALL(put_file("append", "abc", 3), 0))
        return;
    fd = CHECK_OK(open("append", O_WRONLY | O_APPEND));
    if (fd < 0)
        return;
    CHECK_SYSCALL(lseek(fd, 0, SEEK_SET), 0);
    CHECK_SYSCALL(write(fd, "de", 2), 2);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 5);
    CHECK_SYSCALL(lseek(fd, 1, SEEK_SET), 1);
    CHECK_SYSCALL(write(fd, "f", 1), 1);
    /* Linux quirk: pwrite on an O_APPEND fd appends too. */
    CHECK_SYSCALL(pwrite(fd, "g", 1, 0), 1);
    close(fd);
    CHECK_CONTENT("append", "abcdefg", 7);
}

static void test_open_access_mode(void)
{
    char c;
    int fd;

    if (!CHECK_SYSCALL(put_file("mode", "x", 1), 0))
        return;
    fd = CHECK_OK(open("mode", O_RDONLY));
    if (fd >= 0) {
        CHECK_ERRNO(write(fd, "y", 1), EBADF);
        CHECK_ERRNO(pwrite(fd, "y", 1, 0), EBADF);
        CHECK_SYSCALL(read(fd, &c, 1), 1);
        close(fd);
    }
    fd = CHECK_OK(open("mode", O_WRONLY));
    if (fd >= 0) {
        CHECK_ERRNO(read(fd, &c, 1), EBADF);
        CHECK_ERRNO(pread(fd, &c, 1, 0), EBADF);
        CHECK_SYSCALL(write(fd, "y", 1), 1);
        close(fd);
        /* Closed now. */
        CHECK_ERRNO(read(fd, &c, 1), EBADF);
        CHECK_ERRNO(write(fd, "y", 1), EBADF);
    }
    /* An O_PATH fd does no I/O. */
    fd = CHECK_OK(open("mode", O_PATH));
    if (fd >= 0) {
        CHECK_ERRNO(read(fd, &c, 1), EBADF);
        CHECK_ERRNO(write(fd, "y", 1), EBADF);
        close(fd);
    }
    CHECK_ERRNO(write(-1, "y", 1), EBADF);
}

static void test_open_type_flags(void)
{
    int fd;

    if (!CHECK_SYSCALL(put_file("plain", "x", 1), 0))
        return;
    CHECK_SYSCALL(mkdir("odir", 0755), 0);
    CHECK_SYSCALL(symlink("plain", "plain-link"), 0);
    CHECK_ERRNO(open("plain", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERRNO(open("plain-link", O_RDONLY | O_NOFOLLOW), ELOOP);
    /* O_NOFOLLOW is about the last component only. */
    fd = CHECK_OK(open("plain-link", O_RDONLY));
    if (fd >= 0)
        close(fd);
    CHECK_ERRNO(open("odir", O_WRONLY), EISDIR);
    CHECK_ERRNO(open("odir", O_RDWR), EISDIR);
    CHECK_ERRNO(open("odir", O_WRONLY | O_CREAT, 0644), EISDIR);
    fd = CHECK_OK(open("odir", O_RDONLY | O_DIRECTORY));
    if (fd >= 0)
        close(fd);
    fd = CHECK_OK(open("odir", O_RDONLY));
    if (fd >= 0)
        close(fd);
}

static void test_rw_positioned(void)
{
    char buf[32];
    int fd = CHECK_OK(open("rw", O_RDWR | O_CREAT | O_TRUNC, 0644));

    if (fd < 0)
        return;
    CHECK_SYSCALL(write(fd, "0123456789", 10), 10);
    CHECK_SYSCALL(write(fd, buf, 0), 0);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 10);
    /* pwrite and pread leave the offset alone. */
    CHECK_SYSCALL(pwrite(fd, "AB", 2, 3), 2);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 10);
    memset(buf, 0, sizeof(buf));
    if (CHECK_SYSCALL(pread(fd, buf, 4, 2), 4))
        CHECK(memcmp(buf, "2AB5", 4) == 0, "pread \"%.4s\"", buf);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 10);
    /* Short read at the end, 0 at and past it. */
    if (CHECK_SYSCALL(pread(fd, buf, 10, 8), 2))
        CHECK(memcmp(buf, "89", 2) == 0, "pread \"%.2s\"", buf);
    CHECK_SYSCALL(pread(fd, buf, 4, 10), 0);
    CHECK_SYSCALL(pread(fd, buf, 4, 100), 0);
    CHECK_SYSCALL(read(fd, buf, sizeof(buf)), 0);
    /* pwrite past the end leaves a hole of zeros. */
    CHECK_SYSCALL(pwrite(fd, "Z", 1, 20), 1);
    memset(buf, 'x', sizeof(buf));
    if (CHECK_SYSCALL(pread(fd, buf, sizeof(buf), 0), 21))
        CHECK(memcmp(buf, "012AB56789", 10) == 0 && all_zero(buf + 10, 10) &&
                  buf[20] == 'Z',
              "file is \"%.21s\"", buf);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_ERRNO(syscall(SYS_pread64, fd, buf, 1, -1L), EINVAL);
    CHECK_ERRNO(syscall(SYS_pwrite64, fd, "y", 1, -1L), EINVAL);
    CHECK_SYSCALL(read(fd, buf, 3), 3);
    CHECK(memcmp(buf, "\0\0\0", 3) == 0, "read from the hole gave data");
    close(fd);
}

static void test_rw_vectored(void)
{
    char a[4], b[8], c[16];
    char head[] = "head", tail[] = "-tail", xy[] = "XY", z[] = "Z";
    struct iovec wv[3] = {{head, 4}, {NULL, 0}, {tail, 5}};
    struct iovec rv[3] = {{a, 2}, {b, 0}, {c, 7}};
    int fd = CHECK_OK(open("vec", O_RDWR | O_CREAT | O_TRUNC, 0644));

    if (fd < 0)
        return;
    CHECK_SYSCALL(writev(fd, wv, 3), 9);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 9);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_SET), 0);
    memset(c, 0, sizeof(c));
    if (CHECK_SYSCALL(readv(fd, rv, 3), 9))
        CHECK(memcmp(a, "he", 2) == 0 && memcmp(c, "ad-tail", 7) == 0,
              "readv \"%.2s\" \"%.7s\"", a, c);
    /* Positioned: the offset stays at 9. */
    wv[0] = (struct iovec){xy, 2};
    wv[2] = (struct iovec){z, 1};
    CHECK_SYSCALL(pwritev(fd, wv, 3, 2), 3);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 9);
    rv[0].iov_len = 1;
    rv[2].iov_len = 3;
    if (CHECK_SYSCALL(preadv(fd, rv, 3, 1), 4))
        CHECK(a[0] == 'e' && memcmp(c, "XYZ", 3) == 0, "preadv \"%c%.3s\"",
              a[0], c);
    CHECK_SYSCALL(preadv(fd, rv, 3, 9), 0);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 9);
    CHECK_SYSCALL(readv(fd, rv, 3), 0);
    CHECK_ERRNO(syscall(SYS_readv, fd, rv, -1), EINVAL);
    CHECK_ERRNO(syscall(SYS_writev, fd, wv, 1025), EINVAL);
    CHECK_ERRNO(syscall(SYS_preadv, fd, rv, 3, -1L, 0L), EINVAL);
    close(fd);
    CHECK_CONTENT("vec", "heXYZtail", 9);
}

static void test_lseek(void)
{
    char buf[100];
    int fd = CHECK_OK(open("seek", O_RDWR | O_CREAT | O_TRUNC, 0644));

    if (fd < 0)
        return;
    memset(buf, 'a', sizeof(buf));
    CHECK_SYSCALL(write(fd, buf, 100), 100);
    CHECK_SYSCALL(lseek(fd, 10, SEEK_SET), 10);
    CHECK_SYSCALL(lseek(fd, 5, SEEK_CUR), 15);
    CHECK_SYSCALL(lseek(fd, -5, SEEK_CUR), 10);
    CHECK_ERRNO(lseek(fd, -20, SEEK_CUR), EINVAL);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_SYSCALL(lseek(fd, -10, SEEK_END), 90);
    CHECK_ERRNO(lseek(fd, -101, SEEK_END), EINVAL);
    CHECK_ERRNO(lseek(fd, 0, 5), EINVAL);
    CHECK_ERRNO(lseek(fd, 0, -1), EINVAL);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 90);
    /* Past the end is fine and changes nothing until a write. */
    CHECK_SYSCALL(lseek(fd, 10, SEEK_END), 110);
    CHECK(size_of("seek") == 100, "size %lld", size_of("seek"));
    /* A file with no holes: data at 0, the only hole at the end. */
    CHECK_SYSCALL(lseek(fd, 0, SEEK_DATA), 0);
    CHECK_SYSCALL(lseek(fd, 50, SEEK_DATA), 50);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_HOLE), 100);
    CHECK_SYSCALL(lseek(fd, 99, SEEK_HOLE), 100);
    CHECK_ERRNO(lseek(fd, 100, SEEK_DATA), ENXIO);
    CHECK_ERRNO(lseek(fd, 100, SEEK_HOLE), ENXIO);
    CHECK_ERRNO(lseek(fd, -1, SEEK_DATA), ENXIO);
    CHECK_ERRNO(lseek(-1, 0, SEEK_SET), EBADF);
    close(fd);
}

static void test_sparse(void)
{
    static char buf[8192];
    const long long off = 5 * GIB;
    struct stat st;
    char c = 0;
    int fd = CHECK_OK(open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644));

    if (fd < 0)
        return;
    if (!CHECK_SYSCALL(pwrite(fd, "x", 1, off), 1))
        goto out;
    if (CHECK_SYSCALL(fstat(fd, &st), 0))
        CHECK(st.st_size == off + 1, "st_size %lld", (long long)st.st_size);
    CHECK(size_of("sparse") == off + 1, "stat size %lld", size_of("sparse"));
    tap_diag("5 GiB sparse file uses %lld blocks of 512",
             (long long)st.st_blocks);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_END), off + 1);
    /* The hole reads as zeros: at 0, across 4 GiB and just before x. */
    memset(buf, 1, sizeof(buf));
    if (CHECK_SYSCALL(pread(fd, buf, sizeof(buf), 0), sizeof(buf)))
        CHECK(all_zero(buf, sizeof(buf)), "data in the hole at 0");
    memset(buf, 1, sizeof(buf));
    if (CHECK_SYSCALL(pread(fd, buf, sizeof(buf), 4 * GIB - 4096), sizeof(buf)))
        CHECK(all_zero(buf, sizeof(buf)), "data in the hole at 4 GiB");
    memset(buf, 1, sizeof(buf));
    if (CHECK_SYSCALL(pread(fd, buf, sizeof(buf), off - 4096), 4097)) {
        CHECK(all_zero(buf, 4096), "data in the hole before 5 GiB");
        CHECK(buf[4096] == 'x', "byte at 5 GiB is %#x", buf[4096]);
    }
    CHECK_SYSCALL(lseek(fd, off, SEEK_SET), off);
    if (CHECK_SYSCALL(read(fd, &c, 1), 1))
        CHECK(c == 'x', "read %#x at 5 GiB", c);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), off + 1);
    tap_diag("SEEK_DATA from 0 gives %lld", (long long)lseek(fd, 0, SEEK_DATA));
out:
    CHECK_SYSCALL(ftruncate(fd, 0), 0);
    close(fd);
    unlink("sparse");
}

static void test_truncate(void)
{
    char buf[16];
    int fd = CHECK_OK(open("trn", O_RDWR | O_CREAT | O_TRUNC, 0644));

    if (fd < 0)
        return;
    CHECK_SYSCALL(write(fd, "abcdef", 6), 6);
    /* Shrink then grow: the cut bytes come back as zeros. */
    CHECK_SYSCALL(ftruncate(fd, 2), 0);
    CHECK(size_of("trn") == 2, "size %lld", size_of("trn"));
    CHECK_SYSCALL(ftruncate(fd, 10), 0);
    CHECK(size_of("trn") == 10, "size %lld", size_of("trn"));
    memset(buf, 'x', sizeof(buf));
    if (CHECK_SYSCALL(pread(fd, buf, sizeof(buf), 0), 10))
        CHECK(memcmp(buf, "ab", 2) == 0 && all_zero(buf + 2, 8),
              "file \"%.10s\"", buf);
    /* The offset is not moved by truncation. */
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 6);
    CHECK_SYSCALL(truncate("trn", 1), 0);
    CHECK_CONTENT("trn", "a", 1);
    CHECK_SYSCALL(truncate("trn", 3), 0);
    CHECK_CONTENT("trn", "a\0\0", 3);
    CHECK_SYSCALL(ftruncate(fd, 0), 0);
    CHECK(size_of("trn") == 0, "size %lld", size_of("trn"));
    CHECK_ERRNO(ftruncate(fd, -1), EINVAL);
    CHECK_ERRNO(truncate("trn", -1), EINVAL);
    CHECK_ERRNO(truncate("no-such-file", 0), ENOENT);
    CHECK_SYSCALL(mkdir("trn-dir", 0755), 0);
    CHECK_ERRNO(truncate("trn-dir", 0), EISDIR);
    close(fd);
    /* Only a writable fd can be truncated. */
    fd = CHECK_OK(open("trn", O_RDONLY));
    if (fd >= 0) {
        CHECK_ERRNO(ftruncate(fd, 0), EINVAL);
        close(fd);
    }
}

static void test_fallocate(void)
{
    static char buf[65536];
    int fd = CHECK_OK(open("falloc", O_RDWR | O_CREAT | O_TRUNC, 0644));

    if (fd < 0)
        return;
    errno = 0;
    if (fallocate(fd, 0, 0, 65536) != 0) {
        int e = errno;

        close(fd);
        if (e == EOPNOTSUPP)
            SKIP("the file system does not support fallocate");
        CHECK(0, "fallocate(fd, 0, 0, 65536) failed: %s", tap_errno_name(e));
        return;
    }
    CHECK(size_of("falloc") == 65536, "size %lld", size_of("falloc"));
    memset(buf, 1, sizeof(buf));
    if (CHECK_SYSCALL(pread(fd, buf, sizeof(buf), 0), sizeof(buf)))
        CHECK(all_zero(buf, sizeof(buf)), "allocated bytes are not zero");
    /* Inside the file: no change of size; KEEP_SIZE: none either. */
    CHECK_SYSCALL(fallocate(fd, 0, 100, 10), 0);
    CHECK_SYSCALL(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20), 0);
    CHECK(size_of("falloc") == 65536, "size %lld", size_of("falloc"));
    CHECK_SYSCALL(fallocate(fd, 0, 65536, 4096), 0);
    CHECK(size_of("falloc") == 65536 + 4096, "size %lld", size_of("falloc"));
    CHECK_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERRNO(fallocate(fd, 0, -1, 10), EINVAL);
    close(fd);
    fd = CHECK_OK(open("falloc", O_RDONLY));
    if (fd >= 0) {
        CHECK_ERRNO(fallocate(fd, 0, 0, 1 << 20), EBADF);
        close(fd);
    }
}

static void test_stat_fields(void)
{
    struct stat st, dst, lst;
    mode_t old = umask(022);
    int fd;

    /* The mode asked for, less the umask. */
    fd = CHECK_OK(open("st", O_WRONLY | O_CREAT | O_TRUNC, 0777));
    if (fd < 0)
        goto out;
    CHECK_SYSCALL(write(fd, "12345", 5), 5);
    if (CHECK_SYSCALL(fstat(fd, &st), 0)) {
        CHECK(st.st_mode == (S_IFREG | 0755), "st_mode %o",
              (unsigned)st.st_mode);
        CHECK(st.st_nlink == 1, "st_nlink %lu", (unsigned long)st.st_nlink);
        CHECK(st.st_size == 5, "st_size %lld", (long long)st.st_size);
        CHECK(st.st_blksize > 0, "st_blksize %ld", (long)st.st_blksize);
        CHECK(st.st_uid == geteuid(), "st_uid %u", (unsigned)st.st_uid);
        CHECK(st.st_ino != 0, "st_ino 0");
    }
    close(fd);
    umask(077);
    fd = CHECK_OK(open("st2", O_WRONLY | O_CREAT | O_TRUNC, 0666));
    if (fd >= 0) {
        if (CHECK_SYSCALL(fstat(fd, &st), 0))
            CHECK(st.st_mode == (S_IFREG | 0600), "umask 077: st_mode %o",
                  (unsigned)st.st_mode);
        close(fd);
    }
    umask(022);
    CHECK_SYSCALL(mkdir("st-dir", 0777), 0);
    if (CHECK_SYSCALL(stat("st-dir", &dst), 0)) {
        CHECK(dst.st_mode == (S_IFDIR | 0755), "dir st_mode %o",
              (unsigned)dst.st_mode);
        CHECK(dst.st_nlink == 2 || dst.st_nlink == 1, "dir st_nlink %lu",
              (unsigned long)dst.st_nlink);
        CHECK(dst.st_blksize > 0, "dir st_blksize %ld", (long)dst.st_blksize);
    }
    /* stat follows a symlink, lstat does not. */
    CHECK_SYSCALL(symlink("st", "st-link"), 0);
    if (CHECK_SYSCALL(stat("st-link", &st), 0) &&
        CHECK_SYSCALL(lstat("st-link", &lst), 0)) {
        CHECK(S_ISREG(st.st_mode) && st.st_size == 5, "stat: mode %o size %lld",
              (unsigned)st.st_mode, (long long)st.st_size);
        CHECK(S_ISLNK(lst.st_mode) && lst.st_size == 2,
              "lstat: mode %o size %lld", (unsigned)lst.st_mode,
              (long long)lst.st_size);
        CHECK(lst.st_ino != st.st_ino, "link and target share st_ino");
        CHECK(lst.st_nlink == 1, "link st_nlink %lu",
              (unsigned long)lst.st_nlink);
    }
    CHECK_ERRNO(stat("no-such-file", &st), ENOENT);
    CHECK_ERRNO(lstat("", &st), ENOENT);
    CHECK_ERRNO(fstat(-1, &st), EBADF);
out:
    umask(old);
}

/* Compare the fields two stat calls on the same file must agree on. */
static int same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_mode == b->st_mode && a->st_nlink == b->st_nlink &&
           a->st_size == b->st_size && a->st_uid == b->st_uid;
}

static void test_newfstatat(void)
{
    struct stat st, want, lwant;
    int fd, dfd;

    if (!CHECK_SYSCALL(put_file("nfs", "abc", 3), 0) ||
        !CHECK_SYSCALL(symlink("nfs", "nfs-link"), 0) ||
        !CHECK_SYSCALL(stat("nfs", &want), 0) ||
        !CHECK_SYSCALL(lstat("nfs-link", &lwant), 0))
        return;
    CHECK_SYSCALL(syscall(SYS_newfstatat, AT_FDCWD, "nfs-link", &st, 0), 0);
    CHECK(same_stat(&st, &want), "newfstatat(link, 0) is not the target");
    CHECK_SYSCALL(
        syscall(SYS_newfstatat, AT_FDCWD, "nfs-link", &st, AT_SYMLINK_NOFOLLOW),
        0);
    CHECK(same_stat(&st, &lwant), "AT_SYMLINK_NOFOLLOW is not the link");
    fd = CHECK_OK(open("nfs", O_RDONLY));
    if (fd >= 0) {
        CHECK_SYSCALL(syscall(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH), 0);
        CHECK(same_stat(&st, &want), "AT_EMPTY_PATH is not the fd's file");
        CHECK_ERRNO(syscall(SYS_newfstatat, fd, "", &st, 0), ENOENT);
        /* A relative path needs a directory fd. */
        CHECK_ERRNO(syscall(SYS_newfstatat, fd, "x", &st, 0), ENOTDIR);
        close(fd);
    }
    /* An O_PATH fd of the link itself. */
    fd = CHECK_OK(open("nfs-link", O_PATH | O_NOFOLLOW));
    if (fd >= 0) {
        CHECK_SYSCALL(fstat(fd, &st), 0);
        CHECK(same_stat(&st, &lwant), "fstat(O_PATH|O_NOFOLLOW) not the link");
        close(fd);
    }
    dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(syscall(SYS_newfstatat, dfd, "nfs", &st, 0), 0);
        CHECK(same_stat(&st, &want), "dirfd-relative newfstatat differs");
        close(dfd);
    }
    CHECK_ERRNO(syscall(SYS_newfstatat, AT_FDCWD, "nfs", &st, 0x4000000),
                EINVAL);
    CHECK_ERRNO(syscall(SYS_newfstatat, -1, "nfs", &st, 0), EBADF);
}

static void test_statx(void)
{
    struct kstatx sx;
    struct stat st;
    int fd;

    if (!CHECK_SYSCALL(put_file("sx", "statx!", 6), 0) ||
        !CHECK_SYSCALL(symlink("sx", "sx-link"), 0) ||
        !CHECK_SYSCALL(stat("sx", &st), 0))
        return;
    memset(&sx, 0xff, sizeof(sx));
    errno = 0;
    if (syscall(SYS_statx, AT_FDCWD, "sx", 0, K_STATX_BASIC_STATS, &sx) != 0) {
        if (errno == ENOSYS)
            SKIP("no statx (ENOSYS)");
        CHECK(0, "statx failed: %s", tap_errno_name(errno));
        return;
    }
    CHECK((sx.stx_mask & K_STATX_SIZE) && (sx.stx_mask & K_STATX_TYPE) &&
              (sx.stx_mask & K_STATX_MODE) && (sx.stx_mask & K_STATX_INO) &&
              (sx.stx_mask & K_STATX_NLINK),
          "stx_mask %#x", sx.stx_mask);
    CHECK(sx.stx_size == 6, "stx_size %llu", (unsigned long long)sx.stx_size);
    CHECK(sx.stx_mode == st.st_mode, "stx_mode %o", (unsigned)sx.stx_mode);
    CHECK(sx.stx_ino == st.st_ino, "stx_ino differs from st_ino");
    CHECK(sx.stx_nlink == 1, "stx_nlink %u", sx.stx_nlink);
    CHECK(sx.stx_blksize > 0, "stx_blksize %u", sx.stx_blksize);
    CHECK(sx.stx_uid == st.st_uid && sx.stx_gid == st.st_gid, "uid/gid differ");
    CHECK(sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
              sx.stx_mtime.tv_nsec == st.st_mtim.tv_nsec,
          "stx_mtime differs from st_mtim");
    CHECK_SYSCALL(syscall(SYS_statx, AT_FDCWD, "sx-link", AT_SYMLINK_NOFOLLOW,
                          K_STATX_BASIC_STATS, &sx),
                  0);
    CHECK(S_ISLNK(sx.stx_mode) && sx.stx_size == 2, "link: mode %o size %llu",
          (unsigned)sx.stx_mode, (unsigned long long)sx.stx_size);
    fd = CHECK_OK(open("sx", O_RDONLY));
    if (fd >= 0) {
        CHECK_SYSCALL(
            syscall(SYS_statx, fd, "", AT_EMPTY_PATH, K_STATX_SIZE, &sx), 0);
        CHECK(sx.stx_size == 6 && sx.stx_ino == st.st_ino,
              "AT_EMPTY_PATH: size %llu", (unsigned long long)sx.stx_size);
        close(fd);
    }
    CHECK_ERRNO(syscall(SYS_statx, AT_FDCWD, "sx", 0, K_STATX__RESERVED, &sx),
                EINVAL);
    CHECK_ERRNO(
        syscall(SYS_statx, AT_FDCWD, "sx", 0x4000000, K_STATX_SIZE, &sx),
        EINVAL);
    CHECK_ERRNO(
        syscall(SYS_statx, AT_FDCWD, "no-such-file", 0, K_STATX_SIZE, &sx),
        ENOENT);
}

static void test_dup_offset(void)
{
    char buf[8] = {0};
    int fd, d, fd2;

    fd = CHECK_OK(open("dup", O_RDWR | O_CREAT | O_TRUNC, 0644));
    if (fd < 0)
        return;
    d = CHECK_OK(dup(fd));
    CHECK_SYSCALL(write(fd, "abcdef", 6), 6);
    CHECK_SYSCALL(lseek(d, 0, SEEK_CUR), 6);
    CHECK_SYSCALL(lseek(d, 1, SEEK_SET), 1);
    if (CHECK_SYSCALL(read(fd, buf, 2), 2))
        CHECK(memcmp(buf, "bc", 2) == 0, "read \"%.2s\"", buf);
    CHECK_SYSCALL(lseek(d, 0, SEEK_CUR), 3);
    /* dup2 to a chosen number shares it too. */
    CHECK_SYSCALL(dup2(fd, 100), 100);
    CHECK_SYSCALL(lseek(100, 0, SEEK_CUR), 3);
    CHECK_SYSCALL(read(100, buf, 1), 1);
    CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 4);
    CHECK_SYSCALL(dup2(fd, fd), fd);
    CHECK_ERRNO(dup2(-1, 100), EBADF);
    CHECK_ERRNO(dup(-1), EBADF);
    CHECK_ERRNO(syscall(SYS_dup3, fd, fd, 0), EINVAL);
    /* The status flags are shared, the fd flags are not. */
    CHECK_SYSCALL(fcntl(d, F_SETFL, O_APPEND), 0);
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0, "O_APPEND not shared");
    CHECK_SYSCALL(fcntl(d, F_SETFL, 0), 0);
    /* A second open has its own offset. */
    fd2 = CHECK_OK(open("dup", O_RDONLY));
    if (fd2 >= 0) {
        CHECK_SYSCALL(lseek(fd2, 0, SEEK_CUR), 0);
        if (CHECK_SYSCALL(read(fd2, buf, 1), 1))
            CHECK(buf[0] == 'a', "read '%c'", buf[0]);
        CHECK_SYSCALL(lseek(fd, 0, SEEK_CUR), 4);
        close(fd2);
    }
    /* Closing one leaves the others working. */
    CHECK_SYSCALL(close(fd), 0);
    CHECK_SYSCALL(read(d, buf, 1), 1);
    CHECK_SYSCALL(lseek(100, 0, SEEK_CUR), 5);
    close(100);
    close(d);
}

static void test_cloexec(void)
{
    int fd, d;

    fd = CHECK_OK(open("cx", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd < 0)
        return;
    CHECK_SYSCALL(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "F_GETFL %#x",
          (unsigned)fcntl(fd, F_GETFL));
    /* dup drops the flag, F_DUPFD_CLOEXEC and dup3 set it. */
    d = CHECK_OK(dup(fd));
    CHECK_SYSCALL(fcntl(d, F_GETFD), 0);
    close(d);
    d = CHECK_OK(fcntl(fd, F_DUPFD_CLOEXEC, 50));
    CHECK(d >= 50, "F_DUPFD_CLOEXEC gave fd %d", d);
    CHECK_SYSCALL(fcntl(d, F_GETFD), FD_CLOEXEC);
    close(d);
    d = CHECK_OK(fcntl(fd, F_DUPFD, 60));
    CHECK(d >= 60, "F_DUPFD gave fd %d", d);
    CHECK_SYSCALL(fcntl(d, F_GETFD), 0);
    CHECK_SYSCALL(dup3(fd, d, O_CLOEXEC), d);
    CHECK_SYSCALL(fcntl(d, F_GETFD), FD_CLOEXEC);
    close(d);
    CHECK_SYSCALL(fcntl(fd, F_SETFD, 0), 0);
    CHECK_SYSCALL(fcntl(fd, F_GETFD), 0);
    CHECK_SYSCALL(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    CHECK_SYSCALL(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_ERRNO(fcntl(-1, F_GETFD), EBADF);
    close(fd);
    CHECK_ERRNO(fcntl(fd, F_GETFD), EBADF);
}

static void test_sync(void)
{
    int fd = CHECK_OK(open("sync", O_RDWR | O_CREAT | O_TRUNC, 0644));
    int dfd;

    if (fd < 0)
        return;
    CHECK_SYSCALL(write(fd, "data", 4), 4);
    CHECK_SYSCALL(fsync(fd), 0);
    CHECK_SYSCALL(fdatasync(fd), 0);
    sync();
    CHECK_SYSCALL(syncfs(fd), 0);
    CHECK_SYSCALL(syscall(SYS_sync_file_range, fd, 0L, 0L, 0), 0);
    /* the hints: accepted on a file, Linux's errors otherwise */
    CHECK_SYSCALL(syscall(SYS_fadvise64, fd, 0L, 0L, 2 /* SEQUENTIAL */), 0);
    CHECK_ERRNO(syscall(SYS_fadvise64, fd, 0L, 0L, 99), EINVAL);
    CHECK_ERRNO(syscall(SYS_fadvise64, fd, 0L, -1L, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_fadvise64, -1, 0L, 0L, 0), EBADF);
    CHECK_SYSCALL(syscall(SYS_readahead, fd, 0L, 4096UL), 0);
    CHECK_ERRNO(syscall(SYS_readahead, -1, 0L, 4096UL), EBADF);
    int pfd[2];
    if (CHECK_OK(pipe(pfd)) == 0) {
        CHECK_ERRNO(syscall(SYS_fadvise64, pfd[0], 0L, 0L, 0), ESPIPE);
        CHECK_ERRNO(syscall(SYS_readahead, pfd[0], 0L, 4096UL), EINVAL);
        close(pfd[0]);
        close(pfd[1]);
    }
    close(fd);
    CHECK_ERRNO(fsync(fd), EBADF);
    CHECK_ERRNO(fdatasync(-1), EBADF);
    CHECK_ERRNO(syncfs(-1), EBADF);
    dfd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    if (dfd >= 0) {
        CHECK_SYSCALL(fsync(dfd), 0);
        close(dfd);
    }
}

/* A byte pattern that differs at every offset. */
static void fill(char *p, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761U + 1;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (char)x;
    }
}

static void test_copy_file_range(void)
{
    static char src_data[10000], buf[10000];
    int64_t in_off, out_off;
    long total = 0, r;
    int in, out;

    fill(src_data, sizeof(src_data), 1);
    if (!CHECK_SYSCALL(put_file("cfr-src", src_data, sizeof(src_data)), 0))
        return;
    in = CHECK_OK(open("cfr-src", O_RDONLY));
    out = CHECK_OK(open("cfr-dst", O_RDWR | O_CREAT | O_TRUNC, 0644));
    if (in < 0 || out < 0)
        goto out;
    /* With NULL offsets both file offsets move. */
    while (total < (long)sizeof(src_data)) {
        errno = 0;
        r = syscall(SYS_copy_file_range, in, NULL, out, NULL,
                    sizeof(src_data) - total, 0);
        if (r < 0 && total == 0 && errno == ENOSYS) {
            close(in);
            close(out);
            SKIP("no copy_file_range (ENOSYS)");
        }
        if (!CHECK(r > 0, "copy_file_range = %ld (%s) after %ld bytes", r,
                   tap_errno_name(errno), total))
            goto out;
        total += r;
    }
    CHECK_SYSCALL(lseek(in, 0, SEEK_CUR), sizeof(src_data));
    CHECK_SYSCALL(lseek(out, 0, SEEK_CUR), sizeof(src_data));
    if (CHECK_SYSCALL(pread(out, buf, sizeof(buf), 0), sizeof(buf)))
        CHECK(memcmp(buf, src_data, sizeof(buf)) == 0, "copied bytes differ");
    /* At the end of the input: 0. */
    CHECK_SYSCALL(syscall(SYS_copy_file_range, in, NULL, out, NULL, 100L, 0),
                  0);
    /* With offsets, the file offsets stay. */
    in_off = 100;
    out_off = 20000;
    CHECK_SYSCALL(
        syscall(SYS_copy_file_range, in, &in_off, out, &out_off, 50L, 0), 50);
    CHECK(in_off == 150 && out_off == 20050, "offsets %lld %lld",
          (long long)in_off, (long long)out_off);
    CHECK_SYSCALL(lseek(in, 0, SEEK_CUR), sizeof(src_data));
    CHECK_SYSCALL(lseek(out, 0, SEEK_CUR), sizeof(src_data));
    if (CHECK_SYSCALL(pread(out, buf, 50, 20000), 50))
        CHECK(memcmp(buf, src_data + 100, 50) == 0, "copied bytes differ");
    CHECK_ERRNO(syscall(SYS_copy_file_range, in, NULL, out, NULL, 10L, 1),
                EINVAL);
    /* Overlapping ranges in one file. */
    in_off = 0;
    out_off = 10;
    CHECK_ERRNO(
        syscall(SYS_copy_file_range, out, &in_off, out, &out_off, 100L, 0),
        EINVAL);
    /* The input must be readable and the output writable. */
    CHECK_ERRNO(syscall(SYS_copy_file_range, in, NULL, in, NULL, 10L, 0),
                EBADF);
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
}

static void test_sendfile(void)
{
    static char src_data[5000], buf[5000];
    off_t off;
    int in, out, app;

    fill(src_data, sizeof(src_data), 2);
    if (!CHECK_SYSCALL(put_file("sf-src", src_data, sizeof(src_data)), 0))
        return;
    in = CHECK_OK(open("sf-src", O_RDONLY));
    out = CHECK_OK(open("sf-dst", O_RDWR | O_CREAT | O_TRUNC, 0644));
    if (in < 0 || out < 0)
        goto out;
    /* With an offset: the input offset does not move. */
    off = 1000;
    CHECK_SYSCALL(sendfile(out, in, &off, 3000), 3000);
    CHECK(off == 4000, "offset %lld", (long long)off);
    CHECK_SYSCALL(lseek(in, 0, SEEK_CUR), 0);
    CHECK_SYSCALL(lseek(out, 0, SEEK_CUR), 3000);
    /* Without: it does; short at the end of the input, then 0. */
    CHECK_SYSCALL(lseek(in, 4000, SEEK_SET), 4000);
    CHECK_SYSCALL(sendfile(out, in, NULL, 3000), 1000);
    CHECK_SYSCALL(lseek(in, 0, SEEK_CUR), 5000);
    CHECK_SYSCALL(sendfile(out, in, NULL, 3000), 0);
    if (CHECK_SYSCALL(pread(out, buf, sizeof(buf), 0), 4000))
        CHECK(memcmp(buf, src_data + 1000, 3000) == 0 &&
                  memcmp(buf + 3000, src_data + 4000, 1000) == 0,
              "sent bytes differ");
    CHECK_ERRNO(sendfile(out, -1, NULL, 10), EBADF);
    /* Linux refuses an O_APPEND output. */
    app = CHECK_OK(open("sf-dst", O_WRONLY | O_APPEND));
    if (app >= 0) {
        off = 0;
        CHECK_ERRNO(sendfile(app, in, &off, 10), EINVAL);
        close(app);
    }
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
}

static void test_unlinked_open(void)
{
    char buf[16] = {0};
    struct stat st;
    int fd, fd2;

    fd = CHECK_OK(open("gone", O_RDWR | O_CREAT | O_TRUNC, 0644));
    fd2 = CHECK_OK(open("gone", O_RDONLY));
    if (fd < 0 || fd2 < 0)
        goto out;
    CHECK_SYSCALL(write(fd, "before", 6), 6);
    CHECK_SYSCALL(unlink("gone"), 0);
    CHECK_ERRNO(stat("gone", &st), ENOENT);
    CHECK_ERRNO(open("gone", O_RDONLY), ENOENT);
    if (CHECK_SYSCALL(fstat(fd, &st), 0))
        CHECK(st.st_nlink == 0 && st.st_size == 6, "st_nlink %lu st_size %lld",
              (unsigned long)st.st_nlink, (long long)st.st_size);
    CHECK_SYSCALL(write(fd, "-after", 6), 6);
    if (CHECK_SYSCALL(read(fd2, buf, sizeof(buf)), 12))
        CHECK(memcmp(buf, "before-after", 12) == 0, "read \"%.12s\"", buf);
    CHECK_SYSCALL(ftruncate(fd, 3), 0);
    CHECK_SYSCALL(pread(fd2, buf, sizeof(buf), 0), 3);
    /* A new file of the same name is another file. */
    CHECK_SYSCALL(put_file("gone", "new", 3), 0);
    if (CHECK_SYSCALL(pread(fd, buf, sizeof(buf), 0), 3))
        CHECK(memcmp(buf, "bef", 3) == 0, "read \"%.3s\"", buf);
    CHECK_CONTENT("gone", "new", 3);
out:
    if (fd >= 0)
        CHECK_SYSCALL(close(fd), 0);
    if (fd2 >= 0)
        CHECK_SYSCALL(close(fd2), 0);
}

static uint64_t fnv1a(const char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    return h;
}

static void test_big_odd_chunks(void)
{
    enum { SIZE = 2 << 20 };
    static const size_t wsz[] = {1, 7, 4093, 4099, 65521, 3, 131071, 513};
    static const size_t rsz[] = {4097, 333, 100003, 1, 8191, 65536};
    static char data[SIZE], back[SIZE];
    uint64_t want = 0xcbf29ce484222325ULL, got = want;
    size_t done = 0, i = 0;
    ssize_t r;
    int fd;

    fill(data, SIZE, 3);
    fd = CHECK_OK(open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644));
    if (fd < 0)
        return;
    while (done < SIZE) {
        size_t n = wsz[i++ % 8];

        if (n > SIZE - done)
            n = SIZE - done;
        r = write(fd, data + done, n);
        if (!CHECK(r > 0, "write of %zu at %zu = %zd (%s)", n, done, r,
                   tap_errno_name(errno)))
            break;
        want = fnv1a(data + done, r, want);
        done += r;
    }
    CHECK_SYSCALL(close(fd), 0);
    CHECK(size_of("big") == SIZE, "size %lld", size_of("big"));
    fd = CHECK_OK(open("big", O_RDONLY));
    if (fd < 0)
        return;
    done = 0;
    i = 0;
    while (done < SIZE) {
        size_t n = rsz[i++ % 6];

        if (n > SIZE - done)
            n = SIZE - done;
        r = read(fd, back + done, n);
        if (!CHECK(r > 0, "read of %zu at %zu = %zd (%s)", n, done, r,
                   tap_errno_name(errno)))
            break;
        got = fnv1a(back + done, r, got);
        done += r;
    }
    CHECK_SYSCALL(read(fd, back, 1), 0);
    close(fd);
    CHECK(got == want, "checksum %016llx, want %016llx",
          (unsigned long long)got, (unsigned long long)want);
    CHECK(memcmp(data, back, SIZE) == 0, "data read back differs");
    unlink("big");
}

/* Writes, holes, rewrites and a shrink, each read back through the same
   descriptor right away and checked against a model in memory: the read
   path must never show data older than the last write. */
static void test_patchwork(void)
{
    enum { SIZE = 1 << 20 };
    static const struct {
        long off, len;
    } w[] = {{0, 5000},       {12288, 4096},   {70000, 200000},
             {8191, 2},       {300000, 65536}, {100000, 1},
             {SIZE - 10, 10}, {4096, 8192},    {150000, 90001}};
    static char model[SIZE], back[SIZE], data[SIZE];
    int fd = CHECK_OK(open("patch", O_RDWR | O_CREAT | O_TRUNC, 0644));
    size_t i;

    if (fd < 0 || !CHECK_SYSCALL(ftruncate(fd, SIZE), 0))
        goto out;
    memset(model, 0, SIZE);
    for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        fill(data, (size_t)w[i].len, (unsigned)i + 7);
        if (!CHECK_SYSCALL(pwrite(fd, data, (size_t)w[i].len, w[i].off),
                           w[i].len))
            goto out;
        memcpy(model + w[i].off, data, (size_t)w[i].len);
        memset(back, 0x55, SIZE);
        if (!CHECK_SYSCALL(pread(fd, back, SIZE, 0), SIZE))
            goto out;
        if (!CHECK(memcmp(model, back, SIZE) == 0,
                   "after write %zu the file differs from the model", i))
            goto out;
    }
    /* Shrink into the middle of a block, grow again: zeros, not the old
       bytes, past the cut. */
    CHECK_SYSCALL(ftruncate(fd, 100003), 0);
    CHECK_SYSCALL(ftruncate(fd, SIZE), 0);
    memset(model + 100003, 0, SIZE - 100003);
    memset(back, 0x55, SIZE);
    if (CHECK_SYSCALL(pread(fd, back, SIZE, 0), SIZE))
        CHECK(memcmp(model, back, SIZE) == 0,
              "after the shrink the file differs from the model");
    /* Odd offsets and lengths that start and end inside blocks. */
    for (long off = 1; off < SIZE; off += 77777) {
        size_t n = (size_t)(off % 50000) + 1;
        if (pread(fd, back, n, off) != (ssize_t)n ||
            memcmp(back, model + off, n) != 0) {
            CHECK(0, "pread of %zu at %ld differs", n, off);
            break;
        }
    }
    /* A buffer that is not the program's: EFAULT, and no crash. */
    CHECK_ERRNO(syscall(SYS_pread64, fd, 8L, 4096L, 0L), EFAULT);
out:
    close(fd);
    unlink("patch");
}

static int entries_here(void)
{
    DIR *d = opendir(".");
    int n = 0;

    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* O_TMPFILE: an unnamed file in a directory, that linkat through
   /proc/self/fd can name unless O_EXCL was given; a file merely unlinked
   while open cannot be named again. */
static void test_tmpfile(void)
{
    char proc[64], buf[8] = {0};
    struct stat st;
    int before = entries_here(), fd, ex, gone;
    mode_t um = umask(022);

    fd = CHECK_OK(open(".", O_TMPFILE | O_RDWR, 0666));
    if (fd < 0)
        goto out_umask;
    CHECK_SYSCALL(write(fd, "hello", 5), 5);
    if (CHECK_SYSCALL(fstat(fd, &st), 0)) {
        CHECK(st.st_nlink == 0, "st_nlink %lu", (unsigned long)st.st_nlink);
        CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644, "st_mode %o",
              (unsigned)st.st_mode);
        CHECK(st.st_size == 5, "st_size %lld", (long long)st.st_size);
    }
    CHECK(entries_here() == before, "the directory shows %d entries, not %d",
          entries_here(), before);
    if (CHECK_SYSCALL(pread(fd, buf, 5, 0), 5))
        CHECK(memcmp(buf, "hello", 5) == 0, "read back \"%.5s\"", buf);
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    CHECK_SYSCALL(linkat(AT_FDCWD, proc, AT_FDCWD, "named", AT_SYMLINK_FOLLOW),
                  0);
    CHECK(size_of("named") == 5, "named has size %lld", size_of("named"));
    if (CHECK_SYSCALL(fstat(fd, &st), 0))
        CHECK(st.st_nlink == 1, "st_nlink %lu after linkat",
              (unsigned long)st.st_nlink);
    close(fd);
    CHECK(size_of("named") == 5, "named outlives the fd");
    unlink("named");

    /* O_EXCL: never to be named. */
    ex = CHECK_OK(open(".", O_TMPFILE | O_WRONLY | O_EXCL, 0600));
    if (ex >= 0) {
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", ex);
        CHECK_ERRNO(
            linkat(AT_FDCWD, proc, AT_FDCWD, "named2", AT_SYMLINK_FOLLOW),
            ENOENT);
        close(ex);
    }
    /* An ordinary file unlinked while open stays deleted. */
    gone = CHECK_OK(open("tmpf-gone", O_RDWR | O_CREAT | O_EXCL, 0600));
    if (gone >= 0) {
        CHECK_SYSCALL(unlink("tmpf-gone"), 0);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", gone);
        CHECK_ERRNO(linkat(AT_FDCWD, proc, AT_FDCWD, "back", AT_SYMLINK_FOLLOW),
                    ENOENT);
        close(gone);
    }
    /* The errors. */
    CHECK_ERRNO(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
    CHECK_ERRNO(open(".", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
    CHECK_ERRNO(open("nodir", O_TMPFILE | O_RDWR, 0600), ENOENT);
    fd = open("tmpf-plain", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0)
        close(fd);
    CHECK_ERRNO(open("tmpf-plain", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
    unlink("tmpf-plain");
    CHECK(entries_here() == before, "%d entries left behind, not %d",
          entries_here(), before);
out_umask:
    umask(um);
}

/* A FIFO node (fifo(7)): O_NONBLOCK opens, data through it, O_RDWR, the
   node's own attributes on the ends, and its data gone after the last
   close. Blocking opens that would wait are not tried: they need a
   second thread or process. */
static void test_fifo(void)
{
    struct stat node, end;
    char buf[8] = {0};
    int r, w, rw, n = -1;

    if (!CHECK_SYSCALL(mkfifo("fifo", 0600), 0))
        return;
    CHECK_ERRNO(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
    r = CHECK_OK(open("fifo", O_RDONLY | O_NONBLOCK));
    if (r < 0)
        goto out;
    CHECK_SYSCALL(read(r, buf, sizeof(buf)), 0); /* no writer: end of file */
    w = CHECK_OK(open("fifo", O_WRONLY)); /* a reader is there: no wait */
    if (w >= 0) {
        CHECK_SYSCALL(write(w, "abc", 3), 3);
        CHECK_SYSCALL(ioctl(r, FIONREAD, &n), 0);
        CHECK(n == 3, "FIONREAD %d", n);
        if (CHECK_SYSCALL(read(r, buf, sizeof(buf)), 3))
            CHECK(memcmp(buf, "abc", 3) == 0, "read \"%.3s\"", buf);
        CHECK_ERRNO(read(r, buf, sizeof(buf)), EAGAIN); /* a writer, no data */
        CHECK_ERRNO(lseek(w, 0, SEEK_SET), ESPIPE);
        if (CHECK_SYSCALL(stat("fifo", &node), 0) &&
            CHECK_SYSCALL(fstat(w, &end), 0))
            CHECK(S_ISFIFO(end.st_mode) && end.st_ino == node.st_ino,
                  "the end is inode %lu mode %o, the node %lu",
                  (unsigned long)end.st_ino, (unsigned)end.st_mode,
                  (unsigned long)node.st_ino);
        CHECK_SYSCALL(write(w, "left", 4), 4);
        close(w);
    }
    close(r);
    /* Every end closed: what was left is gone. O_RDWR never waits. */
    rw = CHECK_OK(open("fifo", O_RDWR | O_NONBLOCK));
    if (rw >= 0) {
        n = -1;
        CHECK_SYSCALL(ioctl(rw, FIONREAD, &n), 0);
        CHECK(n == 0, "FIONREAD %d after every end closed", n);
        CHECK_SYSCALL(write(rw, "xy", 2), 2);
        if (CHECK_SYSCALL(read(rw, buf, sizeof(buf)), 2))
            CHECK(memcmp(buf, "xy", 2) == 0, "read \"%.2s\"", buf);
        close(rw);
    }
out:
    unlink("fifo");
}

/* Extended attributes: where the filesystem keeps them (the host's own,
   run natively) what is set reads back; where it does not (husk today)
   get/set/remove say EOPNOTSUPP and list is empty. The errors before
   that are the same either way. */
static void test_xattr(void)
{
    char v[16], list[256], longname[300];
    int fd = CHECK_OK(open("xa", O_RDWR | O_CREAT | O_TRUNC, 0644));
    ssize_t r;
    int kept;

    if (fd < 0)
        return;
    r = setxattr("xa", "user.husk", "v1", 2, 0);
    kept = r == 0;
    CHECK(kept || errno == EOPNOTSUPP, "setxattr = %zd (%s)", r,
          tap_errno_name(errno));
    tap_diag("this filesystem %s user xattrs", kept ? "keeps" : "keeps no");
    r = getxattr("xa", "user.husk", v, sizeof(v));
    if (kept)
        CHECK(r == 2 && memcmp(v, "v1", 2) == 0, "getxattr = %zd", r);
    else
        CHECK(r == -1 && errno == EOPNOTSUPP, "getxattr = %zd (%s)", r,
              tap_errno_name(errno));
    r = listxattr("xa", list, sizeof(list));
    CHECK(r >= 0, "listxattr = %zd (%s)", r, tap_errno_name(errno));
    if (!kept)
        CHECK(r == 0, "listxattr lists %zd bytes of names", r);
    r = flistxattr(fd, list, sizeof(list));
    CHECK(r >= 0, "flistxattr = %zd (%s)", r, tap_errno_name(errno));
    r = fgetxattr(fd, "user.never-set", v, sizeof(v));
    CHECK(r == -1 && (errno == ENODATA || errno == EOPNOTSUPP),
          "fgetxattr of a name never set = %zd (%s)", r, tap_errno_name(errno));
    r = removexattr("xa", "user.husk");
    CHECK(kept ? r == 0 : r == -1 && errno == EOPNOTSUPP,
          "removexattr = %zd (%s)", r, tap_errno_name(errno));
    /* The checks before the filesystem's answer. */
    CHECK_ERRNO(getxattr("no-such-file", "user.x", v, sizeof(v)), ENOENT);
    CHECK_ERRNO(listxattr("no-such-file", list, sizeof(list)), ENOENT);
    CHECK_ERRNO(fgetxattr(999, "user.x", v, sizeof(v)), EBADF);
    CHECK_ERRNO(flistxattr(999, list, sizeof(list)), EBADF);
    CHECK_ERRNO(getxattr("xa", "", v, sizeof(v)), ERANGE);
    memset(longname, 'a', sizeof(longname) - 1);
    memcpy(longname, "user.", 5);
    longname[sizeof(longname) - 1] = 0;
    CHECK_ERRNO(getxattr("xa", longname, v, sizeof(v)), ERANGE);
    CHECK_ERRNO(syscall(SYS_getxattr, "xa", 8L, v, sizeof(v)), EFAULT);
    CHECK_ERRNO(setxattr("xa", "user.x", "v", 1, 4), EINVAL);
    close(fd);
    unlink("xa");
}

static const struct tap_test tests[] = {
    {"open O_CREAT|O_EXCL gives EEXIST, also on a dangling symlink",
     test_open_excl},
    {"open O_TRUNC empties the file", test_open_trunc},
    {"O_APPEND writes go to the end after lseek(0)", test_open_append},
    {"access mode: EBADF for write on O_RDONLY, read on O_WRONLY",
     test_open_access_mode},
    {"O_DIRECTORY ENOTDIR, O_NOFOLLOW ELOOP, dir for writing EISDIR",
     test_open_type_flags},
    {"read/write/pread64/pwrite64 and offsets", test_rw_positioned},
    {"readv/writev/preadv/pwritev", test_rw_vectored},
    {"lseek SET/CUR/END/DATA/HOLE and EINVAL", test_lseek},
    {"sparse file with one byte at 5 GiB", test_sparse},
    {"ftruncate/truncate grow with zeros and shrink", test_truncate},
    {"fallocate mode 0 grows the size", test_fallocate},
    {"fstat/stat/lstat fields and the umask", test_stat_fields},
    {"newfstatat AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH", test_newfstatat},
    {"statx basic stats", test_statx},
    {"dup and dup2 share the file offset", test_dup_offset},
    {"O_CLOEXEC, F_GETFD/F_SETFD, F_DUPFD_CLOEXEC, dup3", test_cloexec},
    {"fsync/fdatasync/sync/syncfs, fadvise64/readahead", test_sync},
    {"copy_file_range between two files", test_copy_file_range},
    {"sendfile between two files", test_sendfile},
    {"a file unlinked while open stays usable", test_unlinked_open},
    {"2 MiB in odd-sized chunks reads back identical", test_big_odd_chunks},
    {"writes, holes and a shrink read back as modelled", test_patchwork},
    {"O_TMPFILE, linkat of it through /proc/self/fd, O_EXCL", test_tmpfile},
    {"a FIFO node: opens, data, O_RDWR, its data gone after", test_fifo},
    {"xattrs: kept, or EOPNOTSUPP and an empty list; errors", test_xattr},
};

int main(void) { return tap_run_in_tmpdir(tests, TAP_COUNT(tests), base); }
