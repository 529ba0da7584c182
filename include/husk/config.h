/* SPDX-License-Identifier: MIT */
/* config.h: the one run configuration. The CLI fills it from flags (and,
   later, a JSON config file); the tender starts the sandbox from it. */
#ifndef HUSK_CONFIG_H
#define HUSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum husk_seccomp {
    HUSK_SECCOMP_ON,  /* default: anything outside the allowlist kills */
    HUSK_SECCOMP_LOG, /* debug: allowed, but logged by the host kernel */
    HUSK_SECCOMP_OFF, /* debug: no filter at all */
};

#define HUSK_MAX_DISKS 3 /* besides the rootfs */

struct husk_disk {
    const char *path; /* an ext4 image */
    const char *at;   /* where it is mounted (absolute) */
    bool ro;
};

#define HUSK_MAX_NICS 4

/* A network interface: a host tap device the sandbox reads and writes
   frames on (--net tap:NAME,...; "net" in the JSON config). */
struct husk_nic {
    const char *tap; /* the host tap's name */
    uint8_t mac[6];  /* the guest's MAC (has_mac: given; else made up) */
    bool has_mac;
    uint32_t ip;      /* IPv4, network byte order; 0: none */
    int masklen;      /* 0-32 */
    uint32_t gateway; /* network byte order; 0: none */
};

/* A resource limit the program starts with (RLIMIT_* numbers). */
struct husk_rlimit {
    int resource;
    uint64_t cur, max;
};
#define HUSK_MAX_RLIMITS 16

struct husk_config {
    const char *
        program; /* host path of the program (filesystem issue: in the image) */
    char **argv; /* argv[0] is the program as the user named it */
    int argc;
    char **envp; /* the program's whole environment */
    int envc;
    uint64_t mem;    /* guest memory, bytes */
    const char *cwd; /* absolute */
    const char *hostname;
    uint32_t uid, gid;
    const char *rootfs; /* an ext4 image for /, or NULL: an empty tmpfs */
    bool rootfs_ro;     /* IMAGE:ro: mounted read-only */
    struct husk_disk disks[HUSK_MAX_DISKS]; /* --disk IMAGE:/mnt[:ro] */
    int ndisks;
    struct husk_nic nics[HUSK_MAX_NICS];          /* --net tap:NAME,... */
    struct husk_rlimit rlimits[HUSK_MAX_RLIMITS]; /* OCI process.rlimits */
    int nrlimits;
    int nnics;
    bool trace;
    enum husk_seccomp seccomp;
    bool expose_hostcall; /* testing: tell the program where the stub is */
};

#define HUSK_DEFAULT_MEM (1ULL << 30)
#define HUSK_MIN_MEM (8ULL << 20)
#define HUSK_MAX_MEM (64ULL << 40)
#define HUSK_DEFAULT_HOSTNAME "husk"

#endif
