/* SPDX-License-Identifier: MIT */
/* policy.h: the seccomp allowlist, one rule per host syscall that the
   hypercalls of host.h use, each with its argument pins. It is the single
   source for the filter the tender installs (tender/lockdown.c) and for
   what `husk policy` prints; tests/host/policy.t checks that it names
   exactly the host syscalls host.h and host.c use. */
#ifndef HUSK_POLICY_H
#define HUSK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pin_op {
    PIN_EQ,       /* arg == v[0] */
    PIN_IN,       /* arg is one of v[0..n) */
    PIN_ALL_SET,  /* (arg & v[0]) == v[0] */
    PIN_NONE_SET, /* (arg & v[0]) == 0 */
    PIN_RANGE,    /* v[0] <= arg < v[1] */
    PIN_LE,       /* arg <= v[0] */
};

struct pin {
    unsigned char arg, op, n;
    uint64_t v[4];
    const char *what; /* for `husk policy`: what the pin means */
};

struct rule {
    int nr;
    const char *name;
    const char *hypercalls; /* which hypercalls need it */
    int npins;
    struct pin pins[5];
};

/* What the pins depend on, known once the sandbox is laid out. */
struct policy_params {
    uint64_t arena_lo, arena_hi; /* the arena; [hi, 2*hi-lo) is a guard */
    int pid;                     /* the sandbox's host pid */
    uint64_t kevent;             /* the kernel's event word (fs/wait.h) */
    uint64_t netlock;            /* the network lock's word (net/net.h) */
    int ntaps;                   /* tap devices (--net) */
    int taps[4];                 /* ... their fds */
    int ndisks; /* disk images: the rootfs first, then --disk ones */
    struct policy_disk {
        int fd;
        uint64_t size;  /* bytes */
        uint32_t block; /* its filesystem's block size */
        bool writable;
    } disks[4];
};

#define POLICY_MAX_RULES 48

/* Fill rules[]; returns how many. */
int policy_rules(const struct policy_params *p, struct rule *rules);

#endif
