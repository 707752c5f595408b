/* arm64 Image header check (Documentation/arm64/booting.rst layout). Host-buildable. */
#include <string.h>

#include "arch.h"

struct arm64_image_header {
    uint32_t code0, code1;
    uint64_t text_offset; /* little-endian */
    uint64_t image_size;  /* little-endian; 0 on pre-3.17 kernels */
    uint64_t flags;
    uint64_t res2, res3, res4;
    uint32_t magic;       /* "ARM\x64" */
    uint32_t res5;
};

int arch_image_parse(const void *data, size_t len, struct image_info *out, const char **why)
{
    struct arm64_image_header h;

    if (len < sizeof(h)) {
        *why = "shorter than the 64-byte arm64 Image header";
        return -1;
    }
    memcpy(&h, data, sizeof(h));
    if (le32_to_cpu(h.magic) != 0x644d5241) {
        *why = "no arm64 Image magic (\"ARM\\x64\" at offset 0x38)";
        return -1;
    }
    if (le64_to_cpu(h.flags) & 1) {
        *why = "big-endian kernel";
        return -1;
    }
    uint64_t off = le64_to_cpu(h.text_offset), size = le64_to_cpu(h.image_size);
    if (size == 0)
        size = len; /* old kernels: no size field; assume the file is all there is */
    if (size < len) {
        *why = "image_size in the header is smaller than the file";
        return -1;
    }
    if (off % 4096 || off > GIB(1)) {
        *why = "text_offset is not page aligned or implausibly large";
        return -1;
    }
    out->load_offset = off;
    out->footprint = size;
    return 0;
}
