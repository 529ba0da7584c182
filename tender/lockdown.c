/* SPDX-License-Identifier: MIT */
/* lockdown.c: the sandbox's lock-down and its seccomp filter.

   The filter is raw BPF generated from host/policy.c, not libseccomp:
   its first rule, that every allowed call comes from the hypercall stub
   (seccomp_data.instruction_pointer inside husk_hostcall), and the 64-bit
   range pins that keep memory calls inside the guest arena are both
   beyond what libseccomp can express. Shape of the program:

     arch == x86_64, else kill
     husk_hostcall <= ip < end, else kill
     nr == rule[i].nr ? goto rule i : ... : kill
     rule i: each pin checked (64-bit, as two 32-bit halves), else kill;
             allow

   Every failing check is followed by its own `ret deny`, so all
   conditional jumps are short; the dispatch uses `ja` (32-bit offset). */
#define _GNU_SOURCE
#include "lockdown.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/host.h"
#include "husk/exit.h"

#define LO(x) ((uint32_t)(x))
#define HI(x) ((uint32_t)((uint64_t)(x) >> 32))
#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define OFF_IP_HI (OFF_IP_LO + 4)
#define OFF_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define OFF_ARG_HI(i) (OFF_ARG_LO(i) + 4)

struct prog {
    struct sock_filter *f;
    int n, max;
    unsigned deny;
    /* Rules for one syscall are alternatives tried in order: while a rule
       has a successor, a failed check jumps to it (patched once it is
       placed) instead of denying. */
    bool chain;
    int fails[64], nfails;
};

static void emit(struct prog *p, uint16_t code, uint8_t jt, uint8_t jf,
                 uint32_t k)
{
    if (p->n < p->max)
        p->f[p->n] = (struct sock_filter){code, jt, jf, k};
    p->n++;
}

static void ld(struct prog *p, uint32_t off)
{
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, off);
}
static void ret(struct prog *p, uint32_t v)
{
    emit(p, BPF_RET | BPF_K, 0, 0, v);
}

/* A failed check: deny, or try the next alternative. */
static void fail_check(struct prog *p)
{
    if (p->chain && p->nfails < (int)(sizeof(p->fails) / sizeof(p->fails[0]))) {
        p->fails[p->nfails++] = p->n;
        emit(p, BPF_JMP | BPF_JA, 0, 0, 0);
    } else {
        ret(p, p->deny);
    }
}

/* Go on if (A op k) is `want`, else deny. */
static void require(struct prog *p, uint16_t op, uint32_t k, bool want)
{
    emit(p, BPF_JMP | op | BPF_K, want ? 1 : 0, want ? 0 : 1, k);
    fail_check(p);
}

/* 64-bit unsigned compare of arg i against k: go on if arg >= k (ge) or
   arg < k (lt) or arg <= k (le), else deny. */
static void cmp64(struct prog *p, int i, uint64_t k, char how)
{
    ld(p, OFF_ARG_HI(i));
    if (how == 'g') { /* hi > HI(k): ok; hi != HI(k): deny; lo >= LO(k) */
        emit(p, BPF_JMP | BPF_JGT | BPF_K, 4, 0, HI(k));
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 2, HI(k));
        ld(p, OFF_ARG_LO(i));
        emit(p, BPF_JMP | BPF_JGE | BPF_K, 1, 0, LO(k));
    } else { /* hi > HI(k): deny; hi != HI(k): ok; lo < LO(k) (<= for le) */
        emit(p, BPF_JMP | BPF_JGT | BPF_K, 3, 0, HI(k));
        emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, HI(k));
        ld(p, OFF_ARG_LO(i));
        emit(p, BPF_JMP | (how == 'l' ? BPF_JGE : BPF_JGT) | BPF_K, 0, 1,
             LO(k));
    }
    fail_check(p);
}

