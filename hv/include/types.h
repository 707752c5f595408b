/* Basic types shared by hv/, arch/ and drivers/. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;  /* host physical address (the hv maps it 1:1) */
typedef uint64_t gpaddr_t; /* guest physical address (IPA) */
typedef unsigned cpuid_t;  /* index of a physical CPU, 0 = boot CPU */

struct mem_range {
    paddr_t base;
    uint64_t size;
};

#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Virtio and the boot formats are little-endian; the hv may run big-endian (ppc64, s390x). */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define le16_to_cpu(x) __builtin_bswap16(x)
#define le32_to_cpu(x) __builtin_bswap32(x)
#define le64_to_cpu(x) __builtin_bswap64(x)
#else
#define le16_to_cpu(x) ((uint16_t)(x))
#define le32_to_cpu(x) ((uint32_t)(x))
#define le64_to_cpu(x) ((uint64_t)(x))
#endif
#define cpu_to_le16 le16_to_cpu
#define cpu_to_le32 le32_to_cpu
#define cpu_to_le64 le64_to_cpu
/* s390x's channel structures are big-endian, which host-built tests may not be. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define cpu_to_be64(x) ((uint64_t)(x))
#else
#define cpu_to_be64(x) __builtin_bswap64(x)
#endif

#endif
