/* SPDX-License-Identifier: MIT */
/*
 * errno.c: error returns of bad calls on pipes and paths: EFAULT through
 * read/write, ESPIPE, ENOTTY, EPIPE, EFAULT and ENAMETOOLONG for paths. Mostly
 * raw syscall() so that libc checks nothing before the kernel (or husk) does.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

/* An address no user mapping can have (x86_64 user space ends at 2^47),
 * and one that is unmapped in the first page. */
#define BAD_HIGH ((void *)0xffff800000000000UL)
#define BAD_LOW ((void *)16)

static void test_bad_path_pointer(void)
{
    CHECK_ERRNO(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY), EFAULT);
    CHECK_ERRNO(syscall(SYS_openat, AT_FDCWD, BAD_HIGH, O_RDONLY), EFAULT);
}

static void test_bad_pointer_io(void)
{
    int p[2];
    char c;

    if (!CHECK(pipe(p) == 0, "pipe failed, errno %s", tap_errno_name(errno)))
        return;
    CHECK_ERRNO(syscall(SYS_write, p[1], BAD_LOW, 10), EFAULT);
    CHECK_ERRNO(syscall(SYS_write, p[1], BAD_HIGH, 10), EFAULT);
    CHECK_SYSCALL(write(p[1], "ab", 2), 2);
    CHECK_ERRNO(syscall(SYS_read, p[0], BAD_LOW, 1), EFAULT);
    /* The failed read consumed nothing. */
    CHECK_SYSCALL(read(p[0], &c, 1), 1);
    CHECK(c == 'a', "read '%c' after a faulting read", c);
    CHECK_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERRNO(syscall(SYS_ioctl, p[0], TCGETS, BAD_HIGH), ENOTTY);
    close(p[0]);
    close(p[1]);
}

static void test_path_too_long(void)
{
    static char path[5000];

    memset(path, 'a', sizeof(path) - 1);
    CHECK_ERRNO(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY), ENAMETOOLONG);
}

/* Last: if SIG_IGN does not stick, SIGPIPE ends the program here. */
static void test_epipe(void)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    int p[2];

    if (!CHECK(pipe(p) == 0, "pipe failed, errno %s", tap_errno_name(errno)))
        return;
    CHECK_SYSCALL(sigaction(SIGPIPE, &ign, &old), 0);
    close(p[0]);
    CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
    close(p[1]);
    CHECK_SYSCALL(sigaction(SIGPIPE, &old, NULL), 0);
}

static const struct tap_test tests[] = {
    {"bad buffers in read/write give EFAULT; pipe is not seekable or a tty",
     test_bad_pointer_io},
    {"bad path pointers give EFAULT", test_bad_path_pointer},
    {"path longer than PATH_MAX gives ENAMETOOLONG", test_path_too_long},
    {"write to a pipe with no reader gives EPIPE", test_epipe},
};

TAP_MAIN(tests)
