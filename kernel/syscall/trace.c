/* SPDX-License-Identifier: MIT */
/* trace.c: --trace, one strace-style line per system call on stderr:
   write(1, "hi\n", 3) = 3   or   close(-1) = -1 EBADF (Bad file descriptor).
   Arguments are decoded by the kinds syscalls.def gives them. */
#include "abi/linux/mman.h"
#include "abi/linux/stat.h"
#include "syscall.h"
#include "uaccess.h"

#define LINE_MAX 1024
#define STR_SHOW 32

struct line {
    char buf[LINE_MAX];
    size_t len;
};

static void add(struct line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
    va_end(ap);
    l->len = MIN(l->len + n, sizeof(l->buf) - 1);
}

/* Quoted, escaped bytes; "..." when there were more than shown. A
   string (is_str) is read up to its NUL; n is ignored. */
static void add_bytes(struct line *l, uptr_t p, size_t n, bool is_str)
{
    char tmp[STR_SHOW + 1];
    long got;
    if (!user_range_ok(p, 1)) {
        add(l, "%p", (void *)p);
        return;
    }
    if (is_str) {
        got = uaccess_strncpy(tmp, (const char *)p,
                              MIN(sizeof(tmp), uaccess_hi - p));
        n = got < 0 ? 0 : (size_t)got;
    } else {
        got = copy_in(tmp, p, MIN(n, (size_t)STR_SHOW));
    }
    if (got < 0) {
        add(l, "%p", (void *)p);
        return;
    }
    size_t show = MIN(n, (size_t)STR_SHOW);
    add(l, "\"");
    for (size_t i = 0; i < show; i++) {
        unsigned char c = (unsigned char)tmp[i];
        if (c == '\n')
            add(l, "\\n");
        else if (c == '\t')
            add(l, "\\t");
        else if (c == '"' || c == '\\')
            add(l, "\\%c", c);
        else if (c < 32 || c >= 127)
            add(l, "\\%o", c);
        else
            add(l, "%c", c);
    }
    add(l, n > show ? "\"..." : "\"");
}

struct flag_name {
    unsigned long bit;
    const char *name;
};

static void add_flags(struct line *l, unsigned long v,
                      const struct flag_name *t, size_t nt, const char *none)
{
    bool first = true;
    for (size_t i = 0; i < nt; i++)
        if (v & t[i].bit) {
            add(l, "%s%s", first ? "" : "|", t[i].name);
            v &= ~t[i].bit;
            first = false;
        }
    if (first && !v)
        add(l, "%s", none);
    else if (v)
        add(l, "%s0x%lx", first ? "" : "|", v);
}

#define F(x)                                                                   \
    {                                                                          \
        LINUX_##x, #x                                                          \
    }
static const struct flag_name prot_names[] =
    {
        F(PROT_READ),
        F(PROT_WRITE),
        F(PROT_EXEC),
},
                              map_names[] = {
                                  F(MAP_SHARED),    F(MAP_PRIVATE),
                                  F(MAP_FIXED),     F(MAP_ANONYMOUS),
                                  F(MAP_32BIT),     F(MAP_GROWSDOWN),
                                  F(MAP_NORESERVE), F(MAP_POPULATE),
                                  F(MAP_STACK),     F(MAP_FIXED_NOREPLACE),
};

static const char *const sig_names[] = {
    "0",       "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP",
    "SIGABRT", "SIGBUS",  "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV",
    "SIGUSR2", "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD",
    "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",   "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",
    "SIGPWR",  "SIGSYS",
};

static void add_arg(struct line *l, int kind, const long *a, int i, long ret)
{
    long v = a[i];
    switch (kind) {
    case A_I: add(l, "%d", (int)v); break;
    case A_L: add(l, "%ld", v); break;
    case A_U: add(l, "%lu", (unsigned long)v); break;
    case A_X: add(l, "0x%lx", (unsigned long)v); break;
    case A_OCT: add(l, "0%o", (unsigned)v); break;
    case A_P: add(l, v ? "%p" : "NULL", (void *)v); break;
    case A_FD:
        if ((int)v == LINUX_AT_FDCWD)
            add(l, "AT_FDCWD");
        else
            add(l, "%d", (int)v);
        break;
    case A_STR: add_bytes(l, (uptr_t)v, 0, true); break;
    case A_IBUF: add_bytes(l, (uptr_t)v, (size_t)a[i + 1], false); break;
    case A_OBUF:
        if (ret > 0)
            add_bytes(l, (uptr_t)v, (size_t)ret, false);
        else
            add(l, "%p", (void *)v);
        break;
    case A_SIG:
        if ((unsigned long)v < ARRAY_SIZE(sig_names))
            add(l, "%s", sig_names[v]);
        else
            add(l, "%ld", v);
        break;
    case A_PROT:
        add_flags(l, (unsigned long)v, prot_names, ARRAY_SIZE(prot_names),
                  "PROT_NONE");
        break;
    case A_MAPF:
        add_flags(l, (unsigned long)v, map_names, ARRAY_SIZE(map_names), "0");
        break;
    }
}

static void add_call(struct line *l, long nr, const long a[6], long ret)
{
    const struct sys_entry *e =
        nr >= 0 && nr < SYS_TABLE_SIZE ? &sys_table[nr] : NULL;
    if (!e || !e->name) {
        add(l, "syscall_%ld(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx)", nr,
            a[0], a[1], a[2], a[3], a[4], a[5]);
        return;
    }
    add(l, "%s(", e->name);
    for (int i = 0; i < e->nargs; i++) {
        if (i)
            add(l, ", ");
        add_arg(l, e->kinds[i], a, i, ret);
    }
    if (!e->fn) /* unimplemented: show the raw registers */
        add(l, "0x%lx, 0x%lx, 0x%lx, ...", a[0], a[1], a[2]);
    add(l, ")");
}

void trace_enter_noreturn(long nr, const long a[6])
{
    struct line l = {.len = 0};
    add_call(&l, nr, a, 0);
    add(&l, " = ?\n");
    kprintf("%s", l.buf);
}

void trace_syscall(long nr, const long a[6], long ret)
{
    struct line l = {.len = 0};
    const struct sys_entry *e =
        nr >= 0 && nr < SYS_TABLE_SIZE ? &sys_table[nr] : NULL;
    add_call(&l, nr, a, ret);
    if (IS_ERR_VALUE(ret) && errno_name(ret))
        add(&l, " = -1 %s (%s)\n", errno_name(ret), errno_text(ret));
    else if (e && e->ret == R_HEX)
        add(&l, " = 0x%lx\n", (unsigned long)ret);
    else if (e && e->ret == R_OCT)
        add(&l, " = 0%lo\n", (unsigned long)ret);
    else
        add(&l, " = %ld\n", ret);
    kprintf("%s", l.buf);
}
