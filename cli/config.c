/* SPDX-License-Identifier: MIT */
/* config.c: `--config FILE.json` into struct husk_config (libjansson), and
   the value parsers the flags share with it (sizes, --disk, --net), so a
   flag and its JSON key make the same struct and pass the same checks.

   The document is one JSON object; every key is optional:

     {"args": ["/bin/prog", "arg1"], "env": ["KEY=VALUE"], "cwd": "/",
      "mem": "512M" or 536870912, "hostname": "h", "uid": 0, "gid": 0,
      "rootfs": "img[:ro]" or {"path": "img", "readonly": true},
      "disks": ["img:/mnt[:ro]" or {"path", "mount", "readonly"}],
      "net": ["tap:NAME,..." or {"tap", "mac", "ip", "masklen", "gateway"}],
      "trace": false, "seccomp": "on"}

   An unknown key is an error (a typo must not pass silently), as is a
   repeated one. Relative image paths are relative to the file's directory.
   How flags combine with the file is run.c's business (configure()). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "husk/config.h"

/* "512M", "1G", "1048576": bytes, or 0 when malformed. */
uint64_t parse_size(const char *s)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return 0;
    int shift = 0;
    switch (*end) {
    case 'k':
    case 'K': shift = 10; break;
    case 'm':
    case 'M': shift = 20; break;
    case 'g':
    case 'G': shift = 30; break;
    case 't':
    case 'T': shift = 40; break;
    case 0: break;
    default: return 0;
    }
    if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
        return 0;
    if (v > (~0ULL >> shift))
        return 0;
    return (uint64_t)v << shift;
}

int disk_parse(const char *spec, struct husk_disk *disk)
{
    char *s = strdup(spec);
    if (!s)
        return -1;
    *disk = (struct husk_disk){0};
    size_t n = strlen(s);
    if (n > 3 && !strcmp(s + n - 3, ":ro")) {
        s[n - 3] = 0;
        disk->ro = true;
    }
    char *colon = strrchr(s, ':');
    if (!colon || colon == s || colon[1] != '/') {
        free(s);
        return -1;
    }
    *colon = 0;
    disk->path = s;
    disk->at = colon + 1;
    return 0;
}

/* s made fit for one line of an error message: non-printing bytes as \xNN,
   cut after 64 bytes. Four results may be in use at once. */
static const char *show(const char *s)
{
    static char bufs[4][64 * 4 + 8];
    static int next;
    char *b = bufs[next++ % 4], *p = b;
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 64) {
            p += sprintf(p, "...");
            break;
        }
        if (c < 0x20 || c > 0x7e || c == '\\')
            p += sprintf(p, "\\x%02x", c);
        else
            *p++ = (char)c;
    }
    *p = 0;
    return b;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- network interfaces: --net tap:NAME,... and "net" entries ---- */

static const char nic_form[] =
    "expected tap:NAME[,mac=MAC][,ip=A.B.C.D[/N]][,gw=A.B.C.D]";

/* Linux's dev_valid_name() (net/core/dev.c), less '%' (TUNSETIFF would
   make a new device from a pattern) and ',' (the --net separator). */
