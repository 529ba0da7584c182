/* SPDX-License-Identifier: MIT */
/* cli.h: the husk commands. */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

int cmd_run(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_image(int argc, char **argv);
#include <stdint.h>
int image_build_dir(const char *dir, const char *out, uint64_t size);

#endif
