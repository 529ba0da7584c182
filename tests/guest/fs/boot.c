/* SPDX-License-Identifier: MIT */
/*
 * boot.c: the file system checks of LKL's boot test (tools/lkl/tests/boot.c
 * in the Linux Kernel Library), in its order, as a program sees them: umask,
 * creat, open, read, write, lseek, fstat, mkdir, stat, pipe2, epoll, then a
 * procfs mounted on a fresh directory, walked with chdir, open(".") and
 * getdents64, and unmounted.
 *
 * The tests share state (the file's fd, the directory fd) and run in order,
 * inside a fresh mkdtemp directory that main() removes at the end. mount
 * needs CAP_SYS_ADMIN natively: without it the mount tests skip and the
 * directory walk uses the host's /proc instead; under husk the mount must
 * work.
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
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

/* LKL's access_rights: the mode of the file and the directory it makes. */
#define ACCESS_RIGHTS 0721

/* What getdents64 writes: struct linux_dirent64. */
struct dent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static char base[] = "/tmp/husk-boot-XXXXXX";
static char file_path[64], file2_path[64], mnt_path[64], proc_path[64];
static const char write_test[] = "test";

static int file_fd = -1;     /* the file, from test_open on */
static int dir_fd = -1;      /* the directory opened by test_open_cwd */
static int proc_mounted;     /* mount succeeded, not yet unmounted */
static const char *walk_dir; /* where chdir_proc went: proc_path or /proc */

static void test_umask(void)
{
    mode_t old = umask(0777);

    /* LKL leaves the mask at 0 so that modes come out as asked. */
    CHECK(umask(0) == 0777, "umask(0) did not return 0777");
    tap_diag("umask was %03o", (unsigned)old);
}

static void test_creat(void)
{
    int fd = CHECK_OK(creat(file_path, ACCESS_RIGHTS));

    file_fd = fd;
}

static void test_close(void)
{
    if (file_fd < 0)
        SKIP("creat failed");
    CHECK_SYSCALL(close(file_fd), 0);
    file_fd = -1;
}

static void test_failopen(void)
{
    CHECK_ERRNO(open(file2_path, O_RDONLY), ENOENT);
}

static void test_open(void) { file_fd = CHECK_OK(open(file_path, O_RDWR)); }

static void test_write(void)
{
    if (file_fd < 0)
        SKIP("open failed");
    CHECK_SYSCALL(write(file_fd, write_test, sizeof(write_test)),
                  sizeof(write_test));
}

static void test_lseek_cur(void)
{
    if (file_fd < 0)
        SKIP("open failed");
    CHECK_SYSCALL(lseek(file_fd, 0, SEEK_CUR), sizeof(write_test));
}

static void test_lseek_end(void)
{
    if (file_fd < 0)
        SKIP("open failed");
    CHECK_SYSCALL(lseek(file_fd, 0, SEEK_END), sizeof(write_test));
}

static void test_lseek_set(void)
{
    if (file_fd < 0)
        SKIP("open failed");
    CHECK_SYSCALL(lseek(file_fd, 0, SEEK_SET), 0);
}

static void test_read(void)
{
    char buf[10] = {0};

    if (file_fd < 0)
        SKIP("open failed");
    if (CHECK_SYSCALL(read(file_fd, buf, sizeof(buf)), sizeof(write_test)))
        CHECK(strcmp(buf, write_test) == 0, "read back \"%.10s\"", buf);
    CHECK_SYSCALL(read(file_fd, buf, sizeof(buf)), 0);
}

static void test_fstat(void)
{
    struct stat st;

    if (file_fd < 0)
        SKIP("open failed");
    if (!CHECK_SYSCALL(fstat(file_fd, &st), 0))
        return;
    CHECK(st.st_size == sizeof(write_test), "st_size %lld",
          (long long)st.st_size);
    CHECK(st.st_mode == (ACCESS_RIGHTS | S_IFREG), "st_mode %o",
          (unsigned)st.st_mode);
}

