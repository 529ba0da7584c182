/* SPDX-License-Identifier: MIT */
/* errno.h: Linux errno values as the application sees them. The kernel
   returns -E... from every syscall handler; never the host's errno. */
#ifndef ABI_LINUX_ERRNO_H
#define ABI_LINUX_ERRNO_H

enum linux_errno {
#define X(name, val, text) LINUX_##name = val,
#include "errno_list.h"
#undef X
};

/* Short names for kernel code. Host-side files that also include libc's
   <errno.h> (tender, loader) get libc's, which have the same values. */
#ifndef ENOENT
#define EPERM LINUX_EPERM
#define ENOENT LINUX_ENOENT
#define ESRCH LINUX_ESRCH
#define EINTR LINUX_EINTR
#define EIO LINUX_EIO
#define E2BIG LINUX_E2BIG
#define ENOEXEC LINUX_ENOEXEC
#define EBADF LINUX_EBADF
#define ECHILD LINUX_ECHILD
#define EAGAIN LINUX_EAGAIN
#define ENOMEM LINUX_ENOMEM
#define EACCES LINUX_EACCES
#define EFAULT LINUX_EFAULT
#define EBUSY LINUX_EBUSY
#define EEXIST LINUX_EEXIST
#define ENODEV LINUX_ENODEV
#define ENOTDIR LINUX_ENOTDIR
#define EISDIR LINUX_EISDIR
#define EINVAL LINUX_EINVAL
#define EMFILE LINUX_EMFILE
#define ENOTTY LINUX_ENOTTY
#define EFBIG LINUX_EFBIG
#define ENOSPC LINUX_ENOSPC
#define ESPIPE LINUX_ESPIPE
#define EROFS LINUX_EROFS
#define EPIPE LINUX_EPIPE
#define ERANGE LINUX_ERANGE
#define ENAMETOOLONG LINUX_ENAMETOOLONG
#define ENOSYS LINUX_ENOSYS
#define ENOTEMPTY LINUX_ENOTEMPTY
#define ELOOP LINUX_ELOOP
#define EOVERFLOW LINUX_EOVERFLOW
#define EOPNOTSUPP LINUX_EOPNOTSUPP
#define ETIMEDOUT LINUX_ETIMEDOUT
#define ENXIO LINUX_ENXIO
#define EXDEV LINUX_EXDEV
#define EMLINK LINUX_EMLINK
#define ENFILE LINUX_ENFILE
#define ETXTBSY LINUX_ETXTBSY
#define ENOLCK LINUX_ENOLCK
#define ENODATA LINUX_ENODATA
#define ENOTSOCK LINUX_ENOTSOCK
#define EBADFD LINUX_EBADFD
#define EDEADLK LINUX_EDEADLK
#define EWOULDBLOCK LINUX_EAGAIN
#endif

/* Kernel-internal: a syscall interrupted before doing anything, to be
   restarted (Linux's ERESTARTSYS, never seen by the application). */
#define ERESTARTSYS 512

#endif
