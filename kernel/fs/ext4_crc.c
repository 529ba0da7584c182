/* SPDX-License-Identifier: MIT */
/* ext4_crc.c: the two CRC routines of libext2fs (its crc32c.c), defined
   here so that the static link takes ours and leaves its member out.

   With metadata_csum every inode, directory block, bitmap and group
   descriptor libext2fs writes or reads is checksummed with crc32c, and
   its table-driven loop was half of husk's time when creating small
   files. The CPU's crc32 instruction (SSE4.2) computes the same
   reflected Castagnoli CRC eight bytes at a time. Both routines leave
   the initial value and the final inversion to the caller, as
   libext2fs's do. */
#include <cpuid.h>
#include <ext2fs/ext2fs.h>

#include "ext4.h"

#define CRC32C_POLY 0x82f63b78U /* Castagnoli, reflected */
#define CRC32_POLY 0x04c11db7U  /* IEEE 802.3, as ext2fs_crc32_be */

uint32_t ext4_crc32c_sw(uint32_t crc, const unsigned char *p, size_t len)
{
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (CRC32C_POLY & -(crc & 1));
    }
    return crc;
}

__attribute__((target("sse4.2"))) uint32_t
ext4_crc32c_hw(uint32_t crc, const unsigned char *p, size_t len)
{
    uint64_t c = crc;
    for (; len && ((uintptr_t)p & 7); len--)
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    for (; len >= 8; len -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
    }
    for (; len; len--)
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return (uint32_t)c;
}

static bool have_sse42(void)
{
    static int known; /* 0 unknown, 1 no, 2 yes: a fact of the CPU */
    if (!known) {
        unsigned a, b, c, d;
        known = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2) ? 2 : 1;
    }
    return known == 2;
}

__u32 ext2fs_crc32c_le(__u32 crc, unsigned char const *p, size_t len)
{
    return have_sse42() ? ext4_crc32c_hw(crc, p, len)
                        : ext4_crc32c_sw(crc, p, len);
}

/* Big-endian CRC-32 (the jbd2 v1 checksums): rare, so bit by bit. */
__u32 ext2fs_crc32_be(__u32 crc, unsigned char const *p, size_t len)
{
    while (len--) {
        crc ^= (uint32_t)*p++ << 24;
        for (int k = 0; k < 8; k++)
            crc = (crc << 1) ^ (CRC32_POLY & -(crc >> 31));
    }
    return crc;
}
