/* SPDX-License-Identifier: MIT */
/* stack.c: the initial stack. From the top down: the strings (execfn,
   environment, arguments, platform), 16 random bytes, then 16-byte aligned
   the auxv, envp, argv arrays and argc at %rsp (the x86_64 psABI's
   process initialization, and Linux fs/binfmt_elf.c). */
#include "stack.h"

#include <string.h>

#include "abi/linux/misc.h"

struct cursor {
    uintptr_t at, floor;
};

static uintptr_t push_bytes(struct cursor *c, const void *p, size_t n)
{
    if (c->at - c->floor < n)
        return 0;
    c->at -= n;
    memcpy((void *)c->at, p, n);
    return c->at;
}

static uintptr_t push_str(struct cursor *c, const char *s)
{
    return push_bytes(c, s, strlen(s) + 1);
}

uintptr_t stack_build(uintptr_t top, size_t room, struct stack_args *a)
{
    struct cursor c = {top - 16, top - room}; /* a guard word at the top */
    uintptr_t execfn = push_str(&c, a->execfn);
    uintptr_t argp[a->argc + 1], envp_[a->envc + 1];
    for (int i = a->envc - 1; i >= 0; i--)
        if (!(envp_[i] = push_str(&c, a->envp[i])))
            return 0;
    for (int i = a->argc - 1; i >= 0; i--)
        if (!(argp[i] = push_str(&c, a->argv[i])))
            return 0;
    /* argv strings, then envp strings, lie in one ascending run */
    a->arg_start = a->argc ? argp[0] : execfn;
    a->arg_end = a->envc ? envp_[0] : execfn;
    a->env_start = a->arg_end;
    a->env_end = execfn;
    uintptr_t platform = push_str(&c, "x86_64");
    c.at &= ~(uintptr_t)15;
    uintptr_t random = push_bytes(&c, a->random16, 16);
    if (!execfn || !platform || !random)
        return 0;

    size_t nauxv = a->nauxv + 4; /* + RANDOM, EXECFN, PLATFORM, NULL */
    size_t words = 1 + (a->argc + 1) + (a->envc + 1) + 2 * nauxv;
    if (c.at - c.floor < words * 8 + 16)
        return 0;
    uintptr_t sp = (c.at - words * 8) & ~(uintptr_t)15;
    uint64_t *w = (uint64_t *)sp;
    *w++ = (uint64_t)a->argc;
    for (int i = 0; i < a->argc; i++)
        *w++ = argp[i];
    *w++ = 0;
    for (int i = 0; i < a->envc; i++)
        *w++ = envp_[i];
    *w++ = 0;
    memcpy(w, a->auxv, a->nauxv * 2 * sizeof(uint64_t));
    w += a->nauxv * 2;
    *w++ = LINUX_AT_RANDOM;
    *w++ = random;
    *w++ = LINUX_AT_EXECFN;
    *w++ = execfn;
    *w++ = LINUX_AT_PLATFORM;
    *w++ = platform;
    *w++ = LINUX_AT_NULL;
    *w++ = 0;
    return sp;
}