static void pin(struct prog *p, const struct pin *q)
{
    int i = q->arg;
    switch (q->op) {
    case PIN_EQ:
        ld(p, OFF_ARG_HI(i));
        require(p, BPF_JEQ, HI(q->v[0]), true);
        ld(p, OFF_ARG_LO(i));
        require(p, BPF_JEQ, LO(q->v[0]), true);
        break;
    case PIN_IN: /* all values share their upper half (small constants) */
        ld(p, OFF_ARG_HI(i));
        require(p, BPF_JEQ, HI(q->v[0]), true);
        ld(p, OFF_ARG_LO(i));
        for (int j = 0; j < q->n; j++)
            emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(q->n - j), 0,
                 LO(q->v[j]));
        fail_check(p);
        break;
    case PIN_ALL_SET:
        ld(p, OFF_ARG_HI(i));
        emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, HI(q->v[0]));
        require(p, BPF_JEQ, HI(q->v[0]), true);
        ld(p, OFF_ARG_LO(i));
        emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, LO(q->v[0]));
        require(p, BPF_JEQ, LO(q->v[0]), true);
        break;
    case PIN_NONE_SET:
        ld(p, OFF_ARG_HI(i));
        require(p, BPF_JSET, HI(q->v[0]), false);
        ld(p, OFF_ARG_LO(i));
        require(p, BPF_JSET, LO(q->v[0]), false);
        break;
    case PIN_RANGE:
        cmp64(p, i, q->v[0], 'g');
        cmp64(p, i, q->v[1], 'l');
        break;
    case PIN_LE: cmp64(p, i, q->v[0], 'e'); break;
    }
}

int seccomp_build(const struct policy_params *pp, unsigned deny,
                  struct sock_filter *out, int max)
{
    struct rule rules[POLICY_MAX_RULES];
    int nrules = policy_rules(pp, rules);
    struct prog p = {.f = out, .max = max, .deny = deny};
    uint64_t ip_lo = (uintptr_t)__start_husk_hostcall;
    uint64_t ip_hi = (uintptr_t)__stop_husk_hostcall;

    ld(&p, OFF_ARCH);
    require(&p, BPF_JEQ, AUDIT_ARCH_X86_64, true);
    /* the caller is the hypercall stub; it does not cross a 4 GiB line */
    if (HI(ip_lo) != HI(ip_hi - 1))
        return -1;
    ld(&p, OFF_IP_HI);
    require(&p, BPF_JEQ, HI(ip_lo), true);
    ld(&p, OFF_IP_LO);
    require(&p, BPF_JGE, LO(ip_lo), true);
    require(&p, BPF_JGE, LO(ip_hi), false);

    /* dispatch: nr == rule i ? ja block i, once per syscall (rules for
       one syscall are adjacent in policy.c) */
    ld(&p, OFF_NR);
    int dispatch = p.n, ndisp = 0, first[POLICY_MAX_RULES];
    for (int r = 0; r < nrules; r++) {
        if (r && rules[r].nr == rules[r - 1].nr)
            continue;
        first[ndisp++] = r;
        emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)rules[r].nr);
        emit(&p, BPF_JMP | BPF_JA, 0, 0, 0); /* patched below */
    }
    ret(&p, deny);
    for (int r = 0, d = 0; r < nrules; r++) {
        if (d < ndisp && first[d] == r) {
            int ja = dispatch + 2 * d + 1;
            if (ja < p.max)
                p.f[ja].k = (uint32_t)(p.n - ja - 1);
            d++;
        }
        /* the previous alternative's failures come here */
        for (int k = 0; k < p.nfails; k++)
            if (p.fails[k] < p.max)
                p.f[p.fails[k]].k = (uint32_t)(p.n - p.fails[k] - 1);
        p.nfails = 0;
        p.chain = r + 1 < nrules && rules[r + 1].nr == rules[r].nr;
        for (int k = 0; k < rules[r].npins; k++)
            pin(&p, &rules[r].pins[k]);
        ret(&p, SECCOMP_RET_ALLOW);
    }
    return p.n <= max ? p.n : -1;
}

static _Noreturn void fail(const char *what)
{
    fprintf(stderr, "husk: cannot lock the sandbox down: %s: %s\n", what,
            strerror(errno));
    _exit(HUSK_EXIT_ERROR);
}

