/* SPDX-License-Identifier: MIT */
/* run.c: `husk run [OPTIONS] [--] PROGRAM [ARGS...]`: flags into the one
   config struct, then the tender. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "husk/config.h"
#include "husk/exit.h"
#include "host/host.h"
#include "tender/lockdown.h"
#include "tender/tender.h"

extern char **environ;

static void run_usage(FILE *f)
{
    fputs(
        "usage: husk run [OPTIONS] [--] PROGRAM [ARGS...]\n"
        "\n"
        "Run PROGRAM (a static x86_64 ELF, given as a host path) inside a\n"
        "husk sandbox. husk exits with the program's status, or 128+N if\n"
        "it was killed by signal N; 125 for husk's own errors, 126 when\n"
        "the program cannot be executed, 127 when it does not exist.\n"
        "\n"
        "options:\n"
        "  --config FILE    run options from a JSON file (README.md); its\n"
        "                   \"args\" are PROGRAM and ARGS when none follow.\n"
        "                   Flags override it: --env adds to its \"env\",\n"
        "                   --disk and --net replace its \"disks\", \"net\"\n"
        "  --mem SIZE       guest memory (default 1G; suffixes K M G T)\n"
        "  --env KEY=VALUE  set a variable in the program's environment\n"
        "                   (repeatable; the host's is not inherited)\n"
        "  --env-host       pass the host's environment through\n"
        "  --cwd DIR        the program's working directory (default /)\n"
        "  --hostname NAME  the sandbox's host name (default husk)\n"
        "  --rootfs IMAGE[:ro]  run from an ext4 image (husk image build);\n"
        "                   PROGRAM is looked up inside it; :ro mounts it\n"
        "                   read-only. A directory becomes an image first\n"
        "  --disk IMAGE:/mnt[:ro]  mount another ext4 image (repeatable, 3 at\n"
        "                   most)\n"
        "  --net tap:NAME[,mac=MAC][,ip=A.B.C.D[/N]][,gw=A.B.C.D]\n"
        "                   a network interface on the existing host tap\n"
        "                   NAME (repeatable, 4 at most; N defaults to 24)\n"
        "  --trace          print every system call on stderr\n"
        "  --seccomp=MODE   on (default): the sandbox's seccomp filter;\n"
        "                   log or off: for debugging only (husk policy\n"
        "                   prints the filter)\n"
        "  -h, --help       this help\n"
        "  --               end of options\n",
        f);
}

static int bad(const char *fmt, const char *arg)
{
    fputs("husk: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return HUSK_EXIT_ERROR;
}

static bool valid_env(const char *kv)
{
    const char *eq = strchr(kv, '=');
    return eq && eq != kv;
}

/* Add or replace KEY=VALUE in env (size n, capacity enough). */
static void env_set(char **env, int *n, char *kv)
{
    size_t klen = strcspn(kv, "=") + 1;
    for (int i = 0; i < *n; i++)
        if (!strncmp(env[i], kv, klen)) {
            env[i] = kv;
            return;
        }
    env[(*n)++] = kv;
}

/* A PROGRAM without a slash is looked up in the host's PATH, as a shell
   does (the filesystem issue moves this lookup into the image). */
static const char *find_program(const char *name)
{
    if (strchr(name, '/'))
        return name;
    const char *path = getenv("PATH");
    static char buf[4096];
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        if (n && n + strlen(name) + 2 < sizeof(buf)) {
            snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
            if (access(buf, F_OK) == 0)
                return buf;
        }
        p += n + (p[n] == ':');
    }
    return name;
}

/* What the flags say besides cfg itself. */
struct run_flags {
    char **sets; /* --env KEY=VALUE, in order */
    int nsets;
    bool env_host;
    bool help;          /* --help was printed */
    const char *config; /* --config FILE */
    bool disks, nets;   /* --disk, --net seen: they replace the config's */
};

/* Parse husk run's options into cfg. Returns the index of PROGRAM in
   argv (argc when there is none), or -1 after printing an error or the
   help (f->help). */