static int nic_set_tap(struct husk_nic *nic, const char *name, size_t len,
                       char *err, size_t errlen)
{
    char *s = strndup(name, len);
    if (!s)
        return fail(err, errlen, "out of memory");
    bool okay = len > 0 && len < 16 && strcmp(s, ".") && strcmp(s, "..");
    for (size_t i = 0; okay && i < len; i++)
        okay = s[i] > ' ' && s[i] < 0x7f && !strchr("/:%,", s[i]);
    if (!okay) {
        fail(err, errlen,
             "bad tap name '%s' (1 to 15 characters, none of / : %% , or "
             "spaces)",
             show(s));
        free(s);
        return -1;
    }
    nic->tap = s;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int nic_set_mac(struct husk_nic *nic, const char *s, char *err,
                       size_t errlen)
{
    const char *p = s;
    for (int i = 0; i < 6; i++, p += 3) {
        int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
        if (lo < 0 || p[2] != (i < 5 ? ':' : 0))
            return fail(err, errlen,
                        "bad mac '%s' (six hex pairs, aa:bb:cc:dd:ee:ff)",
                        show(s));
        nic->mac[i] = (uint8_t)(hi << 4 | lo);
    }
    static const uint8_t zero[6];
    if ((nic->mac[0] & 1) || !memcmp(nic->mac, zero, 6))
        return fail(err, errlen,
                    "bad mac '%s' (a unicast address: the first byte even, "
                    "and not all zero)",
                    show(s));
    nic->has_mac = true;
    return 0;
}

static int masklen_check(long long n, const char *shown, char *err,
                         size_t errlen)
{
    if (n < 0 || n > 32)
        return fail(err, errlen, "bad masklen %s (0 to 32)", shown);
    return 0;
}

/* "A.B.C.D" into *addr (network order); 0.0.0.0 means none, so it is
   refused. */
static int addr_parse(const char *s, size_t len, uint32_t *addr)
{
    char buf[16];
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    struct in_addr a;
    if (inet_pton(AF_INET, buf, &a) != 1 || a.s_addr == 0)
        return -1;
    *addr = a.s_addr;
    return 0;
}

/* "A.B.C.D" or "A.B.C.D/N"; *has_masklen says whether /N was there. */
static int nic_set_ip(struct husk_nic *nic, const char *s, bool *has_masklen,
                      char *err, size_t errlen)
{
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (addr_parse(s, len, &nic->ip) < 0)
        return fail(err, errlen,
                    "bad ip '%s' (an IPv4 address A.B.C.D, optionally /N)",
                    show(s));
    if (!slash)
        return 0;
    const char *m = slash + 1;
    if (!m[0] || strspn(m, "0123456789") != strlen(m) || strlen(m) > 2)
        return fail(err, errlen, "bad masklen in ip '%s' (0 to 32)", show(s));
    *has_masklen = true;
    nic->masklen = atoi(m);
    return masklen_check(nic->masklen, m, err, errlen);
}

static int nic_set_gateway(struct husk_nic *nic, const char *s, char *err,
                           size_t errlen)
{
    if (addr_parse(s, strlen(s), &nic->gateway) < 0)
        return fail(err, errlen, "bad gateway '%s' (an IPv4 address A.B.C.D)",
                    show(s));
    return 0;
}

/* The checks across fields, once all are set. */
static int nic_finish(struct husk_nic *nic, bool has_masklen, char *err,
                      size_t errlen)
{
    if (!nic->tap)
        return fail(err, errlen, "no tap name");
    if (!nic->ip && has_masklen)
        return fail(err, errlen, "a masklen without an ip");
    if (!nic->ip && nic->gateway)
        return fail(err, errlen, "a gateway without an ip");
    if (nic->ip && !has_masklen)
        nic->masklen = 24;
    return 0;
}

/* One KEY=VALUE of a --net spec (item is modified); *seen has a bit for
   each key given so far. */
static int nic_item(struct husk_nic *nic, char *item, unsigned *seen,
                    bool *has_masklen, char *err, size_t errlen)
{
    static const char *const keys[] = {"mac", "ip", "gw"};
    char *eq = strchr(item, '=');
    if (!eq)
        return fail(err, errlen, "'%s' is not KEY=VALUE (%s)", show(item),
                    nic_form);
    *eq = 0;
    int k = 0;
    while (k < 3 && strcmp(item, keys[k]))
        k++;
    if (k == 3)
        return fail(err, errlen, "unknown key '%s' (%s)", show(item), nic_form);
    if (*seen & 1u << k)
        return fail(err, errlen, "%s given twice", item);
    *seen |= 1u << k;
    if (k == 0)
        return nic_set_mac(nic, eq + 1, err, errlen);
    if (k == 1)
        return nic_set_ip(nic, eq + 1, has_masklen, err, errlen);
    return nic_set_gateway(nic, eq + 1, err, errlen);
}

int nic_parse(const char *spec, struct husk_nic *nic, char *err, size_t errlen)
{
    bool has_masklen = false;
    unsigned seen = 0;
    *nic = (struct husk_nic){0};
    if (strncmp(spec, "tap:", 4))
        return fail(err, errlen, "%s", nic_form);
    const char *p = spec + 4;
    size_t n = strcspn(p, ",");
    if (nic_set_tap(nic, p, n, err, errlen) < 0)
        return -1;
    for (p += n; *p; p += n) {
        p++; /* the ',' */
        n = strcspn(p, ",");
        char *item = strndup(p, n);
        if (!item)
            return fail(err, errlen, "out of memory");
        int r = nic_item(nic, item, &seen, &has_masklen, err, errlen);
        free(item);
        if (r < 0)
            return -1;
    }
    return nic_finish(nic, has_masklen, err, errlen);
}

int nic_add(struct husk_config *cfg, const struct husk_nic *nic, char *err,
            size_t errlen)
{
    if (cfg->nnics == HUSK_MAX_NICS)
        return fail(err, errlen, "at most %d network interfaces",
                    HUSK_MAX_NICS);
    for (int i = 0; i < cfg->nnics; i++)
        if (!strcmp(cfg->nics[i].tap, nic->tap))
            return fail(err, errlen, "tap %s given twice", show(nic->tap));
    cfg->nics[cfg->nnics++] = *nic;
    return 0;
}

/* ---- the JSON document ---- */

struct doc {
    const char *path; /* as given, for messages */
    char *dir;        /* its directory, or NULL: relative paths stay so */
    char err[320];    /* nic_parse's message */
};

/* One "husk: config FILE: ..." line; returns -1. */
static int bad(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bad(struct doc *d, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr,
            "husk: config %s: ", d->path); /* whole: it names the file */
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

static const char *type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a fractional number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int bad_type(struct doc *d, const char *key, json_t *v, const char *want)
{
    return bad(d, "\"%s\": expected %s, not %s", key, want, type_name(v));
}

/* A copy of string v, or NULL after an error. */
static char *string_of(struct doc *d, const char *key, json_t *v)
{
    if (!json_is_string(v))
        return bad_type(d, key, v, "a string"), NULL;
    char *s = strdup(json_string_value(v));
    if (!s)
        bad(d, "out of memory");
    return s;
}

/* An image path as the file names it: relative to the file's directory. */
static char *image_path(struct doc *d, const char *key, const char *p)
{
    char *s;
    if (!*p)
        return bad(d, "\"%s\": an empty path", key), NULL;
    if (p[0] == '/' || !d->dir)
        s = strdup(p);
    else if (asprintf(&s, "%s/%s", d->dir, p) < 0)
        s = NULL;
    if (!s)
        bad(d, "out of memory");
    return s;
}

static int get_mem(struct doc *d, json_t *v, struct husk_config *cfg)
{
    char num[24];
    const char *shown = num;
    uint64_t mem = 0;
    if (json_is_string(v)) {
        shown = json_string_value(v);
        mem = parse_size(shown);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        mem = json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
    } else {
        return bad_type(d, "mem", v,
                        "a size (a string such as \"512M\", or bytes)");
    }
    if (mem < HUSK_MIN_MEM || mem > HUSK_MAX_MEM)
        return bad(d,
                   "bad \"mem\" '%s' (a size from 8M to 64T, e.g. 512M or 2G)",
                   show(shown));
    cfg->mem = (mem + 0xfff) & ~0xfffULL;
    return 0;
}

static int get_cwd(struct doc *d, json_t *v, struct husk_config *cfg)
{
    char *s = string_of(d, "cwd", v);
    if (!s)
        return -1;
    if (s[0] != '/' || strlen(s) >= 4096)
        return bad(d, "bad \"cwd\" '%s' (an absolute path)", show(s));
    cfg->cwd = s;
    return 0;
}

static int get_hostname(struct doc *d, json_t *v, struct husk_config *cfg)
{
    char *s = string_of(d, "hostname", v);
    if (!s)
        return -1;
    if (!*s || strlen(s) > 64)
        return bad(d, "bad \"hostname\" '%s' (1 to 64 characters)", show(s));
    cfg->hostname = s;
    return 0;
}

/* A JSON array of strings, as a NULL-terminated array of copies. */
static char **strings_of(struct doc *d, const char *key, json_t *v, int *n)
{
    if (!json_is_array(v))
        return bad_type(d, key, v, "an array of strings"), NULL;
    char **a = calloc(json_array_size(v) + 1, sizeof(char *));
    if (!a)
        return bad(d, "out of memory"), NULL;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return bad(d, "\"%s\"[%zu]: expected a string, not %s", key, i,
                       type_name(e)),
                   NULL;
        if (!(a[i] = strdup(json_string_value(e))))
            return bad(d, "out of memory"), NULL;
    }
    *n = (int)i;
    return a;
}

static int get_env(struct doc *d, json_t *v, struct husk_config *cfg)
{
    char **env = strings_of(d, "env", v, &cfg->envc);
    if (!env)
        return -1;
    for (int i = 0; i < cfg->envc; i++) {
        const char *eq = strchr(env[i], '=');
        if (!eq || eq == env[i])
            return bad(d, "bad \"env\" entry '%s' (expected KEY=VALUE)",
                       show(env[i]));
    }
    cfg->envp = env;
    return 0;
}

static int get_args(struct doc *d, json_t *v, struct husk_config *cfg)
{
    char **args = strings_of(d, "args", v, &cfg->argc);
    if (!args)
        return -1;
    if (!cfg->argc || !*args[0])
        return bad(d, "\"args\": the program first (a non-empty array)");
    cfg->argv = args;
    return 0;
}

static int get_id(struct doc *d, const char *key, json_t *v, uint32_t *id)
{
    /* (uid_t)-1 means "unchanged" to setuid(2) and friends */
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) >= UINT32_MAX)
        return bad(d, "bad \"%s\" (an integer from 0 to 4294967294)", key);
    *id = (uint32_t)json_integer_value(v);
    return 0;
}

