/* SPDX-License-Identifier: MIT */
/*
 * auxv.c: the initial process stack as the loader builds it: argc/argv/envp,
 * the auxiliary vector (found by walking past envp) and stack alignment.
 */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "tap.h"

extern char **environ;
extern char _start[];
/* Linker-defined (GNU ld, lld, gold): the ELF header, when it is loaded. */
extern const Elf64_Ehdr __ehdr_start;

int main(int argc, char **argv, char **envp);

static int g_argc;
static char **g_argv;
static char **g_envp;
static Elf64_auxv_t *g_auxv;

/* Value of auxv entry "type", or "dflt" when absent; *found says which. */
static unsigned long aux(unsigned long type, int *found, unsigned long dflt)
{
    for (Elf64_auxv_t *a = g_auxv; a->a_type != AT_NULL; a++) {
        if (a->a_type == type) {
            if (found)
                *found = 1;
            return a->a_un.a_val;
        }
    }
    if (found)
        *found = 0;
    return dflt;
}

/* Checks that the entry is present, returns its value. */
static unsigned long aux_need(unsigned long type, const char *name)
{
    int found;
    unsigned long v = aux(type, &found, 0);

    CHECK(found, "%s missing from auxv", name);
    return v;
}

static void test_argv(void)
{
    CHECK(g_argc >= 1, "argc = %d", g_argc);
    CHECK(g_argv[g_argc] == NULL, "argv[argc] is not NULL");
    for (int i = 0; i < g_argc; i++)
        CHECK(g_argv[i] != NULL, "argv[%d] is NULL", i);
    /* envp starts right after argv's NULL terminator. */
    CHECK(g_envp == g_argv + g_argc + 1, "envp is not &argv[argc + 1]");
}

static void test_envp(void)
{
    size_t n = 0;

    CHECK(environ == g_envp, "environ != envp");
    for (char **e = g_envp; *e; e++, n++)
        CHECK(strchr(*e, '=') != NULL, "env entry %zu has no '='", n);
    tap_diag("%zu environment entries", n);
}

static void test_auxv_terminated(void)
{
    size_t n = 0;
    Elf64_auxv_t *a;

    for (a = g_auxv; a->a_type != AT_NULL && n < 256; a++)
        n++;
    CHECK(a->a_type == AT_NULL, "no AT_NULL in the first 256 entries");
    CHECK(n >= 10, "only %zu auxv entries", n);
}

static void test_pagesz(void)
{
    unsigned long v = aux_need(AT_PAGESZ, "AT_PAGESZ");

    CHECK(v == 4096, "AT_PAGESZ = %lu", v);
    CHECK(getauxval(AT_PAGESZ) == v, "getauxval(AT_PAGESZ) = %lu",
          getauxval(AT_PAGESZ));
    CHECK(sysconf(_SC_PAGESIZE) == 4096, "sysconf(_SC_PAGESIZE) = %ld",
          sysconf(_SC_PAGESIZE));
}

