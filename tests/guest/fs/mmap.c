/* SPDX-License-Identifier: MIT */
/* mmap.c: mapping files: MAP_PRIVATE reads the file and keeps its writes
   to itself; MAP_SHARED writes reach the file on msync and munmap;
   offsets, the zero tail past the end of the file, and mmap(2)'s and
   msync(2)'s errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "tmpdir.h"

static char base[] = "/tmp/husk-mmap-XXXXXX";
#define PG 4096

/* A file of `pages` pages, page i filled with the byte 'a' + i. */
static int make_file(const char *name, int pages, int extra)
{
    char buf[PG];
    int fd = open(name, O_CREAT | O_RDWR | O_TRUNC, 0644);
    for (int i = 0; fd >= 0 && i < pages; i++) {
        memset(buf, 'a' + i, sizeof(buf));
        if (write(fd, buf, sizeof(buf)) != sizeof(buf))
            return -1;
    }
    if (fd >= 0 && extra && write(fd, "tail", 4) != 4)
        return -1;
    return fd;
}

static void test_private(void)
{
    int fd = make_file("priv", 3, 0);
    if (!CHECK(fd >= 0, "make_file"))
        return;
    char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!CHECK(p != MAP_FAILED, "mmap: %s", tap_errno_name(errno)))
        return;
    CHECK(p[0] == 'a' && p[PG] == 'b' && p[3 * PG - 1] == 'c',
          "the pages hold the file");
    p[0] = 'X';
    char c;
    CHECK_SYSCALL(pread(fd, &c, 1, 0), 1);
    CHECK(c == 'a', "a private write does not reach the file (got '%c')", c);
    CHECK_SYSCALL(munmap(p, 3 * PG), 0);
    CHECK_SYSCALL(pread(fd, &c, 1, 0), 1);
    CHECK(c == 'a', "not after munmap either");
    close(fd);
}

static void test_offset_and_tail(void)
{
    int fd = make_file("off", 2, 1); /* 2 pages and "tail" */
    if (!CHECK(fd >= 0, "make_file"))
        return;
    char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
    if (CHECK(p != MAP_FAILED, "mmap at offset: %s", tap_errno_name(errno))) {
        CHECK(p[0] == 'b' && p[PG - 1] == 'b',
              "offset 4096 maps the second page");
        munmap(p, PG);
    }
    p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
    if (CHECK(p != MAP_FAILED, "mmap of the last page: %s",
              tap_errno_name(errno))) {
        CHECK(memcmp(p, "tail", 4) == 0, "the last page holds the tail");
        int zeros = 1;
        for (int i = 4; i < PG; i++)
            zeros &= p[i] == 0;
        CHECK(zeros, "and zeros after the end of the file");
        munmap(p, PG);
    }
    close(fd);
}

static void test_shared(void)
{
    int fd = make_file("shared", 2, 0);
    if (!CHECK(fd >= 0, "make_file"))
        return;
    char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(p != MAP_FAILED, "mmap shared: %s", tap_errno_name(errno)))
        return;
    memcpy(p, "hello", 5);
    CHECK_SYSCALL(msync(p, 2 * PG, MS_SYNC), 0);
    char buf[8] = {0};
    CHECK_SYSCALL(pread(fd, buf, 5, 0), 5);
    CHECK(memcmp(buf, "hello", 5) == 0,
          "msync wrote the change to the file (got %.5s)", buf);
    memcpy(p + PG, "world", 5);
    CHECK_SYSCALL(munmap(p, 2 * PG), 0);
    CHECK_SYSCALL(pread(fd, buf, 5, PG), 5);
    CHECK(memcmp(buf, "world", 5) == 0,
          "munmap wrote the change to the file (got %.5s)", buf);
    struct stat st;
    CHECK_SYSCALL(fstat(fd, &st), 0);
    CHECK(st.st_size == 2 * PG, "the file did not grow (size %lld)",
          (long long)st.st_size);
    close(fd);
}

static void test_errors(void)
{
    int fd = make_file("err", 1, 0), wo, d, pfd[2];
    if (!CHECK(fd >= 0, "make_file"))
        return;
    CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED &&
              errno == EINVAL,
          "an unaligned offset: EINVAL");
    CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED &&
              errno == EBADF,
          "a bad fd: EBADF");
    wo = open("err", O_WRONLY);
    CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED &&
              errno == EACCES,
          "a write-only fd: EACCES");
    close(wo);
    int ro = open("err", O_RDONLY);
    CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) ==
                  MAP_FAILED &&
              errno == EACCES,
          "shared writable on a read-only fd: EACCES");
    void *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    CHECK(p != MAP_FAILED, "private writable on a read-only fd is fine");
    if (p != MAP_FAILED)
        munmap(p, PG);
    close(ro);
    d = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, d, 0) == MAP_FAILED &&
              errno == ENODEV,
          "a directory: ENODEV");
    close(d);
    if (pipe(pfd) == 0) {
        CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0) == MAP_FAILED &&
                  errno == ENODEV,
              "a pipe: ENODEV");
        close(pfd[0]);
        close(pfd[1]);
    }
    p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_ERRNO(msync(p, PG, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERRNO(msync((char *)p + 1, PG, MS_SYNC), EINVAL);
    CHECK_ERRNO(msync(p, PG, 0x100), EINVAL);
    CHECK_SYSCALL(msync(p, PG, MS_ASYNC), 0);
    munmap(p, PG);
    CHECK_ERRNO(msync(p, PG, MS_SYNC), ENOMEM);
    close(fd);
}

static const struct tap_test tests[] = {
    {"MAP_PRIVATE: reads the file, keeps its writes", test_private},
    {"offsets, the last page and zeros past the end", test_offset_and_tail},
    {"MAP_SHARED: msync and munmap write back, the file does not grow",
     test_shared},
    {"mmap and msync errors", test_errors},
};

int main(void) { return tap_run_in_tmpdir(tests, TAP_COUNT(tests), base); }
