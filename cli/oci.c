/* SPDX-License-Identifier: MIT */
/* oci.c: husk as an OCI runtime, with runc's command line, so that podman,
   containerd's runc shim and CRI-O can start containers as husk sandboxes
   (husk runc ..., or husk installed as husk-runc / runc).

   The lifecycle follows the runtime spec and runc:
   - create: reads the bundle's config.json, turns root.path into an ext4
     image (cached by the tree's contents, copied sparse per container),
     copies the single-file bind mounts into it, prepares the network
     (a tap in the container's network namespace, joined to its
     interface with tc mirred), and forks the container process: a husk
     supervisor that waits on the exec fifo before it starts the sandbox.
   - start: opens the fifo; the container process goes on with the
     program. Its exit status is the program's (as husk run's).
   - state/list: from <root>/<id>/state.json and the process's life.
   - kill: a signal to the container process, which passes it on to the
     program as its own (the signals husk forwards) or dies of it.
   - delete: the process (with --force), the tap and the state go.

   Everything about one container lives in <root>/<id>; a create that
   fails removes what it made. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h> /* FICLONE */

#include "cli.h"
#include "husk/config.h"
#include "husk/exit.h"
#include "husk/version.h"
#include "tender/tender.h"

#define OCI_VERSION "1.0.2"
#define DEFAULT_ROOT "/run/husk-runc"
#define TAP_NAME "husk" /* husk0, husk1...: the taps in a namespace */
#define A(x) ((char *)(uintptr_t)(x)) /* execvp takes char *const[] */

/* ---- global options and errors ---- */

static struct {
    const char *root;
    const char *log;
    bool log_json;
    bool debug;
} g = {DEFAULT_ROOT, NULL, false, false};

/* A message to --log as runc writes it (text or JSON: conmon and the shim
   read errors from there). */
static void log_line(const char *level, const char *msg)
{
    FILE *f = g.log ? fopen(g.log, "a") : NULL;
    if (!f)
        return;
    char ts[64];
    time_t t = time(NULL);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    if (g.log_json) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg,
                              "time", ts);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (s)
            fprintf(f, "%s\n", s);
        free(s);
        json_decref(o);
    } else { /* logrus's text format: quotes and backslashes escaped */
        fprintf(f, "time=\"%s\" level=%s msg=\"", ts, level);
        for (const char *c = msg; *c; c++) {
            if (*c == '"' || *c == '\\')
                fputc('\\', f);
            fputc(*c, f);
        }
        fputs("\"\n", f);
    }
    fclose(f);
}

/* An error: one line on stderr ("husk: ...") and in --log. Returns 1. */
static int oci_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int oci_err(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "husk: %s\n", msg);
    log_line("error", msg);
    return 1;
}

/* A warning: to --log when there is one (create's stderr is the
   container's own, which podman shows as the program's output), else to
   stderr. */
static void oci_warn(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void oci_warn(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (g.log)
        log_line("warning", msg);
    else
        fprintf(stderr, "husk: warning: %s\n", msg);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fputs("husk: out of memory\n", stderr);
        exit(1);
    }
    return d;
}

static char *path_join(const char *a, const char *b)
{
    char *p;
    if (asprintf(&p, "%s/%s", a, b) < 0) {
        fputs("husk: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static bool valid_id(const char *id)
{
    if (!id || !*id || strlen(id) > 1024 || !strcmp(id, ".") ||
        !strcmp(id, ".."))
        return false;
    for (const char *c = id; *c; c++)
        if (!(*c == '-' || *c == '_' || *c == '.' || *c == '+' ||
              (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
              (*c >= 'A' && *c <= 'Z')))
            return false;
    return true;
}

static int mkdir_p(const char *path, mode_t mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, mode) < 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    int r = mkdir(p, mode) < 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return r;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void rm_rf(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run a program and wait: its exit status, or -1. Quiet unless debug. */
static int run_cmd(char *const argv[], bool quiet)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (quiet && !g.debug) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0) {
                dup2(null, 1);
                dup2(null, 2);
            }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the container's state ---- */

struct ctr {
    char *id, *dir, *bundle, *rootfs, *created;
    int pid;
    unsigned long long starttime; /* the process's, to tell a reused pid */
    json_t *annotations;
    char *netns; /* the network namespace the tap was made in, or NULL */
    bool tap;
};

static unsigned long long proc_starttime(int pid, char *state)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    if (state)
        *state = p[2];
    /* after ") ": field 3 (the state) on; starttime is field 22 */
    char *f = p + 2;
    for (int k = 3; k < 22 && f; k++) {
        f = strchr(f, ' ');
        f = f ? f + 1 : NULL;
    }
    unsigned long long v = f ? strtoull(f, NULL, 10) : 0;
    return v;
}

static const char *status_of(const struct ctr *c)
{
    char st = 0;
    if (c->pid <= 0 || proc_starttime(c->pid, &st) != c->starttime ||
        st == 'Z' || st == 'X')
        return "stopped";
    char *fifo = path_join(c->dir, "exec.fifo");
    bool created = access(fifo, F_OK) == 0;
    free(fifo);
    return created ? "created" : "running";
}

static void ctr_free(struct ctr *c)
{
    free(c->id), free(c->dir), free(c->bundle), free(c->rootfs);
    free(c->created), free(c->netns);
    json_decref(c->annotations);
    memset(c, 0, sizeof(*c));
}

static int ctr_save(const struct ctr *c)
{
    json_t *o =
        json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:O, s:s?, s:b}",
                  "ociVersion", OCI_VERSION, "id", c->id, "pid", c->pid,
                  "starttime", (json_int_t)c->starttime, "bundle", c->bundle,
                  "rootfs", c->rootfs, "created", c->created, "annotations",
                  c->annotations ? c->annotations : json_object(), "netns",
                  c->netns, "tap", c->tap);
    char *path = path_join(c->dir, "state.json"),
         *tmp = path_join(c->dir, ".s");
    int r =
        o && json_dump_file(o, tmp, JSON_COMPACT) == 0 && rename(tmp, path) == 0
            ? 0
            : -1;
    json_decref(o);
    free(path), free(tmp);
    return r;
}

/* Load container id's state; 0, or 1 after an error naming it. */
static int ctr_load(const char *id, struct ctr *c)
{
    memset(c, 0, sizeof(*c));
    if (!valid_id(id))
        return oci_err("invalid container id '%s'", id ? id : "");
    char *dir = path_join(g.root, id), *path = path_join(dir, "state.json");
    json_error_t e;
    json_t *o = json_load_file(path, 0, &e);
    free(path);
    if (!o) {
        free(dir);
        return oci_err("container \"%s\" does not exist", id);
    }
    json_int_t st = 0;
    int pid = 0, tap = 0;
    const char *bundle = "", *rootfs = "", *created = "", *netns = NULL;
    json_t *ann = NULL;
    json_unpack(o, "{s?:i, s?:I, s?:s, s?:s, s?:s, s?:o, s?:s, s?:b}", "pid",
                &pid, "starttime", &st, "bundle", &bundle, "rootfs", &rootfs,
                "created", &created, "annotations", &ann, "netns", &netns,
                "tap", &tap);
    c->id = xstrdup(id);
    c->dir = dir;
    c->pid = pid;
    c->starttime = (unsigned long long)st;
    c->bundle = xstrdup(bundle);
    c->rootfs = xstrdup(rootfs);
    c->created = xstrdup(created);
    c->netns = netns ? xstrdup(netns) : NULL;
    c->tap = tap;
    c->annotations = ann ? json_incref(ann) : json_object();
    json_decref(o);
    return 0;
}

static json_t *state_json(const struct ctr *c)
{
    const char *status = status_of(c);
    bool live = strcmp(status, "stopped") != 0;
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:O}",
                     "ociVersion", OCI_VERSION, "id", c->id, "status", status,
                     "pid", live ? c->pid : 0, "bundle", c->bundle, "rootfs",
                     c->rootfs, "created", c->created, "owner", "",
                     "annotations", c->annotations);
}

