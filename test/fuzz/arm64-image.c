/* Fuzz harness: the arm64 Image header check (arch/aarch64/image.c) on any guest image.
 * An accepted image has a page-aligned load offset and occupies at least its file size. */
#include "arch.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct image_info info;
    const char *why = NULL;

    if (arch_image_parse(data, size, &info, &why) < 0) {
        FUZZ_CHECK(why != NULL, "rejected without a reason");
        return 0;
    }
    FUZZ_CHECK(size >= 64 && info.load_offset % 4096 == 0 && info.load_offset <= GIB(1),
               "load offset 0x%llx", (unsigned long long)info.load_offset);
    FUZZ_CHECK(info.footprint >= size, "footprint 0x%llx for a 0x%zx-byte file",
               (unsigned long long)info.footprint, size);
    return 0;
}
