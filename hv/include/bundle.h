/* The boot bundle: a newc cpio archive holding config.dtb and the guest images. */
#ifndef HV_BUNDLE_H
#define HV_BUNDLE_H

#include "types.h"

struct bundle_file {
    const char *name;  /* points into the archive; not NUL-terminated, see name_len */
    size_t name_len;
    const void *data;
    size_t size;
};

/* Find member 'name'. Returns 1 found, 0 absent, <0 if the archive is malformed (*why set). */
int bundle_find(const void *archive, size_t archive_size, const char *name,
                struct bundle_file *out, const char **why);

#endif
