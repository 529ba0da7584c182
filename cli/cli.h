/* SPDX-License-Identifier: MIT */
/* cli.h: the husk commands, and the value parsers they share. */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <stddef.h>
#include <stdint.h>

struct husk_config;
struct husk_disk;
struct husk_nic;

int cmd_run(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_image(int argc, char **argv);
/* oci.c: runc's command line (argv[0] is the program's name) */
int cmd_oci(int argc, char **argv);
int image_build_dir(const char *dir, const char *out, uint64_t size);

/* config.c: what --config FILE.json and the flags share. Strings put into
   a config are allocated and live as long as the process (never freed). */

/* "512M", "1G", "1048576" (K M G T suffixes, optional B or iB): bytes, or
   0 when malformed or too large. */
uint64_t parse_size(const char *s);

/* "IMAGE:/mount/point[:ro]" (--disk) into *disk. Returns 0, or -1 when
   malformed or out of memory (the caller names the spec). */
int disk_parse(const char *spec, struct husk_disk *disk);

/* "tap:NAME[,mac=aa:bb:cc:dd:ee:ff][,ip=A.B.C.D[/N]][,gw=A.B.C.D]" (--net,
   or a string in "net") into *nic, checked: NAME 1-15 characters as a
   Linux interface name; mac six hex pairs, unicast and not zero; ip and gw
   dotted quads, not 0.0.0.0; N 0-32, 24 when ip has none; no gw or
   masklen without ip; each key at most once. Returns 0, or -1 with what
   is wrong in err (one line, no "husk: " prefix). */
int nic_parse(const char *spec, struct husk_nic *nic, char *err, size_t errlen);

/* Append *nic to cfg->nics. Returns 0, or -1 with err set when there are
   HUSK_MAX_NICS already or the tap is named twice. */
int nic_add(struct husk_config *cfg, const struct husk_nic *nic, char *err,
            size_t errlen);

/* Read the JSON run configuration at path into cfg, over what cfg holds
   (the defaults): each key present replaces its field; "net" and "disks"
   replace the whole list. cfg->envp/envc receive the file's "env" list
   alone (an allocated array the caller merges and frees), cfg->argv/argc
   its "args" (NULL-terminated). Relative image paths ("rootfs", "disks")
   become relative to the file's directory. Returns 0, or -1 after one
   "husk: ..." line on stderr naming the file and what is wrong (unreadable
   file, syntax error with its line and column, unknown key, wrong type,
   a value the matching flag would refuse). Never exits. */
int config_load(const char *path, struct husk_config *cfg);

#endif