static int parse_options(int argc, char **argv, struct husk_config *cfg,
                         struct run_flags *f)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--"))
            return i + 1;
        if (a[0] != '-')
            return i;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_usage(stdout);
            f->help = true;
            return -1;
        } else if (!strcmp(a, "--trace")) {
            cfg->trace = true;
        } else if (!strcmp(a, "--env-host")) {
            f->env_host = true;
        } else if (!strcmp(a, "--expose-hostcall")) {
            cfg->expose_hostcall = true;
        } else if (!strncmp(a, "--seccomp=", 10)) {
            if (!strcmp(a + 10, "on"))
                cfg->seccomp = HUSK_SECCOMP_ON;
            else if (!strcmp(a + 10, "log"))
                cfg->seccomp = HUSK_SECCOMP_LOG;
            else if (!strcmp(a + 10, "off"))
                cfg->seccomp = HUSK_SECCOMP_OFF;
            else
                return bad("bad %s (on, log or off)", a), -1;
        } else if (!strcmp(a, "--config")) {
            if (!val)
                return bad("option %s needs a value", a), -1;
            if (f->config)
                return bad("%s", "--config given twice"), -1;
            f->config = argv[++i];
        } else if (!strcmp(a, "--net")) {
            if (!val)
                return bad("option %s needs a value", a), -1;
            if (!f->nets)
                cfg->nnics = 0;
            f->nets = true;
            struct husk_nic nic;
            char err[320];
            if (nic_parse(argv[++i], &nic, err, sizeof(err)) < 0 ||
                nic_add(cfg, &nic, err, sizeof(err)) < 0) {
                fprintf(stderr, "husk: bad --net '%s': %s\n", argv[i], err);
                return -1;
            }
        } else if (!strcmp(a, "--disk")) {
            if (!val)
                return bad("option %s needs a value", a), -1;
            if (!f->disks)
                cfg->ndisks = 0;
            f->disks = true;
            if (cfg->ndisks == HUSK_MAX_DISKS)
                return bad("at most %s --disk options", "3"), -1;
            if (disk_parse(argv[++i], &cfg->disks[cfg->ndisks]) < 0)
                return bad("bad --disk '%s' (IMAGE:/mount/point[:ro])",
                           argv[i]),
                       -1;
            cfg->ndisks++;
        } else if (!strcmp(a, "--rootfs")) {
            if (!val)
                return bad("option %s needs a value", a), -1;
            cfg->rootfs = argv[++i];
            cfg->rootfs_ro = false;
            size_t n = strlen(cfg->rootfs);
            if (n > 3 && !strcmp(cfg->rootfs + n - 3, ":ro")) {
                char *copy = strndup(cfg->rootfs, n - 3);
                if (!copy)
                    return bad("%s", "out of memory"), -1;
                cfg->rootfs = copy;
                cfg->rootfs_ro = true;
            }
        } else if (!strcmp(a, "--mem") || !strcmp(a, "--env") ||
                   !strcmp(a, "--cwd") || !strcmp(a, "--hostname")) {
            if (!val)
                return bad("option %s needs a value", a), -1;
            i++;
            if (!strcmp(a, "--mem")) {
                cfg->mem = parse_size(val);
                if (cfg->mem < HUSK_MIN_MEM || cfg->mem > HUSK_MAX_MEM)
                    return bad("bad --mem '%s' (a size from 8M to 64T, "
                               "e.g. 512M or 2G)",
                               val),
                           -1;
                cfg->mem = (cfg->mem + 0xfff) & ~0xfffULL;
            } else if (!strcmp(a, "--env")) {
                if (!valid_env(val))
                    return bad("bad --env '%s' (expected KEY=VALUE)", val), -1;
                f->sets[f->nsets++] = argv[i];
            } else if (!strcmp(a, "--cwd")) {
                if (val[0] != '/' || strlen(val) >= 4096)
                    return bad("bad --cwd '%s' (an absolute path)", val), -1;
                cfg->cwd = val;
            } else {
                if (!*val || strlen(val) > 64)
                    return bad("bad --hostname '%s' (1 to 64 characters)", val),
                           -1;
                cfg->hostname = val;
            }
        } else {
            return bad("unknown option '%s' (try husk run --help)", a), -1;
        }
    }
    return i;
}

static const struct husk_config defaults = {
    .mem = HUSK_DEFAULT_MEM,
    .cwd = "/",
    .hostname = HUSK_DEFAULT_HOSTNAME,
};

/* Options into cfg, and the program's environment built (the caller frees
   cfg->envp). With --config the file is read first, wherever the flag
   stands, then the flags are parsed again over it, so flags win. The
   environment is the host's (--env-host), then the file's "env", then
   --env, a later KEY replacing an earlier one. Returns the index of
   PROGRAM in argv (argc when there is none), or -1 with *status set (0
   after --help, 125 after an error). */