static void drop_capabilities(void)
{
    /* The bounding and ambient sets first (dropping them needs
       CAP_SETPCAP, which goes last); without privileges they are empty
       already or cannot matter, so EPERM is not an error here. */
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
            break;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof(d));
    if (syscall(SYS_capset, &h, d) < 0)
        fail("capset");
}

void lockdown_process(int first)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        fail("no_new_privs");
    /* no core dumps, no ptrace attach by the host user's other processes */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        fail("PR_SET_DUMPABLE");
    drop_capabilities();
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) < 0)
        fail("close_range");
    struct rlimit none = {0, 0}, three = {(rlim_t)first, (rlim_t)first};
    if (setrlimit(RLIMIT_CORE, &none) < 0 ||
        setrlimit(RLIMIT_NOFILE, &three) < 0 ||
        setrlimit(RLIMIT_NPROC, &none) < 0)
        fail("setrlimit");
}

void lockdown_seccomp(const struct policy_params *p, enum husk_seccomp mode)
{
    static struct sock_filter f[BPF_MAXINSNS];
    if (mode == HUSK_SECCOMP_OFF)
        return;
    unsigned deny =
        mode == HUSK_SECCOMP_LOG ? SECCOMP_RET_LOG : SECCOMP_RET_KILL_PROCESS;
    int n = seccomp_build(p, deny, f, BPF_MAXINSNS);
    if (n < 0) {
        errno = E2BIG;
        fail("building the seccomp filter");
    }
    struct sock_fprog prog = {(unsigned short)n, f};
    long r = host_syscall6(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog,
                           0, 0, 0);
    if (r < 0) { /* SUD is armed: only the stub may write this message */
        static const char msg[] = "husk: cannot install the seccomp filter\n";
        host_console_write(2, msg, sizeof(msg) - 1);
        host_exit_group(HUSK_EXIT_ERROR);
    }
}

static void print_pin(FILE *f, const struct pin *q)
{
    fprintf(f, "arg%d ", q->arg);
    switch (q->op) {
    case PIN_EQ:
        if (q->v[0] == (uint64_t)-1)
            fprintf(f, "== -1");
        else
            fprintf(f, "== %llu", (unsigned long long)q->v[0]);
        break;
    case PIN_IN:
        fprintf(f, "in {");
        for (int j = 0; j < q->n; j++)
            fprintf(f, q->v[j] < 4096 ? "%s%llu" : "%s%#llx", j ? ", " : "",
                    (unsigned long long)q->v[j]);
        fprintf(f, "}");
        break;
    case PIN_ALL_SET:
        fprintf(f, "has bits %#llx", (unsigned long long)q->v[0]);
        break;
    case PIN_NONE_SET:
        fprintf(f, "has none of bits %#llx", (unsigned long long)q->v[0]);
        break;
    case PIN_RANGE: fprintf(f, "in [lo, hi)"); break;
    case PIN_LE: fprintf(f, "<= %llu", (unsigned long long)q->v[0]); break;
    }
    fprintf(f, " (%s)", q->what);
}

void policy_print(FILE *f, const struct policy_params *p, uint64_t mem)
{
    struct rule rules[POLICY_MAX_RULES];
    int n = policy_rules(p, rules);
    fprintf(
        f,
        "husk sandbox policy: seccomp, %d host system calls allowed; "
        "any other call kills the sandbox\n"
        "every allowed call must come from husk's hypercall stub "
        "(instruction pointer inside the husk_hostcall section)\n"
        "guest arena: %llu MiB at an address chosen at start ([lo, hi))\n\n",
        n, (unsigned long long)(mem >> 20));
    for (int i = 0; i < n; i++) {
        fprintf(f, "%-16s", rules[i].name);
        if (!rules[i].npins)
            fprintf(f, "any arguments");
        for (int k = 0; k < rules[i].npins; k++) {
            if (k)
                fprintf(f, ",\n%-16s", "");
            print_pin(f, &rules[i].pins[k]);
        }
        fprintf(f, "\n%-16s(for %s)\n", "", rules[i].hypercalls);
    }
}