static int get_uid(struct doc *d, json_t *v, struct husk_config *cfg)
{
    return get_id(d, "uid", v, &cfg->uid);
}

static int get_gid(struct doc *d, json_t *v, struct husk_config *cfg)
{
    return get_id(d, "gid", v, &cfg->gid);
}

static int get_trace(struct doc *d, json_t *v, struct husk_config *cfg)
{
    if (!json_is_boolean(v))
        return bad_type(d, "trace", v, "true or false");
    cfg->trace = json_is_true(v);
    return 0;
}

static int get_seccomp(struct doc *d, json_t *v, struct husk_config *cfg)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (!strcmp(s, "on"))
        cfg->seccomp = HUSK_SECCOMP_ON;
    else if (!strcmp(s, "log"))
        cfg->seccomp = HUSK_SECCOMP_LOG;
    else if (!strcmp(s, "off"))
        cfg->seccomp = HUSK_SECCOMP_OFF;
    else
        return bad(d, "bad \"seccomp\" (\"on\", \"log\" or \"off\")");
    return 0;
}

/* The first key of o not in keys (NULL-terminated), or NULL. */
static const char *unknown_key(json_t *o, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const char *const *p = keys;
        while (*p && strcmp(*p, k))
            p++;
        if (!*p)
            return k;
    }
    return NULL;
}

