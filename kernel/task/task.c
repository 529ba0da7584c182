/* SPDX-License-Identifier: MIT */
/* task.c: identity, exit and per-thread registrations: getpid and
   friends, exit/exit_group, set_tid_address, robust lists, arch_prctl and
   prctl. The first process is pid 1 with parent 0, as in a container. */
#include "task.h"

#include "fs/ext4.h"
#include "mm/mm.h"
#include "host/host.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"

struct kernel_info kinfo;
bool kernel_trace;

/* The sandbox ends: what the filesystems hold goes to the images first,
   so a clean exit, and a program's fatal signal, leave them consistent. */
static void sandbox_end(void)
{
    struct mm *mm = current_proc()->mm;
    if (mm) { /* shared file mappings to their files */
        spin_lock(&mm->lock);
        mm_writeback(mm, mm->lo, mm->hi);
        spin_unlock(&mm->lock);
    }
    vfs_lock();
    ext4_sync_all();
    vfs_unlock();
}

_Noreturn void proc_exit(struct proc *p, int status)
{
    (void)p; /* one process per sandbox today: its end is the sandbox's */
    sandbox_end();
    host_exit_group(status & 0xff);
}

_Noreturn void proc_exit_signal(struct proc *p, int sig)
{
    (void)p;
    sandbox_end();
    host_exit_signal(sig);
}

SYSCALL_DEFINE0(getpid) { return current_proc()->pid; }
SYSCALL_DEFINE0(getppid) { return current_proc()->ppid; }
SYSCALL_DEFINE0(gettid) { return current()->tid; }
SYSCALL_DEFINE0(getpgrp) { return current_proc()->pgid; }
SYSCALL_DEFINE0(getuid) { return current_proc()->uid; }
SYSCALL_DEFINE0(geteuid) { return current_proc()->euid; }
SYSCALL_DEFINE0(getgid) { return current_proc()->gid; }
SYSCALL_DEFINE0(getegid) { return current_proc()->egid; }

/* getpgid/getsid: 0 or our own pid name us; nobody else exists. */
static long own_pid(int pid, long value)
{
    if (pid < 0)
        return -EINVAL;
    return pid == 0 || pid == current_proc()->pid ? value : -ESRCH;
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
    return own_pid(pid, current_proc()->pgid);
}
SYSCALL_DEFINE1(getsid, int, pid) { return own_pid(pid, current_proc()->sid); }

SYSCALL_DEFINE2(getgroups, int, size, uptr_t, list)
{
    (void)list;
    return size < 0 ? -EINVAL : 0; /* no supplementary groups */
}

static long put_ids(uptr_t a, uptr_t b, uptr_t c, uint32_t x, uint32_t y,
                    uint32_t z)
{
    if (copy_out(a, &x, 4) < 0 || copy_out(b, &y, 4) < 0 ||
        copy_out(c, &z, 4) < 0)
        return -EFAULT;
    return 0;
}

SYSCALL_DEFINE3(getresuid, uptr_t, r, uptr_t, e, uptr_t, s)
{
    struct proc *p = current_proc();
    return put_ids(r, e, s, p->uid, p->euid, p->suid);
}

SYSCALL_DEFINE3(getresgid, uptr_t, r, uptr_t, e, uptr_t, s)
{
    struct proc *p = current_proc();
    return put_ids(r, e, s, p->gid, p->egid, p->sgid);
}

SYSCALL_DEFINE1(exit_group, int, status) { proc_exit(current_proc(), status); }

SYSCALL_DEFINE1(set_tid_address, uptr_t, tidptr)
{
    current()->clear_child_tid = tidptr;
    return current()->tid;
}

#define ROBUST_HEAD_SIZE 24 /* struct robust_list_head */

SYSCALL_DEFINE2(set_robust_list, uptr_t, head, size_t, len)
{
    if (len != ROBUST_HEAD_SIZE)
        return -EINVAL;
    current()->robust_list = head;
    current()->robust_len = len;
    return 0;
}

SYSCALL_DEFINE3(get_robust_list, int, pid, uptr_t, head, uptr_t, len)
{
    struct task *t = current();
    if (pid != 0 && pid != t->tid)
        return -ESRCH;
    uint64_t h = t->robust_list, l = t->robust_len;
    if (copy_out(head, &h, 8) < 0 || copy_out(len, &l, 8) < 0)
        return -EFAULT;
    return 0;
}

/* A canonical user address (x86_64 ARCH_SET_FS refuses the rest). */
static bool canonical(uint64_t a) { return a < (1ULL << 47); }

SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
    struct task *t = current();
    uint64_t v;
    switch (code) {
    case LINUX_ARCH_SET_FS:
        if (!canonical(addr))
            return -EPERM;
        *t->user_fs = addr; /* loaded by the exit path */
        return 0;
    case LINUX_ARCH_GET_FS: v = *t->user_fs; return copy_out(addr, &v, 8);
    case LINUX_ARCH_SET_GS:
        if (!canonical(addr))
            return -EPERM;
        __builtin_ia32_wrgsbase64(addr); /* the kernel does not use %gs */
        return 0;
    case LINUX_ARCH_GET_GS:
        v = __builtin_ia32_rdgsbase64();
        return copy_out(addr, &v, 8);
    default: return -EINVAL;
    }
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, a2, unsigned long, a3,
                unsigned long, a4, unsigned long, a5)
{
    struct proc *p = current_proc();
    char name[16];
    int zero = 0;
    switch (option) {
    case LINUX_PR_SET_NAME:
        memset(name, 0, sizeof(name));
        if (copy_str_in(name, a2, sizeof(name)) == -EFAULT)
            return -EFAULT;
        memcpy(p->comm, name, sizeof(name) - 1);
        return 0;
    case LINUX_PR_GET_NAME: return copy_out(a2, p->comm, sizeof(p->comm));
    case LINUX_PR_GET_DUMPABLE: return p->dumpable;
    case LINUX_PR_SET_DUMPABLE:
        if (a2 > 1)
            return -EINVAL;
        p->dumpable = (int)a2;
        return 0;
    case LINUX_PR_SET_NO_NEW_PRIVS:
        if (a2 != 1 || a3 || a4 || a5)
            return -EINVAL;
        p->no_new_privs = 1;
        return 0;
    case LINUX_PR_GET_NO_NEW_PRIVS:
        if (a2 || a3 || a4 || a5)
            return -EINVAL;
        return p->no_new_privs;
    case LINUX_PR_GET_PDEATHSIG: return copy_out(a2, &zero, sizeof(zero));
    default: return -EINVAL;
    }
}
