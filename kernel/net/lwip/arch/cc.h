/* SPDX-License-Identifier: MIT */
/* arch/cc.h: lwIP's compiler and platform hooks for husk's kernel. */
#ifndef HUSK_LWIP_CC_H
#define HUSK_LWIP_CC_H

#include <stddef.h>
#include <stdint.h>

#define LWIP_NO_STDDEF_H 0
#define LWIP_NO_STDINT_H 0
#define LWIP_NO_INTTYPES_H 0
#define LWIP_NO_LIMITS_H 0
#define LWIP_NO_CTYPE_H 0
#define BYTE_ORDER LITTLE_ENDIAN

void husk_lwip_assert(const char *msg, const char *file, int line);
void husk_lwip_diag(const char *fmt, ...);
#define LWIP_PLATFORM_ASSERT(x) husk_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_PLATFORM_DIAG(x)                                                  \
    do {                                                                       \
        husk_lwip_diag x;                                                      \
    } while (0)

#endif