/* {"readonly": bool} when present. */
static int get_readonly(struct doc *d, const char *where, json_t *o, bool *ro)
{
    json_t *v = json_object_get(o, "readonly");
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return bad(d, "%s: \"readonly\": expected true or false, not %s", where,
                   type_name(v));
    *ro = json_is_true(v);
    return 0;
}

static int get_rootfs(struct doc *d, json_t *v, struct husk_config *cfg)
{
    static const char *const keys[] = {"path", "readonly", NULL};
    char *path;
    cfg->rootfs_ro = false;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        if (n > 3 && !strcmp(s + n - 3, ":ro"))
            cfg->rootfs_ro = true, n -= 3;
        char *copy = strndup(s, n);
        if (!copy)
            return bad(d, "out of memory");
        path = image_path(d, "rootfs", copy);
        free(copy);
    } else if (json_is_object(v)) {
        json_t *p = json_object_get(v, "path");
        const char *u = unknown_key(v, keys);
        if (u)
            return bad(d, "\"rootfs\": unknown key \"%s\"", show(u));
        if (get_readonly(d, "\"rootfs\"", v, &cfg->rootfs_ro) < 0)
            return -1;
        if (!json_is_string(p))
            return bad(d, "\"rootfs\": \"path\" must be a string");
        path = image_path(d, "rootfs", json_string_value(p));
    } else {
        return bad_type(d, "rootfs", v,
                        "\"IMAGE[:ro]\" or {\"path\", \"readonly\"}");
    }
    if (!path)
        return -1;
    cfg->rootfs = path;
    return 0;
}

