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
};

/* Write the stack below top (a mapped, writable range of room bytes);
   returns the initial %rsp, or 0 when it does not fit (E2BIG). */
uintptr_t stack_build(uintptr_t top, size_t room, const struct stack_args *a);

#endif
