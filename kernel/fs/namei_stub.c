/* SPDX-License-Identifier: MIT */
/* namei_stub.c: path calls before the filesystem exists. Every libc's
   start-up asks readlink("/proc/self/exe") (glibc's static start does, for
   $ORIGIN); it is answered, and every other path is ENOENT, which is the
   truth of a sandbox whose filesystem is still empty. The filesystem issue
   replaces this file with the VFS path walk. */
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

static long do_readlink(uptr_t upath, uptr_t ubuf, int size)
{
    char path[LINUX_PATH_MAX];
    long n = copy_str_in(path, upath, sizeof(path));
    if (n < 0)
        return n;
    if (size <= 0)
        return -EINVAL;
    if (strcmp(path, "/proc/self/exe") && strcmp(path, "/proc/1/exe"))
        return -ENOENT;
    const char *exe = current_proc()->exe;
    size_t len = MIN(strlen(exe), (size_t)size); /* not NUL-terminated */
    return copy_out(ubuf, exe, len) < 0 ? -EFAULT : (long)len;
}

SYSCALL_DEFINE3(readlink, uptr_t, path, uptr_t, buf, int, size)
{
    return do_readlink(path, buf, size);
}

SYSCALL_DEFINE4(readlinkat, int, dfd, uptr_t, path, uptr_t, buf, int, size)
{
    (void)dfd; /* only absolute names are answered */
    return do_readlink(path, buf, size);
}
