/* SPDX-License-Identifier: MIT */
/* types.h: basic Linux x86_64 ABI types used across the syscall layer. */
#ifndef ABI_LINUX_TYPES_H
#define ABI_LINUX_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* An address in the application's memory: never dereferenced directly,
   only through copy_in/copy_out (kernel/syscall/uaccess.h). */
typedef unsigned long uptr_t;

struct linux_timespec {
    long tv_sec;
    long tv_nsec;
};

struct linux_timeval {
    long tv_sec;
    long tv_usec;
};

struct linux_iovec {
    uptr_t iov_base;
    size_t iov_len;
};

#define LINUX_IOV_MAX 1024
#define LINUX_PATH_MAX 4096
#define LINUX_PAGE_SIZE 4096UL

#endif
