/* SPDX-License-Identifier: MIT */
/* crc_test.c: ext4_crc.c's crc32c and crc32_be against the catalogued
   check values (the CRC of "123456789", reveng's CRC-32C and
   CRC-32/BZIP2), and the SSE4.2 form against the bitwise one for every
   length up to 300 from every alignment: libext2fs trusts them with
   every metadata checksum. */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/ext4.h"

#include <ext2fs/ext2fs.h>

static int n, failed;

static void ok(int cond, const char *what)
{
    printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
    failed |= !cond;
}

int main(void)
{
    static const unsigned char check[] = "123456789";
    unsigned char buf[320];
    unsigned a, b, c, d;
    int hw = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2);
    int same = 1;

    printf("1..5\n");
    ok((ext4_crc32c_sw(~0U, check, 9) ^ ~0U) == 0xe3069283U,
       "crc32c (bitwise) of 123456789 is e3069283");
    ok((ext2fs_crc32c_le(~0U, check, 9) ^ ~0U) == 0xe3069283U,
       "ext2fs_crc32c_le of 123456789 is e3069283");
    ok((ext2fs_crc32_be(~0U, check, 9) ^ ~0U) == 0xfc891918U,
       "ext2fs_crc32_be of 123456789 is fc891918 (CRC-32/BZIP2)");
    ok(ext2fs_crc32c_le(0x12345678U, check, 0) == 0x12345678U,
       "an empty buffer leaves the CRC alone");
    srand(1);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)rand();
    if (hw)
        for (size_t off = 0; off < 8; off++)
            for (size_t len = 0; len + off <= 300; len++)
                same &= ext4_crc32c_hw(0xdeadbeefU, buf + off, len) ==
                        ext4_crc32c_sw(0xdeadbeefU, buf + off, len);
    if (hw)
        ok(same, "SSE4.2 and bitwise agree at every length and alignment");
    else
        printf("ok %d # SKIP no SSE4.2 on this CPU\n", ++n);
    return failed;
}
