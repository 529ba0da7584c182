/* SPDX-License-Identifier: MIT */
/* tmpdir.h: run a guest test program inside a fresh directory of its own
   (its cwd while the tests run), removed afterwards; a leftover fails. */
#ifndef HUSK_TEST_TMPDIR_H
#define HUSK_TEST_TMPDIR_H

#include <ftw.h>
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"

static int tmpdir_rm(const char *path, const struct stat *st, int type,
                     struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* base: a mkdtemp template such as "/tmp/husk-XXXXXX", filled in. */
static __attribute__((unused)) int
tap_run_in_tmpdir(const struct tap_test *tests, size_t n, char *base)
{
    if (!mkdtemp(base)) {
        printf("Bail out! mkdtemp(\"%s\"): %s\n", base, tap_errno_name(errno));
        return 1;
    }
    if (chdir(base) != 0) {
        printf("Bail out! chdir(\"%s\"): %s\n", base, tap_errno_name(errno));
        return 1;
    }
    int status = tap_run(tests, n);
    if (chdir("/") != 0)
        tap_diag("chdir(\"/\") failed: %s", tap_errno_name(errno));
    nftw(base, tmpdir_rm, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    if (access(base, F_OK) == 0) {
        tap_diag("could not remove %s", base);
        status = 1;
    }
    return status;
}

#endif
