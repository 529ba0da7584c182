/* SPDX-License-Identifier: MIT */
/* kprintf.c: the kernel's formatted output. libc's printf family may take
   locks, use TLS and call malloc, none of which the kernel may do while it
   runs on a program's behalf. */
#include "kernel.h"

#include "host/host.h"

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_num(struct out *o, unsigned long long v, unsigned base,
                    bool upper, bool neg, int width, char pad, bool left)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    if (neg && pad == '0') { /* sign before zero padding */
        put(o, '-');
        n--;
        width--;
    }
    if (!left)
        for (int i = n; i < width; i++)
            put(o, pad);
    while (n)
        put(o, tmp[--n]);
    if (left)
        for (int i = n; i < width; i++)
            put(o, ' ');
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        bool left = false;
        char pad = ' ';
        int width = 0, lng = 0;
        for (;; p++) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                pad = '0';
            else
                break;
        }
        if (*p == '*') {
            width = va_arg(ap, int);
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        while (*p == 'l' || *p == 'z') {
            lng++;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            long long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            put_num(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v,
                    10, false, v < 0, width, pad, left);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v =
                lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            put_num(&o, v, base, *p == 'X', false, width, pad, left);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false, width,
                    pad, left);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = (int)strlen(s);
            if (!left)
                for (int i = n; i < width; i++)
                    put(&o, ' ');
            while (*s)
                put(&o, *s++);
            if (left)
                for (int i = n; i < width; i++)
                    put(&o, ' ');
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case '%': put(&o, '%'); break;
        default:
            put(&o, '%');
            if (*p)
                put(&o, *p);
            else
                p--;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void kvprint(const char *prefix, const char *fmt, va_list ap)
{
    char buf[1024];
    size_t n = prefix ? strlen(prefix) : 0;
    if (n)
        memcpy(buf, prefix, n);
    kvsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
    n = strlen(buf);
    host_console_write(2, buf, n);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprint(NULL, fmt, ap);
    va_end(ap);
}

void kwarn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprint("husk: warning: ", fmt, ap);
    va_end(ap);
}

_Noreturn void kpanic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprint("husk: internal error: ", fmt, ap);
    va_end(ap);
    host_console_write(2, "\n", 1);
    host_exit_group(125);
}

static const struct {
    const char *name, *text;
} errnos[] = {
#define X(name, val, text) [val] = {#name, text},
#include "abi/linux/errno_list.h"
#undef X
};

const char *errno_name(long e)
{
    if (e < 0)
        e = -e;
    return e > 0 && (size_t)e < ARRAY_SIZE(errnos) ? errnos[e].name : NULL;
}

const char *errno_text(long e)
{
    if (e < 0)
        e = -e;
    return e > 0 && (size_t)e < ARRAY_SIZE(errnos) ? errnos[e].text : NULL;
}