/* ---- config.json into husk's run configuration ---- */

struct bind_file {
    char *src, *dst;
};

struct plan {
    struct husk_config cfg;
    char *rootfs;   /* root.path, absolute */
    char *netns;    /* linux.namespaces network path, or NULL */
    bool new_netns; /* a network namespace without a path: only lo */
    bool terminal;
    struct bind_file files[32];
    int nfiles;
    json_t *annotations;
    uint64_t image_size; /* org.husk.rootfs-size, or 0 */
};

static const struct {
    const char *name;
    int res;
} rlimit_names[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

/* Filesystems husk has inside already, wherever the spec puts them. */
static bool husk_provides(const char *type, const char *dst)
{
    static const char *types[] = {"proc",   "sysfs",   "devpts", "mqueue",
                                  "cgroup", "cgroup2", "tmpfs",  NULL};
    for (int i = 0; types[i]; i++)
        if (type && !strcmp(type, types[i]))
            return true;
    /* podman's /dev/shm is a bind of its own directory: husk has one */
    return !strcmp(dst, "/dev/shm") || !strncmp(dst, "/dev/", 5) ||
           !strcmp(dst, "/dev") || !strncmp(dst, "/sys", 4) ||
           !strncmp(dst, "/proc", 5);
}

static int spec_mounts(json_t *mounts, struct plan *p)
{
    size_t i;
    json_t *m;
    json_array_foreach(mounts, i, m)
    {
        const char *dst = NULL, *type = NULL, *src = NULL;
        json_t *opts = NULL;
        if (json_unpack(m, "{s:s, s?:s, s?:s, s?:o}", "destination", &dst,
                        "type", &type, "source", &src, "options", &opts) < 0 ||
            dst[0] != '/')
            return oci_err("config.json: mounts[%zu]: a destination (an "
                           "absolute path) is needed",
                           i);
        bool bind = type && !strcmp(type, "bind");
        size_t k;
        json_t *o;
        json_array_foreach(opts, k, o)
        {
            const char *s = json_string_value(o);
            if (s && (!strcmp(s, "bind") || !strcmp(s, "rbind")))
                bind = true;
        }
        if (!bind) {
            if (husk_provides(type, dst))
                continue;
            return oci_err("mount %s (type %s): not supported by husk (it has "
                           "proc, sysfs, tmpfs, devpts, mqueue and cgroup "
                           "inside)",
                           dst, type ? type : "none");
        }
        struct stat st;
        if (!src || stat(src, &st) < 0)
            return oci_err("mount %s: source %s: %s", dst, src ? src : "(none)",
                           strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            if (husk_provides(NULL, dst))
                continue;
            return oci_err("mount %s: a bind mount of a directory (%s) is not "
                           "supported by husk: its files would not be shared "
                           "with the host",
                           dst, src);
        }
        if (p->nfiles == 32)
            return oci_err("mount %s: more than 32 bind-mounted files", dst);
        p->files[p->nfiles].src = xstrdup(src);
        p->files[p->nfiles++].dst = xstrdup(dst);
    }
    return 0;
}

/* The bundle's config.json into p; 0, or 1 after one error line. */
static int spec_load(const char *bundle, struct plan *p)
{
    memset(p, 0, sizeof(*p));
    struct husk_config *cfg = &p->cfg;
    cfg->mem = HUSK_DEFAULT_MEM;
    cfg->cwd = "/";
    cfg->hostname = HUSK_DEFAULT_HOSTNAME;
    char *path = path_join(bundle, "config.json");
    json_error_t e;
    json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!o) {
        int r = access(path, F_OK) < 0
                    ? oci_err("bundle %s: no config.json", bundle)
                    : oci_err("%s: invalid JSON: line %d, column %d: %s", path,
                              e.line, e.column, e.text);
        free(path);
        return r;
    }
    free(path);
    const char *ver = NULL, *host = NULL, *rpath = NULL, *cwd = "/";
    json_t *proc = NULL, *root = NULL, *mounts = NULL, *linux_ = NULL;
    int ro = 0, term = 0;
    if (json_unpack_ex(o, &e, 0, "{s:s, s?:o, s?:o, s?:s, s?:o, s?:o, s?:o}",
                       "ociVersion", &ver, "process", &proc, "root", &root,
                       "hostname", &host, "mounts", &mounts, "linux", &linux_,
                       "annotations", &p->annotations) < 0) {
        json_decref(o);
        return oci_err("config.json: %s", e.text);
    }
    if (strncmp(ver, "1.", 2))
        return oci_err("config.json: ociVersion %s: husk supports 1.x", ver);
    if (!proc)
        return oci_err("config.json: no process (nothing to run)");
    if (!root ||
        json_unpack(root, "{s:s, s?:b}", "path", &rpath, "readonly", &ro) < 0)
        return oci_err("config.json: no root.path");
    p->rootfs = rpath[0] == '/' ? xstrdup(rpath) : path_join(bundle, rpath);
    struct stat st;
    if (stat(p->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
        return oci_err("root.path %s: not a directory", p->rootfs);
    cfg->rootfs_ro = ro;
    if (host && *host)
        cfg->hostname = xstrdup(host);

    json_t *args = NULL, *env = NULL, *user = NULL, *rl = NULL;
    if (json_unpack_ex(proc, &e, 0, "{s?:o, s?:o, s?:s, s?:o, s?:b, s?:o}",
                       "args", &args, "env", &env, "cwd", &cwd, "user", &user,
                       "terminal", &term, "rlimits", &rl) < 0)
        return oci_err("config.json: process: %s", e.text);
    if (!json_is_array(args) || !json_array_size(args))
        return oci_err("config.json: process.args is empty");
    if (cwd[0] != '/')
        return oci_err("config.json: process.cwd '%s' is not absolute", cwd);
    cfg->cwd = xstrdup(cwd);
    p->terminal = term;
    cfg->argc = (int)json_array_size(args);
    cfg->argv = calloc((size_t)cfg->argc + 1, sizeof(char *));
    cfg->envp = calloc(json_array_size(env) + 2, sizeof(char *));
    if (!cfg->argv || !cfg->envp)
        return oci_err("out of memory");
    for (int i = 0; i < cfg->argc; i++) {
        const char *a = json_string_value(json_array_get(args, (size_t)i));
        if (!a)
            return oci_err("config.json: process.args[%d] is not a string", i);
        cfg->argv[i] = xstrdup(a);
    }
    cfg->program = cfg->argv[0];
    for (size_t i = 0; i < json_array_size(env); i++) {
        const char *kv = json_string_value(json_array_get(env, i));
        if (!kv || !strchr(kv, '='))
            return oci_err("config.json: process.env[%zu] is not KEY=VALUE", i);
        cfg->envp[cfg->envc++] = xstrdup(kv);
    }
    if (user) {
        json_int_t uid = 0, gid = 0;
        json_unpack(user, "{s?:I, s?:I}", "uid", &uid, "gid", &gid);
        cfg->uid = (uint32_t)uid;
        cfg->gid = (uint32_t)gid;
    }
    size_t i;
    json_t *r;
    json_array_foreach(rl, i, r)
    {
        const char *type = NULL;
        json_int_t soft = 0, hard = 0;
        if (json_unpack(r, "{s:s, s:I, s:I}", "type", &type, "soft", &soft,
                        "hard", &hard) < 0)
            return oci_err("config.json: process.rlimits[%zu] is malformed", i);
        int res = -1;
        for (size_t k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]);
             k++)
            if (!strcmp(type, rlimit_names[k].name))
                res = rlimit_names[k].res;
        if (res < 0)
            return oci_err("config.json: unknown rlimit %s", type);
        /* clamped to what the host allows husk, never a failure */
        struct rlimit hl;
        uint64_t s = (uint64_t)soft, h = (uint64_t)hard;
        if (getrlimit(res, &hl) == 0 && hl.rlim_max != RLIM_INFINITY &&
            h > hl.rlim_max) {
            oci_warn("%s %llu above the host's %llu: clamped", type,
                     (unsigned long long)h, (unsigned long long)hl.rlim_max);
            h = hl.rlim_max;
            s = s > h ? h : s;
        }
        if (cfg->nrlimits < HUSK_MAX_RLIMITS)
            cfg->rlimits[cfg->nrlimits++] = (struct husk_rlimit){res, s, h};
    }
    if (mounts && spec_mounts(mounts, p))
        return 1;
    json_t *ns = NULL, *res = NULL;
    if (linux_)
        json_unpack(linux_, "{s?:o, s?:o}", "namespaces", &ns, "resources",
                    &res);
    json_array_foreach(ns, i, r)
    {
        const char *type = NULL, *npath = NULL;
        json_unpack(r, "{s:s, s?:s}", "type", &type, "path", &npath);
        if (type && !strcmp(type, "network")) {
            if (npath)
                p->netns = xstrdup(npath);
            else
                p->new_netns = true;
        }
    }
    json_int_t limit = 0;
    if (res)
        json_unpack(res, "{s?:{s?:I}}", "memory", "limit", &limit);
    if (limit > 0)
        cfg->mem = (uint64_t)limit;
    const char *amem = NULL, *asize = NULL;
    if (p->annotations) {
        json_incref(p->annotations);
        json_unpack(p->annotations, "{s?:s, s?:s}", "org.husk.mem", &amem,
                    "org.husk.rootfs-size", &asize);
    }
    if (amem && !(cfg->mem = parse_size(amem)))
        return oci_err("annotation org.husk.mem '%s' is not a size", amem);
    if (asize && !(p->image_size = parse_size(asize)))
        return oci_err("annotation org.husk.rootfs-size '%s' is not a size",
                       asize);
    if (cfg->mem < HUSK_MIN_MEM) {
        oci_warn("memory limit %llu below husk's minimum: 8 MiB",
                 (unsigned long long)cfg->mem);
        cfg->mem = HUSK_MIN_MEM;
    }
    cfg->mem = (cfg->mem + 0xfff) & ~0xfffULL;
    return 0;
}

