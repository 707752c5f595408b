/* x86_64 guest images are bzImages (Linux x86 boot protocol). Host-buildable. */
#include "arch.h"
#include "bzimage.h"

int arch_image_parse(const void *data, size_t len, struct image_info *out, const char **why)
{
    struct bzimage_info bz;

    if (bzimage_parse(data, len, &bz, why) < 0)
        return -1;
    out->load_offset = bz.pref_address;
    out->footprint = MAX((uint64_t)bz.init_size, bz.kernel_size);
    return 0;
}
