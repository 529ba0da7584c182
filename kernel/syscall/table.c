/* SPDX-License-Identifier: MIT */
/* table.c: the dispatch table, expanded from syscalls.def, and the one
   place every system call passes through. */
#include "syscall.h"

#include "task/task.h"

#define KINDS(...)                                                             \
    {                                                                          \
        __VA_ARGS__                                                            \
    }
#define SYS(nr_, name_, ret_, st_, note_, nargs_, ...)                         \
    [nr_] = {.name = #name_,                                                   \
             .fn = __se_sys_##name_,                                           \
             .note = note_,                                                    \
             .status = ST_##st_,                                               \
             .ret = R_##ret_,                                                  \
             .nargs = nargs_,                                                  \
             .kinds = KINDS(__VA_ARGS__)},
#define NOSYS(nr_, name_, note_)                                               \
    [nr_] = {.name = #name_, .note = note_, .status = ST_NOSYS},
#define QUIET(nr_, name_, note_)                                               \
    [nr_] = {.name = #name_, .note = note_, .status = ST_QUIET},
const struct sys_entry sys_table[SYS_TABLE_SIZE] = {
#include "syscalls.def"
};
#undef SYS
#undef NOSYS
#undef QUIET

/* One warning per unimplemented number, for the life of the sandbox. */
static uint64_t warned[(SYS_TABLE_SIZE + 64) / 64 + 1];

static void warn_nosys(long nr)
{
    unsigned long slot =
        nr >= 0 && nr < SYS_TABLE_SIZE ? (unsigned long)nr : SYS_TABLE_SIZE;
    uint64_t bit = 1ULL << (slot % 64);
    if (__atomic_fetch_or(&warned[slot / 64], bit, __ATOMIC_RELAXED) & bit)
        return;
    const struct sys_entry *e = slot < SYS_TABLE_SIZE ? &sys_table[slot] : NULL;
    if (e && e->name)
        kwarn("syscall %s (%ld) is not implemented (%s): returning ENOSYS\n",
              e->name, nr, e->note);
    else
        kwarn("unknown syscall %ld: returning ENOSYS\n", nr);
}

long syscall_dispatch(long nr, const long a[6])
{
    const struct sys_entry *e =
        nr >= 0 && nr < SYS_TABLE_SIZE ? &sys_table[nr] : NULL;
    long ret;
    bool tr = kernel_trace;

    if (likely(e && e->fn)) {
        if (unlikely(tr) && e->ret == R_NORET)
            trace_enter_noreturn(nr, a);
        ret = e->fn(a);
    } else {
        if (!e || e->status != ST_QUIET)
            warn_nosys(nr);
        ret = -ENOSYS;
    }
    if (unlikely(tr))
        trace_syscall(nr, a, ret);
    return ret;
}