static int configure(int argc, char **argv, struct husk_config *cfg,
                     int *status)
{
    char **sets = calloc(argc + 1, sizeof(char *));
    struct run_flags f = {.sets = sets};
    int nhost = 0, n = 0;
    *cfg = defaults;
    *status = HUSK_EXIT_ERROR;
    if (!sets)
        return bad("%s", "out of memory"), -1;
    int i = parse_options(argc, argv, cfg, &f);
    if (i >= 0 && f.config) {
        const char *path = f.config;
        *cfg = defaults;
        f = (struct run_flags){.sets = sets};
        i = config_load(path, cfg) < 0 ? -1
                                       : parse_options(argc, argv, cfg, &f);
    }
    if (i < 0) {
        free(sets);
        *status = f.help ? 0 : HUSK_EXIT_ERROR;
        return -1;
    }
    if (f.env_host)
        while (environ[nhost])
            nhost++;
    char **env = calloc(nhost + cfg->envc + f.nsets + 2, sizeof(char *));
    if (!env) {
        free(sets);
        return bad("%s", "out of memory"), -1;
    }
    for (int k = 0; k < nhost; k++)
        env_set(env, &n, environ[k]);
    for (int k = 0; k < cfg->envc; k++)
        env_set(env, &n, cfg->envp[k]);
    for (int k = 0; k < f.nsets; k++)
        env_set(env, &n, f.sets[k]);
    free(sets);
    free(cfg->envp);
    cfg->envp = env;
    cfg->envc = n;
    return i;
}

int cmd_run(int argc, char **argv)
{
    struct husk_config cfg;
    int status;
    int i = configure(argc, argv, &cfg, &status);
    if (i < 0)
        return status;
    if (i < argc) { /* a PROGRAM here replaces the config's "args" */
        cfg.argv = argv + i;
        cfg.argc = argc - i;
    } else if (!cfg.argc) {
        free(cfg.envp);
        return bad("%s", "run: no program given (try husk run --help)");
    }
    static char stub[64];
    if (cfg.expose_hostcall) { /* the escape tests play an attacker who knows */
        snprintf(stub, sizeof(stub), "HUSK_HOSTCALL=%p", (void *)host_syscall6);
        env_set(cfg.envp, &cfg.envc, stub);
    }
    /* the program is looked up inside the image, not on the host */
    cfg.program = cfg.rootfs ? cfg.argv[0] : find_program(cfg.argv[0]);
    char tmp_image[] = "/tmp/husk-rootfs-XXXXXX";
    struct stat st;
    if (cfg.rootfs && stat(cfg.rootfs, &st) == 0 && S_ISDIR(st.st_mode)) {
        int fd = mkstemp(tmp_image);
        if (fd < 0)
            return bad("cannot make a temporary image: %s", strerror(errno));
        close(fd);
        if (image_build_dir(cfg.rootfs, tmp_image, 0)) {
            unlink(tmp_image);
            free(cfg.envp);
            return HUSK_EXIT_ERROR;
        }
        cfg.rootfs = tmp_image;
    }
    status = tender_run(&cfg);
    if (cfg.rootfs == tmp_image)
        unlink(tmp_image);
    free(cfg.envp);
    return status;
}

int cmd_policy(int argc, char **argv)
{
    struct husk_config cfg;
    int status;
    if (configure(argc, argv, &cfg, &status) < 0)
        return status;
    free(cfg.envp);
    if (cfg.seccomp == HUSK_SECCOMP_OFF) {
        printf("husk sandbox policy: none (--seccomp=off): the program can "
               "make any host system call husk can\n");
        return 0;
    }
    /* The arena's place is chosen at start; show the pins for an arena at
       a typical address of the same size. */
    struct policy_params p = {.arena_lo = 0x7f0000000000ULL,
                              .arena_hi = 0x7f0000000000ULL + cfg.mem,
                              .pid = getpid()};
    if (cfg.rootfs) { /* the image becomes fd 3 (tender.c) */
        /* shown for 1 GiB images of 4 KiB blocks */
        p.disks[p.ndisks++] =
            (struct policy_disk){3, 1ULL << 30, 4096, !cfg.rootfs_ro};
    }
    for (int d = 0; d < cfg.ndisks; d++) {
        p.disks[p.ndisks] = (struct policy_disk){3 + p.ndisks, 1ULL << 30, 4096,
                                                 !cfg.disks[d].ro};
        p.ndisks++;
    }
    policy_print(stdout, &p, cfg.mem);
    if (cfg.seccomp == HUSK_SECCOMP_LOG)
        printf("\n--seccomp=log: calls outside the allowlist are allowed and "
               "logged by the host kernel, not killed\n");
    return 0;
}
