/* SPDX-License-Identifier: MIT */
/* image.c: `husk image build DIR -o IMAGE [--size SIZE]`: an ext4 image
   of a directory tree, made by mkfs.ext4 -d (e2fsprogs) as runnc's
   CreateExt4 did. Ownership, modes, symlinks, hard links and sparse files
   come across as mkfs.ext4 copies them. Without --size the image is the
   tree's size plus room for metadata and growth. 4 KiB blocks (mkfs picks
   1 KiB for small images otherwise), no journal (husk's ext4 code writes
   through libext2fs, which does not use one), no MMP. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "husk/exit.h"

static void image_usage(FILE *f)
{
    fputs("usage: husk image build DIR -o IMAGE [--size SIZE]\n"
          "\n"
          "Make an ext4 image of DIR for husk run --rootfs or --disk.\n"
          "SIZE (K M G T suffixes) defaults to the tree's size with room\n"
          "to spare.\n",
          f);
}

static uint64_t tree_bytes, tree_files;

static int count(const char *path, const struct stat *st, int type,
                 struct FTW *ftw)
{
    (void)path, (void)type, (void)ftw;
    tree_bytes += (uint64_t)st->st_blocks * 512;
    tree_files++;
    return 0;
}

/* Room for the tree: its blocks, an inode and a block's worth of metadata
   per file, a quarter more, and at least 16 MiB; whole MiB. */
static uint64_t auto_size(void)
{
    uint64_t need = tree_bytes + tree_files * (4096 + 256);
    need += need / 4 + (16ULL << 20);
    return (need + (1 << 20) - 1) & ~((1ULL << 20) - 1);
}

static int run_mkfs(const char *dir, const char *image, uint64_t size)
{
    char kib[32];
    snprintf(kib, sizeof(kib), "%lluk", (unsigned long long)(size >> 10));
    const char *mkfs = access("/sbin/mkfs.ext4", X_OK) == 0
                           ? "/sbin/mkfs.ext4"
                           : "/usr/sbin/mkfs.ext4";
#define A(x) ((char *)(uintptr_t)(x)) /* execv takes char *const[] */
    char *argv[] = {A(mkfs),
                    A("-q"),
                    A("-F"),
                    A("-t"),
                    A("ext4"),
                    A("-b"),
                    A("4096"),
                    A("-O"),
                    A("^has_journal,^mmp"),
                    A("-E"),
                    A("lazy_itable_init=0"),
                    A("-L"),
                    A("husk"),
                    A("-d"),
                    A(dir),
                    A(image),
                    kib,
                    NULL};
#undef A
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(mkfs, argv);
        fprintf(stderr, "husk: %s: %s (install e2fsprogs)\n", mkfs,
                strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int bad(const char *fmt, const char *arg)
{
    fputs("husk: image build: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return HUSK_EXIT_ERROR;
}

/* Build IMAGE from DIR (size 0: sized from the tree). 0 or 125 with one
   line said. Also what husk run --rootfs DIR uses. */
int image_build_dir(const char *dir, const char *out, uint64_t size)
{
    tree_bytes = tree_files = 0;
    if (nftw(dir, count, 64, FTW_PHYS | FTW_MOUNT) < 0)
        return bad("%s: cannot read the tree", dir);
    uint64_t need = auto_size();
    if (!size)
        size = need;
    if (tree_files > 10000 || tree_bytes > (256ULL << 20))
        fprintf(stderr, "husk: building %s from %s: %llu files, %llu MiB...\n",
                out, dir, (unsigned long long)tree_files,
                (unsigned long long)(tree_bytes >> 20));
    /* the file first, sparse at its size: mkfs then has nothing to say */
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
        if (fd >= 0)
            close(fd);
        return bad("%s: cannot create it", out);
    }
    close(fd);
    int r = run_mkfs(dir, out, size);
    if (r != 0) {
        unlink(out); /* never leave a half-made image behind */
        if (size < need)
            fprintf(stderr,
                    "husk: image build: %s does not fit in %llu MiB "
                    "(about %llu MiB needed)\n",
                    dir, (unsigned long long)(size >> 20),
                    (unsigned long long)(need >> 20));
        else
            fprintf(stderr, "husk: image build: mkfs.ext4 failed (status %d)\n",
                    r);
        return HUSK_EXIT_ERROR;
    }
    return 0;
}

static int image_build(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    uint64_t size = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            image_usage(stdout);
            return 0;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) &&
                   i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(a, "--size") && i + 1 < argc) {
            size = parse_size(argv[++i]);
            if (size < (4ULL << 20))
                return bad("bad --size '%s' (at least 4M)", argv[i]);
        } else if (a[0] == '-') {
            return bad("unknown or incomplete option '%s'", a);
        } else if (!dir) {
            dir = a;
        } else {
            return bad("one DIR only ('%s' is extra)", a);
        }
    }
    if (!dir || !out)
        return bad("%s",
                   "needs DIR and -o IMAGE (try husk image build --help)");
    struct stat st;
    if (stat(dir, &st) < 0)
        return bad("%s: no such directory", dir);
    if (!S_ISDIR(st.st_mode))
        return bad("%s: not a directory", dir);
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        return bad("%s: is a directory", out);
    return image_build_dir(dir, out, size);
}

int cmd_image(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "build"))
        return image_build(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        image_usage(stdout);
        return 0;
    }
    image_usage(stderr);
    return HUSK_EXIT_ERROR;
}
