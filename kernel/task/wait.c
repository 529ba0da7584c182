/* SPDX-License-Identifier: MIT */
/* wait.c: wait4 and waitid. The program is alone in its sandbox and has
   made no children (clone and fork come with the processes issue), so a
   wait has nothing to wait for: ECHILD, after the same argument checks
   Linux makes (kernel_wait4, kernel_waitid). */
#include "syscall/syscall.h"
#include "task/task.h"

#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WEXITED 0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000U

SYSCALL_DEFINE4(wait4, int, pid, uptr_t, status, int, options, uptr_t, ru)
{
    (void)status, (void)ru;
    if ((unsigned)options &
        ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH; /* -INT_MIN cannot be negated */
    return -ECHILD;
}

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

SYSCALL_DEFINE5(waitid, int, which, int, id, uptr_t, info, int, options, uptr_t,
                ru)
{
    (void)id, (void)info, (void)ru;
    if ((unsigned)options & ~(WNOHANG | WNOWAIT | WEXITED | WUNTRACED |
                              WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    if (!(options & (WEXITED | WUNTRACED | WCONTINUED)))
        return -EINVAL;
    if (which < P_ALL || which > P_PIDFD)
        return -EINVAL;
    return which == P_PIDFD ? -EBADF : -ECHILD;
}