/* ---- the root filesystem image ---- */

static uint64_t fp_hash;

static int fp_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)flag, (void)ftw;
    /* a file's contents by its size and time; a directory's and a
       symlink's times say nothing the names and targets do not (podman
       makes / and /etc fresh in each container's top layer, which would
       make every run miss) */
    bool file = S_ISREG(st->st_mode);
    uint64_t v[] = {(uint64_t)st->st_mode,
                    file ? (uint64_t)st->st_size : 0,
                    file ? (uint64_t)st->st_mtim.tv_sec : 0,
                    file ? (uint64_t)st->st_mtim.tv_nsec : 0,
                    (uint64_t)st->st_uid,
                    (uint64_t)st->st_gid};
    for (const char *c = path; *c; c++)
        fp_hash = (fp_hash ^ (uint8_t)*c) * 0x100000001b3ULL;
    char target[PATH_MAX];
    ssize_t tn =
        S_ISLNK(st->st_mode) ? readlink(path, target, sizeof(target)) : 0;
    for (ssize_t k = 0; k < tn; k++)
        fp_hash = (fp_hash ^ (uint8_t)target[k]) * 0x100000001b3ULL;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        for (int b = 0; b < 8; b++)
            fp_hash = (fp_hash ^ ((v[i] >> (8 * b)) & 0xff)) * 0x100000001b3ULL;
    return 0;
}

