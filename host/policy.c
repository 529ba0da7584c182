/* SPDX-License-Identifier: MIT */
/* policy.c: the allowlist (see policy.h). Every rule here is needed by a
   hypercall in host.c; every host syscall in host.c has a rule here. */
#include "policy.h"

#include "host.h"

#include <asm/unistd.h>
#include <linux/mman.h>
#include <asm/ioctls.h>

#define ARENA(i)                                                               \
    {                                                                          \
        .arg = i, .op = PIN_RANGE, .v = {p->arena_lo, p->arena_hi},            \
        .what = "inside the guest arena"                                       \
    }
#define ARENA_LEN(i)                                                           \
    {                                                                          \
        .arg = i, .op = PIN_LE, .v = {p->arena_hi - p->arena_lo},              \
        .what = "at most the arena's size (a guard of that size follows it)"   \
    }

/* The block hypercalls, only for the disks there are: reads on any of
   them; writes per writable disk (alternatives: each has its own size and
   block size), never past its end, so that an image cannot grow. */
static int disk_rules(const struct policy_params *p, struct rule *r)
{
    int n = 0, nw = 0;
    if (!p->ndisks)
        return 0;
    struct rule rd = {
        __NR_pread64,
        "pread64",
        "blk_read",
        2,
        {{.arg = 0, .op = PIN_IN, .n = 0, .what = "a disk image"},
         {.arg = 2, .op = PIN_LE, .v = {1 << 20}, .what = "at most 1 MiB"}}};
    struct rule sy = {
        __NR_fdatasync,
        "fdatasync",
        "blk_sync",
        1,
        {{.arg = 0, .op = PIN_IN, .n = 0, .what = "a writable disk image"}}};
    for (int d = 0; d < p->ndisks && d < 4; d++) {
        rd.pins[0].v[rd.pins[0].n++] = (uint64_t)p->disks[d].fd;
        if (p->disks[d].writable)
            sy.pins[0].v[sy.pins[0].n++] = (uint64_t)p->disks[d].fd;
    }
    r[n++] = rd;
    struct rule mp = {
        __NR_mmap,
        "mmap",
        "mem_map_disk",
        4,
        {ARENA(0),
         ARENA_LEN(1),
         {.arg = 3,
          .op = PIN_EQ,
          .v = {MAP_FIXED | MAP_PRIVATE},
          .what = "MAP_FIXED|MAP_PRIVATE: copy on write"},
         {.arg = 4, .op = PIN_IN, .n = 0, .what = "a disk image"}}};
    for (int d = 0; d < p->ndisks && d < 4; d++)
        mp.pins[3].v[mp.pins[3].n++] = (uint64_t)p->disks[d].fd;
    r[n++] = mp;
    for (int d = 0; d < p->ndisks && d < 4; d++) {
        const struct policy_disk *k = &p->disks[d];
        if (!k->writable)
            continue;
        nw++;
        r[n++] = (struct rule){
            __NR_pwrite64,
            "pwrite64",
            "blk_write",
            3,
            {{.arg = 0,
              .op = PIN_EQ,
              .v = {(uint64_t)k->fd},
              .what = "a writable disk image"},
             {.arg = 2,
              .op = PIN_LE,
              .v = {k->block},
              .what = "at most one filesystem block"},
             {.arg = 3,
              .op = PIN_LE,
              .v = {k->size - k->block},
              .what = "never past that image's end: it cannot grow"}}};
    }
    if (nw)
        r[n++] = sy;
    return n;
}

/* The net hypercalls, only for the taps there are: a frame read from or
   written to one of them, and a ppoll over them. */