static void test_mkdir(void)
{
    CHECK_SYSCALL(mkdir(mnt_path, ACCESS_RIGHTS), 0);
}

static void test_stat(void)
{
    struct stat st;

    if (!CHECK_SYSCALL(stat(mnt_path, &st), 0))
        return;
    CHECK(st.st_mode == (ACCESS_RIGHTS | S_IFDIR), "st_mode %o",
          (unsigned)st.st_mode);
}

static void test_pipe2(void)
{
    const char msg[] = "Hello world!";
    char buf[sizeof(msg)] = {0};
    int p[2];

    if (!CHECK_SYSCALL(pipe2(p, O_NONBLOCK), 0))
        return;
    CHECK_SYSCALL(write(p[1], msg, sizeof(msg)), sizeof(msg));
    if (CHECK_SYSCALL(read(p[0], buf, sizeof(buf)), sizeof(msg)))
        CHECK(memcmp(buf, msg, sizeof(msg)) == 0, "read \"%.12s\"", buf);
    /* Empty and non-blocking. */
    CHECK_ERRNO(read(p[0], buf, sizeof(buf)), EAGAIN);
    CHECK_SYSCALL(close(p[0]), 0);
    CHECK_SYSCALL(close(p[1]), 0);
}

static void test_epoll(void)
{
    const char msg[] = "Hello world!";
    struct epoll_event ev, out;
    int p[2], ep;

    if (!CHECK_SYSCALL(pipe2(p, O_NONBLOCK), 0))
        return;
    ep = CHECK_OK(epoll_create1(0));
    if (ep < 0)
        goto out;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.fd = p[0];
    if (!CHECK_SYSCALL(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0))
        goto out_ep;
    /* Not ready before anything is written. */
    memset(&out, 0, sizeof(out));
    CHECK_SYSCALL(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_SYSCALL(write(p[1], msg, sizeof(msg)), sizeof(msg));
    /* Exactly one fd ready at once, for reading. */
    if (CHECK_SYSCALL(epoll_wait(ep, &out, 1, 0), 1)) {
        CHECK(out.data.fd == p[0], "event for fd %d, want %d", out.data.fd,
              p[0]);
        CHECK(out.events == EPOLLIN, "events %#x, want EPOLLIN",
              (unsigned)out.events);
    }
out_ep:
    close(ep);
out:
    close(p[0]);
    close(p[1]);
}

static void test_mount_fs_proc(void)
{
    if (!CHECK_SYSCALL(mkdir(proc_path, 0755), 0))
        return;
    errno = 0;
    if (mount("proc", proc_path, "proc", 0, NULL) == 0) {
        proc_mounted = 1;
        return;
    }
    if (errno == EPERM)
        SKIP("mount needs CAP_SYS_ADMIN (EPERM)");
    CHECK(0, "mount(\"proc\", \"%s\", \"proc\") failed: %s", proc_path,
          tap_errno_name(errno));
}

static void test_chdir_proc(void)
{
    walk_dir = proc_mounted ? proc_path : "/proc";
    if (!proc_mounted)
        tap_diag("proc not mounted, walking the host's /proc");
    errno = 0;
    if (chdir(walk_dir) == 0)
        return;
    walk_dir = NULL;
    if (!proc_mounted && errno == ENOENT)
        SKIP("proc not mounted and no /proc");
    CHECK(0, "chdir to proc failed: %s", tap_errno_name(errno));
}

static void test_open_cwd(void)
{
    if (!walk_dir)
        SKIP("not in a proc directory");
    dir_fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
}

static void test_getdents64(void)
{
    static char buf[32768];
    int found = 0, entries = 0;
    long n;

    if (dir_fd < 0)
        SKIP("no directory fd");
    while (!found) {
        n = CHECK_OK(syscall(SYS_getdents64, dir_fd, buf, sizeof(buf)));
        if (n <= 0)
            break;
        for (long pos = 0; pos < n;) {
            struct dent64 *de = (struct dent64 *)(buf + pos);

            entries++;
            if (strcmp(de->d_name, "self") == 0 ||
                (de->d_name[0] >= '1' && de->d_name[0] <= '9' &&
                 de->d_type == DT_DIR))
                found = 1;
            if (!CHECK(de->d_reclen > 0, "d_reclen 0"))
                return;
            pos += de->d_reclen;
        }
    }
    CHECK(found, "no \"self\" or pid directory in %d entries", entries);
}

static void test_close_dir_fd(void)
{
    if (dir_fd < 0)
        SKIP("no directory fd");
    CHECK_SYSCALL(close(dir_fd), 0);
    dir_fd = -1;
}

static void test_chdir_root(void)
{
    char buf[PATH_MAX];

    CHECK_SYSCALL(chdir("/"), 0);
    if (CHECK(getcwd(buf, sizeof(buf)) == buf, "getcwd failed: %s",
              tap_errno_name(errno)))
        CHECK(strcmp(buf, "/") == 0, "cwd \"%s\"", buf);
}

static void test_umount_fs_proc(void)
{
    struct stat st;

    if (!proc_mounted)
        SKIP("proc was not mounted");
    if (CHECK_SYSCALL(umount(proc_path), 0))
        proc_mounted = 0;
    /* The mount point is an empty directory again. */
    if (CHECK_SYSCALL(stat(proc_path, &st), 0))
        CHECK(st.st_nlink == 2 || st.st_nlink == 1, "st_nlink %lu",
              (unsigned long)st.st_nlink);
    CHECK_SYSCALL(rmdir(proc_path), 0);
}

static const struct tap_test tests[] = {
    {"umask", test_umask},
    {"creat", test_creat},
    {"close", test_close},
    {"failopen (ENOENT)", test_failopen},
    {"open", test_open},
    {"write", test_write},
    {"lseek_cur", test_lseek_cur},
    {"lseek_end", test_lseek_end},
    {"lseek_set", test_lseek_set},
    {"read", test_read},
    {"fstat", test_fstat},
    {"mkdir", test_mkdir},
    {"stat", test_stat},
    {"pipe2", test_pipe2},
    {"epoll", test_epoll},
    {"mount_fs_proc", test_mount_fs_proc},
    {"chdir_proc", test_chdir_proc},
    {"open_cwd", test_open_cwd},
    {"getdents64", test_getdents64},
    {"close_dir_fd", test_close_dir_fd},
    {"chdir_root", test_chdir_root},
    {"umount_fs_proc", test_umount_fs_proc},
};

int main(void)
{
    mode_t mask = umask(022);
    int status;

    umask(mask);
    if (!mkdtemp(base)) {
        printf("Bail out! mkdtemp(\"%s\"): %s\n", base, tap_errno_name(errno));
        return 1;
    }
    snprintf(file_path, sizeof(file_path), "%s/file", base);
    snprintf(file2_path, sizeof(file2_path), "%s/file2", base);
    snprintf(mnt_path, sizeof(mnt_path), "%s/mnt", base);
    snprintf(proc_path, sizeof(proc_path), "%s/proc", base);

    status = tap_run(tests, TAP_COUNT(tests));

    if (file_fd >= 0)
        close(file_fd);
    if (dir_fd >= 0)
        close(dir_fd);
    if (proc_mounted)
        umount2(proc_path, MNT_DETACH);
    if (chdir("/") != 0)
        tap_diag("chdir(\"/\") failed: %s", tap_errno_name(errno));
    unlink(file_path);
    rmdir(mnt_path);
    rmdir(proc_path);
    if (rmdir(base) != 0) {
        tap_diag("could not remove %s: %s", base, tap_errno_name(errno));
        status = 1;
    }
    umask(mask);
    return status;
}