/* Copy an image, holes kept (SEEK_DATA/SEEK_HOLE). */
static int copy_sparse(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    struct stat st;
    int r = out < 0 || fstat(in, &st) < 0 || ftruncate(out, st.st_size) < 0 ? -1
                                                                            : 0;
    if (r == 0 && ioctl(out, FICLONE, in) == 0) {
        close(in), close(out);
        return 0;
    }
    for (off_t at = 0; r == 0 && at < st.st_size;) {
        off_t data = lseek(in, at, SEEK_DATA);
        if (data < 0)
            break; /* only a hole left */
        off_t hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0)
            hole = st.st_size;
        loff_t a = data, b = data;
        while (a < hole) {
            ssize_t n = copy_file_range(in, &a, out, &b, (size_t)(hole - a), 0);
            if (n <= 0) {
                r = -1;
                break;
            }
        }
        at = hole;
    }
    close(in);
    if (out >= 0)
        close(out);
    return r;
}

/* Drop the oldest cached images beyond the newest eight. */
static void cache_trim(const char *cache, const char *keep_name)
{
    DIR *d = opendir(cache);
    if (!d)
        return;
    struct {
        char name[64];
        struct timespec t;
    } e[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 64) {
        if (de->d_name[0] == '.' || strlen(de->d_name) >= 64)
            continue;
        char *p = path_join(cache, de->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && strcmp(de->d_name, keep_name)) {
            memcpy(e[n].name, de->d_name, strlen(de->d_name) + 1); /* < 64 */
            e[n++].t = st.st_mtim; /* touched when used (rootfs_image) */
        }
        free(p);
    }
    closedir(d);
    /* the one in use is not counted: seven others stay */
    for (int left = n; left > 7; left--) {
        int old = -1;
        for (int i = 0; i < n; i++)
            if (e[i].name[0] && (old < 0 || e[i].t.tv_sec < e[old].t.tv_sec ||
                                 (e[i].t.tv_sec == e[old].t.tv_sec &&
                                  e[i].t.tv_nsec < e[old].t.tv_nsec)))
                old = i;
        char *p = path_join(cache, e[old].name);
        unlink(p);
        free(p);
        e[old].name[0] = 0;
    }
}

/* Run the debugfs script cmds (e2fsprogs) on image read-write, then
   remove the script: debugfs's status. */
static int debugfs_script(char *cmds, const char *image)
{
    char *argv[] = {A("debugfs"), A("-w"), A("-f"), cmds, A(image), NULL};
    int r = run_cmd(argv, true);
    unlink(cmds);
    return r;
}

/* The directories husk mounts on (kernel/boot.c), made in a new image
   whose tree lacks them: a read-only root could not get them later (no
   /dev, /proc), and runc makes them too. Best effort (debugfs). */
static void add_mount_points(const char *rootfs, const char *image,
                             const char *dir)
{
    static const char *points[] = {"dev", "proc", "sys", "tmp", "run", NULL};
    char *cmds = path_join(dir, "debugfs.cmds");
    FILE *f = NULL;
    for (int i = 0; points[i]; i++) {
        char *at = path_join(rootfs, points[i]);
        struct stat st;
        if (lstat(at, &st) < 0 && (f || (f = fopen(cmds, "w"))))
            fprintf(f, "mkdir /%s\n", points[i]);
        free(at);
    }
    if (f) {
        fclose(f);
        debugfs_script(cmds, image);
    }
    free(cmds);
}

/* The container's image at out: from the cache when a tree with the same
   names, sizes, times and modes was built before (a podman container's
   rootfs is a fresh directory each time, with the same contents), else
   built and put in the cache. A read-only root uses the cached image
   itself. Returns the path the container uses, or NULL. */
static char *rootfs_image(const struct plan *p, const char *ctr_dir)
{
    fp_hash = 0xcbf29ce484222325ULL;
    char *cwd = getcwd(NULL, 0);
    if (chdir(p->rootfs) < 0 || nftw(".", fp_entry, 64, FTW_PHYS) < 0) {
        oci_err("root.path %s: cannot read the tree", p->rootfs);
        free(cwd);
        return NULL;
    }
    if (cwd && chdir(cwd) < 0)
        fp_hash ^= 1;
    free(cwd);
    char *cache = path_join(g.root, ".images"), key[64];
    snprintf(key, sizeof(key), "%016llx-%llx.img", (unsigned long long)fp_hash,
             (unsigned long long)p->image_size);
    mkdir_p(cache, 0700);
    char *cached = path_join(cache, key);
    if (access(cached, R_OK) < 0) {
        char *tmp = path_join(cache, ".building");
        char *tmpn;
        if (asprintf(&tmpn, "%s.%d", tmp, getpid()) < 0)
            tmpn = NULL;
        free(tmp);
        /* room to write in: the tree's size again, and 64 MiB */
        bool built =
            tmpn && image_build_dir(p->rootfs, tmpn, p->image_size) == 0;
        if (built)
            add_mount_points(p->rootfs, tmpn, ctr_dir);
        if (!built || rename(tmpn, cached) < 0) {
            if (tmpn)
                unlink(tmpn);
            free(tmpn), free(cache), free(cached);
            oci_err("root.path %s: cannot make its image", p->rootfs);
            return NULL;
        }
        free(tmpn);
        cache_trim(cache, key);
    } else {
        utimensat(AT_FDCWD, cached, NULL, 0); /* recently used */
    }
    free(cache);
    if (p->cfg.rootfs_ro && !p->nfiles)
        return cached;
    char *mine = path_join(ctr_dir, "rootfs.img");
    if (copy_sparse(cached, mine) < 0) {
        oci_err("%s: cannot copy the root image: %s", mine, strerror(errno));
        free(mine), free(cached);
        return NULL;
    }
    free(cached);
    return mine;
}

/* Copy the single-file bind mounts into the image (debugfs, e2fsprogs). */
static int inject_files(const struct plan *p, const char *image,
                        const char *dir)
{
    if (!p->nfiles)
        return 0;
    char *cmds = path_join(dir, "debugfs.cmds");
    FILE *f = fopen(cmds, "w");
    if (!f)
        return oci_err("%s: %s", cmds, strerror(errno));
    for (int i = 0; i < p->nfiles; i++) {
        /* the parents first (an error when they exist is harmless) */
        char *d = xstrdup(p->files[i].dst);
        for (char *s = d + 1; *s; s++)
            if (*s == '/') {
                *s = 0;
                fprintf(f, "mkdir \"%s\"\n", d);
                *s = '/';
            }
        free(d);
        fprintf(f, "rm \"%s\"\nwrite \"%s\" \"%s\"\n", p->files[i].dst,
                p->files[i].src, p->files[i].dst);
    }
    fclose(f);
    int r = debugfs_script(cmds, image);
    free(cmds);
    return r == 0 ? 0
                  : oci_err("cannot copy the bind-mounted files into %s "
                            "(debugfs: status %d)",
                            image, r);
}

/* ---- the network ---- */

