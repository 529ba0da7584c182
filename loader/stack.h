/* SPDX-License-Identifier: MIT */
/* stack.h: the program's initial stack (argc, argv, envp, auxv, strings) as
   Linux's create_elf_tables lays it out. */
#ifndef HUSK_STACK_H
#define HUSK_STACK_H

#include <stddef.h>
#include <stdint.h>

struct stack_args {
    char **argv;
    int argc;
    char **envp;
    int envc;
    const char *execfn;
    uint64_t auxv[2 * 24]; /* pairs, without AT_RANDOM/EXECFN/PLATFORM/NULL */
    int nauxv;
    const unsigned char *random16;
    /* out: where the argument and environment strings went (for
       /proc/self/cmdline and environ, as Linux's mm->arg_start...) */
    uintptr_t arg_start, arg_end, env_start, env_end;
};

/* Write the stack below top (a mapped, writable range of room bytes);
   returns the initial %rsp, or 0 when it does not fit (E2BIG). */
uintptr_t stack_build(uintptr_t top, size_t room, struct stack_args *a);

#endif
