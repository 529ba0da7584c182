/* SPDX-License-Identifier: MIT */
/* lockdown.h: what the child does to itself before the program's first
   instruction (DESIGN.md "Security model"). */
#ifndef HUSK_LOCKDOWN_H
#define HUSK_LOCKDOWN_H

#include <linux/filter.h>
#include <stdio.h>

#include "host/policy.h"
#include "husk/config.h"

/* Build the BPF program for the rules; returns its length or -1 if it
   does not fit in max instructions. deny is the action for what the rules
   do not allow (SECCOMP_RET_KILL_PROCESS, or SECCOMP_RET_LOG). */
int seccomp_build(const struct policy_params *p, unsigned deny,
                  struct sock_filter *out, int max);

/* no_new_privs, not dumpable, every capability dropped, every fd above 2
   closed, host rlimits set. Exits with a message on failure. */
void lockdown_process(int first_closed_fd);

/* Install the filter (through the hypercall stub: Syscall User Dispatch is
   already armed). Exits with a message on failure. */
void lockdown_seccomp(const struct policy_params *p, enum husk_seccomp mode);

/* `husk policy`: print the rules as the filter enforces them. */
void policy_print(FILE *f, const struct policy_params *p, uint64_t mem);

#endif