/* In the container's network namespace: for each interface with an IPv4
   address (but lo), a tap joined to it both ways with tc mirred; the
   guest takes the interface's address, mask, gateway and MAC, so the
   container is reached where its network put it. Runs in a child that
   joined the namespace; reports the nics through the pipe. */
static int net_setup_in_ns(int out)
{
    char line[512];
    FILE *ip = popen("ip -o -4 addr show 2>/dev/null", "r");
    if (!ip)
        return 1;
    int n = 0;
    char gwdev[64] = "", gw[64] = "";
    FILE *r = popen("ip -4 route show default 2>/dev/null", "r");
    if (r) {
        char rl[256];
        if (fgets(rl, sizeof(rl), r))
            sscanf(rl, "default via %63s dev %63s", gw, gwdev);
        pclose(r);
    }
    while (fgets(line, sizeof(line), ip) && n < HUSK_MAX_NICS) {
        char ifname[64], cidr[64], tap[16];
        if (sscanf(line, "%*d: %63s inet %63s", ifname, cidr) != 2 ||
            !strcmp(ifname, "lo") || !strncmp(ifname, "husk", 4))
            continue;
        char *at = strchr(ifname, '@');
        if (at)
            *at = 0;
        snprintf(tap, sizeof(tap), TAP_NAME "%d", n);
        char mac[32] = "", cmd[256];
        snprintf(cmd, sizeof(cmd), "/sys/class/net/%s/address", ifname);
        FILE *m = fopen(cmd, "r");
        if (m) {
            if (!fgets(mac, sizeof(mac), m))
                mac[0] = 0;
            fclose(m);
        }
        mac[strcspn(mac, "\n")] = 0;
        char *tuntap[] = {A("ip"),   A("tuntap"), A("add"),      A("dev"), tap,
                          A("mode"), A("tap"),    A("vnet_hdr"), NULL};
        char *up[] = {A("ip"), A("link"), A("set"),  A("dev"), tap,
                      A("up"), A("mtu"),  A("1500"), NULL};
        char *q1[] = {A("tc"), A("qdisc"),   A("add"), A("dev"),
                      ifname,  A("ingress"), NULL};
        char *q2[] = {A("tc"), A("qdisc"),   A("add"), A("dev"),
                      tap,     A("ingress"), NULL};
        /* every frame, both ways: u32 matching anything (matchall is
           not in every kernel) */
#define REDIRECT(from, to)                                                     \
    {                                                                          \
        A("tc"), A("filter"), A("add"), A("dev"), from, A("parent"),           \
            A("ffff:"), A("protocol"), A("all"), A("u32"), A("match"),         \
            A("u32"), A("0"), A("0"), A("action"), A("mirred"), A("egress"),   \
            A("redirect"), A("dev"), to, NULL                                  \
    }
        char *f1[] = REDIRECT(ifname, tap);
        char *f2[] = REDIRECT(tap, ifname);
#undef REDIRECT

        if (run_cmd(tuntap, false) || run_cmd(up, false) ||
            run_cmd(q1, false) || run_cmd(q2, false) || run_cmd(f1, false) ||
            run_cmd(f2, false)) {
            fprintf(stderr,
                    "husk: cannot join a tap to %s with tc mirred "
                    "(iproute2's ip and tc are needed)\n",
                    ifname);
            pclose(ip);
            return 1;
        }
        /* the gateway goes with the interface the default route uses */
        bool gwhere = gw[0] && (!gwdev[0] || !strcmp(gwdev, ifname));
        dprintf(out, "%s %s %s %s\n", tap, cidr, gwhere ? gw : "-",
                mac[0] ? mac : "-");
        n++;
    }
    pclose(ip);
    return 0;
}

static int enter_netns(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = setns(fd, CLONE_NEWNET);
    close(fd);
    return r;
}

/* Is there an interface with an IPv4 address but lo? (No program to run
   when there is none: --network none, a fresh namespace.) */
static bool net_has_interfaces(void)
{
    struct ifaddrs *ifa, *i;
    bool any = false;
    if (getifaddrs(&ifa) < 0)
        return false;
    for (i = ifa; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
            !(i->ifa_flags & IFF_LOOPBACK))
            any = true;
    freeifaddrs(ifa);
    return any;
}

/* In the container process, in its network namespace, at start (ctr
   --cni adds the interface between create and start): the taps into
   p->cfg.nics. 0, or -1 after a line on stderr. */
static int net_attach(struct plan *p)
{
    if (!net_has_interfaces())
        return 0;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return -1;
    int r = net_setup_in_ns(pfd[1]);
    close(pfd[1]);
    char buf[1024];
    size_t n = 0;
    ssize_t k;
    while (n < sizeof(buf) - 1 &&
           (k = read(pfd[0], buf + n, sizeof(buf) - 1 - n)) > 0)
        n += (size_t)k;
    buf[n] = 0;
    close(pfd[0]);
    if (r)
        return -1;
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
        char tap[32], cidr[64], gw[64], mac[32], spec[256], err[256];
        if (sscanf(l, "%31s %63s %63s %31s", tap, cidr, gw, mac) != 4)
            continue;
        int len = snprintf(spec, sizeof(spec), "tap:%s,ip=%s", tap, cidr);
        if (strcmp(gw, "-"))
            len +=
                snprintf(spec + len, sizeof(spec) - (size_t)len, ",gw=%s", gw);
        if (strcmp(mac, "-"))
            snprintf(spec + len, sizeof(spec) - (size_t)len, ",mac=%s", mac);
        struct husk_nic nic;
        if (nic_parse(spec, &nic, err, sizeof(err)) < 0 ||
            nic_add(&p->cfg, &nic, err, sizeof(err)) < 0) {
            fprintf(stderr, "husk: network: %s\n", err);
            return -1;
        }
    }
    return 0;
}

