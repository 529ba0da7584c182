/* SPDX-License-Identifier: MIT */
/* tmpfs.h: making tmpfs instances and files (tmpfs.c). */
#ifndef HUSK_TMPFS_H
#define HUSK_TMPFS_H

#include "vfs.h"

/* The root directory of a new, empty instance (one reference). */
struct inode *tmpfs_new_root(const char *type, uint32_t mode);
/* A read-only regular file of sb whose size bytes are at data (kernel
   memory that outlives it): the program's own file. */
struct inode *tmpfs_new_blob(struct super *sb, const void *data, size_t size,
                             uint32_t mode);
/* A regular file of sb with no name (memfd_create). */
struct inode *tmpfs_new_file(struct super *sb, uint32_t mode);

#endif