static void test_phdr(void)
{
    const Elf64_Phdr *ph = (const Elf64_Phdr *)aux_need(AT_PHDR, "AT_PHDR");
    unsigned long phnum = aux_need(AT_PHNUM, "AT_PHNUM");
    unsigned long phent = aux_need(AT_PHENT, "AT_PHENT");
    const Elf64_Ehdr *eh = &__ehdr_start;
    uintptr_t bias = 0, main_addr = (uintptr_t)&main;
    int have_phdr = 0, have_load0 = 0, covers_main = 0;

    if (!CHECK(ph != NULL && phnum > 0, "no program headers"))
        return;
    CHECK(phent == sizeof(Elf64_Phdr), "AT_PHENT = %lu", phent);
    CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0,
          "__ehdr_start: no ELF magic");
    CHECK(phnum == eh->e_phnum, "AT_PHNUM %lu != e_phnum %u", phnum,
          (unsigned)eh->e_phnum);
    CHECK((uintptr_t)ph == (uintptr_t)eh + eh->e_phoff,
          "AT_PHDR is not ELF header + e_phoff");
    /* Load bias: from PT_PHDR if there is one, else from the PT_LOAD that
     * maps file offset 0 (the one holding the ELF header). */
    for (unsigned long i = 0; i < phnum; i++) {
        if (ph[i].p_type == PT_PHDR) {
            bias = (uintptr_t)ph - ph[i].p_vaddr;
            have_phdr = 1;
        }
    }
    for (unsigned long i = 0; !have_phdr && i < phnum; i++) {
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
            bias = (uintptr_t)eh - ph[i].p_vaddr;
            have_load0 = 1;
            break;
        }
    }
    CHECK(have_phdr || have_load0, "cannot compute the load bias");
    CHECK(bias % 4096 == 0, "load bias not page aligned");
    if (eh->e_type == ET_EXEC)
        CHECK(bias == 0, "ET_EXEC loaded with a bias");
    for (unsigned long i = 0; i < phnum; i++) {
        uintptr_t lo = ph[i].p_vaddr + bias, hi = lo + ph[i].p_memsz;

        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) &&
            main_addr >= lo && main_addr < hi)
            covers_main = 1;
    }
    CHECK(covers_main, "no executable PT_LOAD covers main");
    CHECK(eh->e_entry + bias == (uintptr_t)_start, "e_entry + bias != _start");
    tap_diag("%s, bias %#lx, %lu phdrs",
             eh->e_type == ET_EXEC ? "ET_EXEC" : "ET_DYN", (unsigned long)bias,
             phnum);
}

static void test_entry(void)
{
    unsigned long v = aux_need(AT_ENTRY, "AT_ENTRY");

    CHECK(v == (uintptr_t)_start, "AT_ENTRY %#lx != _start %p", v,
          (void *)_start);
}

static void test_random(void)
{
    const unsigned char *r =
        (const unsigned char *)aux_need(AT_RANDOM, "AT_RANDOM");
    int nonzero = 0;

    if (!CHECK(r != NULL, "AT_RANDOM is NULL"))
        return;
    for (int i = 0; i < 16; i++)
        nonzero |= r[i];
    CHECK(nonzero, "AT_RANDOM bytes are all zero");
}

static void test_execfn(void)
{
    const char *s = (const char *)aux_need(AT_EXECFN, "AT_EXECFN");

    if (!CHECK(s != NULL, "AT_EXECFN is NULL"))
        return;
    CHECK(s[0] != '\0', "AT_EXECFN is empty");
    tap_diag("AT_EXECFN=%s", s);
}

static void test_platform(void)
{
    const char *s = (const char *)aux_need(AT_PLATFORM, "AT_PLATFORM");

    if (!CHECK(s != NULL, "AT_PLATFORM is NULL"))
        return;
    CHECK(strcmp(s, "x86_64") == 0, "AT_PLATFORM = \"%s\"", s);
}

static void test_hwcap(void)
{
    unsigned long v = aux_need(AT_HWCAP, "AT_HWCAP");

    tap_diag("AT_HWCAP=%#lx", v);
}

static void test_clktck(void)
{
    unsigned long v = aux_need(AT_CLKTCK, "AT_CLKTCK");

    CHECK(v == 100, "AT_CLKTCK = %lu", v);
    CHECK(sysconf(_SC_CLK_TCK) == 100, "sysconf(_SC_CLK_TCK) = %ld",
          sysconf(_SC_CLK_TCK));
}

static void test_ids(void)
{
    unsigned long uid = aux_need(AT_UID, "AT_UID");
    unsigned long euid = aux_need(AT_EUID, "AT_EUID");
    unsigned long gid = aux_need(AT_GID, "AT_GID");
    unsigned long egid = aux_need(AT_EGID, "AT_EGID");

    CHECK(uid == getuid(), "AT_UID %lu != getuid %u", uid, (unsigned)getuid());
    CHECK(euid == geteuid(), "AT_EUID %lu != geteuid %u", euid,
          (unsigned)geteuid());
    CHECK(gid == getgid(), "AT_GID %lu != getgid %u", gid, (unsigned)getgid());
    CHECK(egid == getegid(), "AT_EGID %lu != getegid %u", egid,
          (unsigned)getegid());
}

static void test_secure(void)
{
    unsigned long v = aux_need(AT_SECURE, "AT_SECURE");

    CHECK(v == 0, "AT_SECURE = %lu", v);
}