static int get_disk(struct doc *d, size_t i, json_t *v, struct husk_disk *k)
{
    static const char *const keys[] = {"path", "mount", "readonly", NULL};
    char where[32];
    snprintf(where, sizeof(where), "\"disks\"[%zu]", i);
    if (json_is_string(v)) {
        if (disk_parse(json_string_value(v), k) < 0)
            return bad(d, "%s: bad disk '%s' (IMAGE:/mount/point[:ro])", where,
                       show(json_string_value(v)));
    } else if (json_is_object(v)) {
        json_t *p = json_object_get(v, "path"),
               *m = json_object_get(v, "mount");
        *k = (struct husk_disk){0};
        const char *u = unknown_key(v, keys);
        if (u)
            return bad(d, "%s: unknown key \"%s\"", where, show(u));
        if (get_readonly(d, where, v, &k->ro) < 0)
            return -1;
        if (!json_is_string(p) || !json_is_string(m) ||
            json_string_value(m)[0] != '/')
            return bad(d,
                       "%s: needs \"path\" (a string) and \"mount\" (an "
                       "absolute path)",
                       where);
        k->path = json_string_value(p);
        if (!(k->at = strdup(json_string_value(m))))
            return bad(d, "out of memory");
    } else {
        return bad(d,
                   "%s: expected \"IMAGE:/mnt[:ro]\" or {\"path\", \"mount\", "
                   "\"readonly\"}, not %s",
                   where, type_name(v));
    }
    /* disk_parse's copy holds at too, so it is not freed */
    k->path = image_path(d, where, k->path);
    return k->path ? 0 : -1;
}

static int get_disks(struct doc *d, json_t *v, struct husk_config *cfg)
{
    size_t i;
    json_t *e;
    if (!json_is_array(v))
        return bad_type(d, "disks", v, "an array");
    if (json_array_size(v) > HUSK_MAX_DISKS)
        return bad(d, "\"disks\": at most %d", HUSK_MAX_DISKS);
    json_array_foreach(v, i, e)
    {
        if (get_disk(d, i, e, &cfg->disks[i]) < 0)
            return -1;
    }
    cfg->ndisks = (int)i;
    return 0;
}

/* {"tap", "mac", "ip", "masklen", "gateway"}: the fields --net sets. */
static int nic_of_object(struct doc *d, json_t *o, struct husk_nic *nic)
{
    static const char *const keys[] = {"tap",     "mac",     "ip",
                                       "masklen", "gateway", NULL};
    char *e = d->err;
    size_t n = sizeof(d->err);
    json_t *tap = json_object_get(o, "tap"), *mac = json_object_get(o, "mac"),
           *ip = json_object_get(o, "ip"),
           *mask = json_object_get(o, "masklen"),
           *gw = json_object_get(o, "gateway");
    const char *u = unknown_key(o, keys);
    bool has_masklen = false;
    *nic = (struct husk_nic){0};
    if (u)
        return fail(e, n, "unknown key \"%s\"", show(u));
    if (!json_is_string(tap))
        return fail(e, n, "\"tap\": expected a string");
    if ((mac && !json_is_string(mac)) || (ip && !json_is_string(ip)) ||
        (gw && !json_is_string(gw)))
        return fail(e, n, "\"mac\", \"ip\" and \"gateway\" are strings");
    if (mask && !json_is_integer(mask))
        return fail(e, n, "\"masklen\": expected an integer from 0 to 32");
    const char *t = json_string_value(tap);
    if (nic_set_tap(nic, t, strlen(t), e, n) < 0 ||
        (mac && nic_set_mac(nic, json_string_value(mac), e, n) < 0) ||
        (ip &&
         nic_set_ip(nic, json_string_value(ip), &has_masklen, e, n) < 0) ||
        (gw && nic_set_gateway(nic, json_string_value(gw), e, n) < 0))
        return -1;
    if (mask) {
        char num[24];
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(mask));
        if (has_masklen)
            return fail(e, n, "a masklen both in \"ip\" and \"masklen\"");
        if (masklen_check(json_integer_value(mask), num, e, n) < 0)
            return -1;
        nic->masklen = (int)json_integer_value(mask);
        has_masklen = true;
    }
    return nic_finish(nic, has_masklen, e, n);
}