static void net_teardown(const char *netns)
{
    if (!netns)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (enter_netns(netns) < 0)
            _exit(0); /* gone with its namespace */
        FILE *ip = popen("ip -o link show 2>/dev/null", "r");
        char line[512];
        while (ip && fgets(line, sizeof(line), ip)) {
            char ifname[64];
            if (sscanf(line, "%*d: %63[^:@]", ifname) != 1 ||
                !strcmp(ifname, "lo"))
                continue;
            char *del[] = {A("ip"), A("link"), A("del"), ifname, NULL};
            char *q[] = {A("tc"), A("qdisc"),   A("del"), A("dev"),
                         ifname,  A("ingress"), NULL};
            run_cmd(strncmp(ifname, TAP_NAME, 4) ? q : del, true);
        }
        if (ip)
            pclose(ip);
        _exit(0);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

/* ---- the container process ---- */

/* Send fd over the unix socket at path (runc's --console-socket). */
static int send_fd(const char *path, int fd)
{
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    char name[] = "/dev/ptmx";
    struct iovec iov = {name, sizeof(name)};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    int r = sendmsg(s, &m, 0) < 0 ? -1 : 0;
    close(s);
    return r;
}

/* The container process: ready on `sync`, then blocked on the exec fifo
   until start opens it; then the sandbox. Never returns. */
static _Noreturn void container_main(struct plan *p, const char *fifo, int sync,
                                     const char *console)
{
    /* nothing of the caller's but the console: containerd's shim passes
       its own socket as fd 3 by accident */
    for (int fd = 3; fd < 1024; fd++)
        if (fd != sync)
            close(fd);
    if (console) {
        int master, slave;
        if (openpty(&master, &slave, NULL, NULL, NULL) < 0 ||
            send_fd(console, master) < 0) {
            dprintf(sync, "console socket %s: %s\n", console, strerror(errno));
            _exit(1);
        }
        close(master);
        setsid();
        ioctl(slave, TIOCSCTTY, 0);
        dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
        if (slave > 2)
            close(slave);
    }
    if (p->netns && enter_netns(p->netns) < 0) {
        dprintf(sync, "network namespace %s: %s\n", p->netns, strerror(errno));
        _exit(1);
    }
    if (!p->netns && p->new_netns && unshare(CLONE_NEWNET) < 0) {
        dprintf(sync, "a new network namespace: %s\n", strerror(errno));
        _exit(1);
    }
    dprintf(sync, "ok\n");
    close(sync);
    int fd = open(fifo, O_WRONLY | O_CLOEXEC); /* until start */
    if (fd < 0)
        _exit(HUSK_EXIT_ERROR);
    if (write(fd, "0", 1) != 1)
        _exit(HUSK_EXIT_ERROR);
    close(fd);
    if ((p->netns || p->new_netns) && net_attach(p) < 0)
        _exit(HUSK_EXIT_ERROR);
    int st = tender_run(&p->cfg);
    fflush(NULL);
    _exit(st);
}

static char *now_rfc3339(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char buf[64], out[80];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", gmtime(&ts.tv_sec));
    snprintf(out, sizeof(out), "%s.%09ldZ", buf, ts.tv_nsec);
    return xstrdup(out);
}

struct create_opts {
    const char *bundle, *pid_file, *console;
};

/* create: 0 with *pid the container process (our child), or 1. */
static int do_create(const char *id, const struct create_opts *o, int *pid)
{
    if (!valid_id(id))
        return oci_err("invalid container id '%s' (letters, digits, . _ + -)",
                       id ? id : "");
    char *bundle = o->bundle ? realpath(o->bundle, NULL) : getcwd(NULL, 0);
    if (!bundle)
        return oci_err("bundle %s: %s", o->bundle ? o->bundle : ".",
                       strerror(errno));
    struct plan p;
    if (spec_load(bundle, &p)) {
        free(bundle);
        return 1;
    }
    if (p.terminal && !o->console)
        return oci_err("process.terminal needs --console-socket");
    if (mkdir_p(g.root, 0700) < 0)
        return oci_err("--root %s: %s", g.root, strerror(errno));
    char *dir = path_join(g.root, id);
    if (mkdir(dir, 0700) < 0) {
        int r = errno == EEXIST ? oci_err("container \"%s\" already exists", id)
                                : oci_err("%s: %s", dir, strerror(errno));
        free(dir);
        return r;
    }
    bool tap = p.netns != NULL; /* the container process makes it */
    char *image = rootfs_image(&p, dir);
    if (!image || inject_files(&p, image, dir))
        goto fail;
    p.cfg.rootfs = image;
    char *fifo = path_join(dir, "exec.fifo");
    if (mkfifo(fifo, 0600) < 0) {
        oci_err("%s: %s", fifo, strerror(errno));
        goto fail;
    }
    int sync[2];
    if (pipe2(sync, O_CLOEXEC) < 0) {
        oci_err("pipe: %s", strerror(errno));
        goto fail;
    }
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        oci_err("fork: %s", strerror(errno));
        goto fail;
    }
    if (child == 0) {
        close(sync[0]);
        container_main(&p, fifo, sync[1], o->console);
    }
    close(sync[1]);
    char msg[512] = "";
    ssize_t n = read(sync[0], msg, sizeof(msg) - 1);
    close(sync[0]);
    msg[n > 0 ? n : 0] = 0;
    if (strcmp(msg, "ok\n")) {
        msg[strcspn(msg, "\n")] = 0;
        oci_err("the container process could not start: %s",
                msg[0] ? msg : "it died");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        goto fail;
    }
    struct ctr c = {.id = xstrdup(id),
                    .dir = dir,
                    .bundle = bundle,
                    .rootfs = p.rootfs,
                    .created = now_rfc3339(),
                    .pid = child,
                    .starttime = proc_starttime(child, NULL),
                    .annotations =
                        p.annotations ? p.annotations : json_object(),
                    .netns = tap ? p.netns : NULL,
                    .tap = tap};
    if (ctr_save(&c) < 0) {
        oci_err("%s: cannot write the state", dir);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        goto fail;
    }
    if (o->pid_file) {
        FILE *f = fopen(o->pid_file, "w");
        if (!f || fprintf(f, "%d", child) < 0 || fclose(f) != 0) {
            oci_err("--pid-file %s: %s", o->pid_file, strerror(errno));
            kill(child, SIGKILL);
            waitpid(child, NULL, 0);
            goto fail;
        }
    }
    *pid = child;
    return 0;
fail:
    if (tap)
        net_teardown(p.netns);
    rm_rf(dir);
    free(dir);
    return 1;
}

static int do_start(const char *id)
{
    struct ctr c;
    if (ctr_load(id, &c))
        return 1;
    const char *status = status_of(&c);
    if (strcmp(status, "created")) {
        int r = oci_err("cannot start container %s: it is %s", id, status);
        ctr_free(&c);
        return r;
    }
    char *fifo = path_join(c.dir, "exec.fifo");
    /* non-blocking: a container process that died meanwhile must not
       leave start waiting for a writer that never comes */
    int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    char b;
    int r = 0;
    struct pollfd pfd = {fd, POLLIN, 0};
    bool got = false;
    for (int tries = 0; fd >= 0 && !got && tries < 100; tries++) {
        if (read(fd, &b, 1) == 1) {
            got = true;
            break;
        }
        char st = 0;
        if (proc_starttime(c.pid, &st) != c.starttime || st == 'Z')
            break; /* the writer is gone */
        poll(&pfd, 1, 50);
    }
    if (!got)
        r = oci_err("cannot start container %s: its process is gone", id);
    if (fd >= 0)
        close(fd);
    unlink(fifo);
    free(fifo);
    ctr_free(&c);
    return r;
}

