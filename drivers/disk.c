/* The machine's disk: the first that a linked disk driver finds in the firmware DT. */
#include "disk.h"

/* Each arch links the drivers its machines have; the others are absent (weak, NULL). */
extern int virtio_blk_probe(const void *fdt, struct disk *d, const char **why) __attribute__((weak));
extern int fba_probe(const void *fdt, struct disk *d, const char **why) __attribute__((weak));

int disk_probe(const void *fdt, struct disk *d, const char **why)
{
    int (*const probes[])(const void *, struct disk *, const char **) = { virtio_blk_probe,
                                                                          fba_probe };
    const char *first = NULL;

    *why = "no disk driver";
    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        if (!probes[i])
            continue;
        if (probes[i](fdt, d, why) == 0)
            return 0;
        if (!first)
            first = *why;
    }
    if (first)
        *why = first;
    return -1;
}
