/* SPDX-License-Identifier: MIT */
/* syscall.h: how a system call handler is written and registered.

   A handler is `long sys_NAME(typed args)` returning a result or -errno,
   defined with SYSCALL_DEFINEn(NAME, type, arg, ...) as in Linux. The macro
   also emits `__se_sys_NAME(const long *a)`, the uniform entry the table in
   syscalls.def points at, which narrows each register to its C type.
   Pointers from the program are uptr_t and reach memory only through
   copy_in/copy_out (uaccess.h). */
#ifndef HUSK_SYSCALL_H
#define HUSK_SYSCALL_H

#include "kernel.h"

enum sys_arg_kind {
    A_I,
    A_L,
    A_U,
    A_X,
    A_OCT,
    A_P,
    A_FD,
    A_STR,
    A_IBUF,
    A_OBUF,
    A_SIG,
    A_PROT,
    A_MAPF
};
enum sys_ret_kind { R_DEC, R_HEX, R_OCT, R_NORET };
enum sys_status { ST_FULL, ST_PARTIAL, ST_NOSYS, ST_QUIET };

typedef long (*sys_entry_fn)(const long *a);

struct sys_entry {
    const char *name;
    sys_entry_fn fn; /* NULL: -ENOSYS */
    const char *note;
    unsigned char status, ret, nargs;
    unsigned char kinds[6];
};

#define SYS_TABLE_SIZE 470
extern const struct sys_entry sys_table[SYS_TABLE_SIZE];

/* Run system call `nr` for the current task with the six argument
   registers; returns the value for %rax. Traces when --trace is on. */
long syscall_dispatch(long nr, const long a[6]);

/* --trace: print one strace-style line (trace.c). */
void trace_syscall(long nr, const long a[6], long ret);
void trace_enter_noreturn(long nr, const long a[6]);

#define SYS_DECL(name) long __se_sys_##name(const long *a)
#define SYS(nr, name, ...) SYS_DECL(name);
#define NOSYS(nr, name, note)
#define QUIET(nr, name, note)
#include "syscalls.def"
#undef SYS
#undef NOSYS
#undef QUIET

#define SYSCALL_DEFINE0(name)                                                  \
    long sys_##name(void);                                                     \
    SYS_DECL(name)                                                             \
    {                                                                          \
        (void)a;                                                               \
        return sys_##name();                                                   \
    }                                                                          \
    long sys_##name(void)
#define SYSCALL_DEFINE1(name, t1, a1)                                          \
    long sys_##name(t1 a1);                                                    \
    SYS_DECL(name) { return sys_##name((t1)a[0]); }                            \
    long sys_##name(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                                  \
    long sys_##name(t1 a1, t2 a2);                                             \
    SYS_DECL(name) { return sys_##name((t1)a[0], (t2)a[1]); }                  \
    long sys_##name(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                          \
    long sys_##name(t1 a1, t2 a2, t3 a3);                                      \
    SYS_DECL(name) { return sys_##name((t1)a[0], (t2)a[1], (t3)a[2]); }        \
    long sys_##name(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                  \
    long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4);                               \
    SYS_DECL(name)                                                             \
    {                                                                          \
        return sys_##name((t1)a[0], (t2)a[1], (t3)a[2], (t4)a[3]);             \
    }                                                                          \
    long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)          \
    long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);                        \
    SYS_DECL(name)                                                             \
    {                                                                          \
        return sys_##name((t1)a[0], (t2)a[1], (t3)a[2], (t4)a[3], (t5)a[4]);   \
    }                                                                          \
    long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6)  \
    long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6);                 \
    SYS_DECL(name)                                                             \
    {                                                                          \
        return sys_##name((t1)a[0], (t2)a[1], (t3)a[2], (t4)a[3], (t5)a[4],    \
                          (t6)a[5]);                                           \
    }                                                                          \
    long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

#endif
