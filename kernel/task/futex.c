/* SPDX-License-Identifier: MIT */
/* futex.c: futex(2) on the program's words, served by host futexes on the
   same memory (DESIGN.md "Threads are host threads"). The program's threads
   are host threads of this process, so a private host futex is exactly a
   private futex of the guest process, and a shared one on MAP_SHARED memory
   is keyed by the host on the same page. The kernel checks what the host
   cannot be trusted to check for us: the words lie in the arena, the
   timeout is copied in and valid. The PI commands are not implemented. */
#include "abi/linux/types.h"
#include "host/host.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

static bool word_ok(uptr_t a) { return !(a & 3) && user_range_ok(a, 4); }

SYSCALL_DEFINE6(futex, uptr_t, uaddr, int, op, uint32_t, val, uptr_t, utime,
                uptr_t, uaddr2, uint32_t, val3)
{
    int cmd = op & FUTEX_CMD_MASK;
    struct linux_timespec ts;
    const void *timeout = NULL;

    if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT &&
        cmd != FUTEX_WAIT_BITSET)
        return -ENOSYS; /* as Linux: the flag only means something there */
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
        if (cmd == FUTEX_WAIT_BITSET && !val3)
            return -EINVAL;
        if (utime) {
            if (copy_in(&ts, utime, sizeof(ts)) < 0)
                return -EFAULT;
            if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
                return -EINVAL;
            timeout = &ts;
        }
        uaddr2 = uaddr;
        break;
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        if (cmd == FUTEX_WAKE_BITSET && !val3)
            return -EINVAL;
        uaddr2 = uaddr;
        break;
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_WAKE_OP:
        if (!word_ok(uaddr2))
            return (uaddr2 & 3) ? -EINVAL : -EFAULT;
        timeout = (const void *)utime; /* val2, a count */
        break;
    default: return -ENOSYS; /* FUTEX_FD (gone from Linux), the PI ones */
    }
    if (uaddr & 3)
        return -EINVAL;
    if (!user_range_ok(uaddr, 4))
        return -EFAULT;
    return host_futex_op((uint32_t *)uaddr, op, val, timeout,
                         (uint32_t *)uaddr2, val3);
}
