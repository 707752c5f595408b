/* Guest image format: an s390 IPL image as Linux's is, loaded at absolute 0, its first eight
 * bytes the IPL PSW in ESA/390 format (the entry point in the low 31 bits of the second
 * word). Pure code: the host's config checker (tools/hvcheck) uses it too. */
#include "arch.h"

#define ESA_PSW_EC 0x00080000u   /* bit 12: the ESA/390 format bit */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

int arch_image_parse(const void *data, size_t len, struct image_info *out, const char **why)
{
    const uint8_t *b = data;

    if (len < 0x2000) {
        *why = "too short for an s390 IPL image (its first 8 KiB are the lowcore)";
        return -1;
    }
    uint32_t mask = be32(b), addr = be32(b + 4) & 0x7fffffffu;
    if (!(mask & ESA_PSW_EC) || (mask & 0xfff70000u) != 0) {
        *why = "no IPL PSW at offset 0 (want an ESA/390 PSW: 0x00080000, addressing bit, entry)";
        return -1;
    }
    if (addr < 0x200 || addr >= len) {
        *why = "the IPL PSW's entry point is outside the image";
        return -1;
    }
    out->load_offset = 0;
    out->footprint = len;
    return 0;
}