static void test_base(void)
{
    const Elf64_Phdr *ph = (const Elf64_Phdr *)aux(AT_PHDR, NULL, 0);
    unsigned long n = aux(AT_PHNUM, NULL, 0), v = aux(AT_BASE, NULL, 0);
    int dynamic = 0;

    for (unsigned long i = 0; ph && i < n; i++)
        dynamic |= ph[i].p_type == PT_INTERP;
    if (!dynamic) {
        /* nothing was loaded besides us; an absent AT_BASE means the
         * same */
        CHECK(v == 0, "AT_BASE = %#lx", v);
        return;
    }
    /* the dynamic loader's own ELF header, page aligned */
    CHECK(v && v % 4096 == 0, "AT_BASE = %#lx", v);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)v;
    CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_type == ET_DYN,
          "no ELF header of a shared object at AT_BASE %#lx", v);
}

static void test_sysinfo_ehdr(void)
{
    int found;
    const unsigned char *p =
        (const unsigned char *)aux(AT_SYSINFO_EHDR, &found, 0);

    if (!found)
        SKIP("no AT_SYSINFO_EHDR (no vDSO)");
    if (!CHECK(p != NULL, "AT_SYSINFO_EHDR is NULL"))
        return;
    CHECK(((uintptr_t)p & 4095) == 0, "vDSO not page aligned");
    CHECK(memcmp(p, ELFMAG, SELFMAG) == 0, "vDSO has no ELF magic");
}

/* Returns the stack pointer just after the call instruction pushed the
 * return address: the caller had it 16-byte aligned, so this is 8 mod 16. */
uintptr_t auxv_sp_at_entry(void);
__asm__(".text\n"
        ".globl auxv_sp_at_entry\n"
        ".type auxv_sp_at_entry, @function\n"
        "auxv_sp_at_entry:\n"
        "	mov %rsp, %rax\n"
        "	ret\n"
        ".size auxv_sp_at_entry, .-auxv_sp_at_entry\n");

static void test_stack_alignment(void)
{
    char local[16] __attribute__((aligned(16)));
    uintptr_t sp = auxv_sp_at_entry();

    __asm__ volatile("" : : "r"(local) : "memory");
    CHECK(((uintptr_t)local & 15) == 0, "aligned local at %p", (void *)local);
    CHECK((sp & 15) == 8, "sp at function entry %% 16 = %lu",
          (unsigned long)(sp & 15));
    /* The loader's own promise: the initial %rsp, which points at argc,
     * just below argv, is 16-byte aligned (x86_64 psABI 3.4.1). */
    CHECK(((uintptr_t)g_argv & 15) == 8,
          "argv %% 16 = %lu (initial sp misaligned)",
          (unsigned long)((uintptr_t)g_argv & 15));
    CHECK(((long *)g_argv)[-1] == g_argc, "word below argv is not argc");
}

static const struct tap_test tests[] = {
    {"argv is argc entries and NULL", test_argv},
    {"envp entries have '=' and environ == envp", test_envp},
    {"auxv ends with AT_NULL", test_auxv_terminated},
    {"AT_PAGESZ is 4096", test_pagesz},
    {"AT_PHDR/AT_PHNUM/AT_PHENT describe this program", test_phdr},
    {"AT_ENTRY is _start", test_entry},
    {"AT_RANDOM points at 16 random bytes", test_random},
    {"AT_EXECFN is a string", test_execfn},
    {"AT_PLATFORM is x86_64", test_platform},
    {"AT_HWCAP present", test_hwcap},
    {"AT_CLKTCK is 100", test_clktck},
    {"AT_UID/EUID/GID/EGID match the id calls", test_ids},
    {"AT_SECURE is 0", test_secure},
    {"AT_BASE: 0 when static, the loader when dynamic", test_base},
    {"AT_SYSINFO_EHDR points at an ELF image", test_sysinfo_ehdr},
    {"stack is 16-byte aligned", test_stack_alignment},
};

int main(int argc, char **argv, char **envp)
{
    char **p = envp;

    g_argc = argc;
    g_argv = argv;
    g_envp = envp;
    while (*p)
        p++;
    g_auxv = (Elf64_auxv_t *)(p + 1);
    return tap_run(tests, TAP_COUNT(tests));
}