/* ---- the verbs ---- */

static int parse_signal(const char *s)
{
    static const struct {
        const char *name;
        int sig;
    } names[] = {{"HUP", SIGHUP},   {"INT", SIGINT},     {"QUIT", SIGQUIT},
                 {"KILL", SIGKILL}, {"USR1", SIGUSR1},   {"USR2", SIGUSR2},
                 {"TERM", SIGTERM}, {"ALRM", SIGALRM},   {"CONT", SIGCONT},
                 {"STOP", SIGSTOP}, {"WINCH", SIGWINCH}, {"PIPE", SIGPIPE}};
    if (!s)
        return SIGTERM;
    if (*s >= '0' && *s <= '9') {
        int v = atoi(s);
        return v > 0 && v < 65 ? v : -1;
    }
    if (!strncasecmp(s, "SIG", 3))
        s += 3;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcasecmp(s, names[i].name))
            return names[i].sig;
    return -1;
}

static int do_kill(const char *id, const char *sig_name)
{
    int sig = parse_signal(sig_name);
    if (sig < 0)
        return oci_err("unknown signal '%s'", sig_name);
    struct ctr c;
    if (ctr_load(id, &c))
        return 1;
    int r = 0;
    if (!strcmp(status_of(&c), "stopped"))
        r = oci_err("container %s is not running", id);
    else if (kill(c.pid, sig) < 0)
        r = oci_err("kill %d: %s", c.pid, strerror(errno));
    ctr_free(&c);
    return r;
}

static int do_delete(const char *id, bool force)
{
    struct ctr c;
    if (force && valid_id(id)) {
        /* runc: --force of a missing container is no error, and it takes a
           directory that never got its state (a create killed midway) */
        char *dir = path_join(g.root, id), *sf = path_join(dir, "state.json");
        bool missing = access(sf, F_OK) < 0;
        if (missing)
            rm_rf(dir);
        free(dir), free(sf);
        if (missing)
            return 0;
    }
    if (ctr_load(id, &c))
        return 1;
    const char *status = status_of(&c);
    if (strcmp(status, "stopped")) {
        if (!force) {
            int r = oci_err("cannot delete container %s that is not stopped: "
                            "it is %s",
                            id, status);
            ctr_free(&c);
            return r;
        }
        kill(c.pid, SIGKILL);
        for (int i = 0; i < 500 && strcmp(status_of(&c), "stopped"); i++)
            usleep(2000);
    }
    if (c.tap)
        net_teardown(c.netns);
    rm_rf(c.dir);
    ctr_free(&c);
    return 0;
}

static int do_state(const char *id)
{
    struct ctr c;
    if (ctr_load(id, &c))
        return 1;
    json_t *o = state_json(&c);
    char *s = json_dumps(o, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(o);
    ctr_free(&c);
    return 0;
}

static int do_list(bool json, bool quiet)
{
    DIR *d = opendir(g.root);
    json_t *all = json_array();
    if (!json && !quiet)
        printf("%-24s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS",
               "BUNDLE", "CREATED", "OWNER");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        struct ctr c;
        char *st = path_join(g.root, de->d_name);
        char *sf = path_join(st, "state.json");
        bool is = access(sf, F_OK) == 0;
        free(st), free(sf);
        if (!is || ctr_load(de->d_name, &c))
            continue;
        json_t *o = state_json(&c);
        if (json)
            json_array_append_new(all, o);
        else {
            if (quiet)
                printf("%s\n", c.id);
            else
                printf("%-24s %-8lld %-10s %-40s %-32s %s\n", c.id,
                       (long long)json_integer_value(json_object_get(o, "pid")),
                       json_string_value(json_object_get(o, "status")),
                       c.bundle, c.created, "root");
            json_decref(o);
        }
        ctr_free(&c);
    }
    if (d)
        closedir(d);
    if (json) {
        char *s = json_dumps(all, JSON_COMPACT);
        printf("%s\n", s);
        free(s);
    }
    json_decref(all);
    return 0;
}

static int do_spec(const char *bundle)
{
    char *path = path_join(bundle ? bundle : ".", "config.json");
    if (access(path, F_OK) == 0) {
        int r = oci_err("%s exists already", path);
        free(path);
        return r;
    }
    json_t *o = json_pack(
        "{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:b}, "
        "s:{s:s, s:b}, s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}, "
        "{s:s, s:s, s:s}], s:{s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]}}",
        "ociVersion", OCI_VERSION, "process", "terminal", 0, "user", "uid", 0,
        "gid", 0, "args", "sh", "env",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "TERM=xterm", "cwd", "/", "noNewPrivileges", 1, "root", "path",
        "rootfs", "readonly", 1, "hostname", "husk", "mounts", "destination",
        "/proc", "type", "proc", "source", "proc", "destination", "/dev",
        "type", "tmpfs", "source", "tmpfs", "destination", "/sys", "type",
        "sysfs", "source", "sysfs", "linux", "namespaces", "type", "pid",
        "type", "network", "type", "ipc", "type", "uts", "type", "mount");
    int r = o && json_dump_file(o, path, JSON_INDENT(4)) == 0
                ? 0
                : oci_err("%s: cannot write it", path);
    json_decref(o);
    free(path);
    return r;
}

static int do_features(void)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:[], s:[s, s, s, s, s, s], s:{s:[s, s, s, s, s, s, s], "
        "s:[], s:{s:b}, s:{s:b}, s:{s:b}}, s:{s:s, s:s}}",
        "ociVersionMin", "1.0.0", "ociVersionMax", OCI_VERSION, "hooks",
        "mountOptions", "bind", "rbind", "ro", "rw", "nosuid", "nodev", "linux",
        "namespaces", "cgroup", "ipc", "mount", "network", "pid", "user", "uts",
        "capabilities", "cgroup", "v1", 0, "seccomp", "enabled", 0, "apparmor",
        "enabled", 0, "annotations", "org.husk.mem",
        "guest memory (a size: 512M, 2G)", "org.husk.rootfs-size",
        "the root image's size (a size)");
    char *s = json_dumps(o, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(o);
    return 0;
}

