/* SPDX-License-Identifier: MIT */
/* husk.c: the command line's entry: dispatch to a command. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "husk/exit.h"
#include "husk/version.h"

static void usage(FILE *f)
{
    fputs("usage: husk COMMAND [OPTIONS]\n"
          "\n"
          "Run unmodified Linux x86_64 programs as unikernels that are "
          "ordinary processes.\n"
          "\n"
          "commands:\n"
          "  run       run a program inside a husk sandbox (husk run --help)\n"
          "  policy    print the sandbox's host system call policy for the\n"
          "            same options as run (husk policy [RUN OPTIONS])\n"
          "  image     husk image build DIR -o IMAGE: an ext4 image of DIR\n"
          "  runc      an OCI runtime with runc's command line (husk runc\n"
          "            --help); also as a link named husk-runc\n"
          "\n"
          "options:\n"
          "  -h, --help     this help\n"
          "  -V, --version  print the version\n",
          f);
}

int main(int argc, char **argv)
{
    /* installed as husk-runc (or runc): the OCI runtime's command line */
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (!strcmp(base, "husk-runc") || !strcmp(base, "runc"))
        return cmd_oci(argc, argv);
    if (argc < 2) {
        usage(stderr);
        return HUSK_EXIT_ERROR;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("husk %s\n", HUSK_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "policy"))
        return cmd_policy(argc - 1, argv + 1);
    if (!strcmp(cmd, "image"))
        return cmd_image(argc - 1, argv + 1);
    if (!strcmp(cmd, "runc"))
        return cmd_oci(argc - 1, argv + 1);
    fprintf(stderr, "husk: unknown command '%s' (try husk --help)\n", cmd);
    return HUSK_EXIT_ERROR;
}