static int get_net(struct doc *d, json_t *v, struct husk_config *cfg)
{
    size_t i;
    json_t *e;
    if (!json_is_array(v))
        return bad_type(d, "net", v, "an array");
    cfg->nnics = 0;
    json_array_foreach(v, i, e)
    {
        struct husk_nic nic;
        int r;
        if (json_is_string(e))
            r = nic_parse(json_string_value(e), &nic, d->err, sizeof(d->err));
        else if (json_is_object(e))
            r = nic_of_object(d, e, &nic);
        else
            r = fail(d->err, sizeof(d->err),
                     "expected \"tap:NAME,...\" or {\"tap\", ...}, not %s",
                     type_name(e));
        if (r < 0 || nic_add(cfg, &nic, d->err, sizeof(d->err)) < 0)
            return bad(d, "\"net\"[%zu]: %s", i, d->err);
    }
    return 0;
}

static const struct {
    const char *key;
    int (*get)(struct doc *, json_t *, struct husk_config *);
} getters[] = {
    {"args", get_args},       {"cwd", get_cwd},     {"disks", get_disks},
    {"env", get_env},         {"gid", get_gid},     {"hostname", get_hostname},
    {"mem", get_mem},         {"net", get_net},     {"rootfs", get_rootfs},
    {"seccomp", get_seccomp}, {"trace", get_trace}, {"uid", get_uid},
};

/* The whole file into a NUL-terminated buffer, at most 1 MiB: /dev/zero
   must not eat the memory. */
static char *slurp(struct doc *d, size_t *len)
{
    enum { MAX = 1 << 20 };
    int fd = open(d->path, O_RDONLY | O_CLOEXEC);
    char *buf = fd < 0 ? NULL : malloc(MAX + 1);
    size_t n = 0;
    ssize_t r = 1;
    while (buf && n <= MAX && (r = read(fd, buf + n, MAX + 1 - n)) != 0) {
        if (r < 0 && errno != EINTR)
            break;
        n += r > 0 ? (size_t)r : 0;
    }
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (fd < 0 || r < 0 || !buf) {
        free(buf);
        fprintf(stderr, "husk: cannot read config %s: %s\n", show(d->path),
                strerror(fd < 0 || r < 0 ? e : ENOMEM));
        return NULL;
    }
    if (n > MAX) {
        free(buf);
        return bad(d, "larger than 1 MiB"), NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

int config_load(const char *path, struct husk_config *cfg)
{
    struct doc d = {.path = path};
    size_t len;
    char *text = slurp(&d, &len);
    if (!text)
        return -1;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!root) {
        if (je.line > 0)
            return bad(&d, "line %d, column %d: %s", je.line, je.column,
                       show(je.text));
        return bad(&d, "%s", show(je.text));
    }
    const char *slash = strrchr(path, '/');
    if (slash && !(d.dir = strndup(path, slash == path ? 1 : slash - path))) {
        json_decref(root);
        return bad(&d, "out of memory");
    }
    if (d.dir && !strcmp(d.dir, "/"))
        d.dir[0] = 0; /* "/" + "/" + "img" */
    int r = 0;
    const char *k;
    json_t *v;
    if (!json_is_object(root))
        r = bad(&d, "expected a JSON object ({...}), not %s", type_name(root));
    else
        json_object_foreach(root, k, v)
        {
            size_t g = 0;
            while (g < sizeof(getters) / sizeof(getters[0]) &&
                   strcmp(getters[g].key, k))
                g++;
            if (g < sizeof(getters) / sizeof(getters[0]))
                r = getters[g].get(&d, v, cfg);
            else
                r = bad(&d, "unknown key \"%s\"", show(k));
            if (r < 0)
                break;
        }
    json_decref(root);
    free(d.dir);
    return r < 0 ? -1 : 0;
}