static void oci_usage(FILE *f)
{
    fputs("usage: husk-runc [GLOBAL OPTIONS] COMMAND [OPTIONS] ID\n"
          "(also: husk runc ...) An OCI runtime with runc's command line:\n"
          "each container is a husk sandbox.\n"
          "\n"
          "global options: --root DIR (default " DEFAULT_ROOT "), --log FILE,\n"
          "  --log-format text|json, --debug, --systemd-cgroup (accepted)\n"
          "commands:\n"
          "  create [--bundle B] [--pid-file F] [--console-socket S] ID\n"
          "  start ID        run the created container's program\n"
          "  state ID        its state, as the runtime spec's JSON\n"
          "  kill [--all] ID [SIGNAL]\n"
          "  delete [--force] ID\n"
          "  run [--bundle B] [--pid-file F] [--detach] ID\n"
          "  list [--format text|json] [-q]\n"
          "  spec [--bundle B]   write a default config.json\n"
          "  features        what this runtime supports, as JSON\n"
          "  ps, exec, pause, resume, update, checkpoint, restore, events:\n"
          "                  not supported by husk\n",
          f);
}

/* "--opt value" or "--opt=value": the value, advancing *i; NULL if a
   flag does not match. */
static const char *opt_val(int argc, char **argv, int *i, const char *name,
                           bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static volatile pid_t run_pid;
static const int forwarded[] = {SIGTERM, SIGINT,  SIGHUP,   SIGQUIT,
                                SIGUSR1, SIGUSR2, SIGWINCH, 0};

static void forward(int sig)
{
    if (run_pid > 0)
        kill(run_pid, sig);
}

int cmd_oci(int argc, char **argv)
{
    int i = 1;
    bool missing = false;
    const char *v;
    /* podman runs delete with no PATH at all: ip, tc and debugfs must
       still be found (tc is in /sbin), or a tap's tc rules outlive it */
    const char *path = getenv("PATH");
    if (!path || !*path)
        setenv("PATH",
               "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               1);
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if ((v = opt_val(argc, argv, &i, "--root", &missing)))
            g.root = v;
        else if ((v = opt_val(argc, argv, &i, "--log", &missing)))
            g.log = v;
        else if ((v = opt_val(argc, argv, &i, "--log-format", &missing)))
            g.log_json = !strcmp(v, "json");
        else if ((v = opt_val(argc, argv, &i, "--criu", &missing)) ||
                 (v = opt_val(argc, argv, &i, "--rootless", &missing)))
            ; /* accepted: nothing to do for husk */
        else if (!strcmp(a, "--debug"))
            g.debug = true;
        else if (!strcmp(a, "--systemd-cgroup"))
            ; /* accepted: husk makes no cgroups */
        else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
            printf("husk-runc version %s\nspec: %s\n", HUSK_VERSION,
                   OCI_VERSION);
            return 0;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            oci_usage(stdout);
            return 0;
        } else if (missing) {
            break;
        } else {
            return oci_err("unknown global option '%s'", a);
        }
        if (missing)
            return oci_err("option %s needs a value", a);
    }
    if (missing)
        return oci_err("option %s needs a value", argv[i]);
    if (i >= argc) {
        oci_usage(stderr);
        return 1;
    }
    const char *verb = argv[i++];
    /* before their options, which husk does not know (exec --process F,
       update --resources F) */
    static const char *unsupported[] = {"ps",      "exec",   "pause",
                                        "resume",  "update", "checkpoint",
                                        "restore", "events", NULL};
    for (int k = 0; unsupported[k]; k++)
        if (!strcmp(verb, unsupported[k]))
            return oci_err("%s is not supported by husk: a container is one "
                           "sandbox process",
                           verb);
    struct create_opts co = {NULL, NULL, NULL};
    bool detach = false, force = false, json = false, quiet = false;
    const char *id = NULL, *extra = NULL;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (!id)
                id = a;
            else if (!extra)
                extra = a;
            else
                return oci_err("%s: too many arguments", verb);
            continue;
        }
        if ((v = opt_val(argc, argv, &i, "--bundle", &missing)) ||
            (v = opt_val(argc, argv, &i, "-b", &missing)))
            co.bundle = v;
        else if ((v = opt_val(argc, argv, &i, "--pid-file", &missing)))
            co.pid_file = v;
        else if ((v = opt_val(argc, argv, &i, "--console-socket", &missing)))
            co.console = v;
        else if ((v = opt_val(argc, argv, &i, "--format", &missing)) ||
                 (!strcmp(verb, "list") &&
                  (v = opt_val(argc, argv, &i, "-f", &missing))))
            json = !strcmp(v, "json"); /* -f: list's --format, else --force */
        else if ((v = opt_val(argc, argv, &i, "--preserve-fds", &missing)))
            ; /* inherited fds stay open for the program's console */
        else if (!strcmp(a, "--detach") || !strcmp(a, "-d"))
            detach = true;
        else if (!strcmp(a, "--force") || !strcmp(a, "-f"))
            force = true;
        else if (!strcmp(a, "--all") || !strcmp(a, "-a") ||
                 !strcmp(a, "--no-pivot") || !strcmp(a, "--no-new-keyring") ||
                 !strcmp(a, "--no-subreaper") || !strcmp(a, "--keep"))
            ; /* accepted: they change nothing for husk */
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = true;
        else if (missing)
            return oci_err("option %s needs a value", a);
        else
            return oci_err("%s: unknown option '%s'", verb, a);
        if (missing)
            return oci_err("option %s needs a value", a);
    }
    if (!strcmp(verb, "list"))
        return do_list(json, quiet);
    if (!strcmp(verb, "spec"))
        return do_spec(co.bundle);
    if (!strcmp(verb, "features"))
        return do_features();
    if (!id)
        return oci_err("%s: a container id is needed", verb);
    if (!strcmp(verb, "create")) {
        int pid;
        return do_create(id, &co, &pid);
    }
    if (!strcmp(verb, "start"))
        return do_start(id);
    if (!strcmp(verb, "state"))
        return do_state(id);
    if (!strcmp(verb, "kill"))
        return do_kill(id, extra);
    if (!strcmp(verb, "delete"))
        return do_delete(id, force);
    if (!strcmp(verb, "run")) {
        int pid, st;
        if (do_create(id, &co, &pid))
            return 1;
        if (do_start(id)) {
            do_delete(id, true);
            return 1;
        }
        if (detach)
            return 0;
        /* signals to runc run are the container's */
        run_pid = pid;
        struct sigaction sa = {.sa_handler = forward};
        sigemptyset(&sa.sa_mask);
        for (int k = 0; forwarded[k]; k++)
            sigaction(forwarded[k], &sa, NULL);
        while (waitpid(pid, &st, 0) < 0)
            if (errno != EINTR)
                return oci_err("wait: %s", strerror(errno));
        do_delete(id, true);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    return oci_err("unknown command '%s' (try husk-runc --help)", verb);
}
