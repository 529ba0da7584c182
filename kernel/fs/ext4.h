/* SPDX-License-Identifier: MIT */
/* ext4.h: ext4 images in the kernel (ext4.c). */
#ifndef HUSK_EXT4_H
#define HUSK_EXT4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inode;
struct kdisk;

/* Mount the image on disk (read-only if ro): its root inode (a new
   reference) in *root, or an error with a reason in *why. vfs_lock held. */
long ext4_mount(const struct kdisk *disk, bool ro, struct inode **root,
                const char **why);

/* Is addr inside a mounted image's mapping? (A SIGBUS there means the
   image file shrank under us: another program truncated it.) */
bool ext4_in_map(uintptr_t addr);

/* Write every mounted image's metadata back and make it durable (exit,
   sync). vfs_lock held. */
void ext4_sync_all(void);

/* crc32c (ext4_crc.c), the bitwise and the SSE4.2 forms: the same
   results, which tests/unit/crc_test checks. */
uint32_t ext4_crc32c_sw(uint32_t crc, const unsigned char *p, size_t len);
uint32_t ext4_crc32c_hw(uint32_t crc, const unsigned char *p, size_t len);

#endif