static int tap_rules(const struct policy_params *p, struct rule *r)
{
    if (!p->ntaps)
        return 0;
    struct pin taps = {.arg = 0, .op = PIN_IN, .n = 0, .what = "a tap device"};
    for (int t = 0; t < p->ntaps && t < 4; t++)
        taps.v[taps.n++] = (uint64_t)p->taps[t];
    r[0] =
        (struct rule){__NR_read,
                      "read",
                      "net_read",
                      2,
                      {taps,
                       {.arg = 2,
                        .op = PIN_LE,
                        .v = {65600},
                        .what = "one frame: at most 64 KiB and its headers"}}};
    r[1] =
        (struct rule){__NR_write,
                      "write",
                      "net_write",
                      2,
                      {taps,
                       {.arg = 2,
                        .op = PIN_LE,
                        .v = {65600},
                        .what = "one frame: at most 64 KiB and its headers"}}};
    r[2] = (struct rule){
        __NR_ppoll,
        "ppoll",
        "net_poll",
        2,
        {{.arg = 1, .op = PIN_LE, .v = {4}, .what = "the taps' fds"},
         {.arg = 3, .op = PIN_EQ, .v = {0}, .what = "no signal mask"}}};
    return 3;
}

int policy_rules(const struct policy_params *p, struct rule *r)
{
    const struct rule rules[] = {
        {__NR_read,
         "read",
         "console_read",
         1,
         {{.arg = 0, .op = PIN_EQ, .v = {0}, .what = "stdin"}}},
        {__NR_write,
         "write",
         "console_write",
         1,
         {{.arg = 0,
           .op = PIN_IN,
           .n = 2,
           .v = {1, 2},
           .what = "stdout or stderr"}}},
        {__NR_ioctl,
         "ioctl",
         "console_ioctl",
         2,
         {{.arg = 0,
           .op = PIN_IN,
           .n = 3,
           .v = {0, 1, 2},
           .what = "the console"},
          {.arg = 1,
           .op = PIN_IN,
           .n = 2,
           .v = {TCGETS, TIOCGWINSZ},
           .what = "TCGETS or TIOCGWINSZ"}}},
        {__NR_fstat,
         "fstat",
         "console_fstat",
         1,
         {{.arg = 0,
           .op = PIN_IN,
           .n = 3,
           .v = {0, 1, 2},
           .what = "the console"}}},
        {__NR_ppoll,
         "ppoll",
         "console_poll",
         2,
         {{.arg = 1, .op = PIN_LE, .v = {3}, .what = "the console's fds"},
          {.arg = 3, .op = PIN_EQ, .v = {0}, .what = "no signal mask"}}},
        {__NR_clock_gettime, "clock_gettime", "time_clock_gettime", 0, {{0}}},
        {__NR_clock_nanosleep, "clock_nanosleep", "time_nanosleep", 0, {{0}}},
        {__NR_mmap,
         "mmap",
         "mem_map mem_release",
         5,
         {ARENA(0),
          ARENA_LEN(1),
          {.arg = 3,
           .op = PIN_ALL_SET,
           .v = {MAP_FIXED | MAP_ANONYMOUS},
           .what = "MAP_FIXED|MAP_ANONYMOUS"},
          {.arg = 3,
           .op = PIN_NONE_SET,
           .v = {~(uint64_t)(MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE |
                             MAP_SHARED | MAP_NORESERVE)},
           .what = "no other flags"},
          {.arg = 4, .op = PIN_EQ, .v = {(uint64_t)-1}, .what = "no fd"}}},
        {__NR_mprotect, "mprotect", "mem_protect", 2, {ARENA(0), ARENA_LEN(1)}},
        {__NR_mremap,
         "mremap",
         "mem_move",
         5,
         {ARENA(0),
          ARENA_LEN(1),
          ARENA_LEN(2),
          {.arg = 3,
           .op = PIN_EQ,
           .v = {MREMAP_MAYMOVE | MREMAP_FIXED},
           .what = "MREMAP_MAYMOVE|MREMAP_FIXED"},
          ARENA(4)}},
        {__NR_sched_yield, "sched_yield", "cpu_yield", 0, {{0}}},
        {__NR_futex,
         "futex",
         "futex_op",
         3,
         {ARENA(0),
          {.arg = 1,
           .op = PIN_NONE_SET,
           .v = {~(uint64_t)(0x0f | 128 | 256)},
           .what = "a plain command, PRIVATE and CLOCK_REALTIME only"},
          ARENA(4)}},
        {__NR_futex,
         "futex",
         "futex_op",
         3,
         {{.arg = 0,
           .op = PIN_EQ,
           .v = {p->kevent},
           .what = "or the kernel's event word"},
          {.arg = 1,
           .op = PIN_IN,
           .n = 2,
           .v = {128, 129},
           .what = "FUTEX_WAIT_PRIVATE, FUTEX_WAKE_PRIVATE"},
          {.arg = 4, .op = PIN_EQ, .v = {p->kevent}, .what = "the same word"}}},
        {__NR_futex,
         "futex",
         "futex_op",
         3,
         {{.arg = 0,
           .op = PIN_EQ,
           .v = {p->netlock},
           .what = "or the network lock's word"},
          {.arg = 1,
           .op = PIN_IN,
           .n = 2,
           .v = {128, 129},
           .what = "FUTEX_WAIT_PRIVATE, FUTEX_WAKE_PRIVATE"},
          {.arg = 4,
           .op = PIN_EQ,
           .v = {p->netlock},
           .what = "the same word"}}},
        {__NR_getrandom, "getrandom", "cpu_random", 0, {{0}}},
        {__NR_rt_sigaction,
         "rt_sigaction",
         "signal_reset exit_signal",
         1,
         {{.arg = 3, .op = PIN_EQ, .v = {8}, .what = "sigsetsize 8"}}},
        {__NR_rt_sigprocmask,
         "rt_sigprocmask",
         "exit_signal signal_block_all",
         0,
         {{0}}},
        {__NR_tgkill,
         "tgkill",
         "exit_signal signal_kick",
         1,
         {{.arg = 0,
           .op = PIN_EQ,
           .v = {(uint64_t)p->pid},
           .what = "husk's own pid"}}},
        {__NR_exit_group, "exit_group", "exit_group exit_signal", 0, {{0}}},
        {__NR_clone,
         "clone",
         "thread_create",
         2,
         {{.arg = 0,
           .op = PIN_EQ,
           .v = {0x250f00},
           .what = "VM FS FILES SIGHAND THREAD SYSVSEM CHILD_CLEARTID"},
          {.arg = 4, .op = PIN_EQ, .v = {0}, .what = "no tls"}}},
        {__NR_prctl,
         "prctl",
         "thread_create",
         5,
         {{.arg = 0,
           .op = PIN_EQ,
           .v = {59},
           .what = "PR_SET_SYSCALL_USER_DISPATCH"},
          {.arg = 1, .op = PIN_EQ, .v = {1}, .what = "ON"},
          {.arg = 2,
           .op = PIN_EQ,
           .v = {(uint64_t)__start_husk_hostcall},
           .what = "the stub"},
          {.arg = 3,
           .op = PIN_EQ,
           .v = {(uint64_t)(__stop_husk_hostcall - __start_husk_hostcall)},
           .what = "the stub's length"},
          {.arg = 4, .op = PIN_EQ, .v = {0}, .what = "no selector"}}},
        {__NR_exit, "exit", "thread_exit", 0, {{0}}},
        {__NR_rt_sigreturn,
         "rt_sigreturn",
         "host_sigreturn (signal return), thread_create",
         0,
         {{0}}},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        r[n++] = rules[i];
    n += disk_rules(p, r + n);
    n += tap_rules(p, r + n);
    /* the filter wants a syscall's alternatives adjacent: a stable sort */
    for (int i = 1; i < n; i++) {
        struct rule x = r[i];
        int j = i;
        for (; j > 0 && r[j - 1].nr > x.nr; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
    return n;
}
